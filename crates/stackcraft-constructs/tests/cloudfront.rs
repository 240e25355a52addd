//! cloudfront::Distribution: origins (bucket through origin access control, HTTP servers),
//! behaviours per path with managed and custom policies, methods, TLS, logs, WAF; and a load
//! balancer that only CloudFront's origin-facing servers reach.

mod common;

use common::{dev, prod, synth};
use serde_json::{json, Value};
use stackcraft_constructs::cloudfront::{
    AllowedMethods, Behavior, CachePolicy, CustomCachePolicy, CustomOriginRequestPolicy,
    Distribution, DistributionOptions, Origin, OriginProtocol, OriginRequestPolicy, PathBehavior,
    Select, ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED, CACHING_OPTIMIZED, CORS_S3_ORIGIN,
};
use stackcraft_constructs::dns::Domain;
use stackcraft_constructs::ec2::prefix_list::{
    cloudfront_origin_facing, CLOUDFRONT_ORIGIN_FACING_IDS,
};
use stackcraft_constructs::ec2::Vpc;
use stackcraft_constructs::elbv2::{AlbOptions, ApplicationLoadBalancer, Ingress};
use stackcraft_constructs::s3::{Bucket, BucketOptions, Encryption};
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack};

fn files(stack: &mut Stack, id: &str) -> Bucket {
    Bucket::with(
        stack,
        id,
        BucketOptions {
            encryption: Encryption::S3Managed,
            ..BucketOptions::default()
        },
    )
}

fn distribution_config(t: &Template) -> Value {
    let (_, d) = t.find_resources("AWS::CloudFront::Distribution").remove(0);
    d["Properties"]["DistributionConfig"].clone()
}

/// A site bucket, an assets bucket at `/assets/*`, an API at `/api/*` and a legacy server at
/// `/legacy/*` over plain HTTP: each path goes to its origin with its own policies.
#[test]
fn each_path_goes_to_its_origin_with_its_policies() {
    let mut stack = Stack::new("web", dev());
    let site = files(&mut stack, "Site");
    let assets = files(&mut stack, "Assets");
    let api = Origin::http("Api", "api.example.com", OriginProtocol::HttpsOnly);
    let legacy = Origin::http("Legacy", "old.example.com", OriginProtocol::HttpOnly);
    let custom_cache = CustomCachePolicy {
        headers: Select::only(&["Accept-Language"]),
        query_strings: Select::only(&["page"]),
        ..CustomCachePolicy::new("Pages")
    };
    let distribution = Distribution::new(
        &mut stack,
        "Cdn",
        Behavior::new(Origin::bucket(&site)),
        DistributionOptions {
            behaviors: vec![
                PathBehavior::new(
                    "/assets/*",
                    Behavior::new(Origin::bucket(&assets))
                        .origin_request(OriginRequestPolicy::CorsS3Origin)
                        .methods(AllowedMethods::GetHeadOptions),
                ),
                PathBehavior::new("/api/*", Behavior::api(api.clone())),
                PathBehavior::new(
                    "/api-docs/*",
                    Behavior::new(api).cache(CachePolicy::Custom(custom_cache.clone())),
                ),
                PathBehavior::new(
                    "/legacy/*",
                    Behavior::new(legacy)
                        .cache(CachePolicy::Custom(custom_cache))
                        .origin_request(OriginRequestPolicy::Custom(CustomOriginRequestPolicy {
                            name: "Legacy".into(),
                            cookies: Select::only(&["session"]),
                            headers: Select::All,
                            query_strings: Select::AllExcept(vec!["utm_source".into()]),
                        }))
                        .methods(AllowedMethods::All),
                ),
            ],
            default_root_object: Some("index.html".into()),
            ..DistributionOptions::default()
        },
    );
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    assert_eq!(
        distribution.url().value().to_json(),
        json!({"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["CdnDistribution", "DomainName"]}]]})
    );
    let t = synth(stack);
    let config = distribution_config(&t);

    // Four origins, once each, in the order the behaviours name them.
    let origins = config["Origins"].as_array().unwrap();
    let ids: Vec<&str> = origins.iter().map(|o| o["Id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["Site", "Assets", "Api", "Legacy"]);
    for bucket in &origins[..2] {
        assert_eq!(
            bucket["OriginAccessControlId"],
            json!({"Fn::GetAtt": ["CdnOriginAccessControl", "Id"]})
        );
        assert_eq!(
            bucket["S3OriginConfig"],
            json!({"OriginAccessIdentity": ""})
        );
        assert!(bucket.get("CustomOriginConfig").is_none());
    }
    assert_eq!(
        origins[0]["DomainName"],
        json!({"Fn::GetAtt": ["Site", "RegionalDomainName"]})
    );
    assert_eq!(
        origins[2]["CustomOriginConfig"],
        json!({"OriginProtocolPolicy": "https-only", "HTTPPort": 80, "HTTPSPort": 443,
               "OriginReadTimeout": 30, "OriginSSLProtocols": ["TLSv1.2"]})
    );
    assert_eq!(
        origins[3]["CustomOriginConfig"]["OriginProtocolPolicy"],
        "http-only"
    );
    assert!(origins[3]["CustomOriginConfig"]
        .get("OriginSSLProtocols")
        .is_none());

    let default = &config["DefaultCacheBehavior"];
    assert_eq!(default["TargetOriginId"], "Site");
    assert_eq!(default["CachePolicyId"], CACHING_OPTIMIZED);
    assert_eq!(default["AllowedMethods"], json!(["GET", "HEAD"]));
    assert!(default.get("OriginRequestPolicyId").is_none());

    let behaviors = config["CacheBehaviors"].as_array().unwrap();
    let by_path = |p: &str| {
        behaviors
            .iter()
            .find(|b| b["PathPattern"] == p)
            .unwrap()
            .clone()
    };
    let patterns: Vec<&str> = behaviors
        .iter()
        .map(|b| b["PathPattern"].as_str().unwrap())
        .collect();
    assert_eq!(
        patterns,
        ["/assets/*", "/api/*", "/api-docs/*", "/legacy/*"]
    );
    for b in behaviors.iter().chain([default]) {
        assert_eq!(b["ViewerProtocolPolicy"], "redirect-to-https");
        assert_eq!(b["CachedMethods"], json!(["GET", "HEAD"]));
    }
    let assets = by_path("/assets/*");
    assert_eq!(assets["TargetOriginId"], "Assets");
    assert_eq!(assets["OriginRequestPolicyId"], CORS_S3_ORIGIN);
    assert_eq!(assets["AllowedMethods"], json!(["GET", "HEAD", "OPTIONS"]));
    let api = by_path("/api/*");
    assert_eq!(api["TargetOriginId"], "Api");
    assert_eq!(api["CachePolicyId"], CACHING_DISABLED);
    assert_eq!(api["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST_HEADER);
    assert_eq!(
        api["AllowedMethods"],
        json!(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"])
    );
    // One custom cache policy, shared by the two behaviours that use it.
    t.resource_count_is("AWS::CloudFront::CachePolicy", 1);
    for p in ["/api-docs/*", "/legacy/*"] {
        assert_eq!(
            by_path(p)["CachePolicyId"],
            json!({"Fn::GetAtt": ["CdnPagesCachePolicy", "Id"]}),
            "{p}"
        );
    }
    t.has_resource_properties(
        "AWS::CloudFront::CachePolicy",
        json!({"CachePolicyConfig": {
            "Name": {"Fn::Sub": "${AWS::StackName}-Cdn-Pages"},
            "DefaultTTL": 86400.0, "MinTTL": 0.0, "MaxTTL": 31536000.0,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": true, "EnableAcceptEncodingBrotli": true,
                "CookiesConfig": {"CookieBehavior": "none"},
                "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["Accept-Language"]},
                "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": ["page"]}
            }
        }}),
    );
    assert_eq!(
        by_path("/legacy/*")["OriginRequestPolicyId"],
        json!({"Fn::GetAtt": ["CdnLegacyOriginRequestPolicy", "Id"]})
    );
    t.has_resource_properties(
        "AWS::CloudFront::OriginRequestPolicy",
        json!({"OriginRequestPolicyConfig": {
            "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": ["session"]},
            "HeadersConfig": {"HeaderBehavior": "allViewer"},
            "QueryStringsConfig": {"QueryStringBehavior": "allExcept", "QueryStrings": ["utm_source"]}
        }}),
    );

    // Both buckets admit exactly this distribution, nothing else; one OAC serves both.
    t.resource_count_is("AWS::CloudFront::OriginAccessControl", 1);
    let policies = t.find_resources("AWS::S3::BucketPolicy");
    for bucket in ["Site", "Assets"] {
        let (_, policy) = policies
            .iter()
            .find(|(_, p)| p["Properties"]["Bucket"] == json!({"Ref": bucket}))
            .unwrap_or_else(|| panic!("{bucket} has a policy"));
        let text = serde_json::to_string(policy).unwrap();
        assert!(
            text.contains("cloudfront.amazonaws.com") && text.contains("CdnDistribution"),
            "{text}"
        );
    }

    // HTTP/2 and 3, IPv6; dev: no logs, the default certificate.
    assert_eq!(config["HttpVersion"], "http2and3");
    assert_eq!(config["IPV6Enabled"], true);
    assert!(config.get("Logging").is_none());
    assert_eq!(
        config["ViewerCertificate"],
        json!({"CloudFrontDefaultCertificate": true})
    );
    assert!(config.get("WebACLId").is_none());
}

/// Prod: a domain with its certificate and TLS 1.2_2021, access logs, the web ACL.
#[test]
fn a_protected_distribution_logs_and_a_domain_enforces_tls_1_2() {
    let mut stack = Stack::new("web", prod());
    let site = files(&mut stack, "Site");
    Distribution::new(
        &mut stack,
        "Cdn",
        Behavior::new(Origin::bucket(&site)),
        DistributionOptions {
            domain: Some(Domain {
                name: "www.example.com".into(),
                hosted_zone_id: "Z1".into(),
            }),
            certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/x".into()),
            web_acl_id: Some("arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1".into()),
            ..DistributionOptions::default()
        },
    );
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let t = synth(stack);
    let config = distribution_config(&t);
    assert_eq!(
        config["ViewerCertificate"],
        json!({"AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
               "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"})
    );
    assert_eq!(config["Aliases"], json!(["www.example.com"]));
    assert_eq!(
        config["Logging"]["Bucket"],
        json!({"Fn::GetAtt": ["CdnAccessLogs", "RegionalDomainName"]})
    );
    assert_eq!(
        config["WebACLId"],
        "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"
    );
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "www.example.com", "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2"}}),
    );
}

/// Mistakes are errors naming the distribution: one id for two different origins, a path
/// pattern twice, all headers in a cache key, TTLs out of order.
#[test]
fn conflicting_origins_patterns_and_policies_are_errors_naming_the_distribution() {
    let mut stack = Stack::new("web", dev());
    let a = Origin::http("Api", "a.example.com", OriginProtocol::HttpsOnly);
    let b = Origin::http("Api", "b.example.com", OriginProtocol::HttpsOnly);
    let mut bad_ttl = CustomCachePolicy::new("Bad");
    bad_ttl.headers = Select::All;
    bad_ttl.min_ttl = bad_ttl.max_ttl * 2;
    Distribution::new(
        &mut stack,
        "Cdn",
        Behavior::api(a.clone()),
        DistributionOptions {
            behaviors: vec![
                PathBehavior::new("/b/*", Behavior::api(b)),
                PathBehavior::new("/a/*", Behavior::api(a.clone())),
                PathBehavior::new("/a/*", Behavior::new(a).cache(CachePolicy::Custom(bad_ttl))),
            ],
            ..DistributionOptions::default()
        },
    );
    let errors: Vec<String> = stack.errors().iter().map(|e| e.to_string()).collect();
    let expected = [
        "web/Cdn: two different origins are both named \"Api\"",
        "web/Cdn: the path pattern \"/a/*\" has two behaviours (number 2 and 3)",
        "web/Cdn: cache policy \"Bad\": headers in a cache key can only be listed",
        "web/Cdn: cache policy \"Bad\": min_ttl <= default_ttl <= max_ttl must hold",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for e in expected {
        assert!(
            errors.iter().any(|got| got.starts_with(e)),
            "{e} in {errors:#?}"
        );
    }
}

fn alb_stack(env: Environment, options: AlbOptions) -> (Stack, ApplicationLoadBalancer) {
    let mut stack = Stack::new("web", env);
    let vpc = Vpc::new(&mut stack, "Network");
    let alb = ApplicationLoadBalancer::new(&mut stack, "LoadBalancer", &vpc, options);
    (stack, alb)
}

fn ingress_rules(t: &Template) -> Vec<Value> {
    t.find_resources("AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .map(|(_, r)| r["Properties"].clone())
        .collect()
}

/// An ALB with `Ingress::cloudfront()` admits CloudFront's origin-facing prefix list of its
/// region on its one port and nothing from the internet; as an origin it is reached over the
/// protocol it serves.
#[test]
fn a_load_balancer_only_cloudfront_reaches() {
    // No certificate: port 80 from the list, and CloudFront speaks HTTP to its DNS name.
    let (mut stack, alb) = alb_stack(
        dev(),
        AlbOptions {
            ingress: Ingress::cloudfront(),
            ..AlbOptions::default()
        },
    );
    let origin = Origin::load_balancer(&alb);
    let site = files(&mut stack, "Site");
    Distribution::new(
        &mut stack,
        "Cdn",
        Behavior::new(Origin::bucket(&site)),
        DistributionOptions {
            behaviors: vec![PathBehavior::new("/api/*", Behavior::api(origin))],
            ..DistributionOptions::default()
        },
    );
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    let t = synth(stack);
    assert_eq!(
        ingress_rules(&t),
        [
            json!({"GroupId": {"Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"]}, "IpProtocol": "tcp",
                "SourcePrefixListId": "pl-a3a144ca", "FromPort": 80, "ToPort": 80,
                "Description": "HTTP 80 from CloudFront (pl-a3a144ca)"})
        ]
    );
    let config = distribution_config(&t);
    let api = &config["Origins"][1];
    assert_eq!(api["Id"], "LoadBalancer");
    assert_eq!(
        api["DomainName"],
        json!({"Fn::GetAtt": ["LoadBalancer", "DNSName"]})
    );
    assert_eq!(
        api["CustomOriginConfig"]["OriginProtocolPolicy"],
        "http-only"
    );

    // A domain: HTTPS (443 only, the list counts 55 of a group's 60 rules) at the domain.
    let domain = Domain {
        name: "api.example.com".into(),
        hosted_zone_id: "Z1".into(),
    };
    let (mut stack, alb) = alb_stack(
        Environment::new("dev", "us-east-1"),
        AlbOptions {
            ingress: Ingress::cloudfront(),
            domain: Some(domain),
            ..AlbOptions::default()
        },
    );
    let origin = Origin::load_balancer(&alb);
    Distribution::new(
        &mut stack,
        "Cdn",
        Behavior::api(origin),
        DistributionOptions::default(),
    );
    let t = synth(stack);
    let rules = ingress_rules(&t);
    assert_eq!(rules.len(), 1, "{rules:#?}");
    assert_eq!(rules[0]["SourcePrefixListId"], "pl-3b927c52");
    assert_eq!(
        (rules[0]["FromPort"].clone(), rules[0]["ToPort"].clone()),
        (json!(443), json!(443))
    );
    let api = &distribution_config(&t)["Origins"][0];
    assert_eq!(api["DomainName"], "api.example.com");
    assert_eq!(
        api["CustomOriginConfig"]["OriginProtocolPolicy"],
        "https-only"
    );

    // The default stays the internet.
    let (stack, _) = alb_stack(dev(), AlbOptions::default());
    let rules = ingress_rules(&synth(stack));
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["CidrIp"], "0.0.0.0/0");
}

/// A region the table lacks is an error naming the load balancer and how to find the id;
/// an id given explicitly is used there.
#[test]
fn the_cloudfront_prefix_list_of_a_region_outside_the_table_must_be_given() {
    let far = Environment::new("dev", "ap-east-2");
    let (stack, _) = alb_stack(
        far.clone(),
        AlbOptions {
            ingress: Ingress::cloudfront(),
            ..AlbOptions::default()
        },
    );
    assert_eq!(stack.errors().len(), 1);
    let error = stack.errors()[0].to_string();
    assert!(
        error.starts_with("web/LoadBalancer: no id of the prefix list com.amazonaws.global.cloudfront.origin-facing is known for ap-east-2")
            && error.contains("describe-managed-prefix-lists --region ap-east-2"),
        "{error}"
    );
    let (stack, _) = alb_stack(
        far,
        AlbOptions {
            ingress: Ingress::CloudFront {
                prefix_list_id: Some("pl-0123abcd".into()),
            },
            ..AlbOptions::default()
        },
    );
    assert!(stack.errors().is_empty(), "{:?}", stack.errors());
    assert_eq!(
        ingress_rules(&synth(stack))[0]["SourcePrefixListId"],
        "pl-0123abcd"
    );
}

/// The table: sorted, one id per region, ids shaped like prefix list ids, distinct.
#[test]
fn the_origin_facing_prefix_list_table_is_well_formed() {
    let regions: Vec<&str> = CLOUDFRONT_ORIGIN_FACING_IDS
        .iter()
        .map(|(r, _)| *r)
        .collect();
    let mut sorted = regions.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(regions, sorted, "sorted, each region once");
    let mut ids: Vec<&str> = CLOUDFRONT_ORIGIN_FACING_IDS
        .iter()
        .map(|(_, id)| *id)
        .collect();
    for id in &ids {
        let hex = id.strip_prefix("pl-").unwrap_or_else(|| panic!("{id}"));
        assert!(
            hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), regions.len(), "distinct ids");
    assert_eq!(
        cloudfront_origin_facing("eu-central-1"),
        Some("pl-a3a144ca")
    );
    assert_eq!(cloudfront_origin_facing("us-east-1"), Some("pl-3b927c52"));
    assert_eq!(cloudfront_origin_facing("mars-north-1"), None);
}
