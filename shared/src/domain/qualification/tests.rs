use super::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn base() -> Signals {
    Signals {
        inbound_count: 1,
        last_inbound_at: Some(now() - Duration::hours(1)),
        intent: Some(Intent::SalesInquiry),
        service_match: Some(false),
        ..Signals::default()
    }
}

fn score(s: &Signals) -> u8 {
    qualify(s, now()).score.value()
}

fn sums(q: &Qualification) -> bool {
    q.breakdown.iter().map(|f| f.points).sum::<i32>() == i32::from(q.score.value())
}

#[test]
fn each_factor_moves_the_score_up() {
    let b = score(&base());
    type Raise = fn(&mut Signals);
    let raised: [(&str, Raise); 9] = [
        ("budget", |s| s.budget_stated = true),
        ("company", |s| s.company_known = true),
        ("service", |s| s.service_match = Some(true)),
        ("timeline soon", |s| s.horizon = Some(Horizon::Soon)),
        ("booking", |s| s.booking_requested = true),
        ("engagement", |s| s.inbound_count = 4),
        ("follow-up", |s| s.replied_to_follow_up = true),
        ("urgency", |s| s.urgency = Some(Urgency::High)),
        ("buying intent", |s| s.intent = Some(Intent::Booking)),
    ];
    for (name, raise) in raised {
        let mut s = base();
        s.intent = Some(Intent::Support);
        let before = score(&s);
        raise(&mut s);
        assert!(score(&s) > before, "{name}: {} -> {}", before, score(&s));
    }
    let mut urgent = base();
    urgent.horizon = Some(Horizon::Urgent);
    let mut later = base();
    later.horizon = Some(Horizon::Later);
    assert!(score(&urgent) > score(&later) && score(&later) > b);
}

#[test]
fn the_breakdown_sums_to_the_score() {
    let mut hot = base();
    hot.budget_stated = true;
    hot.company_known = true;
    hot.service_match = Some(true);
    hot.horizon = Some(Horizon::Urgent);
    hot.booking_requested = true;
    hot.inbound_count = 5;
    hot.replied_to_follow_up = true;
    hot.intent = Some(Intent::Booking);
    let mut spam = base();
    spam.intent = Some(Intent::Spam);
    let mut idle = base();
    idle.last_inbound_at = Some(now() - Duration::days(60));
    for s in [base(), hot.clone(), spam.clone(), idle, Signals::default()] {
        let q = qualify(&s, now());
        assert!(sums(&q), "{q:?}");
    }
    assert_eq!(score(&hot), 100);
    assert_eq!(score(&spam), 0);
    assert!(qualify(&spam, now()).recommendations.is_empty());
}

#[test]
fn thresholds_give_the_documented_priority() {
    for (value, priority) in [
        (100, Priority::High),
        (70, Priority::High),
        (69, Priority::Medium),
        (40, Priority::Medium),
        (39, Priority::Low),
        (0, Priority::Low),
    ] {
        assert_eq!(priority_for(Score::new(value).unwrap()), priority, "{value}");
    }
}

#[test]
fn decay_lowers_an_idle_lead() {
    let mut s = base();
    s.budget_stated = true;
    s.horizon = Some(Horizon::Soon);
    let fresh = score(&s);
    s.last_inbound_at = Some(now() - Duration::days(GRACE_DAYS));
    let grace = score(&s);
    s.last_inbound_at = Some(now() - Duration::days(GRACE_DAYS + 5));
    let idle = score(&s);
    s.last_inbound_at = Some(now() - Duration::days(365));
    let abandoned = qualify(&s, now());
    assert!(fresh > grace, "the recent-message bonus fades first");
    assert_eq!(i32::from(grace) - i32::from(idle), 5 * DECAY_PER_DAY);
    let lost = abandoned.breakdown.iter().find(|f| f.name == "inactivity").unwrap().points;
    assert_eq!(lost, -MAX_DECAY, "decay is capped");
    assert!(abandoned.recommendations.contains(&Recommendation::ReEngage));
}

#[test]
fn missing_information_and_recommendations() {
    let q = qualify(&base(), now());
    assert_eq!(q.missing, [Missing::Budget, Missing::Authority, Missing::Need, Missing::Timeline]);
    assert_eq!(q.priority, Priority::Low);
    assert_eq!(
        q.recommendations,
        [
            Recommendation::AskBudget,
            Recommendation::AskTimeline,
            Recommendation::AskRequirements,
            Recommendation::Nurture
        ]
    );
    let mut hot = base();
    hot.budget_stated = true;
    hot.company_known = true;
    hot.service_match = Some(true);
    hot.horizon = Some(Horizon::Urgent);
    hot.intent = Some(Intent::Pricing);
    let q = qualify(&hot, now());
    assert_eq!(q.priority, Priority::High, "{q:?}");
    assert_eq!(q.recommendations[..2], [Recommendation::HandToSalesNow, Recommendation::OfferBooking]);
    assert!(q.missing.is_empty());
}

#[test]
fn horizons_and_lead_intent() {
    assert_eq!(horizon_of("ASAP"), Horizon::Urgent);
    assert_eq!(horizon_of("by tomorrow morning"), Horizon::Urgent);
    assert_eq!(horizon_of("next Tuesday afternoon"), Horizon::Soon);
    assert_eq!(horizon_of("before the end of the month"), Horizon::Soon);
    assert_eq!(horizon_of("sometime next year"), Horizon::Later);
    assert_eq!(horizon_of("let me know by Friday"), Horizon::Soon, "whole words only");
    assert_eq!(horizon_of("right now!"), Horizon::Urgent);
    assert_eq!(lead_intent([Intent::Other, Intent::Pricing, Intent::Support]), Some(Intent::Pricing));
    assert_eq!(lead_intent([Intent::Spam]), Some(Intent::Spam));
    assert_eq!(
        lead_intent([Intent::Pricing, Intent::OptOut, Intent::Booking]),
        Some(Intent::OptOut),
        "an opt-out wins"
    );
    assert_eq!(lead_intent([]), None);
}
