//! The message subtype of a file, by its extension (PROTOCOL.md §7.2).

use crate::model::MessageSubtype;

/// URL used by the platform when a file message has an empty path.
pub const DEFAULT_IMAGE_URL: &str = "https://gbaaibuild0.s3.us-west-1.amazonaws.com/LogoLight.jpg";

const IMAGE_EXTENSIONS: &[&str] = &[
    "jpe", "jpg", "jpeg", "gif", "png", "bmp", "ico", "svg", "svgz", "tif", "tiff", "ai", "drw",
    "pct", "psp", "xcf", "raw", "webp", "heic",
];
const AUDIO_EXTENSIONS: &[&str] = &["wav", "mp3", "mp4", "mp5"];

/// `image`, `audio` or `file`, from the extension of a path's last segment.
///
/// Unlike the reference, a URL's query string or fragment does not spoil the
/// extension, and a dot in a folder name is not taken for one.
///
/// ```
/// use moobius_proto::compose::subtype_for_path;
/// use moobius_proto::model::MessageSubtype;
/// assert_eq!(subtype_for_path("cats/Tom.PNG"), MessageSubtype::Image);
/// assert_eq!(subtype_for_path("https://x.example/a.mp3?sig=1"), MessageSubtype::Audio);
/// assert_eq!(subtype_for_path("v1.2/notes"), MessageSubtype::File);
/// ```
#[must_use]
pub fn subtype_for_path(path: &str) -> MessageSubtype {
    let Some(ext) = extension(path) else {
        return MessageSubtype::File;
    };
    let ext = ext.to_ascii_lowercase();
    if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        MessageSubtype::Image
    } else if AUDIO_EXTENSIONS.contains(&ext.as_str()) {
        MessageSubtype::Audio
    } else {
        MessageSubtype::File
    }
}

/// The extension of the last path segment, without query or fragment.
pub(crate) fn extension(path: &str) -> Option<&str> {
    let name = file_name(path);
    let dot = name.rfind('.')?;
    let ext = &name[dot + 1..];
    (!ext.is_empty()).then_some(ext)
}

/// The last segment of a path or URL (backslashes count as separators),
/// without query or fragment.
pub(crate) fn file_name(path: &str) -> &str {
    let without_query = path.split(['?', '#']).next().unwrap_or(path);
    without_query
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(without_query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions() {
        assert_eq!(file_name("a/b\\c.txt"), "c.txt");
        assert_eq!(file_name("https://h/x/report.pdf?x=1#y"), "report.pdf");
        assert_eq!(extension("noext"), None);
        assert_eq!(extension("trailing."), None);
        assert_eq!(subtype_for_path("song.WAV"), MessageSubtype::Audio);
        assert_eq!(subtype_for_path("doc.pdf"), MessageSubtype::File);
    }
}
