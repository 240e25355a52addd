//! The roles of the binary and the wiring they share.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, HttpOptions, Role};
use crate::cli::Command;
use crate::cloudwatch_metric;
use crate::config::{DatabaseConfig, Settings};
use crate::db::{self, Database};
use crate::health_check;
use crate::metrics::Metrics;
use crate::queue;
use crate::shutdown::{Backoff, Shutdown};
use crate::web;
use crate::worker::Worker;

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    if let Command::Health(args) = &command {
        let url = match &args.url {
            Some(url) => url.clone(),
            None => health_check::default_url(&settings)?,
        };
        let status = health_check::probe(&url, Duration::from_secs(args.timeout_secs)).await?;
        tracing::info!(%url, status, "healthy");
        return Ok(());
    }
    let shutdown = Shutdown::on_signals();
    let database = settings.database()?;
    tracing::info!(role = ?command, database = %database, "starting");
    if let Command::Migrate = command {
        return prepare_database(&database, &shutdown, MIGRATE_COMMAND_ATTEMPTS).await;
    }
    let db = db::open(&database.for_services()).await?;

    let queue_config = settings.queue()?;
    tracing::info!(queue = %queue_config, "queue");
    let queue = queue::open(&queue_config).await?;
    let state = Arc::new(AppState {
        queue,
        db,
        metrics: Arc::new(Metrics::default()),
        hostname: gethostname::gethostname().to_string_lossy().into_owned(),
    });
    let http = HttpOptions {
        cors_origins: settings.cors_origins(),
        max_body_bytes: settings.max_body_bytes,
    };
    let worker = Worker {
        queue: state.queue.clone(),
        db: state.db.clone(),
        metrics: state.metrics.clone(),
        config: settings.worker(),
    };

    let mut servers = Vec::new();
    match command {
        Command::Api => {
            if settings.migrate_on_start {
                // In the background: the API serves (and reports the database) meanwhile.
                let (database, shutdown) = (database.clone(), shutdown.clone());
                tokio::spawn(async move {
                    if let Err(e) =
                        prepare_database(&database, &shutdown, MIGRATE_ON_START_ATTEMPTS).await
                    {
                        tracing::error!(error = %format!("{e:#}"), "migrations failed");
                    }
                });
            }
            let router = api::router(state, Role::Api, &http);
            servers.push(
                serve(
                    "api",
                    &settings.http_host,
                    settings.http_port,
                    router,
                    &shutdown,
                )
                .await?,
            );
        }
        Command::Worker | Command::All => {
            // From the start: a backlog is worth reporting while the database is still down.
            let queue_depth_metric = settings.queue_depth_metric().map(|config| {
                tokio::spawn(cloudwatch_metric::publish_queue_depth(
                    state.queue.clone(),
                    config,
                    shutdown.clone(),
                    cloudwatch_metric::write_stdout,
                ))
            });
            if settings.migrate_on_start {
                prepare_database(&database, &shutdown, MIGRATE_ON_START_ATTEMPTS).await?;
            }
            let role = if let Command::All = command {
                Role::Api
            } else {
                Role::OpsOnly
            };
            let router = api::router(state, role, &http);
            let api_addr = serve(
                "api",
                &settings.http_host,
                settings.http_port,
                router,
                &shutdown,
            )
            .await?;
            if let Command::All = command {
                let web = web::router(api_addr.0);
                servers.push(
                    serve(
                        "web",
                        &settings.http_host,
                        settings.web_port,
                        web,
                        &shutdown,
                    )
                    .await?,
                );
            }
            servers.push(api_addr);
            worker.run(shutdown.clone()).await?;
            if let Some(task) = queue_depth_metric {
                task.await.context("queue depth metric task failed")?;
            }
        }
        Command::Migrate | Command::Health(_) => unreachable!("handled above"),
    }
    shutdown.wait().await;
    for (_, server) in servers {
        server.await.context("server task failed")??;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Binds and serves `router` until shutdown; returns the bound port and the server task.
async fn serve(
    name: &str,
    host: &str,
    port: u16,
    router: Router,
    shutdown: &Shutdown,
) -> anyhow::Result<(u16, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind((host, port))
        .await
        .with_context(|| format!("cannot listen on {host}:{port} for the {name} server"))?;
    let addr = listener.local_addr()?;
    tracing::info!("{name} listening on http://{addr}");
    let shutdown = shutdown.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.wait().await })
            .await
    });
    Ok((addr.port(), task))
}

/// `counter migrate` is run by hand or as a one-off task: fail within seconds.
const MIGRATE_COMMAND_ATTEMPTS: u32 = 5;
/// A service may start before its database: wait about a minute and a half.
const MIGRATE_ON_START_ATTEMPTS: u32 = 22;

/// Brings the database to what this build needs, as the administrator: the migrations, then
/// the application user (when one is configured) with its password and privileges.
async fn prepare_database(
    config: &DatabaseConfig,
    shutdown: &Shutdown,
    max_attempts: u32,
) -> anyhow::Result<()> {
    let db = db::open(config).await?;
    migrate_with_retry(db.as_ref(), shutdown, max_attempts).await?;
    if let DatabaseConfig::MySql {
        url,
        app_user: Some(user),
    } = config
    {
        db::app_user::provision(url, user).await?;
    }
    Ok(())
}

/// Applies migrations, retrying with backoff while the database is unavailable.
async fn migrate_with_retry(
    db: &dyn Database,
    shutdown: &Shutdown,
    max_attempts: u32,
) -> anyhow::Result<()> {
    let mut backoff = Backoff::default();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match db.migrate().await {
            Ok(applied) => {
                tracing::info!(applied, "database schema is up to date");
                return Ok(());
            }
            Err(e) if attempts >= max_attempts => return Err(e.context("cannot apply migrations")),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot apply migrations yet; retrying");
                if backoff.wait(shutdown).await {
                    anyhow::bail!("shutdown before migrations could run");
                }
            }
        }
    }
}
