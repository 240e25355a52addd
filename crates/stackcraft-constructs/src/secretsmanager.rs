//! `secretsmanager::Secret`: generated secrets, read by templates through dynamic references
//! and by workloads through grants of `GetSecretValue` on exactly one secret.

use stackcraft_core::template::{sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::secretsmanager::secret::GenerateSecretString;
use stackcraft_resources::secretsmanager::{self as l1, SecretRef};

use crate::iam::{Grantee, PolicyStatement};

/// Characters left out of generated passwords: those that break connection URLs, shells and
/// the MySQL and Redis clients' quoting.
pub const EXCLUDE_CHARACTERS: &str = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";

/// How a secret's value is generated.
#[derive(Clone, Debug)]
pub struct Generated {
    pub description: String,
    /// A JSON object the generated password is added to (`{"username":"admin"}`), or `None`
    /// for a secret that is just the password.
    pub template: Option<String>,
    /// The key the password goes under when `template` is set.
    pub key: String,
    pub length: u32,
    pub exclude_characters: String,
}

impl Generated {
    /// A bare password of `length` characters.
    pub fn password(description: &str, length: u32) -> Generated {
        Generated {
            description: description.to_owned(),
            template: None,
            key: "password".to_owned(),
            length,
            exclude_characters: EXCLUDE_CHARACTERS.to_owned(),
        }
    }

    /// `{"username": user, "password": <generated>}`, the shape RDS rotation expects.
    pub fn credentials(description: &str, username: &str) -> Generated {
        Generated {
            template: Some(format!("{{\"username\":\"{username}\"}}")),
            ..Generated::password(description, 32)
        }
    }
}

/// A secret handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Secret {
    secret: SecretRef,
}

impl Secret {
    /// A secret whose value Secrets Manager generates at creation; nobody ever types it.
    pub fn generated(stack: &mut Stack, id: &str, how: Generated) -> Secret {
        let mut generate = GenerateSecretString::new()
            .password_length(how.length)
            .exclude_characters(how.exclude_characters.as_str());
        if let Some(template) = &how.template {
            generate = generate
                .secret_string_template(template.as_str())
                .generate_string_key(how.key.as_str());
        }
        let secret = stack.add(
            id,
            l1::Secret::new()
                .description(how.description.as_str())
                .generate_secret_string(generate),
        );
        let policy = stack.env().removal_policy();
        stack.set_removal_policy(secret.target(), policy);
        stack.suppress(
            secret.target(),
            "CKV_AWS_149",
            "Encrypted with the AWS managed key of Secrets Manager; who reads the value is decided by IAM grants of GetSecretValue on this one secret (the task execution role, nobody else). A customer managed key adds key-policy upkeep without narrowing that.",
        );
        Secret { secret }
    }

    /// A secret of another stack, from the target it published.
    pub fn from_target(target: Target) -> Secret {
        Secret {
            secret: target.into(),
        }
    }

    pub fn target(&self) -> &Target {
        self.secret.target()
    }

    /// The secret's ARN (`Ref`).
    pub fn arn(&self) -> Expr<String> {
        self.secret.ref_()
    }

    /// A dynamic reference CloudFormation resolves at deploy, never written to the template:
    /// the whole value, or one key of a JSON value.
    pub fn resolve(&self, json_key: Option<&str>) -> Expr<String> {
        let text = match json_key {
            Some(key) => format!("{{{{resolve:secretsmanager:${{Secret}}:SecretString:{key}}}}}"),
            None => "{{resolve:secretsmanager:${Secret}}}".to_owned(),
        };
        sub_with(text, [("Secret", self.arn())])
    }

    /// Read the value of this secret, and nothing else.
    pub fn grant_read(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(&[
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
            ])
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
    }
}
