//! Shared by the TLS tests: a CA and a server certificate made at run time
//! (rcgen), a devserver serving TLS with them, configurations trusting the
//! CA, and the whole service + user lifecycle of each driver.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::model::MessageBody;
use moobius_proto::session::{Event, Role, SessionConfig};
use moobius_runtime::{CallbackResult, Config, TlsConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const WAIT: Duration = Duration::from_secs(20);
pub(crate) const SERVICE: &str = "service@tls.local";
pub(crate) const ALICE: &str = "alice@tls.local";
pub(crate) const PASSWORD: &str = "pw";
pub(crate) const CHANNEL: &str = "lobby";

/// A CA, a server certificate it signed, in PEM files in a temporary
/// folder.
pub(crate) struct Pki {
    pub(crate) dir: tempfile::TempDir,
}

impl Pki {
    /// A new CA and a certificate for `names` signed by it.
    pub(crate) fn new(names: &[&str]) -> Self {
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

    pub(crate) fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A devserver with the service and user accounts and the channel,
    /// serving TLS with this certificate.
    pub(crate) async fn devserver(&self) -> DevServerHandle {
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
pub(crate) fn config(
    server: &DevServerHandle,
    email: &str,
    role: Role,
    ca: Option<&Path>,
) -> Config {
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

pub(crate) fn service_role() -> Role {
    Role::service(None, vec![CHANNEL.into()])
}

pub(crate) fn user_role() -> Role {
    Role::user(vec![CHANNEL.into()])
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

// ---- tokio ---------------------------------------------------------------

/// Echoes every message back to its author.
pub(crate) struct TokioEcho;

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
pub(crate) struct TokioInbox(pub(crate) tokio::sync::mpsc::UnboundedSender<MessageBody>);

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
pub(crate) async fn tokio_lifecycle(server: &DevServerHandle, service: Config, user: Config) {
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

// ---- blocking --------------------------------------------------------------

pub(crate) struct BlockingEcho;

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
pub(crate) fn blocking_lifecycle(service: Config, user: Config) {
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
pub(crate) fn blocking_server(pki: &Pki) -> (tokio::runtime::Runtime, DevServerHandle) {
    let rt = runtime();
    let server = rt.block_on(pki.devserver());
    assert!(server.http_uri().starts_with("https://"));
    assert!(server.ws_uri().starts_with("wss://"));
    (rt, server)
}

/// Checks the start-up error of a driver that met a certificate no trusted CA
/// signed: it names the `host`, the cause, and what to do about it.
#[track_caller]
pub(crate) fn assert_untrusted_certificate_error(e: &str, host: &str) {
    assert!(e.contains(host), "the error names {host}: {e}");
    assert!(e.contains("UnknownIssuer"), "{e}");
    assert!(
        e.contains("MOOBIUS_CA_FILE"),
        "the error says what to do: {e}"
    );
}

/// Checks the start-up error of a driver that met a certificate for
/// `wrong.example` (not 127.0.0.1): it names the `host` and both names.
#[track_caller]
pub(crate) fn assert_wrong_name_certificate_error(e: &str, host: &str) {
    assert!(e.contains(host), "the error names {host}: {e}");
    assert!(
        e.contains("not valid for name \"127.0.0.1\"") && e.contains("wrong.example"),
        "{e}"
    );
}
