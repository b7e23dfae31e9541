//! The staff caller a request runs for, carried with the request's task rather than
//! through every use-case's signature: each event a service records names who caused
//! it, and no use-case can forget to pass it on. Work outside a request (jobs, the
//! schedule, webhooks) runs with no actor, which is what its events should say.

use std::future::Future;

use crate::domain::access::Actor;

tokio::task_local! {
    static ACTOR: Actor;
}

/// Runs `work` on behalf of `actor`.
pub async fn acting_as<F: Future>(actor: Actor, work: F) -> F::Output {
    ACTOR.scope(actor, work).await
}

/// Who the current work is for, if anyone. A task spawned from a request does not
/// inherit this: wrap it in [`acting_as`] again.
pub fn current() -> Option<Actor> {
    ACTOR.try_with(Clone::clone).ok()
}

/// Logs a change to who may do what (an account, a key), with the actor behind it:
/// such changes are not domain events yet, so the log is their record.
pub(crate) fn audit(what: &'static str, subject: uuid::Uuid) {
    let actor = current().map_or_else(|| "-".to_owned(), |a| a.to_string());
    tracing::info!(audit = what, subject = %subject, %actor, "access changed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_actor_is_seen_inside_its_scope_only() {
        assert_eq!(current(), None);
        let actor = Actor::BootstrapKey { index: 1 };
        let seen = acting_as(actor.clone(), async { current() }).await;
        assert_eq!(seen, Some(actor));
        assert_eq!(current(), None);
    }
}
