//! What the customer is told about a booking: the confirmation, a move, a
//! cancellation and the reminders, on the channel they last wrote on, with the local
//! time and zone and the link or address; by e-mail with an iCalendar invite whose UID
//! is the booking's and whose SEQUENCE follows its changes. Message ids are derived
//! from the booking and the change, so a retried job sends nothing twice.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::ServiceResult;
use super::super::delivery::{Delivery, Draft};
use crate::channels::ics::{IcsInvite, IcsMethod, invite};
use crate::domain::booking_settings::{BookingSettings, MeetingLink};
use crate::domain::message::Attachment;
use crate::domain::slot_talk::describe_time;
use crate::domain::{Booking, BookingStatus, Channel, Customer, Direction, MeetingType, Settings};
use crate::store::mongo::Mongo;
use crate::store::{Db, StoreError, booking_reminders, bookings, customers, settings};

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
    let mut text = match kind {
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
        let kind = match (b.status, sequence) {
            (BookingStatus::Cancelled, _) => NoticeKind::Cancelled,
            (_, 0) => NoticeKind::Booked,
            (_, _) => NoticeKind::Moved,
        };
        let id = Uuid::new_v5(&b.id, format!("notice:{sequence}").as_bytes());
        let route = self.channel_for(&customer).await?;
        let draft = Self::draft(kind, &b, &customer, &settings, route, id, Utc::now());
        self.delivery.deliver(&customer, draft).await?;
        Ok(())
    }

    /// The `SendReminder` job: sends one reminder, once, if the booking still stands at
    /// that time.
    pub async fn remind(
        &self,
        booking_id: Uuid,
        offset_minutes: i32,
        scheduled_time: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let Some(reminder) = booking_reminders::get_for_update(&tx, booking_id, offset_minutes, scheduled_time).await?
        else {
            return Ok(());
        };
        let b = bookings::get_by_id(&tx, booking_id).await?;
        let now = Utc::now();
        if reminder.sent_at.is_some()
            || !b.status.is_active()
            || b.scheduled_time != scheduled_time
            || scheduled_time <= now
        {
            return Ok(());
        }
        let customer = customers::get_by_id(&tx, b.customer_id).await?;
        let settings = settings::load(&tx).await?;
        let id = Uuid::new_v5(&b.id, format!("reminder:{offset_minutes}:{}", scheduled_time.timestamp()).as_bytes());
        let route = self.channel_for(&customer).await?;
        let draft = Self::draft(NoticeKind::Reminder, &b, &customer, &settings, route, id, now);
        self.delivery.deliver(&customer, draft).await?;
        booking_reminders::mark_sent(&tx, &reminder, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
