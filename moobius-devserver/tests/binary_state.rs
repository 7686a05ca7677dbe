//! The binary's `--state FILE`: a refused file is exit code 1 with a message
//! naming it; a change made just before SIGTERM is saved; a restart with the
//! same flags loads it.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_moobius-devserver");

/// Kills the child if the test fails before stopping it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "moobius-devserver-bin-state-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A POST with a JSON body (and a bearer token); the whole answer.
fn post(addr: &str, path: &str, token: Option<&str>, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Starts the binary with `--state`; returns it and its address once ready.
fn start(state: &Path) -> (Guard, String) {
    let mut child = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--user",
            "a@example.com:pw",
            "--state",
        ])
        .arg(state)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Guard(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("moobius-devserver ready http=http://")
        .and_then(|r| r.split_once(' '))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_else(|| panic!("unexpected ready line: {line:?}"));
    (guard, addr)
}

/// Sends SIGTERM and waits (bounded) for a clean exit.
fn terminate(mut guard: Guard) {
    let pid = guard.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn a_refused_state_file_is_exit_code_1_naming_it() {
    let dir = temp_dir("refused");
    for (name, text, says) in [
        ("broken.json", "{\"version\": 1, \"acc", "is corrupt"),
        ("future.json", "{\"version\": 9}", "format version 9"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = Command::new(BIN)
            .args(["--addr", "127.0.0.1:0", "--state"])
            .arg(&path)
            .env("RUST_LOG", "off")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&path.display().to_string()) && err.contains(says),
            "{name}: {err}"
        );
        assert!(out.stdout.is_empty(), "never ready");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "untouched");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn sigterm_saves_and_a_restart_loads() {
    let dir = temp_dir("sigterm");
    let state = dir.join("dev.json");
    let (guard, addr) = start(&state);
    assert!(state.is_file(), "created at start");
    let resp = post(
        &addr,
        "/auth/sign_in",
        None,
        r#"{"username":"a@example.com","password":"pw"}"#,
    );
    let token = resp
        .split(r#""AccessToken":""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("{resp}"))
        .to_owned();
    let resp = post(
        &addr,
        "/channel/create",
        Some(&token),
        r#"{"channel_name":"Made before SIGTERM"}"#,
    );
    assert!(resp.contains(r#""code":10000"#), "{resp}");
    // At once: the final save, not the saver's, must catch it.
    terminate(guard);
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("Made before SIGTERM"), "{saved}");

    // Same flags again: the seeded account is already there (no error), the
    // old token is not (sign in again), the channel is.
    let (guard, addr) = start(&state);
    let resp = post(
        &addr,
        "/channel/create",
        Some(&token),
        r#"{"channel_name":"x"}"#,
    );
    assert!(
        resp.contains(r#""code":10401"#),
        "tokens are not kept: {resp}"
    );
    terminate(guard);
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("Made before SIGTERM"), "{saved}");
    let _ = std::fs::remove_dir_all(&dir);
}
