//! parse → emit → parse is a fixed point, in both formats, for hand-written templates that use
//! every section, the short-form tags and the strings YAML would misread.

use stackcraft_template::{parse_template, Map, Output, Resource, Template, Value};

const FIXTURES: &[(&str, &str)] = &[
    ("web-asg.yaml", include_str!("fixtures/web-asg.yaml")),
    (
        "queue-lambda.json",
        include_str!("fixtures/queue-lambda.json"),
    ),
];

#[test]
fn every_fixture_round_trips_through_both_formats() {
    for (name, text) in FIXTURES {
        let parsed = parse_template(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let json = parsed.to_json();
        let yaml = parsed.to_yaml();
        let from_json = Template::from_json(&json).unwrap_or_else(|e| panic!("{name} json: {e}"));
        let from_yaml =
            Template::from_yaml(&yaml).unwrap_or_else(|e| panic!("{name} yaml: {e}\n{yaml}"));
        assert_eq!(from_json, parsed, "{name}: JSON round trip");
        assert_eq!(from_yaml, parsed, "{name}: YAML round trip\n{yaml}");
        assert_eq!(
            from_yaml.to_yaml(),
            yaml,
            "{name}: YAML emission is a fixed point"
        );
        assert_eq!(
            from_json.to_json(),
            json,
            "{name}: JSON emission is a fixed point"
        );
    }
}

#[test]
fn yaml_quotes_what_yaml_would_misread() {
    let t = parse_template(include_str!("fixtures/queue-lambda.json")).unwrap();
    let yaml = t.to_yaml();
    for line in [
        "EMPTY: \"\"",
        "FLAG: \"off\"",
        "ZERO: \"0\"",
        "Timeout: 30.5",
        "AWSTemplateFormatVersion: \"2010-09-09\"",
    ] {
        assert!(yaml.contains(line), "missing {line:?} in\n{yaml}");
    }
    // Multi-line strings become literal blocks.
    assert!(yaml.contains("ZipFile: |-\n"), "{yaml}");
}

#[test]
fn strings_that_yaml_reads_as_floats_are_quoted_and_stay_strings() {
    let words = [
        ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", "+.5", "-.5", ".5", "+10", "1e3",
    ];
    let mut t = Template::default();
    t.resources
        .insert("Q".into(), Resource::new("AWS::SQS::Queue", Map::new()));
    for (i, word) in words.iter().enumerate() {
        t.outputs
            .insert(format!("O{i}"), Output::new(Value::from(*word)));
    }
    let yaml = t.to_yaml();
    let back = parse_template(&yaml).unwrap();
    for (i, word) in words.iter().enumerate() {
        assert!(
            yaml.contains(&format!("Value: \"{word}\"")),
            "{word:?} quoted in\n{yaml}"
        );
        assert_eq!(
            back.outputs[&format!("O{i}")].value,
            Value::from(*word),
            "{word:?} read back as a string"
        );
    }
    // Words that only look alike stay plain.
    let mut t = Template::default();
    t.outputs.insert(
        "Plain".into(),
        Output::new(Value::from(".infinity-and-beyond")),
    );
    assert!(t.to_yaml().contains("Value: .infinity-and-beyond"));
}

#[test]
fn short_forms_are_written_back_short() {
    let t = parse_template(include_str!("fixtures/web-asg.yaml")).unwrap();
    let yaml = t.to_yaml();
    for line in [
        "VpcId: !Ref Vpc",
        "Version: !GetAtt LaunchTemplate.LatestVersionNumber",
        "Value: \"yes\"",
        "Fn::Base64: !Sub |",
        "Comment: \"on: off\"",
        "CidrBlock: \"10.0.0.0/16\"",
    ] {
        assert!(yaml.contains(line), "missing {line:?} in\n{yaml}");
    }
    assert_eq!(t.resources["Group"].depends_on, ["SubnetA", "SubnetB"]);
    assert_eq!(t.conditions.len(), 3);
}

#[test]
fn errors_name_the_offending_key() {
    let cases = [
        ("Resources: {A: {Properties: {}}}", "Resources.A.Type"),
        ("Resources: {A: {Type: X, Bogus: 1}}", "Resources.A.Bogus"),
        (
            "Resources: {A: {Type: X, DeletionPolicy: Keep}}",
            "Resources.A.DeletionPolicy",
        ),
        (
            "Resources: {A: {Type: X}}\nOutputs: {O: {Description: d}}",
            "Outputs.O.Value",
        ),
        ("Resourcez: {}", "Resourcez"),
    ];
    for (text, path) in cases {
        let err = parse_template(text).unwrap_err().to_string();
        assert!(err.starts_with(path), "{text}: {err}");
    }
}
