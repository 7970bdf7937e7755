//! RFC 4733 telephone-events (out-of-band DTMF): the event payload, a [`Receiver`] and a
//! [`Sender`].
//!
//! Both sides are sans-IO: the receiver is fed RTP packets (sequence number, timestamp,
//! marker, payload) with the time they arrived and hands out [`ReceiverEvent`]s from
//! [`Receiver::poll`]; it asks to be woken at [`Receiver::poll_timeout`] and ends an event
//! whose end packets were lost in [`Receiver::handle_timeout`]. The sender turns a press
//! into the packets RFC 4733 asks for; sending them is the caller's business.
//!
//! ## How the receiver decides
//!
//! * An event is identified by its RTP timestamp (the event's start, RFC 4733 §2.3.5).
//!   Updates, the usual three end packets and any duplicate carry the same timestamp and
//!   collapse into one press; packets are also de-duplicated by sequence number (modulo
//!   2^16) in a window of the last 64.
//! * A packet with a new timestamp starts a new press, even with the same key; the press
//!   before it, if it had no end packet yet, ends there with the longest duration heard.
//! * Long events are sent in segments (§2.5.1.3): a packet of the same event code whose
//!   timestamp is a multiple of `0xFFFF` ticks (up to 16) after the current segment's
//!   continues the same press; a late packet as many segments earlier belongs to it too (the
//!   press then starts there if it is still on).
//! * A lost first packet does not matter (every packet carries the start); lost end packets
//!   are replaced by a timeout: an event with no packet for [`ReceiverConfig::end_timeout`]
//!   of arrival time ends with the longest duration heard.
//! * A packet whose timestamp belongs to a press already ended is ignored; a packet of an
//!   unknown event older than the current one (reordered across presses) is reported at
//!   once as a whole press with the duration it states.
//! * Timestamps wrap: times are reported as an extended (64-bit) timestamp on the stream's
//!   own axis, the first packet's timestamp taken as is.
//! * Event codes 0–15 are the sixteen keys ([`Tone::Key`]); any other code (flash, tones,
//!   …) is [`Tone::Other`] and never a key.
//!
//! ```
//! use std::time::Duration;
//! use touchtone::rfc4733::{Receiver, ReceiverConfig, ReceiverEvent, Sender, SenderConfig, Tone};
//! use touchtone::Key;
//!
//! let mut tx = Sender::new(SenderConfig::default(), 1000);
//! let packets = tx.press(Key::K5.event_code(), 8000, 800, 10); // 100 ms at 8 kHz, -10 dBm0
//! let mut rx = Receiver::new(ReceiverConfig::default());
//! for p in &packets {
//!     let now = Duration::from_millis(p.send_at as u64 / 8);
//!     rx.handle_packet(now, p.sequence, p.timestamp, p.marker, &p.block.to_bytes()).unwrap();
//! }
//! assert!(matches!(rx.poll(), Some(ReceiverEvent::Down { tone: Tone::Key(Key::K5), start: 8000, .. })));
//! match rx.poll() {
//!     Some(ReceiverEvent::Up(press)) => {
//!         assert_eq!((press.tone, press.start, press.duration, press.volume_dbm0), (Tone::Key(Key::K5), 8000, 800, -10));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(rx.poll(), None);
//! ```
//!
//! ## Files
//!
//! * `payload`: the 4-byte event block, parsing a payload, what an event code stands for;
//! * `receiver`: the [`Receiver`], its settings and the presses and events it reports;
//! * `sender`: the [`Sender`] and the packets it asks to send;
//! * `tests`: the unit tests.

mod payload;
mod receiver;
mod sender;
#[cfg(test)]
mod tests;

pub use payload::{parse_payload, EventBlock, PayloadError, Tone};
pub use receiver::{EndReason, Receiver, ReceiverConfig, ReceiverEvent, TonePress};
pub use sender::{Sender, SenderConfig, SentPacket};

/// Ticks in one segment of a long event (RFC 4733 §2.5.1.3): the largest duration a packet
/// can state.
const SEGMENT: i64 = 0xFFFF;
