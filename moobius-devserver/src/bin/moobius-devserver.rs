//! `moobius-devserver`: runs a local Moobius platform until Ctrl-C / SIGTERM.
//!
//! ```text
//! moobius-devserver [--addr HOST:PORT] [--user EMAIL:PASSWORD]...
//!                   [--channel CHANNEL_ID:NAME[:OWNER_EMAIL]]... [--service ID:EMAIL]...
//!                   [--token-ttl SECONDS] [--refresh-token-ttl SECONDS]
//!                   [--max-frame-bytes N] [--login-timeout SECONDS]
//!                   [--history-messages N] [--history-bytes N]
//!                   [--frame-log-limit N] [--frame-log-bytes N]
//!                   [--send-queue-frames N] [--send-queue-bytes N]
//!                   [--tls-cert FILE --tls-key FILE]
//! ```
//!
//! `moobius-devserver --help` lists every flag with its default. Once it
//! accepts connections it prints exactly one line to stdout:
//! `moobius-devserver ready http=http://HOST:PORT ws=ws://HOST:PORT/ws`.
//! Logs go to stderr (`RUST_LOG` filters them; default `info`), including the
//! sign-up confirmation codes.

#![forbid(unsafe_code)]

use clap::Parser;
use moobius_devserver::DevServer;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// A local Moobius platform: the HTTP API and the websocket on one port, in
/// memory.
///
/// Prints `moobius-devserver ready http=… ws=…` on stdout when ready; logs on
/// stderr (RUST_LOG, default info). Stops on Ctrl-C or SIGTERM.
#[derive(Debug, Parser)]
#[command(
    name = "moobius-devserver",
    version,
    override_usage = "moobius-devserver [OPTIONS]"
)]
struct Args {
    /// Listen address (port 0 = any free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7700")]
    addr: SocketAddr,
    /// Seed a confirmed account (repeatable); its user id is derived from
    /// the email, the same at every start.
    #[arg(long = "user", value_name = "EMAIL:PASSWORD", value_parser = pair)]
    users: Vec<(String, String)>,
    /// Seed a channel with a fixed id (repeatable), owned by OWNER_EMAIL or
    /// else by the first --user.
    #[arg(long = "channel", value_name = "ID:NAME[:OWNER_EMAIL]", value_parser = channel)]
    channels: Vec<(String, String, Option<String>)>,
    /// Serve HTTPS and WSS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Seed a service with a fixed id owned by a seeded account (repeatable).
    #[arg(long = "service", value_name = "ID:EMAIL", value_parser = pair)]
    services: Vec<(String, String)>,
    /// Access-token lifetime in seconds [default: 86400].
    #[arg(long, value_name = "SECONDS", value_parser = secs)]
    token_ttl: Option<Duration>,
    /// Refresh-token lifetime in seconds [default: 2592000].
    #[arg(long, value_name = "SECONDS", value_parser = secs)]
    refresh_token_ttl: Option<Duration>,
    /// Largest websocket frame in bytes [default: 1048576].
    #[arg(long, value_name = "N")]
    max_frame_bytes: Option<usize>,
    /// Seconds a websocket may stay open without logging in [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = secs)]
    login_timeout: Option<Duration>,
    /// Messages kept per channel history [default: 10000].
    #[arg(long, value_name = "N")]
    history_messages: Option<usize>,
    /// Bytes kept per channel history [default: 16777216].
    #[arg(long, value_name = "N")]
    history_bytes: Option<usize>,
    /// Frames kept per connection and direction for inspection [default: 10000].
    #[arg(long, value_name = "N")]
    frame_log_limit: Option<usize>,
    /// Bytes kept per connection and direction for inspection [default: 4194304].
    #[arg(long, value_name = "N")]
    frame_log_bytes: Option<usize>,
    /// Frames queued for a slow reader before it is closed [default: 4096].
    #[arg(long, value_name = "N")]
    send_queue_frames: Option<usize>,
    /// Bytes queued for a slow reader before it is closed [default: 16777216].
    #[arg(long, value_name = "N")]
    send_queue_bytes: Option<usize>,
}

fn pair(v: &str) -> Result<(String, String), String> {
    match v.split_once(':') {
        Some((a, b)) if !a.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(format!("expected A:B, got `{v}`")),
    }
}

fn channel(v: &str) -> Result<(String, String, Option<String>), String> {
    let (id, rest) = pair(v)?;
    match rest.rsplit_once(':') {
        Some((name, owner)) if owner.contains('@') => {
            Ok((id, name.to_owned(), Some(owner.to_owned())))
        }
        _ => Ok((id, rest, None)),
    }
}

fn secs(v: &str) -> Result<Duration, String> {
    v.parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| format!("expected whole seconds, got `{v}`"))
}

/// Waits for Ctrl-C or SIGTERM. The handlers are installed when this is
/// called (before the ready line), not when it is first polled.
fn terminated() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) if e.use_stderr() => {
            let usage = <Args as clap::CommandFactory>::command().render_usage();
            eprintln!("{e}\n{usage}");
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let mut b = DevServer::builder().addr(args.addr);
    for (email, password) in args.users {
        b = b.user(email, password);
    }
    for (id, name, owner) in args.channels {
        b = match owner {
            Some(o) => b.channel_owned_by(id, name, o),
            None => b.channel(id, name),
        };
    }
    if let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) {
        b = b.tls_pem_files(cert, key);
    }
    for (id, email) in args.services {
        b = b.service(id, email);
    }
    if let Some(t) = args.token_ttl {
        b = b.token_ttl(t);
    }
    if let Some(t) = args.refresh_token_ttl {
        b = b.refresh_token_ttl(t);
    }
    if let Some(n) = args.max_frame_bytes {
        b = b.max_frame_bytes(n);
    }
    if let Some(t) = args.login_timeout {
        b = b.login_timeout(t);
    }
    if args.history_messages.is_some() || args.history_bytes.is_some() {
        b = b.history_limit(
            args.history_messages
                .unwrap_or(moobius_devserver::DEFAULT_HISTORY_MESSAGES),
            args.history_bytes
                .unwrap_or(moobius_devserver::DEFAULT_HISTORY_BYTES),
        );
    }
    if let Some(n) = args.frame_log_limit {
        b = b.frame_log_limit(n);
    }
    if let Some(n) = args.frame_log_bytes {
        b = b.frame_log_bytes(n);
    }
    if args.send_queue_frames.is_some() || args.send_queue_bytes.is_some() {
        b = b.send_queue_limit(
            args.send_queue_frames
                .unwrap_or(moobius_devserver::DEFAULT_SEND_QUEUE_FRAMES),
            args.send_queue_bytes
                .unwrap_or(moobius_devserver::DEFAULT_SEND_QUEUE_BYTES),
        );
    }
    let stop = terminated();
    let server = match b.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("moobius-devserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "moobius-devserver ready http={} ws={}",
        server.http_uri(),
        server.ws_uri()
    );
    let _ = out.flush();
    drop(out);
    stop.await;
    tracing::info!("shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("moobius-devserver").chain(v.iter().copied()))
    }

    #[test]
    fn parses_flags() {
        let a = parse(&[
            "--addr",
            "127.0.0.1:0",
            "--user",
            "a@x.io:p:w",
            "--channel=c1:Lobby",
            "--channel",
            "c2:Hall:a@x.io",
            "--token-ttl",
            "5",
            "--login-timeout=7",
            "--service",
            "svc-1:a@x.io",
        ])
        .expect("ok");
        assert_eq!(a.addr.port(), 0);
        assert_eq!(a.users, vec![("a@x.io".to_owned(), "p:w".to_owned())]);
        assert_eq!(
            a.channels,
            vec![
                ("c1".to_owned(), "Lobby".to_owned(), None),
                (
                    "c2".to_owned(),
                    "Hall".to_owned(),
                    Some("a@x.io".to_owned())
                )
            ]
        );
        assert_eq!(a.token_ttl, Some(Duration::from_secs(5)));
        assert_eq!(a.login_timeout, Some(Duration::from_secs(7)));
        assert_eq!(a.services, vec![("svc-1".to_owned(), "a@x.io".to_owned())]);
        assert_eq!(parse(&[]).expect("defaults").addr.port(), 7700);
        assert!(parse(&["--help"]).is_err_and(|e| !e.use_stderr()));
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--user", "nocolon"]).is_err());
        assert!(parse(&["--addr"]).is_err());
        assert!(parse(&["--token-ttl", "x"]).is_err());
        assert!(parse(&["--tls-cert", "c.pem"]).is_err(), "needs --tls-key");
        let t = parse(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]).expect("tls");
        assert!(t.tls_cert.is_some() && t.tls_key.is_some());
    }
}
