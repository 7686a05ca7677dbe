//! The `moobius-devserver` binary: the ready line, seeded accounts and
//! channels, bad arguments, and a clean stop on SIGTERM.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
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

fn http(addr: &str, req: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn prints_one_ready_line_serves_and_stops_on_sigterm() {
    let child = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--user",
            "a@example.com:pw",
            "--channel",
            "chan-1:Lobby",
            "--token-ttl",
            "60",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let stdout = guard.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next();
        let _ = tx.send(first);
        // Anything more on stdout is a failure; collect it.
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let _ = tx.send(Some(Ok(rest.join("\n"))));
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("ready line in time")
        .expect("a line")
        .unwrap();
    let rest = line
        .strip_prefix("moobius-devserver ready http=http://")
        .unwrap_or_else(|| panic!("unexpected ready line: {line}"));
    let (addr, ws) = rest.split_once(" ws=ws://").expect("ws part");
    assert_eq!(ws, format!("{addr}/ws"));
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );

    let body = r#"{"username":"a@example.com","password":"pw"}"#;
    let resp = http(
        addr,
        &format!(
            "POST /auth/sign_in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    assert!(
        resp.contains(r#""code":10000"#) && resp.contains(r#""ExpiresIn":60"#),
        "{resp}"
    );

    let pid = guard.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let extra = rx
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(extra, "", "exactly one line on stdout");
}

#[test]
fn bad_arguments_exit_with_usage() {
    let out = Command::new(BIN)
        .args(["--user", "no-colon"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .to_lowercase()
        .contains("usage:"));
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--token-ttl"));
}

#[test]
fn a_taken_port_is_an_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["--addr", &addr])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
    assert!(out.stdout.is_empty());
}
