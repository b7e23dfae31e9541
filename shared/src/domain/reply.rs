//! Channel limits every reply obeys, whoever wrote it: an SMS reply is plain text within
//! two segments, in the GSM-7 alphabet whenever it can be (typographic quotes and
//! dashes replaced, pictographs dropped), so no reply turns into a costly UCS-2 message
//! by accident; a name in another script keeps it, and the tighter UCS-2 limit.

use super::Channel;

/// Two concatenated GSM-7 segments (153 septets each).
pub const SMS_MAX_CHARS: usize = 306;
/// Two concatenated UCS-2 segments (67 UTF-16 units each).
pub const SMS_MAX_UCS2: usize = 134;
pub const CHAT_MAX_CHARS: usize = 1_000;
pub const EMAIL_MAX_CHARS: usize = 5_000;

const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each costs two septets (an escape, then the character).
const GSM7_EXTENDED: &str = "^{}\\[~]|€";

/// How an SMS is encoded, which sets what two segments hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// The encoding a text needs and its length in that encoding's units (septets, or
/// UTF-16 code units for UCS-2).
pub fn sms_length(text: &str) -> (SmsEncoding, usize) {
    if text.chars().all(|c| GSM7.contains(c) || GSM7_EXTENDED.contains(c)) {
        let septets = text.chars().map(|c| if GSM7_EXTENDED.contains(c) { 2 } else { 1 }).sum();
        (SmsEncoding::Gsm7, septets)
    } else {
        (SmsEncoding::Ucs2, text.encode_utf16().count())
    }
}

/// Whether a text fits two SMS segments in the encoding it needs.
pub fn fits_sms(text: &str) -> bool {
    match sms_length(text) {
        (SmsEncoding::Gsm7, n) => n <= SMS_MAX_CHARS,
        (SmsEncoding::Ucs2, n) => n <= SMS_MAX_UCS2,
    }
}

/// Replaces typographic characters with GSM-7 equivalents and drops pictographs
/// (emoji, symbols). Letters of other scripts stay: a name in them is worth UCS-2.
pub fn to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            // Accented letters GSM-7 lacks: "Ramón" as "Ramon" keeps the whole reply GSM-7.
            'á' | 'â' | 'ã' | 'ā' => "a",
            'Á' | 'À' | 'Â' | 'Ã' => "A",
            'ê' | 'ë' | 'ē' => "e",
            'Ê' | 'Ë' | 'È' => "E",
            'í' | 'î' | 'ï' => "i",
            'Í' | 'Î' | 'Ï' | 'Ì' => "I",
            'ó' | 'ô' | 'õ' | 'ō' => "o",
            'Ó' | 'Ô' | 'Õ' | 'Ò' => "O",
            'ú' | 'û' | 'ū' => "u",
            'Ú' | 'Û' | 'Ù' => "U",
            'ç' => "c",
            'ý' | 'ÿ' => "y",
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' | '`' => "'",
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => "\"",
            '\u{2013}' | '\u{2014}' | '\u{2212}' | '\u{2022}' => "-",
            '\u{2026}' => "...",
            '\u{00A0}' | '\t' => " ",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
        } else if GSM7.contains(c) || GSM7_EXTENDED.contains(c) || c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

/// Cuts `text` so that `fits(text)` holds, at a sentence or word end when possible.
fn shorten(text: &str, fits: impl Fn(&str) -> bool) -> String {
    if fits(text) {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    // The longest prefix that fits (lengths grow with the prefix, so a binary search).
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&chars[..mid].iter().collect::<String>()) { lo = mid } else { hi = mid - 1 }
    }
    let cut: String = chars[..lo].iter().collect();
    let half = cut.len() / 2;
    // A sentence ends at a mark followed by a space or the end, never inside "$1,299.99".
    let next_is_space = |i: usize| text[i + 1..].chars().next().is_none_or(char::is_whitespace);
    if let Some(end) = cut.match_indices(['.', '!', '?']).map(|(i, _)| i).rfind(|&i| i > half && next_is_space(i)) {
        return cut[..=end].to_owned();
    }
    let word_end = cut.rfind(' ').filter(|&i| i > half).unwrap_or(cut.len());
    let mut short: String = cut[..word_end].trim_end().to_owned();
    while !fits(&format!("{short}...")) && !short.is_empty() {
        short.pop();
    }
    short.push_str("...");
    short
}

/// The reply as it may go out on `channel`.
pub fn fit_for_channel(text: &str, channel: Channel) -> String {
    let text = text.trim();
    match channel {
        // GSM-7 on one line when it can be: the fewest segments.
        Channel::Sms => {
            let flat = to_gsm7(text).split_whitespace().collect::<Vec<_>>().join(" ");
            shorten(&flat, fits_sms)
        }
        Channel::Chat | Channel::Form | Channel::Email => {
            let max = channel.max_reply_chars();
            shorten(text, |t| t.chars().count() <= max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_is_gsm7_and_short() {
        let s = fit_for_channel("We\u{2019}re on it \u{2014} see you soon \u{1F600}\n\nThanks!", Channel::Sms);
        assert_eq!(s, "We're on it - see you soon Thanks!");
        assert_eq!(sms_length(&s), (SmsEncoding::Gsm7, s.len()));
        assert_eq!(sms_length("{x}"), (SmsEncoding::Gsm7, 5), "extension characters take two septets");
        let braces = fit_for_channel(&"{} ".repeat(200), Channel::Sms);
        assert!(fits_sms(&braces) && sms_length(&braces).1 <= SMS_MAX_CHARS, "{braces}");
        let long = "This is a sentence. ".repeat(40);
        let cut = fit_for_channel(&long, Channel::Sms);
        assert!(cut.chars().count() <= SMS_MAX_CHARS && cut.ends_with('.'), "{cut}");
        let words = "word ".repeat(100);
        let cut = fit_for_channel(&words, Channel::Sms);
        assert!(cut.chars().count() <= SMS_MAX_CHARS && cut.ends_with("..."), "{cut}");
    }

    #[test]
    fn cuts_fall_between_sentences_and_accents_stay_gsm7() {
        let text = format!("{} It costs $1,299.99 installed and more words follow here.", "A sentence. ".repeat(22));
        let cut = fit_for_channel(&text, Channel::Sms);
        assert!(cut.ends_with("A sentence.") && !cut.contains("$1,299."), "{cut}");
        let name = fit_for_channel("Hola Ramón, gracias", Channel::Sms);
        assert_eq!((name.as_str(), sms_length(&name).0), ("Hola Ramon, gracias", SmsEncoding::Gsm7));
    }

    #[test]
    fn sms_in_another_script_fits_two_ucs2_segments() {
        let text = format!("Hi \u{674E}\u{660E}, {}", "thanks for writing. ".repeat(10));
        let cut = fit_for_channel(&text, Channel::Sms);
        assert_eq!(sms_length(&cut).0, SmsEncoding::Ucs2);
        assert!(cut.encode_utf16().count() <= SMS_MAX_UCS2 && cut.starts_with("Hi \u{674E}"), "{cut}");
    }

    #[test]
    fn email_keeps_its_lines() {
        assert_eq!(fit_for_channel("Hi,\n\nSure.\n", Channel::Email), "Hi,\n\nSure.");
    }
}
