//! What supervisors and heads of units watch: the open tasks past their deadline, of every
//! unit for a supervisor or administrator, of their own unit for a unit's head.

use super::{Engine, EngineError, Result};
use domain::Actor;
use store::{TaskQuery, TaskRow};

impl Engine {
    /// The open tasks whose deadline has passed, the most overdue first. Supervisors and
    /// administrators see every unit; the role overdue tasks are escalated to sees its unit.
    pub async fn overdue_tasks(&self, actor: &Actor) -> Result<Vec<TaskRow>> {
        let unit = if self.sees_all(actor) {
            None
        } else if self.regulations.editions().iter().any(|d| d.policy.escalate_overdue_to.as_deref() == Some(actor.role.as_str())) {
            Some(actor.unit.to_string())
        } else {
            return Err(EngineError::Forbidden(format!(
                "the overdue list is for supervisors, administrators and a unit's head, not for the role {}",
                actor.role
            )));
        };
        let now = self.now();
        let query = TaskQuery { unit, open_only: true, limit: TaskQuery::ALL, ..TaskQuery::default() };
        let mut late: Vec<TaskRow> =
            self.store.list_tasks(&query).await?.into_iter().filter(|t| t.due_at.is_some_and(|d| d < now)).collect();
        late.sort_by_key(|t| t.due_at);
        Ok(late)
    }
}
