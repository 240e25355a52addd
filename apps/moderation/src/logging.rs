//! Logs: one JSON object per line on stdout (CloudWatch reads the fields), whatever the
//! function's log format setting. Outcomes log the object and the verdict, never the event
//! (which names the uploader) or any credential.

use lambda_runtime::tracing::subscriber::filter::{EnvFilter, LevelFilter};
use lambda_runtime::tracing::subscriber::fmt::MakeWriter;

use crate::moderator::Outcome;
use crate::verdict::Verdict;

/// A JSON-lines subscriber writing to `writer`; the level comes from `AWS_LAMBDA_LOG_LEVEL`
/// (Lambda's log-level setting) or `RUST_LOG`, INFO by default.
pub fn json_subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    lambda_runtime::tracing::subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(EnvFilter::default().add_directive(level.into()))
        .with_writer(writer)
        .finish()
}

/// Logs what one work item came to.
pub fn outcome(outcome: &Outcome) {
    match outcome {
        Outcome::Tagged { object, verdict } => {
            let matched = match verdict {
                Verdict::Inappropriate { matched } => matched.join(", "),
                _ => String::new(),
            };
            tracing::info!(
                outcome = "tagged",
                bucket = %object.bucket,
                key = %object.key,
                inappropriate = verdict.tag_value(),
                note = verdict.note().unwrap_or_default(),
                matched = %matched,
                "object tagged"
            );
        }
        Outcome::VideoStarted { object, job_id } => tracing::info!(
            outcome = "video-started",
            bucket = %object.bucket,
            key = %object.key,
            job_id = %job_id,
            "video moderation started"
        ),
        Outcome::NotMedia {
            object,
            content_type,
        } => tracing::info!(
            outcome = "not-media",
            bucket = %object.bucket,
            key = %object.key,
            content_type = content_type.as_deref().unwrap_or_default(),
            "neither image nor video: left untagged"
        ),
        Outcome::Skipped { reason } => {
            tracing::info!(outcome = "skipped", reason = %reason, "nothing to do")
        }
    }
}
