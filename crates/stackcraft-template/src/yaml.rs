//! Templates as YAML text: a small block-style emitter of our own, so the output is stable,
//! readable and safe (strings that YAML 1.1 would read as booleans, numbers or nulls are quoted),
//! and a parser that understands CloudFormation's short-form tags (`!Ref`, `!GetAtt a.b`, ...).

use std::fmt::Write;

use crate::error::ParseError;
use crate::template::Template;
use crate::value::{Intrinsic, Map, Value, FUNCTION_NAMES};

const INDENT: usize = 2;

/// Writes a value as a YAML document, ending in a newline.
pub fn to_yaml_string(value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    match value {
        Value::Map(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::List(l) if !l.is_empty() => write_list(&mut out, l, 0),
        other => {
            write_after_key(&mut out, other, 0);
            // write_after_key writes what follows "key:"; a document has no key before it.
            return out.trim_start().to_owned();
        }
    }
    out
}

/// True when a value is written on the line of its key (`Key: value`), false when it opens an
/// indented block below.
fn is_inline(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Fn(f) => short_form_is_inline(f),
        _ => true,
    }
}

fn short_form_is_inline(f: &Intrinsic) -> bool {
    match f {
        Intrinsic::Ref(_) | Intrinsic::Condition(_) => true,
        Intrinsic::GetAtt(_, attr) => attr.as_str().is_some(),
        Intrinsic::Sub(_, vars) => vars.is_empty(),
        _ => false,
    }
}

/// The short-form tag of a function, when its argument can carry a tag: YAML allows one tag
/// per node, so `!Base64 !Sub x` is impossible and the outer function takes the long form.
fn short_tag(f: &Intrinsic) -> Option<&'static str> {
    let arg_is_function = matches!(
        f,
        Intrinsic::GetAZs(Value::Fn(_))
            | Intrinsic::ImportValue(Value::Fn(_))
            | Intrinsic::Base64(Value::Fn(_))
            | Intrinsic::Length(Value::Fn(_))
            | Intrinsic::ToJsonString(Value::Fn(_))
    );
    if arg_is_function {
        return None;
    }
    if let Intrinsic::GetAtt(_, attr) = f {
        attr.as_str()?;
    }
    FUNCTION_NAMES
        .iter()
        .find(|(long, _)| *long == f.name())
        .map(|(_, short)| *short)
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, map: &Map, indent: usize) {
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        write_plain_or_quoted(out, k);
        out.push(':');
        write_after_key(out, v, indent);
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push('-');
        match v {
            // "- Key: value" continues the map on the dash's line, indented past the dash.
            Value::Map(m) if !m.is_empty() => {
                out.push(' ');
                write_map(out, m, indent + INDENT);
            }
            Value::List(l) if !l.is_empty() => {
                out.push(' ');
                write_list(out, l, indent + INDENT);
            }
            _ => write_after_key(out, v, indent),
        }
    }
}

/// Writes a value after `key:` or `-`: on the same line if it is inline, else on the lines below.
fn write_after_key(out: &mut String, v: &Value, indent: usize) {
    if is_inline(v) {
        out.push(' ');
        write_inline(out, v, indent);
        out.push('\n');
        return;
    }
    match v {
        Value::Map(m) => {
            out.push('\n');
            pad(out, indent + INDENT);
            write_map(out, m, indent + INDENT);
        }
        Value::List(l) => {
            out.push('\n');
            pad(out, indent + INDENT);
            write_list(out, l, indent + INDENT);
        }
        Value::Fn(f) => match short_tag(f) {
            Some(tag) => {
                out.push(' ');
                out.push_str(tag);
                write_after_key(out, &f.argument(), indent);
            }
            None => {
                let mut long = Map::new();
                long.insert(f.name().to_owned(), f.argument());
                write_after_key(out, &Value::Map(long), indent);
            }
        },
        _ => unreachable!("scalars are inline"),
    }
}

fn write_inline(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write!(out, "{n}").expect("writing to a String"),
        Value::String(s) => write_scalar_string(out, s, indent),
        Value::List(_) => out.push_str("[]"),
        Value::Map(_) => out.push_str("{}"),
        Value::Fn(f) => {
            let tag = short_tag(f).expect("inline functions have a short form");
            out.push_str(tag);
            out.push(' ');
            match &**f {
                Intrinsic::GetAtt(t, attr) => {
                    let dotted = format!("{}.{}", t.logical_id, attr.as_str().unwrap_or(""));
                    write_scalar_string(out, &dotted, indent);
                }
                other => write_inline(out, &other.argument(), indent),
            }
        }
    }
}

fn write_scalar_string(out: &mut String, s: &str, indent: usize) {
    if s.contains('\n') && literal_block_fits(s) {
        write_literal_block(out, s, indent);
    } else {
        write_plain_or_quoted(out, s);
    }
}

/// A JSON string is also a valid YAML double-quoted scalar, escapes included.
fn write_plain_or_quoted(out: &mut String, s: &str) {
    if needs_quotes(s) {
        out.push_str(&serde_json::to_string(s).expect("strings serialize"));
    } else {
        out.push_str(s);
    }
}

/// A multi-line string reads best as a `|` block, which cannot express every string: no
/// leading space on the first line, no trailing blanks, no control characters.
fn literal_block_fits(s: &str) -> bool {
    !s.starts_with([' ', '\t', '\n'])
        && !s.chars().any(|c| c.is_control() && c != '\n')
        && s.lines().all(|l| !l.ends_with([' ', '\t']))
}

fn write_literal_block(out: &mut String, s: &str, indent: usize) {
    let body = s.trim_end_matches('\n');
    let chomp = match s.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push('|');
    out.push_str(chomp);
    for line in s[..body.len()].split('\n').chain(
        // `|+` keeps the trailing line breaks: write them as empty lines.
        std::iter::repeat_n("", (s.len() - body.len()).saturating_sub(1)),
    ) {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent + INDENT);
            out.push_str(line);
        }
    }
}

/// Words that YAML 1.1 (and so CloudFormation's parser) reads as something other than a string.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    let last = s.chars().last().unwrap_or(first);
    RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w))
        || reads_as_number(s)
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_whitespace()
        || last.is_whitespace()
        || last == ':'
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control())
        || s == "-"
        || s.starts_with("---")
        || s.starts_with("...")
}

/// Whether a YAML parser reads `s` as a number: a digit first, or after a sign, or a float
/// spelled YAML's way (`.5`, `+.5`, `.inf`, `-.Inf`, `.NaN`).
fn reads_as_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digit_first = |t: &str| t.starts_with(|c: char| c.is_ascii_digit());
    digit_first(unsigned)
        || unsigned.strip_prefix('.').is_some_and(|rest| {
            digit_first(rest)
                || rest.eq_ignore_ascii_case("inf")
                || rest.eq_ignore_ascii_case("nan")
        })
}

/// Reads a YAML document into a value tree, long- and short-form intrinsics alike.
pub fn parse_yaml_value(text: &str) -> Result<Value, ParseError> {
    let doc: serde_norway::Value = serde_norway::from_str(text)?;
    from_yaml(doc, "")
}

fn from_yaml(v: serde_norway::Value, path: &str) -> Result<Value, ParseError> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| from_yaml(v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut map = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return Err(ParseError::at(path, "a mapping key must be a scalar")),
                };
                let child = join_path(path, &key);
                map.insert(key, from_yaml(v, &child)?);
            }
            Value::from_map(map)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let Some((long, _)) = FUNCTION_NAMES.iter().find(|(_, short)| *short == tag) else {
                return Err(ParseError::at(path, format!("unknown tag {tag}")));
            };
            let arg = from_yaml(tagged.value, path)?;
            match Intrinsic::from_parts(long, &arg) {
                Some(f) => f.into(),
                None => return Err(ParseError::at(path, format!("malformed {tag}"))),
            }
        }
    })
}

fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Template {
    pub fn to_yaml(&self) -> String {
        to_yaml_string(&self.to_value())
    }

    pub fn from_yaml(text: &str) -> Result<Template, ParseError> {
        Template::from_value(&parse_yaml_value(text)?)
    }
}
