//! One shutdown signal shared by every task: SIGTERM or Ctrl-C trigger it, tasks observe it.

use std::time::Duration;

use tokio::sync::watch;

#[derive(Clone)]
pub struct Shutdown {
    triggered: watch::Receiver<bool>,
}

pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    pub fn trigger(&self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    pub fn new() -> (ShutdownTrigger, Self) {
        let (tx, rx) = watch::channel(false);
        (ShutdownTrigger(tx), Self { triggered: rx })
    }

    /// A shutdown triggered by SIGTERM (container stop) or SIGINT (Ctrl-C).
    pub fn on_signals() -> Self {
        let (trigger, shutdown) = Self::new();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown requested: finishing in-flight work");
            trigger.trigger();
        });
        shutdown
    }

    pub fn is_triggered(&self) -> bool {
        *self.triggered.borrow()
    }

    pub async fn wait(&self) {
        let mut rx = self.triggered.clone();
        let _ = rx.wait_for(|triggered| *triggered).await;
    }

    /// Sleeps for `duration`; returns `true` if shutdown came first.
    pub async fn sleep(&self, duration: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => self.is_triggered(),
            _ = self.wait() => true,
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("cannot install SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Exponential backoff between retries of an unavailable backend: 100 ms doubling to 5 s.
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: Self::MIN }
    }
}

impl Backoff {
    const MIN: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(5);

    pub fn reset(&mut self) {
        self.next = Self::MIN;
    }

    /// Waits the current delay and doubles it; returns `true` if shutdown came first.
    pub async fn wait(&mut self, shutdown: &Shutdown) -> bool {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        shutdown.sleep(delay).await
    }
}
