//! What the construct tests share: the two kinds of environment and synthesizing one stack.

#![allow(dead_code)]

use stackcraft_core::template::Template;
use stackcraft_core::{Environment, Stack, StackSet};

/// A cheap, unprotected environment (two zones).
pub fn dev() -> Environment {
    Environment::new("dev", "eu-central-1")
}

/// A highly available, protected environment (three zones).
pub fn prod() -> Environment {
    Environment::production("prod", "eu-central-1")
}

pub fn synth(stack: Stack) -> Template {
    let mut app = StackSet::new("test", stack.env().clone());
    app.add_stack(stack);
    app.synth().expect("synthesizes").stacks.remove(0).template
}
