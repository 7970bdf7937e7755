//! The telephone-event payload (RFC 4733 §2.3): the 4-byte [`EventBlock`], parsing a
//! payload into blocks, and what an event code stands for ([`Tone`]).

use std::fmt;

use crate::Key;

/// One 4-byte event block (RFC 4733 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventBlock {
    /// Event code (0–15 the DTMF keys).
    pub event: u8,
    /// The E bit: this is an end packet.
    pub end: bool,
    /// Volume, 0–63: the power level is `-volume` dBm0.
    pub volume: u8,
    /// Duration in timestamp units since the event's (segment's) timestamp.
    pub duration: u16,
}

impl EventBlock {
    /// The block as it goes on the wire (the reserved bit zero).
    pub fn to_bytes(&self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            ((self.end as u8) << 7) | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }

    /// The level in dBm0 (`-volume`).
    pub fn volume_dbm0(&self) -> i8 {
        -((self.volume & 0x3f) as i8)
    }

    /// What the event code means.
    pub fn tone(&self) -> Tone {
        Tone::from_code(self.event)
    }
}

/// A malformed telephone-event payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// The payload is empty.
    Empty,
    /// The payload length is not a multiple of 4: the block starting at byte `offset` is cut.
    Truncated {
        /// Byte offset of the incomplete block.
        offset: usize,
        /// The payload length.
        len: usize,
    },
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PayloadError::Empty => write!(f, "empty telephone-event payload"),
            PayloadError::Truncated { offset, len } => write!(
                f,
                "telephone-event block at byte {offset} is cut short: payload has {len} bytes, not a multiple of 4"
            ),
        }
    }
}

impl std::error::Error for PayloadError {}

/// Parses a telephone-event payload into its blocks (one or more, RFC 4733 §2.5.1.5).
pub fn parse_payload(
    payload: &[u8],
) -> Result<impl Iterator<Item = EventBlock> + '_, PayloadError> {
    if payload.is_empty() {
        return Err(PayloadError::Empty);
    }
    if payload.len() % 4 != 0 {
        return Err(PayloadError::Truncated {
            offset: payload.len() / 4 * 4,
            len: payload.len(),
        });
    }
    Ok(payload.chunks_exact(4).map(|b| EventBlock {
        event: b[0],
        end: b[1] & 0x80 != 0,
        volume: b[1] & 0x3f,
        duration: u16::from_be_bytes([b[2], b[3]]),
    }))
}

/// What an event code stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    /// One of the sixteen DTMF keys (codes 0–15).
    Key(Key),
    /// Any other event (16 = flash, 32–63 data/fax tones, …): never a key.
    Other(u8),
}

impl Tone {
    /// The tone for an event code.
    pub fn from_code(code: u8) -> Tone {
        match Key::from_event_code(code) {
            Some(k) => Tone::Key(k),
            None => Tone::Other(code),
        }
    }

    /// The key, if this is one.
    pub fn key(self) -> Option<Key> {
        match self {
            Tone::Key(k) => Some(k),
            Tone::Other(_) => None,
        }
    }
}
