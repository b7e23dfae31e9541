//! Customers: the people who write in, and their conversation history.

use uuid::Uuid;

use super::ServiceResult;
use crate::domain::{Customer, CustomerChanges, Message, NewCustomer};
use crate::store::customers;
pub use crate::store::customers::CustomerFilter;
use crate::store::mongo::Mongo;
use crate::store::{Db, Page, PageRequest, StoreError};

pub async fn create(db: &Db, new: &NewCustomer) -> ServiceResult<Customer> {
    let conn = db.conn().await?;
    Ok(customers::insert(&*conn, new).await?)
}

pub async fn list(db: &Db, filter: &CustomerFilter, page: &PageRequest) -> ServiceResult<Page<Customer>> {
    let conn = db.conn().await?;
    Ok(customers::list(&*conn, filter, page).await?)
}

pub async fn get(db: &Db, id: Uuid) -> ServiceResult<Customer> {
    let conn = db.conn().await?;
    Ok(customers::get_by_id(&*conn, id).await?)
}

/// Applies a partial update under a row lock, so concurrent edits do not lose each other.
pub async fn update(db: &Db, id: Uuid, changes: CustomerChanges) -> ServiceResult<Customer> {
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    let current = customers::get_for_update(&tx, id).await?;
    let fields = changes.apply_to(&current)?;
    let updated = customers::update(&tx, id, &fields).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(updated)
}

/// Deletes the customer, their records and their conversation history.
pub async fn delete(db: &Db, mongo: &Mongo, id: Uuid) -> ServiceResult<()> {
    let conn = db.conn().await?;
    customers::get_by_id(&*conn, id).await?;
    mongo.messages().delete_for_customer(id).await?;
    customers::delete(&*conn, id).await?;
    Ok(())
}

/// The customer's messages, newest first.
pub async fn history(db: &Db, mongo: &Mongo, id: Uuid, page: &PageRequest) -> ServiceResult<Page<Message>> {
    get(db, id).await?;
    Ok(mongo.messages().history(id, page).await?)
}
