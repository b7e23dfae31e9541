//! Routes are declared with what they need of the caller, in one place: the builder
//! puts the guard on each route and keeps the table that the role × route test and the
//! OpenAPI check read. A route cannot be added without saying who may call it.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};

use super::auth::{Guard, guard};
use super::idempotency_key;
use crate::app::AppState;
use crate::domain::access::Need;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials: the route checks its own proof (a provider's signature, a chat
    /// token) or is meant for anyone (health, sign-in), and limits callers by address.
    Public,
    /// A signed-in user or an API key allowed `Need`.
    Staff(Need),
    /// As `Staff`, for a route whose response holds a secret shown once (a new API key):
    /// no `Idempotency-Key` replay, which would store the secret to answer a retry.
    StaffSecret(Need),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

pub(crate) struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
    state: AppState,
}

impl Routes {
    pub(crate) fn new(state: &AppState) -> Self {
        Self { router: Router::new(), specs: Vec::new(), state: state.clone() }
    }

    /// Adds one method of one path. Staff routes get, outermost first: the guard
    /// (credentials, role or scope, the caller's rate limit), then `Idempotency-Key`
    /// replays scoped to that caller.
    pub(crate) fn route(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        endpoint: MethodRouter<AppState>,
    ) -> Self {
        let endpoint = match access {
            Access::Public => endpoint,
            Access::Staff(need) => endpoint
                .route_layer(from_fn_with_state(self.state.clone(), idempotency_key::replay_by_key))
                .route_layer(from_fn_with_state(Guard { state: self.state.clone(), need }, guard)),
            Access::StaffSecret(need) => {
                endpoint.route_layer(from_fn_with_state(Guard { state: self.state.clone(), need }, guard))
            }
        };
        self.router = self.router.route(path, endpoint);
        self.specs.push(RouteSpec { method, path, access });
        self
    }

    fn handler<H, T>(self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("routes use standard methods");
        self.route(method, path, access, on(filter, handler))
    }

    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::GET, path, Access::Staff(need), h)
    }

    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::POST, path, Access::Staff(need), h)
    }

    /// A POST whose response holds a secret (see [`Access::StaffSecret`]).
    pub(crate) fn post_secret<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::POST, path, Access::StaffSecret(need), h)
    }

    pub(crate) fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::PUT, path, Access::Staff(need), h)
    }

    pub(crate) fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::PATCH, path, Access::Staff(need), h)
    }

    /// PUT and PATCH to one handler (both take a partial document here).
    pub(crate) fn put_patch<H, T>(self, path: &'static str, need: Need, h: H) -> Self
    where
        H: Handler<T, AppState> + Clone,
        T: 'static,
    {
        self.put(path, need, h.clone()).patch(path, need, h)
    }

    pub(crate) fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, need: Need, h: H) -> Self {
        self.handler(Method::DELETE, path, Access::Staff(need), h)
    }

    pub(crate) fn public_get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.handler(Method::GET, path, Access::Public, h)
    }

    pub(crate) fn public_post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.handler(Method::POST, path, Access::Public, h)
    }

    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    pub(crate) fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    /// The family's router, with the layers every family shares.
    pub(crate) fn finish(self) -> Router {
        super::finish(self.router.with_state(self.state.clone()), &self.state)
    }
}
