//! The JSON-directory engine: one file per key, written atomically.
//!
//! Layout: `<root_dir>/service_<sid>/channel_<cid>/<name>/<key>.json`, with
//! `<sid>`, `<cid>` and `<key>` encoded by [`crate::key::encode`] (plain ids
//! and keys such as UUIDs and user ids are unchanged, so the reference SDK's
//! folders are read as they are).
//!
//! A write goes to `.tmp.<pid>.<nanos>.<seq>` in the same folder, is flushed
//! to disk (`fsync`), renamed over `<key>.json` and the folder is flushed. A
//! reader or a crash therefore only ever sees the old or the new file, and
//! with several writers (threads or processes) the last rename wins with a
//! whole value. Temporary files left by a killed process are removed at the
//! next open once they are older than [`STALE_TMP_AGE`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::StorageError;
use crate::key;

const TMP_PREFIX: &str = ".tmp.";
const SUFFIX: &str = ".json";
/// Temporary files older than this are leftovers of a killed writer.
const STALE_TMP_AGE: Duration = Duration::from_secs(15 * 60);

static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// One container's folder.
#[derive(Debug, Clone)]
pub(crate) struct JsonDir {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    container: String,
}

/// The container's folder under `root_dir`.
pub(crate) fn container_dir(
    root_dir: &Path,
    service_id: &str,
    channel_id: &str,
    name: &str,
) -> PathBuf {
    root_dir
        .join(format!("service_{}", key::encode(service_id)))
        .join(format!("channel_{}", key::encode(channel_id)))
        .join(name)
}

impl JsonDir {
    /// Creates the folder if needed and removes stale temporary files.
    pub(crate) fn open(dir: PathBuf, container: &str) -> Result<Self, StorageError> {
        let this = Self {
            inner: Arc::new(Inner {
                dir,
                container: container.to_owned(),
            }),
        };
        fs::create_dir_all(&this.inner.dir)
            .map_err(|e| this.io_err("create the folder", None, &this.inner.dir, e))?;
        this.sweep_stale_tmp();
        Ok(this)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.inner.dir
    }

    fn io_err(
        &self,
        op: &'static str,
        key: Option<&str>,
        path: &Path,
        source: io::Error,
    ) -> StorageError {
        StorageError::Io {
            container: self.inner.container.clone(),
            key: key.map(str::to_owned),
            op,
            path: path.to_owned(),
            source,
        }
    }

    /// The file of a (checked) key.
    pub(crate) fn path_of(&self, key: &str) -> PathBuf {
        self.inner.dir.join(format!("{}{SUFFIX}", key::encode(key)))
    }

    pub(crate) fn read(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let path = self.path_of(key);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io_err("read", Some(key), &path, e)),
        }
    }

    pub(crate) fn contains(&self, key: &str) -> Result<bool, StorageError> {
        let path = self.path_of(key);
        match fs::metadata(&path) {
            Ok(m) => Ok(m.is_file()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.io_err("inspect", Some(key), &path, e)),
        }
    }

    pub(crate) fn write(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let target = self.path_of(key);
        let (tmp, file) = match self.create_tmp() {
            // The folder was removed behind our back: make it again.
            Err((_, e)) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&self.inner.dir)
                    .map_err(|e| self.io_err("create the folder", Some(key), &self.inner.dir, e))?;
                self.create_tmp()
            }
            other => other,
        }
        .map_err(|(p, e)| self.io_err("create a temporary file for", Some(key), &p, e))?;
        let written = write_and_sync(file, bytes).and_then(|()| fs::rename(&tmp, &target));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(self.io_err("write", Some(key), &target, e));
        }
        self.sync_dir().map_err(|e| {
            self.io_err(
                "flush the folder after writing",
                Some(key),
                &self.inner.dir,
                e,
            )
        })
    }

    pub(crate) fn remove(&self, key: &str) -> Result<bool, StorageError> {
        let path = self.path_of(key);
        match fs::remove_file(&path) {
            Ok(()) => {
                self.sync_dir().map_err(|e| {
                    self.io_err(
                        "flush the folder after deleting",
                        Some(key),
                        &self.inner.dir,
                        e,
                    )
                })?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.io_err("delete", Some(key), &path, e)),
        }
    }

    /// Every key with a file, sorted. Files that are not `<encoded key>.json`
    /// (temporary files, anything foreign) are skipped.
    pub(crate) fn keys(&self) -> Result<Vec<String>, StorageError> {
        let dir = &self.inner.dir;
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            // The folder was removed behind our back: nothing is stored.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io_err("list", None, dir, e)),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.io_err("list", None, dir, e))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                tracing::debug!(container = %self.inner.container, file = ?file_name, "skipping a file whose name is not UTF-8");
                continue;
            };
            let Some(stem) = name.strip_suffix(SUFFIX) else {
                continue;
            };
            let Some(key) = key::decode(stem).filter(|k| key::check_key(k).is_ok()) else {
                tracing::debug!(container = %self.inner.container, file = name, "skipping a file that is not an encoded key");
                continue;
            };
            match entry.file_type() {
                Ok(t) if t.is_file() => keys.push(key),
                Ok(_) => {
                    tracing::debug!(container = %self.inner.container, file = name, "skipping a non-regular file")
                }
                Err(e) => return Err(self.io_err("list", None, &entry.path(), e)),
            }
        }
        keys.sort_unstable();
        Ok(keys)
    }

    /// Deletes every key's file.
    pub(crate) fn clear(&self) -> Result<(), StorageError> {
        let keys = self.keys()?;
        if keys.is_empty() {
            return Ok(());
        }
        for key in &keys {
            let path = self.path_of(key);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(self.io_err("delete", Some(key), &path, e)),
            }
        }
        self.sync_dir().map_err(|e| {
            self.io_err("flush the folder after clearing", None, &self.inner.dir, e)
        })?;
        tracing::debug!(container = %self.inner.container, dir = %self.inner.dir.display(), removed = keys.len(), "cleared");
        Ok(())
    }

    fn create_tmp(&self) -> Result<(PathBuf, File), (PathBuf, io::Error)> {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for _ in 0..16 {
            let seq = TMP_SEQ.fetch_add(1, Ordering::Relaxed);
            let path = self
                .inner
                .dir
                .join(format!("{TMP_PREFIX}{}.{nanos}.{seq}", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(f) => return Ok((path, f)),
                // A leftover of a killed process that had the same pid.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((path, e)),
                Err(e) => return Err((path, e)),
            }
        }
        Err(last.unwrap_or_else(|| {
            (
                self.inner.dir.clone(),
                io::Error::other("no free temporary file name"),
            )
        }))
    }

    fn sync_dir(&self) -> io::Result<()> {
        sync_dir(&self.inner.dir)
    }

    fn sweep_stale_tmp(&self) {
        let Ok(entries) = fs::read_dir(&self.inner.dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let is_tmp = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TMP_PREFIX));
            if !is_tmp {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > STALE_TMP_AGE);
            if old {
                let path = entry.path();
                match fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::debug!(container = %self.inner.container, file = %path.display(), "removed a stale temporary file")
                    }
                    Err(e) => {
                        tracing::warn!(container = %self.inner.container, file = %path.display(), error = %e, "cannot remove a stale temporary file")
                    }
                }
            }
        }
    }
}

fn write_and_sync(mut file: File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a folder's entries (the rename or unlink) to disk. Filesystems that
/// cannot sync a folder (and non-Unix systems) are accepted as they are.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(dir).and_then(|d| d.sync_all()) {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                ) =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
