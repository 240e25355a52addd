//! `magento-webshop` (seed 000): Magento on EC2 web servers behind a load balancer and
//! CloudFront, RDS MySQL, a media bucket whose uploads a Rust Lambda moderates with Amazon
//! Rekognition, and a bastion.
//!
//! ```text
//!  shoppers ──► CloudFront (HTTPS) ──► ALB :80 ──► web servers :80 (nginx + PHP-FPM, Magento;
//!                                                   Auto Scaling group in the private subnets)
//!                                                        ├──► RDS MySQL :3306 (isolated, TLS)
//!                                                        └──► media bucket (S3, remote storage)
//!  media bucket ──► object created ──► SNS ──► moderation Lambda ──► Rekognition, object tags
//!                                    Rekognition Video ──► SNS ──┘
//!  operators ──► bastion (SSH from named ranges, else Session Manager) ──► web :22, MySQL :3306
//! ```
//!
//! The VPC spans two zones (the seed's; `zones = 3` for more), each with a public, a private
//! and an isolated subnet, NAT gateways in the public ones. Everything that differs between
//! environments (NAT gateways per zone, Multi-AZ, the database's size, protection, retention,
//! versioning, server counts) comes from the constructs' defaults for the environment.
//!
//! The web servers install Magento at first boot, or — with `image_builder.enabled`, the seed's
//! own fix for application files that differ between servers — launch an image that EC2 Image
//! Builder baked from the same steps, and are refreshed onto each new image.

mod boot;
mod settings;

use std::time::Duration;

use moderation::contract;
use stackcraft_config::ConfigError;
use stackcraft_constructs::autoscaling::{AutoScalingGroup, AutoScalingGroupOptions, HealthCheck};
use stackcraft_constructs::cloudfront::{
    Behavior, Distribution, DistributionOptions, Origin, PathBehavior,
};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::{
    BastionHost, BastionOptions, HasConnections, LaunchTemplate, LaunchTemplateOptions, Port,
    SecurityGroup, Vpc, VpcOptions, AMAZON_LINUX_2023,
};
use stackcraft_constructs::elbv2::{
    AlbOptions, ApplicationLoadBalancer, Ingress, TargetGroup, TargetGroupOptions, Targets,
};
use stackcraft_constructs::iam::{PolicyStatement, Role};
use stackcraft_constructs::imagebuilder::{ImagePipeline, ImagePipelineOptions};
use stackcraft_constructs::lambda::{Function, FunctionOptions, RustCode};
use stackcraft_constructs::rds::{Database, DatabaseOptions};
use stackcraft_constructs::s3::{self, Bucket, BucketOptions};
use stackcraft_constructs::secretsmanager::{Generated, Secret, EXCLUDE_CHARACTERS};
use stackcraft_constructs::sns::Topic;
use stackcraft_core::template::{join, pseudo, Expr};
use stackcraft_core::Stack;

use self::boot::{Boot, Install};
use self::settings::Settings;
use crate::{Blueprint, Context};

pub const MAGENTO_WEBSHOP: Blueprint = Blueprint {
    name: "magento-webshop",
    summary: "Magento on EC2 (Auto Scaling, ALB, CloudFront), RDS MySQL, S3 media moderated by a Rust Lambda with Rekognition, bastion",
    stack: "shop",
    workloads: &["apps/moderation"],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

/// The database Magento uses, and its administrator.
const DATABASE: &str = "magento";
const DB_ADMIN: &str = "magento_admin";
/// The moderation workload.
const MODERATION: RustCode<'static> = RustCode {
    package_dir: "apps/moderation",
    package: "moderation",
    bin: "moderate",
};
/// What the media bucket tells the moderation function about.
const UPLOAD_EVENTS: &[&str] = &["s3:ObjectCreated:*"];

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    cfg.validate(ctx)?;
    if stack.description().is_none() {
        stack.describe("Magento webshop: EC2 web servers behind an ALB and CloudFront, RDS MySQL, S3 media moderated by Rekognition, bastion");
    }

    // Network: public, private and isolated subnets in every zone, NAT in the public ones.
    let vpc = Vpc::with(
        stack,
        "Network",
        VpcOptions {
            az_count: Some(cfg.zones),
            nat_gateways: cfg.nat_gateways,
            ..VpcOptions::default()
        },
    );

    // Operators: the bastion, which alone may SSH into the web servers and reach MySQL.
    let bastion = BastionHost::new(
        stack,
        "Bastion",
        &vpc,
        BastionOptions {
            ssh_from: cfg.ssh_from.clone(),
            ..BastionOptions::default()
        },
    );

    // Data: MySQL in the isolated subnets, the media bucket, Magento's own secrets.
    let db = Database::mysql(
        stack,
        "Database",
        &vpc,
        DatabaseOptions {
            instance_class: cfg.database.instance_class.clone(),
            backup_days: cfg.database.backup_days,
            database_name: DATABASE.to_owned(),
            username: DB_ADMIN.to_owned(),
            ..DatabaseOptions::default()
        },
    );
    let media_name = s3::unique_name(stack, "media");
    let media = Bucket::with(
        stack,
        "Media",
        BucketOptions {
            name: Some(media_name),
            ..BucketOptions::default()
        },
    );
    let (crypt_key, admin) = magento_secrets(stack);

    // The web tier: servers in the private subnets behind the load balancer, which only
    // CloudFront may reach.
    let alb = ApplicationLoadBalancer::new(
        stack,
        "LoadBalancer",
        &vpc,
        AlbOptions {
            ingress: Ingress::cloudfront(),
            ..AlbOptions::default()
        },
    );
    let targets = TargetGroup::new(
        stack,
        &alb,
        "WebServers",
        &vpc,
        TargetGroupOptions {
            targets: Targets::Instance,
            ..TargetGroupOptions::new(80, &cfg.web.health_path)
        },
    );
    alb.listener().forward_by_default(stack, &targets);
    let storefront = storefront(stack, &cfg, &alb);
    let shop_url = storefront.url();

    let (group, role) = stack.scope("WebServers", |s| {
        let group = SecurityGroup::new(s, "SecurityGroup", &vpc, "Magento web servers");
        let role = Role::for_service(s, "Role", "ec2.amazonaws.com");
        (group, role)
    });
    role.allow_session_manager(stack);
    group.connections().allow_to_cidr(
        stack,
        "0.0.0.0/0",
        Port::HTTPS,
        "AWS APIs, package repositories and Composer",
    );
    // Exactly these edges: the load balancer reaches the servers, the servers and the bastion
    // reach MySQL, the bastion reaches the servers' SSH.
    group.connections().allow_from(stack, &alb, Port::HTTP);
    group.connections().allow_from(stack, &bastion, Port::SSH);
    db.connections().allow_from(stack, &group, Port::MYSQL);
    db.connections().allow_from(stack, &bastion, Port::MYSQL);

    // The servers read their secrets and use the media bucket, nothing else.
    db.secret().grant_read(stack, &role);
    crypt_key.grant_read(stack, &role);
    admin.grant_read(stack, &role);
    media.grant_read(stack, &role, "*");
    media.grant_write(stack, &role, "*");
    media.grant_delete(stack, &role, "*");

    let install = Install {
        magento_version: &cfg.magento_version,
        php_version: &cfg.php_version,
        composer_repository: &cfg.composer_repository,
    };
    let image = cfg.image_builder.enabled.then(|| {
        ImagePipeline::new(
            stack,
            "WebImage",
            &vpc,
            ImagePipelineOptions {
                description: format!("Magento {} web server", cfg.magento_version),
                build_steps: boot::install_steps(&install),
                validate_steps: boot::validate_steps(),
                instance_type: cfg.image_builder.instance_type.clone(),
                volume_size: cfg.web.volume_gib,
                schedule: cfg.image_builder.schedule.clone(),
                ..ImagePipelineOptions::default()
            },
        )
    });
    let user_data = boot::user_data(
        &install,
        &Boot {
            region: pseudo::region(),
            db_host: db.endpoint(),
            db_name: DATABASE.to_owned(),
            db_secret_arn: db.secret().arn(),
            crypt_key_arn: crypt_key.arn(),
            admin_secret_arn: admin.arn(),
            admin_path: cfg.admin_path.clone(),
            admin_email: cfg.admin_email.clone(),
            media_bucket: media.name(),
            base_url: join("", vec![shop_url.clone(), Expr::from("/")]),
        },
    );
    let template = stack.scope("WebServers", |s| {
        LaunchTemplate::new(
            s,
            "LaunchTemplate",
            &role,
            &[&group],
            LaunchTemplateOptions {
                instance_type: cfg.web.instance_type.clone(),
                image_id: image
                    .as_ref()
                    .map_or_else(|| AMAZON_LINUX_2023.to_owned(), ImagePipeline::image_id),
                volume_size: cfg.web.volume_gib,
                user_data: Some(user_data),
            },
        )
    });
    stack.suppress(
        template.target(),
        "SC-SEC-002",
        "The boot script holds no secret: it fetches the database, encryption-key and admin secrets from Secrets Manager by ARN at boot (with the instance role) into shell variables and Magento's env.php; the rule reads the variable names (DB_PASSWORD=$(aws secretsmanager ...)) as assignments.",
    );
    let servers = AutoScalingGroup::new(
        stack,
        "WebServers",
        &vpc,
        &template,
        AutoScalingGroupOptions {
            min: cfg.web.min,
            max: cfg.web.max,
            health_check: HealthCheck::Elb,
            // The first boot installs Magento (composer, compilation, static files).
            health_check_grace: Duration::from_secs(45 * 60),
            target_groups: vec![targets.clone()],
            ..AutoScalingGroupOptions::default()
        },
    );
    servers.scale_on_cpu(stack, cfg.web.cpu_target);
    servers.scale_on_request_count(stack, &targets, cfg.web.requests_per_server);
    if let Some(image) = &image {
        image.refresh_on_new_image(stack, "Refresh", &servers);
    }

    // Moderation of every upload.
    moderate(stack, &cfg, &media);

    // Alarms.
    let alarms = Topic::new(stack, "Alarms");
    if let Some(email) = &cfg.alarm_email {
        alarms.subscribe_email(stack, "AlarmsEmail", email);
    }
    alb.add_alarms(stack, &alarms);
    targets.add_alarms(stack, &alarms);
    db.add_alarms(stack, &alarms);

    stack.output("ShopUrl", shop_url).description = Some("The shop (CloudFront)".to_owned());
    stack
        .output("LoadBalancerDnsName", alb.dns_name())
        .description = Some("The load balancer (CloudFront's origin)".to_owned());
    stack.output("BastionId", bastion.instance_id()).description =
        Some(if cfg.ssh_from.is_empty() {
            "aws ssm start-session --target <BastionId>".to_owned()
        } else {
            "SSH from the configured ranges, or aws ssm start-session --target <BastionId>"
                .to_owned()
        });
    stack.output("MediaBucket", media.name()).description =
        Some("Magento's media (remote storage); uploads are moderated".to_owned());
    if let Some(image) = &image {
        stack
            .output("WebImageParameter", image.parameter_name().to_owned())
            .description = Some("SSM parameter holding the web servers' newest image".to_owned());
    }
    Ok(())
}

/// CloudFront in front of the load balancer: Magento's static files and media cached at the
/// edge; checkout, customer account and admin pages never cached and given every cookie (the
/// session, the cart), as is everything else Magento renders per shopper.
fn storefront(stack: &mut Stack, cfg: &Settings, alb: &ApplicationLoadBalancer) -> Distribution {
    let origin = Origin::load_balancer(alb);
    let cached = |pattern: &str| PathBehavior::new(pattern, Behavior::new(origin.clone()));
    let dynamic = |pattern: &str| PathBehavior::new(pattern, Behavior::api(origin.clone()));
    let admin = format!("/{}", cfg.admin_path);
    let behaviors = vec![
        cached("/static/*"),
        cached("/media/*"),
        dynamic("/checkout*"),
        dynamic("/customer*"),
        dynamic(&format!("{admin}*")),
    ];
    let distribution = Distribution::new(
        stack,
        "Storefront",
        Behavior::api(origin.clone()),
        DistributionOptions {
            behaviors,
            domain: cfg.domain.as_ref().map(|d| Domain {
                name: d.name.clone(),
                hosted_zone_id: d.hosted_zone_id.clone(),
            }),
            certificate_arn: cfg.domain.as_ref().and_then(|d| d.certificate_arn.clone()),
            web_acl_id: cfg.web_acl_arn.clone(),
            comment: Some("Magento storefront".to_owned()),
            ..DistributionOptions::default()
        },
    );
    // The hop from CloudFront to the load balancer: the listener admits CloudFront's
    // origin-facing servers only, and has no certificate to speak HTTPS with.
    let origin_reason = "The load balancer admits only CloudFront's origin-facing servers (the managed prefix list) and has no certificate of its own, so CloudFront reaches it over HTTP inside AWS's network; shoppers are served HTTPS (TLS 1.2+) by CloudFront, which alone answers them.";
    let listener = alb.listener();
    for rule in ["SC-ELB-002", "CKV_AWS_2", "CKV_AWS_103"] {
        stack.suppress(listener.target(), rule, origin_reason);
    }
    stack.suppress(distribution.target(), "SC-CF-005", origin_reason);
    if cfg.web_acl_arn.is_none() {
        stack.suppress(
            distribution.target(),
            "CKV_AWS_68",
            "No web ACL is configured (web_acl_arn): a CloudFront web ACL must live in us-east-1 and bills per request, so it is the operator's choice; checkout and admin are not cached, Magento enforces its own form keys and admin lockouts.",
        );
    }
    distribution
}

/// Magento's encryption key (the same on every server, or one server cannot read what another
/// encrypted) and its admin user, generated in Secrets Manager and read by the servers at boot.
fn magento_secrets(stack: &mut Stack) -> (Secret, Secret) {
    let key = Secret::generated(
        stack,
        "CryptKey",
        Generated {
            // Magento's keys are 32 characters; letters and digits survive every config file.
            exclude_characters: format!("{EXCLUDE_CHARACTERS},-._=^"),
            ..Generated::password(
                "Magento's encryption key (crypt/key of app/etc/env.php), shared by every web server",
                32,
            )
        },
    );
    stack.suppress(
        key.target(),
        "SC-SEC-004",
        "Magento's encryption key encrypts stored payment and integration data: a rotated key would make that data unreadable, so it changes only through Magento's own key change, never by Secrets Manager.",
    );
    let admin = Secret::generated(
        stack,
        "AdminCredentials",
        Generated::credentials(
            "Magento's admin user (created by the first server)",
            "shopadmin",
        ),
    );
    stack.suppress(
        admin.target(),
        "SC-SEC-004",
        "Magento keeps its admin password in its own database, set once by setup:install: a rotation in Secrets Manager would not reach Magento. Change it in the admin panel.",
    );
    (key, admin)
}

/// The moderation function on the bucket's uploads (and Rekognition Video's completions),
/// with exactly the permissions its contract lists.
fn moderate(stack: &mut Stack, cfg: &Settings, media: &Bucket) {
    let uploads = Topic::new(stack, "MediaUploads");
    media.notify(stack, &uploads, UPLOAD_EVENTS, &cfg.moderation.prefix, "");
    let mut environment = vec![
        (
            contract::MIN_CONFIDENCE.to_owned(),
            Expr::from(cfg.moderation.min_confidence.to_string()),
        ),
        (
            contract::INAPPROPRIATE_LABELS.to_owned(),
            Expr::from(cfg.moderation.labels.join(",")),
        ),
    ];
    let videos = cfg.moderation.videos.then(|| {
        let completions = Topic::new(stack, "VideoModeration");
        let role = Role::for_service(stack, "VideoModerationRole", "rekognition.amazonaws.com");
        completions.grant_publish(stack, &role);
        environment.push((contract::VIDEO_TOPIC_ARN.to_owned(), completions.arn()));
        environment.push((contract::VIDEO_ROLE_ARN.to_owned(), role.arn()));
        (completions, role)
    });
    let function = Function::rust(
        stack,
        "Moderation",
        MODERATION,
        FunctionOptions {
            // Throttled Rekognition calls are retried with backoff within one invocation.
            timeout: Duration::from_secs(120),
            environment,
            ..FunctionOptions::default()
        },
    );
    function.subscribe(stack, &uploads);
    let role = function.role();
    role.add_to_policy(
        stack,
        PolicyStatement::allow()
            .actions(contract::iam::S3_OBJECT_ACTIONS)
            .resource(media.objects_arn(&format!("{}*", cfg.moderation.prefix))),
    );
    role.add_to_policy(
        stack,
        PolicyStatement::allow()
            .actions(contract::iam::REKOGNITION_ACTIONS)
            .resource("*"),
    );
    if let Some((completions, video_role)) = &videos {
        function.subscribe_also(stack, completions, "Videos");
        role.add_to_policy(
            stack,
            PolicyStatement::allow()
                .actions(&[contract::iam::PASS_ROLE])
                .resource(video_role.arn())
                .condition(
                    "StringEquals",
                    "iam:PassedToService",
                    "rekognition.amazonaws.com",
                ),
        );
    }
}
