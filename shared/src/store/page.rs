//! Keyset pagination: lists are ordered by a stable key ending in the id, and the cursor
//! is the key of the last item returned, opaque to clients.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::domain::InvalidValue;

pub(super) const DEFAULT_LIMIT: i64 = 50;
pub(super) const MAX_LIMIT: i64 = 200;

/// The list a cursor belongs to: its name and every filter, hashed. A cursor from another
/// list, or from the same list with other filters, would skip or repeat rows silently,
/// so it is refused instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(String);

impl Scope {
    pub fn of(list: &str, filters: &impl fmt::Debug) -> Self {
        let digest = sha2::Sha256::digest(format!("{list}|{filters:?}").as_bytes());
        Scope(format!("{list}:{}", hex::encode(&digest[..8])))
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    list: String,
    after: K,
}

/// The sort key of the last item of a page and its list, serialised into an opaque string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn encode<K: Serialize>(scope: &Scope, key: &K) -> Self {
        let json = serde_json::to_vec(&Envelope { list: scope.0.clone(), after: key }).unwrap_or_default();
        Cursor(URL_SAFE_NO_PAD.encode(json))
    }

    /// Checks the form only; whether it belongs to the list is known when the list is read.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::new("is not a cursor returned by this list");
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
        serde_json::from_slice::<Envelope<serde_json::Value>>(&bytes).map_err(|_| invalid())?;
        Ok(Cursor(raw.trim().to_owned()))
    }

    /// The key, if this cursor came from the list `scope` names.
    pub fn key<K: DeserializeOwned>(&self, scope: &Scope) -> Result<K, InvalidValue> {
        let bytes =
            URL_SAFE_NO_PAD.decode(&self.0).map_err(|_| InvalidValue::new("is not a cursor returned by this list"))?;
        let envelope: Envelope<serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|_| InvalidValue::new("is not a cursor returned by this list"))?;
        if envelope.list != scope.0 {
            return Err(InvalidValue::new("belongs to another list or other filters; start again without it"));
        }
        serde_json::from_value(envelope.after).map_err(|_| InvalidValue::new("is not a cursor returned by this list"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `limit` (1..=200, default 50) and where to continue from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, cursor: None }
    }
}

impl PageRequest {
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, (&'static str, InvalidValue)> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(l) if (1..=MAX_LIMIT).contains(&l) => l,
            Some(_) => {
                return Err(("limit", InvalidValue::new(format!("must be from 1 to {MAX_LIMIT}"))));
            }
        };
        let cursor = cursor.filter(|c| !c.is_empty()).map(Cursor::parse).transpose().map_err(|e| ("cursor", e))?;
        Ok(Self { limit, cursor })
    }

    /// The decoded key to continue after, if any; a cursor of another list is refused.
    pub fn after<K: DeserializeOwned>(&self, scope: &Scope) -> Result<Option<K>, InvalidValue> {
        self.cursor.as_ref().map(|c| c.key(scope)).transpose()
    }

    /// Rows to fetch: one more than the limit, to learn whether another page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Cuts `fetched` (up to `limit + 1` items) to a page, with a cursor when more remain.
    pub fn from_fetched<K: Serialize>(
        mut fetched: Vec<T>,
        req: &PageRequest,
        scope: &Scope,
        key: impl Fn(&T) -> K,
    ) -> Self {
        let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
        let more = fetched.len() > limit;
        fetched.truncate(limit);
        let next_cursor = if more { fetched.last().map(|last| Cursor::encode(scope, &key(last)).0) } else { None };
        Page { items: fetched, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 50);
        assert_eq!(PageRequest::new(Some(0), None).unwrap_err().0, "limit");
        assert_eq!(PageRequest::new(Some(201), None).unwrap_err().0, "limit");
        assert_eq!(PageRequest::new(Some(200), None).unwrap().fetch(), 201);
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let scope = Scope::of("customers", &Some("dana"));
        let c = Cursor::encode(&scope, &("2026-01-01T00:00:00Z", 7));
        let req = PageRequest::new(Some(10), Some(c.as_str())).unwrap();
        let key: (String, i32) = req.after(&scope).unwrap().unwrap();
        assert_eq!(key, ("2026-01-01T00:00:00Z".to_string(), 7));
        assert_eq!(PageRequest::new(None, Some("%%%")).unwrap_err().0, "cursor");
        assert_eq!(PageRequest::new(None, Some("bm90IGpzb24")).unwrap_err().0, "cursor");
        assert!(req.after::<(i32, i32)>(&scope).is_err(), "a key of another shape is refused");
        let other_list = req.after::<(String, i32)>(&Scope::of("leads", &Some("dana"))).unwrap_err();
        assert!(other_list.to_string().contains("another list"), "{other_list}");
        assert!(req.after::<(String, i32)>(&Scope::of("customers", &Some("lee"))).is_err(), "other filters");
    }

    #[test]
    fn pages_cut_at_the_limit() {
        let req = PageRequest::new(Some(2), None).unwrap();
        let scope = Scope::of("numbers", &());
        let page = Page::from_fetched(vec![1, 2, 3], &req, &scope, |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        let next = PageRequest::new(Some(2), page.next_cursor.as_deref()).unwrap();
        assert_eq!(next.after::<i32>(&scope).unwrap(), Some(2));
        let last = Page::from_fetched(vec![3], &req, &scope, |n| *n);
        assert!(last.next_cursor.is_none());
    }
}
