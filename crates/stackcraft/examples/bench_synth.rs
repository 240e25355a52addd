//! Benchmark: synthesize every stack of every environment of a configuration, in memory
//! (build + synth + render templates), repeatedly; report per-run times and peak memory.
//!
//! `cargo run --release -p stackcraft --example bench_synth [-- CONFIG [RUNS]]`

use std::path::PathBuf;
use std::time::Instant;

use stackcraft::core::Format;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "stackcraft.toml".into()));
    let runs: usize = args
        .next()
        .map_or(200, |r| r.parse().expect("RUNS is a number"));
    let app = stackcraft::App::from_config(&path);

    let mut times = Vec::with_capacity(runs);
    let (mut stacks, mut resources, mut bytes) = (0, 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        // Reading the configuration is part of every real synth, so it is timed too.
        let project = app.load().expect("configuration loads");
        (stacks, resources, bytes) = (0, 0, 0);
        for env in project.config().environments.keys() {
            let assembly = project.synth(env).expect("builds and synthesizes");
            for stack in &assembly.stacks {
                stacks += 1;
                resources += stack.template.resources.len();
                bytes += Format::Json.render(&stack.template).len();
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / runs as f64;
    println!("configuration: {}", path.display());
    println!("per run: {stacks} stacks, {resources} resources, {bytes} bytes of JSON");
    println!(
        "{runs} runs: mean {mean:.2} ms, median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times[runs / 2],
        times[(runs * 99 / 100).min(runs - 1)],
        times[runs - 1]
    );
    println!(
        "peak memory (VmHWM): {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

/// The process's peak resident set size, from /proc (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_owned())
}
