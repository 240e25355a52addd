//! Hotswap (`deploy --hotswap`, `watch`): when the only difference between the deployed
//! template and the new one is Lambda code or container images, update just those — Lambda
//! `UpdateFunctionCode`; ECS a task definition revision with the new image and `UpdateService`
//! — in seconds, without a change set. The stack then runs what its template does not say
//! (it drifted); a marker object in the asset bucket remembers that, and the next deploy that
//! does not hotswap the stack (a change set, or no change at all) puts every function and
//! service back on what the template says (it converges).

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use crate::api::ApiError;
use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// The Lambda and ECS calls of a hotswap.
#[async_trait]
pub trait HotswapApi: Send + Sync {
    /// `UpdateFunctionCode` from an S3 object, then waits until the update is done.
    async fn update_function_code(
        &self,
        function: &str,
        bucket: &str,
        key: &str,
    ) -> Result<(), ApiError>;
    /// Registers a revision of `task_definition` (an ARN) with the images of these containers
    /// (name, image) replaced; returns the revision's ARN.
    async fn register_revision(
        &self,
        task_definition: &str,
        images: &[(String, String)],
    ) -> Result<String, ApiError>;
    /// `UpdateService` onto `task_definition`.
    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        task_definition: &str,
    ) -> Result<(), ApiError>;
}

/// One resource a hotswap updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Swap {
    /// A Lambda function's new code.
    Code { bucket: String, key: String },
    /// A task definition's new images, by container name.
    Images { images: Vec<(String, String)> },
}

/// Values of the pseudo parameters a template's asset references use.
pub(crate) struct Pseudo<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

impl Pseudo<'_> {
    fn value(&self, name: &str) -> Option<String> {
        let china = self.region.starts_with("cn-");
        Some(match name {
            "AWS::AccountId" => self.account.to_owned(),
            "AWS::Region" => self.region.to_owned(),
            "AWS::URLSuffix" if china => "amazonaws.com.cn".to_owned(),
            "AWS::URLSuffix" => "amazonaws.com".to_owned(),
            "AWS::Partition" if china => "aws-cn".to_owned(),
            "AWS::Partition" => "aws".to_owned(),
            _ => return None,
        })
    }

    /// A string, or a `Fn::Sub` of pseudo parameters only; `None` for anything else.
    pub(crate) fn resolve(&self, v: &Value) -> Option<String> {
        if let Some(s) = v.as_str() {
            return Some(s.to_owned());
        }
        let sub = v
            .as_object()
            .filter(|o| o.len() == 1)?
            .get("Fn::Sub")?
            .as_str()?;
        let mut out = String::new();
        let mut rest = sub;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('}')? + at;
            out.push_str(&self.value(&rest[at + 2..end])?);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// What differs between the deployed template and the new one, as swaps by logical id; `Err`
/// says why a change set is needed instead.
pub(crate) fn changes(
    deployed: &Value,
    new: &Value,
    pseudo: &Pseudo,
) -> Result<Vec<(String, Swap)>, String> {
    let empty = serde_json::Map::new();
    let sections = |t: &Value| {
        let mut t = t.as_object().cloned().unwrap_or_default();
        t.remove("Resources");
        t
    };
    if sections(deployed) != sections(new) {
        return Err("sections other than Resources changed".into());
    }
    let resources = |t: &Value| {
        t["Resources"]
            .as_object()
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (old, new) = (resources(deployed), resources(new));
    let ids = |m: &serde_json::Map<String, Value>| {
        let mut ids: Vec<String> = m.keys().cloned().collect();
        ids.sort();
        ids
    };
    if ids(&old) != ids(&new) {
        return Err("resources were added or removed".into());
    }
    let mut swaps = Vec::new();
    for (id, after) in &new {
        let before = &old[id];
        if before == after {
            continue;
        }
        let type_ = after["Type"].as_str().unwrap_or_default();
        if before["Type"] != after["Type"] {
            return Err(format!("{id} changed its type"));
        }
        let swap = match type_ {
            "AWS::Lambda::Function" => code_swap(id, before, after, pseudo)?,
            "AWS::ECS::TaskDefinition" => image_swap(id, before, after, pseudo)?,
            other => {
                return Err(format!(
                    "{id} ({other}) changed; only Lambda code and ECS images can be hotswapped"
                ))
            }
        };
        swaps.push((id.clone(), swap));
    }
    Ok(swaps)
}

/// `resource` without `Properties.<path...>`.
fn without(resource: &Value, strip: impl Fn(&mut Value)) -> Value {
    let mut r = resource.clone();
    if let Some(props) = r.get_mut("Properties") {
        strip(props);
    }
    r
}

fn code_swap(id: &str, before: &Value, after: &Value, pseudo: &Pseudo) -> Result<Swap, String> {
    let strip = |p: &mut Value| {
        p.as_object_mut().map(|p| p.remove("Code"));
    };
    if without(before, strip) != without(after, strip) {
        return Err(format!("{id}: properties other than Code changed"));
    }
    let code = &after["Properties"]["Code"];
    match (
        pseudo.resolve(&code["S3Bucket"]),
        pseudo.resolve(&code["S3Key"]),
    ) {
        (Some(bucket), Some(key)) => Ok(Swap::Code { bucket, key }),
        _ => Err(format!(
            "{id}: its new code is not an S3 object of known name"
        )),
    }
}

fn image_swap(id: &str, before: &Value, after: &Value, pseudo: &Pseudo) -> Result<Swap, String> {
    let strip = |p: &mut Value| {
        if let Some(containers) = p["ContainerDefinitions"].as_array_mut() {
            for c in containers {
                c.as_object_mut().map(|c| c.remove("Image"));
            }
        }
    };
    if without(before, strip) != without(after, strip) {
        return Err(format!("{id}: properties other than the images changed"));
    }
    let containers = |r: &Value| r["Properties"]["ContainerDefinitions"].as_array().cloned();
    let (Some(old), Some(new)) = (containers(before), containers(after)) else {
        return Err(format!("{id}: its containers are not a list"));
    };
    let mut images = Vec::new();
    for (o, n) in old.iter().zip(&new) {
        if o["Image"] == n["Image"] {
            continue;
        }
        let name = n["Name"].as_str().map(str::to_owned);
        match (name, pseudo.resolve(&n["Image"])) {
            (Some(name), Some(image)) => images.push((name, image)),
            _ => {
                return Err(format!(
                    "{id}: a new image is not a name known before deploy"
                ))
            }
        }
    }
    Ok(Swap::Images { images })
}

/// The services of a template that run the task definition `task_definition` (logical ids):
/// (service logical id, cluster logical id or name).
fn services_of(template: &Value, task_definition: &str) -> Vec<(String, Value)> {
    template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == "AWS::ECS::Service")
        .filter(|(_, r)| r["Properties"]["TaskDefinition"]["Ref"] == task_definition)
        .map(|(id, r)| (id.clone(), r["Properties"]["Cluster"].clone()))
        .collect()
}

/// The marker object of a hotswapped stack, in the asset bucket.
pub(crate) fn marker_key(deployed_name: &str) -> String {
    format!("hotswap/{deployed_name}")
}

/// What a hotswap needs of the stack: its id, template and physical ids.
pub(crate) struct Deployed {
    pub template: Value,
    /// Logical id → physical id.
    pub physical: Vec<(String, String)>,
}

impl Deployed {
    pub(crate) async fn read(
        session: &Session,
        label: &str,
        stack_id: &str,
    ) -> Result<Deployed, DeployError> {
        let body = session
            .cfn
            .get_template(stack_id)
            .await
            .map_err(|e| session.api_error(format!("the template of stack {label}"), e))?;
        let template = stackcraft_template::parse_template(&body)
            .ok()
            .and_then(|t| serde_json::from_str(&t.to_json()).ok())
            .ok_or_else(|| DeployError::DeployedTemplateUnreadable {
                stack: label.to_owned(),
                reason: "it is not a CloudFormation template stackcraft reads".into(),
            })?;
        let physical = session
            .cfn
            .stack_resources(stack_id)
            .await
            .map_err(|e| session.api_error(format!("the resources of stack {label}"), e))?
            .into_iter()
            .filter_map(|r| Some((r.logical_id, r.physical_id?)))
            .collect();
        Ok(Deployed { template, physical })
    }

    fn physical(&self, logical: &str) -> Option<&str> {
        self.physical
            .iter()
            .find(|(l, _)| l == logical)
            .map(|(_, p)| p.as_str())
    }

    /// The cluster a service runs in: from its ARN (`service/<cluster>/<name>`), else from
    /// the template's `Cluster` (a name, or a `Ref` to the stack's cluster).
    fn cluster_of(&self, service_arn: &str, cluster: &Value) -> Option<String> {
        let parts: Vec<&str> = service_arn.rsplit(':').next()?.split('/').collect();
        if let ["service", cluster, _] = parts.as_slice() {
            return Some((*cluster).to_owned());
        }
        match cluster {
            Value::String(s) => Some(s.clone()),
            other => self.physical(other["Ref"].as_str()?).map(str::to_owned),
        }
    }
}

fn api(session: &Session) -> Result<&Arc<dyn HotswapApi>, DeployError> {
    session
        .hotswap
        .as_ref()
        .ok_or_else(|| DeployError::Hotswap {
            stack: "(every stack)".into(),
            resource: String::new(),
            message: "this session has no Lambda and ECS clients".into(),
        })
}

/// Applies the swaps to the deployed stack; returns a line per updated resource.
pub(crate) async fn apply(
    session: &Session,
    ui: &Ui,
    label: &str,
    deployed: &Deployed,
    swaps: &[(String, Swap)],
) -> Result<Vec<String>, DeployError> {
    let api = api(session)?;
    let failed = |resource: &str, e: ApiError| DeployError::Hotswap {
        stack: label.to_owned(),
        resource: resource.to_owned(),
        message: e.to_string(),
    };
    let missing = |resource: &str| DeployError::Hotswap {
        stack: label.to_owned(),
        resource: resource.to_owned(),
        message: "the stack has no such resource (deploy it in full first)".into(),
    };
    let mut done = Vec::new();
    for (id, swap) in swaps {
        match swap {
            Swap::Code { bucket, key, .. } => {
                let function = deployed.physical(id).ok_or_else(|| missing(id))?;
                ui.status(
                    label,
                    format!("{label}  hotswapping {id}: UpdateFunctionCode"),
                );
                api.update_function_code(function, bucket, key)
                    .await
                    .map_err(|e| failed(id, e))?;
                done.push(format!(
                    "{id} (AWS::Lambda::Function {function}): code s3://{bucket}/{key}"
                ));
            }
            Swap::Images { images, .. } => {
                let current = deployed.physical(id).ok_or_else(|| missing(id))?;
                ui.status(label, format!("{label}  hotswapping {id}: new revision"));
                let revision = api
                    .register_revision(current, images)
                    .await
                    .map_err(|e| failed(id, e))?;
                done.push(format!("{id} (AWS::ECS::TaskDefinition): {revision}"));
                for (service, cluster) in services_of(&deployed.template, id) {
                    let arn = deployed
                        .physical(&service)
                        .ok_or_else(|| missing(&service))?;
                    let cluster = deployed
                        .cluster_of(arn, &cluster)
                        .ok_or_else(|| missing(&service))?;
                    ui.status(
                        label,
                        format!("{label}  hotswapping {service}: UpdateService"),
                    );
                    api.update_service(&cluster, arn, &revision)
                        .await
                        .map_err(|e| failed(&service, e))?;
                    done.push(format!(
                        "{service} (AWS::ECS::Service {arn}): runs {revision}"
                    ));
                }
            }
        }
    }
    ui.clear_status(label);
    Ok(done)
}

/// Puts every function and service of a stack that was hotswapped back on what its template
/// (just deployed) says, and forgets the hotswap. Nothing when the stack was not hotswapped.
pub(crate) async fn converge(
    session: &Session,
    ui: &Ui,
    label: &str,
    deployed_name: &str,
) -> Result<(), DeployError> {
    let Some(api) = session.hotswap.clone() else {
        return Ok(());
    };
    let bucket = session.asset_bucket();
    let key = marker_key(deployed_name);
    let hotswapped = session
        .store
        .object_exists(&bucket, &key)
        .await
        .map_err(|e| session.api_error(format!("the hotswap marker of {label}"), e))?;
    if !hotswapped {
        return Ok(());
    }
    let deployed = Deployed::read(session, label, deployed_name).await?;
    let pseudo = Pseudo {
        account: &session.account,
        region: &session.region,
    };
    let failed = |resource: &str, e: ApiError| DeployError::Hotswap {
        stack: label.to_owned(),
        resource: resource.to_owned(),
        message: format!("converging: {e}"),
    };
    let resources = deployed.template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, r) in &resources {
        let Some(physical) = deployed.physical(id) else {
            continue;
        };
        match r["Type"].as_str() {
            Some("AWS::Lambda::Function") => {
                let code = &r["Properties"]["Code"];
                if let (Some(bucket), Some(key)) = (
                    pseudo.resolve(&code["S3Bucket"]),
                    pseudo.resolve(&code["S3Key"]),
                ) {
                    api.update_function_code(physical, &bucket, &key)
                        .await
                        .map_err(|e| failed(id, e))?;
                }
            }
            Some("AWS::ECS::Service") => {
                let props = &r["Properties"];
                let Some(task) = props["TaskDefinition"]["Ref"].as_str() else {
                    continue;
                };
                let (Some(revision), Some(cluster)) = (
                    deployed.physical(task),
                    deployed.cluster_of(physical, &props["Cluster"]),
                ) else {
                    continue;
                };
                api.update_service(&cluster, physical, revision)
                    .await
                    .map_err(|e| failed(id, e))?;
            }
            _ => {}
        }
    }
    session
        .store
        .delete_objects(&bucket, &[key])
        .await
        .map_err(|e| session.api_error(format!("the hotswap marker of {label}"), e))?;
    ui.line(format!(
        "{label}: converged: the hotswapped functions and services run what the template says again"
    ));
    Ok(())
}

/// Remembers that the stack was hotswapped (see [`converge`]).
pub(crate) async fn mark(
    session: &Session,
    label: &str,
    deployed_name: &str,
    done: &[String],
) -> Result<(), DeployError> {
    let body =
        serde_json::to_vec_pretty(&serde_json::json!({ "hotswapped": done })).expect("serializes");
    session
        .store
        .put_bytes(&session.asset_bucket(), &marker_key(deployed_name), body)
        .await
        .map_err(|e| session.api_error(format!("the hotswap marker of {label}"), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PSEUDO: Pseudo = Pseudo {
        account: "123456789012",
        region: "eu-central-1",
    };

    fn function(key: &str, memory: u64) -> Value {
        json!({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "MemorySize": memory,
            "Code": {"S3Bucket": {"Fn::Sub": "stackcraft-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": key}
        }}}})
    }

    #[test]
    fn only_code_changed_is_a_code_swap_with_the_object_resolved() {
        let swaps = changes(
            &function("assets/a.zip", 128),
            &function("assets/b.zip", 128),
            &PSEUDO,
        )
        .unwrap();
        assert_eq!(
            swaps,
            vec![(
                "Fn".to_owned(),
                Swap::Code {
                    bucket: "stackcraft-assets-123456789012-eu-central-1".into(),
                    key: "assets/b.zip".into()
                }
            )]
        );
        assert!(changes(&function("a", 128), &function("a", 128), &PSEUDO)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn anything_else_needs_a_change_set_and_says_why() {
        let why = changes(&function("a", 128), &function("b", 256), &PSEUDO).unwrap_err();
        assert!(
            why.contains("Fn: properties other than Code changed"),
            "{why}"
        );
        let mut more = function("a", 128);
        more["Resources"]["Queue"] = json!({"Type": "AWS::SQS::Queue"});
        let why = changes(&function("a", 128), &more, &PSEUDO).unwrap_err();
        assert!(why.contains("added or removed"), "{why}");
        let mut outputs = function("a", 128);
        outputs["Outputs"] = json!({"X": {"Value": "y"}});
        assert!(changes(&function("a", 128), &outputs, &PSEUDO).is_err());
    }

    #[test]
    fn only_images_changed_is_an_image_swap() {
        let task = |digest: &str| {
            json!({"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Cpu": "256",
                "ContainerDefinitions": [
                    {"Name": "app", "Image": {"Fn::Sub": format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/r@{digest}")}},
                    {"Name": "sidecar", "Image": "public.ecr.aws/x/y:1"}
                ]
            }}}})
        };
        let swaps = changes(&task("sha256:1"), &task("sha256:2"), &PSEUDO).unwrap();
        assert_eq!(
            swaps[0].1,
            Swap::Images {
                images: vec![(
                    "app".into(),
                    "123456789012.dkr.ecr.eu-central-1.amazonaws.com/r@sha256:2".into()
                )]
            }
        );
    }

    #[test]
    fn the_cluster_comes_from_the_service_arn() {
        let d = Deployed {
            template: json!({}),
            physical: vec![("Cluster".into(), "c-1".into())],
        };
        assert_eq!(
            d.cluster_of("arn:aws:ecs:eu-central-1:1:service/prod/api", &json!({}))
                .as_deref(),
            Some("prod")
        );
        assert_eq!(
            d.cluster_of(
                "arn:aws:ecs:eu-central-1:1:service/api",
                &json!({"Ref": "Cluster"})
            )
            .as_deref(),
            Some("c-1")
        );
    }
}
