//! Reducing an e-mail body to what the customer newly wrote: quoted replies, forwarded
//! history and signatures removed; HTML turned into text when there is no plain part.

use std::sync::LazyLock;

use regex::Regex;

// A mail client's attribution line, in the languages leads commonly write in
// ("On … wrote:", "Le … a écrit :", "Am … schrieb X:", "El … escribió:", …).
static REPLY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)^\s*(on\s.{3,200}\swrote:\s*$|(le|el|em|il)\s.{0,200}\d.{0,200}\s(a écrit|escribió|escreveu|ha scritto)\s?:\s*$|(am|op)\s.{0,200}\d.{0,200}\s(schrieb|schreef)(\s.{1,200})?:\s*$|-{2,}\s*original message\s*-{2,}|_{5,}\s*$|from:\s.+\s*$\s*^\s*(sent|date):\s)",
    )
    .expect("valid regex")
});

static SENT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(sent from my \w+|get outlook for \w+|sent from (mail|yahoo mail) for)").expect("valid regex")
});

static TAGS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("valid regex"));
static DROP_BLOCKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<(script|style|head|blockquote)\b.*?</(script|style|head|blockquote)>").expect("valid regex")
});
static BREAKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?>").expect("valid regex"));

/// The new part of an e-mail reply.
pub fn new_text(body: &str) -> String {
    let body = body.replace("\r\n", "\n");
    let cut = REPLY_HEADER.find(&body).map_or(body.len(), |m| m.start());
    let mut lines: Vec<&str> = body[..cut].lines().filter(|l| !l.trim_start().starts_with('>')).collect();
    // A "-- " line starts the signature (RFC 3676): keep its first line, usually the
    // sender's name, as a sign-off and drop the rest. A "Sent from my phone" footer goes.
    if let Some(pos) = lines.iter().position(|l| SENT_FROM.is_match(l)) {
        lines.truncate(pos);
    }
    if let Some(pos) = lines.iter().position(|l| l.trim_end() == "--") {
        let name = lines.get(pos + 1).map(|l| l.trim()).filter(|l| !l.is_empty() && l.chars().count() <= 60);
        let text = collapse(&lines[..pos].join("\n"));
        return match name {
            Some(n) => format!("{text}\n-- {n}"),
            None => text,
        };
    }
    collapse(&lines.join("\n"))
}

/// Text of an HTML body: blocks that are not content dropped, tags removed, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let without_blocks = DROP_BLOCKS.replace_all(html, "");
    let with_breaks = BREAKS.replace_all(&without_blocks, "\n");
    let text = TAGS.replace_all(&with_breaks, "");
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    collapse(&decoded)
}

/// Trims lines and collapses runs of blank lines.
fn collapse(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_style_quotes_are_removed() {
        let body = "Yes, Tuesday works.\n\nOn Mon, Nov 23, 2026 at 9:14 AM Leadflow <hi@acme.com> wrote:\n> Would Tuesday work?\n> Thanks";
        assert_eq!(new_text(body), "Yes, Tuesday works.");
    }

    #[test]
    fn attributions_in_other_languages_are_recognised() {
        for attribution in [
            "Le lun. 23 nov. 2026 à 09:14, Acme <hi@acme.com> a écrit :",
            "Am Mo., 23. Nov. 2026 um 09:14 Uhr schrieb Acme <hi@acme.com>:",
            "El lun, 23 nov 2026 a las 9:14, Acme (<hi@acme.com>) escribió:",
            "Em seg., 23 de nov. de 2026 às 09:14, Acme <hi@acme.com> escreveu:",
        ] {
            let body = format!("D'accord.\n\n{attribution}\n> Mardi ?");
            assert_eq!(new_text(&body), "D'accord.", "{attribution}");
        }
        for own_words in [
            "On Tuesday I wrote: the sink leaks",
            "On the form I wrote down these measurements:\n3 m by 4 m",
            "Le technicien a écrit :\nremplacer le chauffe-eau",
            "Il tecnico ha scritto nel preventivo:\n1200 euro",
        ] {
            assert_eq!(new_text(own_words), own_words.trim());
        }
    }

    #[test]
    fn outlook_style_history_is_removed() {
        let body = "Please cancel.\r\n\r\n-----Original Message-----\r\nFrom: Acme\r\nSent: Monday\r\nSubject: Visit";
        assert_eq!(new_text(body), "Please cancel.");
        let body = "Thanks!\n\nFrom: Acme Support <help@acme.com>\nSent: Monday, 9:00\nTo: me";
        assert_eq!(new_text(body), "Thanks!");
    }

    #[test]
    fn signatures_and_footers_are_removed() {
        assert_eq!(new_text("Can you come today?\n\nSent from my iPhone"), "Can you come today?");
        assert_eq!(
            new_text("Call me back.\n-- \nDana Whitfield\nCEO, Whitfield Homes\n555-0100"),
            "Call me back.\n-- Dana Whitfield"
        );
        assert_eq!(new_text("What's your rate?\n--\nPriya"), "What's your rate?\n-- Priya");
    }

    #[test]
    fn inline_quotes_are_dropped_but_text_kept() {
        assert_eq!(new_text("> old line\nnew line\n\n\n\nmore"), "new line\n\nmore");
    }

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><style>p{}</style></head><body><p>Hi&nbsp;there,</p><p>Price for <b>2</b> rooms?<br>Thanks &amp; bye</p><blockquote>old</blockquote></body></html>";
        assert_eq!(html_to_text(html), "Hi there,\nPrice for 2 rooms?\nThanks & bye");
    }
}
