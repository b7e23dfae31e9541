//! What the customer is told about a booking: the confirmation, a move, a
//! cancellation and the reminders, on the channel they last wrote on, with the local
//! time and zone and the link or address; by e-mail with an iCalendar invite whose UID
//! is the booking's and whose SEQUENCE follows its changes. Message ids are derived
//! from the booking and the change, so a retried job sends nothing twice. A confirmation
//! whose Google Meet link is still being made waits for it, a few minutes at most.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::super::delivery::{Delivery, Draft};
use super::super::{ServiceError, ServiceResult};
use super::availability::HostCalendar;
use crate::channels::ics::{IcsInvite, IcsMethod, invite};
use crate::domain::booking_settings::{BookingSettings, MeetingLink};
use crate::domain::message::{Attachment, Author};
use crate::domain::slot_talk::describe_time;
use crate::domain::{Booking, BookingSource, BookingStatus, Channel, Customer, Direction, MeetingType, Settings};
use crate::store::mongo::Mongo;
use crate::store::{Db, StoreError, booking_reminders, bookings, customers, payments, settings};

/// How long a notice waits for the booking's Meet link (from the booking's creation);
/// after that it goes without one rather than not at all.
pub const MEET_LINK_WAIT: Duration = Duration::minutes(5);

/// The link every video meeting shares, when the settings give one.
pub(super) fn fixed_link(b: &BookingSettings, meeting_type: MeetingType) -> Option<String> {
    match (&b.meeting_link, meeting_type) {
        (MeetingLink::Fixed(url), MeetingType::Video) => Some(url.clone()),
        (MeetingLink::Fixed(_) | MeetingLink::GoogleMeet | MeetingLink::None, _) => None,
    }
}

/// Which notice a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Booked,
    Moved,
    Cancelled,
    Reminder,
}

/// Where and how the meeting happens, in a sentence.
fn where_line(b: &Booking, customer: &Customer) -> Option<String> {
    match b.meeting_type {
        MeetingType::Video => b.meeting_link.as_ref().map(|l| format!("Join here: {l}")),
        MeetingType::InPerson => b.location.as_ref().map(|l| format!("Where: {l}")),
        MeetingType::Phone => customer.phone.as_ref().map(|p| format!("We'll call you on {p}.")),
    }
}

/// The notice text. Time in the business's zone, named.
pub fn notice_text(kind: NoticeKind, b: &Booking, customer: &Customer, settings: &Settings) -> String {
    let when = describe_time(b.scheduled_time, settings.time_zone);
    let business = settings.business_name.as_str();
    let minutes = b.duration_minutes.minutes();
    let held = b.status == BookingStatus::PendingPayment;
    let mut text = match kind {
        // Held for its deposit: the payment link follows in its own message.
        NoticeKind::Booked if held => format!(
            "We're holding {when}, {minutes} minutes, with {business} for you: it is booked once the deposit is \
             paid (the payment link follows)."
        ),
        NoticeKind::Booked => format!("You're booked with {business}: {when}, {minutes} minutes."),
        NoticeKind::Moved => format!("Your booking with {business} has moved to {when}, {minutes} minutes."),
        NoticeKind::Cancelled => format!("Your booking with {business} on {when} is cancelled."),
        NoticeKind::Reminder => format!("Reminder: your appointment with {business} is {when}."),
    };
    if kind != NoticeKind::Cancelled
        && let Some(line) = where_line(b, customer)
    {
        text.push(' ');
        text.push_str(&line);
    }
    text.push_str(match kind {
        NoticeKind::Booked | NoticeKind::Moved | NoticeKind::Reminder => " Reply here to reschedule or cancel.",
        NoticeKind::Cancelled => " Reply here to book another time.",
    });
    text
}

fn subject(kind: NoticeKind, b: &Booking, settings: &Settings) -> String {
    let when = describe_time(b.scheduled_time, settings.time_zone);
    match kind {
        NoticeKind::Booked => format!("Booking confirmed: {when}"),
        NoticeKind::Moved => format!("Booking moved: {when}"),
        NoticeKind::Cancelled => format!("Booking cancelled: {when}"),
        NoticeKind::Reminder => format!("Reminder: {when}"),
    }
}

/// The iCalendar invite of the booking as it stands (a CANCEL once cancelled).
pub fn ics(b: &Booking, customer: &Customer, settings: &Settings, now: DateTime<Utc>) -> Attachment {
    let cancelled = b.status == BookingStatus::Cancelled;
    let method = if cancelled { IcsMethod::Cancel } else { IcsMethod::Request };
    let summary = format!("Appointment with {}", settings.business_name.as_str());
    let content = invite(&IcsInvite {
        uid: format!("{}@leadflow", b.id),
        sequence: u32::try_from(b.sequence).unwrap_or(0),
        method,
        stamp: now,
        start: b.scheduled_time,
        end: b.ends_at(),
        summary: &summary,
        description: b.notes.as_ref().map(crate::domain::text::Text::as_str),
        location: b.location.as_deref().or(b.meeting_link.as_deref()),
        url: b.meeting_link.as_deref(),
        organizer_name: settings.business_name.as_str(),
        organizer_email: None,
        attendee_name: customer.name.as_ref().map(crate::domain::text::Text::as_str),
        attendee_email: customer.email.as_ref().map(crate::domain::Email::as_str),
    });
    let method = if cancelled { "CANCEL" } else { "REQUEST" };
    Attachment {
        filename: "invite.ics".into(),
        content_type: format!("text/calendar; method={method}; charset=UTF-8"),
        content,
    }
}

/// Sends booking notices and reminders.
#[derive(Clone, Copy)]
pub struct BookingNotices<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
    pub delivery: Delivery<'a>,
    /// Google Calendar is configured, so bookings on a host's calendar get their Meet
    /// link from the `SyncCalendar` job.
    pub google_calendar: bool,
}

impl BookingNotices<'_> {
    /// The channel the customer last wrote on (and its chat session), else e-mail,
    /// else SMS.
    async fn channel_for(&self, customer: &Customer) -> ServiceResult<(Channel, Option<Uuid>)> {
        let recent = self.mongo.messages().recent(customer.id, 20).await?;
        if let Some(m) = recent.iter().rev().find(|m| m.direction == Direction::Inbound) {
            return Ok((m.channel.reply_channel(customer), m.chat_session));
        }
        let channel = if customer.email.is_some() { Channel::Email } else { Channel::Sms };
        Ok((channel, None))
    }

    /// A draft of the notice, the invite attached on e-mail.
    pub fn draft(
        kind: NoticeKind,
        b: &Booking,
        customer: &Customer,
        settings: &Settings,
        (channel, chat_session): (Channel, Option<Uuid>),
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Draft {
        let email = channel == Channel::Email;
        Draft {
            id,
            channel,
            text: notice_text(kind, b, customer, settings),
            subject: email.then(|| subject(kind, b, settings)),
            ai_response: None,
            lead_id: b.lead_id,
            in_reply_to: None,
            chat_session,
            ignore_opt_out: false,
            attachments: if email && kind != NoticeKind::Reminder {
                vec![ics(b, customer, settings, now)]
            } else {
                Vec::new()
            },
            author: Author::SYSTEM,
        }
    }

    /// The `BookingNotice` job: tells the customer of the booking as it stands, unless a
    /// later change (a higher sequence) will.
    pub async fn notice(&self, booking_id: Uuid, sequence: i32) -> ServiceResult<()> {
        let (b, customer, settings) = {
            let conn = self.db.conn().await?;
            let b = match bookings::get_by_id(&*conn, booking_id).await {
                Ok(b) => b,
                Err(StoreError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            if b.sequence != sequence {
                return Ok(());
            }
            let customer = customers::get_by_id(&*conn, b.customer_id).await?;
            (b, customer, settings::load(&*conn).await?)
        };
        let now = Utc::now();
        if b.status == BookingStatus::PendingPayment {
            return self.payment_notice(&b, &customer, &settings, now).await;
        }
        let kind = match (b.status, sequence) {
            (BookingStatus::Cancelled, _) => NoticeKind::Cancelled,
            (_, 0) => NoticeKind::Booked,
            (_, _) => NoticeKind::Moved,
        };
        if kind != NoticeKind::Cancelled && self.awaits_meet_link(&b, &settings, now) {
            return Err(ServiceError::InProgress { what: format!("the Google Meet link of booking {}", b.id) });
        }
        let id = Uuid::new_v5(&b.id, format!("notice:{sequence}").as_bytes());
        let route = self.channel_for(&customer).await?;
        let draft = Self::draft(kind, &b, &customer, &settings, route, id, now);
        self.delivery.deliver(&customer, draft).await?;
        Ok(())
    }

    /// The Checkout link of a booking held for its deposit (once Stripe made it), sent
    /// once per Checkout Session.
    async fn payment_notice(
        &self,
        b: &Booking,
        customer: &Customer,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let payment = {
            let conn = self.db.conn().await?;
            payments::find(&*conn, b.id).await?
        };
        let Some(p) = payment else { return Ok(()) };
        let (Some(url), Some(session)) = (&p.checkout_url, &p.checkout_session_id) else { return Ok(()) };
        let id = Uuid::new_v5(&b.id, format!("payment:{session}").as_bytes());
        let route = self.channel_for(customer).await?;
        let mut draft = Self::draft(NoticeKind::Booked, b, customer, settings, route, id, now);
        let when = describe_time(b.scheduled_time, settings.time_zone);
        let until = b.hold_until.map_or_else(String::new, |t| {
            format!(" We hold the time for you until {}.", describe_time(t, settings.time_zone))
        });
        draft.text = format!(
            "To book {when} with {}, please pay the {} deposit here: {url}{until}",
            settings.business_name.as_str(),
            p.currency.format(p.amount),
        );
        draft.subject = draft.subject.map(|_| format!("Deposit due: {when}"));
        draft.attachments.clear();
        self.delivery.deliver(customer, draft).await?;
        Ok(())
    }

    /// The booking will have a Meet link once `SyncCalendar` has run, and it is young
    /// enough that waiting for it (the job failing as retryable) is better than a notice
    /// without it.
    fn awaits_meet_link(&self, b: &Booking, settings: &Settings, now: DateTime<Utc>) -> bool {
        let synced = match b.source {
            BookingSource::Api | BookingSource::Conversation => true,
            BookingSource::Calendly => false,
        };
        let on_calendar = b.host_id.is_some()
            && HostCalendar::candidates(settings, b.host_id)
                .is_ok_and(|c| c.first().is_some_and(|c| c.calendar_id.is_some()));
        self.google_calendar
            && synced
            && settings.booking.meeting_link == MeetingLink::GoogleMeet
            && b.meeting_type == MeetingType::Video
            && b.meeting_link.is_none()
            && on_calendar
            && now - b.created_at < MEET_LINK_WAIT
    }

    /// The `SendReminder` job: sends one reminder, once, if the booking still stands at
    /// that time.
    pub async fn remind(
        &self,
        booking_id: Uuid,
        offset_minutes: i32,
        scheduled_time: DateTime<Utc>,
    ) -> ServiceResult<()> {
        // No connection is held while delivering (it takes its own from the pool): the
        // message id is derived from the reminder, so a job run twice stages one message
        // and sends it once, and `sent_at` is recorded after.
        let now = Utc::now();
        let (reminder, b, customer, settings) = {
            let conn = self.db.conn().await?;
            let Some(reminder) = booking_reminders::find(&*conn, booking_id, offset_minutes, scheduled_time).await?
            else {
                return Ok(());
            };
            let b = bookings::get_by_id(&*conn, booking_id).await?;
            if reminder.sent_at.is_some()
                || !b.status.is_active()
                || b.scheduled_time != scheduled_time
                || scheduled_time <= now
            {
                return Ok(());
            }
            let customer = customers::get_by_id(&*conn, b.customer_id).await?;
            (reminder, b, customer, settings::load(&*conn).await?)
        };
        let id = Uuid::new_v5(&b.id, format!("reminder:{offset_minutes}:{}", scheduled_time.timestamp()).as_bytes());
        let route = self.channel_for(&customer).await?;
        let draft = Self::draft(NoticeKind::Reminder, &b, &customer, &settings, route, id, now);
        self.delivery.deliver(&customer, draft).await?;
        let conn = self.db.conn().await?;
        booking_reminders::mark_sent(&*conn, &reminder, now).await?;
        Ok(())
    }
}
