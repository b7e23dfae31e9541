//! Opting out and back in: carrier keywords (STOP/START/HELP on SMS) and written
//! requests ("please stop texting me"), handled deterministically. A confirmation is
//! staged before the opt-out is written, so a retry after a crash still finds and sends
//! it; a repeated STOP gets none.

use super::{Conversations, Outcome, reply_id};
use crate::domain::keywords::Keyword;
use crate::domain::sequence::RunEndReason;
use crate::domain::{Author, Channel, Customer, Message};
use crate::services::ServiceResult;
use crate::services::delivery::Draft;
use crate::store::sequences::RunScope;
use crate::store::{opt_outs, settings};

fn unsubscribed(business: &str) -> String {
    format!("{business}: you're unsubscribed and will receive no more messages. Reply START to resubscribe.")
}

impl Conversations<'_> {
    pub(super) async fn handle_keyword(
        &self,
        customer: &Customer,
        inbound: &Message,
        keyword: Keyword,
    ) -> ServiceResult<Outcome> {
        let channel = inbound.channel;
        let Some(address) = channel.address_of(customer) else {
            return Ok(Outcome::Skipped { reason: format!("keyword from a customer without a {channel} address") });
        };
        let conn = self.db.conn().await?;
        let business = settings::load(&*conn).await?.business_name;
        let opted_out = opt_outs::contains(&*conn, channel, &address).await?;
        drop(conn);
        let (wanted_out, text, name) = match keyword {
            Keyword::Stop => (true, unsubscribed(business.as_str()), "stop"),
            Keyword::Start => (
                false,
                format!("{business}: you're subscribed again. Reply STOP to unsubscribe, HELP for help."),
                "start",
            ),
            Keyword::Help => (
                opted_out,
                format!(
                    "{business}: reply to this number and our team will help. Reply STOP to unsubscribe, START to resubscribe."
                ),
                "help",
            ),
        };
        let changes = opted_out != wanted_out;
        let staged =
            self.staged_confirmation(customer, inbound, "keyword", text, changes || keyword == Keyword::Help).await?;
        if changes {
            let conn = self.db.conn().await?;
            if wanted_out {
                opt_outs::add(&*conn, channel, &address, Some(customer.id), "sms_keyword").await?;
            } else {
                opt_outs::remove(&*conn, channel, &address).await?;
            }
        }
        // Any keyword is the customer writing; STOP also ends every sequence, whatever
        // the channel (revocation by any reasonable means).
        let reason = if wanted_out { RunEndReason::OptedOut } else { RunEndReason::Replied };
        self.follow_ups.stop(RunScope::Customer(customer.id), reason).await?;
        if let Some(staged) = staged {
            self.delivery.send(customer, staged, true).await?;
        }
        if changes && let Some(lead_id) = inbound.lead_id {
            // The score follows the opt-out (or the return) at once, whatever the channel.
            self.qualifier
                .requalify(lead_id, crate::domain::event::QualifyTrigger::Message, Some(inbound.id), chrono::Utc::now())
                .await?;
        }
        Ok(Outcome::Keyword { keyword: name.into() })
    }

    /// "Please stop texting me" is honoured like STOP: the address is opted out of its
    /// channel, an SMS gets one confirmation, and no AI reply follows.
    pub(super) async fn opt_out_by_request(
        &self,
        customer: &Customer,
        inbound: &Message,
        channel: Channel,
    ) -> ServiceResult<Outcome> {
        let Some(address) = channel.address_of(customer) else {
            return Ok(Outcome::NoReply { reason: format!("asked to stop; nothing to opt out of on {channel}") });
        };
        let conn = self.db.conn().await?;
        let already = opt_outs::contains(&*conn, channel, &address).await?;
        let business = settings::load(&*conn).await?.business_name;
        drop(conn);
        let confirm = !already && channel == Channel::Sms;
        let staged =
            self.staged_confirmation(customer, inbound, "opt-out", unsubscribed(business.as_str()), confirm).await?;
        let conn = self.db.conn().await?;
        opt_outs::add(&*conn, channel, &address, Some(customer.id), "request").await?;
        drop(conn);
        self.follow_ups.stop(RunScope::Customer(customer.id), RunEndReason::OptedOut).await?;
        if let Some(staged) = staged {
            self.delivery.send(customer, staged, true).await?;
        }
        Ok(Outcome::NoReply { reason: format!("opted out of {channel} on request") })
    }

    /// Stages an SMS confirmation of an opt-out change (`stage_it`), or finds the one
    /// staged by an earlier attempt.
    async fn staged_confirmation(
        &self,
        customer: &Customer,
        inbound: &Message,
        purpose: &str,
        text: String,
        stage_it: bool,
    ) -> ServiceResult<Option<Message>> {
        let id = reply_id(inbound.id, purpose);
        if !stage_it {
            return Ok(self.mongo.messages().get(id).await?);
        }
        let draft = Draft {
            id,
            channel: Channel::Sms,
            text,
            subject: None,
            ai_response: None,
            lead_id: inbound.lead_id,
            in_reply_to: None,
            chat_session: None,
            ignore_opt_out: true,
            attachments: Vec::new(),
            author: Author::SYSTEM,
        };
        Ok(Some(self.delivery.stage(customer, draft).await?))
    }
}
