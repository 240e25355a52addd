//! `sns::Topic`: encrypted with its own customer managed key (which S3 and CloudWatch can be
//! allowed to use: AWS managed keys cannot be shared with them), TLS-only publishing, and
//! publish permissions scoped to one source and this account.

use stackcraft_core::template::{pseudo, Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::sns::{self as l1, TopicRef};

use crate::iam::{add_to_policy_of, empty_document, Grantee, PolicyStatement};
use crate::kms::{Key, ENCRYPT_DECRYPT};

/// A topic handle.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    topic: TopicRef,
    key: Key,
    path: String,
}

impl Topic {
    pub fn new(stack: &mut Stack, id: &str) -> Topic {
        let path = stack.path_of(id);
        let key = stack.scope(id, |s| {
            Key::new(s, "Key", &format!("Encrypts the messages of topic {path}"))
        });
        let topic = stack.add(id, l1::Topic::new().kms_master_key_id(key.arn()));
        let this = Topic { topic, key, path };
        let tls_only = PolicyStatement::deny()
            .sid("DenyInsecureTransport")
            .any_principal()
            .actions(&["sns:Publish"])
            .resource(this.arn())
            .condition("Bool", "aws:SecureTransport", "false");
        this.add_to_resource_policy(stack, tls_only);
        this
    }

    pub fn target(&self) -> &Target {
        self.topic.target()
    }

    /// The topic ARN (`Ref` of a topic is its ARN).
    pub fn arn(&self) -> Expr<String> {
        self.topic.ref_()
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The topic policy, once a statement was added.
    pub fn policy(&self, stack: &Stack) -> Option<Target> {
        stack.child(self.target(), "Policy")
    }

    /// Adds a statement to the topic policy, creating it on first use; returns the policy.
    pub fn add_to_resource_policy(&self, stack: &mut Stack, statement: PolicyStatement) -> Target {
        let create = || l1::TopicPolicy::new(empty_document(), vec![self.arn()]);
        add_to_policy_of(
            stack,
            self.target(),
            "Policy",
            create,
            "PolicyDocument",
            &statement,
        )
    }

    /// Lets an AWS service publish, for the resource `source_arn` of this account only, and
    /// use the topic's key to do so.
    pub fn allow_publish_from(&self, stack: &mut Stack, service: &str, source_arn: Expr<String>) {
        let statement = PolicyStatement::allow()
            .service_principal(service)
            .actions(&["sns:Publish"])
            .resource(self.arn())
            .condition("StringEquals", "aws:SourceAccount", pseudo::account_id())
            .condition("ArnLike", "aws:SourceArn", source_arn.clone());
        self.add_to_resource_policy(stack, statement);
        self.key
            .allow_service(stack, service, ENCRYPT_DECRYPT, Some(source_arn));
    }

    /// Lets a role publish to the topic.
    pub fn grant_publish(&self, stack: &mut Stack, grantee: &impl Grantee) {
        let statement = PolicyStatement::allow()
            .actions(&["sns:Publish"])
            .resource(self.arn());
        grantee.grant_role().add_to_policy(stack, statement);
        self.key.grant_encrypt_decrypt(stack, grantee);
    }

    /// Sends every message to an email address (the recipient confirms the subscription).
    pub fn subscribe_email(&self, stack: &mut Stack, id: &str, address: &str) {
        stack.add(
            id,
            l1::Subscription::new("email", self.arn()).endpoint(address),
        );
    }
}
