//! The CloudFormation template language (layer L1 of stackcraft).
//!
//! - [`Value`] and [`Intrinsic`]: any template value, with every intrinsic function;
//! - [`Expr`]: a value typed by what it evaluates to, taken by the typed resources;
//! - [`Template`]: the sections of a template, read from and written to JSON and YAML
//!   (short-form tags included) so that parse → emit → parse is a fixed point.

mod error;
mod expr;
mod json;
mod resource_type;
mod template;
mod value;
mod yaml;

pub use error::ParseError;
pub use expr::{
    base64, cidr, find_in_map, get_att, get_azs, if_, import_value, join, length, pseudo, ref_,
    ref_to, select, split, sub, sub_with, to_json_string, Condition, Expr, Json,
};
pub use json::{parse_json_value, to_json_string as value_to_json};
pub use resource_type::{ResourceType, Tagging};
pub use template::{Output, Parameter, Policy, Resource, Template, FORMAT_VERSION};
pub use value::{Intrinsic, Map, Target, Value};
pub use yaml::{parse_yaml_value, to_yaml_string as value_to_yaml};

/// Reads a template in either format: JSON when the text starts with `{`, else YAML.
pub fn parse_template(text: &str) -> Result<Template, ParseError> {
    if text.trim_start().starts_with('{') {
        Template::from_json(text)
    } else {
        Template::from_yaml(text)
    }
}
