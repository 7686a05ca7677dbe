//! `moobius-blocking` in service mode against the devserver: start-up from
//! a reference config file (with the created service id written back),
//! callbacks in order, platform calls from callbacks and from other
//! threads, spells, failures and clean stops.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blocking_support;

use blocking_support::{eventually, next_event, Platform, Recorder, Seen, LOBBY, WAIT};
use moobius_blocking::proto::compose::{MessageSpec, Recipients};
use moobius_blocking::proto::model::{Button, CharacterRefs, UpdateContent};
use moobius_blocking::proto::session::{Event, FatalError};
use moobius_blocking::{Click, Client, Config, DownloadOptions, Error, NewChannel, Profile};

#[test]
fn a_service_from_a_config_file_starts_echoes_and_serves_clicks() {
    let p = Platform::start(&["svc@example.com", "alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let text = serde_json::json!({
        "account_config": {"email": "svc@example.com", "password": "pw"},
        "service_config": {
            "http_server_uri": p.server.http_uri(),
            "ws_server_uri": p.server.ws_uri(),
            "service_id": "",
            "channels": [LOBBY],
        },
        "db_config": [{"implementation": "json", "name": "stats",
                       "settings": {"root_dir": dir.path().join("data")}}],
    });
    std::fs::write(&path, serde_json::to_string_pretty(&text).unwrap()).unwrap();
    let config = Config::load_with_env(&path, |_| None)
        .unwrap()
        .with_options(blocking_support::fast());

    let (bot, watch) = Recorder::new(true);
    let running = moobius_blocking::spawn(config, bot).unwrap();
    assert_eq!(watch.next("before_channel_init"), Seen::BeforeChannelInit);
    assert_eq!(
        watch.next("on_channel_init"),
        Seen::ChannelInit(LOBBY.into())
    );
    assert_eq!(watch.next("on_start"), Seen::Start);
    let m = running.moobius();
    assert!(m.is_ready());
    let service_id = m.own_id().expect("a service was created");
    assert_eq!(
        p.server.bindings(),
        [(LOBBY.to_owned(), service_id.clone())]
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains(&service_id),
        "service id written back: {saved}"
    );
    // Per-channel storage from db_config, under the service's id.
    let storage = m.open_storage(LOBBY).unwrap().expect("db_config given");
    let stats = storage.container("stats").unwrap();
    stats.set("alice", &1u64).unwrap();
    assert_eq!(stats.get::<u64>("alice").unwrap(), Some(1));
    let file = dir
        .path()
        .join("data")
        .join(format!("service_{service_id}"))
        .join(format!("channel_{LOBBY}"))
        .join("stats")
        .join("alice.json");
    assert!(file.exists(), "stored at {}", file.display());

    // A user joins (the bot answers from its callback with the channel's
    // characters: an HTTP composite driven from inside a callback) and
    // says hello (the bot echoes it: group creation from a callback too).
    let mut alice = Client::connect(p.user("alice@example.com"), WAIT).unwrap();
    let alice_m = alice.moobius();
    assert_eq!(
        watch.until("the join", |s| matches!(s, Seen::Join(_))),
        Seen::Join(alice_id.clone())
    );
    let Event::Update(update) = next_event(&mut alice, "the character list", |e| {
        matches!(e, Event::Update(_))
    }) else {
        unreachable!()
    };
    assert_eq!(
        update.content,
        UpdateContent::Characters(CharacterRefs::Ids(vec![alice_id.clone()]))
    );
    let hello = MessageSpec::text(LOBBY, "hello", Recipients::Service);
    alice_m.send_message(hello).unwrap();
    assert_eq!(
        watch.until("the message", |s| matches!(s, Seen::MessageUp { .. })),
        Seen::MessageUp {
            text: "hello".into(),
            sender: alice_id.clone()
        }
    );
    let Event::MessageDown(message) = next_event(&mut alice, "the echo", |e| {
        matches!(e, Event::MessageDown(_))
    }) else {
        unreachable!()
    };
    assert_eq!(message.content.text.as_deref(), Some("hello"));
    assert_eq!(message.sender, alice_id, "forwarded as from its author");

    // From this thread, while the bot's thread drives the connection.
    m.send_buttons(LOBBY, vec![Button::new("b1", "B1")], alice_id.clone())
        .unwrap();
    let Event::Update(update) =
        next_event(&mut alice, "the buttons", |e| matches!(e, Event::Update(_)))
    else {
        unreachable!()
    };
    assert_eq!(update.content.subtype().as_str(), "buttons");
    alice_m.send_button_click(Click::new(LOBBY, "b1")).unwrap();
    assert_eq!(
        watch.until("the click", |s| matches!(s, Seen::ButtonClick { .. })),
        Seen::ButtonClick {
            button_id: "b1".into(),
            sender: alice_id
        }
    );

    running
        .stop()
        .expect("a requested stop ends the run with Ok");
    p.wait_until("the service's socket to close", |s| {
        let conns = s.connections();
        let mut mine = conns
            .iter()
            .filter(|c| c.service_id() == Some(service_id.as_str()))
            .peekable();
        let closed = mine.peek().is_some() && mine.all(|c| !c.open);
        closed.then_some(())
    });
}

#[test]
fn other_threads_call_the_platform_while_the_bot_runs() {
    let p = Platform::start(&["svc@example.com", "alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    p.server.add_member(LOBBY, alice_id.as_str()).unwrap();
    let (bot, watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();
    assert_eq!(watch.until("on_start", |s| *s == Seen::Start), Seen::Start);

    let cats = m
        .create_channel(NewChannel::new("Cats").description("all about cats"))
        .unwrap();
    assert!(m.channels().contains(&cats));
    let bound = m.fetch_bound_channels().unwrap();
    assert!(
        bound.contains(&cats) && bound.contains(&LOBBY.into()),
        "{bound:?}"
    );
    assert_eq!(
        m.fetch_member_ids(LOBBY).unwrap(),
        std::slice::from_ref(&alice_id)
    );

    let url = m.upload_bytes("note.txt", b"hello file".to_vec()).unwrap();
    assert_eq!(
        m.upload_bytes("again.txt", b"hello file".to_vec()).unwrap(),
        url,
        "cached by content"
    );
    assert_eq!(
        m.download_bytes(url.clone()).unwrap().as_ref(),
        b"hello file"
    );
    let dir = tempfile::tempdir().unwrap();
    let into = DownloadOptions::into_dir(dir.path()).file_name("note.txt");
    let saved = m.download(url, into).unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"hello file");

    let agent = m
        .create_agent(Profile::new("Helper").description("helps"))
        .unwrap();
    assert_eq!(
        m.fetch_agents().unwrap()[0].character_id,
        agent.character_id
    );

    // Four threads at once, five messages each, as the agent.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (m, to, agent) = (m.clone(), alice_id.clone(), agent.character_id.clone());
            std::thread::spawn(move || {
                for i in 0..5 {
                    m.send_text(LOBBY, format!("t{t} m{i}"), to.clone(), Some(agent.clone()))
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let texts = p.wait_until("twenty messages in the history", |_| {
        let texts = p.history_texts();
        (texts.len() >= 20).then_some(texts)
    });
    assert_eq!(texts.len(), 20, "{texts:?}");
    for t in 0..4 {
        let mine: Vec<_> = texts
            .iter()
            .filter(|x| x.starts_with(&format!("t{t} ")))
            .collect();
        let expected: Vec<String> = (0..5).map(|i| format!("t{t} m{i}")).collect();
        assert_eq!(
            mine,
            expected.iter().collect::<Vec<_>>(),
            "each thread's order kept"
        );
    }
    let history = p.server.history(LOBBY);
    assert!(history
        .iter()
        .all(|h| h.sender == agent.character_id.as_str()));
    running.stop().unwrap();
}

#[test]
fn a_call_from_another_thread_drives_while_a_callback_is_busy() {
    let p = Platform::start(&["svc@example.com", "alice@example.com"]);
    let (bot, watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();
    let alice = Client::connect(p.user("alice@example.com"), WAIT).unwrap();
    watch.until("the join", |s| matches!(s, Seen::Join(_)));

    running.spell("sleep".to_owned()).unwrap();
    watch.until("the busy callback", |s| *s == Seen::Spell("sleep".into()));
    // Nobody drives the bot's connection now: this call does it itself.
    let asked = std::time::Instant::now();
    let hi = MessageSpec::text(LOBBY, "while busy", Recipients::Service);
    alice.moobius().send_message(hi).unwrap();
    assert!(m.fetch_bound_channels().unwrap().contains(&LOBBY.into()));
    assert!(
        asked.elapsed() < std::time::Duration::from_millis(1000),
        "answered while the callback sleeps: {:?}",
        asked.elapsed()
    );
    // The message that arrived meanwhile waits for the callback, in order.
    let next = watch.next("the message, after the busy callback");
    assert!(
        matches!(next, Seen::MessageUp { ref text, .. } if text == "while busy"),
        "{next:?}"
    );
    running.stop().unwrap();
}

#[test]
fn spells_arrive_in_order_and_a_callback_can_stop_the_bot() {
    let p = Platform::start(&["svc@example.com"]);
    let (bot, watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();
    let sender = running.spell_sender();
    for spell in ["one", "two", "stop"] {
        running.spell(spell.to_owned()).unwrap();
    }
    let spells: Vec<Seen> = (0..3)
        .map(|_| watch.until("a spell", |s| matches!(s, Seen::Spell(_))))
        .collect();
    assert_eq!(
        spells,
        ["one", "two", "stop"].map(|s| Seen::Spell(s.into()))
    );
    eventually("the bot's thread to end", || {
        running.is_finished().then_some(())
    });
    running.wait().expect("stopped from a callback: Ok");
    assert!(m.is_stopped());
    assert!(matches!(m.send_heartbeat(), Err(Error::Stopped)));
    assert!(matches!(
        sender.send("late".to_owned()),
        Err(Error::Stopped)
    ));
}

#[test]
fn a_refused_sign_in_ends_the_run_with_the_fatal_error() {
    let p = Platform::start(&["svc@example.com"]);
    let mut config = p.service("svc@example.com");
    config.session.password = "wrong".into();
    let (bot, _watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(config.clone(), bot).unwrap();
    eventually("the run to end", || running.is_finished().then_some(()));
    let e = running.wait().expect_err("sign-in refused");
    assert!(matches!(e, Error::Fatal(FatalError::SignIn(_))), "{e}");
    let e = Client::connect(config, WAIT).expect_err("sign-in refused");
    assert!(matches!(e, Error::Fatal(FatalError::SignIn(_))), "{e}");
}

#[test]
fn dropping_a_client_closes_its_socket() {
    let p = Platform::start(&["alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    let alice = Client::connect(p.user("alice@example.com"), WAIT).unwrap();
    let handle = alice.moobius();
    let open = |s: &moobius_devserver::DevServerHandle| {
        s.connections()
            .iter()
            .filter(|c| c.user_id() == Some(alice_id.as_str()) && c.open)
            .count()
    };
    assert_eq!(open(&p.server), 1);
    drop(alice);
    p.wait_until("alice's socket to close", |s| (open(s) == 0).then_some(()));
    assert!(handle.is_stopped());
    assert!(matches!(handle.fetch_channel_list(), Err(Error::Stopped)));
}
