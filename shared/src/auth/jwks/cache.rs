//! The provider's keys in memory: fetched on first use, again when stale or when a token
//! names a key not seen yet; one fetch at a time, and none within the cooldown of the
//! last. A failed fetch keeps the keys already held.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use reqwest::header::{ACCEPT, CACHE_CONTROL};

use super::keys::{self, VerifyingKey};
use super::{JwksFetchError, JwksPolicy};

pub(super) enum Lookup {
    Found(Arc<VerifyingKey>),
    /// The provider's current set has no such key.
    Unknown,
    /// No such key is held and the provider could not be asked.
    Unavailable(Arc<JwksFetchError>),
}

pub(super) struct KeyCache {
    http: reqwest::Client,
    url: String,
    policy: JwksPolicy,
    state: Mutex<State>,
    /// Held for the length of a fetch, so concurrent misses wait for one fetch instead
    /// of each making their own.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: Vec<Arc<VerifyingKey>>,
    fresh_until: Option<Instant>,
    last_attempt: Option<Instant>,
    /// Why the last fetch failed; cleared by a successful one.
    last_error: Option<Arc<JwksFetchError>>,
    /// Fetches finished, successful or not: a caller that waited for the fetch lock
    /// sees from it whether someone else fetched meanwhile.
    attempts: u64,
}

impl State {
    fn find(&self, kid: &str) -> Option<Arc<VerifyingKey>> {
        self.keys.iter().find(|k| k.kid == kid).cloned()
    }
}

impl KeyCache {
    pub(super) fn new(http: reqwest::Client, url: String, policy: JwksPolicy) -> Self {
        Self { http, url, policy, state: Mutex::default(), fetching: tokio::sync::Mutex::new(()) }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update under this lock is a handful of plain assignments, so a lock
        // poisoned by a panic elsewhere still guards consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) async fn key(&self, kid: &str) -> Lookup {
        let now = Instant::now();
        let (held, fresh, may_fetch, attempts) = {
            let s = self.state();
            let fresh = s.fresh_until.is_some_and(|until| now < until);
            let may_fetch = s.last_attempt.is_none_or(|at| now.duration_since(at) >= self.policy.refetch_cooldown);
            (s.find(kid), fresh, may_fetch, s.attempts)
        };
        if let Some(key) = &held
            && fresh
        {
            return Lookup::Found(key.clone());
        }
        if may_fetch {
            self.refresh(attempts).await;
        }
        let s = self.state();
        if let Some(key) = s.find(kid) {
            return Lookup::Found(key);
        }
        match &s.last_error {
            // The key may well exist: the provider just could not be asked.
            Some(error) => Lookup::Unavailable(error.clone()),
            None => Lookup::Unknown,
        }
    }

    /// Fetches the set unless another caller finished a fetch since `seen_attempts`.
    async fn refresh(&self, seen_attempts: u64) {
        let _one_at_a_time = self.fetching.lock().await;
        if self.state().attempts != seen_attempts {
            return;
        }
        let result = self.fetch().await;
        let now = Instant::now();
        let mut s = self.state();
        s.attempts += 1;
        s.last_attempt = Some(now);
        match result {
            Ok((keys, ttl)) => {
                tracing::debug!(url = %self.url, keys = keys.len(), ttl_secs = ttl.as_secs(), "fetched the JWKS");
                s.keys = keys.into_iter().map(Arc::new).collect();
                s.fresh_until = Some(now + ttl);
                s.last_error = None;
            }
            Err(error) => {
                let error = Arc::new(error);
                tracing::warn!(
                    url = %self.url,
                    error = %error,
                    cause = ?std::error::Error::source(&*error),
                    held = s.keys.len(),
                    "could not fetch the JWKS; keeping the keys already held"
                );
                s.last_error = Some(error);
            }
        }
    }

    async fn fetch(&self) -> Result<(Vec<VerifyingKey>, std::time::Duration), JwksFetchError> {
        let resp = self
            .http
            .get(&self.url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(JwksFetchError::Request)?;
        if !resp.status().is_success() {
            return Err(JwksFetchError::Status(resp.status()));
        }
        let ttl = keys::freshness(resp.headers().get(CACHE_CONTROL).and_then(|v| v.to_str().ok()), &self.policy);
        let body = resp.bytes().await.map_err(JwksFetchError::Request)?;
        let keys = keys::parse_set(&body).map_err(JwksFetchError::Body)?;
        Ok((keys, ttl))
    }
}
