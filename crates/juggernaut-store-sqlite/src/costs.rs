//! The cost ledger: reservations checked against every budget that applies, settlements, and
//! the sums and lines read back. A reservation's check and insert are one `BEGIN IMMEDIATE`
//! transaction on the one writer connection, so reservations are serialised: two callers cannot
//! both take a budget's last dollar. Days are UTC days, stored as `YYYY-MM-DD`.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::goals;
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use chrono::NaiveDate;
use juggernaut_core::{DomainError, EventKind, GoalId, TaskId};
use juggernaut_store::audit::{CostReserved, CostSettled, Payload};
use juggernaut_store::capability::costs::{CostState, category_name, check_room, parse_category};
use juggernaut_store::{
    BudgetScope, CostFilter, CostId, CostRecord, Limits, Reservation, Spend, StoreError, Usage,
};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, Row, SqliteConnection, SqliteExecutor};

/// Columns selected for a line, in the order [`row`] reads them.
const COLUMNS: &str = "id, goal_id, task_id, category, item, purpose, state, reserved_usd, \
     amount_usd, tokens_in, tokens_out, day, created_at, settled_at";

/// What a line counts against budgets: its cost once settled, its reservation until then.
const COUNTED: &str = "CASE WHEN state = 'settled' THEN amount_usd ELSE reserved_usd END";

/// How a day is stored.
const DAY: &str = "%Y-%m-%d";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "cost_ledger",
        reason: e.to_string(),
    }
}

fn bad(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

fn count(r: &SqliteRow, col: &str) -> Result<u64, StoreError> {
    let n: i64 = r.try_get(col).map_err(corrupt)?;
    u64::try_from(n).map_err(corrupt)
}

/// A ledger row.
fn row(r: &SqliteRow) -> Result<CostRecord, StoreError> {
    let category: String = r.try_get("category").map_err(corrupt)?;
    let state: String = r.try_get("state").map_err(corrupt)?;
    let day: String = r.try_get("day").map_err(corrupt)?;
    Ok(CostRecord {
        id: CostId(r.try_get("id").map_err(corrupt)?),
        goal_id: r
            .try_get::<Option<i64>, _>("goal_id")
            .map_err(corrupt)?
            .map(GoalId),
        task_id: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        category: parse_category(&category)
            .ok_or_else(|| corrupt(format!("unknown category `{category}`")))?,
        item: r.try_get("item").map_err(corrupt)?,
        purpose: r.try_get("purpose").map_err(corrupt)?,
        state: CostState::parse(&state)
            .ok_or_else(|| corrupt(format!("unknown state `{state}`")))?,
        reserved_usd: r.try_get("reserved_usd").map_err(corrupt)?,
        amount_usd: r.try_get("amount_usd").map_err(corrupt)?,
        tokens_in: count(r, "tokens_in")?,
        tokens_out: count(r, "tokens_out")?,
        day: NaiveDate::parse_from_str(&day, DAY).map_err(corrupt)?,
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
        settled_at: r
            .try_get::<Option<i64>, _>("settled_at")
            .map_err(corrupt)?
            .map(from_us),
    })
}

/// One line by id.
async fn get<'e>(
    ex: impl SqliteExecutor<'e>,
    id: CostId,
) -> Result<Option<CostRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM cost_ledger WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("costs"))?;
    found.as_ref().map(row).transpose()
}

/// What is spent or reserved against `scope` on `day`.
async fn spent(
    conn: &mut SqliteConnection,
    scope: &BudgetScope,
    day: &str,
) -> Result<f64, StoreError> {
    let head = format!("SELECT TOTAL({COUNTED}) FROM cost_ledger WHERE ");
    let q = match scope {
        BudgetScope::Goal(id) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(head + "goal_id = ?")).bind(id.0)
        }
        BudgetScope::Day => sqlx::query_scalar(sqlx::AssertSqlSafe(head + "day = ?")).bind(day),
        BudgetScope::Item(item) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(head + "day = ? AND item = ?"))
                .bind(day)
                .bind(item.as_str())
        }
    };
    q.fetch_one(conn).await.map_err(db("reserve"))
}

/// Holds `r.amount_usd` if every budget that applies has room; see
/// [`juggernaut_store::CostStore::reserve`].
pub async fn reserve(
    store: &SqliteStore,
    r: &Reservation,
    limits: &Limits,
    actor: &str,
) -> Result<CostId, StoreError> {
    r.check()?;
    limits.check()?;
    let mut tx = store.write().await?;
    let now = now_us();
    let day = from_us(now).date_naive().format(DAY).to_string();
    let goal_budget = match r.goal_id {
        Some(id) => {
            goals::get(&mut *tx, id)
                .await?
                .ok_or_else(|| bad("goal", format!("goal {id} not found")))?
                .spec
                .budget
                .money_usd
        }
        None => None,
    };
    let checks = [
        (r.goal_id.map(BudgetScope::Goal), goal_budget),
        (Some(BudgetScope::Day), limits.day_usd),
        (Some(BudgetScope::Item(r.item.clone())), limits.item_day_usd),
    ];
    for (scope, limit) in checks {
        if let (Some(scope), Some(_)) = (scope, limit) {
            let spent = spent(&mut tx, &scope, &day).await?;
            check_room(scope, limit, spent, r.amount_usd)?;
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cost_ledger (goal_id, task_id, category, item, purpose, state, reserved_usd, \
         day, created_at) VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?, ?) RETURNING id",
    )
    .bind(r.goal_id.map(|g| g.0))
    .bind(r.task_id.map(|t| t.0))
    .bind(category_name(r.category))
    .bind(&r.item)
    .bind(&r.purpose)
    .bind(r.amount_usd)
    .bind(&day)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(db("reserve"))?;
    let data = Payload::CostReserved(CostReserved {
        cost: CostId(id),
        category: r.category,
        item: r.item.clone(),
        purpose: r.purpose.clone(),
        amount_usd: r.amount_usd,
    });
    let entry = Entry {
        task_id: r.task_id.map(|t| t.0),
        goal_id: r.goal_id.map(|g| g.0),
        ..Entry::about(EventKind::CostReserved, actor, data.to_value())
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(db("reserve"))?;
    Ok(CostId(id))
}

/// Replaces a reservation with what the call used; see
/// [`juggernaut_store::CostStore::settle`].
pub async fn settle(
    store: &SqliteStore,
    id: CostId,
    usage: &Usage,
    actor: &str,
) -> Result<CostRecord, StoreError> {
    usage.check()?;
    let mut tx = store.write().await?;
    let line = get(&mut *tx, id)
        .await?
        .ok_or_else(|| bad("cost", format!("cost line {id} not found")))?;
    if line.state == CostState::Settled {
        return Err(bad("cost", format!("cost line {id} is already settled")));
    }
    let sql = format!(
        "UPDATE cost_ledger SET state = 'settled', amount_usd = ?, tokens_in = ?, tokens_out = ?, \
         settled_at = ? WHERE id = ? AND state = 'reserved' RETURNING {COLUMNS}"
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(usage.amount_usd)
        .bind(i64::try_from(usage.tokens_in).unwrap_or(i64::MAX))
        .bind(i64::try_from(usage.tokens_out).unwrap_or(i64::MAX))
        .bind(now_us())
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("settle"))?;
    let settled = row(&r)?;
    let data = Payload::CostSettled(CostSettled {
        cost: id,
        item: settled.item.clone(),
        reserved_usd: settled.reserved_usd,
        amount_usd: settled.amount_usd,
        tokens_in: settled.tokens_in,
        tokens_out: settled.tokens_out,
    });
    let entry = Entry {
        task_id: settled.task_id.map(|t| t.0),
        goal_id: settled.goal_id.map(|g| g.0),
        ..Entry::about(EventKind::CostSettled, actor, data.to_value())
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(db("settle"))?;
    Ok(settled)
}

/// The `WHERE` clause for `f` (only the fields set, so that each can use its index) and its
/// arguments.
fn filter(f: &CostFilter) -> Result<(String, SqliteArguments), StoreError> {
    let mut clauses = Vec::new();
    let mut args = SqliteArguments::default();
    if let Some(goal) = f.goal_id {
        clauses.push("goal_id = ?");
        args.add(goal.0).map_err(corrupt)?;
    }
    if let Some(task) = f.task_id {
        clauses.push("task_id = ?");
        args.add(task.0).map_err(corrupt)?;
    }
    if let Some(day) = f.day {
        clauses.push("day = ?");
        args.add(day.format(DAY).to_string()).map_err(corrupt)?;
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((sql, args))
}

/// Money counted for the lines matching `f`.
pub async fn spend(store: &SqliteStore, f: &CostFilter) -> Result<Spend, StoreError> {
    let (clause, args) = filter(f)?;
    let sql = format!(
        "SELECT TOTAL(CASE WHEN state = 'settled' THEN amount_usd END) AS settled, \
         TOTAL(CASE WHEN state = 'reserved' THEN reserved_usd END) AS reserved, \
         COUNT(*) AS calls, \
         COALESCE(SUM(CASE WHEN state = 'settled' THEN tokens_in END), 0) AS tokens_in, \
         COALESCE(SUM(CASE WHEN state = 'settled' THEN tokens_out END), 0) AS tokens_out \
         FROM cost_ledger{clause}"
    );
    let r = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_one(store.reader())
        .await
        .map_err(db("spend"))?;
    Ok(Spend {
        settled_usd: r.try_get("settled").map_err(corrupt)?,
        reserved_usd: r.try_get("reserved").map_err(corrupt)?,
        calls: count(&r, "calls")?,
        tokens_in: count(&r, "tokens_in")?,
        tokens_out: count(&r, "tokens_out")?,
    })
}

/// Lines matching `f`, newest first, at most `limit` (1-1000).
pub async fn list(
    store: &SqliteStore,
    f: &CostFilter,
    limit: u32,
) -> Result<Vec<CostRecord>, StoreError> {
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit", format!("{limit} is outside 1-1000")));
    }
    let (clause, mut args) = filter(f)?;
    args.add(i64::from(limit)).map_err(corrupt)?;
    let sql = format!("SELECT {COLUMNS} FROM cost_ledger{clause} ORDER BY id DESC LIMIT ?");
    let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_all(store.reader())
        .await
        .map_err(db("costs"))?;
    rows.iter().map(row).collect()
}
