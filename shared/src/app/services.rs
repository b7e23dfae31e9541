//! Hands each service the dependencies it takes, from the state built once.

use super::AppState;
use crate::services::accounts::Accounts;
use crate::services::analytics::Analytics;
use crate::services::api_keys::ApiKeys;
use crate::services::bookings::{BookingNotices, Bookings, StripeDeps};
use crate::services::conversations::Conversations;
use crate::services::delivery::Delivery;
use crate::services::emergencies::{PageRetry, Pager};
use crate::services::follow_ups::{Dispatcher, FollowUpSender, FollowUps};
use crate::services::intake::Intake;
use crate::services::integrations::{Integrations, LeadLinks};
use crate::services::leads::Leads;
use crate::services::qualification::Qualifier;
use crate::services::suppressions::Suppressions;
use crate::services::tasks::Tasks;
use crate::services::users::Users;
use crate::services::webhooks::WebhookEndpoints;
use crate::services::webhooks::deliver::WebhookDeliverer;
use crate::services::webhooks::hooks::Hooks;
use crate::services::{FollowOn, ServiceResult, maintenance};

impl AppState {
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            db: &self.db,
            tokens: self.auth.tokens(),
            limiter: &*self.rate_limiter,
            refresh_ttl: self.config.access.refresh_ttl,
        }
    }

    pub fn analytics(&self) -> Analytics<'_> {
        Analytics { db: &self.db, mongo: &self.mongo }
    }

    pub fn users(&self) -> Users<'_> {
        Users { db: &self.db }
    }

    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { db: &self.db, auth: &self.auth }
    }

    pub fn follow_on(&self) -> FollowOn<'_> {
        FollowOn { jobs: &*self.queue, salesforce: self.integrations.salesforce.is_some() }
    }

    pub fn qualifier(&self) -> Qualifier<'_> {
        Qualifier { db: &self.db, mongo: &self.mongo, relay: &self.relay, follow_on: self.follow_on() }
    }

    pub fn leads(&self) -> Leads<'_> {
        Leads { db: &self.db, qualifier: self.qualifier() }
    }

    pub fn tasks(&self) -> Tasks<'_> {
        Tasks { db: &self.db, mongo: &self.mongo, relay: &self.relay, follow_on: self.follow_on() }
    }

    pub fn bookings(&self) -> Bookings<'_> {
        Bookings {
            db: &self.db,
            relay: &self.relay,
            follow_on: self.follow_on(),
            qualifier: self.qualifier(),
            google: self.integrations.google.as_deref(),
            stripe: match (&self.integrations.stripe, &self.config.providers.stripe) {
                (Some(client), Some(settings)) => Some(StripeDeps { client, settings }),
                _ => None,
            },
        }
    }

    pub fn booking_notices(&self) -> BookingNotices<'_> {
        BookingNotices {
            db: &self.db,
            mongo: &self.mongo,
            delivery: self.delivery(),
            google_calendar: self.integrations.google.is_some(),
        }
    }

    pub fn delivery(&self) -> Delivery<'_> {
        Delivery { db: &self.db, mongo: &self.mongo, senders: &self.senders }
    }

    pub fn conversations(&self) -> Conversations<'_> {
        Conversations {
            db: &self.db,
            mongo: &self.mongo,
            ai: &self.ai,
            delivery: self.delivery(),
            qualifier: self.qualifier(),
            bookings: self.bookings(),
            relay: &self.relay,
            follow_on: self.follow_on(),
            idempotency: &*self.idempotency,
            follow_ups: self.follow_ups(),
            pager: self.pager(),
            default_country: self.config.default_country,
            ai_pause: self.config.messaging.ai_pause,
        }
    }

    pub fn pager(&self) -> Pager<'_> {
        Pager { senders: &self.senders, slack: self.integrations.slack.as_ref(), idempotency: &*self.idempotency }
    }

    pub fn page_retry(&self) -> PageRetry<'_> {
        PageRetry { db: &self.db, mongo: &self.mongo, pager: self.pager() }
    }

    pub fn suppressions(&self) -> Suppressions<'_> {
        Suppressions { db: &self.db, mongo: &self.mongo, qualifier: self.qualifier() }
    }

    pub fn intake(&self) -> Intake<'_> {
        Intake {
            db: &self.db,
            mongo: &self.mongo,
            jobs: &*self.queue,
            relay: &self.relay,
            follow_on: self.follow_on(),
            idempotency: &*self.idempotency,
        }
    }

    pub fn integrations(&self) -> Integrations<'_> {
        Integrations {
            db: &self.db,
            slack: self.integrations.slack.as_ref(),
            salesforce: self.integrations.salesforce.as_ref(),
            idempotency: &*self.idempotency,
            links: LeadLinks {
                template: self.config.lead_link_template.as_deref(),
                public_base_url: self.config.public_base_url.as_deref(),
            },
        }
    }

    pub fn follow_ups(&self) -> FollowUps<'_> {
        FollowUps { db: &self.db, mongo: &self.mongo, relay: &self.relay }
    }

    pub fn follow_up_dispatcher(&self) -> Dispatcher<'_> {
        Dispatcher {
            db: &self.db,
            jobs: &*self.queue,
            relay: &self.relay,
            max_per_minute: self.config.messaging.follow_up_max_per_minute,
        }
    }

    pub fn follow_up_sender(&self) -> FollowUpSender<'_> {
        FollowUpSender { db: &self.db, mongo: &self.mongo, relay: &self.relay, delivery: self.delivery(), ai: &self.ai }
    }

    pub fn webhook_endpoints(&self) -> WebhookEndpoints<'_> {
        WebhookEndpoints { db: &self.db, jobs: &*self.queue, allow_loopback: self.config.allow_private_webhook_targets }
    }

    pub fn webhook_deliverer(&self) -> WebhookDeliverer<'_> {
        WebhookDeliverer {
            db: &self.db,
            sender: &self.integrations.webhooks,
            jobs: &*self.queue,
            relay: &self.relay,
            slack: self.integrations.slack.as_deref(),
            email: self.senders.email.as_deref(),
        }
    }

    pub fn hooks(&self) -> Hooks<'_> {
        Hooks { endpoints: self.webhook_endpoints(), mongo: &self.mongo }
    }

    /// One run of the schedule.
    pub async fn tick(&self, now: chrono::DateTime<chrono::Utc>) -> ServiceResult<maintenance::TickReport> {
        let follow_ups = self.follow_up_dispatcher();
        let webhooks = self.webhook_deliverer();
        let sweep_after = self.config.messaging.sweep_after;
        let parts = maintenance::Parts { relay: &self.relay, follow_ups: &follow_ups, webhooks: &webhooks };
        let visibility = self.config.messaging.jobs_visibility;
        maintenance::tick(&self.db, &self.mongo, &*self.queue, &parts, sweep_after, visibility, now).await
    }
}
