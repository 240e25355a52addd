use clap::Parser;
use counter::app::{self, Command};
use counter::config::Settings;
use counter::telemetry;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Counter workloads: producer API, worker and web page.
#[derive(Parser)]
#[command(name = "counter", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    settings: Settings,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    match app::run(cli.command, cli.settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "counter failed");
            std::process::ExitCode::FAILURE
        }
    }
}
