//! The database settings resolved: the embedded SQLite file, or a MySQL/MariaDB URL with its
//! TLS mode, and the application user the services connect as.

use std::fmt;
use std::path::PathBuf;

use anyhow::{bail, Context};
use url::Url;

use super::mysql_tls::with_ssl;
use super::{Secret, SecretUrl, Settings};

/// Which database to use.
#[derive(Clone, Debug)]
pub enum DatabaseConfig {
    Sqlite {
        path: PathBuf,
    },
    MySql {
        /// With the credentials of MYSQL_USER: the administrator, who applies migrations.
        url: SecretUrl,
        /// The user the services connect as instead, provisioned by `migrate`.
        app_user: Option<AppUser>,
    },
}

/// The application's MySQL user (APP_MYSQL_USER): no administrator rights, only what the API
/// and the worker need.
#[derive(Clone, Debug)]
pub struct AppUser {
    pub name: String,
    pub password: Secret,
    /// The administrator's URL with this user's credentials instead.
    pub url: SecretUrl,
}

/// The longest user name MySQL 8 accepts (MariaDB allows more).
const MAX_USER_NAME: usize = 32;

impl DatabaseConfig {
    /// What the services (`api`, `worker`, `all`) connect with: the application user when
    /// one is configured, else the same as `migrate`.
    pub fn for_services(&self) -> DatabaseConfig {
        match self {
            Self::MySql {
                app_user: Some(user),
                ..
            } => Self::MySql {
                url: user.url.clone(),
                app_user: None,
            },
            other => other.clone(),
        }
    }
}

impl Settings {
    pub fn database(&self) -> anyhow::Result<DatabaseConfig> {
        if let Some(url) = &self.database_url {
            let raw = url.expose();
            if let Some(path) = raw
                .strip_prefix("sqlite://")
                .or(raw.strip_prefix("sqlite:"))
            {
                self.no_app_user_without_mysql()?;
                return Ok(DatabaseConfig::Sqlite { path: path.into() });
            }
            let parsed = Url::parse(raw)
                .with_context(|| format!("DATABASE_URL is not a valid URL: {url}"))?;
            if !matches!(parsed.scheme(), "mysql" | "mariadb") {
                bail!("DATABASE_URL must start with mysql:// or sqlite: (got {url})");
            }
            return self.mysql(parsed);
        }
        let Some(host) = &self.mysql_host else {
            self.no_app_user_without_mysql()?;
            return Ok(DatabaseConfig::Sqlite {
                path: self.data_dir.join("counter.db"),
            });
        };
        let mut url = Url::parse("mysql://localhost").expect("static URL parses");
        url.set_host(Some(host))
            .with_context(|| format!("MYSQL_HOST is not a valid host: {host}"))?;
        let _ = url.set_port(Some(self.mysql_port));
        let _ = url.set_username(&self.mysql_user);
        if let Some(password) = self
            .mysql_password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
        {
            let _ = url.set_password(Some(password.expose()));
        }
        url.set_path(&self.mysql_database);
        self.mysql(url)
    }

    /// The MySQL configuration of the administrator's `url`: its TLS mode as MYSQL_TLS /
    /// MYSQL_TLS_CA say, and the application user.
    fn mysql(&self, mut url: Url) -> anyhow::Result<DatabaseConfig> {
        if let Some(ssl) = self.mysql_ssl()? {
            url = with_ssl(url, ssl);
        }
        let app_user = self.app_user(&url)?;
        Ok(DatabaseConfig::MySql {
            url: SecretUrl::new(url.to_string()),
            app_user,
        })
    }

    fn app_user(&self, admin: &Url) -> anyhow::Result<Option<AppUser>> {
        let name = self.app_mysql_user.as_deref().filter(|n| !n.is_empty());
        let password = self
            .app_mysql_password
            .clone()
            .filter(|p| !p.expose().is_empty());
        let (name, password) = match (name, password) {
            (None, None) => return Ok(None),
            (None, Some(_)) => bail!("APP_MYSQL_PASSWORD is set but APP_MYSQL_USER is not"),
            (Some(name), None) => {
                bail!("APP_MYSQL_USER {name} needs a non-empty APP_MYSQL_PASSWORD")
            }
            (Some(name), Some(password)) => (name, password),
        };
        if name.chars().count() > MAX_USER_NAME || name.contains('\0') {
            bail!("APP_MYSQL_USER {name:?} is not a valid MySQL user name (at most {MAX_USER_NAME} characters)");
        }
        let mut url = admin.clone();
        url.set_username(name)
            .and_then(|()| url.set_password(Some(password.expose())))
            .map_err(|()| anyhow::anyhow!("cannot put APP_MYSQL_USER into the database URL"))?;
        // Both percent-encoded the same way, so comparable as they are.
        if url.username() == admin.username() {
            bail!("APP_MYSQL_USER {name} is the administrator (MYSQL_USER); name another user");
        }
        Ok(Some(AppUser {
            name: name.to_owned(),
            password,
            url: SecretUrl::new(url.to_string()),
        }))
    }

    fn no_app_user_without_mysql(&self) -> anyhow::Result<()> {
        if self
            .app_mysql_user
            .as_deref()
            .is_some_and(|n| !n.is_empty())
        {
            bail!("APP_MYSQL_USER needs a MySQL database (MYSQL_HOST or a mysql:// DATABASE_URL)");
        }
        Ok(())
    }
}

impl fmt::Display for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite ({})", path.display()),
            Self::MySql { url, app_user } => {
                write!(f, "mysql {url}")?;
                if let Some(user) = app_user {
                    write!(f, " (services as {})", user.name)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::settings;

    #[test]
    fn mysql_parts_build_a_url_whose_display_hides_the_password() {
        let s = settings(&[
            "--mysql-host",
            "db.internal",
            "--mysql-user",
            "app",
            "--mysql-password",
            "p@ss:w/rd",
            "--mysql-database",
            "counts",
        ]);
        let db = s.database().unwrap();
        let shown = format!("{db} {db:?} {s:?}");
        assert!(!shown.contains("p@ss"), "{shown}");
        let DatabaseConfig::MySql { url, .. } = db else {
            panic!("expected mysql")
        };
        let parsed = Url::parse(url.expose()).unwrap();
        assert_eq!(parsed.host_str(), Some("db.internal"));
        assert_eq!(parsed.username(), "app");
        assert_eq!(parsed.path(), "/counts");
    }

    #[test]
    fn bad_urls_are_rejected_without_echoing_secrets() {
        let s = settings(&["--database-url", "postgres://u:topsecret@h/db"]);
        let err = s.database().unwrap_err().to_string();
        assert!(err.contains("mysql://"), "{err}");
        assert!(!err.contains("topsecret"), "{err}");
    }
}
