//! One resource type's module: the resource struct, its `...Ref` handle, its `ResourceType`
//! impl, and its property types, enums and unions (the mapping rules are listed in
//! `codegen.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map as JMap, Value as J};

use crate::codegen::header;
use crate::doc;
use crate::names::{camel, dedupe, is_keyword, singular, snake};
use crate::stats::{Case, Stats, ENORMOUS_BYTES};
use crate::union;

/// A Rust type of a property.
#[derive(Clone, Debug, PartialEq)]
enum RType {
    Str,
    Int,
    Num,
    Bool,
    Json,
    Vec(Box<RType>),
    Map(Box<RType>),
    Named(String),
}

impl RType {
    fn rust(&self) -> String {
        match self {
            RType::Str => "String".into(),
            RType::Int => "i64".into(),
            RType::Num => "f64".into(),
            RType::Bool => "bool".into(),
            RType::Json => "Json".into(),
            RType::Vec(t) => format!("Vec<{}>", t.rust()),
            RType::Map(t) => format!("IndexMap<String, {}>", t.rust()),
            RType::Named(n) => n.clone(),
        }
    }
}

/// Names the generated code uses unqualified: a definition may not shadow them.
const RESERVED_TYPES: &[&str] = &[
    "Expr",
    "Json",
    "Map",
    "Target",
    "Value",
    "ResourceType",
    "Tagging",
    "IndexMap",
    "Option",
    "Some",
    "None",
    "String",
    "Vec",
    "Default",
    "Self",
    "Box",
    "Result",
    "Ok",
    "Err",
    "From",
    "Into",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Copy",
    "Send",
    "Sync",
    "Sized",
];

struct Field {
    cfn: String,
    name: String,
    ty: RType,
    required: bool,
    doc: String,
}

struct Gen<'a> {
    type_name: String,
    defs: &'a JMap<String, J>,
    taken: BTreeSet<String>,
    def_names: BTreeMap<String, String>,
    def_types: BTreeMap<String, RType>,
    /// Definitions being generated: meeting one again means the definition is recursive.
    in_progress: BTreeSet<String>,
    enums: Vec<(String, Vec<String>)>,
    items: Vec<String>,
    /// How this module names the template's property map: `Map`, unless the resource itself is
    /// called `Map` (`AWS::Location::Map`).
    map_ty: &'static str,
    stats: Stats,
}

fn description(p: &J) -> String {
    p.get("description")
        .and_then(J::as_str)
        .filter(|d| !d.trim().is_empty())
        .or_else(|| p.get("markdownDescription").and_then(J::as_str))
        .unwrap_or("")
        .to_owned()
}

/// The values of a string enum (`None` for a non-string enum).
fn string_enum(p: &J) -> Option<Vec<String>> {
    let values = p.get("enum")?.as_array()?;
    let ty = p.get("type");
    if !(ty.is_none() || ty == Some(&J::from("string"))) || values.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.as_str()?.to_owned();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Some(out)
}

fn has_properties(p: &J) -> bool {
    let ty = p.get("type");
    (ty.is_none() || ty == Some(&J::from("object")))
        && p.get("properties")
            .and_then(J::as_object)
            .is_some_and(|m| !m.is_empty())
}

/// `From<name> for Expr<Json>`: a typed shape of a union, accepted by the union's setter.
fn into_json(name: &str) -> String {
    format!(
        "impl From<{name}> for Expr<Json> {{\n    fn from(value: {name}) -> Self {{\n        \
         Expr::from_value(Value::Map(value.into_map()))\n    }}\n}}\n"
    )
}

/// The variant of a union enum that holds a value of this type.
fn union_variant(t: &RType) -> String {
    match t {
        RType::Str => "String".into(),
        RType::Int => "Integer".into(),
        RType::Num => "Number".into(),
        RType::Bool => "Boolean".into(),
        RType::Json => "Json".into(),
        RType::Vec(t) => format!("{}List", union_variant(t)),
        RType::Map(t) => format!("{}Map", union_variant(t)),
        RType::Named(n) => n.clone(),
    }
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

impl<'a> Gen<'a> {
    fn reserve_def_names(&mut self) {
        let mut keys: Vec<&String> = self.defs.keys().collect();
        keys.sort();
        for k in keys {
            let mut base = camel(k, "T");
            if base.is_empty() {
                base = "Definition".into();
            }
            if self.taken.contains(&base) {
                self.note(Case::NameClash, 1);
                base.push_str("Property");
            }
            let name = self.unique_type(&base);
            self.def_names.insert(k.clone(), name);
        }
    }

    /// A fresh type name for an inline type: the property's name, else prefixed by its parent's.
    fn inline_name(&mut self, prop: &str, parent: &str) -> String {
        let mut base = camel(prop, "T");
        if base.is_empty() {
            base = "Value".into();
        }
        if !self.taken.contains(&base) {
            self.taken.insert(base.clone());
            return base;
        }
        self.note(Case::NameClash, 1);
        dedupe(&mut self.taken, &format!("{parent}{base}"))
    }

    /// A type name not taken yet (`base`, else `base2`, ...).
    fn unique_type(&mut self, base: &str) -> String {
        let name = dedupe(&mut self.taken, base);
        if name != base {
            self.note(Case::NameClash, 1);
        }
        name
    }

    fn note(&mut self, case: Case, places: usize) {
        self.stats.note(case, &self.type_name, places);
    }

    fn resolve(&mut self, p: &J, parent: &str, prop: &str, depth: u32) -> RType {
        if depth > 24 {
            self.note(Case::DepthLimit, 1);
            return RType::Json;
        }
        if let Some(r) = p.get("$ref").and_then(J::as_str) {
            return match r.strip_prefix("#/definitions/") {
                Some(def) => self.def_type(def, depth + 1),
                None => RType::Json,
            };
        }
        if let Some(values) = string_enum(p) {
            return RType::Named(self.make_enum(None, prop, parent, values, &description(p)));
        }
        match p.get("type") {
            Some(J::String(t)) => match t.as_str() {
                "string" => RType::Str,
                "integer" => RType::Int,
                "number" => RType::Num,
                "boolean" => RType::Bool,
                "array" => match p.get("items") {
                    Some(items) => RType::Vec(Box::new(self.resolve(
                        items,
                        parent,
                        &singular(prop),
                        depth + 1,
                    ))),
                    None => RType::Vec(Box::new(RType::Json)),
                },
                "object" => self.object(p, parent, prop, depth),
                _ => RType::Json,
            },
            None => self.object(p, parent, prop, depth),
            Some(J::Array(_)) => match union::alternatives(p) {
                Some(alts) => self.union(p, &alts, parent, prop, depth, None),
                None => RType::Json,
            },
            _ => RType::Json,
        }
    }

    fn object(&mut self, p: &J, parent: &str, prop: &str, depth: u32) -> RType {
        if has_properties(p) {
            let name = self.inline_name(prop, parent);
            self.make_struct(&name, p, &BTreeSet::new(), &description(p), false);
            return RType::Named(name);
        }
        if let Some(pp) = p.get("patternProperties").and_then(J::as_object) {
            let mut values = pp.values();
            if let (Some(v), None) = (values.next(), values.next()) {
                self.note(Case::PatternMap, 1);
                let item = self.resolve(v, parent, &format!("{prop}Value"), depth + 1);
                return RType::Map(Box::new(item));
            }
            return self.multi_pattern_map(pp, parent, prop, depth);
        }
        if let Some(alts) = union::alternatives(p) {
            return self.union(p, &alts, parent, prop, depth, None);
        }
        RType::Json
    }

    /// `patternProperties` with several patterns: a map to the patterns' common type, or to
    /// a union of their types.
    fn multi_pattern_map(
        &mut self,
        patterns: &JMap<String, J>,
        parent: &str,
        prop: &str,
        depth: u32,
    ) -> RType {
        self.note(Case::MultiPatternMap, 1);
        let value_prop = format!("{prop}Value");
        let mut types: Vec<RType> = Vec::new();
        for v in patterns.values() {
            let t = self.resolve(v, parent, &value_prop, depth + 1);
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let item = match types.len() {
            1 => types.remove(0),
            _ if types.contains(&RType::Json) => RType::Json,
            _ => {
                // The values' shapes, typed; the map takes any of them as `Json`.
                let name = self.inline_name(&value_prop, parent);
                self.make_union_enum(&name, &types, "");
                RType::Json
            }
        };
        RType::Map(Box::new(item))
    }

    fn def_type(&mut self, key: &str, depth: u32) -> RType {
        if let Some(t) = self.def_types.get(key).cloned() {
            if self.in_progress.contains(key) {
                self.note(Case::Recursive, 1);
            }
            return t;
        }
        let defs = self.defs;
        let Some(def) = defs.get(key) else {
            return RType::Json;
        };
        let name = self.def_names[key].clone();
        self.in_progress.insert(key.to_owned());
        let t = self.def_type_of(key, def, &name, depth);
        self.in_progress.remove(key);
        t
    }

    fn def_type_of(&mut self, key: &str, def: &J, name: &str, depth: u32) -> RType {
        if has_properties(def) {
            self.def_types
                .insert(key.into(), RType::Named(name.to_owned()));
            self.make_struct(name, def, &BTreeSet::new(), &description(def), false);
            return RType::Named(name.to_owned());
        }
        if let Some(values) = string_enum(def) {
            self.def_types
                .insert(key.into(), RType::Named(name.to_owned()));
            self.make_enum(Some(name.to_owned()), key, "", values, &description(def));
            return RType::Named(name.to_owned());
        }
        self.def_types.insert(key.into(), RType::Json);
        // A union definition (no scalar `type`, no `$ref`) names its typed shapes.
        let scalar = def
            .get("type")
            .and_then(J::as_str)
            .is_some_and(|t| t != "object");
        if !scalar && def.get("$ref").is_none() && def.get("patternProperties").is_none() {
            if let Some(alts) = union::alternatives(def) {
                let t = self.union(def, &alts, name, name, depth + 1, Some(name));
                self.def_types.insert(key.into(), t.clone());
                return t;
            }
        }
        let t = self.resolve(def, name, name, depth + 1);
        self.def_types.insert(key.into(), t.clone());
        t
    }

    /// A union. Its setter takes `Json` (the schema allows several shapes; taking `Json` also
    /// keeps the API of properties typed `Json` before unions were typed), and its shapes are
    /// typed and convert into `Expr<Json>`: one struct with every alternative's properties when
    /// all alternatives are objects, else an enum with one variant per alternative type. A
    /// union with a free-form alternative is plain `Json`; one whose alternatives share a type
    /// is that type. A union that is a definition names its shapes' type after the definition
    /// (`fixed`).
    fn union(
        &mut self,
        p: &J,
        alts: &[J],
        parent: &str,
        prop: &str,
        depth: u32,
        fixed: Option<&str>,
    ) -> RType {
        let shape_name = |g: &mut Self| match fixed {
            Some(name) => name.to_owned(),
            None => g.inline_name(prop, parent),
        };
        let objects: Vec<&J> = alts.iter().map(|a| self.deref(a)).collect();
        if objects.iter().all(|a| has_properties(a)) {
            self.note(Case::MergedObjects, 1);
            let merged = union::merge_objects(p, &objects);
            let name = shape_name(self);
            self.make_struct(&name, &merged, &BTreeSet::new(), &description(p), false);
            self.items.push(into_json(&name));
            return RType::Json;
        }
        let mut types: Vec<RType> = Vec::new();
        for (i, alt) in alts.iter().enumerate() {
            let alt_prop = alt
                .get("title")
                .and_then(J::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| match alt.get("type").and_then(J::as_str) {
                    Some(t) => format!("{prop}{}", camel(t, "T")),
                    None => format!("{prop}{}", i + 1),
                });
            let t = self.resolve(alt, parent, &alt_prop, depth + 1);
            if !types.contains(&t) {
                types.push(t);
            }
        }
        if types.contains(&RType::Json) {
            self.note(Case::UnionWithJson, 1);
            return RType::Json;
        }
        if types.len() == 1 {
            return types.remove(0);
        }
        self.note(Case::Union, 1);
        let name = shape_name(self);
        self.make_union_enum(&name, &types, &description(p));
        RType::Json
    }

    /// An enum with one variant per type a value may have.
    fn make_union_enum(&mut self, name: &str, types: &[RType], desc: &str) {
        let mut s = String::new();
        if desc.trim().is_empty() {
            let _ = writeln!(
                s,
                "/// The shapes a value of a `{}` property takes.",
                self.type_name
            );
        } else {
            doc::emit(&mut s, "", desc);
        }
        s.push_str(
            "#[derive(Clone, Debug, PartialEq)]
",
        );
        let _ = writeln!(s, "pub enum {name} {{");
        let mut taken = BTreeSet::new();
        let variants: Vec<String> = types
            .iter()
            .map(|t| dedupe(&mut taken, &union_variant(t)))
            .collect();
        for (v, t) in variants.iter().zip(types) {
            let _ = writeln!(s, "    /// A `{}`.\n    {v}(Expr<{}>),", t.rust(), t.rust());
        }
        s.push_str("}\n\n");
        let _ = writeln!(s, "impl From<{name}> for Expr<Json> {{");
        let _ = writeln!(s, "    fn from(value: {name}) -> Self {{");
        s.push_str("        Expr::from_value(match value {\n");
        for v in &variants {
            let _ = writeln!(s, "            {name}::{v}(value) => value.into_value(),");
        }
        s.push_str("        })\n    }\n}\n");
        self.items.push(s);
    }

    fn make_enum(
        &mut self,
        fixed: Option<String>,
        prop: &str,
        parent: &str,
        values: Vec<String>,
        desc: &str,
    ) -> String {
        let name = match fixed {
            Some(n) => n,
            None => {
                let c1 = camel(prop, "T");
                let c2 = format!("{parent}{c1}");
                if let Some((n, _)) = self
                    .enums
                    .iter()
                    .find(|(n, v)| (*n == c1 || *n == c2) && *v == values)
                {
                    return n.clone();
                }
                self.inline_name(prop, parent)
            }
        };
        self.enums.push((name.clone(), values.clone()));
        let mut variants = BTreeSet::from(["Unknown".to_owned()]);
        let mut vs: Vec<(String, String)> = Vec::new();
        for v in &values {
            let mut base = camel(v, "V");
            if base.is_empty() {
                base = "Value".into();
            }
            if is_keyword(&base) {
                self.note(Case::KeywordVariant, 1);
                base.push('_');
            }
            let variant = dedupe(&mut variants, &base);
            if variant != base {
                self.note(Case::NameClash, 1);
            }
            vs.push((variant, v.clone()));
        }
        let mut s = String::new();
        if desc.trim().is_empty() {
            let _ = writeln!(s, "/// Allowed values of `{prop}`.");
        } else {
            doc::emit(&mut s, "", desc);
        }
        s.push_str("#[derive(Clone, Debug, PartialEq, Eq)]\n");
        let _ = writeln!(s, "pub enum {name} {{");
        for (v, value) in &vs {
            if value.contains('`') {
                doc::emit(&mut s, "    ", value);
            } else {
                let _ = writeln!(s, "    /// `{value}`");
            }
            let _ = writeln!(s, "    {v},");
        }
        s.push_str(
            "    /// A value this version of the schema does not list, written as is.\n    Unknown(String),\n}\n\n",
        );
        let _ = writeln!(s, "impl {name} {{");
        s.push_str("    /// The value as written in the template.\n");
        s.push_str("    pub fn as_str(&self) -> &str {\n        match self {\n");
        for (v, value) in &vs {
            let _ = writeln!(s, "            Self::{v} => {},", lit(value));
        }
        s.push_str("            Self::Unknown(value) => value,\n        }\n    }\n}\n\n");
        let _ = writeln!(s, "impl From<{name}> for Expr<{name}> {{");
        let _ = writeln!(s, "    fn from(value: {name}) -> Self {{");
        s.push_str("        Expr::from_value(Value::from(value.as_str()))\n    }\n}\n");
        self.items.push(s);
        name
    }

    /// Emits a struct for an object schema (a definition, an inline object, or the resource).
    fn make_struct(
        &mut self,
        name: &str,
        schema: &J,
        read_only: &BTreeSet<String>,
        desc: &str,
        is_resource: bool,
    ) {
        let slot = self.items.len();
        self.items.push(String::new());
        let required: Vec<&str> = schema
            .get("required")
            .and_then(J::as_array)
            .map(|r| r.iter().filter_map(J::as_str).collect())
            .unwrap_or_default();
        let empty = JMap::new();
        let props = schema
            .get("properties")
            .and_then(J::as_object)
            .unwrap_or(&empty);
        let mut field_names = BTreeSet::from(["new".to_owned(), "into_map".to_owned()]);
        let mut fields = Vec::new();
        for (cfn, p) in props {
            let req = required.contains(&cfn.as_str());
            if read_only.contains(cfn) && !req {
                continue;
            }
            let base = snake(cfn);
            if base.strip_suffix('_').is_some_and(is_keyword) {
                self.note(Case::Keyword, 1);
            }
            let fname = dedupe(&mut field_names, &base);
            if fname != base {
                self.note(Case::NameClash, 1);
            }
            let ty = self.resolve(p, name, cfn, 0);
            fields.push(Field {
                cfn: cfn.clone(),
                name: fname,
                ty,
                required: req,
                doc: description(p),
            });
        }
        let any_required = fields.iter().any(|f| f.required);

        let mut s = String::new();
        if !desc.trim().is_empty() {
            doc::emit(&mut s, "", desc);
        }
        if is_resource {
            if !desc.trim().is_empty() {
                s.push_str("///\n");
            }
            let _ = writeln!(
                s,
                "/// The `{}` resource type; adding it to a stack gives a [`{name}Ref`].",
                self.type_name
            );
        } else if desc.trim().is_empty() {
            let _ = writeln!(s, "/// A property type of `{}`.", self.type_name);
        }
        let derives = if any_required {
            "Clone, Debug, PartialEq"
        } else {
            "Clone, Debug, Default, PartialEq"
        };
        let _ = writeln!(s, "#[derive({derives})]\npub struct {name} {{");
        for f in &fields {
            let ty = if f.required { "Value" } else { "Option<Value>" };
            let _ = writeln!(s, "    {}: {ty},", f.name);
        }
        s.push_str("}\n\n");

        let _ = writeln!(s, "impl {name} {{");
        if any_required {
            let list: Vec<String> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| format!("`{}`", f.cfn))
                .collect();
            let _ = writeln!(
                s,
                "    /// Creates a `{name}` from its required properties: {}.",
                list.join(", ")
            );
            for f in fields.iter().filter(|f| f.required) {
                let lines = doc::lines(&f.doc);
                if let Some(first) = lines.first().filter(|l| !l.is_empty()) {
                    let _ = writeln!(s, "    ///\n    /// `{}`: {first}", f.name);
                    for l in lines.iter().skip(1).take_while(|l| !l.is_empty()) {
                        let _ = writeln!(s, "    /// {l}");
                    }
                }
            }
            s.push_str("    pub fn new(\n");
            for f in fields.iter().filter(|f| f.required) {
                let _ = writeln!(s, "        {}: impl Into<Expr<{}>>,", f.name, f.ty.rust());
            }
            s.push_str("    ) -> Self {\n        Self {\n");
            for f in &fields {
                if f.required {
                    let _ = writeln!(s, "            {}: {}.into().into_value(),", f.name, f.name);
                } else {
                    let _ = writeln!(s, "            {}: None,", f.name);
                }
            }
            s.push_str("        }\n    }\n");
        } else {
            let _ = writeln!(s, "    /// Creates a `{name}` with no property set.");
            // A property named `Default` has a setter that shadows `Default::default`.
            let default = if field_names.contains("default") {
                "<Self as Default>::default()"
            } else {
                "Self::default()"
            };
            let _ = writeln!(s, "    pub fn new() -> Self {{\n        {default}\n    }}");
        }
        for f in fields.iter().filter(|f| !f.required) {
            s.push('\n');
            if f.doc.trim().is_empty() {
                let _ = writeln!(s, "    /// Sets `{}`.", f.cfn);
            } else {
                doc::emit(&mut s, "    ", &f.doc);
            }
            let _ = writeln!(
                s,
                "    pub fn {}(mut self, value: impl Into<Expr<{}>>) -> Self {{",
                f.name,
                f.ty.rust()
            );
            let _ = writeln!(
                s,
                "        self.{} = Some(value.into().into_value());",
                f.name
            );
            s.push_str("        self\n    }\n");
        }
        s.push('\n');
        if fields.is_empty() {
            let m = self.map_ty;
            let _ = writeln!(
                s,
                "    fn into_map(self) -> {m} {{\n        {m}::new()\n    }}\n}}"
            );
        } else {
            let m = self.map_ty;
            let _ = writeln!(
                s,
                "    fn into_map(self) -> {m} {{\n        let mut map = {m}::new();"
            );
            for f in &fields {
                if f.required {
                    let _ = writeln!(
                        s,
                        "        put(&mut map, {}, Some(self.{}));",
                        lit(&f.cfn),
                        f.name
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "        put(&mut map, {}, self.{});",
                        lit(&f.cfn),
                        f.name
                    );
                }
            }
            s.push_str("        map\n    }\n}\n");
        }
        if !is_resource {
            let _ = writeln!(s, "\nimpl From<{name}> for Expr<{name}> {{");
            let _ = writeln!(s, "    fn from(value: {name}) -> Self {{");
            s.push_str("        Expr::from_value(Value::Map(value.into_map()))\n    }\n}\n");
        }
        self.items[slot] = s;
    }

    fn deref<'j>(&self, mut p: &'j J) -> &'j J
    where
        'a: 'j,
    {
        for _ in 0..8 {
            match p
                .get("$ref")
                .and_then(J::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .and_then(|k| self.defs.get(k))
            {
                Some(d) => p = d,
                None => break,
            }
        }
        p
    }

    /// The type of a read-only attribute, without generating anything new.
    fn peek(&self, p: &J, depth: u32) -> Option<RType> {
        if depth > 8 {
            return None;
        }
        if let Some(k) = p
            .get("$ref")
            .and_then(J::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            if let Some(t) = self.def_types.get(k) {
                return Some(t.clone());
            }
            return self.peek(self.defs.get(k)?, depth + 1);
        }
        match p.get("type").and_then(J::as_str) {
            Some("string") => Some(RType::Str),
            Some("integer") => Some(RType::Int),
            Some("number") => Some(RType::Num),
            Some("boolean") => Some(RType::Bool),
            Some("array") => Some(RType::Vec(Box::new(
                p.get("items")
                    .and_then(|i| self.peek(i, depth + 1))
                    .unwrap_or(RType::Json),
            ))),
            Some("object") => Some(RType::Json),
            _ if p.get("enum").is_some() => Some(RType::Str),
            _ => None,
        }
    }
}

/// A generated resource module.
pub struct Generated {
    /// The resource struct's name.
    pub name: String,
    /// The module's text.
    pub code: String,
    /// `createOnlyProperties` without the `/properties/` prefix, split at `/`, in schema order.
    pub create_only: Vec<Vec<String>>,
    /// What the module needed beyond plain mapping.
    pub stats: Stats,
}

pub fn generate_resource(type_name: &str, schema: &J) -> Result<Generated, String> {
    let empty = JMap::new();
    let defs = schema
        .get("definitions")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let props = schema
        .get("properties")
        .and_then(J::as_object)
        .ok_or_else(|| format!("{type_name}: no properties"))?;
    let resource = type_name.rsplit("::").next().unwrap_or_default();
    let name = camel(resource, "T");
    let ref_name = format!("{name}Ref");
    if name != "Map" && RESERVED_TYPES.contains(&name.as_str()) {
        return Err(format!(
            "{type_name}: the resource is named like a type the generated code uses"
        ));
    }
    let mut g = Gen {
        type_name: type_name.to_owned(),
        defs,
        taken: RESERVED_TYPES.iter().map(|s| s.to_string()).collect(),
        def_names: BTreeMap::new(),
        def_types: BTreeMap::new(),
        in_progress: BTreeSet::new(),
        enums: Vec::new(),
        items: Vec::new(),
        map_ty: if name == "Map" { "PropertyMap" } else { "Map" },
        stats: Stats::default(),
    };
    if g.map_ty != "Map" {
        g.note(Case::NameClash, 1);
    }
    g.taken.insert(name.clone());
    g.taken.insert(ref_name.clone());
    g.reserve_def_names();

    let paths = |key: &str| -> Vec<Vec<String>> {
        schema
            .get(key)
            .and_then(J::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(J::as_str)
                    .filter_map(|p| p.strip_prefix("/properties/"))
                    .map(|p| p.split('/').map(str::to_owned).collect())
                    .collect()
            })
            .unwrap_or_default()
    };
    let read_only_paths = paths("readOnlyProperties");
    let read_only: BTreeSet<String> = read_only_paths
        .iter()
        .filter(|p| p.len() == 1)
        .map(|p| p[0].clone())
        .collect();
    g.make_struct(&name, schema, &read_only, &description(schema), true);

    // The handle.
    let mut h = String::new();
    let _ = writeln!(
        h,
        "/// A handle on a `{type_name}` of a stack: builds `Ref` and `Fn::GetAtt` expressions."
    );
    h.push_str("#[derive(Clone, Debug, PartialEq)]\n");
    let _ = writeln!(h, "pub struct {ref_name}(Target);\n");
    let _ = writeln!(h, "impl From<Target> for {ref_name} {{");
    h.push_str("    fn from(target: Target) -> Self {\n        Self(target)\n    }\n}\n\n");
    let _ = writeln!(h, "impl {ref_name} {{");
    h.push_str("    /// The resource this handle points at.\n    pub fn target(&self) -> &Target {\n        &self.0\n    }\n\n");
    h.push_str("    /// The logical id of the resource.\n    pub fn logical_id(&self) -> &str {\n        &self.0.logical_id\n    }\n\n");
    let primary: Vec<String> = paths("primaryIdentifier")
        .iter()
        .map(|p| format!("`{}`", p.join(".")))
        .collect();
    if primary.is_empty() {
        h.push_str("    /// `Ref` to the resource.\n");
    } else {
        let _ = writeln!(
            h,
            "    /// `Ref` to the resource: its primary identifier ({}).",
            primary.join(", ")
        );
    }
    h.push_str("    pub fn ref_(&self) -> Expr<String> {\n        ref_to(&self.0)\n    }\n");
    let mut methods = BTreeSet::from([
        "target".to_owned(),
        "logical_id".to_owned(),
        "ref_".to_owned(),
    ]);
    let mut seen_attrs = BTreeSet::new();
    for path in &read_only_paths {
        if path.iter().any(|s| s == "*" || s.is_empty()) {
            continue;
        }
        let attr = path.join(".");
        if !seen_attrs.insert(attr.clone()) {
            continue;
        }
        let mut node = props.get(&path[0]);
        for seg in &path[1..] {
            node = node
                .and_then(|n| g.deref(n).get("properties"))
                .and_then(|p| p.get(seg));
        }
        let ty = node.and_then(|n| g.peek(n, 0)).unwrap_or(RType::Str);
        let base = path
            .iter()
            .map(|s| snake(s).trim_end_matches('_').to_owned())
            .collect::<Vec<_>>()
            .join("_");
        let mut base = snake(&base);
        if methods.contains(&base) {
            base.push_str("_attr");
        }
        let method = dedupe(&mut methods, &base);
        let d = node.map(description).unwrap_or_default();
        h.push('\n');
        let _ = writeln!(h, "    /// `Fn::GetAtt` `{attr}`.");
        if !d.trim().is_empty() {
            h.push_str("    ///\n");
            doc::emit(&mut h, "    ", &d);
        }
        let _ = writeln!(
            h,
            "    pub fn {method}(&self) -> Expr<{}> {{\n        get_att(&self.0, {})\n    }}",
            ty.rust(),
            lit(&attr)
        );
    }
    h.push_str("}\n");

    // The ResourceType impl.
    let tagging = tagging(schema, &g);
    let mut create_only_paths: Vec<Vec<String>> = Vec::new();
    for p in paths("createOnlyProperties") {
        if !create_only_paths.contains(&p) {
            create_only_paths.push(p);
        }
    }
    let create_only: Vec<String> = create_only_paths.iter().map(|p| p.join(".")).collect();
    let mut r = String::new();
    let _ = writeln!(r, "impl ResourceType for {name} {{");
    let _ = writeln!(r, "    const TYPE_NAME: &'static str = {};", lit(type_name));
    let _ = writeln!(r, "    const TAGGING: Tagging = Tagging::{tagging};");
    if create_only.is_empty() {
        r.push_str("    const CREATE_ONLY: &'static [&'static str] = &[];\n");
    } else {
        let one_line = format!(
            "    const CREATE_ONLY: &'static [&'static str] = &[{}];",
            create_only
                .iter()
                .map(|c| lit(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if one_line.len() <= 100 {
            r.push_str(&one_line);
            r.push('\n');
        } else {
            r.push_str("    const CREATE_ONLY: &'static [&'static str] = &[\n");
            for c in &create_only {
                let _ = writeln!(r, "        {},", lit(c));
            }
            r.push_str("    ];\n");
        }
    }
    let _ = writeln!(r, "    type Ref = {ref_name};\n");
    let _ = writeln!(
        r,
        "    fn into_properties(self) -> {} {{\n        self.into_map()\n    }}\n}}",
        g.map_ty
    );

    let mut out = header();
    let _ = writeln!(out, "//! `{type_name}` and its property types.\n");
    out.push_str("use crate::__private::*;\n");
    if g.map_ty != "Map" {
        let _ = writeln!(out, "use crate::__private::Map as {};", g.map_ty);
    }
    let mut items = vec![g.items[0].clone(), r, h];
    items.extend(g.items[1..].iter().cloned());
    for i in items {
        out.push('\n');
        out.push_str(&i);
    }
    if out.len() > ENORMOUS_BYTES {
        g.note(Case::Enormous, out.len());
    }
    Ok(Generated {
        name,
        code: out,
        create_only: create_only_paths,
        stats: g.stats,
    })
}

fn tagging(schema: &J, g: &Gen) -> &'static str {
    let taggable = schema
        .get("tagging")
        .and_then(|t| t.get("taggable"))
        .and_then(J::as_bool);
    if taggable == Some(false) {
        return "None";
    }
    let Some(tags) = schema.get("properties").and_then(|p| p.get("Tags")) else {
        return "None";
    };
    let tags = g.deref(tags);
    match tags.get("type").and_then(J::as_str) {
        Some("array") => "List",
        Some("object") => "Map",
        None if tags.get("patternProperties").is_some() => "Map",
        _ => "None",
    }
}
