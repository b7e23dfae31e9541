//! Work for a human: a sales call back, a support case, a technical problem.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::Priority;
use super::macros::string_enum;
use super::text::{LongText, ShortText};

string_enum!(TaskType { Sales => "sales", Support => "support", Technical => "technical" });
string_enum!(TaskStatus { Open => "open", InProgress => "in_progress", Done => "done", Cancelled => "cancelled" });

impl TaskStatus {
    /// open → in_progress → done | cancelled; open may also go straight to done or
    /// cancelled, and in_progress back to open (unassigned work).
    pub fn can_become(self, next: TaskStatus) -> bool {
        use TaskStatus::{Cancelled, Done, InProgress, Open};
        self == next
            || matches!((self, next), (Open, InProgress | Done | Cancelled) | (InProgress, Done | Cancelled | Open))
    }

    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::InProgress)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub message_id: Option<Uuid>,
    pub title: ShortText,
    pub description: Option<LongText>,
    pub task_type: TaskType,
    pub status: TaskStatus,
    pub priority: Priority,
    pub assigned_to: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub lead_id: Uuid,
    pub message_id: Option<Uuid>,
    pub title: ShortText,
    pub description: Option<LongText>,
    pub task_type: TaskType,
    pub priority: Priority,
    pub assigned_to: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    #[test]
    fn task_transitions() {
        assert!(Open.can_become(InProgress) && InProgress.can_become(Done) && Open.can_become(Cancelled));
        assert!(!Done.can_become(Open) && !Cancelled.can_become(InProgress) && !Done.can_become(Cancelled));
        assert_eq!("in_progress".parse::<TaskStatus>().unwrap(), InProgress);
    }
}
