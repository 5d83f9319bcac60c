//! The cost ledger: reservations checked against every budget that applies, settlements, and
//! the sums and lines read back. A reservation takes a transaction-scoped advisory lock before it
//! sums anything, so reservations from every process are serialised (each one's sums, read after
//! the lock, see every reservation committed before it): two workers cannot both take a budget's
//! last dollar, whether the budget is a goal's, the day's or one item's. Days are UTC days of the
//! database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::goals;
use crate::store::{PostgresStore, finish};
use chrono::NaiveDate;
use juggernaut_core::{DomainError, EventKind, GoalId, TaskId};
use juggernaut_store::audit::{CostReserved, CostSettled, Payload};
use juggernaut_store::capability::costs::{CostState, category_name, check_room, parse_category};
use juggernaut_store::{
    BudgetScope, CostFilter, CostId, CostRecord, Limits, Reservation, Spend, StoreError, Usage,
};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, PgConnection, PgExecutor, Row};

/// The advisory lock every reservation takes (`jgcost` in ASCII).
const LOCK: i64 = 0x6a67_636f_7374;

/// Columns selected for a line, in the order [`row`] reads them.
const COLUMNS: &str = "id, goal_id, task_id, category, item, purpose, state, reserved_usd, \
     amount_usd, tokens_in, tokens_out, day, created_at, settled_at";

/// What a line counts against budgets: its cost once settled, its reservation until then.
const COUNTED: &str = "CASE WHEN state = 'settled' THEN amount_usd ELSE reserved_usd END";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "cost_ledger",
        reason: e.to_string(),
    }
}

fn bad(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

fn count(r: &PgRow, col: &str) -> Result<u64, StoreError> {
    let n: i64 = r.try_get(col).map_err(corrupt)?;
    u64::try_from(n).map_err(corrupt)
}

/// A ledger row.
fn row(r: &PgRow) -> Result<CostRecord, StoreError> {
    let category: String = r.try_get("category").map_err(corrupt)?;
    let state: String = r.try_get("state").map_err(corrupt)?;
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
        day: r.try_get("day").map_err(corrupt)?,
        created_at: r.try_get("created_at").map_err(corrupt)?,
        settled_at: r.try_get("settled_at").map_err(corrupt)?,
    })
}

/// One line by id.
async fn get<'e>(ex: impl PgExecutor<'e>, id: CostId) -> Result<Option<CostRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM cost_ledger WHERE id = $1");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(ex)
        .await
        .map_err(db("costs"))?;
    found.as_ref().map(row).transpose()
}

/// What is spent or reserved against `scope` on `day`.
async fn spent(
    conn: &mut PgConnection,
    scope: &BudgetScope,
    day: NaiveDate,
) -> Result<f64, StoreError> {
    let head = format!("SELECT COALESCE(SUM({COUNTED}), 0)::float8 FROM cost_ledger WHERE ");
    let q = match scope {
        BudgetScope::Goal(id) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(head + "goal_id = $1")).bind(id.0)
        }
        BudgetScope::Day => sqlx::query_scalar(sqlx::AssertSqlSafe(head + "day = $1")).bind(day),
        BudgetScope::Item(item) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(head + "day = $1 AND item = $2"))
                .bind(day)
                .bind(item.as_str())
        }
    };
    q.fetch_one(conn).await.map_err(db("reserve"))
}

/// Holds `r.amount_usd` if every budget that applies has room; see
/// [`juggernaut_store::CostStore::reserve`].
pub async fn reserve(
    store: &PostgresStore,
    r: &Reservation,
    limits: &Limits,
    actor: &str,
) -> Result<CostId, StoreError> {
    r.check()?;
    limits.check()?;
    let mut tx = store.begin().await?;
    let reserved = checked_insert(&mut tx, r, limits, actor).await;
    finish(tx, reserved, "reserve").await
}

async fn checked_insert(
    conn: &mut PgConnection,
    r: &Reservation,
    limits: &Limits,
    actor: &str,
) -> Result<CostId, StoreError> {
    // READ COMMITTED whatever the server's default, so that each statement below takes its own
    // snapshot; then the lock, in a statement of its own: the sums below see every reservation
    // committed before it was granted.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *conn)
        .await
        .map_err(db("reserve"))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK)
        .execute(&mut *conn)
        .await
        .map_err(db("reserve"))?;
    let day: NaiveDate = sqlx::query_scalar("SELECT (now() AT TIME ZONE 'UTC')::date")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("reserve"))?;
    let goal_budget = match r.goal_id {
        Some(id) => {
            goals::get(&mut *conn, id, false)
                .await?
                .ok_or_else(|| goals::not_found(id))?
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
            let spent = spent(conn, &scope, day).await?;
            check_room(scope, limit, spent, r.amount_usd)?;
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cost_ledger (goal_id, task_id, category, item, purpose, state, reserved_usd, \
         day) VALUES ($1, $2, $3, $4, $5, 'reserved', $6, $7) RETURNING id",
    )
    .bind(r.goal_id.map(|g| g.0))
    .bind(r.task_id.map(|t| t.0))
    .bind(category_name(r.category))
    .bind(&r.item)
    .bind(&r.purpose)
    .bind(r.amount_usd)
    .bind(day)
    .fetch_one(&mut *conn)
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
    audit::record(conn, entry).await?;
    Ok(CostId(id))
}

/// Replaces a reservation with what the call used; see
/// [`juggernaut_store::CostStore::settle`].
pub async fn settle(
    store: &PostgresStore,
    id: CostId,
    usage: &Usage,
    actor: &str,
) -> Result<CostRecord, StoreError> {
    usage.check()?;
    let mut tx = store.begin().await?;
    let settled = settle_in(&mut tx, id, usage, actor).await;
    finish(tx, settled, "settle").await
}

async fn settle_in(
    conn: &mut PgConnection,
    id: CostId,
    usage: &Usage,
    actor: &str,
) -> Result<CostRecord, StoreError> {
    // Only a reserved line changes: of two settlements at once, the second finds it settled.
    let sql = format!(
        "UPDATE cost_ledger SET state = 'settled', amount_usd = $1, tokens_in = $2, \
         tokens_out = $3, settled_at = now() WHERE id = $4 AND state = 'reserved' \
         RETURNING {COLUMNS}"
    );
    let updated = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(usage.amount_usd)
        .bind(i64::try_from(usage.tokens_in).unwrap_or(i64::MAX))
        .bind(i64::try_from(usage.tokens_out).unwrap_or(i64::MAX))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("settle"))?;
    let Some(r) = updated else {
        return Err(match get(&mut *conn, id).await? {
            Some(_) => bad("cost", format!("cost line {id} is already settled")),
            None => bad("cost", format!("cost line {id} not found")),
        });
    };
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
    audit::record(conn, entry).await?;
    Ok(settled)
}

/// The `WHERE` clause for `f` (only the fields set, so that each can use its index), its
/// arguments, and how many there are.
fn filter(f: &CostFilter) -> Result<(String, PgArguments, usize), StoreError> {
    let mut clauses = Vec::new();
    let mut args = PgArguments::default();
    if let Some(goal) = f.goal_id {
        clauses.push(format!("goal_id = ${}", clauses.len() + 1));
        args.add(goal.0).map_err(corrupt)?;
    }
    if let Some(task) = f.task_id {
        clauses.push(format!("task_id = ${}", clauses.len() + 1));
        args.add(task.0).map_err(corrupt)?;
    }
    if let Some(day) = f.day {
        clauses.push(format!("day = ${}", clauses.len() + 1));
        args.add(day).map_err(corrupt)?;
    }
    let n = clauses.len();
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    Ok((sql, args, n))
}

/// Money counted for the lines matching `f`.
pub async fn spend(store: &PostgresStore, f: &CostFilter) -> Result<Spend, StoreError> {
    let (clause, args, _) = filter(f)?;
    let sql = format!(
        "SELECT COALESCE(SUM(amount_usd) FILTER (WHERE state = 'settled'), 0)::float8 AS settled, \
         COALESCE(SUM(reserved_usd) FILTER (WHERE state = 'reserved'), 0)::float8 AS reserved, \
         COUNT(*)::bigint AS calls, \
         COALESCE(SUM(tokens_in) FILTER (WHERE state = 'settled'), 0)::bigint AS tokens_in, \
         COALESCE(SUM(tokens_out) FILTER (WHERE state = 'settled'), 0)::bigint AS tokens_out \
         FROM cost_ledger{clause}"
    );
    let r = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_one(store.pool())
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
    store: &PostgresStore,
    f: &CostFilter,
    limit: u32,
) -> Result<Vec<CostRecord>, StoreError> {
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit", format!("{limit} is outside 1-1000")));
    }
    let (clause, mut args, n) = filter(f)?;
    args.add(i64::from(limit)).map_err(corrupt)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM cost_ledger{clause} ORDER BY id DESC LIMIT ${}",
        n + 1
    );
    let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
        .fetch_all(store.pool())
        .await
        .map_err(db("costs"))?;
    rows.iter().map(row).collect()
}
