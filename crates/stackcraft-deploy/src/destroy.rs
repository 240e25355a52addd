//! `stackcraft destroy`: stacks deleted in reverse dependency order after confirmation; a
//! protected environment is refused without `--force`; what was retained is listed. The
//! buckets of published sites are emptied first, unless the template retains them.

use std::time::Instant;

use stackcraft_core::Assembly;
use stackcraft_template::Policy;

use crate::error::DeployError;
use crate::events::{describe_failure, first_failure, follow, latest_event};
use crate::schedule;
use crate::session::Session;
use crate::status::in_progress;
use crate::ui::Ui;

#[derive(Clone, Debug)]
pub struct DestroyOptions {
    /// Do not ask.
    pub yes: bool,
    /// Destroy a protected environment.
    pub force: bool,
    pub concurrency: usize,
}

impl Default for DestroyOptions {
    fn default() -> Self {
        DestroyOptions {
            yes: false,
            force: false,
            concurrency: 1,
        }
    }
}

/// Deletes the assembly's stacks that are deployed; returns the retained resources, as lines.
pub async fn destroy(
    session: &Session,
    assembly: &Assembly,
    opts: &DestroyOptions,
    ui: &Ui,
) -> Result<Vec<String>, DeployError> {
    let env = &assembly.environment;
    if env.protected && !opts.force {
        return Err(DeployError::Input(format!(
            "environment {} is protected: destroy refuses without --force",
            env.name
        )));
    }
    let mut deployed = Vec::new();
    for stack in &assembly.stacks {
        let found = session
            .cfn
            .describe_stack(&stack.deployed_name)
            .await
            .map_err(|e| DeployError::api(format!("stack {}", stack.name), e))?;
        match found {
            Some(s) => deployed.push((stack.name.clone(), s)),
            None => ui.line(format!(
                "{} ({}): not deployed",
                stack.name, stack.deployed_name
            )),
        }
    }
    if deployed.is_empty() {
        ui.line(format!("nothing to destroy in {}", env.name));
        return Ok(Vec::new());
    }
    if !opts.yes {
        let names: Vec<_> = deployed.iter().map(|(_, s)| s.name.as_str()).collect();
        let question = format!(
            "Destroy {} stack(s) of {} ({}): {}?",
            names.len(),
            env.name,
            session.place(),
            names.join(", ")
        );
        match ui.approve(&question) {
            Some(true) => {}
            Some(false) => return Err(DeployError::NotApproved("destroy declined".into())),
            None => {
                return Err(DeployError::NotApproved(
                    "destroy needs confirmation and there is no terminal to ask: rerun with --yes"
                        .into(),
                ))
            }
        }
    }
    let nodes: Vec<_> = crate::deploy::graph(assembly)
        .into_iter()
        .filter(|(n, _)| deployed.iter().any(|(d, _)| d == n))
        .collect();
    let order = schedule::reversed(&nodes);
    let outcome = schedule::run(&order, opts.concurrency, |name| {
        let stack = &deployed
            .iter()
            .find(|(n, _)| *n == name)
            .expect("deployed")
            .1;
        let synthesized = assembly
            .stack(&name)
            .expect("deployed stacks are the assembly's");
        async move {
            crate::site::empty_site_buckets(session, ui, synthesized, &stack.id).await?;
            destroy_one(session, ui, &name, stack).await
        }
    });
    let outcome = tokio::select! {
        outcome = outcome => outcome,
        () = ui.interrupt.wait() => return Err(DeployError::Interrupted(format!(
            "interrupted: stacks being deleted go on being deleted by CloudFormation; run \
             `stackcraft destroy --env {}` again to follow them", env.name))),
    };
    let mut retained = Vec::new();
    let mut first_error = None;
    for (_, result) in outcome.results {
        match result {
            Ok(lines) => retained.extend(lines),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if retained.is_empty() {
        ui.line("nothing was retained");
    } else {
        ui.line("retained (still exist, delete them yourself when no longer needed):");
        for line in &retained {
            ui.line(format!("  {line}"));
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(retained),
    }
}

/// Deletes one stack; returns what it retained.
async fn destroy_one(
    session: &Session,
    ui: &Ui,
    label: &str,
    stack: &crate::api::StackDescription,
) -> Result<Vec<String>, DeployError> {
    let started = Instant::now();
    let mut retained = Vec::new();
    // What the template keeps on deletion, with the physical ids of the resources.
    if let Ok(body) = session.cfn.get_template(&stack.id).await {
        if let Ok(template) = stackcraft_template::parse_template(&body) {
            let resources = session
                .cfn
                .stack_resources(&stack.id)
                .await
                .unwrap_or_default();
            for (id, resource) in &template.resources {
                let kept = match resource.deletion_policy {
                    Some(Policy::Retain | Policy::RetainExceptOnCreate) => "retained",
                    Some(Policy::Snapshot) => "final snapshot kept",
                    _ => continue,
                };
                let physical = resources
                    .iter()
                    .find(|r| &r.logical_id == id)
                    .and_then(|r| r.physical_id.clone())
                    .unwrap_or_else(|| "?".into());
                retained.push(format!(
                    "{label}/{id} {} {physical} ({kept})",
                    resource.type_
                ));
            }
        }
    }
    if in_progress(&stack.status) {
        ui.line(format!(
            "{label}: {} is {}; waiting",
            stack.name, stack.status
        ));
    }
    let marker = latest_event(session, &stack.id).await;
    session
        .cfn
        .delete_stack(&stack.id)
        .await
        .map_err(|e| DeployError::api(format!("deleting stack {label}"), e))?;
    let followed = follow(session, ui, label, &stack.id, marker, started).await?;
    match followed.stack {
        None => {
            ui.line(format!(
                "{label}  ✓ {} deleted in {:.1}s",
                stack.name,
                started.elapsed().as_secs_f64()
            ));
            Ok(retained)
        }
        Some(s) => {
            let cause = first_failure(&followed.events)
                .map(describe_failure)
                .or(s.reason.clone())
                .unwrap_or_default();
            Err(DeployError::Failed(format!(
                "deleting stack {label} ({}) ended {}: {cause}",
                s.name, s.status
            )))
        }
    }
}
