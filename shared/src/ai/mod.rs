//! Message analysis and reply generation behind two small traits. The `rules` engine is
//! the offline default; the OpenAI engine is used when configured, wrapped so that any
//! failure of it falls back to the rules engine (and says why in the log).

pub mod eval;
pub mod openai;
pub mod rules;
mod templates;

use std::sync::Arc;

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
