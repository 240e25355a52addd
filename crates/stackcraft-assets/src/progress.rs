//! One line on stderr per asset synth needs: what it is, whether it was built or came from the
//! cache, and how long that took, so a slow synth says where its time went.

use std::time::Duration;

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
