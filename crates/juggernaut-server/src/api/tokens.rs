//! `GET /api/tokens/whoami`: the calling token's id, name, role and permissions (any role).

use super::dto::{ErrorBody, WhoAmI};
use crate::auth::Caller;
use axum::Json;

/// Who the caller is.
#[utoipa::path(get, path = "/api/tokens/whoami", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = WhoAmI), (status = 401, body = ErrorBody)))]
pub async fn whoami(caller: Caller) -> Json<WhoAmI> {
    Json(WhoAmI::from(&caller.0))
}
