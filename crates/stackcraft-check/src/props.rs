//! Reading resource properties the way a reviewer does: a literal answers, an intrinsic whose
//! value is only known at deploy time is "unknown" (and no rule fails on an unknown).

use stackcraft_template::{Intrinsic, Value};

/// Looks up a dotted path of map keys (`"VersioningConfiguration.Status"`).
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// A literal boolean (CloudFormation also accepts the strings "true"/"false"); `None` when
/// absent or not a literal.
pub fn bool_at(value: &Value, path: &str) -> Option<bool> {
    literal_bool(at(value, path)?)
}

pub fn literal_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A literal string at a path.
pub fn str_at<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    at(value, path)?.as_str()
}

/// A literal integer (numbers and numeric strings).
pub fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Whether the value is an intrinsic (its value is decided at deploy time).
pub fn is_dynamic(value: &Value) -> bool {
    matches!(value, Value::Fn(_))
}

/// The items of a list, or the value itself when a single item stands where a list may.
pub fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::List(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// The logical ids a value refers to (`Ref`, `Fn::GetAtt`, and `${Name}` / `${Name.Attr}` in
/// `Fn::Sub`).
pub fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    value.walk(&mut |v| {
        if let Value::Fn(f) = v {
            match f.as_ref() {
                Intrinsic::Ref(t) | Intrinsic::GetAtt(t, _) => out.push(t.logical_id.clone()),
                Intrinsic::Sub(text, _) => out.extend(sub_names(text)),
                _ => {}
            }
        }
    });
    out
}

/// Whether `value` refers to the resource `logical_id`.
pub fn refers_to(value: &Value, logical_id: &str) -> bool {
    references(value).iter().any(|r| r == logical_id)
}

fn sub_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.starts_with('!') {
            names.push(name.split('.').next().unwrap_or(name).to_owned());
        }
        rest = &rest[end + 1..];
    }
    names
}

/// Every literal string inside a value (the text of `Fn::Sub` included), for secret scans.
pub fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    collect_strings(value, &mut out);
    out
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::List(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Map(map) => map.values().for_each(|v| collect_strings(v, out)),
        Value::Fn(f) => {
            if let Intrinsic::Sub(text, _) | Intrinsic::Join(text, _) = f.as_ref() {
                out.push(text);
            }
            for child in f.children() {
                collect_strings(child, out);
            }
        }
        _ => {}
    }
}
