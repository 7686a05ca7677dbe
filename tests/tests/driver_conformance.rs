//! The driver conformance suite: one scenario list, run against both
//! drivers. Each scenario is written once over the [`Driver`] trait and runs
//! against a devserver of its own; `conformance!` makes one test per driver
//! and scenario (`tokio_driver::<scenario>`, `blocking_driver::<scenario>`),
//! and every failure message starts with `[<driver> driver, scenario
//! <name>]`.
//!
//! Each scenario declares what it covers: the handle methods
//! (`Moobius::OPERATIONS`) and callbacks (`Service` / `Bot`) it runs, per
//! mode. A run checks the declaration against what the clients really did
//! (the world logs every method called and every callback run), and
//! `every_method_and_callback_has_a_scenario_in_each_mode` checks that the
//! declarations cover every method in both modes (in the wrong mode, as
//! the refusal) and every callback in each mode the platform runs it in, so
//! a new method without a scenario fails the suite;
//! `the_callback_table_lists_every_trait_method` checks the callback table
//! against both traits' source, so a new callback does too.
//!
//! Beyond the surface: the periodic timers through each driver (check-in,
//! token refresh, re-sign-in, with injected short periods and the
//! devserver's `request_count`), the inbound frame limit, a refused
//! sign-in, calls after a stop, and injected faults (dropped sockets, 5xx
//! bursts, expired tokens, forgotten logins).

#![allow(clippy::unwrap_used, clippy::expect_used, non_snake_case)]

mod conformance_support;

use conformance_support::*;
use moobius_proto::compose::{Card, FileSource, MessageSpec, Recipients};
use moobius_proto::http::{paths, ChannelGroupQuery, FetchMessageHistory, FetchUserInfo};
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{
    Button, CanvasItem, ChannelInfo, CharacterRefs, Display, MenuItem, MessageSubtype, StyleItem,
    Widget,
};
use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
use moobius_proto::session::{CommandError, FatalError, Role};
use moobius_runtime::{Error, Mode};
use serde_json::json;
use std::time::{Duration, Instant};

/// 1×1 PNG.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// Both handles offer the same platform methods (checked by the compiler).
const _: () = assert!(same_names(
    moobius_tokio::Moobius::OPERATIONS,
    moobius_blocking::Moobius::OPERATIONS
));

const fn same_names(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let (x, y) = (a[i].as_bytes(), b[i].as_bytes());
        if x.len() != y.len() {
            return false;
        }
        let mut j = 0;
        while j < x.len() {
            if x[j] != y[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// A card with every field. Field by field: the same code before and
/// after `Card` became `#[non_exhaustive]` (issue 17).
#[allow(clippy::field_reassign_with_default)]
fn card() -> Card {
    let mut card = Card::default();
    card.text = "read me".into();
    card.link = "https://example.com/".into();
    card.title = Some("Title".into());
    card.button = "Open".into();
    card
}

/// The channel's info with a new name.
fn channel_info(name: &str) -> ChannelInfo {
    let info = json!({"channel_id": CHANNEL, "channel_name": name, "channel_description": "d", "channel_type": "ccs"});
    serde_json::from_value(info).unwrap()
}

fn to(id: &str) -> Recipients {
    Recipients::Characters(vec![id.into()])
}

fn chan() -> ChannelId {
    CHANNEL.into()
}

#[track_caller]
fn wrong_mode<D: Driver>(w: &World<D>, e: Error) {
    assert!(
        matches!(e, Error::Command(CommandError::WrongMode(_))),
        "{} expected a wrong-mode refusal, got {e:?}",
        w.label
    );
}

fn png_file<D: Driver>(w: &World<D>, name: &str) -> std::path::PathBuf {
    let p = w.files.path().join(name);
    std::fs::write(&p, PNG).unwrap();
    p
}

/// The frames a client with this id sent, as the devserver logged them.
fn frames_sent_by<D: Driver>(w: &World<D>, id: &str) -> Vec<serde_json::Value> {
    w.server
        .connections()
        .into_iter()
        .filter(|c| c.user_id() == Some(id) || c.service_id() == Some(id))
        .flat_map(|c| c.sent)
        .collect()
}

// ---- start-up -----------------------------------------------------------------

fn start_up_runs_the_callbacks_in_order<D: Driver>(w: &World<D>) {
    let service = w.start(w.service_config());
    let mut order = Vec::new();
    service.until("on_start", |s| {
        let name = format!("{s:?}");
        if !matches!(s, Seen::Copy(_)) {
            order.push(name.split('(').next().unwrap_or_default().to_owned());
        }
        matches!(s, Seen::Start).then_some(())
    });
    assert_eq!(
        order,
        ["BeforeChannelInit", "ChannelInit", "Checkin", "Start"],
        "{}",
        w.label
    );
    assert_eq!(w.server.bindings(), [(CHANNEL.into(), service.id.clone())]);
    assert_eq!(service.mode(), Mode::Service);
    assert_eq!(service.channels(), [chan()]);
    let alice = w.start(w.user_config());
    alice.until("on_start", |s| matches!(s, Seen::Start).then_some(()));
    assert_eq!(alice.mode(), Mode::User);
    assert_eq!(Some(alice.id.clone()), w.server.user_id(ALICE));
    assert!(
        alice.channels().is_empty(),
        "channels served: none as a user"
    );
    service.until("Alice's join", |s| {
        matches!(s, Seen::Join(a) if a.sender == alice.id.as_str()).then_some(())
    });
    alice.stop();
    service.stop();
}

// ---- messages -------------------------------------------------------------------

fn service_messages_reach_users<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let png = png_file(w, "pic.png");
    let spec = MessageSpec::text(CHANNEL, "hello there, alice", to(&a.id)).len_limit(5);
    s.ok(Call::SendMessage { spec });
    let next_down = |what: &str, subtype: MessageSubtype| {
        a.until(what, |x| match x {
            Seen::MessageDown(m) if m.subtype == subtype => Some(m.clone()),
            _ => None,
        })
    };
    let got = next_down("the text", MessageSubtype::Text);
    assert_eq!(got.content.text.as_deref(), Some("hello...18 chars"));
    let image = MessageSpec::image(CHANNEL, FileSource::Local(png), to(&a.id));
    s.ok(Call::SendMessage { spec: image });
    let got = next_down("the image", MessageSubtype::Image);
    assert!(got.content.path.unwrap().starts_with("http://"));
    let report = w
        .server
        .put_file("docs/report.pdf", &b"%PDF-1.4 tiny"[..], "application/pdf");
    let file = MessageSpec::file(CHANNEL, FileSource::Url(report), to(&a.id));
    s.ok(Call::SendMessage { spec: file });
    let got = next_down("the file", MessageSubtype::File);
    assert_eq!(got.content.size, Some(13), "size asked with HEAD");
    assert_eq!(got.content.filename.as_deref(), Some("report.pdf"));
    let card = card();
    s.ok(Call::SendMessage {
        spec: MessageSpec::card(CHANNEL, card, to(&a.id)),
    });
    let got = next_down("the card", MessageSubtype::Card);
    assert!(got.content.link.is_some());
    s.ok(Call::SendText {
        channel: chan(),
        text: "plain".into(),
        to: to(&a.id),
        sender: None,
    });
    let got = next_down("send_text", MessageSubtype::Text);
    assert_eq!(got.content.text.as_deref(), Some("plain"));
    assert_eq!(got.sender, "no_sender");
    let e = s.err(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "x", Recipients::Characters(vec![])),
    });
    assert!(
        matches!(e, Error::Command(CommandError::NoRecipients)),
        "{e:?}"
    );
}

fn user_messages_reach_the_service<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let png = png_file(w, "me.png");
    let next_up = |what: &str| {
        s.until(what, |x| match x {
            Seen::MessageUp(m) => Some(m.clone()),
            _ => None,
        })
    };
    a.ok(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "to the service", Recipients::Service),
    });
    let up = next_up("the text");
    assert_eq!(up.content.text.as_deref(), Some("to the service"));
    assert_eq!(up.sender, a.id.as_str());
    assert!(matches!(up.recipients, Some(CharacterRefs::Ids(ref r)) if r.is_empty()));
    a.ok(Call::SendText {
        channel: chan(),
        text: "to me".into(),
        to: to(&a.id),
        sender: None,
    });
    let up = next_up("send_text to characters");
    assert_eq!(up.content.text.as_deref(), Some("to me"));
    assert!(
        matches!(up.recipients, Some(CharacterRefs::Ids(ref r)) if r == &[CharacterId::new(&a.id)]),
        "recipients resolved: {:?}",
        up.recipients
    );
    a.ok(Call::SendMessage {
        spec: MessageSpec::image(CHANNEL, FileSource::Local(png), Recipients::Service),
    });
    let up = next_up("the image");
    assert_eq!(up.subtype, MessageSubtype::Image);
    assert!(up.content.path.unwrap().starts_with("http://"));
}

// ---- interface updates and actions ------------------------------------------------

fn interface_updates_reach_users<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let png = png_file(w, "canvas.png");
    let list = vec![CharacterId::new(&a.id)];
    s.ok(Call::SendCharacters {
        channel: chan(),
        characters: list.clone(),
        to: to(&a.id),
    });
    let shown = a.until("characters", |x| match x {
        Seen::Characters(c, ids) if c == CHANNEL => Some(ids.clone()),
        _ => None,
    });
    assert_eq!(shown, list, "ids resolved from the group");
    s.ok(Call::SendButtons {
        channel: chan(),
        buttons: vec![Button::new("b1", "One")],
        to: to(&a.id),
    });
    a.until("buttons", |x| {
        matches!(x, Seen::Buttons(b) if b[0].button_id == "b1").then_some(())
    });
    s.ok(Call::SendMenu {
        channel: chan(),
        items: vec![MenuItem::new("mi", "Do it", [MessageSubtype::Text])],
        to: to(&a.id),
    });
    a.until("menu", |x| {
        matches!(x, Seen::Menu(i) if i[0].menu_item_id == "mi").then_some(())
    });
    s.ok(Call::SendStyle {
        channel: chan(),
        items: vec![StyleItem::new(Widget::Canvas, Display::Highlight)],
        to: to(&a.id),
    });
    a.until("style", |x| {
        matches!(x, Seen::Style(i) if i[0].display == Display::Highlight).then_some(())
    });
    let canvas = vec![CanvasItem::text("hi"), {
        let mut item = CanvasItem::text("pic");
        item.path = Some(png.to_string_lossy().into_owned());
        item
    }];
    s.ok(Call::SendCanvas {
        channel: chan(),
        items: canvas,
        to: to(&a.id),
    });
    let items = a.until("canvas", |x| match x {
        Seen::Canvas(i) => Some(i.clone()),
        _ => None,
    });
    assert!(items[1].path.as_deref().unwrap().starts_with("http://"));
    let info = channel_info("Big Lobby");
    s.ok(Call::SendChannelInfo { info });
    a.until("channel info", |x| {
        matches!(x, Seen::ChannelInfo(i) if i.channel_name == "Big Lobby").then_some(())
    });
    s.ok(Call::SendUpdate {
        body: json!({"subtype": "custom_widget", "channel_id": CHANNEL, "recipients": [a.id], "content": {"x": 1}}),
    });
    w.wait_for("the update frame at the devserver", || {
        frames_sent_by(w, &s.id)
            .iter()
            .any(|f| f["type"] == "update" && f["body"]["subtype"] == "custom_widget")
    });
}

fn user_actions_reach_the_service<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    a.ok(Call::SendRefresh { channel: chan() });
    s.until("refresh", |x| {
        matches!(x, Seen::Refresh(r) if r.sender == a.id.as_str()).then_some(())
    });
    s.until("do_member_sync after the refresh", |x| {
        matches!(x, Seen::MemberSync(c, m) if c == CHANNEL && *m == a.id.as_str()).then_some(())
    });
    a.ok(Call::SendButtonClick {
        click: Click::new(CHANNEL, "repeat")
            .argument("How many?", "2")
            .bottom_button("double"),
    });
    let click = s.until("button click", |x| match x {
        Seen::ButtonClick(c) => Some(c.clone()),
        _ => None,
    });
    assert_eq!(click.button_id, "repeat");
    assert_eq!(click.arguments[0].value, "2");
    assert_eq!(click.bottom_button_id.as_deref(), Some("double"));
    s.ok(Call::SendText {
        channel: chan(),
        text: "right-click me".into(),
        to: to(&a.id),
        sender: None,
    });
    let down = a.until("the message to click on", |x| match x {
        Seen::MessageDown(m) => Some(m.clone()),
        _ => None,
    });
    a.ok(Call::SendMenuItemClick {
        click: MenuClick::on_message("mi_shout", &down).argument("loud", "yes"),
    });
    let mclick = s.until("menu click", |x| match x {
        Seen::MenuItemClick(c) => Some(c.clone()),
        _ => None,
    });
    assert_eq!(mclick.menu_item_id, "mi_shout");
    assert_eq!(
        mclick.message_content.text.as_deref(),
        Some("right-click me")
    );
    assert_eq!(mclick.arguments[0].label, "loud");
    let other = s
        .ok(Call::CreateChannel {
            channel: NewChannel::new("Other"),
        })
        .channel();
    a.ok(Call::JoinChannel {
        channel: other.clone(),
    });
    s.until("join of the other channel", |x| {
        matches!(x, Seen::Join(j) if j.channel_id == other).then_some(())
    });
    assert!(w.server.members(other.as_str()).contains(&a.id));
    a.ok(Call::LeaveChannel {
        channel: other.clone(),
    });
    s.until("leave of the other channel", |x| {
        matches!(x, Seen::Leave(l) if l.channel_id == other).then_some(())
    });
    assert!(!w.server.members(other.as_str()).contains(&a.id));
}

// ---- the wrong mode -----------------------------------------------------------------

fn user_mode_refuses_service_calls<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let me = || to(&a.id);
    let calls = [
        Call::SendCharacters {
            channel: chan(),
            characters: vec![],
            to: me(),
        },
        Call::SendButtons {
            channel: chan(),
            buttons: vec![Button::new("b", "B")],
            to: me(),
        },
        Call::SendMenu {
            channel: chan(),
            items: vec![],
            to: me(),
        },
        Call::SendStyle {
            channel: chan(),
            items: vec![],
            to: me(),
        },
        Call::SendCanvas {
            channel: chan(),
            items: vec![],
            to: me(),
        },
        Call::SendChannelInfo {
            info: channel_info("n"),
        },
        Call::SendUpdate { body: json!({}) },
        Call::CreateChannel {
            channel: NewChannel::new("bound"),
        },
    ];
    for call in calls {
        wrong_mode(w, a.err(call));
    }
    // The platform refuses what a user account may not do as a service.
    for call in [
        Call::Bind { channel: chan() },
        Call::Unbind { channel: chan() },
        Call::CreateAgent {
            profile: Profile::new("Nope"),
        },
        Call::UpdateAgent {
            agent: s.id.as_str().into(),
            profile: Profile::new("Nope"),
        },
    ] {
        let e = a.err(call);
        assert!(matches!(e, Error::Op(_)), "{} {e:?}", w.label);
    }
    assert_eq!(w.server.bindings(), [(CHANNEL.into(), s.id.clone())]);
}

fn service_mode_refuses_user_calls<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    s.ok(Call::SendText {
        channel: chan(),
        text: "m".into(),
        to: to(&a.id),
        sender: None,
    });
    let down = a.until("a message", |x| match x {
        Seen::MessageDown(m) => Some(m.clone()),
        _ => None,
    });
    for call in [
        Call::SendRefresh { channel: chan() },
        Call::JoinChannel { channel: chan() },
        Call::LeaveChannel { channel: chan() },
        Call::SendButtonClick {
            click: Click::new(CHANNEL, "b"),
        },
        Call::SendMenuItemClick {
            click: MenuClick::on_message("mi", &down),
        },
    ] {
        wrong_mode(w, s.err(call));
    }
}

// ---- channels, services, characters, groups -------------------------------------------

fn service_channels_and_bindings<D: Driver>(w: &World<D>) {
    let s = w.start(w.service_config());
    let sid = s.id.clone();
    let second = s
        .ok(Call::CreateChannel {
            channel: NewChannel::new("Second").description("two"),
        })
        .channel();
    assert!(w
        .server
        .bindings()
        .contains(&(second.to_string(), sid.clone())));
    assert!(s.channels().contains(&second), "served from now on");
    s.ok(Call::UpdateChannel {
        channel: second.clone(),
        name: "Renamed".into(),
        description: "new".into(),
    });
    assert_eq!(w.server.channel(second.as_str()).unwrap().name, "Renamed");
    let loose = s
        .ok(Call::CreateChannel {
            channel: NewChannel::new("Loose").bind(false),
        })
        .channel();
    assert!(!w
        .server
        .bindings()
        .iter()
        .any(|(c, _)| *c == loose.as_str()));
    let bound = s.ok(Call::FetchBoundChannels {}).channels();
    assert!(
        bound.contains(&chan()) && bound.contains(&second),
        "{bound:?}"
    );
    s.ok(Call::Unbind {
        channel: second.clone(),
    });
    let map = s.ok(Call::FetchServiceIdEachChannel {}).service_map();
    assert!(!map.contains_key(&second), "{map:?}");
    s.ok(Call::Bind {
        channel: second.clone(),
    });
    let map = s.ok(Call::FetchServiceIdEachChannel {}).service_map();
    assert_eq!(map.get(&second).map(|x| x.as_str()), Some(sid.as_str()));
    let services = s.ok(Call::FetchServiceIdList {}).services();
    assert!(services
        .services
        .iter()
        .any(|x| x.service_id == sid.as_str()));
    let popular = s.ok(Call::FetchPopularChannels {}).channels();
    assert!(popular.contains(&chan()), "{popular:?}");
    // The channels the account is a member of: the service account joined none.
    let joined = s.ok(Call::FetchChannelList {}).channels();
    assert!(joined.is_empty(), "{joined:?}");
}

fn user_channels<D: Driver>(w: &World<D>) {
    let (_s, a) = w.service_and_alice();
    let mine = a
        .ok(Call::CreateChannel {
            channel: NewChannel::new("Alice's").bind(false),
        })
        .channel();
    assert!(w.server.channel(mine.as_str()).is_some());
    a.ok(Call::UpdateChannel {
        channel: mine.clone(),
        name: "Alice's own".into(),
        description: "mine".into(),
    });
    assert_eq!(w.server.channel(mine.as_str()).unwrap().name, "Alice's own");
    let list = a.ok(Call::FetchChannelList {}).channels();
    assert!(list.contains(&chan()), "{list:?}");
    let popular = a.ok(Call::FetchPopularChannels {}).channels();
    assert!(popular.contains(&chan()), "{popular:?}");
    // Alice owns no service: nothing is bound to one of hers.
    let services = a.ok(Call::FetchServiceIdList {}).services();
    assert!(services.services.is_empty(), "{services:?}");
    assert!(a
        .ok(Call::FetchServiceIdEachChannel {})
        .service_map()
        .is_empty());
    assert!(a.ok(Call::FetchBoundChannels {}).channels().is_empty());
}

fn service_characters_and_agents<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let png = png_file(w, "avatar.png");
    let members = s.ok(Call::FetchMemberIds { channel: chan() }).ids();
    assert_eq!(members, [CharacterId::new(&a.id)]);
    let profiles = s
        .ok(Call::FetchCharacterProfile {
            ids: members.clone(),
        })
        .characters();
    assert_eq!(profiles[0].character_id, a.id.as_str());
    let agent = s
        .ok(Call::CreateAgent {
            profile: Profile::new("Helper")
                .avatar(png.to_string_lossy())
                .description("helps"),
        })
        .character();
    assert!(agent.avatar.as_deref().unwrap().starts_with("http://"));
    assert_eq!(agent.description.as_deref(), Some("helps"));
    let agents = s.ok(Call::FetchAgents {}).characters();
    assert!(agents.iter().any(|x| x.character_id == agent.character_id));
    s.ok(Call::UpdateAgent {
        agent: agent.character_id.clone(),
        profile: Profile::new("Helper 2"),
    });
    assert!(w.server.agents().iter().any(|x| x.name == "Helper 2"));
    let everyone = s.ok(Call::FetchCharacters { channel: chan() }).characters();
    let ids: Vec<_> = everyone.iter().map(|c| c.character_id.as_str()).collect();
    assert_eq!(
        ids,
        [a.id.as_str(), agent.character_id.as_str()],
        "members, then agents"
    );
    // An agent as a message's sender.
    s.ok(Call::SendText {
        channel: chan(),
        text: "from the helper".into(),
        to: to(&a.id),
        sender: Some(agent.character_id.clone()),
    });
    let got = a.until("the agent's message", |x| match x {
        Seen::MessageDown(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(got.sender, agent.character_id);
    s.ok(Call::UpdateCurrentUser {
        profile: Profile::new("The Service").description("serves"),
    });
    assert!(w.server.users().iter().any(|u| u.name == "The Service"));
}

fn user_characters<D: Driver>(w: &World<D>) {
    let (_s, a) = w.service_and_alice();
    let png = png_file(w, "me.png");
    let members = a.ok(Call::FetchMemberIds { channel: chan() }).ids();
    assert!(members.contains(&CharacterId::new(&a.id)), "{members:?}");
    let profiles = a
        .ok(Call::FetchCharacterProfile {
            ids: vec![a.id.as_str().into()],
        })
        .characters();
    assert_eq!(profiles[0].character_id, a.id.as_str());
    a.ok(Call::UpdateCurrentUser {
        profile: Profile::new("Alice A")
            .avatar(png.to_string_lossy())
            .description("me"),
    });
    assert!(w.server.users().iter().any(|u| u.name == "Alice A"));
    // Agents belong to a service; Alice's id names none, so the platform
    // refuses both.
    for call in [
        Call::FetchCharacters { channel: chan() },
        Call::FetchAgents {},
    ] {
        let e = a.err(call);
        assert!(matches!(e, Error::Op(_)), "{} {e:?}", w.label);
    }
}

fn groups_and_history<D: Driver>(w: &World<D>, client: &Client<D>, alice: &str) {
    let list = vec![CharacterId::new(alice)];
    let g = client
        .ok(Call::CreateServiceGroup {
            characters: list.clone(),
        })
        .group();
    let members = client
        .ok(Call::CharacterIdsOfServiceGroup {
            group: g.group_id.clone(),
        })
        .ids();
    assert_eq!(members, list, "{}", w.label);
    let cg = client
        .ok(Call::CreateChannelGroup {
            channel: chan(),
            name: "friends".into(),
            characters: list.clone(),
        })
        .group();
    let in_group = client
        .ok(Call::CharacterIdsOfChannelGroup {
            query: ChannelGroupQuery {
                sender_id: alice.into(),
                channel_id: chan(),
                group_id: cg.group_id.clone(),
            },
        })
        .ids();
    assert_eq!(in_group, list, "{}", w.label);
    let groups = client
        .ok(Call::FetchChannelGroupList { channel: chan() })
        .groups();
    assert!(
        groups.members_by_group().contains_key(&cg.group_id),
        "{groups:?}"
    );
    client.ok(Call::FetchChannelTempGroup { channel: chan() });
    let history = client
        .ok(Call::FetchMessageHistory {
            query: FetchMessageHistory::new(CHANNEL).limit(100),
        })
        .jsons();
    assert!(
        history
            .iter()
            .any(|m| m.to_string().contains("for the history")),
        "{history:?}"
    );
}

fn service_groups_and_history<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    s.ok(Call::SendText {
        channel: chan(),
        text: "for the history".into(),
        to: to(&a.id),
        sender: None,
    });
    a.until("the message", |x| {
        matches!(x, Seen::MessageDown(_)).then_some(())
    });
    groups_and_history(w, &s, &a.id);
}

fn user_groups_and_history<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    a.ok(Call::SendText {
        channel: chan(),
        text: "for the history".into(),
        to: Recipients::Service,
        sender: None,
    });
    s.until("the message", |x| {
        matches!(x, Seen::MessageUp(_)).then_some(())
    });
    groups_and_history(w, &a, &a.id);
}

// ---- files and accounts --------------------------------------------------------------

fn files<D: Driver>(w: &World<D>, c: &Client<D>) {
    let png = png_file(w, "up.png");
    let url = c.ok(Call::Upload { path: png.clone() }).url();
    assert!(url.starts_with("http://"), "{url}");
    let keys = w.server.file_keys().len();
    assert_eq!(
        c.ok(Call::Upload { path: png }).url(),
        url,
        "uploaded once per content"
    );
    assert_eq!(w.server.file_keys().len(), keys);
    let notes = c
        .ok(Call::UploadBytes {
            file_name: "notes.txt".into(),
            bytes: b"some notes".to_vec(),
        })
        .url();
    let got = c.ok(Call::DownloadBytes { url: notes.clone() }).bytes();
    assert_eq!(&got[..], b"some notes");
    let size = c
        .ok(Call::DownloadSize {
            url: notes.clone(),
            options: DownloadOptions::default(),
        })
        .size();
    assert_eq!(size, Some(10), "{}", w.label);
    let dir = w.files.path().join("downloads");
    std::fs::create_dir(&dir).unwrap();
    let saved = c
        .ok(Call::Download {
            url: notes.clone(),
            options: DownloadOptions::into_dir(&dir),
        })
        .path();
    assert!(saved.starts_with(&dir));
    assert_eq!(std::fs::read(&saved).unwrap(), b"some notes");
    let again = c.err(Call::Download {
        url: notes.clone(),
        options: DownloadOptions::into_dir(&dir),
    });
    assert!(matches!(again, Error::FileExists(_)), "{again:?}");
    c.ok(Call::Download {
        url: notes.clone(),
        options: DownloadOptions::into_dir(&dir).overwrite(true),
    });
    let escape = c.err(Call::Download {
        url: notes,
        options: DownloadOptions::into_dir(&dir).file_name("../escape.txt"),
    });
    assert!(matches!(escape, Error::InvalidArgument(_)), "{escape:?}");
    assert!(!w.files.path().join("escape.txt").exists());
}

fn service_files<D: Driver>(w: &World<D>) {
    let s = w.start(w.service_config());
    files(w, &s);
}

fn user_files<D: Driver>(w: &World<D>) {
    let a = w.start(w.user_config());
    files(w, &a);
}

fn accounts<D: Driver>(w: &World<D>, c: &Client<D>, email: &str) {
    let sign_ins = w.server.request_count(paths::AUTH_SIGN_IN);
    let refreshes = w.server.request_count(paths::AUTH_REFRESH);
    c.ok(Call::RefreshAuthentication {});
    assert_eq!(w.server.request_count(paths::AUTH_REFRESH), refreshes + 1);
    c.ok(Call::Authenticate {});
    assert_eq!(w.server.request_count(paths::AUTH_SIGN_IN), sign_ins + 1);
    let e = c.err(Call::SignUp {});
    assert!(matches!(e, Error::Op(_)), "the account exists: {e:?}");
    c.ok(Call::SignOut {});
    c.ok(Call::Authenticate {});
    let me = c.ok(Call::AnyEndpoint {
        endpoint: FetchUserInfo,
    });
    let me = me.user_info();
    assert_eq!(me.email, email, "{me:?}");
    // Websocket calls with no platform answer: the devserver received them.
    c.ok(Call::SendHeartbeat {});
    c.ok(Call::SendFrame {
        frame_type: "custom_type".into(),
        body: json!({"x": 1}),
    });
    w.wait_for("the heartbeat and the custom frame", || {
        let sent = frames_sent_by(w, &c.id);
        sent.iter().any(|f| f["type"] == "heartbeat")
            && sent
                .iter()
                .any(|f| f["type"] == "custom_type" && f["body"]["x"] == 1)
    });
}

fn service_accounts<D: Driver>(w: &World<D>) {
    let s = w.start(w.service_config());
    accounts(w, &s, SERVICE);
}

fn user_accounts<D: Driver>(w: &World<D>) {
    let a = w.start(w.user_config());
    accounts(w, &a, ALICE);
}

// ---- callbacks with no platform call behind them --------------------------------------

fn spells_reach_on_spell<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    for (c, who) in [(&s, "service"), (&a, "user")] {
        // A failing and a panicking callback are logged; the client goes on.
        for spell in ["fail", "panic", &format!("{who} 1"), &format!("{who} 2")] {
            c.spell(spell);
        }
        let got: Vec<_> = (0..4)
            .map(|_| {
                c.until("a spell", |x| match x {
                    Seen::Spell(t) => Some(t.clone()),
                    _ => None,
                })
            })
            .collect();
        assert_eq!(
            got,
            ["fail", "panic", &format!("{who} 1"), &format!("{who} 2")],
            "{}",
            w.label
        );
        // Still connected and answering.
        c.ok(Call::FetchChannelList {});
    }
    a.stop();
    s.stop();
}

fn unknown_frames_reach_on_unknown_payload<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    for c in [&s, &a] {
        let n = w
            .server
            .send_raw_frame(&c.id, &json!({"type": "mystery", "body": {"x": 1}}));
        assert_eq!(n, 1, "{} connected once", w.label);
        let raw = c.until("on_unknown_payload", |x| match x {
            Seen::Unknown(f) if f.frame_type.as_deref() == Some("mystery") => Some(f.raw.clone()),
            _ => None,
        });
        assert_eq!(raw["body"]["x"], 1);
    }
}

fn acknowledgements_reach_on_copy_client<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    for c in [&s, &a] {
        let forged = json!({"type": "copy", "body": {"request_id": "forged-1", "origin_type": "x", "status": true, "context": {}}});
        w.server.send_raw_frame(&c.id, &forged);
        c.until("on_copy_client", |x| {
            matches!(x, Seen::Copy(b) if b.request_id.to_string() == "forged-1").then_some(())
        });
    }
}

/// A frame of type `kind` whose JSON text is exactly `len` bytes long.
fn frame_of_len(kind: &str, len: usize) -> serde_json::Value {
    let empty = json!({"type": kind, "body": {"pad": ""}}).to_string().len();
    json!({"type": kind, "body": {"pad": "x".repeat(len - empty)}})
}

fn frame_limit<D: Driver>(w: &World<D>, config: moobius_runtime::Config) {
    let limit = config.session.inbound_frame_limit();
    let client = w.start(config);
    let connections = || {
        w.server
            .connections()
            .iter()
            .filter(|c| {
                c.user_id() == Some(client.id.as_str())
                    || c.service_id() == Some(client.id.as_str())
            })
            .count()
    };
    let before = connections();
    w.server
        .send_raw_frame(&client.id, &frame_of_len("at_limit", limit));
    client.until("the frame at the limit", |x| {
        matches!(x, Seen::Unknown(f) if f.frame_type.as_deref() == Some("at_limit")).then_some(())
    });
    w.server
        .send_raw_frame(&client.id, &frame_of_len("over_limit", limit + 1));
    w.wait_for("a reconnect after a frame over the limit", || {
        connections() > before
    });
    // Logged in again: a small frame arrives; the oversized one never did.
    w.wait_for("logged in again", || {
        w.server
            .send_raw_frame(&client.id, &json!({"type": "after", "body": {}}))
            > 0
    });
    let kind = client.until("the frame after the reconnect", |x| match x {
        Seen::Unknown(f) => f.frame_type.clone(),
        _ => None,
    });
    assert_eq!(kind, "after", "{} the oversized frame was refused", w.label);
}

fn service_frame_limit_a_byte_over_reconnects<D: Driver>(w: &World<D>) {
    frame_limit(w, w.service_config());
}

fn user_frame_limit_a_byte_over_reconnects<D: Driver>(w: &World<D>) {
    frame_limit(w, w.user_config());
}

// ---- the end of a run --------------------------------------------------------------

fn a_refused_sign_in_ends_the_run<D: Driver>(w: &World<D>) {
    for mut config in [w.service_config(), w.user_config()] {
        config.session.password = "wrong".into();
        let (ready, run) = w.start_failing(config);
        assert!(matches!(ready, Error::Stopped), "{} {ready:?}", w.label);
        assert!(
            matches!(run, Err(Error::Fatal(FatalError::SignIn(_)))),
            "{} {run:?}",
            w.label
        );
    }
    assert!(w.server.services().is_empty(), "{}", w.label);
}

fn calls_after_a_stop_fail_with_stopped<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    for c in [s, a] {
        let (stopped, late) = c.call_after_stop(Call::FetchChannelList {});
        assert!(stopped.is_ok(), "{} {stopped:?}", w.label);
        assert!(matches!(late, Err(Error::Stopped)), "{} {late:?}", w.label);
    }
    w.wait_for("every socket closed", || {
        w.server.connections().iter().all(|c| !c.open)
    });
}

// ---- faults the devserver injects ---------------------------------------------------

/// Messages sent per stream; drops land in the middle of it.
const N: usize = 40;

fn numbered() -> Vec<String> {
    (0..N).map(|i| format!("m{i}")).collect()
}

/// The numbered texts `c` receives until it has `N`, then (a little
/// later, when a duplicate would show) any more.
fn collect_numbered<D: Driver>(c: &Client<D>) -> Vec<String> {
    let numbered = |x: &Seen| match x {
        Seen::MessageUp(m) | Seen::MessageDown(m) => {
            m.content.text.clone().filter(|t| t.starts_with('m'))
        }
        _ => None,
    };
    let mut got: Vec<String> = (0..N)
        .map(|_| c.until("a numbered message", numbered))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    got.extend(c.drain().iter().filter_map(numbered));
    got
}

/// The texts of the channel's history at the devserver, in order.
fn history_texts<D: Driver>(w: &World<D>) -> Vec<String> {
    w.server
        .history(CHANNEL)
        .iter()
        .filter_map(|m| m.body["content"]["text"].as_str().map(str::to_owned))
        .collect()
}

/// Drops the socket of the client with this id, once it has a logged-in
/// one not dropped before (after a drop: reconnected); returns how many.
fn drop_socket<D: Driver>(
    w: &World<D>,
    id: &str,
    dropped: &mut Vec<moobius_devserver::ConnectionId>,
) -> usize {
    let mine = |c: &moobius_devserver::inspect::ConnectionSnapshot| {
        c.open && (c.user_id() == Some(id) || c.service_id() == Some(id))
    };
    w.wait_for("a logged-in socket", || {
        w.server
            .connections()
            .iter()
            .any(|c| mine(c) && !dropped.contains(&c.id))
    });
    dropped.extend(
        w.server
            .connections()
            .iter()
            .filter(|c| mine(c))
            .map(|c| c.id),
    );
    w.server.drop_user_connections(id) + w.server.drop_service_connections(id)
}

fn user_messages_survive_dropped_sockets<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let mut dropped = Vec::new();
    for (i, text) in numbered().into_iter().enumerate() {
        if i % 10 == 5 {
            assert_eq!(drop_socket(w, &a.id, &mut dropped), 1, "{}", w.label);
        }
        // Into the dying socket, or queued while reconnecting.
        a.ok(Call::SendMessage {
            spec: MessageSpec::text(CHANNEL, text, Recipients::Service),
        });
    }
    assert_eq!(
        collect_numbered(&s),
        numbered(),
        "{} once each, in order",
        w.label
    );
    assert_eq!(history_texts(w), numbered(), "{} at the platform", w.label);
    let sockets = w
        .server
        .connections()
        .iter()
        .filter(|c| c.user_id() == Some(a.id.as_str()))
        .count();
    assert!(sockets >= 4, "{} reconnected: {sockets} sockets", w.label);
}

fn service_messages_survive_dropped_sockets<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    let mut dropped = Vec::new();
    for (i, text) in numbered().into_iter().enumerate() {
        if i % 10 == 5 {
            assert_eq!(drop_socket(w, &s.id, &mut dropped), 1, "{}", w.label);
        }
        s.ok(Call::SendText {
            channel: chan(),
            text,
            to: to(&a.id),
            sender: None,
        });
    }
    assert_eq!(
        collect_numbered(&a),
        numbered(),
        "{} once each, in order",
        w.label
    );
    assert_eq!(history_texts(w), numbered(), "{} at the platform", w.label);
}

fn http_5xx_bursts_are_retried<D: Driver>(w: &World<D>) {
    // Short retry delays keep the scenario fast; the policy is the session's.
    let fast = |mut c: moobius_runtime::Config| {
        c.session.backoff.initial = Duration::from_millis(20);
        c.session.backoff.max = Duration::from_millis(200);
        c
    };
    let s = w.start(fast(w.service_config()));
    let a = w.start(fast(w.user_config()));
    s.until("Alice's join", |x| matches!(x, Seen::Join(_)).then_some(()));
    let bob = w.server.user_id(BOB).unwrap();
    // A GET is retried.
    w.server.fail_next_http_requests(2);
    let members = s.ok(Call::FetchMemberIds { channel: chan() }).ids();
    assert_eq!(members, [CharacterId::new(&a.id)]);
    // New recipients need a new group: its creation is retried and the
    // message still leaves, in both modes.
    w.server.fail_next_http_requests(2);
    let both = Recipients::Characters(vec![a.id.as_str().into(), bob.as_str().into()]);
    s.ok(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "after 5xx", both),
    });
    let got = a.until("the message after 5xx", |x| match x {
        Seen::MessageDown(m) => m.content.text.clone(),
        _ => None,
    });
    assert_eq!(got, "after 5xx");
    w.server.fail_next_http_requests(3);
    a.ok(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "up after 5xx", to(&bob)),
    });
    let got = s.until("the message up after 5xx", |x| match x {
        Seen::MessageUp(m) => m.content.text.clone(),
        _ => None,
    });
    assert_eq!(got, "up after 5xx");
    // A POST that is not safe to repeat fails at once; the client lives on.
    w.server.fail_next_http_requests(1);
    let e = s.err(Call::CreateChannel {
        channel: NewChannel::new("x"),
    });
    assert!(matches!(e, Error::Op(_)), "{} {e:?}", w.label);
    s.ok(Call::FetchAgents {});
}

fn expired_tokens_and_forgotten_logins_are_recovered<D: Driver>(w: &World<D>) {
    let (s, a) = w.service_and_alice();
    // HTTP with an expired token: refreshed, then retried once.
    w.server.expire_access_tokens();
    let refreshes = w.server.request_count(paths::AUTH_REFRESH);
    s.ok(Call::FetchAgents {});
    a.ok(Call::FetchChannelList {});
    assert_eq!(
        w.server.request_count(paths::AUTH_REFRESH),
        refreshes + 2,
        "{} one refresh each",
        w.label
    );
    // Expired tokens and dropped sockets: the logins are refused until the
    // tokens are refreshed; then traffic flows again. (The platform does
    // not replay a message to an offline service: wait for both.)
    w.server.expire_access_tokens();
    let old: Vec<_> = w.server.connections().iter().map(|c| c.id).collect();
    w.server.drop_all_connections();
    w.wait_for("both logged in again", || {
        let conns = w.server.connections();
        [&s.id, &a.id].iter().all(|id| {
            conns.iter().any(|c| {
                c.open
                    && !old.contains(&c.id)
                    && (c.user_id() == Some(id.as_str()) || c.service_id() == Some(id.as_str()))
            })
        })
    });
    let texts = |c: &Client<D>, what: &str| {
        c.until(what, |x| match x {
            Seen::MessageUp(m) | Seen::MessageDown(m) => m.content.text.clone(),
            _ => None,
        })
    };
    a.ok(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "up after expiry", Recipients::Service),
    });
    assert_eq!(texts(&s, "the message up"), "up after expiry");
    s.ok(Call::SendText {
        channel: chan(),
        text: "down after expiry".into(),
        to: to(&a.id),
        sender: None,
    });
    assert_eq!(texts(&a, "the message down"), "down after expiry");
    // The platform forgets the logins: the next frame is refused, the
    // session logs in again and sends it once more. (Alice, logged out
    // too, misses the message down: the history shows it.)
    assert!(w.server.logout_all_connections() > 0);
    s.ok(Call::SendText {
        channel: chan(),
        text: "after re-login".into(),
        to: to(&a.id),
        sender: None,
    });
    w.wait_for("the message down after the re-login", || {
        history_texts(w).iter().any(|t| t == "after re-login")
    });
    a.ok(Call::SendMessage {
        spec: MessageSpec::text(CHANNEL, "up after re-login", Recipients::Service),
    });
    assert_eq!(
        texts(&s, "the message up after re-login"),
        "up after re-login"
    );
    std::thread::sleep(Duration::from_millis(100));
    let history = history_texts(w);
    for t in ["after re-login", "up after re-login"] {
        assert_eq!(
            history.iter().filter(|h| *h == t).count(),
            1,
            "{} once: {history:?}",
            w.label
        );
    }
}

// ---- timers -------------------------------------------------------------------------

fn the_checkin_timer_fires_per_checkin_interval<D: Driver>(w: &World<D>) {
    let period = Duration::from_millis(150);
    let mut role = Role::service(None, vec![chan()]);
    if let Role::Service {
        checkin_interval, ..
    } = &mut role
    {
        *checkin_interval = Some(period);
    }
    let started = Instant::now();
    let s = w.start(w.config(SERVICE, role));
    // The first comes from on_channel_init, then one per period.
    for n in 1..=3 {
        s.until(&format!("check-in #{n}"), |x| {
            matches!(x, Seen::Checkin(c) if c == CHANNEL).then_some(())
        });
    }
    assert!(
        started.elapsed() >= 2 * period,
        "{} a burst, not periodic: {:?}",
        w.label,
        started.elapsed()
    );
}

/// Token refresh (6 h by default) and re-sign-in (7 d) through the driver,
/// with short injected periods: the devserver counts the requests, and the
/// client's calls keep working with the renewed tokens.
fn token_timers<D: Driver>(w: &World<D>, mut config: moobius_runtime::Config) {
    config.session.timings.token_refresh = Duration::from_millis(200);
    config.session.timings.reauthenticate = Duration::from_millis(500);
    let started = Instant::now();
    let c = w.start(config);
    let sign_ins = || w.server.request_count(paths::AUTH_SIGN_IN);
    let refreshes = || w.server.request_count(paths::AUTH_REFRESH);
    w.wait_for("two token refreshes", || refreshes() >= 2);
    w.wait_for("a second sign-in", || sign_ins() >= 2);
    let (n, elapsed) = (refreshes(), started.elapsed());
    assert!(
        elapsed >= Duration::from_millis(400),
        "{} too early: {elapsed:?}",
        w.label
    );
    // Periodic, not a busy loop: about one refresh per period.
    assert!(
        u128::from(n) <= elapsed.as_millis() / 200 + 2,
        "{} {n} refreshes in {elapsed:?}",
        w.label
    );
    // The renewed tokens work, for HTTP and on the websocket.
    c.ok(Call::FetchChannelList {});
    c.ok(Call::SendFrame {
        frame_type: "after_renewal".into(),
        body: json!({}),
    });
    w.wait_for("a frame after the renewals", || {
        frames_sent_by(w, &c.id)
            .iter()
            .any(|f| f["type"] == "after_renewal")
    });
}

fn service_token_refresh_and_sign_in_timers<D: Driver>(w: &World<D>) {
    token_timers(w, w.service_config());
}

fn user_token_refresh_and_sign_in_timers<D: Driver>(w: &World<D>) {
    token_timers(w, w.user_config());
}

// ---- the list ---------------------------------------------------------------------------

/// Runs `scenario` against driver `D` in a world of its own and checks the
/// coverage it declares in [`SCENARIOS`].
fn run<D: Driver>(name: &str, scenario: fn(&World<D>)) {
    let covers = SCENARIOS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .unwrap();
    let world = World::<D>::new(name);
    scenario(&world);
    world.check_covered(covers);
}

/// `scenario { service: [methods and callbacks], user: [...] }`: the
/// scenario and what it covers in each mode.
macro_rules! conformance {
    ($($scenario:ident { service: [$($s:ident),* $(,)?], user: [$($u:ident),* $(,)?] $(,)? })*) => {
        /// Every scenario with what it covers, per mode.
        const SCENARIOS: &[(&str, &[(Side, &str)])] = &[
            $((stringify!($scenario), &[
                $((Side::Service, stringify!($s)),)*
                $((Side::User, stringify!($u)),)*
            ]),)*
        ];
        mod tokio_driver {
            $(#[test] fn $scenario() { super::run::<super::Tokio>(stringify!($scenario), super::$scenario) })*
        }
        mod blocking_driver {
            $(#[test] fn $scenario() { super::run::<super::Blocking>(stringify!($scenario), super::$scenario) })*
        }
    };
}

conformance! {
    start_up_runs_the_callbacks_in_order {
        service: [before_channel_init, on_channel_init, on_channel_checkin, on_start, on_action, on_join, do_member_sync],
        user: [on_start],
    }
    service_messages_reach_users {
        service: [send_message, send_text, on_copy_client],
        user: [on_message_down],
    }
    user_messages_reach_the_service {
        service: [on_message_up],
        user: [send_message, send_text, on_copy_client],
    }
    interface_updates_reach_users {
        service: [send_characters, send_buttons, send_menu, send_style, send_canvas, send_channel_info, send_update],
        user: [on_update, on_update_characters, on_update_buttons, on_update_menu, on_update_style, on_update_canvas, on_update_channel_info],
    }
    user_actions_reach_the_service {
        service: [on_action, on_refresh, do_member_sync, on_button_click, on_menu_item_click, on_join, on_leave, create_channel],
        user: [send_refresh, send_button_click, send_menu_item_click, join_channel, leave_channel],
    }
    user_mode_refuses_service_calls {
        service: [],
        user: [send_characters, send_buttons, send_menu, send_style, send_canvas, send_channel_info, send_update, create_channel, bind, unbind, create_agent, update_agent],
    }
    service_mode_refuses_user_calls {
        service: [send_refresh, join_channel, leave_channel, send_button_click, send_menu_item_click],
        user: [],
    }
    service_channels_and_bindings {
        service: [create_channel, update_channel, bind, unbind, fetch_bound_channels, fetch_service_id_each_channel, fetch_service_id_list, fetch_popular_channels, fetch_channel_list],
        user: [],
    }
    user_channels {
        service: [],
        user: [create_channel, update_channel, fetch_channel_list, fetch_popular_channels, fetch_service_id_list, fetch_service_id_each_channel, fetch_bound_channels],
    }
    service_characters_and_agents {
        service: [fetch_member_ids, fetch_character_profile, create_agent, fetch_agents, update_agent, fetch_characters, update_current_user],
        user: [],
    }
    user_characters {
        service: [],
        user: [fetch_member_ids, fetch_character_profile, update_current_user, fetch_characters, fetch_agents],
    }
    service_groups_and_history {
        service: [create_service_group, character_ids_of_service_group, create_channel_group, character_ids_of_channel_group, fetch_channel_group_list, fetch_channel_temp_group, fetch_message_history],
        user: [],
    }
    user_groups_and_history {
        service: [],
        user: [create_service_group, character_ids_of_service_group, create_channel_group, character_ids_of_channel_group, fetch_channel_group_list, fetch_channel_temp_group, fetch_message_history],
    }
    service_files {
        service: [upload, upload_bytes, download_bytes, download, download_size],
        user: [],
    }
    user_files {
        service: [],
        user: [upload, upload_bytes, download_bytes, download, download_size],
    }
    service_accounts {
        service: [refresh_authentication, authenticate, sign_up, sign_out, call, send_heartbeat, send],
        user: [],
    }
    user_accounts {
        service: [],
        user: [refresh_authentication, authenticate, sign_up, sign_out, call, send_heartbeat, send],
    }
    spells_reach_on_spell {
        service: [on_spell],
        user: [on_spell],
    }
    unknown_frames_reach_on_unknown_payload {
        service: [on_unknown_payload],
        user: [on_unknown_payload],
    }
    acknowledgements_reach_on_copy_client {
        service: [on_copy_client],
        user: [on_copy_client],
    }
    service_frame_limit_a_byte_over_reconnects {
        service: [on_unknown_payload],
        user: [],
    }
    user_frame_limit_a_byte_over_reconnects {
        service: [],
        user: [on_unknown_payload],
    }
    the_checkin_timer_fires_per_checkin_interval {
        service: [on_channel_checkin],
        user: [],
    }
    a_refused_sign_in_ends_the_run {
        service: [],
        user: [],
    }
    calls_after_a_stop_fail_with_stopped {
        service: [fetch_channel_list],
        user: [fetch_channel_list],
    }
    user_messages_survive_dropped_sockets {
        service: [on_message_up],
        user: [send_message],
    }
    service_messages_survive_dropped_sockets {
        service: [send_text],
        user: [on_message_down],
    }
    http_5xx_bursts_are_retried {
        service: [fetch_member_ids, send_message, create_channel, fetch_agents, on_message_up],
        user: [send_message, on_message_down],
    }
    expired_tokens_and_forgotten_logins_are_recovered {
        service: [fetch_agents, send_text, on_message_up],
        user: [fetch_channel_list, send_message, on_message_down],
    }
    service_token_refresh_and_sign_in_timers {
        service: [fetch_channel_list, send],
        user: [],
    }
    user_token_refresh_and_sign_in_timers {
        service: [],
        user: [fetch_channel_list, send],
    }
}

/// The callbacks `moobius_runtime::callback_trait!` declares: the lines
/// `fn x(` of its `pub trait` arm, to the end of the macro.
fn declared_callbacks(source: &str) -> Vec<String> {
    let mut lines = source
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("pub trait $name"));
    lines.next().expect("the trait arm is in the macro");
    lines
        .take_while(|l| *l != "}")
        .filter_map(|l| l.trim_start().strip_prefix("fn "))
        .filter_map(|l| l.split('(').next())
        .map(|n| n.split('<').next().unwrap_or(n).to_owned())
        .collect()
}

/// `CALLBACKS` (and so the coverage check) lists every callback the
/// callback traits declare: a new callback without an entry fails here.
/// Both traits (`Service`, `Bot`) are written by that one macro: the
/// scenarios' implementations of each override every callback, so a trait
/// without one would not compile.
#[test]
fn the_callback_table_lists_every_trait_method() {
    let table: Vec<_> = CALLBACKS.iter().map(|(n, _)| (*n).to_owned()).collect();
    let mut methods = declared_callbacks(include_str!("../../moobius-runtime/src/callbacks.rs"));
    methods.sort();
    let mut listed = table;
    listed.sort();
    assert_eq!(methods, listed, "callback_trait! vs CALLBACKS");
    for (file, source) in [
        (
            "moobius-tokio/src/service.rs",
            include_str!("../../moobius-tokio/src/service.rs"),
        ),
        (
            "moobius-blocking/src/bot.rs",
            include_str!("../../moobius-blocking/src/bot.rs"),
        ),
    ] {
        assert!(
            source.contains("moobius_runtime::callback_trait! {"),
            "{file}: its trait is not declared by callback_trait!"
        );
    }
}

/// The scenario list covers every handle method in both modes (in the mode
/// it does not belong to, as its refusal) and every callback in each mode
/// the platform runs it in; every declared name exists.
#[test]
fn every_method_and_callback_has_a_scenario_in_each_mode() {
    let ops = moobius_tokio::Moobius::OPERATIONS;
    let mut listed: Vec<_> = Call::NAMES.to_vec();
    let mut surface: Vec<_> = ops.to_vec();
    listed.sort_unstable();
    surface.sort_unstable();
    assert_eq!(
        listed, surface,
        "conformance_support::calls lists exactly the handle methods"
    );
    let covered = |side: Side, name: &str| SCENARIOS.iter().any(|(_, c)| c.contains(&(side, name)));
    let mut missing = Vec::new();
    for op in ops {
        for side in [Side::Service, Side::User] {
            if !covered(side, op) {
                missing.push(format!("{op} ({side:?} mode)"));
            }
        }
    }
    for (callback, sides) in CALLBACKS {
        for side in *sides {
            if !covered(*side, callback) {
                missing.push(format!("{callback} ({side:?} mode)"));
            }
        }
    }
    assert!(missing.is_empty(), "no scenario covers: {missing:#?}");
    for (scenario, covers) in SCENARIOS {
        for (side, name) in *covers {
            let known = ops.contains(name)
                || CALLBACKS
                    .iter()
                    .any(|(c, sides)| c == name && sides.contains(side));
            assert!(
                known,
                "{scenario}: `{name}` is no method or {side:?}-mode callback"
            );
        }
    }
}
