//! Colour on a terminal; none in a pipe, in a file, or with `NO_COLOR` set (no-color.org).

use std::io::IsTerminal;

/// Whether stderr gets ANSI colours.
fn stderr_in_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `error:`, bold red where colour is on.
pub(crate) fn error_prefix() -> &'static str {
    if stderr_in_colour() {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    }
}
