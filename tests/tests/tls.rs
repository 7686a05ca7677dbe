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

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::model::MessageBody;
use moobius_proto::session::{Event, Role, SessionConfig};
use moobius_runtime::{CallbackResult, Config, TlsConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const SERVICE: &str = "service@tls.local";
const ALICE: &str = "alice@tls.local";
const PASSWORD: &str = "pw";
const CHANNEL: &str = "lobby";

/// A CA, a server certificate it signed, in PEM files in a temporary
/// folder.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// A new CA and a certificate for `names` signed by it.
    fn new(names: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "moobius test CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut leaf = rcgen::CertificateParams::new(names).unwrap();
        leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let cert = leaf.signed_by(&key, &issuer).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
        std::fs::write(dir.path().join("server.pem"), cert.pem()).unwrap();
        std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
        Self { dir }
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A devserver with the service and user accounts and the channel,
    /// serving TLS with this certificate.
    async fn devserver(&self) -> DevServerHandle {
        let p = self.dir.path();
        DevServer::builder()
            .user(SERVICE, PASSWORD)
            .user(ALICE, PASSWORD)
            .channel(CHANNEL, "Lobby")
            .tls_pem_files(p.join("server.pem"), p.join("server.key"))
            .start()
            .await
            .unwrap()
    }
}

/// `email`'s configuration on `server`, trusting `ca` when given (and never
/// the environment's CA file), failing fast (no HTTP retries).
fn config(server: &DevServerHandle, email: &str, role: Role, ca: Option<&Path>) -> Config {
    let http = format!("{}/", server.http_uri()).parse().unwrap();
    let mut session = SessionConfig::new(email, PASSWORD.into(), http, server.ws_uri(), role);
    session.http_retries = 0;
    let mut config = Config::new(session);
    config.no_warn_cannot_save_service_id = true;
    config.options.tls = TlsConfig::new().with_env(false);
    match ca {
        Some(ca) => config.with_ca_file(ca),
        None => config,
    }
}

fn service_role() -> Role {
    Role::service(None, vec![CHANNEL.into()])
}

fn user_role() -> Role {
    Role::user(vec![CHANNEL.into()])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

// ---- tokio ---------------------------------------------------------------

/// Echoes every message back to its author.
struct TokioEcho;

impl moobius_tokio::Service for TokioEcho {
    type Spell = ();

    async fn on_message_up(
        &mut self,
        moobius: &moobius_tokio::Moobius,
        message: MessageBody,
    ) -> CallbackResult {
        let author = message.sender.clone();
        moobius
            .send_message(MessageSpec::forward(&message, author))
            .await?;
        Ok(())
    }
}

/// Hands every message it receives to the test.
struct TokioInbox(tokio::sync::mpsc::UnboundedSender<MessageBody>);

impl moobius_tokio::Service for TokioInbox {
    type Spell = ();

    async fn on_message_down(
        &mut self,
        _: &moobius_tokio::Moobius,
        message: MessageBody,
    ) -> CallbackResult {
        let _ = self.0.send(message);
        Ok(())
    }
}

/// The whole lifecycle of the tokio driver over `https://` + `wss://`.
async fn tokio_lifecycle(server: &DevServerHandle, service: Config, user: Config) {
    assert!(server.http_uri().starts_with("https://"));
    assert!(server.ws_uri().starts_with("wss://"));
    let echo = moobius_tokio::spawn(service, TokioEcho);
    tokio::time::timeout(WAIT, echo.moobius().wait_ready())
        .await
        .expect("the service starts over TLS")
        .unwrap();
    let (tx, mut inbox) = tokio::sync::mpsc::unbounded_channel();
    let alice = moobius_tokio::spawn(user, TokioInbox(tx));
    tokio::time::timeout(WAIT, alice.moobius().wait_ready())
        .await
        .expect("the user starts over TLS")
        .unwrap();
    let spec = MessageSpec::text(CHANNEL, "hello over TLS", Recipients::Service);
    alice.moobius().send_message(spec).await.unwrap();
    let back = tokio::time::timeout(WAIT, inbox.recv())
        .await
        .expect("the echo comes back")
        .unwrap();
    assert_eq!(back.content.text.as_deref(), Some("hello over TLS"));
    alice.stop().await.unwrap();
    echo.stop().await.unwrap();
}

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
    assert!(e.contains(&host), "the error names {host}: {e}");
    assert!(e.contains("UnknownIssuer"), "{e}");
    assert!(
        e.contains("MOOBIUS_CA_FILE"),
        "the error says what to do: {e}"
    );
}

#[test]
fn tokio_driver_refuses_a_certificate_for_another_name() {
    let pki = Pki::new(&["wrong.example"]);
    let (e, host) = tokio_start_error(&pki, Some(&pki.ca()));
    assert!(e.contains(&host), "the error names {host}: {e}");
    assert!(
        e.contains("not valid for name \"127.0.0.1\"") && e.contains("wrong.example"),
        "{e}"
    );
}

// ---- blocking --------------------------------------------------------------

struct BlockingEcho;

impl moobius_blocking::Bot for BlockingEcho {
    type Spell = ();

    fn on_message_up(
        &mut self,
        moobius: &moobius_blocking::Moobius,
        message: MessageBody,
    ) -> CallbackResult {
        let author = message.sender.clone();
        moobius.send_message(MessageSpec::forward(&message, author))?;
        Ok(())
    }
}

/// The whole lifecycle of the blocking driver over `https://` + `wss://`.
fn blocking_lifecycle(service: Config, user: Config) {
    let echo = moobius_blocking::spawn(service, BlockingEcho).unwrap();
    echo.moobius()
        .wait_ready(WAIT)
        .expect("the service starts over TLS");
    let mut alice =
        moobius_blocking::Client::connect(user, WAIT).expect("the user starts over TLS");
    let spec = MessageSpec::text(CHANNEL, "hello over TLS", Recipients::Service);
    alice.moobius().send_message(spec).unwrap();
    let heard = std::iter::from_fn(|| alice.next_event_timeout(WAIT)).find_map(|e| match e {
        Event::MessageDown(message) => message.content.text,
        _ => None,
    });
    assert_eq!(heard.as_deref(), Some("hello over TLS"));
    drop(alice);
    echo.stop().unwrap();
}

/// A devserver on a runtime of its own (the blocking driver needs none).
fn blocking_server(pki: &Pki) -> (tokio::runtime::Runtime, DevServerHandle) {
    let rt = runtime();
    let server = rt.block_on(pki.devserver());
    assert!(server.http_uri().starts_with("https://"));
    assert!(server.ws_uri().starts_with("wss://"));
    (rt, server)
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
    assert!(e.contains(&host), "the error names {host}: {e}");
    assert!(e.contains("UnknownIssuer"), "{e}");
    assert!(
        e.contains("MOOBIUS_CA_FILE"),
        "the error says what to do: {e}"
    );
}

#[test]
fn blocking_driver_refuses_a_certificate_for_another_name() {
    let pki = Pki::new(&["wrong.example"]);
    let (e, host) = blocking_start_error(&pki, Some(&pki.ca()));
    assert!(e.contains(&host), "the error names {host}: {e}");
    assert!(
        e.contains("not valid for name \"127.0.0.1\"") && e.contains("wrong.example"),
        "{e}"
    );
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
