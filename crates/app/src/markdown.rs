//! The product's one Markdown renderer, for every text a person writes: notes,
//! messages, goals, agreements, programme descriptions, the code of conduct.
//!
//! Text is parsed with pulldown-cmark (CommonMark plus tables, strikethrough
//! and task lists) and the HTML it makes is cleaned by ammonia, so what
//! reaches a page can hold no script, no event handler, no `javascript:` link
//! and no raw HTML at all: raw HTML in the source is shown as text. Links get
//! `rel="noopener noreferrer nofollow"`.
//!
//! [`check`] is the write-side rule: text that tries to carry HTML (a
//! `<script>`, an `on…=` handler, a `javascript:` link) is refused with a
//! 422 naming the field, so nothing half-safe is ever stored.

use crate::{AppError, AppResult};
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

/// Longest text accepted in one field (characters).
pub const MAX_LEN: usize = 20_000;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["align"])
        .add_tag_attributes("td", ["align"]);
    b
});

/// How many bytes of source and HTML [`render`] keeps; past it the memory
/// starts afresh (one clear, no per-entry bookkeeping on the hot path).
const RENDERED_BYTES: usize = 16 << 20;

/// Recent renderings, by their exact source. Rendering is a pure function of
/// the source, so a hit returns exactly what rendering would, and no reader
/// gets HTML for a text they did not already hold. A room page renders the
/// same messages and notes on every view (parsing, then ammonia's HTML
/// parse and clean: most of a notes page's time before this).
struct Rendered {
    html: HashMap<Arc<str>, Arc<str>>,
    bytes: usize,
}

static RENDERED: LazyLock<Mutex<Rendered>> = LazyLock::new(|| {
    Mutex::new(Rendered {
        html: HashMap::new(),
        bytes: 0,
    })
});

/// Renders `source` to sanitised HTML, safe to place in a page unescaped.
/// Raw HTML in the source is shown as text, never interpreted.
pub fn render(source: &str) -> String {
    // A poisoned lock only means another thread panicked mid-insert; the map
    // is still whole (insertions are single calls), so keep using it.
    let hit = RENDERED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .html
        .get(source)
        .cloned();
    if let Some(html) = hit {
        return html.to_string();
    }
    let html = render_fresh(source);
    let size = source.len() + html.len();
    if size <= RENDERED_BYTES / 64 {
        let mut memo = RENDERED.lock().unwrap_or_else(|e| e.into_inner());
        if memo.bytes + size > RENDERED_BYTES {
            memo.html.clear();
            memo.bytes = 0;
        }
        if memo
            .html
            .insert(source.into(), html.as_str().into())
            .is_none()
        {
            memo.bytes += size;
        }
    }
    html
}

fn render_fresh(source: &str) -> String {
    // Images become links: a page never loads a picture from a server the
    // writer chose (it would tell that server who read the note, and when).
    let parser = Parser::new_ext(source, options()).map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, parser);
    CLEANER.clean(&out).to_string()
}

/// Renders `source` to plain text for emails and previews: the words without
/// the markup, paragraphs separated by blank lines.
pub fn plain(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for e in Parser::new_ext(source, options()) {
        match e {
            Event::Text(s) | Event::Code(s) | Event::Html(s) | Event::InlineHtml(s) => {
                out.push_str(&s)
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableRow,
            ) if !out.is_empty() && !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Refuses text that tries to carry HTML or script, or is longer than
/// [`MAX_LEN`]: a 422 naming `field`. Plain Markdown, including `<` and `>` in
/// prose and code, passes.
pub fn check(field: &'static str, source: &str) -> AppResult<()> {
    if source.chars().count() > MAX_LEN {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    for e in Parser::new_ext(source, options()) {
        let bad = match &e {
            Event::Html(s) | Event::InlineHtml(s) => looks_like_html(s),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => !safe_url(dest_url),
            _ => false,
        };
        if bad {
            return Err(AppError::invalid(
                field,
                "must be Markdown without HTML, scripts or javascript: links",
            ));
        }
    }
    Ok(())
}

/// Whether a raw-HTML fragment is a real tag (not `a < b` prose).
fn looks_like_html(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with('<')
        && t[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
}

fn safe_url(url: &str) -> bool {
    let lower: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.split_once(':') {
        // A scheme only counts before any `/`, `?` or `#`.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_rendering_is_the_rendering() {
        let src = "Remembered *once*: [a](https://example.org) <b>raw</b>";
        let first = render(src);
        assert_eq!(render(src), first);
        assert_eq!(render_fresh(src), first);
        assert!(first.contains("&lt;b&gt;raw&lt;/b&gt;"), "{first}");
        // Another source is never answered from the memory of this one.
        assert_ne!(render("Remembered *twice*"), first);
    }

    #[test]
    fn renders_markdown() {
        let h = render("# Hi\n\n*one* and **two**\n\n- [x] done\n\n[site](https://example.org)");
        assert!(h.contains("<h1>Hi</h1>"), "{h}");
        assert!(h.contains("<em>one</em>"), "{h}");
        assert!(h.contains("<strong>two</strong>"), "{h}");
        assert!(h.contains("checked"), "{h}");
        assert!(
            h.contains(r#"<a href="https://example.org" rel="noopener noreferrer nofollow">"#),
            "{h}"
        );
    }

    #[test]
    fn never_lets_script_through() {
        for src in [
            "<script>alert(1)</script>",
            "hello <img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "![x](data:text/html;base64,PHNjcmlwdD4=)",
        ] {
            let h = render(src);
            assert!(!h.contains("<script"), "{src} → {h}");
            assert!(!h.contains("<img"), "{src} → {h}");
            // Escaped text may say anything; no element may carry it.
            assert!(
                !h.to_lowercase().contains("<a href=\"javascript"),
                "{src} → {h}"
            );
            assert!(check("note", src).is_err(), "{src} passed the check");
        }
    }

    #[test]
    fn prose_with_angle_brackets_passes() {
        check("note", "if a < b and b > c then `<div>` is code").unwrap();
        check("note", "mail me: [me](mailto:a@b.example) or [docs](/docs)").unwrap();
        let h = render("a < b");
        assert!(h.contains("a &lt; b"), "{h}");
    }

    #[test]
    fn the_check_names_the_field() {
        let e = check("body", "<script>x</script>").unwrap_err();
        assert!(e.to_string().contains("body"), "{e}");
        let long = "a".repeat(MAX_LEN + 1);
        assert!(check("body", &long).is_err());
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain("# Hi\n\nsome *em* text"), "Hi\nsome em text");
    }
}
