//! `kms::Key`: a customer managed key with yearly rotation, administered by the account, used
//! by the services and roles granted on it.

use stackcraft_core::template::{pseudo, sub, Expr, Target, Value};
use stackcraft_core::Stack;
use stackcraft_resources::kms::{self as l1, KeyRef};

use crate::iam::{add_to_document, document, Grantee, PolicyStatement};

/// A key handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    key: KeyRef,
}

/// Actions that let a service or role encrypt and decrypt data under the key.
pub const ENCRYPT_DECRYPT: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey*"];

impl Key {
    /// A symmetric encryption key. The key policy lets the account's IAM policies govern use
    /// (the standard root statement); services are added with [`Key::allow_service`].
    pub fn new(stack: &mut Stack, id: &str, description: &str) -> Key {
        let admin = PolicyStatement::allow()
            .sid("AccountAdministers")
            .aws_principal(sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"))
            .actions(&["kms:*"])
            .resource("*");
        let pending_days = if stack.env().is_protected() { 30 } else { 7 };
        let key = l1::Key::new()
            .description(description)
            .enable_key_rotation(true)
            .pending_window_in_days(pending_days)
            .key_policy(document(&[admin]));
        let key = stack.add(id, key);
        let policy = stack.env().removal_policy();
        stack.set_removal_policy(key.target(), policy);
        Key { key }
    }

    pub fn target(&self) -> &Target {
        self.key.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.key.arn()
    }

    /// Lets an AWS service (`s3.amazonaws.com`) use the key for `actions`, only on behalf of
    /// this account and, if given, only for the resource `source_arn`.
    pub fn allow_service(
        &self,
        stack: &mut Stack,
        service: &str,
        actions: &[&str],
        source_arn: Option<Expr<String>>,
    ) {
        let mut statement = PolicyStatement::allow()
            .service_principal(service)
            .actions(actions)
            .resource("*")
            .condition("StringEquals", "aws:SourceAccount", pseudo::account_id());
        if let Some(arn) = source_arn {
            statement = statement.condition("ArnLike", "aws:SourceArn", arn);
        }
        let doc: &mut Value = stack
            .resource_mut(self.target())
            .properties
            .get_mut("KeyPolicy")
            .expect("a key has a policy");
        add_to_document(doc, &statement);
    }

    /// Adds `statement` to the key policy (e.g. roles of another account that decrypt what
    /// this account encrypted; their own policies must allow it too).
    pub fn add_to_key_policy(&self, stack: &mut Stack, statement: &PolicyStatement) {
        let doc: &mut Value = stack
            .resource_mut(self.target())
            .properties
            .get_mut("KeyPolicy")
            .expect("a key has a policy");
        add_to_document(doc, statement);
    }

    /// Lets a role encrypt and decrypt with the key.
    pub fn grant_encrypt_decrypt(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(ENCRYPT_DECRYPT)
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
    }
}
