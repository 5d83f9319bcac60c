//! Formatting shared by the renderers: numbers, money, times, progress, and the text escapes
//! (Markdown and HTML) that every string from the database goes through.

use chrono::{DateTime, Utc};

/// A number for people: integers without decimals, others to two places.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A number with its unit.
pub fn with_unit(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "—".into(),
        Some(v) if unit.is_empty() => number(v),
        Some(v) => format!("{} {unit}", number(v)),
    }
}

/// Dollars, to two places (four below a cent).
pub fn usd(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.01 {
        format!("${v:.4}")
    } else {
        format!("${v:.2}")
    }
}

/// A progress fraction as a percentage.
pub fn percent(p: Option<f64>) -> String {
    p.map_or("—".into(), |p| format!("{:.0}%", p * 100.0))
}

/// A time to the minute, UTC.
pub fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A date.
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Text from the database as Markdown inline text: one line, clipped to `max` characters, with
/// every character Markdown (or HTML inside Markdown) would read as inline markup escaped (with
/// `[` and `]` escaped no link can form, so parentheses stay as they are; the text never starts
/// a line, so `#` and list markers cannot act).
pub fn md(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` escaped, control
/// characters dropped.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// [`html`] of text clipped to `max` characters.
pub fn html_clipped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return html(text);
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", html(&cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_leave_no_markup() {
        assert_eq!(
            html("<b a=\"x\">'&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
        assert_eq!(
            md("a|b [x](javascript:1) <i>\n", 100),
            "a\\|b \\[x\\](javascript:1) &lt;i&gt; "
        );
        assert_eq!(md("abcdef", 3), "abc…");
        assert_eq!(html_clipped("abcdef", 3), "abc…");
        assert_eq!(
            (number(2.0), number(2.345), usd(0.001), usd(3.0)),
            ("2".into(), "2.35".into(), "$0.0010".into(), "$3.00".into())
        );
        assert_eq!(percent(Some(0.456)), "46%");
    }
}
