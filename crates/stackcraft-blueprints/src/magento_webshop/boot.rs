//! The web servers' scripts: what Magento needs installed (run at first boot, or baked into the
//! image by the image pipeline: one list of steps for both), and what each server configures
//! at boot from the stack — the database secret, the media bucket, the shop's address — read
//! then, never written into the image or the template.

use stackcraft_constructs::ec2::UserData;
use stackcraft_core::template::{sub_with, Expr};

/// Where Magento lives on the servers.
pub(super) const MAGENTO_ROOT: &str = "/var/www/magento";
/// The file a server's boot reads the stack's values from (names and ARNs, no secret).
const STACK_ENV: &str = "/etc/magento/stack.env";

/// What is installed, and from where.
#[derive(Clone, Debug)]
pub(super) struct Install<'a> {
    pub magento_version: &'a str,
    pub php_version: &'a str,
    /// The Composer repository Magento's packages come from.
    pub composer_repository: &'a str,
}

/// What a server reads at boot: ARNs and names (values are fetched from Secrets Manager).
pub(super) struct Boot {
    pub region: Expr<String>,
    pub db_host: Expr<String>,
    pub db_name: String,
    pub db_secret_arn: Expr<String>,
    pub crypt_key_arn: Expr<String>,
    pub admin_secret_arn: Expr<String>,
    pub admin_path: String,
    pub admin_email: String,
    pub media_bucket: Expr<String>,
    /// `https://.../` — where shoppers reach the shop (CloudFront, or the domain).
    pub base_url: Expr<String>,
}

/// The installation, as shell commands that can run again: the packages (nginx, PHP-FPM with
/// Magento's extensions, the MySQL client), Composer (installer checked against its published
/// signature), Magento's code, compiled and with its static files deployed. Nothing here
/// depends on the stack, so an image baked from these steps serves any environment.
pub(super) fn install_steps(install: &Install) -> Vec<String> {
    let php = format!("php{}", install.php_version);
    let extensions = [
        "fpm", "cli", "mysqlnd", "pdo", "bcmath", "gd", "intl", "mbstring", "soap", "xml",
        "opcache", "sodium", "process", "devel",
    ];
    let packages: Vec<String> = extensions.iter().map(|e| format!("{php}-{e}")).collect();
    let version = install.magento_version;
    let marker = format!("{MAGENTO_ROOT}/.installed-{version}");
    vec![
        format!("if [ -e {marker} ]; then echo 'Magento {version} is installed'; else"),
        format!(
            "dnf install -y nginx {} php-pear libzip-devel gcc make mariadb105 jq unzip cronie",
            packages.join(" ")
        ),
        // Amazon Linux packages no zip extension; Magento needs it (PECL builds it).
        "php -m | grep -qx zip || { printf '\\n' | pecl install zip && echo 'extension=zip.so' > /etc/php.d/40-zip.ini; }".to_owned(),
        "SETUP=$(mktemp --suffix=.php)".to_owned(),
        "EXPECTED=$(curl -fsSL https://composer.github.io/installer.sig)".to_owned(),
        "curl -fsSL -o \"$SETUP\" https://getcomposer.org/installer".to_owned(),
        "echo \"$EXPECTED  $SETUP\" | sha384sum -c -".to_owned(),
        "php \"$SETUP\" --2 --install-dir=/usr/local/bin --filename=composer".to_owned(),
        "rm \"$SETUP\"".to_owned(),
        "export COMPOSER_HOME=/var/lib/composer COMPOSER_ALLOW_SUPERUSER=1".to_owned(),
        format!(
            "rm -rf {MAGENTO_ROOT} && composer create-project --no-interaction --no-dev --repository-url={} magento/project-community-edition={version} {MAGENTO_ROOT}",
            install.composer_repository
        ),
        format!("cd {MAGENTO_ROOT}"),
        "php bin/magento module:enable --all".to_owned(),
        "php bin/magento setup:di:compile".to_owned(),
        "php bin/magento setup:static-content:deploy -f".to_owned(),
        format!("chown -R nginx:nginx {MAGENTO_ROOT}"),
        // PHP-FPM runs Magento as nginx, on a socket nginx alone may use.
        "sed -i 's/^user = .*/user = nginx/; s/^group = .*/group = nginx/; s|^listen = .*|listen = /run/php-fpm/magento.sock|; s/^;*listen.owner = .*/listen.owner = nginx/; s/^;*listen.group = .*/listen.group = nginx/' /etc/php-fpm.d/www.conf".to_owned(),
        "sed -i 's/^memory_limit = .*/memory_limit = 2G/; s/^;*realpath_cache_size = .*/realpath_cache_size = 10M/' /etc/php.ini".to_owned(),
        "cat > /etc/nginx/conf.d/magento.conf <<'NGINX'".to_owned(),
        "upstream fastcgi_backend { server unix:/run/php-fpm/magento.sock; }".to_owned(),
        "server {".to_owned(),
        "  listen 80 default_server;".to_owned(),
        "  server_name _;".to_owned(),
        format!("  set $MAGE_ROOT {MAGENTO_ROOT};"),
        format!("  include {MAGENTO_ROOT}/nginx.conf.sample;"),
        "}".to_owned(),
        "NGINX".to_owned(),
        // The distribution's default server would answer the health check instead.
        "sed -i '/^    server {/,/^    }/d' /etc/nginx/nginx.conf".to_owned(),
        format!("touch {marker}"),
        "fi".to_owned(),
    ]
}

/// What the image pipeline checks before it takes an image.
pub(super) fn validate_steps() -> Vec<String> {
    vec![
        "nginx -t".to_owned(),
        "php-fpm -t".to_owned(),
        format!("php {MAGENTO_ROOT}/bin/magento --version"),
        "php -m | grep -qx zip".to_owned(),
    ]
}

/// The boot script: hardened, the installation where the image does not have it already,
/// then the stack's values into [`STACK_ENV`] and [`configure_steps`].
pub(super) fn user_data(install: &Install, boot: &Boot) -> UserData {
    let mut script = UserData::hardened();
    for line in install_steps(install) {
        script = script.line(line);
    }
    let values = [
        ("REGION", boot.region.clone()),
        ("DB_HOST", boot.db_host.clone()),
        ("DB_NAME", Expr::from(boot.db_name.as_str())),
        ("DB_SECRET_ARN", boot.db_secret_arn.clone()),
        ("CRYPT_KEY_ARN", boot.crypt_key_arn.clone()),
        ("ADMIN_SECRET_ARN", boot.admin_secret_arn.clone()),
        ("ADMIN_PATH", Expr::from(boot.admin_path.as_str())),
        ("ADMIN_EMAIL", Expr::from(boot.admin_email.as_str())),
        ("MEDIA_BUCKET", boot.media_bucket.clone()),
        ("BASE_URL", boot.base_url.clone()),
    ];
    script = script
        .line("mkdir -p /etc/magento")
        .line(format!("cat > {STACK_ENV} <<'STACK'"));
    for (name, value) in values {
        script = script.line(sub_with(format!("{name}=${{Value}}"), [("Value", value)]));
    }
    script = script.line("STACK");
    for line in configure_steps() {
        script = script.line(line);
    }
    script
}

/// Reads the secrets with the instance's role, then either installs Magento's database (the
/// first server: a row in a one-row table decides, atomically) or waits for it and only writes
/// its own `env.php`. Every server gets the same encryption key, sessions in the database (any
/// server answers any shopper), media in the bucket (Magento's remote storage, with the
/// instance's credentials), and the TLS connection to MySQL that the database requires.
pub(super) fn configure_steps() -> Vec<String> {
    let secret = |var: &str, arn: &str| {
        format!("{var}=$(aws secretsmanager get-secret-value --region \"$REGION\" --secret-id \"${arn}\" --query SecretString --output text)")
    };
    vec![
        format!("set -a; . {STACK_ENV}; set +a"),
        secret("DB_SECRET", "DB_SECRET_ARN"),
        "DB_USER=$(jq -r .username <<<\"$DB_SECRET\"); DB_PASSWORD=$(jq -r .password <<<\"$DB_SECRET\")".to_owned(),
        secret("CRYPT_KEY", "CRYPT_KEY_ARN"),
        secret("ADMIN_SECRET", "ADMIN_SECRET_ARN"),
        "ADMIN_USER=$(jq -r .username <<<\"$ADMIN_SECRET\"); ADMIN_PASSWORD=$(jq -r .password <<<\"$ADMIN_SECRET\")".to_owned(),
        "curl -fsSL -o /etc/magento/rds-ca.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem".to_owned(),
        // The client reads the password from a file only root can read, not its command line.
        "umask 077; printf '[client]\\nhost=%s\\nuser=%s\\npassword=%s\\nssl-ca=/etc/magento/rds-ca.pem\\nssl-verify-server-cert\\n' \"$DB_HOST\" \"$DB_USER\" \"$DB_PASSWORD\" > /etc/magento/client.cnf; umask 022".to_owned(),
        "db() { mysql --defaults-extra-file=/etc/magento/client.cnf \"$@\"; }".to_owned(),
        "until db -e 'SELECT 1' \"$DB_NAME\"; do sleep 10; done".to_owned(),
        format!("cd {MAGENTO_ROOT}"),
        "COMMON=(--db-host=\"$DB_HOST\" --db-name=\"$DB_NAME\" --db-user=\"$DB_USER\" --db-password=\"$DB_PASSWORD\" --db-ssl-ca=/etc/magento/rds-ca.pem --db-ssl-verify --key=\"$CRYPT_KEY\" --session-save=db --backend-frontname=\"$ADMIN_PATH\" --remote-storage-driver=aws-s3 --remote-storage-bucket=\"$MEDIA_BUCKET\" --remote-storage-region=\"$REGION\")".to_owned(),
        "db \"$DB_NAME\" -e 'CREATE TABLE IF NOT EXISTS stackcraft_setup (id INT PRIMARY KEY, done BOOL NOT NULL DEFAULT FALSE)'".to_owned(),
        "if db \"$DB_NAME\" -e 'INSERT INTO stackcraft_setup (id) VALUES (1)' 2>/dev/null; then".to_owned(),
        "  sudo -u nginx php bin/magento setup:install \"${COMMON[@]}\" --base-url=\"$BASE_URL\" --base-url-secure=\"$BASE_URL\" --use-secure=1 --use-secure-admin=1 --use-rewrites=1 --admin-user=\"$ADMIN_USER\" --admin-password=\"$ADMIN_PASSWORD\" --admin-email=\"$ADMIN_EMAIL\" --admin-firstname=Shop --admin-lastname=Admin --disable-modules=Magento_OpenSearch,Magento_Elasticsearch8,Magento_InventoryElasticsearch,Magento_AdminAdobeImsTwoFactorAuth,Magento_TwoFactorAuth".to_owned(),
        // CloudFront speaks HTTPS to shoppers and says so in this header.
        "  sudo -u nginx php bin/magento config:set web/secure/offloader_header CloudFront-Forwarded-Proto".to_owned(),
        "  sudo -u nginx php bin/magento deploy:mode:set production --skip-compilation".to_owned(),
        "  db \"$DB_NAME\" -e 'UPDATE stackcraft_setup SET done = TRUE'".to_owned(),
        "else".to_owned(),
        "  until [ \"$(db -N \"$DB_NAME\" -e 'SELECT done FROM stackcraft_setup')\" = 1 ]; do sleep 15; done".to_owned(),
        "  sudo -u nginx php bin/magento setup:config:set --no-interaction \"${COMMON[@]}\"".to_owned(),
        "  sudo -u nginx php bin/magento deploy:mode:set production --skip-compilation".to_owned(),
        "fi".to_owned(),
        "unset DB_SECRET DB_PASSWORD CRYPT_KEY ADMIN_SECRET ADMIN_PASSWORD".to_owned(),
        "echo '* * * * * nginx php /var/www/magento/bin/magento cron:run >> /var/log/magento-cron.log 2>&1' > /etc/cron.d/magento".to_owned(),
        "systemctl enable --now php-fpm nginx crond".to_owned(),
    ]
}
