//! SSM Parameter Store: plain parameters a stack writes for others to read by name, and
//! [`CrossRegionParameter`], which reads one written in another region (a certificate of
//! `us-east-1` for CloudFront, read by a stack of `eu-central-1`) at deploy time.
//!
//! CloudFormation resolves `AWS::SSM::Parameter::Value` parameters and `{{resolve:ssm:..}}`
//! in the stack's own region only, so the cross-region read is a small custom resource: a
//! function (inline, no asset) that may read exactly that one parameter, run on every deploy
//! of the consumer, so a renewed or replaced certificate flows through without copying.

use stackcraft_core::template::{get_att, sub, Expr, Map, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::lambda as lambda_l1;
use stackcraft_resources::lambda::function::{Code, Runtime};
use stackcraft_resources::ssm as l1;
use stackcraft_resources::ssm::parameter::Type as ParameterType;

use crate::iam::{PolicyStatement, Role};

/// Writes `value` to the parameter `name` (a `String` parameter, no secret: secrets belong
/// in Secrets Manager).
pub fn publish(
    stack: &mut Stack,
    id: &str,
    name: &str,
    value: Expr<String>,
    description: &str,
) -> Target {
    let parameter = l1::Parameter::new(ParameterType::String, value)
        .name(name)
        .description(description);
    stack.add(id, parameter).target().clone()
}

/// The function behind every [`CrossRegionParameter`]: reads the parameter named in the
/// request from the region named there; a delete has nothing to undo.
const READER: &str = r#"import json
import boto3
import cfnresponse


def handler(event, context):
    props = event["ResourceProperties"]
    name = props["Name"]
    try:
        if event["RequestType"] == "Delete":
            cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, name)
            return
        ssm = boto3.client("ssm", region_name=props["Region"])
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Value": value}, name)
    except Exception as error:  # the stack shows why, instead of waiting an hour
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, name, reason=str(error)[:250])
"#;

/// The value of the parameter `name` of another region, read at deploy time.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossRegionParameter {
    resource: Target,
}

impl CrossRegionParameter {
    pub fn new(stack: &mut Stack, id: &str, name: &str, region: &str) -> CrossRegionParameter {
        let resource = stack.scope(id, |s| {
            let role = Role::for_service(s, "ReaderRole", "lambda.amazonaws.com");
            let parameter_arn = sub(format!(
                "arn:${{AWS::Partition}}:ssm:{region}:${{AWS::AccountId}}:parameter/{}",
                name.trim_start_matches('/')
            ));
            role.add_to_policy(
                s,
                PolicyStatement::allow()
                    .actions(&["ssm:GetParameter"])
                    .resource(parameter_arn),
            );
            let logs = role.add_to_policy(
                s,
                PolicyStatement::allow()
                    .actions(&["logs:CreateLogStream", "logs:PutLogEvents"])
                    .resource(sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*",
                    )),
            );
            let function = lambda_l1::Function::new(Code::new().zip_file(READER), role.arn())
                .handler("index.handler")
                .runtime(Runtime::Python312)
                .timeout(30)
                .description(format!("Reads SSM parameter {name} of {region} for CloudFormation"));
            let function = s.add("Reader", function);
            s.add_dependency(function.target(), &logs);
            for (rule, reason) in [
                ("CKV_AWS_116", "Invoked by CloudFormation only, synchronously, once per deploy: CloudFormation reports a failure itself, so there is nothing for a dead-letter queue to keep."),
                ("CKV_AWS_117", "Calls only the SSM API of another region; a VPC would need a NAT gateway or endpoint to reach it and protect nothing."),
                ("CKV_AWS_115", "Invoked once per deploy of its stack; a concurrency reservation would take capacity from the account's other functions for nothing."),
                ("CKV_AWS_173", "The function has no environment variables at all, so there is nothing for a KMS key to encrypt."),
            ] {
                s.suppress(function.target(), rule, reason);
            }
            let mut properties = Map::new();
            properties.insert("ServiceToken".into(), function.arn().into_value());
            properties.insert("Name".into(), Value::from(name));
            properties.insert("Region".into(), Value::from(region));
            s.add_raw(
                "Resource",
                "Custom::CrossRegionParameter",
                properties,
                stackcraft_core::template::Tagging::None,
            )
        });
        CrossRegionParameter { resource }
    }

    pub fn target(&self) -> &Target {
        &self.resource
    }

    /// The parameter's value (`Fn::GetAtt Value`).
    pub fn value(&self) -> Expr<String> {
        get_att(&self.resource, "Value")
    }
}
