//! Planning a step: when it is due (delay from its anchor, moved into the recipient's
//! send window) and on which channel. Pure but for the insert.

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::GenericClient;

use crate::domain::follow_up::FollowUpContent;
use crate::domain::phone_zone::{possible_zones, recipient_zone};
use crate::domain::send_window::{LocalHours, SendRules, SendWindow, next_send_time, step_due};
use crate::domain::sequence::{Sequence, SequenceRun, StepAnchor, StepChannel, StepContent};
use crate::domain::{Channel, Customer, FollowUp, NewFollowUp, Settings, TimeZone};
use crate::store::{StoreError, follow_ups};

/// Two steps of a run never go out closer together than this, whatever their delays
/// say (a step held back by the window would otherwise bunch up with the next).
pub(super) const MIN_GAP: Duration = Duration::hours(1);

/// The window every message honours, whatever else applies: the quiet-hours law.
pub(super) fn quiet_hours_window() -> SendWindow {
    SendWindow::Local(LocalHours::any_lawful())
}

/// The zone a customer's local hours are computed in.
pub(super) fn zone_of(customer: &Customer, settings: &Settings) -> TimeZone {
    recipient_zone(customer.time_zone, customer.phone.as_ref(), settings.time_zone).0
}

/// Zones whose quiet hours hold too: those a number may be in when neither the customer
/// nor the number settles one (so a 208 number is not texted at 06:00 Pacific because
/// the business is in New York).
fn also_lawful_in(customer: &Customer) -> Vec<TimeZone> {
    match (&customer.time_zone, &customer.phone) {
        (None, Some(phone)) => possible_zones(phone),
        (Some(_), _) | (None, None) => Vec::new(),
    }
}

/// Rounds of moving to the next opening of each zone before giving up.
const MAX_ROUNDS: usize = 16;

/// The first time at or after `due` the message may go out to this customer: inside the
/// window in their zone, and inside the lawful hours of every zone they may be in.
pub(super) fn window_opening(
    due: DateTime<Utc>,
    window: &SendWindow,
    weekdays_only: bool,
    customer: &Customer,
    settings: &Settings,
) -> Option<DateTime<Utc>> {
    let rules = |window, weekdays_only, recipient_zone| SendRules {
        window,
        weekdays_only,
        recipient_zone,
        business_zone: settings.time_zone,
        business_hours: &settings.business_hours,
    };
    let lawful = quiet_hours_window();
    let others = also_lawful_in(customer);
    let mut at = next_send_time(due, &rules(window, weekdays_only, zone_of(customer, settings)))?;
    // Each zone's next opening is at or after `at`, equal when `at` is allowed there: a
    // fixed point is allowed everywhere. Mainland zones' lawful hours overlap daily.
    for _ in 0..MAX_ROUNDS {
        let mut moved = false;
        for zone in &others {
            let next = next_send_time(at, &rules(&lawful, false, *zone))?;
            if next > at {
                at = next;
                moved = true;
            }
        }
        if !moved {
            return Some(at);
        }
        at = next_send_time(at, &rules(window, weekdays_only, zone_of(customer, settings)))?;
    }
    None
}

/// The channel a follow-up to this customer goes out on. `Preferred` is the channel
/// they last wrote on, except chat: a chat is read only while the visitor is on the
/// site, so a follow-up goes by e-mail, else SMS, when the chat gave an address.
pub(super) fn channel_for(step: StepChannel, last_used: Option<Channel>, customer: &Customer) -> Channel {
    let preferred = || {
        let last = last_used.map(|c| c.reply_channel(customer));
        match last {
            Some(Channel::Sms) => Channel::Sms,
            Some(Channel::Email) => Channel::Email,
            Some(Channel::Chat | Channel::Form) | None if customer.email.is_some() => Channel::Email,
            Some(Channel::Chat | Channel::Form) | None if customer.phone.is_some() => Channel::Sms,
            Some(Channel::Chat | Channel::Form) | None => Channel::Chat,
        }
    };
    match step {
        StepChannel::Preferred => preferred(),
        StepChannel::Fixed(c) => c,
    }
}

/// Where a run stands when its next step is planned.
pub(super) struct PlanInput<'a> {
    pub sequence: &'a Sequence,
    pub run: &'a SequenceRun,
    pub customer: &'a Customer,
    pub settings: &'a Settings,
    /// The channel the customer last wrote on.
    pub last_used: Option<Channel>,
    /// When the previous step went out or was passed over (none for step 1).
    pub previous_done: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Inserts step `n` of the run; `None` when the sequence has no such step.
pub(super) async fn plan_step(
    c: &impl GenericClient,
    n: u32,
    input: &PlanInput<'_>,
) -> Result<Option<FollowUp>, StoreError> {
    let Some(step) = input.sequence.spec.steps.get(n) else { return Ok(None) };
    let zone = zone_of(input.customer, input.settings);
    let anchor = match step.after {
        StepAnchor::Enrollment => input.run.enrolled_at,
        StepAnchor::PreviousStep => input.previous_done.unwrap_or(input.run.enrolled_at),
    };
    let mut due = step_due(anchor, step.delay_minutes.get(), zone).max(input.now);
    if let Some(previous) = input.previous_done {
        due = due.max(previous + MIN_GAP);
    }
    let spec = &input.sequence.spec;
    // Nothing opens within two weeks: kept at its due time, the send skips it as such.
    let scheduled =
        window_opening(due, &spec.send_window, spec.weekdays_only, input.customer, input.settings).unwrap_or(due);
    let (content, subject) = match &step.content {
        StepContent::Template { text, subject } => {
            (FollowUpContent::Template(text.clone()), subject.as_ref().map(|s| s.as_str().to_owned()))
        }
        StepContent::Personalised => (FollowUpContent::Personalised, None),
    };
    let new = NewFollowUp {
        lead_id: input.run.lead_id,
        customer_id: input.run.customer_id,
        run_id: Some(input.run.id),
        step: i32::try_from(n).unwrap_or(i32::MAX),
        channel: channel_for(step.channel, input.last_used, input.customer),
        scheduled_time: scheduled,
        content,
        subject,
    };
    follow_ups::insert(c, &new, input.now).await.map(Some)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::domain::{Country, Phone};

    fn customer(phone: &str) -> Customer {
        Customer {
            id: uuid::Uuid::nil(),
            name: None,
            email: None,
            phone: Some(Phone::parse(phone, Country::US).unwrap()),
            company: None,
            business_type: None,
            location: None,
            time_zone: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_number_in_two_zones_waits_for_the_later_morning_and_stops_at_the_earlier_night() {
        let settings = Settings { time_zone: TimeZone::parse("America/New_York").unwrap(), ..Settings::default() };
        let idaho = customer("+1 208 555 0142");
        let window = quiet_hours_window();
        let at = |h, m| Utc.with_ymd_and_hms(2027, 1, 12, h, m, 0).unwrap();
        // 07:00 in New York is 04:00 in Los Angeles: wait for 08:00 Pacific (16:00 UTC).
        assert_eq!(window_opening(at(12, 0), &window, false, &idaho, &settings), Some(at(16, 0)));
        // 20:30 New York, 17:30 Pacific: lawful everywhere.
        assert_eq!(window_opening(at(1, 30), &window, false, &idaho, &settings), Some(at(1, 30)));
        // 21:30 New York (on the 11th): the next morning at 08:00 Pacific.
        assert_eq!(window_opening(at(2, 30), &window, false, &idaho, &settings), Some(at(16, 0)));
        // A New York number needs nothing more than New York's hours.
        let manhattan = customer("+1 212 555 0142");
        assert_eq!(window_opening(at(13, 0), &window, false, &manhattan, &settings), Some(at(13, 0)));
    }
}
