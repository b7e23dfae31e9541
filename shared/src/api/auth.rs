//! Who is calling, and may they. Credentials come as `Authorization: Bearer <token>`
//! (an access token, an `lf_live_` key, a bootstrap key or an external identity
//! provider's token) or `X-Api-Key: <key>`. Every staff route passes [`guard`]: 401
//! without valid credentials, 403 when the role or scopes do not cover the route, 429
//! past the caller's rate limit; then the request runs as its caller, whose identity
//! every event it records carries.

use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::rate_limit::{self, Quota};
use crate::app::AppState;
use crate::auth::AuthError;
use crate::domain::access::{Actor, Grant, Need, Principal, Role};
use crate::services::actor;

/// The credential a request presents, if any; a malformed `Authorization` is an error.
fn presented(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    if let Some(v) = headers.get(AUTHORIZATION) {
        let value = v.to_str().map_err(|_| refuse("the Authorization header is not readable"))?;
        let (scheme, token) =
            value.trim().split_once(' ').ok_or_else(|| refuse("send Authorization: Bearer <token>"))?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(refuse("send Authorization: Bearer <token>"));
        }
        return Ok(Some(token.trim()));
    }
    match headers.get("x-api-key") {
        Some(v) => v.to_str().map(|k| Some(k.trim())).map_err(|_| refuse("the X-Api-Key header is not readable")),
        None => Ok(None),
    }
}

/// 401 with the challenge RFC 6750 asks for: bare when no credentials came, with
/// `error="invalid_token"` when the ones presented are not valid.
fn refuse(message: &str) -> ApiError {
    challenge(ApiError::unauthorized(message), "Bearer realm=\"leadflow\"")
}

fn refuse_invalid(message: &str) -> ApiError {
    challenge(ApiError::unauthorized(message), "Bearer realm=\"leadflow\", error=\"invalid_token\"")
}

fn challenge(mut e: ApiError, value: &'static str) -> ApiError {
    e.headers.push((WWW_AUTHENTICATE, HeaderValue::from_static(value)));
    e
}

/// The local server with auth turned off (loopback only, no keys configured).
fn local_operator() -> Principal {
    Principal { actor: Actor::LocalOperator, grant: Grant::Role(Role::Admin), agent_id: None }
}

/// The caller, if the request presents credentials; invalid ones are refused.
pub(crate) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let credential = if state.config.auth_disabled {
        // Open locally: no (or an empty) credential is the operator; one presented is
        // still checked, so a signed-in user is known as themselves.
        match presented(headers) {
            Ok(Some(c)) if !c.is_empty() => c,
            Ok(_) | Err(_) => return Ok(Some(local_operator())),
        }
    } else {
        let Some(credential) = presented(headers)? else { return Ok(None) };
        credential
    };
    match state.auth.authenticate(credential).await {
        Ok(p) => Ok(Some(p)),
        Err(AuthError::Rejected(reason)) => Err(refuse_invalid(&reason)),
        Err(e @ AuthError::Unavailable(_)) => Err(ApiError::unavailable(e.to_string())),
    }
}

/// What a staff route requires, with the state the guard needs.
#[derive(Clone)]
pub(crate) struct Guard {
    pub state: AppState,
    pub need: Need,
}

pub(crate) fn caller_quota(state: &AppState) -> Quota {
    Quota { name: "caller", limit: state.config.access.per_caller_per_minute, window: Duration::from_mins(1) }
}

pub(crate) async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    let principal = match caller(&g.state, req.headers()).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            let message = if g.state.config.api_keys.is_empty() && g.state.config.access.external.is_none() {
                "send credentials: Authorization: Bearer <token> (this deployment has no LEADFLOW_API_KEYS yet; sign in or create a user with `leadflow users create`)"
            } else {
                "send credentials: Authorization: Bearer <token>"
            };
            return refuse(message).into_response();
        }
        Err(e) => return e.into_response(),
    };
    // Counted before the role check, so probing routes one may not call is limited too.
    let granted =
        match rate_limit::take(&*g.state.rate_limiter, caller_quota(&g.state), &principal.actor.to_string()).await {
            Ok(granted) => granted,
            Err(e) => return e.into_response(),
        };
    if !principal.allows(g.need) {
        let denied = ApiError::forbidden(forbidden_message(&principal, g.need));
        let denied = challenge(denied, "Bearer realm=\"leadflow\", error=\"insufficient_scope\"");
        let mut response = denied.into_response();
        granted.apply(response.headers_mut());
        return response;
    }
    // A token carries its role for 15 minutes; admin work checks the account as it is
    // now, so a demoted or disabled admin cannot mint keys or users in that window.
    if let (Need::Admin, Actor::User { id }) = (g.need, &principal.actor)
        && let Err(e) = still_admin(&g.state, *id).await
    {
        let mut response = e.into_response();
        granted.apply(response.headers_mut());
        return response;
    }
    let actor = principal.actor.clone();
    req.extensions_mut().insert(principal);
    let mut response = actor::acting_as(actor, next.run(req)).await;
    granted.apply(response.headers_mut());
    response
}

async fn still_admin(state: &AppState, user_id: uuid::Uuid) -> Result<(), ApiError> {
    match state.accounts().user(user_id).await {
        Ok(user) if user.disabled => Err(refuse("this account is disabled")),
        Ok(user) if user.role == Role::Admin => Ok(()),
        Ok(user) => Err(ApiError::forbidden(format!("the {} role does not allow this any more", user.role))),
        Err(crate::services::ServiceError::NotFound { .. }) => Err(refuse("this account no longer exists")),
        Err(e) => Err(e.into()),
    }
}

fn forbidden_message(principal: &Principal, need: Need) -> String {
    let what = match need {
        Need::Read => "reading",
        Need::Write => "changing leads, conversations, tasks, bookings and follow-ups",
        Need::Admin => "changing settings, teams, users, keys, sequences and integrations",
        Need::Intake => "handing in messages and leads",
    };
    match &principal.grant {
        Grant::Role(role) => format!("the {role} role does not allow {what}"),
        Grant::Scopes(_) => format!("this API key's scopes do not allow {what}"),
    }
}

/// The authenticated caller of a staff route (the guard put it there).
pub(crate) struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::internal("a staff handler ran without the guard"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_from_either_header() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(presented(&h).unwrap(), Some("abc"));
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(presented(&h).is_err(), "another scheme is refused, not ignored");
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "xyz".parse().unwrap());
        assert_eq!(presented(&h).unwrap(), Some("xyz"));
        assert_eq!(presented(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn refusals_carry_the_bearer_challenge() {
        let e = refuse("no");
        assert_eq!(e.headers, vec![(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"leadflow\""))]);
    }
}
