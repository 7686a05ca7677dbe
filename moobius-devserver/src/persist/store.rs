//! The state file on disk: loading (refusing what it cannot read, never
//! resetting it) and atomic saving (temp file in the same folder, fsync,
//! rename, folder fsync) of the JSON and of the uploaded files in the folder
//! beside it (`FILE.files/`).

use super::snapshot::{Snapshot, FORMAT_VERSION};
use crate::error::DevServerError;
use bytes::Bytes;
use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// A state file and what was last written to it.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    files_dir: PathBuf,
    written: Mutex<Written>,
}

/// What is on disk now (as far as this process knows).
#[derive(Debug, Default)]
struct Written {
    /// The JSON last written or read.
    json: Vec<u8>,
    /// Keys of the files whose bytes are in the files folder.
    files: HashSet<String>,
}

/// The name under which a file's bytes are kept in the files folder: the key
/// with every byte outside `[A-Za-z0-9_.-]` (and a leading `.`) written as
/// `%XX`; a key whose name would be longer than 200 bytes is kept under
/// `%long-` and a hash of it.
pub(crate) fn disk_name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (i, b) in key.bytes().enumerate() {
        let plain = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && i > 0);
        if plain {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() || out.len() > 200 {
        return format!("%long-{}", crate::ids::stable_uuid("file", key));
    }
    out
}

impl StateFile {
    /// Opens a state file: reads and checks it if it exists (`None` when it
    /// does not: it is created by the first save). Leftover temp files of
    /// an interrupted save are removed.
    pub(crate) fn open(path: &Path) -> Result<(Self, Option<Snapshot>), DevServerError> {
        let path = path.to_path_buf();
        let mut files_dir = path.clone().into_os_string();
        files_dir.push(".files");
        let me = Self {
            files_dir: PathBuf::from(files_dir),
            path,
            written: Mutex::default(),
        };
        me.remove_leftovers();
        let bytes = match fs::read(&me.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((me, None)),
            Err(e) => return Err(me.error(format!("cannot be read: {e}"))),
        };
        let mut snapshot = me.parse(&bytes)?;
        let mut on_disk = HashSet::new();
        for f in &mut snapshot.files {
            let p = me.files_dir.join(disk_name(&f.key));
            let bytes = fs::read(&p).map_err(|e| {
                state_error(
                    &p,
                    format!(
                        "the uploaded file `{}` named in `{}` cannot be read: {e}",
                        f.key,
                        me.path.display()
                    ),
                )
            })?;
            if bytes.len() as u64 != f.size {
                return Err(state_error(
                    &p,
                    format!(
                        "the uploaded file `{}` has {} bytes, `{}` says {}",
                        f.key,
                        bytes.len(),
                        me.path.display(),
                        f.size
                    ),
                ));
            }
            f.bytes = Bytes::from(bytes);
            on_disk.insert(f.key.clone());
        }
        *me.lock() = Written {
            json: bytes,
            files: on_disk,
        };
        Ok((me, Some(snapshot)))
    }

    /// The path of the state file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// An error about the state file.
    pub(crate) fn error(&self, message: impl Into<String>) -> DevServerError {
        state_error(&self.path, message.into())
    }

    /// Checks the version, then the shape.
    fn parse(&self, bytes: &[u8]) -> Result<Snapshot, DevServerError> {
        #[derive(serde::Deserialize)]
        struct Probe {
            version: Option<serde_json::Value>,
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(self.error(
                "is empty: not a state file written by moobius-devserver \
                 (delete it to start afresh)",
            ));
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| {
            self.error(format!(
                "is corrupt: cannot be read as a JSON object ({e}); it was left as it is"
            ))
        })?;
        let version = match probe.version {
            None => {
                return Err(self.error(
                    "is not a moobius-devserver state file: it has no `version`; \
                     it was left as it is",
                ))
            }
            Some(v) => v.as_u64().ok_or_else(|| {
                self.error(format!(
                    "is corrupt: `version` is {v}, not a whole number; it was left as it is"
                ))
            })?,
        };
        if version > u64::from(FORMAT_VERSION) {
            return Err(self.error(format!(
                "was written by a newer moobius-devserver (format version {version}; \
                 this one reads version {FORMAT_VERSION}): upgrade the devserver or use \
                 another file; it was left as it is"
            )));
        }
        if version != u64::from(FORMAT_VERSION) {
            return Err(self.error(format!(
                "has the unknown format version {version} (this devserver reads version \
                 {FORMAT_VERSION}); it was left as it is"
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| {
            self.error(format!(
                "is corrupt: it does not match format version {FORMAT_VERSION} ({e}); \
                 it was left as it is"
            ))
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Written> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the snapshot if it differs from what is on disk: first the
    /// uploaded files not written yet, then the JSON. Each write is atomic;
    /// on failure the previous file stays as it was. Returns whether
    /// anything was written. Saves are serialised.
    pub(crate) fn save(&self, snapshot: &Snapshot) -> Result<bool, DevServerError> {
        let json = serde_json::to_vec_pretty(snapshot)
            .map_err(|e| self.error(format!("cannot be encoded: {e}")))?;
        let mut written = self.lock();
        if written.json == json {
            return Ok(false);
        }
        let parent = parent_of(&self.path);
        if !parent.is_dir() {
            fs::create_dir_all(parent)
                .map_err(|e| state_error(parent, format!("cannot create the folder: {e}")))?;
        }
        let fresh: Vec<_> = snapshot
            .files
            .iter()
            .filter(|f| !written.files.contains(&f.key))
            .collect();
        if !fresh.is_empty() {
            if !self.files_dir.is_dir() {
                fs::create_dir_all(&self.files_dir)
                    .and_then(|()| sync_dir(parent))
                    .map_err(|e| {
                        state_error(&self.files_dir, format!("cannot create the folder: {e}"))
                    })?;
            }
            for f in fresh {
                let name = disk_name(&f.key);
                write_atomic(&self.files_dir, &name, &f.bytes).map_err(|e| {
                    state_error(
                        &self.files_dir.join(&name),
                        format!("cannot be written: {e}"),
                    )
                })?;
                written.files.insert(f.key.clone());
            }
        }
        let name = self
            .path
            .file_name()
            .ok_or_else(|| self.error("is not a file name"))?
            .to_string_lossy()
            .into_owned();
        write_atomic(parent, &name, &json)
            .map_err(|e| self.error(format!("cannot be written: {e}")))?;
        written.json = json;
        Ok(true)
    }

    /// Removes the temp files an interrupted save may have left.
    fn remove_leftovers(&self) {
        if let Some(name) = self.path.file_name() {
            let tmp = parent_of(&self.path).join(temp_name(&name.to_string_lossy()));
            if tmp.is_file() {
                let _ = fs::remove_file(&tmp);
            }
        }
        let Ok(entries) = fs::read_dir(&self.files_dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") && e.path().is_file() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

fn state_error(path: &Path, message: String) -> DevServerError {
    DevServerError::State {
        path: path.to_path_buf(),
        message,
    }
}

/// The folder of a path (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The temp file a save of `name` writes first.
fn temp_name(name: &str) -> String {
    format!(".{name}.tmp")
}

/// Writes `dir/name` atomically: a temp file in the same folder, written and
/// fsynced, renamed over the target, then the folder fsynced. On failure
/// the temp file is removed and the target is untouched.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(temp_name(name));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            // The state holds passwords: readable by its owner only.
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, dir.join(name))?;
        sync_dir(dir)
    })();
    if result.is_err() && tmp.is_file() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename in `dir` durable (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(files: &[(&str, &'static [u8])]) -> Snapshot {
        let mut s: Snapshot =
            serde_json::from_str(r#"{"version": 1}"#).expect("a minimal snapshot");
        for (key, bytes) in files {
            s.files.push(super::super::snapshot::FileRecord {
                key: (*key).to_owned(),
                content_type: "text/plain".into(),
                size: bytes.len() as u64,
                bytes: Bytes::from_static(bytes),
            });
        }
        s
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "moobius-devserver-store-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn disk_names_are_plain_and_distinct() {
        assert_eq!(disk_name("uploads/ab12.png"), "uploads%2Fab12.png");
        assert_eq!(disk_name(".."), "%2E.");
        assert_eq!(disk_name("a%2Fb"), "a%252Fb");
        assert_ne!(disk_name("a/b"), disk_name("a%2Fb"));
        let long = "x".repeat(300);
        assert!(disk_name(&long).starts_with("%long-") && disk_name(&long).len() < 60);
        assert!(disk_name("").starts_with("%long-"));
    }

    #[test]
    fn saves_load_back_and_leave_no_temp_files() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("state.json");
        let (file, loaded) = StateFile::open(&path).expect("opens");
        assert!(loaded.is_none(), "no file yet");
        let snap = snapshot(&[("uploads/a.txt", b"hello")]);
        assert!(file.save(&snap).expect("saves"));
        assert!(
            !file.save(&snap).expect("saves"),
            "unchanged: not written again"
        );
        assert_eq!(names(&dir), ["state.json", "state.json.files"]);
        assert_eq!(names(&dir.join("state.json.files")), ["uploads%2Fa.txt"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "private to its owner");
        }
        let (_, loaded) = StateFile::open(&path).expect("opens again");
        assert_eq!(loaded.expect("loaded"), snap);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = temp_dir("failed");
        let path = dir.join("s.json");
        let (file, _) = StateFile::open(&path).expect("opens");
        let first = snapshot(&[]);
        file.save(&first).expect("saves");
        let before = fs::read(&path).expect("written");
        // A folder where the temp file goes makes the write fail (even for
        // root, unlike a read-only folder).
        fs::create_dir(dir.join(".s.json.tmp")).expect("blocker");
        let second = snapshot(&[("k", b"x")]);
        let e = file.save(&second).expect_err("cannot write");
        assert!(e.to_string().contains("s.json"), "{e}");
        assert_eq!(fs::read(&path).expect("still there"), before);
        fs::remove_dir(dir.join(".s.json.tmp")).expect("unblock");
        assert!(file.save(&second).expect("saves now"), "retried");
        assert_eq!(names(&dir), ["s.json", "s.json.files"]);
        let (_, loaded) = StateFile::open(&path).expect("opens");
        assert_eq!(loaded.expect("loaded"), second);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn unreadable_files_are_refused_and_left_alone() {
        let dir = temp_dir("refused");
        let cases: [(&str, &[u8], &str); 6] = [
            ("empty", b"", "is empty"),
            ("garbage", b"{\"version\": 1, \"accounts\": [", "is corrupt"),
            ("array", b"[1, 2]", "is corrupt"),
            ("noversion", b"{\"accounts\": []}", "has no `version`"),
            (
                "newer",
                b"{\"version\": 2, \"whatever\": true}",
                "newer moobius-devserver (format version 2",
            ),
            ("zero", b"{\"version\": 0}", "unknown format version 0"),
        ];
        for (name, bytes, says) in cases {
            let path = dir.join(format!("{name}.json"));
            fs::write(&path, bytes).expect("write");
            let e = StateFile::open(&path).expect_err(name).to_string();
            assert!(
                e.contains(says) && e.contains(&format!("{name}.json")),
                "{name}: {e}"
            );
            assert_eq!(
                fs::read(&path).expect("kept"),
                bytes,
                "{name} left as it was"
            );
        }
        // An upload the file names but the folder lacks.
        let path = dir.join("missing.json");
        let (file, _) = StateFile::open(&path).expect("opens");
        file.save(&snapshot(&[("k", b"x")])).expect("saves");
        fs::remove_file(dir.join("missing.json.files").join("k")).expect("remove");
        let e = StateFile::open(&path)
            .expect_err("missing upload")
            .to_string();
        assert!(e.contains("uploaded file `k`"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
