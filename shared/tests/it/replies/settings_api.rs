use http::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn the_profile_keeps_faq_payment_area_and_the_emergency_policy() {
    let app = TestApp::new().await;
    austin_plumbing(&app, json!({"on_call_phone": "+15125550199", "slack": true, "on_call_title": "plumber"})).await;
    let s = app.get("/api/settings").await.body;
    assert_eq!(s["faq"][0]["question"], "Do you haul away the old water heater?");
    assert_eq!(s["payment_methods"], json!(["Visa", "Mastercard", "cash"]));
    assert_eq!(s["address"], "1200 E 6th St, Austin, TX 78702");
    assert_eq!(
        s["emergency"],
        json!({"on_call_phone": "+15125550199", "slack": true, "on_call_title": "plumber",
                                      "emergency_phone": null, "page": "after_hours"})
    );
    // Fields not sent stay; null clears.
    let r = app.put("/api/settings", json!({"emergency": null, "address": null})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["emergency"], Value::Null);
    assert_eq!(r.body["address"], Value::Null);
    assert_eq!(r.body["faq"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_bad_profile_field_is_a_422_naming_it() {
    let app = TestApp::new().await;
    let cases = [
        (json!({"emergency": {"on_call_phone": "512 555"}}), "emergency.on_call_phone"),
        (json!({"emergency": {"page": "sometimes"}}), "emergency.page"),
        (json!({"faq": [{"question": "Parking?"}]}), "faq[0]"),
        (json!({"faq": [{"question": "", "answer": "x"}]}), "faq[0].question"),
        (json!({"payment_methods": "cash"}), "payment_methods"),
    ];
    for (body, field) in cases {
        let r = app.put("/api/settings", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert!(r.error_field().is_some_and(|f| f.starts_with(field)), "{body}: {}", r.text);
    }
    let many: Vec<Value> = (0..101).map(|i| json!({"question": format!("Q{i}?"), "answer": "A"})).collect();
    let r = app.put("/api/settings", json!({"faq": many})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.error_field(), Some("faq"));
}
