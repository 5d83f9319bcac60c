//! The demo's sample database: a plumbing company's technicians, customers, leads, jobs and
//! invoices, generated deterministically (the same rows on every machine) from a fixed seed, with
//! dates anchored to a fixed year so the analyses' figures are reproducible.

use chrono::{Duration, NaiveDate};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use std::path::Path;

/// How many rows of each table.
pub const TECHNICIANS: usize = 12;
/// Customers.
pub const CUSTOMERS: usize = 800;
/// Leads.
pub const LEADS: usize = 600;
/// Jobs (each completed job has an invoice).
pub const JOBS: usize = 3000;

const SCHEMA: &str = "
CREATE TABLE technicians (id INTEGER PRIMARY KEY, name TEXT NOT NULL, skill TEXT NOT NULL,
  hourly_rate REAL NOT NULL, hired_on TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL,
  segment TEXT NOT NULL CHECK (segment IN ('residential', 'commercial')), created_on TEXT NOT NULL);
CREATE TABLE leads (id INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL,
  created_on TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('new', 'contacted', 'won', 'lost')),
  estimated_value REAL NOT NULL, customer_id INTEGER REFERENCES customers (id));
CREATE TABLE jobs (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id),
  technician_id INTEGER NOT NULL REFERENCES technicians (id), kind TEXT NOT NULL,
  scheduled_on TEXT NOT NULL, completed_on TEXT,
  status TEXT NOT NULL CHECK (status IN ('scheduled', 'completed', 'cancelled')), hours REAL NOT NULL);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs (id),
  customer_id INTEGER NOT NULL REFERENCES customers (id), issued_on TEXT NOT NULL,
  due_on TEXT NOT NULL, amount REAL NOT NULL, paid_on TEXT,
  status TEXT NOT NULL CHECK (status IN ('paid', 'open', 'overdue')));
CREATE INDEX jobs_customer ON jobs (customer_id);
CREATE INDEX invoices_status ON invoices (status);
";

const FIRST: [&str; 16] = [
    "Ana", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kemi", "Luis",
    "Maya", "Nils", "Olga", "Priya",
];
const LAST: [&str; 12] = [
    "Alvarez", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ivanov", "Jensen",
    "Khan", "Lopez",
];
const CITIES: [&str; 6] = [
    "Springfield",
    "Riverton",
    "Lakeside",
    "Hillcrest",
    "Fairview",
    "Oakdale",
];
const SKILLS: [&str; 4] = ["general", "drains", "heating", "commercial"];
const SOURCES: [&str; 4] = ["web", "referral", "ads", "phone"];
/// Job kinds with their typical hours and price per hour billed.
const KINDS: [(&str, f64, f64); 6] = [
    ("leak repair", 2.0, 95.0),
    ("drain cleaning", 1.5, 90.0),
    ("water heater", 4.0, 120.0),
    ("repipe", 12.0, 110.0),
    ("inspection", 1.0, 80.0),
    ("emergency", 3.0, 160.0),
];

/// A small deterministic generator (SplitMix64): the same seed gives the same rows everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// The first day of the sample year; every date falls in 2026 up to [`last_day`].
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

/// The last day any row mentions.
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
}

fn day(rng: &mut Rng) -> NaiveDate {
    let span = (last_day() - first_day()).num_days() as usize;
    first_day() + Duration::days(rng.below(span + 1) as i64)
}

fn name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))
}

/// Creates the sample database at `path` (which must not exist) and fills it.
pub async fn create(path: &Path) -> anyhow::Result<()> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    conn.execute(SCHEMA).await?;
    let mut tx = conn.begin().await?;
    let mut rng = Rng(0x6A75_6767_6572_6E61);
    for id in 1..=TECHNICIANS {
        sqlx::query("INSERT INTO technicians VALUES (?, ?, ?, ?, ?)")
            .bind(id as i64)
            .bind(name(&mut rng))
            .bind(SKILLS[id % SKILLS.len()])
            .bind(30.0 + rng.below(25) as f64)
            .bind(format!(
                "20{:02}-0{}-15",
                15 + rng.below(10),
                1 + rng.below(9)
            ))
            .execute(&mut *tx)
            .await?;
    }
    for id in 1..=CUSTOMERS {
        let segment = if rng.unit() < 0.2 {
            "commercial"
        } else {
            "residential"
        };
        sqlx::query("INSERT INTO customers VALUES (?, ?, ?, ?, ?)")
            .bind(id as i64)
            .bind(name(&mut rng))
            .bind(rng.pick(&CITIES))
            .bind(segment)
            .bind(day(&mut rng).to_string())
            .execute(&mut *tx)
            .await?;
    }
    leads(&mut tx, &mut rng).await?;
    jobs(&mut tx, &mut rng).await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

async fn leads(tx: &mut SqliteConnection, rng: &mut Rng) -> anyhow::Result<()> {
    for id in 1..=LEADS {
        let source = rng.pick(&SOURCES);
        // Referrals convert best and ads worst, so the analysis has something to find.
        let win = match source {
            "referral" => 0.45,
            "web" => 0.25,
            "phone" => 0.3,
            _ => 0.12,
        };
        let r = rng.unit();
        let status = if r < win {
            "won"
        } else if r < win + 0.3 {
            "lost"
        } else if r < win + 0.45 {
            "contacted"
        } else {
            "new"
        };
        let customer = (status == "won").then(|| 1 + rng.below(CUSTOMERS) as i64);
        sqlx::query("INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(id as i64)
            .bind(name(rng))
            .bind(source)
            .bind(day(rng).to_string())
            .bind(status)
            .bind((200 + rng.below(4800)) as f64)
            .bind(customer)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn jobs(tx: &mut SqliteConnection, rng: &mut Rng) -> anyhow::Result<()> {
    let mut invoice = 0i64;
    for id in 1..=JOBS {
        let (kind, hours, rate) = KINDS[rng.below(KINDS.len())];
        let hours = (hours * (0.6 + rng.unit() * 0.8) * 4.0).round() / 4.0;
        let scheduled = day(rng);
        let r = rng.unit();
        let status = if scheduled > last_day() - Duration::days(10) && r < 0.6 {
            "scheduled"
        } else if r < 0.05 {
            "cancelled"
        } else {
            "completed"
        };
        let customer = 1 + rng.below(CUSTOMERS) as i64;
        let completed = (status == "completed").then(|| scheduled.to_string());
        sqlx::query("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(id as i64)
            .bind(customer)
            .bind(1 + rng.below(TECHNICIANS) as i64)
            .bind(kind)
            .bind(scheduled.to_string())
            .bind(completed)
            .bind(status)
            .bind(hours)
            .execute(&mut *tx)
            .await?;
        if status != "completed" {
            continue;
        }
        invoice += 1;
        let amount = ((hours * rate + 40.0) * 100.0).round() / 100.0;
        let due = scheduled + Duration::days(30);
        let paid = rng.unit() < 0.82 && due <= last_day() + Duration::days(20);
        let (status, paid_on) = if paid {
            let paid_on = (scheduled + Duration::days(3 + rng.below(40) as i64)).min(last_day());
            ("paid", Some(paid_on.to_string()))
        } else if due < last_day() {
            ("overdue", None)
        } else {
            ("open", None)
        };
        sqlx::query("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(invoice)
            .bind(id as i64)
            .bind(customer)
            .bind(scheduled.to_string())
            .bind(due.to_string())
            .bind(amount)
            .bind(paid_on)
            .bind(status)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sample_is_the_same_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut sums = Vec::new();
        for n in 0..2 {
            let path = dir.path().join(format!("p{n}.db"));
            create(&path).await.unwrap();
            let opts = SqliteConnectOptions::new().filename(&path);
            let mut c = SqliteConnection::connect_with(&opts).await.unwrap();
            let row: (i64, f64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM jobs), (SELECT SUM(amount) FROM invoices), \
                 (SELECT COUNT(*) FROM leads WHERE status = 'won')",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            sums.push(row);
        }
        assert_eq!(sums[0], sums[1]);
        assert_eq!(sums[0].0, JOBS as i64);
        assert!(sums[0].1 > 100_000.0, "{sums:?}");
    }
}
