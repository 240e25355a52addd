//! `stackcraft destroy`: stacks deleted in reverse dependency order after confirmation; a
//! protected environment is refused without `--force`; what was retained is listed. The
//! buckets of published sites are emptied first, unless the template retains them.

use std::time::Instant;

use stackcraft_core::Assembly;
use stackcraft_template::Policy;

use crate::error::DeployError;
use crate::events::{failed_resource, first_failure, follow, latest_event, Operation};
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

/// The stacks `names` of the assembly, and every stack that depends on them (it would break
/// without them); the stacks they depend on stay. What to [`destroy`] when stacks are named.
pub fn with_dependents(assembly: &Assembly, names: &[String]) -> Result<Assembly, DeployError> {
    if let Some(unknown) = names.iter().find(|n| assembly.stack(n).is_none()) {
        return Err(DeployError::UnknownStack {
            name: unknown.clone(),
            known: assembly.stacks.iter().map(|s| s.name.clone()).collect(),
        });
    }
    let mut keep: Vec<String> = names.to_vec();
    loop {
        let more: Vec<String> = assembly
            .stacks
            .iter()
            .filter(|s| !keep.contains(&s.name))
            .filter(|s| s.dependencies.iter().any(|d| keep.contains(d)))
            .map(|s| s.name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        keep.extend(more);
    }
    let mut selected = assembly.clone();
    selected.stacks.retain(|s| keep.contains(&s.name));
    Ok(selected)
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
        return Err(DeployError::Protected {
            env: env.name.clone(),
        });
    }
    let mut deployed = Vec::new();
    for stack in &assembly.stacks {
        let found = session
            .cfn
            .describe_stack(&stack.deployed_name)
            .await
            .map_err(|e| session.api_error(format!("stack {}", stack.name), e))?;
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
        DeployError::unless_approved(
            ui.approve(&question),
            format!("destroy of {} stack(s) of {}", names.len(), env.name),
            None,
            "rerun with --yes",
        )?;
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
        () = ui.interrupt.wait() => return Err(DeployError::DestroyInterrupted {
            env: env.name.clone(),
        }),
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
        ui.result("nothing was retained");
    } else {
        ui.result("retained (still exist, delete them yourself when no longer needed):");
        for line in &retained {
            ui.result(format!("  {line}"));
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
    let resources = session.cfn.stack_resources(&stack.id).await.ok();
    // What the template keeps on deletion, with the physical ids of the resources.
    if let Ok(body) = session.cfn.get_template(&stack.id).await {
        if let Ok(template) = stackcraft_template::parse_template(&body) {
            let resources = resources.as_deref().unwrap_or_default();
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
        .map_err(|e| session.api_error(format!("deleting stack {label}"), e))?;
    let followed = follow(
        session,
        ui,
        label,
        &stack.id,
        marker,
        Operation::Delete,
        resources.as_ref().map(Vec::len).filter(|n| *n > 0),
    )
    .await?;
    match followed.stack {
        None => {
            ui.line(format!(
                "{label}  ✓ {} deleted in {:.1}s",
                stack.name,
                started.elapsed().as_secs_f64()
            ));
            Ok(retained)
        }
        Some(s) => Err(DeployError::DeleteFailed {
            stack: label.to_owned(),
            deployed_name: s.name,
            status: s.status,
            resource: first_failure(&followed.events).map(failed_resource),
            reason: s.reason,
        }),
    }
}
