//! The Redis engine against a real server (`MOOBIUS_TEST_REDIS_URL`, started
//! by `scripts/env/redis.sh`). Without it these tests fail under CI and are
//! skipped with a notice elsewhere — except the connection-failure test,
//! which needs no server.

mod common;

use std::time::{Duration, Instant};

use moobius_storage::{
    AsyncChannelStorage, AsyncContainer, ChannelStorage, Container, ContainerSpec, RedisSettings,
    StorageConfig, StorageError,
};

fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .expect("client")
        .get_connection()
        .expect("connection")
}

#[test]
fn keys_are_namespaced_and_values_are_the_json_bytes() {
    let Some(url) = common::redis_url("keys_are_namespaced_and_values_are_the_json_bytes") else {
        return;
    };
    let sid = common::unique_id("svc");
    let c = Container::open(&sid, "chan:1", &common::redis_spec("stats", &url)).expect("open");
    c.set("alice", &serde_json::json!({"messages": 2}))
        .expect("set");
    let mut r = raw(&url);
    let key = format!("moobius:{sid}:chan%3A1:stats:alice");
    let bytes: Vec<u8> = redis::cmd("GET").arg(&key).query(&mut r).expect("GET");
    assert_eq!(bytes, b"{\n  \"messages\": 2\n}");
    assert!(c
        .location()
        .ends_with(&format!("moobius:{sid}:chan%3A1:stats:*")));
    c.clear().expect("clear");
    let exists: i64 = redis::cmd("EXISTS")
        .arg(&key)
        .query(&mut r)
        .expect("EXISTS");
    assert_eq!(exists, 0);
}

#[test]
fn namespaces_do_not_overlap() {
    let Some(url) = common::redis_url("namespaces_do_not_overlap") else {
        return;
    };
    let sid = common::unique_id("svc");
    // Ids with `:` and glob characters must not reach into each other's keys.
    let places = [
        (sid.clone(), "c".to_owned(), "n"),
        (sid.clone(), "*".to_owned(), "n"),
        (sid.clone(), "c".to_owned(), "m"),
        (sid.clone(), "c:n".to_owned(), "n"),
        (format!("{sid}:c"), "n".to_owned(), "n"),
        (format!("{sid}*"), "c".to_owned(), "n"),
    ];
    let containers: Vec<Container> = places
        .iter()
        .map(|(s, c, n)| Container::open(s, c, &common::redis_spec(n, &url)).expect("open"))
        .collect();
    for (i, c) in containers.iter().enumerate() {
        c.set("k", &i).expect("set");
        c.set("n:k", &i).expect("set");
    }
    for (i, c) in containers.iter().enumerate() {
        assert_eq!(c.keys().expect("keys"), ["k", "n:k"], "{:?}", places[i]);
        assert_eq!(c.get::<usize>("k").expect("get"), Some(i));
    }
    // Clearing the `*` channel and the `sid*` service leaves the others.
    containers[1].clear().expect("clear");
    containers[5].clear().expect("clear");
    for (i, c) in containers.iter().enumerate() {
        let want: &[&str] = if i == 1 || i == 5 { &[] } else { &["k", "n:k"] };
        assert_eq!(c.keys().expect("keys"), want, "{:?}", places[i]);
        c.clear().expect("clear");
    }
}

#[test]
fn replicas_share_state_without_process_local_caches() {
    let Some(url) = common::redis_url("replicas_share_state_without_process_local_caches") else {
        return;
    };
    let sid = common::unique_id("svc");
    let specs = [common::redis_spec("stats", &url)];
    let a = ChannelStorage::open(&sid, "chan", &specs).expect("replica a");
    let b = ChannelStorage::open(&sid, "chan", &specs).expect("replica b");
    let (a, b) = (
        a.container("stats").expect("a"),
        b.container("stats").expect("b"),
    );
    a.set("alice", &1).expect("set");
    assert_eq!(b.get::<i32>("alice").expect("get"), Some(1));
    b.set("alice", &2).expect("set");
    assert_eq!(a.get::<i32>("alice").expect("get"), Some(2));
    assert!(b.delete("alice").expect("delete"));
    assert!(!a.contains("alice").expect("contains"));
    a.set("x", &0).expect("set");
    b.clear().expect("clear");
    assert!(a.is_empty().expect("empty"));
}

#[tokio::test]
async fn blocking_and_async_share_keys_and_values() {
    let Some(url) = common::redis_url("blocking_and_async_share_keys_and_values") else {
        return;
    };
    let sid = common::unique_id("svc");
    let spec = common::redis_spec("both", &url);
    let a = AsyncChannelStorage::open(&sid, "chan", std::slice::from_ref(&spec))
        .await
        .expect("open async");
    let a = a.container("both").expect("container");
    let b = {
        let (sid, spec) = (sid.clone(), spec.clone());
        tokio::task::spawn_blocking(move || Container::open(&sid, "chan", &spec))
            .await
            .expect("join")
            .expect("open blocking")
    };
    a.set("from-async", &[1, 2]).await.expect("set");
    let b2 = b.clone();
    tokio::task::spawn_blocking(move || b2.set("from-blocking", &"x"))
        .await
        .expect("join")
        .expect("set");
    assert_eq!(
        a.get::<String>("from-blocking")
            .await
            .expect("get")
            .as_deref(),
        Some("x")
    );
    let b2 = b.clone();
    let got = tokio::task::spawn_blocking(move || b2.get::<Vec<i32>>("from-async"))
        .await
        .expect("join")
        .expect("get");
    assert_eq!(got, Some(vec![1, 2]));
    assert_eq!(
        a.keys().await.expect("keys"),
        ["from-async", "from-blocking"]
    );
    a.clear().await.expect("clear");
}

#[test]
fn hostile_and_refused_keys() {
    let Some(url) = common::redis_url("hostile_and_refused_keys") else {
        return;
    };
    let c = Container::open(
        common::unique_id("svc"),
        "chan",
        &common::redis_spec("box", &url),
    )
    .expect("open");
    let keys = common::hostile_keys();
    for (i, k) in keys.iter().enumerate() {
        c.set(k, &i).expect("set");
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(c.keys().expect("keys"), sorted);
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(c.get::<usize>(k).expect("get"), Some(i), "{k:?}");
    }
    for k in common::refused_keys() {
        assert!(matches!(
            c.set(&k, &1),
            Err(StorageError::InvalidKey { .. })
        ));
    }
    c.clear().expect("clear");
}

#[test]
fn open_semantics_load_and_clear() {
    let Some(url) = common::redis_url("open_semantics_load_and_clear") else {
        return;
    };
    let sid = common::unique_id("svc");
    let spec = common::redis_spec("stats", &url);
    let c = Container::open(&sid, "chan", &spec).expect("open");
    c.set("good", &1).expect("set");
    let mut r = raw(&url);
    let () = redis::cmd("SET")
        .arg(format!("moobius:{sid}:chan:stats:bad"))
        .arg("{not json")
        .query(&mut r)
        .expect("SET");

    match Container::open(&sid, "chan", &spec) {
        Err(e @ StorageError::Decode { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("key \"bad\""), "{msg}");
            assert!(
                msg.contains(&format!("moobius:{sid}:chan:stats:bad")),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    let lazy = Container::open(&sid, "chan", &spec.clone().with_load(false)).expect("open");
    assert_eq!(lazy.get::<i32>("good").expect("get"), Some(1));
    assert!(matches!(
        lazy.get::<i32>("bad"),
        Err(StorageError::Decode { .. })
    ));

    let wiped = Container::open(&sid, "chan", &spec.clone().with_clear(true)).expect("open");
    assert!(wiped.is_empty().expect("empty"));
    assert!(c.keys().expect("keys").is_empty());
}

/// The reconnect tests run in their own database and kill only the
/// connections in it, so other tests' plain connections are left alone.
const KILL_DB: i64 = 9;

fn kill_db_settings(url: &str) -> RedisSettings {
    let info: redis::ConnectionInfo = url.parse().expect("url");
    let redis::ConnectionAddr::Tcp(host, port) = info.addr() else {
        panic!("the reconnect tests need a TCP server");
    };
    let mut settings = RedisSettings::server(host.clone(), *port);
    settings.db = KILL_DB;
    settings.username = info.redis_settings().username().map(str::to_owned);
    settings.password = info.redis_settings().password().map(str::to_owned);
    settings
}

/// Kills every connection to `KILL_DB` but the caller's; returns how many.
fn kill_db_connections(url: &str) -> usize {
    let mut r = raw(url);
    let own_id: i64 = redis::cmd("CLIENT").arg("ID").query(&mut r).expect("ID");
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query(&mut r)
        .expect("LIST");
    let ids: Vec<String> = list
        .lines()
        .filter(|l| l.split(' ').any(|f| f == format!("db={KILL_DB}")))
        .filter_map(|l| l.split(' ').find_map(|f| f.strip_prefix("id=")))
        .filter(|id| *id != own_id.to_string())
        .map(str::to_owned)
        .collect();
    for id in &ids {
        let _: redis::RedisResult<()> = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query(&mut r);
    }
    ids.len()
}

#[test]
fn reconnects_after_the_server_drops_the_connection() {
    let Some(url) = common::redis_url("reconnects_after_the_server_drops_the_connection") else {
        return;
    };
    let spec = ContainerSpec::redis("box", kill_db_settings(&url));
    let c = Container::open(common::unique_id("svc"), "chan", &spec).expect("open");
    c.set("k", &1).expect("set");
    assert!(kill_db_connections(&url) > 0);
    assert_eq!(c.get::<i32>("k").expect("get after reconnect"), Some(1));
    c.clear().expect("clear");
}

#[tokio::test]
async fn async_reconnects_after_the_server_drops_the_connection() {
    let Some(url) = common::redis_url("async_reconnects_after_the_server_drops_the_connection")
    else {
        return;
    };
    let spec = ContainerSpec::redis("box", kill_db_settings(&url));
    let c = AsyncContainer::open(common::unique_id("svc"), "chan", &spec)
        .await
        .expect("open");
    c.set("k", &1).await.expect("set");
    let url2 = url.clone();
    let killed = tokio::task::spawn_blocking(move || kill_db_connections(&url2))
        .await
        .expect("join");
    assert!(killed > 0);
    assert_eq!(
        c.get::<i32>("k").await.expect("get after reconnect"),
        Some(1)
    );
    c.clear().await.expect("clear");
}

/// Needs no server: nothing listens on the port.
#[test]
fn unreachable_server_is_a_typed_error_at_open() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    }; // closed again: connections are refused
    let config = StorageConfig::from_json_str(&format!(
        r#"[{{"implementation": "redis", "name": "stats",
              "settings": {{"host": "127.0.0.1", "port": {port}, "password": "s3cret"}}}}]"#
    ))
    .expect("config");
    let t = Instant::now();
    match ChannelStorage::open("svc", "chan", config.specs()) {
        Err(e @ StorageError::Redis { .. }) => {
            assert!(e.is_backend_failure());
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!(
                    "container `stats`: redis connect on redis://127.0.0.1:{port}/0 failed"
                )),
                "{msg}"
            );
            assert!(!msg.contains("s3cret") && !format!("{e:?}").contains("s3cret"));
        }
        other => panic!("{other:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(10));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let r = rt.block_on(AsyncChannelStorage::open("svc", "chan", config.specs()));
    assert!(
        matches!(r, Err(StorageError::Redis { op: "connect", .. })),
        "{r:?}"
    );
}
