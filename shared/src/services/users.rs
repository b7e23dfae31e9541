//! Staff accounts, managed by admins. There is always at least one enabled admin: the
//! last one can be neither demoted, disabled nor deleted, or no one could manage the rest.

use chrono::Utc;
use uuid::Uuid;

use super::{ServiceError, ServiceResult, actor};
use crate::auth::password::{self, Password};
use crate::domain::Patch;
use crate::domain::access::{Actor, Role};
use crate::domain::text::ShortText;
use crate::domain::user::{NewUser, User};
use crate::store::{Db, StoreError, users};

pub struct Users<'a> {
    pub db: &'a Db,
}

#[derive(Debug, Default)]
pub struct UserChanges {
    pub name: Option<ShortText>,
    pub role: Option<Role>,
    pub agent_id: Patch<Uuid>,
    pub disabled: Option<bool>,
    pub password: Option<Password>,
}

fn hashing(e: password::HashError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

impl Users<'_> {
    pub async fn create(&self, new: &NewUser, password: &Password) -> ServiceResult<User> {
        let hash = password::hash(password).await.map_err(hashing)?;
        let conn = self.db.conn().await?;
        let user = users::insert(&*conn, new, &hash)
            .await
            .map_err(|e| ServiceError::from(e).not_found_as("agent_id", "agent"))?;
        actor::audit("user created", user.id);
        Ok(user)
    }

    pub async fn list(&self) -> ServiceResult<Vec<User>> {
        let conn = self.db.conn().await?;
        Ok(users::list(&*conn).await?)
    }

    pub async fn get(&self, id: Uuid) -> ServiceResult<User> {
        let conn = self.db.conn().await?;
        Ok(users::get_user(&*conn, id).await?)
    }

    pub async fn update(&self, id: Uuid, changes: UserChanges) -> ServiceResult<User> {
        let hash = match &changes.password {
            Some(p) => Some(password::hash(p).await.map_err(hashing)?),
            None => None,
        };
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let before = users::lock_user(&tx, id).await?;
        let after = User {
            name: changes.name.unwrap_or_else(|| before.name.clone()),
            role: changes.role.unwrap_or(before.role),
            agent_id: changes.agent_id.apply(before.agent_id),
            disabled: changes.disabled.unwrap_or(before.disabled),
            ..before.clone()
        };
        let loses_admin =
            before.role == Role::Admin && !before.disabled && (after.role != Role::Admin || after.disabled);
        if loses_admin && users::lock_and_count_other_admins(&tx, id).await? == 0 {
            return Err(ServiceError::Conflict {
                field: Some(if after.disabled { "disabled" } else { "role" }.into()),
                message: "this is the last enabled admin; make another user admin first".into(),
            });
        }
        let saved = users::save(&tx, &after, hash.as_deref())
            .await
            .map_err(|e| ServiceError::from(e).not_found_as("agent_id", "agent"))?;
        // A new password, a lower role or a disabled account ends every sign-in now;
        // access tokens already issued lapse within their 15 minutes.
        if hash.is_some() || after.disabled || after.role < before.role {
            users::revoke_all_sessions(&tx, id, Utc::now()).await?;
        }
        if after.disabled {
            super::webhooks::hooks::end_subscriptions_of(&tx, &Actor::User { id }).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        actor::audit("user changed", id);
        Ok(saved)
    }

    pub async fn delete(&self, id: Uuid) -> ServiceResult<()> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let user = users::lock_user(&tx, id).await?;
        if user.role == Role::Admin && !user.disabled && users::lock_and_count_other_admins(&tx, id).await? == 0 {
            return Err(ServiceError::Conflict {
                field: None,
                message: "this is the last enabled admin; make another user admin first".into(),
            });
        }
        users::delete(&tx, id).await?;
        super::webhooks::hooks::end_subscriptions_of(&tx, &Actor::User { id }).await?;
        tx.commit().await.map_err(StoreError::from)?;
        actor::audit("user deleted", id);
        Ok(())
    }
}
