//! Citations in an agent's final answer: it must name the tool calls it relied on as
//! `[call:ID]`. Only ids of calls that this run made and that succeeded count; anything else
//! the model writes (a described result, an invented id) is not evidence.

use juggernaut_store::ToolCallId;
use std::collections::BTreeSet;

/// The ids cited as `[call:ID]` in `answer`, in order of first appearance, without repeats.
pub fn cited(answer: &str) -> Vec<ToolCallId> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut rest = answer;
    while let Some(at) = rest.find("[call:") {
        rest = &rest[at + "[call:".len()..];
        let Some(end) = rest.find(']') else { break };
        if let Ok(id) = rest[..end].trim().parse::<i64>()
            && seen.insert(id)
        {
            out.push(ToolCallId(id));
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_read_in_order_without_repeats() {
        let ids =
            cited("Revenue is 10 [call:12], see [call: 7] and [call:12]; not [call:x] or [call:3");
        assert_eq!(ids, vec![ToolCallId(12), ToolCallId(7)]);
        assert!(cited("Done! Everything worked.").is_empty());
    }
}
