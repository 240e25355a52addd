//! One line on stderr per asset synth needs: what it is, whether it was built or came from the
//! cache, and how long that took, so a slow synth says where its time went.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Where an asset came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Built,
    Cached,
}

/// Prints `stackcraft: <kind> <name>: built in 93.1 s` (or `from the cache (2 ms)`).
pub fn report(kind: &str, name: &str, origin: Origin, took: Duration) {
    eprintln!("stackcraft: {}", line(kind, name, origin, took));
}

fn line(kind: &str, name: &str, origin: Origin, took: Duration) -> String {
    let took = if took < Duration::from_secs(1) {
        format!("{} ms", took.as_millis())
    } else {
        format!("{:.1} s", took.as_secs_f64())
    };
    match origin {
        Origin::Built => format!("{kind} {name}: built in {took}"),
        Origin::Cached => format!("{kind} {name}: from the cache ({took})"),
    }
}

/// Says, before a long build, why synth takes a while.
pub fn building(kind: &str, name: &str) {
    eprintln!(
        "stackcraft: building {kind} {name} with cargo (once; cached until its sources change)"
    );
}

/// The status line of a cargo build on a terminal, redrawn in place: crates compiled so far,
/// time, the last one (`stackcraft: building object-counter: 143 crates (52 s), tokio`).
/// Without a terminal it writes nothing (the build's start and end lines say enough).
pub(crate) struct BuildStatus {
    package: String,
    live: bool,
    count: usize,
    started: Instant,
}

impl BuildStatus {
    pub(crate) fn on_terminal(package: &str) -> BuildStatus {
        let live =
            std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        BuildStatus {
            package: package.to_owned(),
            live,
            count: 0,
            started: Instant::now(),
        }
    }

    pub(crate) fn compiled(&mut self, name: String) {
        self.count += 1;
        if self.live {
            // Wrapping off: the line stays one row, so `\r` returns to its start.
            eprint!(
                "\r\x1b[K\x1b[?7lstackcraft: building {}: {} crates ({:.0} s), {name}\x1b[?7h",
                self.package,
                self.count,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub(crate) fn finish(&self) {
        if self.live && self.count > 0 {
            eprint!("\r\x1b[K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_origin_and_time() {
        assert_eq!(
            line(
                "image",
                "counter/counter",
                Origin::Built,
                Duration::from_millis(93_140)
            ),
            "image counter/counter: built in 93.1 s"
        );
        assert_eq!(
            line(
                "Lambda asset",
                "a/b",
                Origin::Cached,
                Duration::from_millis(2)
            ),
            "Lambda asset a/b: from the cache (2 ms)"
        );
    }
}
