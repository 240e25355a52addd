use std::sync::Arc;

use anyhow::Context as _;
use items::config::{LogFormat, Settings};
use items::store::{DynamoStore, MemoryStore, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "items failed");
            eprintln!("items: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log_format {
        LogFormat::Json => logs.json().flatten_event(true).init(),
        LogFormat::Text => logs.with_ansi(false).init(),
    }
    let store: Arc<dyn Store> = match &settings.table {
        Some(table) => {
            let config = aws_config::load_from_env().await;
            tracing::info!(table, "items in DynamoDB");
            Arc::new(DynamoStore::new(
                aws_sdk_dynamodb::Client::new(&config),
                table,
            ))
        }
        None => {
            tracing::info!("items in memory (set ITEMS_TABLE to use DynamoDB)");
            Arc::new(MemoryStore::new())
        }
    };
    let app = items::api::router(store, settings.cors_origins.as_deref());
    let listener = tokio::net::TcpListener::bind(settings.address)
        .await
        .with_context(|| format!("cannot listen on {}", settings.address))?;
    tracing::info!(address = %settings.address, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("server")
}

/// Ctrl-C, or SIGTERM (what ECS sends before it stops a task).
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
