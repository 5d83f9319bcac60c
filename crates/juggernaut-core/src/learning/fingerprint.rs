//! Fingerprints: what makes two learnings the same. A failure's is its kind plus its error with
//! the parts that change from run to run (numbers, ids, hex, UUIDs, quoted values, paths, URLs'
//! query strings) replaced by placeholders; a success's is its kind plus what worked (the sorted
//! distinct tools). Each is the first 16 hex digits of a SHA-256, stable across versions of the
//! binary as long as [`VERSION`] is.

use sha2::{Digest, Sha256};

/// Bumped when normalisation changes, so that old and new fingerprints never mix.
pub const VERSION: &str = "v1";

/// Characters that end a token when they trail it (`path,` or `42.`).
const TRAILING: &[char] = &[',', '.', ';', ':', ')', ']', '}', '!', '?'];

/// The fingerprint of a failure of `kind` with `error_text`.
pub fn fingerprint(kind: &str, error_text: &str) -> String {
    hash(&["fail", kind, &normalise(error_text)])
}

/// The fingerprint of a success of `kind` that used `tools` (order and repeats do not matter).
pub fn success_fingerprint(kind: &str, tools: &[String]) -> String {
    let mut tools: Vec<&str> = tools.iter().map(|t| t.trim()).collect();
    tools.sort_unstable();
    tools.dedup();
    hash(&["ok", kind, &tools.join(",")])
}

fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(VERSION.as_bytes());
    for p in parts {
        h.update(b"\n");
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An error message with what varies replaced: lowercase, placeholders, single spaces.
pub fn normalise(text: &str) -> String {
    let unquoted = strip_quotes(&text.trim().to_lowercase());
    unquoted
        .split_whitespace()
        .map(token)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quoted values (`'x'`, `"x"`, `` `x` ``) become `<q>`; an apostrophe inside a word stays.
fn strip_quotes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = matches!(c, '\'' | '"' | '`')
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_some_and(|n| *n != c);
        let close = opens
            .then(|| (i + 1..chars.len()).find(|&j| chars[j] == c || chars[j] == '\n'))
            .flatten()
            .filter(|&j| chars[j] == c);
        match close {
            Some(j) if chars.get(j + 1).is_none_or(|n| !n.is_alphanumeric()) => {
                out.push_str("<q>");
                i = j + 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// One whitespace-separated token, normalised.
fn token(raw: &str) -> String {
    let body = raw.trim_end_matches(TRAILING);
    let tail = &raw[body.len()..];
    let lead_len = body.len() - body.trim_start_matches(['(', '[', '{']).len();
    let (lead, body) = body.split_at(lead_len);
    let core = if let Some(scheme_end) = body.find("://") {
        url(body, scheme_end)
    } else if is_path(body) {
        "<path>".to_owned()
    } else {
        words(body)
    };
    format!("{lead}{core}{tail}")
}

/// A URL-like token: what comes before `://`, then the rest without its query string (a `?`
/// before the `://`, as in `/login?next=https://x`, belongs to the first part).
fn url(body: &str, scheme_end: usize) -> String {
    let (Some(scheme), Some(rest)) = (body.get(..scheme_end), body.get(scheme_end + 3..)) else {
        return words(body);
    };
    let (rest, query) = match rest.find('?') {
        Some(q) => (rest.get(..q).unwrap_or(rest), "?<query>"),
        None => (rest, ""),
    };
    format!("{}://{}{query}", words(scheme), words(rest))
}

fn is_path(body: &str) -> bool {
    body.starts_with('/')
        || body.starts_with("./")
        || body.starts_with("../")
        || body.starts_with("~/")
        || body.contains('\\')
        || body.matches('/').count() >= 2
}

/// Runs of letters and digits: UUIDs, hex and numbers replaced; separators kept.
fn words(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            out.push_str(&word(run));
            run.clear();
        }
    };
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if run.is_empty() && is_uuid(&chars[i..]) {
            out.push_str("<uuid>");
            i += 36;
            continue;
        }
        if chars[i].is_alphanumeric() {
            run.push(chars[i]);
        } else {
            flush(&mut run, &mut out);
            out.push(chars[i]);
        }
        i += 1;
    }
    flush(&mut run, &mut out);
    out
}

fn is_uuid(chars: &[char]) -> bool {
    chars.len() >= 36
        && chars[..36].iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == '-',
            _ => c.is_ascii_hexdigit(),
        })
        && chars.get(36).is_none_or(|c| !c.is_alphanumeric())
}

fn word(run: &str) -> String {
    let hex_body = run.strip_prefix("0x").unwrap_or(run);
    let is_hex = !hex_body.is_empty() && hex_body.chars().all(|c| c.is_ascii_hexdigit());
    let has_digit = run.chars().any(|c| c.is_ascii_digit());
    if is_hex && has_digit && (run.starts_with("0x") || hex_body.len() >= 8) {
        return "<hex>".into();
    }
    let mut out = String::with_capacity(run.len());
    let mut in_number = false;
    for c in run.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push_str("<n>");
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_makes_it_panic() {
        for text in [
            "redirect to /login?next=https://x failed",
            "?://",
            "a?b://c?d",
            "://",
            "x://?",
            "é?ß://ü?ñ",
            "(https://h/p?q=1)",
            "/login?id=7&next=https://shop.example/cart?item=9",
        ] {
            let _ = normalise(text);
            let _ = fingerprint("http", text);
        }
        assert_eq!(
            normalise("/login?id=7&next=https://x"),
            normalise("/login?id=8&next=https://x"),
            "ids before the scheme are normalised too"
        );
    }

    #[test]
    fn errors_differing_in_ids_and_numbers_share_a_fingerprint() {
        let a = "Task 42 failed: HTTP 503 from https://api.example.com/v1/orders/981?token=abc \
                 (request 6f1c2a3b-1111-2222-3333-444455556666, key 'alpha')";
        let b = "task 7 failed: http 503 from https://api.example.com/v1/orders/12?token=zzz \
                 (request 0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff, key 'beta')";
        assert_eq!(fingerprint("http", a), fingerprint("http", b));
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(
            normalise("open /tmp/x/12.log: no such file, at 0xdeadBEEF"),
            "open <path>: no such file, at <hex>"
        );
        assert_eq!(
            normalise("  commit 3f9a2b7c1d not found "),
            "commit <hex> not found"
        );
        assert_eq!(normalise("can't read \"cfg.toml\""), "can't read <q>");
        assert_eq!(fingerprint("shell", "x").len(), 16);
    }

    #[test]
    fn different_errors_or_kinds_do_not() {
        let t = "connection refused";
        assert_ne!(fingerprint("http", t), fingerprint("http", "timed out"));
        assert_ne!(fingerprint("http", t), fingerprint("shell", t));
        assert_ne!(
            fingerprint("shell", "exit status 1: command not found"),
            fingerprint("shell", "exit status 1: permission denied")
        );
        assert_ne!(fingerprint("http", t), success_fingerprint("http", &[]));
    }

    #[test]
    fn success_fingerprints_ignore_order_and_repeats() {
        let a = success_fingerprint("agent", &["fs_read".into(), "shell".into()]);
        let b = success_fingerprint("agent", &["shell".into(), "fs_read".into(), "shell".into()]);
        assert_eq!(a, b);
        assert_ne!(a, success_fingerprint("agent", &["shell".into()]));
    }
}
