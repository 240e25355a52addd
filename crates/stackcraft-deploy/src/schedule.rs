//! Running one job per stack in dependency order, independent stacks concurrently.

use std::collections::HashSet;
use std::future::Future;

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::error::DeployError;

/// The outcome of a scheduled run: each started job's result, in completion order, and the
/// jobs never started because an earlier one failed.
pub(crate) struct Outcome<T> {
    pub results: Vec<(String, Result<T, DeployError>)>,
    pub skipped: Vec<String>,
}

/// Runs `job` for every node once the nodes it waits for have succeeded, at most
/// `concurrency` at a time; after a failure, nothing new starts. `nodes` lists each node with
/// the nodes it waits for (unknown names are ignored).
pub(crate) async fn run<T, F, Fut>(
    nodes: &[(String, Vec<String>)],
    concurrency: usize,
    job: F,
) -> Outcome<T>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, DeployError>>,
{
    let names: HashSet<&str> = nodes.iter().map(|(n, _)| n.as_str()).collect();
    let mut done: HashSet<String> = HashSet::new();
    let mut started: HashSet<String> = HashSet::new();
    let mut failed = false;
    let mut running = FuturesUnordered::new();
    let mut results = Vec::new();
    loop {
        if !failed {
            for (name, waits) in nodes {
                if running.len() >= concurrency.max(1) {
                    break;
                }
                let ready = waits
                    .iter()
                    .all(|w| !names.contains(w.as_str()) || done.contains(w));
                if ready && !started.contains(name) {
                    started.insert(name.clone());
                    let name = name.clone();
                    let fut = job(name.clone());
                    running.push(async move { (name, fut.await) });
                }
            }
        }
        let Some((name, result)) = running.next().await else {
            break;
        };
        match &result {
            Ok(_) => {
                done.insert(name.clone());
            }
            Err(_) => failed = true,
        }
        results.push((name, result));
    }
    let skipped = nodes
        .iter()
        .filter(|(n, _)| !started.contains(n))
        .map(|(n, _)| n.clone())
        .collect();
    Outcome { results, skipped }
}

/// The same nodes with every edge reversed: for deleting, a stack waits for its dependents.
pub(crate) fn reversed(nodes: &[(String, Vec<String>)]) -> Vec<(String, Vec<String>)> {
    nodes
        .iter()
        .rev()
        .map(|(name, _)| {
            let dependents = nodes
                .iter()
                .filter(|(_, deps)| deps.contains(name))
                .map(|(n, _)| n.clone())
                .collect();
            (name.clone(), dependents)
        })
        .collect()
}
