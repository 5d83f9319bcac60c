//! Lessons: the narrow, read-only handle through which a handler reads learnings: for its
//! prompt, the few most relevant to what it is about to do (never retired ones; the store gives
//! bounded candidates, the kind's and the tags' first, and [`juggernaut_core::learning::rank`]
//! orders them); for the error scan, the failures seen repeatedly; and one by id.

use async_trait::async_trait;
use juggernaut_core::learning::{Learning, LearningId, Query, prompt_section, rank};
use juggernaut_store::{Learnings, RepeatedFailure, StoreResult};
use std::sync::Arc;

/// How many lessons a prompt gets unless its caller says otherwise.
pub const PROMPT_LESSONS: usize = 5;
/// Most candidates read from the store for one ranking.
const CANDIDATES: u32 = 200;
/// Most query tags passed to the store.
const QUERY_TAGS: usize = 20;

/// Reads learnings.
#[async_trait]
pub trait LearningReads: Send + Sync {
    /// Failure learnings seen at least `min_count` times, not retired, most seen first, at
    /// most `limit` (1-1000).
    async fn repeated_failures(
        &self,
        min_count: u32,
        limit: u32,
    ) -> StoreResult<Vec<RepeatedFailure>>;

    /// One learning.
    async fn learning(&self, id: LearningId) -> StoreResult<Option<Learning>>;

    /// The newest learnings that are not retired, at most `limit` (1-1000).
    async fn recent(&self, limit: u32) -> StoreResult<Vec<Learning>>;

    /// The `n` learnings most relevant to `query`, best first.
    async fn lessons(&self, query: &Query, n: usize) -> StoreResult<Vec<Learning>>;

    /// The prompt section of the [`PROMPT_LESSONS`] most relevant to `query`, or `None` when
    /// there are none. A store error is logged and leaves the section out: a prompt is still
    /// worth sending without lessons.
    async fn section(&self, query: &Query) -> Option<String> {
        match self.lessons(query, PROMPT_LESSONS).await {
            Ok(found) => prompt_section(&found),
            Err(e) => {
                tracing::warn!(error = %e, "learnings unavailable; prompt sent without lessons");
                None
            }
        }
    }
}

/// [`LearningReads`] over a store's learnings.
pub struct StoreLearnings<S: ?Sized>(pub Arc<S>);

#[async_trait]
impl<S: Learnings + ?Sized> LearningReads for StoreLearnings<S> {
    async fn repeated_failures(
        &self,
        min_count: u32,
        limit: u32,
    ) -> StoreResult<Vec<RepeatedFailure>> {
        self.0.repeated_failures(min_count, limit).await
    }

    async fn learning(&self, id: LearningId) -> StoreResult<Option<Learning>> {
        self.0.learning(id).await
    }

    async fn recent(&self, limit: u32) -> StoreResult<Vec<Learning>> {
        let page = juggernaut_store::LearningPage {
            before: None,
            limit,
        };
        let filter = juggernaut_store::LearningFilter::default();
        self.0.learnings(&filter, page).await
    }

    async fn lessons(&self, query: &Query, n: usize) -> StoreResult<Vec<Learning>> {
        let mut tags: Vec<String> = query
            .tags
            .iter()
            .filter(|t| juggernaut_core::learning::check_tags(std::slice::from_ref(*t)).is_ok())
            .take(QUERY_TAGS)
            .cloned()
            .collect();
        tags.dedup();
        let found = self
            .0
            .learning_candidates(query.kind.as_deref(), &tags, CANDIDATES)
            .await?;
        Ok(rank(found, query, n))
    }
}
