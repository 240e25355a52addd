//! Benchmark: `stackcraft check` of every stack of every environment of a configuration, as the
//! command does it (read the configuration, build, synthesize in memory, run the rules),
//! repeatedly; reports the whole run and the rules alone.
//!
//! `cargo run --release -p stackcraft --example bench_check [-- CONFIG [RUNS]]`

use std::path::PathBuf;
use std::time::Instant;

use stackcraft_check::{check, Subject};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "stackcraft.toml".into()));
    let runs: usize = args
        .next()
        .map_or(200, |r| r.parse().expect("RUNS is a number"));
    let app = stackcraft::App::from_config(&path);

    let (mut whole, mut rules) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let (mut templates, mut resources, mut findings) = (0, 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let project = app.load().expect("configuration loads");
        let assemblies: Vec<_> = project
            .config()
            .environments
            .keys()
            .map(|env| {
                let assembly = project.synth(env).expect("builds and synthesizes");
                (env.clone(), assembly)
            })
            .collect();
        let subjects: Vec<Subject> = assemblies
            .iter()
            .flat_map(|(env, assembly)| {
                assembly.stacks.iter().map(move |s| {
                    Subject::new(
                        &s.name,
                        &s.name,
                        &s.template,
                        assembly.environment.protected,
                    )
                    .environment(env)
                    .paths(s.paths.clone())
                })
            })
            .collect();
        let checking = Instant::now();
        let report = check(&subjects);
        rules.push(checking.elapsed().as_secs_f64() * 1e3);
        whole.push(started.elapsed().as_secs_f64() * 1e3);
        (templates, resources, findings) =
            (report.templates, report.resources, report.findings.len());
    }
    println!("configuration: {}", path.display());
    println!("per run: {templates} templates, {resources} resources, {findings} findings (suppressed included)");
    for (name, times) in [
        ("whole check (config + synth + rules)", &mut whole),
        ("rules alone", &mut rules),
    ] {
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / runs as f64;
        println!(
            "{name}: {runs} runs, mean {mean:.2} ms, median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            times[runs / 2],
            times[(runs * 99 / 100).min(runs - 1)],
            times[runs - 1]
        );
    }
}
