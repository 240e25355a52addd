//! `elbv2::ApplicationLoadBalancer`: internet-facing, in the public subnets; HTTPS with an
//! HTTP → HTTPS redirect when it has a certificate, plain HTTP otherwise; invalid header fields
//! dropped; access logs and deletion protection in prod.

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticloadbalancingv2::listener::{
    Action, Certificate, FixedResponseConfig, Protocol as ListenerProtocol, RedirectConfig,
    StatusCode, Type as ActionType,
};
use stackcraft_resources::elasticloadbalancingv2::load_balancer::{
    LoadBalancerAttribute, Scheme, Type,
};
use stackcraft_resources::elasticloadbalancingv2::target_group::{
    Matcher, Protocol as TgProtocol, TargetGroupAttribute, TargetType,
};
use stackcraft_resources::elasticloadbalancingv2::{
    self as l1, ListenerRef, LoadBalancerRef, TargetGroupRef,
};

use crate::cloudwatch::{Alarm, Metric, Stat, Threshold};
use crate::dns::{self, Domain};
use crate::ec2::{Connections, HasConnections, Port, SecurityGroup, SubnetKind, Vpc};
use crate::iam::PolicyStatement;
use crate::s3::{Bucket, BucketOptions, Encryption};
use crate::sns::Topic;

/// The TLS policy of HTTPS listeners: TLS 1.3 and 1.2 with forward secrecy only.
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct AlbOptions {
    /// A domain to serve: a DNS-validated certificate and an alias record are created, the
    /// load balancer listens on 443 and redirects 80 there. Without one it serves plain HTTP.
    pub domain: Option<Domain>,
    /// An existing certificate ARN instead of creating one (needs `domain` for the record).
    pub certificate_arn: Option<String>,
    /// Access logs to a bucket of this stack (default: prod only).
    pub access_logs: Option<bool>,
    /// Refuse deletion (default: prod only).
    pub deletion_protection: Option<bool>,
    /// Seconds an idle connection is kept (default 60).
    pub idle_timeout: Option<u32>,
}

/// A load balancer handle.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplicationLoadBalancer {
    lb: LoadBalancerRef,
    path: String,
    group: SecurityGroup,
    /// The listener that forwards to targets: HTTPS with a certificate, else HTTP.
    listener: ListenerRef,
    /// Every listener (a service waits for them before registering).
    listeners: Vec<Target>,
    domain: Option<Domain>,
}

/// Where the load balancer forwards to: a target group of IP targets (Fargate tasks).
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerTarget {
    group: TargetGroupRef,
    port: u16,
    lb: ApplicationLoadBalancer,
}

impl ApplicationLoadBalancer {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: AlbOptions) -> Self {
        let prod = stack.env().is_prod();
        let region = stack.env().region.clone();
        let path = stack.path_of(id);
        let group = stack.scope(id, |s| {
            SecurityGroup::new(s, "SecurityGroup", vpc, "Internet-facing load balancer")
        });
        let certificate = match (&options.certificate_arn, &options.domain) {
            (Some(arn), _) => Some(Expr::from(arn.as_str())),
            (None, Some(domain)) => {
                Some(stack.scope(id, |s| dns::certificate(s, "Certificate", domain)))
            }
            (None, None) => None,
        };
        let connections = group.connections();
        let http = if certificate.is_some() {
            connections.allow_from_cidr(stack, "0.0.0.0/0", Port::HTTPS, "the internet");
            connections.allow_from_cidr(
                stack,
                "0.0.0.0/0",
                Port::HTTP,
                "the internet (redirected to HTTPS)",
            )
        } else {
            connections.allow_from_cidr(stack, "0.0.0.0/0", Port::HTTP, "the internet")
        };
        let reason = if certificate.is_some() {
            "Port 80 of an internet-facing load balancer is open to the internet so that browsers typing the plain name arrive; its listener answers nothing but a redirect to HTTPS."
        } else {
            "The internet-facing load balancer of an environment without a certificate serves plain HTTP by configuration (stated in the ApiUrl output); configure a domain to serve HTTPS."
        };
        stack.suppress(&http, "CKV_AWS_260", reason);

        let mut attributes = vec![
            attribute("routing.http.drop_invalid_header_fields.enabled", "true"),
            attribute(
                "deletion_protection.enabled",
                bool_str(options.deletion_protection.unwrap_or(prod)),
            ),
            attribute(
                "idle_timeout.timeout_seconds",
                &options.idle_timeout.unwrap_or(60).to_string(),
            ),
        ];
        let mut log_policy = None;
        if options.access_logs.unwrap_or(prod) {
            let logs = stack.scope(id, |s| {
                Bucket::with(
                    s,
                    "AccessLogs",
                    BucketOptions {
                        access_logs: Some(false),
                        encryption: Encryption::S3Managed,
                        ..BucketOptions::default()
                    },
                )
            });
            let writer = PolicyStatement::allow()
                .sid("AllowLoadBalancerAccessLogs")
                .actions(&["s3:PutObject"])
                .resource(logs.objects_arn("alb/AWSLogs/${AWS::AccountId}/*"));
            let writer = match elb_account(&region) {
                Some(account) => writer.aws_principal(format!("arn:aws:iam::{account}:root")),
                None => writer.service_principal("logdelivery.elasticloadbalancing.amazonaws.com"),
            };
            logs.add_to_resource_policy(stack, writer);
            stack.suppress(
                logs.target(),
                "CKV_AWS_18",
                "This bucket receives the load balancer's access logs; logging it too would need yet another bucket, and its writes are Elastic Load Balancing's own log deliveries.",
            );
            attributes.push(attribute("access_logs.s3.enabled", "true"));
            attributes.push(
                LoadBalancerAttribute::new()
                    .key("access_logs.s3.bucket")
                    .value(logs.name())
                    .into(),
            );
            attributes.push(attribute("access_logs.s3.prefix", "alb"));
            log_policy = stack.lookup(&format!("{path}/AccessLogs/Policy"));
        }

        let lb = stack.add(
            id,
            l1::LoadBalancer::new()
                .type_(Type::Application)
                .scheme(Scheme::InternetFacing)
                .subnets(vpc.subnet_ids(SubnetKind::Public))
                .security_groups(vec![group.id()])
                .load_balancer_attributes(attributes),
        );
        if let Some(policy) = &log_policy {
            // The load balancer checks that it may write its logs when it is created.
            stack.add_dependency(lb.target(), policy);
        }

        let not_found = Action::new(ActionType::FixedResponse).fixed_response_config(
            FixedResponseConfig::new("404")
                .content_type("text/plain")
                .message_body("Not found"),
        );
        let (listener, listeners) = stack.scope(id, |s| match certificate {
            Some(certificate) => {
                let redirect = Action::new(ActionType::Redirect).redirect_config(
                    RedirectConfig::new(StatusCode::Http301)
                        .protocol("HTTPS")
                        .port("443"),
                );
                let http = s.add(
                    "HttpListener",
                    l1::Listener::new(vec![redirect], lb.ref_())
                        .port(80)
                        .protocol(ListenerProtocol::Http),
                );
                let https = s.add(
                    "HttpsListener",
                    l1::Listener::new(vec![not_found], lb.ref_())
                        .port(443)
                        .protocol(ListenerProtocol::Https)
                        .ssl_policy(SSL_POLICY)
                        .certificates(vec![Certificate::new().certificate_arn(certificate)]),
                );
                let all = vec![http.target().clone(), https.target().clone()];
                (https, all)
            }
            None => {
                let http = s.add(
                    "HttpListener",
                    l1::Listener::new(vec![not_found], lb.ref_())
                        .port(80)
                        .protocol(ListenerProtocol::Http),
                );
                let all = vec![http.target().clone()];
                (http, all)
            }
        });
        if let Some(domain) = &options.domain {
            stack.scope(id, |s| {
                dns::alias(
                    s,
                    "AliasRecord",
                    domain,
                    lb.dns_name(),
                    lb.canonical_hosted_zone_id(),
                )
            });
        }
        ApplicationLoadBalancer {
            lb,
            path,
            group,
            listener,
            listeners,
            domain: options.domain.clone(),
        }
    }

    pub fn target(&self) -> &Target {
        self.lb.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.lb.ref_()
    }

    pub fn dns_name(&self) -> Expr<String> {
        self.lb.dns_name()
    }

    /// `app/<name>/<id>`: the `LoadBalancer` dimension of its CloudWatch metrics.
    pub fn full_name(&self) -> Expr<String> {
        self.lb.load_balancer_full_name()
    }

    /// Whether clients reach it over HTTPS.
    pub fn is_https(&self) -> bool {
        self.listeners.len() > 1
    }

    /// Where clients reach it: `https://<domain>` with a domain, else `http://<dns name>`.
    pub fn url(&self) -> Expr<String> {
        match (&self.domain, self.is_https()) {
            (Some(domain), _) => format!("https://{}", domain.name).into(),
            (None, true) => join("", vec![Expr::from("https://"), self.dns_name()]),
            (None, false) => join("", vec![Expr::from("http://"), self.dns_name()]),
        }
    }

    /// A metric of the load balancer (`AWS/ApplicationELB`), summed.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/ApplicationELB", name).dimension("LoadBalancer", self.full_name())
    }

    /// Alarms to `topic`: more than 10 server errors (of the load balancer or of its targets)
    /// in 5 minutes, and responses slower than a second on average for 15 minutes.
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        stack.scope(&self.path, |s| {
            Alarm::new(
                s,
                "Elb5xxAlarm",
                "The load balancer answered more than 10 server errors in 5 minutes",
                &self.metric("HTTPCode_ELB_5XX_Count"),
                Threshold::Above(10.0),
                1,
                topic,
            );
            Alarm::new(
                s,
                "Target5xxAlarm",
                "The API answered more than 10 server errors in 5 minutes",
                &self.metric("HTTPCode_Target_5XX_Count"),
                Threshold::Above(10.0),
                1,
                topic,
            );
            Alarm::new(
                s,
                "LatencyAlarm",
                "API responses slower than 1 second on average for 15 minutes",
                &self.metric("TargetResponseTime").stat(Stat::Average),
                Threshold::Above(1.0),
                3,
                topic,
            );
        });
    }

    /// Every listener of the load balancer.
    pub fn listeners(&self) -> &[Target] {
        &self.listeners
    }

    /// Makes the load balancer forward every request to a new target group of IP targets on
    /// `port`, health-checked with `GET health_path` → 200. Register targets by giving the
    /// returned target to a service.
    pub fn forward_to(
        &self,
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        port: u16,
        health_path: &str,
    ) -> ListenerTarget {
        let group = l1::TargetGroup::new()
            .target_type(TargetType::Ip)
            .protocol(TgProtocol::Http)
            .port(port)
            .vpc_id(vpc.id())
            .health_check_enabled(true)
            .health_check_path(health_path)
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(3)
            .matcher(Matcher::new().http_code("200"))
            .target_group_attributes(vec![TargetGroupAttribute::new()
                .key("deregistration_delay.timeout_seconds")
                .value("30")]);
        let group = stack.add_at(&format!("{}/{id}", self.path), group);
        let forward = Action::new(ActionType::Forward).target_group_arn(group.ref_());
        let listener = self.listener.target().clone();
        let actions: Expr<Vec<Action>> = vec![forward].into();
        stack.set_property(&listener, "DefaultActions", actions);
        ListenerTarget {
            group,
            port,
            lb: self.clone(),
        }
    }
}

impl HasConnections for ApplicationLoadBalancer {
    fn connections(&self) -> Connections {
        self.group.connections()
    }
}

impl ListenerTarget {
    pub fn target(&self) -> &Target {
        self.group.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.group.ref_()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn load_balancer(&self) -> &ApplicationLoadBalancer {
        &self.lb
    }

    /// Alarm to `topic` when a target has been unhealthy for 10 minutes.
    pub fn add_alarms(&self, stack: &mut Stack, topic: &Topic) {
        let metric = Metric::new("AWS/ApplicationELB", "UnHealthyHostCount")
            .dimension("LoadBalancer", self.lb.full_name())
            .dimension("TargetGroup", self.full_name())
            .stat(Stat::Maximum);
        let path = format!("{}/{}", self.lb.path, self.group.logical_id());
        stack.scope(&path, |s| {
            Alarm::new(
                s,
                "UnhealthyAlarm",
                "Targets of the load balancer unhealthy for 10 minutes",
                &metric,
                Threshold::Above(0.0),
                2,
                topic,
            );
        });
    }

    /// `targetgroup/<name>/<id>`: the `TargetGroup` dimension of its CloudWatch metrics.
    pub fn full_name(&self) -> Expr<String> {
        self.group.target_group_full_name()
    }

    /// `app/<lb>/<id>/targetgroup/<tg>/<id>`: the resource label of the
    /// `ALBRequestCountPerTarget` scaling metric.
    pub fn resource_label(&self) -> Expr<String> {
        join("/", vec![self.lb.full_name(), self.full_name()])
    }
}

fn attribute(key: &str, value: &str) -> Expr<LoadBalancerAttribute> {
    LoadBalancerAttribute::new().key(key).value(value).into()
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// The Elastic Load Balancing account that writes access logs in regions that opened before
/// August 2022; newer regions use the `logdelivery.elasticloadbalancing.amazonaws.com`
/// service principal.
fn elb_account(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "127311923021",
        "us-east-2" => "033677994240",
        "us-west-1" => "027434742980",
        "us-west-2" => "797873946194",
        "af-south-1" => "098369216593",
        "ap-east-1" => "754344448648",
        "ap-southeast-3" => "589379963580",
        "ap-south-1" => "718504428378",
        "ap-northeast-3" => "383597477331",
        "ap-northeast-2" => "600734575887",
        "ap-southeast-1" => "114774131450",
        "ap-southeast-2" => "783225319266",
        "ap-northeast-1" => "582318560864",
        "ca-central-1" => "985666609251",
        "eu-central-1" => "054676820928",
        "eu-west-1" => "156460612806",
        "eu-west-2" => "652711504416",
        "eu-south-1" => "635631232127",
        "eu-west-3" => "009996457667",
        "eu-north-1" => "897822967062",
        "me-south-1" => "076674570225",
        "sa-east-1" => "507241528517",
        _ => return None,
    })
}
