//! `stackcraft watch`: deploy with hotswap, wait for a change of the sources, again, until
//! Ctrl-C. What a change is and how the assembly is made are the caller's (the CLI).

use std::time::Duration;

use stackcraft_core::Assembly;

use crate::deploy::{deploy, DeployOptions};
use crate::error::DeployError;
use crate::session::Session;
use crate::ui::Ui;

/// Rounds of `synth` then [`deploy`] with `opts` (hotswap), each after `changed` said the
/// sources changed (it is asked every `interval`), until the UI's interrupt. A failed round
/// is reported and the watch goes on; a protected environment ends it.
pub async fn watch(
    session: &Session,
    ui: &Ui,
    opts: &DeployOptions,
    interval: Duration,
    mut synth: impl FnMut() -> Result<Assembly, String>,
    mut changed: impl FnMut() -> bool,
) -> Result<(), DeployError> {
    let rounds = async {
        loop {
            match synth() {
                Ok(assembly) => match deploy(session, &assembly, opts, ui).await {
                    Err(e @ DeployError::HotswapProtected { .. }) => return Err(e),
                    Err(e) => ui.line(format!("✗ {e}")),
                    Ok(_) => {}
                },
                Err(message) => ui.line(format!("✗ {message}")),
            }
            ui.line("watching the sources for changes (Ctrl-C ends)");
            while !changed() {
                tokio::time::sleep(interval).await;
            }
        }
    };
    tokio::select! {
        r = rounds => r,
        () = ui.interrupt.wait() => Ok(()),
    }
}
