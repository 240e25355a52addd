//! Where the engine writes, how it asks for approval, and what interrupts it (Ctrl-C, or a
//! test's trigger). Results (diffs, plans, outputs, what was retained) go to stdout; progress
//! (events, change sets about to be executed) and prompts to stderr, so a pipe or a file gets
//! results only and the person at the terminal still sees what they are asked about. Colour
//! only on a terminal, and never with `NO_COLOR`.
//!
//! On a terminal, long-running work (each stack being deployed, asset uploads) also has a
//! status line, kept below the scrolling progress lines and redrawn in place; without a
//! terminal there are no status lines, only the plain lines.

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

/// The status lines drawn below the progress lines, one per key, in the order they appeared.
#[derive(Default)]
struct Board {
    lines: Vec<(String, String)>,
    /// How many lines are on the screen now (to erase before the next write).
    drawn: usize,
}

impl Board {
    /// Moves up over the drawn status lines and clears them.
    fn erase(&mut self, w: &mut dyn Write) {
        if self.drawn > 0 {
            let _ = write!(w, "\r\x1b[{}A\x1b[J", self.drawn);
            self.drawn = 0;
        }
    }

    /// Draws the status lines, with line wrapping off so each takes exactly one row.
    fn draw(&mut self, w: &mut dyn Write) {
        if self.lines.is_empty() {
            return;
        }
        let _ = write!(w, "\x1b[?7l");
        for (_, line) in &self.lines {
            let _ = writeln!(w, "{line}");
        }
        let _ = write!(w, "\x1b[?7h");
        self.drawn = self.lines.len();
    }
}

/// Whether progress on a stream that is (or is not) a terminal gets status lines: not on a
/// `dumb` terminal, which cannot move the cursor.
fn live_for(terminal: bool) -> bool {
    terminal && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The engine's output and questions.
#[derive(Clone)]
pub struct Ui {
    /// Results.
    out: Stream,
    /// Progress and prompts.
    err: Stream,
    /// The status lines, when progress goes to a terminal (locked before `err`).
    board: Option<Arc<Mutex<Board>>>,
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
            board: live_for(std::io::stderr().is_terminal()).then(Default::default),
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
            board: None,
            interactive: answer.is_some(),
            colour: false,
            interrupt: Interrupt::Never,
        }
    }

    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Ui {
        self.interrupt = interrupt;
        self
    }

    /// Draws status lines or not, whatever the terminal says (tests of the terminal output).
    pub fn with_status_lines(mut self, live: bool) -> Ui {
        self.board = live.then(Default::default);
        self
    }

    /// Whether status lines are drawn (progress goes to a terminal).
    pub fn has_status_lines(&self) -> bool {
        self.board.is_some()
    }

    /// Sets the status line of `key` (a stack, `assets`) and redraws the status lines;
    /// nothing without a terminal.
    pub fn status(&self, key: &str, text: impl Into<String>) {
        let Some(board) = &self.board else { return };
        let text = text.into();
        let mut board = board.lock().unwrap_or_else(|e| e.into_inner());
        match board.lines.iter_mut().find(|(k, _)| k == key) {
            Some((_, line)) if *line == text => return,
            Some((_, line)) => *line = text,
            None => board.lines.push((key.to_owned(), text)),
        }
        self.redraw(&mut board, None);
    }

    /// Removes the status line of `key`.
    pub fn clear_status(&self, key: &str) {
        let Some(board) = &self.board else { return };
        let mut board = board.lock().unwrap_or_else(|e| e.into_inner());
        let before = board.lines.len();
        board.lines.retain(|(k, _)| k != key);
        if board.lines.len() != before {
            self.redraw(&mut board, None);
        }
    }

    /// Erases the status lines, writes `line` (if any) where they were, and draws them again
    /// below it.
    fn redraw(&self, board: &mut Board, line: Option<&str>) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        board.erase(&mut *err);
        if let Some(line) = line {
            let _ = writeln!(err, "{line}");
        }
        board.draw(&mut *err);
        let _ = err.flush();
    }

    /// Colours progress lines or not, whatever the terminal says.
    pub fn with_colour(mut self, colour: bool) -> Ui {
        self.colour = colour;
        self
    }

    /// Writes one line of progress (stderr).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        let coloured;
        let text = if self.colour {
            coloured = highlight(text);
            coloured.as_str()
        } else {
            text
        };
        match &self.board {
            Some(board) => {
                let mut board = board.lock().unwrap_or_else(|e| e.into_inner());
                self.redraw(&mut board, Some(text));
            }
            None => write_line(&self.err, text),
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
        // The question is asked below the status lines, which stay still meanwhile.
        let mut board = self
            .board
            .as_ref()
            .map(|b| b.lock().unwrap_or_else(|e| e.into_inner()));
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(board) = board.as_deref_mut() {
            board.drawn = 0;
        }
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
    fn status_lines_stay_below_the_progress_lines_and_are_redrawn_in_place() {
        let (ui, _, progress) = Ui::capture_streams(None);
        let ui = ui.with_status_lines(true);
        ui.status("data", "data  0/2");
        ui.line("data  12:00:01  CREATE_IN_PROGRESS");
        ui.status("data", "data  1/2");
        ui.status("data", "data  1/2");
        ui.clear_status("data");
        ui.line("done");
        let wrap_off = "\x1b[?7l";
        let wrap_on = "\x1b[?7h";
        let erase = "\r\x1b[1A\x1b[J";
        assert_eq!(
            text(&progress),
            format!(
                "{wrap_off}data  0/2\n{wrap_on}\
                 {erase}data  12:00:01  CREATE_IN_PROGRESS\n{wrap_off}data  0/2\n{wrap_on}\
                 {erase}{wrap_off}data  1/2\n{wrap_on}\
                 {erase}\
                 done\n"
            )
        );
    }

    #[test]
    fn no_status_lines_without_a_terminal() {
        let (ui, _, progress) = Ui::capture_streams(None);
        ui.status("data", "data  0/2");
        ui.line("data  12:00:01  CREATE_IN_PROGRESS");
        ui.clear_status("data");
        assert_eq!(text(&progress), "data  12:00:01  CREATE_IN_PROGRESS\n");
        assert!(!live_for(false));
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
