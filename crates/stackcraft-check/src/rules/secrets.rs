//! Secrets: never in plain text (environment variables, user data, properties, parameters),
//! and rotated where they can be.

use stackcraft_template::{Intrinsic, Value};

use super::{fail, rule, ANY};
use crate::props::{items, str_at, strings};
use crate::rule::{Context, Rule};
use crate::Severity::*;

/// Words in a name that say "this holds a secret".
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Properties that hold a secret, whatever the resource.
const SECRET_PROPERTIES: &[&str] = &[
    "MasterUserPassword",
    "Password",
    "AuthToken",
    "SecretString",
    "AdminPassword",
];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-SEC-001",
        Critical,
        "Plaintext secret in environment variables",
        "Put the value in Secrets Manager and pass it as an ECS secret / read it at run time",
        &["AWS::Lambda::Function", "AWS::ECS::TaskDefinition"],
        &["CKV_AWS_45"],
        &[],
        environment_secrets,
    ),
    rule(
        "SC-SEC-002",
        Critical,
        "Plaintext secret in user data",
        "Read the secret at boot from Secrets Manager or SSM Parameter Store (SecureString)",
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
        &["CKV_AWS_46"],
        &[],
        |c| {
            let data = c
                .prop("UserData")
                .or_else(|| c.prop("LaunchTemplateData.UserData"))?;
            let hit = strings(data).into_iter().find_map(secret_in_text);
            hit.map(|what| format!("user data contains {what}"))
        },
    ),
    rule(
        "SC-SEC-003",
        Critical,
        "Secret property is plaintext, or a parameter without NoEcho",
        "Use a {{resolve:secretsmanager:...}} dynamic reference, or a NoEcho parameter",
        ANY,
        &[],
        &["F23", "W44"],
        secret_properties,
    ),
    rule(
        "SC-SEC-004",
        Medium,
        "Secret is never rotated",
        "Add an AWS::SecretsManager::RotationSchedule (hosted rotation for database credentials)",
        &["AWS::SecretsManager::Secret"],
        &["CKV_AWS_304"],
        &[],
        |c| {
            let rotated = c
                .others(&["AWS::SecretsManager::RotationSchedule"])
                .any(|(_, r)| {
                    r.properties
                        .get("SecretId")
                        .is_some_and(|s| crate::props::refers_to(s, c.logical_id))
                });
            fail(!rotated, || {
                "no RotationSchedule refers to this secret".into()
            })
        },
    ),
    rule(
        "SC-SEC-005",
        Low,
        "Secret is encrypted with the AWS managed key",
        "Set KmsKeyId to a customer managed key when key policies should decide who reads it",
        &["AWS::SecretsManager::Secret"],
        &["CKV_AWS_149"],
        &["W77"],
        |c| {
            fail(c.prop("KmsKeyId").is_none(), || {
                "KmsKeyId is not set".into()
            })
        },
    ),
];

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// A literal that would be a secret in plain text (a dynamic reference is not).
fn is_plain_literal(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| !s.is_empty() && !s.starts_with("{{resolve:"))
}

/// What in a text gives a secret away: an AWS access key id, a private key, `password=...`.
fn secret_in_text(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        w.len() == 20
            && (w.starts_with("AKIA") || w.starts_with("ASIA"))
            && w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }) {
        return Some("an AWS access key id");
    }
    let lower = text.to_ascii_lowercase();
    let assigns = [
        "password=",
        "password =",
        "passwd=",
        "secret=",
        "token=",
        "aws_secret_access_key",
    ];
    assigns
        .iter()
        .any(|a| lower.contains(a))
        .then_some("a password or secret assignment")
}

fn environment_secrets(c: &Context) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(vars) = c.prop("Environment.Variables").and_then(Value::as_map) {
        for (name, value) in vars {
            if is_plain_literal(value)
                && (looks_secret(name) || value.as_str().and_then(secret_in_text).is_some())
            {
                names.push(name.clone());
            }
        }
    }
    for container in items(c.prop("ContainerDefinitions")) {
        for var in items(container.get("Environment")) {
            let (Some(name), Some(value)) = (str_at(var, "Name"), var.get("Value")) else {
                continue;
            };
            if is_plain_literal(value)
                && (looks_secret(name) || value.as_str().and_then(secret_in_text).is_some())
            {
                names.push(name.to_owned());
            }
        }
    }
    fail(!names.is_empty(), || {
        format!("{} hold(s) a literal value", names.join(", "))
    })
}

fn secret_properties(c: &Context) -> Option<String> {
    let mut problems = Vec::new();
    for key in SECRET_PROPERTIES {
        let Some(value) = c.prop(key) else { continue };
        if is_plain_literal(value) {
            problems.push(format!("{key} is a literal"));
        }
        if let Value::Fn(f) = value {
            if let Intrinsic::Ref(t) = f.as_ref() {
                let echoed = c.template.parameters.get(&t.logical_id).is_some_and(|p| {
                    p.attributes
                        .get("NoEcho")
                        .and_then(crate::props::literal_bool)
                        != Some(true)
                });
                if echoed {
                    problems.push(format!(
                        "{key} comes from parameter {} without NoEcho",
                        t.logical_id
                    ));
                }
            }
        }
    }
    // A parameter named like a secret is shown in the console and API unless NoEcho.
    let mut named: Vec<String> = c
        .props()
        .values()
        .flat_map(crate::props::references)
        .filter(|id| looks_secret(id))
        .filter(|id| {
            c.template.parameters.get(id).is_some_and(|p| {
                p.attributes
                    .get("NoEcho")
                    .and_then(crate::props::literal_bool)
                    != Some(true)
            })
        })
        .collect();
    named.sort();
    named.dedup();
    for id in named {
        let line = format!("parameter {id} is used without NoEcho");
        if !problems.iter().any(|p| p.contains(&id)) {
            problems.push(line);
        }
    }
    fail(!problems.is_empty(), || problems.join("; "))
}
