//! [`Learnings`] for SQLite.

use crate::store::SqliteStore;
use crate::{learning_capture as capture, learnings as l};
use async_trait::async_trait;
use juggernaut_core::learning::{Learning, LearningEdit, LearningId, NewLearning};
use juggernaut_store::{
    CaptureBatch, LearningFilter, LearningPage, Learnings, RepeatedFailure, StoreResult,
};
use std::time::Duration;

#[async_trait]
impl Learnings for SqliteStore {
    async fn capture_cursor(&self) -> StoreResult<i64> {
        capture::cursor(self).await
    }

    async fn capture_source(
        &self,
        after: i64,
        settle: Duration,
        limit: u32,
    ) -> StoreResult<CaptureBatch> {
        capture::source(self, after, settle, limit).await
    }

    async fn record_learnings(
        &self,
        learnings: Vec<NewLearning>,
        after: i64,
        next: i64,
        actor: &str,
    ) -> StoreResult<u64> {
        capture::record(self, learnings, after, next, actor).await
    }

    async fn learnings(
        &self,
        filter: &LearningFilter,
        page: LearningPage,
    ) -> StoreResult<Vec<Learning>> {
        l::list(self, filter, page).await
    }

    async fn learning(&self, id: LearningId) -> StoreResult<Option<Learning>> {
        l::get(self, id).await
    }

    async fn edit_learning(
        &self,
        id: LearningId,
        edit: &LearningEdit,
        actor: &str,
    ) -> StoreResult<Learning> {
        l::edit(self, id, edit, actor).await
    }

    async fn retire_learning(
        &self,
        id: LearningId,
        retired: bool,
        actor: &str,
    ) -> StoreResult<Learning> {
        l::retire(self, id, retired, actor).await
    }

    async fn learning_candidates(
        &self,
        kind: Option<&str>,
        tags: &[String],
        limit: u32,
    ) -> StoreResult<Vec<Learning>> {
        l::candidates(self, kind, tags, limit).await
    }

    async fn repeated_failures(
        &self,
        min_count: u32,
        limit: u32,
    ) -> StoreResult<Vec<RepeatedFailure>> {
        l::repeated_failures(self, min_count, limit).await
    }
}
