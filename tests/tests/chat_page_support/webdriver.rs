//! A small WebDriver client (W3C protocol over HTTP, blocking) for the chat
//! page test: chromedriver as a child process, one headless Chromium
//! session, CSS-selector helpers that poll until a condition holds, and a
//! PNG check for screenshots.

use base64::Engine as _;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

/// How long a `wait_*` helper polls before failing.
const WAIT: Duration = Duration::from_secs(15);
/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A running chromedriver, killed on drop.
pub(crate) struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until ready.
    pub(crate) fn start(chromedriver: &Path) -> Result<Self, Error> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromedriver.display()))?;
        let driver = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent: agent(),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = driver
                .agent
                .get(&format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err(
                    format!("chromedriver not ready on port {port} within {WAIT:?}").into(),
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A new headless Chromium session with a fixed window size.
    pub(crate) fn browser(&self, chromium: &Path, (w, h): (u32, u32)) -> Result<Browser, Error> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    "--force-device-scale-factor=1",
                    format!("--window-size={w},{h}"),
                ],
            },
        }}});
        let v = call(
            &self.agent,
            "POST",
            &format!("{}/session", self.base),
            Some(&caps),
        )?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no sessionId in {v}"))?
            .to_owned();
        Ok(Browser {
            url: format!("{}/session/{id}", self.base),
            agent: self.agent.clone(),
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver request; the answer's `value`, or its error message.
fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, Error> {
    let mut resp = match (method, body) {
        ("GET", _) => agent.get(url).call()?,
        ("DELETE", _) => agent.delete(url).call()?,
        (_, b) => agent
            .post(url)
            .header("content-type", "application/json")
            .send(b.unwrap_or(&json!({})).to_string())?,
    };
    let status = resp.status();
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{method} {url}: not JSON ({e}): {text:.200}"))?;
    if !status.is_success() {
        return Err(format!(
            "{method} {url}: {} {}",
            v["value"]["error"].as_str().unwrap_or("error"),
            v["value"]["message"].as_str().unwrap_or(&text)
        )
        .into());
    }
    Ok(v["value"].clone())
}

/// A browser session, closed on drop.
pub(crate) struct Browser {
    url: String,
    agent: ureq::Agent,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.url, None);
    }
}

impl Browser {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Error> {
        call(
            &self.agent,
            method,
            &format!("{}{path}", self.url),
            body.as_ref(),
        )
    }

    /// Opens a URL.
    pub(crate) fn goto(&self, url: &str) -> Result<(), Error> {
        self.cmd("POST", "/url", Some(json!({"url": url})))?;
        Ok(())
    }

    /// Runs a script (`return …` gives the value).
    pub(crate) fn eval(&self, script: &str) -> Result<Value, Error> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// The element a CSS selector finds, once it exists.
    fn find(&self, css: &str) -> Result<String, Error> {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            );
            match found {
                Ok(v) => {
                    return v[ELEMENT_KEY]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("no element reference in {v}").into())
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("no element `{css}` within {WAIT:?}: {e}").into())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Clicks the element (retrying while it is not yet interactable).
    pub(crate) fn click(&self, css: &str) -> Result<(), Error> {
        let deadline = Instant::now() + WAIT;
        loop {
            let id = self.find(css)?;
            match self.cmd("POST", &format!("/element/{id}/click"), Some(json!({}))) {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("cannot click `{css}`: {e}").into())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Types text into an input.
    pub(crate) fn type_into(&self, css: &str, text: &str) -> Result<(), Error> {
        let id = self.find(css)?;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )?;
        Ok(())
    }

    /// Right-clicks the element (mouse button 2 through the actions API).
    pub(crate) fn right_click(&self, css: &str) -> Result<(), Error> {
        let id = self.find(css)?;
        let actions = json!({"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "origin": {ELEMENT_KEY: id}, "x": 0, "y": 0},
                {"type": "pointerDown", "button": 2},
                {"type": "pointerUp", "button": 2},
            ],
        }]});
        self.cmd("POST", "/actions", Some(actions))?;
        self.cmd("DELETE", "/actions", None)?;
        Ok(())
    }

    /// Polls until the script returns `true`.
    pub(crate) fn wait_for(&self, what: &str, script: &str) -> Result<(), Error> {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.eval(script)? == json!(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {WAIT:?} waiting for {what}").into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls until the element's text contains `text`.
    pub(crate) fn wait_text(&self, css: &str, text: &str) -> Result<(), Error> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.textContent : null;",
            json!(css)
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let got = self.eval(&script)?;
            if got.as_str().is_some_and(|t| t.contains(text)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let got = got.as_str().unwrap_or("(no such element)");
                return Err(format!(
                    "timed out after {WAIT:?} waiting for `{css}` to contain {text:?}; it has {:?}",
                    got.chars().take(600).collect::<String>()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG of the viewport.
    pub(crate) fn screenshot(&self) -> Result<Vec<u8>, Error> {
        let v = self.cmd("GET", "/screenshot", None)?;
        let b64 = v.as_str().ok_or("the screenshot is not a string")?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
    }
}

/// What [`image_stats`] measures.
#[derive(Debug)]
pub(crate) struct ImageStats {
    /// Pixels across.
    pub(crate) width: u32,
    /// Pixels down.
    pub(crate) height: u32,
    /// Variance of the luminance (0–255 scale) over every pixel.
    pub(crate) variance: f64,
    /// Distinct RGB colours (counted up to 4096).
    pub(crate) colours: usize,
}

/// Decodes a PNG and measures how much is in it.
pub(crate) fn image_stats(png_bytes: &[u8]) -> Result<ImageStats, Error> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("the PNG is too large")?];
    let info = reader.next_frame(&mut buf)?;
    let samples = info.color_type.samples();
    let pixels = (info.width as usize) * (info.height as usize);
    if pixels == 0 {
        return Err("the PNG is empty".into());
    }
    let (mut sum, mut sum_sq) = (0f64, 0f64);
    let mut colours = std::collections::HashSet::new();
    for row in buf.chunks(info.line_size).take(info.height as usize) {
        for px in row.chunks(samples).take(info.width as usize) {
            let (r, g, b) = if samples >= 3 {
                (px[0], px[1], px[2])
            } else {
                (px[0], px[0], px[0])
            };
            let y = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
            sum += y;
            sum_sq += y * y;
            if colours.len() < 4096 {
                colours.insert((r, g, b));
            }
        }
    }
    let n = pixels as f64;
    let mean = sum / n;
    Ok(ImageStats {
        width: info.width,
        height: info.height,
        variance: sum_sq / n - mean * mean,
        colours: colours.len(),
    })
}
