//! Interop with the official Python SDK (moobius 1.8.0): a Python service and
//! a Python user-mode client talk to each other through the devserver.
//!
//! Needs `MOOBIUS_PYTHON` (a python with `moobius==1.8.0`, set up by
//! `scripts/env/python.sh`). Without it the test is skipped with a notice,
//! except under CI (`CI` set), where it fails. The Python side lives in
//! `tests/python/` (see `interop_common.py` for the one shim applied).

#![allow(clippy::unwrap_used)]

mod devserver_support;
mod python_support;

use devserver_support::raw_request;
use moobius_devserver::{DevServer, DevServerHandle};
use python_support::{check, python, temp_cwd, Py};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const CHANNEL: &str = "22222222-2222-4222-8222-222222222222";
const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";
/// Bound on the whole test (the SDK itself sleeps ~1 s at start).
const TOTAL: Duration = Duration::from_secs(60);

async fn scenario(
    server: &DevServerHandle,
    svc: &mut Option<Py>,
    user: &mut Option<Py>,
    python: &Path,
    cwd: &Path,
) -> Result<(), String> {
    let user_id = server.user_id("user@example.com").unwrap();
    let image = cwd.join("avatar.png");
    std::fs::write(&image, IMAGE).map_err(|e| e.to_string())?;
    let base = json!({"http": server.http_uri(), "ws": server.ws_uri(), "channel": CHANNEL});
    let mut cfg = base.clone();
    cfg["email"] = json!("service@example.com");
    cfg["password"] = json!("service-pw");
    cfg["image"] = json!(image.to_string_lossy());
    let s = svc.insert(Py::spawn(
        "python service",
        python,
        "interop_service.py",
        cwd,
        &cfg,
    ));

    // The service is up once it is logged in and has bound the channel.
    let up = server.wait_until(Duration::from_secs(25), |srv| {
        let bound = srv.channel(CHANNEL)?.service_id?;
        srv.connections()
            .iter()
            .any(|c| c.open && c.service_id() == Some(bound.as_str()))
            .then_some(bound)
    });
    let service_id = tokio::select! {
        id = up => id.ok_or_else(|| format!("the Python service did not log in and bind {CHANNEL} within 25 s"))?,
        status = s.child.wait() => return Err(format!("the Python service exited early ({status:?})")),
    };

    let mut cfg = base;
    cfg["email"] = json!("user@example.com");
    cfg["password"] = json!("user-pw");
    let u = user.insert(Py::spawn(
        "python user",
        python,
        "interop_user.py",
        cwd,
        &cfg,
    ));
    let status = tokio::time::timeout(Duration::from_secs(30), u.child.wait())
        .await
        .map_err(|_| "the Python user did not finish within 30 s".to_owned())?
        .map_err(|e| e.to_string())?;
    // Let the collectors drain the last lines.
    tokio::time::sleep(Duration::from_millis(200)).await;
    check(status.success() && u.event("done").is_some(), || {
        format!(
            "the Python user did not receive everything (exit {status}); it got: {:?}",
            u.event("timeout")
        )
    })?;

    // --- what the Python service saw ---------------------------------------
    let s = svc.as_ref().unwrap();
    let started = s
        .event("service_started")
        .ok_or("service never reported on_start")?;
    check(started["service_id"] == service_id.as_str(), || {
        format!("service id {started} vs {service_id}")
    })?;
    let join = s.event("on_join").ok_or("service got no on_join")?;
    check(
        join["sender"] == user_id.as_str() && join["channel_id"] == CHANNEL,
        || format!("on_join: {join}"),
    )?;
    let refresh = s.event("on_refresh").ok_or("service got no on_refresh")?;
    check(refresh["sender"] == user_id.as_str(), || {
        format!("on_refresh: {refresh}")
    })?;
    let up = s
        .event("on_message_up")
        .ok_or("service got no on_message_up")?;
    check(
        up["text"] == "hello from python"
            && up["sender"] == user_id.as_str()
            && up["recipients"] == json!([user_id])
            && up["message_id"].is_string(),
        || format!("on_message_up: {up}"),
    )?;
    let click = s
        .event("on_button_click")
        .ok_or("service got no on_button_click")?;
    check(
        click["button_id"] == "meow" && click["arguments"] == json!([["How many?", "2"]]),
        || format!("on_button_click: {click}"),
    )?;
    check(s.all("copy_false").is_empty(), || {
        format!("service got copy status false: {:?}", s.all("copy_false"))
    })?;
    let agent = s.event("agent").ok_or("service created no agent")?["character_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check(
        s.all("agent").len() == 1 && server.agents().len() == 1,
        || "exactly one agent".to_owned(),
    )?;

    // --- what the Python user saw ------------------------------------------
    let u = user.as_ref().unwrap();
    let downs = u.all("on_message_down");
    let echo = downs
        .iter()
        .find(|m| m["text"] == "echo: hello from python")
        .ok_or("no echo")?;
    check(
        echo["sender"] == agent.as_str() && echo["message_id"].is_string(),
        || format!("echo: {echo}"),
    )?;
    check(
        downs
            .iter()
            .any(|m| m["text"] == "clicked meow How many?=2"),
        || format!("click answer missing: {downs:?}"),
    )?;
    let buttons = u.event("on_update_buttons").ok_or("no buttons update")?;
    check(
        buttons["buttons"] == json!(["meow"]) && buttons["group_id"] == "temp",
        || format!("buttons: {buttons}"),
    )?;
    let style = u.event("on_update_style").ok_or("no style update")?;
    check(
        style["items"] == json!([{"widget": "canvas", "display": "visible"}]),
        || format!("style: {style}"),
    )?;
    let canvas = u.event("on_update_canvas").ok_or("no canvas update")?;
    check(canvas["items"][0]["text"] == "hello canvas", || {
        format!("canvas: {canvas}")
    })?;
    // The canvas image went through the two-step upload and is served back.
    let url = canvas["items"][0]["path"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check(
        url.starts_with(&format!("{}/files/uploads/", server.http_uri())) && url.ends_with(".png"),
        || format!("canvas path {url}"),
    )?;
    let got = raw_request("GET", &url, &[], b"").await;
    check(got.status == 200 && got.body == IMAGE, || {
        format!("GET {url}: {}", got.status)
    })?;
    check(u.all("copy_false").is_empty(), || {
        format!("user got copy status false: {:?}", u.all("copy_false"))
    })?;

    // --- what the devserver saw --------------------------------------------
    check(server.members(CHANNEL) == vec![user_id.clone()], || {
        format!("members {:?}", server.members(CHANNEL))
    })?;
    let frames = server.frames_to_user(&user_id);
    // 1.8.0 cannot parse character updates (PROTOCOL.md §6.5); check the wire.
    let chars = frames
        .iter()
        .find(|f| f["type"] == "update" && f["body"]["subtype"] == "characters")
        .ok_or("no characters update delivered")?;
    let group = chars["body"]["content"]["characters"]
        .as_str()
        .unwrap_or_default();
    let listed = server
        .group(group)
        .map(|g| g.characters)
        .unwrap_or_default();
    check(listed == vec![agent.clone(), user_id.clone()], || {
        format!("character list {listed:?}")
    })?;
    let history = server.history(CHANNEL);
    check(
        history
            .iter()
            .any(|m| m.direction == "message_up" && m.sender == user_id)
            && history
                .iter()
                .any(|m| m.direction == "message_down" && m.sender == agent),
        || format!("history {history:?}"),
    )?;
    let rejected: Vec<&Value> = frames
        .iter()
        .filter(|f| f["type"] == "copy" && f["body"]["status"] == false)
        .collect();
    check(rejected.is_empty(), || {
        format!("frames rejected: {rejected:?}")
    })?;
    Ok(())
}

#[tokio::test]
async fn official_python_sdk_service_and_user_talk_through_the_devserver() {
    let Some(python) = python() else {
        return;
    };
    let server = DevServer::builder()
        .user("service@example.com", "service-pw")
        .user("user@example.com", "user-pw")
        .channel(CHANNEL, "Interop")
        .start()
        .await
        .expect("devserver starts");
    let cwd = temp_cwd("interop");

    let mut svc = None;
    let mut user = None;
    let result = tokio::time::timeout(TOTAL, scenario(&server, &mut svc, &mut user, &python, &cwd))
        .await
        .unwrap_or_else(|_| Err(format!("interop test exceeded {} s", TOTAL.as_secs())));
    for p in [&mut svc, &mut user].into_iter().flatten() {
        p.kill().await;
    }
    // Let the output collectors drain the pipes.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let outputs: String = [&svc, &user]
        .iter()
        .filter_map(|p| p.as_ref())
        .map(Py::tail)
        .collect();
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&cwd);
    if let Err(e) = result {
        panic!("python interop failed: {e}\n{outputs}");
    }
}
