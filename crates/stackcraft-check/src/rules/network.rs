//! Network exposure: security groups, public IPs, instance metadata, load balancers, flow logs.

use stackcraft_template::Value;

use super::{fail, protected, rule};
use crate::props::{int, items, literal_bool, refers_to, str_at};
use crate::rule::{Context, Rule};
use crate::Severity::*;

const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-EC2-001",
        High,
        "Security group admits the whole internet on a port other than 80/443 of a load balancer",
        "Admit named security groups or prefix lists; only a load balancer's 80/443 face the internet",
        &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"],
        &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
        &["W2"],
        world_ingress,
    ),
    rule(
        "SC-EC2-002",
        Medium,
        "Instance gets a public IP address",
        "Run it in a private subnet; reach it through SSM Session Manager or a load balancer",
        &["AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"],
        &["CKV_AWS_88"],
        &[],
        public_ip,
    ),
    rule(
        "SC-EC2-003",
        High,
        "Instance metadata service allows IMDSv1",
        "Set MetadataOptions.HttpTokens: required (in the instance's launch template)",
        &[
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        ],
        &["CKV_AWS_79"],
        &[],
        imdsv2,
    ),
    rule(
        "SC-RDS-002",
        Critical,
        "RDS database is publicly accessible",
        "Set PubliclyAccessible: false and place it in isolated subnets",
        &["AWS::RDS::DBInstance"],
        &["CKV_AWS_17"],
        &["F22"],
        |c| {
            fail(c.prop_bool("PubliclyAccessible") == Some(true), || {
                "PubliclyAccessible is true".into()
            })
        },
    ),
    protected(rule(
        "SC-VPC-001",
        Medium,
        "VPC in a protected environment has no flow logs",
        "Add an AWS::EC2::FlowLog for the VPC (to CloudWatch Logs or S3)",
        &["AWS::EC2::VPC"],
        &["CKV2_AWS_11"],
        &[],
        |c| {
            let logged = c.others(&["AWS::EC2::FlowLog"]).any(|(_, f)| {
                f.properties
                    .get("ResourceId")
                    .is_some_and(|r| refers_to(r, c.logical_id))
            });
            fail(!logged, || "no AWS::EC2::FlowLog refers to this VPC".into())
        },
    )),
    rule(
        "SC-ELB-001",
        Medium,
        "Load balancer has no access logs",
        "Set the access_logs.s3.enabled attribute to true with a log bucket",
        &["AWS::ElasticLoadBalancingV2::LoadBalancer"],
        &["CKV_AWS_91"],
        &["W52"],
        |c| {
            fail(attribute(c, "access_logs.s3.enabled") != Some(true), || {
                "LoadBalancerAttributes access_logs.s3.enabled is not true".into()
            })
        },
    ),
    rule(
        "SC-ELB-002",
        High,
        "Load balancer listener serves plain HTTP",
        "Listen on HTTPS; make the HTTP listener only redirect to HTTPS",
        &["AWS::ElasticLoadBalancingV2::Listener"],
        // checkov's TLS check fails plain HTTP listeners too.
        &["CKV_AWS_2", "CKV_AWS_103"],
        &[],
        |c| {
            if c.prop_str("Protocol") != Some("HTTP") {
                return None;
            }
            let redirects = items(c.prop("DefaultActions")).into_iter().all(|a| {
                str_at(a, "Type") == Some("redirect")
                    && str_at(a, "RedirectConfig.Protocol") == Some("HTTPS")
            });
            fail(!redirects, || {
                "an HTTP listener whose default action is not a redirect to HTTPS".into()
            })
        },
    ),
    rule(
        "SC-ELB-003",
        High,
        "HTTPS listener allows TLS older than 1.2",
        "Set SslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy)",
        &["AWS::ElasticLoadBalancingV2::Listener"],
        &["CKV_AWS_103"],
        &[],
        |c| {
            if !matches!(c.prop_str("Protocol"), Some("HTTPS" | "TLS")) {
                return None;
            }
            let policy = c.prop_str("SslPolicy");
            let modern = policy.is_some_and(|p| p.contains("TLS13") || p.contains("TLS-1-2"));
            fail(!modern, || {
                format!(
                    "SslPolicy is {}",
                    policy.unwrap_or("the default (TLS 1.0)")
                )
            })
        },
    ),
];

/// A load balancer attribute as a boolean.
fn attribute(c: &Context, key: &str) -> Option<bool> {
    items(c.prop("LoadBalancerAttributes"))
        .into_iter()
        .find(|a| str_at(a, "Key") == Some(key))
        .and_then(|a| a.get("Value"))
        .and_then(literal_bool)
}

/// The security groups that load balancers of the template use.
fn is_load_balancer_group(c: &Context, group: &str) -> bool {
    c.others(&["AWS::ElasticLoadBalancingV2::LoadBalancer"])
        .any(|(_, lb)| {
            lb.properties
                .get("SecurityGroups")
                .is_some_and(|g| refers_to(g, group))
        })
}

fn world_ingress(c: &Context) -> Option<String> {
    let standalone = Value::Map(c.props().clone());
    let (group, rules): (Option<String>, Vec<&Value>) = match c.resource.type_.as_str() {
        "AWS::EC2::SecurityGroup" => (
            Some(c.logical_id.to_owned()),
            items(c.prop("SecurityGroupIngress")),
        ),
        _ => {
            let group = c
                .prop("GroupId")
                .and_then(|g| crate::props::references(g).into_iter().next());
            (group, vec![&standalone])
        }
    };
    let behind_lb = group.is_some_and(|g| is_load_balancer_group(c, &g));
    let open: Vec<String> = rules
        .into_iter()
        .filter(|r| {
            ["CidrIp", "CidrIpv6"].iter().any(|k| {
                r.get(k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| WORLD.contains(&v))
            })
        })
        .filter_map(|r| {
            let protocol = str_at(r, "IpProtocol").unwrap_or("-1");
            let from = r.get("FromPort").and_then(int);
            let to = r.get("ToPort").and_then(int);
            let web = protocol == "tcp" && from == to && matches!(from, Some(80 | 443));
            (!(web && behind_lb)).then(|| match (protocol, from, to) {
                ("-1", _, _) => "every port".to_owned(),
                (_, Some(f), Some(t)) if f == t => format!("{protocol} {f}"),
                (_, Some(f), Some(t)) => format!("{protocol} {f}-{t}"),
                _ => format!("{protocol} (ports decided at deploy time)"),
            })
        })
        .collect();
    fail(!open.is_empty(), || {
        format!("open to 0.0.0.0/0 or ::/0 on {}", open.join(", "))
    })
}

fn public_ip(c: &Context) -> Option<String> {
    let interfaces = c
        .prop("NetworkInterfaces")
        .or_else(|| c.prop("LaunchTemplateData.NetworkInterfaces"));
    let public = items(interfaces)
        .into_iter()
        .any(|i| i.get("AssociatePublicIpAddress").and_then(literal_bool) == Some(true));
    fail(public, || "AssociatePublicIpAddress is true".into())
}

fn imdsv2(c: &Context) -> Option<String> {
    let tokens = match c.resource.type_.as_str() {
        "AWS::EC2::LaunchTemplate" => c.prop_str("LaunchTemplateData.MetadataOptions.HttpTokens"),
        "AWS::AutoScaling::LaunchConfiguration" => c.prop_str("MetadataOptions.HttpTokens"),
        // An instance sets metadata options only through its launch template.
        _ => {
            let template = c
                .prop("LaunchTemplate.LaunchTemplateId")
                .or_else(|| c.prop("LaunchTemplate.LaunchTemplateName"));
            let required = template.is_some_and(|t| {
                crate::props::references(t).iter().any(|id| {
                    c.template.resources.get(id).is_some_and(|lt| {
                        lt.properties
                            .get("LaunchTemplateData")
                            .and_then(|d| str_at(d, "MetadataOptions.HttpTokens"))
                            == Some("required")
                    })
                })
            });
            return fail(!required, || {
                "no launch template of this stack requires IMDSv2 tokens for the instance".into()
            });
        }
    };
    fail(tokens != Some("required"), || {
        format!("HttpTokens is {}", tokens.unwrap_or("not set (optional)"))
    })
}
