//! Whole session lifecycles in deterministic simulation: a fake platform, a
//! virtual clock, and seeded faults. One scenario per test, named for what
//! it proves.

mod sim;

use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::ops::{FetchCharacters, NewChannel, Operation};
use moobius_proto::session::{
    CommandError, ConnectionEvent, Event, FatalError, Limits, OpError, OpOutput, OthersPolicy,
    Role, SessionConfig,
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
        let role = Role::service(Some("svc-me".into()), vec![CHAN.into()])
            .with_others(policy)
            .with_checkin_interval(None)
            .with_description("");
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

// ---- group resolution that cannot stall, bounds, per-channel order ----

/// A service on `channels` with these limits, ready.
fn service_with(seed: u64, channels: &[&str], limits: Limits) -> Sim {
    let mut p = Platform::new();
    for c in channels {
        p.members
            .insert((*c).into(), vec!["u1".into(), "u2".into()]);
    }
    let mut cfg = config(Role::service(
        None,
        channels.iter().map(|c| ChannelId::new(*c)).collect(),
    ));
    cfg.limits = limits;
    let mut sim = Sim::new(cfg, p, seed);
    sim.run_until_ready();
    sim
}

fn message_to_group(channel: &str, text: &str, group: &str) -> String {
    format!(
        r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{channel}","content":{{"text":"{text}"}},"timestamp":1,"recipients":"{group}","sender":"u1"}}}}"#
    )
}

fn join(channel: &str, who: &str) -> String {
    format!(
        r#"{{"type":"action","body":{{"subtype":"join","channel_id":"{channel}","sender":"{who}"}}}}"#
    )
}

/// The resolved recipients of a delivered message, joined with `+`.
fn recipient_ids(message: &moobius_proto::model::MessageBody) -> String {
    match &message.recipients {
        Some(moobius_proto::model::CharacterRefs::Ids(ids)) => ids
            .iter()
            .map(CharacterId::as_str)
            .collect::<Vec<_>>()
            .join("+"),
        _ => String::new(),
    }
}

/// `text:recipients` of every message, `join:who` of every join, in order.
fn delivered(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::MessageUp(message) => Some(format!(
                "{}:{}",
                message.content.text.clone().unwrap_or_default(),
                recipient_ids(message)
            )),
            Event::Action(moobius_proto::ws::Action::Join(a)) => Some(format!("join:{}", a.sender)),
            _ => None,
        })
        .collect()
}

fn unresolved(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::GroupUnresolved(u) => Some(u.group_id.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn three_times_the_cache_capacity_of_distinct_groups_with_early_ones_repeated_all_arrive_resolved()
{
    let capacity = 100;
    let mut sim = service_with(31, &[CHAN], {
        let mut limits = Limits::default();
        limits.max_cached_groups = capacity;
        limits
    });
    // Slow lookups: many frames wait (and pin their groups) while the cache
    // turns over several times.
    sim.faults.http_delay = Duration::from_millis(300);
    let mut want = Vec::new();
    for i in 0..3 * capacity {
        let g = format!("g-{i}");
        let member = format!("m{i}");
        sim.platform.groups.insert(g.clone(), vec![member.clone()]);
        sim.push_frame(&message_to_group(CHAN, &format!("new{i}"), &g));
        want.push(format!("new{i}:{member}"));
        if i % 3 == 2 {
            let early = (i / 3) % 10;
            sim.push_frame(&message_to_group(
                CHAN,
                &format!("again{i}"),
                &format!("g-{early}"),
            ));
            want.push(format!("again{i}:m{early}"));
        }
    }
    let mut most_waiting = 0;
    for _ in 0..600 {
        sim.run_for(Duration::from_millis(100));
        let b = sim.session.backlog();
        most_waiting = most_waiting.max(b.inbound_waiting);
        assert!(b.lookups_in_flight <= b.max_lookups_in_flight, "{b:?}");
    }
    assert!(
        most_waiting > capacity,
        "frames did wait while the cache turned over: {most_waiting}"
    );
    assert_eq!(
        delivered(&sim.events),
        want,
        "nothing stuck, nothing reordered, members right"
    );
    assert!(unresolved(&sim.events).is_empty());
    let b = sim.session.backlog();
    assert_eq!(b.inbound_waiting, 0);
    assert!(b.cached_groups <= b.max_cached_groups, "{b:?}");
    assert!(sim.max_lookups_outstanding <= Limits::default().max_lookups_in_flight);
}

#[test]
fn a_slow_lookup_in_one_channel_holds_that_channel_only() {
    let mut sim = service_with(32, &["chan-a", "chan-b"], Limits::default());
    sim.platform
        .groups
        .insert("g-slow".into(), vec!["u1".into()]);
    sim.platform
        .groups
        .insert("g-fast".into(), vec!["u2".into()]);
    sim.platform
        .lookup_delay
        .insert("g-slow".into(), Some(Duration::from_secs(10)));
    sim.push_frame(&message_to_group("chan-a", "a1", "g-slow"));
    sim.push_frame(&join("chan-a", "a2"));
    for i in 0..20 {
        sim.push_frame(&message_to_group("chan-b", &format!("b{i}"), "g-fast"));
        sim.push_frame(&join("chan-b", &format!("b{i}")));
    }
    sim.run_for(Duration::from_secs(2));
    let early = delivered(&sim.events);
    let want_b: Vec<String> = (0..20)
        .flat_map(|i| [format!("b{i}:u2"), format!("join:b{i}")])
        .collect();
    assert_eq!(early, want_b, "channel b flows while channel a waits");
    sim.run_for(Duration::from_secs(10));
    let all = delivered(&sim.events);
    assert_eq!(
        &all[want_b.len()..],
        ["a1:u1", "join:a2"],
        "channel a in its own order"
    );
}

#[test]
fn a_flood_with_a_stuck_lookup_stays_at_its_bounds_and_does_not_spin() {
    let mut limits = Limits::default();
    limits.max_inbound_waiting = 64;
    limits.max_lookups_in_flight = 3;
    // Longer than the liveness deadline: a socket left unread on purpose
    // must not count as a dead one.
    limits.lookup_timeout = Duration::from_secs(120);
    let mut sim = service_with(33, &["chan-a", "chan-b"], limits.clone());
    sim.platform
        .groups
        .insert("g-stuck".into(), vec!["u1".into()]);
    sim.platform.lookup_delay.insert("g-stuck".into(), None);
    let n = 2000;
    sim.push_frame(&message_to_group("chan-a", "stuck", "g-stuck"));
    for i in 0..n {
        let g = format!("g-{i}");
        sim.platform.groups.insert(g.clone(), vec![format!("m{i}")]);
        let channel = if i % 2 == 0 { "chan-a" } else { "chan-b" };
        sim.push_frame(&message_to_group(channel, &format!("f{i}"), &g));
    }
    let steps_before = sim.steps;
    let mut most_waiting = 0;
    let mut held_back = false;
    for _ in 0..200 {
        sim.run_for(Duration::from_secs(1));
        let b = sim.session.backlog();
        assert!(b.inbound_waiting <= limits.max_inbound_waiting, "{b:?}");
        assert!(b.lookups_in_flight <= limits.max_lookups_in_flight, "{b:?}");
        assert!(b.lookups_waiting <= 2 * limits.max_inbound_waiting, "{b:?}");
        most_waiting = most_waiting.max(b.inbound_waiting);
        held_back |= !sim.session.wants_ws_read();
    }
    assert_eq!(
        most_waiting, limits.max_inbound_waiting,
        "the queue filled up to its bound"
    );
    assert!(held_back, "the session asked the driver to stop reading");
    assert_eq!(sim.reads_against_backpressure, 0);
    assert!(
        sim.max_lookups_outstanding <= limits.max_lookups_in_flight,
        "at most {} lookups at once, saw {}",
        limits.max_lookups_in_flight,
        sim.max_lookups_outstanding
    );
    // Every frame came through: the stuck group's unresolved, the rest resolved.
    let got = delivered(&sim.events);
    assert_eq!(got.len(), n + 1, "nothing held forever, nothing dropped");
    assert!(got.contains(&"stuck:".to_owned()));
    for i in 0..n {
        assert!(got.contains(&format!("f{i}:m{i}")), "f{i}");
    }
    assert_eq!(unresolved(&sim.events), ["g-stuck"]);
    // Per channel, arrival order.
    let lane = |prefix: u32| -> Vec<usize> {
        got.iter()
            .filter_map(|t| t.strip_prefix('f'))
            .filter_map(|t| t.split(':').next()?.parse().ok())
            .filter(|i: &usize| *i as u32 % 2 == prefix)
            .collect()
    };
    for parity in [0, 1] {
        let l = lane(parity);
        assert!(l.windows(2).all(|w| w[0] < w[1]), "channel order {parity}");
    }
    assert!(
        !sim.events.iter().any(|e| matches!(e, Event::Connection(_))),
        "no reconnect: the socket was left unread on purpose"
    );
    // No busy loop: a handful of steps per frame (frame, lookup answer,
    // acknowledgements, heartbeats), not a spin.
    let steps = sim.steps - steps_before;
    assert!(steps < 10 * n as u64, "{steps} steps for {n} frames");
    assert_eq!(sim.session.backlog().inbound_waiting, 0);
}

#[test]
fn a_group_that_cannot_be_looked_up_is_delivered_as_unresolved_then_asked_again_later() {
    let mut sim = service_with(34, &[CHAN], Limits::default());
    sim.push_frame(&message_to_group(CHAN, "first", "g-unknown"));
    sim.push_frame(&join(CHAN, "after"));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(delivered(&sim.events), ["first:", "join:after"]);
    assert_eq!(unresolved(&sim.events), ["g-unknown"]);
    let pos = |pred: &dyn Fn(&Event) -> bool| sim.events.iter().position(pred);
    assert!(
        pos(&|e| matches!(e, Event::GroupUnresolved(_)))
            < pos(&|e| matches!(e, Event::MessageUp(_))),
        "the marker comes right before its event"
    );
    // Within the failure's lifetime: not asked again.
    let asked = |sim: &Sim| {
        sim.platform
            .http_log
            .iter()
            .filter(|l| l.ends_with("/group"))
            .count()
    };
    let before = asked(&sim);
    sim.push_frame(&message_to_group(CHAN, "second", "g-unknown"));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(asked(&sim), before);
    assert_eq!(unresolved(&sim.events).len(), 2);
    // Later, the group exists: a new frame looks it up again.
    sim.platform
        .groups
        .insert("g-unknown".into(), vec!["u9".into()]);
    sim.run_for(Limits::default().failed_lookup_ttl);
    sim.push_frame(&message_to_group(CHAN, "third", "g-unknown"));
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        asked(&sim),
        before + 1,
        "{:?} {:?} {:?}",
        sim.session.backlog(),
        delivered(&sim.events),
        sim.events.iter().rev().take(5).collect::<Vec<_>>()
    );
    assert_eq!(
        delivered(&sim.events).last().map(String::as_str),
        Some("third:u9")
    );
}

#[test]
fn lookups_are_deduplicated_per_group_and_server_errors_retried_with_backoff() {
    let mut sim = service_with(35, &[CHAN], Limits::default());
    sim.platform.groups.insert("g-1".into(), vec!["u1".into()]);
    sim.faults.http_5xx = 0.5;
    for i in 0..50 {
        sim.push_frame(&message_to_group(CHAN, &format!("m{i}"), "g-1"));
    }
    sim.run_for(Duration::from_secs(60));
    let got = delivered(&sim.events);
    let want: Vec<String> = (0..50).map(|i| format!("m{i}:u1")).collect();
    let lookups = sim
        .platform
        .http_log
        .iter()
        .filter(|l| l.ends_with("/group"))
        .count();
    if unresolved(&sim.events).is_empty() {
        assert_eq!(got, want);
    } else {
        // Four 503s in a row: every frame still arrives, in order.
        assert_eq!(got.len(), 50);
    }
    assert!(
        lookups <= 1 + 3,
        "one lookup and its retries, not one per frame: {lookups}"
    );
}

#[test]
fn start_up_with_many_channels_keeps_its_calls_in_flight_at_the_cap() {
    let channels: Vec<String> = (0..60).map(|i| format!("chan-{i:02}")).collect();
    let names: Vec<&str> = channels.iter().map(String::as_str).collect();
    let mut limits = Limits::default();
    limits.max_startup_calls_in_flight = 3;
    let sim = service_with(36, &names, limits);
    assert!(
        sim.max_http_outstanding <= 3,
        "at most 3 HTTP calls at once during start-up, saw {}",
        sim.max_http_outstanding
    );
    let inits = sim
        .events
        .iter()
        .filter(|e| matches!(e, Event::ChannelInit(_)))
        .count();
    assert_eq!(inits, 60);
    assert_eq!(sim.session.channels().len(), 60);
    let b = sim.session.backlog();
    assert_eq!(b.startup_calls_in_flight, 0);
}

#[test]
fn acknowledgements_out_of_order_and_a_drop_still_resend_exactly_the_unacknowledged() {
    let mut sim = service(37);
    sim.run_until_ready();
    sim.platform.ack = false;
    for i in 0..20 {
        let now = sim.now;
        let spec = MessageSpec::text(CHAN, format!("m{i}"), Recipients::Service).sender("a");
        sim.session
            .send_message(now, 1, spec, None)
            .expect("queued");
    }
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.session.backlog().unacked_frames, 20);
    // Acknowledge every third frame, out of order.
    let rids: Vec<String> = sim
        .ws_sent
        .iter()
        .filter_map(|t| moobius_proto::ws::decode_client_frame(t).ok())
        .filter(|f| matches!(f.frame, Outbound::MessageDown(_)))
        .filter_map(|f| f.request_id.map(|r| r.as_str().to_owned()))
        .collect();
    assert_eq!(rids.len(), 20);
    for i in (0..20).step_by(3).rev() {
        sim.push_frame(&format!(
            r#"{{"type":"copy","body":{{"request_id":"{}","origin_type":"message_down","status":true,"context":{{}}}}}}"#,
            rids[i]
        ));
    }
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.session.backlog().unacked_frames, 20 - 7);
    let sent_before = sim.ws_sent.len();
    sim.drop_connection();
    sim.run_for(Duration::from_secs(5));
    let resent: Vec<String> = sim.ws_sent[sent_before..]
        .iter()
        .filter_map(|t| moobius_proto::ws::decode_client_frame(t).ok())
        .filter(|f| matches!(f.frame, Outbound::MessageDown(_)))
        .filter_map(|f| f.request_id.map(|r| r.as_str().to_owned()))
        .collect();
    let want: Vec<String> = (0..20)
        .filter(|i| i % 3 != 0)
        .map(|i| rids[i].clone())
        .collect();
    assert_eq!(resent, want, "the unacknowledged ones, in their order");
}

#[test]
fn lookups_never_answered_keep_their_slots_yet_every_frame_leaves_and_the_queues_stay_bounded() {
    let mut limits = Limits::default();
    limits.max_inbound_waiting = 16;
    limits.max_lookups_in_flight = 2;
    limits.lookup_timeout = Duration::from_secs(5);
    let mut sim = service_with(38, &[CHAN], limits.clone());
    for g in ["g-stuck-1", "g-stuck-2"] {
        sim.platform.groups.insert(g.into(), vec!["u1".into()]);
        sim.platform.lookup_delay.insert(g.into(), None);
    }
    sim.push_frame(&message_to_group(CHAN, "s1", "g-stuck-1"));
    sim.push_frame(&message_to_group(CHAN, "s2", "g-stuck-2"));
    let n = 200;
    for i in 0..n {
        let g = format!("g-{i}");
        sim.platform.groups.insert(g.clone(), vec![format!("m{i}")]);
        sim.push_frame(&message_to_group(CHAN, &format!("f{i}"), &g));
    }
    for _ in 0..200 {
        sim.run_for(Duration::from_secs(1));
        let b = sim.session.backlog();
        assert!(b.inbound_waiting <= limits.max_inbound_waiting, "{b:?}");
        assert!(b.lookups_waiting <= 2 * limits.max_inbound_waiting, "{b:?}");
        assert!(b.lookups_in_flight <= limits.max_lookups_in_flight, "{b:?}");
    }
    // Both slots stay held by the two requests never answered, so every
    // later group times out in the queue: all frames still leave, in order,
    // each marked unresolved.
    let got = delivered(&sim.events);
    let mut want = vec!["s1:".to_owned(), "s2:".to_owned()];
    want.extend((0..n).map(|i| format!("f{i}:")));
    assert_eq!(got, want);
    assert_eq!(unresolved(&sim.events).len(), n + 2);
    assert_eq!(sim.max_lookups_outstanding, 2);
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

/// Tokens revoked while the periodic refresh is on the wire: the refresh
/// brings a token issued before the revocation, so a call refused meanwhile
/// must not spend its one retry on it. Whichever answer comes first (the
/// seeds vary the delays), the call ends with a fresh token and succeeds.
#[test]
fn a_call_refused_while_a_refresh_is_under_way_still_gets_a_fresh_token() {
    for seed in 0..24 {
        let mut sim = service(100 + seed);
        sim.run_until_ready();
        sim.faults.http_delay = Duration::from_millis(400);
        let refreshes = |sim: &Sim| {
            sim.platform
                .http_log
                .iter()
                .filter(|l| l.ends_with("/auth/refresh"))
                .count()
        };
        let before = refreshes(&sim);
        let refresh_due = sim.start + Duration::from_secs(6 * 3600);
        sim.run_until(refresh_due - Duration::from_secs(5));
        let mut steps = 0;
        while refreshes(&sim) == before {
            steps += 1;
            assert!(
                steps < 60_000,
                "seed {seed}: the periodic refresh never went out"
            );
            sim.run_for(Duration::from_millis(1));
        }
        // The refresh's new token exists now; revoke everything before its
        // answer arrives, then make a call that will be refused.
        sim.platform.expire_tokens();
        let call =
            moobius_proto::ops::Call(moobius_proto::http::FetchMemberIds::new(CHAN, "svc-1"));
        let now = sim.now;
        let (id, state) = call.start(&mut sim.session, now, 1).expect("started");
        sim.run_for(Duration::from_secs(10));
        let result = sim.events.iter_mut().find_map(|e| match e {
            Event::OpDone { op: o, result } if *o == id => {
                Some(std::mem::replace(result, Err(OpError::Closed)))
            }
            _ => None,
        });
        let reply = result
            .unwrap_or_else(|| panic!("seed {seed}: the call never finished"))
            .unwrap_or_else(|e| panic!("seed {seed}: the call failed: {e}"));
        let ids: Vec<CharacterId> =
            <moobius_proto::ops::Call<moobius_proto::http::FetchMemberIds> as Operation>::finish(
                state, reply,
            )
            .expect("typed");
        assert_eq!(ids, ["u1", "u2"], "seed {seed}");
    }
}

#[test]
fn calls_beyond_the_http_cap_wait_their_turn_and_all_finish() {
    let mut limits = Limits::default();
    limits.max_http_in_flight = 5;
    let mut sim = service_with(38, &[CHAN], limits);
    sim.max_http_outstanding = 0;
    let now = sim.now;
    let ops: Vec<_> = (0..40)
        .map(|_| {
            sim.session
                .call(now, moobius_proto::http::FetchMemberIds::new(CHAN, "svc-1"))
                .expect("call")
        })
        .collect();
    let b = sim.session.backlog();
    assert_eq!((b.http_in_flight, b.http_waiting), (5, 35), "{b:?}");
    sim.platform.expire_tokens();
    sim.run_for(Duration::from_secs(10));
    assert!(
        sim.max_http_outstanding <= 5 + 1,
        "at most the cap (and a token refresh) at once, saw {}",
        sim.max_http_outstanding
    );
    for op in ops {
        let ok = sim
            .events
            .iter()
            .any(|e| matches!(e, Event::OpDone { op: o, result: Ok(_) } if *o == op));
        assert!(ok, "call {op:?} did not finish");
    }
    let b = sim.session.backlog();
    assert_eq!(
        (b.http_in_flight, b.http_waiting, b.http_calls),
        (0, 0, 0),
        "{b:?}"
    );
}
