//! Uploads and downloads.

use super::sends::read_file;
use super::Moobius;
use crate::Error;
use bytes::Bytes;
use moobius_proto::http::{Download, MediaSource};
use moobius_proto::session::OpOutput;
use std::io::Write;
use std::path::{Path, PathBuf};

impl Moobius {
    /// Uploads a local file (`upload`); returns its public URL. The same
    /// content is uploaded once per session.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// let url = moobius.upload("assets/cat.png")?;
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, path: impl AsRef<Path>) -> Result<String, Error> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.upload_bytes(name, read_file(path)?)
    }

    /// Uploads bytes as a file named `file_name` (its extension is sent);
    /// returns the public URL.
    pub fn upload_bytes(
        &self,
        file_name: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Result<String, Error> {
        let (name, bytes) = (file_name.into(), bytes.into());
        match self.op(move |s, now, _| s.upload(now, &name, bytes))? {
            OpOutput::Uploaded { url } => Ok(url),
            _ => Err(Error::UnexpectedOutput("upload")),
        }
    }

    /// Downloads a file's bytes (`download` with `bytes=True`).
    pub fn download_bytes(&self, url: impl Into<String>) -> Result<Bytes, Error> {
        self.call(Download::new(url))
    }

    /// Downloads a file to `path` (`download`); an existing file is replaced
    /// only when `overwrite` (through a temporary file and a rename, so
    /// readers never see half a file). Returns the path.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius, url: String) -> Result<(), moobius_blocking::Error> {
    /// let path = moobius.download(url, "downloads/cat.png", false)?;
    /// # Ok(()) }
    /// ```
    pub fn download(
        &self,
        url: impl Into<String>,
        path: impl AsRef<Path>,
        overwrite: bool,
    ) -> Result<PathBuf, Error> {
        let path = path.as_ref();
        let bytes = self.download_bytes(url)?;
        save_file(path, &bytes, overwrite)?;
        Ok(path.to_owned())
    }

    /// A "path" argument as a URL: URLs as they are, empty for the default
    /// image, local files uploaded (PROTOCOL.md §8.2).
    pub(crate) fn to_url(&self, path: &str) -> Result<String, Error> {
        match MediaSource::classify(path) {
            MediaSource::LocalFile(local) => self.upload(local),
            source => Ok(source.url().unwrap_or_default().to_owned()),
        }
    }
}

/// Writes a downloaded file: `create_new` (never following or replacing
/// what is there) unless `overwrite`, else a sibling temporary file renamed
/// over the target.
pub(crate) fn save_file(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    }
    if !overwrite {
        let mut options = std::fs::OpenOptions::new();
        let mut file = options
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::FileExists(path.to_owned())
                } else {
                    Error::io("creating", path, e)
                }
            })?;
        return file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io("writing", path, e));
    }
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidArgument(format!("{} is not a file path", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.part", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("writing", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_refuses_to_overwrite_unless_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("sub").join("f.txt");
        save_file(&target, b"one", false).expect("first write");
        let e = save_file(&target, b"two", false).expect_err("exists");
        assert!(matches!(e, Error::FileExists(_)), "{e}");
        save_file(&target, b"three", true).expect("overwrite");
        assert_eq!(std::fs::read(&target).expect("read"), b"three");
        let leftovers = std::fs::read_dir(target.parent().expect("dir"))
            .expect("list")
            .count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }
}
