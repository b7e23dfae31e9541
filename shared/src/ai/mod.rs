//! Message analysis and reply generation behind two small traits (replies include the
//! follow-up messages of a sequence). The `rules` engine is the offline default; the
//! OpenAI engine is used when configured, wrapped so that any failure of it falls back
//! to the rules engine (and says why in the log). `money` keeps generated follow-ups
//! from stating amounts nobody gave.

pub mod eval;
mod follow_up;
mod front_desk;
pub mod money;
pub mod openai;
pub mod rules;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::analysis::HandoffReason;
use crate::domain::conversation_state::{ConversationState, Said};
use crate::domain::provider::Provider;
use crate::domain::text::ShortText;
use crate::domain::{Analysis, AnalysisInput, Channel, Customer, Message, Phone, Settings};
use crate::provider_log::Watch;

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("AI provider unavailable: {0}")]
    Unavailable(String),
    #[error("AI provider answered something unusable: {0}")]
    BadOutput(String),
}

/// What a reply is written from.
pub struct ReplyContext<'a> {
    pub settings: &'a Settings,
    pub customer: &'a Customer,
    /// The conversation before the message being answered, oldest first.
    pub history: &'a [Message],
    pub inbound: &'a Message,
    /// The channel the reply goes out on (a form is answered by e-mail or SMS).
    pub channel: Channel,
    pub analysis: &'a Analysis,
    /// Set when a person must take over: the reply only says someone will follow up.
    pub handoff: Option<HandoffReason>,
    /// Whether the business is open now (a closed business says when it will answer).
    pub open_now: bool,
    /// The time the reply is written at: hours are answered for it.
    pub now: DateTime<Utc>,
    /// What the conversation has said so far.
    pub state: &'a ConversationState,
    /// Set when the message is an emergency: what was done about it, which the reply says.
    pub emergency: Option<EmergencyNotice>,
    /// The customer's booking desk, given when the message is about booking (a booking,
    /// reschedule or cancel intent, or an open offer) and the responder books with tools.
    pub booking: Option<&'a dyn BookingDesk>,
}

/// What a customer with an emergency is told, by what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmergencyNotice {
    /// The on-call was reached (SMS or Slack): "our on-call plumber has been alerted".
    Paged { title: Option<ShortText> },
    /// Nobody was paged; the customer is given the emergency line.
    CallUs { phone: Phone },
    /// Nobody was paged and there is no emergency line: marked urgent for the team.
    Marked,
}

/// Why a lead gets a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpPurpose {
    /// The lead has not answered the business's last message (or not booked).
    NoReply,
    /// The lead missed an appointment.
    NoShow,
    /// The lead was sent a quote.
    QuoteSent,
    /// A person scheduled the sequence by hand.
    Manual,
}

impl FollowUpPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoReply => "no_reply",
            Self::NoShow => "no_show",
            Self::QuoteSent => "quote_sent",
            Self::Manual => "manual",
        }
    }
}

/// What a follow-up message is written from.
#[derive(Debug, Clone, Copy)]
pub struct FollowUpContext<'a> {
    pub settings: &'a Settings,
    pub customer: &'a Customer,
    /// The conversation so far, oldest first (may be empty).
    pub history: &'a [Message],
    /// The channel the follow-up goes out on.
    pub channel: Channel,
    pub purpose: FollowUpPurpose,
    /// 1-based step number in the sequence.
    pub step: u32,
    /// Number of steps in the sequence.
    pub steps: usize,
    pub now: DateTime<Utc>,
}

/// Why the booking desk did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    #[error("that time is not open")]
    NotOpen { nearest: Vec<DateTime<Utc>> },
    #[error("the customer has no active booking")]
    NoBooking,
    #[error("booking is unavailable: {0}")]
    Unavailable(String),
}

/// A booking the desk made, moved or cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedSlot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The sentence the customer is told (the notice's text: time, zone, place).
    pub text: String,
}

/// Availability and booking for the customer being answered, backed by the same
/// services the offline booking flow uses: the server checks every time, so a responder
/// cannot book a time that is not open.
#[async_trait::async_trait]
pub trait BookingDesk: Send + Sync {
    /// Open start times in `[from, to)` (defaults: now and 14 days later, within the
    /// booking horizon), at most `limit`, spread like the offline offer, in time order;
    /// remembered as the customer's offer, so a reply such as "2" picks one.
    async fn open_times(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, DeskError>;

    /// Books `start` (or moves the booking the customer asked to reschedule there);
    /// a time that is not open is refused with the nearest open ones.
    async fn book(&self, start: DateTime<Utc>) -> Result<BookedSlot, DeskError>;

    /// Cancels the customer's next active booking.
    async fn cancel(&self) -> Result<BookedSlot, DeskError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// What the reply said, for the conversation state.
    pub said: Said,
}

#[async_trait::async_trait]
pub trait Analyzer: Send + Sync {
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, AiError>;
}

#[async_trait::async_trait]
pub trait Responder: Send + Sync {
    /// The reply, or `None` when the message gets none (spam).
    async fn respond(&self, ctx: &ReplyContext<'_>) -> Result<Option<Reply>, AiError>;

    /// Whether the responder books through `ReplyContext::booking` itself; if not, the
    /// conversation's deterministic booking flow answers booking messages.
    fn books_with_tools(&self) -> bool {
        false
    }

    /// The text of one follow-up message, fitted to `ctx.channel`. It states no amount
    /// of money that the business settings or the conversation do not.
    async fn follow_up(&self, ctx: &FollowUpContext<'_>) -> Result<String, AiError>;
}

/// The deterministic offline engine: hand-written analysis rules and reply templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct RulesEngine;

#[async_trait::async_trait]
impl Analyzer for RulesEngine {
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, AiError> {
        Ok(rules::analyze(input))
    }
}

impl RulesEngine {
    /// The offline reply, used directly where the words must say exactly what was done
    /// (an emergency's page), whichever engine answers otherwise.
    pub fn reply(self, ctx: &ReplyContext<'_>) -> Option<Reply> {
        front_desk::reply(ctx)
    }
}

#[async_trait::async_trait]
impl Responder for RulesEngine {
    async fn respond(&self, ctx: &ReplyContext<'_>) -> Result<Option<Reply>, AiError> {
        Ok(front_desk::reply(ctx))
    }

    async fn follow_up(&self, ctx: &FollowUpContext<'_>) -> Result<String, AiError> {
        Ok(follow_up::text(ctx))
    }
}

/// Uses `primary`; on any failure, logs why and answers with the rules engine instead.
/// Each of the primary's results is reported to `watch` (the provider's status).
pub struct WithFallback<P> {
    primary: P,
    watch: Watch,
}

impl<P> WithFallback<P> {
    pub fn new(primary: P, watch: Watch) -> Self {
        Self { primary, watch }
    }
}

#[async_trait::async_trait]
impl<P: Analyzer> Analyzer for WithFallback<P> {
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, AiError> {
        let analyzed = self.primary.analyze(input).await;
        self.watch.note(&analyzed).await;
        match analyzed {
            Ok(a) => Ok(a),
            Err(e) => {
                tracing::warn!(error = %e, "analysis fell back to the rules engine");
                RulesEngine.analyze(input).await
            }
        }
    }
}

#[async_trait::async_trait]
impl<P: Responder> Responder for WithFallback<P> {
    async fn respond(&self, ctx: &ReplyContext<'_>) -> Result<Option<Reply>, AiError> {
        let responded = self.primary.respond(ctx).await;
        self.watch.note(&responded).await;
        match responded {
            Ok(r) => Ok(r),
            Err(e) => {
                tracing::warn!(error = %e, "reply fell back to the rules engine");
                RulesEngine.respond(ctx).await
            }
        }
    }

    fn books_with_tools(&self) -> bool {
        self.primary.books_with_tools()
    }

    async fn follow_up(&self, ctx: &FollowUpContext<'_>) -> Result<String, AiError> {
        let written = self.primary.follow_up(ctx).await;
        self.watch.note(&written).await;
        match written {
            Ok(text) => Ok(text),
            Err(e) => {
                tracing::warn!(error = %e, "follow-up fell back to the rules engine");
                RulesEngine.follow_up(ctx).await
            }
        }
    }
}

/// The engines in use.
#[derive(Clone)]
pub struct Ai {
    pub analyzer: Arc<dyn Analyzer>,
    pub responder: Arc<dyn Responder>,
    /// `rules` or `openai`, for logs and the eval command.
    pub engine: &'static str,
}

impl Ai {
    pub fn rules() -> Self {
        Self { analyzer: Arc::new(RulesEngine), responder: Arc::new(RulesEngine), engine: "rules" }
    }

    /// The OpenAI engine, its calls reported nowhere (tools, tests).
    pub fn openai(engine: openai::OpenAiEngine) -> Self {
        Self::openai_watched(engine, Watch::new(Provider::OpenAi))
    }

    /// The OpenAI engine, each call's result reported to `watch`.
    pub fn openai_watched(engine: openai::OpenAiEngine, watch: Watch) -> Self {
        let engine = Arc::new(WithFallback::new(engine, watch));
        Self { analyzer: engine.clone(), responder: engine, engine: "openai" }
    }
}
