//! The intent lexicon: phrases customers of any small business use for each intent, with
//! the weight of the evidence each gives. One rule a line so the tables read as word lists.
//! Patterns run on lower-cased text with typographic apostrophes made plain.

use crate::domain::Intent;

/// Things a customer asks someone to look at, fix or repair: a request for that is a
/// repair visit, which the technicians take.
macro_rules! devices {
    () => {
        "car|truck|van|suv|jeep|bike|motorcycle|boat|engine|brakes|transmission|tires?|ac|a/c|air conditioner|hvac|furnace|heater|boiler|heat pump|dryer|washer|dishwasher|fridge|refrigerator|freezer|oven|stove|range|microwave|disposal|toilet|sink|faucet|shower|tub|drain|pipes?|water heater|garage door|opener|gate|door|window|windows|lock|locks|laptop|computer|pc|mac|macbook|phone|iphone|tablet|ipad|printer|router|modem|wifi|network|tv|screen|generator|thermostat|outlets?|breaker|panel|lights?|fan|chimney|fireplace|sprinklers?|irrigation|pool|pool pump|hot tub|spa|pump|well|septic|alarm|camera|cameras|doorbell|watch|appliance|unit|system|leak|noise|smell|wiring|plumbing|electrical|roof leak"
    };
}
pub(super) use devices;

mod accounts;
mod appointments;
mod noise;
mod sales;
mod service;
mod weak;

/// Every rule of every table: (intent, weight, pattern).
pub(super) fn patterns() -> impl Iterator<Item = &'static (Intent, f32, &'static str)> {
    [sales::PATTERNS, appointments::PATTERNS, service::PATTERNS, accounts::PATTERNS, noise::PATTERNS]
        .into_iter()
        .flatten()
}

/// The weak cues of the second tier, each with whether it is only context (a time, a
/// problem word, a question frame) that counts when a topic cue of its intent is present:
/// (intent, weight, pattern, context).
pub(super) fn weak_cues() -> impl Iterator<Item = (Intent, f32, &'static str, bool)> {
    let topic = weak::CUES.iter().map(|&(i, w, p)| (i, w, p, false));
    topic.chain(weak::CONTEXT.iter().map(|&(i, w, p)| (i, w, p, true)))
}
