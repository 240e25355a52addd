//! Naming rules for generated Rust items.
//!
//! CloudFormation names are split into words (`DBInstance` → `DB`, `Instance`; `IPv6Address` →
//! `IPv6`, `Address`; `ARNs` → `ARNs`), then joined as `snake_case` (fields, methods, modules) or
//! `UpperCamelCase` (types, enum variants; acronyms are not kept upper case: `Vpc`, `Aes256`).

use std::collections::BTreeSet;

/// Splits an identifier-ish string into words.
pub fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(|run| merge_letters(camel_words(run)))
        .collect()
}

/// Glues a lone capital letter to a neighbour inside a run: to a previous word of at most two
/// characters (`GiB`, `DDoS`), else to the next word (`VCpu`, `OAuth`, `ETag`, `FSx`).
fn merge_letters(words: Vec<String>) -> Vec<String> {
    let lone = |w: &str| w.len() == 1 && w.starts_with(|c: char| c.is_ascii_alphabetic());
    // Each word with the length of the last camel-case word it was built from.
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut carry = String::new();
    let n = words.len();
    for (i, w) in words.into_iter().enumerate() {
        if lone(&w) && carry.is_empty() {
            if let Some(prev) = out.last_mut().filter(|p| p.1 <= 2) {
                prev.0.push_str(&w);
                prev.1 = 1;
                continue;
            }
            if i + 1 < n {
                carry = w;
                continue;
            }
        }
        let len = w.len();
        out.push((std::mem::take(&mut carry) + &w, len));
    }
    out.into_iter().map(|(w, _)| w).collect()
}

/// Splits a run of letters and digits at case changes.
fn camel_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        let brk = match prev {
            Some(p) if p.is_ascii_alphanumeric() && !cur.is_empty() => {
                if c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()) {
                    true
                } else if c.is_ascii_uppercase()
                    && p.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase())
                {
                    // `HTTPServer` → `HTTP`, `Server`; but `ARNs` and `IPv6` stay one word.
                    let plural =
                        next == Some('s') && !after.is_some_and(|a| a.is_ascii_lowercase());
                    let version = next == Some('v') && after.is_some_and(|a| a.is_ascii_digit());
                    !(plural || version)
                } else {
                    false
                }
            }
            _ => false,
        };
        if brk {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether a name is a Rust keyword (`Self` included: it cannot name a variant or type).
pub fn is_keyword(name: &str) -> bool {
    name == "Self" || KEYWORDS.contains(&name)
}

/// `snake_case`, never a keyword (`type` → `type_`) and never starting with a digit.
pub fn snake(name: &str) -> String {
    let mut s = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() {
        s = "value".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `UpperCamelCase`; `prefix` is put before a leading digit (`0` → `V0`).
pub fn camel(name: &str, prefix: &str) -> String {
    let mut s = String::new();
    for w in words(name) {
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            s.push(f.to_ascii_uppercase());
            s.extend(cs.map(|c| c.to_ascii_lowercase()));
        }
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("{prefix}{s}");
    }
    s
}

/// The singular of a property name, for the item type of an array (`Tags` → `Tag`).
pub fn singular(name: &str) -> String {
    let s = if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes", "uses"]
        .iter()
        .any(|suf| name.ends_with(suf))
    {
        name[..name.len() - 2].to_owned()
    } else if name.ends_with("ss") || name.len() < 3 {
        String::new()
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_owned()
    } else {
        String::new()
    };
    if s.is_empty() {
        format!("{name}Item")
    } else {
        s
    }
}

/// Returns `base`, or `base2`, `base3`, ... — the first not in `taken` — and records it.
pub fn dedupe(taken: &mut BTreeSet<String>, base: &str) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming() {
        assert_eq!(snake("DBInstanceIdentifier"), "db_instance_identifier");
        assert_eq!(snake("CidrIpv6"), "cidr_ipv6");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("IPv6Address"), "ipv6_address");
        assert_eq!(snake("SubnetIds"), "subnet_ids");
        assert_eq!(snake("VPCZoneIdentifier"), "vpc_zone_identifier");
        assert_eq!(snake("NotificationARNs"), "notification_arns");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("S3Bucket"), "s3_bucket");
        assert_eq!(camel("AES256", "V"), "Aes256");
        assert_eq!(camel("aws:kms", "V"), "AwsKms");
        assert_eq!(camel("0", "V"), "V0");
        assert_eq!(camel("VPCGatewayAttachment", "T"), "VpcGatewayAttachment");
        assert_eq!(camel("iso8601UTC", "T"), "Iso8601Utc");
        assert_eq!(snake("MemoryGiBPerVCpu"), "memory_gib_per_vcpu");
        assert_eq!(
            snake("AWSManagedRulesAntiDDoSRuleSet"),
            "aws_managed_rules_anti_ddos_rule_set"
        );
        assert_eq!(snake("OAuthParameters"), "oauth_parameters");
        assert_eq!(snake("ETag"), "etag");
        assert_eq!(snake("FSxConfig"), "fsx_config");
        assert_eq!(camel("SSE-C", "V"), "SseC");
        assert_eq!(camel("A", "V"), "A");
        assert_eq!(singular("Tags"), "Tag");
        assert_eq!(singular("Policies"), "Policy");
        assert_eq!(singular("Addresses"), "Address");
        assert_eq!(singular("Access"), "AccessItem");
    }
}
