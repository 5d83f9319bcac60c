//! Whether the HTTP listener may bind an address. Loopback always may. Another address may
//! only when an active API token exists (every `/api` call needs one, so the API cannot be used
//! without), or with `--insecure-listen`, which is warned about: /healthz, /readyz and /metrics
//! are public either way, and `/api` still refuses calls without a token.

use crate::db::{self, Access};
use crate::exit::BadInput;
use crate::output;
use juggernaut_store::StoreError;
use std::net::SocketAddr;

/// What the listener's address exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Only this machine can reach it.
    Loopback,
    /// Others can reach it, and an API token exists.
    Guarded,
    /// Others can reach it, allowed by `--insecure-listen`.
    Insecure,
}

/// Decides, or refuses naming the fix. `has_token` is asked only for a non-loopback address
/// without `insecure`.
pub fn decide(addr: SocketAddr, insecure: bool, has_token: bool) -> Result<Exposure, BadInput> {
    if addr.ip().is_loopback() {
        return Ok(Exposure::Loopback);
    }
    if insecure {
        return Ok(Exposure::Insecure);
    }
    if has_token {
        return Ok(Exposure::Guarded);
    }
    Err(BadInput(format!(
        "refusing to listen on {addr}: it is not a loopback address and no API token exists; \
         create one first with `juggernaut token create --name NAME --role admin` (every /api \
         call needs a token), listen on 127.0.0.1, or pass --insecure-listen to expose /healthz, \
         /readyz and /metrics to whoever can reach it"
    )))
}

/// Checks `addr` against the database `url` names (a database that does not exist yet has no
/// token), warning on stderr when `--insecure-listen` is what allows it.
pub async fn check(url: &str, addr: SocketAddr, insecure: bool) -> anyhow::Result<Exposure> {
    let needs_store = !addr.ip().is_loopback() && !insecure;
    let has_token = needs_store && has_active_token(url).await?;
    let exposure = decide(addr, insecure, has_token)?;
    if exposure == Exposure::Insecure {
        eprintln!(
            "warning: listening on {} with --insecure-listen: /healthz, /readyz and /metrics are \
             open to whoever can reach it; every /api call still needs a token",
            output::clean(&addr.to_string())
        );
    }
    Ok(exposure)
}

async fn has_active_token(url: &str) -> anyhow::Result<bool> {
    let store = match db::open(url, Access::Existing).await {
        Ok(store) => store,
        Err(e)
            if matches!(
                e.downcast_ref::<StoreError>(),
                Some(StoreError::Missing { .. })
            ) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let tokens = store.tokens().await;
    store.close().await;
    Ok(tokens?.iter().any(|t| t.is_active()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_or_a_token_or_the_flag_lets_it_listen() {
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(
            decide(addr("127.0.0.1:1"), false, false).unwrap(),
            Exposure::Loopback
        );
        assert_eq!(
            decide(addr("[::1]:1"), false, false).unwrap(),
            Exposure::Loopback
        );
        assert_eq!(
            decide(addr("0.0.0.0:1"), false, true).unwrap(),
            Exposure::Guarded
        );
        assert_eq!(
            decide(addr("0.0.0.0:1"), true, false).unwrap(),
            Exposure::Insecure
        );
        let refused = decide(addr("0.0.0.0:7777"), false, false).unwrap_err().0;
        assert!(
            refused.starts_with("refusing to listen on 0.0.0.0:7777: it is not a loopback address"),
            "{refused}"
        );
        assert!(
            refused.contains("juggernaut token create --name NAME --role admin"),
            "{refused}"
        );
        assert!(refused.contains("--insecure-listen"), "{refused}");
    }
}
