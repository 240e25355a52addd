//! What the blueprint tests share: the shipped configuration, synthesizing one stack of it,
//! and reading the security-group graph of a template.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use stackcraft_blueprints::{builtin, Context};
use stackcraft_config::Config;
use stackcraft_core::assertions::TemplateAssertions;
use stackcraft_core::template::Template;
use stackcraft_core::{Stack, StackSet, SynthesizedStack};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn shipped() -> Config {
    Config::load(&repo_root().join("stackcraft.toml")).unwrap()
}

/// Stack `stack` of `config`, built by `blueprint` in `env` without errors, synthesized.
pub fn synth_stack(config: &Config, blueprint: &str, stack: &str, env: &str) -> Template {
    synthesized(config, blueprint, stack, env).template
}

/// The same, with the stack's assets and sites.
pub fn synthesized(config: &Config, blueprint: &str, stack: &str, env: &str) -> SynthesizedStack {
    let environment = config.environment(env).unwrap();
    let stacks = StackSet::new(&config.project.name, environment.clone());
    let blueprint = builtin()
        .into_iter()
        .find(|b| b.name == blueprint)
        .unwrap_or_else(|| panic!("{blueprint} is built in"));
    let mut built = Stack::new(stack, environment.clone());
    built.set_source_dir(&config.root());
    let ctx = Context {
        config,
        stack,
        env,
        stacks: &stacks,
    };
    (blueprint.build)(&mut built, &ctx).unwrap();
    assert!(built.errors().is_empty(), "{:?}", built.errors());
    let mut set = StackSet::new(&config.project.name, environment);
    set.add_stack(built);
    set.synth().unwrap().stacks.remove(0)
}

pub fn properties(t: &Template, type_name: &str) -> Vec<Json> {
    t.find_resources(type_name)
        .into_iter()
        .map(|(_, r)| r["Properties"].clone())
        .collect()
}

/// The owner of a security group id expression (`{"Fn::GetAtt": ["ApiSecurityGroup", ...]}`
/// → `Api`).
pub fn owner(group_id: &Json) -> String {
    group_id["Fn::GetAtt"][0]
        .as_str()
        .unwrap_or_else(|| panic!("not a group reference: {group_id}"))
        .trim_end_matches("SecurityGroup")
        .to_owned()
}

/// Every ingress edge: (to, from, port), each rule described, one port, one IPv4 source.
pub fn ingress_edges(t: &Template) -> BTreeSet<(String, String, u64)> {
    properties(t, "AWS::EC2::SecurityGroupIngress")
        .iter()
        .map(|rule| {
            assert_eq!(
                rule["FromPort"], rule["ToPort"],
                "one port per rule: {rule}"
            );
            assert!(
                rule["Description"].as_str().is_some_and(|d| d.len() > 10),
                "described: {rule}"
            );
            assert!(rule.get("CidrIpv6").is_none(), "no IPv6 ingress: {rule}");
            let from = match (
                rule.get("CidrIp"),
                rule.get("SourceSecurityGroupId"),
                rule.get("SourcePrefixListId"),
            ) {
                (Some(cidr), None, None) => cidr.as_str().unwrap().to_owned(),
                (None, Some(group), None) => owner(group),
                (None, None, Some(list)) => list.as_str().unwrap().to_owned(),
                _ => panic!("ingress from exactly one source: {rule}"),
            };
            (
                owner(&rule["GroupId"]),
                from,
                rule["FromPort"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Every egress edge to another group: (from, to, port).
pub fn egress_edges(t: &Template) -> BTreeSet<(String, String, u64)> {
    properties(t, "AWS::EC2::SecurityGroupEgress")
        .iter()
        .filter_map(|rule| {
            let to = owner(rule.get("DestinationSecurityGroupId")?);
            Some((
                owner(&rule["GroupId"]),
                to,
                rule["FromPort"].as_u64().unwrap(),
            ))
        })
        .collect()
}

pub fn edge(to: &str, from: &str, port: u64) -> (String, String, u64) {
    (to.to_owned(), from.to_owned(), port)
}
