//! `GET /api/events` (read): a `text/event-stream` of what happens, for live views.
//!
//! - **Stored events**: every audit event goes out with `id:` its id, `event:` its kind (for
//!   example `task.completed`) and `data:` its JSON, in id order, none skipped or repeated
//!   within a connection. With `Last-Event-ID: N` (the header a browser's `EventSource` sends
//!   when it reconnects) or `?after=N` (the header wins), everything after `N` is replayed from
//!   the store first (pages of up to 1000), then the stream goes on live; without either it
//!   starts after the newest event (no replay). Live, the store is read again whenever this
//!   process writes (the store's work signal) or emits an engine event, and at least every
//!   second, so events written by other processes on the same database arrive too. On
//!   PostgreSQL an event after a gap in the ids waits until the gap is settled (`cursor`).
//! - **Engine events**: this process's typed [`EngineEvent`]s go out as `event: engine` with
//!   their JSON and **no id**: they are not resumable (a reconnect does not replay them, and a
//!   browser keeps its last stored id across them). A client that falls behind skips engine
//!   events, never stored ones (they are read again from the store).
//! - A `: keepalive` comment every 15 s.
//!
//! Memory per connection is bounded (a channel of [`BUFFER`] events; a slow client holds up its
//! own reads of the store, nothing else). The stream ends when the client goes or the server
//! shuts down.
//!
//! [`EngineEvent`]: juggernaut_engine::events::EngineEvent

mod cursor;
mod pump;

use super::dto::ErrorBody;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use cursor::Cursor;
use futures::Stream;
use juggernaut_app::AppError;
use juggernaut_core::Permission;
use juggernaut_core::ids::EventId;
use juggernaut_store::url::Backend;
use juggernaut_store::{AuditCursor, AuditFilter, Store};
use pump::Pump;
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Events a connection may have waiting for its client.
pub const BUFFER: usize = 256;

/// How often a comment keeps an idle connection open.
pub const KEEPALIVE: Duration = Duration::from_secs(15);

/// The stream. `shutdown` is the listener's (set by [`crate::spawn`]); without it the stream
/// ends only when the client goes.
#[utoipa::path(get, path = "/api/events", tag = "events", security(("bearer" = [])),
    description = "Server-sent events (never ends while the client listens). Stored audit \
                   events: `id:` the event id, `event:` its kind, `data:` its JSON; resumable \
                   with `Last-Event-ID` or `?after=`, else from the newest event on. This \
                   process's engine events: `event: engine`, no id, not resumable. A `: \
                   keepalive` comment every 15 s.",
    params(
        ("after" = Option<i64>, Query, description = "Replay the stored events after this id \
            first (0: all); the `Last-Event-ID` header wins"),
        ("Last-Event-ID" = Option<i64>, Header, description = "The last id the client saw \
            (what a reconnecting EventSource sends)"),
    ),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream",
            body = String),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn stream(
    caller: Caller,
    State(s): State<AppState>,
    shutdown: Option<Extension<CancellationToken>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(Permission::Read)?;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let after = start(&headers, &query)?;
    // Subscribed before the start is read, so nothing written meanwhile is missed.
    let engine = s.events.subscribe();
    let signal = s.store.work_signal().await.map_err(AppError::from)?;
    let last = match after {
        Some(id) => id,
        None => newest(s.store.as_ref()).await?,
    };
    let (tx, mut rx) = mpsc::channel(BUFFER);
    let pump = Pump {
        cursor: Cursor {
            last,
            gaps_fill: s.store.backend() == Backend::Postgres,
        },
        store: s.store,
        signal,
        engine: Some(engine),
        tx,
        stop: shutdown.map(|Extension(t)| t).unwrap_or_default(),
    };
    tokio::spawn(pump.run());
    let events = futures::stream::poll_fn(move |cx| rx.poll_recv(cx).map(|e| e.map(Ok)));
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEPALIVE).text("keepalive")))
}

/// Where the stream starts: after the `Last-Event-ID` header's id, else after `?after=`, else
/// `None` (after the newest event). Any other query parameter, or an id that is not a
/// non-negative integer, is bad input.
fn start(
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<Option<EventId>, ApiError> {
    if let Some(unknown) = query.keys().find(|k| k.as_str() != "after") {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter `{unknown}` (known: after)"
        )));
    }
    if let Some(value) = headers.get("last-event-id") {
        let text = value.to_str().map_err(|_| {
            ApiError::bad_request("the Last-Event-ID header is not text: send an event id")
        })?;
        // An empty header means "no id yet" (a browser that saw no event with an id).
        if !text.trim().is_empty() {
            return event_id("Last-Event-ID", text).map(Some);
        }
    }
    query.get("after").map(|t| event_id("after", t)).transpose()
}

/// An event id given as `what`: a non-negative integer (0 replays the whole log).
fn event_id(what: &str, text: &str) -> Result<EventId, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .map(EventId)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid {what} `{text}`: use an event id (a non-negative integer; 0 replays \
                 everything)"
            ))
        })
}

/// The newest event's id (0 when the log is empty).
async fn newest(store: &dyn Store) -> Result<EventId, ApiError> {
    let page = store
        .audit(
            &AuditFilter::default(),
            AuditCursor {
                before: None,
                limit: 1,
            },
        )
        .await
        .map_err(AppError::from)?;
    Ok(page.events.first().map_or(EventId(0), |e| e.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_header_wins_over_the_query() {
        let mut headers = HeaderMap::new();
        headers.insert("last-event-id", HeaderValue::from_static(" 42 "));
        let got = start(&headers, &query(&[("after", "7")])).unwrap();
        assert_eq!(got, Some(EventId(42)));
        assert_eq!(
            start(&HeaderMap::new(), &query(&[("after", "7")])).unwrap(),
            Some(EventId(7))
        );
        assert_eq!(start(&HeaderMap::new(), &query(&[])).unwrap(), None);
        headers.insert("last-event-id", HeaderValue::from_static(""));
        assert_eq!(start(&headers, &query(&[])).unwrap(), None, "empty: no id");
    }

    #[test]
    fn bad_starts_are_bad_input() {
        let mut headers = HeaderMap::new();
        headers.insert("last-event-id", HeaderValue::from_static("x1"));
        let e = start(&headers, &query(&[])).unwrap_err();
        assert_eq!(e.code, "bad_request");
        assert!(e.message.contains("Last-Event-ID"), "{}", e.message);
        let e = start(&HeaderMap::new(), &query(&[("after", "-1")])).unwrap_err();
        assert!(e.message.contains("after"), "{}", e.message);
        let e = start(&HeaderMap::new(), &query(&[("since", "1")])).unwrap_err();
        assert!(e.message.contains("since"), "{}", e.message);
    }
}
