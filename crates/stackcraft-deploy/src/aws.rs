//! The traits implemented with the AWS SDK for Rust.

use std::path::Path;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_sdk_cloudformation as cfn;
use aws_sdk_s3 as s3;
use cfn::error::{ProvideErrorMetadata, SdkError};
use indexmap::IndexMap;

use crate::api::*;

/// Turns an SDK error into an [`ApiError`]: unreachable endpoints apart, service errors with
/// their code, anything else with its innermost cause.
pub(crate) fn api_error<E, R>(e: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &e {
        SdkError::DispatchFailure(d) => {
            let cause = innermost(&e);
            if d.is_io() || d.is_timeout() {
                ApiError::unreachable(format!("cannot reach the endpoint: {cause}"))
            } else {
                ApiError::other(format!("request failed: {cause}"))
            }
        }
        SdkError::TimeoutError(_) => ApiError::unreachable("the endpoint did not answer in time"),
        SdkError::ServiceError(s) => {
            let err = s.err();
            ApiError::service(
                err.code().unwrap_or("Unknown"),
                err.message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| innermost(&e)),
            )
        }
        _ => ApiError::other(innermost(&e)),
    }
}

/// The message of the deepest error in the chain (`Connection refused (os error 111)`).
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn is_missing_stack(e: &ApiError) -> bool {
    e.code.as_deref() == Some("ValidationError") && e.message.contains("does not exist")
}

fn time(t: Option<&aws_sdk_cloudformation::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

pub(crate) struct SdkCloudFormation {
    pub client: cfn::Client,
}

#[async_trait]
impl CloudFormationApi for SdkCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackDescription>, ApiError> {
        let out = match self.client.describe_stacks().stack_name(stack).send().await {
            Ok(out) => out,
            Err(e) => {
                let e = api_error(e);
                return if is_missing_stack(&e) {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
        };
        let Some(s) = out.stacks().first() else {
            return Ok(None);
        };
        let status = s
            .stack_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        if status == "DELETE_COMPLETE" {
            return Ok(None);
        }
        Ok(Some(StackDescription {
            id: s.stack_id().unwrap_or_default().to_owned(),
            name: s.stack_name().unwrap_or_default().to_owned(),
            status,
            reason: s.stack_status_reason().map(str::to_owned),
            outputs: s
                .outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                .collect(),
            tags: s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect::<IndexMap<_, _>>(),
        }))
    }

    async fn create_change_set(
        &self,
        req: &ChangeSetRequest,
    ) -> Result<CreatedChangeSet, ApiError> {
        let mut call = self
            .client
            .create_change_set()
            .stack_name(&req.stack_name)
            .change_set_name(&req.change_set_name)
            .change_set_type(match req.kind {
                ChangeSetKind::Create => cfn::types::ChangeSetType::Create,
                ChangeSetKind::Update => cfn::types::ChangeSetType::Update,
            })
            .capabilities(cfn::types::Capability::CapabilityIam)
            .capabilities(cfn::types::Capability::CapabilityNamedIam)
            .capabilities(cfn::types::Capability::CapabilityAutoExpand)
            .set_description(req.description.clone());
        call = match &req.template {
            TemplateSource::Body(body) => call.template_body(body),
            TemplateSource::Url(url) => call.template_url(url),
        };
        for (key, value) in &req.tags {
            call = call.tags(cfn::types::Tag::builder().key(key).value(value).build());
        }
        let out = call.send().await.map_err(api_error)?;
        Ok(CreatedChangeSet {
            id: out.id().unwrap_or_default().to_owned(),
            stack_id: out.stack_id().unwrap_or_default().to_owned(),
        })
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetDescription, ApiError> {
        let mut token: Option<String> = None;
        let mut result: Option<ChangeSetDescription> = None;
        loop {
            let out = self
                .client
                .describe_change_set()
                .change_set_name(id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(api_error)?;
            let desc = result.get_or_insert_with(|| ChangeSetDescription {
                id: out.change_set_id().unwrap_or(id).to_owned(),
                stack_id: out.stack_id().unwrap_or_default().to_owned(),
                status: out
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                reason: out.status_reason().map(str::to_owned),
                execution_status: out
                    .execution_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                changes: Vec::new(),
            });
            desc.changes.extend(
                out.changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(resource_change),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        Ok(result.expect("at least one page"))
    }

    async fn execute_change_set(&self, id: &str) -> Result<(), ApiError> {
        self.client
            .execute_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), ApiError> {
        self.client
            .delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn stack_events(
        &self,
        stack: &str,
        after: Option<&str>,
    ) -> Result<Vec<StackEvent>, ApiError> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .describe_stack_events()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(api_error)?;
            for e in out.stack_events() {
                let id = e.event_id().unwrap_or_default();
                if Some(id) == after {
                    return Ok(events);
                }
                events.push(StackEvent {
                    id: id.to_owned(),
                    logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: e.physical_resource_id().map(str::to_owned),
                    resource_type: e.resource_type().unwrap_or_default().to_owned(),
                    status: e
                        .resource_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: e.resource_status_reason().map(str::to_owned),
                    timestamp: time(e.timestamp()),
                });
            }
            match out.next_token() {
                Some(t) if after.is_some() && !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(events),
            }
        }
    }

    async fn get_template(&self, stack: &str) -> Result<String, ApiError> {
        let out = self
            .client
            .get_template()
            .stack_name(stack)
            .template_stage(cfn::types::TemplateStage::Original)
            .send()
            .await
            .map_err(api_error)?;
        Ok(out.template_body().unwrap_or_default().to_owned())
    }

    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut resources = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(api_error)?;
            resources.extend(out.stack_resource_summaries().iter().map(|r| {
                StackResource {
                    logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: r.physical_resource_id().map(str::to_owned),
                    resource_type: r.resource_type().unwrap_or_default().to_owned(),
                    status: r
                        .resource_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                }
            }));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(resources),
            }
        }
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        self.client
            .delete_stack()
            .stack_name(stack)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn detect_drift(&self, stack: &str) -> Result<String, ApiError> {
        let out = self
            .client
            .detect_stack_drift()
            .stack_name(stack)
            .send()
            .await
            .map_err(api_error)?;
        Ok(out
            .stack_drift_detection_id()
            .unwrap_or_default()
            .to_owned())
    }

    async fn drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        let out = self
            .client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(detection_id)
            .send()
            .await
            .map_err(api_error)?;
        Ok(DriftDetection {
            status: out
                .detection_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            stack_drift_status: out.stack_drift_status().map(|s| s.as_str().to_owned()),
            reason: out.detection_status_reason().map(str::to_owned),
        })
    }

    async fn resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        use cfn::types::StackResourceDriftStatus as S;
        let mut drifts = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .describe_stack_resource_drifts()
                .stack_name(stack)
                .stack_resource_drift_status_filters(S::Modified)
                .stack_resource_drift_status_filters(S::Deleted)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(api_error)?;
            drifts.extend(out.stack_resource_drifts().iter().map(|d| {
                ResourceDrift {
                    logical_id: d.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: d.physical_resource_id().map(str::to_owned),
                    resource_type: d.resource_type().unwrap_or_default().to_owned(),
                    status: d
                        .stack_resource_drift_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    differences: d
                        .property_differences()
                        .iter()
                        .map(|p| PropertyDifference {
                            path: p.property_path().unwrap_or_default().to_owned(),
                            expected: p.expected_value().unwrap_or_default().to_owned(),
                            actual: p.actual_value().unwrap_or_default().to_owned(),
                            kind: p
                                .difference_type()
                                .map(|k| k.as_str().to_owned())
                                .unwrap_or_default(),
                        })
                        .collect(),
                }
            }));
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(drifts),
            }
        }
    }
}

fn resource_change(r: &cfn::types::ResourceChange) -> ResourceChange {
    use cfn::types::{ChangeAction, Replacement as R, RequiresRecreation};
    let action = match r.action() {
        Some(ChangeAction::Add) => Action::Add,
        Some(ChangeAction::Remove) => Action::Remove,
        Some(ChangeAction::Import) => Action::Import,
        Some(ChangeAction::Dynamic) => Action::Dynamic,
        _ => Action::Modify,
    };
    let replacement = match r.replacement() {
        Some(R::True) => Replacement::Always,
        Some(R::Conditional) => Replacement::Conditional,
        _ => Replacement::Never,
    };
    let mut details: Vec<String> = Vec::new();
    for d in r.details() {
        let Some(t) = d.target() else { continue };
        let mut name = match (t.attribute(), t.name()) {
            (Some(a), Some(n)) => format!("{}.{n}", a.as_str()),
            (Some(a), None) => a.as_str().to_owned(),
            (None, Some(n)) => n.to_owned(),
            (None, None) => continue,
        };
        match t.requires_recreation() {
            Some(RequiresRecreation::Always) => name.push_str(" (replacement)"),
            Some(RequiresRecreation::Conditionally) => name.push_str(" (may replace)"),
            _ => {}
        }
        if !details.contains(&name) {
            details.push(name);
        }
    }
    ResourceChange {
        action,
        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
        physical_id: r.physical_resource_id().map(str::to_owned),
        resource_type: r.resource_type().unwrap_or_default().to_owned(),
        replacement,
        details,
    }
}

pub(crate) struct SdkS3 {
    pub client: s3::Client,
    pub region: String,
}

fn status_of<E, R>(e: &SdkError<E, R>) -> Option<u16>
where
    R: HttpStatus,
{
    match e {
        SdkError::ServiceError(s) => Some(s.raw().status_code()),
        _ => None,
    }
}

/// The HTTP status of a raw response.
trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// A quiet DeleteObjects request for these keys (and versions, where given).
fn delete_request<'a>(
    ids: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Result<s3::types::Delete, ApiError> {
    let invalid = |e: s3::error::BuildError| ApiError::other(e.to_string());
    let objects = ids
        .map(|(key, version)| {
            s3::types::ObjectIdentifier::builder()
                .key(key)
                .set_version_id(version.map(str::to_owned))
                .build()
                .map_err(invalid)
        })
        .collect::<Result<Vec<_>, _>>()?;
    s3::types::Delete::builder()
        .set_objects(Some(objects))
        .quiet(true)
        .build()
        .map_err(invalid)
}

#[async_trait]
impl ObjectStore for SdkS3 {
    async fn bucket_exists(&self, bucket: &str) -> Result<bool, ApiError> {
        match self.client.head_bucket().bucket(bucket).send().await {
            Ok(_) => Ok(true),
            Err(e) if matches!(status_of(&e), Some(404)) => Ok(false),
            Err(e) => Err(api_error(e)),
        }
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, ApiError> {
        match self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if matches!(status_of(&e), Some(404)) => Ok(false),
            Err(e) => Err(api_error(e)),
        }
    }

    async fn put_file(&self, bucket: &str, key: &str, path: &Path) -> Result<(), ApiError> {
        let body = s3::primitives::ByteStream::from_path(path)
            .await
            .map_err(|e| ApiError::other(format!("reading {}: {e}", path.display())))?;
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(body)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn put_bytes(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn empty_bucket(&self, bucket: &str) -> Result<usize, ApiError> {
        let mut deleted = 0;
        loop {
            let out = self
                .client
                .list_object_versions()
                .bucket(bucket)
                .send()
                .await
                .map_err(api_error)?;
            let mut ids = Vec::new();
            for v in out.versions() {
                ids.push((v.key().unwrap_or_default(), v.version_id()));
            }
            for m in out.delete_markers() {
                ids.push((m.key().unwrap_or_default(), m.version_id()));
            }
            if ids.is_empty() {
                return Ok(deleted);
            }
            let delete = delete_request(ids.iter().copied())?;
            self.client
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(api_error)?;
            deleted += ids.len();
        }
    }

    async fn list_objects(&self, bucket: &str) -> Result<Vec<StoredObject>, ApiError> {
        let pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(api_error)?;
        Ok(pages
            .iter()
            .flat_map(|page| page.contents())
            .map(|o| StoredObject {
                key: o.key().unwrap_or_default().to_owned(),
                etag: o.e_tag().unwrap_or_default().trim_matches('"').to_owned(),
            })
            .collect())
    }

    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        headers: &ObjectHeaders,
    ) -> Result<(), ApiError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(&headers.content_type)
            .cache_control(&headers.cache_control)
            .body(body.into())
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn delete_objects(&self, bucket: &str, keys: &[String]) -> Result<(), ApiError> {
        // DeleteObjects takes at most 1,000 keys.
        for batch in keys.chunks(1000) {
            let delete = delete_request(batch.iter().map(|key| (key.as_str(), None)))?;
            let out = self
                .client
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(api_error)?;
            if let Some(refused) = out.errors().first() {
                return Err(ApiError::service(
                    refused.code().unwrap_or("Unknown"),
                    format!(
                        "deleting {}: {}",
                        refused.key().unwrap_or_default(),
                        refused.message().unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn object_url(&self, bucket: &str, key: &str) -> String {
        // Path-style and regional: what CloudFormation reads, and what emulators such as moto
        // map back to their own buckets (the URL is only ever read by CloudFormation).
        format!("https://s3.{}.amazonaws.com/{bucket}/{key}", self.region)
    }
}

pub(crate) struct SdkCloudFront {
    pub client: aws_sdk_cloudfront::Client,
}

#[async_trait]
impl CloudFrontApi for SdkCloudFront {
    async fn create_invalidation(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String, ApiError> {
        use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
        let invalid = |e: aws_sdk_cloudfront::error::BuildError| ApiError::other(e.to_string());
        let batch = InvalidationBatch::builder()
            .paths(
                Paths::builder()
                    .quantity(paths.len() as i32)
                    .set_items(Some(paths.to_vec()))
                    .build()
                    .map_err(invalid)?,
            )
            .caller_reference(caller_reference)
            .build()
            .map_err(invalid)?;
        let out = self
            .client
            .create_invalidation()
            .distribution_id(distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(api_error)?;
        Ok(out
            .invalidation()
            .map(|i| i.id().to_owned())
            .unwrap_or_default())
    }
}

pub(crate) struct SdkEcr {
    pub client: aws_sdk_ecr::Client,
}

#[async_trait]
impl crate::images::RegistryLogins for SdkEcr {
    /// `GetAuthorizationToken`: base64 of `AWS:<password>`, valid for 12 hours, and the
    /// registry's endpoint.
    async fn login(&self) -> Result<crate::images::RegistryLogin, ApiError> {
        use base64::Engine;
        let out = self
            .client
            .get_authorization_token()
            .send()
            .await
            .map_err(api_error)?;
        let data = out
            .authorization_data()
            .first()
            .ok_or_else(|| ApiError::other("ECR returned no authorization data"))?;
        let token = data.authorization_token().unwrap_or_default();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ApiError::other("ECR's authorization token is not base64 text"))?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or_else(|| ApiError::other("ECR's authorization token is not user:password"))?;
        Ok(crate::images::RegistryLogin {
            endpoint: data.proxy_endpoint().unwrap_or_default().to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }
}

pub(crate) struct SdkHotswap {
    pub lambda: aws_sdk_lambda::Client,
    pub ecs: aws_sdk_ecs::Client,
}

#[async_trait]
impl crate::hotswap::HotswapApi for SdkHotswap {
    async fn update_function_code(
        &self,
        function: &str,
        bucket: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        use aws_sdk_lambda::types::LastUpdateStatus;
        self.lambda
            .update_function_code()
            .function_name(function)
            .s3_bucket(bucket)
            .s3_key(key)
            .send()
            .await
            .map_err(api_error)?;
        // The update goes on after the call returns; the function runs the new code (and
        // takes further updates) once it is Successful.
        loop {
            let config = self
                .lambda
                .get_function_configuration()
                .function_name(function)
                .send()
                .await
                .map_err(api_error)?;
            match config.last_update_status() {
                Some(LastUpdateStatus::InProgress) => {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await
                }
                Some(LastUpdateStatus::Failed) => {
                    return Err(ApiError::other(format!(
                        "the code update failed: {}",
                        config
                            .last_update_status_reason()
                            .unwrap_or("no reason given")
                    )))
                }
                _ => return Ok(()),
            }
        }
    }

    async fn register_revision(
        &self,
        task_definition: &str,
        images: &[(String, String)],
    ) -> Result<String, ApiError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(task_definition)
            .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(api_error)?;
        let td = out
            .task_definition()
            .ok_or_else(|| ApiError::other(format!("{task_definition} has no definition")))?;
        let mut containers = td.container_definitions().to_vec();
        for (name, image) in images {
            let container = containers
                .iter_mut()
                .find(|c| c.name() == Some(name.as_str()))
                .ok_or_else(|| {
                    ApiError::other(format!("{task_definition} has no container {name}"))
                })?;
            container.image = Some(image.clone());
        }
        let registered = self
            .ecs
            .register_task_definition()
            .family(td.family().unwrap_or_default())
            .set_task_role_arn(td.task_role_arn().map(str::to_owned))
            .set_execution_role_arn(td.execution_role_arn().map(str::to_owned))
            .set_network_mode(td.network_mode().cloned())
            .set_container_definitions(Some(containers))
            .set_volumes(Some(td.volumes().to_vec()))
            .set_placement_constraints(Some(td.placement_constraints().to_vec()))
            .set_requires_compatibilities(Some(td.requires_compatibilities().to_vec()))
            .set_cpu(td.cpu().map(str::to_owned))
            .set_memory(td.memory().map(str::to_owned))
            .set_pid_mode(td.pid_mode().cloned())
            .set_ipc_mode(td.ipc_mode().cloned())
            .set_proxy_configuration(td.proxy_configuration().cloned())
            .set_ephemeral_storage(td.ephemeral_storage().cloned())
            .set_runtime_platform(td.runtime_platform().cloned())
            .set_tags(Some(out.tags().to_vec()).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(api_error)?;
        registered
            .task_definition()
            .and_then(|t| t.task_definition_arn())
            .map(str::to_owned)
            .ok_or_else(|| ApiError::other("RegisterTaskDefinition returned no ARN"))
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        task_definition: &str,
    ) -> Result<(), ApiError> {
        self.ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .task_definition(task_definition)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }
}
