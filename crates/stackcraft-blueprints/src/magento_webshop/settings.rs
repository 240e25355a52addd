//! The settings of the webshop, as `stackcraft.toml` writes them; every field has a default.

use moderation::contract;

use crate::Context;
use stackcraft_config::ConfigError;

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Settings {
        /// Availability zones (default 2, the seed's; set 3 where prod should span three).
        pub zones: u8 = 2,
        /// NAT gateways (default: one per zone where the environment is highly available, one
        /// otherwise).
        pub nat_gateways: Option<u8>,
        /// IPv4 ranges allowed to SSH into the bastion (default none: Session Manager only).
        pub ssh_from: Vec<String> = Vec::new(),
        /// The Magento Open Source version installed (`magento/project-community-edition`).
        pub magento_version: String = "2.4.8".to_owned(),
        /// The PHP version of Amazon Linux 2023's packages (`8.3` → `php8.3-fpm`...).
        pub php_version: String = "8.3".to_owned(),
        /// Where Composer fetches Magento's packages (default: the Mage-OS mirror of
        /// repo.magento.com, which needs no access keys).
        pub composer_repository: String = "https://mirror.mage-os.org/".to_owned(),
        /// The admin panel's path (`/admin`); CloudFront never caches it.
        pub admin_path: String = "admin".to_owned(),
        /// The admin user's email address (its name and password are generated in Secrets
        /// Manager).
        pub admin_email: String = "admin@example.com".to_owned(),
        /// Serve the shop at this domain (default: the distribution's `*.cloudfront.net` name).
        pub domain: Option<Domain>,
        /// A WAF web ACL (ARN, scope CLOUDFRONT, in `us-east-1`) in front of the shop (default:
        /// none).
        pub web_acl_arn: Option<String>,
        /// Who is mailed when an alarm fires.
        pub alarm_email: Option<String>,
        /// The web servers.
        pub web: Web,
        /// The MySQL database.
        pub database: Database,
        /// The content moderation of uploaded media.
        pub moderation: Moderation,
        /// The seed's fix for application files that differ between servers: bake them into
        /// an image.
        pub image_builder: ImageBuilder,
    }
}

stackcraft_config::settings! {
    /// A domain in a Route 53 hosted zone of the account, with CloudFront's certificate for it.
    #[derive(Debug)]
    pub(super) struct Domain {
        /// The domain name.
        pub name: String,
        /// The Route 53 hosted zone that holds it.
        pub hosted_zone_id: String,
        /// An ACM certificate of `us-east-1` for the name (CloudFront takes no other); created
        /// when absent and the stack is in `us-east-1`.
        pub certificate_arn: Option<String>,
    }
}

stackcraft_config::settings! {
    /// The web servers.
    #[derive(Debug)]
    pub(super) struct Web {
        /// The EC2 instance type (Magento's PHP-FPM workers and compilation want 4 GiB).
        pub instance_type: String = "t3.medium".to_owned(),
        /// Servers at least.
        pub min: u32 = 1,
        /// Servers at most (default: twice the desired count).
        pub max: Option<u32>,
        /// Root volume (encrypted gp3) in GiB.
        pub volume_gib: u32 = 30,
        /// `GET` of this path must answer 200 (Magento's own check of its database).
        pub health_path: String = "/health_check.php".to_owned(),
        /// Average CPU (percent) the group scales to keep.
        pub cpu_target: u32 = 60,
        /// Requests per server per minute the group scales to keep.
        pub requests_per_server: u32 = 1000,
    }
}

stackcraft_config::settings! {
    #[derive(Debug)]
    pub(super) struct Database {
        /// The instance class (default `db.t4g.micro`; `db.t4g.medium` where the environment
        /// is highly available).
        pub instance_class: Option<String>,
        /// Days of automated backups (default: 14 where protected, 1 otherwise).
        pub backup_days: Option<u32>,
    }
}

stackcraft_config::settings! {
    /// The content moderation of uploaded media.
    #[derive(Debug)]
    pub(super) struct Moderation {
        /// 0–100: labels Rekognition is less sure of do not count.
        pub min_confidence: f32 = contract::DEFAULT_MIN_CONFIDENCE,
        /// The labels (of any level of Rekognition's moderation taxonomy) that make an object
        /// inappropriate.
        pub labels: Vec<String> = contract::DEFAULT_INAPPROPRIATE_LABELS
            .iter()
            .map(|l| (*l).to_owned())
            .collect(),
        /// Check videos too (Rekognition Video, completion through SNS).
        pub videos: bool = true,
        /// Check only keys under this prefix (default: the whole bucket).
        pub prefix: String = String::new(),
    }
}

stackcraft_config::settings! {
    /// The seed's fix for application files that differ between servers: bake them into an
    /// image.
    #[derive(Debug)]
    pub(super) struct ImageBuilder {
        /// Build the web servers' image with EC2 Image Builder and refresh the servers onto
        /// each new image (default: off; the servers install Magento at first boot).
        pub enabled: bool = false,
        /// When to rebuild (Image Builder cron, UTC), if the parent image or the steps changed.
        pub schedule: String = "cron(0 3 ? * sun *)".to_owned(),
        /// The build instance's type.
        pub instance_type: String = "t3.large".to_owned(),
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
            if cidr.parse::<stackcraft_core::Ipv4Cidr>().is_err() {
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
