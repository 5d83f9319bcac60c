//! The task behind one `/api/events` connection: it reads the audit log from the connection's
//! cursor and forwards this process's engine events into a bounded channel that the response
//! body drains. It ends when the client goes (the channel closes), when the server shuts down,
//! or on a store error that retrying cannot fix.

use super::cursor::Cursor;
use axum::response::sse::Event;
use juggernaut_core::AuditEvent;
use juggernaut_engine::events::EngineEvent;
use juggernaut_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// The most events read from the store at once.
pub const PAGE: u32 = 1000;

/// How often the store is read when nothing wakes the pump (events of other processes).
pub const POLL: Duration = Duration::from_secs(1);

/// One connection's pump.
pub struct Pump {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Where the connection is in the audit log.
    pub cursor: Cursor,
    /// The store's work signal: something was written, look now.
    pub signal: Arc<Notify>,
    /// This process's engine events (`None` once the sender is gone).
    pub engine: Option<broadcast::Receiver<EngineEvent>>,
    /// The response body's side.
    pub tx: mpsc::Sender<Event>,
    /// The server's shutdown.
    pub stop: CancellationToken,
}

/// Why a pump stopped reading.
enum Halt {
    /// The client went or the server is shutting down.
    Gone,
    /// A store error that retrying cannot fix.
    Failed,
}

impl Pump {
    /// Runs until the client goes, the server stops, or the store fails for good.
    pub async fn run(mut self) {
        loop {
            // Registered before the read, so that a write during it still wakes the wait.
            let signal = Arc::clone(&self.signal);
            let notified = signal.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.drain().await.is_err() {
                return;
            }
            let engine = &mut self.engine;
            let engine = async move {
                match engine.as_mut() {
                    Some(rx) => Some(rx.recv().await),
                    None => std::future::pending().await,
                }
            };
            let woke = tokio::select! {
                biased;
                () = self.stop.cancelled() => return,
                () = self.tx.closed() => return,
                () = &mut notified => None,
                got = engine => got,
                () = tokio::time::sleep(POLL) => None,
            };
            if let Some(got) = woke
                && self.forward(got).is_err()
            {
                return;
            }
        }
    }

    /// Sends every stored event after the cursor that may go out now, page by page.
    async fn drain(&mut self) -> Result<(), Halt> {
        loop {
            let page = self
                .read(|store, after| async move { store.events_after(after, PAGE).await })
                .await?;
            let full = page.len() >= PAGE as usize;
            let store_now = if self.cursor.needs_clock(&page) {
                Some(
                    self.read(|store, _| async move { store.now().await })
                        .await?,
                )
            } else {
                None
            };
            let read = page.len();
            let ready = self.cursor.ready(page, store_now);
            let held = ready.len() < read;
            for e in ready {
                self.send(stored(&e)).await?;
            }
            if !full || held {
                return Ok(());
            }
        }
    }

    /// One store read: a retryable error is logged and counts as nothing read yet (the next
    /// wake reads again); any other error ends the stream (the client reconnects and resumes).
    async fn read<T: Default, F, Fut>(&self, op: F) -> Result<T, Halt>
    where
        F: FnOnce(Arc<dyn Store>, juggernaut_core::ids::EventId) -> Fut,
        Fut: Future<Output = juggernaut_store::StoreResult<T>>,
    {
        match op(Arc::clone(&self.store), self.cursor.last).await {
            Ok(v) => Ok(v),
            Err(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "event stream: store read failed; retrying");
                Ok(T::default())
            }
            Err(e) => {
                tracing::error!(error = %e, "event stream: store read failed; closing the stream");
                Err(Halt::Failed)
            }
        }
    }

    /// Sends one stored event, waiting while the client is behind (the channel is bounded).
    async fn send(&self, event: Event) -> Result<(), Halt> {
        tokio::select! {
            biased;
            () = self.stop.cancelled() => Err(Halt::Gone),
            sent = self.tx.send(event) => sent.map_err(|_| Halt::Gone),
        }
    }

    /// Forwards engine events (the one received and any others already waiting) without waiting
    /// for the client: when its channel is full they are dropped, and a receiver that fell
    /// behind the broadcast skips what it missed. Stored events are never dropped this way;
    /// they are read again from the store. Err when the client is gone.
    fn forward(
        &mut self,
        first: Result<EngineEvent, broadcast::error::RecvError>,
    ) -> Result<(), Halt> {
        let mut got = first;
        loop {
            match got {
                Ok(e) => match self.tx.try_send(engine(&e)) {
                    Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => {}
                    Err(mpsc::error::TrySendError::Closed(_)) => return Err(Halt::Gone),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::debug!(missed = n, "event stream: engine events skipped");
                }
                Err(broadcast::error::RecvError::Closed) => {
                    self.engine = None;
                    return Ok(());
                }
            }
            let Some(rx) = self.engine.as_mut() else {
                return Ok(());
            };
            got = match rx.try_recv() {
                Ok(e) => Ok(e),
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    Err(broadcast::error::RecvError::Lagged(n))
                }
                Err(broadcast::error::TryRecvError::Closed) => {
                    Err(broadcast::error::RecvError::Closed)
                }
                Err(broadcast::error::TryRecvError::Empty) => return Ok(()),
            };
        }
    }
}

/// A stored event as SSE: `id:` its id, `event:` its kind, `data:` its JSON.
pub fn stored(e: &AuditEvent) -> Event {
    let base = Event::default().id(e.id.to_string()).event(e.kind.as_str());
    match serde_json::to_string(e) {
        Ok(json) => base.data(json),
        // A JSON value always serialises; kept visible rather than dropped if it ever did not.
        Err(err) => base.data(serde_json::json!({ "error": err.to_string() }).to_string()),
    }
}

/// An engine event as SSE: `event: engine`, no id (not resumable), `data:` its JSON.
pub fn engine(e: &EngineEvent) -> Event {
    let base = Event::default().event("engine");
    match serde_json::to_string(e) {
        Ok(json) => base.data(json),
        Err(err) => base.data(serde_json::json!({ "error": err.to_string() }).to_string()),
    }
}
