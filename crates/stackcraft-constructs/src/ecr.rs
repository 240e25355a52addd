//! `ecr::Repository`: scanned on push, KMS-encrypted, every tag immutable, old
//! images expired by a lifecycle policy; pull grants of exactly the actions a pull needs.

use serde_json::json;
use stackcraft_core::template::{sub_with, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::ecr::repository::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    LifecyclePolicy,
};
use stackcraft_resources::ecr::{self as l1, RepositoryRef};

use crate::iam::{Grantee, PolicyStatement};

/// The actions that pulling an image from one repository needs.
pub const PULL_ACTIONS: &[&str] = &[
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];

/// The actions that pushing an image to one repository needs (beside the account-wide
/// `ecr:GetAuthorizationToken` of the login).
pub const PUSH_ACTIONS: &[&str] = &[
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// Choices for a repository.
#[derive(Clone, Debug)]
pub struct RepositoryOptions {
    /// A fixed repository name (default: generated).
    pub name: Option<String>,
    /// Tagged images kept; older ones expire (default 30).
    pub keep_images: u32,
    /// Days after which untagged images expire (default 7).
    pub untagged_days: u32,
}

impl Default for RepositoryOptions {
    fn default() -> Self {
        RepositoryOptions {
            name: None,
            keep_images: 30,
            untagged_days: 7,
        }
    }
}

/// A repository handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Repository {
    repository: RepositoryRef,
}

impl Repository {
    pub fn new(stack: &mut Stack, id: &str) -> Repository {
        Self::with(stack, id, RepositoryOptions::default())
    }

    pub fn with(stack: &mut Stack, id: &str, options: RepositoryOptions) -> Repository {
        let protected = stack.env().is_protected();
        let lifecycle = json!({
            "rules": [
                {
                    "rulePriority": 1,
                    "description": format!("Expire untagged images after {} days", options.untagged_days),
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": options.untagged_days
                    },
                    "action": {"type": "expire"}
                },
                {
                    "rulePriority": 2,
                    "description": format!("Keep the {} most recent images", options.keep_images),
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": options.keep_images
                    },
                    "action": {"type": "expire"}
                }
            ]
        });
        let mut repository = l1::Repository::new()
            .image_scanning_configuration(ImageScanningConfiguration::new().scan_on_push(true))
            .encryption_configuration(EncryptionConfiguration::new(EncryptionType::Kms))
            // Deploy publishes images under tags derived from their digests, which never move;
            // nothing needs a mutable `latest`.
            .image_tag_mutability(ImageTagMutability::Immutable)
            .lifecycle_policy(LifecyclePolicy::new().lifecycle_policy_text(lifecycle.to_string()))
            .empty_on_delete(!protected);
        if let Some(name) = &options.name {
            repository = repository.repository_name(name.as_str());
        }
        let repository = stack.add(id, repository);
        let policy = stack.env().removal_policy();
        stack.set_removal_policy(repository.target(), policy);
        Repository { repository }
    }

    pub fn target(&self) -> &Target {
        self.repository.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.repository.arn()
    }

    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    pub fn uri(&self) -> Expr<String> {
        self.repository.repository_uri()
    }

    /// The URI of one tag of this repository.
    pub fn image(&self, tag: &str) -> Expr<String> {
        sub_with(format!("${{Uri}}:{tag}"), [("Uri", self.uri())])
    }

    /// Pull images from this repository.
    pub fn grant_pull(&self, stack: &mut Stack, grantee: &impl Grantee) {
        grant_pull_arn(stack, grantee, self.arn());
    }

    /// Push images to this repository (a build server), and nothing else of ECR.
    pub fn grant_push(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let role = grantee.grant_role();
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(PUSH_ACTIONS)
                .resource(self.arn()),
        );
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&["ecr:GetAuthorizationToken"])
                .resource("*"),
        );
    }
}

/// Pull from the repository with this ARN (plus the registry login, which has no resource).
pub fn grant_pull_arn(stack: &mut Stack, grantee: &impl Grantee, arn: Expr<String>) {
    let role = grantee.grant_role();
    role.add_to_policy(
        stack,
        PolicyStatement::allow().actions(PULL_ACTIONS).resource(arn),
    );
    role.add_to_policy(
        stack,
        PolicyStatement::allow()
            .actions(&["ecr:GetAuthorizationToken"])
            .resource("*"),
    );
}

/// The repository ARN of a private ECR image URI
/// (`123456789012.dkr.ecr.eu-central-1.amazonaws.com/name:tag`), if it is one.
pub fn repository_arn_of_image(uri: &str) -> Option<String> {
    let (registry, rest) = uri.split_once('/')?;
    let mut parts = registry.split('.');
    let account = parts.next()?;
    let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
    if dkr != "dkr" || ecr != "ecr" || account.len() != 12 {
        return None;
    }
    let name = rest.split(['@', ':']).next()?;
    Some(format!("arn:aws:ecr:{region}:{account}:repository/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_image_uris_name_their_repository() {
        assert_eq!(
            repository_arn_of_image(
                "123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/counter:1.2"
            )
            .as_deref(),
            Some("arn:aws:ecr:eu-central-1:123456789012:repository/team/counter")
        );
        assert_eq!(
            repository_arn_of_image("public.ecr.aws/docker/library/redis:7"),
            None
        );
        assert_eq!(repository_arn_of_image("redis:7"), None);
    }
}
