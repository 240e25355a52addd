//! Where the engine writes (stdout, or a buffer in tests), how it asks for approval, and what
//! interrupts it (Ctrl-C, or a test's trigger).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Answers "go ahead?" questions.
pub trait Approver: Send + Sync {
    fn approve(&self, question: &str) -> bool;
}

/// Asks on the terminal; says no when stdin is not a terminal (CI must pass `--yes`).
struct TerminalApprover;

impl Approver for TerminalApprover {
    fn approve(&self, question: &str) -> bool {
        if !std::io::stdin().is_terminal() {
            return false;
        }
        print!("{question} [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
    }
}

/// A fixed answer.
struct Fixed(bool);

impl Approver for Fixed {
    fn approve(&self, _question: &str) -> bool {
        self.0
    }
}

/// What stops the engine's waiting.
#[derive(Clone, Default)]
pub enum Interrupt {
    /// Ctrl-C (SIGINT).
    #[default]
    CtrlC,
    /// Nothing does.
    Never,
    /// A trigger (tests).
    Notify(Arc<Notify>),
}

impl Interrupt {
    /// Resolves when the interrupt happens.
    pub async fn wait(&self) {
        match self {
            Interrupt::CtrlC => {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await
                }
            }
            Interrupt::Never => std::future::pending::<()>().await,
            Interrupt::Notify(n) => n.notified().await,
        }
    }
}

/// The engine's output and questions.
#[derive(Clone)]
pub struct Ui {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    approver: Arc<dyn Approver>,
    /// Whether the approver can actually ask someone.
    interactive: bool,
    pub interrupt: Interrupt,
}

impl Ui {
    /// Standard output, questions on the terminal, Ctrl-C.
    pub fn terminal() -> Ui {
        Ui {
            out: Arc::new(Mutex::new(Box::new(std::io::stdout()))),
            approver: Arc::new(TerminalApprover),
            interactive: std::io::stdin().is_terminal(),
            interrupt: Interrupt::CtrlC,
        }
    }

    /// Output into a buffer, a fixed answer to every question (`None`: nobody to ask, as
    /// without a terminal), no interrupt (tests).
    pub fn capture(answer: Option<bool>) -> (Ui, Arc<Mutex<Vec<u8>>>) {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let ui = Ui {
            out: Arc::new(Mutex::new(Box::new(SharedBuffer(buffer.clone())))),
            approver: Arc::new(Fixed(answer.unwrap_or(false))),
            interactive: answer.is_some(),
            interrupt: Interrupt::Never,
        };
        (ui, buffer)
    }

    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Ui {
        self.interrupt = interrupt;
        self
    }

    /// Writes one line.
    pub fn line(&self, text: impl AsRef<str>) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{}", text.as_ref());
        let _ = out.flush();
    }

    /// Asks; `None` when nobody can answer (not a terminal).
    pub fn approve(&self, question: &str) -> Option<bool> {
        if !self.interactive {
            return None;
        }
        let _guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        Some(self.approver.approve(question))
    }
}

struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
