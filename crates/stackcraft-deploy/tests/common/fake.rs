//! A scripted CloudFormation: each executed change set replays a realistic sequence of stack
//! events, one step per poll, ending in the script's final status (and outputs). What moto
//! cannot show — resource events, failures, rollbacks, stuck states, outputs — is tested here.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// The deployed template and its resources (what destroy reads to list what is kept).
    template: Option<String>,
    resources: Vec<StackResource>,
}

#[derive(Default)]
struct State {
    stacks: HashMap<String, FakeStack>,
    scripts: HashMap<String, VecDeque<Script>>,
    change_sets: HashMap<String, (String, ChangeSetDescription)>,
    /// Change sets described once: like CloudFormation's, a change set is still being created
    /// when first described (so the engine waits for it, as it must).
    described: HashSet<String>,
    next_id: usize,
    /// Every call, in order (`execute:<stack>`, `create_change_set:<stack>`, ...).
    pub calls: Vec<String>,
    /// Stacks whose executed change set has not settled yet, and the most there ever were.
    in_flight: HashSet<String>,
    most_in_flight: usize,
}

#[derive(Clone, Default)]
pub struct FakeCloudFormation {
    state: Arc<Mutex<State>>,
    /// Notified when a change set is executed (to interrupt right after).
    pub executed: Arc<Notify>,
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

    /// An existing stack deployed from `template`, its resources with these physical ids.
    pub fn deployed(&self, stack: &str, template: String, physical_ids: &[(&str, &str)]) {
        self.existing(stack, "CREATE_COMPLETE");
        let mut s = self.state.lock().unwrap();
        let st = s.stacks.get_mut(stack).unwrap();
        st.template = Some(template);
        st.resources = physical_ids
            .iter()
            .map(|(logical, physical)| StackResource {
                logical_id: (*logical).into(),
                physical_id: Some((*physical).into()),
                resource_type: String::new(),
                status: "CREATE_COMPLETE".into(),
            })
            .collect();
    }

    /// Makes an existing stack replay `steps` on its own (another operation in progress).
    pub fn busy(&self, stack: &str, steps: Vec<Step>) {
        let mut s = self.state.lock().unwrap();
        s.stacks.get_mut(stack).unwrap().pending.extend(steps);
    }

    /// The most stacks that were being changed at the same moment: executed, and not yet
    /// settled in a final status (recorded by the fake itself, no clock involved).
    pub fn most_in_flight(&self) -> usize {
        self.state.lock().unwrap().most_in_flight
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
        self.session_in("dev")
    }

    /// A session for environment `env` of `CONFIG` (account 123456789012, eu-central-1).
    pub fn session_in(&self, env: &str) -> Session {
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

fn event(n: usize, logical: &str, type_: &str, status: &str, reason: &str) -> StackEvent {
    StackEvent {
        id: format!("event-{n}"),
        logical_id: logical.into(),
        physical_id: None,
        resource_type: type_.into(),
        status: status.into(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        timestamp: None,
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
        let Some((name, st)) = find(&mut s, stack) else {
            return Ok(None);
        };
        let name = name.clone();
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
        let settled = st.pending.is_empty() && !st.hang && !st.status.ends_with("_IN_PROGRESS");
        let description = (st.status != "DELETE_COMPLETE").then(|| StackDescription {
            id: st.id.clone(),
            name: name.clone(),
            status: st.status.clone(),
            reason: None,
            outputs: st.outputs.clone(),
            tags: IndexMap::new(),
        });
        if settled {
            s.in_flight.remove(&name);
        }
        Ok(description)
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
        let changes = s
            .scripts
            .get(&req.stack_name)
            .and_then(|q| q.front())
            .map(|sc| sc.changes.clone())
            .unwrap_or_default();
        let id = format!(
            "arn:aws:cloudformation:eu-central-1:123456789012:changeSet/{}/{n}",
            req.change_set_name
        );
        let (status, reason) = if changes.is_empty() {
            ("FAILED", Some("The submitted information didn't contain changes. Submit different information to create a change set.".to_owned()))
        } else {
            ("CREATE_COMPLETE", None)
        };
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
        let mut description = s
            .change_sets
            .get(id)
            .map(|(_, d)| d.clone())
            .ok_or_else(|| {
                ApiError::service(
                    "ChangeSetNotFound",
                    format!("ChangeSet [{id}] does not exist"),
                )
            })?;
        if s.described.insert(id.to_owned()) {
            description.status = "CREATE_IN_PROGRESS".into();
        }
        Ok(description)
    }

    async fn execute_change_set(&self, id: &str) -> Result<(), ApiError> {
        {
            let mut s = self.state.lock().unwrap();
            let (stack, _) = s
                .change_sets
                .remove(id)
                .ok_or_else(|| ApiError::service("ChangeSetNotFound", "gone"))?;
            s.calls.push(format!("execute:{stack}"));
            let script = s
                .scripts
                .get_mut(&stack)
                .and_then(|q| q.pop_front())
                .unwrap_or_default();
            let st = s.stacks.get_mut(&stack).unwrap();
            st.pending.extend(script.steps);
            st.hang = script.hang;
            st.final_outputs = script
                .outputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            // The stack is busy from now on.
            st.status = if st.status == "REVIEW_IN_PROGRESS" {
                "CREATE_IN_PROGRESS".into()
            } else {
                "UPDATE_IN_PROGRESS".into()
            };
            s.in_flight.insert(stack);
            s.most_in_flight = s.most_in_flight.max(s.in_flight.len());
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
        let template = find(&mut s, stack).and_then(|(_, st)| st.template.clone());
        Ok(template.unwrap_or_else(|| "{\"Resources\": {}}".into()))
    }

    async fn stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, ApiError> {
        let mut s = self.state.lock().unwrap();
        Ok(find(&mut s, stack)
            .map(|(_, st)| st.resources.clone())
            .unwrap_or_default())
    }

    async fn delete_stack(&self, stack: &str) -> Result<(), ApiError> {
        let mut s = self.state.lock().unwrap();
        s.calls.push(format!("delete_stack:{stack}"));
        if let Some((_, st)) = find(&mut s, stack) {
            st.pending.extend([
                ("", "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", ""),
                ("", "AWS::CloudFormation::Stack", "DELETE_COMPLETE", ""),
            ]);
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
