//! SMS keywords, handled before any AI: Twilio's default opt-out, opt-in and help sets.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Start,
    Help,
}

const STOP: &[&str] =
    &["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT", "REVOKE"];
const START: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

/// The keyword a message consists of, if it is one (case, spacing and a trailing
/// punctuation mark ignored, as carriers do). A keyword inside a sentence is not one.
pub fn sms_keyword(text: &str) -> Option<Keyword> {
    let upper = text.trim().trim_end_matches(['.', '!']).to_uppercase().replace('-', " ");
    let normalized = upper.split_whitespace().collect::<Vec<_>>().join(" ");
    if STOP.contains(&normalized.as_str()) {
        Some(Keyword::Stop)
    } else if START.contains(&normalized.as_str()) {
        Some(Keyword::Start)
    } else if HELP.contains(&normalized.as_str()) {
        Some(Keyword::Help)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_keyword_sets() {
        for t in [
            "STOP",
            "stop",
            " Stop. ",
            "stopall",
            "Stop all",
            "UNSUBSCRIBE",
            "cancel",
            "end",
            "quit",
            "opt-out",
            "revoke",
        ] {
            assert_eq!(sms_keyword(t), Some(Keyword::Stop), "{t}");
        }
        for t in ["START", "yes", "Unstop"] {
            assert_eq!(sms_keyword(t), Some(Keyword::Start), "{t}");
        }
        for t in ["HELP", "info!"] {
            assert_eq!(sms_keyword(t), Some(Keyword::Help), "{t}");
        }
        for t in ["please stop texting me", "stop by tomorrow?", "yes please book me", "", "cancel my appointment"] {
            assert_eq!(sms_keyword(t), None, "{t}");
        }
    }
}
