//! [`Reports`] for SQLite.

use crate::reports;
use crate::store::SqliteStore;
use async_trait::async_trait;
use juggernaut_store::{
    NewReport, ReportId, ReportInfo, ReportPage, Reports, StoreResult, StoredReport,
};

#[async_trait]
impl Reports for SqliteStore {
    async fn save_report(&self, report: NewReport, actor: &str) -> StoreResult<ReportInfo> {
        reports::save(self, report, actor).await
    }

    async fn reports(&self, page: ReportPage) -> StoreResult<Vec<ReportInfo>> {
        reports::list(self, page).await
    }

    async fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>> {
        reports::get(self, id).await
    }
}
