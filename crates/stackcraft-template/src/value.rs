//! The value tree of a template: literal JSON plus CloudFormation's intrinsic functions.
//!
//! Maps keep insertion order (`IndexMap`), never hash order, so that the same program always
//! writes the same bytes and a parsed template is written back in the order it was read.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::Number;

/// An ordered map of template values.
pub type Map = IndexMap<String, Value>;

/// Any value that can appear in a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Map(Map),
    /// An intrinsic function call (`Ref`, `Fn::GetAtt`, ...).
    Fn(Box<Intrinsic>),
}

/// What a `Ref` or `Fn::GetAtt` points at: a logical id, and — when the reference was made by
/// the construct layer — the stack that owns that logical id. The owner is never written to the
/// template; it lets synthesis turn a reference that crosses stacks into an import.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub logical_id: String,
    pub stack: Option<Arc<str>>,
}

impl Target {
    /// A target with no known owner: a parameter, a pseudo parameter, or a parsed template.
    pub fn local(logical_id: impl Into<String>) -> Self {
        Target {
            logical_id: logical_id.into(),
            stack: None,
        }
    }

    /// A target owned by the named stack.
    pub fn in_stack(logical_id: impl Into<String>, stack: Arc<str>) -> Self {
        Target {
            logical_id: logical_id.into(),
            stack: Some(stack),
        }
    }
}

/// CloudFormation's intrinsic functions and condition functions.
#[derive(Clone, Debug, PartialEq)]
pub enum Intrinsic {
    Ref(Target),
    /// `Fn::GetAtt`: resource and attribute name (the attribute may itself be a `Ref`).
    GetAtt(Target, Value),
    /// `Fn::Sub`: the template string and its explicit variables (empty for the one-argument form).
    Sub(String, Map),
    /// `Fn::Join`: delimiter and the list (a literal list or a function returning one).
    Join(String, Value),
    Select(Value, Value),
    Split(String, Value),
    GetAZs(Value),
    ImportValue(Value),
    /// `Fn::If`: condition name, value if true, value if false.
    If(String, Value, Value),
    Equals(Value, Value),
    And(Vec<Value>),
    Or(Vec<Value>),
    Not(Value),
    /// `{"Condition": "Name"}` inside condition functions.
    Condition(String),
    Base64(Value),
    /// `Fn::Cidr`: ip block, count, cidr bits.
    Cidr(Value, Value, Value),
    /// `Fn::FindInMap`: map name, top-level key, second-level key.
    FindInMap(Value, Value, Value),
    Length(Value),
    ToJsonString(Value),
}

/// The names under which each intrinsic is written (long form) and its YAML short-form tag.
pub(crate) const FUNCTION_NAMES: &[(&str, &str)] = &[
    ("Ref", "!Ref"),
    ("Fn::GetAtt", "!GetAtt"),
    ("Fn::Sub", "!Sub"),
    ("Fn::Join", "!Join"),
    ("Fn::Select", "!Select"),
    ("Fn::Split", "!Split"),
    ("Fn::GetAZs", "!GetAZs"),
    ("Fn::ImportValue", "!ImportValue"),
    ("Fn::If", "!If"),
    ("Fn::Equals", "!Equals"),
    ("Fn::And", "!And"),
    ("Fn::Or", "!Or"),
    ("Fn::Not", "!Not"),
    ("Condition", "!Condition"),
    ("Fn::Base64", "!Base64"),
    ("Fn::Cidr", "!Cidr"),
    ("Fn::FindInMap", "!FindInMap"),
    ("Fn::Length", "!Length"),
    ("Fn::ToJsonString", "!ToJsonString"),
];

impl Intrinsic {
    /// The long-form name, e.g. `Fn::GetAtt`.
    pub fn name(&self) -> &'static str {
        match self {
            Intrinsic::Ref(_) => "Ref",
            Intrinsic::GetAtt(..) => "Fn::GetAtt",
            Intrinsic::Sub(..) => "Fn::Sub",
            Intrinsic::Join(..) => "Fn::Join",
            Intrinsic::Select(..) => "Fn::Select",
            Intrinsic::Split(..) => "Fn::Split",
            Intrinsic::GetAZs(_) => "Fn::GetAZs",
            Intrinsic::ImportValue(_) => "Fn::ImportValue",
            Intrinsic::If(..) => "Fn::If",
            Intrinsic::Equals(..) => "Fn::Equals",
            Intrinsic::And(_) => "Fn::And",
            Intrinsic::Or(_) => "Fn::Or",
            Intrinsic::Not(_) => "Fn::Not",
            Intrinsic::Condition(_) => "Condition",
            Intrinsic::Base64(_) => "Fn::Base64",
            Intrinsic::Cidr(..) => "Fn::Cidr",
            Intrinsic::FindInMap(..) => "Fn::FindInMap",
            Intrinsic::Length(_) => "Fn::Length",
            Intrinsic::ToJsonString(_) => "Fn::ToJsonString",
        }
    }

    /// The argument of the function as it is written in the template (long form).
    pub fn argument(&self) -> Value {
        fn list(items: Vec<Value>) -> Value {
            Value::List(items)
        }
        match self {
            Intrinsic::Ref(t) => Value::String(t.logical_id.clone()),
            Intrinsic::GetAtt(t, attr) => list(vec![t.logical_id.clone().into(), attr.clone()]),
            Intrinsic::Sub(s, vars) if vars.is_empty() => Value::String(s.clone()),
            Intrinsic::Sub(s, vars) => list(vec![s.clone().into(), Value::Map(vars.clone())]),
            Intrinsic::Join(d, items) => list(vec![d.clone().into(), items.clone()]),
            Intrinsic::Select(i, items) => list(vec![i.clone(), items.clone()]),
            Intrinsic::Split(d, s) => list(vec![d.clone().into(), s.clone()]),
            Intrinsic::GetAZs(v)
            | Intrinsic::ImportValue(v)
            | Intrinsic::Base64(v)
            | Intrinsic::Length(v)
            | Intrinsic::ToJsonString(v) => v.clone(),
            Intrinsic::Not(v) => list(vec![v.clone()]),
            Intrinsic::If(c, a, b) => list(vec![c.clone().into(), a.clone(), b.clone()]),
            Intrinsic::Equals(a, b) => list(vec![a.clone(), b.clone()]),
            Intrinsic::And(items) | Intrinsic::Or(items) => list(items.clone()),
            Intrinsic::Condition(c) => Value::String(c.clone()),
            Intrinsic::Cidr(a, b, c) | Intrinsic::FindInMap(a, b, c) => {
                list(vec![a.clone(), b.clone(), c.clone()])
            }
        }
    }

    /// Reads `{name: argument}` back into an intrinsic; `None` when the shape is not one
    /// CloudFormation accepts (the caller then keeps it as a plain map, so nothing is lost).
    pub fn from_parts(name: &str, arg: &Value) -> Option<Intrinsic> {
        use Intrinsic as I;
        let s = |v: &Value| v.as_str().map(str::to_owned);
        let items = match arg {
            Value::List(items) => Some(items.as_slice()),
            _ => None,
        };
        let exactly = |n: usize| items.filter(|i| i.len() == n);
        Some(match name {
            "Ref" => I::Ref(Target::local(s(arg)?)),
            "Fn::GetAtt" => match arg {
                Value::String(dotted) => {
                    let (res, attr) = dotted.split_once('.')?;
                    I::GetAtt(Target::local(res), attr.into())
                }
                _ => {
                    let i = exactly(2)?;
                    I::GetAtt(Target::local(s(&i[0])?), i[1].clone())
                }
            },
            "Fn::Sub" => match arg {
                Value::String(text) => I::Sub(text.clone(), Map::new()),
                _ => {
                    let i = exactly(2)?;
                    I::Sub(s(&i[0])?, i[1].as_map()?.clone())
                }
            },
            "Fn::Join" => {
                let i = exactly(2)?;
                I::Join(s(&i[0])?, i[1].clone())
            }
            "Fn::Select" => {
                let i = exactly(2)?;
                I::Select(i[0].clone(), i[1].clone())
            }
            "Fn::Split" => {
                let i = exactly(2)?;
                I::Split(s(&i[0])?, i[1].clone())
            }
            "Fn::GetAZs" => I::GetAZs(arg.clone()),
            "Fn::ImportValue" => I::ImportValue(arg.clone()),
            "Fn::Base64" => I::Base64(arg.clone()),
            "Fn::Length" => I::Length(arg.clone()),
            "Fn::ToJsonString" => I::ToJsonString(arg.clone()),
            "Fn::Not" => I::Not(exactly(1)?[0].clone()),
            "Fn::If" => {
                let i = exactly(3)?;
                I::If(s(&i[0])?, i[1].clone(), i[2].clone())
            }
            "Fn::Equals" => {
                let i = exactly(2)?;
                I::Equals(i[0].clone(), i[1].clone())
            }
            "Fn::And" => I::And(items?.to_vec()),
            "Fn::Or" => I::Or(items?.to_vec()),
            "Condition" => I::Condition(s(arg)?),
            "Fn::Cidr" => {
                let i = exactly(3)?;
                I::Cidr(i[0].clone(), i[1].clone(), i[2].clone())
            }
            "Fn::FindInMap" => {
                let i = exactly(3)?;
                I::FindInMap(i[0].clone(), i[1].clone(), i[2].clone())
            }
            _ => return None,
        })
    }

    /// The values nested in this function's arguments (the names of resources, conditions and
    /// delimiters are not values).
    pub fn children(&self) -> Vec<&Value> {
        match self {
            Intrinsic::Ref(_) | Intrinsic::Condition(_) => vec![],
            Intrinsic::GetAtt(_, v)
            | Intrinsic::Join(_, v)
            | Intrinsic::Split(_, v)
            | Intrinsic::GetAZs(v)
            | Intrinsic::ImportValue(v)
            | Intrinsic::Not(v)
            | Intrinsic::Base64(v)
            | Intrinsic::Length(v)
            | Intrinsic::ToJsonString(v) => vec![v],
            Intrinsic::Sub(_, vars) => vars.values().collect(),
            Intrinsic::Select(a, b) | Intrinsic::Equals(a, b) | Intrinsic::If(_, a, b) => {
                vec![a, b]
            }
            Intrinsic::And(items) | Intrinsic::Or(items) => items.iter().collect(),
            Intrinsic::Cidr(a, b, c) | Intrinsic::FindInMap(a, b, c) => vec![a, b, c],
        }
    }

    /// The same values as [`Intrinsic::children`], mutably.
    pub fn children_mut(&mut self) -> Vec<&mut Value> {
        match self {
            Intrinsic::Ref(_) | Intrinsic::Condition(_) => vec![],
            Intrinsic::GetAtt(_, v)
            | Intrinsic::Join(_, v)
            | Intrinsic::Split(_, v)
            | Intrinsic::GetAZs(v)
            | Intrinsic::ImportValue(v)
            | Intrinsic::Not(v)
            | Intrinsic::Base64(v)
            | Intrinsic::Length(v)
            | Intrinsic::ToJsonString(v) => vec![v],
            Intrinsic::Sub(_, vars) => vars.values_mut().collect(),
            Intrinsic::Select(a, b) | Intrinsic::Equals(a, b) | Intrinsic::If(_, a, b) => {
                vec![a, b]
            }
            Intrinsic::And(items) | Intrinsic::Or(items) => items.iter_mut().collect(),
            Intrinsic::Cidr(a, b, c) | Intrinsic::FindInMap(a, b, c) => vec![a, b, c],
        }
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_intrinsic(&self) -> Option<&Intrinsic> {
        match self {
            Value::Fn(f) => Some(f),
            _ => None,
        }
    }

    /// Looks up a key of a map value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?.get(key)
    }

    /// Visits this value and every value nested in it, depth first, parents before children.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Value)) {
        f(self);
        match self {
            Value::List(items) => items.iter_mut().for_each(|v| v.walk_mut(f)),
            Value::Map(map) => map.values_mut().for_each(|v| v.walk_mut(f)),
            Value::Fn(func) => func.children_mut().into_iter().for_each(|v| v.walk_mut(f)),
            _ => {}
        }
    }

    /// Visits this value and every value nested in it (read-only).
    pub fn walk(&self, f: &mut impl FnMut(&Value)) {
        f(self);
        match self {
            Value::List(items) => items.iter().for_each(|v| v.walk(f)),
            Value::Map(map) => map.values().for_each(|v| v.walk(f)),
            Value::Fn(func) => func.children().into_iter().for_each(|v| v.walk(f)),
            _ => {}
        }
    }
}

impl From<Intrinsic> for Value {
    fn from(f: Intrinsic) -> Self {
        Value::Fn(Box::new(f))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

macro_rules! value_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(n.into())
            }
        }
    )*};
}
value_from_integer!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Value {
    /// A finite float; NaN and infinities have no JSON form and become `null`.
    fn from(n: f64) -> Self {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl<V: Into<Value>> From<Vec<V>> for Value {
    fn from(items: Vec<V>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<serde_json::Value> for Value {
    /// Reads JSON, recognising intrinsic functions (`{"Ref": "X"}`) wherever they appear.
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(obj) => {
                let map: Map = obj.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
                Value::from_map(map)
            }
        }
    }
}

impl Value {
    /// A map with one key naming an intrinsic function becomes that function; any other map
    /// (including a malformed call) stays a map.
    pub fn from_map(map: Map) -> Value {
        if map.len() == 1 {
            let (name, arg) = map.first().expect("one entry");
            if let Some(f) = Intrinsic::from_parts(name, arg) {
                return f.into();
            }
        }
        Value::Map(map)
    }

    /// Plain JSON, intrinsics in their long form.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Value::Fn(f) => {
                let mut obj = serde_json::Map::new();
                obj.insert(f.name().to_owned(), f.argument().to_json());
                obj.into()
            }
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => ser.serialize_unit(),
            Value::Bool(b) => ser.serialize_bool(*b),
            Value::Number(n) => n.serialize(ser),
            Value::String(s) => ser.serialize_str(s),
            Value::List(items) => {
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut m = ser.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Value::Fn(f) => {
                let mut m = ser.serialize_map(Some(1))?;
                m.serialize_entry(f.name(), &f.argument())?;
                m.end()
            }
        }
    }
}
