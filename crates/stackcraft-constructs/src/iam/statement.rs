//! IAM policy statements and documents.

use stackcraft_core::template::{Map, ResourceType, Target, Value};
use stackcraft_core::Stack;

/// The policy language version every document uses.
pub const POLICY_VERSION: &str = "2012-10-17";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement: effect, actions, resources, and optionally principal and conditions.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyStatement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Vec<String>,
    pub resources: Vec<Value>,
    pub principal: Option<Value>,
    /// `{operator: {key: value}}`.
    pub conditions: Map,
}

impl PolicyStatement {
    pub fn allow() -> Self {
        Self::new(Effect::Allow)
    }

    pub fn deny() -> Self {
        Self::new(Effect::Deny)
    }

    fn new(effect: Effect) -> Self {
        PolicyStatement {
            sid: None,
            effect,
            actions: Vec::new(),
            resources: Vec::new(),
            principal: None,
            conditions: Map::new(),
        }
    }

    pub fn sid(mut self, sid: &str) -> Self {
        self.sid = Some(sid.to_owned());
        self
    }

    pub fn actions(mut self, actions: &[&str]) -> Self {
        self.actions.extend(actions.iter().map(|a| a.to_string()));
        self
    }

    pub fn resource(mut self, resource: impl Into<Value>) -> Self {
        self.resources.push(resource.into());
        self
    }

    pub fn resources(mut self, resources: impl IntoIterator<Item = impl Into<Value>>) -> Self {
        self.resources.extend(resources.into_iter().map(Into::into));
        self
    }

    /// `Principal: {Service: service}` (e.g. `lambda.amazonaws.com`).
    pub fn service_principal(mut self, service: &str) -> Self {
        self.principal = Some(principal("Service", service.into()));
        self
    }

    /// `Principal: {AWS: arn}`.
    pub fn aws_principal(mut self, arn: impl Into<Value>) -> Self {
        self.principal = Some(principal("AWS", arn.into()));
        self
    }

    /// `Principal: "*"` (anyone; use with conditions or Deny).
    pub fn any_principal(mut self) -> Self {
        self.principal = Some("*".into());
        self
    }

    /// Adds `Condition: {operator: {key: value}}`.
    pub fn condition(mut self, operator: &str, key: &str, value: impl Into<Value>) -> Self {
        let entry = self
            .conditions
            .entry(operator.to_owned())
            .or_insert_with(|| Value::Map(Map::new()));
        if let Value::Map(m) = entry {
            m.insert(key.to_owned(), value.into());
        }
        self
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), sid.as_str().into());
        }
        let effect = match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        m.insert("Effect".into(), effect.into());
        if let Some(p) = &self.principal {
            m.insert("Principal".into(), p.clone());
        }
        m.insert(
            "Action".into(),
            one_or_list(self.actions.iter().map(|a| a.as_str().into()).collect()),
        );
        if !self.resources.is_empty() {
            m.insert("Resource".into(), one_or_list(self.resources.clone()));
        }
        if !self.conditions.is_empty() {
            m.insert("Condition".into(), Value::Map(self.conditions.clone()));
        }
        Value::Map(m)
    }
}

fn principal(kind: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(kind.to_owned(), value);
    Value::Map(m)
}

fn one_or_list(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::List(items)
    }
}

/// A policy document from statements.
pub fn document(statements: &[PolicyStatement]) -> Value {
    let mut doc = empty_document();
    for s in statements {
        add_to_document(&mut doc, s);
    }
    doc
}

/// `{"Version": ..., "Statement": []}`.
pub fn empty_document() -> Value {
    let mut m = Map::new();
    m.insert("Version".into(), POLICY_VERSION.into());
    m.insert("Statement".into(), Value::List(Vec::new()));
    Value::Map(m)
}

/// Adds a statement to a document. A statement that differs from one already there only in
/// its actions is folded into it (actions sorted, no duplicates), so grants of the same
/// resource to the same role read as one statement.
pub fn add_to_document(doc: &mut Value, statement: &PolicyStatement) {
    let Some(Value::List(statements)) = (match doc {
        Value::Map(m) => m.get_mut("Statement"),
        _ => None,
    }) else {
        panic!("not a policy document: {doc:?}");
    };
    let new = statement.to_value();
    let without_actions = |v: &Value| {
        let mut m = v.as_map().cloned().unwrap_or_default();
        let actions = m.shift_remove("Action");
        (m, actions)
    };
    let (new_rest, new_actions) = without_actions(&new);
    for existing in statements.iter_mut() {
        let (rest, actions) = without_actions(existing);
        if rest == new_rest && !rest.contains_key("Sid") {
            let mut all = action_list(actions);
            all.extend(action_list(new_actions));
            all.sort();
            all.dedup();
            let merged = one_or_list(all.into_iter().map(Value::String).collect());
            if let Value::Map(m) = existing {
                m.insert("Action".into(), merged);
                // Keep the key order of a freshly written statement.
                let order = [
                    "Sid",
                    "Effect",
                    "Principal",
                    "Action",
                    "Resource",
                    "Condition",
                ];
                m.sort_by(|a, _, b, _| {
                    let pos = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
                    pos(a).cmp(&pos(b))
                });
            }
            return;
        }
    }
    statements.push(new);
}

fn action_list(actions: Option<Value>) -> Vec<String> {
    match actions {
        Some(Value::String(a)) => vec![a],
        Some(Value::List(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds `statement` to the policy document held in `property` of the child `id` of
/// `owner`, creating that child with `create` on first use, and returns it: how a role's
/// default policy, a bucket policy or a topic policy grows one grant at a time.
pub fn add_to_policy_of<R: ResourceType>(
    stack: &mut Stack,
    owner: &Target,
    id: &str,
    create: impl FnOnce() -> R,
    property: &str,
    statement: &PolicyStatement,
) -> Target {
    let target = stack.child_or_add(owner, id, create);
    let doc = stack
        .resource_mut(&target)
        .properties
        .get_mut(property)
        .unwrap_or_else(|| panic!("{} has no {property}", target.logical_id));
    add_to_document(doc, statement);
    target
}
