//! Signing in and staying signed in: a password buys an access token and a refresh
//! token; each refresh spends its token for the next one in the same family; a spent
//! token presented again means someone else has a copy, so the family ends (the reuse
//! detection of OAuth 2.0 Security BCP §4.14).

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::auth::password;
use crate::auth::tokens::{self, AccessToken, AccessTokens, Subject};
use crate::domain::Email;
use crate::domain::user::User;
use crate::ratelimit::RateLimiter;
use crate::store::{Db, users};

/// Sign-in attempts allowed per window, per account and per address: enough for a
/// person who mistypes, far too few to guess a 12-character password.
const PER_ACCOUNT: u32 = 10;
const PER_ACCOUNT_ANYWHERE: u32 = 100;
const PER_ADDRESS: u32 = 50;
const LOGIN_WINDOW: Duration = Duration::from_mins(15);

const WRONG: &str = "the email or password is not right";

pub struct Accounts<'a> {
    pub db: &'a Db,
    pub tokens: &'a AccessTokens,
    pub limiter: &'a dyn RateLimiter,
    pub refresh_ttl: chrono::Duration,
}

/// What a sign-in or a refresh hands the client.
#[derive(Debug, Clone)]
pub struct Session {
    pub access: AccessToken,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: User,
}

impl Accounts<'_> {
    async fn limit(&self, key: String, limit: u32) -> ServiceResult<()> {
        let hit = self
            .limiter
            .hit(&key, limit, LOGIN_WINDOW)
            .await
            .map_err(|e| ServiceError::unavailable("rate limits", e))?;
        if hit.allowed {
            Ok(())
        } else {
            Err(ServiceError::RateLimited {
                message: "too many sign-in attempts; wait before trying again",
                retry_after_secs: hit.reset_after.as_secs(),
            })
        }
    }

    pub async fn login(
        &self,
        email: &Email,
        attempt: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Session> {
        self.limit(format!("login:address:{address}"), PER_ADDRESS).await?;
        // Strict per account and address, so a stranger elsewhere cannot lock the owner
        // out; looser per account alone, to bound guessing spread over many addresses.
        self.limit(format!("login:account:{}:{address}", email.as_str()), PER_ACCOUNT).await?;
        self.limit(format!("login:account:{}", email.as_str()), PER_ACCOUNT_ANYWHERE).await?;
        let found = {
            let conn = self.db.conn().await?;
            users::find_for_login(&*conn, email).await?
        };
        let (user, stored) = found.map_or((None, None), |(u, h)| (Some(u), Some(h)));
        // Always one argon2 verification, against a decoy when the account does not
        // exist: an unknown e-mail answers as slowly as a wrong password.
        let matched = password::verify(attempt, stored).await;
        let user = match user {
            Some(u) if matched => u,
            Some(_) | None => return Err(ServiceError::Unauthenticated { message: WRONG }),
        };
        if user.disabled {
            return Err(ServiceError::Unauthenticated { message: "this account is disabled" });
        }
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
        let secret = tokens::new_refresh_token();
        let refresh_expires_at = now + self.refresh_ttl;
        users::insert_session(&tx, Uuid::now_v7(), user.id, &secret.hash, refresh_expires_at).await?;
        users::record_login(&tx, user.id, now).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(self.session(user, secret.token, refresh_expires_at, now))
    }

    fn session(
        &self,
        user: User,
        refresh_token: String,
        refresh_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Session {
        let access = self.tokens.issue(Subject { user_id: user.id, role: user.role, agent_id: user.agent_id }, now);
        Session { access, refresh_token, refresh_expires_at, user }
    }

    pub async fn refresh(&self, presented: &str, now: DateTime<Utc>) -> ServiceResult<Session> {
        let invalid = || ServiceError::Unauthenticated { message: "the refresh token is not valid" };
        let hash = tokens::refresh_hash(presented);
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
        let Some(user_id) = users::session_user(&tx, &hash).await? else { return Err(invalid()) };
        // The user first, then the token: the order every revocation takes too, so a
        // revocation never misses the token a concurrent refresh is issuing.
        let user = users::lock_user(&tx, user_id).await?;
        let Some(session) = users::lock_session(&tx, &hash).await? else { return Err(invalid()) };
        let refused = if session.revoked_at.is_some() {
            Some("the refresh token has been revoked; sign in again")
        } else if session.spent_at.is_some() {
            tracing::warn!(user_id = %session.user_id, family = %session.family_id, "refresh token reused; ending the sign-in");
            users::revoke_family(&tx, session.family_id, now).await?;
            Some("the refresh token was already used; every session of this sign-in has been ended")
        } else if session.expires_at <= now {
            Some("the refresh token has expired; sign in again")
        } else {
            None
        };
        if let Some(message) = refused {
            tx.commit().await.map_err(crate::store::StoreError::from)?;
            return Err(ServiceError::Unauthenticated { message });
        }
        if user.disabled {
            users::revoke_family(&tx, session.family_id, now).await?;
            tx.commit().await.map_err(crate::store::StoreError::from)?;
            return Err(ServiceError::Unauthenticated { message: "this account is disabled" });
        }
        users::spend_session(&tx, session.id, now).await?;
        // The family keeps its first expiry: refreshing extends no sign-in past its lifetime.
        let next = tokens::new_refresh_token();
        users::insert_session(&tx, session.family_id, user.id, &next.hash, session.expires_at).await?;
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(self.session(user, next.token, session.expires_at, now))
    }

    /// Ends the sign-in `presented` belongs to. Unknown or already-ended tokens are
    /// fine: signing out twice is not an error.
    pub async fn logout(&self, presented: &str, now: DateTime<Utc>) -> ServiceResult<()> {
        let hash = tokens::refresh_hash(presented);
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(crate::store::StoreError::from)?;
        let Some(user_id) = users::session_user(&tx, &hash).await? else { return Ok(()) };
        users::lock_user(&tx, user_id).await?;
        if let Some(session) = users::lock_session(&tx, &hash).await? {
            users::revoke_family(&tx, session.family_id, now).await?;
        }
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(())
    }

    pub async fn user(&self, id: Uuid) -> ServiceResult<User> {
        let conn = self.db.conn().await?;
        Ok(users::get_user(&*conn, id).await?)
    }
}
