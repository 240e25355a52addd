//! The create-only properties of the CloudFormation resource types (from the registry
//! schemas, through the generated resource types): changing one replaces the resource.

include!(concat!(env!("OUT_DIR"), "/create_only.rs"));

/// The create-only properties of a resource type (`BucketName`, `Foo/Bar` for nested ones);
/// `None` for a type the schemas do not know.
pub fn create_only_properties(resource_type: &str) -> Option<&'static [&'static str]> {
    CREATE_ONLY
        .binary_search_by(|(name, _)| (*name).cmp(resource_type))
        .ok()
        .map(|i| CREATE_ONLY[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_schemas() {
        assert!(CREATE_ONLY.len() >= 300, "{} types", CREATE_ONLY.len());
        assert!(create_only_properties("AWS::S3::Bucket")
            .unwrap()
            .contains(&"BucketName"));
        assert!(create_only_properties("AWS::DynamoDB::Table")
            .unwrap()
            .contains(&"TableName"));
        assert!(create_only_properties("AWS::Nope::Nope").is_none());
    }
}
