//! Model tests: random sequences of operations against every engine, through
//! both the blocking and the async API, must behave like a `BTreeMap`.

mod common;

use std::collections::BTreeMap;

use moobius_storage::{
    AsyncContainer, Container, ContainerSpec, StorageError, MAX_ENCODED_KEY_LEN,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Val {
    n: i64,
    s: String,
    list: Vec<u16>,
    flag: Option<bool>,
}

fn key_pool() -> Vec<String> {
    let mut keys: Vec<String> = [
        "a",
        "b",
        "A",
        "%41",
        "..",
        ".",
        "../x",
        "a/b",
        "/etc/passwd",
        "\\",
        "\0",
        "é",
        "日本",
        "with space",
        "a:b",
        "*",
        "-_",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    keys.push("m".repeat(MAX_ENCODED_KEY_LEN));
    keys
}

#[derive(Debug, Clone)]
enum Op {
    Set(usize, Val),
    Delete(usize),
    Get(usize),
    Contains(usize),
    Keys,
    Clear,
    Reopen,
    /// An empty or too long key: refused, nothing changes.
    Refused(bool),
}

fn val() -> impl Strategy<Value = Val> {
    (
        any::<i64>(),
        "\\PC{0,12}",
        prop::collection::vec(any::<u16>(), 0..4),
        any::<Option<bool>>(),
    )
        .prop_map(|(n, s, list, flag)| Val { n, s, list, flag })
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let k = 0..key_pool().len();
    let op = prop_oneof![
        6 => (k.clone(), val()).prop_map(|(k, v)| Op::Set(k, v)),
        3 => k.clone().prop_map(Op::Delete),
        4 => k.clone().prop_map(Op::Get),
        2 => k.prop_map(Op::Contains),
        2 => Just(Op::Keys),
        1 => Just(Op::Clear),
        1 => Just(Op::Reopen),
        1 => any::<bool>().prop_map(Op::Refused),
    ];
    prop::collection::vec(op, 1..30)
}

/// One API over one engine.
trait Store {
    fn get(&mut self, k: &str) -> Result<Option<Val>, StorageError>;
    fn set(&mut self, k: &str, v: &Val) -> Result<(), StorageError>;
    fn delete(&mut self, k: &str) -> Result<bool, StorageError>;
    fn contains(&mut self, k: &str) -> Result<bool, StorageError>;
    fn keys(&mut self) -> Result<Vec<String>, StorageError>;
    fn clear(&mut self) -> Result<(), StorageError>;
    /// Opens the container again (`load: true`); `false` if the engine
    /// does not persist (memory), in which case nothing happens.
    fn reopen(&mut self) -> Result<bool, StorageError>;
}

struct Blocking {
    ids: (String, String),
    spec: ContainerSpec,
    c: Container,
}

impl Blocking {
    fn open(spec: ContainerSpec) -> Self {
        let ids = (common::unique_id("svc"), common::unique_id("chan"));
        let c = Container::open(&ids.0, &ids.1, &spec).expect("open");
        Self { ids, spec, c }
    }
}

impl Store for Blocking {
    fn get(&mut self, k: &str) -> Result<Option<Val>, StorageError> {
        self.c.get(k)
    }
    fn set(&mut self, k: &str, v: &Val) -> Result<(), StorageError> {
        self.c.set(k, v)
    }
    fn delete(&mut self, k: &str) -> Result<bool, StorageError> {
        self.c.delete(k)
    }
    fn contains(&mut self, k: &str) -> Result<bool, StorageError> {
        self.c.contains(k)
    }
    fn keys(&mut self) -> Result<Vec<String>, StorageError> {
        self.c.keys()
    }
    fn clear(&mut self) -> Result<(), StorageError> {
        self.c.clear()
    }
    fn reopen(&mut self) -> Result<bool, StorageError> {
        if self.spec.backend == moobius_storage::Backend::Memory {
            return Ok(false);
        }
        self.c = Container::open(&self.ids.0, &self.ids.1, &self.spec)?;
        Ok(true)
    }
}

struct Async {
    rt: tokio::runtime::Runtime,
    ids: (String, String),
    spec: ContainerSpec,
    c: AsyncContainer,
}

impl Async {
    fn open(spec: ContainerSpec) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let ids = (common::unique_id("svc"), common::unique_id("chan"));
        let c = rt
            .block_on(AsyncContainer::open(&ids.0, &ids.1, &spec))
            .expect("open");
        Self { rt, ids, spec, c }
    }
}

impl Store for Async {
    fn get(&mut self, k: &str) -> Result<Option<Val>, StorageError> {
        self.rt.block_on(self.c.get(k))
    }
    fn set(&mut self, k: &str, v: &Val) -> Result<(), StorageError> {
        self.rt.block_on(self.c.set(k, v))
    }
    fn delete(&mut self, k: &str) -> Result<bool, StorageError> {
        self.rt.block_on(self.c.delete(k))
    }
    fn contains(&mut self, k: &str) -> Result<bool, StorageError> {
        self.rt.block_on(self.c.contains(k))
    }
    fn keys(&mut self) -> Result<Vec<String>, StorageError> {
        self.rt.block_on(self.c.keys())
    }
    fn clear(&mut self) -> Result<(), StorageError> {
        self.rt.block_on(self.c.clear())
    }
    fn reopen(&mut self) -> Result<bool, StorageError> {
        if self.spec.backend == moobius_storage::Backend::Memory {
            return Ok(false);
        }
        self.c = self
            .rt
            .block_on(AsyncContainer::open(&self.ids.0, &self.ids.1, &self.spec))?;
        Ok(true)
    }
}

fn run_model(store: &mut dyn Store, ops: &[Op]) -> Result<(), TestCaseError> {
    let pool = key_pool();
    let mut model: BTreeMap<String, Val> = BTreeMap::new();
    for op in ops {
        match op {
            Op::Set(k, v) => {
                store.set(&pool[*k], v).map_err(fail)?;
                model.insert(pool[*k].clone(), v.clone());
            }
            Op::Delete(k) => {
                let had = store.delete(&pool[*k]).map_err(fail)?;
                prop_assert_eq!(
                    had,
                    model.remove(&pool[*k]).is_some(),
                    "delete {:?}",
                    &pool[*k]
                );
            }
            Op::Get(k) => {
                let got = store.get(&pool[*k]).map_err(fail)?;
                prop_assert_eq!(got.as_ref(), model.get(&pool[*k]), "get {:?}", &pool[*k]);
            }
            Op::Contains(k) => {
                let got = store.contains(&pool[*k]).map_err(fail)?;
                prop_assert_eq!(got, model.contains_key(&pool[*k]));
            }
            Op::Keys => {
                let got = store.keys().map_err(fail)?;
                prop_assert_eq!(got, model.keys().cloned().collect::<Vec<_>>());
            }
            Op::Clear => {
                store.clear().map_err(fail)?;
                model.clear();
            }
            Op::Reopen => {
                if !store.reopen().map_err(fail)? {
                    continue;
                }
            }
            Op::Refused(empty) => {
                let key = if *empty {
                    String::new()
                } else {
                    "z".repeat(MAX_ENCODED_KEY_LEN + 1)
                };
                let v = Val {
                    n: 0,
                    s: String::new(),
                    list: vec![],
                    flag: None,
                };
                let set_refused =
                    matches!(store.set(&key, &v), Err(StorageError::InvalidKey { .. }));
                let get_refused = matches!(store.get(&key), Err(StorageError::InvalidKey { .. }));
                prop_assert!(
                    set_refused && get_refused,
                    "key of {} bytes accepted",
                    key.len()
                );
            }
        }
    }
    // The end state, key by key.
    prop_assert_eq!(
        store.keys().map_err(fail)?,
        model.keys().cloned().collect::<Vec<_>>()
    );
    for (k, v) in &model {
        let got = store.get(k).map_err(fail)?;
        prop_assert_eq!(got.as_ref(), Some(v));
    }
    Ok(())
}

fn fail(e: StorageError) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn memory_blocking_matches_model(ops in ops()) {
        run_model(&mut Blocking::open(ContainerSpec::memory("m")), &ops)?;
    }

    #[test]
    fn memory_async_matches_model(ops in ops()) {
        run_model(&mut Async::open(ContainerSpec::memory("m")), &ops)?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn json_blocking_matches_model(ops in ops()) {
        let dir = tempfile::tempdir().expect("tempdir");
        run_model(&mut Blocking::open(ContainerSpec::json("j", dir.path())), &ops)?;
    }

    #[test]
    fn json_async_matches_model(ops in ops()) {
        let dir = tempfile::tempdir().expect("tempdir");
        run_model(&mut Async::open(ContainerSpec::json("j", dir.path())), &ops)?;
    }
}

/// The Redis runs check for a server once, then drive proptest by hand.
fn redis_model(test: &str, open: impl Fn(ContainerSpec) -> Box<dyn Store>) {
    let Some(url) = common::redis_url(test) else {
        return;
    };
    let mut runner = proptest::test_runner::TestRunner::new(config(24));
    let result = runner.run(&ops(), |ops| {
        let mut store = open(common::redis_spec("r", &url));
        run_model(store.as_mut(), &ops)?;
        store.clear().map_err(fail)?;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{test}: {e}");
    }
}

#[test]
fn redis_blocking_matches_model() {
    redis_model("redis_blocking_matches_model", |spec| {
        Box::new(Blocking::open(spec))
    });
}

#[test]
fn redis_async_matches_model() {
    redis_model("redis_async_matches_model", |spec| {
        Box::new(Async::open(spec))
    });
}
