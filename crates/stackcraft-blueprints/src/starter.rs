//! Two small stacks that exercise the core: a data stack (a bucket and a table) and an access
//! stack (a role granted to use them, from the other stack). They show the shape of every
//! blueprint: typed settings, constructs with environment-driven defaults, published handles.

use stackcraft_config::ConfigError;
use stackcraft_constructs::dynamodb::{Key, Table, TableReference};
use stackcraft_constructs::iam::Role;
use stackcraft_constructs::s3::{Bucket, BucketReference};
use stackcraft_core::Stack;

use crate::{Blueprint, Context};

stackcraft_config::settings! {
    #[derive(Debug)]
    struct DataSettings {
        /// Attribute holding each item's expiry (epoch seconds), if items expire (default: items
        /// never expire).
        ttl_attribute: Option<String>,
    }
}

/// A bucket for uploads and a table of items, published for other stacks.
pub const DATA: Blueprint = Blueprint {
    name: "starter-data",
    summary: "a private bucket and an on-demand table, published for other stacks",
    stack: "data",
    workloads: &[],
    settings: Blueprint::settings_of::<DataSettings>,
    build: build_data,
};

fn build_data(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let settings: DataSettings = ctx.settings()?;
    stack.describe("Uploads bucket and items table");
    let uploads = Bucket::new(stack, "Uploads");
    let items = Table::new(stack, "Items", Key::string("pk"));
    if let Some(attribute) = &settings.ttl_attribute {
        items.time_to_live(stack, attribute);
    }
    stack.publish("Uploads", uploads.target());
    stack.publish("Items", items.target());
    stack.output("UploadsBucket", uploads.name());
    Ok(())
}

stackcraft_config::settings! {
    #[derive(Debug)]
    struct AccessSettings {
        /// The stack (of blueprint starter-data, defined earlier in the file) whose bucket and
        /// table the role uses.
        data_stack: String = DATA.stack.to_owned(),
        /// The service that assumes the role.
        service: String = "lambda.amazonaws.com".to_owned(),
    }
}

/// A role that reads uploads and reads and writes items of a data stack.
pub const ACCESS: Blueprint = Blueprint {
    name: "starter-access",
    summary: "a role granted read of another stack's bucket and read/write of its table",
    stack: "access",
    workloads: &[],
    settings: Blueprint::settings_of::<AccessSettings>,
    build: build_access,
};

fn build_access(stack: &mut Stack, ctx: &Context) -> Result<(), ConfigError> {
    let settings: AccessSettings = ctx.settings()?;
    if !settings.service.ends_with(".amazonaws.com") {
        return Err(ctx.setting_error("service", "a service principal ends in .amazonaws.com"));
    }
    let uploads = BucketReference::from_target(ctx.published(
        "data_stack",
        &settings.data_stack,
        "Uploads",
    )?);
    let items =
        TableReference::from_target(ctx.published("data_stack", &settings.data_stack, "Items")?);
    stack.describe("A role for the workload that uses the data stack");
    let role = Role::for_service(stack, "Worker", &settings.service);
    uploads.grant_read(stack, &role, "*");
    items.grant_read_write(stack, &role);
    stack.output("WorkerRoleArn", role.arn());
    Ok(())
}
