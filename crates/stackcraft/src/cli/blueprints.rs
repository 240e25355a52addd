//! `stackcraft blueprints [NAME]`: the blueprints, and one blueprint's settings with their
//! types, defaults and docs, from the declaration the blueprint parses them with.

use stackcraft_blueprints::Blueprint;
use stackcraft_config::settings::{Setting, SettingDefault};

use crate::app::App;
use crate::error::Error;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// A blueprint whose settings to list (default: list the blueprints).
    name: Option<String>,
}

pub(crate) fn run(app: &App, args: Args) -> Result<(), Error> {
    let Some(name) = args.name else {
        for b in app.blueprints() {
            println!("{:<20} {}", b.name, b.summary);
        }
        return Ok(());
    };
    let blueprint = find(app, &name)?;
    println!("{}: {}\n", blueprint.name, blueprint.summary);
    let settings = (blueprint.settings)();
    if settings.is_empty() {
        println!("No settings.");
        return Ok(());
    }
    println!(
        "Settings, under [stacks.<stack>.settings] in stackcraft.toml; \
         [environments.<env>.stacks.<stack>] sets those that differ in one environment:\n"
    );
    let mut rows = Vec::new();
    flatten("", &settings, &mut rows);
    let width = rows.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    let type_width = rows
        .iter()
        .map(|(_, s)| s.type_name.len())
        .max()
        .unwrap_or(0);
    for (key, setting) in rows {
        println!(
            "  {key:<width$}  {:<type_width$}  {}",
            setting.type_name,
            default_text(&setting.default)
        );
        for line in wrap(&setting.doc, 88) {
            println!("      {line}");
        }
    }
    Ok(())
}

/// A blueprint the app knows, or an error listing them.
pub(crate) fn find(app: &App, name: &str) -> Result<Blueprint, Error> {
    app.blueprints()
        .iter()
        .find(|b| b.name == name)
        .copied()
        .ok_or_else(|| {
            let known: Vec<_> = app.blueprints().iter().map(|b| b.name).collect();
            Error::Usage(format!(
                "unknown blueprint {name:?} (available: {})",
                known.join(", ")
            ))
        })
}

/// Every setting with its full key (`api.cpu`, `apps[].name`, `clusters.<name>.min`), each
/// table before its keys.
fn flatten<'a>(prefix: &str, settings: &'a [Setting], rows: &mut Vec<(String, &'a Setting)>) {
    for s in settings {
        let key = format!("{prefix}{}", s.key);
        rows.push((key.clone(), s));
        flatten(&format!("{key}{}.", s.nesting), &s.fields, rows);
    }
}

fn default_text(default: &SettingDefault) -> String {
    match default {
        SettingDefault::Required => "required".to_owned(),
        SettingDefault::Unset => "not set".to_owned(),
        SettingDefault::Value(v) => format!("default {v}"),
    }
}

/// Words in lines of at most `width` characters (a longer word gets its own line).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
