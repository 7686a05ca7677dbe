//! Every `Moobius` method of moobius-tokio, end to end against the
//! devserver, in service mode and in user mode.

mod tokio_support;

use moobius_tokio::proto::compose::{Card, FileSource, MessageSpec, Recipients};
use moobius_tokio::proto::http::{ChannelGroupQuery, FetchMessageHistory};
use moobius_tokio::proto::ids::{ChannelId, CharacterId};
use moobius_tokio::proto::model::{
    Button, CanvasItem, ChannelInfo, Display, MenuItem, MessageSubtype, StyleItem, Widget,
};
use moobius_tokio::proto::session::CommandError;
use moobius_tokio::{Click, DownloadOptions, MenuClick, Mode, NewChannel, Profile};
use moobius_tokio::{Error, Service};
use tokio_support::*;

/// 1×1 PNG.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn alice_only(alice: &str) -> Recipients {
    Recipients::Characters(vec![alice.into()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_mode_methods() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let files = tempfile::tempdir().unwrap();
    let png = temp_file(&files, "avatar.png", PNG);

    let (svc, mut svc_seen) = start(service_config(&server)).await;
    let m = svc.moobius().clone();
    // Start-up callbacks, in order.
    svc_seen
        .expect("before_channel_init", |s| {
            matches!(s, Seen::BeforeChannelInit).then_some(())
        })
        .await;
    svc_seen
        .expect("on_channel_init", |s| {
            matches!(s, Seen::ChannelInit(c) if c == CHANNEL).then_some(())
        })
        .await;
    svc_seen
        .expect("checkin by default", |s| {
            matches!(s, Seen::Checkin(c) if c == CHANNEL).then_some(())
        })
        .await;
    svc_seen
        .expect("on_start", |s| matches!(s, Seen::Start).then_some(()))
        .await;
    let sid = m.own_id().expect("service id known");
    assert_eq!(m.mode(), Mode::Service);
    assert_eq!(m.channels(), vec![ChannelId::new(CHANNEL)]);
    assert_eq!(server.bindings(), vec![(CHANNEL.to_owned(), sid.clone())]);

    let (user, mut alice_seen) = start(user_config(&server, ALICE)).await;
    svc_seen
        .expect("alice joins", |s| {
            matches!(s, Seen::Join(a) if a.sender == alice.as_str()).then_some(())
        })
        .await;

    // ---- characters and agents ----
    let members = m.fetch_member_ids(CHANNEL).await.unwrap();
    assert_eq!(members, vec![CharacterId::new(&alice)]);
    let profiles = m.fetch_character_profile(members.clone()).await.unwrap();
    assert_eq!(profiles[0].character_id, alice.as_str());
    let agent = m
        .create_agent(
            Profile::new("Helper")
                .avatar(png.to_string_lossy())
                .description("helps"),
        )
        .await
        .unwrap();
    assert!(
        agent.avatar.as_deref().unwrap_or("").starts_with("http://"),
        "{agent:?}"
    );
    assert_eq!(agent.description.as_deref(), Some("helps"));
    let agents = m.fetch_agents().await.unwrap();
    assert!(agents.iter().any(|a| a.character_id == agent.character_id));
    m.update_agent(agent.character_id.clone(), Profile::new("Helper 2"))
        .await
        .unwrap();
    assert!(server.agents().iter().any(|a| a.name == "Helper 2"));
    let everyone = m.fetch_characters(CHANNEL).await.unwrap();
    let ids: Vec<_> = everyone.iter().map(|c| c.character_id.as_str()).collect();
    assert_eq!(
        ids,
        [alice.as_str(), agent.character_id.as_str()],
        "members, then agents"
    );

    // ---- messages (text with len_limit, local image, file by URL, card) ----
    let spec = MessageSpec::text(CHANNEL, "hello there, alice", alice_only(&alice))
        .sender(agent.character_id.clone())
        .len_limit(5);
    m.send_message(spec).await.unwrap();
    let got = alice_seen.next_text("text message").await;
    assert_eq!(got.content.text.as_deref(), Some("hello...18 chars"));
    assert_eq!(got.sender, agent.character_id);
    let img = MessageSpec::image(CHANNEL, FileSource::Local(png.clone()), alice_only(&alice));
    m.send_message(img.sender(agent.character_id.clone()))
        .await
        .unwrap();
    let got = alice_seen
        .expect("image", |s| match s {
            Seen::MessageDown(m) if m.subtype == MessageSubtype::Image => Some(m.clone()),
            _ => None,
        })
        .await;
    let image_url = got.content.path.clone().unwrap();
    assert!(image_url.starts_with("http://"), "{image_url}");
    let report = server.put_file("docs/report.pdf", &b"%PDF-1.4 tiny"[..], "application/pdf");
    let file = MessageSpec::file(CHANNEL, FileSource::Url(report.clone()), alice_only(&alice));
    m.send_message(file).await.unwrap();
    let got = alice_seen
        .expect("file", |s| match s {
            Seen::MessageDown(m) if m.subtype == MessageSubtype::File => Some(m.clone()),
            _ => None,
        })
        .await;
    assert_eq!(got.content.size, Some(13), "size asked with HEAD");
    assert_eq!(got.content.filename.as_deref(), Some("report.pdf"));
    assert_eq!(got.sender, "no_sender");
    let card = Card {
        text: "read me".into(),
        link: "https://example.com/".into(),
        title: Some("Title".into()),
        button: "Open".into(),
    };
    m.send_message(MessageSpec::card(CHANNEL, card, alice_only(&alice)))
        .await
        .unwrap();
    alice_seen
        .expect("card", |s| matches!(s, Seen::MessageDown(m) if m.subtype == MessageSubtype::Card && m.content.link.is_some()).then_some(()))
        .await;
    m.send_text(CHANNEL, "plain", alice_only(&alice), None)
        .await
        .unwrap();
    assert_eq!(
        alice_seen
            .next_text("send_text")
            .await
            .content
            .text
            .as_deref(),
        Some("plain")
    );

    // ---- interface updates ----
    let list = vec![CharacterId::new(&alice), agent.character_id.clone()];
    m.send_characters(CHANNEL, list.clone(), alice_only(&alice))
        .await
        .unwrap();
    let shown = alice_seen
        .expect("characters", |s| match s {
            Seen::Characters(_, ids) => Some(ids.clone()),
            _ => None,
        })
        .await;
    assert_eq!(shown, list, "ids resolved from the group, in order");
    m.send_buttons(CHANNEL, vec![Button::new("b1", "One")], alice_only(&alice))
        .await
        .unwrap();
    alice_seen
        .expect("buttons", |s| {
            matches!(s, Seen::Buttons(b) if b[0].button_id == "b1").then_some(())
        })
        .await;
    let item = MenuItem::new("mi", "Do it", [MessageSubtype::Text]);
    m.send_menu(CHANNEL, vec![item], alice_only(&alice))
        .await
        .unwrap();
    alice_seen
        .expect("menu", |s| {
            matches!(s, Seen::Menu(i) if i[0].menu_item_id == "mi").then_some(())
        })
        .await;
    m.send_style(
        CHANNEL,
        vec![StyleItem::new(Widget::Canvas, Display::Highlight)],
        alice_only(&alice),
    )
    .await
    .unwrap();
    alice_seen
        .expect("style", |s| {
            matches!(s, Seen::Style(i) if i[0].display == Display::Highlight).then_some(())
        })
        .await;
    let canvas = vec![
        CanvasItem::text("hi"),
        CanvasItem {
            text: Some("pic".into()),
            path: Some(png.to_string_lossy().into_owned()),
        },
    ];
    m.send_canvas(CHANNEL, canvas, alice_only(&alice))
        .await
        .unwrap();
    let items = alice_seen
        .expect("canvas", |s| match s {
            Seen::Canvas(i) => Some(i.clone()),
            _ => None,
        })
        .await;
    assert_eq!(
        items[1].path.as_deref(),
        Some(image_url.as_str()),
        "same bytes, same URL"
    );
    let info = ChannelInfo {
        channel_id: CHANNEL.into(),
        channel_name: "Big Lobby".into(),
        channel_description: "d".into(),
        channel_type: "ccs".into(),
    };
    m.send_channel_info(info).await.unwrap();
    alice_seen
        .expect("channel info", |s| {
            matches!(s, Seen::ChannelInfo(i) if i.channel_name == "Big Lobby").then_some(())
        })
        .await;
    m.send_update(serde_json::json!({"anything": 1}))
        .await
        .unwrap();
    m.send("custom_type", serde_json::json!({"x": 1}))
        .await
        .unwrap();
    m.send_heartbeat().await.unwrap();

    // ---- channels and bindings ----
    let second = m
        .create_channel(NewChannel::new("Second").description("two"))
        .await
        .unwrap();
    assert!(m.channels().contains(&second));
    assert!(server
        .bindings()
        .contains(&(second.to_string(), sid.clone())));
    m.update_channel(second.clone(), "Renamed", "new")
        .await
        .unwrap();
    assert_eq!(server.channel(second.as_str()).unwrap().name, "Renamed");
    let unbound = m
        .create_channel(NewChannel::new("Loose").bind(false))
        .await
        .unwrap();
    assert!(!server
        .bindings()
        .iter()
        .any(|(c, _)| *c == unbound.as_str()));
    let bound = m.fetch_bound_channels().await.unwrap();
    assert!(bound.contains(&ChannelId::new(CHANNEL)) && bound.contains(&second));
    m.unbind(second.clone()).await.unwrap();
    assert!(!m
        .fetch_service_id_each_channel()
        .await
        .unwrap()
        .contains_key(&second));
    m.bind(second.clone()).await.unwrap();
    assert_eq!(
        m.fetch_service_id_each_channel()
            .await
            .unwrap()
            .get(&second)
            .map(|s| s.as_str()),
        Some(sid.as_str())
    );
    let services = m.fetch_service_id_list().await.unwrap();
    assert!(services
        .services
        .iter()
        .any(|s| s.service_id == sid.as_str()));
    assert!(m
        .fetch_popular_channels()
        .await
        .unwrap()
        .contains(&ChannelId::new(CHANNEL)));
    m.fetch_channel_list().await.unwrap();

    // ---- groups ----
    let g = m.create_service_group(list.clone()).await.unwrap();
    assert_eq!(
        m.character_ids_of_service_group(g.group_id.clone())
            .await
            .unwrap(),
        list
    );
    let cg = m
        .create_channel_group(CHANNEL, "friends", vec![CharacterId::new(&alice)])
        .await
        .unwrap();
    let in_group = m
        .character_ids_of_channel_group(ChannelGroupQuery {
            sender_id: alice.as_str().into(),
            channel_id: CHANNEL.into(),
            group_id: cg.group_id,
        })
        .await
        .unwrap();
    assert_eq!(in_group, vec![CharacterId::new(&alice)]);
    m.fetch_channel_group_list(CHANNEL).await.unwrap();
    m.fetch_channel_temp_group(CHANNEL).await.unwrap();

    // ---- history ----
    let history = m
        .fetch_message_history(FetchMessageHistory::new(CHANNEL).limit(100))
        .await
        .unwrap();
    assert!(history.len() >= 5, "{history:?}");

    // ---- files ----
    let keys_before = server.file_keys().len();
    let url = m.upload(&png).await.unwrap();
    assert_eq!(url, image_url, "uploaded once per content");
    assert_eq!(server.file_keys().len(), keys_before);
    let url2 = m
        .upload_bytes("notes.txt", &b"some notes"[..])
        .await
        .unwrap();
    assert_eq!(
        &m.download_bytes(url2.clone()).await.unwrap()[..],
        b"some notes"
    );
    let dl = tempfile::tempdir().unwrap();
    let saved = m
        .download(url2.clone(), DownloadOptions::into_dir(dl.path()))
        .await
        .unwrap();
    assert!(saved.starts_with(dl.path()));
    assert_eq!(std::fs::read(&saved).unwrap(), b"some notes");
    let again = m
        .download(url2.clone(), DownloadOptions::into_dir(dl.path()))
        .await;
    assert!(matches!(again, Err(Error::FileExists(_))), "{again:?}");
    m.download(
        url2.clone(),
        DownloadOptions::into_dir(dl.path()).overwrite(true),
    )
    .await
    .unwrap();
    let escape = m
        .download(
            url2,
            DownloadOptions::into_dir(dl.path()).file_name("../escape.txt"),
        )
        .await;
    assert!(
        matches!(escape, Err(Error::InvalidArgument(_))),
        "{escape:?}"
    );
    assert!(!dl.path().parent().unwrap().join("escape.txt").exists());

    // ---- accounts ----
    m.refresh_authentication().await.unwrap();
    m.authenticate().await.unwrap();
    assert!(
        matches!(m.sign_up().await, Err(Error::Op(_))),
        "the account exists"
    );
    m.sign_out().await.unwrap();
    m.authenticate().await.unwrap();
    m.fetch_agents().await.unwrap();

    // ---- no db_config, no storage ----
    assert!(m.open_storage(CHANNEL).await.unwrap().is_none());

    // ---- refused at once: user-mode commands ----
    let wrong = m.join_channel(CHANNEL).await;
    assert!(
        matches!(wrong, Err(Error::Command(CommandError::WrongMode(_)))),
        "{wrong:?}"
    );
    let empty = m
        .send_message(MessageSpec::text(
            CHANNEL,
            "x",
            Recipients::Characters(vec![]),
        ))
        .await;
    assert!(
        matches!(empty, Err(Error::Command(CommandError::NoRecipients))),
        "{empty:?}"
    );

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_mode_methods() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let files = tempfile::tempdir().unwrap();
    let png = temp_file(&files, "me.png", PNG);
    let (svc, mut svc_seen) = start(service_config(&server)).await;
    let s = svc.moobius().clone();
    let (user, mut alice_seen) = start(user_config(&server, ALICE)).await;
    let a = user.moobius().clone();
    assert_eq!(a.mode(), Mode::User);
    assert_eq!(a.own_id().as_deref(), Some(alice.as_str()));
    svc_seen
        .expect("join at start", |x| {
            matches!(x, Seen::Join(j) if j.sender == alice.as_str()).then_some(())
        })
        .await;
    assert!(server.members(CHANNEL).contains(&alice));

    // Messages up: to the service only, to characters (a channel group), a local image.
    a.send_message(MessageSpec::text(
        CHANNEL,
        "to the service",
        Recipients::Service,
    ))
    .await
    .unwrap();
    let up = svc_seen.next_text("message_up").await;
    assert_eq!(up.content.text.as_deref(), Some("to the service"));
    assert_eq!(up.sender, alice.as_str());
    assert!(
        matches!(up.recipients, Some(moobius_tokio::proto::model::CharacterRefs::Ids(ref r)) if r.is_empty())
    );
    a.send_message(MessageSpec::text(CHANNEL, "to me", alice_only(&alice)))
        .await
        .unwrap();
    let up = svc_seen.next_text("message_up to characters").await;
    assert!(
        matches!(up.recipients, Some(moobius_tokio::proto::model::CharacterRefs::Ids(ref r)) if r == &[CharacterId::new(&alice)]),
        "recipients resolved: {:?}",
        up.recipients
    );
    a.send_message(MessageSpec::image(
        CHANNEL,
        FileSource::Local(png.clone()),
        Recipients::Service,
    ))
    .await
    .unwrap();
    svc_seen
        .expect("image up", |x| matches!(x, Seen::MessageUp(m) if m.subtype == MessageSubtype::Image && m.content.path.as_deref().is_some_and(|p| p.starts_with("http://"))).then_some(()))
        .await;

    // Actions: refresh, button click with a dialog, menu click on a received message.
    a.send_refresh(CHANNEL).await.unwrap();
    svc_seen
        .expect("refresh", |x| {
            matches!(x, Seen::Refresh(r) if r.sender == alice.as_str()).then_some(())
        })
        .await;
    a.send_button_click(
        Click::new(CHANNEL, "repeat")
            .argument("How many?", "2")
            .bottom_button("double"),
    )
    .await
    .unwrap();
    let click = svc_seen
        .expect("button click", |x| match x {
            Seen::ButtonClick(c) => Some(c.clone()),
            _ => None,
        })
        .await;
    assert_eq!(click.button_id, "repeat");
    assert_eq!(click.arguments[0].value, "2");
    assert_eq!(click.bottom_button_id.as_deref(), Some("double"));
    s.send_message(MessageSpec::text(
        CHANNEL,
        "right-click me",
        alice_only(&alice),
    ))
    .await
    .unwrap();
    let down = alice_seen.next_text("message_down").await;
    a.send_menu_item_click(MenuClick::on_message("mi_shout", &down).argument("loud", "yes"))
        .await
        .unwrap();
    let mclick = svc_seen
        .expect("menu click", |x| match x {
            Seen::MenuItemClick(c) => Some(c.clone()),
            _ => None,
        })
        .await;
    assert_eq!(mclick.menu_item_id, "mi_shout");
    assert_eq!(
        mclick.message_content.text.as_deref(),
        Some("right-click me")
    );
    assert_eq!(mclick.message_subtype, MessageSubtype::Text);
    assert_eq!(mclick.arguments[0].label, "loud");

    // Join and leave another channel bound to the service.
    let other = s.create_channel(NewChannel::new("Other")).await.unwrap();
    a.join_channel(other.clone()).await.unwrap();
    svc_seen
        .expect("join other", |x| {
            matches!(x, Seen::Join(j) if j.channel_id == other).then_some(())
        })
        .await;
    assert!(server.members(other.as_str()).contains(&alice));
    assert!(a.fetch_channel_list().await.unwrap().contains(&other));
    a.leave_channel(other.clone()).await.unwrap();
    svc_seen
        .expect("leave other", |x| {
            matches!(x, Seen::Leave(l) if l.channel_id == other).then_some(())
        })
        .await;
    assert!(!server.members(other.as_str()).contains(&alice));

    // Account and channel calls as a user.
    a.update_current_user(
        Profile::new("Alice A")
            .avatar(png.to_string_lossy())
            .description("me"),
    )
    .await
    .unwrap();
    assert!(server.users().iter().any(|u| u.name == "Alice A"));
    let mine = a
        .create_channel(NewChannel::new("Alice's").bind(false))
        .await
        .unwrap();
    assert!(server.channel(mine.as_str()).is_some());
    assert!(a
        .fetch_member_ids(CHANNEL)
        .await
        .unwrap()
        .contains(&CharacterId::new(&alice)));
    a.send_heartbeat().await.unwrap();

    // Service-mode commands are refused at once.
    let wrong = a
        .send_buttons(CHANNEL, vec![Button::new("b", "B")], alice_only(&alice))
        .await;
    assert!(
        matches!(wrong, Err(Error::Command(CommandError::WrongMode(_)))),
        "{wrong:?}"
    );
    let wrong = a.create_channel(NewChannel::new("bound")).await;
    assert!(
        matches!(wrong, Err(Error::Command(CommandError::WrongMode(_)))),
        "{wrong:?}"
    );

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
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
