//! Every intrinsic function serializes to CloudFormation's long form, reads back from JSON and
//! from YAML short form to the same value.

use serde_json::json;
use stackcraft_template::*;

fn check(expr: Value, expected: serde_json::Value, short_yaml: &str) {
    assert_eq!(expr.to_json(), expected, "JSON form");
    let from_json = Value::from(expected.clone());
    assert_eq!(from_json, expr, "parsed from JSON");
    let from_yaml = parse_yaml_value(short_yaml).unwrap();
    assert_eq!(from_yaml, expr, "parsed from YAML {short_yaml:?}");
    let emitted = value_to_yaml(&expr);
    assert_eq!(
        parse_yaml_value(&emitted).unwrap(),
        expr,
        "emitted YAML:\n{emitted}"
    );
}

#[test]
fn ref_and_get_att() {
    check(
        ref_::<String>("Bucket").into(),
        json!({"Ref": "Bucket"}),
        "!Ref Bucket",
    );
    check(
        get_att::<String>(&Target::local("Db"), "Endpoint.Address").into(),
        json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        "!GetAtt Db.Endpoint.Address",
    );
    check(
        Intrinsic::GetAtt(Target::local("Db"), ref_::<String>("AttrName").into()).into(),
        json!({"Fn::GetAtt": ["Db", {"Ref": "AttrName"}]}),
        "!GetAtt [Db, !Ref AttrName]",
    );
}

#[test]
fn sub_both_forms() {
    check(
        sub("arn:${AWS::Partition}:s3:::${B}").into(),
        json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}"}),
        "!Sub 'arn:${AWS::Partition}:s3:::${B}'",
    );
    check(
        sub_with("${Name}-x", [("Name", ref_::<String>("P"))]).into(),
        json!({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "P"}}]}),
        "!Sub ['${Name}-x', {Name: !Ref P}]",
    );
}

#[test]
fn list_functions() {
    check(
        join(",", vec!["a", "b"]).into(),
        json!({"Fn::Join": [",", ["a", "b"]]}),
        "!Join [',', [a, b]]",
    );
    check(
        select(1, get_azs("")).into(),
        json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}),
        "!Select [1, !GetAZs '']",
    );
    check(
        split(",", ref_::<String>("L")).into(),
        json!({"Fn::Split": [",", {"Ref": "L"}]}),
        "!Split [',', !Ref L]",
    );
    check(
        cidr("10.0.0.0/16", 6, 8).into(),
        json!({"Fn::Cidr": ["10.0.0.0/16", 6, 8]}),
        "!Cidr ['10.0.0.0/16', 6, 8]",
    );
    check(
        length(ref_::<Vec<String>>("L")).into(),
        json!({"Fn::Length": {"Ref": "L"}}),
        "!Length {Ref: L}",
    );
}

#[test]
fn value_functions() {
    check(
        import_value::<String>("shared-vpc").into(),
        json!({"Fn::ImportValue": "shared-vpc"}),
        "!ImportValue shared-vpc",
    );
    check(
        base64(sub("#!/bin/bash\necho ${AWS::Region}\n")).into(),
        json!({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::Region}\n"}}),
        "Fn::Base64: !Sub |\n  #!/bin/bash\n  echo ${AWS::Region}\n",
    );
    check(
        find_in_map::<String>("RegionMap", pseudo::region(), "Ami").into(),
        json!({"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "Ami"]}),
        "!FindInMap [RegionMap, !Ref 'AWS::Region', Ami]",
    );
    check(
        to_json_string(json!({"a": [1, 2]})).into(),
        json!({"Fn::ToJsonString": {"a": [1, 2]}}),
        "!ToJsonString {a: [1, 2]}",
    );
    check(
        if_::<String>("IsProd", "big", pseudo::no_value()).into(),
        json!({"Fn::If": ["IsProd", "big", {"Ref": "AWS::NoValue"}]}),
        "!If [IsProd, big, !Ref 'AWS::NoValue']",
    );
}

#[test]
fn condition_functions() {
    let is_prod = Condition::equals(ref_::<String>("Env"), "prod");
    check(
        is_prod.0.clone(),
        json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        "!Equals [!Ref Env, prod]",
    );
    let both = Condition::and([is_prod, Condition::negate(Condition::named("Other"))]);
    check(
        both.0.clone(),
        json!({"Fn::And": [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}, {"Fn::Not": [{"Condition": "Other"}]}]}),
        "!And [!Equals [!Ref Env, prod], !Not [!Condition Other]]",
    );
    check(
        Condition::or([Condition::named("A"), Condition::named("B")]).0,
        json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        "!Or [!Condition A, !Condition B]",
    );
}

#[test]
fn pseudo_parameters_are_refs() {
    let all = [
        pseudo::account_id(),
        pseudo::notification_arns().cast(),
        pseudo::no_value(),
        pseudo::partition(),
        pseudo::region(),
        pseudo::stack_id(),
        pseudo::stack_name(),
        pseudo::url_suffix(),
    ];
    let names: Vec<_> = all
        .iter()
        .map(|e| e.value().to_json()["Ref"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, pseudo::NAMES);
}

#[test]
fn malformed_calls_stay_maps_in_json_and_fail_in_yaml() {
    // A map whose single key looks like a function but whose argument does not fit is data.
    let v = Value::from(json!({"Fn::Join": "not-a-list"}));
    assert!(matches!(v, Value::Map(_)));
    // An IAM condition block is a map, not the Condition function.
    let v = Value::from(json!({"Condition": {"Bool": {"aws:SecureTransport": "false"}}}));
    assert!(matches!(v, Value::Map(_)));
    let err = parse_yaml_value("!Join nope").unwrap_err().to_string();
    assert!(err.contains("malformed !Join"), "{err}");
    let err = parse_yaml_value("!Bogus x").unwrap_err().to_string();
    assert!(err.contains("unknown tag !Bogus"), "{err}");
}
