//! Relevance: which learnings matter for a task or a goal about to be planned. A learning scores
//! for the same kind, for the tags it shares with the query (Jaccard), and for the words its
//! title, summary and error share with the query's text (Jaccard over words of three letters or
//! more); more sightings and a later one break ties. Nothing that shares nothing is returned, and
//! a retired learning never is.

use super::Learning;
use std::collections::BTreeSet;

/// What the learnings are ranked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The task kind about to run (or `plan`'s goal's kinds are unknown: `None`).
    pub kind: Option<String>,
    /// The goal's (or task's) tags.
    pub tags: Vec<String>,
    /// Free text: a title, a description, the task's input.
    pub text: String,
}

/// Weight of a kind match.
const KIND: f64 = 3.0;
/// Weight of the tag overlap (0-1).
const TAGS: f64 = 2.0;
/// Weight of the word overlap (0-1).
const TEXT: f64 = 2.0;

/// The words of `text` worth comparing: lowercase runs of letters and digits, 3+ characters.
pub fn words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_owned)
        .collect()
}

fn jaccard<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// How relevant `l` is to `q` (0 when it shares nothing).
pub fn score(l: &Learning, q: &Query, query_words: &BTreeSet<String>) -> f64 {
    let kind = match &q.kind {
        Some(k) if *k == l.kind => KIND,
        _ => 0.0,
    };
    let qt: BTreeSet<String> = q.tags.iter().map(|t| t.to_lowercase()).collect();
    let lt: BTreeSet<String> = l.tags.iter().map(|t| t.to_lowercase()).collect();
    let text = format!(
        "{} {} {} {}",
        l.kind,
        l.title,
        l.summary,
        l.error.as_deref().unwrap_or("")
    );
    kind + TAGS * jaccard(&qt, &lt) + TEXT * jaccard(query_words, &words(&text))
}

/// The `n` most relevant non-retired learnings of `candidates`, best first.
pub fn rank(candidates: Vec<Learning>, query: &Query, n: usize) -> Vec<Learning> {
    let qw = words(&query.text);
    let mut scored: Vec<(f64, Learning)> = candidates
        .into_iter()
        .filter(|l| l.retired_at.is_none())
        .map(|l| (score(&l, query, &qw), l))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then(b.count.cmp(&a.count))
            .then(b.last_seen.cmp(&a.last_seen))
            .then(b.id.cmp(&a.id))
    });
    scored.into_iter().take(n).map(|(_, l)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::learning;
    use super::*;

    #[test]
    fn kind_then_tags_then_text_and_ties_by_count() {
        let mut shell = learning(1, "shell", "command not found: jq");
        shell.count = 1;
        let mut shell_often = learning(2, "shell", "permission denied writing output");
        shell_often.count = 5;
        let mut tagged = learning(3, "http", "orders endpoint answers 503 at night");
        tagged.tags = vec!["orders".into()];
        let unrelated = learning(4, "notify", "slack webhook moved");
        let mut retired = learning(5, "shell", "old advice");
        retired.retired_at = Some(retired.last_seen);
        let q = Query {
            kind: Some("shell".into()),
            tags: vec!["Orders".into()],
            text: "count orders with the jq command".into(),
        };
        let got: Vec<i64> = rank(vec![unrelated, tagged, shell, shell_often, retired], &q, 5)
            .iter()
            .map(|l| l.id.0)
            .collect();
        assert_eq!(
            got,
            vec![1, 2, 3],
            "command text beats count; tag match ranks; rest dropped"
        );
        let top = rank(
            vec![learning(6, "shell", "x"), learning(7, "shell", "y")],
            &q,
            1,
        );
        assert_eq!(top.len(), 1);
    }

    #[test]
    fn text_alone_can_match() {
        let q = Query {
            kind: None,
            tags: vec![],
            text: "Grow weekly newsletter signups".into(),
        };
        let hit = learning(1, "agent", "newsletter signups come from the blog");
        let miss = learning(2, "agent", "unrelated");
        let got = rank(vec![miss, hit], &q, 5);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id.0, 1);
    }
}
