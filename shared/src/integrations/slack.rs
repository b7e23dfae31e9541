//! Slack: Block Kit messages to an incoming webhook, for high-priority leads and tasks.

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::IntegrationError;
use crate::domain::provider::Provider;
use crate::domain::{Customer, Lead, Task};
use crate::provider_log::Watch;

pub struct SlackNotifier {
    http: reqwest::Client,
    webhook_url: SecretString,
    watch: Watch,
}

/// Escapes text for Slack's mrkdwn (`&`, `<`, `>`).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn who(c: &Customer) -> String {
    let name = c.name.as_ref().map(|n| n.as_str().to_owned());
    let contact = c
        .email
        .as_ref()
        .map(std::string::ToString::to_string)
        .or_else(|| c.phone.as_ref().map(std::string::ToString::to_string));
    match (name, contact) {
        (Some(n), Some(c)) => format!("{n} ({c})"),
        (Some(n), None) => n,
        (None, Some(c)) => c,
        (None, None) => "unknown customer".into(),
    }
}

fn link_block(link: Option<&str>, label: &str) -> Option<Value> {
    link.map(|url| {
        json!({"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}]})
    })
}

/// The message for a lead that became high priority.
pub fn lead_message(lead: &Lead, customer: &Customer, summary: &str, link: Option<&str>) -> Value {
    let title = format!("High-priority lead: {}", who(customer));
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": title.chars().take(150).collect::<String>()}}),
        json!({"type": "section", "fields": [
            {"type": "mrkdwn", "text": format!("*Score*\n{}", lead.quality_score.value())},
            {"type": "mrkdwn", "text": format!("*Priority*\n{}", lead.priority)},
            {"type": "mrkdwn", "text": format!("*Status*\n{}", lead.status)},
            {"type": "mrkdwn", "text": format!("*Company*\n{}", esc(customer.company.as_ref().map_or("-", |c| c.as_str())))},
        ]}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": esc(&summary.chars().take(500).collect::<String>())}}),
    ];
    blocks.extend(link_block(link, "Open lead"));
    json!({"text": title, "blocks": blocks})
}

/// The message for a new high-priority task.
pub fn task_message(task: &Task, customer: &Customer, assignee: Option<&str>, link: Option<&str>) -> Value {
    let title = format!("High-priority {} task: {}", task.task_type, task.title);
    let due = task.due_date.map_or("-".to_owned(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string());
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": title.chars().take(150).collect::<String>()}}),
        json!({"type": "section", "fields": [
            {"type": "mrkdwn", "text": format!("*Customer*\n{}", esc(&who(customer)))},
            {"type": "mrkdwn", "text": format!("*Assigned to*\n{}", esc(assignee.unwrap_or("nobody yet")))},
            {"type": "mrkdwn", "text": format!("*Due*\n{due}")},
            {"type": "mrkdwn", "text": format!("*Priority*\n{}", task.priority)},
        ]}),
    ];
    if let Some(d) = &task.description {
        let short: String = d.as_str().chars().take(500).collect();
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": esc(&short)}}));
    }
    blocks.extend(link_block(link, "Open lead"));
    json!({"text": title, "blocks": blocks})
}

impl SlackNotifier {
    pub fn new(http: reqwest::Client, webhook_url: SecretString) -> Self {
        Self { http, webhook_url, watch: Watch::new(Provider::Slack) }
    }

    /// Reports each call's result to `log` (the Settings page's integration status).
    #[must_use]
    pub fn with_log(mut self, log: std::sync::Arc<dyn crate::provider_log::ProviderLog>) -> Self {
        self.watch = self.watch.with_log(log);
        self
    }

    pub async fn post(&self, message: &Value) -> Result<(), IntegrationError> {
        let posted = self.post_once(message).await;
        self.watch.note(&posted).await;
        posted
    }

    async fn post_once(&self, message: &Value) -> Result<(), IntegrationError> {
        let resp = self
            .http
            .post(self.webhook_url.expose_secret())
            .json(message)
            .send()
            .await
            .map_err(|e| IntegrationError::network("slack", e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let body = resp.text().await.unwrap_or_default();
        Err(IntegrationError::from_status("slack", status, &body))
    }
}
