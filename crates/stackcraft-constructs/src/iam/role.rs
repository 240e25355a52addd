//! `iam::Role`: a role assumed by a service, with a default policy that grants fill.

use stackcraft_core::template::{Expr, Target};
use stackcraft_core::Stack;
use stackcraft_resources::iam::{self as l1, RoleRef};

use super::statement::{add_to_policy_of, document, empty_document, PolicyStatement};

/// Whatever acts with a role: a role itself, a function, a task.
pub trait Grantee {
    fn grant_role(&self) -> &Role;
}

/// A role and its construct path (its default policy is created beside it on first grant).
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    role: RoleRef,
    path: String,
}

impl Role {
    /// A role that `service` (e.g. `lambda.amazonaws.com`) may assume, with no permissions yet.
    pub fn for_service(stack: &mut Stack, id: &str, service: &str) -> Role {
        let trust = PolicyStatement::allow()
            .service_principal(service)
            .actions(&["sts:AssumeRole"]);
        let path = stack.path_of(id);
        let role = stack.add(id, l1::Role::new(document(&[trust])));
        Role { role, path }
    }

    /// A role with the fixed name `name` that roles of `account` whose ARN matches
    /// `principals` (`arn:...:role/<stack>-*`; their own policies must also allow it) may
    /// assume: what a pipeline in another account acts through.
    pub fn for_account(
        stack: &mut Stack,
        id: &str,
        account: Expr<String>,
        principals: Expr<String>,
        name: &str,
    ) -> Role {
        let root = stackcraft_core::template::sub_with(
            "arn:${AWS::Partition}:iam::${Account}:root",
            [("Account", account)],
        );
        let trust = PolicyStatement::allow()
            .aws_principal(root)
            .actions(&["sts:AssumeRole"])
            .condition("ArnLike", "aws:PrincipalArn", principals);
        let path = stack.path_of(id);
        let role = stack.add(id, l1::Role::new(document(&[trust])).role_name(name));
        Role { role, path }
    }

    pub fn target(&self) -> &Target {
        self.role.target()
    }

    pub fn arn(&self) -> Expr<String> {
        self.role.arn()
    }

    /// The role name (`Ref`).
    pub fn name(&self) -> Expr<String> {
        self.role.ref_()
    }

    /// Adds a statement to the role's default policy, creating the policy on first use;
    /// returns the policy (what needs the permission before it starts can depend on it).
    pub fn add_to_policy(&self, stack: &mut Stack, statement: PolicyStatement) -> Target {
        let name = format!("{}DefaultPolicy", self.role.logical_id());
        let create = || l1::Policy::new(empty_document(), name).roles(vec![self.name()]);
        add_to_policy_of(
            stack,
            self.target(),
            "DefaultPolicy",
            create,
            "PolicyDocument",
            &statement,
        )
    }

    /// The default policy, once a statement was added.
    pub fn default_policy(&self, stack: &Stack) -> Option<Target> {
        stack.child(self.target(), "DefaultPolicy")
    }

    /// Lets an instance with this role be reached by Session Manager and patched by Systems
    /// Manager (the SSM agent's permissions): AWS's managed policy, suppressed with its reason.
    pub fn allow_session_manager(&self, stack: &mut Stack) {
        self.add_managed_policy(stack, "AmazonSSMManagedInstanceCore");
        stack.suppress(
            self.target(),
            "SC-IAM-004",
            "AmazonSSMManagedInstanceCore is the SSM agent's own permission set (Session Manager, Run Command, patching), kept current by AWS as the agent changes; it grants nothing on the account's data, and a hand-copied policy would drift from what the agent needs.",
        );
    }

    /// Attaches an AWS managed policy by name (e.g. `service-role/AWSLambdaVPCAccessExecutionRole`).
    pub fn add_managed_policy(&self, stack: &mut Stack, name: &str) {
        let arn = stackcraft_core::template::sub(format!(
            "arn:${{AWS::Partition}}:iam::aws:policy/{name}"
        ));
        let role = stack.resource_mut(self.target());
        let list = role
            .properties
            .entry("ManagedPolicyArns".to_owned())
            .or_insert_with(|| stackcraft_core::template::Value::List(Vec::new()));
        if let stackcraft_core::template::Value::List(items) = list {
            items.push(arn.into_value());
        }
    }
}

impl Grantee for Role {
    fn grant_role(&self) -> &Role {
        self
    }
}
