//! `site-certificate`: the web page's certificate, in `us-east-1` (the only region CloudFront
//! takes certificates from), validated through DNS, and its ARN in an SSM parameter that the
//! app stack of `for_environment` reads from its own region at deploy time.

use stackcraft_config::ConfigError;
use stackcraft_constructs::acm::Certificate;
use stackcraft_constructs::ssm;
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

stackcraft_config::settings! {
    #[derive(Debug)]
    struct Settings {
        /// The environment whose app stack serves the page at `domain`.
        for_environment: String,
        /// The page's domain.
        domain: super::DomainSettings,
    }
}

pub const SITE_CERTIFICATE: Blueprint = Blueprint {
    name: "site-certificate",
    summary: "A web page's CloudFront certificate in us-east-1, validated by DNS, handed to the app stack of another region",
    stack: "web-certificate",
    workloads: &[],
    settings: Blueprint::settings_of::<Settings>,
    build,
};

fn build(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let cfg: Settings = ctx.settings()?;
    if stack.env().region != "us-east-1" {
        return Err(ctx.setting_error(
            "domain",
            format!(
                "a CloudFront certificate must be made in us-east-1; environment {} is in {}: give this stack an environment of us-east-1",
                ctx.env,
                stack.env().region
            ),
        ));
    }
    if !ctx.config.environments.contains_key(&cfg.for_environment) {
        return Err(ctx.setting_error(
            "for_environment",
            format!(
                "{:?} is not an environment of this file",
                cfg.for_environment
            ),
        ));
    }
    if stack.description().is_none() {
        stack.describe("Web page certificate for CloudFront (us-east-1)");
    }
    let certificate = Certificate::new(stack, "SiteCertificate", &cfg.domain.domain());
    let name = super::site_certificate_parameter(&ctx.config.project.name, &cfg.for_environment);
    ssm::publish(
        stack,
        "SiteCertificateParameter",
        &name,
        certificate.arn(),
        "ARN of the web page's certificate, read by the app stack in its own region",
    );
    stack.output("CertificateArn", certificate.arn());
    Ok(())
}
