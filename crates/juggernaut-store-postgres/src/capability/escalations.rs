//! [`Escalations`] for PostgreSQL.

use crate::store::PostgresStore;
use crate::{escalation_scan as scan, escalations as esc};
use async_trait::async_trait;
use juggernaut_core::{Escalation, EscalationId, NewEscalation};
use juggernaut_store::{
    EscalationPage, Escalations, FailingKind, GoalSpend, OverdueTask, StoreResult,
};
use std::time::Duration;

#[async_trait]
impl Escalations for PostgresStore {
    async fn raise(&self, e: NewEscalation, actor: &str) -> StoreResult<(Escalation, bool)> {
        esc::raise(self, e, actor).await
    }

    async fn escalations(
        &self,
        open_only: bool,
        page: EscalationPage,
    ) -> StoreResult<Vec<Escalation>> {
        esc::list(self, open_only, page).await
    }

    async fn ack(&self, id: EscalationId, actor: &str, note: &str) -> StoreResult<Escalation> {
        esc::ack(self, id, actor, note).await
    }

    async fn mark_notified(&self, ids: &[EscalationId]) -> StoreResult<()> {
        esc::mark_notified(self, ids).await
    }

    async fn unnotified(&self, limit: u32) -> StoreResult<Vec<Escalation>> {
        esc::unnotified(self, limit).await
    }

    async fn escalation_keys_used(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        esc::keys_used(self, keys).await
    }

    async fn overdue_tasks(
        &self,
        stuck_after: Duration,
        approval_after: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OverdueTask>> {
        scan::overdue_tasks(self, stuck_after, approval_after, limit).await
    }

    async fn failing_kinds(
        &self,
        window: Duration,
        at_least: u32,
        limit: u32,
    ) -> StoreResult<Vec<FailingKind>> {
        scan::failing_kinds(self, window, at_least, limit).await
    }

    async fn goals_over_budget(&self, limit: u32) -> StoreResult<Vec<GoalSpend>> {
        scan::goals_over_budget(self, limit).await
    }
}
