use http::StatusCode;
use leadflow::store::conversations;
use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::common::providers::*;

#[tokio::test]
async fn one_chat_greets_once_says_closed_once_and_remembers_the_service() {
    let app = TestApp::new().await;
    austin_plumbing(&app, Value::Null).await;
    // Thursday 19:00: closed until Friday 08:00.
    let r = chat(&app, "sam@example.com", "Hi, do you do drain cleaning?", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_owned();
    app.run_jobs_at(chicago(3, 19, 0)).await;
    chat(&app, "sam@example.com", "How much is it?", Some(&token)).await;
    app.run_jobs_at(chicago(3, 19, 2)).await;
    chat(&app, "sam@example.com", "ok thanks", Some(&token)).await;
    app.run_jobs_at(chicago(3, 19, 5)).await;

    let said = replies(&app, &token).await;
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said[0].starts_with("Hi Sam, thanks for reaching out to Austin Plumbing!"), "{}", said[0]);
    assert!(said[0].contains("Yes, we do drain cleaning."), "{}", said[0]);
    assert!(said[0].contains("We're closed right now; we open again tomorrow at 8am"), "{}", said[0]);
    assert!(
        said[1].starts_with("Pricing for drain cleaning depends on the job"),
        "'it' is drain cleaning: {}",
        said[1]
    );
    assert!(!said[1].contains('$'), "no price is listed for it, so none is given: {}", said[1]);
    for later in &said[1..] {
        assert!(!later.contains("Hi Sam") && !later.contains("closed"), "once per conversation: {later}");
    }
    assert!(said[2].starts_with("You're welcome!"), "{}", said[2]);

    // Nobody can price it but a person: the lead says so.
    let lead = lead_of(&app, &r).await;
    assert_eq!(lead["needs_human"], true, "{lead}");
    assert_eq!(lead["handoff_reason"], "unanswered", "{lead}");
    let customer_id = Uuid::parse_str(r.body["customer_id"].as_str().unwrap()).unwrap();
    let conn = app.state.db.conn().await.unwrap();
    let state = conversations::state(&*conn, customer_id).await.unwrap();
    assert_eq!(state.services, ["Drain cleaning"]);
    assert_eq!(state.greeted_at, Some(chicago(3, 19, 0)));
    assert_eq!(state.closed_notice_at, Some(chicago(3, 19, 0)));
}

#[tokio::test]
async fn after_a_long_silence_the_conversation_starts_afresh() {
    let app = TestApp::new().await;
    austin_plumbing(&app, Value::Null).await;
    let r = chat(&app, "back@example.com", "do you replace water heaters?", None).await;
    let token = r.body["chat_token"].as_str().unwrap().to_owned();
    app.run_jobs_at(chicago(3, 10, 0)).await;
    chat(&app, "back@example.com", "how much is that?", Some(&token)).await;
    app.run_jobs_at(chicago(4, 9, 0)).await;
    let said = replies(&app, &token).await;
    assert!(said[0].contains("Yes, we do water heater replacement (from $1,200 installed)"), "{}", said[0]);
    assert!(said[1].starts_with("Hi Sam, thanks for reaching out"), "a day later: {}", said[1]);
    assert!(said[1].contains("Water heater replacement: from $1,200 installed."), "{}", said[1]);
}

#[tokio::test]
async fn hours_are_answered_for_today_a_named_day_and_now_at_fixed_times() {
    let app = TestApp::new().await;
    austin_plumbing(&app, Value::Null).await;
    // Inside hours: Thursday 10:00.
    let today = ask_at(&app, "h1@example.com", "what are your hours today?", chicago(3, 10, 0)).await;
    assert!(today.contains("Today (Thursday) we're open 8am-6pm."), "{today}");
    assert!(!today.contains("closed"), "{today}");
    let now = ask_at(&app, "h2@example.com", "Are you open now?", chicago(3, 10, 0)).await;
    assert!(now.contains("Yes, we're open now until 6pm."), "{now}");
    // Outside hours: Thursday 21:30.
    let late = ask_at(&app, "h3@example.com", "are you open now?", chicago(3, 21, 30)).await;
    assert!(late.contains("We're closed right now; we open again tomorrow at 8am."), "{late}");
    let saturday = ask_at(&app, "h4@example.com", "what are your hours on saturday?", chicago(3, 21, 30)).await;
    assert!(saturday.contains("On Saturdays we're open 9am-12pm."), "{saturday}");
    assert!(!saturday.contains("Water heater"), "hours, not the list of services: {saturday}");
    // A closed day: Sunday 11:00.
    let sunday = ask_at(&app, "h5@example.com", "r u open today?", chicago(6, 11, 0)).await;
    assert!(sunday.contains("We're closed today (Sunday); we open again tomorrow at 8am."), "{sunday}");
    let sunday_now = ask_at(&app, "h6@example.com", "Are you open right now?", chicago(6, 11, 0)).await;
    assert!(sunday_now.contains("We're closed right now; we open again tomorrow at 8am."), "{sunday_now}");
}

#[tokio::test]
async fn do_you_do_x_is_a_clear_yes_or_no() {
    let app = TestApp::new().await;
    austin_plumbing(&app, Value::Null).await;
    let yes = ask_at(&app, "y@example.com", "Hi, do you do drain cleaning?", chicago(3, 10, 0)).await;
    assert!(yes.contains("Yes, we do drain cleaning."), "{yes}");
    let no = ask_at(&app, "n@example.com", "Do you do roof repairs?", chicago(3, 10, 0)).await;
    assert!(no.contains("Sorry, we don't offer roof repairs."), "{no}");
    assert!(no.contains("Water heater replacement and Drain cleaning"), "what is offered instead: {no}");
    let pay = ask_at(&app, "p@example.com", "Do you take credit cards?", chicago(3, 10, 0)).await;
    assert!(pay.contains("We accept Visa, Mastercard and cash."), "{pay}");
    let area = ask_at(&app, "a@example.com", "what areas do you cover?", chicago(3, 10, 0)).await;
    assert!(area.contains("We work in Austin, Round Rock and Pflugerville."), "{area}");
}

#[tokio::test]
async fn an_faq_entry_answers_a_paraphrase_of_its_question() {
    let app = TestApp::new().await;
    austin_plumbing(&app, Value::Null).await;
    let text = "Is the water heater install price including the old unit haul away?";
    let r = chat(&app, "faq@example.com", text, None).await;
    app.run_jobs_at(chicago(3, 10, 0)).await;
    let reply = replies(&app, r.body["chat_token"].as_str().unwrap()).await.pop().unwrap();
    assert!(reply.contains("removal and disposal of the old unit is included in every installation"), "{reply}");
    assert!(reply.contains("from $1,200 installed"), "the listed price, as listed: {reply}");
    let lead = lead_of(&app, &r).await;
    assert_eq!(lead["needs_human"], false, "answered: nobody needs to step in: {lead}");
}

#[tokio::test]
async fn sms_replies_stay_within_two_gsm7_segments() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMreply0001", "status": "queued"})))
        .mount(&twilio)
        .await;
    let uri = twilio.uri();
    let app = TestApp::with_config(move |c| with_twilio(c, &uri)).await;
    austin_plumbing(&app, Value::Null).await;
    // A customer asking everything at once, with typographic quotes from a phone keyboard.
    let text = "What\u{2019}re your hours? Do you do drain cleaning \u{2014} and water heaters? \
                Where are you? Do you take cash? What about \u{201C}haul away\u{201D} of the old heater?";
    let params = sms_params("SM000000000000000000000000000000f1", "+15125550142", text);
    assert_eq!(app.send(twilio_request(&params, None)).await.status, StatusCode::OK);
    app.run_jobs_at(chicago(3, 21, 0)).await;
    let requests = twilio.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let form: Vec<(String, String)> = form_urlencoded::parse(&requests[0].body).into_owned().collect();
    let body = form.iter().find(|(k, _)| k == "Body").map(|(_, v)| v.clone()).unwrap();
    let (encoding, length) = leadflow::domain::reply::sms_length(&body);
    assert_eq!(encoding, leadflow::domain::reply::SmsEncoding::Gsm7, "{body}");
    assert!(length <= 306, "{length}: {body}");
    assert!(body.starts_with("Hi, thanks for reaching out to Austin Plumbing!"), "{body}");
    assert!(body.contains("Mon-Thu 8am-6pm"), "{body}");
}
