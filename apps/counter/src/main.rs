use clap::Parser;
use counter::app;
use counter::cli::Cli;
use counter::telemetry;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
