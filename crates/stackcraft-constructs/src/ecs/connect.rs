//! Connecting a container to a service it uses (a cache, a database): the service hands over
//! its endpoint and credentials, the workload's contract names the environment variables it
//! reads them from. Neither side is typed twice.

use stackcraft_core::template::Expr;

use super::{Container, ContainerSecret};

/// Where a service is and how a client authenticates: what a handle such as
/// `elasticache::Redis` or `rds::Database` offers to [`Container::connect`].
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub host: Expr<String>,
    pub port: Expr<String>,
    /// The user name, from a secret (injected at start, never in the task definition).
    pub username: Option<ContainerSecret>,
    pub password: Option<ContainerSecret>,
    /// The service refuses clients without TLS.
    pub tls: bool,
}

/// A service a container can connect to.
pub trait Connectable {
    fn client_endpoint(&self) -> Endpoint;
}

/// The environment variables a workload reads a connection from, as its contract names them;
/// `None` for what it does not read (a workload that always uses TLS has no `tls`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionEnv {
    pub host: Option<&'static str>,
    pub port: Option<&'static str>,
    pub username: Option<&'static str>,
    pub password: Option<&'static str>,
    /// Set to `true` when the service requires TLS.
    pub tls: Option<&'static str>,
}

impl Container {
    /// Hands `service`'s endpoint to the container under the names of `env`: host and port as
    /// plain variables, credentials as secrets, `tls = true` where the service requires it.
    pub fn connect(mut self, service: &impl Connectable, env: &ConnectionEnv) -> Self {
        let endpoint = service.client_endpoint();
        if let Some(name) = env.host {
            self = self.env(name, endpoint.host);
        }
        if let Some(name) = env.port {
            self = self.env(name, endpoint.port);
        }
        if let (Some(name), true) = (env.tls, endpoint.tls) {
            self = self.env(name, "true");
        }
        for (name, secret) in [
            (env.username, endpoint.username),
            (env.password, endpoint.password),
        ] {
            if let (Some(name), Some(secret)) = (name, secret) {
                self = self.secret(name, secret);
            }
        }
        self
    }
}
