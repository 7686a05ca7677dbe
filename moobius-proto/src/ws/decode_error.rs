//! Why a frame could not be decoded.

/// A frame that could not be decoded. Every variant says where: a byte
/// position for malformed JSON, a JSON path (e.g. `body.content.text`) for a
/// value of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The frame is longer than the configured limit.
    #[error("frame of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Length of the frame.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    #[error("frame is not UTF-8 (first bad byte at {at})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        at: usize,
    },
    /// The text is not JSON (truncated, garbage, nested too deeply, …).
    #[error("frame is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The JSON is not an object.
    #[error("frame is not a JSON object")]
    NotAnObject,
    /// A value does not have the shape its frame type requires.
    #[error("{frame_type} frame: `{path}` {message}")]
    Shape {
        /// The frame's `type`.
        frame_type: String,
        /// JSON path of the value that failed (`.` = the whole frame).
        path: String,
        /// What was wrong.
        message: String,
    },
}

impl DecodeError {
    /// Classifies a serde_json error raised while decoding a frame of `frame_type`.
    pub(crate) fn from_json(frame_type: &str, path: String, e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => Self::Syntax {
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            },
            Category::Data => Self::Shape {
                frame_type: frame_type.to_owned(),
                path,
                message: strip_position(&e.to_string()),
            },
        }
    }
}

/// serde_json appends " at line L column C"; the variants carry that apart.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}
