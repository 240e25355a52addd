//! TLS to MySQL: MYSQL_TLS / MYSQL_TLS_CA as the URL's `ssl-mode` / `ssl-ca`.

use anyhow::{bail, Context};
use url::Url;

use super::Settings;

impl Settings {
    /// The `ssl-mode` (and `ssl-ca`) that MYSQL_TLS / MYSQL_TLS_CA ask for; `None` leaves the
    /// URL's own choice (sqlx's default: PREFERRED, TLS when the server offers it).
    pub(super) fn mysql_ssl(&self) -> anyhow::Result<Option<(&'static str, Option<String>)>> {
        Ok(match (self.mysql_tls, &self.mysql_tls_ca) {
            (Some(false), Some(_)) => bail!("MYSQL_TLS_CA is set but MYSQL_TLS is false"),
            (Some(false), None) => Some(("DISABLED", None)),
            (_, Some(ca)) => {
                let ca = ca
                    .to_str()
                    .context("MYSQL_TLS_CA must be a UTF-8 path")?
                    .to_owned();
                Some(("VERIFY_IDENTITY", Some(ca)))
            }
            (Some(true), None) => Some(("REQUIRED", None)),
            (None, None) => None,
        })
    }
}

/// `url` with its `ssl-mode` / `ssl-ca` (in any of sqlx's spellings) replaced by `ssl`.
pub(super) fn with_ssl(mut url: Url, (mode, ca): (&str, Option<String>)) -> Url {
    const SSL_KEYS: [&str; 4] = ["ssl-mode", "sslmode", "ssl-ca", "sslca"];
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| !SSL_KEYS.contains(&key.as_ref()))
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = url.query_pairs_mut();
        query
            .clear()
            .extend_pairs(kept)
            .append_pair("ssl-mode", mode);
        if let Some(ca) = ca {
            query.append_pair("ssl-ca", &ca);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use crate::config::tests::settings;
    use crate::config::DatabaseConfig;

    /// The sqlx `MySqlSslMode` (as its `Debug` name) the settings produce, and the URL.
    fn ssl_mode(args: &[&str]) -> (String, String) {
        use sqlx::mysql::MySqlConnectOptions;
        let DatabaseConfig::MySql { url, .. } = settings(args).database().unwrap() else {
            panic!("expected mysql")
        };
        let options = MySqlConnectOptions::from_str(url.expose()).expect("sqlx parses the url");
        let mode = format!("{:?}", options.get_ssl_mode());
        (mode, url.expose().to_owned())
    }

    #[test]
    fn mysql_tls_settings_map_to_ssl_modes() {
        let host = ["--mysql-host", "db", "--mysql-password", "pw"];
        // Unset: sqlx's default, TLS when the server offers it.
        assert_eq!(ssl_mode(&host).0, "Preferred");
        assert_eq!(
            ssl_mode(&[&host[..], &["--mysql-tls", "true"]].concat()).0,
            "Required"
        );
        assert_eq!(
            ssl_mode(&[&host[..], &["--mysql-tls", "false"]].concat()).0,
            "Disabled"
        );
        let (mode, url) = ssl_mode(&[&host[..], &["--mysql-tls-ca", "/rds bundle.pem"]].concat());
        assert_eq!(mode, "VerifyIdentity");
        assert!(url.contains("ssl-ca=%2Frds+bundle.pem"), "{url}");

        // DATABASE_URL's own ssl-mode is honoured, and MYSQL_TLS replaces it.
        let url = [
            "--database-url",
            "mysql://u:pw@db/counter?ssl-mode=REQUIRED",
        ];
        assert_eq!(ssl_mode(&url).0, "Required");
        let (mode, shown) = ssl_mode(&[&url[..], &["--mysql-tls", "0"]].concat());
        assert_eq!(mode, "Disabled");
        assert_eq!(shown, "mysql://u:pw@db/counter?ssl-mode=DISABLED");
        let url = [
            "--database-url",
            "mysql://u@db/counter?sslmode=disabled&charset=utf8mb4",
        ];
        let (mode, shown) = ssl_mode(&[&url[..], &["--mysql-tls", "yes"]].concat());
        assert_eq!(mode, "Required");
        assert_eq!(
            shown,
            "mysql://u@db/counter?charset=utf8mb4&ssl-mode=REQUIRED"
        );

        // A CA with TLS turned off is a contradiction, not a guess.
        let s = settings(
            &[
                &host[..],
                &["--mysql-tls", "false", "--mysql-tls-ca", "/ca"],
            ]
            .concat(),
        );
        assert!(s.database().is_err());
    }
}
