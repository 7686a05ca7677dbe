//! The JSON-directory engine: layout, hostile keys, open semantics, and what
//! happens with crashes and concurrent writer processes.
//!
//! The process tests re-run this test binary as a child (`child_process`
//! test, inert unless `MOOBIUS_STORAGE_TEST_CHILD` is set).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use moobius_storage::{
    AsyncContainer, ChannelStorage, Container, ContainerSpec, StorageConfig, StorageError,
};
use serde::{Deserialize, Serialize};

fn container_dir(root: &Path, sid: &str, cid: &str, name: &str) -> PathBuf {
    root.join(format!("service_{sid}"))
        .join(format!("channel_{cid}"))
        .join(name)
}

/// Every file and folder under `root`, relative to it.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            out.insert(path.strip_prefix(root).expect("under root").to_owned());
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn layout_matches_the_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("json_db");
    let config = StorageConfig::from_json_str(&format!(
        r#"[{{"implementation": "JSONDatabase", "name": "character", "load": true, "clear": false,
              "settings": {{"root_dir": {:?}}}}}]"#,
        root.display().to_string()
    ))
    .expect("config");
    let sid = "6f1c0a1e-7c1b-4b8e-9a43-0e4e9f1d2c3b";
    let cid = "0e4e9f1d-2c3b-4b8e-9a43-6f1c0a1e7c1b";
    let storage = ChannelStorage::open(sid, cid, config.specs()).expect("open");
    let c = storage.container("character").expect("container");
    #[derive(Serialize)]
    struct Character {
        name: &'static str,
        hp: [u8; 2],
    }
    c.set(
        "user-1",
        &Character {
            name: "Alice",
            hp: [1, 2],
        },
    )
    .expect("set");

    let file = container_dir(&root, sid, cid, "character").join("user-1.json");
    assert_eq!(
        fs::read_to_string(&file).expect("file"),
        "{\n  \"name\": \"Alice\",\n  \"hp\": [\n    1,\n    2\n  ]\n}"
    );
    assert_eq!(
        c.location(),
        file.parent().expect("dir").display().to_string()
    );
}

#[test]
fn reads_files_written_by_the_reference_sdk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = container_dir(dir.path(), "svc", "chan", "stats");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::write(folder.join("alice.json"), "{\n  \"messages\": 3\n}").expect("write");
    // A dataclass value, as the reference stores it: read as plain JSON, no
    // type named in the file is ever instantiated.
    fs::write(
        folder.join("bob.json"),
        r#"{"_moobius_type": "os.system", "_moobius_val": {"cmd": "rm -rf /"}}"#,
    )
    .expect("write");

    #[derive(Deserialize, Debug, PartialEq)]
    struct Stats {
        messages: u64,
    }
    let c =
        Container::open("svc", "chan", &ContainerSpec::json("stats", dir.path())).expect("open");
    assert_eq!(c.keys().expect("keys"), ["alice", "bob"]);
    assert_eq!(
        c.get::<Stats>("alice").expect("get"),
        Some(Stats { messages: 3 })
    );
    let bob: serde_json::Value = c.get("bob").expect("get").expect("some");
    assert_eq!(bob["_moobius_type"], "os.system");
}

#[test]
fn ids_are_encoded_into_single_folders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c =
        Container::open("../svc", "a/b.c", &ContainerSpec::json("n", dir.path())).expect("open");
    c.set("k", &1).expect("set");
    assert!(dir
        .path()
        .join("service_%2E%2E%2Fsvc/channel_a%2Fb%2Ec/n/k.json")
        .is_file());
    assert_eq!(tree(dir.path()).len(), 4);
}

#[test]
fn hostile_keys_stay_inside_the_container_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    let c = Container::open("svc", "chan", &ContainerSpec::json("box", &root)).expect("open");
    let folder = container_dir(&root, "svc", "chan", "box");
    let keys = common::hostile_keys();

    for (i, key) in keys.iter().enumerate() {
        c.set(key, &i)
            .unwrap_or_else(|e| panic!("set {key:?}: {e}"));
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(c.get::<usize>(key).expect("get"), Some(i), "{key:?}");
        assert!(c.contains(key).expect("contains"));
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(c.keys().expect("keys"), sorted);

    // Exactly one plain file per key, directly in the container folder, and
    // nothing anywhere else (not even next to the root).
    let expected_dirs: BTreeSet<PathBuf> = [
        "service_svc",
        "service_svc/channel_chan",
        "service_svc/channel_chan/box",
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    let all = tree(&root);
    let files: Vec<&PathBuf> = all.iter().filter(|p| !expected_dirs.contains(*p)).collect();
    assert_eq!(files.len(), keys.len(), "{files:#?}");
    for f in &files {
        assert_eq!(
            f.parent(),
            Some(Path::new("service_svc/channel_chan/box")),
            "{f:?}"
        );
        assert!(root.join(f).is_file());
        let name = f.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
        assert!(name.ends_with(".json") && !name.starts_with('.'), "{name}");
        assert!(name.len() <= 255);
    }
    assert_eq!(
        fs::read_dir(dir.path()).expect("read_dir").count(),
        1,
        "nothing next to the root"
    );
    assert!(folder.join("%2E%2E%2Fx.json").is_file());

    for key in &keys {
        assert!(c.delete(key).expect("delete"), "{key:?}");
    }
    assert!(c.keys().expect("keys").is_empty());
    assert_eq!(fs::read_dir(&folder).expect("read_dir").count(), 0);
}

#[test]
fn refused_keys_are_typed_errors_and_touch_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Container::open("svc", "chan", &ContainerSpec::json("box", dir.path())).expect("open");
    let before = tree(dir.path());
    for key in common::refused_keys() {
        for result in [
            c.set(&key, &1).map(|_| ()),
            c.get::<i32>(&key).map(|_| ()),
            c.delete(&key).map(|_| ()),
            c.contains(&key).map(|_| ()),
        ] {
            match result {
                Err(StorageError::InvalidKey { container, .. }) => assert_eq!(container, "box"),
                other => panic!("key of {} bytes: {other:?}", key.len()),
            }
        }
    }
    assert_eq!(tree(dir.path()), before);
    let err = c.set("", &1).unwrap_err().to_string();
    assert_eq!(err, "container `box`: invalid key \"\": the key is empty");
}

#[test]
fn reopen_keeps_values_and_clear_on_open_wipes_only_that_container() {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = |clear: bool| {
        vec![
            ContainerSpec::json("a", dir.path()).with_clear(clear),
            ContainerSpec::json("b", dir.path()),
        ]
    };
    let s = ChannelStorage::open("svc", "chan", &specs(false)).expect("open");
    let other_channel = ChannelStorage::open("svc", "other", &specs(false)).expect("open");
    for st in [&s, &other_channel] {
        st.container("a").expect("a").set("k", &"a").expect("set");
        st.container("b").expect("b").set("k", &"b").expect("set");
    }
    drop(s);

    let s = ChannelStorage::open("svc", "chan", &specs(false)).expect("reopen");
    assert_eq!(
        s.container("a")
            .expect("a")
            .get::<String>("k")
            .expect("get")
            .as_deref(),
        Some("a")
    );

    let s = ChannelStorage::open("svc", "chan", &specs(true)).expect("reopen with clear");
    assert!(s.container("a").expect("a").is_empty().expect("is_empty"));
    assert_eq!(s.container("b").expect("b").keys().expect("keys"), ["k"]);
    assert_eq!(
        other_channel
            .container("a")
            .expect("a")
            .keys()
            .expect("keys"),
        ["k"]
    );
    assert!(!container_dir(dir.path(), "svc", "chan", "a")
        .join("k.json")
        .exists());
}

#[test]
fn load_checks_every_value_at_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = ContainerSpec::json("stats", dir.path());
    let c = Container::open("svc", "chan", &spec).expect("open");
    c.set("good", &1).expect("set");
    c.set("bad", &2).expect("set");
    let bad_file = container_dir(dir.path(), "svc", "chan", "stats").join("bad.json");
    fs::write(&bad_file, "{\"trunc").expect("corrupt");

    // load: true (default) → the open fails and says which key and file.
    match Container::open("svc", "chan", &spec) {
        Err(e @ StorageError::Decode { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("container `stats`"), "{msg}");
            assert!(msg.contains("key \"bad\""), "{msg}");
            assert!(msg.contains(&bad_file.display().to_string()), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    // load: false → opens; the bad key fails alone, and can be overwritten.
    let c = Container::open("svc", "chan", &spec.clone().with_load(false)).expect("open");
    assert_eq!(c.get::<i32>("good").expect("get"), Some(1));
    assert!(matches!(
        c.get::<i32>("bad"),
        Err(StorageError::Decode { .. })
    ));
    assert_eq!(c.keys().expect("keys"), ["bad", "good"]);
    c.set("bad", &3).expect("overwrite");
    Container::open("svc", "chan", &spec).expect("loads again");
    // A value of the wrong type is a Decode error too, never a panic.
    assert!(matches!(
        c.get::<Vec<String>>("good"),
        Err(StorageError::Decode { .. })
    ));
    // clear: true wins over a corrupt file (nothing is read).
    fs::write(&bad_file, [0xff, 0xfe, 0]).expect("corrupt");
    let c = Container::open("svc", "chan", &spec.clone().with_clear(true)).expect("open");
    assert!(c.is_empty().expect("empty"));
}

#[test]
fn foreign_files_are_ignored_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = container_dir(dir.path(), "svc", "chan", "box");
    fs::create_dir_all(folder.join("sub.json")).expect("mkdir");
    let foreign = [
        "README.txt",
        "x.json.bak",
        "%41.json",
        "a.b.json",
        ".tmp.1.2.3",
        "%zz.json",
    ];
    for f in foreign {
        fs::write(folder.join(f), "{}").expect("write");
    }
    let c = Container::open("svc", "chan", &ContainerSpec::json("box", dir.path())).expect("open");
    assert!(c.keys().expect("keys").is_empty());
    c.set("k", &1).expect("set");
    assert_eq!(c.keys().expect("keys"), ["k"]);
    c.clear().expect("clear");
    for f in foreign {
        assert!(folder.join(f).exists(), "{f} kept");
    }
    assert!(folder.join("sub.json").is_dir());
}

#[test]
fn a_folder_removed_behind_our_back_is_made_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Container::open("svc", "chan", &ContainerSpec::json("box", dir.path())).expect("open");
    c.set("k", &1).expect("set");
    fs::remove_dir_all(dir.path().join("service_svc")).expect("rm");
    assert!(c.keys().expect("keys").is_empty());
    assert_eq!(c.get::<i32>("k").expect("get"), None);
    c.clear().expect("clear");
    c.set("k", &2).expect("set again");
    assert_eq!(c.get::<i32>("k").expect("get"), Some(2));
}

#[test]
fn stale_temporary_files_are_swept_at_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = container_dir(dir.path(), "svc", "chan", "box");
    fs::create_dir_all(&folder).expect("mkdir");
    let old = folder.join(".tmp.999999.1.2");
    let fresh = folder.join(".tmp.999999.1.3");
    fs::write(&old, "{\"half").expect("write");
    fs::write(&fresh, "{\"half").expect("write");
    fs::File::options()
        .write(true)
        .open(&old)
        .expect("open")
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .expect("set mtime");
    Container::open("svc", "chan", &ContainerSpec::json("box", dir.path())).expect("open");
    assert!(!old.exists(), "old leftover removed");
    assert!(fresh.exists(), "a possibly in-flight write is left alone");
}

#[test]
fn io_errors_name_container_key_and_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Container::open("svc", "chan", &ContainerSpec::json("box", dir.path())).expect("open");
    let folder = container_dir(dir.path(), "svc", "chan", "box");
    // A folder where the key's file should be: reading it fails.
    fs::create_dir(folder.join("k.json")).expect("mkdir");
    match c.get::<i32>("k") {
        Err(e @ StorageError::Io { .. }) => {
            assert!(e.is_backend_failure());
            let msg = e.to_string();
            assert!(
                msg.starts_with("container `box`: cannot read key \"k\" ("),
                "{msg}"
            );
            assert!(msg.contains("k.json"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(c.set("k", &1), Err(StorageError::Io { .. })));
    // A root that is a file cannot hold folders.
    let file_root = dir.path().join("file");
    fs::write(&file_root, "").expect("write");
    assert!(matches!(
        Container::open("svc", "chan", &ContainerSpec::json("box", &file_root)),
        Err(StorageError::Io {
            op: "create the folder",
            ..
        })
    ));
}

#[tokio::test]
async fn blocking_and_async_share_the_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = ContainerSpec::json("both", dir.path());
    let b = Container::open("svc", "chan", &spec).expect("open");
    let a = AsyncContainer::open("svc", "chan", &spec)
        .await
        .expect("open");
    b.set("../from-blocking", &1).expect("set");
    a.set("from-async", &2).await.expect("set");
    assert_eq!(
        a.get::<i32>("../from-blocking").await.expect("get"),
        Some(1)
    );
    assert_eq!(b.get::<i32>("from-async").expect("get"), Some(2));
    assert_eq!(a.keys().await.expect("keys"), b.keys().expect("keys"));
    assert!(a.delete("../from-blocking").await.expect("delete"));
    assert!(!b.contains("../from-blocking").expect("contains"));
}

#[test]
fn async_api_outside_a_runtime_is_an_error_not_a_panic() {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    fn poll_once<F: std::future::Future>(f: F) -> Poll<F::Output> {
        let waker = Waker::from(Arc::new(Noop));
        let mut f = std::pin::pin!(f);
        f.as_mut().poll(&mut Context::from_waker(&waker))
    }

    let dir = tempfile::tempdir().expect("tempdir");
    match poll_once(AsyncContainer::open(
        "s",
        "c",
        &ContainerSpec::json("j", dir.path()),
    )) {
        Poll::Ready(Err(StorageError::Runtime { container, problem })) => {
            assert_eq!(container, "j");
            assert!(problem.contains("tokio runtime"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Processes: crash and concurrent writers.

const CHILD_ENV: &str = "MOOBIUS_STORAGE_TEST_CHILD";
const ROOT_ENV: &str = "MOOBIUS_STORAGE_TEST_ROOT";
const WRITER_ENV: &str = "MOOBIUS_STORAGE_TEST_WRITER";
const ROUNDS_ENV: &str = "MOOBIUS_STORAGE_TEST_ROUNDS";

/// A value whose every byte depends on `gen`, so any mix of two writes or a
/// truncated file is detected.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    writer: String,
    key: String,
    gen: u64,
    pad: String,
}

const PAD_LEN: usize = 16 * 1024;

impl Payload {
    fn new(writer: &str, key: &str, gen: u64) -> Self {
        let c = char::from(b'a' + u8::try_from(gen % 26).expect("< 26"));
        Self {
            writer: writer.to_owned(),
            key: key.to_owned(),
            gen,
            pad: c.to_string().repeat(PAD_LEN),
        }
    }

    fn check(&self, key: &str) {
        assert_eq!(self.key, key, "value of another key");
        assert_eq!(
            self.pad.len(),
            PAD_LEN,
            "short pad for {key} gen {}",
            self.gen
        );
        let c = char::from(b'a' + u8::try_from(self.gen % 26).expect("< 26"));
        assert!(
            self.pad.chars().all(|x| x == c),
            "mixed pad for {key} gen {}",
            self.gen
        );
    }
}

fn spec(root: &Path) -> ContainerSpec {
    // load: false, so that opening never races with the writers' files.
    ContainerSpec::json("race", root).with_load(false)
}

/// Opens the test container in the child (fresh process) or parent.
fn open(root: &Path) -> Container {
    Container::open("svc", "chan", &spec(root)).expect("open")
}

/// Every key's current value must be whole; returns their generations.
fn check_all(c: &Container, keys: &[String]) -> BTreeMap<String, Payload> {
    let mut out = BTreeMap::new();
    for key in keys {
        let p: Payload = c
            .get(key)
            .unwrap_or_else(|e| panic!("{key}: {e}"))
            .unwrap_or_else(|| panic!("{key} missing"));
        p.check(key);
        out.insert(key.clone(), p);
    }
    out
}

fn keys(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// The child side: inert in a normal test run.
#[test]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let root = PathBuf::from(std::env::var(ROOT_ENV).expect("root"));
    let c = open(&root);
    match mode.as_str() {
        // Writes forever (until killed), continuing each key's generation.
        "crash" => {
            let keys = keys("k", 8);
            let mut gens: Vec<u64> = keys
                .iter()
                .map(|k| c.get::<Payload>(k).ok().flatten().map_or(0, |p| p.gen))
                .collect();
            // Bounded, in case the parent dies without killing us.
            let stop = Instant::now() + Duration::from_secs(60);
            while Instant::now() < stop {
                for (i, key) in keys.iter().enumerate() {
                    gens[i] += 1;
                    c.set(key, &Payload::new("crash", key, gens[i]))
                        .expect("set");
                }
            }
        }
        // Writes a fixed number of rounds over a few shared keys.
        "writer" => {
            let writer = std::env::var(WRITER_ENV).expect("writer");
            let rounds: u64 = std::env::var(ROUNDS_ENV)
                .expect("rounds")
                .parse()
                .expect("n");
            for gen in 0..rounds {
                for key in keys("w", 3) {
                    c.set(&key, &Payload::new(&writer, &key, gen)).expect("set");
                }
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

/// A child process that is killed if the test fails before it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn_child(mode: &str, root: &Path, env: &[(&str, String)]) -> ChildGuard {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.args(["child_process", "--exact", "--test-threads=1", "--quiet"])
        .env(CHILD_ENV, mode)
        .env(ROOT_ENV, root)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    ChildGuard(cmd.spawn().expect("spawn child"))
}

#[test]
fn sigkill_mid_write_never_leaves_a_torn_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let c = open(root);
    let keys = keys("k", 8);
    for key in &keys {
        c.set(key, &Payload::new("parent", key, 0)).expect("seed");
    }

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut total_progress = 0u64;
    for round in 0..3u64 {
        let before: u64 = check_all(&c, &keys).values().map(|p| p.gen).sum();
        let mut child = spawn_child("crash", root, &[]);
        // Read concurrently until the child has made some progress (each
        // read must see a whole value), then kill it mid-stream.
        let target = before + 10 + round * 5;
        loop {
            let now: u64 = check_all(&c, &keys).values().map(|p| p.gen).sum();
            if now >= target {
                break;
            }
            if let Some(status) = child.0.try_wait().expect("try_wait") {
                panic!("child exited early: {status}");
            }
            assert!(Instant::now() < deadline, "child made no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(round * 3));
        child.0.kill().expect("SIGKILL"); // `Child::kill` is SIGKILL on Unix
        child.0.wait().expect("wait");

        let after = check_all(&c, &keys);
        let sum: u64 = after.values().map(|p| p.gen).sum();
        assert!(sum > before, "round {round}: no progress");
        total_progress += sum - before;
        assert_eq!(
            c.keys().expect("keys"),
            keys,
            "only the keys, no leftovers as keys"
        );
        // A new process opens cleanly on the leftovers.
        open(root);
    }
    let leftovers = fs::read_dir(root.join("service_svc/channel_chan/race"))
        .expect("read_dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with(".tmp."))
        })
        .count();
    eprintln!(
        "crash test: {total_progress} writes seen, {leftovers} temporary files left by kills"
    );
}

#[test]
fn two_writer_processes_never_corrupt_a_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let c = open(root);
    let keys = keys("w", 3);
    let rounds = 25u64;
    let mut children: Vec<ChildGuard> = ["A", "B"]
        .iter()
        .map(|w| {
            spawn_child(
                "writer",
                root,
                &[
                    (WRITER_ENV, (*w).to_owned()),
                    (ROUNDS_ENV, rounds.to_string()),
                ],
            )
        })
        .collect();

    // Read while both write: every value seen is whole.
    let mut reads = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while children
        .iter_mut()
        .any(|ch| ch.0.try_wait().expect("try_wait").is_none())
    {
        for key in &keys {
            if let Some(p) = c.get::<Payload>(key).expect("get") {
                p.check(key);
                reads += 1;
            }
        }
        assert!(Instant::now() < deadline, "writers did not finish");
    }
    for mut ch in children {
        assert!(ch.0.wait().expect("wait").success(), "a writer failed");
    }
    // Last writer wins, with its whole last value.
    for (key, p) in check_all(&c, &keys) {
        assert_eq!(p.gen, rounds - 1, "{key}");
        assert!(p.writer == "A" || p.writer == "B");
    }
    assert_eq!(c.keys().expect("keys"), keys);
    assert!(reads > 0);
}
