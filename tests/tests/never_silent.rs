//! Issue 13, "never silent": for each way a first service goes wrong, the
//! text a user sees — the error `main` prints (`{:?}` of the returned
//! error, which is what `fn main() -> Result<(), Error>` shows) and the log
//! lines — says what happened and what to do, and no secret appears in
//! either, at any level. SIGTERM stops both drivers gracefully (real
//! signals sent to a child process).
//!
//! The log lines of the in-process tests are captured by a global
//! subscriber of this test binary at `trace` (so the drivers' own
//! subscriber is not installed: the application's wins); the tests run one
//! at a time so each reads only its own lines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::{Config, Service};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const CHANNEL: &str = "lobby";
const EMAIL: &str = "svc@test.local";
/// Distinctive, so finding it anywhere in the output means it leaked.
const PASSWORD: &str = "Sekr1t-Pa55w0rd-XYZ";
const WAIT: Duration = Duration::from_secs(30);

/// One test at a time: the captured log is shared.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One test at a time, with the capture installed before any service
/// starts (else the first service installs the drivers' own subscriber).
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    let _ = log();
    SERIAL.lock().await
}

/// Everything logged by the SDK's crates, at every level.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "moobius_tokio=trace,moobius_blocking=trace,moobius_runtime=trace,moobius_proto=trace",
            ))
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .init();
        buf
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log captured since the last call (and clears it).
fn take_log() -> String {
    let log = log();
    let mut buf = log.lock().unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    buf.clear();
    text
}

struct Quiet;
impl Service for Quiet {
    type Spell = ();
}

async fn devserver() -> DevServerHandle {
    DevServer::builder()
        .user(EMAIL, PASSWORD)
        .channel(CHANNEL, "Lobby")
        .start()
        .await
        .expect("devserver starts")
}

fn config(http: &str, ws: &str, password: &str, role: Role) -> Config {
    let mut s = SessionConfig::new(EMAIL, password.into(), http.parse().unwrap(), ws, role);
    s.http_retries = 0;
    let mut c = Config::new(s);
    c.no_warn_cannot_save_service_id = true;
    c
}

fn devserver_config(server: &DevServerHandle, role: Role) -> Config {
    config(
        &format!("{}/", server.http_uri()),
        &server.ws_uri(),
        PASSWORD,
        role,
    )
}

/// Runs `config` to its end; the error as `main` would print it, and the log.
async fn fails(config: Config) -> (String, String) {
    let _ = take_log();
    let result = tokio::time::timeout(WAIT, moobius_tokio::run(config, Quiet))
        .await
        .expect("the run ends by itself");
    let error = result.expect_err("the run fails");
    let printed = format!("Error: {error:?}");
    eprintln!("--- main prints:\n{printed}");
    let log = take_log();
    eprintln!("--- log:\n{log}");
    assert!(
        !printed.contains("Fatal("),
        "no nested Debug structs: {printed}"
    );
    no_secret(&printed);
    no_secret(&log);
    (printed, log)
}

/// Runs `config` until it is ready, then stops it; the log.
async fn runs(config: Config) -> String {
    let _ = take_log();
    let running = moobius_tokio::spawn(config, Quiet);
    tokio::time::timeout(WAIT, running.moobius().wait_ready())
        .await
        .expect("ready in time")
        .expect("starts");
    running.stop().await.expect("stops");
    let log = take_log();
    eprintln!("--- log:\n{log}");
    no_secret(&log);
    log
}

fn no_secret(text: &str) {
    assert!(!text.contains(PASSWORD), "the password leaked: {text}");
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn wrong_password_says_the_platform_refused_the_credentials() {
    let _one = serial().await;
    let server = devserver().await;
    let mut c = devserver_config(&server, Role::service(None, vec![CHANNEL.into()]));
    c.session.password = "not-the-password".into();
    let (printed, log) = fails(c).await;
    assert!(printed.starts_with("Error: sign-in failed"), "{printed}");
    assert!(
        printed.contains("401") || printed.to_lowercase().contains("password"),
        "{printed}"
    );
    assert!(log.contains("starting in service mode"), "{log}");
    assert!(!printed.contains("not-the-password") && !log.contains("not-the-password"));
}

#[tokio::test]
async fn devserver_down_names_the_host_the_cause_and_what_to_check() {
    let _one = serial().await;
    let port = free_port();
    let c = config(
        &format!("http://127.0.0.1:{port}/"),
        &format!("ws://127.0.0.1:{port}/ws"),
        PASSWORD,
        Role::service(None, vec![CHANNEL.into()]),
    );
    let (printed, _log) = fails(c).await;
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}")),
        "{printed}"
    );
    assert!(
        printed.to_lowercase().contains("connection refused"),
        "{printed}"
    );
    assert!(
        printed.contains("is the platform (or the devserver) running"),
        "{printed}"
    );
}

#[tokio::test]
async fn https_against_the_plain_devserver_says_it_does_not_speak_tls() {
    let _one = serial().await;
    let server = devserver().await;
    let http = format!("{}/", server.http_uri()).replacen("http://", "https://", 1);
    let ws = server.ws_uri().replacen("ws://", "wss://", 1);
    let c = config(
        &http,
        &ws,
        PASSWORD,
        Role::service(None, vec![CHANNEL.into()]),
    );
    let (printed, _log) = fails(c).await;
    assert!(
        printed.contains("does not speak TLS: use http:// and ws://"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_stale_service_id_names_the_platform_reason_and_the_fix() {
    let _one = serial().await;
    // A fresh devserver, as after a restart: the saved id is unknown.
    let server = devserver().await;
    let c = devserver_config(
        &server,
        Role::service(
            Some("svc-from-before-the-restart".into()),
            vec![CHANNEL.into()],
        ),
    );
    let (printed, _log) = fails(c).await;
    assert!(printed.contains("rejected the login"), "{printed}");
    assert!(printed.contains("unknown service"), "{printed}");
    assert!(
        printed.contains("clear `service_config.service_id`"),
        "{printed}"
    );
}

#[tokio::test]
async fn no_channels_is_a_warning_at_start() {
    let _one = serial().await;
    let server = devserver().await;
    let log = runs(devserver_config(&server, Role::service(None, vec![]))).await;
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("`service_config.channels` is empty"), "{log}");
    assert!(log.contains("ready: serving 0 channel(s): (none)"), "{log}");
}

#[tokio::test]
async fn an_unknown_channel_is_dropped_with_its_reason_and_no_usable_channel_is_an_error() {
    let _one = serial().await;
    let server = devserver().await;
    let log = runs(devserver_config(
        &server,
        Role::service(None, vec!["no-such-channel".into()]),
    ))
    .await;
    assert!(log.contains("channel not served"), "{log}");
    assert!(log.contains("no-such-channel"), "{log}");
    assert!(
        log.contains("ERROR") && log.contains("no usable channel"),
        "{log}"
    );
}

#[tokio::test]
async fn the_summary_names_mode_hosts_id_and_channels() {
    let _one = serial().await;
    let server = devserver().await;
    let log = runs(devserver_config(
        &server,
        Role::service(None, vec![CHANNEL.into()]),
    ))
    .await;
    let host = server.http_uri();
    assert!(log.contains("starting in service mode"), "{log}");
    assert!(log.contains(&host), "the platform host: {log}");
    assert!(log.contains("ready: serving 1 channel(s): lobby"), "{log}");
    assert!(
        log.contains("moobius{mode=\"service\""),
        "the service's span: {log}"
    );
}

#[tokio::test]
async fn a_takeover_by_a_second_service_is_a_warning_naming_the_first() {
    let _one = serial().await;
    let server = devserver().await;
    let first = moobius_tokio::spawn(
        devserver_config(&server, Role::service(None, vec![CHANNEL.into()])),
        Quiet,
    );
    tokio::time::timeout(WAIT, first.moobius().wait_ready())
        .await
        .unwrap()
        .unwrap();
    let first_id = first.moobius().own_id().expect("own id");
    let log = runs(devserver_config(
        &server,
        Role::service(None, vec![CHANNEL.into()]),
    ))
    .await;
    assert!(
        log.contains(&format!("taking channel lobby from service {first_id}")),
        "{log}"
    );
    // The first service is not told; its next frame to the channel is
    // refused, and that says why.
    let me = moobius_tokio::proto::ids::CharacterId::new(server.user_id(EMAIL).unwrap());
    let spec = moobius_tokio::proto::compose::MessageSpec::text(CHANNEL, "still here?", me);
    // Written to the socket (`Ok`); the platform's refusal comes after.
    let _ = tokio::time::timeout(WAIT, first.moobius().send_message(spec))
        .await
        .unwrap();
    let mut lost = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !lost.contains("no longer ours") && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        lost.push_str(&take_log());
    }
    eprintln!("--- the first service's log:\n{lost}");
    assert!(lost.contains("a channel is no longer ours"), "{lost}");
    assert!(lost.contains("is not bound to service"), "{lost}");
    no_secret(&lost);
    first.stop().await.unwrap();
}

/// Logs from inside a callback, and starts an operation there.
struct Chatty;
impl Service for Chatty {
    type Spell = ();

    async fn on_channel_init(
        &mut self,
        moobius: &moobius_tokio::Moobius,
        _channel: moobius_tokio::proto::ids::ChannelId,
    ) -> moobius_tokio::CallbackResult {
        tracing::info!(target: "moobius_tokio", "hello from the callback");
        moobius.fetch_channel_list().await?;
        Ok(())
    }
}

#[tokio::test]
async fn lines_say_whose_they_are_service_callback_channel_and_operation() {
    let _one = serial().await;
    let server = devserver().await;
    let _ = take_log();
    let running = moobius_tokio::spawn(
        devserver_config(&server, Role::service(None, vec![CHANNEL.into()])),
        Chatty,
    );
    tokio::time::timeout(WAIT, running.moobius().wait_ready())
        .await
        .expect("ready in time")
        .expect("starts");
    let mut log = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !log.contains("operation done") && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        log.push_str(&take_log());
    }
    running.stop().await.expect("stops");
    eprintln!("--- log:\n{log}");
    let callback = format!("callback{{name=\"on_channel_init\" channel={CHANNEL}}}");
    let line = |needle: &str| {
        log.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{log}"))
            .to_owned()
    };
    let hello = line("hello from the callback");
    assert!(
        hello.contains("moobius{") && hello.contains(&callback),
        "{hello}"
    );
    let op = line("operation done");
    assert!(
        op.contains(&callback) && op.contains("op{name=\"fetch_channel_list\"}"),
        "{op}"
    );
    no_secret(&log);
}

// --- SIGTERM against a child process (this test binary, run again) ---

const CHILD_ENV: &str = "MOOBIUS_NEVER_SILENT_CHILD";

/// Not a test by itself: the child process of the SIGTERM tests
/// (`<mode> <config path>` in the environment).
#[test]
#[ignore = "run as a child process by the SIGTERM tests"]
fn child_service() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (mode, path) = spec.split_once(' ').unwrap();
    let config = moobius_tokio::Config::load(path).unwrap();
    let result = match mode {
        "tokio" => tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(moobius_tokio::run(config, Quiet)),
        _ => moobius_blocking::run(config, QuietBot),
    };
    if let Err(e) = result {
        eprintln!("Error: {e:?}");
        std::process::exit(1);
    }
}

struct QuietBot;
impl moobius_blocking::Bot for QuietBot {
    type Spell = ();
}

fn sigterm_stops(mode: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(devserver());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let json = serde_json::json!({
        "account_config": {"email": EMAIL, "password": PASSWORD},
        "service_config": {
            "http_server_uri": format!("{}/", server.http_uri()),
            "ws_server_uri": server.ws_uri(),
            "service_id": "",
            "channels": [CHANNEL],
        },
        "log_config": {"terminal_log_level": "TRACE"}
    });
    std::fs::write(&path, json.to_string()).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_service",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{mode} {}", path.display()))
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + WAIT;
    while !seen.contains("ready: serving 1 channel(s)") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => {
                let _ = child.kill();
                panic!("the child did not get ready: {seen}");
            }
        }
    }
    let open = |server: &DevServerHandle| {
        server
            .connections()
            .iter()
            .filter(|c| c.open && c.login.is_some())
            .count()
    };
    assert_eq!(open(&server), 1, "the child's session is open");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        seen.push_str(&line);
        seen.push('\n');
    }
    eprintln!("--- child's stderr:\n{seen}");
    assert_eq!(status.code(), Some(0), "exit code: {seen}");
    assert!(
        seen.contains("SIGTERM") && seen.contains("stopping gracefully"),
        "{seen}"
    );
    assert!(
        seen.contains("service stopped") || seen.contains("client stopped"),
        "{seen}"
    );
    no_secret(&seen);
    // The session was closed by the client, not cut by the process' end.
    let deadline = std::time::Instant::now() + WAIT;
    while open(&server) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(open(&server), 0, "the session is closed");
    drop(rt);
}

#[test]
fn sigterm_stops_the_tokio_driver_gracefully_with_exit_code_0() {
    sigterm_stops("tokio");
}

#[test]
fn sigterm_stops_the_blocking_driver_gracefully_with_exit_code_0() {
    sigterm_stops("blocking");
}

/// The `config.json` the README and both drivers' front pages show loads
/// without a warning, for the devserver they name.
#[test]
fn the_documented_config_json_loads_without_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seen = 0;
    for page in [
        "README.md",
        "moobius-tokio/README.md",
        "moobius-blocking/README.md",
        "moobius-tokio/src/lib.rs",
        "moobius-blocking/src/lib.rs",
    ] {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        let text: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("//! ")
                    .or_else(|| l.strip_prefix("//!"))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let start = text
            .find("```json\n")
            .unwrap_or_else(|| panic!("{page}: no config.json"))
            + 8;
        let json = &text[start..start + text[start..].find("```").unwrap()];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, json).unwrap();
        let config = Config::load(&path).unwrap_or_else(|e| panic!("{page}: {e:?}"));
        assert!(config.warnings.is_empty(), "{page}: {:?}", config.warnings);
        assert_eq!(config.session.ws_uri, "ws://127.0.0.1:7700/ws", "{page}");
        assert!(config.log.as_ref().unwrap().log_file.is_some(), "{page}");
        seen += 1;
    }
    assert_eq!(seen, 5);
}
