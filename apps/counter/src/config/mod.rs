//! Settings from the environment (the seed's variable names, from the contract crate) with
//! command-line overrides, resolved into the backends to use. Secrets never reach `Debug` or
//! the logs.
//!
//! `settings` declares the flags; `redis`, `mysql` and `worker` turn them into what the queue,
//! the database and the worker loop need; `secret` keeps passwords out of sight.

mod mysql;
mod mysql_tls;
mod redis;
mod secret;
mod settings;
mod worker;

pub use mysql::{AppUser, DatabaseConfig};
pub use redis::QueueConfig;
pub use secret::{redact_url, Secret, SecretUrl};
pub use settings::{LogFormat, Settings};
pub use worker::{QueueDepthMetricConfig, WorkerConfig};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    /// The settings `args` give (no environment variable is read in these tests' names).
    pub(crate) fn settings(args: &[&str]) -> Settings {
        let mut argv = vec!["counter"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("arguments parse").settings
    }

    #[test]
    fn no_service_settings_mean_embedded_backends() {
        let s = settings(&["--data-dir", "some/dir"]);
        assert!(matches!(s.queue().unwrap(), QueueConfig::Embedded { .. }));
        assert!(matches!(
            s.database().unwrap(),
            DatabaseConfig::Sqlite { .. }
        ));
    }
}
