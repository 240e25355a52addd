//! A blueprint's settings, declared once. [`settings!`](crate::settings!) turns one struct
//! declaration (field, type, doc comment, default) into the parser `stackcraft.toml` is read
//! with and the description `stackcraft blueprints NAME` lists and `stackcraft init` writes as
//! commented defaults, so the three cannot disagree.
//!
//! ```
//! stackcraft_config::settings! {
//!     #[derive(Debug)]
//!     pub struct Settings {
//!         /// Count only keys under this prefix.
//!         pub prefix: String = String::new(),
//!         /// Caps the function's concurrency (default: unreserved).
//!         pub reserved_concurrency: Option<u32>,
//!         /// The stack whose table is read.
//!         pub data_stack: String,
//!     }
//! }
//! use stackcraft_config::settings::{SettingDefault, SettingType};
//! let described = Settings::fields();
//! assert_eq!(described[0].default, SettingDefault::Value("\"\"".into()));
//! assert_eq!(described[1].default, SettingDefault::Unset);
//! assert_eq!(described[2].default, SettingDefault::Required);
//! ```
//!
//! A field with `= expr` takes that value when the key is absent; an `Option` without one is
//! unset (its doc says who decides then: the environment or the blueprint); any other field
//! without one is required. Unknown keys are errors. The crate using the macro depends on
//! `serde` (with `derive`).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One setting as `stackcraft blueprints NAME` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub key: &'static str,
    /// `string`, `integer`, `list of tables`, ...
    pub type_name: String,
    /// The field's doc comment, lines joined.
    pub doc: String,
    pub default: SettingDefault,
    /// What comes between this key and its fields' keys: `[]` for a list of tables
    /// (`apps[].name`), `.<name>` for a map (`clusters.<name>.min`), nothing for a table.
    pub nesting: &'static str,
    /// The keys of a table (of each table of a list or map); empty for plain values.
    pub fields: Vec<Setting>,
}

/// What a setting is when `stackcraft.toml` does not write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingDefault {
    /// The file must write it.
    Required,
    /// Not set: the doc says who decides (the environment or the blueprint).
    Unset,
    /// This value, written as TOML (`"counts"`, `256`, `{ cpu = 256, memory = 512 }`).
    Value(String),
}

impl SettingDefault {
    /// The declared default of a field, as TOML.
    pub fn of<T: serde::Serialize>(value: &T) -> SettingDefault {
        match toml::Value::try_from(value) {
            Ok(v) => SettingDefault::Value(inline_toml(&v)),
            // `None` has no TOML form: a declared `= None` is simply unset.
            Err(_) => SettingDefault::Unset,
        }
    }
}

/// A type a setting can have: how it is named, what it is when absent, and its keys.
pub trait SettingType: Sized {
    fn type_name() -> String;
    /// The value of an absent key with no declared default: `Some` for optional types,
    /// `None` when the key is required.
    fn absent() -> Option<Self> {
        None
    }
    fn nesting() -> &'static str {
        ""
    }
    fn fields() -> Vec<Setting> {
        Vec::new()
    }
}

macro_rules! plain {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(impl SettingType for $ty {
            fn type_name() -> String {
                $name.to_owned()
            }
        })*
    };
}

plain! {
    String => "string",
    PathBuf => "path",
    bool => "boolean",
    u8 => "integer",
    u16 => "integer",
    u32 => "integer",
    u64 => "integer",
    f32 => "number",
    f64 => "number",
}

impl<T: SettingType> SettingType for Option<T> {
    fn type_name() -> String {
        T::type_name()
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
    fn nesting() -> &'static str {
        T::nesting()
    }
    fn fields() -> Vec<Setting> {
        T::fields()
    }
}

impl<T: SettingType> SettingType for Vec<T> {
    fn type_name() -> String {
        let item = T::type_name();
        match item.as_str() {
            "table" => "list of tables".to_owned(),
            _ => format!("list of {item}s"),
        }
    }
    fn nesting() -> &'static str {
        "[]"
    }
    fn fields() -> Vec<Setting> {
        T::fields()
    }
}

impl<T: SettingType> SettingType for BTreeMap<String, T> {
    fn type_name() -> String {
        let item = T::type_name();
        match item.as_str() {
            "table" => "tables by name".to_owned(),
            _ => format!("{item}s by name"),
        }
    }
    fn nesting() -> &'static str {
        ".<name>"
    }
    fn fields() -> Vec<Setting> {
        T::fields()
    }
}

/// A key as the file wrote it: `Some` when present. Unlike `Option<T>` it asks the format for
/// a `T`, never for an option, so any format's values read the same (and `Option<Option<T>>`
/// never arises for optional settings).
#[doc(hidden)]
pub struct Written<T>(pub Option<T>);

impl<T> Default for Written<T> {
    fn default() -> Self {
        Written(None)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Written<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Written(Some(value)))
    }
}

/// The type name of a string enum: its values as serde writes them (`"redis" or
/// "memcached"`), so the listing follows the enum's `rename_all`.
pub fn one_of<T: serde::Serialize>(values: &[T]) -> String {
    let names: Vec<String> = values
        .iter()
        .filter_map(|v| toml::Value::try_from(v).ok())
        .map(|v| inline_toml(&v))
        .collect();
    names.join(" or ")
}

/// Doc comment lines (`/// text` arrives as `" text"`) as one paragraph.
pub fn doc(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A TOML value on one line: strings quoted and escaped, tables inline.
pub fn inline_toml(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => toml_string(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline_toml).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) if t.is_empty() => "{}".to_owned(),
        toml::Value::Table(t) => {
            let entries: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), inline_toml(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// A key bare when TOML allows it, else quoted.
pub fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string: quoted, with `"`, `\\` and control characters escaped.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Declares a settings struct: the struct, its `Deserialize` (unknown keys refused, declared
/// defaults filled in, required keys enforced) and its [`SettingType`] description, from one
/// declaration. See the [module documentation](crate::settings).
#[macro_export]
macro_rules! settings {
    (
        $(#[doc = $sdoc:literal])*
        $(#[derive($($derive:path),* $(,)?)])?
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $fvis:vis $field:ident : $ty:ty $(= $default:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(serde::Serialize $($(, $derive)*)?)]
        $vis struct $name {
            $(
                $(#[doc = $doc])*
                $fvis $field: $ty,
            )*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Written {
                    $(#[serde(default)] $field: $crate::settings::Written<$ty>,)*
                }
                let written = <Written as serde::Deserialize>::deserialize(deserializer)?;
                Ok($name {
                    $($field: match written.$field.0 {
                        Some(value) => value,
                        None => $crate::__setting_absent!($ty $(, $default)?).ok_or_else(|| {
                            <D::Error as serde::de::Error>::missing_field(stringify!($field))
                        })?,
                    },)*
                })
            }
        }

        impl $crate::settings::SettingType for $name {
            fn type_name() -> String {
                "table".to_owned()
            }
            /// A table every key of which may be left out can itself be left out.
            fn absent() -> Option<Self> {
                Some($name {
                    $($field: $crate::__setting_absent!($ty $(, $default)?)?,)*
                })
            }
            fn fields() -> Vec<$crate::settings::Setting> {
                vec![$($crate::settings::Setting {
                    key: stringify!($field),
                    type_name: <$ty as $crate::settings::SettingType>::type_name(),
                    doc: $crate::settings::doc(&[$($doc),*]),
                    default: $crate::__setting_default!($ty $(, $default)?),
                    nesting: <$ty as $crate::settings::SettingType>::nesting(),
                    fields: <$ty as $crate::settings::SettingType>::fields(),
                }),*]
            }
        }
    };
}

/// The value of an absent key: its declared default, else what its type is when absent
/// (`None` for an `Option`, the defaults of a table whose keys all have one); `None` when the
/// key is required.
#[doc(hidden)]
#[macro_export]
macro_rules! __setting_absent {
    ($ty:ty, $default:expr) => {
        Some::<$ty>($default)
    };
    ($ty:ty) => {
        <$ty as $crate::settings::SettingType>::absent()
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __setting_default {
    ($ty:ty $(, $default:expr)?) => {
        match $crate::__setting_absent!($ty $(, $default)?) {
            Some(value) => $crate::settings::SettingDefault::of::<$ty>(&value),
            None => $crate::settings::SettingDefault::Required,
        }
    };
}
