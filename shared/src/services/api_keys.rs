//! Managed API keys: made by admins, shown once, revoked at will. A revocation takes
//! effect at once on the instance that made it and within the key cache's lifetime
//! (30 s) on every other.

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use uuid::Uuid;

use super::{ServiceError, ServiceResult};
use crate::auth::{Authenticator, api_keys};
use crate::domain::access::Actor;
use crate::domain::user::{ApiKey, NewApiKey};
use crate::store::{Db, api_keys as store};

pub struct ApiKeys<'a> {
    pub db: &'a Db,
    pub auth: &'a Authenticator,
}

impl ApiKeys<'_> {
    /// The new key's record and its secret, which is not kept.
    pub async fn create(&self, new: &NewApiKey, now: DateTime<Utc>) -> ServiceResult<(ApiKey, SecretString)> {
        if new.expires_at.is_some_and(|at| at <= now) {
            return Err(ServiceError::invalid("expires_at", "expires_at must be in the future"));
        }
        let made = api_keys::generate();
        let conn = self.db.conn().await?;
        let key = store::insert(&*conn, new, &made.lookup, &made.hash).await?;
        super::actor::audit("API key created", key.id);
        Ok((key, made.key))
    }

    pub async fn list(&self) -> ServiceResult<Vec<ApiKey>> {
        let conn = self.db.conn().await?;
        Ok(store::list(&*conn).await?)
    }

    pub async fn revoke(&self, id: Uuid, now: DateTime<Utc>) -> ServiceResult<ApiKey> {
        let conn = self.db.conn().await?;
        let key = store::revoke(&*conn, id, now).await?;
        super::webhooks::hooks::end_subscriptions_of(&*conn, &Actor::ApiKey { id }).await?;
        self.auth.forget_keys();
        super::actor::audit("API key revoked", key.id);
        Ok(key)
    }
}
