//! `ec2::UserData`: a boot script built line by line, base64-encoded once by the launch
//! template that carries it.

use stackcraft_core::template::{base64, join, Expr};

/// A bash script run at first boot (`set -euo pipefail`: a failing step stops the boot
/// script, and the instance's health check replaces the instance).
#[derive(Clone, Debug, PartialEq)]
pub struct UserData {
    lines: Vec<Expr<String>>,
}

impl Default for UserData {
    fn default() -> Self {
        UserData::new()
    }
}

impl UserData {
    /// An empty script.
    pub fn new() -> UserData {
        UserData {
            lines: vec!["#!/bin/bash".into(), "set -euo pipefail".into()],
        }
    }

    /// What every instance of this library runs first: automatic security updates and the
    /// SSM agent (Amazon Linux 2023).
    pub fn hardened() -> UserData {
        UserData::new().security_updates().ssm_agent()
    }

    /// A line of shell; it may hold template expressions (a cluster name, a volume id).
    pub fn line(mut self, line: impl Into<Expr<String>>) -> Self {
        self.lines.push(line.into());
        self
    }

    /// Installs and applies security updates daily with `dnf-automatic` (Amazon Linux 2023).
    pub fn security_updates(self) -> Self {
        self.line("dnf install -y dnf-automatic")
            .line("sed -i 's/^upgrade_type.*/upgrade_type = security/; s/^apply_updates.*/apply_updates = yes/' /etc/dnf/automatic.conf")
            .line("systemctl enable --now dnf-automatic.timer")
    }

    /// The SSM agent, for Session Manager access and patching (preinstalled on Amazon Linux
    /// 2023; installed where missing).
    pub fn ssm_agent(self) -> Self {
        self.line("rpm -q amazon-ssm-agent || dnf install -y amazon-ssm-agent")
            .line("systemctl enable --now amazon-ssm-agent")
    }

    /// The script's lines, unencoded (for tests and reviews).
    pub fn lines(&self) -> &[Expr<String>] {
        &self.lines
    }

    /// The script as the `UserData` property wants it: base64 of the joined lines.
    pub fn encoded(&self) -> Expr<String> {
        let mut lines = self.lines.clone();
        lines.push("".into());
        base64(join("\n", lines))
    }
}
