//! SendGrid Inbound Parse's form, read as SendGrid sends it in either of its two modes.
//!
//! - Parsed (default): `from`, `subject`, `text`, `html`, `headers`, … as separate fields,
//!   each in the charset the sender used, named in the `charsets` field
//!   (`{"text":"iso-8859-1","subject":"UTF-8",…}`); multipart fields carry no charset of
//!   their own, so reading them as UTF-8 would turn every "é" from such a mail into U+FFFD.
//! - Raw ("POST the raw, full MIME message"): the whole message in one `email` field, which
//!   is parsed here into the same fields the parsed mode would have sent.
//!
//! Either way the result is the parsed-mode field map, so `sendgrid::parse_inbound` has
//! one input shape.

use std::collections::HashMap;

use encoding_rs::{Encoding, UTF_8};
use mail_parser::MessageParser;

use super::sendgrid::ParseError;
use crate::domain::Email;

/// The form's fields as text, whichever mode SendGrid is configured for.
pub fn decode_form(raw: &HashMap<String, Vec<u8>>) -> Result<HashMap<String, String>, ParseError> {
    let charsets = charsets(raw)?;
    // The raw message (up to the body limit) is parsed as MIME below, never read as text.
    let mut fields: HashMap<String, String> = raw
        .iter()
        .filter(|(name, _)| name.as_str() != "email")
        .map(|(name, bytes)| (name.clone(), decode(bytes, charsets.get(name.as_str()))))
        .collect();
    if let Some(mime) = raw.get("email") {
        let parsed = parse_mime(mime, fields.get("from").map(String::as_str))?;
        fields.extend(parsed);
    }
    Ok(fields)
}

/// The `charsets` field: a JSON object of field name → charset label.
fn charsets(raw: &HashMap<String, Vec<u8>>) -> Result<HashMap<String, String>, ParseError> {
    let Some(bytes) = raw.get("charsets") else { return Ok(HashMap::new()) };
    serde_json::from_slice(bytes).map_err(|_| ParseError {
        field: "charsets",
        message: "must be a JSON object naming each field's charset, such as {\"text\":\"iso-8859-1\"}".into(),
    })
}

/// Bytes in a declared charset; an unknown or absent label reads as UTF-8 (what SendGrid
/// uses when the mail declared none), replacing what is not valid rather than refusing mail.
fn decode(bytes: &[u8], label: Option<&String>) -> String {
    // `no_replacement`: a label encoding_rs maps to its "replacement" decoder (ISO-2022-KR,
    // HZ) would turn the whole field into one U+FFFD; lossy UTF-8 keeps what it can.
    let encoding = label.and_then(|l| Encoding::for_label_no_replacement(l.trim().as_bytes())).unwrap_or(UTF_8);
    encoding.decode(bytes).0.into_owned()
}

/// The raw MIME message as parsed-mode fields: `from`, `subject`, `text`, `html`, `headers`.
/// The form's own `from` stands in when the MIME From cannot be read.
fn parse_mime(mime: &[u8], form_from: Option<&str>) -> Result<HashMap<String, String>, ParseError> {
    let invalid = |message: &str| ParseError { field: "email", message: message.into() };
    let message = MessageParser::default().parse(mime).ok_or_else(|| invalid("is not a MIME message"))?;
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| {
            let address = a.address().filter(|addr| Email::parse(addr).is_ok())?;
            Some(match a.name() {
                Some(name) => format!("\"{name}\" <{address}>"),
                None => address.to_owned(),
            })
        })
        .or_else(|| form_from.map(str::to_owned))
        .ok_or_else(|| invalid("has no From address"))?;
    let mut fields = HashMap::from([("from".to_owned(), from)]);
    if let Some(subject) = message.subject() {
        fields.insert("subject".into(), subject.to_owned());
    }
    // mail-parser lists an HTML-only mail's HTML part among the text bodies too (and
    // `body_text` would convert it); SendGrid sends only the parts the mail has, as
    // parse_inbound expects, so each is taken by its own type.
    if let Some(text) = message.text_bodies().find(|p| !p.is_text_html()).and_then(|p| p.text_contents()) {
        fields.insert("text".into(), text.to_owned());
    }
    if let Some(html) = message.html_bodies().find(|p| p.is_text_html()).and_then(|p| p.text_contents()) {
        fields.insert("html".into(), html.to_owned());
    }
    let header_end = message.root_part().raw_body_offset() as usize;
    let headers = String::from_utf8_lossy(mime.get(..header_end).unwrap_or(mime)).into_owned();
    fields.insert("headers".into(), headers);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::sendgrid::parse_inbound;

    fn form(pairs: &[(&str, &[u8])]) -> HashMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.to_vec())).collect()
    }

    #[test]
    fn fields_are_decoded_by_their_declared_charset() {
        let latin1_text: &[u8] = b"Bonjour, je voudrais un devis pour la fa\xe7ade. Merci, Ren\xe9e";
        let f = form(&[
            ("from", b"Renee <renee@example.fr>"),
            ("subject", "Devis façade".as_bytes()),
            ("text", latin1_text),
            ("charsets", br#"{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"iso-8859-1"}"#),
        ]);
        let fields = decode_form(&f).unwrap();
        assert_eq!(fields["text"], "Bonjour, je voudrais un devis pour la façade. Merci, Renée");
        assert_eq!(fields["subject"], "Devis façade");
    }

    #[test]
    fn windows_and_japanese_charsets_decode() {
        let f = form(&[
            ("text", b"\x93quoted\x94 \x80 5"),
            ("subject", b"\x1b$B$3$s$K$A$O\x1b(B"),
            ("charsets", br#"{"text":"windows-1252","subject":"iso-2022-jp"}"#),
        ]);
        let fields = decode_form(&f).unwrap();
        assert_eq!(fields["text"], "\u{201c}quoted\u{201d} € 5");
        assert_eq!(fields["subject"], "こんにちは");
    }

    #[test]
    fn unknown_or_missing_charsets_read_as_utf8_and_bad_json_names_the_field() {
        let f = form(&[("text", "naïve".as_bytes()), ("charsets", br#"{"text":"x-klingon"}"#)]);
        assert_eq!(decode_form(&f).unwrap()["text"], "naïve");
        let f = form(&[("text", "naïve".as_bytes())]);
        assert_eq!(decode_form(&f).unwrap()["text"], "naïve");
        let f = form(&[("text", b"x"), ("charsets", b"[1,2]")]);
        assert_eq!(decode_form(&f).unwrap_err().field, "charsets");
    }

    const RAW: &[u8] = b"Received: by mx.sendgrid.net with SMTP id abc\r\n\
From: =?ISO-8859-1?Q?Ren=E9e_Dubois?= <Renee@Example.fr>\r\n\
To: hello@acme.example\r\n\
Subject: =?UTF-8?B?RGV2aXMgZmHDp2FkZQ==?=\r\n\
Message-ID: <raw-1@mail.example.fr>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Pourriez-vous refaire la fa=E7ade ?\r\n\
\r\n\
Le lun. 5 janv., Acme <hello@acme.example> a =E9crit :\r\n\
> Bonjour\r\n\
--b1\r\n\
Content-Type: text/html; charset=UTF-8\r\n\
\r\n\
<p>Pourriez-vous refaire la fa\xc3\xa7ade ?</p>\r\n\
--b1--\r\n";

    #[test]
    fn raw_mime_mode_gives_the_same_message_as_parsed_mode() {
        let raw = form(&[
            ("email", RAW),
            ("from", b"=?ISO-8859-1?Q?Ren=E9e_Dubois?= <Renee@Example.fr>"),
            ("to", b"hello@acme.example"),
            ("charsets", br#"{"to":"UTF-8","from":"UTF-8","subject":"UTF-8"}"#),
            ("envelope", br#"{"to":["hello@acme.example"],"from":"renee@example.fr"}"#),
        ]);
        let from_raw = parse_inbound(&decode_form(&raw).unwrap()).unwrap();

        let parsed = form(&[
            ("from", "Renée Dubois <Renee@Example.fr>".as_bytes()),
            ("subject", "Devis façade".as_bytes()),
            ("text", b"Pourriez-vous refaire la fa\xe7ade ?\r\n\r\nLe lun. 5 janv., Acme <hello@acme.example> a \xe9crit :\r\n> Bonjour"),
            ("headers", b"Message-ID: <raw-1@mail.example.fr>\nTo: hello@acme.example"),
            ("charsets", br#"{"from":"UTF-8","subject":"UTF-8","text":"iso-8859-1"}"#),
        ]);
        let from_parsed = parse_inbound(&decode_form(&parsed).unwrap()).unwrap();

        assert_eq!(from_raw.content, "Pourriez-vous refaire la façade ?");
        assert_eq!(from_raw.name.as_deref(), Some("Renée Dubois"));
        assert_eq!(from_raw.email.as_ref().unwrap().as_str(), "renee@example.fr");
        assert_eq!(from_raw.subject.as_deref(), Some("Devis façade"));
        assert_eq!(from_raw.provider_message_id.as_deref(), Some("email:<raw-1@mail.example.fr>"));
        assert_eq!(from_raw, from_parsed);
    }

    #[test]
    fn raw_mode_takes_an_html_only_mail_as_html_and_falls_back_to_the_form_sender() {
        let mime = b"From: broken <<\r\nSubject: Hi\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>Do you work <b>weekends</b>?</p>\r\n";
        let f = form(&[("email", mime), ("from", b"Kim Park <kim@example.com>")]);
        let fields = decode_form(&f).unwrap();
        assert!(!fields.contains_key("text"), "{fields:?}");
        let m = parse_inbound(&fields).unwrap();
        assert_eq!(m.content, "Do you work weekends?");
        assert_eq!(m.email.unwrap().as_str(), "kim@example.com");
    }

    #[test]
    fn raw_mode_without_a_sender_or_mime_is_refused_on_the_email_field() {
        let f = form(&[("email", b"Subject: hi\r\n\r\nno sender here")]);
        assert_eq!(decode_form(&f).unwrap_err().field, "email");
        let f = form(&[("email", b"")]);
        assert_eq!(decode_form(&f).unwrap_err().field, "email");
    }
}
