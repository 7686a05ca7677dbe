//! Uploads and downloads.

use super::sends::read_file;
use super::Moobius;
use crate::Error;
use bytes::Bytes;
use moobius_proto::http::Download;
use moobius_proto::session::OpOutput;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where [`Moobius::download`] puts a file.
///
/// The file lands in `dir` under `file_name` (default: the last segment of
/// the URL, made safe). A name that would leave `dir` (a path separator,
/// `..`, an absolute path) is refused, and an existing file is not
/// overwritten unless asked.
///
/// ```
/// use moobius_tokio::DownloadOptions;
/// let o = DownloadOptions::into_dir("downloads").file_name("cat.png").overwrite(true);
/// assert!(o.overwrite);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct DownloadOptions {
    /// The folder (created if missing).
    pub dir: PathBuf,
    /// The file name within it.
    pub file_name: Option<String>,
    /// Replace an existing file (default `false`).
    pub overwrite: bool,
    /// Send the platform's auth headers (for private buckets).
    pub with_auth: bool,
}

impl DownloadOptions {
    /// Into `dir`, named after the URL, never overwriting.
    pub fn into_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            file_name: None,
            overwrite: false,
            with_auth: false,
        }
    }

    /// Names the file (a plain name, no folders).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Allows replacing an existing file.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Sends the platform's auth headers with the request.
    pub fn with_auth(mut self, with_auth: bool) -> Self {
        self.with_auth = with_auth;
        self
    }
}

impl Moobius {
    /// Uploads a local file (`upload`); returns its public URL. The same
    /// content is uploaded once per session.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// let url = moobius.upload("assets/cat.png").await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload(&self, path: impl AsRef<Path>) -> Result<String, Error> {
        let path = path.as_ref();
        let bytes = read_file(path).await?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.upload_bytes(name, bytes).await
    }

    /// Uploads bytes as a file named `file_name` (its extension is sent);
    /// returns the public URL.
    pub async fn upload_bytes(
        &self,
        file_name: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Result<String, Error> {
        let (name, bytes) = (file_name.into(), bytes.into());
        match self
            .op(move |s, now, _| s.upload(now, &name, bytes))
            .await?
        {
            OpOutput::Uploaded { url } => Ok(url),
            _ => Err(Error::UnexpectedOutput("upload")),
        }
    }

    /// Downloads a file's bytes (`download` with `bytes=True`).
    pub async fn download_bytes(&self, url: impl Into<String>) -> Result<Bytes, Error> {
        self.call(Download::new(url)).await
    }

    /// Downloads a file into a folder (`download`); returns its path.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius, url: String) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::DownloadOptions;
    /// let path = moobius.download(url, DownloadOptions::into_dir("downloads")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download(
        &self,
        url: impl Into<String>,
        options: DownloadOptions,
    ) -> Result<PathBuf, Error> {
        let url = url.into();
        let name = match &options.file_name {
            Some(n) => checked_file_name(n)?,
            None => name_from_url(&url),
        };
        let mut call = Download::new(url);
        call.with_auth = options.with_auth;
        let bytes = self.call(call).await?;
        let target = options.dir.join(name);
        let overwrite = options.overwrite;
        let dir = options.dir;
        tokio::task::spawn_blocking(move || write_new_file(&dir, &target, &bytes, overwrite))
            .await
            .map_err(|e| Error::InvalidArgument(format!("download writer failed: {e}")))?
    }
}

/// A caller's file name, refused if it is not a plain name.
fn checked_file_name(name: &str) -> Result<String, Error> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).file_name().is_some_and(|n| n == name);
    if plain {
        Ok(name.to_owned())
    } else {
        Err(Error::InvalidArgument(format!(
            "download file name {name:?} must be a plain file name (no folders)"
        )))
    }
}

/// A safe file name from a URL's last path segment.
fn name_from_url(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or_default();
    let safe: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.').to_owned();
    if safe.is_empty() {
        "download".to_owned()
    } else {
        safe
    }
}

/// Writes `bytes` to `target` inside `dir`: through a temporary file and a
/// rename when overwriting, with `create_new` otherwise (an existing file or
/// symlink is never followed or replaced).
fn write_new_file(
    dir: &Path,
    target: &Path,
    bytes: &[u8],
    overwrite: bool,
) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    if overwrite {
        crate::fsutil::write_atomic(target, bytes)?;
        return Ok(target.to_owned());
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::FileExists(target.to_owned()),
            _ => Error::io("creating", target, e),
        })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("writing", target, e))?;
    Ok(target.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_in_the_folder() {
        for bad in ["", ".", "..", "a/b", "../x", "/etc/passwd", "a\\b"] {
            assert!(checked_file_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(checked_file_name("cat.png").unwrap(), "cat.png");
        assert_eq!(
            name_from_url("http://h/files/a%2F..%2Fb.png?x=1"),
            "a_2F.._2Fb.png"
        );
        assert_eq!(name_from_url("http://h/files/../"), "download");
        assert_eq!(name_from_url("http://h/.hidden"), "hidden");
    }

    #[test]
    fn no_overwrite_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f.txt");
        write_new_file(dir.path(), &target, b"one", false).unwrap();
        let e = write_new_file(dir.path(), &target, b"two", false).unwrap_err();
        assert!(matches!(e, Error::FileExists(_)));
        write_new_file(dir.path(), &target, b"three", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"three");
    }
}
