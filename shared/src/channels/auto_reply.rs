//! Telling an e-mail a machine sent (an out-of-office, a vacation responder, a list
//! digest) from one the customer wrote. Answering one would start a loop of two robots,
//! and reading it as the customer replying would stop their follow-ups for nothing.
//!
//! The headers decide first: `Auto-Submitted` other than `no` (RFC 3834), `X-Autoreply`,
//! `X-Autorespond`, `X-Auto-Response-Suppress` naming `OOF` or `All` (Exchange and
//! Outlook), `Precedence: auto_reply|bulk|junk|list`. Responders that set none of them
//! still say so in the subject, which is the fallback.

use super::sendgrid::header;

/// Subject openings of automatic replies, lower-case, without the colon that follows
/// (Outlook writes the localised "Automatic reply" of the sender's language; French puts
/// a space before the colon).
const SUBJECT_PREFIXES: &[&str] = &[
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "out of office",
    "out of the office",
    "réponse automatique",
    "respuesta automática",
    "resposta automática",
    "risposta automatica",
    "automatische antwort",
    "abwesenheitsnotiz",
];

/// Whether the e-mail with this raw header block and subject was sent automatically.
pub fn is_automatic(headers: &str, subject: Option<&str>) -> bool {
    automatic_by_headers(headers) || subject.is_some_and(automatic_by_subject)
}

fn automatic_by_headers(headers: &str) -> bool {
    // A header's value without its comments or parameters: `auto-replied; owner-email=...`.
    let token = |name: &str| {
        header(headers, name).map(|v| v.split([';', '(']).next().unwrap_or_default().trim().to_ascii_lowercase())
    };
    if token("Auto-Submitted").is_some_and(|v| !v.is_empty() && v != "no") {
        return true;
    }
    // Their presence is the signal; the values vary by responder ("yes", "1", "auto").
    if header(headers, "X-Autoreply").is_some() || header(headers, "X-Autorespond").is_some() {
        return true;
    }
    let suppress = header(headers, "X-Auto-Response-Suppress").unwrap_or_default();
    if suppress.split(',').map(str::trim).any(|v| v.eq_ignore_ascii_case("oof") || v.eq_ignore_ascii_case("all")) {
        return true;
    }
    token("Precedence").is_some_and(|v| matches!(v.as_str(), "auto_reply" | "bulk" | "junk" | "list"))
}

fn automatic_by_subject(subject: &str) -> bool {
    let subject = subject.trim_start().to_lowercase();
    SUBJECT_PREFIXES
        .iter()
        .any(|prefix| subject.strip_prefix(prefix).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "Received: by mx.sendgrid.net\r\nMessage-ID: <a@b.example>\r\nSubject: Quote\r\n";

    #[test]
    fn a_person_s_mail_is_not_automatic() {
        assert!(!is_automatic(PLAIN, Some("Quote request")));
        assert!(!is_automatic(&format!("{PLAIN}Auto-Submitted: no\r\n"), Some("Re: your quote")));
        assert!(!is_automatic(&format!("{PLAIN}X-Auto-Response-Suppress: DR, RN, NRN\r\n"), None));
        assert!(!is_automatic(&format!("{PLAIN}Precedence: first-class\r\n"), None));
        // A subject that merely mentions an office is the customer's.
        assert!(!is_automatic(PLAIN, Some("Out of office hours, can you still come?")));
        assert!(!is_automatic(PLAIN, Some("Re: Automatic reply settings for my plumbing company")));
    }

    #[test]
    fn rfc_3834_and_responder_headers_mark_it() {
        for extra in [
            "Auto-Submitted: auto-replied\r\n",
            "Auto-Submitted: auto-generated (vacation)\r\n",
            "auto-submitted: Auto-Notified; owner-email=\"dana@example.com\"\r\n",
            "X-Autoreply: yes\r\n",
            "X-Autorespond: Out of office\r\n",
            "X-Auto-Response-Suppress: All\r\n",
            "X-Auto-Response-Suppress: DR, OOF, AutoReply\r\n",
            "Precedence: auto_reply\r\n",
            "Precedence: bulk\r\n",
            "Precedence: junk\r\n",
            "Precedence: list\r\n",
        ] {
            assert!(is_automatic(&format!("{PLAIN}{extra}"), Some("Quote request")), "{extra}");
        }
    }

    #[test]
    fn typical_subjects_mark_it_when_the_headers_do_not() {
        for subject in [
            "Automatic reply: Your quote from Austin Plumbing",
            "Out of Office: Re: Quote request",
            "Autoreply: Thanks for your message",
            "AUTO-REPLY: away until Monday",
            "Réponse automatique : Devis façade",
            "Abwesenheitsnotiz: Ihr Angebot",
        ] {
            assert!(is_automatic(PLAIN, Some(subject)), "{subject}");
        }
    }
}
