//! The payload shapes parse by kind, and strangers are refused.

use super::*;
use serde_json::json;

#[test]
fn shapes_parse_by_kind_and_strangers_are_refused() {
    let claimed = Payload::parse(
        EventKind::TaskClaimed,
        &json!({"attempt": 1, "lease_token": 3}),
    )
    .unwrap();
    assert_eq!(claimed.to_value(), json!({"attempt": 1, "lease_token": 3}));
    assert!(Payload::parse(EventKind::TaskClaimed, &json!({"attempt": 1})).is_err());
    assert!(
        Payload::parse(
            EventKind::TaskCancelled,
            &json!({"reason": "x", "extra": 1})
        )
        .is_err()
    );
    let dead_by_rescue = json!({"holder": "w", "lease_token": 2, "attempt": 3, "error": "e"});
    assert!(Payload::parse(EventKind::TaskDead, &dead_by_rescue).is_ok());
    assert!(Payload::parse(EventKind::TaskPromoted, &json!({})).is_ok());
}
