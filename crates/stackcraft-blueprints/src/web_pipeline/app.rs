//! `web-app`: the items API and its web page in one environment.
//!
//! ```text
//!  browser ──► CloudFront ──► S3 (web page, config.json → API URL)
//!     │
//!     └──► ALB :443 ─ production rule ─► blue | green target group ──► api (Fargate) ──► DynamoDB
//!          ALB :9443 ─ test rule (from the VPC) ─┘
//! ```
//!
//! Deployments are ECS native blue/green: the new revision starts in the idle colour, the
//! test rule reaches it first, then the production rule moves every request; a failed health
//! check or the API's 5xx alarm during the bake time rolls back. The table is provisioned with
//! target tracking on reads and writes (or on demand), PITR and deletion protection where the
//! environment is protected. The table's name reaches the task through an SSM parameter.
//! With `pipeline` set, two roles let that pipeline (possibly of another account) deploy the
//! API and publish the page, and nothing else.

use std::path::PathBuf;

use items_contract::{env, DEFAULT_HTTP_PORT, HEALTH_PATH, PARTITION_KEY};
use stackcraft_config::ConfigError;
use stackcraft_constructs::cloudfront::{SiteOptions, StaticSite};
use stackcraft_constructs::cloudwatch::{Alarm, AlarmOptions, Stat, Threshold};
use stackcraft_constructs::dynamodb::{Capacity, Key, Table, TableOptions, Throughput};
use stackcraft_constructs::ec2::{HasConnections, Port, Vpc, VpcOptions};
use stackcraft_constructs::ecr;
use stackcraft_constructs::ecs::{
    BlueGreen, Cluster, Container, ContainerSecret, FargateService, FargateTaskOptions, Image,
    RustImage, ServiceOptions, TaskDefinition,
};
use stackcraft_constructs::elbv2::{
    Action, AlbOptions, ApplicationLoadBalancer, Condition, TargetGroup, TargetGroupOptions,
};
use stackcraft_constructs::iam::{PolicyStatement, Role};
use stackcraft_constructs::sns::Topic;
use stackcraft_constructs::ssm::{self, CrossRegionParameter};
use stackcraft_constructs::units::Memory;
use stackcraft_core::template::{pseudo, sub, sub_with, Expr};
use stackcraft_core::Stack;

use super::DomainSettings;
use crate::{Blueprint, Context};

/// The port of the load balancer's test listener (blue/green: the new colour before the switch).
const TEST_PORT: u16 = 9443;

stackcraft_config::settings! {
    #[derive(Debug)]
    struct Settings {
        /// The API's container image (default: the `items` binary of `apps/items`, built).
        image: Option<String>,
        /// The web page's directory, relative to the project's root.
        site: PathBuf = PathBuf::from("apps/items/web"),
        /// Serve the API at this domain over HTTPS (certificate validated by DNS, alias record).
        api_domain: Option<DomainSettings>,
        /// Serve the web page at this domain; its certificate comes from the `site-certificate`
        /// stack of `us-east-1` for this environment.
        site_domain: Option<DomainSettings>,
        /// The items table's capacity.
        table: TableSettings,
        /// The API service's size and scaling.
        service: ServiceSettings,
        /// The pipeline that deploys this app: its stack and environment.
        pipeline: Option<PipelineLink>,
        /// Who is mailed when an alarm fires.
        alarm_email: Option<String>,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct TableSettings {
        /// `provisioned` (autoscaled between the bounds below) or `on-demand`.
        capacity: String = "provisioned".to_owned(),
        /// Read capacity units.
        read: Bounds = Bounds { min: 2, max: 20, utilization: 70 },
        /// Write capacity units.
        write: Bounds = Bounds { min: 2, max: 10, utilization: 70 },
    }
}

stackcraft_config::settings! {
    /// Bounds of an autoscaled capacity.
    #[derive(Clone, Copy, Debug)]
    struct Bounds {
        /// Units at least.
        min: u32,
        /// Units at most.
        max: u32,
        /// The target utilization, in percent.
        utilization: u32 = 70,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct ServiceSettings {
        /// CPU units (1024 = 1 vCPU).
        cpu: u32 = 256,
        /// Memory in MiB.
        memory: u32 = 512,
        /// Tasks at least (default: one per zone where highly available, one otherwise).
        min: Option<u32>,
        /// Tasks at most.
        max: u32 = 6,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct PipelineLink {
        /// The pipeline's stack.
        stack: String,
        /// The pipeline's environment.
        environment: String,
    }
}

pub const WEB_APP: Blueprint = Blueprint {
    name: "web-app",
    summary: "Items API on Fargate (blue/green) behind an ALB, DynamoDB with autoscaling, web page on CloudFront",
    stack: "web",
    workloads: &["apps/items"],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    let project = ctx.config.project.name.clone();
    if stack.description().is_none() {
        stack.describe(
            "Items API on Fargate with blue/green deployments, DynamoDB, web page on CloudFront",
        );
    }
    let capacity = table_capacity(ctx, &cfg.table)?;
    let pipeline_account = match &cfg.pipeline {
        Some(link) => Some(pipeline_account(ctx, link)?),
        None => None,
    };

    let vpc = Vpc::with(stack, "Network", VpcOptions::default());
    let table = Table::with(
        stack,
        "Items",
        Key::string(PARTITION_KEY),
        TableOptions {
            capacity: Some(capacity),
            ..TableOptions::default()
        },
    );
    // Configuration through Parameter Store: the task reads it as it starts.
    let table_parameter = config_parameter(ctx, stack.name());
    ssm::publish(
        stack,
        "ItemsTableParameter",
        &table_parameter,
        table.name(),
        "The items API's table",
    );

    let image = match &cfg.image {
        Some(uri) => Image::Uri(uri.clone()),
        None => RustImage::new("apps/items", "items", "items")
            .port(DEFAULT_HTTP_PORT)
            .build(stack),
    };

    // The load balancer: production rule and test rule, each over both colours.
    let alb = ApplicationLoadBalancer::new(
        stack,
        "LoadBalancer",
        &vpc,
        AlbOptions {
            domain: cfg.api_domain.as_ref().map(DomainSettings::domain),
            ..AlbOptions::default()
        },
    );
    let blue = TargetGroup::new(
        stack,
        &alb,
        "BlueTargets",
        &vpc,
        TargetGroupOptions::new(DEFAULT_HTTP_PORT, HEALTH_PATH),
    );
    let green = TargetGroup::new(
        stack,
        &alb,
        "GreenTargets",
        &vpc,
        TargetGroupOptions::new(DEFAULT_HTTP_PORT, HEALTH_PATH),
    );
    let both = || Action::WeightedForward(vec![(blue.clone(), 100), (green.clone(), 0)]);
    let everything = [Condition::paths(&["/*"])];
    let production_rule = alb
        .listener()
        .add_rule(stack, "ProductionRule", 1, &everything, both());
    let test_listener = alb.add_listener(stack, "TestListener", TEST_PORT);
    let test_rule = test_listener.add_rule(stack, "TestRule", 1, &everything, both());
    alb.connections().allow_from_cidr(
        stack,
        &stack.env().cidr.clone(),
        Port::tcp(TEST_PORT),
        "Test listener: the new colour before traffic moves, reachable from inside the VPC only",
    );

    let site_options = site_options(stack, ctx, &cfg, &alb);
    let site = StaticSite::new(stack, "Site", site_options);

    // The API's tasks.
    let cluster = Cluster::new(stack, "Cluster", &vpc);
    let deployed = stack.deployed_name().to_owned();
    stack.set_property(
        cluster.target(),
        "ClusterName",
        Expr::from(deployed.as_str()),
    );
    let mut task = TaskDefinition::fargate(
        stack,
        "ApiTask",
        FargateTaskOptions {
            cpu: cfg.service.cpu,
            memory: Memory::mib(cfg.service.memory),
            ..FargateTaskOptions::default()
        },
    );
    let parameter_arn = sub(format!(
        "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{table_parameter}"
    ));
    task.add_container(
        stack,
        Container::new(super::CONTAINER_NAME, image)
            .port(DEFAULT_HTTP_PORT)
            .env(env::HTTP_HOST, "0.0.0.0")
            .env(env::HTTP_PORT, DEFAULT_HTTP_PORT.to_string())
            .env(env::LOG_FORMAT, "json")
            .env(env::CORS_ALLOW_ORIGINS, site.url())
            .secret(env::ITEMS_TABLE, ContainerSecret::parameter(parameter_arn)),
    );
    table.grant_read_write(stack, task.task_role());

    let alarms = Topic::new(stack, "Alarms");
    if let Some(email) = &cfg.alarm_email {
        alarms.subscribe_email(stack, "AlarmsEmail", email);
    }
    // Server errors of the API roll a deployment back while it bakes.
    let errors = Alarm::new(
        stack,
        "ApiErrorsAlarm",
        &alb.metric("HTTPCode_Target_5XX_Count").stat(Stat::Sum),
        AlarmOptions {
            description: "The API answered more than 10 server errors a minute, twice in a row"
                .to_owned(),
            threshold: Threshold::Above(10.0),
            periods: 2,
            notify: Some(alarms.clone()),
        },
    );
    let api = FargateService::new(
        stack,
        "Api",
        &cluster,
        &task,
        ServiceOptions {
            load_balancer: Some(blue.clone()),
            blue_green: Some(
                BlueGreen::new(&green, &production_rule)
                    .test_rule(&test_rule)
                    .rollback_on(&errors),
            ),
            ..ServiceOptions::default()
        },
    );
    stack.set_property(api.target(), "ServiceName", Expr::from(super::SERVICE_NAME));
    let scaling = api.auto_scale(stack, cfg.service.min, cfg.service.max);
    scaling.on_cpu(stack, 60);
    // Production traffic moves between the groups at each deployment.
    scaling.on_request_count_across(stack, &[&blue, &green], 500);
    alb.add_alarms(stack, &alarms);
    api.add_alarms(stack, &alarms);

    // What the pipeline reads to publish the page.
    let env_name = ctx.env.to_owned();
    let stack_name = stack.name().to_owned();
    let site_parameters = [
        ("SiteBucketParameter", "bucket", site.bucket().name()),
        (
            "SiteDistributionParameter",
            "distribution",
            site.distribution_id(),
        ),
        ("ApiUrlParameter", "api-url", alb.url()),
    ];
    for (id, what, value) in site_parameters {
        let name = super::site_parameter(&project, &env_name, &stack_name, what);
        ssm::publish(
            stack,
            id,
            &name,
            value,
            "Read by the pipeline that publishes the web page",
        );
    }
    if let Some(account) = pipeline_account {
        pipeline_roles(stack, ctx, &cfg, &account, &api, &task, &site);
    }

    stack.output("ApiUrl", alb.url());
    stack.output("SiteUrl", site.url());
    stack
        .output(
            "TestUrl",
            sub_with(format!("${{Url}}:{TEST_PORT}"), [("Url", alb.url())]),
        )
        .description = Some(
        "The test listener (from inside the VPC): the new colour during a blue/green deployment"
            .to_owned(),
    );
    site.config_from_output(stack, "apiUrl", "ApiUrl");
    Ok(())
}

/// `/stackcraft/<project>/<env>/<stack>/config/items-table`.
fn config_parameter(ctx: &Context, stack: &str) -> String {
    format!(
        "/stackcraft/{}/{}/{stack}/config/items-table",
        ctx.config.project.name, ctx.env
    )
}

fn table_capacity(ctx: &Context, table: &TableSettings) -> Result<Capacity, ConfigError> {
    let throughput = |b: Bounds| Throughput {
        min: b.min,
        max: b.max,
        utilization: b.utilization,
    };
    match table.capacity.as_str() {
        "on-demand" => Ok(Capacity::OnDemand),
        "provisioned" => Ok(Capacity::Provisioned {
            read: throughput(table.read),
            write: throughput(table.write),
        }),
        other => Err(ctx.setting_error(
            "table.capacity",
            format!("{other:?}: `provisioned` (autoscaled) or `on-demand`"),
        )),
    }
}

/// The pipeline's account: its environment's, or this one's when neither names one.
fn pipeline_account(ctx: &Context, link: &PipelineLink) -> Result<Expr<String>, ConfigError> {
    let Some(env) = ctx.config.environments.get(&link.environment) else {
        return Err(ctx.setting_error(
            "pipeline.environment",
            format!("{:?} is not an environment of this file", link.environment),
        ));
    };
    Ok(match &env.account {
        Some(account) => Expr::from(account.as_str()),
        None => pseudo::account_id(),
    })
}

/// The page's options: its domain, with the certificate of `us-east-1` read at deploy time.
fn site_options(
    stack: &mut Stack,
    ctx: &Context,
    cfg: &Settings,
    alb: &ApplicationLoadBalancer,
) -> SiteOptions {
    let certificate = match &cfg.site_domain {
        Some(_) if stack.env().region != "us-east-1" => {
            let name = super::site_certificate_parameter(&ctx.config.project.name, ctx.env);
            Some(CrossRegionParameter::new(stack, "SiteCertificate", &name, "us-east-1").value())
        }
        _ => None,
    };
    SiteOptions {
        source: Some(stack.source_dir().join(&cfg.site)),
        domain: cfg.site_domain.as_ref().map(DomainSettings::domain),
        certificate,
        connect_to: vec![alb.url()],
        ..SiteOptions::default()
    }
}

/// The two roles the pipeline acts through in this account: deploy the API's service, and
/// publish the page to this stack's bucket and distribution.
fn pipeline_roles(
    stack: &mut Stack,
    ctx: &Context,
    cfg: &Settings,
    account: &Expr<String>,
    api: &FargateService,
    task: &TaskDefinition,
    site: &StaticSite,
) {
    let Some(link) = &cfg.pipeline else { return };
    let project = ctx.config.project.name.clone();
    let deployed = stack.deployed_name().to_owned();
    let pipeline_env = ctx.config.environments.get(&link.environment);
    let pipeline_region =
        pipeline_env.map_or_else(|| stack.env().region.clone(), |e| e.region.clone());
    // The pipeline's artifact bucket, as `s3::unique_name` names it in its stack.
    let artifacts = sub_with(
        format!(
            "arn:${{AWS::Partition}}:s3:::{}-builds-${{Account}}-{pipeline_region}/*",
            super::deployed_name(&project, &link.environment, &link.stack)
        ),
        [("Account", account.clone())],
    );
    let artifact_key = sub_with(
        format!("arn:${{AWS::Partition}}:kms:{pipeline_region}:${{Account}}:key/*"),
        [("Account", account.clone())],
    );
    let read_artifacts = |role: &Role, stack: &mut Stack| {
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .sid("ReadArtifacts")
                .actions(&["s3:GetObject", "s3:GetObjectVersion"])
                .resource(artifacts.clone()),
        );
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .sid("DecryptArtifacts")
                .actions(&["kms:Decrypt", "kms:DescribeKey"])
                .resource(artifact_key.clone())
                .condition(
                    "StringEquals",
                    "kms:ViaService",
                    format!("s3.{pipeline_region}.amazonaws.com"),
                ),
        );
    };

    // Only roles of the pipeline's stack may act through these.
    let pipeline_roles = sub_with(
        format!(
            "arn:${{AWS::Partition}}:iam::${{Account}}:role/{}-*",
            super::deployed_name(&project, &link.environment, &link.stack)
        ),
        [("Account", account.clone())],
    );
    let deploy = Role::for_account(
        stack,
        "PipelineDeployRole",
        account.clone(),
        pipeline_roles.clone(),
        &super::deploy_role_name(&deployed),
    );
    api.grant_update(stack, &deploy);
    let revisions = deploy.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("RegisterRevisions")
            .actions(&["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"])
            .resource("*"),
    );
    stack.suppress(
        &revisions,
        "SC-IAM-002",
        "The ECS deploy action registers a new revision (RegisterTaskDefinition takes no resource) of a task definition family whose name CloudFormation generates, after describing the current one; what the role may change is bounded by UpdateService on this one service and PassRole of this task's two roles.",
    );
    deploy.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("PassTaskRoles")
            .actions(&["iam:PassRole"])
            .resources([task.task_role().arn(), task.execution_role().arn()])
            .condition(
                "StringEquals",
                "iam:PassedToService",
                "ecs-tasks.amazonaws.com",
            ),
    );
    read_artifacts(&deploy, stack);
    // The tasks pull what the pipeline pushed to its repository.
    let repository = sub_with(
        format!(
            "arn:${{AWS::Partition}}:ecr:{pipeline_region}:${{Account}}:repository/{}",
            super::image_repository_name(&project)
        ),
        [("Account", account.clone())],
    );
    ecr::grant_pull_arn(stack, task.execution_role(), repository);

    let publish = Role::for_account(
        stack,
        "SitePublishRole",
        account.clone(),
        pipeline_roles,
        &super::publish_role_name(&deployed),
    );
    let bucket = site.bucket();
    publish.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("ListSite")
            .actions(&["s3:ListBucket"])
            .resource(bucket.arn()),
    );
    publish.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("WriteSite")
            .actions(&["s3:DeleteObject", "s3:PutObject"])
            .resource(bucket.objects_arn("*")),
    );
    publish.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("Invalidate")
            .actions(&["cloudfront:CreateInvalidation"])
            .resource(sub_with(
                "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}",
                [("Id", site.distribution_id())],
            )),
    );
    let parameters = sub(format!(
        "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{}",
        super::site_parameter(&project, ctx.env, stack.name(), "*")
    ));
    publish.add_to_policy(
        stack,
        PolicyStatement::allow()
            .sid("ReadSiteParameters")
            .actions(&["ssm:GetParameter"])
            .resource(parameters),
    );
    read_artifacts(&publish, stack);
}
