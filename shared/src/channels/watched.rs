//! A sender that reports each send's result to the provider log (the Settings page's
//! integration status), whatever the provider.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Lookup, Outbound, SendError, SendReceipt, Sender};
use crate::provider_log::{Outcome, Watch};

pub struct Watched {
    inner: Arc<dyn Sender>,
    watch: Watch,
}

impl Watched {
    pub fn new(inner: Arc<dyn Sender>, watch: Watch) -> Self {
        Self { inner, watch }
    }
}

#[async_trait::async_trait]
impl Sender for Watched {
    async fn send(&self, message: &Outbound) -> Result<SendReceipt, SendError> {
        let sent = self.inner.send(message).await;
        match &sent {
            // An address that cannot receive is the recipient's trouble: the provider answered.
            Err(SendError::Rejected { recipient_undeliverable: true, .. }) => {
                self.watch.outcome(Outcome::Succeeded).await;
            }
            other => self.watch.note(other).await,
        }
        sent
    }

    async fn find_sent(&self, message: &Outbound, since: DateTime<Utc>) -> Result<Lookup, SendError> {
        self.inner.find_sent(message, since).await
    }
}
