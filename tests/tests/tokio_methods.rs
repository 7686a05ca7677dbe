//! moobius-tokio specifics against the devserver: a service with only the
//! default callbacks. Every `Moobius` method in both modes is in the driver
//! conformance suite (`driver_conformance.rs`), run against both drivers.

mod tokio_support;

use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::model::Button;
use moobius_tokio::{Click, Service};
use tokio_support::*;

fn alice_only(alice: &str) -> Recipients {
    Recipients::Characters(vec![alice.into()])
}

/// The default callbacks of a service with none overridden do nothing
/// harmful: every event goes through them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_callbacks() {
    struct Silent;
    impl Service for Silent {
        type Spell = u32;
    }
    let server = devserver().await;
    let svc = moobius_tokio::spawn(service_config(&server), Silent);
    within("ready", svc.moobius().wait_ready()).await.unwrap();
    let user = moobius_tokio::spawn(user_config(&server, ALICE), Silent);
    within("user ready", user.moobius().wait_ready())
        .await
        .unwrap();
    let alice = server.user_id(ALICE).unwrap();
    within(
        "alice is a member",
        server.wait_until(WAIT, |s| s.members(CHANNEL).contains(&alice).then_some(())),
    )
    .await
    .unwrap();
    user.moobius()
        .send_message(MessageSpec::text(CHANNEL, "hi", Recipients::Service))
        .await
        .unwrap();
    user.moobius()
        .send_button_click(Click::new(CHANNEL, "b"))
        .await
        .unwrap();
    let m = svc.moobius();
    m.send_buttons(CHANNEL, vec![Button::new("b", "B")], alice_only(&alice))
        .await
        .unwrap();
    m.send_message(MessageSpec::text(CHANNEL, "yo", alice_only(&alice)))
        .await
        .unwrap();
    svc.spell(7).await.unwrap();
    // No db_config, no storage.
    assert!(m.open_storage(CHANNEL).await.unwrap().is_none());
    within(
        "alice got it",
        server.wait_for_user_frame(&alice, WAIT, |f| f["body"]["content"]["text"] == "yo"),
    )
    .await
    .unwrap();
    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}
