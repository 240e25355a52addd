//! The command line: a subcommand (the role) and the settings every role shares. Subcommand
//! and variable names come from the contract crate, which the blueprint uses too.

use clap::{Args, Parser, Subcommand};
use counter_contract::command;

use crate::config::Settings;

/// Counter workloads: producer API, worker and web page.
#[derive(Parser, Debug)]
#[command(name = "counter", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// The producer HTTP API.
    #[command(name = command::API)]
    Api,
    /// The consumer: queue → database.
    #[command(name = command::WORKER)]
    Worker,
    /// API + worker + web page in one process (embedded backends unless configured).
    #[command(name = command::ALL)]
    All,
    /// Apply database migrations (and provision APP_MYSQL_USER) and exit.
    #[command(name = command::MIGRATE)]
    Migrate,
    /// Probe a running role's `/health`: exit 0 when it answers 2xx, 1 otherwise (a container
    /// health check for an image without curl).
    #[command(name = command::HEALTH)]
    Health(HealthArgs),
}

#[derive(Args, Debug, Clone)]
pub struct HealthArgs {
    /// URL to probe (plain `http://`). Default: `/health` on HTTP_PORT of 127.0.0.1, or of
    /// HTTP_HOST when that names one address.
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout_secs: u64,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory;

    use super::*;

    /// Every environment variable the command line reads, in every subcommand.
    fn env_names(command: &clap::Command, names: &mut BTreeSet<String>) {
        for arg in command.get_arguments() {
            if let Some(name) = arg.get_env() {
                names.insert(name.to_str().expect("UTF-8 name").to_owned());
            }
        }
        for sub in command.get_subcommands() {
            env_names(sub, names);
        }
    }

    #[test]
    fn the_contract_lists_exactly_the_variables_the_command_line_reads() {
        let mut read = BTreeSet::new();
        env_names(&Cli::command(), &mut read);
        let contract: BTreeSet<String> = counter_contract::env::READ
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        assert_eq!(read, contract);
    }

    #[test]
    fn the_contract_lists_exactly_the_subcommands() {
        let subcommands: BTreeSet<String> = Cli::command()
            .get_subcommands()
            .map(|sub| sub.get_name().to_owned())
            .collect();
        let contract: BTreeSet<String> = command::ALL_COMMANDS
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        assert_eq!(subcommands, contract);
    }

    #[test]
    fn the_default_port_is_the_contract_s() {
        let cli = Cli::try_parse_from(["counter", command::HEALTH]).expect("parses");
        assert_eq!(cli.settings.http_port, counter_contract::DEFAULT_HTTP_PORT);
    }
}
