//! Where the engine writes, how it asks for approval, and what interrupts it (Ctrl-C, or a
//! test's trigger). Results (diffs, plans, outputs, what was retained) go to stdout; progress
//! (events, change sets about to be executed) and prompts to stderr, so a pipe or a file gets
//! results only and the person at the terminal still sees what they are asked about. Colour
//! only on a terminal, and never with `NO_COLOR`.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Answers "go ahead?" questions.
pub trait Approver: Send + Sync {
    fn approve(&self, question: &str) -> bool;
}

/// Reads the answer on the terminal (the question is on stderr already); says no when stdin
/// is not a terminal (CI must pass `--yes`).
struct TerminalApprover;

impl Approver for TerminalApprover {
    fn approve(&self, _question: &str) -> bool {
        if !std::io::stdin().is_terminal() {
            return false;
        }
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

type Stream = Arc<Mutex<Box<dyn Write + Send>>>;

/// What a captured stream received (tests).
pub type Captured = Arc<Mutex<Vec<u8>>>;

fn stream(w: impl Write + Send + 'static) -> Stream {
    Arc::new(Mutex::new(Box::new(w)))
}

/// Whether a stream that is (or is not) a terminal gets colour: not with `NO_COLOR` set
/// (no-color.org), nor on a `dumb` terminal.
fn colour_for(terminal: bool) -> bool {
    terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The engine's output and questions.
#[derive(Clone)]
pub struct Ui {
    /// Results.
    out: Stream,
    /// Progress and prompts.
    err: Stream,
    approver: Arc<dyn Approver>,
    /// Whether the approver can actually ask someone.
    interactive: bool,
    /// Whether progress lines are coloured.
    colour: bool,
    pub interrupt: Interrupt,
}

impl Ui {
    /// Results on stdout, progress and questions on stderr, answers from the terminal, Ctrl-C.
    pub fn terminal() -> Ui {
        Ui {
            out: stream(std::io::stdout()),
            err: stream(std::io::stderr()),
            approver: Arc::new(TerminalApprover),
            interactive: std::io::stdin().is_terminal(),
            colour: colour_for(std::io::stderr().is_terminal()),
            interrupt: Interrupt::CtrlC,
        }
    }

    /// Results and progress into one buffer, in the order written, a fixed answer to every
    /// question (`None`: nobody to ask, as without a terminal), no interrupt (tests).
    pub fn capture(answer: Option<bool>) -> (Ui, Captured) {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let both = stream(SharedBuffer(buffer.clone()));
        (Ui::fixed(both.clone(), both, answer), buffer)
    }

    /// As [`Ui::capture`], with results and progress (and questions) in two buffers.
    pub fn capture_streams(answer: Option<bool>) -> (Ui, Captured, Captured) {
        let results = Arc::new(Mutex::new(Vec::new()));
        let progress = Arc::new(Mutex::new(Vec::new()));
        let ui = Ui::fixed(
            stream(SharedBuffer(results.clone())),
            stream(SharedBuffer(progress.clone())),
            answer,
        );
        (ui, results, progress)
    }

    fn fixed(out: Stream, err: Stream, answer: Option<bool>) -> Ui {
        Ui {
            out,
            err,
            approver: Arc::new(Fixed(answer.unwrap_or(false))),
            interactive: answer.is_some(),
            colour: false,
            interrupt: Interrupt::Never,
        }
    }

    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Ui {
        self.interrupt = interrupt;
        self
    }

    /// Colours progress lines or not, whatever the terminal says.
    pub fn with_colour(mut self, colour: bool) -> Ui {
        self.colour = colour;
        self
    }

    /// Writes one line of progress (stderr).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if self.colour {
            write_line(&self.err, &highlight(text));
        } else {
            write_line(&self.err, text);
        }
    }

    /// Writes one line of the command's result (stdout).
    pub fn result(&self, text: impl AsRef<str>) {
        write_line(&self.out, text.as_ref());
    }

    /// Asks (on stderr); `None` when nobody can answer (not a terminal).
    pub fn approve(&self, question: &str) -> Option<bool> {
        if !self.interactive {
            return None;
        }
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = write!(err, "{question} [y/N] ");
        let _ = err.flush();
        let answer = self.approver.approve(question);
        let _ = writeln!(err);
        Some(answer)
    }
}

fn write_line(stream: &Stream, text: &str) {
    let mut out = stream.lock().unwrap_or_else(|e| e.into_inner());
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// The marks of a progress line in colour: ✓ green, ✗ and `!!!` warnings red, replacements
/// yellow.
fn highlight(line: &str) -> String {
    const GREEN: &str = "\x1b[32m";
    const RED: &str = "\x1b[1;31m";
    const YELLOW: &str = "\x1b[33m";
    const RESET: &str = "\x1b[0m";
    let mut out = line
        .replace('✓', &format!("{GREEN}✓{RESET}"))
        .replace('✗', &format!("{RED}✗{RESET}"))
        .replace("MAY REPLACE", &format!("{YELLOW}MAY REPLACE{RESET}"));
    if !out.contains("MAY REPLACE") {
        out = out.replace("REPLACE ", &format!("{YELLOW}REPLACE{RESET} "));
    }
    if let Some(at) = out.find("!!!") {
        let (head, warning) = out.split_at(at);
        out = format!("{head}{RED}{warning}{RESET}");
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &Arc<Mutex<Vec<u8>>>) -> String {
        String::from_utf8(b.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn results_progress_and_prompts_go_to_their_streams() {
        let (ui, results, progress) = Ui::capture_streams(Some(true));
        ui.line("data  12.0s  CREATE_IN_PROGRESS");
        ui.result("data    BucketName = b");
        assert_eq!(ui.approve("Execute it?"), Some(true));
        assert_eq!(text(&results), "data    BucketName = b\n");
        assert_eq!(
            text(&progress),
            "data  12.0s  CREATE_IN_PROGRESS\nExecute it? [y/N] \n"
        );
    }

    #[test]
    fn colour_only_when_asked_for() {
        let (ui, _, progress) = Ui::capture_streams(None);
        ui.line("data  ✓ demo-dev-data CREATE_COMPLETE");
        assert!(!text(&progress).contains('\x1b'), "no colour by default");
        let coloured = ui.with_colour(true);
        coloured.line("data  ✗ failed");
        assert!(
            text(&progress).contains("\x1b[1;31m✗\x1b[0m"),
            "{}",
            text(&progress)
        );
        assert!(!colour_for(false), "never outside a terminal");
    }
}
