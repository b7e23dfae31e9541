//! The business settings: one row; defaults until the owner saves their own.

use tokio_postgres::GenericClient;

use super::StoreError;
use super::sql::{get, p, parse_opt, parse_req};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{Settings, TimeZone};

pub async fn load(c: &impl GenericClient) -> Result<Settings, StoreError> {
    let rows = c
        .query_typed(
            "SELECT business_name, time_zone, business_hours, services, tone, about, booking, address, service_area,
                    payment_methods, faq, emergency, updated_at
             FROM settings WHERE id = 1",
            &[],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(Settings::default());
    };
    let corrupt = |col: &str, e: serde_json::Error| StoreError::Corrupt(format!("settings.{col}: {e}"));
    Ok(Settings {
        business_name: parse_req(row, "business_name", ShortText::parse)?,
        time_zone: parse_req(row, "time_zone", TimeZone::parse)?,
        business_hours: serde_json::from_value(get(row, "business_hours")?)
            .map_err(|e| corrupt("business_hours", e))?,
        services: serde_json::from_value(get(row, "services")?).map_err(|e| corrupt("services", e))?,
        tone: parse_req(row, "tone", str::parse)?,
        about: parse_opt(row, "about", LongText::parse)?,
        booking: serde_json::from_value(get(row, "booking")?).map_err(|e| corrupt("booking", e))?,
        address: parse_opt(row, "address", ShortText::parse)?,
        service_area: parse_opt(row, "service_area", LongText::parse)?,
        payment_methods: serde_json::from_value(get(row, "payment_methods")?)
            .map_err(|e| corrupt("payment_methods", e))?,
        faq: serde_json::from_value(get(row, "faq")?).map_err(|e| corrupt("faq", e))?,
        emergency: get::<Option<serde_json::Value>>(row, "emergency")?
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| corrupt("emergency", e))?,
        updated_at: Some(get(row, "updated_at")?),
    })
}

/// Serialises read-modify-write updates of the settings within a transaction.
pub async fn lock(c: &impl GenericClient) -> Result<(), StoreError> {
    c.query_typed("SELECT pg_advisory_xact_lock($1)", &[super::sql::p(&0x4c46_5345_5454_494e_i64)]).await?;
    Ok(())
}

pub async fn save(c: &impl GenericClient, s: &Settings) -> Result<Settings, StoreError> {
    let hours = serde_json::to_value(&s.business_hours).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let services = serde_json::to_value(&s.services).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let booking = serde_json::to_value(&s.booking).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let payment_methods = serde_json::to_value(&s.payment_methods).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let faq = serde_json::to_value(&s.faq).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let emergency =
        s.emergency.as_ref().map(serde_json::to_value).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.query_typed(
        "INSERT INTO settings (id, business_name, time_zone, business_hours, services, tone, about, booking,
                               address, service_area, payment_methods, faq, emergency, updated_at)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
         ON CONFLICT (id) DO UPDATE SET business_name = $1, time_zone = $2, business_hours = $3, services = $4,
                tone = $5, about = $6, booking = $7, address = $8, service_area = $9, payment_methods = $10,
                faq = $11, emergency = $12, updated_at = now()",
        &[
            p(&s.business_name.as_str()),
            p(&s.time_zone.name()),
            p(&hours),
            p(&services),
            p(&s.tone.as_str()),
            p(&s.about.as_ref().map(super::super::domain::text::Text::as_str)),
            p(&booking),
            p(&s.address.as_ref().map(super::super::domain::text::Text::as_str)),
            p(&s.service_area.as_ref().map(super::super::domain::text::Text::as_str)),
            p(&payment_methods),
            p(&faq),
            p(&emergency),
        ],
    )
    .await?;
    load(c).await
}
