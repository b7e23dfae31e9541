//! The business profile replies are grounded in.

use super::{ServiceError, ServiceResult};
use crate::domain::booking_settings::BookingChanges;
use crate::domain::profile::{EmergencyPolicy, FaqEntry, MAX_FAQ, MAX_PAYMENT_METHODS};
use crate::domain::text::{LongText, ShortText};
use crate::domain::{BusinessHours, Patch, Service, Settings, TimeZone, Tone};
use crate::store::{Db, StoreError, settings, teams};

const MAX_SERVICES: usize = 100;

/// A partial update: `None` (or `Patch::Keep`) keeps the current value.
#[derive(Debug, Default)]
pub struct SettingsChanges {
    pub business_name: Option<ShortText>,
    pub time_zone: Option<TimeZone>,
    pub business_hours: Option<BusinessHours>,
    pub services: Option<Vec<Service>>,
    pub tone: Option<Tone>,
    pub about: Patch<LongText>,
    pub booking: Option<BookingChanges>,
    pub address: Patch<ShortText>,
    pub service_area: Patch<LongText>,
    pub payment_methods: Option<Vec<ShortText>>,
    pub faq: Option<Vec<FaqEntry>>,
    pub emergency: Patch<EmergencyPolicy>,
}

pub async fn get(db: &Db) -> ServiceResult<Settings> {
    let conn = db.conn().await?;
    Ok(settings::load(&*conn).await?)
}

/// Saves changes; `stripe` says whether this deployment can take deposits.
pub async fn update(db: &Db, changes: SettingsChanges, stripe: bool) -> ServiceResult<Settings> {
    if changes.services.as_ref().is_some_and(|s| s.len() > MAX_SERVICES) {
        return Err(ServiceError::invalid("services", format!("at most {MAX_SERVICES} services")));
    }
    if changes.faq.as_ref().is_some_and(|f| f.len() > MAX_FAQ) {
        return Err(ServiceError::invalid("faq", format!("at most {MAX_FAQ} entries")));
    }
    if changes.payment_methods.as_ref().is_some_and(|m| m.len() > MAX_PAYMENT_METHODS) {
        return Err(ServiceError::invalid("payment_methods", format!("at most {MAX_PAYMENT_METHODS} methods")));
    }
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    settings::lock(&tx).await?;
    let mut s = settings::load(&tx).await?;
    s.business_name = changes.business_name.unwrap_or(s.business_name);
    s.time_zone = changes.time_zone.unwrap_or(s.time_zone);
    s.business_hours = changes.business_hours.unwrap_or(s.business_hours);
    s.services = changes.services.unwrap_or(s.services);
    s.tone = changes.tone.unwrap_or(s.tone);
    s.about = changes.about.apply(s.about);
    s.address = changes.address.apply(s.address);
    s.service_area = changes.service_area.apply(s.service_area);
    s.payment_methods = changes.payment_methods.unwrap_or(s.payment_methods);
    s.faq = changes.faq.unwrap_or(s.faq);
    s.emergency = changes.emergency.apply(s.emergency);
    if let Some(booking) = changes.booking {
        s.booking = booking.apply(s.booking);
        s.booking.check().map_err(|(field, e)| ServiceError::invalid(field, e.0))?;
        for (i, host) in s.booking.hosts.iter().enumerate() {
            teams::get_agent(&tx, host.agent_id)
                .await
                .map_err(|e| ServiceError::from(e).not_found_as(&format!("booking.hosts[{i}].agent_id"), "agent"))?;
        }
    }
    if let Some(deposit) = &s.booking.deposit {
        if !stripe {
            return Err(ServiceError::invalid(
                "booking.deposit",
                "booking.deposit needs Stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET first",
            ));
        }
        deposit.check_services(&s.services).map_err(|(field, e)| ServiceError::invalid(field, e.0))?;
    }
    let saved = settings::save(&tx, &s).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(saved)
}
