//! Placeholder until the rules analyzer lands.
use crate::domain::analysis::{Analysis, AnalysisInput, Entities, Intent, Urgency};

pub fn analyze(_input: &AnalysisInput) -> Analysis {
    Analysis {
        intent: Intent::Other,
        team: Intent::Other.team(),
        urgency: Urgency::Low,
        entities: Entities::default(),
        confidence: 0.0,
        wants_human: false,
    }
}
