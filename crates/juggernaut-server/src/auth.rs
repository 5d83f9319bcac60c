//! Who is calling: `Authorization: Bearer <token>` is hashed and looked up among the active API
//! tokens (through the application layer); the token's role is then checked against what the
//! call needs with `juggernaut_core::token::allows`. No token, an unknown one or a revoked one is
//! a 401; a role without the permission is a 403. Every `/api` handler takes a [`Caller`] and
//! calls [`Caller::require`] before it reads its input or does anything.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use juggernaut_core::token::allows;
use juggernaut_core::{ApiRole, Permission};
use juggernaut_store::TokenRecord;

/// An authenticated caller: the token it presented.
#[derive(Debug, Clone)]
pub struct Caller(pub TokenRecord);

impl Caller {
    /// Refuses (403) a call the token's role does not allow.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        let role = self.0.role;
        if allows(role, permission) {
            return Ok(());
        }
        let holders: Vec<&str> = ApiRole::ALL
            .into_iter()
            .filter(|r| allows(*r, permission))
            .map(ApiRole::as_str)
            .collect();
        Err(ApiError::forbidden(format!(
            "token `{}` has role `{role}`, which may not {permission}; this call needs a token \
             with role {}",
            self.0.name,
            holders.join(" or ")
        )))
    }

    /// The name decisions are recorded under: `token:NAME`.
    pub fn actor(&self) -> String {
        format!("token:{}", self.0.name)
    }
}

/// The token in an `Authorization` header's value: `Bearer <token>` (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "this call needs an API token: send `Authorization: Bearer <token>` \
                 (`juggernaut token create` makes one)",
            ));
        };
        let token = value.to_str().ok().and_then(bearer).ok_or_else(|| {
            ApiError::unauthorized("the Authorization header is not `Bearer <token>`")
        })?;
        match state.app.authenticate(token).await? {
            Some(record) => Ok(Self(record)),
            None => Err(ApiError::unauthorized("the token is unknown or revoked")),
        }
    }
}

/// A permission a route needs, as a type, so that [`Allowed`] checks it while extracting: the
/// role is refused (403) before any input is read.
pub trait Need {
    /// The permission.
    const PERMISSION: Permission;
}

/// Needs [`Permission::Read`].
#[derive(Debug)]
pub struct Read;
impl Need for Read {
    const PERMISSION: Permission = Permission::Read;
}

/// Needs [`Permission::Operate`].
#[derive(Debug)]
pub struct Operate;
impl Need for Operate {
    const PERMISSION: Permission = Permission::Operate;
}

/// Needs [`Permission::Approve`].
#[derive(Debug)]
pub struct Approve;
impl Need for Approve {
    const PERMISSION: Permission = Permission::Approve;
}

/// An authenticated caller whose role allows `N`'s permission.
#[derive(Debug)]
pub struct Allowed<N: Need>(pub Caller, pub std::marker::PhantomData<N>);

impl<N: Need> FromRequestParts<AppState> for Allowed<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(N::PERMISSION)?;
        Ok(Self(caller, std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bearer_header_names_a_token() {
        assert_eq!(bearer("Bearer jgt_x"), Some("jgt_x"));
        assert_eq!(bearer("bearer  jgt_x "), Some("jgt_x"));
        assert_eq!(bearer("Basic dXNlcg=="), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("jgt_x"), None);
    }
}
