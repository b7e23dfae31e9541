//! The staff inbox: conversations needs-human first, then by latest activity, each with
//! its latest message and what the caller has not read; read marks per caller; and
//! handing a conversation back to the AI.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Conversations;
use crate::domain::event::ConversationAiResumed;
use crate::domain::{Author, Channel, Direction, Event, HandoffReason, LeadStatus, Message};
use crate::services::{ServiceError, ServiceResult, actor, record};
use crate::store::inbox::{self, InboxRow};
use crate::store::mongo::ConversationTail;
use crate::store::{Page, PageRequest, StoreError, conversations, customers, leads};

pub use crate::store::inbox::InboxFilter;

/// Characters of the latest message the inbox shows.
const PREVIEW_CHARS: usize = 140;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InboxCustomer {
    pub id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The customer's open lead, else their latest.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InboxLead {
    pub id: Uuid,
    pub status: LeadStatus,
    pub needs_human: bool,
    pub handoff_reason: Option<HandoffReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LastMessage {
    pub id: Uuid,
    pub direction: Direction,
    pub channel: Channel,
    /// The first 140 characters of the message.
    pub preview: String,
    pub author: Author,
    pub created_at: DateTime<Utc>,
}

/// One conversation of the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub customer: InboxCustomer,
    pub lead: Option<InboxLead>,
    pub last_message: Option<LastMessage>,
    pub last_activity_at: DateTime<Utc>,
    /// Inbound messages after the caller's read mark (all of them without one).
    pub unread: u32,
    /// Until when AI replies are paused after a staff message; `null` when they are not.
    pub ai_paused_until: Option<DateTime<Utc>>,
}

/// The conversation handed back to the AI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AiResumed {
    pub customer_id: Uuid,
    /// Always `null`: AI replies are on.
    pub ai_paused_until: Option<DateTime<Utc>>,
    /// Always `false`: the open lead's hand-over is cleared.
    pub needs_human: bool,
}

/// Whose read marks apply: the caller of the current request.
fn reader() -> ServiceResult<String> {
    actor::current()
        .map(|a| a.to_string())
        .ok_or_else(|| ServiceError::Internal("an inbox read ran without a caller".into()))
}

fn preview(m: &Message) -> String {
    m.content.chars().take(PREVIEW_CHARS).collect()
}

fn summary(row: InboxRow, tail: Option<ConversationTail>) -> ConversationSummary {
    let (last_message, unread) = match tail {
        Some(t) => (
            Some(LastMessage {
                id: t.last.id,
                direction: t.last.direction,
                channel: t.last.channel,
                preview: preview(&t.last),
                author: t.last.author.clone(),
                created_at: t.last.created_at,
            }),
            t.unread,
        ),
        None => (None, 0),
    };
    ConversationSummary {
        customer: InboxCustomer { id: row.customer_id, name: row.name, email: row.email, phone: row.phone },
        lead: row.lead.map(|l| InboxLead {
            id: l.id,
            status: l.status,
            needs_human: l.needs_human,
            handoff_reason: l.handoff_reason,
        }),
        last_message,
        last_activity_at: row.last_activity_at,
        unread,
        ai_paused_until: row.ai_paused_until,
    }
}

impl Conversations<'_> {
    /// One page of the inbox as the caller sees it: one Postgres query for the page and
    /// one MongoDB aggregation for its latest messages and unread counts.
    pub async fn inbox(&self, filter: &InboxFilter, page: &PageRequest) -> ServiceResult<Page<ConversationSummary>> {
        let reader = reader()?;
        let conn = self.db.conn().await?;
        let rows = inbox::page(&*conn, &reader, filter, page, Utc::now()).await?;
        drop(conn);
        let marks: Vec<(Uuid, Option<DateTime<Utc>>)> = rows.items.iter().map(|r| (r.customer_id, r.read_at)).collect();
        let mut tails = self.mongo.messages().tails(&marks).await?;
        Ok(rows.map(|row| {
            let tail = tails.remove(&row.customer_id);
            summary(row, tail)
        }))
    }

    /// Marks the customer's conversation read by the caller, as of now.
    pub async fn mark_read(&self, customer_id: Uuid) -> ServiceResult<()> {
        let reader = reader()?;
        let conn = self.db.conn().await?;
        if inbox::mark_read(&*conn, customer_id, &reader, Utc::now()).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound { what: "customer" })
        }
    }

    /// Hands the conversation back to the AI: the pause after a staff message ends and
    /// the open lead is no longer flagged for a person. A call that changes something
    /// records `conversation.ai_resumed`; a repeat changes nothing and records nothing.
    pub async fn resume_ai(&self, customer_id: Uuid) -> ServiceResult<AiResumed> {
        let now = Utc::now();
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        customers::get_by_id(&tx, customer_id).await?;
        let paused_until = conversations::resume_ai(&tx, customer_id, now).await?;
        let lead = leads::open_for_customer(&tx, customer_id).await?;
        let handoff_reason = match &lead {
            Some(l) if l.needs_human => {
                leads::set_handoff(&tx, l.id, None).await?;
                l.handoff_reason
            }
            Some(_) | None => None,
        };
        let cleared = lead.as_ref().is_some_and(|l| l.needs_human);
        let event = (paused_until.is_some() || cleared).then(|| {
            Event::ConversationAiResumed(ConversationAiResumed {
                customer_id,
                lead_id: lead.map(|l| l.id),
                paused_until,
                handoff_reason,
            })
        });
        let recorded = record(&tx, event.into_iter().collect(), now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if recorded {
            self.relay.nudge().await;
        }
        Ok(AiResumed { customer_id, ai_paused_until: None, needs_human: false })
    }
}
