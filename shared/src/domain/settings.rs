//! The business profile the AI answers from, and its working hours.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::booking_settings::BookingSettings;
use super::macros::string_enum;
use super::profile::{EmergencyPolicy, FaqEntry};
use super::text::{LongText, ShortText};
use super::{BusinessHours, TimeZone};

string_enum!(Tone { Friendly => "friendly", Professional => "professional", Casual => "casual" });

/// Something the business offers. `price` is only ever quoted as written here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: ShortText,
    #[serde(default)]
    pub description: Option<LongText>,
    #[serde(default)]
    pub price: Option<ShortText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Settings {
    pub business_name: ShortText,
    pub time_zone: TimeZone,
    pub business_hours: BusinessHours,
    pub services: Vec<Service>,
    pub tone: Tone,
    /// A few sentences about the business, used to ground replies.
    pub about: Option<LongText>,
    /// How bookings are taken.
    pub booking: BookingSettings,
    /// Where customers find the business, told when they ask.
    pub address: Option<ShortText>,
    /// Where the business works ("Austin and 20 miles around"), told when asked.
    pub service_area: Option<LongText>,
    /// How customers may pay, as staff wrote them ("Visa", "cash").
    pub payment_methods: Vec<ShortText>,
    /// Questions staff answered once; replies quote the answers.
    pub faq: Vec<FaqEntry>,
    /// Who is paged for an emergency; `None` pages nobody.
    pub emergency: Option<EmergencyPolicy>,
    /// When the owner last saved them; `None` while the defaults are in use.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Settings {
    /// The listed service a text talks about, if it names one (by its name, or a
    /// distinctive word of it: "water heater" finds "Water heater replacement").
    pub fn service_mentioned(&self, text: &str) -> Option<&Service> {
        let text = text.to_lowercase();
        self.services.iter().find(|s| {
            let name = s.name.as_str().to_lowercase();
            text.contains(&name)
                || name
                    .split_whitespace()
                    .filter(|w| w.len() > 3 && !matches!(*w, "service" | "services" | "with" | "from" | "and"))
                    .any(|w| text.contains(w.trim_end_matches('s')))
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            business_name: ShortText::literal("Our business"),
            time_zone: TimeZone::UTC,
            business_hours: BusinessHours::default(),
            services: Vec::new(),
            tone: Tone::Friendly,
            about: None,
            booking: BookingSettings::default(),
            address: None,
            service_area: None,
            payment_methods: Vec::new(),
            faq: Vec::new(),
            emergency: None,
            updated_at: None,
        }
    }
}
