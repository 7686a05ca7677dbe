//! `moobius-devserver`: runs a local Moobius platform until Ctrl-C / SIGTERM.
//!
//! ```text
//! moobius-devserver [--addr 127.0.0.1:7700] [--user EMAIL:PASSWORD]...
//!                   [--channel CHANNEL_ID:NAME]... [--token-ttl SECONDS]
//! ```
//!
//! Once it accepts connections it prints exactly one line to stdout:
//! `moobius-devserver ready http=http://HOST:PORT ws=ws://HOST:PORT/ws`.
//! Logs go to stderr (`RUST_LOG` filters them; default `info`), including the
//! sign-up confirmation codes.

#![forbid(unsafe_code)]

use moobius_devserver::DevServer;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: moobius-devserver [--addr HOST:PORT] [--user EMAIL:PASSWORD]...
                         [--channel CHANNEL_ID:NAME]... [--token-ttl SECONDS]

  --addr HOST:PORT          listen address (default 127.0.0.1:7700; port 0 = any free port)
  --user EMAIL:PASSWORD     seed a confirmed account (repeatable)
  --channel ID:NAME         seed a channel with a fixed id (repeatable)
  --token-ttl SECONDS       access-token lifetime (default 86400)
  --refresh-token-ttl SECONDS  refresh-token lifetime (default 2592000)
  --max-frame-bytes N       largest websocket frame (default 1048576)
  -h, --help                show this help

Prints `moobius-devserver ready http=… ws=…` on stdout when ready; logs on stderr
(RUST_LOG, default info). Stops on Ctrl-C or SIGTERM.";

#[derive(Debug)]
struct Args {
    addr: SocketAddr,
    users: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    token_ttl: Option<Duration>,
    refresh_ttl: Option<Duration>,
    max_frame: Option<usize>,
}

fn split_pair(flag: &str, v: &str) -> Result<(String, String), String> {
    match v.split_once(':') {
        Some((a, b)) if !a.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(format!("{flag} expects A:B, got `{v}`")),
    }
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 7700)),
        users: Vec::new(),
        channels: Vec::new(),
        token_ttl: None,
        refresh_ttl: None,
        max_frame: None,
    };
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let secs = |v: String| {
            v.parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| format!("{name} expects whole seconds, got `{v}`"))
        };
        match name.as_str() {
            "--addr" => {
                let v = value()?;
                args.addr = v
                    .parse()
                    .map_err(|_| format!("--addr expects HOST:PORT (an IP), got `{v}`"))?;
            }
            "--user" => args.users.push(split_pair("--user", &value()?)?),
            "--channel" => args.channels.push(split_pair("--channel", &value()?)?),
            "--token-ttl" => args.token_ttl = Some(secs(value()?)?),
            "--refresh-token-ttl" => args.refresh_ttl = Some(secs(value()?)?),
            "--max-frame-bytes" => {
                let v = value()?;
                args.max_frame = Some(
                    v.parse()
                        .map_err(|_| format!("--max-frame-bytes expects a number, got `{v}`"))?,
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(args))
}

async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("moobius-devserver: {e}\n\n{USAGE}");
            return ExitCode::from(2);
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
    for (id, name) in args.channels {
        b = b.channel(id, name);
    }
    if let Some(t) = args.token_ttl {
        b = b.token_ttl(t);
    }
    if let Some(t) = args.refresh_ttl {
        b = b.refresh_token_ttl(t);
    }
    if let Some(n) = args.max_frame {
        b = b.max_frame_bytes(n);
    }
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
    terminated().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Option<Args>, String> {
        parse_args(v.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_flags() {
        let a = parse(&[
            "--addr",
            "127.0.0.1:0",
            "--user",
            "a@x.io:p:w",
            "--channel=c1:Lobby",
            "--token-ttl",
            "5",
        ])
        .expect("ok")
        .expect("args");
        assert_eq!(a.addr.port(), 0);
        assert_eq!(a.users, vec![("a@x.io".to_owned(), "p:w".to_owned())]);
        assert_eq!(a.channels, vec![("c1".to_owned(), "Lobby".to_owned())]);
        assert_eq!(a.token_ttl, Some(Duration::from_secs(5)));
        assert!(parse(&["--help"]).expect("ok").is_none());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--user", "nocolon"]).is_err());
        assert!(parse(&["--addr"]).is_err());
    }
}
