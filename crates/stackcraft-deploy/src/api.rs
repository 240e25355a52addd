//! The few CloudFormation and S3 calls the engine makes, as two traits over plain types, so
//! the SDK and the scripted fakes of the tests drive the same engine.

use std::path::Path;
use std::time::SystemTime;

use async_trait::async_trait;
use indexmap::IndexMap;

pub use crate::error::ApiError;

/// A stack as `DescribeStacks` returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackDescription {
    /// The stack id (an ARN).
    pub id: String,
    pub name: String,
    /// `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`, ...
    pub status: String,
    pub reason: Option<String>,
    pub outputs: IndexMap<String, String>,
    pub tags: IndexMap<String, String>,
}

/// One `DescribeStackEvents` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEvent {
    pub id: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
    pub timestamp: Option<SystemTime>,
}

impl StackEvent {
    /// An event about the stack itself rather than one of its resources.
    pub fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
    }
}

/// One `ListStackResources` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackResource {
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub status: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ChangeSetKind {
    Create,
    Update,
}

/// Where the template of a change set comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateSource {
    Body(String),
    /// Uploaded to the asset bucket (templates over the 51,200-byte inline limit).
    Url(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSetRequest {
    pub stack_name: String,
    pub change_set_name: String,
    pub kind: ChangeSetKind,
    pub template: TemplateSource,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedChangeSet {
    pub id: String,
    pub stack_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Add,
    Modify,
    Remove,
    Import,
    Dynamic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Replacement {
    Never,
    Conditional,
    Always,
}

/// One resource of a change set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    /// Only meaningful for `Modify`.
    pub replacement: Replacement,
    /// The properties and attributes that change (`Properties.BucketName`, `Tags`).
    pub details: Vec<String>,
}

/// `DescribeChangeSet`, every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSetDescription {
    pub id: String,
    pub stack_id: String,
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    pub reason: Option<String>,
    /// `AVAILABLE`, `EXECUTE_IN_PROGRESS`, `OBSOLETE`, ...
    pub execution_status: String,
    pub changes: Vec<ResourceChange>,
}

/// `DescribeStackDriftDetectionStatus`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriftDetection {
    /// `DETECTION_IN_PROGRESS`, `DETECTION_COMPLETE`, `DETECTION_FAILED`.
    pub status: String,
    /// `DRIFTED`, `IN_SYNC`, `UNKNOWN`, `NOT_CHECKED`.
    pub stack_drift_status: Option<String>,
    pub reason: Option<String>,
}

/// One drifted resource, as `DescribeStackResourceDrifts` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDrift {
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    pub differences: Vec<PropertyDifference>,
}

/// A property whose value differs from the template's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyDifference {
    /// JSON pointer into the resource's properties (`/BillingMode`).
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE` or `NOT_EQUAL`.
    pub kind: String,
}

/// One object of a bucket, as ListObjectsV2 lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    /// Without quotes. For a single-part upload without KMS it is the MD5 of the content, which
    /// is how a site publish tells an unchanged file without downloading it.
    pub etag: String,
}

/// The headers a published file is stored with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectHeaders {
    pub content_type: String,
    pub cache_control: String,
}

#[async_trait]
pub trait CloudFormationApi: Send + Sync {
    /// `None` when no stack of that name or id exists (deleted stacks included).
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackDescription>, ApiError>;
    async fn create_change_set(&self, req: &ChangeSetRequest)
        -> Result<CreatedChangeSet, ApiError>;
    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetDescription, ApiError>;
    async fn execute_change_set(&self, id: &str) -> Result<(), ApiError>;
    async fn delete_change_set(&self, id: &str) -> Result<(), ApiError>;
    /// Events newest first: all those newer than `after`, or only the newest page when
    /// `after` is `None`.
    async fn stack_events(
        &self,
        stack: &str,
        after: Option<&str>,
    ) -> Result<Vec<StackEvent>, ApiError>;
    /// The deployed template as it was submitted (stage `Original`).
    async fn get_template(&self, stack: &str) -> Result<String, ApiError>;
    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError>;
    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError>;
    /// `DetectStackDrift`: starts a detection; returns its id.
    async fn detect_drift(&self, stack: &str) -> Result<String, ApiError> {
        let _ = stack;
        Err(unsupported("DetectStackDrift"))
    }
    /// `DescribeStackDriftDetectionStatus`.
    async fn drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        let _ = detection_id;
        Err(unsupported("DescribeStackDriftDetectionStatus"))
    }
    /// `DescribeStackResourceDrifts` of the resources that are `MODIFIED` or `DELETED`, every
    /// page.
    async fn resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        let _ = stack;
        Err(unsupported("DescribeStackResourceDrifts"))
    }
}

/// The error of a call an implementation does not make (fakes that need not).
fn unsupported(call: &str) -> ApiError {
    ApiError::service(
        "NotImplemented",
        format!("{call} is not implemented by this API"),
    )
}

/// The S3 calls of the engine.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn bucket_exists(&self, bucket: &str) -> Result<bool, ApiError>;
    /// HeadObject.
    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, ApiError>;
    async fn put_file(&self, bucket: &str, key: &str, path: &Path) -> Result<(), ApiError>;
    async fn put_bytes(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), ApiError>;
    /// Deletes every object version and delete marker; returns how many were deleted.
    async fn empty_bucket(&self, bucket: &str) -> Result<usize, ApiError>;
    /// The URL CloudFormation reads an uploaded template from.
    fn object_url(&self, bucket: &str, key: &str) -> String;
    /// Every object of the bucket (every page of ListObjectsV2).
    async fn list_objects(&self, bucket: &str) -> Result<Vec<StoredObject>, ApiError>;
    /// PutObject of `body` with its headers.
    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        headers: &ObjectHeaders,
    ) -> Result<(), ApiError>;
    /// Deletes these keys (DeleteObjects, as many calls as needed); an object that a key
    /// names but that is refused is an error naming it.
    async fn delete_objects(&self, bucket: &str, keys: &[String]) -> Result<(), ApiError>;
}

/// The CloudFront call of the engine.
#[async_trait]
pub trait CloudFrontApi: Send + Sync {
    /// CreateInvalidation of `paths`; returns the invalidation's id.
    async fn create_invalidation(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String, ApiError>;
}
