//! The devserver's state file (`DevServerBuilder::state_file`, `--state`):
//! what a service author builds survives a restart, and the Rust SDK service
//! with the saved service id starts against the restarted server; corrupt
//! or newer files are refused and left alone; saves are atomic.

mod tokio_support;

use moobius_devserver::{DevServer, DevServerBuilder, DevServerError};
use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::ids::ServiceId;
use moobius_tokio::proto::session::Role;
use moobius_tokio::Profile;
use std::path::Path;
use std::time::Duration;
use tokio_support::*;

/// The seeds of every start in these tests, keeping the state in `path`.
fn builder(path: &Path) -> DevServerBuilder {
    DevServer::builder()
        .user(SERVICE, PASSWORD)
        .user(ALICE, PASSWORD)
        .channel(CHANNEL, "Lobby")
        .state_file(path)
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Whether the file contains `text` within a few seconds (polled).
async fn file_soon_contains(path: &Path, text: &str) -> bool {
    for _ in 0..500 {
        if std::fs::read_to_string(path).is_ok_and(|s| s.contains(text)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_and_its_channel_survive_a_restart() {
    init_logging();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");

    // First run: the SDK creates a service and binds it; Alice joins,
    // posts and uploads; the service makes an agent and a group.
    let server = builder(&path)
        .state_save_delay(Duration::from_millis(20))
        .start()
        .await
        .expect("starts");
    assert!(path.is_file(), "the state file is created at start");
    let (svc, mut seen) = start(service_config(&server)).await;
    let sid = svc.moobius().own_id().expect("service id");
    let agent = svc
        .moobius()
        .create_agent(Profile::new("Keeper"))
        .await
        .unwrap();
    let group = svc
        .moobius()
        .create_service_group(vec![agent.character_id.clone()])
        .await
        .unwrap();
    let (user, _) = start(user_config(&server, ALICE)).await;
    seen.expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;
    user.moobius()
        .send_message(MessageSpec::text(
            CHANNEL,
            "remember me",
            Recipients::Service,
        ))
        .await
        .unwrap();
    seen.next_text("the first message").await;
    // A websocket frame is a change the saver hears of: the message reaches
    // the file without a shutdown.
    assert!(
        file_soon_contains(&path, "remember me").await,
        "saved after the message"
    );
    let url = user
        .moobius()
        .upload_bytes("note.txt", &b"bytes that survive"[..])
        .await
        .unwrap();
    let path_of_file = url
        .strip_prefix(&server.http_uri())
        .expect("a URL on the server")
        .to_owned();
    let alice = server.user_id(ALICE).unwrap();
    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.stop().await.expect("the final save works");
    assert_eq!(
        names(dir.path()),
        ["state.json", "state.json.files"],
        "no temp files left"
    );
    assert_eq!(names(&dir.path().join("state.json.files")).len(), 1);

    // Second run, same file.
    let server = builder(&path).start().await.expect("restarts");
    let services = server.services();
    assert_eq!(services.len(), 1, "{services:?}");
    assert_eq!(services[0].service_id, sid);
    assert_eq!(server.bindings(), [(CHANNEL.to_owned(), sid.clone())]);
    assert_eq!(server.members(CHANNEL), vec![alice.clone()]);
    assert_eq!(server.user_id(ALICE), Some(alice.clone()), "same id");
    let history = server.history(CHANNEL);
    assert!(
        history
            .iter()
            .any(|m| m.body["content"]["text"] == "remember me" && m.sender == alice),
        "{history:?}"
    );
    let agents = server.agents();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].character_id, agent.character_id.as_str());
    assert_eq!(
        server.group(group.group_id.as_str()).map(|g| g.characters),
        Some(vec![agent.character_id.as_str().to_owned()])
    );
    assert_eq!(server.file_keys().len(), 1);

    // The SDK service with the saved id starts against it, without creating
    // another service, and hears Alice (who signs in again: tokens are not
    // kept).
    let mut config = service_config(&server);
    config.session.role = Role::service(Some(ServiceId::new(&sid)), vec![CHANNEL.into()]);
    let (svc, mut seen) = start(config).await;
    assert_eq!(svc.moobius().own_id().as_deref(), Some(sid.as_str()));
    assert_eq!(server.services().len(), 1, "no new service");
    let (user, _) = start(user_config(&server, ALICE)).await;
    let bytes = user
        .moobius()
        .download_bytes(format!("{}{path_of_file}", server.http_uri()))
        .await
        .unwrap();
    assert_eq!(&bytes[..], b"bytes that survive");
    user.moobius()
        .send_message(MessageSpec::text(
            CHANNEL,
            "still here",
            Recipients::Service,
        ))
        .await
        .unwrap();
    let m = seen
        .expect("the message after the restart", |s| match s {
            Seen::MessageUp(m) if m.content.text.as_deref() == Some("still here") => {
                Some(m.clone())
            }
            _ => None,
        })
        .await;
    assert_eq!(m.sender.as_str(), alice);
    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn changes_are_saved_without_a_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let server = builder(&path)
        .state_save_delay(Duration::from_millis(10))
        .start()
        .await
        .unwrap();
    server.seed_user("late@test.local", PASSWORD).unwrap();
    assert!(file_soon_contains(&path, "late@test.local").await);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("\"version\": 1"), "{saved}");

    // Dropping the handle saves too.
    server.seed_channel("dropped", "Dropped").unwrap();
    drop(server);
    let restarted = builder(&path).start().await.unwrap();
    assert!(restarted.channel("dropped").is_some());
    assert!(restarted.user_id("late@test.local").is_some());
    restarted.shutdown().await;
}

#[tokio::test]
async fn seeds_are_added_when_missing_and_kept_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let server = builder(&path).start().await.unwrap();
    let alice = server.user_id(ALICE).unwrap();
    let svc_owner = server.user_id(SERVICE).unwrap();
    let sid = server.seed_service(&svc_owner, "mine").unwrap();
    server.stop().await.unwrap();

    // The same seeds again, plus Bob and the saved service named by id.
    let server = builder(&path)
        .user(BOB, PASSWORD)
        .service(sid.clone(), SERVICE)
        .start()
        .await
        .expect("existing seeds are no error");
    assert_eq!(server.user_id(ALICE), Some(alice));
    assert!(server.user_id(BOB).is_some(), "a new seed is added");
    assert_eq!(server.users().len(), 3);
    assert_eq!(server.services().len(), 1);
    server.stop().await.unwrap();

    // A seed that contradicts the file is refused.
    let e = builder(&path)
        .service(sid, ALICE)
        .start()
        .await
        .expect_err("another owner");
    assert!(e.to_string().contains("belongs to another account"), "{e}");
}

#[tokio::test]
async fn corrupt_and_newer_files_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, says) in [
        (
            "corrupt.json",
            "{\"version\": 1, \"accounts\": [{",
            "is corrupt",
        ),
        (
            "wrong.json",
            "{\"version\": 1, \"channels\": 7}",
            "is corrupt",
        ),
        (
            "newer.json",
            "{\"version\": 2, \"accounts\": []}",
            "newer moobius-devserver (format version 2",
        ),
        ("other.json", "{\"name\": \"not ours\"}", "no `version`"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let e = builder(&path).start().await.expect_err(name);
        match &e {
            DevServerError::State { path: p, message } => {
                assert_eq!(p, &path);
                assert!(message.contains(says), "{name}: {message}");
            }
            other => panic!("{name}: not a state error: {other:?}"),
        }
        assert!(e.to_string().contains(name), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "unchanged");
    }
    // A file naming an unknown service in a binding is inconsistent.
    let path = dir.path().join("dangling.json");
    std::fs::write(
        &path,
        r#"{"version": 1, "channels": [{"channel_id": "c", "name": "C", "service_id": "nope"}]}"#,
    )
    .unwrap();
    let e = builder(&path).start().await.expect_err("dangling");
    assert!(e.to_string().contains("unknown service `nope`"), "{e}");
}

#[tokio::test]
async fn a_failed_save_keeps_the_old_file_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let server = builder(&path)
        .state_save_delay(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    // A folder where the temp file goes makes every write fail (even as
    // root, for whom a read-only folder is no obstacle).
    let blocker = dir.path().join(".s.json.tmp");
    std::fs::create_dir(&blocker).unwrap();
    server.seed_user("new@test.local", PASSWORD).unwrap();
    let e = server.save_state().await.expect_err("cannot write");
    assert!(matches!(e, DevServerError::State { .. }), "{e:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "old file intact");
    std::fs::remove_dir(&blocker).unwrap();
    server.save_state().await.expect("retried");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("new@test.local"));
    server.stop().await.unwrap();
    assert_eq!(names(dir.path()), ["s.json"], "no temp files, no uploads");
}

#[tokio::test]
async fn without_a_state_file_the_state_is_in_memory_only() {
    let server = DevServer::builder()
        .user(ALICE, PASSWORD)
        .start()
        .await
        .unwrap();
    assert_eq!(server.state_file(), None);
    server.save_state().await.expect("a no-op");
    server.stop().await.unwrap();
}
