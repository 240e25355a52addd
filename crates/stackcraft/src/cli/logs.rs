//! The AWS SDK's logs (it logs through `tracing`), on stderr, when `--verbose` or `RUST_LOG`
//! asks for them; otherwise no subscriber is installed and they cost nothing.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// What `--verbose` shows: credential resolution and every request the SDK sends, with its
/// retries, without the HTTP client's internals.
const VERBOSE: &str = "info,aws_config=debug,aws_smithy_runtime=debug";

pub(crate) fn init(verbose: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => spec,
        _ if verbose => VERBOSE.to_owned(),
        _ => return,
    };
    // `Targets` reads the `target=level,...` form of RUST_LOG without a regex engine.
    let targets: Targets = filter.parse().unwrap_or_else(|e| {
        eprintln!(
            "warning: RUST_LOG={filter:?} is not `target=level,...` ({e}); using {VERBOSE:?}"
        );
        VERBOSE.parse().expect("the verbose filter parses")
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(targets);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
