//! `stackcraft bootstrap`: one small stack per account and region with the asset bucket
//! (encrypted, versioned, public access blocked, TLS only, old versions expiring) and the
//! container image repository; idempotent; `--destroy` empties and removes it.

use stackcraft_core::BOOTSTRAP_STACK;
use stackcraft_template::Template;

use crate::changeset::StackSpec;
use crate::deploy::{deploy_one, DeployOptions, Progress, RequireApproval};
use crate::error::DeployError;
use crate::events::{failed_resource, first_failure, follow, latest_event, Operation};
use crate::session::Session;
use crate::ui::Ui;

/// The version of the bootstrap stack this engine writes (output `BootstrapVersion`).
pub const BOOTSTRAP_VERSION: u32 = 1;

const TEMPLATE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Description": "stackcraft bootstrap: asset bucket and image repository of this account and region",
  "Resources": {
    "AssetBucket": {
      "Type": "AWS::S3::Bucket",
      "UpdateReplacePolicy": "Retain",
      "Properties": {
        "BucketName": {"Fn::Sub": "stackcraft-assets-${AWS::AccountId}-${AWS::Region}"},
        "BucketEncryption": {
          "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": true}
          ]
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {
          "BlockPublicAcls": true,
          "BlockPublicPolicy": true,
          "IgnorePublicAcls": true,
          "RestrictPublicBuckets": true
        },
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "LifecycleConfiguration": {
          "Rules": [
            {
              "Id": "ExpireOldVersions",
              "Status": "Enabled",
              "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}
            }
          ]
        }
      }
    },
    "AssetBucketPolicy": {
      "Type": "AWS::S3::BucketPolicy",
      "Properties": {
        "Bucket": {"Ref": "AssetBucket"},
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "TlsOnly",
              "Effect": "Deny",
              "Principal": "*",
              "Action": "s3:*",
              "Resource": [
                {"Fn::GetAtt": ["AssetBucket", "Arn"]},
                {"Fn::Sub": "${AssetBucket.Arn}/*"}
              ],
              "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }
          ]
        }
      }
    },
    "ImageRepository": {
      "Type": "AWS::ECR::Repository",
      "Properties": {
        "RepositoryName": {"Fn::Sub": "stackcraft-images-${AWS::AccountId}-${AWS::Region}"},
        "ImageTagMutability": "IMMUTABLE",
        "ImageScanningConfiguration": {"ScanOnPush": true},
        "EncryptionConfiguration": {"EncryptionType": "AES256"},
        "EmptyOnDelete": true,
        "LifecyclePolicy": {
          "LifecyclePolicyText": "{\"rules\":[{\"rulePriority\":1,\"description\":\"Untagged images go after a day\",\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}"
        }
      }
    }
  },
  "Outputs": {
    "BucketName": {"Value": {"Ref": "AssetBucket"}},
    "ImageRepositoryUri": {"Value": {"Fn::GetAtt": ["ImageRepository", "RepositoryUri"]}},
    "BootstrapVersion": {"Value": "1"}
  }
}"#;

/// The bootstrap stack's template.
pub fn bootstrap_template() -> Template {
    stackcraft_template::parse_template(TEMPLATE).expect("the bootstrap template parses")
}

#[derive(Clone, Debug, Default)]
pub struct BootstrapOptions {
    /// Remove the bootstrap stack (emptying the bucket first) instead of creating it.
    pub destroy: bool,
    /// Do not ask.
    pub yes: bool,
}

/// Creates or updates the bootstrap stack, or destroys it.
pub async fn bootstrap(
    session: &Session,
    opts: &BootstrapOptions,
    ui: &Ui,
) -> Result<(), DeployError> {
    if opts.destroy {
        return destroy_bootstrap(session, opts, ui).await;
    }
    let spec = StackSpec {
        name: "bootstrap".into(),
        deployed_name: BOOTSTRAP_STACK.into(),
        template_body: bootstrap_template().to_json(),
        description: Some(format!("stackcraft bootstrap version {BOOTSTRAP_VERSION}")),
        tags: vec![(
            "stackcraft:bootstrap-version".into(),
            BOOTSTRAP_VERSION.to_string(),
        )],
    };
    let deploy = DeployOptions {
        yes: opts.yes,
        require_approval: RequireApproval::Destructive,
        ..DeployOptions::default()
    };
    ui.line(format!(
        "bootstrapping {} ({}): bucket {}",
        session.env_name,
        session.place(),
        session.asset_bucket()
    ));
    deploy_one(session, ui, &spec, &deploy, &Progress::default()).await?;
    ui.result(format!(
        "bootstrap version {BOOTSTRAP_VERSION} is in place in {}",
        session.place()
    ));
    Ok(())
}

async fn destroy_bootstrap(
    session: &Session,
    opts: &BootstrapOptions,
    ui: &Ui,
) -> Result<(), DeployError> {
    let Some(stack) = session
        .cfn
        .describe_stack(BOOTSTRAP_STACK)
        .await
        .map_err(|e| session.api_error(format!("stack {BOOTSTRAP_STACK}"), e))?
    else {
        ui.line(format!(
            "{} is not bootstrapped: nothing to remove",
            session.place()
        ));
        return Ok(());
    };
    let bucket = session.asset_bucket();
    if !opts.yes {
        let question = format!(
            "Remove the bootstrap stack of {}, deleting every asset in {bucket}? Stacks that \
             reference their assets cannot be updated until it is bootstrapped again.",
            session.place()
        );
        DeployError::unless_approved(
            ui.approve(&question),
            format!("removing the bootstrap stack of {}", session.place()),
            None,
            "rerun with --yes",
        )?;
    }
    if session
        .store
        .bucket_exists(&bucket)
        .await
        .map_err(|e| session.api_error(format!("bucket {bucket}"), e))?
    {
        let n = session
            .store
            .empty_bucket(&bucket)
            .await
            .map_err(|e| session.api_error(format!("emptying {bucket}"), e))?;
        ui.line(format!(
            "bootstrap: {n} object version(s) deleted from {bucket}"
        ));
    }
    let marker = latest_event(session, &stack.id).await;
    session
        .cfn
        .delete_stack(&stack.id)
        .await
        .map_err(|e| session.api_error(format!("deleting {BOOTSTRAP_STACK}"), e))?;
    let followed = follow(
        session,
        ui,
        "bootstrap",
        &stack.id,
        marker,
        Operation::Delete,
        None,
    )
    .await?;
    match followed.stack {
        None => {
            ui.line(format!("bootstrap removed from {}", session.place()));
            Ok(())
        }
        Some(s) => Err(DeployError::DeleteFailed {
            stack: "bootstrap".into(),
            deployed_name: BOOTSTRAP_STACK.into(),
            status: s.status,
            resource: first_failure(&followed.events).map(failed_resource),
            reason: s.reason,
        }),
    }
}
