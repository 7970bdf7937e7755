//! What the session reports: [`SessionEvent`]s (key downs, [`Press`]es with their
//! [`Source`], other telephone-events, notes) and [`SessionError`].

use std::fmt;

use crate::rfc4733::PayloadError;
use crate::rtp::RtpError;
use crate::Key;

/// Which way a press was heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// RFC 4733 telephone-events.
    Rfc4733,
    /// Tones in the audio.
    Inband,
    /// Both (one press).
    Both,
}

impl Source {
    /// `rfc4733`, `inband` or `rfc4733+inband`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rfc4733 => "rfc4733",
            Source::Inband => "inband",
            Source::Both => "rfc4733+inband",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A complete key press.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Press {
    /// Start, ms on the session's axis.
    pub start_ms: f64,
    /// End, ms.
    pub end_ms: f64,
    /// The key.
    pub key: Key,
    /// The RTP stream.
    pub ssrc: u32,
    /// How it was heard.
    pub source: Source,
}

/// What the session reports.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionEvent {
    /// A key went down (reported once per press, by the first source to hear it).
    Down {
        /// The key.
        key: Key,
        /// The RTP stream.
        ssrc: u32,
        /// The source that heard it first.
        source: Source,
        /// Its start, ms.
        at_ms: f64,
    },
    /// A complete press.
    Press(Press),
    /// A telephone-event that is not one of the sixteen keys.
    OtherEvent {
        /// The event code.
        code: u8,
        /// The RTP stream.
        ssrc: u32,
        /// Start, ms.
        start_ms: f64,
        /// End, ms.
        end_ms: f64,
    },
    /// Something the user should know (a codec whose audio is skipped, …).
    Note(String),
}

/// Why a datagram was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Not an RTP packet.
    Rtp(RtpError),
    /// A malformed telephone-event payload.
    Payload {
        /// The stream.
        ssrc: u32,
        /// The payload type.
        payload_type: u8,
        /// What was wrong.
        error: PayloadError,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Rtp(e) => write!(f, "{e}"),
            SessionError::Payload {
                ssrc,
                payload_type,
                error,
            } => write!(f, "stream {ssrc:08x}, payload type {payload_type}: {error}"),
        }
    }
}

impl std::error::Error for SessionError {}

impl From<RtpError> for SessionError {
    fn from(e: RtpError) -> Self {
        SessionError::Rtp(e)
    }
}
