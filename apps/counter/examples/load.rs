//! HTTP load generator for scripts/bench-counter.sh: POSTs `{"count": n}` to a URL with a
//! fixed number of keep-alive connections and reports requests/s and latency percentiles.
//! Deliberately minimal (raw HTTP/1.1 on one thread, like redis-benchmark) so the measurement
//! is of the server, not of a client library.
//!
//! cargo run --release -p counter --example load -- http://127.0.0.1:5080/count 100000 50

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn usage() -> ! {
    eprintln!("usage: load <http://host:port/path> <requests> <concurrency>");
    std::process::exit(2)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, requests, concurrency] = args.as_slice() else {
        usage()
    };
    let url = url::Url::parse(url)?;
    let requests: u64 = requests.parse().unwrap_or_else(|_| usage());
    let concurrency: u64 = concurrency.parse().unwrap_or_else(|_| usage());
    let addr = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port_or_known_default().unwrap_or(80)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(addr, url.path().to_owned(), requests, concurrency))
}

async fn run(addr: String, path: String, requests: u64, concurrency: u64) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (addr, path, next) = (addr.clone(), path.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            connection(&addr, &path, &next, requests).await
        }));
    }
    let mut latencies = Vec::with_capacity(requests as usize);
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await??;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies
            .get(i)
            .map_or(0.0, |d: &Duration| d.as_secs_f64() * 1e3)
    };
    println!(
        "requests={} concurrency={concurrency} seconds={:.3} rps={:.0} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} errors={errors}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
        percentile(1.0),
    );
    Ok(())
}

/// One keep-alive connection sending requests until the shared budget is used up.
/// Returns the latencies and the number of non-2xx answers.
async fn connection(
    addr: &str,
    path: &str,
    next: &AtomicU64,
    requests: u64,
) -> anyhow::Result<(Vec<Duration>, u64)> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let (mut latencies, mut errors) = (Vec::new(), 0);
    let mut line = String::new();
    let mut body = Vec::new();
    // Counts are 1_000_000_001, 1_000_000_002, …: unique, and all of one length, so the
    // request is built once and only its last ten digits change.
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{{\"count\":0000000000}}"
    )
    .into_bytes();
    let digits = request.len() - 11..request.len() - 1;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= requests {
            return Ok((latencies, errors));
        }
        request[digits.clone()].copy_from_slice(format!("{}", 1_000_000_001 + i).as_bytes());
        let sent = Instant::now();
        writer.write_all(&request).await?;
        line.clear();
        reader.read_line(&mut line).await?;
        let ok = line
            .split_whitespace()
            .nth(1)
            .is_some_and(|s| s.starts_with('2'));
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse()?;
                }
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body).await?;
        latencies.push(sent.elapsed());
        if !ok {
            errors += 1;
        }
    }
}
