//! The schedule's claims: two dispatchers at once never claim the same follow-up, and
//! the per-channel cap drains a backlog steadily.

use chrono::{Duration, Utc};
use leadflow::domain::follow_up::FollowUpContent;
use leadflow::domain::sequence::Template;
use leadflow::domain::{Channel, NewFollowUp};
use leadflow::queue::Job;
use serde_json::json;
use uuid::Uuid;

use super::lead_of;
use crate::common::TestApp;

/// `n` ad-hoc follow-ups due a minute ago, written straight to the store.
async fn due(app: &TestApp, n: usize, channel: Channel) -> chrono::DateTime<Utc> {
    let (customer_id, lead_id) =
        lead_of(app, json!({"name": "Bulk Buyer", "email": "bulk@example.com", "phone": "+12125550111"})).await;
    let now = Utc::now();
    let conn = app.state.db.conn().await.unwrap();
    for i in 0..n {
        let new = NewFollowUp {
            lead_id: lead_id.parse().unwrap(),
            customer_id: customer_id.parse().unwrap(),
            run_id: None,
            step: 1,
            channel,
            scheduled_time: now - Duration::minutes(1) - Duration::seconds(i64::try_from(i).unwrap()),
            content: FollowUpContent::Template(Template::parse("Hello {first_name}").unwrap()),
            subject: None,
        };
        leadflow::store::follow_ups::insert(&*conn, &new, now).await.unwrap();
    }
    now
}

fn follow_up_ids(jobs: &[Job]) -> Vec<Uuid> {
    jobs.iter()
        .map(|j| match j {
            Job::SendFollowUp { follow_up_id } => *follow_up_id,
            other => panic!("unexpected job {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn two_dispatchers_ticking_at_once_never_claim_the_same_follow_up() {
    let app = TestApp::with_config(|c| c.messaging.follow_up_max_per_minute = 100_000).await;
    let now = due(&app, 600, Channel::Sms).await;
    let (a, b) = (app.state.follow_up_dispatcher(), app.state.follow_up_dispatcher());
    let (ra, rb) = tokio::join!(a.dispatch(now), b.dispatch(now));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.queued + rb.queued, 600, "{ra:?} {rb:?}");
    // Spread at the cap's rate: 600 at 100,000 a minute arrive within 0.4 s.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let mut ids = follow_up_ids(&app.take_jobs().await);
    assert_eq!(ids.len(), 600);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 600, "each follow-up claimed once");
    assert_eq!(app.state.follow_up_dispatcher().dispatch(now).await.unwrap().queued, 0);
}

#[tokio::test]
async fn the_cap_drains_a_backlog_a_minute_at_a_time() {
    let app = TestApp::with_config(|c| c.messaging.follow_up_max_per_minute = 5).await;
    let now = due(&app, 12, Channel::Sms).await;
    let d = app.state.follow_up_dispatcher();
    assert_eq!(d.dispatch(now).await.unwrap().queued, 5);
    assert_eq!(app.take_jobs().await.len(), 1, "the minute's sends are spread: one now, the next in 12 s");
    assert_eq!(d.dispatch(now + Duration::seconds(30)).await.unwrap().queued, 0, "the minute's five are out");
    assert_eq!(d.dispatch(now + Duration::seconds(61)).await.unwrap().queued, 5);
    assert_eq!(d.dispatch(now + Duration::seconds(122)).await.unwrap().queued, 2);
    assert_eq!(d.dispatch(now + Duration::seconds(183)).await.unwrap().queued, 0, "all out");
}
