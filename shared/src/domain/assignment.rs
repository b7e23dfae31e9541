//! Who gets a piece of work: round robin over a team's available agents, or the
//! available agent with the least open work. Agents are given in a fixed order (oldest first).

use std::collections::HashMap;

use chrono::Duration;
use uuid::Uuid;

use super::analysis::Urgency;
use super::{Agent, Assignment, Priority};

/// The next available agent after `last` in `agents`' order, wrapping around.
pub fn round_robin(agents: &[Agent], last: Option<Uuid>) -> Option<&Agent> {
    let start = last.and_then(|id| agents.iter().position(|a| a.id == id)).map_or(0, |i| i + 1);
    (0..agents.len()).map(|k| &agents[(start + k) % agents.len()]).find(|a| a.available)
}

/// The available agent with the fewest open items; the earlier agent on a tie.
pub fn least_loaded<'a>(agents: &'a [Agent], open: &HashMap<Uuid, i64>) -> Option<&'a Agent> {
    agents.iter().filter(|a| a.available).min_by_key(|a| open.get(&a.id).copied().unwrap_or(0))
}

pub fn pick<'a>(
    rule: Assignment,
    agents: &'a [Agent],
    last: Option<Uuid>,
    open: &HashMap<Uuid, i64>,
) -> Option<&'a Agent> {
    match rule {
        Assignment::RoundRobin => round_robin(agents, last),
        Assignment::LeastLoaded => least_loaded(agents, open),
    }
}

/// The priority a customer's urgency alone asks for.
pub fn priority_of_urgency(u: Urgency) -> Priority {
    match u {
        Urgency::High => Priority::High,
        Urgency::Medium => Priority::Medium,
        Urgency::Low => Priority::Low,
    }
}

/// Time to handle a task, in business hours: 1 hour when high, 4 when medium, 1 day (8) when low.
pub fn sla(priority: Priority) -> Duration {
    match priority {
        Priority::High => Duration::hours(1),
        Priority::Medium => Duration::hours(4),
        Priority::Low => Duration::hours(8),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::Email;
    use crate::domain::text::ShortText;

    fn agents(n: usize) -> Vec<Agent> {
        let team = Uuid::now_v7();
        (0..n)
            .map(|i| Agent {
                id: Uuid::now_v7(),
                name: ShortText::literal(&format!("Agent {i}")),
                email: Email::parse(&format!("a{i}@example.com")).unwrap(),
                team_id: team,
                available: true,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            })
            .collect()
    }

    #[test]
    fn round_robin_cycles_and_skips_the_unavailable() {
        let mut a = agents(3);
        let first = round_robin(&a, None).unwrap().id;
        let second = round_robin(&a, Some(first)).unwrap().id;
        let third = round_robin(&a, Some(second)).unwrap().id;
        assert_eq!([first, second, third], [a[0].id, a[1].id, a[2].id]);
        assert_eq!(round_robin(&a, Some(third)).unwrap().id, a[0].id, "wraps around");
        a[1].available = false;
        assert_eq!(round_robin(&a, Some(a[0].id)).unwrap().id, a[2].id);
        for agent in &mut a {
            agent.available = false;
        }
        assert!(round_robin(&a, None).is_none());
        assert!(round_robin(&[], None).is_none());
    }

    #[test]
    fn least_loaded_takes_the_lightest_available() {
        let mut a = agents(3);
        let open = HashMap::from([(a[0].id, 3), (a[1].id, 1), (a[2].id, 1)]);
        assert_eq!(least_loaded(&a, &open).unwrap().id, a[1].id, "ties go to the earlier agent");
        a[1].available = false;
        assert_eq!(least_loaded(&a, &open).unwrap().id, a[2].id);
    }

    #[test]
    fn slas_shrink_with_priority() {
        assert!(sla(Priority::High) < sla(Priority::Medium) && sla(Priority::Medium) < sla(Priority::Low));
        assert_eq!(priority_of_urgency(Urgency::High), Priority::High);
    }
}
