//! The `ProcessMessage` pipeline: keywords first, then analysis, customer facts, the
//! reply (or a hand-over to a person) on the same channel, and the message marked done.
//! Guarded by an idempotency record per message, so redelivered jobs reply once.

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::delivery::{Draft, deliver, opted_out, reply_channel, send, stage};
use super::{JobContext, JobError, qualify, routing};
use crate::ai::ReplyContext;
use crate::app::AppState;
use crate::channels::sendgrid::message_id_of;
use crate::domain::analysis::{HandoffReason, Intent};
use crate::domain::customer::CustomerFields;
use crate::domain::keywords::{Keyword, sms_keyword};
use crate::domain::text::ShortText;
use crate::domain::{
    Analysis, AnalysisInput, Channel, Customer, CustomerChanges, DeliveryStatus, Direction, Email, LeadStatus, Message,
    Phone,
};
use crate::idempotency::{Begin, payload_hash};
use crate::queue::Job;
use crate::store::{StoreError, conversations, customers, leads, opt_outs, settings};

/// What processing did, saved as the idempotency record's response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    Skipped { reason: String },
    Keyword { keyword: String },
    Replied { reply_id: Uuid, handoff: Option<HandoffReason> },
    NoReply { reason: String },
}

/// The id of the AI reply to `inbound`: fixed, so a retry finds the reply it stored.
pub fn reply_id(inbound: Uuid, purpose: &str) -> Uuid {
    Uuid::new_v5(&inbound, purpose.as_bytes())
}

pub async fn process(state: &AppState, message_id: Uuid, ctx: &JobContext) -> Result<Outcome, JobError> {
    let key = format!("process-message:{message_id}");
    match state.idempotency.begin(&key, &payload_hash(message_id.as_bytes()), ctx.deadline).await? {
        Begin::Proceed => {}
        Begin::Completed(_) | Begin::PayloadMismatch => {
            return Ok(Outcome::Skipped { reason: "already processed".into() });
        }
        Begin::InProgress => return Err(JobError(format!("message {message_id} is being processed elsewhere"))),
    }
    match pipeline(state, message_id).await {
        Ok(outcome) => {
            let saved = serde_json::to_value(&outcome).unwrap_or_default();
            if let Err(e) = state.idempotency.complete(&key, &saved).await {
                tracing::warn!(%message_id, error = %e, "could not record completion; the processed flag still guards it");
            }
            Ok(outcome)
        }
        Err(e) => {
            let _ = state.idempotency.release(&key).await;
            Err(e)
        }
    }
}

async fn pipeline(state: &AppState, message_id: Uuid) -> Result<Outcome, JobError> {
    let messages = state.mongo.messages();
    let Some(inbound) = messages.get(message_id).await? else {
        return Ok(Outcome::Skipped { reason: "message not found".into() });
    };
    if inbound.processed || inbound.direction != Direction::Inbound {
        return Ok(Outcome::Skipped { reason: "already processed".into() });
    }
    let customer = {
        let conn = state.db.conn().await?;
        match customers::get_by_id(&*conn, inbound.customer_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound(_)) => {
                messages.mark_processed(inbound.id).await?;
                return Ok(Outcome::Skipped { reason: "customer deleted".into() });
            }
            Err(e) => return Err(e.into()),
        }
    };
    let outcome = if inbound.channel == Channel::Sms
        && let Some(keyword) = sms_keyword(&inbound.content)
    {
        handle_keyword(state, &customer, &inbound, keyword).await?
    } else {
        converse(state, customer, &inbound).await?
    };
    messages.mark_processed(inbound.id).await?;
    Ok(outcome)
}

async fn handle_keyword(
    state: &AppState,
    customer: &Customer,
    inbound: &Message,
    keyword: Keyword,
) -> Result<Outcome, JobError> {
    let Some(phone) = customer.phone.as_ref() else {
        return Ok(Outcome::Skipped { reason: "keyword from a customer without a phone".into() });
    };
    let conn = state.db.conn().await?;
    let business = settings::load(&*conn).await?.business_name;
    let opted_out = opt_outs::contains(&*conn, Channel::Sms, phone.as_str()).await?;
    drop(conn);
    let (wanted_out, text, name) = match keyword {
        Keyword::Stop => (
            true,
            format!("{business}: you're unsubscribed and will receive no more messages. Reply START to resubscribe."),
            "stop",
        ),
        Keyword::Start => {
            (false, format!("{business}: you're subscribed again. Reply STOP to unsubscribe, HELP for help."), "start")
        }
        Keyword::Help => (
            opted_out,
            format!(
                "{business}: reply to this number and our team will help. Reply STOP to unsubscribe, START to resubscribe."
            ),
            "help",
        ),
    };
    // A confirmation goes out once: a repeated STOP (already opted out) gets none.
    let changes = opted_out != wanted_out;
    let staged =
        staged_confirmation(state, customer, inbound, "keyword", text, changes || keyword == Keyword::Help).await?;
    if changes {
        let conn = state.db.conn().await?;
        if wanted_out {
            opt_outs::add(&*conn, Channel::Sms, phone.as_str(), Some(customer.id), "sms_keyword").await?;
        } else {
            opt_outs::remove(&*conn, Channel::Sms, phone.as_str()).await?;
        }
    }
    if let Some(staged) = staged {
        send(state, customer, staged, true).await?;
    }
    Ok(Outcome::Keyword { keyword: name.into() })
}

fn input_of(m: &Message) -> AnalysisInput {
    AnalysisInput {
        channel: m.channel,
        subject: m.subject.clone(),
        text: m.content.clone(),
        fields: Default::default(),
    }
}

/// Facts the analysis found that the customer record lacks.
fn learned(customer: &Customer, a: &Analysis, state: &AppState) -> CustomerChanges {
    let e = &a.entities;
    let fields = CustomerFields {
        name: e.name.as_deref().and_then(|n| ShortText::parse(n).ok()),
        company: e.company.as_deref().and_then(|n| ShortText::parse(n).ok()),
        email: e.email.as_deref().and_then(|n| Email::parse(n).ok()),
        phone: e.phone.as_deref().and_then(|n| Phone::parse(n, state.config.default_country).ok()),
        ..Default::default()
    };
    CustomerChanges::fill_gaps(customer, fields)
}

async fn converse(state: &AppState, mut customer: Customer, inbound: &Message) -> Result<Outcome, JobError> {
    let analysis = state.ai.analyzer.analyze(&input_of(inbound)).await.map_err(|e| JobError(e.to_string()))?;
    state.mongo.messages().set_analysis(inbound.id, &analysis).await?;
    if let Some(lead_id) = inbound.lead_id {
        qualify::learn_from_message(state, lead_id, &analysis, &inbound.content).await?;
    }
    let changes = learned(&customer, &analysis, state);
    let conn = state.db.conn().await?;
    if !changes.is_empty()
        && let Ok(fields) = changes.apply_to(&customer)
    {
        match customers::update(&*conn, customer.id, &fields).await {
            Ok(updated) => customer = updated,
            // The stated email or phone belongs to another customer: leave it.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let handoff = analysis.handoff();
    if let (Some(reason), Some(lead_id)) = (handoff, inbound.lead_id) {
        leads::set_handoff(&*conn, lead_id, Some(reason)).await?;
    }
    drop(conn);
    if let Some(lead_id) = inbound.lead_id {
        qualify::requalify(state, lead_id, "message", Some(inbound.id)).await?;
        if routing::task_type_for(&analysis).is_some() {
            qualify::queue(state, Job::RouteTask { message_id: inbound.id }).await;
        }
    }
    let conn = state.db.conn().await?;
    let settings = settings::load(&*conn).await?;
    let paused = conversations::ai_paused_until(&*conn, customer.id).await?.is_some_and(|until| until > Utc::now());
    drop(conn);

    let channel = reply_channel(inbound.channel, &customer);
    if analysis.intent == Intent::OptOut {
        return opt_out_by_request(state, &customer, inbound, channel).await;
    }
    if paused {
        return Ok(Outcome::NoReply { reason: "AI replies paused after an agent's message".into() });
    }
    let conn = state.db.conn().await?;
    let is_opted_out = opted_out(&*conn, channel, &customer).await?;
    drop(conn);
    if is_opted_out {
        return Ok(Outcome::NoReply { reason: format!("opted out of {channel}") });
    }
    let history = state.mongo.messages().recent(customer.id, 12).await?;
    let history: Vec<Message> = history.into_iter().filter(|m| m.id != inbound.id).collect();
    let ctx = ReplyContext {
        settings: &settings,
        customer: &customer,
        history: &history,
        inbound,
        analysis: &analysis,
        handoff,
        open_now: settings.business_hours.is_open(Utc::now(), settings.time_zone),
    };
    let Some(reply) = state.ai.responder.respond(&ctx).await.map_err(|e| JobError(e.to_string()))? else {
        return Ok(Outcome::NoReply { reason: format!("no reply to {}", analysis.intent) });
    };
    let text = crate::domain::reply::fit_for_channel(&reply.text, channel);
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
    };
    let sent = deliver(state, &customer, draft).await?;
    if sent.delivery_status == Some(DeliveryStatus::Sent)
        && let Some(lead_id) = inbound.lead_id
    {
        mark_contacted(state, lead_id).await?;
    }
    Ok(Outcome::Replied { reply_id: sent.id, handoff })
}

/// "Please stop texting me" is honoured like STOP: the address is opted out of its
/// channel, an SMS gets one confirmation, and no AI reply follows.
async fn opt_out_by_request(
    state: &AppState,
    customer: &Customer,
    inbound: &Message,
    channel: Channel,
) -> Result<Outcome, JobError> {
    let address = match channel {
        Channel::Sms => customer.phone.as_ref().map(|p| p.as_str().to_owned()),
        Channel::Email => customer.email.as_ref().map(|e| e.as_str().to_owned()),
        Channel::Chat | Channel::Form => None,
    };
    let Some(address) = address else {
        return Ok(Outcome::NoReply { reason: format!("asked to stop; nothing to opt out of on {channel}") });
    };
    let conn = state.db.conn().await?;
    let already = opt_outs::contains(&*conn, channel, &address).await?;
    let business = settings::load(&*conn).await?.business_name;
    drop(conn);
    let text =
        format!("{business}: you're unsubscribed and will receive no more messages. Reply START to resubscribe.");
    let staged =
        staged_confirmation(state, customer, inbound, "opt-out", text, !already && channel == Channel::Sms).await?;
    let conn = state.db.conn().await?;
    opt_outs::add(&*conn, channel, &address, Some(customer.id), "request").await?;
    drop(conn);
    if let Some(staged) = staged {
        send(state, customer, staged, true).await?;
    }
    Ok(Outcome::NoReply { reason: format!("opted out of {channel} on request") })
}

/// Stages an SMS confirmation of an opt-out change (`stage_it`), or finds the one staged
/// by an earlier attempt. Staging comes before the change is written, so a retry after a
/// crash still finds it and sends it.
async fn staged_confirmation(
    state: &AppState,
    customer: &Customer,
    inbound: &Message,
    purpose: &str,
    text: String,
    stage_it: bool,
) -> Result<Option<Message>, JobError> {
    let id = reply_id(inbound.id, purpose);
    if !stage_it {
        return Ok(state.mongo.messages().get(id).await?);
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
    };
    Ok(Some(stage(state, customer, draft).await?))
}

/// A new lead that has been answered is `contacted`.
async fn mark_contacted(state: &AppState, lead_id: Uuid) -> Result<(), JobError> {
    let conn = state.db.conn().await?;
    if !leads::mark_contacted(&*conn, lead_id).await? {
        return Ok(());
    }
    drop(conn);
    let data = serde_json::json!({"from": LeadStatus::New, "to": LeadStatus::Contacted, "by": "reply"});
    crate::events::emit(state, vec![crate::bus::DomainEvent::new("lead.status_changed", lead_id, data)]).await;
    qualify::sync_salesforce(state, lead_id).await;
    Ok(())
}
