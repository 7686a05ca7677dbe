//! `rediss://` against a real TLS Redis server: each test generates a CA and
//! a server certificate at run time (rcgen), starts its own `redis-server`
//! with `--tls-port`, and connects through both APIs trusting that CA via the
//! `ca_file` setting. Without `redis-server` on PATH these tests fail under
//! CI and are skipped with a notice elsewhere (`scripts/env/redis.sh`
//! installs it).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moobius_storage::{
    AsyncContainer, ChannelStorage, Container, ContainerSpec, RedisSettings, StorageConfig,
    StorageError,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A CA: its certificate in PEM and what signs with it.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn new_ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().expect("ca key");
    let pem = params.self_signed(&key).expect("ca cert").pem();
    Ca {
        pem,
        issuer: Issuer::new(params, key),
    }
}

/// A TLS-only redis-server on 127.0.0.1, stopped on drop.
struct TlsServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsServer {
    /// The CA file clients trust.
    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn url(&self) -> String {
        format!("rediss://127.0.0.1:{}/", self.port)
    }

    fn settings(&self, ca_file: Option<&Path>) -> RedisSettings {
        let mut settings = RedisSettings::from_url(self.url());
        settings.ca_file = ca_file.map(Path::to_owned);
        settings
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Starts the server, or returns `None` (skip) when redis-server is missing
/// outside CI.
fn tls_server(test: &str) -> Option<TlsServer> {
    let version = Command::new("redis-server").arg("--version").output();
    if version.is_err() {
        assert!(
            !in_ci(),
            "{test}: redis-server is not on PATH but CI is set (scripts/env/redis.sh installs it)"
        );
        eprintln!("NOTICE: {test}: skipped, redis-server is not on PATH");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = new_ca("moobius test CA");
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &ca.issuer)
        .expect("server cert");
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).expect("write ca");
    std::fs::write(dir.path().join("server.pem"), server_cert.pem()).expect("write cert");
    std::fs::write(dir.path().join("server.key"), server_key.serialize_pem()).expect("write key");

    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut child = Command::new("redis-server")
            .args(["--port", "0", "--bind", "127.0.0.1", "--tls-port"])
            .arg(port.to_string())
            .arg("--tls-cert-file")
            .arg(dir.path().join("server.pem"))
            .arg("--tls-key-file")
            .arg(dir.path().join("server.key"))
            .args([
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if child.try_wait().expect("try_wait").is_some() {
                break; // died, probably the port was taken: try another
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(TlsServer { child, port, dir });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("{test}: could not start a TLS redis-server");
}

#[test]
fn rediss_with_a_ca_file_works_from_both_apis() {
    let Some(server) = tls_server("rediss_with_a_ca_file_works_from_both_apis") else {
        return;
    };
    // Through db_config, as a service configures it.
    let db_config = serde_json::json!([{
        "implementation": "redis", "name": "tls", "clear": true,
        "settings": {"url": server.url(), "ca_file": server.ca_file()},
    }]);
    let config = StorageConfig::from_value(&db_config).expect("db_config");
    assert_eq!(
        config.containers[0],
        ContainerSpec::redis("tls", server.settings(Some(&server.ca_file()))).with_clear(true)
    );
    let storage = ChannelStorage::open("svc", "chan", config.specs()).expect("open over TLS");
    let blocking = storage.container("tls").expect("container");
    blocking.set("alice", &41u32).expect("set over TLS");
    assert_eq!(blocking.get::<u32>("alice").expect("get"), Some(41));
    assert!(blocking.location().starts_with("rediss://127.0.0.1:"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let spec = ContainerSpec::redis("tls", server.settings(Some(&server.ca_file())));
        let async_c = AsyncContainer::open("svc", "chan", &spec)
            .await
            .expect("async open over TLS");
        assert_eq!(async_c.get::<u32>("alice").await.expect("get"), Some(41));
        async_c.set("alice", &42u32).await.expect("async set");
        assert_eq!(async_c.keys().await.expect("keys"), ["alice"]);
    });
    assert_eq!(blocking.get::<u32>("alice").expect("get"), Some(42));
}

fn assert_refused(err: StorageError, server: &TlsServer, what: &str) {
    assert!(
        matches!(
            err,
            StorageError::Redis {
                op: "connect" | "PING",
                ..
            }
        ),
        "{what}: {err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("rediss://127.0.0.1:{}/", server.port)),
        "{what}: the error names the server: {text}"
    );
    assert!(
        text.to_ascii_lowercase().contains("certificate"),
        "{what}: the error says the certificate is the problem: {text}"
    );
}

#[test]
fn rediss_refuses_a_server_it_does_not_trust() {
    let Some(server) = tls_server("rediss_refuses_a_server_it_does_not_trust") else {
        return;
    };
    // Another CA than the one that signed the server.
    let other = server.dir.path().join("other-ca.pem");
    std::fs::write(&other, new_ca("someone else").pem).expect("write");
    let spec = ContainerSpec::redis("tls", server.settings(Some(&other)));
    let err = Container::open("svc", "chan", &spec).expect_err("untrusted CA");
    assert_refused(err, &server, "other CA, blocking");

    // The system trust store does not know the test CA either.
    let spec = ContainerSpec::redis("tls", server.settings(None));
    let err = Container::open("svc", "chan", &spec).expect_err("system roots");
    assert_refused(err, &server, "system roots, blocking");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let spec = ContainerSpec::redis("tls", server.settings(Some(&other)));
    let err = runtime
        .block_on(AsyncContainer::open("svc", "chan", &spec))
        .expect_err("untrusted CA");
    assert_refused(err, &server, "other CA, async");
}

#[test]
fn a_missing_ca_file_is_an_error_naming_it() {
    let spec = ContainerSpec::redis(
        "tls",
        RedisSettings::from_url("rediss://127.0.0.1:1/")
            .with_ca_file("/nonexistent/moobius-ca.pem"),
    );
    let err = Container::open("svc", "chan", &spec).expect_err("no file");
    let text = err.to_string();
    assert!(
        matches!(err, StorageError::Io { .. }) && text.contains("/nonexistent/moobius-ca.pem"),
        "{text}"
    );
}
