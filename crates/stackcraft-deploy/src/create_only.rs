//! The create-only properties of the CloudFormation resource types: changing one replaces the
//! resource. The table is written by `cargo xtask codegen` from the pinned registry schemas
//! (the same ones the typed resources come from), so this crate needs neither the typed
//! resources nor a build script.

include!("generated/create_only.rs");

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
    fn knows_every_type_of_the_schemas() {
        assert!(CREATE_ONLY.len() >= 1800, "{} types", CREATE_ONLY.len());
        assert!(
            CREATE_ONLY.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted and unique, for the binary search"
        );
        assert!(create_only_properties("AWS::S3::Bucket")
            .unwrap()
            .contains(&"BucketName"));
        assert!(create_only_properties("AWS::DynamoDB::Table")
            .unwrap()
            .contains(&"TableName"));
        // A service outside the ones the constructs use.
        assert!(create_only_properties("AWS::Rekognition::Collection")
            .unwrap()
            .contains(&"CollectionId"));
        // Nested paths are written with `/`, as `diff` matches them against a top-level key.
        assert!(create_only_properties("AWS::Bedrock::DataSource")
            .unwrap()
            .contains(&"VectorIngestionConfiguration/ChunkingConfiguration"));
        assert!(create_only_properties("AWS::Nope::Nope").is_none());
    }
}
