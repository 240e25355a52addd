//! Change sets: created (CREATE or UPDATE, the template inline or through the asset bucket),
//! waited for, shown with replacements and removals of stateful resources flagged loudly.

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::api::{
    Action, ChangeSetDescription, ChangeSetKind, ChangeSetRequest, Replacement, ResourceChange,
    TemplateSource,
};
use crate::error::DeployError;
use crate::session::Session;

/// CloudFormation's limit for `TemplateBody`; larger templates go through S3.
pub(crate) const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// Resource types whose replacement or removal loses data.
const STATEFUL: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::Cognito::UserPool",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::Kinesis::Stream",
    "AWS::SQS::Queue",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::ECR::Repository",
    "AWS::SecretsManager::Secret",
    "AWS::Backup::BackupVault",
];

/// Whether replacing or removing a resource of this type loses data.
pub fn is_stateful(resource_type: &str) -> bool {
    STATEFUL.contains(&resource_type)
}

/// A change that replaces or removes something.
pub(crate) fn is_destructive(c: &ResourceChange) -> bool {
    c.action == Action::Remove
        || (c.action == Action::Modify && c.replacement != Replacement::Never)
}

/// What a stack's change set is made of.
pub(crate) struct StackSpec {
    /// The stack's id in the app (`data`).
    pub name: String,
    /// The CloudFormation stack name.
    pub deployed_name: String,
    pub template_body: String,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A change set that was created and has changes.
pub(crate) struct Prepared {
    pub kind: ChangeSetKind,
    pub change_set: ChangeSetDescription,
}

fn change_set_name() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("stackcraft-{millis}")
}

/// The template source: inline, or uploaded to the asset bucket when too large.
async fn template_source(
    session: &Session,
    spec: &StackSpec,
) -> Result<TemplateSource, DeployError> {
    if spec.template_body.len() <= INLINE_TEMPLATE_LIMIT {
        return Ok(TemplateSource::Body(spec.template_body.clone()));
    }
    let bucket = session.asset_bucket();
    crate::assets::require_bootstrap(session, &bucket).await?;
    let hash = hex(&Sha256::digest(spec.template_body.as_bytes()));
    let key = format!("templates/{}-{hash}.json", spec.deployed_name);
    if !session
        .store
        .object_exists(&bucket, &key)
        .await
        .map_err(|e| session.api_error(format!("template of {}", spec.name), e))?
    {
        session
            .store
            .put_bytes(&bucket, &key, spec.template_body.clone().into_bytes())
            .await
            .map_err(|e| {
                session.api_error(format!("uploading the template of {}", spec.name), e)
            })?;
    }
    Ok(TemplateSource::Url(session.store.object_url(&bucket, &key)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a failed change set failed only because nothing changes.
fn means_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Creates a change set and waits for it. `None`: nothing would change (the empty change set
/// is deleted).
pub(crate) async fn prepare(
    session: &Session,
    spec: &StackSpec,
    kind: ChangeSetKind,
) -> Result<Option<Prepared>, DeployError> {
    let template = template_source(session, spec).await?;
    let created = session
        .cfn
        .create_change_set(&ChangeSetRequest {
            stack_name: spec.deployed_name.clone(),
            change_set_name: change_set_name(),
            kind,
            template,
            description: spec.description.clone(),
            tags: spec.tags.clone(),
        })
        .await
        .map_err(|e| session.api_error(format!("change set for stack {}", spec.name), e))?;
    let described = loop {
        let d = session
            .cfn
            .describe_change_set(&created.id)
            .await
            .map_err(|e| session.api_error(format!("change set for stack {}", spec.name), e))?;
        if matches!(d.status.as_str(), "CREATE_PENDING" | "CREATE_IN_PROGRESS") {
            tokio::time::sleep(session.poll / 2).await;
            continue;
        }
        break d;
    };
    if described.status == "FAILED" {
        let reason = described.reason.clone().unwrap_or_default();
        let _ = session.cfn.delete_change_set(&created.id).await;
        if means_no_changes(&reason) {
            return Ok(None);
        }
        return Err(DeployError::ChangeSetRejected {
            stack: spec.name.clone(),
            deployed_name: spec.deployed_name.clone(),
            reason,
        });
    }
    if described.changes.is_empty() {
        let _ = session.cfn.delete_change_set(&created.id).await;
        return Ok(None);
    }
    Ok(Some(Prepared {
        kind,
        change_set: described,
    }))
}

/// The change set as lines: a summary, then one line per resource, replacements and removals
/// of stateful resources flagged.
pub(crate) fn render(label: &str, deployed_name: &str, changes: &[ResourceChange]) -> Vec<String> {
    let count = |a: Action| changes.iter().filter(|c| c.action == a).count();
    let replaced = changes
        .iter()
        .filter(|c| c.action == Action::Modify && c.replacement != Replacement::Never)
        .count();
    let mut lines = vec![format!(
        "{label} ({deployed_name}): {} to add, {} to modify ({replaced} replaced), {} to remove",
        count(Action::Add),
        count(Action::Modify) + count(Action::Dynamic),
        count(Action::Remove)
    )];
    for c in changes {
        let (sign, what) = match (c.action, c.replacement) {
            (Action::Add, _) => ("+", "add"),
            (Action::Remove, _) => ("-", "remove"),
            (Action::Import, _) => ("<", "import"),
            (Action::Modify | Action::Dynamic, Replacement::Always) => ("±", "REPLACE"),
            (Action::Modify | Action::Dynamic, Replacement::Conditional) => ("±", "MAY REPLACE"),
            (Action::Modify | Action::Dynamic, Replacement::Never) => ("~", "modify"),
        };
        let mut line = format!(
            "  {sign} {:<12} {:<36} {}",
            what, c.resource_type, c.logical_id
        );
        if !c.details.is_empty() {
            line.push_str(&format!("  [{}]", c.details.join(", ")));
        }
        if is_destructive(c) && is_stateful(&c.resource_type) {
            let verb = if c.action == Action::Remove {
                "REMOVED"
            } else {
                "REPLACED"
            };
            line.push_str(&format!(
                "\n    !!! STATEFUL RESOURCE {verb}: the data in {} is lost unless it is retained",
                c.logical_id
            ));
        }
        lines.push(line);
    }
    lines
}
