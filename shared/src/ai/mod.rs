//! Message analysis and reply generation behind two small traits. The `rules` engine is
//! the offline default; the OpenAI engine is used when configured, wrapped so that any
//! failure of it falls back to the rules engine (and says why in the log).

pub mod eval;
pub mod money;
pub mod openai;
pub mod rules;
mod templates;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::analysis::HandoffReason;
use crate::domain::{Analysis, AnalysisInput, Customer, Message, Settings};

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
    pub analysis: &'a Analysis,
    /// Set when a person must take over: the reply only says someone will follow up.
    pub handoff: Option<HandoffReason>,
    /// Whether the business is open now (a closed business says when it will answer).
    pub open_now: bool,
    /// The customer's booking desk, given when the message is about booking (a booking,
    /// reschedule or cancel intent, or an open offer) and the responder books with tools.
    pub booking: Option<&'a dyn BookingDesk>,
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

#[async_trait::async_trait]
impl Responder for RulesEngine {
    async fn respond(&self, ctx: &ReplyContext<'_>) -> Result<Option<Reply>, AiError> {
        Ok(templates::reply(ctx))
    }
}

/// Uses `primary`; on any failure, logs why and answers with the rules engine instead.
pub struct WithFallback<P> {
    primary: P,
}

impl<P> WithFallback<P> {
    pub fn new(primary: P) -> Self {
        Self { primary }
    }
}

#[async_trait::async_trait]
impl<P: Analyzer> Analyzer for WithFallback<P> {
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, AiError> {
        match self.primary.analyze(input).await {
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
        match self.primary.respond(ctx).await {
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

    pub fn openai(engine: openai::OpenAiEngine) -> Self {
        let engine = Arc::new(WithFallback::new(engine));
        Self { analyzer: engine.clone(), responder: engine, engine: "openai" }
    }
}
