//! The third-party services Leadflow calls, and how a failure of one is told to staff.

use super::macros::string_enum;

string_enum!(
    /// A provider whose calls are watched for the Settings page, in the order it lists them.
    Provider {
        Twilio => "twilio",
        SendGrid => "sendgrid",
        OpenAi => "openai",
        Slack => "slack",
        Salesforce => "salesforce",
        Google => "google",
        Stripe => "stripe",
    }
);

/// Longest error text kept (characters).
pub const MAX_ERROR_CHARS: usize = 300;

/// A provider's error as staff may see it: URLs cut to their host (a webhook URL or a
/// query string can carry a token), words that look like keys or tokens replaced, and
/// the whole cut to [`MAX_ERROR_CHARS`].
pub fn scrub_error(message: &str) -> String {
    let words: Vec<String> = message.split_whitespace().map(scrub_word).collect();
    let joined = words.join(" ");
    if joined.chars().count() <= MAX_ERROR_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_ERROR_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn scrub_word(word: &str) -> String {
    if let Some(at) = word.find("://") {
        let (scheme, rest) = word.split_at(at);
        let host = rest[3..].split(['/', '?', '#']).next().unwrap_or_default();
        // Credentials in the authority (`user:pass@host`) go too.
        let host = host.rsplit('@').next().unwrap_or_default();
        return format!("{scheme}://{host}");
    }
    let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if looks_secret(core) { word.replace(core, "[redacted]") } else { word.to_owned() }
}

/// Long runs of letters and digits mixed (API keys, tokens, signatures). Provider ids
/// such as Twilio's `SM…` look alike and are lost too, which costs nothing here.
fn looks_secret(w: &str) -> bool {
    w.len() >= 20
        && w.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*'))
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_urls_and_keys_and_stay_short() {
        let said = "slack unavailable: HTTP 500 for https://hooks.slack.com/services/T000/B000/XXXXsecret?x=1";
        assert_eq!(scrub_error(said), "slack unavailable: HTTP 500 for https://hooks.slack.com");
        let auth = "Incorrect API key provided: sk-proj-abc123def456ghi789jkl. Check it";
        assert_eq!(scrub_error(auth), "Incorrect API key provided: [redacted]. Check it");
        assert_eq!(scrub_error("user https://me:pw@example.com/x"), "user https://example.com");
        let long = "word ".repeat(200);
        let cut = scrub_error(&long);
        assert_eq!(cut.chars().count(), MAX_ERROR_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(scrub_error("HTTP 401: Unauthorized"), "HTTP 401: Unauthorized");
    }

    #[test]
    fn providers_are_listed_in_the_settings_order() {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names, ["twilio", "sendgrid", "openai", "slack", "salesforce", "google", "stripe"]);
    }
}
