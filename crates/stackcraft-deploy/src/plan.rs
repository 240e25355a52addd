//! `stackcraft plan` prepares the change sets, prints them and saves a plan file;
//! `stackcraft apply PLAN` executes exactly those change sets, refusing if a stack moved since,
//! and publishes the stacks' static sites as deploy does.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use stackcraft_core::{Assembly, SynthesizedStack};

use crate::api::{ChangeSetDescription, ChangeSetKind, ResourceChange};
use crate::changeset::{self, hex};
use crate::deploy::{self, settled_stack, DeployReport, Progress, StackOutcome, StackResult};
use crate::error::DeployError;
use crate::events::latest_event;
use crate::session::Session;
use crate::status::{succeeded, unrecoverable};
use crate::ui::Ui;

/// Uploads at the same time (assets, images, site files).
const PARALLELISM: usize = 8;

/// Version of the plan file format. 2: every key camelCase (1 had the changes' keys in
/// snake_case).
pub const PLAN_VERSION: u32 = 2;

/// A saved plan: one change set per stack that changes, and where each stack stood.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub version: u32,
    pub project: String,
    pub environment: String,
    pub account: String,
    pub region: String,
    /// Seconds since the Unix epoch.
    pub created: u64,
    /// In dependency order.
    pub stacks: Vec<PlannedStack>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedStack {
    pub stack: String,
    pub stack_name: String,
    pub dependencies: Vec<String>,
    /// SHA-256 of the template the change set was made from.
    pub template_sha256: String,
    /// `None`: nothing changes.
    pub change_set_id: Option<String>,
    pub stack_id: Option<String>,
    pub kind: Option<ChangeSetKind>,
    /// The stack's newest event when the plan was made: any later event means it moved.
    pub last_event_id: Option<String>,
    pub changes: Vec<ResourceChange>,
}

impl Plan {
    /// Reads a plan file: the current format, or an older one migrated; a plan of a newer
    /// stackcraft is refused (its meaning may have changed).
    pub fn read(path: &Path) -> Result<Plan, DeployError> {
        let bad = |reason: String| DeployError::BadPlan {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let mut value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let version = match value.get("version") {
            None => return Err(bad("it has no `version`: is it a stackcraft plan?".into())),
            Some(v) => v
                .as_u64()
                .ok_or_else(|| bad(format!("its `version` {v} is not a whole number")))?,
        };
        if version > u64::from(PLAN_VERSION) {
            return Err(bad(format!(
                "it is plan format {version}, made by a newer stackcraft; this one reads formats \
                 up to {PLAN_VERSION}: apply it with the stackcraft that made it, or make a new \
                 plan"
            )));
        }
        if version == 0 {
            return Err(bad("plan format 0 does not exist".into()));
        }
        if version == 1 {
            migrate_v1(&mut value);
        }
        serde_json::from_value(value).map_err(|e| bad(e.to_string()))
    }

    pub fn write(&self, path: &Path) -> Result<(), DeployError> {
        let mut text = serde_json::to_string_pretty(self).expect("serializes");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| DeployError::file("writing", path, e))
    }
}

/// Format 1 → 2: the keys of `stacks[].changes[]` from snake_case to camelCase.
fn migrate_v1(plan: &mut serde_json::Value) {
    let changes = plan
        .get_mut("stacks")
        .and_then(|s| s.as_array_mut())
        .into_iter()
        .flatten()
        .filter_map(|stack| stack.get_mut("changes").and_then(|c| c.as_array_mut()))
        .flatten()
        .filter_map(|c| c.as_object_mut());
    for change in changes {
        for (old, new) in [
            ("logical_id", "logicalId"),
            ("physical_id", "physicalId"),
            ("resource_type", "resourceType"),
        ] {
            if let Some(v) = change.remove(old) {
                change.insert(new.to_owned(), v);
            }
        }
    }
    plan["version"] = PLAN_VERSION.into();
}

/// Publishes the assets and images, creates one change set per stack (in dependency order) and prints
/// them; nothing is executed.
pub async fn plan(session: &Session, assembly: &Assembly, ui: &Ui) -> Result<Plan, DeployError> {
    deploy::publish_code(session, ui, assembly, PARALLELISM).await?;
    let mut stacks = Vec::new();
    for stack in &assembly.stacks {
        let spec = deploy::spec(stack);
        let existing = settled_stack(session, ui, &spec).await?;
        if let Some(s) = &existing {
            if let Some(e) = unrecoverable(
                &s.status,
                &stack.name,
                &spec.deployed_name,
                &session.env_name,
                &session.region,
            ) {
                return Err(e);
            }
        }
        let kind = match &existing {
            Some(s) if s.status != "REVIEW_IN_PROGRESS" => ChangeSetKind::Update,
            _ => ChangeSetKind::Create,
        };
        let sha = hex(&Sha256::digest(spec.template_body.as_bytes()));
        let prepared = changeset::prepare(session, &spec, kind).await?;
        let mut planned = PlannedStack {
            stack: stack.name.clone(),
            stack_name: stack.deployed_name.clone(),
            dependencies: stack.dependencies.clone(),
            template_sha256: sha,
            change_set_id: None,
            stack_id: existing.as_ref().map(|s| s.id.clone()),
            kind: None,
            last_event_id: None,
            changes: Vec::new(),
        };
        match prepared {
            None => ui.result(format!(
                "{} ({}): no changes",
                stack.name, stack.deployed_name
            )),
            Some(p) => {
                for line in
                    changeset::render(&stack.name, &stack.deployed_name, &p.change_set.changes)
                {
                    ui.result(line);
                }
                planned.last_event_id = latest_event(session, &p.change_set.stack_id).await;
                planned.change_set_id = Some(p.change_set.id.clone());
                planned.stack_id = Some(p.change_set.stack_id.clone());
                planned.kind = Some(p.kind);
                planned.changes = p.change_set.changes;
            }
        }
        stacks.push(planned);
    }
    Ok(Plan {
        version: PLAN_VERSION,
        project: assembly.project.clone(),
        environment: assembly.environment.name.clone(),
        account: session.account.clone(),
        region: session.region.clone(),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default(),
        stacks,
    })
}

/// Whether the stack settled on the template whose SHA-256 is `sha256`.
async fn runs_template(session: &Session, stack_id: &str, sha256: &str) -> bool {
    let settled = matches!(
        session.cfn.describe_stack(stack_id).await,
        Ok(Some(s)) if succeeded(&s.status)
    );
    settled
        && match session.cfn.get_template(stack_id).await {
            // As submitted, or reformatted by CloudFormation (compared once re-rendered).
            Ok(body) => {
                let sha = |text: &str| hex(&Sha256::digest(text.as_bytes()));
                sha(&body) == sha256
                    || stackcraft_template::parse_template(&body)
                        .is_ok_and(|t| sha(&t.to_json()) == sha256)
            }
            Err(_) => false,
        }
}

#[derive(Clone, Debug, Default)]
pub struct ApplyOptions {}

/// Executes the plan's change sets in order, after checking that every one is still
/// executable, that no stack moved since the plan and that `assembly` (the plan's stacks,
/// synthesized again) is what was planned; nothing is executed if any check fails. As deploy
/// does, the assets and images are uploaded before any change set is executed, and each
/// stack's static sites are published once it settled (those of unchanged stacks too: their
/// files may have changed).
pub async fn apply(
    session: &Session,
    plan: &Plan,
    assembly: &Assembly,
    _opts: &ApplyOptions,
    ui: &Ui,
) -> Result<DeployReport, DeployError> {
    if plan.account != session.account || plan.region != session.region {
        return Err(DeployError::PlanForOtherAccount {
            plan_account: plan.account.clone(),
            plan_region: plan.region.clone(),
            account: session.account.clone(),
            region: session.region.clone(),
        });
    }
    let synthesized = synthesized_as_planned(plan, assembly)?;
    let mut ready = Vec::new();
    for p in &plan.stacks {
        if let Some(cs) = executable_change_set(session, p).await? {
            ready.push((p, cs));
        }
    }
    let progress = Progress::default();
    let mut report = DeployReport::default();
    let work = async {
        deploy::publish_code(session, ui, assembly, PARALLELISM).await?;
        for (p, stack) in plan.stacks.iter().zip(synthesized) {
            let settled = match ready.iter().find(|(r, _)| r.stack == p.stack) {
                Some((_, cs)) => execute(session, ui, p, cs, &progress).await?,
                None => unchanged(session, p).await?,
            };
            let result = deploy::after_settled(session, ui, stack, settled, PARALLELISM).await?;
            progress.done(&p.stack);
            report.stacks.push(result);
        }
        Ok::<_, DeployError>(())
    };
    tokio::select! {
        r = work => r?,
        () = ui.interrupt.wait() => return Err(progress.interrupted(session)),
    }
    let executed = report
        .stacks
        .iter()
        .filter(|s| s.outcome != StackOutcome::NoChanges)
        .count();
    ui.result(format!(
        "applied {executed} change set(s); {} stack(s) had no changes",
        report.stacks.len() - executed
    ));
    Ok(report)
}

/// The synthesized stack of each planned one, in the plan's order, when its template is the
/// one the plan was made from (else the change set would deploy one template and the sites
/// be published for another).
fn synthesized_as_planned<'a>(
    plan: &Plan,
    assembly: &'a Assembly,
) -> Result<Vec<&'a SynthesizedStack>, DeployError> {
    plan.stacks
        .iter()
        .map(|p| {
            let outdated = |why: &str| DeployError::PlanOutdated {
                stack: p.stack.clone(),
                deployed_name: p.stack_name.clone(),
                why: why.to_owned(),
            };
            let stack = assembly
                .stack(&p.stack)
                .ok_or_else(|| outdated("the synthesized app no longer has it"))?;
            let sha = hex(&Sha256::digest(
                deploy::spec(stack).template_body.as_bytes(),
            ));
            if sha != p.template_sha256 {
                return Err(outdated(
                    "its synthesized template differs from the planned one (the code or the \
                     configuration changed)",
                ));
            }
            Ok(stack)
        })
        .collect()
}

/// The plan's change set of `p`, checked executable and the stack unmoved; `None` when the
/// plan has no changes for it.
async fn executable_change_set(
    session: &Session,
    p: &PlannedStack,
) -> Result<Option<ChangeSetDescription>, DeployError> {
    let (Some(cs_id), Some(stack_id)) = (&p.change_set_id, &p.stack_id) else {
        return Ok(None);
    };
    let moved = |why: String| DeployError::StackMoved {
        stack: p.stack.clone(),
        deployed_name: p.stack_name.clone(),
        why,
    };
    let cs = match session.cfn.describe_change_set(cs_id).await {
        Ok(cs) => cs,
        Err(e) => {
            // CloudFormation deletes a stack's other change sets when one is executed,
            // and forgets executed ones in time: a stack that runs the plan's template
            // had the plan applied.
            if runs_template(session, stack_id, &p.template_sha256).await {
                return Err(DeployError::PlanAlreadyApplied {
                    stack: p.stack.clone(),
                    deployed_name: p.stack_name.clone(),
                    evidence: "it runs the plan's template (its change set is gone)".into(),
                });
            }
            return Err(moved(format!(
                "its change set cannot be read ({})",
                e.message
            )));
        }
    };
    if matches!(
        cs.execution_status.as_str(),
        "EXECUTE_COMPLETE" | "EXECUTE_IN_PROGRESS"
    ) {
        return Err(DeployError::PlanAlreadyApplied {
            stack: p.stack.clone(),
            deployed_name: p.stack_name.clone(),
            evidence: format!("its change set is {}", cs.execution_status),
        });
    }
    if cs.status != "CREATE_COMPLETE" || cs.execution_status != "AVAILABLE" {
        return Err(moved(format!(
            "its change set is {} / {}",
            cs.status, cs.execution_status
        )));
    }
    if latest_event(session, stack_id).await != p.last_event_id {
        return Err(moved("it has new events".into()));
    }
    Ok(Some(cs))
}

/// Executes the planned change set and follows the stack until it settles.
async fn execute(
    session: &Session,
    ui: &Ui,
    p: &PlannedStack,
    cs: &ChangeSetDescription,
    progress: &Progress,
) -> Result<StackResult, DeployError> {
    // The change set holds the template: the spec only names the stack.
    let spec = changeset::StackSpec {
        name: p.stack.clone(),
        deployed_name: p.stack_name.clone(),
        template_body: String::new(),
        description: None,
        tags: Vec::new(),
    };
    for line in changeset::render(&p.stack, &p.stack_name, &cs.changes) {
        ui.line(line);
    }
    let kind = p.kind.unwrap_or(ChangeSetKind::Update);
    deploy::execute_and_follow(session, ui, &spec, cs, kind, Instant::now(), progress).await
}

/// A planned stack without changes as it is now, with the outputs its sites read.
async fn unchanged(session: &Session, p: &PlannedStack) -> Result<StackResult, DeployError> {
    let started = Instant::now();
    let found = session
        .cfn
        .describe_stack(&p.stack_name)
        .await
        .map_err(|e| session.api_error(format!("stack {} ({})", p.stack, p.stack_name), e))?;
    Ok(StackResult {
        stack: p.stack.clone(),
        deployed_name: p.stack_name.clone(),
        outcome: StackOutcome::NoChanges,
        outputs: found.map(|s| s.outputs).unwrap_or_default(),
        elapsed: started.elapsed(),
        sites: Vec::new(),
    })
}
