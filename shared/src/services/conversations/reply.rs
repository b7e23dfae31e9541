//! The reply's last steps: an emergency's page and answer, the conversation state saved
//! with what the reply said, and the reply sent on the customer's channel.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Conversations, Outcome, Turn, reply_id};
use crate::ai::ReplyContext;
use crate::channels::sendgrid::message_id_of;
use crate::domain::analysis::HandoffReason;
use crate::domain::conversation_state::{ConversationState, Said};
use crate::domain::{Author, Channel, DeliveryStatus, Intent};
use crate::queue::Job;
use crate::services::ServiceResult;
use crate::services::bookings::conversation::BookingReply;
use crate::services::delivery::Draft;
use crate::services::emergencies::{Emergency, PageReason};
use crate::store::conversations;

impl Conversations<'_> {
    /// An emergency: the on-call is paged (when the policy says so), the lead is flagged,
    /// and the customer is told what happens next, never that the business is closed.
    pub(super) async fn emergency(
        &self,
        turn: &Turn<'_>,
        mut state: ConversationState,
        open_now: bool,
        opted_out: bool,
        callback: bool,
    ) -> ServiceResult<Outcome> {
        let Turn { customer, inbound, analysis, settings, clock, .. } = *turn;
        let reason = if callback {
            PageReason::CallbackNumber
        } else {
            PageReason::Emergency { recently_paged: state.recently_paged(clock.now) }
        };
        let about = Emergency { settings, customer, inbound, now: clock.now, deadline: clock.deadline };
        let (notice, paged) = self.pager.handle(about, open_now, reason).await?;
        if paged.anyone() {
            state.paged_at = Some(clock.now);
        }
        if paged.retry {
            // Every target was down: the page is tried again; the customer is told only
            // what is true now (the emergency line, or that it is marked urgent).
            self.follow_on.queue(Job::PageOnCall { message_id: inbound.id }).await;
        }
        tracing::warn!(message_id = %inbound.id, sms = paged.sms, slack = paged.slack, "emergency message");
        self.hand_over(inbound, analysis, Some(HandoffReason::Emergency)).await?;
        if opted_out {
            self.remember(customer.id, &mut state, &Said::default(), analysis.intent, clock.now).await?;
            return Ok(Outcome::NoReply { reason: format!("emergency paged; opted out of {}", turn.channel) });
        }
        let ctx = ReplyContext {
            settings,
            customer,
            history: &[],
            inbound,
            channel: turn.channel,
            analysis,
            handoff: None,
            open_now,
            now: clock.now,
            state: &state,
            emergency: Some(notice),
            booking: None,
        };
        // The rules engine writes it: what the customer is told about a page must be
        // exactly what happened, not a model's paraphrase of it.
        let Some(reply) = crate::ai::RulesEngine.reply(&ctx) else {
            return Ok(Outcome::NoReply { reason: "no reply to an emergency".into() });
        };
        let said = reply.said;
        self.remember(customer.id, &mut state, &said, analysis.intent, clock.now).await?;
        self.send_reply(turn, None, Some(reply.text), Some(HandoffReason::Emergency)).await
    }

    /// Folds what a reply said into the conversation state and saves it.
    pub(super) async fn remember(
        &self,
        customer_id: Uuid,
        state: &mut ConversationState,
        said: &Said,
        intent: Intent,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        state.after_reply(said, intent, now);
        let conn = self.db.conn().await?;
        conversations::save_state(&*conn, customer_id, state).await?;
        Ok(())
    }

    /// Sends the reply: the responder's text, or the booking flow's with the invite on
    /// e-mail.
    pub(super) async fn send_reply(
        &self,
        turn: &Turn<'_>,
        booking: Option<BookingReply>,
        text: Option<String>,
        handoff: Option<HandoffReason>,
    ) -> ServiceResult<Outcome> {
        let Turn { customer, inbound, settings, channel, .. } = *turn;
        let now = turn.clock.now;
        let (text, attachments) = match booking {
            Some(reply) => {
                let invite = reply
                    .changed
                    .filter(|_| channel == Channel::Email)
                    .map(|(_, b)| super::super::bookings::notices::ics(&b, customer, settings, now));
                (reply.text, invite.into_iter().collect())
            }
            None => (text.unwrap_or_default(), Vec::new()),
        };
        let text = crate::domain::reply::fit_for_channel(&text, channel);
        let subject = (channel == Channel::Email).then(|| match &inbound.subject {
            Some(s) if s.to_lowercase().starts_with("re:") => s.clone(),
            Some(s) => format!("Re: {s}"),
            None => format!("Your message to {}", settings.business_name),
        });
        let draft = Draft {
            id: reply_id(inbound.id, "reply"),
            channel,
            ai_response: Some(text.clone()),
            text,
            subject,
            lead_id: inbound.lead_id,
            in_reply_to: (channel == Channel::Email)
                .then(|| inbound.provider_message_id.as_deref().and_then(message_id_of).map(str::to_owned))
                .flatten(),
            chat_session: inbound.chat_session,
            ignore_opt_out: false,
            attachments,
            author: Author::AI,
        };
        let sent = self.delivery.deliver(customer, draft).await?;
        if sent.delivery_status == Some(DeliveryStatus::Sent)
            && let Some(lead_id) = inbound.lead_id
        {
            self.mark_contacted(lead_id).await?;
        }
        Ok(Outcome::Replied { reply_id: sent.id, handoff })
    }
}
