//! Typed CloudFormation resources (layer L1 of stackcraft), generated from the resource provider
//! schemas that cfn-lint ships (see `cargo xtask codegen`; the pinned version is in the header of
//! every generated file).
//!
//! Every service is a module behind the cargo feature of the same name (`s3`, `lambda`, `ec2`,
//! ..., or `all`). In a module, each resource type has:
//! - a struct named after the resource (`s3::Bucket`), built with `new(required properties)` and
//!   one setter per optional property; every property takes an [`Expr`], so a literal and an
//!   intrinsic function are accepted alike, and a missing required property does not compile;
//! - a handle (`s3::BucketRef`) whose methods build `Ref` and `Fn::GetAtt` expressions;
//! - a `ResourceType` impl (type name, tagging shape, create-only properties, properties map);
//! - its property types and enums in the resource's module (`s3::bucket::VersioningConfiguration`,
//!   `s3::bucket::VersioningConfigurationStatus`); enums have an `Unknown(String)` fallback.
//!
//! Resource types outside these services are written with the untyped
//! `stackcraft_template::Resource`.
//!
//! Naming: CloudFormation names become `UpperCamelCase` types (`AWS::EC2::VPC` → `ec2::Vpc`) and
//! `snake_case` methods (`DBInstanceIdentifier` → `db_instance_identifier`, `Type` → `type_`).
//!
//! [`Expr`]: stackcraft_template::Expr

#[rustfmt::skip]
mod generated;

pub use generated::*;

/// What the generated code uses; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use indexmap::IndexMap;
    pub use stackcraft_template::{
        get_att, ref_to, Expr, Json, Map, ResourceType, Tagging, Target, Value,
    };

    /// Inserts a property that is set.
    pub fn put(map: &mut Map, key: &str, value: Option<Value>) {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    }
}
