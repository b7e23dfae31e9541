//! The people who write in. A customer is reachable by e-mail, phone or both; both are
//! normalised so one person writing on two channels stays one customer.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::text::ShortText;
use super::{Email, FieldError, Patch, Phone, TimeZone};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: Option<ShortText>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub company: Option<ShortText>,
    pub business_type: Option<ShortText>,
    pub location: Option<ShortText>,
    /// The customer's own zone, when known: follow-ups respect their local hours.
    pub time_zone: Option<TimeZone>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The editable facts of a customer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerFields {
    pub name: Option<ShortText>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub company: Option<ShortText>,
    pub business_type: Option<ShortText>,
    pub location: Option<ShortText>,
    pub time_zone: Option<TimeZone>,
}

/// A customer to create: has at least one way to be reached.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer(CustomerFields);

impl NewCustomer {
    pub fn new(fields: CustomerFields) -> Result<Self, FieldError> {
        if fields.email.is_none() && fields.phone.is_none() {
            return Err(FieldError::new("email", "an email or a phone is required"));
        }
        Ok(Self(fields))
    }

    pub fn fields(&self) -> &CustomerFields {
        &self.0
    }
}

/// A partial update; see [`Patch`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerChanges {
    pub name: Patch<ShortText>,
    pub email: Patch<Email>,
    pub phone: Patch<Phone>,
    pub company: Patch<ShortText>,
    pub business_type: Patch<ShortText>,
    pub location: Patch<ShortText>,
    pub time_zone: Patch<TimeZone>,
}

impl CustomerChanges {
    /// The customer's fields after the change; refuses to leave no way to reach them.
    pub fn apply_to(self, c: &Customer) -> Result<CustomerFields, FieldError> {
        let next = CustomerFields {
            name: self.name.apply(c.name.clone()),
            email: self.email.apply(c.email.clone()),
            phone: self.phone.apply(c.phone.clone()),
            company: self.company.apply(c.company.clone()),
            business_type: self.business_type.apply(c.business_type.clone()),
            location: self.location.apply(c.location.clone()),
            time_zone: self.time_zone.apply(c.time_zone),
        };
        NewCustomer::new(next).map(|n| n.0)
    }

    /// Fills gaps only: facts the customer already has are kept (used when a message
    /// reveals a name or company).
    pub fn fill_gaps(c: &Customer, learned: CustomerFields) -> Self {
        fn gap<T>(current: &Option<T>, learned: Option<T>) -> Patch<T> {
            match (current, learned) {
                (None, Some(v)) => Patch::Set(v),
                _ => Patch::Keep,
            }
        }
        Self {
            name: gap(&c.name, learned.name),
            email: gap(&c.email, learned.email),
            phone: gap(&c.phone, learned.phone),
            company: gap(&c.company, learned.company),
            business_type: gap(&c.business_type, learned.business_type),
            location: gap(&c.location, learned.location),
            time_zone: gap(&c.time_zone, learned.time_zone),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_keep()
            && self.email.is_keep()
            && self.phone.is_keep()
            && self.company.is_keep()
            && self.business_type.is_keep()
            && self.location.is_keep()
            && self.time_zone.is_keep()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Country;

    fn customer() -> Customer {
        let now = Utc::now();
        Customer {
            id: Uuid::now_v7(),
            name: None,
            email: Some(Email::parse("a@example.com").unwrap()),
            phone: None,
            company: Some(ShortText::parse("Acme").unwrap()),
            business_type: None,
            location: None,
            time_zone: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_new_customer_needs_a_contact() {
        let err = NewCustomer::new(CustomerFields::default()).unwrap_err();
        assert_eq!(err.field, "email");
        let phone = Phone::parse("4155552671", Country::US).unwrap();
        assert!(NewCustomer::new(CustomerFields { phone: Some(phone), ..Default::default() }).is_ok());
    }

    #[test]
    fn changes_cannot_remove_the_last_contact() {
        let c = customer();
        let changes = CustomerChanges { email: Patch::Clear, ..Default::default() };
        assert!(changes.apply_to(&c).is_err());
    }

    #[test]
    fn fill_gaps_keeps_known_facts() {
        let c = customer();
        let learned = CustomerFields {
            name: Some(ShortText::parse("Dana").unwrap()),
            company: Some(ShortText::parse("Other Co").unwrap()),
            ..Default::default()
        };
        let changes = CustomerChanges::fill_gaps(&c, learned);
        assert_eq!(changes.name, Patch::Set(ShortText::parse("Dana").unwrap()));
        assert_eq!(changes.company, Patch::Keep);
        assert!(!changes.is_empty());
    }
}
