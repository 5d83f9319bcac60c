//! Checks every backend makes the same way: what a reservation, a usage and the limits may
//! hold, whether a budget has room (with slack for float sums), and the categories' stored
//! names.

use super::{BudgetScope, Limits, Reservation, Usage};
use crate::error::StoreError;
use juggernaut_core::DomainError;
use juggernaut_core::cost::CostCategory;

/// The most one line may reserve or cost, in USD: anything larger is a mistake, not a call.
pub const MAX_AMOUNT_USD: f64 = 1_000_000.0;

/// Sums of money are floating point: a reservation that fills a budget exactly may sum a
/// hair above it. Budgets are checked with this much slack (a millionth of a cent).
pub const EPSILON_USD: f64 = 1e-8;

/// Longest item (model or tool name), in bytes.
pub const MAX_ITEM: usize = 200;

/// Longest purpose, in bytes.
pub const MAX_PURPOSE: usize = 64;

/// A category's stored name.
pub fn category_name(c: CostCategory) -> &'static str {
    match c {
        CostCategory::Llm => "llm",
        CostCategory::Tool => "tool",
    }
}

/// Parses a stored category name.
pub fn parse_category(s: &str) -> Option<CostCategory> {
    [CostCategory::Llm, CostCategory::Tool]
        .into_iter()
        .find(|c| category_name(*c) == s)
}

fn invalid(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

/// Refuses an amount that is not finite, negative or above [`MAX_AMOUNT_USD`].
fn check_amount(field: &'static str, usd: f64) -> Result<(), StoreError> {
    if usd.is_finite() && (0.0..=MAX_AMOUNT_USD).contains(&usd) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{usd} is outside 0-{MAX_AMOUNT_USD} USD"),
        ))
    }
}

impl Reservation {
    /// Checks the amount (finite, 0-[`MAX_AMOUNT_USD`]), the item (1-[`MAX_ITEM`] bytes) and
    /// the purpose (at most [`MAX_PURPOSE`] bytes), neither with NUL.
    pub fn check(&self) -> Result<(), StoreError> {
        check_amount("amount_usd", self.amount_usd)?;
        if self.item.is_empty() || self.item.len() > MAX_ITEM {
            return Err(invalid(
                "item",
                format!("{} bytes, use 1-{MAX_ITEM}", self.item.len()),
            ));
        }
        if self.purpose.len() > MAX_PURPOSE {
            return Err(invalid(
                "purpose",
                format!("{} bytes, use at most {MAX_PURPOSE}", self.purpose.len()),
            ));
        }
        juggernaut_core::text::check_text("item", &self.item)?;
        juggernaut_core::text::check_text("purpose", &self.purpose)?;
        Ok(())
    }
}

impl Limits {
    /// Checks that every limit set is finite and not negative.
    pub fn check(&self) -> Result<(), StoreError> {
        for (field, limit) in [
            ("day_usd", self.day_usd),
            ("item_day_usd", self.item_day_usd),
        ] {
            if let Some(usd) = limit
                && !(usd.is_finite() && usd >= 0.0)
            {
                return Err(invalid(field, format!("{usd} is not a finite amount ≥ 0")));
            }
        }
        Ok(())
    }
}

impl Usage {
    /// Checks the amount (finite, 0-[`MAX_AMOUNT_USD`]) and that the token counts fit the
    /// stores' integers.
    pub fn check(&self) -> Result<(), StoreError> {
        check_amount("amount_usd", self.amount_usd)?;
        for (field, n) in [
            ("tokens_in", self.tokens_in),
            ("tokens_out", self.tokens_out),
        ] {
            if i64::try_from(n).is_err() {
                return Err(invalid(field, format!("{n} is too large")));
            }
        }
        Ok(())
    }
}

/// Refuses `asked_usd` more against a budget of `limit_usd` (none: no limit) of which
/// `spent_usd` is spent or reserved, allowing [`EPSILON_USD`] for rounding. What every backend
/// calls, in the order goal, day, item, inside its serialised transaction.
pub fn check_room(
    scope: BudgetScope,
    limit_usd: Option<f64>,
    spent_usd: f64,
    asked_usd: f64,
) -> Result<(), StoreError> {
    match limit_usd {
        Some(limit_usd) if spent_usd + asked_usd > limit_usd + EPSILON_USD => {
            Err(StoreError::BudgetExceeded {
                scope,
                limit_usd,
                spent_usd,
                asked_usd,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::costs::CostState;
    use juggernaut_core::GoalId;

    #[test]
    fn room_is_checked_with_slack_and_refusals_say_which_budget() {
        let ten_dimes: f64 = (0..9).map(|_| 0.1).sum();
        assert!(check_room(BudgetScope::Day, Some(1.0), ten_dimes, 0.1).is_ok());
        assert!(check_room(BudgetScope::Day, None, 1e9, 1.0).is_ok());
        let err = check_room(BudgetScope::Goal(GoalId(7)), Some(5.0), 4.98, 0.05).unwrap_err();
        assert_eq!(
            err.to_string(),
            "goal 7 budget exhausted: $4.9800 of $5.0000 spent or reserved, $0.0500 asked"
        );
        assert!(!err.is_retryable() && !err.is_bad_input());
        let item = check_room(BudgetScope::Item("m".into()), Some(0.0), 0.0, 0.01).unwrap_err();
        assert!(item.to_string().starts_with("daily `m` budget"), "{item}");
    }

    #[test]
    fn names_round_trip() {
        for c in [CostCategory::Llm, CostCategory::Tool] {
            assert_eq!(parse_category(category_name(c)), Some(c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(category_name(c))
            );
        }
        for s in [CostState::Reserved, CostState::Settled] {
            assert_eq!(CostState::parse(s.as_str()), Some(s));
        }
        assert_eq!(CostState::parse("spent"), None);
    }

    #[test]
    fn bad_amounts_and_names_are_refused() {
        let ok = Reservation {
            goal_id: None,
            task_id: None,
            category: CostCategory::Llm,
            item: "m".into(),
            purpose: "planning".into(),
            amount_usd: 0.5,
        };
        assert!(ok.check().is_ok());
        for bad in [
            Reservation {
                amount_usd: f64::NAN,
                ..ok.clone()
            },
            Reservation {
                amount_usd: -0.01,
                ..ok.clone()
            },
            Reservation {
                amount_usd: 2e6,
                ..ok.clone()
            },
            Reservation {
                item: String::new(),
                ..ok.clone()
            },
            Reservation {
                item: "x".repeat(201),
                ..ok.clone()
            },
            Reservation {
                purpose: "p".repeat(65),
                ..ok.clone()
            },
            Reservation {
                item: "a\0b".into(),
                ..ok.clone()
            },
        ] {
            assert!(matches!(bad.check(), Err(StoreError::Domain(_))), "{bad:?}");
        }
        let limits = Limits {
            day_usd: Some(f64::INFINITY),
            item_day_usd: None,
        };
        assert!(limits.check().is_err());
        assert!(
            Limits {
                day_usd: Some(-1.0),
                ..Limits::default()
            }
            .check()
            .is_err()
        );
        assert!(
            Usage {
                amount_usd: f64::NAN,
                ..Usage::default()
            }
            .check()
            .is_err()
        );
        assert!(
            Usage {
                tokens_in: u64::MAX,
                ..Usage::default()
            }
            .check()
            .is_err()
        );
        assert!(Usage::default().check().is_ok());
    }
}
