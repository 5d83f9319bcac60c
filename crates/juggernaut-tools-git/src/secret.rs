//! Keeping a token out of what the tools give back: a [`Secret`] whose `Debug` never shows it,
//! and output that is capped (never cutting through an occurrence of the token, which would
//! leave its start behind) and has every occurrence replaced by [`REDACTED`].

pub use juggernaut_tools::redact::REDACTED;

/// A token. Its `Debug` shows `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// A secret, or `None` for an empty or blank value.
    pub(crate) fn new(value: &str) -> Option<Self> {
        let value = value.trim();
        (!value.is_empty()).then(|| Self(value.to_owned()))
    }

    /// The value, for the one place that needs it (a child's environment, a header).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `text` with every occurrence of the secret replaced.
pub(crate) fn redact(text: &str, secret: Option<&Secret>) -> String {
    match secret {
        Some(s) if text.contains(s.expose()) => text.replace(s.expose(), REDACTED),
        _ => text.to_owned(),
    }
}

/// Output as text: at most `cap` bytes of `bytes` (cut earlier if the cut would fall inside an
/// occurrence of the secret), the secret replaced, and whether anything was left out (`total`
/// is how many bytes the program wrote).
pub(crate) fn clean_output(
    bytes: &[u8],
    total: usize,
    cap: usize,
    secret: Option<&Secret>,
) -> (String, bool) {
    let mut end = cap.min(bytes.len());
    if let Some(s) = secret {
        let needle = s.expose().as_bytes();
        if end < bytes.len() && !needle.is_empty() {
            let start = end.saturating_sub(needle.len() - 1);
            for p in start..end {
                if bytes[p..].starts_with(&needle[..needle.len().min(bytes.len() - p)]) {
                    end = p;
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&bytes[..end]);
    (redact(&text, secret), end < total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_never_leaves_part_of_the_token() {
        let s = Secret::new("ghp_SECRETVALUE").unwrap();
        let out = b"abc ghp_SECRETVALUE def ghp_SECRETVALUE tail";
        let (text, cut) = clean_output(out, out.len(), 200, Some(&s));
        assert_eq!(text, "abc [redacted] def [redacted] tail");
        assert!(!cut);
        // A cut inside the second occurrence drops it whole.
        let (text, cut) = clean_output(out, out.len(), 30, Some(&s));
        assert_eq!(text, "abc [redacted] def ");
        assert!(cut);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert!(Secret::new("  ").is_none());
    }
}
