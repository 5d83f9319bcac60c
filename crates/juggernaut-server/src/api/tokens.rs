//! `GET /api/tokens/whoami`: the calling token's id, name, role and permissions (any role).

use crate::auth::Caller;
use axum::Json;
use serde_json::{Value, json};

/// Who the caller is.
pub async fn whoami(caller: Caller) -> Json<Value> {
    let t = &caller.0;
    Json(json!({
        "id": t.id,
        "name": t.name,
        "role": t.role,
        "permissions": t.role.permissions(),
        "created_at": t.created_at,
        "created_by": t.created_by,
    }))
}
