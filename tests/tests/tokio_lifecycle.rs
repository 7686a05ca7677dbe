//! moobius-tokio's lifecycle: callback ordering while a callback awaits,
//! errors and panics in callbacks, graceful stop, the Wand and its spells,
//! Ctrl-C, fatal start-up errors, and the config file with service-id
//! write-back.

mod tokio_support;

use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::session::{FatalError, Role};
use moobius_tokio::{Config, Error, Wand, ENV_PASSWORD};
use std::time::{Duration, Instant};
use tokio_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_keep_their_order_while_one_awaits() {
    init_logging();
    let server = devserver().await;
    let (svc, mut seen) = start(service_config(&server)).await;
    let (user, _) = start(user_config(&server, ALICE)).await;
    seen.expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;

    // The "slow" spell awaits a platform call (served by the same loop)
    // and a sleep; a message arriving meanwhile waits its turn.
    svc.spell("slow".into()).await.unwrap();
    seen.expect("spell", |s| {
        matches!(s, Seen::Spell(x) if x == "slow").then_some(())
    })
    .await;
    user.moobius()
        .send_message(MessageSpec::text(CHANNEL, "meanwhile", Recipients::Service))
        .await
        .unwrap();
    let next = seen
        .expect("the slow spell's end or the message", |s| match s {
            Seen::Note(n) => Some(n.clone()),
            Seen::MessageUp(_) => Some("message".into()),
            _ => None,
        })
        .await;
    assert_eq!(
        next, "slow-end members_ok=true",
        "the message came after the callback"
    );
    assert_eq!(
        seen.next_text("message").await.content.text.as_deref(),
        Some("meanwhile")
    );

    // Errors and panics in callbacks are logged; the service goes on.
    for spell in ["fail", "panic", "members"] {
        svc.spell(spell.into()).await.unwrap();
    }
    let note = seen
        .expect("members note", |s| match s {
            Seen::Note(n) => Some(n.clone()),
            _ => None,
        })
        .await;
    assert_eq!(note, "members=1");
    assert!(!svc.moobius().is_stopped());

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_stop() {
    init_logging();
    let server = devserver().await;
    let (svc, mut seen) = start(service_config(&server)).await;
    let m = svc.moobius().clone();
    let sid = m.own_id().unwrap();

    // Stop while a callback sleeps before its platform call: the callback
    // finishes, its call fails because the session is closed.
    svc.spell("late".into()).await.unwrap();
    seen.expect("spell", |s| {
        matches!(s, Seen::Spell(x) if x == "late").then_some(())
    })
    .await;
    let t0 = Instant::now();
    within("stop", svc.stop()).await.unwrap();
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    let note = seen
        .expect("late note", |s| match s {
            Seen::Note(n) => Some(n.clone()),
            _ => None,
        })
        .await;
    assert_eq!(note, "late-end members_ok=false");

    // The handle outlives the service and says so.
    assert!(m.is_stopped());
    assert!(matches!(m.fetch_agents().await, Err(Error::Stopped)));
    assert!(matches!(m.wait_ready().await, Err(Error::Stopped)));

    // The socket was closed.
    let closed = server
        .wait_until(WAIT, |s| {
            s.connections()
                .iter()
                .filter(|c| c.user_id().is_some() || c.login.is_some())
                .all(|c| !c.open)
                .then_some(())
        })
        .await;
    assert!(closed.is_some(), "connections of {sid} still open");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wand_runs_services_and_delivers_spells() {
    init_logging();
    let server = devserver().await;
    let mut wand = Wand::new();
    let (rec, mut seen) = recorder();
    let svc = wand.spawn(service_config(&server), rec);
    within("service ready", svc.moobius().wait_ready())
        .await
        .unwrap();
    let (urec, mut user_seen) = recorder();
    let user = wand.spawn(user_config(&server, ALICE), urec);
    within("user ready", user.moobius().wait_ready())
        .await
        .unwrap();
    assert_eq!((svc.id(), user.id(), wand.len()), (1, 2, 2));
    seen.expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;

    for spell in ["a", "b", "c", "members"] {
        wand.spell(&svc, spell.into()).await.unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 5 {
        got.push(
            seen.expect("spells", |s| match s {
                Seen::Spell(x) => Some(x.clone()),
                Seen::Note(n) => Some(n.clone()),
                _ => None,
            })
            .await,
        );
    }
    assert_eq!(got, ["a", "b", "c", "members", "members=1"]);
    wand.spell(&user, "x".into()).await.unwrap();
    user_seen
        .expect("user spell", |s| {
            matches!(s, Seen::Spell(x) if x == "x").then_some(())
        })
        .await;

    within("stop one", wand.stop(&user)).await.unwrap();
    assert_eq!(wand.len(), 1);
    assert!(user.moobius().is_stopped());
    within("stop all", wand.stop_all()).await.unwrap();
    assert!(wand.is_empty());
    assert!(svc.moobius().is_stopped());
    assert!(matches!(
        wand.spell(&svc, "late".into()).await,
        Err(Error::Stopped)
    ));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_every_service() {
    init_logging();
    let server = devserver().await;
    let mut wand = Wand::new();
    let (rec, _seen) = recorder();
    let svc = wand.spawn(service_config(&server), rec);
    let (urec, _user_seen) = recorder();
    let user = wand.spawn(user_config(&server, ALICE), urec);
    within("ready", svc.moobius().wait_ready()).await.unwrap();
    within("ready", user.moobius().wait_ready()).await.unwrap();
    let waiting = tokio::spawn(async move {
        let r = wand.run_until_ctrl_c().await;
        (r, wand.is_empty())
    });
    // Let the wand listen for the signal, then send it to this process.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = std::process::Command::new("kill")
        .args(["-INT", &std::process::id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let (result, empty) = within("stopped by Ctrl-C", waiting).await.unwrap();
    result.unwrap();
    assert!(empty);
    assert!(svc.moobius().is_stopped() && user.moobius().is_stopped());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_fatal() {
    init_logging();
    let server = devserver().await;
    let bad = Config::new(session(
        &server,
        SERVICE,
        "wrong",
        Role::service(None, vec![CHANNEL.into()]),
    ));
    let (rec, _seen) = recorder();
    let running = moobius_tokio::spawn(bad.clone(), rec);
    let m = running.moobius().clone();
    assert!(matches!(
        within("ready fails", m.wait_ready()).await,
        Err(Error::Stopped)
    ));
    let r = within("run ends", running.wait()).await;
    assert!(
        matches!(r, Err(Error::Fatal(FatalError::SignIn(_)))),
        "{r:?}"
    );
    // The foreground runner ends the same way.
    let (rec, _seen) = recorder();
    let r = within("run", moobius_tokio::run(bad, rec)).await;
    assert!(matches!(r, Err(Error::Fatal(_))), "{r:?}");
    assert!(server.services().is_empty());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_and_service_id_write_back() {
    init_logging();
    let server = devserver().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let text = serde_json::json!({
        "account_config": {"email": SERVICE, "password": "set-by-the-environment"},
        "service_config": {
            "http_server_uri": format!("{}/", server.http_uri()),
            "ws_server_uri": server.ws_uri(),
            "service_id": "",
            "channels": [CHANNEL],
            "others": "include",
            "checkin_interval": 3600
        },
        "db_config": [{"implementation": "json", "name": "stats",
                       "settings": {"root_dir": dir.path().join("data")}}],
        "log_config": {"terminal_log_level": "WARNING"}
    });
    std::fs::write(&path, serde_json::to_string_pretty(&text).unwrap()).unwrap();
    let env = |k: &str| (k == ENV_PASSWORD).then(|| PASSWORD.to_owned());

    let config = Config::load_with_env(&path, env).unwrap();
    let (first, _seen) = start(config).await;
    let sid = first.moobius().own_id().unwrap();
    assert!(first.moobius().storage_config().unwrap().is_array());
    // Per-channel storage from db_config, under the service's id.
    let storage = first
        .moobius()
        .open_storage(CHANNEL)
        .await
        .unwrap()
        .unwrap();
    let stats = storage.container("stats").unwrap();
    stats.set("alice", &3u64).await.unwrap();
    assert_eq!(stats.get::<u64>("alice").await.unwrap(), Some(3));
    let file = dir.path().join(format!(
        "data/service_{sid}/channel_{CHANNEL}/stats/alice.json"
    ));
    assert!(file.exists(), "{}", file.display());
    first.stop().await.unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["service_config"]["service_id"], sid.as_str());
    assert_eq!(
        saved["account_config"]["password"],
        "set-by-the-environment"
    );

    // The second run reuses the saved service.
    let config = Config::load_with_env(&path, env).unwrap();
    let (second, _seen) = start(config).await;
    assert_eq!(second.moobius().own_id().as_deref(), Some(sid.as_str()));
    assert_eq!(server.services().len(), 1);
    second.stop().await.unwrap();
    server.shutdown().await;
}
