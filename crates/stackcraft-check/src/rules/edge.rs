//! What faces clients: CloudFront distributions and API Gateway REST APIs.

use stackcraft_template::Value;

use super::{fail, rule};
use crate::props::{items, str_at};
use crate::rule::Rule;
use crate::Severity::*;

const DISTRIBUTION: &[&str] = &["AWS::CloudFront::Distribution"];
const STAGE: &[&str] = &["AWS::ApiGateway::Stage"];

/// HTTP methods that change state.
const WRITE_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE", "ANY"];

pub(super) const RULES: &[Rule] = &[
    rule(
        "SC-CF-001",
        Medium,
        "CloudFront distribution has no access logging",
        "Set DistributionConfig.Logging to a log bucket",
        DISTRIBUTION,
        &["CKV_AWS_86"],
        &["W10"],
        |c| {
            fail(c.prop("DistributionConfig.Logging").is_none(), || {
                "DistributionConfig.Logging is not set".into()
            })
        },
    ),
    rule(
        "SC-CF-002",
        High,
        "CloudFront distribution accepts TLS older than 1.2",
        "Use an ACM certificate with ViewerCertificate.MinimumProtocolVersion TLSv1.2_2021",
        DISTRIBUTION,
        &["CKV_AWS_174"],
        &["W70"],
        |c| {
            let version = c.prop_str("DistributionConfig.ViewerCertificate.MinimumProtocolVersion");
            let modern =
                version.is_some_and(|v| v.starts_with("TLSv1.2") || v.starts_with("TLSv1.3"));
            let default_cert = c
                .prop_bool("DistributionConfig.ViewerCertificate.CloudFrontDefaultCertificate")
                == Some(true)
                || c.prop("DistributionConfig.ViewerCertificate").is_none();
            fail(default_cert || !modern, || {
                if default_cert {
                    "the default *.cloudfront.net certificate allows TLS 1.0".into()
                } else {
                    format!("MinimumProtocolVersion is {}", version.unwrap_or("not set"))
                }
            })
        },
    ),
    rule(
        "SC-CF-003",
        High,
        "CloudFront serves viewers over plain HTTP",
        "Set ViewerProtocolPolicy to redirect-to-https or https-only on every cache behavior",
        DISTRIBUTION,
        &["CKV_AWS_34"],
        &[],
        |c| {
            let behaviors = c
                .prop("DistributionConfig.DefaultCacheBehavior")
                .into_iter()
                .chain(items(c.prop("DistributionConfig.CacheBehaviors")));
            let plain: Vec<&str> = behaviors
                .filter(|b| str_at(b, "ViewerProtocolPolicy") == Some("allow-all"))
                .map(|b| str_at(b, "PathPattern").unwrap_or("the default behavior"))
                .collect();
            fail(!plain.is_empty(), || {
                format!("ViewerProtocolPolicy allow-all on {}", plain.join(", "))
            })
        },
    ),
    rule(
        "SC-CF-004",
        High,
        "CloudFront S3 origin without origin access control",
        "Give the S3 origin an OriginAccessControlId and let the bucket policy admit only it",
        DISTRIBUTION,
        &[],
        &[],
        |c| {
            let open: Vec<&str> = items(c.prop("DistributionConfig.Origins"))
                .into_iter()
                .filter(|o| o.get("S3OriginConfig").is_some())
                .filter(|o| o.get("OriginAccessControlId").is_none())
                .map(|o| str_at(o, "Id").unwrap_or("an origin"))
                .collect();
            fail(!open.is_empty(), || {
                format!("origin {} has no OriginAccessControlId", open.join(", "))
            })
        },
    ),
    rule(
        "SC-CF-005",
        Medium,
        "CloudFront reaches a custom origin over plain HTTP",
        "Set CustomOriginConfig.OriginProtocolPolicy to https-only",
        DISTRIBUTION,
        &[],
        &[],
        |c| {
            let plain: Vec<&str> = items(c.prop("DistributionConfig.Origins"))
                .into_iter()
                .filter(|o| {
                    str_at(o, "CustomOriginConfig.OriginProtocolPolicy") != Some("https-only")
                })
                .filter(|o| o.get("CustomOriginConfig").is_some())
                .map(|o| str_at(o, "Id").unwrap_or("an origin"))
                .collect();
            fail(!plain.is_empty(), || {
                format!("origin {} is not https-only", plain.join(", "))
            })
        },
    ),
    rule(
        "SC-APIGW-001",
        Medium,
        "API Gateway stage has no access logging",
        "Set AccessLogSetting.DestinationArn to a log group",
        STAGE,
        &["CKV_AWS_76"],
        &["W69"],
        |c| {
            fail(c.prop("AccessLogSetting.DestinationArn").is_none(), || {
                "AccessLogSetting is not set".into()
            })
        },
    ),
    rule(
        "SC-APIGW-002",
        Medium,
        "API Gateway stage is not throttled",
        "Set MethodSettings ThrottlingRateLimit and ThrottlingBurstLimit (for /* and *)",
        STAGE,
        &[],
        &[],
        |c| {
            let throttled = items(c.prop("MethodSettings")).into_iter().any(|m| {
                m.get("ThrottlingRateLimit").is_some() && m.get("ThrottlingBurstLimit").is_some()
            });
            fail(!throttled, || {
                "no MethodSettings sets throttling limits".into()
            })
        },
    ),
    rule(
        "SC-APIGW-003",
        High,
        "API Gateway write method needs no authorization",
        "Set AuthorizationType (AWS_IAM, COGNITO_USER_POOLS, CUSTOM) or ApiKeyRequired",
        &["AWS::ApiGateway::Method"],
        &[],
        &[],
        |c| {
            let method = c.prop_str("HttpMethod")?;
            if !WRITE_METHODS.contains(&method) {
                return None;
            }
            let auth = c
                .prop("AuthorizationType")
                .and_then(Value::as_str)
                .unwrap_or("NONE");
            let key = c.prop_bool("ApiKeyRequired") == Some(true);
            fail(auth == "NONE" && !key, || {
                format!("{method} with AuthorizationType NONE and no API key")
            })
        },
    ),
];
