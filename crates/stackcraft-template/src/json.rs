//! Templates as JSON text.

use crate::error::ParseError;
use crate::template::Template;
use crate::value::Value;

/// Pretty JSON with one-space indentation (like `cdk synth`), ending in a newline.
pub fn to_json_string(value: &Value) -> String {
    let mut out = Vec::with_capacity(4096);
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(value, &mut ser).expect("a Value always serializes");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Reads any JSON text into a value tree, recognising intrinsic functions.
pub fn parse_json_value(text: &str) -> Result<Value, ParseError> {
    let json: serde_json::Value = serde_json::from_str(text)?;
    Ok(Value::from(json))
}

impl Template {
    pub fn to_json(&self) -> String {
        to_json_string(&self.to_value())
    }

    pub fn from_json(text: &str) -> Result<Template, ParseError> {
        Template::from_value(&parse_json_value(text)?)
    }
}
