//! Salesforce sync against a local server that checks each request: OAuth client
//! credentials and JWT bearer, upsert by external id, token renewal, errors surfaced.

use http::{Method, StatusCode};
use leadflow::config::{SalesforceAuth, SalesforceSettings};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;
use crate::common::org::lead;

const SF_ID: &str = "00Q5e000001AbCdEAK";

fn settings(server: &MockServer, auth: SalesforceAuth) -> SalesforceSettings {
    SalesforceSettings {
        login_url: server.uri(),
        client_id: "3MVG9test-consumer-key".into(),
        auth,
        external_id_field: "Leadflow_Id__c".into(),
        api_version: "v61.0".into(),
    }
}

fn client_credentials() -> SalesforceAuth {
    SalesforceAuth::ClientCredentials { client_secret: SecretString::from("sf-secret") }
}

async fn token_mock(server: &MockServer, expected_calls: u64) {
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("client_id=3MVG9test-consumer-key"))
        .and(body_string_contains("client_secret=sf-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "00Dxx!token", "instance_url": server.uri(), "token_type": "Bearer",
            "issued_at": "1795600800000", "signature": "sig"
        })))
        .expect(expected_calls)
        .mount(server)
        .await;
}

async fn app_with(server: &MockServer, auth: SalesforceAuth) -> TestApp {
    let s = settings(server, auth);
    TestApp::with_config(move |c| c.providers.salesforce = Some(s)).await
}

async fn stored_salesforce_id(app: &TestApp, lead_id: &str) -> Value {
    app.get(&format!("/api/leads/{lead_id}")).await.body["salesforce_id"].clone()
}

#[tokio::test]
async fn a_lead_is_upserted_by_external_id_and_its_id_stored() {
    let server = MockServer::start().await;
    token_mock(&server, 1).await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/services/data/v61.0/sobjects/Lead/Leadflow_Id__c/[0-9a-f-]{36}$"))
        .and(header("authorization", "Bearer 00Dxx!token"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": SF_ID, "success": true, "errors": [], "created": true})),
        )
        .mount(&server)
        .await;
    let app = app_with(&server, client_credentials()).await;
    let c = app
        .post(
            "/api/crm/customers",
            json!({"name": "Dana Whitfield", "email": "dana@example.com", "company": "Whitfield Homes"}),
        )
        .await;
    let l = app.post("/api/leads", json!({"customer_id": c.body["id"], "requirements": "Kitchen remodel"})).await.body;
    let lead_id = l["id"].as_str().unwrap();
    let r = app.post("/api/crm/sync/salesforce", json!({"lead_id": lead_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["salesforce_id"], SF_ID);
    assert_eq!(stored_salesforce_id(&app, lead_id).await, SF_ID);

    let upserts: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let sent = &upserts[0];
    assert_eq!(sent["FirstName"], "Dana");
    assert_eq!(sent["LastName"], "Whitfield");
    assert_eq!(sent["Company"], "Whitfield Homes");
    assert_eq!(sent["Email"], "dana@example.com");
    assert_eq!(sent["Status"], "Open - Not Contacted");
    assert_eq!(sent["Description"], "Kitchen remodel");
    assert_eq!(sent["LeadSource"], "Leadflow");
}

#[tokio::test]
async fn lead_changes_sync_automatically_through_the_queue() {
    let server = MockServer::start().await;
    token_mock(&server, 1).await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": SF_ID, "success": true, "errors": [], "created": false})),
        )
        .mount(&server)
        .await;
    let app = app_with(&server, client_credentials()).await;
    let l = lead(&app, "auto@example.com").await;
    let lead_id = l["id"].as_str().unwrap();
    app.put(&format!("/api/leads/{lead_id}"), json!({"status": "contacted"})).await;
    app.run_jobs().await;
    assert_eq!(stored_salesforce_id(&app, lead_id).await, SF_ID);
    let statuses: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["Status"].as_str().unwrap().to_owned())
        .collect();
    assert!(statuses.len() >= 2 && statuses.last().unwrap() == "Working - Contacted", "{statuses:?}");
}

#[tokio::test]
async fn an_expired_token_is_renewed_and_204_updates_read_the_id() {
    let server = MockServer::start().await;
    token_mock(&server, 2).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!([{"errorCode": "INVALID_SESSION_ID"}])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/services/data/v61.0/sobjects/Lead/Leadflow_Id__c/.+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Id": SF_ID, "attributes": {"type": "Lead"}})))
        .mount(&server)
        .await;
    let app = app_with(&server, client_credentials()).await;
    let l = lead(&app, "renew@example.com").await;
    app.take_jobs().await;
    let r = app.post("/api/crm/sync/salesforce", json!({"lead_id": l["id"]})).await;
    assert_eq!((r.status, r.body["salesforce_id"].as_str()), (StatusCode::OK, Some(SF_ID)), "{}", r.text);
}

#[tokio::test]
async fn jwt_bearer_sends_a_signed_assertion() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .and(body_string_contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "jwt-token", "instance_url": server.uri()})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(header("authorization", "Bearer jwt-token"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": SF_ID, "success": true, "errors": [], "created": true})),
        )
        .mount(&server)
        .await;
    let key = include_str!("../fixtures/salesforce-test-key.pem");
    let auth =
        SalesforceAuth::JwtBearer { username: "integration@acme.example".into(), private_key: SecretString::from(key) };
    let app = app_with(&server, auth).await;
    let l = lead(&app, "jwt@example.com").await;
    app.take_jobs().await;
    let r = app.post("/api/crm/sync/salesforce", json!({"lead_id": l["id"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let token_request = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == "/services/oauth2/token")
        .unwrap();
    let form: Vec<(String, String)> = form_urlencoded::parse(&token_request.body).into_owned().collect();
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let public =
        jsonwebtoken::DecodingKey::from_rsa_pem(include_bytes!("../fixtures/salesforce-test-key.pub.pem")).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[server.uri()]);
    let claims =
        jsonwebtoken::decode::<Value>(assertion, &public, &validation).expect("signed with the app's key").claims;
    assert_eq!(claims["iss"], "3MVG9test-consumer-key");
    assert_eq!(claims["sub"], "integration@acme.example");
}

#[tokio::test]
async fn refusals_unconfigured_and_bulk_sync() {
    let server = MockServer::start().await;
    token_mock(&server, 1).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!([{"message": "Company: bad value", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION"}]),
        ))
        .mount(&server)
        .await;
    let app = app_with(&server, client_credentials()).await;
    let l = lead(&app, "refused@example.com").await;
    lead(&app, "second@example.com").await;
    app.take_jobs().await;
    let r = app.post("/api/crm/sync/salesforce", json!({"lead_id": l["id"]})).await;
    assert_eq!((r.status, r.error_code()), (StatusCode::BAD_GATEWAY, Some("upstream_error")), "{}", r.text);
    assert!(r.text.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION") && !r.text.contains("sf-secret"));
    let unknown = app.post("/api/crm/sync/salesforce", json!({"lead_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(unknown.error_field(), Some("lead_id"));
    let all = app.call(Method::POST, "/api/crm/sync/salesforce", None).await;
    assert_eq!((all.status, all.body["queued"].as_u64()), (StatusCode::ACCEPTED, Some(2)));
    assert_eq!(app.run_jobs().await, 2, "refused syncs end without retrying forever");

    let plain = TestApp::new().await;
    let r = plain.call(Method::POST, "/api/crm/sync/salesforce", None).await;
    assert_eq!((r.status, r.error_code()), (StatusCode::CONFLICT, Some("not_configured")));
}
