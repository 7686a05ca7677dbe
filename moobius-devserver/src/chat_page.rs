//! The chat page: a single-page web client served at `GET /` (without a
//! websocket upgrade) and `GET /chat`, embedded in the binary
//! (`static/chat.{html,css,js}`, plain files, no build step).
//!
//! The page is an ordinary user-mode client: it signs in with
//! `POST /auth/sign_in`, lists channels, and talks over the websocket
//! (`user_login`, `message_up`, `action`, `update`, …) exactly as the SDK
//! does. It uses no private endpoint: the only thing the server adds is a
//! `<meta name="moobius-demo-accounts">` listing the accounts seeded with
//! [`DevServerBuilder::user`](crate::DevServerBuilder::user) (email and
//! password) for the account picker, and only for requests from a loopback
//! address, so a devserver listening on a public interface never hands its
//! seeded passwords to other machines.
//!
//! A websocket upgrade on `/` still reaches the websocket session (the
//! reference SDK connects to the configured URI verbatim).

use crate::shared::Shared;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The page, with a marker where the server puts its `<meta>` tags.
const HTML: &str = include_str!("../static/chat.html");
/// The page's style sheet.
const CSS: &str = include_str!("../static/chat.css");
/// The page's script.
const JS: &str = include_str!("../static/chat.js");
/// Replaced in [`HTML`] by the rendered `<meta>` tags.
const META_MARKER: &str = "<!--moobius-meta-->";

/// Path of the page besides `/`.
pub(crate) const PAGE_PATH: &str = "/chat";

/// One seeded account offered by the page's account picker.
#[derive(Debug, Clone, Serialize)]
struct DemoAccount {
    email: String,
    password: String,
}

/// What the page's routes share.
#[derive(Clone)]
struct PageState {
    shared: Arc<Shared>,
    demo: Arc<Vec<DemoAccount>>,
}

impl std::fmt::Debug for PageState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageState")
            .field("demo_accounts", &self.demo.len())
            .finish_non_exhaustive()
    }
}

/// The routes of the page: `/` (page or websocket upgrade), `/chat`,
/// `/chat/chat.css`, `/chat/chat.js`. `seeded` are the `(email, password)`
/// pairs the server was started with.
pub(crate) fn router(shared: Arc<Shared>, seeded: &[(String, String)]) -> Router {
    let demo = seeded
        .iter()
        .map(|(email, password)| DemoAccount {
            email: email.clone(),
            password: password.clone(),
        })
        .collect();
    let state = PageState {
        shared,
        demo: Arc::new(demo),
    };
    Router::new()
        .route("/", any(root))
        .route(PAGE_PATH, get(page))
        .route("/chat/", get(page))
        .route("/chat/chat.css", get(css))
        .route("/chat/chat.js", get(js))
        .with_state(state)
}

/// `/`: a websocket upgrade goes to the websocket session; a plain `GET`
/// gets the page.
async fn root(
    State(state): State<PageState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    method: axum::http::Method,
) -> Response {
    if ws.is_ok() || method != axum::http::Method::GET {
        return crate::ws::upgrade(State(state.shared), ConnectInfo(peer), ws).await;
    }
    render(&state, peer)
}

/// `/chat`: the page.
async fn page(
    State(state): State<PageState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    render(&state, peer)
}

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// The page with its `<meta>` tags.
fn render(state: &PageState, peer: SocketAddr) -> Response {
    let demo: &[DemoAccount] = if peer.ip().is_loopback() {
        &state.demo
    } else {
        &[]
    };
    let html = HTML.replacen(META_MARKER, &meta_tags(demo), 1);
    let mut r = (StatusCode::OK, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn meta_tags(demo: &[DemoAccount]) -> String {
    let json = serde_json::to_string(demo).unwrap_or_else(|_| "[]".to_owned());
    format!(
        r#"<meta name="moobius-demo-accounts" content="{}">"#,
        escape_attr(&json)
    )
}

/// Escapes text for a double-quoted HTML attribute.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_its_marker_and_assets() {
        assert!(HTML.contains(META_MARKER));
        assert!(HTML.contains("chat/chat.js"));
        assert!(HTML.contains("chat/chat.css"));
    }

    #[test]
    fn meta_escapes_what_would_break_the_attribute() {
        let m = meta_tags(&[DemoAccount {
            email: "a\"<b>@x".into(),
            password: "p'&".into(),
        }]);
        assert!(!m.contains("a\"<"), "{m}");
        assert!(m.contains("&quot;") && m.contains("&lt;b&gt;") && m.contains("&#39;&amp;"));
    }
}
