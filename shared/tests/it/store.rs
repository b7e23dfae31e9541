//! Repositories against Postgres and MongoDB: constraints become typed errors.

use chrono::{Duration, DurationRound, Utc};
use leadflow::domain::booking::DurationMinutes;
use leadflow::domain::customer::CustomerFields;
use leadflow::domain::text::ShortText;
use leadflow::domain::*;
use leadflow::store::leads::{LeadFilter, LeadSort};
use leadflow::store::mongo::Inserted;
use leadflow::store::tasks::TaskFilter;
use leadflow::store::{
    PageRequest, StoreError, bookings, customers, follow_ups, leads, opt_outs, settings, tasks, teams,
};
use uuid::Uuid;

use crate::common::TestStack;

async fn customer(stack: &TestStack, email: &str) -> Customer {
    let conn = stack.db.conn().await.unwrap();
    let fields = CustomerFields { email: Some(Email::parse(email).unwrap()), ..Default::default() };
    customers::insert(&*conn, &NewCustomer::new(fields).unwrap()).await.unwrap()
}

async fn lead(stack: &TestStack, customer_id: Uuid) -> Lead {
    let conn = stack.db.conn().await.unwrap();
    leads::insert(&*conn, &NewLead::for_customer(customer_id, Some(Channel::Sms))).await.unwrap()
}

fn text(s: &str) -> ShortText {
    ShortText::parse(s).unwrap()
}

#[tokio::test]
async fn one_open_lead_per_customer() {
    let stack = TestStack::new().await;
    let c = customer(&stack, "a@example.com").await;
    let mut first = lead(&stack, c.id).await;
    let conn = stack.db.conn().await.unwrap();
    let err = leads::insert(&*conn, &NewLead::for_customer(c.id, None)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(err.field(), Some("customer_id"));
    first.status = LeadStatus::Lost;
    leads::save(&*conn, &first).await.unwrap();
    assert!(leads::open_for_customer(&*conn, c.id).await.unwrap().is_none());
    let second = leads::insert(&*conn, &NewLead::for_customer(c.id, None)).await.unwrap();
    assert_eq!(leads::open_for_customer(&*conn, c.id).await.unwrap().unwrap().id, second.id);
}

#[tokio::test]
async fn leads_for_unknown_customers_are_missing_references() {
    let stack = TestStack::new().await;
    let conn = stack.db.conn().await.unwrap();
    let err = leads::insert(&*conn, &NewLead::for_customer(Uuid::new_v4(), None)).await.unwrap_err();
    assert!(matches!(err, StoreError::MissingReference { .. }));
    assert_eq!(err.field(), Some("customer_id"));
}

#[tokio::test]
async fn lead_list_filters_and_sorts_by_score() {
    let stack = TestStack::new().await;
    let conn = stack.db.conn().await.unwrap();
    let mut scores = Vec::new();
    for (i, score) in [40, 90, 10].into_iter().enumerate() {
        let c = customer(&stack, &format!("l{i}@example.com")).await;
        let mut l = lead(&stack, c.id).await;
        l.quality_score = Score::new(score).unwrap();
        l.priority = if score >= 70 { Priority::High } else { Priority::Low };
        leads::save(&*conn, &l).await.unwrap();
        scores.push(score);
    }
    let by_score = LeadFilter { sort: LeadSort::Score, ..Default::default() };
    let page = PageRequest::new(Some(2), None).unwrap();
    let first = leads::list(&*conn, &by_score, &page).await.unwrap();
    let got: Vec<u8> = first.items.iter().map(|l| l.quality_score.value()).collect();
    assert_eq!(got, [90, 40]);
    let next = PageRequest::new(Some(2), first.next_cursor.as_deref()).unwrap();
    let rest = leads::list(&*conn, &by_score, &next).await.unwrap();
    assert_eq!(rest.items.iter().map(|l| l.quality_score.value()).collect::<Vec<_>>(), [10]);

    let high = LeadFilter { priority: Some(Priority::High), ..Default::default() };
    assert_eq!(leads::list(&*conn, &high, &PageRequest::default()).await.unwrap().items.len(), 1);
    let min = LeadFilter { min_score: Some(Score::new(40).unwrap()), ..Default::default() };
    assert_eq!(leads::list(&*conn, &min, &PageRequest::default()).await.unwrap().items.len(), 2);
    let recent_cursor = PageRequest::new(
        Some(1),
        leads::list(&*conn, &LeadFilter::default(), &PageRequest::new(Some(1), None).unwrap())
            .await
            .unwrap()
            .next_cursor
            .as_deref(),
    )
    .unwrap();
    let err = leads::list(&*conn, &by_score, &recent_cursor).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidCursor), "a recency cursor is refused by the score list");
}

#[tokio::test]
async fn overlapping_active_bookings_of_one_host_conflict() {
    let stack = TestStack::new().await;
    let c = customer(&stack, "b@example.com").await;
    let conn = stack.db.conn().await.unwrap();
    let at = (Utc::now() + Duration::days(1)).duration_trunc(Duration::hours(1)).unwrap();
    let new = |offset_min: i64| NewBooking {
        customer_id: c.id,
        lead_id: None,
        host_id: None,
        scheduled_time: at + Duration::minutes(offset_min),
        duration_minutes: DurationMinutes::new(30).unwrap(),
        meeting_type: MeetingType::Video,
        meeting_link: None,
        location: None,
        notes: None,
        source: leadflow::domain::BookingSource::Api,
        external_id: None,
        chat_session: None,
        service: None,
        hold_until: None,
    };
    let mut first = bookings::insert(&*conn, &new(0)).await.unwrap();
    let err = bookings::insert(&*conn, &new(15)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }));
    assert_eq!(err.field(), Some("scheduled_time"));
    bookings::insert(&*conn, &new(30)).await.expect("back to back is fine");
    first.status = BookingStatus::Cancelled;
    bookings::save(&*conn, &first).await.unwrap();
    bookings::insert(&*conn, &new(0)).await.expect("a cancelled booking frees its slot");
}

#[tokio::test]
async fn tasks_are_idempotent_on_message_and_filterable() {
    let stack = TestStack::new().await;
    let c = customer(&stack, "t@example.com").await;
    let l = lead(&stack, c.id).await;
    let conn = stack.db.conn().await.unwrap();
    let team = teams::insert_team(
        &*conn,
        &NewTeam { name: text("Tech"), kind: TaskType::Technical, assignment: Assignment::RoundRobin },
    )
    .await
    .unwrap();
    let agent = teams::insert_agent(
        &*conn,
        &NewAgent {
            name: text("Ada"),
            email: Email::parse("ada@example.com").unwrap(),
            team_id: team.id,
            available: true,
        },
    )
    .await
    .unwrap();
    let message_id = Uuid::now_v7();
    let new = NewTask {
        lead_id: l.id,
        message_id: Some(message_id),
        title: text("API down"),
        description: None,
        task_type: TaskType::Technical,
        priority: Priority::High,
        assigned_to: Some(agent.id),
        due_date: Some(Utc::now() - Duration::minutes(1)),
    };
    let (first, created) = tasks::insert(&*conn, &new).await.unwrap();
    assert!(created);
    let (again, created_again) = tasks::insert(&*conn, &new).await.unwrap();
    assert!(!created_again);
    assert_eq!(first.id, again.id);
    let overdue = TaskFilter { overdue_at: Some(Utc::now()), ..Default::default() };
    assert_eq!(tasks::list(&*conn, &overdue, &PageRequest::default()).await.unwrap().items.len(), 1);
    let sales = TaskFilter { task_type: Some(TaskType::Sales), ..Default::default() };
    assert!(tasks::list(&*conn, &sales, &PageRequest::default()).await.unwrap().items.is_empty());
    assert_eq!(tasks::open_counts(&*conn, &[agent.id]).await.unwrap(), vec![(agent.id, 1)]);
    let dup_agent = teams::insert_agent(
        &*conn,
        &NewAgent {
            name: text("Ada 2"),
            email: Email::parse("ADA@example.com").unwrap(),
            team_id: team.id,
            available: true,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(dup_agent.field(), Some("email"));
}

#[tokio::test]
async fn follow_up_claims_skip_rows_held_by_another_transaction() {
    use leadflow::domain::follow_up::FollowUpContent;
    use leadflow::domain::sequence::{FollowUpStatus, Template};
    use leadflow::store::follow_ups::Outcome;

    let stack = TestStack::new().await;
    let c = customer(&stack, "f@example.com").await;
    let l = lead(&stack, c.id).await;
    let conn = stack.db.conn().await.unwrap();
    let now = Utc::now();
    for step in 1..=2 {
        let new = NewFollowUp {
            lead_id: l.id,
            customer_id: c.id,
            run_id: None,
            step,
            channel: Channel::Sms,
            scheduled_time: now - Duration::minutes(i64::from(step)),
            content: FollowUpContent::Template(Template::parse(&format!("step {step}")).unwrap()),
            subject: None,
        };
        follow_ups::insert(&*conn, &new, now).await.unwrap();
    }
    let mut a = stack.db.conn().await.unwrap();
    let mut b = stack.db.conn().await.unwrap();
    let ta = a.transaction().await.unwrap();
    let tb = b.transaction().await.unwrap();
    let claimed_a = follow_ups::claim_due(&ta, Channel::Sms, now, 1).await.unwrap();
    let claimed_b = follow_ups::claim_due(&tb, Channel::Sms, now, 5).await.unwrap();
    assert_eq!(claimed_a.len(), 1);
    assert_eq!(claimed_b.len(), 1);
    assert_ne!(claimed_a[0], claimed_b[0]);
    assert!(follow_ups::claim_due(&ta, Channel::Email, now, 5).await.unwrap().is_empty(), "per channel");
    let sent = Outcome::Sent { provider_message_id: Some("SM1".into()) };
    assert!(follow_ups::finish(&ta, claimed_a[0], &sent, now).await.unwrap());
    ta.commit().await.unwrap();
    tb.rollback().await.unwrap();
    assert!(!follow_ups::finish(&*conn, claimed_a[0], &sent, now).await.unwrap(), "an ended one stays ended");
    assert_eq!(follow_ups::get_by_id(&*conn, claimed_a[0]).await.unwrap().status, FollowUpStatus::Sent);
    // B's claim rolled back: its row is pending again and claimable.
    assert_eq!(follow_ups::claim_due(&*conn, Channel::Sms, now, 5).await.unwrap(), vec![claimed_b[0]]);
}

#[tokio::test]
async fn settings_default_then_saved() {
    let stack = TestStack::new().await;
    let conn = stack.db.conn().await.unwrap();
    let mut s = settings::load(&*conn).await.unwrap();
    assert_eq!(s.tone, Tone::Friendly);
    s.business_name = text("Austin Plumbing Co");
    s.time_zone = TimeZone::parse("America/Chicago").unwrap();
    s.services = vec![Service { name: text("Water heaters"), description: None, price: Some(text("from $1,200")) }];
    let saved = settings::save(&*conn, &s).await.unwrap();
    assert_eq!(saved.business_name.as_str(), "Austin Plumbing Co");
    assert_eq!(saved.time_zone.name(), "America/Chicago");
    assert_eq!(saved.services.len(), 1);
    assert_eq!(settings::load(&*conn).await.unwrap().business_hours, s.business_hours);
}

#[tokio::test]
async fn opt_outs_outlive_their_customer() {
    let stack = TestStack::new().await;
    let c = customer(&stack, "o@example.com").await;
    let conn = stack.db.conn().await.unwrap();
    assert!(opt_outs::add(&*conn, Channel::Sms, "+14155552671", Some(c.id), "STOP").await.unwrap());
    assert!(!opt_outs::add(&*conn, Channel::Sms, "+14155552671", Some(c.id), "STOP").await.unwrap());
    customers::delete(&*conn, c.id).await.unwrap();
    assert!(opt_outs::contains(&*conn, Channel::Sms, "+14155552671").await.unwrap());
    assert!(opt_outs::remove(&*conn, Channel::Sms, "+14155552671").await.unwrap());
    assert!(!opt_outs::contains(&*conn, Channel::Sms, "+14155552671").await.unwrap());
}

#[tokio::test]
async fn messages_dedupe_on_provider_id() {
    let stack = TestStack::new().await;
    let store = stack.mongo.messages();
    let customer_id = Uuid::now_v7();
    let msg = |pid: Option<&str>| Message {
        id: Uuid::now_v7(),
        customer_id,
        lead_id: None,
        channel: Channel::Sms,
        direction: Direction::Inbound,
        content: "hi".into(),
        subject: None,
        ai_response: None,
        processed: false,
        provider_message_id: pid.map(String::from),
        delivery_status: None,
        delivery_error: None,
        analysis: None,
        chat_session: None,
        in_reply_to: None,
        attachments: Vec::new(),
        auto_submitted: false,
        author: leadflow::domain::Author::CUSTOMER,
        created_at: Utc::now(),
    };
    let first = msg(Some("SM123"));
    assert!(matches!(store.insert(&first).await.unwrap(), Inserted::New(_)));
    match store.insert(&msg(Some("SM123"))).await.unwrap() {
        Inserted::Duplicate(existing) => assert_eq!(existing.id, first.id),
        other @ Inserted::New(_) => panic!("expected a duplicate, got {other:?}"),
    }
    // Messages without a provider id never collide (the index is sparse).
    assert!(matches!(store.insert(&msg(None)).await.unwrap(), Inserted::New(_)));
    assert!(matches!(store.insert(&msg(None)).await.unwrap(), Inserted::New(_)));
    assert!(store.mark_processed(first.id).await.unwrap());
    assert!(!store.mark_processed(first.id).await.unwrap(), "processing twice is a no-op");
    assert_eq!(store.history(customer_id, &PageRequest::default()).await.unwrap().items.len(), 3);
}
