//! Analytics: per-day rollups of leads, messages and speed to lead, merged into a
//! summary over any range of business days.

pub mod calendar;
pub mod histogram;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use calendar::{Bound, Range};
pub use histogram::Histogram;

use super::Channel;

/// Leads per source channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ByChannel {
    pub sms: u64,
    pub email: u64,
    pub chat: u64,
    pub form: u64,
}

impl ByChannel {
    fn add(&mut self, channel: Channel) {
        match channel {
            Channel::Sms => self.sms += 1,
            Channel::Email => self.email += 1,
            Channel::Chat => self.chat += 1,
            Channel::Form => self.form += 1,
        }
    }

    fn merge(&mut self, o: &ByChannel) {
        self.sms += o.sms;
        self.email += o.email;
        self.chat += o.chat;
        self.form += o.form;
    }
}

/// Leads that reached at least each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Funnel {
    pub new: u64,
    pub contacted: u64,
    pub qualified: u64,
    pub won: u64,
}

impl Funnel {
    fn merge(&mut self, o: &Funnel) {
        self.new += o.new;
        self.contacted += o.contacted;
        self.qualified += o.qualified;
        self.won += o.won;
    }
}

/// What the rollup needs to know of one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFacts {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub source_channel: Option<Channel>,
    pub created_at: DateTime<Utc>,
    /// The stages its status has ever reached (kept by the database, see migration 0013).
    pub reached_contacted: bool,
    pub reached_qualified: bool,
    pub reached_won: bool,
    /// The first inbound message of the lead, when it has one.
    pub first_inbound: Option<DateTime<Utc>>,
    /// Leadflow's first outbound message to the customer at or after `first_inbound`
    /// (or after the lead's creation when it has no inbound message).
    pub first_reply: Option<DateTime<Utc>>,
}

impl LeadFacts {
    /// Seconds from the first inbound message to the first reply.
    pub fn speed_to_lead(&self) -> Option<f64> {
        let (inbound, reply) = (self.first_inbound?, self.first_reply?);
        Some((reply - inbound).num_milliseconds().max(0) as f64 / 1000.0)
    }
}

/// One business day: its leads (by creation), its messages, and the speed to lead of
/// the leads created that day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRollup {
    pub leads: u64,
    pub by_channel: ByChannel,
    pub funnel: Funnel,
    pub inbound: u64,
    pub replies: u64,
    pub latency: Histogram,
}

impl DayRollup {
    /// Counts a lead created that day. A reply counts as contact whatever the status
    /// says, and a later stage implies the earlier ones: a funnel never narrows upwards.
    pub fn add_lead(&mut self, lead: &LeadFacts) {
        self.leads += 1;
        if let Some(channel) = lead.source_channel {
            self.by_channel.add(channel);
        }
        let won = lead.reached_won;
        let qualified = won || lead.reached_qualified;
        let contacted = qualified || lead.reached_contacted || lead.first_reply.is_some();
        self.funnel.new += 1;
        self.funnel.contacted += u64::from(contacted);
        self.funnel.qualified += u64::from(qualified);
        self.funnel.won += u64::from(won);
        if let Some(seconds) = lead.speed_to_lead() {
            self.latency.record(seconds);
        }
    }

    pub fn merge(&mut self, o: &DayRollup) {
        self.leads += o.leads;
        self.by_channel.merge(&o.by_channel);
        self.funnel.merge(&o.funnel);
        self.inbound += o.inbound;
        self.replies += o.replies;
        self.latency.merge(&o.latency);
    }
}

/// A stored day of rollups: which day, in which zone, as of when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDay {
    pub date: NaiveDate,
    pub rollup: DayRollup,
    /// When the data it was computed from was read.
    pub computed_at: DateTime<Utc>,
}

/// Median, p90 and count of a set of speeds to lead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Latency {
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub count: u64,
}

impl Latency {
    /// Read from a histogram, rounded to the centisecond (finer than its resolution).
    pub fn of(h: &Histogram) -> Self {
        let round = |v: f64| (v * 100.0).round() / 100.0;
        Latency {
            median_seconds: h.quantile(0.5).map(round),
            p90_seconds: h.quantile(0.9).map(round),
            count: h.count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn lead(channel: Channel) -> LeadFacts {
        LeadFacts {
            id: Uuid::nil(),
            customer_id: Uuid::nil(),
            source_channel: Some(channel),
            created_at: DateTime::UNIX_EPOCH,
            reached_contacted: false,
            reached_qualified: false,
            reached_won: false,
            first_inbound: None,
            first_reply: None,
        }
    }

    #[test]
    fn a_lead_counts_in_every_stage_up_to_the_furthest_it_reached() {
        let mut day = DayRollup::default();
        day.add_lead(&lead(Channel::Sms));
        day.add_lead(&LeadFacts { reached_won: true, ..lead(Channel::Chat) });
        day.add_lead(&LeadFacts { reached_qualified: true, ..lead(Channel::Chat) });
        day.add_lead(&LeadFacts { first_reply: Some(DateTime::UNIX_EPOCH), ..lead(Channel::Form) });
        day.add_lead(&LeadFacts { source_channel: None, reached_contacted: true, ..lead(Channel::Form) });
        assert_eq!(day.funnel, Funnel { new: 5, contacted: 4, qualified: 2, won: 1 });
        assert_eq!(day.by_channel, ByChannel { sms: 1, email: 0, chat: 2, form: 1 });
        assert_eq!(day.leads, 5);
    }

    #[test]
    fn speed_to_lead_needs_both_messages() {
        let t = DateTime::UNIX_EPOCH;
        let replied =
            LeadFacts { first_inbound: Some(t), first_reply: Some(t + Duration::seconds(4)), ..lead(Channel::Sms) };
        assert_eq!(replied.speed_to_lead(), Some(4.0));
        assert_eq!(LeadFacts { first_inbound: Some(t), ..lead(Channel::Sms) }.speed_to_lead(), None);
        let mut day = DayRollup::default();
        day.add_lead(&replied);
        day.add_lead(&lead(Channel::Sms));
        assert_eq!(Latency::of(&day.latency).count, 1);
    }

    #[test]
    fn merged_days_add_up() {
        let mut a = DayRollup { inbound: 3, replies: 2, ..DayRollup::default() };
        a.add_lead(&lead(Channel::Email));
        let mut b = DayRollup { inbound: 1, replies: 5, ..DayRollup::default() };
        b.add_lead(&LeadFacts { reached_won: true, ..lead(Channel::Email) });
        a.merge(&b);
        assert_eq!((a.leads, a.inbound, a.replies, a.by_channel.email), (2, 4, 7, 2));
        assert_eq!(a.funnel, Funnel { new: 2, contacted: 1, qualified: 1, won: 1 });
    }

    #[test]
    fn no_speeds_mean_null_percentiles() {
        let l = Latency::of(&Histogram::new());
        assert_eq!((l.median_seconds, l.p90_seconds, l.count), (None, None, 0));
    }
}
