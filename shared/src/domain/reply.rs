//! Channel limits every reply obeys, whoever wrote it: SMS replies are short plain text
//! in the GSM-7 alphabet (one encoding, no surprise multi-part UCS-2 messages).

use super::Channel;

/// Two concatenated GSM-7 segments.
pub const SMS_MAX_CHARS: usize = 306;
pub const CHAT_MAX_CHARS: usize = 1_000;
pub const EMAIL_MAX_CHARS: usize = 5_000;

const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€";

/// Replaces typographic characters with GSM-7 equivalents and drops the rest (emoji).
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' | '`' => "'",
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => "\"",
            '\u{2013}' | '\u{2014}' | '\u{2212}' | '\u{2022}' => "-",
            '\u{2026}' => "...",
            '\u{00A0}' | '\t' => " ",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
        } else if GSM7.contains(c) {
            out.push(c);
        }
    }
    out
}

/// Cuts `text` to at most `max` characters, at a sentence or word end when possible.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    if let Some(end) = cut.rfind(['.', '!', '?']).filter(|&i| i > max / 2) {
        return cut[..=end].to_owned();
    }
    let word_end = cut.rfind(' ').filter(|&i| i > max / 2).unwrap_or(cut.len());
    let mut short: String = cut[..word_end].trim_end().to_owned();
    while short.chars().count() > max.saturating_sub(3) {
        short.pop();
    }
    short.push_str("...");
    short
}

/// The reply as it may go out on `channel`.
pub fn fit_for_channel(text: &str, channel: Channel) -> String {
    let text = text.trim();
    match channel {
        // GSM-7 on one line: one encoding, the fewest segments.
        Channel::Sms => {
            let flat = to_gsm7(text).split_whitespace().collect::<Vec<_>>().join(" ");
            shorten(&flat, channel.max_reply_chars())
        }
        Channel::Chat | Channel::Form | Channel::Email => shorten(text, channel.max_reply_chars()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_is_gsm7_and_short() {
        let s = fit_for_channel("We\u{2019}re on it \u{2014} see you soon \u{1F600}\n\nThanks!", Channel::Sms);
        assert_eq!(s, "We're on it - see you soon Thanks!");
        let long = "This is a sentence. ".repeat(40);
        let cut = fit_for_channel(&long, Channel::Sms);
        assert!(cut.chars().count() <= SMS_MAX_CHARS && cut.ends_with('.'), "{cut}");
        let words = "word ".repeat(100);
        let cut = fit_for_channel(&words, Channel::Sms);
        assert!(cut.chars().count() <= SMS_MAX_CHARS && cut.ends_with("..."), "{cut}");
    }

    #[test]
    fn email_keeps_its_lines() {
        assert_eq!(fit_for_channel("Hi,\n\nSure.\n", Channel::Email), "Hi,\n\nSure.");
    }
}
