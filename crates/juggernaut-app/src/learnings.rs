//! Learnings as a person sees them: one page (filtered by kind, outcome, tag; retired ones only
//! when asked), newest first with a cursor for the next page; one learning; an edit of its
//! summary and tags (kept by later captures); retiring it (kept out of prompts) or bringing it
//! back. An unknown id is [`AppError::NotFound`]; a bad edit names the field.

use crate::{App, AppError};
use juggernaut_core::learning::{Learning, LearningEdit, LearningId, Outcome};
use juggernaut_core::{DomainError, TaskKind};
use juggernaut_store::capability::learnings::{check_limit, no_learning};
use juggernaut_store::{LearningFilter, LearningPage, MAX_LEARNINGS, StoreError};
use serde::Serialize;

/// One page of learnings, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearningList {
    /// The learnings.
    pub items: Vec<Learning>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<LearningId>,
}

/// What a list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearningQuery {
    /// Only this task kind.
    pub kind: Option<String>,
    /// Only this outcome (`succeeded`, `failed`, `dead`, `cancelled`).
    pub outcome: Option<String>,
    /// Only those with this tag.
    pub tag: Option<String>,
    /// Retired ones too.
    pub all: bool,
    /// Ids below this one.
    pub before: Option<LearningId>,
    /// Page size (1-1000).
    pub limit: u32,
}

impl App {
    /// One page of learnings.
    pub async fn learnings(&self, q: LearningQuery) -> Result<LearningList, AppError> {
        check_limit(q.limit)?;
        if let Some(k) = &q.kind {
            TaskKind::new(k)?;
        }
        if let Some(t) = &q.tag {
            juggernaut_core::learning::check_tags(std::slice::from_ref(t))?;
        }
        let filter = LearningFilter {
            kind: q.kind,
            outcome: q
                .outcome
                .as_deref()
                .map(str::parse::<Outcome>)
                .transpose()?,
            tag: q.tag,
            include_retired: q.all,
        };
        // One more than asked says whether there is a next page.
        let page = LearningPage {
            before: q.before,
            limit: q.limit.saturating_add(1).min(MAX_LEARNINGS),
        };
        let mut items = self.store.learnings(&filter, page).await?;
        // A full page of the largest size cannot look ahead: it gets a cursor (the next page
        // may be empty).
        let more = items.len() > q.limit as usize
            || (q.limit >= MAX_LEARNINGS && items.len() == q.limit as usize);
        items.truncate(q.limit as usize);
        let next_cursor = if more {
            items.last().map(|l| l.id)
        } else {
            None
        };
        Ok(LearningList { items, next_cursor })
    }

    /// One learning.
    pub async fn learning(&self, id: LearningId) -> Result<Learning, AppError> {
        self.store
            .learning(id)
            .await?
            .ok_or_else(|| AppError::NotFound(no_learning(id).to_string()))
    }

    /// A person's edit of a learning's summary and/or tags, as `actor`.
    pub async fn edit_learning(
        &self,
        id: LearningId,
        edit: LearningEdit,
        actor: &str,
    ) -> Result<Learning, AppError> {
        check_actor(actor)?;
        edit.check()?;
        self.learning(id).await?;
        self.store
            .edit_learning(id, &edit, actor)
            .await
            .map_err(|e| not_found(e, id))
    }

    /// Retires a learning (`retired`: kept out of prompts) or brings it back, as `actor`.
    pub async fn retire_learning(
        &self,
        id: LearningId,
        retired: bool,
        actor: &str,
    ) -> Result<Learning, AppError> {
        check_actor(actor)?;
        self.learning(id).await?;
        self.store
            .retire_learning(id, retired, actor)
            .await
            .map_err(|e| not_found(e, id))
    }
}

fn check_actor(actor: &str) -> Result<(), AppError> {
    if actor.trim().is_empty() {
        return Err(DomainError::InvalidField {
            field: "actor",
            reason: "must name who changed the learning".into(),
        }
        .into());
    }
    Ok(())
}

/// A learning gone between the read and the change is still not found.
fn not_found(e: StoreError, id: LearningId) -> AppError {
    match &e {
        StoreError::Domain(DomainError::InvalidField { field, .. }) if *field == "learning" => {
            AppError::NotFound(no_learning(id).to_string())
        }
        _ => e.into(),
    }
}
