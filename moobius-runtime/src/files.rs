//! The one way files are written: the config write-back and downloads.
//!
//! [`write_file`] writes a temporary file with a random name in the target's
//! folder (`create_new`, so nothing already there — a planted symbolic link
//! included — is opened), gives it the replaced file's permissions, syncs
//! it, moves it into place (a rename when replacing, a hard link that
//! fails on any existing entry otherwise) and syncs the folder. A symbolic
//! link at the final name is refused, never followed or replaced.

use crate::Error;
use moobius_proto::config::ServiceIdFile;
use moobius_proto::ops::{DownloadOptions, DownloadSource};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Temporary names tried before giving up (each is random; a clash means
/// someone is planting files in the folder).
const TEMP_ATTEMPTS: usize = 4;

/// Writes `bytes` to `path` safely (see the [module docs](self)). With
/// `overwrite` false an existing file is left alone
/// ([`Error::FileExists`]); a symbolic link at `path` is always refused
/// ([`Error::Symlink`]).
pub fn write_file(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), Error> {
    write_file_via(path, bytes, overwrite, &mut random_temp_name)
}

/// [`write_file`] with the temporary names given by `temp_name` (tests
/// plant links at them).
fn write_file_via(
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
    temp_name: &mut dyn FnMut(&str) -> String,
) -> Result<(), Error> {
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::InvalidArgument(format!("{} is not a file path", path.display())))?;
    let existing = existing_file(path, overwrite)?;
    let (tmp, mut file) = create_temp(&dir, &name, temp_name)?;
    let written = (|| {
        if let Some(permissions) = existing {
            file.set_permissions(permissions)?;
        }
        file.write_all(bytes)?;
        file.sync_all()
    })()
    .map_err(|e| Error::io("writing", &tmp, e));
    drop(file);
    let placed = written.and_then(|()| place(&tmp, path, overwrite));
    if placed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    placed?;
    sync_folder(&dir);
    Ok(())
}

/// The permissions of the file about to be replaced; refuses links, and
/// existing files unless `overwrite`.
fn existing_file(path: &Path, overwrite: bool) -> Result<Option<std::fs::Permissions>, Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::Symlink(path.to_owned())),
        Ok(_) if !overwrite => Err(Error::FileExists(path.to_owned())),
        Ok(m) if !m.is_file() => Err(Error::InvalidArgument(format!(
            "{} exists and is not a regular file",
            path.display()
        ))),
        Ok(m) => Ok(Some(m.permissions())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("inspecting", path, e)),
    }
}

fn create_temp(
    dir: &Path,
    name: &str,
    temp_name: &mut dyn FnMut(&str) -> String,
) -> Result<(PathBuf, File), Error> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let tmp = dir.join(temp_name(name));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                let link =
                    std::fs::symlink_metadata(&tmp).is_ok_and(|m| m.file_type().is_symlink());
                if link {
                    return Err(Error::Symlink(tmp));
                }
                last = Some((tmp, e));
            }
            Err(e) => return Err(Error::io("creating a temporary file in", dir, e)),
        }
    }
    let (tmp, e) = last.unwrap_or_else(|| (dir.to_owned(), ErrorKind::AlreadyExists.into()));
    Err(Error::io("creating", tmp, e))
}

/// Moves the finished temporary file to `path`.
fn place(tmp: &Path, path: &Path, overwrite: bool) -> Result<(), Error> {
    if overwrite {
        // A link planted since the first look is refused, not replaced.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::Symlink(path.to_owned()));
        }
        return std::fs::rename(tmp, path).map_err(|e| Error::io("replacing", path, e));
    }
    match std::fs::hard_link(tmp, path) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(Error::FileExists(path.to_owned())),
        Err(e) => Err(Error::io("creating", path, e)),
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Makes the rename durable (a no-op where folders cannot be opened).
fn sync_folder(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn random_temp_name(name: &str) -> String {
    let seed = crate::clock::random_seed();
    let tag: String = seed[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(".{name}.{tag}.tmp")
}

/// Saves a newly created service id into its file: the file is read again,
/// only that key changes (the others keep their order), and the new text
/// replaces the file through [`write_file`].
pub fn write_service_id(file: &ServiceIdFile, service_id: &str) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(&file.path).map_err(|e| Error::io("reading", &file.path, e))?;
    let updated = file.updated_text(&text, service_id)?;
    write_file(&file.path, updated.as_bytes(), true)
}

/// The URL a download fetches: the URL given, or a message's file URL
/// (`content.path`); a message without one is an
/// [`Error::InvalidArgument`] naming it.
pub fn download_url(source: DownloadSource) -> Result<String, Error> {
    match source {
        DownloadSource::Url(url) => Ok(url),
        DownloadSource::Message {
            path: Some(url), ..
        } => Ok(url),
        DownloadSource::Message { message_id, .. } => Err(Error::InvalidArgument(format!(
            "message {} has no file to download (no content.path)",
            message_id.as_ref().map_or("without an id", |m| m.as_str())
        ))),
    }
}

/// Where a download of `url` lands: `options.dir` joined with the caller's
/// file name (refused unless a plain name), else a safe name from the URL,
/// else (a URL without a last segment) a timestamped name
/// `download_<unix ms>_<random>` like the reference's.
pub fn download_target(url: &str, options: &DownloadOptions) -> Result<PathBuf, Error> {
    let name = match &options.file_name {
        Some(n) => checked_file_name(n)?,
        None => name_from_url(url).unwrap_or_else(timestamped_name),
    };
    Ok(options.dir.join(name))
}

/// `download_<unix ms>_<4 hex digits>`: a name for a file whose URL gives
/// none.
fn timestamped_name() -> String {
    let seed = crate::clock::random_seed();
    format!(
        "download_{}_{:02x}{:02x}",
        crate::clock::unix_ms(),
        seed[0],
        seed[1]
    )
}

/// Writes a downloaded file where `options` say (the folder is created if
/// missing); returns its path.
pub fn save_download(url: &str, options: &DownloadOptions, bytes: &[u8]) -> Result<PathBuf, Error> {
    let target = download_target(url, options)?;
    std::fs::create_dir_all(&options.dir).map_err(|e| Error::io("creating", &options.dir, e))?;
    write_file(&target, bytes, options.overwrite)?;
    Ok(target)
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

/// A safe file name from a URL's last path segment; `None` when nothing
/// of it is left.
fn name_from_url(url: &str) -> Option<String> {
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
    let safe = safe.trim_start_matches('.');
    (!safe.is_empty()).then(|| safe.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(name: &'static str) -> impl FnMut(&str) -> String {
        move |_| name.to_owned()
    }

    #[test]
    fn file_names_stay_in_the_folder() {
        for bad in ["", ".", "..", "a/b", "../x", "/etc/passwd", "a\\b"] {
            assert!(checked_file_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(checked_file_name("cat.png").expect("plain"), "cat.png");
        assert_eq!(
            name_from_url("http://h/files/a%2F..%2Fb.png?x=1").as_deref(),
            Some("a_2F.._2Fb.png")
        );
        assert_eq!(name_from_url("http://h/files/../"), None);
        assert_eq!(name_from_url("http://h/.hidden").as_deref(), Some("hidden"));
        let unnamed = download_target("http://h/files/", &DownloadOptions::default())
            .expect("a timestamped name");
        assert_eq!(unnamed.parent(), Some(Path::new("downloads")));
        let name = unnamed.file_name().expect("name").to_string_lossy();
        assert!(name.starts_with("download_"), "{name}");
    }

    #[test]
    fn an_existing_file_is_kept_unless_overwrite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("f.txt");
        write_file(&target, b"one", false).expect("new file");
        let e = write_file(&target, b"two", false).expect_err("exists");
        assert!(matches!(e, Error::FileExists(_)), "{e}");
        assert_eq!(std::fs::read(&target).expect("read"), b"one");
        write_file(&target, b"three", true).expect("replaced");
        assert_eq!(std::fs::read(&target).expect("read"), b"three");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["f.txt"], "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_final_name_is_refused_in_both_modes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("victim");
        let target = dir.path().join("download.bin");
        std::os::unix::fs::symlink(&victim, &target).expect("plant");
        for overwrite in [false, true] {
            let e = write_file(&target, b"evil", overwrite).expect_err("refused");
            assert!(matches!(e, Error::Symlink(ref p) if *p == target), "{e}");
        }
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(std::fs::symlink_metadata(&target)
            .expect("link")
            .file_type()
            .is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_temporary_name_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("victim");
        std::os::unix::fs::symlink(&victim, dir.path().join(".f.tmp")).expect("plant");
        let target = dir.path().join("f");
        for overwrite in [false, true] {
            let e = write_file_via(&target, b"evil", overwrite, &mut fixed(".f.tmp"))
                .expect_err("refused");
            assert!(matches!(e, Error::Symlink(_)), "{e}");
        }
        assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("config.json");
        std::fs::write(&target, b"{}").expect("write");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write_file(&target, b"{\"a\":1}", true).expect("replaced");
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_folder_is_a_clear_error_and_nothing_is_written() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).expect("mkdir");
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).expect("chmod");
        let target = ro.join("f");
        let result = write_file(&target, b"x", false);
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o700)).expect("chmod back");
        if std::fs::metadata(&ro).is_ok() && result.is_ok() {
            // Running as root: permissions do not bind; nothing to check.
            return;
        }
        let e = result.expect_err("refused");
        assert!(matches!(e, Error::Io { .. }), "{e}");
        assert!(e.to_string().contains("ro"), "{e}");
        assert_eq!(std::fs::read_dir(&ro).expect("list").count(), 0);
    }

    #[test]
    fn a_message_stands_for_its_file_url() {
        let message: moobius_proto::model::MessageBody =
            serde_json::from_value(serde_json::json!({
                "subtype": "file", "channel_id": "c", "sender": "u", "message_id": "m-1",
                "content": {"path": "https://h/f/report.pdf", "filename": "report.pdf"}
            }))
            .expect("a file message");
        let url = download_url(DownloadSource::from(&message)).expect("its path");
        assert_eq!(url, "https://h/f/report.pdf");
        let mut text = message;
        text.content.path = None;
        let e = download_url(DownloadSource::from(text)).expect_err("no file");
        assert!(
            matches!(e, Error::InvalidArgument(ref m) if m.contains("m-1")),
            "{e}"
        );
        assert_eq!(
            download_url("https://h/x".into()).expect("a url"),
            "https://h/x"
        );
    }

    #[test]
    fn downloads_land_in_their_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = DownloadOptions::into_dir(dir.path().join("dl"));
        let path = save_download("http://h/a/cat.png?x", &options, b"meow").expect("saved");
        assert_eq!(path, dir.path().join("dl").join("cat.png"));
        let escape = options.clone().file_name("../escape");
        assert!(matches!(
            save_download("http://h/x", &escape, b"x"),
            Err(Error::InvalidArgument(_))
        ));
    }
}
