//! AWS-managed prefix lists that security groups can name instead of address ranges.
//!
//! CloudFormation cannot look a managed prefix list up by name, and its id differs per region,
//! so the ids of `com.amazonaws.global.cloudfront.origin-facing` (CloudFront's servers that
//! fetch from origins) are kept here: AWS publishes them and has not changed one since the list
//! was introduced in 2022. A region missing from the table is an error at synth that asks for
//! the id (`aws ec2 describe-managed-prefix-lists --filters
//! Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`).

/// The name of CloudFront's origin-facing prefix list.
pub const CLOUDFRONT_ORIGIN_FACING: &str = "com.amazonaws.global.cloudfront.origin-facing";

/// How many rules one reference to the CloudFront list counts for against a security group's
/// quota of 60 inbound rules (its maximum number of entries): one port per group, at most.
pub const CLOUDFRONT_ORIGIN_FACING_WEIGHT: u32 = 55;

/// The id of [`CLOUDFRONT_ORIGIN_FACING`] per region, sorted by region.
pub const CLOUDFRONT_ORIGIN_FACING_IDS: &[(&str, &str)] = &[
    ("ap-northeast-1", "pl-58a04531"),
    ("ap-northeast-2", "pl-22a6434b"),
    ("ap-south-1", "pl-9aa247f3"),
    ("ap-southeast-1", "pl-31a34658"),
    ("ap-southeast-2", "pl-b8a742d1"),
    ("ca-central-1", "pl-38a64351"),
    ("eu-central-1", "pl-a3a144ca"),
    ("eu-north-1", "pl-fab65393"),
    ("eu-west-1", "pl-4fa04526"),
    ("eu-west-2", "pl-93a247fa"),
    ("eu-west-3", "pl-75b1541c"),
    ("sa-east-1", "pl-5da64334"),
    ("us-east-1", "pl-3b927c52"),
    ("us-east-2", "pl-b6a144df"),
    ("us-west-1", "pl-4ea04527"),
    ("us-west-2", "pl-82a045eb"),
];

/// The id of CloudFront's origin-facing prefix list in `region`, if the table has it.
pub fn cloudfront_origin_facing(region: &str) -> Option<&'static str> {
    CLOUDFRONT_ORIGIN_FACING_IDS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, id)| *id)
}
