//! The settings of the webshop, as `stackcraft.toml` writes them; every field has a default.

use moderation::contract;
use serde::Deserialize;

use crate::Context;
use stackcraft_config::ConfigError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    /// Availability zones (default 2, the seed's; set 3 where prod should span three).
    #[serde(default = "two")]
    pub zones: u8,
    /// NAT gateways (default: one per zone where the environment is highly available, one
    /// otherwise).
    pub nat_gateways: Option<u8>,
    /// IPv4 ranges allowed to SSH into the bastion (default none: Session Manager only).
    #[serde(default)]
    pub ssh_from: Vec<String>,
    /// The Magento Open Source version installed (`magento/project-community-edition`).
    #[serde(default = "default_magento_version")]
    pub magento_version: String,
    /// The PHP version of Amazon Linux 2023's packages (`8.3` → `php8.3-fpm`...).
    #[serde(default = "default_php_version")]
    pub php_version: String,
    /// Where Composer fetches Magento's packages (default: the Mage-OS mirror of
    /// repo.magento.com, which needs no access keys).
    #[serde(default = "default_composer_repository")]
    pub composer_repository: String,
    /// The admin panel's path (`/admin`); CloudFront never caches it.
    #[serde(default = "default_admin_path")]
    pub admin_path: String,
    /// The admin user's email address (its name and password are generated in Secrets Manager).
    #[serde(default = "default_admin_email")]
    pub admin_email: String,
    /// Serve the shop at this domain (default: the distribution's `*.cloudfront.net` name).
    pub domain: Option<Domain>,
    /// A WAF web ACL (ARN, scope CLOUDFRONT, in `us-east-1`) in front of the shop (default:
    /// none).
    pub web_acl_arn: Option<String>,
    /// Who is mailed when an alarm fires.
    pub alarm_email: Option<String>,
    #[serde(default)]
    pub web: Web,
    #[serde(default)]
    pub database: Database,
    #[serde(default)]
    pub moderation: Moderation,
    #[serde(default)]
    pub image_builder: ImageBuilder,
}

/// A domain in a Route 53 hosted zone of the account, with CloudFront's certificate for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Domain {
    pub name: String,
    pub hosted_zone_id: String,
    /// An ACM certificate of `us-east-1` for the name (CloudFront takes no other); created
    /// when absent and the stack is in `us-east-1`.
    pub certificate_arn: Option<String>,
}

/// The web servers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Web {
    #[serde(default = "default_instance_type")]
    pub instance_type: String,
    /// Servers at least.
    #[serde(default = "one")]
    pub min: u32,
    /// Servers at most (default: twice the desired count).
    pub max: Option<u32>,
    /// Root volume (encrypted gp3) in GiB.
    #[serde(default = "default_volume")]
    pub volume_gib: u32,
    /// `GET` of this path must answer 200 (Magento's own check of its database).
    #[serde(default = "default_health_path")]
    pub health_path: String,
    /// Average CPU (percent) the group scales to keep.
    #[serde(default = "default_cpu_target")]
    pub cpu_target: u32,
    /// Requests per server per minute the group scales to keep.
    #[serde(default = "default_requests")]
    pub requests_per_server: u32,
}

impl Default for Web {
    fn default() -> Self {
        Web {
            instance_type: default_instance_type(),
            min: 1,
            max: None,
            volume_gib: default_volume(),
            health_path: default_health_path(),
            cpu_target: default_cpu_target(),
            requests_per_server: default_requests(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Database {
    /// Default `db.t4g.micro`; `db.t4g.medium` where the environment is highly available.
    pub instance_class: Option<String>,
    /// Days of automated backups (default: 14 where protected, 1 otherwise).
    pub backup_days: Option<u32>,
}

/// The content moderation of uploaded media.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Moderation {
    /// 0–100: labels Rekognition is less sure of do not count.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f32,
    /// The labels (of any level of Rekognition's moderation taxonomy) that make an object
    /// inappropriate.
    #[serde(default = "default_labels")]
    pub labels: Vec<String>,
    /// Check videos too (Rekognition Video, completion through SNS).
    #[serde(default = "yes")]
    pub videos: bool,
    /// Check only keys under this prefix (default: the whole bucket).
    #[serde(default)]
    pub prefix: String,
}

impl Default for Moderation {
    fn default() -> Self {
        Moderation {
            min_confidence: default_min_confidence(),
            labels: default_labels(),
            videos: true,
            prefix: String::new(),
        }
    }
}

/// The seed's fix for application files that differ between servers: bake them into an image.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImageBuilder {
    /// Build the web servers' image with EC2 Image Builder and refresh the servers onto each
    /// new image (default: off; the servers install Magento at first boot).
    #[serde(default)]
    pub enabled: bool,
    /// When to rebuild (Image Builder cron, UTC), if the parent image or the steps changed.
    #[serde(default = "default_schedule")]
    pub schedule: String,
    /// The build instance's type.
    #[serde(default = "default_build_instance")]
    pub instance_type: String,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        ImageBuilder {
            enabled: false,
            schedule: default_schedule(),
            instance_type: default_build_instance(),
        }
    }
}

impl Settings {
    /// Checks what the types cannot say, each error at the line of its key.
    pub fn validate(&self, ctx: &Context) -> Result<(), ConfigError> {
        let version = &self.magento_version;
        let (base, patch) = version.split_once("-p").unwrap_or((version, "0"));
        let numbers: Vec<&str> = base.split('.').collect();
        if numbers.len() != 3 || !numbers.iter().chain([&patch]).all(|n| is_number(n)) {
            return Err(ctx.setting_error(
                "magento_version",
                format!("{version:?} is not a Magento version such as \"2.4.8\" or \"2.4.7-p5\""),
            ));
        }
        if !matches!(self.php_version.split_once('.'), Some((major, minor)) if is_number(major) && is_number(minor))
        {
            return Err(ctx.setting_error(
                "php_version",
                format!(
                    "{:?} is not a PHP version such as \"8.3\"",
                    self.php_version
                ),
            ));
        }
        if self.admin_path.is_empty()
            || !self
                .admin_path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(ctx.setting_error(
                "admin_path",
                format!(
                    "{:?}: Magento's admin path is letters, digits and '_' only",
                    self.admin_path
                ),
            ));
        }
        for cidr in &self.ssh_from {
            if !is_ipv4_cidr(cidr) {
                return Err(ctx.setting_error(
                    "ssh_from",
                    format!("{cidr:?} is not an IPv4 range such as 203.0.113.0/24"),
                ));
            }
            if cidr.ends_with("/0") {
                return Err(ctx.setting_error(
                    "ssh_from",
                    "SSH from the whole internet is refused: name the operators' ranges, or leave it empty for Session Manager",
                ));
            }
        }
        if !(0.0..=100.0).contains(&self.moderation.min_confidence) {
            return Err(ctx.setting_error(
                "moderation.min_confidence",
                format!("{} is not from 0 to 100", self.moderation.min_confidence),
            ));
        }
        if self.moderation.labels.is_empty() {
            return Err(ctx.setting_error(
                "moderation.labels",
                "name at least one label, or nothing is ever inappropriate",
            ));
        }
        if let Some(label) = self
            .moderation
            .labels
            .iter()
            .find(|l| l.contains(',') || l.trim().is_empty())
        {
            return Err(ctx.setting_error(
                "moderation.labels",
                format!("{label:?}: a label is a non-empty name without ','"),
            ));
        }
        if self.moderation.prefix.starts_with('/') {
            return Err(ctx.setting_error(
                "moderation.prefix",
                "S3 keys do not start with '/': write \"media/\", not \"/media/\"",
            ));
        }
        if self.web.cpu_target == 0 || self.web.cpu_target > 100 {
            return Err(ctx.setting_error(
                "web.cpu_target",
                format!("{}% is not a CPU target from 1 to 100", self.web.cpu_target),
            ));
        }
        Ok(())
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

fn is_ipv4_cidr(cidr: &str) -> bool {
    let Some((ip, prefix)) = cidr.split_once('/') else {
        return false;
    };
    let octets: Vec<&str> = ip.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| o.parse::<u8>().is_ok())
        && prefix.parse::<u8>().is_ok_and(|p| p <= 32)
}

fn two() -> u8 {
    2
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

fn default_magento_version() -> String {
    "2.4.8".to_owned()
}

fn default_php_version() -> String {
    "8.3".to_owned()
}

fn default_composer_repository() -> String {
    "https://mirror.mage-os.org/".to_owned()
}

fn default_admin_path() -> String {
    "admin".to_owned()
}

fn default_admin_email() -> String {
    "admin@example.com".to_owned()
}

fn default_instance_type() -> String {
    // Magento's PHP-FPM workers and compilation want 4 GiB.
    "t3.medium".to_owned()
}

fn default_volume() -> u32 {
    30
}

fn default_health_path() -> String {
    "/health_check.php".to_owned()
}

fn default_cpu_target() -> u32 {
    60
}

fn default_requests() -> u32 {
    1000
}

fn default_min_confidence() -> f32 {
    contract::DEFAULT_MIN_CONFIDENCE
}

fn default_labels() -> Vec<String> {
    contract::DEFAULT_INAPPROPRIATE_LABELS
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

fn default_schedule() -> String {
    "cron(0 3 ? * sun *)".to_owned()
}

fn default_build_instance() -> String {
    "t3.large".to_owned()
}
