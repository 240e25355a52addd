//! Typed template expressions: a [`Value`] that is known to evaluate to a `T`.
//!
//! Every property of a typed resource takes an `Expr<T>`, so a literal (`"my-bucket"`, `30`,
//! `true`, `vec![...]`) and an intrinsic that yields the same type (`bucket.arn()`, `sub(...)`)
//! are accepted alike, and a list where a string belongs does not compile.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::value::{Intrinsic, Map, Target, Value};

/// A template value that evaluates to `T`.
pub struct Expr<T> {
    value: Value,
    _type: PhantomData<fn() -> T>,
}

/// Marker for free-form JSON properties (policy documents, untyped objects).
#[derive(Clone, Copy, Debug)]
pub enum Json {}

impl<T> Expr<T> {
    /// Wraps a value whose type the caller vouches for (generated code, parsed templates).
    pub fn from_value(value: Value) -> Self {
        Expr {
            value,
            _type: PhantomData,
        }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn into_value(self) -> Value {
        self.value
    }

    /// Reinterprets the expression as another type, for the rare property whose schema type is
    /// wider than what a function returns.
    pub fn cast<U>(self) -> Expr<U> {
        Expr::from_value(self.value)
    }
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::from_value(self.value.clone())
    }
}

impl<T> fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T> PartialEq for Expr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> From<Expr<T>> for Value {
    fn from(e: Expr<T>) -> Value {
        e.value
    }
}

impl From<&str> for Expr<String> {
    fn from(s: &str) -> Self {
        Expr::from_value(s.into())
    }
}

impl From<String> for Expr<String> {
    fn from(s: String) -> Self {
        Expr::from_value(s.into())
    }
}

impl From<&String> for Expr<String> {
    fn from(s: &String) -> Self {
        Expr::from_value(s.as_str().into())
    }
}

impl From<&Expr<String>> for Expr<String> {
    fn from(e: &Expr<String>) -> Self {
        e.clone()
    }
}

impl From<bool> for Expr<bool> {
    fn from(b: bool) -> Self {
        Expr::from_value(b.into())
    }
}

macro_rules! integer_exprs {
    ($($t:ty),*) => {$(
        impl From<$t> for Expr<i64> {
            fn from(n: $t) -> Self {
                Expr::from_value(n.into())
            }
        }
        impl From<$t> for Expr<f64> {
            fn from(n: $t) -> Self {
                Expr::from_value(n.into())
            }
        }
    )*};
}
integer_exprs!(i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Expr<f64> {
    fn from(n: f64) -> Self {
        Expr::from_value(n.into())
    }
}

impl From<Value> for Expr<Json> {
    fn from(v: Value) -> Self {
        Expr::from_value(v)
    }
}

impl From<serde_json::Value> for Expr<Json> {
    fn from(v: serde_json::Value) -> Self {
        Expr::from_value(v.into())
    }
}

impl<T, X: Into<Expr<T>>> From<Vec<X>> for Expr<Vec<T>> {
    fn from(items: Vec<X>) -> Self {
        Expr::from_value(Value::List(
            items.into_iter().map(|x| x.into().value).collect(),
        ))
    }
}

impl<T, X: Into<Expr<T>>, const N: usize> From<[X; N]> for Expr<Vec<T>> {
    fn from(items: [X; N]) -> Self {
        Expr::from_value(Value::List(
            items.into_iter().map(|x| x.into().value).collect(),
        ))
    }
}

/// A map with string keys (`patternProperties` in the schemas, e.g. tags as a map).
impl<T, X: Into<Expr<T>>> From<IndexMap<String, X>> for Expr<IndexMap<String, T>> {
    fn from(items: IndexMap<String, X>) -> Self {
        Expr::from_value(Value::Map(
            items
                .into_iter()
                .map(|(k, x)| (k, x.into().value))
                .collect(),
        ))
    }
}

/// Builds `Ref` to a target.
pub fn ref_to<T>(target: &Target) -> Expr<T> {
    Expr::from_value(Intrinsic::Ref(target.clone()).into())
}

/// Builds `Fn::GetAtt` on a target.
pub fn get_att<T>(target: &Target, attribute: &str) -> Expr<T> {
    Expr::from_value(Intrinsic::GetAtt(target.clone(), attribute.into()).into())
}

/// `Ref` to a parameter or resource of the same template, by logical id.
pub fn ref_<T>(logical_id: &str) -> Expr<T> {
    ref_to(&Target::local(logical_id))
}

/// `Fn::Sub` with only the template's own variables (`${AWS::Region}`, `${MyBucket.Arn}`).
pub fn sub(text: impl Into<String>) -> Expr<String> {
    Expr::from_value(Intrinsic::Sub(text.into(), Map::new()).into())
}

/// `Fn::Sub` with explicit variables.
pub fn sub_with<V: Into<Value>>(
    text: impl Into<String>,
    vars: impl IntoIterator<Item = (&'static str, V)>,
) -> Expr<String> {
    let vars = vars
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    Expr::from_value(Intrinsic::Sub(text.into(), vars).into())
}

/// `Fn::Join`.
pub fn join(delimiter: &str, items: impl Into<Expr<Vec<String>>>) -> Expr<String> {
    Expr::from_value(Intrinsic::Join(delimiter.into(), items.into().value).into())
}

/// `Fn::Select`.
pub fn select<T>(index: impl Into<Expr<i64>>, list: Expr<Vec<T>>) -> Expr<T> {
    Expr::from_value(Intrinsic::Select(index.into().value, list.value).into())
}

/// `Fn::Split`.
pub fn split(delimiter: &str, text: impl Into<Expr<String>>) -> Expr<Vec<String>> {
    Expr::from_value(Intrinsic::Split(delimiter.into(), text.into().value).into())
}

/// `Fn::GetAZs` of the stack's region (`""`), or of a named region.
pub fn get_azs(region: impl Into<Expr<String>>) -> Expr<Vec<String>> {
    Expr::from_value(Intrinsic::GetAZs(region.into().value).into())
}

/// `Fn::ImportValue` of an exported name.
pub fn import_value<T>(export_name: impl Into<Expr<String>>) -> Expr<T> {
    Expr::from_value(Intrinsic::ImportValue(export_name.into().value).into())
}

/// `Fn::If`.
pub fn if_<T>(condition: &str, then: impl Into<Expr<T>>, otherwise: impl Into<Expr<T>>) -> Expr<T> {
    Expr::from_value(
        Intrinsic::If(condition.into(), then.into().value, otherwise.into().value).into(),
    )
}

/// `Fn::Base64`.
pub fn base64(text: impl Into<Expr<String>>) -> Expr<String> {
    Expr::from_value(Intrinsic::Base64(text.into().value).into())
}

/// `Fn::Cidr`: `count` blocks of `cidr_bits` host bits carved from `ip_block`.
pub fn cidr(
    ip_block: impl Into<Expr<String>>,
    count: impl Into<Expr<i64>>,
    cidr_bits: impl Into<Expr<i64>>,
) -> Expr<Vec<String>> {
    Expr::from_value(
        Intrinsic::Cidr(
            ip_block.into().value,
            count.into().value,
            cidr_bits.into().value,
        )
        .into(),
    )
}

/// `Fn::FindInMap`.
pub fn find_in_map<T>(
    map: impl Into<Expr<String>>,
    top_key: impl Into<Expr<String>>,
    second_key: impl Into<Expr<String>>,
) -> Expr<T> {
    Expr::from_value(
        Intrinsic::FindInMap(
            map.into().value,
            top_key.into().value,
            second_key.into().value,
        )
        .into(),
    )
}

/// `Fn::Length` (needs the `AWS::LanguageExtensions` transform).
pub fn length<T>(list: Expr<Vec<T>>) -> Expr<i64> {
    Expr::from_value(Intrinsic::Length(list.value).into())
}

/// `Fn::ToJsonString` (needs the `AWS::LanguageExtensions` transform).
pub fn to_json_string(value: impl Into<Value>) -> Expr<String> {
    Expr::from_value(Intrinsic::ToJsonString(value.into()).into())
}

/// A condition expression, for the template's `Conditions` section and `Fn::And/Or/Not`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition(pub Value);

impl Condition {
    /// `Fn::Equals`.
    pub fn equals(a: impl Into<Value>, b: impl Into<Value>) -> Self {
        Condition(Intrinsic::Equals(a.into(), b.into()).into())
    }
    /// `Fn::And`.
    pub fn and(items: impl IntoIterator<Item = Condition>) -> Self {
        Condition(Intrinsic::And(items.into_iter().map(|c| c.0).collect()).into())
    }
    /// `Fn::Or`.
    pub fn or(items: impl IntoIterator<Item = Condition>) -> Self {
        Condition(Intrinsic::Or(items.into_iter().map(|c| c.0).collect()).into())
    }
    /// `Fn::Not`.
    pub fn negate(item: Condition) -> Self {
        Condition(Intrinsic::Not(item.0).into())
    }
    /// `{"Condition": name}`: another condition of the template.
    pub fn named(name: &str) -> Self {
        Condition(Intrinsic::Condition(name.into()).into())
    }
}

/// The pseudo parameters, as `Ref` expressions.
pub mod pseudo {
    use super::{ref_, Expr};

    pub fn account_id() -> Expr<String> {
        ref_("AWS::AccountId")
    }
    pub fn region() -> Expr<String> {
        ref_("AWS::Region")
    }
    pub fn partition() -> Expr<String> {
        ref_("AWS::Partition")
    }
    pub fn stack_name() -> Expr<String> {
        ref_("AWS::StackName")
    }
    pub fn stack_id() -> Expr<String> {
        ref_("AWS::StackId")
    }
    pub fn url_suffix() -> Expr<String> {
        ref_("AWS::URLSuffix")
    }
    pub fn notification_arns() -> Expr<Vec<String>> {
        ref_("AWS::NotificationARNs")
    }
    /// `AWS::NoValue`: removes the property it is assigned to.
    pub fn no_value<T>() -> Expr<T> {
        ref_("AWS::NoValue")
    }

    /// Every pseudo parameter's name.
    pub const NAMES: &[&str] = &[
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    ];
}
