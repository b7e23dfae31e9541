//! Extractors that turn bad input into field-level 4xx errors instead of axum's plain
//! text rejections: JSON bodies, query strings and UUID path segments.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::ApiError;
use super::json_body::{ObjectsOnly, UniqueKeys, in_api_words};

/// A JSON body. Syntax errors are 400 `invalid_json`; a wrong or missing field is 422
/// naming it; a body over the limit is 413; another content type is 415.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        require_json(req.headers())?;
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// Refuses a body that is not declared as JSON (415).
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let is_json =
        headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
    if is_json { Ok(()) } else { Err(ApiError::unsupported_media_type("application/json")) }
}

/// A JSON body that may be left out entirely (an empty body or `null` is `None`).
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let headers = req.headers().clone();
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        require_json(&headers)?;
        // `null` is no body too: the documented schema of an optional body allows it.
        parse_json::<Option<T>>(&bytes).map(OptionalJson)
    }
}

/// The body as bytes, with the body-size limit turned into a 413.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        read_body(req, state).await.map(RawBody)
    }
}

/// The raw body, with the body-size limit turned into a 413.
pub async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large()
        } else {
            ApiError::invalid_json(format!("could not read the request body: {rejection}"))
        }
    })
}

/// A JSON body as the API documents it: objects (never a struct's array form), no key
/// given twice, the field at fault named and the message in JSON's words.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let UniqueKeys(value) = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
    de.end().map_err(|e| {
        ApiError::invalid_json(format!("request body is not valid JSON: {}", strip_position(&e.to_string())))
    })?;
    serde_path_to_error::deserialize(ObjectsOnly(&value)).map_err(json_error)
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = in_api_words(&strip_position(&inner.to_string()));
    match inner.classify() {
        serde_json::error::Category::Data => match field_of(&path, &message) {
            Some(f) => ApiError::validation(f.clone(), format!("{f}: {message}")),
            None if message.ends_with("expected a JSON object") => {
                ApiError::validation("body", "the request body must be a JSON object")
            }
            None => ApiError::validation("body", message),
        },
        _ => ApiError::invalid_json(format!("request body is not valid JSON: {message}")),
    }
}

/// The field at fault: the path serde reached, or the key a "missing field" or a
/// "duplicate key" message names, under that path.
fn field_of(path: &str, message: &str) -> Option<String> {
    let named = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
    let base = if path == "." { None } else { Some(path.to_owned()) };
    if let Some(key) =
        named("missing field `").or_else(|| named("duplicate key `")).or_else(|| named("duplicate field `"))
    {
        return Some(match base {
            Some(b) => format!("{b}.{key}"),
            None => key,
        });
    }
    // For an unknown field serde's path already ends at that field.
    base.or_else(|| named("unknown field `"))
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string; a bad parameter is 400 naming it.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de).map(Query).map_err(|err| {
            let path = err.path().to_string();
            let message = in_api_words(&err.into_inner().to_string());
            let field = field_of(&path, &message).unwrap_or_else(|| "query".into());
            ApiError::bad_param(field.clone(), format!("{field}: {message}"))
        })
    }
}

/// A UUID path segment (the route's only parameter); anything else is 400 naming it.
pub struct Id(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::internal("Id used on a route without a path parameter"))?;
        let (name, value) =
            params.iter().next().ok_or_else(|| ApiError::internal("Id used on a route without a path parameter"))?;
        Uuid::parse_str(value)
            .map(Id)
            .map_err(|_| ApiError::bad_param(name.to_owned(), format!("{name} must be a UUID")))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::domain::Email;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: Email,
        age: Option<u8>,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"email": "nope"}"#).unwrap_err();
        assert_eq!((e.status.as_u16(), e.field.as_deref()), (422, Some("email")));
        assert!(e.message.contains("e-mail address"), "{}", e.message);
        let e = parse_json::<Body>(br#"{"age": 3}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("email"));
        let e = parse_json::<Body>(br#"{"email": "a@b.co", "age": "x"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("age"));
        let e = parse_json::<Body>(br#"{"email": "a@b.co", "admin": true}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("admin"));
        let e = parse_json::<Body>(br#"{"email": "#).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "invalid_json"));
        let e = parse_json::<Body>(b"[1, 2]").unwrap_err();
        assert_eq!((e.status.as_u16(), e.field.as_deref()), (422, Some("body")));
        assert_eq!(e.message, "the request body must be a JSON object");
        let e = parse_json::<Body>(br#"{"email": "a@b.co", "email": "c@d.co"}"#).unwrap_err();
        assert_eq!((e.status.as_u16(), e.field.as_deref()), (422, Some("email")));
        assert!(e.message.contains("duplicate key"), "{}", e.message);
        let e = parse_json::<Body>(br#"{"email": "a@b.co"} trailing"#).unwrap_err();
        assert_eq!(e.code, "invalid_json");
    }
}
