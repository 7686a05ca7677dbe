//! Whole session lifecycles in deterministic simulation: a fake platform, a
//! virtual clock, and seeded faults. One scenario per test, named for what
//! it proves.

mod sim;

use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::ops::{FetchCharacters, NewChannel, Operation};
use moobius_proto::session::{
    CommandError, ConnectionEvent, Event, FatalError, OpError, OpOutput, OthersPolicy, Role,
    SessionConfig,
};
use moobius_proto::ws::Outbound;
use moobius_proto::{ChannelId, CharacterId, Password};
use sim::platform::{Platform, EMAIL, PASSWORD, USER_ID};
use sim::Sim;
use std::time::Duration;

const CHAN: &str = "chan-1";

fn config(role: Role) -> SessionConfig {
    SessionConfig::new(
        EMAIL,
        Password::new(PASSWORD),
        "http://platform.test/".parse().expect("uri"),
        "ws://platform.test/ws",
        role,
    )
}

fn service(seed: u64) -> Sim {
    let mut p = Platform::new();
    p.members
        .insert(CHAN.into(), vec!["u1".into(), "u2".into()]);
    Sim::new(config(Role::service(None, vec![CHAN.into()])), p, seed)
}

fn user(seed: u64) -> Sim {
    let mut p = Platform::new();
    p.members.insert(CHAN.into(), vec!["u1".into()]);
    p.members.insert("chan-2".into(), vec![USER_ID.into()]);
    Sim::new(
        config(Role::user(vec![CHAN.into(), "chan-2".into()])),
        p,
        seed,
    )
}

fn to(ids: &[&str]) -> Recipients {
    Recipients::Characters(ids.iter().map(|s| CharacterId::new(*s)).collect())
}

fn text(n: usize) -> MessageSpec {
    MessageSpec::text(CHAN, format!("m{n}"), to(&["u1", "u2"])).sender("agent")
}

fn position(events: &[Event], pred: impl Fn(&Event) -> bool) -> Option<usize> {
    events.iter().position(pred)
}

#[test]
fn service_mode_creates_its_service_binds_and_becomes_ready_without_sleeping() {
    let mut sim = service(1);
    sim.run_until_ready();
    let ev = &sim.events;
    let created = position(ev, |e| matches!(e, Event::ServiceCreated(_))).expect("service created");
    let before =
        position(ev, |e| matches!(e, Event::BeforeChannelInit)).expect("before_channel_init");
    let init =
        position(ev, |e| matches!(e, Event::ChannelInit(c) if c == CHAN)).expect("channel init");
    let ready = position(ev, |e| matches!(e, Event::Ready)).expect("ready");
    assert!(created < before && before < init && init < ready);
    assert_eq!(sim.platform.bound_service(CHAN), sim.session.own_id());
    assert_eq!(sim.platform.logins, 1, "one login per connection");
    assert!(
        sim.elapsed() < Duration::from_millis(200),
        "no fixed sleeps: ready after {:?}",
        sim.elapsed()
    );
    assert_eq!(sim.session.channels(), [ChannelId::new(CHAN)]);
}

#[test]
fn others_policy_include_takes_over_ignore_leaves_unbind_releases() {
    for (policy, ours, other_keeps) in [
        (OthersPolicy::Include, true, false),
        (OthersPolicy::Ignore, false, true),
        (OthersPolicy::Unbind, false, false),
    ] {
        let mut p = Platform::new();
        p.services.insert("svc-other".into(), vec![CHAN.into()]);
        let role = Role::Service {
            service_id: Some("svc-me".into()),
            channels: vec![CHAN.into()],
            others: policy,
            checkin_interval: None,
            description: String::new(),
        };
        let mut sim = Sim::new(config(role), p, 2);
        sim.run_until_ready();
        assert_eq!(
            sim.session.channels().contains(&ChannelId::new(CHAN)),
            ours,
            "{policy:?}"
        );
        assert_eq!(
            sim.platform.bound_service(CHAN) == Some("svc-other"),
            other_keeps,
            "{policy:?}"
        );
        let dropped = sim
            .events
            .iter()
            .any(|e| matches!(e, Event::ChannelDropped { .. }));
        assert_eq!(dropped, !ours, "{policy:?}");
    }
}

#[test]
fn a_failed_bind_drops_that_channel_with_a_reason_and_keeps_the_others() {
    let mut sim = service(3);
    sim.platform.fail_bind.insert("chan-bad".into());
    sim.session = moobius_proto::session::Session::new(
        config(Role::service(None, vec!["chan-bad".into(), CHAN.into()])),
        sim.now,
        [3; 32],
    );
    sim.run_until_ready();
    assert!(sim.events.iter().any(|e| matches!(e, Event::ChannelDropped { channel_id, reason } if channel_id == "chan-bad" && reason.contains("bind"))));
    assert_eq!(sim.session.channels(), [ChannelId::new(CHAN)]);
}

#[test]
fn user_mode_joins_only_the_channels_it_is_not_in() {
    let mut sim = user(4);
    sim.run_until_ready();
    assert_eq!(sim.session.own_id(), Some(USER_ID));
    let joins: Vec<_> = sim
        .platform
        .delivered
        .iter()
        .filter_map(|f| match &f.frame {
            Outbound::Action(a) => Some(a.channel_id.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(joins, [CHAN], "joins chan-1, already in chan-2");
}

#[test]
fn a_failed_sign_in_is_fatal_and_never_retried() {
    let mut sim = service(5);
    sim.platform.password = "other".into();
    sim.run_for(Duration::from_secs(600));
    assert!(
        matches!(sim.events.last(), Some(Event::Fatal(FatalError::SignIn(_)))),
        "{:?}",
        sim.events
    );
    assert_eq!(
        sim.platform.http_log.len(),
        1,
        "one sign-in attempt: {:?}",
        sim.platform.http_log
    );
    assert_eq!(sim.session.poll_timeout(), None, "nothing left to do");
}

#[test]
fn heartbeats_every_30_seconds_and_timers_are_harmless_to_repeat() {
    let mut sim = service(6);
    sim.run_until_ready();
    let before = sim
        .ws_sent
        .iter()
        .filter(|t| t.contains("\"heartbeat\""))
        .count();
    sim.run_for(Duration::from_secs(305));
    let after = sim
        .ws_sent
        .iter()
        .filter(|t| t.contains("\"heartbeat\""))
        .count();
    assert_eq!(after - before, 10);
    let now = sim.now;
    sim.session.handle_timeout(now);
    sim.session.handle_timeout(now);
    assert!(sim.session.poll_timeout().expect("timers armed") > now);
}

#[test]
fn messages_wait_for_their_group_yet_leave_in_order_and_groups_are_created_once() {
    let mut sim = service(7);
    sim.run_until_ready();
    let now = sim.now;
    for n in 0..5 {
        sim.session
            .send_message(now, 1_700_000_000_000, text(n), None)
            .expect("queued");
    }
    sim.session
        .send_message(
            now,
            1,
            MessageSpec::text(CHAN, "m5", to(&["u2"])).sender("agent"),
            None,
        )
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        sim.platform.delivered_texts(),
        ["m0", "m1", "m2", "m3", "m4", "m5"]
    );
    let creates = sim
        .platform
        .http_log
        .iter()
        .filter(|l| l.ends_with("/service/group/create"))
        .count();
    assert_eq!(creates, 2, "one group per distinct list");
    let sent = sim
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::OpDone {
                    result: Ok(OpOutput::Sent),
                    ..
                }
            )
        })
        .count();
    assert!(sent >= 6);
}

#[test]
fn empty_recipients_are_refused_but_an_empty_character_list_clears_the_list() {
    let mut sim = service(8);
    sim.run_until_ready();
    let now = sim.now;
    let err = sim
        .session
        .send_message(now, 1, MessageSpec::text(CHAN, "x", to(&[])), None);
    assert_eq!(err, Err(CommandError::NoRecipients));
    sim.session
        .send_characters(now, CHAN.into(), vec![], to(&["u1"]))
        .expect("allowed");
    sim.run_for(Duration::from_secs(1));
    assert!(
        sim.platform.groups.values().any(Vec::is_empty),
        "an empty group was created"
    );
    assert!(sim
        .platform
        .delivered
        .iter()
        .any(|f| matches!(&f.frame, Outbound::Update(_))));
}

#[test]
fn after_a_drop_it_logs_in_first_then_resends_in_order_with_nothing_lost_or_duplicated() {
    let mut sim = service(9);
    sim.run_until_ready();
    sim.platform.ack = false; // acks lost: the session cannot know what arrived
    let now = sim.now;
    for n in 0..3 {
        sim.session
            .send_message(now, 1, text(n), None)
            .expect("queued");
    }
    sim.run_for(Duration::from_millis(50));
    sim.drop_connection();
    let now = sim.now;
    for n in 3..6 {
        sim.session
            .send_message(now, 1, text(n), None)
            .expect("queued while down");
    }
    sim.platform.ack = true;
    sim.run_for(Duration::from_secs(5));
    assert_eq!(
        sim.platform.delivered_texts(),
        ["m0", "m1", "m2", "m3", "m4", "m5"]
    );
    assert_eq!(
        sim.platform.rejected_frames, 0,
        "nothing was sent before the login"
    );
    // The unacknowledged frames were sent again with their request ids, which
    // the platform recognises: delivered once each.
    assert_eq!(sim.platform.duplicates, 3);
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::Connection(ConnectionEvent::Reconnected))));
    // After the reconnect, the first frame written is the login.
    let reconnect_at = sim
        .ws_sent
        .iter()
        .rposition(|t| t.contains("service_login"))
        .expect("relogin");
    assert!(sim.ws_sent[reconnect_at + 1..]
        .iter()
        .all(|t| !t.contains("service_login")));
}

#[test]
fn silence_past_the_liveness_deadline_closes_and_reconnects() {
    let mut sim = service(10);
    sim.run_until_ready();
    sim.platform.ack = false; // the platform goes silent
    sim.run_for(Duration::from_secs(100));
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::Connection(ConnectionEvent::Disconnected(_)))));
    assert!(sim.platform.logins >= 2, "logged in again");
}

#[test]
fn reconnect_backs_off_with_a_capped_delay_while_the_platform_is_down() {
    let mut sim = service(11);
    sim.run_until_ready();
    sim.platform.ws_refuse = true;
    sim.drop_connection();
    sim.run_for(Duration::from_secs(600));
    let attempts: Vec<_> = sim
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Connection(ConnectionEvent::Reconnecting { attempt, at }) => {
                Some((*attempt, *at))
            }
            _ => None,
        })
        .collect();
    assert!(
        attempts.len() > 10 && attempts.len() < 100,
        "{} attempts in 10 minutes",
        attempts.len()
    );
    assert!(attempts.windows(2).all(|w| w[1].0 == w[0].0 + 1));
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].1 - w[0].1).collect();
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(31)),
        "capped: {gaps:?}"
    );
    sim.platform.ws_refuse = false;
    sim.run_for(Duration::from_secs(60));
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::Connection(ConnectionEvent::Reconnected))));
}

#[test]
fn a_rejected_frame_makes_the_service_log_in_again() {
    let mut sim = service(12);
    sim.run_until_ready();
    let logins = sim.platform.logins;
    sim.platform.force_logout = true;
    let now = sim.now;
    sim.session.send_heartbeat(now).expect("queued");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.platform.logins, logins + 1);
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::Copy(c) if !c.status)));
}

#[test]
fn an_expired_token_is_refreshed_and_the_call_retried_once() {
    let mut sim = service(13);
    sim.run_until_ready();
    sim.platform.expire_tokens();
    let call = moobius_proto::ops::Call(moobius_proto::http::FetchMemberIds::new(CHAN, "svc-1"));
    let ids: Vec<CharacterId> = run_op(&mut sim, call);
    assert_eq!(ids, ["u1", "u2"]);
    assert!(sim
        .platform
        .http_log
        .iter()
        .any(|l| l.ends_with("/auth/refresh")));
}

#[test]
fn server_errors_on_safe_calls_are_retried_with_backoff_then_reported() {
    let mut sim = service(14);
    sim.run_until_ready();
    sim.faults.http_5xx = 1.0;
    let now = sim.now;
    let op = sim
        .session
        .call(now, moobius_proto::http::FetchMemberIds::new(CHAN, "svc-1"))
        .expect("call");
    sim.run_for(Duration::from_secs(30));
    let tries = sim
        .platform
        .http_log
        .iter()
        .filter(|l| l.contains("character_list"))
        .count();
    assert_eq!(
        tries, 0,
        "the fake answered 503 itself, before the platform saw it"
    );
    let failed = sim
        .events
        .iter()
        .any(|e| matches!(e, Event::OpDone { op: o, result: Err(OpError::Api(_)) } if *o == op));
    assert!(failed, "reported after the retries");
}

#[test]
fn the_outbound_queue_is_bounded() {
    let mut cfg = config(Role::service(Some("svc-x".into()), vec![]));
    cfg.max_queued_frames = 3;
    let mut sim = Sim::new(cfg, Platform::new(), 15);
    let now = sim.now;
    for _ in 0..3 {
        sim.session.send_heartbeat(now).expect("fits");
    }
    assert_eq!(
        sim.session.send_heartbeat(now),
        Err(CommandError::QueueFull { limit: 3 })
    );
}

#[test]
fn a_frame_over_the_size_limit_is_failed_back_not_requeued() {
    let mut cfg = config(Role::service(None, vec![CHAN.into()]));
    cfg.max_frame_bytes = 2000;
    let mut p = Platform::new();
    p.members.insert(CHAN.into(), vec!["u1".into()]);
    let mut sim = Sim::new(cfg, p, 16);
    sim.run_until_ready();
    let now = sim.now;
    let big = MessageSpec::text(CHAN, "x".repeat(5000), to(&["u1"])).sender("a");
    let op = sim.session.send_message(now, 1, big, None).expect("queued");
    sim.session
        .send_message(now, 1, text(1), None)
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    assert!(sim.events.iter().any(|e| matches!(e, Event::OpDone { op: o, result: Err(OpError::FrameTooLarge { .. }) } if *o == op)));
    assert_eq!(sim.platform.delivered_texts(), ["m1"]);
}

#[test]
fn inbound_events_keep_arrival_order_while_a_group_is_looked_up() {
    let mut sim = service(17);
    sim.run_until_ready();
    sim.platform
        .groups
        .insert("g-slow".into(), vec!["u1".into(), "u2".into()]);
    sim.faults.http_delay = Duration::from_millis(500);
    let msg = |text: &str, recipients: &str| {
        format!(
            r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{CHAN}","content":{{"text":"{text}"}},"timestamp":1,"recipients":"{recipients}","sender":"u1","message_id":"m"}}}}"#
        )
    };
    sim.push_frame(&msg("first", "g-slow"));
    sim.push_frame(&format!(
        r#"{{"type":"action","body":{{"subtype":"join","channel_id":"{CHAN}","sender":"u3"}}}}"#
    ));
    sim.push_frame(&msg("third", "service"));
    sim.run_for(Duration::from_secs(2));
    let order: Vec<String> = sim
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MessageUp(message) => Some(format!(
                "{}:{}",
                message.content.text.clone().unwrap_or_default(),
                match &message.recipients {
                    Some(moobius_proto::model::CharacterRefs::Ids(ids)) => ids.len(),
                    _ => usize::MAX,
                }
            )),
            Event::Action(moobius_proto::ws::Action::Join(a)) => Some(format!("join:{}", a.sender)),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["first:2", "join:u3", "third:0"]);
}

#[test]
fn user_mode_messages_use_a_channel_group() {
    let mut sim = user(18);
    sim.run_until_ready();
    let now = sim.now;
    sim.session
        .send_message(
            now,
            1,
            MessageSpec::text(CHAN, "hi", Recipients::Service),
            None,
        )
        .expect("queued");
    sim.session
        .send_message(now, 1, MessageSpec::text(CHAN, "hey", to(&["u1"])), None)
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.platform.delivered_texts(), ["hi", "hey"]);
    assert!(sim
        .platform
        .http_log
        .iter()
        .any(|l| l.ends_with("/user/group/create")));
    assert_eq!(
        sim.session
            .send_characters(now, CHAN.into(), vec![], to(&["u1"])),
        Err(CommandError::WrongMode("send_characters"))
    );
}

#[test]
fn a_local_file_is_uploaded_before_its_message_which_keeps_its_place() {
    let mut sim = service(19);
    sim.run_until_ready();
    let now = sim.now;
    let file = MessageSpec::file(
        CHAN,
        moobius_proto::compose::FileSource::Local("notes.txt".into()),
        to(&["u1"]),
    );
    sim.session
        .send_message(now, 1, file, Some(bytes::Bytes::from_static(b"hello file")))
        .expect("queued");
    sim.session
        .send_message(now, 1, text(2), None)
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    let kinds: Vec<String> = sim
        .platform
        .delivered
        .iter()
        .filter_map(|f| match &f.frame {
            Outbound::MessageDown(m) => Some(format!(
                "{}:{:?}:{:?}",
                m.subtype, m.content.path, m.content.size
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds[0],
        "file:Some(\"http://files.test/upload-bucket/f1.txt\"):Some(10)"
    );
    assert!(kinds[1].starts_with("text"));
    assert_eq!(sim.platform.uploads.len(), 1);
}

#[test]
fn closing_fails_pending_commands_and_stops_all_timers() {
    let mut sim = service(20);
    sim.run_until_ready();
    sim.platform.ws_refuse = true;
    sim.drop_connection();
    sim.run_for(Duration::from_millis(10));
    let now = sim.now;
    let op = sim
        .session
        .send_message(now, 1, text(0), None)
        .expect("queued");
    sim.session.close(now);
    sim.run_for(Duration::from_secs(1));
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e, Event::OpDone { op: o, result: Err(OpError::Closed) } if *o == op)));
    assert_eq!(sim.session.poll_timeout(), None);
    assert_eq!(sim.session.send_heartbeat(now), Err(CommandError::Closed));
}

#[test]
fn a_frame_rejected_for_a_lost_login_is_sent_again_after_logging_in() {
    let mut sim = service(21);
    sim.run_until_ready();
    sim.platform.force_logout = true;
    let now = sim.now;
    sim.session
        .send_message(now, 1, text(0), None)
        .expect("queued");
    sim.session
        .send_message(now, 1, text(1), None)
        .expect("queued");
    sim.run_for(Duration::from_secs(2));
    assert_eq!(
        sim.platform.delivered_texts(),
        ["m0", "m1"],
        "nothing lost, order kept"
    );
    assert!(sim.platform.rejected_frames >= 1);
}

#[test]
fn a_login_refused_for_an_expired_token_refreshes_the_token_and_logs_in_again() {
    let mut sim = service(22);
    sim.run_until_ready();
    sim.platform.expire_tokens();
    sim.drop_connection();
    sim.run_for(Duration::from_secs(5));
    assert!(sim.platform.logged_in, "logged in with a fresh token");
    assert!(sim
        .platform
        .http_log
        .iter()
        .any(|l| l.ends_with("/auth/refresh")));
    assert!(!sim.events.iter().any(|e| matches!(e, Event::Fatal(_))));
    let now = sim.now;
    sim.session
        .send_message(now, 1, text(7), None)
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.platform.delivered_texts(), ["m7"]);
}

/// Starts `op`, runs the simulation for a second, and finishes it.
fn run_op<O: Operation>(sim: &mut Sim, op: O) -> O::Output {
    let now = sim.now;
    let (id, state) = op.start(&mut sim.session, now, 1).expect("started");
    sim.run_for(Duration::from_secs(1));
    let result = sim.events.iter_mut().find_map(|e| match e {
        Event::OpDone { op: o, result } if *o == id => {
            Some(std::mem::replace(result, Err(OpError::Closed)))
        }
        _ => None,
    });
    O::finish(state, result.expect("done").expect("ok")).expect("typed output")
}

#[test]
fn fetch_characters_is_members_profiles_then_agents() {
    let mut sim = service(23);
    sim.run_until_ready();
    let chars = run_op(
        &mut sim,
        FetchCharacters {
            channel_id: CHAN.into(),
        },
    );
    let names: Vec<&str> = chars.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["name of u1", "name of u2", "Agent"]);
}

#[test]
fn create_channel_binds_it_to_the_service_by_default() {
    let mut sim = service(24);
    sim.run_until_ready();
    let channel = run_op(&mut sim, NewChannel::new("Room").description("A room"));
    assert_eq!(
        sim.platform.bound_service(channel.as_str()),
        sim.session.own_id()
    );
    assert!(sim.session.channels().contains(&channel));
}

#[test]
fn the_same_bytes_are_uploaded_once() {
    let mut sim = service(25);
    sim.run_until_ready();
    let now = sim.now;
    let a = sim
        .session
        .upload(now, "a.png", bytes::Bytes::from_static(b"png"))
        .expect("started");
    sim.run_for(Duration::from_secs(1));
    let now = sim.now;
    let b = sim
        .session
        .upload(now, "b.png", bytes::Bytes::from_static(b"png"))
        .expect("started");
    sim.run_for(Duration::from_secs(1));
    let urls: Vec<String> = [a, b]
        .iter()
        .map(|op| {
            sim.events
                .iter()
                .find_map(|e| match e {
                    Event::OpDone {
                        op: o,
                        result: Ok(OpOutput::Uploaded { url }),
                    } if o == op => Some(url.clone()),
                    _ => None,
                })
                .expect("uploaded")
        })
        .collect();
    assert_eq!(urls[0], urls[1]);
    assert_eq!(
        sim.platform.uploads.len(),
        1,
        "one upload for the same content"
    );
}

#[test]
fn a_connection_drop_at_any_step_of_start_up_still_ends_ready_with_one_service() {
    // Virtual milliseconds after start: each lands in a different step
    // (sign-in, service creation, connect, login, binding, group lists).
    let mut drops = 0;
    for at_ms in [0u64, 3, 5, 8, 12, 15, 18, 22, 26, 30, 40] {
        let mut sim = service(100 + at_ms);
        sim.run_for(Duration::from_millis(at_ms));
        sim.drop_connection();
        sim.run_for(Duration::from_millis(2));
        drops += usize::from(
            sim.events
                .iter()
                .any(|e| matches!(e, Event::Connection(ConnectionEvent::Disconnected(_)))),
        );
        sim.run_until_ready();
        assert_eq!(
            sim.platform.services.len(),
            1,
            "drop at {at_ms} ms created a second service"
        );
        assert_eq!(
            sim.platform.bound_service(CHAN),
            sim.session.own_id(),
            "drop at {at_ms} ms"
        );
        let inits = sim
            .events
            .iter()
            .filter(|e| matches!(e, Event::ChannelInit(_)))
            .count();
        assert_eq!(inits, 1, "drop at {at_ms} ms");
        let now = sim.now;
        sim.session
            .send_message(now, 1, text(0), None)
            .expect("queued");
        sim.run_for(Duration::from_secs(2));
        assert_eq!(sim.platform.delivered_texts(), ["m0"], "drop at {at_ms} ms");
    }
    assert!(drops >= 6, "only {drops} runs had the socket open to drop");
}

#[test]
fn a_generic_message_to_a_list_of_recipients_goes_to_a_group_like_the_reference() {
    let mut sim = service(23);
    sim.run_until_ready();
    let now = sim.now;
    let body = serde_json::json!({
        "subtype": "text", "channel_id": CHAN, "content": {"text": "hi"},
        "recipients": ["u1", "u2"], "sender": "agent-1", "timestamp": 1, "context": {},
    });
    sim.session
        .send_custom(now, "message_down".into(), body.clone())
        .expect("queued");
    sim.run_for(Duration::from_secs(1));
    let (group, _) = sim
        .platform
        .groups
        .iter()
        .find(|(_, m)| *m == &["u1", "u2"])
        .expect("a service group of the recipients was created");
    let down = sim
        .platform
        .delivered
        .iter()
        .find_map(|f| match &f.frame {
            Outbound::Custom(c) if c.frame_type == "message_down" => {
                c.body["recipients"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .expect("the message left, to the group");
    assert_eq!(&down, group);
    // An empty list sends nothing and says so; other frames go as given.
    let mut empty = body;
    empty["recipients"] = serde_json::json!([]);
    assert_eq!(
        sim.session.send_custom(now, "message_down".into(), empty),
        Err(CommandError::NoRecipients)
    );
}
