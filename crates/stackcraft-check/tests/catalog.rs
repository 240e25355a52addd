//! The rule catalog's promises: stable, well-formed ids; one line of title and of fix; every
//! checkov / cfn_nag id leads back to a rule; metadata for each checker.

use std::collections::BTreeSet;

use stackcraft_check::{find_rule, metadata_entries, rules, Severity};

#[test]
fn ids_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for r in rules() {
        assert!(seen.insert(r.id), "{} twice", r.id);
        let parts: Vec<&str> = r.id.split('-').collect();
        assert!(
            parts.len() == 3
                && parts[0] == "SC"
                && parts[1]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && parts[2].len() == 3
                && parts[2].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            r.id
        );
        for text in [r.title, r.fix] {
            assert!(
                !text.is_empty() && !text.contains('\n') && text.len() < 110,
                "{}: {text}",
                r.id
            );
        }
        assert!(
            r.id.starts_with("SC-SUP-") || !r.types.is_empty(),
            "{} inspects nothing",
            r.id
        );
    }
    assert!(rules().len() >= 55, "{}", rules().len());
}

#[test]
fn every_alias_finds_a_rule_that_answers_to_it() {
    for r in rules() {
        for alias in r.checkov.iter().chain(r.cfn_nag) {
            let found = find_rule(alias).unwrap();
            assert!(found.answers_to(alias), "{alias}");
        }
    }
    assert_eq!(find_rule("CKV_AWS_18").unwrap().id, "SC-S3-006");
    assert_eq!(find_rule("sc-s3-006").unwrap().id, "SC-S3-006");
    assert!(find_rule("CKV_AWS_117").is_none());
}

#[test]
fn metadata_is_written_for_every_checker_with_an_id() {
    let checkers = |rule: &str| -> Vec<(&str, String)> {
        metadata_entries(rule, "why")
            .into_iter()
            .map(|(checker, _, entry)| {
                (
                    checker,
                    entry.get("id").unwrap().as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        checkers("SC-S3-006"),
        [
            ("stackcraft", "SC-S3-006".into()),
            ("checkov", "CKV_AWS_18".into()),
            ("cfn_nag", "W35".into())
        ]
    );
    assert_eq!(
        checkers("CKV_AWS_18"),
        [("checkov", "CKV_AWS_18".into()), ("cfn_nag", "W35".into())]
    );
    assert_eq!(
        checkers("W35"),
        [("checkov", "CKV_AWS_18".into()), ("cfn_nag", "W35".into())]
    );
    // An id no rule answers to is kept as it was given.
    assert_eq!(checkers("CKV_AWS_117"), [("checkov", "CKV_AWS_117".into())]);
}

#[test]
fn severities_order_and_parse() {
    assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
    assert_eq!(Severity::parse("severe"), None);
}
