//! Customers. Email and phone are stored normalised and unique (`customers_email_key`,
//! `customers_phone_key`), so one person is one row whatever channel they use.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_opt};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::customer::CustomerFields;
use crate::domain::text::ShortText;
use crate::domain::{Customer, Email, NewCustomer, Phone, TimeZone};

const COLUMNS: &str = "id, name, email, phone, company, business_type, location, time_zone, created_at, updated_at";

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    /// Case-insensitive substring of name, email, phone or company.
    pub q: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

fn from_row(row: &Row) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: get(row, "id")?,
        name: parse_opt(row, "name", ShortText::parse)?,
        email: parse_opt(row, "email", Email::parse)?,
        phone: parse_opt(row, "phone", Phone::from_e164)?,
        company: parse_opt(row, "company", ShortText::parse)?,
        business_type: parse_opt(row, "business_type", ShortText::parse)?,
        location: parse_opt(row, "location", ShortText::parse)?,
        time_zone: parse_opt(row, "time_zone", TimeZone::parse)?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn text<const N: usize>(v: &Option<crate::domain::Text<N>>) -> Option<&str> {
    v.as_ref().map(super::super::domain::text::Text::as_str)
}

async fn insert_with(c: &impl GenericClient, new: &NewCustomer, on_conflict: &str) -> Result<Vec<Row>, StoreError> {
    let f = new.fields();
    let sql = format!(
        "INSERT INTO customers (id, name, email, phone, company, business_type, location, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) {on_conflict} RETURNING {COLUMNS}"
    );
    let (id, email, phone) = (Uuid::now_v7(), f.email.as_ref().map(Email::as_str), f.phone.as_ref().map(Phone::as_str));
    let (name, company, business_type, location) =
        (text(&f.name), text(&f.company), text(&f.business_type), text(&f.location));
    let time_zone = f.time_zone.map(TimeZone::name);
    let params = [p(&id), p(&name), p(&email), p(&phone), p(&company), p(&business_type), p(&location), p(&time_zone)];
    Ok(c.query_typed(&sql, &params).await?)
}

/// Inserts the customer; an email or phone that belongs to someone is a conflict.
pub async fn insert(c: &impl GenericClient, new: &NewCustomer) -> Result<Customer, StoreError> {
    insert_with(c, new, "").await?.first().map(from_row).ok_or(StoreError::NotFound("customer"))?
}

/// Inserts the customer unless the email or phone already belongs to someone; `None`
/// then (the caller looks the owner up). Never aborts the surrounding transaction.
pub async fn insert_if_absent(c: &impl GenericClient, new: &NewCustomer) -> Result<Option<Customer>, StoreError> {
    insert_with(c, new, "ON CONFLICT DO NOTHING").await?.first().map(from_row).transpose()
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Customer, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE id = $1");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("customer"))?
}

/// Locks the row for the rest of the transaction.
pub async fn get_for_update(c: &impl GenericClient, id: Uuid) -> Result<Customer, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE id = $1 FOR UPDATE");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("customer"))?
}

/// Customers holding this email or this phone (at most two rows: one per unique key).
pub async fn find_by_contact(
    c: &impl GenericClient,
    email: Option<&Email>,
    phone: Option<&Phone>,
) -> Result<Vec<Customer>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM customers WHERE email = $1 OR phone = $2 ORDER BY created_at, id");
    let rows = c.query_typed(&sql, &[p(&email.map(Email::as_str)), p(&phone.map(Phone::as_str))]).await?;
    rows.iter().map(from_row).collect()
}

pub async fn update(c: &impl GenericClient, id: Uuid, f: &CustomerFields) -> Result<Customer, StoreError> {
    let sql = format!(
        "UPDATE customers SET name = $2, email = $3, phone = $4, company = $5, business_type = $6,
                location = $7, time_zone = $8, updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&id),
                p(&text(&f.name)),
                p(&f.email.as_ref().map(Email::as_str)),
                p(&f.phone.as_ref().map(Phone::as_str)),
                p(&text(&f.company)),
                p(&text(&f.business_type)),
                p(&text(&f.location)),
                p(&f.time_zone.map(TimeZone::name)),
            ],
        )
        .await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("customer"))?
}

/// Deletes the customer and, through the foreign keys, their leads, tasks, bookings and
/// follow-ups. Opt-outs stay (they are kept by address).
pub async fn delete(c: &impl GenericClient, id: Uuid) -> Result<(), StoreError> {
    let rows = c.query_typed("DELETE FROM customers WHERE id = $1 RETURNING id", &[p(&id)]).await?;
    if rows.is_empty() { Err(StoreError::NotFound("customer")) } else { Ok(()) }
}

/// Newest first.
pub async fn list(
    c: &impl GenericClient,
    filter: &CustomerFilter,
    page: &PageRequest,
) -> Result<Page<Customer>, StoreError> {
    let scope = Scope::of("customers", filter);
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM customers WHERE true"));
    sql.and("email", "=", filter.email.as_ref().map(|e| e.as_str().to_owned()))
        .and("phone", "=", filter.phone.as_ref().map(|p| p.as_str().to_owned()))
        .and("created_at", ">=", filter.created_after)
        .and("created_at", "<", filter.created_before);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        sql.push(" AND (name ILIKE ")
            .bind(pattern.clone())
            .push(" OR email ILIKE ")
            .bind(pattern.clone())
            .push(" OR phone ILIKE ")
            .bind(pattern.clone())
            .push(" OR company ILIKE ")
            .bind(pattern)
            .push(")");
    }
    if let Some((at, id)) = page.after::<(DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)? {
        sql.push(" AND (created_at, id) < (").bind(at).push(", ").bind(id).push(")");
    }
    sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(page.fetch());
    let items = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(items, page, &scope, |c| (c.created_at, c.id)))
}
