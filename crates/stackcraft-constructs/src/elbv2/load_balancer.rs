//! `elbv2::ApplicationLoadBalancer`: internet-facing, in the public subnets; HTTPS with an
//! HTTP → HTTPS redirect when it has a certificate, plain HTTP otherwise; invalid header fields
//! dropped; access logs and deletion protection where the environment is protected.

use std::time::Duration;

use stackcraft_core::template::{join, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::elasticloadbalancingv2::listener::{
    Certificate, Protocol as ListenerProtocol,
};
use stackcraft_resources::elasticloadbalancingv2::load_balancer::{
    LoadBalancerAttribute, Scheme, Type,
};
use stackcraft_resources::elasticloadbalancingv2::{self as l1, ListenerRef, LoadBalancerRef};

use crate::cloudwatch::{Alarm, AlarmOptions, Metric, Stat, Threshold};
use crate::dns::{self, Domain};
use crate::ec2::{prefix_list, Connections, HasConnections, Port, SecurityGroup, SubnetKind, Vpc};
use crate::iam::PolicyStatement;
use crate::s3::{Bucket, BucketOptions, Encryption};
use crate::sns::Topic;

use super::{Listener, TargetGroup, TargetGroupOptions};

/// The TLS policy of HTTPS listeners: TLS 1.3 and 1.2 with forward secrecy only.
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Who may reach the load balancer's listener port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Ingress {
    /// Everyone: 443 and 80 (redirected) with a certificate, 80 without.
    #[default]
    Internet,
    /// Only CloudFront's origin-facing servers (the AWS-managed prefix list
    /// `com.amazonaws.global.cloudfront.origin-facing`), on the one port CloudFront uses: 443
    /// with a certificate, 80 without. Its id comes from
    /// [`crate::ec2::prefix_list::cloudfront_origin_facing`] for the stack's region; give
    /// `prefix_list_id` in a region that table lacks. Use with
    /// [`crate::cloudfront::Origin::load_balancer`].
    CloudFront { prefix_list_id: Option<String> },
}

impl Ingress {
    /// Only CloudFront, its prefix list of the stack's region.
    pub fn cloudfront() -> Ingress {
        Ingress::CloudFront {
            prefix_list_id: None,
        }
    }
}

/// Choices that differ from the environment's defaults.
#[derive(Clone, Debug, Default)]
pub struct AlbOptions {
    /// Who may connect (default: the internet).
    pub ingress: Ingress,
    /// A domain to serve: a DNS-validated certificate and an alias record are created, the
    /// load balancer listens on 443 and redirects 80 there. Without one it serves plain HTTP.
    pub domain: Option<Domain>,
    /// An existing certificate ARN instead of creating one (needs `domain` for the record).
    pub certificate_arn: Option<String>,
    /// Access logs to a bucket of this stack (default: protected environments).
    pub access_logs: Option<bool>,
    /// Refuse deletion (default: protected environments).
    pub deletion_protection: Option<bool>,
    /// How long an idle connection is kept (default 60 s).
    pub idle_timeout: Option<Duration>,
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
    /// The certificate of the HTTPS listener, for listeners added later.
    certificate: Option<Expr<String>>,
}

impl ApplicationLoadBalancer {
    pub fn new(stack: &mut Stack, id: &str, vpc: &Vpc, options: AlbOptions) -> Self {
        let protected = stack.env().is_protected();
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
        match &options.ingress {
            Ingress::Internet => {
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
            }
            Ingress::CloudFront { prefix_list_id } => {
                let id = prefix_list_id
                    .as_deref()
                    .or_else(|| prefix_list::cloudfront_origin_facing(&region));
                match id {
                    // One port only: the list weighs 55 of the group's 60 inbound rules.
                    Some(id) => {
                        let port = if certificate.is_some() { Port::HTTPS } else { Port::HTTP };
                        connections.allow_from_prefix_list(stack, id, "CloudFront", port);
                    }
                    None => stack.error(
                        &path,
                        format!(
                            "no id of the prefix list {} is known for {region}: give it as Ingress::CloudFront {{ prefix_list_id }} (aws ec2 describe-managed-prefix-lists --region {region} --filters Name=prefix-list-name,Values={})",
                            prefix_list::CLOUDFRONT_ORIGIN_FACING,
                            prefix_list::CLOUDFRONT_ORIGIN_FACING
                        ),
                    ),
                }
            }
        }

        let mut attributes = vec![
            attribute("routing.http.drop_invalid_header_fields.enabled", "true"),
            attribute(
                "deletion_protection.enabled",
                bool_str(options.deletion_protection.unwrap_or(protected)),
            ),
            attribute(
                "idle_timeout.timeout_seconds",
                &options
                    .idle_timeout
                    .unwrap_or(Duration::from_secs(60))
                    .as_secs()
                    .to_string(),
            ),
        ];
        let mut log_policy = None;
        if options.access_logs.unwrap_or(protected) {
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
            log_policy = Some(logs.add_to_resource_policy(stack, writer));
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

        let not_found = super::Action::not_found().to_l1();
        let (listener, listeners) = stack.scope(id, |s| match certificate.clone() {
            Some(certificate) => {
                let redirect = super::Action::Redirect {
                    protocol: Some("HTTPS".to_owned()),
                    host: None,
                    path: None,
                    port: Some(443),
                }
                .to_l1();
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
            certificate,
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
        self.certificate.is_some()
    }

    /// The domain it serves, if one was configured.
    pub fn domain(&self) -> Option<&Domain> {
        self.domain.as_ref()
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
                &self.metric("HTTPCode_ELB_5XX_Count"),
                AlarmOptions {
                    description:
                        "The load balancer answered more than 10 server errors in 5 minutes"
                            .to_owned(),
                    threshold: Threshold::Above(10.0),
                    periods: 1,
                    notify: Some(topic.clone()),
                },
            );
            Alarm::new(
                s,
                "Target5xxAlarm",
                &self.metric("HTTPCode_Target_5XX_Count"),
                AlarmOptions {
                    description: "The API answered more than 10 server errors in 5 minutes"
                        .to_owned(),
                    threshold: Threshold::Above(10.0),
                    periods: 1,
                    notify: Some(topic.clone()),
                },
            );
            Alarm::new(
                s,
                "LatencyAlarm",
                &self.metric("TargetResponseTime").stat(Stat::Average),
                AlarmOptions {
                    description: "API responses slower than 1 second on average for 15 minutes"
                        .to_owned(),
                    threshold: Threshold::Above(1.0),
                    periods: 3,
                    notify: Some(topic.clone()),
                },
            );
        });
    }

    /// Every listener the load balancer was created with.
    pub fn listeners(&self) -> &[Target] {
        &self.listeners
    }

    /// The construct path of the load balancer.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The listener clients reach: HTTPS with a certificate, else HTTP. It answers
    /// [`super::Action::not_found`] until its default is set; rules route before it.
    pub fn listener(&self) -> Listener {
        Listener::from_ref(self.listener.clone(), &self.path)
    }

    /// Another listener on `port` (e.g. the test listener of a blue/green deployment),
    /// HTTPS with the load balancer's certificate if it has one. Its port is not opened in
    /// the security group: allow who may reach it through [`HasConnections`].
    pub fn add_listener(&self, stack: &mut Stack, id: &str, port: u16) -> Listener {
        let not_found = super::Action::not_found().to_l1();
        let mut listener = l1::Listener::new(vec![not_found], self.lb.ref_()).port(port);
        listener = match &self.certificate {
            Some(certificate) => listener
                .protocol(ListenerProtocol::Https)
                .ssl_policy(SSL_POLICY)
                .certificates(vec![Certificate::new().certificate_arn(certificate.clone())]),
            None => listener.protocol(ListenerProtocol::Http),
        };
        let listener = stack.add_at(&format!("{}/{id}", self.path), listener);
        Listener::from_ref(listener, &self.path)
    }

    /// A target group of IP targets on `port` (health: `GET health_path` → 200) that the
    /// main listener forwards every request to by default. Register targets by giving the
    /// group to a service.
    pub fn forward_to(
        &self,
        stack: &mut Stack,
        id: &str,
        vpc: &Vpc,
        port: u16,
        health_path: &str,
    ) -> TargetGroup {
        let group = TargetGroup::new(
            stack,
            self,
            id,
            vpc,
            TargetGroupOptions::new(port, health_path),
        );
        self.listener().forward_by_default(stack, &group);
        group
    }
}

impl HasConnections for ApplicationLoadBalancer {
    fn connections(&self) -> Connections {
        self.group.connections()
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
