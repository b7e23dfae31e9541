//! What keeps the model's reply as grounded as the rules engine's: the conversation
//! state goes into the prompt (greeted already, closed notice given, the service under
//! discussion, the open question, facts stated), and the answer is checked before it is
//! sent. A reply that states a price the settings do not list, a clock time that is
//! neither an opening hour nor a time the booking tools returned, or more than the
//! channel holds is `BadOutput`, so the rules engine answers instead (and the log says
//! why).

use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Timelike, Utc};
use regex::Regex;
use serde_json::json;

use crate::ai::front_desk::{find_service, next_opening};
use crate::ai::{AiError, BookedSlot, BookingDesk, DeskError, ReplyContext, money};
use crate::domain::conversation_state::Said;
use crate::domain::reply::{fits_sms, to_gsm7};
use crate::domain::slot_talk::describe_time;
use crate::domain::{Channel, Direction, Text};

/// Ends a reply the model could not ground: a person must answer.
pub(super) const NEEDS_PERSON: &str = "[needs-person]";

/// The prompt's paragraph on the conversation so far, and what the reply will have said
/// if the model follows it.
pub(super) fn conversation_rules(ctx: &ReplyContext<'_>) -> (String, Said) {
    let s = ctx.settings;
    let mut said = Said { greeted: ctx.state.should_greet(ctx.now), ..Said::default() };
    let mut rules = vec![if said.greeted {
        "Open with a short greeting.".to_owned()
    } else {
        "The customer has already been greeted: do not greet again, answer straight away.".to_owned()
    }];
    let say_closed = !ctx.open_now && ctx.state.should_say_closed(ctx.now, &s.business_hours, s.time_zone);
    match (ctx.open_now, say_closed) {
        (true, _) => rules.push("The business is open now.".into()),
        (false, true) => {
            said.said_closed = true;
            let when = next_opening(&s.business_hours, s.time_zone, ctx.now)
                .map(|w| format!(" It opens again {w}."))
                .unwrap_or_default();
            rules.push(format!("The business is closed now; say so once.{when}"));
        }
        (false, false) => rules.push("The customer already knows the business is closed: do not say it again.".into()),
    }
    let service = find_service(s, &ctx.inbound.content).map(|sv| sv.name.as_str()).or(ctx.state.current_service());
    if let Some(service) = service {
        said.services.push(service.to_owned());
        rules.push(format!("The service under discussion is {service:?}: \"it\" or \"that\" refers to it."));
    }
    let offered: Vec<String> = ctx.state.slots_offered.iter().map(|t| describe_time(*t, s.time_zone)).collect();
    let state = json!({
        "slots_offered": offered,
        "services_discussed": ctx.state.services,
        "open_question": ctx.state.open_question,
        "last_intent": ctx.state.last_intent,
        "facts": ctx.state.facts,
    });
    rules.push(format!("Conversation state (JSON): {state}"));
    rules.push(format!(
        "If neither the profile nor the FAQ answers what the customer asks, do not guess: say a team member will \
         answer it, and end the message with {NEEDS_PERSON}."
    ));
    (rules.join(" "), said)
}

static CLOCK_12: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*([ap])\.?\s?m\b\.?").expect("the 12-hour pattern compiles")
});
static CLOCK_24: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([01]?\d|2[0-3]):([0-5]\d)\b").expect("the 24-hour pattern compiles"));

/// The clock times a text states, as minutes after midnight.
fn clock_times(text: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let mut covered = Vec::new();
    for c in CLOCK_12.captures_iter(text) {
        let hour: u32 = c[1].parse().unwrap_or(0) % 12;
        let minute: u32 = c.get(2).map_or(0, |m| m.as_str().parse().unwrap_or(0));
        let pm = c[3].eq_ignore_ascii_case("p");
        found.push((hour + if pm { 12 } else { 0 }) * 60 + minute);
        covered.push(c.get(0).map_or(0..0, |m| m.range()));
    }
    for c in CLOCK_24.captures_iter(text) {
        let range = c.get(0).map_or(0..0, |m| m.range());
        if covered.iter().any(|r| r.start <= range.start && range.start < r.end) {
            continue;
        }
        found.push(c[1].parse::<u32>().unwrap_or(0) * 60 + c[2].parse::<u32>().unwrap_or(0));
    }
    let lower = text.to_lowercase();
    if crate::domain::profile::contains_phrase(&lower, "noon")
        || crate::domain::profile::contains_phrase(&lower, "midday")
    {
        found.push(12 * 60);
    }
    found
}

/// The model's reply, or why it must not be sent. `seen` are the times the booking
/// tools returned in this reply's run; the times offered earlier count as open too.
pub(super) fn check(answer: &str, ctx: &ReplyContext<'_>, seen: &[DateTime<Utc>]) -> Result<(String, bool), AiError> {
    let s = ctx.settings;
    let marker = answer.to_ascii_lowercase().find(NEEDS_PERSON);
    let unanswered = marker.is_some();
    let text = match marker {
        // ASCII lower-casing keeps every byte offset; everything after the marker goes.
        Some(at) if answer.is_char_boundary(at) => answer[..at].trim().to_owned(),
        Some(_) | None => answer.trim().to_owned(),
    };
    let mut grounds: Vec<&str> = s.services.iter().filter_map(|sv| sv.price.as_ref().map(Text::as_str)).collect();
    grounds.extend(s.faq.iter().map(|f| f.answer.as_str()));
    grounds.extend(s.about.as_ref().map(Text::as_str));
    // Echoing the customer's own figure ("within your $500 budget") invents nothing.
    grounds.push(&ctx.inbound.content);
    grounds.extend(ctx.history.iter().filter(|m| m.direction == Direction::Inbound).map(|m| m.content.as_str()));
    let invented = money::invented(&text, &grounds);
    if !invented.is_empty() {
        return Err(AiError::BadOutput(format!(
            "reply states prices the settings do not list: {}",
            invented.join(", ")
        )));
    }
    let tz = s.time_zone.tz();
    let mut allowed: Vec<u32> = seen
        .iter()
        .chain(&ctx.state.slots_offered)
        .map(|t| {
            let local = t.with_timezone(&tz);
            local.hour() * 60 + local.minute()
        })
        .collect();
    for day in [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ] {
        for span in s.business_hours.spans(day) {
            allowed.extend([u32::from(span.open), u32::from(span.close) % (24 * 60)]);
        }
    }
    if ctx.booking.is_some() {
        // With the booking tools, a time is only ever booked through them: the customer's
        // own time may be named in saying it is not open.
        allowed.extend(clock_times(&ctx.inbound.content));
    }
    if let Some(t) = clock_times(&text).into_iter().find(|t| !allowed.contains(t)) {
        return Err(AiError::BadOutput(format!(
            "reply names {:02}:{:02}, neither an opening hour nor an open time the tools returned",
            t / 60,
            t % 60
        )));
    }
    let channel = ctx.channel;
    let fits = match channel {
        Channel::Sms => fits_sms(&to_gsm7(&text).split_whitespace().collect::<Vec<_>>().join(" ")),
        Channel::Chat | Channel::Form | Channel::Email => text.chars().count() <= channel.max_reply_chars(),
    };
    if !fits {
        return Err(AiError::BadOutput(format!("reply too long for {channel} ({} characters)", text.chars().count())));
    }
    if text.is_empty() {
        return Err(AiError::BadOutput("empty reply".into()));
    }
    Ok((text, unanswered))
}

/// The booking desk, noting every time it tells the model about.
pub(super) struct Recorder<'d> {
    pub(super) desk: &'d dyn BookingDesk,
    pub(super) seen: Mutex<Vec<DateTime<Utc>>>,
    /// The desk's own words for a booking it made, moved or cancelled.
    pub(super) changed: Mutex<Option<String>>,
}

impl Recorder<'_> {
    fn note(&self, times: impl IntoIterator<Item = DateTime<Utc>>) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.extend(times);
        }
    }

    fn note_error(&self, e: &DeskError) {
        if let DeskError::NotOpen { nearest } = e {
            self.note(nearest.iter().copied());
        }
    }

    pub(super) fn times(&self) -> Vec<DateTime<Utc>> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn note_change(&self, slot: &BookedSlot) {
        self.note([slot.start, slot.end]);
        if let Ok(mut changed) = self.changed.lock() {
            *changed = Some(slot.text.clone());
        }
    }

    /// The confirmation of a change the desk made: once a booking has changed, the
    /// customer must be told that, whatever becomes of the model's words.
    pub(super) fn confirmation(&self) -> Option<String> {
        self.changed.lock().ok().and_then(|c| c.clone())
    }
}

#[async_trait::async_trait]
impl BookingDesk for Recorder<'_> {
    async fn open_times(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, DeskError> {
        let result = self.desk.open_times(from, to, limit).await;
        match &result {
            Ok(times) => self.note(times.iter().copied()),
            Err(e) => self.note_error(e),
        }
        result
    }

    async fn book(&self, start: DateTime<Utc>) -> Result<BookedSlot, DeskError> {
        let result = self.desk.book(start).await;
        match &result {
            Ok(slot) => self.note_change(slot),
            Err(e) => self.note_error(e),
        }
        result
    }

    async fn cancel(&self) -> Result<BookedSlot, DeskError> {
        let result = self.desk.cancel().await;
        match &result {
            Ok(slot) => self.note_change(slot),
            Err(e) => self.note_error(e),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone as _;

    use super::*;
    use crate::domain::analysis::{Entities, Intent, Urgency};
    use crate::domain::conversation_state::ConversationState;
    use crate::domain::profile::FaqEntry;
    use crate::domain::text::{LongText, ShortText};
    use crate::domain::{Analysis, BusinessHours, Service, Settings, TimeZone, test_support};

    fn settings() -> Settings {
        let mut hours = BTreeMap::new();
        hours.insert("mon".to_owned(), vec!["08:00-18:00".to_owned()]);
        Settings {
            time_zone: TimeZone::parse("America/Chicago").unwrap(),
            business_hours: BusinessHours::from_map(&hours).unwrap(),
            services: vec![Service {
                name: ShortText::literal("Water heater replacement"),
                description: None,
                price: Some(ShortText::literal("from $1,200 installed")),
            }],
            faq: vec![FaqEntry {
                question: ShortText::literal("Is there a call-out fee?"),
                answer: LongText::literal("Yes, $89, waived if you book the job."),
            }],
            ..Settings::default()
        }
    }

    fn checked(
        answer: &str,
        customer_says: &str,
        channel: Channel,
        seen: &[DateTime<Utc>],
    ) -> Result<(String, bool), AiError> {
        let settings = settings();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 16, 0, 0).unwrap();
        let customer = test_support::customer(None, now);
        let inbound = test_support::inbound(customer.id, channel, customer_says, now);
        let analysis = Analysis {
            intent: Intent::Pricing,
            team: Intent::Pricing.team(),
            urgency: Urgency::Low,
            entities: Entities::default(),
            confidence: 0.9,
            wants_human: false,
        };
        let state = ConversationState::default();
        let ctx = ReplyContext {
            settings: &settings,
            customer: &customer,
            history: &[],
            inbound: &inbound,
            channel,
            analysis: &analysis,
            handoff: None,
            open_now: true,
            now,
            state: &state,
            emergency: None,
            booking: None,
        };
        check(answer, &ctx, seen)
    }

    #[test]
    fn prices_must_come_from_the_settings_the_faq_or_the_customer() {
        assert!(checked("It's from $1,200 installed; the call-out is $89.", "price?", Channel::Chat, &[]).is_ok());
        assert!(checked("Within your $500 budget we can look.", "I have $500", Channel::Chat, &[]).is_ok());
        let err = checked("Drain cleaning is $99 today.", "price?", Channel::Chat, &[]).unwrap_err();
        assert!(err.to_string().contains("$99"), "{err}");
    }

    #[test]
    fn times_must_be_opening_hours_or_returned_by_the_tools() {
        assert!(checked("We open at 8am and close at 6pm.", "hours?", Channel::Chat, &[]).is_ok());
        assert!(checked("We can come at 10:30am.", "when?", Channel::Chat, &[]).is_err());
        let slot = Utc.with_ymd_and_hms(2026, 12, 8, 16, 30, 0).unwrap(); // 10:30 in Chicago
        assert!(checked("10:30am is open.", "when?", Channel::Chat, &[slot]).is_ok());
    }

    #[test]
    fn the_marker_is_removed_in_any_case_and_length_is_the_channels() {
        let (text, unanswered) =
            checked("A team member will answer that. [NEEDS-PERSON]", "licensed?", Channel::Chat, &[]).unwrap();
        assert_eq!(text, "A team member will answer that.");
        assert!(unanswered);
        assert!(checked(&"Long text. ".repeat(40), "?", Channel::Sms, &[]).is_err());
        assert!(checked(&"Long text. ".repeat(40), "?", Channel::Chat, &[]).is_ok());
    }

    #[test]
    fn clock_times_are_read_in_both_styles() {
        assert_eq!(clock_times("Tue 10:00 or 2:30pm, 9 AM, 12pm"), [14 * 60 + 30, 9 * 60, 12 * 60, 10 * 60]);
        assert!(clock_times("call (512) 555-0100, 24/7, $1,200, step 2 of 3").is_empty());
        assert_eq!(clock_times("we can come at noon"), [12 * 60]);
    }
}
