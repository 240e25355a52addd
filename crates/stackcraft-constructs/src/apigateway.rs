//! `apigateway::RestApi`: a regional REST API whose methods proxy to Lambda functions, with a
//! stage that writes JSON access logs, traces with X-Ray and throttles.

use sha2::{Digest, Sha256};
use stackcraft_core::template::{sub_with, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::apigateway::method::{Integration, Type};
use stackcraft_resources::apigateway::rest_api::EndpointConfiguration;
use stackcraft_resources::apigateway::stage::{AccessLogSetting, MethodSetting};
use stackcraft_resources::apigateway::{self as l1, RestApiRef};

use crate::lambda::Function;
use crate::logs::LogGroup;

/// Steady-state requests per second the stage accepts, and the burst above it.
const THROTTLE_RATE: f64 = 100.0;
const THROTTLE_BURST: i64 = 200;

/// The fields of each access log line (API Gateway context variables).
const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime","method":"$context.httpMethod","path":"$context.path","status":"$context.status","latencyMs":"$context.responseLatency","bytes":"$context.responseLength"}"#;

/// An API handle. Methods are added with [`RestApi::get`]; [`RestApi::deploy`] then publishes
/// them to a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct RestApi {
    api: RestApiRef,
    path: String,
    name: String,
}

impl RestApi {
    pub fn new(stack: &mut Stack, id: &str) -> RestApi {
        let path = stack.path_of(id);
        let name = format!("{}-{id}", stack.deployed_name());
        let api = l1::RestApi::new()
            .name(name.as_str())
            .endpoint_configuration(EndpointConfiguration::new().types(vec!["REGIONAL"]));
        RestApi {
            api: stack.add(id, api),
            path,
            name,
        }
    }

    pub fn target(&self) -> &Target {
        self.api.target()
    }

    /// A metric of a stage of this API (`5XXError`, `4XXError`, `Count`, `Latency`).
    pub fn metric(&self, name: &str, stage: &str) -> crate::cloudwatch::Metric {
        crate::cloudwatch::Metric::new("AWS/ApiGateway", name)
            .dimension("ApiName", self.name.as_str())
            .dimension("Stage", stage)
    }

    /// The API id (`Ref`).
    pub fn id(&self) -> Expr<String> {
        self.api.ref_()
    }

    /// `GET <route>` answered by `function` (Lambda proxy). `{name}` and `{name+}` segments are
    /// path parameters.
    pub fn get(&self, stack: &mut Stack, route: &str, function: &Function) {
        let resource = self.resource(stack, route);
        let integration = Integration::new(Type::AwsProxy)
            .integration_http_method("POST")
            .uri(sub_with(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
                [("Function", function.arn())],
            ));
        let method = l1::Method::new("GET", resource, self.id())
            .authorization_type("NONE")
            .integration(integration);
        let id = format!("{}/Get{}", self.path, route_id(route));
        let method = stack.add_at(&id, method);
        stack.suppress(
            method.target(),
            "CKV_AWS_59",
            "A public, read-only endpoint by design (the counts are meant to be fetched with a plain curl); the stage throttles it.",
        );
        let permission_route = route
            .split('/')
            .map(|s| if s.starts_with('{') { "*" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let invoke_id = format!("{}InvokeGet{}", function_id(function), route_id(route));
        function.allow_invoke(
            stack,
            &invoke_id,
            "apigateway.amazonaws.com",
            Function::execute_api_arn(self.id(), "GET", &permission_route),
        );
    }

    /// The resource for `route`, creating each missing path segment under the API's root.
    fn resource(&self, stack: &mut Stack, route: &str) -> Expr<String> {
        let mut parent = self.api.root_resource_id();
        let mut so_far = String::new();
        for segment in route.split('/').filter(|s| !s.is_empty()) {
            so_far.push('/');
            so_far.push_str(segment);
            let id = format!("Resource{}", route_id(&so_far));
            let target = stack.child_or_add(self.api.target(), &id, || {
                l1::Resource::new(parent.clone(), segment, self.id())
            });
            parent = l1::ResourceRef::from(target).resource_id();
        }
        parent
    }

    /// Publishes every method added so far to the stage `stage`, and returns its base URL.
    /// The deployment's logical id carries a hash of the methods, so a changed API gets a
    /// new deployment (CloudFormation never redeploys an unchanged deployment resource).
    pub fn deploy(&self, stack: &mut Stack, stage: &str) -> Expr<String> {
        let mut hasher = Sha256::new();
        let mut methods = Vec::new();
        for (id, entry) in stack.entries() {
            if entry.path.starts_with(&format!("{}/", self.path))
                && entry.resource.type_ != "AWS::ApiGateway::Deployment"
            {
                hasher.update(id.as_bytes());
                hasher.update(
                    stackcraft_core::template::value_to_json(&Value::Map(
                        entry.resource.properties.clone(),
                    ))
                    .as_bytes(),
                );
                if entry.resource.type_ == "AWS::ApiGateway::Method" {
                    methods.push(Target::in_stack(id.clone(), stack.name().into()));
                }
            }
        }
        let digest: String = hasher
            .finalize()
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let deployment = stack.add_at(
            &format!("{}/Deployment{digest}", self.path),
            l1::Deployment::new(self.id()).description("stackcraft"),
        );
        for method in &methods {
            stack.add_dependency(deployment.target(), method);
        }

        let logs = stack.scope(&self.path.clone(), |s| LogGroup::new(s, "AccessLogs"));
        let settings = MethodSetting::new()
            .http_method("*")
            .resource_path("/*")
            .metrics_enabled(true)
            .throttling_rate_limit(THROTTLE_RATE)
            .throttling_burst_limit(THROTTLE_BURST);
        let stage_resource = l1::Stage::new(self.id())
            .stage_name(stage)
            .deployment_id(deployment.ref_())
            .tracing_enabled(true)
            .access_log_setting(
                AccessLogSetting::new()
                    .destination_arn(logs.arn())
                    .format(ACCESS_LOG_FORMAT),
            )
            .method_settings(vec![settings]);
        let stage_ref = stack.add_at(&format!("{}/Stage", self.path), stage_resource);
        stack.suppress(stage_ref.target(), "CKV_AWS_120", "Responses are live counts that change with every upload; caching would serve stale numbers, and throttling already protects the backend.");
        stack.suppress(stage_ref.target(), "CKV2_AWS_51", "A public API called by browsers and curl: clients present no certificate, and the Lambda backend is not reachable except through API Gateway.");
        stack.suppress(stage_ref.target(), "CKV2_AWS_29", "Regional API with stage throttling; a WAF web ACL is left to organisations that run one centrally.");
        sub_with(
            format!("https://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}/"),
            [("Api", self.id())],
        )
    }
}

/// `/count/{prefix+}` → `CountPrefix`.
fn route_id(route: &str) -> String {
    stackcraft_core::logical_id::from_path(&route.replace(['{', '}', '+'], ""))
}

fn function_id(function: &Function) -> String {
    function.target().logical_id.clone()
}
