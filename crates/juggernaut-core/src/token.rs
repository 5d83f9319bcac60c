//! API tokens' roles and what each may do: a closed set of roles (`admin`, `operator`,
//! `approver`, `viewer`) and a closed set of permissions, with [`allows`] the one rule every
//! interface asks. A viewer reads; an approver reads and decides approvals; an operator reads and
//! operates (retry, cancel, requeue, enqueue, goals) but never approves; an admin does everything,
//! including managing tokens.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role an API token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiRole {
    /// Everything, tokens included.
    Admin,
    /// Reads and operates the queue and goals; cannot approve.
    Operator,
    /// Reads and approves or rejects.
    Approver,
    /// Reads only.
    Viewer,
}

impl ApiRole {
    /// Every role, most powerful first.
    pub const ALL: [ApiRole; 4] = [Self::Admin, Self::Operator, Self::Approver, Self::Viewer];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Approver => "approver",
            Self::Viewer => "viewer",
        }
    }

    /// The permissions this role holds, in [`Permission::ALL`] order.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| allows(self, *p))
            .collect()
    }
}

impl fmt::Display for ApiRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (known: admin, operator, approver, viewer)")]
pub struct UnknownRole(pub String);

impl FromStr for ApiRole {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// What a call asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read tasks, approvals, goals, status.
    Read,
    /// Change the work: retry, cancel, requeue, enqueue, goals.
    Operate,
    /// Approve or reject a task waiting for a person.
    Approve,
    /// Manage API tokens.
    Admin,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 4] = [Self::Read, Self::Operate, Self::Approve, Self::Admin];

    /// The name used in messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Operate => "operate",
            Self::Approve => "approve",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `role` may do `permission`. Exhaustive on purpose: a new role or permission must
/// decide here.
pub fn allows(role: ApiRole, permission: Permission) -> bool {
    use ApiRole as R;
    use Permission as P;
    match (role, permission) {
        (R::Admin, _) => true,
        (R::Operator, P::Read | P::Operate) => true,
        (R::Operator, P::Approve | P::Admin) => false,
        (R::Approver, P::Read | P::Approve) => true,
        (R::Approver, P::Operate | P::Admin) => false,
        (R::Viewer, P::Read) => true,
        (R::Viewer, P::Operate | P::Approve | P::Admin) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_exactly_its_permissions() {
        use Permission as P;
        let of = |r: ApiRole| r.permissions();
        assert_eq!(of(ApiRole::Viewer), vec![P::Read]);
        assert_eq!(of(ApiRole::Approver), vec![P::Read, P::Approve]);
        assert_eq!(of(ApiRole::Operator), vec![P::Read, P::Operate]);
        assert_eq!(of(ApiRole::Admin), P::ALL.to_vec());
        assert!(
            !allows(ApiRole::Operator, P::Approve),
            "operators never approve"
        );
    }

    #[test]
    fn names_round_trip_and_strangers_are_named() {
        for r in ApiRole::ALL {
            assert_eq!(r.as_str().parse::<ApiRole>(), Ok(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        let err = "root".parse::<ApiRole>().unwrap_err().to_string();
        assert!(err.contains("unknown role `root`"), "{err}");
        assert!(err.contains("viewer"), "{err}");
    }
}
