//! Google Calendar client against a local server that checks each request exactly: the
//! service-account assertion (signature and claims) and the refresh-token grant, token
//! caching and renewal, freeBusy, event insert/patch/delete, and how errors are classed.

mod fake;

use leadflow::domain::TimeZone;
use leadflow::domain::availability::Interval;
use leadflow::integrations::google_calendar::{CalendarEvent, SavedEvent};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use self::fake::{
    BOOKING_EVENT_ID, CLIENT_SECRET, EVENT_ID, EVENTS_PATH, ExactQuery, HOST, OTHER_HOST, REFRESH_TOKEN, access_token,
    booking_id, client, conference_data, dst_event, event_resource, free_busy_response, google_error, is_unavailable,
    mount_free_busy, mount_refresh_token, mount_service_account_token, refresh_token, refused_status, service_account,
    utc,
};

#[tokio::test]
async fn a_service_account_signs_one_assertion_per_host_and_caches_each_token() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 1).await;
    mount_service_account_token(&server, OTHER_HOST, 1).await;
    mount_free_busy(&server, HOST, HOST, json!({"busy": []})).await;
    mount_free_busy(&server, OTHER_HOST, OTHER_HOST, json!({"busy": []})).await;
    let google = client(&server, service_account());
    let (from, to) = (utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0));
    assert_eq!(google.free_busy(HOST, from, to).await.unwrap(), vec![]);
    assert_eq!(google.free_busy(HOST, from, to).await.unwrap(), vec![]);
    assert_eq!(google.free_busy(OTHER_HOST, from, to).await.unwrap(), vec![]);
    assert_eq!(google.free_busy(OTHER_HOST, from, to).await.unwrap(), vec![]);
    server.verify().await;
    let token_calls = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/token").count();
    assert_eq!(token_calls, 2, "one token per delegated subject");
}

#[tokio::test]
async fn a_refresh_token_is_exchanged_once_for_every_calendar() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    mount_free_busy(&server, HOST, "", json!({"busy": []})).await;
    mount_free_busy(&server, OTHER_HOST, "", json!({"busy": []})).await;
    let google = client(&server, refresh_token());
    let (from, to) = (utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0));
    google.free_busy(HOST, from, to).await.unwrap();
    google.free_busy(OTHER_HOST, from, to).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn free_busy_asks_for_the_range_in_utc_and_returns_busy_time_within_it() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .and(ExactQuery(None))
        .and(header("authorization", format!("Bearer {}", access_token("")).as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "timeMin": "2025-03-09T05:00:00Z",
            "timeMax": "2025-03-10T04:00:00Z",
            "timeZone": "UTC",
            "items": [{"id": HOST}]
        })))
        .respond_with(free_busy_response(
            HOST,
            "2025-03-09T05:00:00.000Z",
            "2025-03-10T04:00:00.000Z",
            json!({"busy": [
                {"start": "2025-03-09T04:30:00Z", "end": "2025-03-09T06:00:00Z"},
                {"start": "2025-03-09T14:00:00Z", "end": "2025-03-09T15:30:00Z"},
                {"start": "2025-03-10T00:15:00Z", "end": "2025-03-10T01:00:00Z"}
            ]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let google = client(&server, refresh_token());
    let busy = google.free_busy(HOST, utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0)).await.unwrap();
    assert_eq!(
        busy,
        vec![
            Interval { start: utc(2025, 3, 9, 5, 0), end: utc(2025, 3, 9, 6, 0) },
            Interval { start: utc(2025, 3, 9, 14, 0), end: utc(2025, 3, 9, 15, 30) },
            Interval { start: utc(2025, 3, 10, 0, 15), end: utc(2025, 3, 10, 1, 0) },
        ]
    );
    let empty = google.free_busy(HOST, utc(2025, 3, 10, 4, 0), utc(2025, 3, 10, 4, 0)).await.unwrap();
    assert!(empty.is_empty(), "an empty range needs no request");
    server.verify().await;
}

#[tokio::test]
async fn free_busy_calendar_errors_are_refusals_unless_google_failed() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 1).await;
    mount_service_account_token(&server, OTHER_HOST, 1).await;
    mount_free_busy(&server, HOST, HOST, json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}))
        .await;
    mount_free_busy(
        &server,
        OTHER_HOST,
        OTHER_HOST,
        json!({"errors": [{"domain": "global", "reason": "internalError"}], "busy": []}),
    )
    .await;
    let google = client(&server, service_account());
    let (from, to) = (utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0));
    let not_found = google.free_busy(HOST, from, to).await.unwrap_err();
    assert_eq!(refused_status(&not_found), Some(200), "{not_found}");
    assert!(not_found.to_string().contains("notFound"), "{not_found}");
    let internal = google.free_busy(OTHER_HOST, from, to).await.unwrap_err();
    assert!(is_unavailable(&internal) && internal.to_string().contains("internalError"), "{internal}");
    server.verify().await;
}

#[tokio::test]
async fn an_insert_with_meet_sends_the_whole_event_and_reads_the_video_link() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 1).await;
    let request_id = format!("leadflow-{}", booking_id());
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .and(ExactQuery(Some("conferenceDataVersion=1&sendUpdates=none")))
        .and(header("authorization", format!("Bearer {}", access_token(HOST)).as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "id": BOOKING_EVENT_ID,
            "summary": "Kitchen remodel consultation: Dana Whitfield",
            "description": "Booked by Leadflow. Wants a quote for cabinets and countertops.",
            "location": "1200 Congress Ave, Austin, TX 78701",
            "start": {"dateTime": "2025-03-09T01:30:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2025-03-09T03:30:00-04:00", "timeZone": "America/New_York"},
            "attendees": [{"email": "dana@example.com", "displayName": "Dana Whitfield"}],
            "extendedProperties": {"private": {"leadflow_booking_id": "01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70"}},
            "conferenceData": {
                "createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}
            }
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(json!({
            "id": BOOKING_EVENT_ID,
            "iCalUID": format!("{BOOKING_EVENT_ID}@google.com"),
            "hangoutLink": "https://meet.google.com/abc-mnop-xyz",
            "conferenceData": conference_data(&request_id)
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let google = client(&server, service_account());
    let saved = google.insert_event(HOST, &dst_event()).await.unwrap();
    assert_eq!(
        saved,
        SavedEvent {
            id: BOOKING_EVENT_ID.into(),
            meet_link: Some("https://meet.google.com/abc-mnop-xyz".into()),
            html_link: Some("https://www.google.com/calendar/event?eid=N2NiaDhycGMxMGxyYzBja2loOXRhZnNzOTkgZGFuYS53aGl0ZmllbGRAYWNtZS5leGFtcGxl".into()),
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn a_plain_insert_leaves_out_what_the_booking_lacks() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .and(ExactQuery(Some("conferenceDataVersion=1&sendUpdates=none")))
        .and(body_json(json!({
            "id": BOOKING_EVENT_ID,
            "summary": "Site visit",
            "start": {"dateTime": "2025-11-02T01:30:00-05:00", "timeZone": "America/Chicago"},
            "end": {"dateTime": "2025-11-02T01:15:00-06:00", "timeZone": "America/Chicago"},
            "extendedProperties": {"private": {"leadflow_booking_id": "01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70"}}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#event",
            "etag": "\"3468921876543001\"",
            "id": BOOKING_EVENT_ID,
            "status": "confirmed",
            "htmlLink": "https://www.google.com/calendar/event?eid=cDBnM2wxdDhoNXZxMm1rN2M5ZDRhNmUxYjA",
            "created": "2025-10-20T09:00:00.000Z",
            "updated": "2025-10-20T09:00:00.120Z",
            "summary": "Site visit",
            "creator": {"email": HOST},
            "organizer": {"email": HOST, "self": true},
            "start": {"dateTime": "2025-11-02T01:30:00-05:00", "timeZone": "America/Chicago"},
            "end": {"dateTime": "2025-11-02T01:15:00-06:00", "timeZone": "America/Chicago"},
            "iCalUID": "01956d3a7c4e7b219f3a2b8c4d5e6f70@google.com",
            "sequence": 0,
            "extendedProperties": {"private": {"leadflow_booking_id": "01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70"}},
            "reminders": {"useDefault": true},
            "eventType": "default"
        })))
        .expect(1)
        .mount(&server)
        .await;
    // Forty-five minutes across the night Chicago falls back: the clock reads 01:30 then 01:15.
    let event = CalendarEvent {
        summary: "Site visit".into(),
        description: None,
        start: utc(2025, 11, 2, 6, 30),
        end: utc(2025, 11, 2, 7, 15),
        time_zone: TimeZone::parse("America/Chicago").unwrap(),
        location: None,
        attendee_email: None,
        attendee_name: Some("ignored without an address".into()),
        meet_request_id: None,
        ..dst_event()
    };
    let saved = client(&server, refresh_token()).insert_event(HOST, &event).await.unwrap();
    assert_eq!((saved.id.as_str(), saved.meet_link), (BOOKING_EVENT_ID, None));
    server.verify().await;
}

#[tokio::test]
async fn a_patch_sends_every_field_and_clears_what_is_gone() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 1).await;
    Mock::given(method("PATCH"))
        .and(path(format!("{EVENTS_PATH}/{EVENT_ID}")))
        .and(ExactQuery(Some("conferenceDataVersion=1&sendUpdates=none")))
        .and(header("authorization", format!("Bearer {}", access_token(HOST)).as_str()))
        .and(body_json(json!({
            "summary": "Kitchen remodel consultation: Dana Whitfield",
            "description": null,
            "location": null,
            "start": {"dateTime": "2025-03-10T09:00:00-04:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2025-03-10T10:00:00-04:00", "timeZone": "America/New_York"},
            "attendees": [],
            "extendedProperties": {"private": {"leadflow_booking_id": "01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70"}}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(json!({
            "sequence": 1,
            "description": null,
            "location": null,
            "attendees": null,
            "start": {"dateTime": "2025-03-10T09:00:00-04:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2025-03-10T10:00:00-04:00", "timeZone": "America/New_York"},
            "hangoutLink": "https://meet.google.com/abc-mnop-xyz"
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let event = CalendarEvent {
        start: utc(2025, 3, 10, 13, 0),
        end: utc(2025, 3, 10, 14, 0),
        description: None,
        location: None,
        attendee_email: None,
        attendee_name: None,
        meet_request_id: None,
        ..dst_event()
    };
    let saved = client(&server, service_account()).patch_event(HOST, EVENT_ID, &event).await.unwrap();
    assert_eq!(saved.id, EVENT_ID);
    assert_eq!(saved.meet_link.as_deref(), Some("https://meet.google.com/abc-mnop-xyz"), "hangoutLink is the fallback");
    server.verify().await;
}

#[tokio::test]
async fn a_meet_link_still_being_created_is_absent() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    let request_id = format!("leadflow-{}", booking_id());
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(json!({
            "id": BOOKING_EVENT_ID,
            "conferenceData": {
                "createRequest": {
                    "requestId": request_id,
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                    "status": {"statusCode": "pending"}
                }
            }
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let saved = client(&server, refresh_token()).insert_event(HOST, &dst_event()).await.unwrap();
    assert_eq!((saved.id.as_str(), saved.meet_link), (BOOKING_EVENT_ID, None));
    server.verify().await;
}

/// The first insert got through but its answer was lost; the retry sends the same id,
/// Google says it exists, and the event is brought up to date instead of doubled.
#[tokio::test]
async fn a_retried_insert_finds_the_event_it_made() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 1).await;
    let request_id = format!("leadflow-{}", booking_id());
    let mut whole = json!({
        "id": BOOKING_EVENT_ID,
        "summary": "Kitchen remodel consultation: Dana Whitfield",
        "description": "Booked by Leadflow. Wants a quote for cabinets and countertops.",
        "location": "1200 Congress Ave, Austin, TX 78701",
        "start": {"dateTime": "2025-03-09T01:30:00-05:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2025-03-09T03:30:00-04:00", "timeZone": "America/New_York"},
        "attendees": [{"email": "dana@example.com", "displayName": "Dana Whitfield"}],
        "extendedProperties": {"private": {"leadflow_booking_id": "01956d3a-7c4e-7b21-9f3a-2b8c4d5e6f70"}},
        "conferenceData": {
            "createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        }
    });
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .and(ExactQuery(Some("conferenceDataVersion=1&sendUpdates=none")))
        .and(body_json(&whole))
        .respond_with(google_error(409, "global", "duplicate", "The requested identifier already exists."))
        .expect(1)
        .mount(&server)
        .await;
    whole.as_object_mut().unwrap().remove("id");
    Mock::given(method("PATCH"))
        .and(path(format!("{EVENTS_PATH}/{BOOKING_EVENT_ID}")))
        .and(ExactQuery(Some("conferenceDataVersion=1&sendUpdates=none")))
        .and(header("authorization", format!("Bearer {}", access_token(HOST)).as_str()))
        .and(body_json(&whole))
        .respond_with(ResponseTemplate::new(200).set_body_json(event_resource(json!({
            "id": BOOKING_EVENT_ID,
            "iCalUID": format!("{BOOKING_EVENT_ID}@google.com"),
            "sequence": 1,
            "hangoutLink": "https://meet.google.com/abc-mnop-xyz",
            "conferenceData": conference_data(&request_id)
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let saved = client(&server, service_account()).insert_event(HOST, &dst_event()).await.unwrap();
    assert_eq!(saved.id, BOOKING_EVENT_ID);
    assert_eq!(saved.meet_link.as_deref(), Some("https://meet.google.com/abc-mnop-xyz"));
    server.verify().await;
}

/// Only Google's `duplicate` means the event is there; any other 409 is a refusal.
#[tokio::test]
async fn an_insert_conflict_of_another_kind_is_refused() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .respond_with(google_error(409, "global", "conflict", "The operation conflicts with another change."))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, refresh_token()).insert_event(HOST, &dst_event()).await.unwrap_err();
    assert_eq!(refused_status(&err), Some(409), "{err}");
    server.verify().await;
    let patched = server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "PATCH").count();
    assert_eq!(patched, 0);
}

#[tokio::test]
async fn deleting_succeeds_also_when_the_event_is_already_gone() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    let event_path = |id: &str| format!("{EVENTS_PATH}/{id}");
    Mock::given(method("DELETE"))
        .and(path(event_path(EVENT_ID)))
        .and(ExactQuery(Some("sendUpdates=none")))
        .and(header("authorization", format!("Bearer {}", access_token("")).as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(event_path("deletedearlier01")))
        .and(ExactQuery(Some("sendUpdates=none")))
        .respond_with(google_error(410, "global", "deleted", "Resource has been deleted"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(event_path("missing02")))
        .and(ExactQuery(Some("sendUpdates=none")))
        .respond_with(google_error(404, "global", "notFound", "Not Found"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(event_path("notmine03")))
        .respond_with(google_error(
            403,
            "calendar",
            "requiredAccessLevel",
            "You need to have writer access to this calendar.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let google = client(&server, refresh_token());
    google.delete_event(HOST, EVENT_ID).await.unwrap();
    google.delete_event(HOST, "deletedearlier01").await.unwrap();
    google.delete_event(HOST, "missing02").await.unwrap();
    let err = google.delete_event(HOST, "notmine03").await.unwrap_err();
    assert_eq!(refused_status(&err), Some(403), "{err}");
    server.verify().await;
}

#[tokio::test]
async fn a_rejected_token_is_renewed_and_the_call_retried_once() {
    let server = MockServer::start().await;
    mount_service_account_token(&server, HOST, 2).await;
    Mock::given(method("POST"))
        .and(path("/calendar/v3/freeBusy"))
        .respond_with(google_error(401, "global", "authError", "Invalid Credentials"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_free_busy(
        &server,
        HOST,
        HOST,
        json!({"busy": [{"start": "2025-03-09T14:00:00Z", "end": "2025-03-09T15:00:00Z"}]}),
    )
    .await;
    let google = client(&server, service_account());
    let busy = google.free_busy(HOST, utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0)).await.unwrap();
    assert_eq!(busy, vec![Interval { start: utc(2025, 3, 9, 14, 0), end: utc(2025, 3, 9, 15, 0) }]);
    server.verify().await;
}

#[tokio::test]
async fn a_token_refused_twice_is_not_retried_forever() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 2).await;
    Mock::given(method("DELETE"))
        .respond_with(google_error(401, "global", "authError", "Invalid Credentials"))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server, refresh_token()).delete_event(HOST, EVENT_ID).await.unwrap_err();
    assert_eq!(refused_status(&err), Some(401), "{err}");
    server.verify().await;
}

#[tokio::test]
async fn throttling_and_outages_are_retryable_and_refusals_are_not() {
    let server = MockServer::start().await;
    mount_refresh_token(&server, 1).await;
    let cases = [
        (
            "unavailable",
            ResponseTemplate::new(503).set_body_json(json!({
                "error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
            })),
        ),
        ("backend", google_error(500, "global", "backendError", "Backend Error")),
        ("throttled", google_error(429, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded")),
        ("userlimit", google_error(403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded")),
        (
            "notorganiser",
            google_error(
                403,
                "calendar",
                "forbiddenForNonOrganizer",
                "Shared properties can only be changed by the organizer of the event.",
            ),
        ),
        ("badrange", google_error(400, "calendar", "timeRangeEmpty", "The specified time range is empty.")),
    ];
    for (id, response) in cases {
        Mock::given(method("PATCH"))
            .and(path(format!("{EVENTS_PATH}/{id}")))
            .respond_with(response)
            .mount(&server)
            .await;
    }
    let google = client(&server, refresh_token());
    let mut outcomes = Vec::new();
    for id in ["unavailable", "backend", "throttled", "userlimit", "notorganiser", "badrange"] {
        let err = google.patch_event(HOST, id, &dst_event()).await.unwrap_err();
        assert!(!err.to_string().contains(CLIENT_SECRET) && !err.to_string().contains(REFRESH_TOKEN), "{err}");
        outcomes.push((id, is_unavailable(&err), refused_status(&err)));
    }
    assert_eq!(
        outcomes,
        vec![
            ("unavailable", true, None),
            ("backend", true, None),
            ("throttled", true, None),
            ("userlimit", true, None),
            ("notorganiser", false, Some(403)),
            ("badrange", false, Some(400)),
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn a_refused_grant_is_a_refusal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, refresh_token())
        .free_busy(HOST, utc(2025, 3, 9, 5, 0), utc(2025, 3, 10, 4, 0))
        .await
        .unwrap_err();
    assert_eq!(refused_status(&err), Some(400), "{err}");
    assert!(err.to_string().contains("invalid_grant") && !err.to_string().contains(REFRESH_TOKEN), "{err}");
    server.verify().await;
}
