//! Starting, inspecting, faulting and stopping a devserver.

use crate::error::{ApiError, DevServerError};
use crate::inspect::{
    AgentSnapshot, ChannelSnapshot, ConnectionSnapshot, GroupSnapshot, HistoryMessage,
    ServiceSnapshot, UserSnapshot,
};
use crate::shared::{Config, Shared};
use crate::state::connections::{Conn, Limits, Login};
use crate::state::groups::GroupKind;
use crate::state::State;
use crate::ws::session::CLOSE_GOING_AWAY;
use axum::extract::ConnectInfo;
use axum::routing::any;
use axum::Router;
use bytes::Bytes;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Default access-token lifetime (the platform's: 24 h).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Default refresh-token lifetime (the platform's: 30 days).
pub const DEFAULT_REFRESH_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Default largest websocket frame accepted: 1 MiB (the reference client's
/// own inbound limit). Larger frames close the connection with code 1009.
pub const DEFAULT_MAX_FRAME_BYTES: usize = moobius_proto::ws::MAX_INBOUND_FRAME_BYTES;
/// Default largest JSON request body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Default largest file upload: 32 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 32 << 20;
/// Default number of frames kept per connection and direction for
/// inspection (the oldest go first).
pub const DEFAULT_FRAME_LOG_LIMIT: usize = 10_000;
/// Default bytes kept per connection and direction for inspection: 4 MiB.
pub const DEFAULT_FRAME_LOG_BYTES: usize = 4 << 20;
/// Default number of closed connections kept for inspection.
pub const DEFAULT_KEEP_CLOSED_CONNECTIONS: usize = 64;
/// Default frames queued for one connection before it is closed (1008):
/// a reader that falls this far behind is cut off.
pub const DEFAULT_SEND_QUEUE_FRAMES: usize = 4096;
/// Default bytes queued for one connection before it is closed: 16 MiB.
pub const DEFAULT_SEND_QUEUE_BYTES: usize = 16 << 20;
/// Default messages kept per channel history (the oldest go first).
pub const DEFAULT_HISTORY_MESSAGES: usize = 10_000;
/// Default bytes kept per channel history: 16 MiB.
pub const DEFAULT_HISTORY_BYTES: usize = 16 << 20;
/// Default time a websocket may stay open without logging in: 30 s.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed to send a request's headers: 10 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed to send a request's body: 30 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Entry point: `DevServer::builder()...start().await`.
///
/// ```no_run
/// # async fn demo() -> Result<(), moobius_devserver::DevServerError> {
/// use moobius_devserver::DevServer;
/// let server = DevServer::builder()
///     .user("alice@example.com", "pw")
///     .channel("lobby", "Lobby")
///     .start()
///     .await?;
/// println!("{} {}", server.http_uri(), server.ws_uri());
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DevServer;

impl DevServer {
    /// A builder with the defaults: `127.0.0.1:0` (a free port), no
    /// accounts, no channels, platform token lifetimes, 1 MiB frames.
    #[must_use]
    pub fn builder() -> DevServerBuilder {
        DevServerBuilder::default()
    }
}

/// Configures and starts a devserver.
#[derive(Debug, Clone)]
pub struct DevServerBuilder {
    addr: SocketAddr,
    users: Vec<(String, String)>,
    /// (channel id, name, owner email).
    channels: Vec<(String, String, Option<String>)>,
    /// (service id, owner email).
    services: Vec<(String, String)>,
    config: Config,
    limits: Limits,
    history: crate::state::channels::HistoryLimits,
    /// PEM files of the certificate chain and the private key.
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// The state file, if the state is kept across restarts.
    state_file: Option<std::path::PathBuf>,
    /// Wait after a change before saving the state.
    state_save_delay: Duration,
}

impl Default for DevServerBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            users: Vec::new(),
            channels: Vec::new(),
            services: Vec::new(),
            config: Config {
                access_ttl: DEFAULT_TOKEN_TTL,
                refresh_ttl: DEFAULT_REFRESH_TOKEN_TTL,
                max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
                login_timeout: DEFAULT_LOGIN_TIMEOUT,
                header_timeout: DEFAULT_HEADER_TIMEOUT,
                body_timeout: DEFAULT_BODY_TIMEOUT,
            },
            limits: Limits::default(),
            history: crate::state::channels::HistoryLimits::default(),
            tls: None,
            state_file: None,
            state_save_delay: crate::persist::DEFAULT_SAVE_DELAY,
        }
    }
}

impl DevServerBuilder {
    /// Address to listen on (port 0 picks a free port).
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Seeds a confirmed account (look its id up with
    /// [`DevServerHandle::user_id`]). Its user id is derived from the email,
    /// so it is the same at every start.
    #[must_use]
    pub fn user(mut self, email: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push((email.into(), password.into()));
        self
    }

    /// Seeds a channel with a fixed id, owned by the first seeded account
    /// (see [`channel_owned_by`](Self::channel_owned_by)). Without any
    /// account it has no owner until a service is first bound to it.
    #[must_use]
    pub fn channel(mut self, channel_id: impl Into<String>, name: impl Into<String>) -> Self {
        self.channels.push((channel_id.into(), name.into(), None));
        self
    }

    /// Seeds a service with a fixed id, owned by the seeded account
    /// `owner_email`, so a saved `service_config.service_id` works against a
    /// fresh devserver.
    #[must_use]
    pub fn service(
        mut self,
        service_id: impl Into<String>,
        owner_email: impl Into<String>,
    ) -> Self {
        self.services.push((service_id.into(), owner_email.into()));
        self
    }

    /// Seeds a channel with a fixed id owned by the seeded account `email`
    /// (only its owner may bind a service to it, and manage it).
    #[must_use]
    pub fn channel_owned_by(
        mut self,
        channel_id: impl Into<String>,
        name: impl Into<String>,
        owner_email: impl Into<String>,
    ) -> Self {
        self.channels
            .push((channel_id.into(), name.into(), Some(owner_email.into())));
        self
    }

    /// Access-token lifetime (default 24 h). Short lifetimes exercise the
    /// refresh path; zero makes every token expire at once.
    #[must_use]
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.config.access_ttl = ttl;
        self
    }

    /// Refresh-token lifetime (default 30 days).
    #[must_use]
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.config.refresh_ttl = ttl;
        self
    }

    /// Largest websocket frame accepted (default 1 MiB). A larger frame
    /// closes its connection with code 1009 and a reason naming the limit.
    #[must_use]
    pub fn max_frame_bytes(mut self, n: usize) -> Self {
        self.config.max_frame_bytes = n;
        self
    }

    /// Largest JSON request body (default 1 MiB; larger → code 10413).
    #[must_use]
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.config.max_body_bytes = n;
        self
    }

    /// Largest file upload (default 32 MiB).
    #[must_use]
    pub fn max_upload_bytes(mut self, n: usize) -> Self {
        self.config.max_upload_bytes = n;
        self
    }

    /// Frames kept per connection and direction for inspection (default
    /// 10 000; the oldest are dropped first; 0 keeps none). Connections that
    /// are not logged in keep at most 16 frames.
    #[must_use]
    pub fn frame_log_limit(mut self, n: usize) -> Self {
        self.limits.log_frames = n;
        self
    }

    /// Bytes kept per connection and direction for inspection (default
    /// 4 MiB; the oldest frames are dropped first).
    #[must_use]
    pub fn frame_log_bytes(mut self, n: usize) -> Self {
        self.limits.log_bytes = n;
        self
    }

    /// Closed connections kept for inspection (default 64).
    #[must_use]
    pub fn keep_closed_connections(mut self, n: usize) -> Self {
        self.limits.keep_closed = n;
        self
    }

    /// Frames and bytes that may wait in one connection's send queue
    /// (default 4096 frames, 16 MiB). A reader that falls further behind is
    /// closed with code 1008 and a reason.
    #[must_use]
    pub fn send_queue_limit(mut self, frames: usize, bytes: usize) -> Self {
        self.limits.queue_frames = frames;
        self.limits.queue_bytes = bytes;
        self
    }

    /// Messages and bytes kept per channel history (default 10 000
    /// messages, 16 MiB; the oldest go first).
    #[must_use]
    pub fn history_limit(mut self, messages: usize, bytes: usize) -> Self {
        self.history.messages = messages;
        self.history.bytes = bytes;
        self
    }

    /// How long a websocket may stay open without logging in (default
    /// 30 s); then it is closed with code 1008.
    #[must_use]
    pub fn login_timeout(mut self, t: Duration) -> Self {
        self.config.login_timeout = t;
        self
    }

    /// How long a client may take to send a request's headers (default
    /// 10 s) and its body (default 30 s) before the connection is dropped.
    #[must_use]
    pub fn http_timeouts(mut self, headers: Duration, body: Duration) -> Self {
        self.config.header_timeout = headers;
        self.config.body_timeout = body;
        self
    }

    /// Serves HTTPS and WSS instead of plain HTTP and WS, with the
    /// certificate chain and private key in these PEM files
    /// ([`DevServerHandle::http_uri`] is then `https://…`, the websocket
    /// `wss://…`).
    #[must_use]
    pub fn tls_pem_files(
        mut self,
        cert_chain: impl Into<std::path::PathBuf>,
        private_key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.tls = Some((cert_chain.into(), private_key.into()));
        self
    }

    /// Keeps the state in this JSON file across restarts (the binary's
    /// `--state FILE`): accounts, services, agents, channels with their
    /// members, bindings and (bounded) history, groups, and uploaded files
    /// (in the folder `FILE.files/` beside it).
    ///
    /// At start the file is read if it exists (a corrupt file, or one
    /// written by a newer format version, makes [`start`](Self::start) fail
    /// with [`DevServerError::State`]; the file is never reset), else it is
    /// created. Seeds (`user`, `channel`, `service`) missing from it are
    /// added; those already in it are kept as saved. The state is saved
    /// atomically after changes (see
    /// [`state_save_delay`](Self::state_save_delay)) and at shutdown.
    /// Tokens are not kept: clients sign in again after a restart.
    #[must_use]
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// How long to wait after a change before saving the state file
    /// (default 500 ms; changes meanwhile are saved together).
    #[must_use]
    pub fn state_save_delay(mut self, delay: Duration) -> Self {
        self.state_save_delay = delay;
        self
    }

    /// Binds, seeds and starts serving. Must run inside a tokio runtime.
    pub async fn start(self) -> Result<DevServerHandle, DevServerError> {
        let tls = match &self.tls {
            Some((cert, key)) => Some(crate::tls::acceptor(cert, key)?),
            None => None,
        };
        let listener =
            TcpListener::bind(self.addr)
                .await
                .map_err(|source| DevServerError::Bind {
                    addr: self.addr,
                    source,
                })?;
        let addr = listener.local_addr()?;
        let mut state = State::default();
        state.conns.limits = self.limits;
        state.channels.limits = self.history;
        let (state_file, restored) = match &self.state_file {
            Some(path) => {
                let (file, snapshot) = crate::persist::store::StateFile::open(path)?;
                let restored = snapshot.is_some();
                if let Some(snapshot) = snapshot {
                    state
                        .restore(snapshot)
                        .map_err(|m| file.error(format!("is inconsistent: {m}")))?;
                    tracing::info!(path = %path.display(), "state loaded");
                }
                (Some(Arc::new(file)), restored)
            }
            None => (None, false),
        };
        for (email, password) in &self.users {
            if restored && state.accounts.id_of(email).is_some() {
                continue;
            }
            let id = state.accounts.seed(email, password)?;
            tracing::info!(%email, user_id = %id, "seeded account");
        }
        let first = self
            .users
            .first()
            .and_then(|(e, _)| state.accounts.id_of(e));
        for (id, name, owner) in &self.channels {
            if restored && state.channels.get(id).is_ok() {
                continue;
            }
            let owner = match owner {
                Some(email) => Some(state.accounts.id_of(email).ok_or_else(|| {
                    ApiError::not_found(format!("channel owner `{email}` is not a seeded account"))
                })?),
                None => first.clone(),
            };
            state
                .channels
                .create(Some(id), name, "", owner.as_deref())?;
            tracing::info!(channel_id = %id, %name, owner = ?owner, "seeded channel");
        }
        for (id, email) in &self.services {
            let owner = state.accounts.id_of(email).ok_or_else(|| {
                ApiError::not_found(format!("service owner `{email}` is not a seeded account"))
            })?;
            if let Some(saved) = state.services.get(id).filter(|_| restored) {
                if saved.owner != owner {
                    return Err(ApiError::bad_request(format!(
                        "service `{id}` in the state file belongs to another account than `{email}`"
                    ))
                    .into());
                }
                continue;
            }
            state.services.create_with_id(id, &owner, "seeded")?;
            tracing::info!(service_id = %id, %email, "seeded service");
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = Arc::new(Shared::new(
            state,
            self.config,
            format!("{scheme}://{addr}"),
        ));
        let app = Router::new()
            .route("/ws", any(crate::ws::upgrade))
            .fallback(crate::http::dispatch)
            .with_state(shared.clone())
            // `/` (page, or websocket upgrade as before) and `/chat`.
            .merge(crate::chat_page::router(shared.clone(), &self.users));
        let saver = match &state_file {
            Some(file) => {
                // Creates the file (or records the seeds) before serving,
                // so an unwritable location fails the start.
                crate::persist::save(&shared, file).await?;
                Some(crate::persist::spawn_saver(
                    shared.clone(),
                    file.clone(),
                    self.state_save_delay,
                ))
            }
            None => None,
        };
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let secure = tls.is_some();
        let task = tokio::spawn(serve(listener, app, shared.config.clone(), tls, stop_rx));
        tracing::info!(%addr, "devserver listening");
        Ok(DevServerHandle {
            shared,
            addr,
            secure,
            stop: Some(stop_tx),
            task: Some(task),
            state_file,
            saver,
        })
    }
}

/// Accepts connections until `stop`, serving each with hyper (HTTP/1.1 with
/// upgrades): headers must arrive within the header timeout.
async fn serve(
    listener: TcpListener,
    app: Router,
    config: Config,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stop: oneshot::Receiver<()>,
) {
    // Tells every HTTP connection to finish its request and close.
    let (closing, _) = tokio::sync::watch::channel(false);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off a little.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        // Frames are small and latency matters: without TCP_NODELAY a reply
        // written in two segments waits for the peer's delayed ACK (~40 ms).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let app = app.clone();
        let closing = closing.subscribe();
        let config = config.clone();
        match tls.clone() {
            None => {
                tokio::spawn(serve_connection(
                    TokioIo::new(tcp),
                    peer,
                    app,
                    config,
                    closing,
                ));
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    // The handshake counts against the header timeout.
                    match tokio::time::timeout(config.header_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            serve_connection(TokioIo::new(stream), peer, app, config, closing)
                                .await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, %peer, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        }
    }
    drop(listener);
    let _ = closing.send(true);
}

/// Serves one HTTP/1.1 connection (with upgrades) until it ends or the
/// server stops.
async fn serve_connection<I>(
    io: TokioIo<I>,
    peer: SocketAddr,
    app: Router,
    config: Config,
    mut closing: tokio::sync::watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service =
        hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            tower_service::Service::call(&mut app, req)
        });
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    let conn = http1.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        r = conn.as_mut() => r,
        _ = closing.changed() => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(Duration::from_secs(5), conn).await {
                Ok(r) => r,
                Err(_) => Ok(()),
            }
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, %peer, "HTTP connection ended with an error");
    }
}

/// Tokens issued by [`DevServerHandle::issue_tokens`].
#[derive(Clone)]
#[non_exhaustive]
pub struct IssuedTokens {
    /// The access token (`Authorization: Bearer …`, login frames).
    pub access_token: String,
    /// The refresh token (`POST /auth/refresh`).
    pub refresh_token: String,
}

impl std::fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedTokens(<redacted>)")
    }
}

/// A running devserver. Dropping it stops the server (without waiting);
/// [`shutdown`](Self::shutdown) stops it and waits.
#[derive(Debug)]
pub struct DevServerHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    secure: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The state file, until the final save.
    state_file: Option<Arc<crate::persist::store::StateFile>>,
    /// The task saving it after changes.
    saver: Option<JoinHandle<()>>,
}

impl DevServerHandle {
    // ---- addresses -------------------------------------------------------

    /// The address it listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base of the HTTP API, `http://HOST:PORT` (`https://` with TLS; no
    /// trailing slash).
    #[must_use]
    pub fn http_uri(&self) -> String {
        self.shared.http_base.clone()
    }

    /// The websocket URI, `ws://HOST:PORT/ws` (`wss://` with TLS).
    #[must_use]
    pub fn ws_uri(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!("{scheme}://{}/ws", self.addr)
    }

    // ---- seeding ---------------------------------------------------------

    /// Creates a confirmed account; returns its user id.
    pub fn seed_user(&self, email: &str, password: &str) -> Result<String, DevServerError> {
        let id = self.shared.lock().accounts.seed(email, password)?;
        self.shared.changed();
        Ok(id)
    }

    /// Creates a channel with the given id, owned by the first account;
    /// returns it.
    pub fn seed_channel(&self, channel_id: &str, name: &str) -> Result<String, DevServerError> {
        self.new_channel(Some(channel_id), name, None)
    }

    /// Creates a channel with the given id owned by `owner_user_id`.
    pub fn seed_channel_owned_by(
        &self,
        channel_id: &str,
        name: &str,
        owner_user_id: &str,
    ) -> Result<String, DevServerError> {
        self.new_channel(Some(channel_id), name, Some(owner_user_id))
    }

    /// Creates a channel with a fresh id, owned by the first account;
    /// returns it.
    pub fn create_channel(&self, name: &str) -> Result<String, DevServerError> {
        self.new_channel(None, name, None)
    }

    fn new_channel(
        &self,
        channel_id: Option<&str>,
        name: &str,
        owner: Option<&str>,
    ) -> Result<String, DevServerError> {
        let mut st = self.shared.lock();
        let owner = match owner {
            Some(o) if st.accounts.get(o).is_none() => {
                return Err(ApiError::not_found(format!("unknown user `{o}`")).into())
            }
            Some(o) => Some(o.to_owned()),
            None => st.accounts.list().first().map(|a| a.user_id.clone()),
        };
        let id = st.channels.create(channel_id, name, "", owner.as_deref())?;
        drop(st);
        self.shared.changed();
        Ok(id)
    }

    /// Makes a user a member of a channel (as `join_channel` would, but
    /// without telling the service).
    pub fn add_member(&self, channel_id: &str, user_id: &str) -> Result<(), DevServerError> {
        let mut st = self.shared.lock();
        if st.accounts.get(user_id).is_none() {
            return Err(ApiError::not_found(format!("unknown user `{user_id}`")).into());
        }
        st.channels.join(channel_id, user_id)?;
        drop(st);
        self.shared.changed();
        Ok(())
    }

    /// Creates a service owned by a user; returns its id.
    pub fn seed_service(
        &self,
        owner_user_id: &str,
        description: &str,
    ) -> Result<String, DevServerError> {
        let mut st = self.shared.lock();
        if st.accounts.get(owner_user_id).is_none() {
            return Err(ApiError::not_found(format!("unknown user `{owner_user_id}`")).into());
        }
        let id = st.services.create(owner_user_id, description);
        drop(st);
        self.shared.changed();
        Ok(id)
    }

    /// Creates a service with a fixed id owned by a user; returns the id.
    pub fn seed_service_with_id(
        &self,
        service_id: &str,
        owner_user_id: &str,
    ) -> Result<String, DevServerError> {
        let mut st = self.shared.lock();
        if st.accounts.get(owner_user_id).is_none() {
            return Err(ApiError::not_found(format!("unknown user `{owner_user_id}`")).into());
        }
        let id = st
            .services
            .create_with_id(service_id, owner_user_id, "seeded")?;
        drop(st);
        self.shared.changed();
        Ok(id)
    }

    /// Binds a service to a channel (refused if bound to another; the
    /// owner check of `/service/bind` is skipped: this is seeding).
    pub fn bind(&self, channel_id: &str, service_id: &str) -> Result<(), DevServerError> {
        let mut st = self.shared.lock();
        let Some(owner) = st.services.get(service_id).map(|s| s.owner.clone()) else {
            return Err(ApiError::not_found(format!("unknown service `{service_id}`")).into());
        };
        st.channels.bind(channel_id, service_id, &owner)?;
        drop(st);
        self.shared.changed();
        Ok(())
    }

    /// Signs a user in without HTTP: a fresh pair of tokens.
    pub fn issue_tokens(&self, user_id: &str) -> Result<IssuedTokens, DevServerError> {
        let cfg = &self.shared.config;
        let mut st = self.shared.lock();
        if st.accounts.get(user_id).is_none() {
            return Err(ApiError::not_found(format!("unknown user `{user_id}`")).into());
        }
        let t = st.accounts.issue(user_id, cfg.access_ttl, cfg.refresh_ttl);
        Ok(IssuedTokens {
            access_token: t.access,
            refresh_token: t.refresh,
        })
    }

    /// Stores a file without the upload steps; returns its public URL.
    pub fn put_file(&self, key: &str, bytes: impl Into<Bytes>, content_type: &str) -> String {
        self.shared
            .lock()
            .files
            .put(key, bytes.into(), content_type.to_owned());
        self.shared.changed();
        format!(
            "{}{}{key}",
            self.shared.http_base,
            crate::http::FILES_PREFIX
        )
    }

    // ---- inspection ------------------------------------------------------

    /// The user id of an account.
    #[must_use]
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.shared.lock().accounts.id_of(email)
    }

    /// The pending sign-up confirmation code of an account (the one also
    /// written to the log), for tests of the sign-up flow.
    #[must_use]
    pub fn sign_up_code(&self, email: &str) -> Option<String> {
        self.shared.lock().accounts.codes(email).0
    }

    /// The pending password-reset code of an account.
    #[must_use]
    pub fn reset_code(&self, email: &str) -> Option<String> {
        self.shared.lock().accounts.codes(email).1
    }

    /// Every account, in creation order.
    #[must_use]
    pub fn users(&self) -> Vec<UserSnapshot> {
        let st = self.shared.lock();
        st.accounts
            .list()
            .into_iter()
            .map(|a| UserSnapshot {
                user_id: a.user_id.clone(),
                email: a.email.clone(),
                confirmed: a.confirmed,
                name: a.name.clone(),
            })
            .collect()
    }

    /// Every service, in creation order, with its bound channels.
    #[must_use]
    pub fn services(&self) -> Vec<ServiceSnapshot> {
        let st = self.shared.lock();
        st.services
            .list(None)
            .into_iter()
            .map(|s| ServiceSnapshot {
                service_id: s.service_id.clone(),
                owner: s.owner.clone(),
                description: s.description.clone(),
                channel_ids: st.channels.bound_to(&s.service_id),
            })
            .collect()
    }

    /// Every channel, in creation order.
    #[must_use]
    pub fn channels(&self) -> Vec<ChannelSnapshot> {
        let st = self.shared.lock();
        st.channels
            .list()
            .into_iter()
            .map(|c| ChannelSnapshot {
                channel_id: c.channel_id.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                members: c.members.clone(),
                service_id: c.service.clone(),
                message_count: c.history.len(),
            })
            .collect()
    }

    /// One channel.
    #[must_use]
    pub fn channel(&self, channel_id: &str) -> Option<ChannelSnapshot> {
        self.channels()
            .into_iter()
            .find(|c| c.channel_id == channel_id)
    }

    /// `(channel_id, service_id)` of every binding.
    #[must_use]
    pub fn bindings(&self) -> Vec<(String, String)> {
        self.channels()
            .into_iter()
            .filter_map(|c| c.service_id.map(|s| (c.channel_id, s)))
            .collect()
    }

    /// The members of a channel (empty for an unknown channel).
    #[must_use]
    pub fn members(&self, channel_id: &str) -> Vec<String> {
        self.channel(channel_id)
            .map(|c| c.members)
            .unwrap_or_default()
    }

    /// Every group, in creation order.
    #[must_use]
    pub fn groups(&self) -> Vec<GroupSnapshot> {
        let st = self.shared.lock();
        st.groups
            .list()
            .into_iter()
            .map(|g| {
                let (channel_id, name) = match &g.kind {
                    GroupKind::Service => (None, None),
                    GroupKind::Channel { channel_id, name } => {
                        (Some(channel_id.clone()), Some(name.clone()))
                    }
                };
                GroupSnapshot {
                    group_id: g.group_id.clone(),
                    channel_id,
                    name,
                    owner: g.owner.clone(),
                    characters: g.characters.clone(),
                }
            })
            .collect()
    }

    /// One group.
    #[must_use]
    pub fn group(&self, group_id: &str) -> Option<GroupSnapshot> {
        self.groups().into_iter().find(|g| g.group_id == group_id)
    }

    /// Every agent, in creation order.
    #[must_use]
    pub fn agents(&self) -> Vec<AgentSnapshot> {
        let st = self.shared.lock();
        st.services
            .agents(None)
            .into_iter()
            .map(|a| AgentSnapshot {
                character_id: a.character_id.clone(),
                service_id: a.service_id.clone(),
                name: a.name.clone(),
            })
            .collect()
    }

    /// A channel's message history, oldest first.
    #[must_use]
    pub fn history(&self, channel_id: &str) -> Vec<HistoryMessage> {
        let st = self.shared.lock();
        st.channels
            .get(channel_id)
            .map(|c| {
                c.history
                    .iter()
                    .map(|m| HistoryMessage {
                        message_id: m.message_id.clone(),
                        direction: m.direction,
                        sender: m.sender.clone(),
                        recipients: m.recipients.clone(),
                        body: crate::http::history_entry(m),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many HTTP requests the API path `path` (e.g.
    /// `moobius_proto::http::paths::AUTH_REFRESH`) received so far, any
    /// method and any outcome (injected failures included); `0` for a path
    /// that is not an API endpoint. Lets tests observe a client's periodic
    /// token refreshes and sign-ins.
    #[must_use]
    pub fn request_count(&self, path: &str) -> u64 {
        self.shared.requests.of(path)
    }

    /// Keys of the stored files.
    #[must_use]
    pub fn file_keys(&self) -> Vec<String> {
        self.shared.lock().files.keys()
    }

    /// Every websocket connection so far (open ones, and the last closed
    /// ones: see [`DevServerBuilder::keep_closed_connections`]).
    #[must_use]
    pub fn connections(&self) -> Vec<ConnectionSnapshot> {
        let st = self.shared.lock();
        st.conns
            .ordered()
            .into_iter()
            .map(|(id, c)| ConnectionSnapshot {
                id,
                peer: c.peer,
                open: c.is_open(),
                login: c.login.clone(),
                received: c.received.values(),
                sent: c.sent.values(),
            })
            .collect()
    }

    /// Every frame written to connections logged in as this user, in
    /// connection order.
    #[must_use]
    pub fn frames_to_user(&self, user_id: &str) -> Vec<Value> {
        self.frames_where(|l| matches!(l, Login::User { user_id: u } if u == user_id))
    }

    /// Every frame written to connections logged in as this service.
    #[must_use]
    pub fn frames_to_service(&self, service_id: &str) -> Vec<Value> {
        self.frames_where(|l| matches!(l, Login::Service { service_id: s, .. } if s == service_id))
    }

    fn frames_where(&self, pred: impl Fn(&Login) -> bool) -> Vec<Value> {
        let st = self.shared.lock();
        st.conns
            .ordered()
            .into_iter()
            .filter(|(_, c)| c.login.as_ref().is_some_and(&pred))
            .flat_map(|(_, c)| c.received.values())
            .collect()
    }

    /// Waits until `check` returns `Some` (re-checked after every change of
    /// state or frame written), or `timeout` passes (`None`).
    ///
    /// ```no_run
    /// # async fn demo(server: &moobius_devserver::DevServerHandle, user: &str) {
    /// use std::time::Duration;
    /// let echo = server
    ///     .wait_until(Duration::from_secs(5), |s| {
    ///         s.frames_to_user(user).into_iter().find(|f| f["type"] == "message_down")
    ///     })
    ///     .await
    ///     .expect("no message_down within 5 s");
    /// # }
    /// ```
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&Self) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.shared.subscribe();
        let deadline = Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(t) = check(self) {
                return Some(t);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            // A closed channel cannot happen while `self` holds the sender.
            if tokio::time::timeout(left, rx.changed()).await.is_err() {
                return check(self);
            }
        }
    }

    /// Waits for a frame to this user that matches `pred`.
    pub async fn wait_for_user_frame(
        &self,
        user_id: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        self.wait_until(timeout, |s| {
            s.frames_to_user(user_id).into_iter().find(|f| pred(f))
        })
        .await
    }

    /// Waits for a frame to this service that matches `pred`.
    pub async fn wait_for_service_frame(
        &self,
        service_id: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        self.wait_until(timeout, |s| {
            s.frames_to_service(service_id)
                .into_iter()
                .find(|f| pred(f))
        })
        .await
    }

    // ---- faults ----------------------------------------------------------

    fn close_where(&self, pred: impl Fn(&Conn) -> bool, reason: &str) -> usize {
        let n = self
            .shared
            .lock()
            .conns
            .close_where(pred, CLOSE_GOING_AWAY, reason);
        tracing::info!(connections = n, %reason, "fault: dropping connections");
        n
    }

    /// Writes `frame` as it is to every open connection logged in as this
    /// user or service (fault injection: frame types clients do not know,
    /// oversized frames, forged acknowledgements); returns how many.
    pub fn send_raw_frame(&self, client_id: &str, frame: &Value) -> usize {
        use crate::state::connections::Target;
        let frame = axum::extract::ws::Utf8Bytes::from(frame.to_string());
        let mut st = self.shared.lock();
        let n = st.conns.send(&Target::User(client_id.to_owned()), &frame)
            + st.conns
                .send(&Target::Service(client_id.to_owned()), &frame);
        tracing::info!(connections = n, "fault: raw frame sent");
        n
    }

    /// Closes every open websocket connection now (code 1001); returns how
    /// many. Clients may reconnect.
    pub fn drop_all_connections(&self) -> usize {
        self.close_where(|_| true, "connection dropped (injected fault)")
    }

    /// Closes the connections logged in (user login) as this user; returns
    /// how many.
    pub fn drop_user_connections(&self, user_id: &str) -> usize {
        self.close_where(
            |c| matches!(&c.login, Some(Login::User { user_id: u }) if u == user_id),
            "connection dropped (injected fault)",
        )
    }

    /// Closes the connections logged in as this service; returns how many.
    pub fn drop_service_connections(&self, service_id: &str) -> usize {
        self.close_where(
            |c| matches!(&c.login, Some(Login::Service { service_id: s, .. }) if s == service_id),
            "connection dropped (injected fault)",
        )
    }

    /// Forgets the login of every open connection (sockets stay open): the
    /// next frame of each is answered with `copy` status `false`
    /// ("not logged in"), which makes clients log in again.
    pub fn logout_all_connections(&self) -> usize {
        let mut st = self.shared.lock();
        let ids: Vec<_> = st
            .conns
            .map
            .iter()
            .filter(|(_, c)| c.is_open() && c.login.is_some())
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            st.conns.set_login(*id, None, None);
        }
        ids.len()
    }

    /// Delays every outbound websocket frame by `delay` (per frame, in
    /// order); `Duration::ZERO` turns it off.
    pub fn set_outbound_delay(&self, delay: Duration) {
        self.shared.faults.set_delay(delay);
    }

    /// Makes the next `n` HTTP requests (API and file store, not websocket
    /// upgrades) fail with HTTP 503 and code
    /// [`codes::INJECTED_FAULT`](crate::codes::INJECTED_FAULT).
    pub fn fail_next_http_requests(&self, n: u32) {
        self.shared.faults.fail_next_http(n);
    }

    /// Expires every access token now (refresh tokens stay valid). Open
    /// websocket logins stay logged in, as on the platform.
    pub fn expire_access_tokens(&self) {
        self.shared.lock().accounts.expire(false);
    }

    /// Expires every access and refresh token now.
    pub fn expire_all_tokens(&self) {
        self.shared.lock().accounts.expire(true);
    }

    // ---- lifecycle -------------------------------------------------------

    /// Closes every websocket (code 1001), stops accepting, waits (up to
    /// 5 s) for the server task to end, and saves the state file if there is
    /// one (a failed save is logged; [`stop`](Self::stop) returns it).
    pub async fn shutdown(self) {
        if let Err(e) = self.stop().await {
            tracing::error!(error = %e, "the final save of the state failed");
        }
    }

    /// [`shutdown`](Self::shutdown), returning the outcome of the final save
    /// of the state file (always `Ok` without one).
    pub async fn stop(mut self) -> Result<(), DevServerError> {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        let saved = match self.state_file.take() {
            Some(file) => crate::persist::save(&self.shared, &file).await.map(|_| ()),
            None => Ok(()),
        };
        tracing::info!("devserver stopped");
        saved
    }

    /// Saves the state file now if the state changed since the last save
    /// (the saver does this by itself after changes and at shutdown).
    /// `Ok` without a state file.
    pub async fn save_state(&self) -> Result<(), DevServerError> {
        match &self.state_file {
            Some(file) => crate::persist::save(&self.shared, file).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// The state file, if the state is kept across restarts.
    #[must_use]
    pub fn state_file(&self) -> Option<&std::path::Path> {
        self.state_file.as_deref().map(|f| f.path())
    }

    fn stop_now(&mut self) {
        self.shared
            .lock()
            .conns
            .close_where(|_| true, CLOSE_GOING_AWAY, "server shutting down");
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for DevServerHandle {
    /// Stops the server without waiting; with a state file, saves it first
    /// (blocking the current thread for the write).
    fn drop(&mut self) {
        self.stop_now();
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        if let Some(file) = self.state_file.take() {
            if let Err(e) = crate::persist::save_blocking(&self.shared, &file) {
                tracing::error!(error = %e, "the final save of the state failed");
            }
        }
    }
}
