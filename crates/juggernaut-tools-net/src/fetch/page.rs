//! A page's readable text: HTML converted with `html2text` into Markdown-like text (headings as
//! `#`, emphasis as `*`, links as numbered references listed at the end; scripts and styles
//! dropped), plain text and JSON as they are; other content types are refused.

use juggernaut_tools::ToolError;

/// Column width the text is wrapped to.
const WIDTH: usize = 100;

/// What was read from a page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Read {
    pub title: Option<String>,
    pub text: String,
    /// The text was cut at the character limit.
    pub cut: bool,
}

/// Reads `bytes` of the given content type into at most `max_chars` characters of text.
pub(super) fn read(
    bytes: &[u8],
    content_type: Option<&str>,
    max_chars: usize,
) -> Result<Read, ToolError> {
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let html = match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => true,
        Some(m) if m.starts_with("text/") || m.ends_with("json") || m.ends_with("xml") => false,
        None => looks_like_html(bytes),
        Some(m) => {
            return Err(ToolError::model(format!(
                "not a page: the content type is `{m}`; fetch_page reads HTML and text"
            )));
        }
    };
    let (title, text) = if html {
        let text = html2text::config::plain()
            .allow_width_overflow()
            .string_from_read(bytes, WIDTH)
            .map_err(|e| ToolError::model(format!("the HTML cannot be read: {e}")))?;
        (title_of(bytes), text)
    } else {
        (None, String::from_utf8_lossy(bytes).into_owned())
    };
    let text = text.trim();
    let cut = text.chars().nth(max_chars).is_some();
    Ok(Read {
        title,
        text: text.chars().take(max_chars).collect(),
        cut,
    })
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
}

/// The text of the first `<title>` element, its entities decoded and spaces collapsed.
fn title_of(bytes: &[u8]) -> Option<String> {
    let doc = String::from_utf8_lossy(bytes);
    let lower = doc.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let inner = &doc[start..end];
    // Decode entities the way the page's text is decoded: as the text of a paragraph.
    let decoded = html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .string_from_read(
            format!("<p>{}</p>", inner.replace('<', "&lt;")).as_bytes(),
            10_000,
        )
        .ok()?;
    let title = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn html_becomes_text_with_a_title() {
        let html = b"<!DOCTYPE html><html><head><TITLE>Q3 &amp; Q4\n report</TITLE>\
            <script>var x = 1;</script></head><body><h1>Revenue</h1><p>Up <b>12%</b>.</p>\
            <a href=\"https://example.com/more\">more</a></body></html>";
        let r = read(html, Some("text/html; charset=utf-8"), 1000).unwrap();
        assert_eq!(r.title.as_deref(), Some("Q3 & Q4 report"));
        assert!(r.text.contains("Revenue"), "{}", r.text);
        assert!(r.text.contains("# Revenue"), "{}", r.text);
        assert!(r.text.contains("Up **12%**."), "{}", r.text);
        assert!(r.text.contains("https://example.com/more"), "{}", r.text);
        assert!(!r.text.contains("var x"), "{}", r.text);
        assert!(!r.cut);
    }

    #[test]
    fn text_is_capped_and_binary_refused() {
        let r = read(b"abcdef", Some("text/plain"), 3).unwrap();
        assert_eq!(r.text, "abc");
        assert!(r.cut);
        let e = read(b"\x89PNG", Some("image/png"), 3).unwrap_err();
        assert!(e.to_string().contains("image/png"), "{e}");
        assert!(
            read(b"<html><body>x</body></html>", None, 9)
                .unwrap()
                .text
                .contains('x')
        );
    }
}
