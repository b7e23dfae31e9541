//! The intent lexicon: phrases customers of any small business use for each intent, with
//! the weight of the evidence each gives. One rule a line so the tables read as word lists.
//! Patterns run on lower-cased text with typographic apostrophes made plain.

use crate::domain::Intent;

mod accounts;
mod appointments;
mod noise;
mod sales;
mod service;

/// Every rule of every table: (intent, weight, pattern).
pub fn patterns() -> impl Iterator<Item = &'static (Intent, f32, &'static str)> {
    [sales::PATTERNS, appointments::PATTERNS, service::PATTERNS, accounts::PATTERNS, noise::PATTERNS]
        .into_iter()
        .flatten()
}
