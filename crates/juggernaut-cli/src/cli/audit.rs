//! `juggernaut audit`'s flags: which events of the append-only audit log to show, and the
//! parsers that check them before anything is opened (`--kind` against the known kinds,
//! `--since` as a time or an age).

use super::{id_parser, ranged};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use juggernaut_core::EventKind;
use std::time::Duration;

/// The oldest age `--since` takes: 100 years.
const MAX_AGE_SECS: u64 = 100 * 366 * 86_400;

/// `juggernaut audit`
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events of this task (a pruned task's too).
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub task: Option<i64>,
    /// Only events by this actor (exact: a worker id, `cli`, `enqueue`, a person's name).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only events at or after this time: RFC 3339 (`2025-01-31T08:00:00Z`), a date
    /// (`2025-01-31`, its start in UTC), or an age (`90s`, `15m`, `2h`, `7d`, `2w`).
    #[arg(long, value_parser = since_parser)]
    pub since: Option<Since>,
    /// Only events of these kinds (repeatable or comma-separated, such as `task.cancelled`).
    #[arg(long = "kind", value_name = "KIND", value_delimiter = ',', value_parser = kind_parser)]
    pub kinds: Vec<EventKind>,
    /// Page size (1-1000).
    #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
    pub limit: u32,
    /// Start below this event id (the previous page's cursor).
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub before: Option<i64>,
}

/// Where `--since` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// A point in time.
    At(DateTime<Utc>),
    /// This long before now (the database's now).
    Ago(Duration),
}

impl Since {
    /// The time it names, given now.
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::At(t) => t,
            Self::Ago(d) => chrono::Duration::from_std(d)
                .ok()
                .and_then(|d| now.checked_sub_signed(d))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        }
    }
}

/// Parses `--since`: an RFC 3339 time, a date, or a whole number with a unit (s, m, h, d, w).
pub fn since_parser(text: &str) -> Result<Since, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Since::At(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Since::At(d.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    let usage = || {
        format!(
            "`{text}` is not a time: use RFC 3339 (2025-01-31T08:00:00Z), a date (2025-01-31) \
             or an age such as 15m, 2h, 7d (units s, m, h, d, w)"
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(usage)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| usage())?;
    let unit_secs: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(usage()),
    };
    match n.checked_mul(unit_secs) {
        Some(secs) if secs <= MAX_AGE_SECS => Ok(Since::Ago(Duration::from_secs(secs))),
        _ => Err(format!("`{text}` is too long ago: at most 100 years")),
    }
}

/// Parses one `--kind`; an unknown name is refused with the list of known ones.
pub fn kind_parser(text: &str) -> Result<EventKind, String> {
    EventKind::parse(text.trim()).ok_or_else(|| {
        let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "unknown event kind `{text}`: use one of {}",
            known.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_times_dates_and_ages() {
        let at = since_parser("2025-01-31T08:00:00+01:00").unwrap();
        assert_eq!(
            at,
            Since::At("2025-01-31T07:00:00Z".parse::<DateTime<Utc>>().unwrap())
        );
        let day = since_parser("2025-01-31").unwrap();
        assert_eq!(
            day,
            Since::At("2025-01-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap())
        );
        assert_eq!(
            since_parser("15m").unwrap(),
            Since::Ago(Duration::from_secs(900))
        );
        assert_eq!(
            since_parser("2h").unwrap(),
            Since::Ago(Duration::from_secs(7200))
        );
        assert_eq!(
            since_parser("7d").unwrap(),
            Since::Ago(Duration::from_secs(604_800))
        );
        for bad in ["", "15", "m", "-5m", "5 m", "5y", "1.5h", "yesterday"] {
            assert!(
                since_parser(bad).unwrap_err().contains("not a time"),
                "{bad}"
            );
        }
        assert!(
            since_parser("99999999999w")
                .unwrap_err()
                .contains("100 years")
        );
        let now = Utc::now();
        assert_eq!(
            Since::Ago(Duration::from_secs(60)).resolve(now),
            now - chrono::Duration::seconds(60)
        );
    }

    #[test]
    fn unknown_kinds_list_the_known_ones() {
        assert_eq!(kind_parser("task.cancelled"), Ok(EventKind::TaskCancelled));
        let err = kind_parser("bogus").unwrap_err();
        assert!(err.contains("`bogus`"), "{err}");
        assert!(
            err.contains("task.enqueued") && err.contains("tasks.pruned"),
            "{err}"
        );
    }
}
