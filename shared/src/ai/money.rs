//! Money amounts in generated text, so a model cannot slip in a price, fee or discount
//! the business never stated: every amount it writes must already appear in what it was
//! given (the business settings or the conversation). Amounts are compared by value, so
//! "$1,200", "1200 dollars" and "USD 1,200.00" are the same amount; the currency is not
//! compared ("$" alone does not say which dollar). A number only counts as money next to
//! a currency sign, code or word, so times ("at 3pm"), durations ("2 days") and counts
//! pass. Detection leans towards flagging ("50 pounds" may be a weight): a false alarm
//! costs only the offline message instead of the model's, a miss sends an invented price.

use std::sync::LazyLock;

use regex::Regex;

/// A number with thousands separators ("1,200,000") or plain digits, with decimals.
const NUMBER: &str = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?";
const SIGN: &str = r"[$€£¥₹]";
const CODE: &str = r"usd|eur|gbp|cad|aud|nzd|chf|inr|jpy";
const WORD: &str = r"dollars?|bucks?|euros?|pounds?|quid|cents?|pence";

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?i)(?:{SIGN}|\b(?:{CODE})\b)\s?(?P<before>{NUMBER})(?P<k1>\s?k)?\b|\b(?P<after>{NUMBER})(?P<k2>\s?k)?\s?(?:(?P<sign>{SIGN}|¢)|\b(?P<word>{CODE}|{WORD})\b)"
    );
    Regex::new(&pattern).expect("the money pattern compiles")
});

/// One amount of money as written in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount<'t> {
    /// The amount as it appears ("$1,200", "99 dollars").
    pub written: &'t str,
    /// In millionths of the currency unit; `None` when too large to compare, which then
    /// matches nothing.
    value: Option<u128>,
}

/// Millionths of a unit: enough for any decimals a price is written with.
const SCALE: u128 = 1_000_000;

fn value(number: &str, thousands: bool, hundredths: bool) -> Option<u128> {
    let digits = number.replace(',', "");
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut fraction: String = fraction.chars().take(6).collect();
    while fraction.len() < 6 {
        fraction.push('0');
    }
    let mut v = whole.parse::<u128>().ok()?.checked_mul(SCALE)?.checked_add(fraction.parse::<u128>().ok()?)?;
    if thousands {
        v = v.checked_mul(1_000)?;
    }
    if hundredths {
        v /= 100;
    }
    Some(v)
}

/// The money amounts in `text`, in order.
pub fn amounts(text: &str) -> Vec<Amount<'_>> {
    AMOUNT
        .captures_iter(text)
        .filter_map(|c| {
            let written = c.get(0)?.as_str().trim();
            let thousands = c.name("k1").or(c.name("k2")).is_some();
            let number = c.name("before").or(c.name("after"))?.as_str();
            let cents = c.name("sign").is_some_and(|s| s.as_str() == "¢")
                || c.name("word").is_some_and(|w| {
                    let w = w.as_str().to_lowercase();
                    w.starts_with("cent") || w == "pence"
                });
            Some(Amount { written, value: value(number, thousands, cents) })
        })
        .collect()
}

/// The amounts in `text` that appear in none of `context`, as written.
pub fn invented<'t>(text: &'t str, context: &[&str]) -> Vec<&'t str> {
    let known: Vec<u128> = context.iter().flat_map(|c| amounts(c)).filter_map(|a| a.value).collect();
    amounts(text).into_iter().filter(|a| a.value.is_none_or(|v| !known.contains(&v))).map(|a| a.written).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Vec<&str> {
        amounts(text).into_iter().map(|a| a.written).collect()
    }

    #[test]
    fn finds_amounts_however_they_are_written() {
        assert_eq!(
            written("$120, 120 USD, €99, £5.50, 99 dollars, USD 45, 30€, $1,200.00, 5k dollars, $2.5k and 50¢"),
            [
                "$120",
                "120 USD",
                "€99",
                "£5.50",
                "99 dollars",
                "USD 45",
                "30€",
                "$1,200.00",
                "5k dollars",
                "$2.5k",
                "50¢"
            ]
        );
        assert_eq!(written("about 20 bucks or 15 euros, US$ 300"), ["20 bucks", "15 euros", "$ 300"]);
    }

    #[test]
    fn numbers_that_are_not_money_pass() {
        let text = "See you at 3pm on May 2, in 2 days, 10:30 works, call (512) 555-0100, step 2 of 3, \
                    Suite 400, 24/7, 100% satisfaction, a 2 kitchen job, 5 stars";
        assert!(amounts(text).is_empty(), "{:?}", amounts(text));
        assert!(invented(text, &[]).is_empty());
    }

    #[test]
    fn amounts_are_compared_by_value() {
        assert_eq!(value("1,200", false, false), Some(1_200 * SCALE));
        assert_eq!(value("1.25", true, false), Some(1_250 * SCALE));
        assert_eq!(value("50", false, true), Some(SCALE / 2));
        assert_eq!(value(&"9".repeat(60), false, false), None);
        let context = ["Water heater replacement: from $1,200 installed", "Can you do it for 950 dollars?"];
        assert!(invented("It is from 1200 USD installed, and USD 1,200.00 is firm.", &context).is_empty());
        assert!(invented("We could look at $950.", &context).is_empty(), "the customer's own figure");
        assert!(invented("Your quote was $1.2k.", &context).is_empty());
    }

    #[test]
    fn invented_amounts_are_reported() {
        let context = ["Drain cleaning from $150", "I got your quote, thanks"];
        assert_eq!(invented("Book this week for $99 instead of $150!", &context), ["$99"]);
        assert_eq!(invented("Only 120 USD, or £5.50 a month.", &context), ["120 USD", "£5.50"]);
        assert_eq!(invented("That's 15 cents a day", &["It costs $15"]), ["15 cents"], "cents are not dollars");
        assert_eq!(invented(&format!("${}", "9".repeat(60)), &[&format!("${}", "9".repeat(60))]).len(), 1);
        assert!(invented("Any questions about the quote? Reply any time.", &context).is_empty());
    }
}
