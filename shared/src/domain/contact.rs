//! Contact value types: e-mail addresses and phone numbers, normalised on parse so
//! that equal contacts compare equal (and collide in the unique indexes).

use std::fmt;
use std::str::FromStr;

use phonenumber::Mode;
use serde::{Deserialize, Deserializer, Serialize};

use super::InvalidValue;

const EMAIL_MAX: usize = 254;
const LOCAL_MAX: usize = 64;

/// An e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::new("must be an e-mail address like name@example.com");
        let s = raw.trim().to_lowercase();
        if s.is_empty() || s.len() > EMAIL_MAX {
            return Err(invalid());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= LOCAL_MAX
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok { Ok(Self(s)) } else { Err(invalid()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Email::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The region a phone number without a country code is read in (`DEFAULT_COUNTRY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(phonenumber::country::Id);

impl Country {
    pub const US: Country = Country(phonenumber::country::Id::US);
}

impl Default for Country {
    fn default() -> Self {
        Self::US
    }
}

impl FromStr for Country {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        phonenumber::country::Id::from_str(&s.trim().to_ascii_uppercase())
            .map(Country)
            .map_err(|_| InvalidValue::new("must be a two-letter ISO 3166 country code such as US or GB"))
    }
}

/// A phone number in E.164 form (`+14155552671`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Parses a number as people write it; one without a country code is read in `country`.
    pub fn parse(raw: &str, country: Country) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let invalid = || InvalidValue::new("must be a valid phone number, in E.164 (+14155552671) or national form");
        let digits = s.chars().filter(char::is_ascii_digit).count();
        if !(4..=17).contains(&digits) || s.len() > 40 {
            return Err(invalid());
        }
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if !s.chars().all(allowed) {
            return Err(invalid());
        }
        // Separators carry no meaning (libphonenumber strips them too), and the parser
        // crate overflows on some mixes such as `+1415555-0142`, so it sees digits only.
        // A `+` only leads the number, perhaps inside a bracket: "(+44) 20 7946 0958".
        let lead = s.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
        let plus = if lead.starts_with('+') { "+" } else { "" };
        if s.matches('+').count() > plus.len() {
            return Err(invalid());
        }
        let compact: String = plus.chars().chain(s.chars().filter(char::is_ascii_digit)).collect();
        // An international number names its own country; parsed against the default
        // one instead, the crate refuses some valid ones (+44 20..., +55 11...).
        let region = if plus.is_empty() { Some(country.0) } else { None };
        let number = phonenumber::parse(region, &compact).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    /// Reads a number already stored in E.164 form.
    pub fn from_e164(raw: &str) -> Result<Self, InvalidValue> {
        if !raw.starts_with('+') {
            return Err(InvalidValue::new("stored phone number is not in E.164 form"));
        }
        Self::parse(raw, Country::default())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        let e = Email::parse("  Dana.Whitfield@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "dana.whitfield@example.com");
        assert_eq!(e.domain(), "example.com");
    }

    #[test]
    fn email_accepts_common_forms() {
        for ok in ["a@b.co", "first+tag@sub.example.org", "o'neil@example.ie", "x_y-z@my-host.io"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn email_rejects_bad_input() {
        for bad in [
            "",
            " ",
            "plainaddress",
            "@example.com",
            "a@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a@-b.com",
            "a@b.c",
            "a@1.23",
            "<a@b.com>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn email_deserializes_through_parse() {
        let e: Email = serde_json::from_str("\"A@B.COM\"").unwrap();
        assert_eq!(e.as_str(), "a@b.com");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        assert!(serde_json::from_str::<Email>("42").is_err());
    }

    #[test]
    fn phone_national_numbers_use_default_country() {
        for raw in [
            "(415) 555-2671",
            "415.555.2671",
            "4155552671",
            "+1 415 555 2671",
            "1-415-555-2671",
            "+1415555-2671",
            "+1 (415) 555.2671",
            "(+1) 415 555 2671",
        ] {
            assert_eq!(Phone::parse(raw, Country::US).unwrap().as_str(), "+14155552671", "{raw}");
        }
        let gb: Country = "gb".parse().unwrap();
        assert_eq!(Phone::parse("020 7946 0958", gb).unwrap().as_str(), "+442079460958");
        assert_eq!(Phone::parse("+1415555-0142", Country::US).unwrap().as_str(), "+14155550142");
    }

    #[test]
    fn phone_with_country_code_ignores_default_country() {
        let de: Country = "DE".parse().unwrap();
        assert_eq!(Phone::parse("+44 20 7946 0958", de).unwrap().as_str(), "+442079460958");
    }

    #[test]
    fn phone_rejects_bad_input() {
        for bad in [
            "",
            "abc",
            "123",
            "+1 555 123 4567",
            "415-555-267a",
            "+99 123 456 789",
            "415+555 2671",
            "1".repeat(30).as_str(),
        ] {
            assert!(Phone::parse(bad, Country::US).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn country_codes_parse() {
        assert_eq!("us".parse::<Country>().unwrap(), Country::US);
        assert!("USA".parse::<Country>().is_err());
        assert!("".parse::<Country>().is_err());
    }

    #[test]
    fn from_e164_round_trips() {
        let p = Phone::parse("(415) 555-2671", Country::US).unwrap();
        assert_eq!(Phone::from_e164(p.as_str()).unwrap(), p);
        assert!(Phone::from_e164("4155552671").is_err());
    }
}
