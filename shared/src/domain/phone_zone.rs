//! The time zone a phone number implies, for quiet hours when the customer never told
//! us theirs. Only unambiguous answers: a number whose region spans two zones gives
//! `None`, because a guess an hour off can put a text inside someone's night.

use phonenumber::country::Id;

use super::macros::string_enum;
use super::{Phone, TimeZone};

mod tables;

/// Numbers in New Zealand's Chatham Islands (03 305 ....) keep Chatham time, 45 minutes
/// ahead of the mainland. Their mobiles use ordinary NZ prefixes and cannot be told apart.
const CHATHAM_PREFIX: &str = "3305";

/// The zone `phone`'s number alone determines, if it determines exactly one: by area code
/// in the North American Numbering Plan (+1), by country elsewhere.
pub fn zone_for_phone(phone: &Phone) -> Option<TimeZone> {
    let number = phonenumber::parse(None, phone.as_str()).ok()?;
    let national = number.national().value();
    let name = match number.code().value() {
        1 => nanp_zone(national)?,
        _ => match number.country().id()? {
            Id::NZ if national.to_string().starts_with(CHATHAM_PREFIX) => "Pacific/Chatham",
            region => tables::COUNTRIES.iter().find(|(id, _)| *id == region).map(|(_, zone)| *zone)?,
        },
    };
    TimeZone::parse(name).ok()
}

/// The zones a North American number may be in when its area code does not settle one
/// (a code split between zones, a non-geographic one): quiet hours must hold in each.
/// Alaska's 907 spans Anchorage and Adak; any other is taken to be somewhere in the
/// four mainland zones. Empty for a number with one zone, or outside North America.
pub fn possible_zones(phone: &Phone) -> Vec<TimeZone> {
    let Ok(number) = phonenumber::parse(None, phone.as_str()) else { return Vec::new() };
    if number.code().value() != 1 || zone_for_phone(phone).is_some() {
        return Vec::new();
    }
    let area = number.national().value() / 10_000_000;
    let names: &[&str] = if area == 907 {
        &["America/Anchorage", "America/Adak"]
    } else {
        &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
    };
    names.iter().filter_map(|n| TimeZone::parse(n).ok()).collect()
}

/// A ten-digit NANP number's area code is its first three digits.
fn nanp_zone(national: u64) -> Option<&'static str> {
    let area = u16::try_from(national / 10_000_000).ok()?;
    tables::NANP.iter().find(|(_, codes)| codes.contains(&area)).map(|(zone, _)| *zone)
}

string_enum!(
    /// Where a recipient's zone came from, most trusted first.
    ZoneSource { Customer => "customer", Phone => "phone", Business => "business" }
);

/// The zone to apply quiet hours in: the customer's own when known, else the one their
/// number implies, else the business's (most leads are local to the business they ask).
pub fn recipient_zone(
    customer_zone: Option<TimeZone>,
    phone: Option<&Phone>,
    business_zone: TimeZone,
) -> (TimeZone, ZoneSource) {
    if let Some(zone) = customer_zone {
        return (zone, ZoneSource::Customer);
    }
    match phone.and_then(zone_for_phone) {
        Some(zone) => (zone, ZoneSource::Phone),
        None => (business_zone, ZoneSource::Business),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::Country;

    fn zone_of(raw: &str) -> Option<&'static str> {
        let phone = Phone::parse(raw, Country::US).unwrap();
        zone_for_phone(&phone).map(TimeZone::name)
    }

    #[test]
    fn nanp_numbers_go_by_area_code() {
        assert_eq!(zone_of("+1 212 555 0142"), Some("America/New_York"));
        assert_eq!(zone_of("(415) 555-0142"), Some("America/Los_Angeles"));
        assert_eq!(zone_of("+1 312 555 0142"), Some("America/Chicago"));
        assert_eq!(zone_of("+1 303 555 0142"), Some("America/Denver"));
        assert_eq!(zone_of("+1 602 555 0142"), Some("America/Phoenix"));
        assert_eq!(zone_of("+1 808 555 0142"), Some("Pacific/Honolulu"));
        assert_eq!(zone_of("+1 416 555 0142"), Some("America/Toronto"));
        assert_eq!(zone_of("+1 604 555 0142"), Some("America/Vancouver"));
        assert_eq!(zone_of("+1 787 555 0142"), Some("America/Puerto_Rico"));
    }

    #[test]
    fn split_and_non_geographic_area_codes_have_no_zone() {
        // 850: Florida panhandle, Eastern at Tallahassee, Central at Pensacola.
        // 208: Idaho, Mountain in the south, Pacific in the panhandle.
        // 915 and 907 are left out too: see the table's notes.
        for raw in ["+1 850 555 0142", "+1 208 555 0142", "+1 541 555 0142", "+1 605 555 0142", "+1 800 555 0142"] {
            assert_eq!(zone_of(raw), None, "{raw}");
        }
    }

    #[test]
    fn an_unsettled_north_american_number_lists_every_zone_it_may_be_in() {
        let zones = |raw: &str| -> Vec<&str> {
            possible_zones(&Phone::parse(raw, Country::US).unwrap()).iter().map(|z| z.name()).collect()
        };
        assert_eq!(
            zones("+1 208 555 0142"),
            ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
        );
        assert_eq!(zones("+1 907 555 0142"), ["America/Anchorage", "America/Adak"]);
        assert!(zones("+1 212 555 0142").is_empty(), "one zone: nothing more to honour");
        assert!(zones("+44 20 7946 0958").is_empty());
    }

    #[test]
    fn single_zone_countries() {
        assert_eq!(zone_of("+44 20 7946 0958"), Some("Europe/London"));
        // 07911 is a Guernsey mobile range: the same clock under its own name.
        assert_eq!(zone_of("+44 7911 123456"), Some("Europe/Guernsey"));
        assert_eq!(zone_of("+49 30 901820"), Some("Europe/Berlin"));
        assert_eq!(zone_of("+91 98765 43210"), Some("Asia/Kolkata"));
        assert_eq!(zone_of("+81 3-1234-5678"), Some("Asia/Tokyo"));
        assert_eq!(zone_of("+64 9 379 4567"), Some("Pacific/Auckland"));
        assert_eq!(zone_of("+64 3 305 0033"), Some("Pacific/Chatham"));
    }

    #[test]
    fn multi_zone_countries_have_no_zone() {
        // Brazil, Australia, Russia, Mexico, Chile (Easter Island), Spain (the Canaries).
        for raw in ["+55 11 91234 5678", "+61 2 9876 5432", "+7 495 123 4567", "+52 55 1234 5678", "+56 2 2123 4567"] {
            assert_eq!(zone_of(raw), None, "{raw}");
        }
        assert_eq!(zone_of("+34 912 345 678"), None);
    }

    #[test]
    fn tables_name_real_zones_once() {
        for (_, zone) in tables::COUNTRIES {
            assert!(TimeZone::parse(zone).is_ok(), "{zone}");
        }
        let mut regions = HashSet::new();
        assert!(tables::COUNTRIES.iter().all(|(id, _)| regions.insert(*id)), "a country is listed twice");
        let mut codes = HashSet::new();
        for (zone, list) in tables::NANP {
            assert!(TimeZone::parse(zone).is_ok(), "{zone}");
            for code in *list {
                assert!((200..1000).contains(code), "{code}");
                assert!(codes.insert(*code), "area code {code} is listed twice");
            }
        }
        assert!(codes.len() > 300, "{} area codes", codes.len());
        assert!(regions.len() >= 80, "{} countries", regions.len());
    }

    #[test]
    fn the_customer_beats_the_phone_beats_the_business() {
        let chicago = TimeZone::parse("America/Chicago").unwrap();
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let la = Phone::parse("+1 415 555 0142", Country::US).unwrap();
        let toll_free = Phone::parse("+1 800 555 0142", Country::US).unwrap();

        assert_eq!(recipient_zone(Some(berlin), Some(&la), chicago), (berlin, ZoneSource::Customer));
        let (zone, source) = recipient_zone(None, Some(&la), chicago);
        assert_eq!((zone.name(), source), ("America/Los_Angeles", ZoneSource::Phone));
        assert_eq!(recipient_zone(None, Some(&toll_free), chicago), (chicago, ZoneSource::Business));
        assert_eq!(recipient_zone(None, None, chicago), (chicago, ZoneSource::Business));
    }
}
