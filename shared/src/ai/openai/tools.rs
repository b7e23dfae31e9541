//! Booking by function calling: the model gets `check_availability`, `book_slot` and
//! `cancel_booking`, each answered through the conversation's [`BookingDesk`] (the
//! services the offline flow uses), so every time it can name or book came from the
//! server. Arguments the model gets wrong go back to it as a tool error, never fail
//! the reply; a model that keeps calling tools past [`TOOL_ROUNDS`] rounds does.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessageArgs,
    ChatCompletionRequestMessage, ChatCompletionRequestToolMessageArgs, ChatCompletionTool,
    ChatCompletionToolChoiceOption, ChatCompletionTools, FunctionObject, ToolChoiceOptions,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::OpenAiEngine;
use crate::ai::{AiError, BookedSlot, BookingDesk, DeskError};
use crate::domain::TimeZone;
use crate::domain::slot_talk::{describe_time, offer_text};

/// How many responses in a row may call tools; the next must be the reply.
pub const TOOL_ROUNDS: usize = 4;
/// How many open times one availability check returns (the offer names at most three).
const TIMES_PER_CHECK: usize = 3;

fn function(name: &str, description: &str, parameters: Value) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: name.into(),
            description: Some(description.into()),
            parameters: Some(parameters),
            strict: Some(true),
        },
    })
}

/// The three booking tools, with strict JSON-schema parameters.
pub(super) fn definitions() -> Vec<ChatCompletionTools> {
    let time = |what: &str| json!({"type": ["string", "null"], "description": what});
    vec![
        function(
            "check_availability",
            "Open appointment start times of the business, at most three, spread out, soonest first. \
             Offer the customer only times this returns.",
            json!({
                "type": "object",
                "properties": {
                    "from": time("Earliest start, RFC 3339 with offset; null for now"),
                    "to": time("Latest start (exclusive), RFC 3339 with offset; null for two weeks after from")
                },
                "required": ["from", "to"],
                "additionalProperties": false
            }),
        ),
        function(
            "book_slot",
            "Books the appointment at a start time check_availability returned, once the customer has clearly \
             chosen it. Moves the customer's booking instead when they asked to reschedule.",
            json!({
                "type": "object",
                "properties": {
                    "start": {"type": "string", "description": "The chosen start, exactly as check_availability returned it"}
                },
                "required": ["start"],
                "additionalProperties": false
            }),
        ),
        function(
            "cancel_booking",
            "Cancels the customer's next appointment, only when they ask to cancel.",
            json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
        ),
    ]
}

pub(super) fn choice() -> ChatCompletionToolChoiceOption {
    ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Auto)
}

/// A tool call the desk can run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Check { from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>> },
    Book { start: DateTime<Utc> },
    Cancel,
}

/// Why a tool call could not be run; the model is told and may try again.
#[derive(Debug, thiserror::Error)]
enum CallError {
    #[error("there is no tool named {0}")]
    UnknownTool(String),
    #[error("the arguments are not valid for this tool: {0}")]
    Arguments(#[from] serde_json::Error),
    #[error("{field} must be an RFC 3339 time with an offset, such as 2026-03-10T09:00:00-05:00 (got {value:?})")]
    Time { field: &'static str, value: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckArgs {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BookArgs {
    start: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

fn instant(field: &'static str, value: &str) -> Result<DateTime<Utc>, CallError> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.to_utc())
        .map_err(|_| CallError::Time { field, value: value.to_owned() })
}

fn parse(name: &str, arguments: &str) -> Result<Call, CallError> {
    // An empty argument string is how some servers send "no arguments".
    let arguments = if arguments.trim().is_empty() { "{}" } else { arguments };
    match name {
        "check_availability" => {
            let a: CheckArgs = serde_json::from_str(arguments)?;
            Ok(Call::Check {
                from: a.from.as_deref().map(|v| instant("from", v)).transpose()?,
                to: a.to.as_deref().map(|v| instant("to", v)).transpose()?,
            })
        }
        "book_slot" => {
            let a: BookArgs = serde_json::from_str(arguments)?;
            Ok(Call::Book { start: instant("start", &a.start)? })
        }
        "cancel_booking" => {
            let _: NoArgs = serde_json::from_str(arguments)?;
            Ok(Call::Cancel)
        }
        other => Err(CallError::UnknownTool(other.to_owned())),
    }
}

/// A time as the model sees it: RFC 3339 in the business's offset, and the words the
/// customer should read.
fn time(at: DateTime<Utc>, tz: TimeZone) -> Value {
    json!({"start": at.with_timezone(&tz.tz()).to_rfc3339(), "label": describe_time(at, tz)})
}

fn slot(s: &BookedSlot, tz: TimeZone) -> Value {
    json!({"start": s.start.with_timezone(&tz.tz()).to_rfc3339(), "end": s.end.with_timezone(&tz.tz()).to_rfc3339(),
           "label": describe_time(s.start, tz)})
}

fn desk_error(e: &DeskError, tz: TimeZone) -> Value {
    match e {
        DeskError::NotOpen { nearest } => json!({
            "error": "not_open",
            "message": "That time is not open. Offer the nearest open times instead.",
            "nearest": nearest.iter().map(|t| time(*t, tz)).collect::<Vec<_>>(),
        }),
        DeskError::NoBooking => json!({"error": "no_booking", "message": "The customer has no upcoming booking."}),
        DeskError::Unavailable(why) => json!({"error": "unavailable", "message": why}),
    }
}

/// Runs one call; the JSON the model gets back, and the confirmation when it changed a
/// booking.
async fn run(desk: &dyn BookingDesk, name: &str, arguments: &str, tz: TimeZone) -> (Value, Option<String>) {
    let call = match parse(name, arguments) {
        Ok(call) => call,
        Err(e) => return (json!({"error": "bad_arguments", "message": e.to_string()}), None),
    };
    match call {
        Call::Check { from, to } => match desk.open_times(from, to, TIMES_PER_CHECK).await {
            Ok(times) if times.is_empty() => (json!({"times": [], "message": "No open time in that range."}), None),
            Ok(times) => (
                json!({"times": times.iter().map(|t| time(*t, tz)).collect::<Vec<_>>(), "offer": offer_text(&times, tz)}),
                None,
            ),
            Err(e) => (desk_error(&e, tz), None),
        },
        Call::Book { start } => match desk.book(start).await {
            Ok(s) => (json!({"booked": slot(&s, tz), "confirmation": s.text}), Some(s.text)),
            Err(e) => (desk_error(&e, tz), None),
        },
        Call::Cancel => match desk.cancel().await {
            Ok(s) => (json!({"cancelled": slot(&s, tz), "confirmation": s.text}), Some(s.text)),
            Err(e) => (desk_error(&e, tz), None),
        },
    }
}

fn tool_message(id: &str, result: &Value) -> Result<ChatCompletionRequestMessage, AiError> {
    Ok(ChatCompletionRequestToolMessageArgs::default()
        .content(result.to_string())
        .tool_call_id(id)
        .build()
        .map_err(|e| AiError::BadOutput(e.to_string()))?
        .into())
}

impl OpenAiEngine {
    /// The reply written with the booking tools: each response that calls tools gets
    /// their results back, until one answers in words. A model still calling tools after
    /// [`TOOL_ROUNDS`] rounds is unusable, unless it already changed a booking: then the
    /// confirmation the desk wrote is the truthful reply.
    pub(super) async fn reply_with_tools(
        &self,
        mut messages: Vec<ChatCompletionRequestMessage>,
        desk: &dyn BookingDesk,
        tz: TimeZone,
    ) -> Result<String, AiError> {
        let tools = definitions();
        let mut confirmation = None;
        for round in 0..=TOOL_ROUNDS {
            let message = self.create(messages.clone(), None, Some(tools.clone()), 350).await?;
            let calls = message.tool_calls.unwrap_or_default();
            if calls.is_empty() {
                return message
                    .content
                    .filter(|c| !c.trim().is_empty())
                    .ok_or_else(|| AiError::BadOutput("neither a reply nor a tool call".into()));
            }
            if round == TOOL_ROUNDS {
                break;
            }
            let mut assistant = ChatCompletionRequestAssistantMessageArgs::default();
            assistant.tool_calls(calls.clone());
            if let Some(text) = message.content.filter(|c| !c.trim().is_empty()) {
                assistant.content(text);
            }
            messages.push(assistant.build().map_err(|e| AiError::BadOutput(e.to_string()))?.into());
            for call in &calls {
                let (id, result) = match call {
                    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall { id, function }) => {
                        let (result, changed) = run(desk, &function.name, &function.arguments, tz).await;
                        confirmation = changed.or(confirmation);
                        (id, result)
                    }
                    ChatCompletionMessageToolCalls::Custom(c) => (
                        &c.id,
                        json!({"error": "bad_arguments", "message": CallError::UnknownTool(c.custom_tool.name.clone()).to_string()}),
                    ),
                };
                messages.push(tool_message(id, &result)?);
            }
        }
        confirmation.ok_or_else(|| AiError::BadOutput(format!("still calling tools after {TOOL_ROUNDS} rounds")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_parsed_strictly() {
        let nine = DateTime::parse_from_rfc3339("2026-03-10T09:00:00-05:00").unwrap().to_utc();
        assert_eq!(parse("book_slot", r#"{"start":"2026-03-10T09:00:00-05:00"}"#).unwrap(), Call::Book { start: nine });
        assert_eq!(
            parse("check_availability", r#"{"from":"2026-03-10T14:00:00Z","to":null}"#).unwrap(),
            Call::Check { from: Some(nine), to: None }
        );
        assert_eq!(parse("cancel_booking", "").unwrap(), Call::Cancel);
        assert!(matches!(
            parse("book_slot", r#"{"start":"tomorrow 9am"}"#),
            Err(CallError::Time { field: "start", .. })
        ));
        assert!(matches!(parse("book_slot", r#"{"start":"2026-03-10T09:00:00"}"#), Err(CallError::Time { .. })));
        assert!(matches!(parse("book_slot", "{\"start\": "), Err(CallError::Arguments(_))));
        assert!(matches!(
            parse("book_slot", r#"{"start":"2026-03-10T09:00:00Z","x":1}"#),
            Err(CallError::Arguments(_))
        ));
        assert!(matches!(parse("delete_everything", "{}"), Err(CallError::UnknownTool(_))));
    }

    #[test]
    fn tools_are_strict_functions() {
        let tools = serde_json::to_value(definitions()).unwrap();
        let names: Vec<&str> =
            tools.as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["check_availability", "book_slot", "cancel_booking"]);
        for t in tools.as_array().unwrap() {
            assert_eq!(t["type"], "function");
            assert_eq!(t["function"]["strict"], true);
            let params = &t["function"]["parameters"];
            assert_eq!(params["additionalProperties"], false);
            let props: Vec<&String> = params["properties"].as_object().unwrap().keys().collect();
            let required: Vec<&str> =
                params["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            assert_eq!(props.len(), required.len(), "strict mode requires every property");
        }
        assert_eq!(serde_json::to_value(choice()).unwrap(), "auto");
    }
}
