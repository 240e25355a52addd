//! Checks beyond the file's shape: names, regions, accounts, CIDRs, zones, tags, references.

use stackcraft_core::logical_id;

use crate::{Config, ConfigError};

pub(crate) fn config(c: &Config) -> Result<(), ConfigError> {
    name(c, &["project", "name"], &c.project.name)?;
    tags(c, &["project", "tags"], &c.project.tags)?;
    if c.environments.is_empty() {
        return Err(c.error_at(&["project"], "define at least one [environments.<name>]"));
    }
    for (env_name, env) in &c.environments {
        let at = |key: &'static str| ["environments", env_name.as_str(), key];
        name(c, &["environments", env_name], env_name)?;
        if !is_region(&env.region) {
            return Err(c.error_at(
                &at("region"),
                format!(
                    "{:?} is not an AWS region name (like eu-central-1)",
                    env.region
                ),
            ));
        }
        if let Some(account) = &env.account {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(c.error_at(
                    &at("account"),
                    format!("{account:?} is not a 12-digit AWS account id"),
                ));
            }
        }
        let ha = env.ha.unwrap_or(env_name == "prod");
        if let Some(azs) = env.azs {
            if !(1..=6).contains(&azs) {
                return Err(c.error_at(&at("azs"), format!("{azs} availability zones: use 1 to 6")));
            }
            if ha && azs < 2 {
                return Err(c.error_at(
                    &at("azs"),
                    "a highly available (ha) environment needs at least 2 zones",
                ));
            }
        }
        if let Some(cidr) = &env.cidr {
            if let Err(why) = check_cidr(cidr) {
                return Err(c.error_at(
                    &at("cidr"),
                    format!("{cidr:?} is not a usable network range: {why}"),
                ));
            }
        }
        tags(c, &at("tags"), &env.tags)?;
        for stack in env.stacks.keys() {
            if !c.stacks.contains_key(stack) {
                return Err(c.error_at(
                    &["environments", env_name, "stacks", stack],
                    format!(
                        "overrides settings of stack {stack:?}, which [stacks] does not define"
                    ),
                ));
            }
        }
    }
    for (stack_name, stack) in &c.stacks {
        name(c, &["stacks", stack_name], stack_name)?;
        tags(c, &["stacks", stack_name, "tags"], &stack.tags)?;
        for (derived, kept) in &stack.logical_ids {
            for id in [derived, kept] {
                if let Some(why) = logical_id::invalid_reason(id) {
                    return Err(c.error_at(
                        &["stacks", stack_name, "logical_ids", derived],
                        format!("{id:?}: {why}"),
                    ));
                }
            }
        }
        suppressions(c, stack_name, &stack.suppress)?;
        if let Some(env) = stack
            .environments
            .iter()
            .find(|e| !c.environments.contains_key(*e))
        {
            return Err(c.error_at(
                &["stacks", stack_name, "environments"],
                format!("{env:?} is not an environment of this file"),
            ));
        }
    }
    Ok(())
}

/// Every suppression names a rule of `stackcraft check` and says why.
fn suppressions(
    c: &Config,
    stack: &str,
    list: &[crate::SuppressConfig],
) -> Result<(), ConfigError> {
    for (i, s) in list.iter().enumerate() {
        let index = i.to_string();
        let at = |key: &'static str| ["stacks", stack, "suppress", index.as_str(), key];
        if stackcraft_check::find_rule(&s.rule).is_none() {
            return Err(c.error_at(
                &at("rule"),
                format!(
                    "{:?} is no rule of stackcraft check (`stackcraft check --rules` lists them)",
                    s.rule
                ),
            ));
        }
        if s.reason.trim().is_empty() {
            return Err(c.error_at(
                &at("reason"),
                "a suppression needs a reason: say why the finding is acceptable here",
            ));
        }
        if let Some(env) = s
            .environments
            .iter()
            .find(|e| !c.environments.contains_key(*e))
        {
            return Err(c.error_at(
                &at("environments"),
                format!("{env:?} is not an environment of this file"),
            ));
        }
        if s.resource.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err(c.error_at(
                &at("resource"),
                "an empty resource: give a logical id or construct path, or leave the key out",
            ));
        }
    }
    Ok(())
}

/// Project, environment and stack names end up in stack names and SSM paths.
fn name(c: &Config, key: &[&str], value: &str) -> Result<(), ConfigError> {
    let ok = value.len() <= 32
        && value.starts_with(|ch: char| ch.is_ascii_lowercase())
        && value
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    if ok {
        Ok(())
    } else {
        Err(c.error_at(
            key,
            format!(
                "{value:?}: use up to 32 lowercase letters, digits and '-', starting with a letter"
            ),
        ))
    }
}

fn tags(
    c: &Config,
    key: &[&str],
    tags: &indexmap::IndexMap<String, String>,
) -> Result<(), ConfigError> {
    for (k, v) in tags {
        let why = if k.is_empty() || k.len() > 128 {
            "a tag key has 1 to 128 characters"
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            "tag keys starting with aws: are reserved by AWS"
        } else if v.len() > 256 {
            "a tag value has at most 256 characters"
        } else {
            continue;
        };
        let mut at = key.to_vec();
        at.push(k);
        return Err(c.error_at(&at, why));
    }
    Ok(())
}

/// `eu-central-1`, `us-gov-west-1`, `ap-southeast-2`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

/// An IPv4 network address with a prefix a VPC can have (/16 to /28), host bits zero.
pub fn check_cidr(cidr: &str) -> Result<(), String> {
    let block: stackcraft_core::Ipv4Cidr = cidr.parse()?;
    if !(16..=28).contains(&block.prefix) {
        return Err(format!(
            "a VPC range has a prefix from /16 to /28, not /{}",
            block.prefix
        ));
    }
    if !block.is_network() {
        return Err("the address has host bits set (the network address is expected)".into());
    }
    Ok(())
}
