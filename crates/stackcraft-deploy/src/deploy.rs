//! `stackcraft deploy`: assets, then per stack (dependency order, independent stacks
//! concurrently) a change set, shown, approved when it replaces or removes anything, executed
//! and followed; outputs printed and written.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use stackcraft_core::{Assembly, SynthesizedStack};

use crate::api::{ChangeSetDescription, ChangeSetKind, StackDescription};
use crate::changeset::{self, is_destructive, StackSpec};
use crate::error::{DeployError, InterruptedStack};
use crate::events::{failed_resource, first_failure, follow, latest_event, Operation};
use crate::hotswap;
use crate::schedule;
use crate::session::Session;
use crate::site::{publish_sites, SiteReport};
use crate::status::{in_progress, recovery, succeeded, unrecoverable};
use crate::ui::Ui;

/// When a change set needs approval before it is executed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequireApproval {
    /// Never ask.
    Never,
    /// When anything is replaced or removed (the default).
    #[default]
    Destructive,
    /// Whenever anything changes.
    AnyChange,
}

#[derive(Clone, Debug)]
pub struct DeployOptions {
    /// Approve everything (`--yes`).
    pub yes: bool,
    pub require_approval: RequireApproval,
    /// Stacks deployed at the same time, among those whose dependencies are deployed.
    pub concurrency: usize,
    /// Asset uploads at the same time.
    pub asset_parallelism: usize,
    /// Where the outputs of every deployed stack are written (JSON).
    pub outputs_file: Option<PathBuf>,
    /// Update only Lambda code and container images when nothing else changed (no change
    /// set); refused in protected environments.
    pub hotswap: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            yes: false,
            require_approval: RequireApproval::Destructive,
            concurrency: 1,
            asset_parallelism: 8,
            outputs_file: None,
            hotswap: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StackOutcome {
    Created,
    Updated,
    NoChanges,
    /// Only Lambda code or images were updated, without a change set: the stack drifted from
    /// its template until the next full deploy.
    Hotswapped,
}

/// One deployed stack.
#[derive(Clone, Debug)]
pub struct StackResult {
    pub stack: String,
    pub deployed_name: String,
    pub outcome: StackOutcome,
    pub outputs: IndexMap<String, String>,
    pub elapsed: Duration,
    /// The stack's static sites, published once it was deployed.
    pub sites: Vec<SiteReport>,
}

#[derive(Clone, Debug, Default)]
pub struct DeployReport {
    /// In the order the stacks finished.
    pub stacks: Vec<StackResult>,
}

/// Where each stack of a running deploy is, for the Ctrl-C report.
#[derive(Default)]
pub(crate) struct Progress {
    phases: Mutex<IndexMap<String, Phase>>,
}

#[derive(Clone)]
enum Phase {
    Preparing(String),
    Executed {
        deployed_name: String,
        change_set: String,
    },
    Done,
}

impl Progress {
    fn set(&self, stack: &str, phase: Phase) {
        self.phases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(stack.to_owned(), phase);
    }

    /// The stack finished (deployed or failed): nothing of it goes on after an interrupt.
    pub(crate) fn done(&self, stack: &str) {
        self.set(stack, Phase::Done);
    }

    pub(crate) fn executed(&self, stack: &str, deployed_name: &str, change_set: &str) {
        self.set(
            stack,
            Phase::Executed {
                deployed_name: deployed_name.to_owned(),
                change_set: change_set.to_owned(),
            },
        );
    }

    /// What to tell the user after Ctrl-C: where each stack that had started stood.
    pub(crate) fn interrupted(&self, session: &Session) -> DeployError {
        let phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        let stacks = phases
            .iter()
            .filter_map(|(stack, phase)| {
                let (deployed_name, executed) = match phase {
                    Phase::Preparing(name) => (name.clone(), None),
                    Phase::Executed {
                        deployed_name,
                        change_set,
                    } => (deployed_name.clone(), Some(change_set.clone())),
                    Phase::Done => return None,
                };
                Some(InterruptedStack {
                    stack: stack.clone(),
                    deployed_name,
                    executed_change_set: executed,
                })
            })
            .collect();
        DeployError::Interrupted {
            env: session.env_name.clone(),
            region: session.region.clone(),
            stacks,
        }
    }
}

/// The nodes of the assembly's dependency graph.
pub(crate) fn graph(assembly: &Assembly) -> Vec<(String, Vec<String>)> {
    assembly
        .stacks
        .iter()
        .map(|s| (s.name.clone(), s.dependencies.clone()))
        .collect()
}

pub(crate) fn spec(stack: &SynthesizedStack) -> StackSpec {
    StackSpec {
        name: stack.name.clone(),
        deployed_name: stack.deployed_name.clone(),
        template_body: stack.template.to_json(),
        description: stack.template.description.clone(),
        tags: Vec::new(),
    }
}

/// Deploys every stack of the assembly (which `Assembly::select` may have narrowed).
pub async fn deploy(
    session: &Session,
    assembly: &Assembly,
    opts: &DeployOptions,
    ui: &Ui,
) -> Result<DeployReport, DeployError> {
    let started = Instant::now();
    if opts.hotswap && assembly.environment.protected {
        return Err(DeployError::HotswapProtected {
            env: assembly.environment.name.clone(),
        });
    }
    let progress = Progress::default();
    let work = async {
        publish_code(session, ui, assembly, opts.asset_parallelism).await?;
        let outcome = schedule::run(&graph(assembly), opts.concurrency, |name| {
            let stack = assembly.stack(&name).expect("scheduled stacks exist");
            let progress = &progress;
            async move {
                progress.set(&name, Phase::Preparing(stack.deployed_name.clone()));
                let parallelism = opts.asset_parallelism;
                let result = match deploy_one(session, ui, &spec(stack), opts, progress).await {
                    Ok(settled) => after_settled(session, ui, stack, settled, parallelism).await,
                    Err(e) => Err(e),
                };
                progress.done(&name);
                result
            }
        })
        .await;
        Ok::<_, DeployError>(outcome)
    };
    let outcome = tokio::select! {
        outcome = work => outcome?,
        () = ui.interrupt.wait() => return Err(progress.interrupted(session)),
    };
    let mut report = DeployReport::default();
    let mut first_error = None;
    for (_, result) in outcome.results {
        match result {
            Ok(r) => report.stacks.push(r),
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    if let Some(path) = &opts.outputs_file {
        let outputs = current_outputs(session, assembly, &report).await;
        if outputs.is_empty() {
            ui.line(format!(
                "{} left as it was: no stack of the deploy has outputs",
                path.display()
            ));
        } else {
            write_outputs(path, &outputs)?;
            ui.line(format!("outputs written to {}", path.display()));
        }
    }
    if let Some(e) = first_error {
        if !outcome.skipped.is_empty() {
            ui.line(format!(
                "not deployed because of the failure: {}",
                outcome.skipped.join(", ")
            ));
        }
        return Err(e);
    }
    ui.result(format!(
        "deployed {} stack(s) to {} in {:.1}s",
        report.stacks.len(),
        session.env_name,
        started.elapsed().as_secs_f64()
    ));
    Ok(report)
}

/// Uploads what the change sets will reference, the bucket assets (Lambda zips, large
/// templates' files) and the container images, before any change set is created or
/// executed, so that a failed upload leaves every stack as it was (deploy, plan and apply).
pub(crate) async fn publish_code(
    session: &Session,
    ui: &Ui,
    assembly: &Assembly,
    parallelism: usize,
) -> Result<(), DeployError> {
    let assets = crate::assets::bucket_assets(assembly);
    crate::assets::publish(session, ui, &assets, parallelism).await?;
    let images = crate::images::of(assembly);
    crate::images::publish(session, ui, &images, parallelism).await?;
    Ok(())
}

/// What a stack needs once it settled, in deploy and apply alike. Unless it was just
/// hotswapped, it now runs its template, so the Lambda functions and services an earlier
/// hotswap changed are put back on the template: after a change set, after no change at all
/// (a watch whose source went back to what is deployed), with `--hotswap` or without. Then
/// the stack's static sites are published with its outputs.
pub(crate) async fn after_settled(
    session: &Session,
    ui: &Ui,
    stack: &SynthesizedStack,
    mut deployed: StackResult,
    parallelism: usize,
) -> Result<StackResult, DeployError> {
    let has_code = !stack.assets.is_empty() || !stack.images.is_empty();
    if deployed.outcome != StackOutcome::Hotswapped && has_code {
        hotswap::converge(session, ui, &stack.name, &stack.deployed_name).await?;
    }
    deployed.sites = publish_sites(session, ui, stack, &deployed.outputs, parallelism).await?;
    Ok(deployed)
}

/// The outputs each stack of the assembly has now, in the assembly's order: those of the
/// deploy's report for the stacks it deployed, those CloudFormation describes for the others
/// (a failed or skipped stack keeps the outputs of its last good deploy). Stacks that do not
/// exist (or cannot be read) are left out, so a failed deploy never writes outputs that are
/// not true.
async fn current_outputs(
    session: &Session,
    assembly: &Assembly,
    report: &DeployReport,
) -> IndexMap<String, IndexMap<String, String>> {
    let mut all = IndexMap::new();
    for stack in &assembly.stacks {
        let outputs = match report.stacks.iter().find(|r| r.stack == stack.name) {
            Some(r) => r.outputs.clone(),
            None => match session.cfn.describe_stack(&stack.deployed_name).await {
                Ok(Some(s)) if has_outputs(&s.status) => s.outputs,
                _ => continue,
            },
        };
        all.insert(stack.name.clone(), outputs);
    }
    all
}

/// Whether a stack in `status` has the outputs of a deploy: not one whose creation failed or
/// never ran (it has no resources), nor one being deleted.
fn has_outputs(status: &str) -> bool {
    !matches!(
        status,
        "REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED"
    ) && !status.starts_with("DELETE_")
}

/// `{"stack": {"OutputKey": "value"}}`, written atomically.
fn write_outputs(
    path: &std::path::Path,
    outputs: &IndexMap<String, IndexMap<String, String>>,
) -> Result<(), DeployError> {
    let mut text = serde_json::to_string_pretty(outputs).expect("serializes");
    text.push('\n');
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| DeployError::file("writing", path, e))
}

/// The stack as it is now, after waiting out any operation in progress.
pub(crate) async fn settled_stack(
    session: &Session,
    ui: &Ui,
    spec: &StackSpec,
) -> Result<Option<StackDescription>, DeployError> {
    let label = &spec.name;
    let existing = session
        .cfn
        .describe_stack(&spec.deployed_name)
        .await
        .map_err(|e| session.api_error(format!("stack {label} ({})", spec.deployed_name), e))?;
    match existing {
        Some(s) if in_progress(&s.status) => {
            ui.line(format!(
                "{label}: {} is {}; following it until it settles",
                spec.deployed_name, s.status
            ));
            let marker = latest_event(session, &s.id).await;
            Ok(
                follow(session, ui, label, &s.id, marker, Operation::Settle, None)
                    .await?
                    .stack,
            )
        }
        other => Ok(other),
    }
}

/// One stack: change set, approval, execution, events, outputs.
pub(crate) async fn deploy_one(
    session: &Session,
    ui: &Ui,
    spec: &StackSpec,
    opts: &DeployOptions,
    progress: &Progress,
) -> Result<StackResult, DeployError> {
    let started = Instant::now();
    let label = spec.name.as_str();
    let existing = settled_stack(session, ui, spec).await?;
    if let Some(s) = &existing {
        if let Some(e) = unrecoverable(
            &s.status,
            label,
            &spec.deployed_name,
            &session.env_name,
            &session.region,
        ) {
            return Err(e);
        }
    }
    if opts.hotswap {
        if let Some(s) = existing.as_ref().filter(|s| succeeded(&s.status)) {
            if let Some(result) = try_hotswap(session, ui, spec, s, started).await? {
                return Ok(result);
            }
        }
    }
    let kind = match &existing {
        None => ChangeSetKind::Create,
        Some(s) if s.status == "REVIEW_IN_PROGRESS" => ChangeSetKind::Create,
        Some(_) => ChangeSetKind::Update,
    };
    let Some(prepared) = changeset::prepare(session, spec, kind).await? else {
        ui.line(format!("{label} ({}): no changes", spec.deployed_name));
        return Ok(StackResult {
            stack: spec.name.clone(),
            deployed_name: spec.deployed_name.clone(),
            outcome: StackOutcome::NoChanges,
            outputs: existing.map(|s| s.outputs).unwrap_or_default(),
            elapsed: started.elapsed(),
            sites: Vec::new(),
        });
    };
    let cs = &prepared.change_set;
    for line in changeset::render(label, &spec.deployed_name, &cs.changes) {
        ui.line(line);
    }
    approve(session, ui, spec, cs, opts).await?;
    execute_and_follow(session, ui, spec, cs, prepared.kind, started, progress).await
}

/// Hotswaps the stack when only Lambda code and images changed; `None` when a change set is
/// needed (said why).
async fn try_hotswap(
    session: &Session,
    ui: &Ui,
    spec: &StackSpec,
    existing: &StackDescription,
    started: Instant,
) -> Result<Option<StackResult>, DeployError> {
    let label = spec.name.as_str();
    let deployed = hotswap::Deployed::read(session, label, &existing.id).await?;
    let new: serde_json::Value =
        serde_json::from_str(&spec.template_body).expect("synthesized templates are JSON");
    let pseudo = hotswap::Pseudo {
        account: &session.account,
        region: &session.region,
    };
    let swaps = match hotswap::changes(&deployed.template, &new, &pseudo) {
        Ok(swaps) if !swaps.is_empty() => swaps,
        Ok(_) => return Ok(None),
        Err(why) => {
            ui.line(format!(
                "{label}: not hotswappable ({why}); deploying a change set"
            ));
            return Ok(None);
        }
    };
    let done = hotswap::apply(session, ui, label, &deployed, &swaps).await?;
    hotswap::mark(session, label, &spec.deployed_name, &done).await?;
    ui.line(format!(
        "{label}  ✓ {} hotswapped in {:.1}s:",
        spec.deployed_name,
        started.elapsed().as_secs_f64()
    ));
    for line in &done {
        ui.line(format!("{label}    {line}"));
    }
    ui.line(format!(
        "{label}  ! {} has drifted from its template (hotswapped) until the next full deploy \
         (`stackcraft deploy {label} --env {}`), which brings it back",
        spec.deployed_name, session.env_name
    ));
    Ok(Some(StackResult {
        stack: spec.name.clone(),
        deployed_name: spec.deployed_name.clone(),
        outcome: StackOutcome::Hotswapped,
        outputs: existing.outputs.clone(),
        elapsed: started.elapsed(),
        sites: Vec::new(),
    }))
}

/// Asks when the options say so; deletes the change set when the answer is no.
async fn approve(
    session: &Session,
    ui: &Ui,
    spec: &StackSpec,
    cs: &ChangeSetDescription,
    opts: &DeployOptions,
) -> Result<(), DeployError> {
    let destructive = cs.changes.iter().any(is_destructive);
    let needed = !opts.yes
        && match opts.require_approval {
            RequireApproval::Never => false,
            RequireApproval::Destructive => destructive,
            RequireApproval::AnyChange => true,
        };
    if !needed {
        return Ok(());
    }
    let what = if destructive {
        "replaces or removes resources"
    } else {
        "changes resources"
    };
    let answer = ui.approve(&format!(
        "The change set of {} ({}) {what}. Execute it?",
        spec.name, spec.deployed_name
    ));
    if answer != Some(true) {
        let _ = session.cfn.delete_change_set(&cs.id).await;
    }
    DeployError::unless_approved(
        answer,
        format!("deploy of stack {}", spec.name),
        Some(format!("its change set {what}")),
        "rerun with --yes (or --require-approval never), or review it first with `stackcraft plan`",
    )
}

/// Executes a change set that has changes, follows the stack until it settles, and reports.
pub(crate) async fn execute_and_follow(
    session: &Session,
    ui: &Ui,
    spec: &StackSpec,
    cs: &ChangeSetDescription,
    kind: ChangeSetKind,
    started: Instant,
    progress: &Progress,
) -> Result<StackResult, DeployError> {
    let label = spec.name.as_str();
    let marker = latest_event(session, &cs.stack_id).await;
    session
        .cfn
        .execute_change_set(&cs.id)
        .await
        .map_err(|e| session.api_error(format!("executing the change set of stack {label}"), e))?;
    progress.executed(label, &spec.deployed_name, &cs.id);
    let followed = follow(
        session,
        ui,
        label,
        &cs.stack_id,
        marker,
        Operation::Change,
        Some(cs.changes.len()),
    )
    .await?;
    let status = followed
        .stack
        .as_ref()
        .map(|s| s.status.clone())
        .unwrap_or_else(|| "DELETE_COMPLETE".into());
    if succeeded(&status) {
        let outputs = followed.stack.map(|s| s.outputs).unwrap_or_default();
        ui.line(format!(
            "{label}  ✓ {} {status} in {:.1}s",
            spec.deployed_name,
            started.elapsed().as_secs_f64()
        ));
        for (key, value) in &outputs {
            ui.result(format!("{label}    {key} = {value}"));
        }
        return Ok(StackResult {
            stack: spec.name.clone(),
            deployed_name: spec.deployed_name.clone(),
            outcome: match kind {
                ChangeSetKind::Create => StackOutcome::Created,
                ChangeSetKind::Update => StackOutcome::Updated,
            },
            outputs,
            elapsed: started.elapsed(),
            sites: Vec::new(),
        });
    }
    let error = DeployError::ChangeSetFailed {
        stack: spec.name.clone(),
        deployed_name: spec.deployed_name.clone(),
        resource: first_failure(&followed.events).map(failed_resource),
        reason: followed.stack.as_ref().and_then(|s| s.reason.clone()),
        recovery: recovery(
            &status,
            label,
            &spec.deployed_name,
            &session.env_name,
            &session.region,
        ),
        status,
    };
    ui.line(format!("{label}  ✗ {error}"));
    Err(error)
}
