//! Escalations as a person sees them: one page of them (open ones, or all), newest first with a
//! cursor for the next page, and the acknowledgement, which names who acknowledged and may say
//! why. An unknown id or one acknowledged before is refused as bad input.

use crate::{App, AppError};
use juggernaut_core::escalation::MAX_NOTE;
use juggernaut_core::{DomainError, Escalation, EscalationId};
use juggernaut_store::EscalationPage;
use juggernaut_store::capability::escalations::{already_acked, no_escalation};
use serde::Serialize;

/// One page of escalations, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationList {
    /// The escalations.
    pub items: Vec<Escalation>,
    /// Pass as the cursor for the next (older) page; `None` on the last page.
    pub next_cursor: Option<EscalationId>,
}

impl App {
    /// One page: open escalations only unless `all`, newest first, ids below `cursor`, at most
    /// `limit` (1-1000).
    pub async fn escalations(
        &self,
        all: bool,
        cursor: Option<EscalationId>,
        limit: u32,
    ) -> Result<EscalationList, AppError> {
        // One more than asked says whether there is a next page.
        let asked = EscalationPage {
            before: cursor,
            limit: limit
                .saturating_add(1)
                .min(juggernaut_store::MAX_ESCALATIONS),
        };
        juggernaut_store::capability::escalations::check_limit(limit)?;
        let mut items = self.store.escalations(!all, asked).await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|e| e.id)
        } else {
            None
        };
        Ok(EscalationList { items, next_cursor })
    }

    /// Acknowledges an open escalation as `actor`, with an optional note.
    pub async fn ack_escalation(
        &self,
        id: EscalationId,
        actor: &str,
        note: &str,
    ) -> Result<Escalation, AppError> {
        if actor.trim().is_empty() {
            return Err(DomainError::InvalidField {
                field: "actor",
                reason: "must name who acknowledged".into(),
            }
            .into());
        }
        if note.len() > MAX_NOTE {
            return Err(DomainError::InvalidField {
                field: "note",
                reason: format!("must be at most {MAX_NOTE} bytes"),
            }
            .into());
        }
        // The escalation itself: the newest at or below `id` (a keyset read of one row).
        let at_or_below = EscalationPage {
            before: Some(EscalationId(id.0.saturating_add(1))),
            limit: 1,
        };
        let found = self.store.escalations(false, at_or_below).await?;
        match found.first() {
            Some(e) if e.id == id && !e.is_open() => {
                return Err(AppError::Conflict(already_acked(e).to_string()));
            }
            Some(e) if e.id == id => {}
            _ => return Err(AppError::NotFound(no_escalation(id).to_string())),
        }
        Ok(self.store.ack(id, actor, note).await?)
    }
}
