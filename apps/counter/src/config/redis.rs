//! The queue settings resolved: the embedded queue, or Redis nodes with TLS and credentials.

use std::fmt;
use std::path::PathBuf;

use anyhow::{bail, Context};
use url::Url;

use super::{Secret, SecretUrl, Settings};

/// Which queue to use.
#[derive(Clone, Debug)]
pub enum QueueConfig {
    Embedded {
        path: PathBuf,
    },
    Redis {
        /// `rediss://` URLs when TLS is on.
        nodes: Vec<SecretUrl>,
        cluster: bool,
        stream: String,
        /// Credentials that replace those inside the URLs.
        username: Option<String>,
        password: Option<Secret>,
        /// TLS: CA certificates to trust instead of the system's.
        tls_ca: Option<PathBuf>,
    },
}

impl Settings {
    pub fn queue(&self) -> anyhow::Result<QueueConfig> {
        let nodes: Vec<SecretUrl> = if let Some(url) = &self.redis_url {
            url.expose()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(SecretUrl::new)
                .collect()
        } else if let Some(host) = &self.redis_host {
            vec![SecretUrl::new(format!(
                "redis://{}:{}",
                bracket_ipv6(host),
                self.redis_port
            ))]
        } else {
            return Ok(QueueConfig::Embedded {
                path: self.data_dir.join("queue.db"),
            });
        };
        if nodes.is_empty() {
            bail!("REDIS_URL is set but names no node");
        }
        let mut urls = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let url = Url::parse(node.expose())
                .with_context(|| format!("REDIS_URL is not a valid URL: {node}"))?;
            if !matches!(url.scheme(), "redis" | "rediss") {
                bail!("REDIS_URL must start with redis:// or rediss:// (got {node})");
            }
            urls.push(url);
        }
        // One TLS setting for every node (a cluster cannot mix them): on when asked for by
        // REDIS_TLS, REDIS_TLS_CA or any `rediss://` URL.
        let tls = self.redis_tls
            || self.redis_tls_ca.is_some()
            || urls.iter().any(|u| u.scheme() == "rediss");
        let nodes = if tls {
            urls.into_iter()
                .map(|mut url| {
                    url.set_scheme("rediss")
                        .expect("redis:// and rediss:// are interchangeable");
                    SecretUrl::new(url.to_string())
                })
                .collect()
        } else {
            nodes
        };
        if self.redis_queue.is_empty() {
            bail!("REDIS_QUEUE must not be empty");
        }
        Ok(QueueConfig::Redis {
            nodes,
            cluster: self.redis_cluster,
            stream: self.redis_queue.clone(),
            username: self.redis_username.clone().filter(|u| !u.is_empty()),
            password: self
                .redis_password
                .clone()
                .filter(|p| !p.expose().is_empty()),
            tls_ca: self.redis_tls_ca.clone(),
        })
    }
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

impl fmt::Display for QueueConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded { path } => write!(f, "embedded ({})", path.display()),
            Self::Redis {
                nodes,
                cluster,
                stream,
                username,
                password,
                tls_ca,
            } => {
                let nodes: Vec<String> = nodes.iter().map(ToString::to_string).collect();
                let mode = if *cluster { "cluster" } else { "standalone" };
                write!(f, "redis {mode} {} stream {stream}", nodes.join(","))?;
                if password.is_some() {
                    let user = username.as_deref().unwrap_or("default");
                    write!(f, " auth {user}:***")?;
                }
                if let Some(ca) = tls_ca {
                    write!(f, " tls-ca {}", ca.display())?;
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
    fn redis_url_lists_cluster_nodes_and_is_redacted() {
        let s = settings(&[
            "--redis-url",
            "redis://:pw1@a:7000, redis://:pw1@b:7001",
            "--redis-cluster",
            "true",
        ]);
        let q = s.queue().unwrap();
        let shown = format!("{q} {q:?} {s:?}");
        assert!(!shown.contains("pw1"), "{shown}");
        let QueueConfig::Redis { nodes, cluster, .. } = q else {
            panic!("expected redis")
        };
        assert_eq!(nodes.len(), 2);
        assert!(cluster);
    }

    fn redis(args: &[&str]) -> (Vec<String>, Option<String>, Option<String>, Option<PathBuf>) {
        match settings(args).queue().unwrap() {
            QueueConfig::Redis {
                nodes,
                username,
                password,
                tls_ca,
                ..
            } => (
                nodes.iter().map(|n| n.expose().to_owned()).collect(),
                username,
                password.map(|p| p.expose().to_owned()),
                tls_ca,
            ),
            QueueConfig::Embedded { .. } => panic!("expected redis"),
        }
    }

    #[test]
    fn redis_tls_and_credentials_map_onto_the_nodes() {
        // The blueprint's settings: host, port, REDIS_TLS and the AUTH token.
        let (nodes, user, password, ca) = redis(&[
            "--redis-host",
            "master.cache.internal",
            "--redis-port",
            "6380",
            "--redis-tls",
            "true",
            "--redis-password",
            "t0ken",
        ]);
        assert_eq!(nodes, ["rediss://master.cache.internal:6380"]);
        assert_eq!((user, password, ca), (None, Some("t0ken".into()), None));

        // Without TLS the scheme stays; an empty password is no password.
        let (nodes, _, password, _) = redis(&[
            "--redis-host",
            "cache",
            "--redis-password",
            "",
            "--redis-tls",
            "no",
        ]);
        assert_eq!((nodes, password), (vec!["redis://cache:6379".into()], None));

        // TLS for every cluster seed, from one rediss:// URL or from REDIS_TLS; a CA implies TLS.
        let (nodes, ..) = redis(&["--redis-url", "rediss://:pw@a:7000,redis://:pw@b:7001"]);
        assert_eq!(nodes, ["rediss://:pw@a:7000", "rediss://:pw@b:7001"]);
        let (nodes, user, _, ca) = redis(&[
            "--redis-url",
            "redis://a:7000",
            "--redis-tls-ca",
            "/ca.pem",
            "--redis-username",
            "app",
        ]);
        assert_eq!(nodes, ["rediss://a:7000"]);
        assert_eq!((user, ca), (Some("app".into()), Some("/ca.pem".into())));
    }

    #[test]
    fn redis_password_is_never_shown() {
        let s = settings(&["--redis-host", "cache", "--redis-password", "hunter2-token"]);
        let q = s.queue().unwrap();
        let shown = format!("{q} {q:?} {s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("auth default:***"), "{shown}");
    }
}
