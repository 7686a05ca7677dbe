//! TLS against process-wide state, in a test binary of its own: a proxy
//! named by `HTTPS_PROXY`, and a process-default rustls crypto provider that
//! cannot connect at all.
//!
//! * A user's build graph may enable a second crypto provider (aws-lc-rs),
//!   where `rustls::ClientConfig::builder()` panics unless a default is
//!   installed, or the application installs a default of its own. The
//!   drivers name `ring` explicitly and never read the default: here the
//!   default is a provider without any cipher suite (any configuration built
//!   from it fails), and both drivers still go through the whole lifecycle.
//!   (Linking aws-lc-rs itself into the tests is left out: it needs a C
//!   toolchain and cmake, and takes minutes to build.)
//! * `HTTPS_PROXY`: both drivers' HTTP goes through an HTTP `CONNECT` proxy
//!   run by the test (which sees the devserver's address), while the
//!   websocket connects directly (tungstenite uses no proxy).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tls_support;

use std::sync::{Arc, Mutex};
use tls_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Installs a process-default provider with no cipher suites (once).
fn install_a_useless_default_provider() {
    let useless = rustls::crypto::CryptoProvider {
        cipher_suites: Vec::new(),
        ..rustls::crypto::ring::default_provider()
    };
    let _ = useless.install_default();
    let default = rustls::crypto::CryptoProvider::get_default()
        .unwrap()
        .clone();
    let broken =
        rustls::ClientConfig::builder_with_provider(default).with_safe_default_protocol_versions();
    assert!(
        broken.is_err(),
        "the default provider cannot make a configuration"
    );
}

/// An HTTP `CONNECT` proxy on loopback; the targets it was asked for.
async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let Some(target) = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split_whitespace().next())
                    .map(str::to_owned)
                else {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                };
                log.lock().unwrap().push(target.clone());
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (uri, seen)
}

#[test]
fn another_default_provider_and_an_https_proxy() {
    install_a_useless_default_provider();
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(var);
    }
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let rt = runtime();
    let (server, proxy, seen) = rt.block_on(async {
        let (proxy, seen) = connect_proxy().await;
        (pki.devserver().await, proxy, seen)
    });
    std::env::set_var("HTTPS_PROXY", &proxy);
    let target = server.http_uri().trim_start_matches("https://").to_owned();

    let ca = pki.ca();
    let cfg = |email, role| config(&server, email, role, Some(&ca));
    rt.block_on(tokio_lifecycle(
        &server,
        cfg(SERVICE, service_role()),
        cfg(ALICE, user_role()),
    ));
    let through = seen.lock().unwrap().len();
    assert!(
        through > 0,
        "the tokio driver's HTTP went through the proxy"
    );
    blocking_lifecycle(cfg(SERVICE, service_role()), cfg(ALICE, user_role()));
    let targets = seen.lock().unwrap().clone();
    assert!(
        targets.len() > through,
        "the blocking driver's HTTP went through the proxy: {targets:?}"
    );
    assert!(
        targets.iter().all(|t| *t == target),
        "{targets:?} vs {target}"
    );
    std::env::remove_var("HTTPS_PROXY");
    rt.block_on(server.shutdown());
}
