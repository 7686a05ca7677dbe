//! Properties of the session over random fault schedules (proptest): every
//! message reaches the platform exactly once and in order; inbound events
//! keep arrival order per channel, through group churn, failing, slow and
//! stuck lookups; the session never panics, never busy-loops, and its
//! queues stay bounded under a flood.
//!
//! Cases per property: `MOOBIUS_PROP_CASES`, else 1,000 when `CI=true`
//! (`.ci/run` sets `MOOBIUS_PROP_CASES=1000`), else 64.

mod sim;

use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::session::{Event, Limits, Role, SessionConfig};
use moobius_proto::{CharacterId, Password};
use proptest::prelude::*;
use sim::platform::{Platform, EMAIL, PASSWORD};
use sim::{Faults, Sim};
use std::time::Duration;

const CHAN: &str = "chan-1";

/// Seeded schedules per property (see the module documentation).
fn cases() -> u32 {
    std::env::var("MOOBIUS_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::var("CI").is_ok_and(|v| v == "true") {
            1000
        } else {
            64
        })
}

fn service(seed: u64, faults: Faults) -> Sim {
    let mut p = Platform::new();
    p.members
        .insert(CHAN.into(), vec!["u1".into(), "u2".into()]);
    let cfg = SessionConfig::new(
        EMAIL,
        Password::new(PASSWORD),
        "http://platform.test/".parse().expect("uri"),
        "ws://platform.test/ws",
        Role::service(None, vec![CHAN.into()]),
    );
    let mut sim = Sim::new(cfg, p, seed);
    sim.run_until_ready();
    sim.faults = faults;
    sim
}

fn faults() -> impl Strategy<Value = Faults> {
    (
        0.0..0.3f64,
        0.0..0.3f64,
        0.0..0.2f64,
        0u64..300,
        0.0..0.3f64,
        0.0..0.3f64,
    )
        .prop_map(
            |(drop, e5xx, transport, delay_ms, dup, connect_fail)| Faults {
                drop_after_frame: drop,
                http_5xx: e5xx,
                http_transport: transport,
                http_delay: Duration::from_millis(delay_ms),
                duplicate_frame: dup,
                connect_fail,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_message_arrives_exactly_once_and_in_order(seed in any::<u64>(), f in faults(), n in 1usize..25, lists in prop::collection::vec(0usize..3, 25)) {
        let mut sim = service(seed, f);
        let recipients = [vec!["u1"], vec!["u1", "u2"], vec!["u2"]];
        let mut expected = Vec::new();
        for (i, l) in lists.iter().take(n).enumerate() {
            let now = sim.now;
            let to = Recipients::Characters(recipients[*l].iter().map(|s| CharacterId::new(*s)).collect());
            let spec = MessageSpec::text(CHAN, format!("m{i}"), to).sender("agent");
            sim.session.send_message(now, 1, spec, None).expect("queued");
            expected.push(format!("m{i}"));
            let pause = Duration::from_millis(sim.dice.below(200));
            sim.run_for(pause);
        }
        // Faults stop; everything queued must get through.
        sim.faults = Faults::default();
        sim.run_for(Duration::from_secs(120));
        let delivered = sim.platform.delivered_texts();
        let failed: Vec<_> = sim.events.iter().filter(|e| matches!(e, Event::OpDone { result: Err(_), .. })).collect();
        // A send fails only if its group could not be created after retries.
        prop_assert!(failed.len() + delivered.len() >= expected.len());
        let mut it = expected.iter();
        for d in &delivered {
            prop_assert!(it.any(|e| e == d), "out of order or unknown: {:?} vs {:?}", delivered, expected);
        }
        if failed.is_empty() {
            prop_assert_eq!(&delivered, &expected);
        }
    }

    #[test]
    fn inbound_frames_reach_the_application_in_arrival_order(seed in any::<u64>(), delay_ms in 0u64..400, kinds in prop::collection::vec(0u8..3, 1..30)) {
        let mut sim = service(seed, Faults { http_delay: Duration::from_millis(delay_ms), ..Faults::default() });
        sim.platform.groups.insert("g1".into(), vec!["u1".into()]);
        sim.platform.groups.insert("g2".into(), vec!["u1".into(), "u2".into()]);
        for (i, k) in kinds.iter().enumerate() {
            let frame = match k {
                0 => format!(r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{CHAN}","content":{{"text":"{i}"}},"timestamp":1,"recipients":"g1","sender":"u1"}}}}"#),
                1 => format!(r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{CHAN}","content":{{"text":"{i}"}},"timestamp":1,"recipients":"g2","sender":"u1"}}}}"#),
                _ => format!(r#"{{"type":"action","body":{{"subtype":"refresh","channel_id":"{CHAN}","sender":"{i}"}}}}"#),
            };
            sim.push_frame(&frame);
            let pause = Duration::from_millis(sim.dice.below(50));
            sim.run_for(pause);
        }
        sim.run_for(Duration::from_secs(5));
        let got: Vec<String> = sim.events.iter().filter_map(|e| match e {
            Event::MessageUp(message) => message.content.text.clone(),
            Event::Action(moobius_proto::ws::Action::Refresh(a)) => Some(a.sender.as_str().to_owned()),
            _ => None,
        }).collect();
        let want: Vec<String> = (0..kinds.len()).map(|i| i.to_string()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn queues_stay_bounded_under_a_flood(seed in any::<u64>(), n in 100usize..400) {
        let mut sim = service(seed, Faults::default());
        sim.platform.ws_refuse = true;
        sim.drop_connection();
        sim.run_for(Duration::from_millis(10));
        let mut refused = 0;
        for i in 0..n * 10 {
            let now = sim.now;
            let spec = MessageSpec::text(CHAN, format!("m{i}"), Recipients::Service).sender("a");
            if sim.session.send_message(now, 1, spec, None).is_err() {
                refused += 1;
            }
            let b = sim.session.backlog();
            prop_assert!(b.queued_frames <= 1024);
        }
        prop_assert!(n * 10 <= 1024 || refused > 0);
        sim.run_for(Duration::from_secs(60));
        prop_assert!(sim.session.backlog().outputs == 0);
    }

    #[test]
    fn per_channel_order_and_resolution_hold_through_group_churn(
        seed in any::<u64>(),
        channels in 1usize..5,
        pool in 1usize..40,
        cache in 2usize..16,
        waiting_cap in 4usize..64,
        lookup_cap in 1usize..5,
        e5xx in 0.0..0.3f64,
        delay_ms in 0u64..300,
        http_cap in 1usize..8,
        groups in prop::collection::vec((0u8..10, 0u64..3000), 40),
        frames in prop::collection::vec((0usize..4, 0u8..4, 0usize..40, 0u64..40), 1..120),
    ) {
        let mut limits = Limits::default();
        limits.max_cached_groups = cache;
        limits.max_inbound_waiting = waiting_cap;
        limits.max_lookups_in_flight = lookup_cap;
        limits.max_http_in_flight = http_cap;
        limits.lookup_timeout = Duration::from_secs(5);
        let names: Vec<String> = (0..channels).map(|c| format!("chan-{c}")).collect();
        let mut p = Platform::new();
        for c in &names {
            p.members.insert(c.clone(), vec!["u1".into()]);
        }
        let mut cfg = SessionConfig::new(
            EMAIL,
            Password::new(PASSWORD),
            "http://platform.test/".parse().expect("uri"),
            "ws://platform.test/ws",
            Role::service(None, names.iter().map(|c| c.as_str().into()).collect()),
        );
        cfg.limits = limits.clone();
        let mut sim = Sim::new(cfg, p, seed);
        sim.run_until_ready();
        // The group pool: most exist, some are unknown (404), some slow,
        // a few never answered.
        let mut members = std::collections::HashMap::new();
        for (g, (kind, slow)) in groups.iter().enumerate().take(pool) {
            let id = format!("g-{g}");
            match kind {
                0 => {} // unknown to the platform
                1 => {
                    sim.platform.lookup_delay.insert(id.clone(), None);
                }
                _ => {
                    let m = vec![format!("m{g}"), format!("n{g}")];
                    sim.platform.groups.insert(id.clone(), m.clone());
                    members.insert(id.clone(), m.join("+"));
                    if *kind == 2 {
                        sim.platform
                            .lookup_delay
                            .insert(id, Some(Duration::from_millis(*slow)));
                    }
                }
            }
        }
        sim.faults = Faults {
            http_5xx: e5xx,
            http_delay: Duration::from_millis(delay_ms),
            ..Faults::default()
        };
        let mut want: Vec<Vec<String>> = vec![Vec::new(); channels];
        let mut group_of = std::collections::HashMap::new();
        let check = |sim: &Sim| -> Result<(), TestCaseError> {
            let b = sim.session.backlog();
            prop_assert!(b.inbound_waiting <= limits.max_inbound_waiting, "{:?}", b);
            prop_assert!(b.lookups_in_flight <= limits.max_lookups_in_flight, "{:?}", b);
            prop_assert!(b.cached_groups <= b.max_cached_groups + limits.max_inbound_waiting, "{:?}", b);
            prop_assert!(sim.max_lookups_outstanding <= limits.max_lookups_in_flight);
            // Sign-in and refresh may go beyond the cap, one each.
            prop_assert!(b.http_in_flight <= b.max_http_in_flight + 2, "{:?}", b);
            prop_assert!(sim.max_http_outstanding <= b.max_http_in_flight + 2);
            prop_assert_eq!(sim.reads_against_backpressure, 0);
            Ok(())
        };
        for (i, (c, kind, g, pause)) in frames.iter().enumerate() {
            let c = c % channels;
            let text = format!("c{c}-{i}");
            let frame = match kind {
                0 | 1 => {
                    let g = format!("g-{}", g % pool);
                    group_of.insert(text.clone(), g.clone());
                    format!(r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{}","content":{{"text":"{text}"}},"timestamp":1,"recipients":"{g}","sender":"u1"}}}}"#, names[c])
                }
                2 => format!(r#"{{"type":"message_up","body":{{"subtype":"text","channel_id":"{}","content":{{"text":"{text}"}},"timestamp":1,"recipients":"service","sender":"u1"}}}}"#, names[c]),
                _ => format!(r#"{{"type":"action","body":{{"subtype":"join","channel_id":"{}","sender":"{text}"}}}}"#, names[c]),
            };
            want[c].push(text);
            sim.push_frame(&frame);
            sim.run_for(Duration::from_millis(*pause));
            check(&sim)?;
        }
        for _ in 0..120 {
            sim.run_for(Duration::from_secs(1));
            check(&sim)?;
        }
        prop_assert_eq!(sim.session.backlog().inbound_waiting, 0, "nothing held");
        // Per channel: every frame once, in arrival order; a group's members
        // as the platform has them, or marked unresolved right before.
        let mut got: Vec<Vec<String>> = vec![Vec::new(); channels];
        let mut marker: Option<String> = None;
        for e in &sim.events {
            match e {
                Event::GroupUnresolved(u) => {
                    prop_assert!(marker.is_none(), "two markers in a row");
                    marker = Some(u.group_id.as_str().to_owned());
                }
                Event::MessageUp(message) => {
                    let text = message.content.text.clone().unwrap_or_default();
                    let ids = match &message.recipients {
                        Some(moobius_proto::model::CharacterRefs::Ids(ids)) => {
                            ids.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("+")
                        }
                        _ => String::new(),
                    };
                    match (group_of.get(&text), marker.take()) {
                        (Some(g), Some(m)) => {
                            prop_assert_eq!(g, &m);
                            prop_assert_eq!(ids, "");
                        }
                        (Some(g), None) => prop_assert_eq!(Some(&ids), members.get(g), "{}", text),
                        (None, m) => {
                            prop_assert!(m.is_none());
                            prop_assert_eq!(ids, "");
                        }
                    }
                    let c: usize = text[1..text.find('-').unwrap_or(1)].parse().unwrap_or(0);
                    got[c].push(text);
                }
                Event::Action(moobius_proto::ws::Action::Join(a)) => {
                    prop_assert!(marker.is_none());
                    let text = a.sender.as_str().to_owned();
                    let c: usize = text[1..text.find('-').unwrap_or(1)].parse().unwrap_or(0);
                    got[c].push(text);
                }
                _ => {}
            }
        }
        prop_assert_eq!(got, want);
    }
}
