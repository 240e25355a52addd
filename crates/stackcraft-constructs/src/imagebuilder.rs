//! `imagebuilder::ImagePipeline`: EC2 Image Builder bakes an AMI from a parent image and shell
//! steps, on a build instance in a private subnet (IMDSv2, encrypted gp3, no inbound rule),
//! tests that it boots, and writes each new image's id into an SSM parameter. A launch template
//! that names [`ImagePipeline::image_id`] launches the newest image, and
//! [`ImagePipeline::refresh_on_new_image`] rolls an Auto Scaling group onto each new image.
//!
//! Image Builder versions are immutable, so the component's and the recipe's version is derived
//! from their content: a changed step is a new version, an unchanged one keeps its version.

use serde_json::json;
use sha2::{Digest, Sha256};
use stackcraft_core::template::{sub, sub_with, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::events::rule::TargetProperty;
use stackcraft_resources::events::Rule;
use stackcraft_resources::iam as iam_l1;
use stackcraft_resources::imagebuilder::component::Platform;
use stackcraft_resources::imagebuilder::distribution_configuration::{
    AmiDistributionConfiguration, DataType, Distribution, SsmParameterConfiguration,
};
use stackcraft_resources::imagebuilder::image_pipeline::{
    ImageTestsConfiguration, PipelineExecutionStartCondition, Schedule, Status,
};
use stackcraft_resources::imagebuilder::image_recipe::{
    ComponentConfiguration, EbsInstanceBlockDeviceSpecification, InstanceBlockDeviceMapping,
    VolumeType,
};
use stackcraft_resources::imagebuilder::infrastructure_configuration::{
    HttpTokens, InstanceMetadataOptions,
};
use stackcraft_resources::imagebuilder::{self as l1, ImagePipelineRef};
use stackcraft_resources::ssm;
use stackcraft_resources::stepfunctions::state_machine::{StateMachineType, TracingConfiguration};
use stackcraft_resources::stepfunctions::StateMachine;

use crate::autoscaling::AutoScalingGroup;
use crate::ec2::{Port, SecurityGroup, SubnetKind, Vpc, AMAZON_LINUX_2023};
use crate::iam::{PolicyStatement, Role};

/// Image Builder's own Amazon Linux 2023 image, newest version: the default parent.
pub const AMAZON_LINUX_2023_PARENT: &str =
    "arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:image/amazon-linux-2023-x86/x.x.x";

/// What the pipeline bakes, where and when.
#[derive(Clone, Debug)]
pub struct ImagePipelineOptions {
    /// What the image is for, in its description (`Magento web server`).
    pub description: String,
    /// Shell commands run as root on the build instance, in order; any failure fails the build.
    pub build_steps: Vec<String>,
    /// Shell commands that check the built instance (before the image is taken).
    pub validate_steps: Vec<String>,
    /// The parent image: an Image Builder image ARN (a `${AWS::...}` pseudo parameter is
    /// substituted) or an AMI id (default: [`AMAZON_LINUX_2023_PARENT`]).
    pub parent_image: String,
    /// The build instance's type (default `t3.large`: composer and compilers need memory).
    pub instance_type: String,
    /// Root volume of the image in GiB (default 30).
    pub volume_size: u32,
    /// When to build, as an Image Builder cron expression; builds run only when the parent
    /// image or a component has a newer version (default: Sundays 03:00 UTC).
    pub schedule: String,
    /// The image id the SSM parameter holds until the first build (default: the latest
    /// Amazon Linux 2023, [`AMAZON_LINUX_2023`]): a launch template works from the start.
    pub initial_image: String,
}

impl Default for ImagePipelineOptions {
    fn default() -> Self {
        ImagePipelineOptions {
            description: "Server image".to_owned(),
            build_steps: Vec::new(),
            validate_steps: Vec::new(),
            parent_image: AMAZON_LINUX_2023_PARENT.to_owned(),
            instance_type: "t3.large".to_owned(),
            volume_size: 30,
            schedule: "cron(0 3 ? * sun *)".to_owned(),
            initial_image: AMAZON_LINUX_2023.to_owned(),
        }
    }
}

/// An image pipeline handle.
#[derive(Clone, Debug, PartialEq)]
pub struct ImagePipeline {
    pipeline: ImagePipelineRef,
    path: String,
    /// The name of the SSM parameter that holds the newest image id.
    parameter_name: String,
    /// The image ARNs of this pipeline's recipe start with this.
    image_arn_prefix: Expr<String>,
    group: SecurityGroup,
}

impl ImagePipeline {
    pub fn new(
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        options: ImagePipelineOptions,
    ) -> ImagePipeline {
        let path = stack.path_of(id);
        // Image Builder lowercases recipe names in image ARNs; names are unique per account.
        let name = format!("{}-{}", stack.deployed_name(), id).to_ascii_lowercase();
        let parameter_name = format!("/{}/{}/image-id", stack.deployed_name(), id);
        let document = component_document(&options.build_steps, &options.validate_steps);
        let version = content_version(&[&document]);
        let parent = if options.parent_image.contains("${") {
            sub(options.parent_image.clone())
        } else {
            Expr::from(options.parent_image.as_str())
        };
        let recipe_version = content_version(&[
            &document,
            &options.parent_image,
            &options.volume_size.to_string(),
        ]);

        let (group, role) = stack.scope(id, |s| {
            let group = SecurityGroup::new(s, "SecurityGroup", vpc, "Image build instances");
            let role = Role::for_service(s, "InstanceRole", "ec2.amazonaws.com");
            (group, role)
        });
        // The build instance fetches packages and reports to Image Builder and SSM over HTTPS.
        group.connections().allow_to_cidr(
            stack,
            "0.0.0.0/0",
            Port::HTTPS,
            "Image Builder, SSM and package repositories",
        );
        role.allow_session_manager(stack);
        role.add_managed_policy(stack, "EC2InstanceProfileForImageBuilder");
        stack.suppress(
            role.target(),
            "SC-IAM-004",
            "EC2InstanceProfileForImageBuilder is what Image Builder's build and test instances need (component downloads, status reports, logs), kept current by AWS as the service changes; the instances live only for one build.",
        );

        let pipeline = stack.scope(id, |s| {
            let component = s.add(
                "Component",
                l1::Component::new(name.as_str(), Platform::Linux, version.as_str())
                    .description(options.description.as_str())
                    .supported_os_versions(vec!["Amazon Linux 2023"])
                    .data(document.as_str()),
            );
            let root = InstanceBlockDeviceMapping::new().device_name("/dev/xvda").ebs(
                EbsInstanceBlockDeviceSpecification::new()
                    .encrypted(true)
                    .delete_on_termination(true)
                    .volume_type(VolumeType::Gp3)
                    .volume_size(i64::from(options.volume_size)),
            );
            let recipe = s.add(
                "Recipe",
                l1::ImageRecipe::new(name.as_str(), parent, recipe_version.as_str())
                    .description(options.description.as_str())
                    .components(vec![ComponentConfiguration::new().component_arn(component.arn())])
                    .block_device_mappings(vec![root]),
            );
            let profile = s.add(
                "InstanceProfile",
                iam_l1::InstanceProfile::new(vec![role.name()]),
            );
            let infrastructure = s.add(
                "Infrastructure",
                l1::InfrastructureConfiguration::new(profile.ref_(), name.as_str())
                    .description(format!("Build instances of {path}"))
                    .instance_types(vec![options.instance_type.as_str()])
                    .subnet_id(vpc.subnets(SubnetKind::Private)[0].ref_())
                    .security_group_ids(vec![group.id()])
                    .instance_metadata_options(
                        InstanceMetadataOptions::new()
                            .http_tokens(HttpTokens::Required)
                            .http_put_response_hop_limit(1),
                    )
                    .terminate_instance_on_failure(true),
            );
            s.add(
                "ImageParameter",
                ssm::Parameter::new(ssm::parameter::Type::String, options.initial_image.as_str())
                    .name(parameter_name.as_str())
                    .data_type(ssm::parameter::DataType::AwsEc2Image)
                    .description(format!(
                        "The newest image of {path}; Image Builder writes it"
                    )),
            );
            let distribution = s.add(
                "Distribution",
                l1::DistributionConfiguration::new(
                    vec![Distribution::new(sub("${AWS::Region}"))
                        .ami_distribution_configuration(
                            AmiDistributionConfiguration::new()
                                .name(format!("{name}-{{{{imagebuilder:buildDate}}}}"))
                                .description(options.description.as_str()),
                        )
                        .ssm_parameter_configurations(vec![SsmParameterConfiguration::new(
                            parameter_name.as_str(),
                        )
                        .data_type(DataType::AwsEc2Image)])],
                    name.as_str(),
                ),
            );
            s.add(
                "Pipeline",
                l1::ImagePipeline::new()
                    .name(name.as_str())
                    .description(options.description.as_str())
                    .image_recipe_arn(recipe.arn())
                    .infrastructure_configuration_arn(infrastructure.arn())
                    .distribution_configuration_arn(distribution.arn())
                    .image_tests_configuration(
                        ImageTestsConfiguration::new()
                            .image_tests_enabled(true)
                            .timeout_minutes(60),
                    )
                    .enhanced_image_metadata_enabled(true)
                    .schedule(
                        Schedule::new()
                            .schedule_expression(options.schedule.as_str())
                            .pipeline_execution_start_condition(
                                PipelineExecutionStartCondition::ExpressionMatchAndDependencyUpdatesAvailable,
                            ),
                    )
                    .status(Status::Enabled),
            )
        });
        let image_arn_prefix = sub(format!(
            "arn:${{AWS::Partition}}:imagebuilder:${{AWS::Region}}:${{AWS::AccountId}}:image/{name}/"
        ));
        ImagePipeline {
            pipeline,
            path,
            parameter_name,
            image_arn_prefix,
            group,
        }
    }

    pub fn target(&self) -> &Target {
        self.pipeline.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.pipeline.arn()
    }

    /// The name of the SSM parameter that holds the newest image's id.
    pub fn parameter_name(&self) -> &str {
        &self.parameter_name
    }

    /// What a launch template's `image_id` names to launch the newest image: EC2 resolves the
    /// parameter at each launch, so new instances start from the newest image.
    pub fn image_id(&self) -> String {
        format!("resolve:ssm:{}", self.parameter_name)
    }

    /// The build instances' security group (allow what a build step must reach).
    pub fn security_group(&self) -> &SecurityGroup {
        &self.group
    }

    /// Rolls `group` onto each new image: when an image of this pipeline becomes available,
    /// an EventBridge rule starts a one-step state machine that starts an instance refresh
    /// (new instances launched before old ones are terminated, 100% kept healthy). The group's
    /// launch template must name [`ImagePipeline::image_id`].
    pub fn refresh_on_new_image(&self, stack: &mut Stack, id: &str, group: &AutoScalingGroup) {
        let path = format!("{}/{id}", self.path);
        let (machine_role, rule_role) = stack.scope(&path, |s| {
            (
                Role::for_service(s, "StateMachineRole", "states.amazonaws.com"),
                Role::for_service(s, "RuleRole", "events.amazonaws.com"),
            )
        });
        machine_role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&["autoscaling:StartInstanceRefresh"])
                .resource(group.arn()),
        );
        machine_role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&["xray:PutTelemetryRecords", "xray:PutTraceSegments"])
                .resource("*"),
        );
        let definition = json!({
            "Comment": "Roll the Auto Scaling group onto the image just built",
            "StartAt": "StartInstanceRefresh",
            "States": {
                "StartInstanceRefresh": {
                    "Type": "Task",
                    "Resource": "arn:${AWS::Partition}:states:::aws-sdk:autoscaling:startInstanceRefresh",
                    "Parameters": {
                        "AutoScalingGroupName": "${Group}",
                        "Preferences": {
                            "MinHealthyPercentage": 100,
                            "MaxHealthyPercentage": 200,
                            "InstanceWarmup": 300
                        }
                    },
                    // A refresh already under way: try again later, then give up (the next
                    // image, or an operator, refreshes).
                    "Retry": [{
                        "ErrorEquals": ["AutoScaling.InstanceRefreshInProgressException"],
                        "IntervalSeconds": 600,
                        "MaxAttempts": 6,
                        "BackoffRate": 1.0
                    }],
                    "End": true
                }
            }
        });
        let machine = stack.scope(&path, |s| {
            s.add(
                "StateMachine",
                StateMachine::new(machine_role.arn())
                    .state_machine_type(StateMachineType::Standard)
                    .definition_string(sub_with(definition.to_string(), [("Group", group.name())]))
                    .tracing_configuration(TracingConfiguration::new().enabled(true)),
            )
        });
        let policy = machine_role.default_policy(stack).expect("granted above");
        stack.add_dependency(machine.target(), &policy);
        stack.suppress(
            machine.target(),
            "CKV_AWS_285",
            "One step that starts an instance refresh: the execution history keeps its input and result for 90 days and the Auto Scaling group's activity history records the refresh, so a log group would repeat both.",
        );
        rule_role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&["states:StartExecution"])
                .resource(machine.ref_()),
        );
        let mut pattern: Value = json!({
            "source": ["aws.imagebuilder"],
            "detail-type": ["EC2 Image Builder Image State Change"],
            "detail": {"state": {"status": ["AVAILABLE"]}}
        })
        .into();
        if let Value::Map(map) = &mut pattern {
            let mut prefix = indexmap::IndexMap::new();
            prefix.insert(
                "prefix".to_owned(),
                self.image_arn_prefix.clone().into_value(),
            );
            map.insert(
                "resources".to_owned(),
                Value::List(vec![Value::Map(prefix)]),
            );
        }
        stack.scope(&path, |s| {
            s.add(
                "Rule",
                Rule::new()
                    .description("A new image of the pipeline is available")
                    .event_pattern(Expr::from_value(pattern))
                    .targets(vec![
                        TargetProperty::new(machine.ref_(), "Refresh").role_arn(rule_role.arn())
                    ]),
            )
        });
    }
}

/// The component document (AWSTOE, YAML — JSON is YAML) running `build` then `validate`.
fn component_document(build: &[String], validate: &[String]) -> String {
    let phase = |name: &str, step: &str, commands: &[String]| {
        json!({
            "name": name,
            "steps": [{
                "name": step,
                "action": "ExecuteBash",
                "inputs": {"commands": commands}
            }]
        })
    };
    let mut phases = vec![phase("build", "Build", build)];
    if !validate.is_empty() {
        phases.push(phase("validate", "Validate", validate));
    }
    json!({
        "name": "build",
        "schemaVersion": 1.0,
        "phases": phases
    })
    .to_string()
}

/// `1.0.<n>`: a semantic version that changes exactly when `parts` do (Image Builder refuses
/// to change a version's content, and versions are at most 2^30 - 1 per field).
fn content_version(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let n = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0x3fff_ffff;
    format!("1.0.{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_content() {
        let a = content_version(&["echo a"]);
        assert_eq!(a, content_version(&["echo a"]));
        assert_ne!(a, content_version(&["echo b"]));
        // Parts are delimited: moving text between parts is a change.
        assert_ne!(content_version(&["ab", "c"]), content_version(&["a", "bc"]));
        let patch: u32 = a.rsplit('.').next().unwrap().parse().unwrap();
        assert!(patch < 1 << 30);
    }

    #[test]
    fn the_document_runs_the_steps_in_order() {
        let doc: serde_json::Value = serde_json::from_str(&component_document(
            &["one".into(), "two".into()],
            &["check".into()],
        ))
        .unwrap();
        assert_eq!(
            doc["phases"][0]["steps"][0]["inputs"]["commands"],
            json!(["one", "two"])
        );
        assert_eq!(doc["phases"][1]["name"], "validate");
    }
}
