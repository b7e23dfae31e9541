//! IANA time zones (`America/New_York`), the only zone form the product stores.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::UTC);

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(TimeZone)
            .map_err(|_| InvalidValue::new("must be an IANA time zone name such as America/New_York"))
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        TimeZone::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iana_names_only() {
        assert_eq!(TimeZone::parse("America/New_York").unwrap().name(), "America/New_York");
        assert_eq!(TimeZone::parse(" Europe/London ").unwrap().name(), "Europe/London");
        for bad in ["", "EST5", "Mars/Olympus", "GMT+25"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
    }
}
