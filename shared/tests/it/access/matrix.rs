//! Every route × every kind of caller. The table below is the access policy written
//! out; the test fails when the router has a route the table does not (or the other
//! way round), so a new route cannot ship without a decision about who may call it.

use std::collections::BTreeMap;

use http::{Method, StatusCode};
use leadflow::api::routes::Access;
use leadflow::domain::access::Need;
use serde_json::json;

use super::{api_key, token_for};
use crate::common::TestApp;

use Need::{Admin, Intake, Read, Write};

const PUBLIC: Option<Need> = None;

#[rustfmt::skip]
const POLICY: &[(&str, &str, Option<Need>)] = &[
    ("GET", "/api/health", PUBLIC),
    ("GET", "/api/openapi.json", PUBLIC),
    ("POST", "/api/auth/login", PUBLIC),
    ("POST", "/api/auth/refresh", PUBLIC),
    ("POST", "/api/auth/logout", PUBLIC),
    ("GET", "/api/auth/me", Some(Read)),
    ("GET", "/api/users", Some(Admin)),
    ("POST", "/api/users", Some(Admin)),
    ("GET", "/api/users/{id}", Some(Admin)),
    ("PATCH", "/api/users/{id}", Some(Admin)),
    ("DELETE", "/api/users/{id}", Some(Admin)),
    ("GET", "/api/keys", Some(Admin)),
    ("POST", "/api/keys", Some(Admin)),
    ("DELETE", "/api/keys/{id}", Some(Admin)),
    ("GET", "/api/webhook-endpoints", Some(Admin)),
    ("POST", "/api/webhook-endpoints", Some(Admin)),
    ("GET", "/api/webhook-endpoints/{id}", Some(Admin)),
    ("PATCH", "/api/webhook-endpoints/{id}", Some(Admin)),
    ("DELETE", "/api/webhook-endpoints/{id}", Some(Admin)),
    ("POST", "/api/webhook-endpoints/{id}/rotate-secret", Some(Admin)),
    ("GET", "/api/webhook-endpoints/{id}/deliveries", Some(Admin)),
    ("POST", "/api/webhook-deliveries/{id}/retry", Some(Admin)),
    ("POST", "/api/hooks", Some(Write)),
    ("DELETE", "/api/hooks/{id}", Some(Write)),
    ("GET", "/api/hooks/samples/{event}", Some(Read)),
    ("GET", "/api/crm/customers", Some(Read)),
    ("POST", "/api/crm/customers", Some(Write)),
    ("GET", "/api/crm/customers/{id}", Some(Read)),
    ("PUT", "/api/crm/customers/{id}", Some(Write)),
    ("PATCH", "/api/crm/customers/{id}", Some(Write)),
    ("DELETE", "/api/crm/customers/{id}", Some(Admin)),
    ("GET", "/api/crm/customers/{id}/history", Some(Read)),
    ("POST", "/api/crm/sync/salesforce", Some(Admin)),
    ("GET", "/api/settings", Some(Read)),
    ("PUT", "/api/settings", Some(Admin)),
    ("PATCH", "/api/settings", Some(Admin)),
    ("GET", "/api/integrations", Some(Read)),
    ("GET", "/api/messages", Some(Read)),
    ("GET", "/api/messages/{id}", Some(Read)),
    ("POST", "/api/messages/send/{channel}", Some(Write)),
    ("POST", "/api/messages/receive", PUBLIC),
    ("GET", "/api/messages/chat", PUBLIC),
    ("GET", "/api/conversations", Some(Read)),
    ("POST", "/api/conversations/{customer_id}/read", Some(Read)),
    ("POST", "/api/conversations/{customer_id}/resume-ai", Some(Write)),
    ("POST", "/api/webhooks/twilio/sms", PUBLIC),
    ("POST", "/api/webhooks/twilio/status", PUBLIC),
    ("POST", "/api/webhooks/calendly", PUBLIC),
    ("POST", "/api/webhooks/sendgrid/inbound", PUBLIC),
    ("POST", "/api/webhooks/sendgrid/events", PUBLIC),
    ("POST", "/api/webhooks/stripe", PUBLIC),
    ("GET", "/api/leads", Some(Read)),
    ("POST", "/api/leads", Some(Intake)),
    ("GET", "/api/leads/{id}", Some(Read)),
    ("PUT", "/api/leads/{id}", Some(Write)),
    ("PATCH", "/api/leads/{id}", Some(Write)),
    ("POST", "/api/leads/{id}/qualify", Some(Write)),
    ("POST", "/api/leads/{id}/route", Some(Write)),
    ("POST", "/api/leads/{id}/assign", Some(Write)),
    ("GET", "/api/analytics/summary", Some(Read)),
    ("GET", "/api/tasks", Some(Read)),
    ("POST", "/api/tasks", Some(Write)),
    ("GET", "/api/tasks/{id}", Some(Read)),
    ("PUT", "/api/tasks/{id}", Some(Write)),
    ("PATCH", "/api/tasks/{id}", Some(Write)),
    ("POST", "/api/tasks/{lead_id}/route", Some(Write)),
    ("POST", "/api/tasks/{id}/assign", Some(Write)),
    ("GET", "/api/teams", Some(Read)),
    ("POST", "/api/teams", Some(Admin)),
    ("GET", "/api/teams/{id}", Some(Read)),
    ("PUT", "/api/teams/{id}", Some(Admin)),
    ("PATCH", "/api/teams/{id}", Some(Admin)),
    ("DELETE", "/api/teams/{id}", Some(Admin)),
    ("GET", "/api/agents", Some(Read)),
    ("POST", "/api/agents", Some(Admin)),
    ("GET", "/api/agents/{id}", Some(Read)),
    ("PUT", "/api/agents/{id}", Some(Admin)),
    ("PATCH", "/api/agents/{id}", Some(Admin)),
    ("DELETE", "/api/agents/{id}", Some(Admin)),
    ("GET", "/api/bookings/availability", Some(Read)),
    ("GET", "/api/bookings/availability/check", Some(Read)),
    ("GET", "/api/bookings", Some(Read)),
    ("POST", "/api/bookings", Some(Write)),
    ("GET", "/api/bookings/{id}", Some(Read)),
    ("PUT", "/api/bookings/{id}", Some(Write)),
    ("PATCH", "/api/bookings/{id}", Some(Write)),
    ("POST", "/api/bookings/{id}/cancel", Some(Write)),
    ("GET", "/api/bookings/{id}/ics", Some(Read)),
    ("GET", "/api/follow-ups", Some(Read)),
    ("POST", "/api/follow-ups", Some(Write)),
    ("GET", "/api/follow-ups/sequences", Some(Read)),
    ("POST", "/api/follow-ups/sequences", Some(Admin)),
    ("GET", "/api/follow-ups/sequences/{id}", Some(Read)),
    ("PUT", "/api/follow-ups/sequences/{id}", Some(Admin)),
    ("DELETE", "/api/follow-ups/sequences/{id}", Some(Admin)),
    ("GET", "/api/follow-ups/sequences/{id}/stats", Some(Read)),
    ("POST", "/api/follow-ups/send/pending", Some(Admin)),
    ("GET", "/api/follow-ups/{id}", Some(Read)),
    ("DELETE", "/api/follow-ups/{id}", Some(Write)),
    ("POST", "/api/follow-ups/{id}/sequence/{type}", Some(Write)),
    ("POST", "/api/follow-ups/{id}/stop", Some(Write)),
];

#[tokio::test]
async fn the_policy_table_covers_every_route() {
    let app = TestApp::new().await;
    let actual: BTreeMap<(String, String), Option<Need>> = leadflow::api::route_table(&app.state)
        .into_iter()
        .map(|r| {
            let need = match r.access {
                Access::Public => None,
                Access::Staff(need) | Access::StaffSecret(need) => Some(need),
            };
            ((r.method.to_string(), r.path.to_owned()), need)
        })
        .collect();
    let expected: BTreeMap<(String, String), Option<Need>> =
        POLICY.iter().map(|(m, p, n)| (((*m).to_owned(), (*p).to_owned()), *n)).collect();
    for (route, need) in &actual {
        assert_eq!(expected.get(route), Some(need), "{route:?} is served as {need:?}; add or correct its POLICY entry");
    }
    for route in expected.keys() {
        assert!(actual.contains_key(route), "{route:?} is in POLICY but not served");
    }
}

/// Fills the path's parameters with values the router accepts.
fn concrete(path: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    path.replace("{id}", &id)
        .replace("{lead_id}", &id)
        .replace("{customer_id}", &id)
        .replace("{channel}", "sms")
        .replace("{type}", "no_response")
        .replace("{event}", "lead.created")
}

/// Which needs a caller meets.
type Allows = fn(Need) -> bool;

#[tokio::test]
async fn every_staff_route_admits_exactly_the_callers_it_should() {
    let app = TestApp::new().await;
    let mut callers: Vec<(String, String, Allows)> = Vec::new();
    for (role, allowed) in
        [("viewer", (|n| n == Read) as fn(Need) -> bool), ("agent", |n| n != Admin), ("admin", |_| true)]
    {
        callers.push((format!("{role} user"), token_for(&app, role).await, allowed));
    }
    for (scopes, allowed) in [
        (&["read"][..], (|n| n == Read) as Allows),
        (&["write"][..], |n| n != Admin),
        (&["intake"][..], |n| n == Intake),
        (&["admin"][..], |_| true),
        (&["read", "intake"][..], |n| n == Read || n == Intake),
    ] {
        callers.push((format!("{scopes:?} key"), api_key(&app, scopes).await.0, allowed));
    }
    let mut checked = 0;
    for route in leadflow::api::route_table(&app.state) {
        let (Access::Staff(need) | Access::StaffSecret(need)) = route.access else { continue };
        let uri = concrete(route.path);
        let body = matches!(route.method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        let anonymous = app.raw(route.method.clone(), &uri, &[], "").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{} {} without credentials", route.method, route.path);
        for (who, credential, allowed) in &callers {
            let r = app.call_as(credential, route.method.clone(), &uri, body.clone()).await;
            if allowed(need) {
                assert!(
                    r.status != StatusCode::FORBIDDEN && r.status != StatusCode::UNAUTHORIZED,
                    "{who} should pass {} {}: {} {}",
                    route.method,
                    route.path,
                    r.status,
                    r.text
                );
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{who} must be refused {} {}: {}",
                    route.method,
                    route.path,
                    r.text
                );
                assert_eq!(r.error_code(), Some("forbidden"));
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
}
