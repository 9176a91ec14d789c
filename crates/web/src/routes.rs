//! A router that records every (method, path) it serves, so the
//! authorization matrix can enumerate the page routes from the same source
//! that builds them: a route added here without a matrix row fails the test.

use crate::AppState;
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;

/// A page router plus the list of what it serves.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            list: vec![],
        }
    }

    /// Adds `GET path`.
    pub fn get<H, T>(mut self, path: &'static str, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(h));
        self.list.push(("GET", path));
        self
    }

    /// Adds `POST path`.
    pub fn post<H, T>(mut self, path: &'static str, h: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, post(h));
        self.list.push(("POST", path));
        self
    }

    /// Adds `GET path` and `POST path` (a form and its submission).
    pub fn form<G, TG, P, TP>(mut self, path: &'static str, g: G, p: P) -> Self
    where
        G: Handler<TG, AppState>,
        TG: 'static,
        P: Handler<TP, AppState>,
        TP: 'static,
    {
        self.router = self.router.route(path, get(g).post(p));
        self.list.push(("GET", path));
        self.list.push(("POST", path));
        self
    }

    /// Adds every route of `other`.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    /// The router and what it serves.
    pub fn into_parts(self) -> (Router<AppState>, Vec<(&'static str, &'static str)>) {
        (self.router, self.list)
    }
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}
