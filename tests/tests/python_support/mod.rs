//! Running the official Python SDK's scripts (`tests/python/`) from a test:
//! the interpreter (`MOOBIUS_PYTHON`), one process with its output lines and
//! its `INTEROP {...}` events.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// The python with `moobius==1.8.0` (`MOOBIUS_PYTHON`); `None` (with a
/// notice) when unset, except under CI, where that is a failure.
pub fn python() -> Option<PathBuf> {
    match std::env::var_os("MOOBIUS_PYTHON") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ if std::env::var_os("CI").is_some() => panic!(
            "MOOBIUS_PYTHON is not set under CI: run the tests through scripts/test.sh \
             (scripts/env/python.sh installs moobius==1.8.0 and sets it)"
        ),
        _ => {
            eprintln!(
                "NOTICE: Python interop test skipped: MOOBIUS_PYTHON is not set \
                 (`source scripts/env/python.sh` sets it up)"
            );
            None
        }
    }
}

/// One Python process: its output lines and its `INTEROP` events.
pub struct Py {
    pub name: &'static str,
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

fn collect(stream: impl AsyncRead + Unpin + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    tokio::spawn(async move {
        let mut r = BufReader::new(stream).lines();
        while let Ok(Some(l)) = r.next_line().await {
            lines.lock().unwrap().push(l);
        }
    });
}

impl Py {
    /// Runs `tests/python/<script>` in `cwd` with `cfg` as `MOOBIUS_INTEROP`.
    pub fn spawn(name: &'static str, python: &Path, script: &str, cwd: &Path, cfg: &Value) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("python");
        let mut child = Command::new(python)
            .arg(dir.join(script))
            .current_dir(cwd)
            .env("MOOBIUS_INTEROP", cfg.to_string())
            .env("PYTHONPATH", &dir)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        let lines = Arc::new(Mutex::new(Vec::new()));
        collect(child.stdout.take().unwrap(), lines.clone());
        collect(child.stderr.take().unwrap(), lines.clone());
        Self { name, child, lines }
    }

    pub fn events(&self) -> Vec<Value> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| l.strip_prefix("INTEROP "))
            .filter_map(|j| serde_json::from_str(j).ok())
            .collect()
    }

    pub fn event(&self, kind: &str) -> Option<Value> {
        self.events().into_iter().find(|e| e["kind"] == kind)
    }

    pub fn all(&self, kind: &str) -> Vec<Value> {
        self.events()
            .into_iter()
            .filter(|e| e["kind"] == kind)
            .collect()
    }

    /// The process output for a failure message (last lines).
    pub fn tail(&self) -> String {
        let lines = self.lines.lock().unwrap();
        let from = lines.len().saturating_sub(60);
        format!(
            "---- {} output (last {} lines) ----\n{}\n",
            self.name,
            lines.len() - from,
            lines[from..].join("\n")
        )
    }

    /// Stops the process and waits for it.
    pub async fn kill(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// A fresh working directory for a Python process.
pub fn temp_cwd(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let cwd = std::env::temp_dir().join(format!("moobius-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&cwd).unwrap();
    cwd
}

/// Fails (`Err`) with a clear message; the caller adds the process outputs.
pub fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

/// A closure `|&E| -> Option<T>` that picks (a clone of) the payload of one
/// variant of an enum and passes over the others, for waits that take such a
/// filter: `variant!(UserSaw::Buttons)`. (A macro: a closure cannot take the
/// variant to match on as an argument.)
#[allow(unused_macros)]
macro_rules! variant {
    ($enum:ident :: $variant:ident) => {
        |seen: &$enum| match seen {
            $enum::$variant(payload) => Some(payload.clone()),
            _ => None,
        }
    };
}
#[allow(unused_imports)]
pub(crate) use variant;

/// Runs one whole `exchange`, for at most `limit`: its result, or an error
/// saying it took too long.
pub async fn exchange_within(
    limit: std::time::Duration,
    exchange: impl std::future::Future<Output = Result<(), String>>,
) -> Result<(), String> {
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or_else(|_| Err("the exchange took too long".into()))
}
