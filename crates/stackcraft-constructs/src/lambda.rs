//! `lambda::Function`: a Rust binary on `provided.al2023`, with its own role, its own log
//! group (retention from the environment, written with exact permissions), X-Ray tracing, and
//! a dead-letter queue for events that keep failing.

use std::time::Duration;

use stackcraft_core::template::{sub, sub_with, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::lambda::function::{
    Architecture, Code, DeadLetterConfig, LogFormat, LoggingConfig, Mode, Runtime, TracingConfig,
};
use stackcraft_resources::lambda::{self as l1, FunctionRef};
use stackcraft_resources::sns::Subscription;
use stackcraft_resources::sqs::Queue;

use crate::cloudwatch::Metric;
use crate::iam::{Grantee, PolicyStatement, Role};
use crate::logs::LogGroup;
use crate::sns::Topic;
use crate::units::{whole_seconds, Memory};

/// Which Rust binary a function runs: `bin` of the cargo package in `package_dir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RustCode<'a> {
    pub package_dir: &'a str,
    pub package: &'a str,
    pub bin: &'a str,
}

/// Sizing and behaviour; the defaults suit a small event handler.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionOptions {
    /// Memory (and, in proportion, CPU) of one execution (default 256 MiB).
    pub memory: Memory,
    /// How long one invocation may run (default 30 s).
    pub timeout: Duration,
    /// Caps concurrent executions (and reserves them); `None` shares the account's pool.
    pub reserved_concurrency: Option<u32>,
    /// A queue for asynchronous events that fail every retry. Off for functions that are
    /// only invoked synchronously (API handlers): their errors go back to the caller.
    pub dead_letter_queue: bool,
    /// Plain configuration only: names, ARNs, flags. Secrets belong in Secrets Manager.
    pub environment: Vec<(String, Expr<String>)>,
}

impl Default for FunctionOptions {
    fn default() -> Self {
        FunctionOptions {
            memory: Memory::mib(256),
            timeout: Duration::from_secs(30),
            reserved_concurrency: None,
            dead_letter_queue: true,
            environment: Vec::new(),
        }
    }
}

/// A function handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    function: FunctionRef,
    role: Role,
}

/// Environment variable names that suggest a secret; refused, since Lambda environments are
/// readable by anyone who can read the function's configuration.
const SECRET_WORDS: &[&str] = &["PASSWORD", "SECRET", "TOKEN", "PRIVATE_KEY", "CREDENTIAL"];

impl Function {
    /// A function running a Rust binary of this project, built and zipped at synth.
    pub fn rust(
        stack: &mut Stack,
        id: &str,
        code: RustCode<'_>,
        options: FunctionOptions,
    ) -> Function {
        let path = stack.path_of(id);
        let spec = stackcraft_assets::RustLambda {
            source_dir: stack.source_dir(),
            package_dir: code.package_dir,
            package: code.package,
            bin: code.bin,
        };
        let (bucket_key, asset) = match stackcraft_assets::rust_lambda(&spec) {
            Ok(asset) => (asset.object_key.clone(), Some(asset)),
            Err(e) => {
                stack.error(&path, format!("the code asset could not be built: {e}"));
                (String::new(), None)
            }
        };
        if let Some(asset) = asset {
            stack.add_asset(asset);
        }
        for (name, _) in &options.environment {
            if SECRET_WORDS
                .iter()
                .any(|w| name.to_ascii_uppercase().contains(w))
            {
                stack.error(&path, format!("environment variable {name} looks like a secret: read it from Secrets Manager at run time instead"));
            }
        }

        let (role, logs, queue) = stack.scope(id, |s| {
            let role = Role::for_service(s, "ServiceRole", "lambda.amazonaws.com");
            let logs = LogGroup::new(s, "Logs");
            let queue = options.dead_letter_queue.then(|| {
                let retention = 14 * 24 * 3600;
                s.add(
                    "DeadLetters",
                    Queue::new()
                        .kms_master_key_id("alias/aws/sqs")
                        .message_retention_period(retention),
                )
            });
            (role, logs, queue)
        });
        logs.grant_write(stack, &role);
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&["xray:PutTelemetryRecords", "xray:PutTraceSegments"])
                .resource("*"),
        );

        let code = Code::new()
            .s3_bucket(sub(stackcraft_core::ASSET_BUCKET))
            .s3_key(bucket_key);
        let variables: indexmap::IndexMap<String, Value> = options
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into_value()))
            .collect();
        let mut function = l1::Function::new(code, role.arn())
            .runtime(Runtime::ProvidedAl2023)
            .handler("bootstrap")
            .architectures(vec![Architecture::X8664])
            .memory_size(options.memory.as_mib())
            .timeout(whole_seconds(options.timeout))
            .logging_config(
                LoggingConfig::new()
                    .log_group(logs.name())
                    .log_format(LogFormat::Json),
            )
            .tracing_config(TracingConfig::new().mode(Mode::Active));
        if !variables.is_empty() {
            let env =
                l1::function::Environment::new().variables(Expr::from_value(Value::Map(variables)));
            function = function.environment(env);
        }
        if let Some(limit) = options.reserved_concurrency {
            function = function.reserved_concurrent_executions(limit);
        }
        if let Some(queue) = &queue {
            function = function.dead_letter_config(DeadLetterConfig::new().target_arn(queue.arn()));
            role.add_to_policy(
                stack,
                PolicyStatement::allow()
                    .actions(&["sqs:SendMessage"])
                    .resource(queue.arn()),
            );
        }
        let function = stack.add(id, function);
        // The function must not start before its role can write its logs.
        let policy = role.default_policy(stack).expect("grants made above");
        stack.add_dependency(function.target(), &policy);

        stack.suppress(function.target(), "CKV_AWS_117", "The function calls only AWS APIs (over TLS, with IAM auth); it reaches nothing inside a VPC, and a VPC would add NAT cost without narrowing what it can reach.");
        stack.suppress(function.target(), "CKV_AWS_173", "The environment holds only resource names (table, bucket); no secret is ever put there (synth refuses secret-like names), so a customer managed key would protect nothing.");
        if queue.is_none() {
            stack.suppress(function.target(), "CKV_AWS_116", "Invoked synchronously only (API Gateway proxy): a failed invocation returns an error to the caller, so a dead-letter queue would never receive anything.");
        }
        if options.reserved_concurrency.is_none() {
            stack.suppress(function.target(), "CKV_AWS_115", "No reserved concurrency is configured for this function: reserving it would take capacity from the account's shared pool that other functions draw on; set FunctionOptions::reserved_concurrency to cap and reserve it.");
        }
        Function { function, role }
    }

    pub fn target(&self) -> &Target {
        self.function.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.function.arn()
    }

    /// The function name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.function.ref_()
    }

    pub fn role(&self) -> &Role {
        &self.role
    }

    /// A metric of this function (`Errors`, `Throttles`, `Duration`, `Invocations`).
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/Lambda", name).dimension("FunctionName", self.name())
    }

    /// Lets `principal` (a service) invoke the function, from `source_arn` only.
    pub fn allow_invoke(
        &self,
        stack: &mut Stack,
        id: &str,
        principal: &str,
        source_arn: Expr<String>,
    ) {
        let permission = l1::Permission::new("lambda:InvokeFunction", self.arn(), principal)
            .source_arn(source_arn);
        stack.add(id, permission);
    }

    /// Runs the function for every message of `topic`.
    pub fn subscribe(&self, stack: &mut Stack, topic: &Topic) {
        self.subscribe_with_ids(stack, topic, "Subscription", "InvokeFromTopic");
    }

    /// Runs the function for every message of one more topic: `name` (e.g. `Videos`) tells its
    /// subscription and invoke permission apart from those of the function's other topics.
    pub fn subscribe_also(&self, stack: &mut Stack, topic: &Topic, name: &str) {
        let subscription = format!("{name}Subscription");
        let permission = format!("InvokeFrom{name}");
        self.subscribe_with_ids(stack, topic, &subscription, &permission);
    }

    fn subscribe_with_ids(
        &self,
        stack: &mut Stack,
        topic: &Topic,
        subscription: &str,
        permission: &str,
    ) {
        let function = self.function.logical_id();
        let path = stack.path_of(&format!("{function}{subscription}"));
        stack.add_at(
            &path,
            Subscription::new("lambda", topic.arn()).endpoint(self.arn()),
        );
        let permission_id = format!("{function}{permission}");
        self.allow_invoke(stack, &permission_id, "sns.amazonaws.com", topic.arn());
    }

    /// The ARN an execute-api `source_arn` condition uses for `method path` of an API.
    pub fn execute_api_arn(api_id: Expr<String>, method: &str, path: &str) -> Expr<String> {
        sub_with(format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*/{method}{path}"), [("Api", api_id)])
    }
}

impl Grantee for Function {
    fn grant_role(&self) -> &Role {
        &self.role
    }
}
