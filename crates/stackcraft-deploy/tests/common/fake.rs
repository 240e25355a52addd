//! A scripted CloudFormation: each executed change set replays a realistic sequence of stack
//! events, one step per poll, ending in the script's final status (and outputs). What moto
//! cannot show — resource events, failures, rollbacks, stuck states, outputs — is tested here.
//!
//! It also keeps a gauge of the stacks in flight (from their change set's creation until their
//! stack reaches a final status), and can hold a stack in progress until another stack's change
//! set is created: a barrier on its own state, so that overlap is a fact a test can assert,
//! not a matter of timing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use indexmap::IndexMap;
use stackcraft_deploy::*;
use tokio::sync::Notify;

/// One event of a script: (logical id, resource type, status, reason).
pub type Step = (&'static str, &'static str, &'static str, &'static str);

/// What happens when the next change set of a stack is executed.
#[derive(Clone, Default)]
pub struct Script {
    /// The change set's changes.
    pub changes: Vec<ResourceChange>,
    /// Events replayed after execution; events of the stack itself set its status.
    pub steps: Vec<Step>,
    pub outputs: Vec<(&'static str, &'static str)>,
    /// Stay in progress forever after the steps (for Ctrl-C).
    pub hang: bool,
    /// Polls of the change set that answer CREATE_IN_PROGRESS before it is complete (for
    /// Ctrl-C before execution); each one notifies [`FakeCloudFormation::change_set_pending`].
    pub change_set_polls: usize,
}

#[derive(Default)]
struct FakeStack {
    id: String,
    status: String,
    outputs: IndexMap<String, String>,
    /// Newest first.
    events: Vec<StackEvent>,
    pending: VecDeque<Step>,
    hang: bool,
    final_outputs: IndexMap<String, String>,
    /// The template of the last executed change set.
    template: Option<String>,
    /// What the next DeleteStack replays (default: DELETE_IN_PROGRESS, DELETE_COMPLETE).
    delete_steps: Option<Vec<Step>>,
    /// What ListStackResources answers.
    resources: Vec<StackResource>,
}

/// A stack kept in progress until another stack's change set is created.
struct Hold {
    /// The stack whose change set releases the hold.
    until_change_set_of: String,
    /// Polls left before the hold gives up (so a broken engine fails the test's assertions
    /// instead of hanging it).
    polls_left: usize,
}

/// Polls a [`Hold`] lasts at most.
const HOLD_POLLS: usize = 2_000;

#[derive(Default)]
struct State {
    stacks: HashMap<String, FakeStack>,
    scripts: HashMap<String, VecDeque<Script>>,
    change_sets: HashMap<String, (String, ChangeSetDescription)>,
    /// What drift detection finds, by stack: its drift status and drifted resources.
    drifts: HashMap<String, (String, Vec<ResourceDrift>)>,
    /// Detections started: (id, stack, polls left before it completes).
    detections: Vec<(String, String, usize)>,
    /// The template body each change set was made from.
    templates: HashMap<String, String>,
    next_id: usize,
    /// Every call, in order (`execute:<stack>`, `create_change_set:<stack>`, ...), and
    /// `settled:<stack>` when a stack reached a final status.
    pub calls: Vec<String>,
    /// Stacks between their change set's creation and their final status.
    in_flight: HashSet<String>,
    /// The most stacks ever in flight at once.
    max_in_flight: usize,
    holds: HashMap<String, Hold>,
    /// Polls left before a change set is complete.
    pending_change_sets: HashMap<String, usize>,
}

impl State {
    fn take_off(&mut self, stack: &str) {
        self.in_flight.insert(stack.to_owned());
        self.max_in_flight = self.max_in_flight.max(self.in_flight.len());
    }

    fn land(&mut self, stack: &str) {
        if self.in_flight.remove(stack) {
            self.calls.push(format!("settled:{stack}"));
        }
    }

    /// Whether `stack` must stay as it is on this poll (a hold not yet released).
    fn held(&mut self, stack: &str) -> bool {
        let Some(hold) = self.holds.get_mut(stack) else {
            return false;
        };
        let created = format!("create_change_set:{}", hold.until_change_set_of);
        if hold.polls_left == 0 || self.calls.contains(&created) {
            self.holds.remove(stack);
            return false;
        }
        hold.polls_left -= 1;
        true
    }
}

/// Whether a stack in `status` is done with its operation.
fn is_final(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

#[derive(Clone, Default)]
pub struct FakeCloudFormation {
    state: Arc<Mutex<State>>,
    /// Notified when a change set is executed (to interrupt right after).
    pub executed: Arc<Notify>,
    /// Notified when a change set is described still in progress (to interrupt before it is
    /// executed).
    pub change_set_pending: Arc<Notify>,
}

pub fn change(action: Action, id: &str, type_: &str, replacement: Replacement) -> ResourceChange {
    ResourceChange {
        action,
        logical_id: id.into(),
        physical_id: None,
        resource_type: type_.into(),
        replacement,
        details: Vec::new(),
    }
}

impl FakeCloudFormation {
    /// Queues the script of the next execution of `stack`'s change set.
    pub fn script(&self, stack: &str, script: Script) {
        let mut s = self.state.lock().unwrap();
        s.scripts.entry(stack.into()).or_default().push_back(script);
    }

    /// A stack that already exists in `status`.
    pub fn existing(&self, stack: &str, status: &str) {
        let mut s = self.state.lock().unwrap();
        s.next_id += 1;
        let id = format!(
            "arn:aws:cloudformation:eu-central-1:123456789012:stack/{stack}/{}",
            s.next_id
        );
        let n = s.next_id;
        s.stacks.insert(
            stack.into(),
            FakeStack {
                id,
                status: status.into(),
                events: vec![event(n, stack, "AWS::CloudFormation::Stack", status, "")],
                ..FakeStack::default()
            },
        );
    }

    /// Gives an existing stack outputs.
    pub fn outputs(&self, stack: &str, outputs: &[(&str, &str)]) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().outputs = outputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }

    /// What drift detection of `stack` finds (after two polls in progress).
    pub fn drift(&self, stack: &str, status: &str, resources: Vec<ResourceDrift>) {
        let mut s = self.state.lock().unwrap();
        s.drifts.insert(stack.into(), (status.into(), resources));
    }

    /// What the next deletion of `stack` replays.
    pub fn delete_script(&self, stack: &str, steps: Vec<Step>) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().delete_steps = Some(steps);
    }

    /// Keeps `stack` in progress, once its change set is executed, until the change set of
    /// `other` is created (or, if it never is, for [`HOLD_POLLS`] polls).
    pub fn hold_until_change_set_of(&self, stack: &str, other: &str) {
        let mut s = self.state.lock().unwrap();
        s.holds.insert(
            stack.into(),
            Hold {
                until_change_set_of: other.into(),
                polls_left: HOLD_POLLS,
            },
        );
    }

    /// The most stacks that were in flight at once (change set created, final status not yet
    /// reached).
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// The template an existing stack runs (what GetTemplate answers).
    pub fn template(&self, stack: &str, body: &str) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().template = Some(body.into());
    }

    /// What ListStackResources answers for an existing stack: (logical id, type, physical id).
    pub fn resources(&self, stack: &str, resources: &[(&str, &str, &str)]) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().resources = resources
            .iter()
            .map(|(logical, type_, physical)| StackResource {
                logical_id: (*logical).into(),
                physical_id: Some((*physical).into()),
                resource_type: (*type_).into(),
                status: "CREATE_COMPLETE".into(),
            })
            .collect();
    }

    /// Forgets every change set, as CloudFormation does in time (executed ones included).
    pub fn forget_change_sets(&self) {
        self.state.lock().unwrap().change_sets.clear();
    }

    /// Makes an existing stack replay `steps` on its own (another operation in progress).
    pub fn busy(&self, stack: &str, steps: Vec<Step>) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().pending.extend(steps);
    }

    /// The events of a stack, oldest first.
    pub fn events(&self, stack: &str) -> Vec<StackEvent> {
        let s = self.state.lock().unwrap();
        let mut events = s.stacks[stack].events.clone();
        events.reverse();
        events
    }

    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn status(&self, stack: &str) -> Option<String> {
        self.state
            .lock()
            .unwrap()
            .stacks
            .get(stack)
            .map(|s| s.status.clone())
    }

    pub fn session(&self) -> Session {
        self.session_of("dev")
    }

    /// A session of the environment `env` (its name is what messages say).
    pub fn session_of(&self, env: &str) -> Session {
        Session::new(
            Arc::new(self.clone()),
            Arc::new(FakeStore),
            "123456789012",
            "eu-central-1",
            env,
        )
        .with_poll(Duration::from_millis(1))
    }
}

/// When the fake's event `n` happened: 2026-01-01, from 01:00:00 UTC on, `n` seconds apart,
/// so a test can tell the event's own time from the time it was read.
pub fn event_time(n: usize) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3600 + n as u64)
}

fn event(n: usize, logical: &str, type_: &str, status: &str, reason: &str) -> StackEvent {
    StackEvent {
        id: format!("event-{n}"),
        logical_id: logical.into(),
        physical_id: None,
        resource_type: type_.into(),
        status: status.into(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        timestamp: Some(event_time(n)),
    }
}

fn find<'a>(s: &'a mut State, stack: &str) -> Option<(&'a String, &'a mut FakeStack)> {
    s.stacks
        .iter_mut()
        .find(|(name, st)| name.as_str() == stack || st.id == stack)
}

#[async_trait]
impl CloudFormationApi for FakeCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<Option<StackDescription>, ApiError> {
        let mut s = self.state.lock().unwrap();
        s.next_id += 1;
        let n = s.next_id;
        let Some((name, _)) = find(&mut s, stack) else {
            return Ok(None);
        };
        let name = name.clone();
        if s.held(&name) {
            let st = &s.stacks[&name];
            return Ok(Some(StackDescription {
                id: st.id.clone(),
                name,
                status: st.status.clone(),
                reason: None,
                outputs: st.outputs.clone(),
                tags: IndexMap::new(),
            }));
        }
        let st = s.stacks.get_mut(&name).unwrap();
        // One step per poll.
        if let Some((logical, type_, status, reason)) = st.pending.pop_front() {
            let logical = if logical.is_empty() {
                name.as_str()
            } else {
                logical
            };
            st.events
                .insert(0, event(n, logical, type_, status, reason));
            if type_ == "AWS::CloudFormation::Stack" {
                st.status = status.into();
            }
            if st.pending.is_empty() && !st.hang {
                st.outputs = std::mem::take(&mut st.final_outputs);
            }
        }
        let st = &s.stacks[&name];
        let description = StackDescription {
            id: st.id.clone(),
            name: name.clone(),
            status: st.status.clone(),
            reason: None,
            outputs: st.outputs.clone(),
            tags: IndexMap::new(),
        };
        if is_final(&description.status) && st.pending.is_empty() {
            s.land(&name);
        }
        if description.status == "DELETE_COMPLETE" {
            return Ok(None);
        }
        Ok(Some(description))
    }

    async fn create_change_set(
        &self,
        req: &ChangeSetRequest,
    ) -> Result<CreatedChangeSet, ApiError> {
        let mut s = self.state.lock().unwrap();
        s.calls
            .push(format!("create_change_set:{}", req.stack_name));
        s.next_id += 1;
        let n = s.next_id;
        if !s.stacks.contains_key(&req.stack_name) {
            if req.kind != ChangeSetKind::Create {
                return Err(ApiError::service("ValidationError", "Stack does not exist"));
            }
            s.stacks.insert(
                req.stack_name.clone(),
                FakeStack {
                    id: format!(
                        "arn:aws:cloudformation:eu-central-1:123456789012:stack/{}/{n}",
                        req.stack_name
                    ),
                    status: "REVIEW_IN_PROGRESS".into(),
                    events: vec![event(
                        n,
                        &req.stack_name,
                        "AWS::CloudFormation::Stack",
                        "REVIEW_IN_PROGRESS",
                        "User Initiated",
                    )],
                    ..FakeStack::default()
                },
            );
        }
        let stack_id = s.stacks[&req.stack_name].id.clone();
        let (changes, change_set_polls) = s
            .scripts
            .get(&req.stack_name)
            .and_then(|q| q.front())
            .map(|sc| (sc.changes.clone(), sc.change_set_polls))
            .unwrap_or_default();
        let id = format!(
            "arn:aws:cloudformation:eu-central-1:123456789012:changeSet/{}/{n}",
            req.change_set_name
        );
        if let TemplateSource::Body(body) = &req.template {
            s.templates.insert(id.clone(), body.clone());
        }
        let (status, reason) = if changes.is_empty() {
            ("FAILED", Some("The submitted information didn't contain changes. Submit different information to create a change set.".to_owned()))
        } else {
            s.take_off(&req.stack_name);
            ("CREATE_COMPLETE", None)
        };
        if change_set_polls > 0 {
            s.pending_change_sets.insert(id.clone(), change_set_polls);
        }
        s.change_sets.insert(
            id.clone(),
            (
                req.stack_name.clone(),
                ChangeSetDescription {
                    id: id.clone(),
                    stack_id: stack_id.clone(),
                    status: status.into(),
                    reason,
                    execution_status: "AVAILABLE".into(),
                    changes,
                },
            ),
        );
        Ok(CreatedChangeSet { id, stack_id })
    }

    async fn describe_change_set(&self, id: &str) -> Result<ChangeSetDescription, ApiError> {
        let mut s = self.state.lock().unwrap();
        let mut found = s
            .change_sets
            .get(id)
            .map(|(_, d)| d.clone())
            .ok_or_else(|| {
                ApiError::service(
                    "ChangeSetNotFound",
                    format!("ChangeSet [{id}] does not exist"),
                )
            })?;
        if let Some(polls) = s.pending_change_sets.get_mut(id) {
            *polls -= 1;
            if *polls == 0 {
                s.pending_change_sets.remove(id);
            }
            found.status = "CREATE_IN_PROGRESS".into();
            self.change_set_pending.notify_one();
        }
        Ok(found)
    }

    async fn execute_change_set(&self, id: &str) -> Result<(), ApiError> {
        {
            let mut s = self.state.lock().unwrap();
            // As CloudFormation: the executed change set stays (EXECUTE_COMPLETE), the
            // stack's others are deleted.
            let (stack, cs) = s
                .change_sets
                .get_mut(id)
                .ok_or_else(|| ApiError::service("ChangeSetNotFound", "gone"))?;
            if cs.execution_status != "AVAILABLE" {
                return Err(ApiError::service(
                    "InvalidChangeSetStatus",
                    format!(
                        "ChangeSet [{id}] cannot be executed in its current status of [{}]",
                        cs.execution_status
                    ),
                ));
            }
            cs.execution_status = "EXECUTE_COMPLETE".into();
            let stack = stack.clone();
            s.change_sets
                .retain(|other, (of, _)| other.as_str() == id || *of != stack);
            s.calls.push(format!("execute:{stack}"));
            let template = s.templates.get(id).cloned();
            let script = s
                .scripts
                .get_mut(&stack)
                .and_then(|q| q.pop_front())
                .unwrap_or_default();
            let st = s.stacks.get_mut(&stack).unwrap();
            st.template = template;
            st.pending.extend(script.steps);
            st.hang = script.hang;
            // A script without outputs keeps the stack's (a rollback restores them).
            st.final_outputs = if script.outputs.is_empty() {
                st.outputs.clone()
            } else {
                script
                    .outputs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            };
            // The stack is busy from now on.
            st.status = if st.status == "REVIEW_IN_PROGRESS" {
                "CREATE_IN_PROGRESS".into()
            } else {
                "UPDATE_IN_PROGRESS".into()
            };
        }
        self.executed.notify_one();
        Ok(())
    }

    async fn delete_change_set(&self, id: &str) -> Result<(), ApiError> {
        let mut s = self.state.lock().unwrap();
        s.calls.push("delete_change_set".into());
        s.change_sets.remove(id);
        Ok(())
    }

    async fn stack_events(
        &self,
        stack: &str,
        after: Option<&str>,
    ) -> Result<Vec<StackEvent>, ApiError> {
        let mut s = self.state.lock().unwrap();
        let Some((_, st)) = find(&mut s, stack) else {
            return Err(ApiError::service("ValidationError", "Stack does not exist"));
        };
        let mut out = Vec::new();
        for e in &st.events {
            if Some(e.id.as_str()) == after {
                break;
            }
            out.push(e.clone());
            if after.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn get_template(&self, stack: &str) -> Result<String, ApiError> {
        let mut s = self.state.lock().unwrap();
        Ok(find(&mut s, stack)
            .and_then(|(_, st)| st.template.clone())
            .unwrap_or_else(|| "{\"Resources\": {}}".into()))
    }

    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut s = self.state.lock().unwrap();
        Ok(find(&mut s, stack)
            .map(|(_, st)| st.resources.clone())
            .unwrap_or_default())
    }

    async fn detect_drift(&self, stack: &str) -> Result<String, ApiError> {
        let mut s = self.state.lock().unwrap();
        let name = find(&mut s, stack)
            .map(|(name, _)| name.clone())
            .ok_or_else(|| ApiError::service("ValidationError", "Stack does not exist"))?;
        s.calls.push(format!("detect_drift:{name}"));
        let id = format!("detection-{}", s.detections.len());
        s.detections.push((id.clone(), name, 2));
        Ok(id)
    }

    async fn drift_detection(&self, detection_id: &str) -> Result<DriftDetection, ApiError> {
        let mut s = self.state.lock().unwrap();
        let (_, stack, left) = s
            .detections
            .iter_mut()
            .find(|(id, _, _)| id == detection_id)
            .ok_or_else(|| ApiError::service("ValidationError", "no such detection"))?;
        if *left > 0 {
            *left -= 1;
            return Ok(DriftDetection {
                status: "DETECTION_IN_PROGRESS".into(),
                stack_drift_status: None,
                reason: None,
            });
        }
        let stack = stack.clone();
        let status = s
            .drifts
            .get(&stack)
            .map(|(status, _)| status.clone())
            .unwrap_or_else(|| "IN_SYNC".into());
        Ok(DriftDetection {
            status: "DETECTION_COMPLETE".into(),
            stack_drift_status: Some(status),
            reason: None,
        })
    }

    async fn resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDrift>, ApiError> {
        let mut s = self.state.lock().unwrap();
        let name = find(&mut s, stack)
            .map(|(name, _)| name.clone())
            .unwrap_or_default();
        Ok(s.drifts
            .get(&name)
            .map(|(_, r)| r.clone())
            .unwrap_or_default())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        let mut s = self.state.lock().unwrap();
        s.calls.push(format!("delete_stack:{stack}"));
        if let Some((_, st)) = find(&mut s, stack) {
            let steps = st.delete_steps.take().unwrap_or_else(|| {
                vec![
                    ("", "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", ""),
                    ("", "AWS::CloudFormation::Stack", "DELETE_COMPLETE", ""),
                ]
            });
            st.pending.extend(steps);
            st.status = "DELETE_IN_PROGRESS".into();
        }
        Ok(())
    }
}

/// An object store that has everything and keeps nothing.
#[derive(Default)]
pub struct FakeStore;

#[async_trait]
impl ObjectStore for FakeStore {
    async fn bucket_exists(&self, _bucket: &str) -> Result<bool, ApiError> {
        Ok(true)
    }
    async fn object_exists(&self, _bucket: &str, _key: &str) -> Result<bool, ApiError> {
        Ok(true)
    }
    async fn put_file(&self, _bucket: &str, _key: &str, _path: &Path) -> Result<(), ApiError> {
        Ok(())
    }
    async fn put_bytes(&self, _bucket: &str, _key: &str, _bytes: Vec<u8>) -> Result<(), ApiError> {
        Ok(())
    }
    async fn empty_bucket(&self, _bucket: &str) -> Result<usize, ApiError> {
        Ok(0)
    }
    fn object_url(&self, bucket: &str, key: &str) -> String {
        format!("https://{bucket}.s3.amazonaws.com/{key}")
    }
    async fn list_objects(&self, _bucket: &str) -> Result<Vec<StoredObject>, ApiError> {
        Ok(Vec::new())
    }
    async fn put_object(
        &self,
        _bucket: &str,
        _key: &str,
        _body: Vec<u8>,
        _headers: &ObjectHeaders,
    ) -> Result<(), ApiError> {
        Ok(())
    }
    async fn delete_objects(&self, _bucket: &str, _keys: &[String]) -> Result<(), ApiError> {
        Ok(())
    }
}
