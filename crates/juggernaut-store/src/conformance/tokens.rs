//! API tokens: created with their name, role and who made them (never the hash in a record or an
//! event), listed newest first with revoked ones, revoked once (an unknown id or a second
//! revocation refused, naming the token), and authenticated only while active, with
//! `last_used_at` written at most once per touch interval; what the shared check refuses is
//! refused by every backend with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::capability::tokens::{MAX_TOKEN_NAME, NewToken, TokenId};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::{ApiRole, DomainError, EventKind};

/// A token named `name` whose secret hashes to `digit` repeated.
fn token(name: &str, role: ApiRole, digit: char) -> NewToken {
    NewToken {
        name: name.into(),
        role,
        sha256: digit.to_string().repeat(64),
    }
}

/// The token events, oldest first.
async fn token_events(store: &S) -> Vec<juggernaut_core::AuditEvent> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::TokenCreated | EventKind::TokenRevoked))
        .collect()
}

/// The refusal's message, asserting it is a domain refusal of `field`.
fn refused(err: StoreError, field: &str) -> String {
    match err {
        StoreError::Domain(DomainError::InvalidField { field: f, reason }) => {
            assert_eq!(f, field, "{reason}");
            reason
        }
        other => panic!("expected a refusal of `{field}`, got {other:?}"),
    }
}

/// Records come back as created, newest first, revoked ones included; each create and revoke
/// has its event naming the token and who acted, and no event carries the hash.
pub async fn tokens_are_created_listed_and_revoked_with_their_events(store: S) {
    let viewer = store
        .create_token(token("dashboard", ApiRole::Viewer, '1'), "alice")
        .await
        .unwrap();
    assert_eq!(
        (
            viewer.name.as_str(),
            viewer.role,
            viewer.created_by.as_str()
        ),
        ("dashboard", ApiRole::Viewer, "alice")
    );
    assert!(viewer.is_active());
    assert_eq!(
        (viewer.last_used_at, viewer.revoked_by.clone()),
        (None, None)
    );
    let approver = store
        .create_token(token("ci é ✓", ApiRole::Approver, '2'), "bob")
        .await
        .unwrap();
    assert!(approver.id > viewer.id);
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed, vec![approver.clone(), viewer.clone()]);

    let revoked = store.revoke_token(viewer.id, "carol").await.unwrap();
    assert!(!revoked.is_active());
    assert_eq!(revoked.revoked_by.as_deref(), Some("carol"));
    assert!(revoked.revoked_at.unwrap() >= viewer.created_at);
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed.len(), 2, "a revoked token stays listed");
    assert_eq!(listed[1], revoked);

    let again = refused(
        store.revoke_token(viewer.id, "carol").await.unwrap_err(),
        "token",
    );
    assert!(again.contains("already revoked"), "{again}");
    assert!(again.contains("carol"), "{again}");
    let unknown = refused(
        store
            .revoke_token(TokenId(9_999), "carol")
            .await
            .unwrap_err(),
        "token",
    );
    assert!(unknown.contains("no token has id 9999"), "{unknown}");

    let events = token_events(&store).await;
    let seen: Vec<(EventKind, &str, serde_json::Value)> = events
        .iter()
        .map(|e| (e.kind, e.actor.as_str(), e.data["token"].clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (EventKind::TokenCreated, "alice", viewer.id.0.into()),
            (EventKind::TokenCreated, "bob", approver.id.0.into()),
            (EventKind::TokenRevoked, "carol", viewer.id.0.into()),
        ]
    );
    assert_eq!(events[1].data["role"], "approver");
    assert_eq!(events[1].data["name"], "ci é ✓");
    for e in &events {
        let data = e.data.to_string();
        assert!(
            !data.contains(&"1".repeat(64)) && !data.contains(&"2".repeat(64)),
            "an event carries a hash: {data}"
        );
    }
}

/// Only an active token's hash authenticates; its first use sets `last_used_at`, a second use
/// within the touch interval leaves it; a revoked, unknown or malformed hash finds nothing.
pub async fn only_active_tokens_authenticate(store: S) {
    let t = store
        .create_token(token("ops", ApiRole::Operator, 'a'), "alice")
        .await
        .unwrap();
    let hash = "a".repeat(64);
    let first = store.authenticate_token(&hash).await.unwrap().unwrap();
    assert_eq!((first.id, first.role), (t.id, ApiRole::Operator));
    let used = store.tokens().await.unwrap()[0].last_used_at;
    assert!(used.is_some(), "the first use is recorded");
    let second = store.authenticate_token(&hash).await.unwrap().unwrap();
    assert_eq!(second.last_used_at, used);
    assert_eq!(
        store.tokens().await.unwrap()[0].last_used_at,
        used,
        "a second use within a minute writes nothing"
    );
    for other in [
        "b".repeat(64),
        "A".repeat(64),
        "a".repeat(63),
        String::new(),
    ] {
        assert_eq!(store.authenticate_token(&other).await.unwrap(), None);
    }
    store.revoke_token(t.id, "alice").await.unwrap();
    assert_eq!(store.authenticate_token(&hash).await.unwrap(), None);
}

/// A blank, overlong or control-character name, a malformed hash, a blank actor, and a second
/// active token with one name are refused with nothing written; a revoked token's name is free
/// again; a hash already stored is refused.
pub async fn bad_tokens_are_refused(store: S) {
    let cases = [
        (token(" ", ApiRole::Viewer, '1'), "name"),
        (
            token(&"n".repeat(MAX_TOKEN_NAME + 1), ApiRole::Viewer, '1'),
            "name",
        ),
        (token("a\nb", ApiRole::Viewer, '1'), "name"),
        (token("ok", ApiRole::Viewer, 'F'), "sha256"),
        (token("ok", ApiRole::Viewer, 'g'), "sha256"),
        (
            NewToken {
                sha256: "1".repeat(63),
                ..token("ok", ApiRole::Viewer, '1')
            },
            "sha256",
        ),
    ];
    for (bad, field) in cases {
        refused(store.create_token(bad, "alice").await.unwrap_err(), field);
    }
    refused(
        store
            .create_token(token("ok", ApiRole::Viewer, '1'), " ")
            .await
            .unwrap_err(),
        "actor",
    );
    assert!(store.tokens().await.unwrap().is_empty());
    assert!(token_events(&store).await.is_empty());

    let longest = "n".repeat(MAX_TOKEN_NAME);
    store
        .create_token(token(&longest, ApiRole::Viewer, '3'), "alice")
        .await
        .unwrap();
    let first = store
        .create_token(token("ci", ApiRole::Viewer, '1'), "alice")
        .await
        .unwrap();
    let taken = refused(
        store
            .create_token(token("ci", ApiRole::Admin, '2'), "alice")
            .await
            .unwrap_err(),
        "name",
    );
    assert!(taken.contains("already named `ci`"), "{taken}");
    assert!(
        store
            .create_token(token("other", ApiRole::Admin, '1'), "alice")
            .await
            .is_err(),
        "a stored hash is refused"
    );
    store.revoke_token(first.id, "alice").await.unwrap();
    let reused = store
        .create_token(token("ci", ApiRole::Admin, '2'), "alice")
        .await
        .unwrap();
    assert_eq!(reused.role, ApiRole::Admin);
    assert_eq!(store.tokens().await.unwrap().len(), 3);
    assert_eq!(token_events(&store).await.len(), 4);
}
