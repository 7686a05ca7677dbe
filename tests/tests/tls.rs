//! TLS for real, offline: a CA and server certificates are made at run
//! time (rcgen), the devserver serves `https://` + `wss://` with them, and
//! both drivers go through the whole lifecycle trusting that CA through
//! the new option (`Config::with_ca_file`, `Options::tls`, or the
//! `MOOBIUS_CA_FILE` environment variable): sign in, create the service,
//! bind the channel, open the websocket, log in; a user joins and the two
//! exchange a message. Without the CA, or with a certificate for another
//! name, start-up fails with an error naming the host.
//!
//! Every test but `the_environment_variable_names_a_ca_file` turns the
//! environment variable off (`TlsConfig::with_env(false)`): the
//! environment is shared by the tests of this binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tls_support;

use moobius_runtime::{Config, TlsConfig};
use std::path::Path;
use tls_support::*;

#[test]
fn tokio_driver_over_https_and_wss_trusting_a_ca_file() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let rt = runtime();
    rt.block_on(async {
        let server = pki.devserver().await;
        let service = config(&server, SERVICE, service_role(), Some(&pki.ca()));
        let user = config(&server, ALICE, user_role(), Some(&pki.ca()));
        tokio_lifecycle(&server, service, user).await;
        server.shutdown().await;
    });
}

/// The CA given as bytes and Mozilla's roots off: only that CA is trusted.
#[test]
fn tokio_driver_trusting_only_the_ca_given_in_code() {
    let pki = Pki::new(&["127.0.0.1"]);
    let pem = std::fs::read(pki.ca()).unwrap();
    let tls = TlsConfig::new()
        .with_env(false)
        .with_webpki_roots(false)
        .add_pem_bytes(&pem)
        .unwrap();
    let rt = runtime();
    rt.block_on(async {
        let server = pki.devserver().await;
        let mut service = config(&server, SERVICE, service_role(), None);
        service.options.tls = tls.clone();
        let mut user = config(&server, ALICE, user_role(), None);
        user.options.tls = tls;
        tokio_lifecycle(&server, service, user).await;
        server.shutdown().await;
    });
}

/// Start-up of the tokio driver fails; its error text.
fn tokio_start_error(pki: &Pki, ca: Option<&Path>) -> (String, String) {
    let rt = runtime();
    rt.block_on(async {
        let server = pki.devserver().await;
        let service = config(&server, SERVICE, service_role(), ca);
        let result = tokio::time::timeout(WAIT, moobius_tokio::run(service, TokioEcho))
            .await
            .expect("start-up fails, it does not hang");
        let host = server.http_uri();
        server.shutdown().await;
        let e = result.expect_err("the certificate is refused").to_string();
        eprintln!("tokio: {e}");
        (e, host)
    })
}

#[test]
fn tokio_driver_refuses_an_untrusted_certificate_naming_the_host() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let (e, host) = tokio_start_error(&pki, None);
    assert_untrusted_certificate_error(&e, &host);
}

#[test]
fn tokio_driver_refuses_a_certificate_for_another_name() {
    let pki = Pki::new(&["wrong.example"]);
    let (e, host) = tokio_start_error(&pki, Some(&pki.ca()));
    assert_wrong_name_certificate_error(&e, &host);
}

#[test]
fn blocking_driver_over_https_and_wss_trusting_a_ca_file() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let (rt, server) = blocking_server(&pki);
    blocking_lifecycle(
        config(&server, SERVICE, service_role(), Some(&pki.ca())),
        config(&server, ALICE, user_role(), Some(&pki.ca())),
    );
    rt.block_on(server.shutdown());
}

/// The CA named by `MOOBIUS_CA_FILE` (the only test that sets it).
#[test]
fn the_environment_variable_names_a_ca_file() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let (rt, server) = blocking_server(&pki);
    std::env::set_var(moobius_runtime::tls::ENV_CA_FILE, pki.ca());
    let with_env = |mut c: Config| {
        c.options.tls = TlsConfig::new();
        c
    };
    blocking_lifecycle(
        with_env(config(&server, SERVICE, service_role(), None)),
        with_env(config(&server, ALICE, user_role(), None)),
    );
    rt.block_on(async {
        let service = with_env(config(&server, SERVICE, service_role(), None));
        let running = moobius_tokio::spawn(service, TokioEcho);
        tokio::time::timeout(WAIT, running.moobius().wait_ready())
            .await
            .expect("the tokio driver reads the variable too")
            .unwrap();
        running.stop().await.unwrap();
    });
    std::env::remove_var(moobius_runtime::tls::ENV_CA_FILE);
    rt.block_on(server.shutdown());
}

fn blocking_start_error(pki: &Pki, ca: Option<&Path>) -> (String, String) {
    let (rt, server) = blocking_server(pki);
    let service = config(&server, SERVICE, service_role(), ca);
    let e = moobius_blocking::run(service, BlockingEcho)
        .expect_err("the certificate is refused")
        .to_string();
    eprintln!("blocking: {e}");
    let host = server.http_uri();
    rt.block_on(server.shutdown());
    (e, host)
}

#[test]
fn blocking_driver_refuses_an_untrusted_certificate_naming_the_host() {
    let pki = Pki::new(&["localhost", "127.0.0.1"]);
    let (e, host) = blocking_start_error(&pki, None);
    assert_untrusted_certificate_error(&e, &host);
}

#[test]
fn blocking_driver_refuses_a_certificate_for_another_name() {
    let pki = Pki::new(&["wrong.example"]);
    let (e, host) = blocking_start_error(&pki, Some(&pki.ca()));
    assert_wrong_name_certificate_error(&e, &host);
}

/// A CA file that cannot be read stops the start with an error naming it,
/// in both drivers.
#[test]
fn an_unreadable_ca_file_is_named() {
    let pki = Pki::new(&["127.0.0.1"]);
    let (rt, server) = blocking_server(&pki);
    let missing = pki.dir.path().join("missing-ca.pem");
    let service = config(&server, SERVICE, service_role(), Some(&missing));
    let Err(e) = moobius_blocking::spawn(service.clone(), BlockingEcho) else {
        panic!("the blocking driver refuses to start")
    };
    let e = e.to_string();
    assert!(e.contains("missing-ca.pem"), "{e}");
    let e = rt
        .block_on(moobius_tokio::run(service, TokioEcho))
        .expect_err("the tokio driver refuses to start")
        .to_string();
    assert!(e.contains("missing-ca.pem"), "{e}");
    rt.block_on(server.shutdown());
}
