//! Stripe, for booking deposits.

use secrecy::SecretString;

use super::{ConfigError, Vars};

/// Stripe, for booking deposits: `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET`
/// together; `STRIPE_API_BASE` (default `https://api.stripe.com`) moves the API, e.g.
/// to a local fake; `DEPOSIT_HOLD_MINUTES` (30 to 1440, default 30) is how long an
/// unpaid booking holds its slot; the Checkout return pages are `STRIPE_SUCCESS_URL` and
/// `STRIPE_CANCEL_URL`, by default under `PUBLIC_BASE_URL` (one of them is needed).
#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub secret_key: SecretString,
    /// The endpoint's signing secret (`whsec_...`).
    pub webhook_secret: SecretString,
    /// Without a trailing slash.
    pub api_base: String,
    pub hold_minutes: i64,
    pub success_url: String,
    pub cancel_url: String,
}

pub(super) fn stripe<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Option<StripeSettings>, ConfigError> {
    let Some([secret_key, webhook_secret]) = v.all_or_none(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])? else {
        return Ok(None);
    };
    let base = v.optional("PUBLIC_BASE_URL").map(|u| u.trim_end_matches('/').to_owned());
    let page = |name: &'static str, path: &str| -> Result<String, ConfigError> {
        v.optional(name).or_else(|| base.as_ref().map(|b| format!("{b}{path}"))).ok_or(ConfigError::Missing {
            name,
            what: "where Stripe Checkout returns the customer (or set PUBLIC_BASE_URL)",
        })
    };
    Ok(Some(StripeSettings {
        secret_key: SecretString::from(secret_key),
        webhook_secret: SecretString::from(webhook_secret),
        api_base: v
            .optional("STRIPE_API_BASE")
            .unwrap_or_else(|| "https://api.stripe.com".into())
            .trim_end_matches('/')
            .to_owned(),
        hold_minutes: v.bounded(
            "DEPOSIT_HOLD_MINUTES",
            30,
            crate::domain::deposit::MIN_HOLD_MINUTES..=crate::domain::deposit::MAX_HOLD_MINUTES,
        )?,
        success_url: page("STRIPE_SUCCESS_URL", "/booking/paid?session_id={CHECKOUT_SESSION_ID}")?,
        cancel_url: page("STRIPE_CANCEL_URL", "/booking/payment-cancelled")?,
    }))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<StripeSettings>, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        stripe(&Vars(|k: &str| map.get(k).cloned()))
    }

    #[test]
    fn deposit_stripe_config_reads_defaults_and_refuses_halves() {
        assert!(read(&[]).unwrap().is_none());
        let keys = [("STRIPE_SECRET_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "whsec_1")];
        assert!(matches!(read(&keys[..1]), Err(ConfigError::Invalid { name: "STRIPE_WEBHOOK_SECRET", .. })));
        // Checkout needs somewhere to send the customer back.
        assert!(matches!(read(&keys), Err(ConfigError::Missing { name: "STRIPE_SUCCESS_URL", .. })));
        let mut all = keys.to_vec();
        all.push(("PUBLIC_BASE_URL", "https://leads.example.com/"));
        let s = read(&all).unwrap().unwrap();
        assert_eq!((s.api_base.as_str(), s.hold_minutes), ("https://api.stripe.com", 30));
        assert_eq!(s.success_url, "https://leads.example.com/booking/paid?session_id={CHECKOUT_SESSION_ID}");
        all.push(("DEPOSIT_HOLD_MINUTES", "10"));
        assert!(matches!(read(&all), Err(ConfigError::Invalid { name: "DEPOSIT_HOLD_MINUTES", .. })));
    }
}
