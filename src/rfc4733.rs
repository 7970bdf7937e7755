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

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::rtp::seq_newer;
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

/// Why a press ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// An end packet (E bit) arrived.
    EndPacket,
    /// A packet of a newer event arrived before any end packet.
    Superseded,
    /// No packet for [`ReceiverConfig::end_timeout`].
    Timeout,
    /// [`Receiver::finish`] was called.
    Finished,
    /// The event was first heard after a newer one had started; reported at once.
    Late,
}

/// A complete event on the stream's time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TonePress {
    /// What was pressed.
    pub tone: Tone,
    /// Extended RTP timestamp of the event's start (clock ticks).
    pub start: i64,
    /// Duration in clock ticks (the longest heard, across segments).
    pub duration: u64,
    /// Level of the last packet heard, dBm0.
    pub volume_dbm0: i8,
    /// How the end was decided.
    pub ended_by: EndReason,
}

impl TonePress {
    /// Extended timestamp of the end (`start + duration`).
    pub fn end(&self) -> i64 {
        self.start + self.duration as i64
    }
}

/// What the receiver reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiverEvent {
    /// An event began (its first packet heard, whichever it was).
    Down {
        /// What was pressed.
        tone: Tone,
        /// Extended RTP timestamp of its start.
        start: i64,
        /// Level, dBm0.
        volume_dbm0: i8,
    },
    /// The event ended; exactly one per `Down`.
    Up(TonePress),
}

/// Receiver settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReceiverConfig {
    /// The telephone-event clock (`a=rtpmap:N telephone-event/RATE`): 8000, 16000, 48000, ….
    pub clock_rate: u32,
    /// An event with no packet for this long (arrival time) ends: its end packets were lost.
    /// Senders refresh every 50 ms or faster (RFC 4733 §2.5.1.2); 250 ms allows four losses.
    pub end_timeout: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            clock_rate: 8000,
            end_timeout: Duration::from_millis(250),
        }
    }
}

const SEGMENT: i64 = 0xFFFF;
/// How many segments apart two packets of one long event may be (lost or reordered
/// segments).
const EARLIER_SEGMENTS: i64 = 16;
const HISTORY: usize = 32;

#[derive(Clone, Copy, Debug)]
struct Active {
    tone: Tone,
    start: i64,
    seg_start: i64,
    seg_dur: u16,
    volume_dbm0: i8,
    last_arrival: Duration,
}

#[derive(Clone, Copy, Debug)]
struct Done {
    tone: Tone,
    start: i64,
    last_seg: i64,
    ended_by_packet: bool,
}

impl Done {
    /// `t` is one of this press's segment timestamps (or, when no end packet was heard, the
    /// next segment's).
    fn owns(&self, t: i64) -> bool {
        let last = if self.ended_by_packet {
            self.last_seg
        } else {
            self.last_seg + SEGMENT
        };
        t >= self.start - EARLIER_SEGMENTS * SEGMENT && t <= last && (t - self.start) % SEGMENT == 0
    }
}

/// The telephone-event receiver for one RTP stream (one SSRC). See the module docs.
#[derive(Debug)]
pub struct Receiver {
    cfg: ReceiverConfig,
    ts_ref: Option<i64>,
    seq_max: Option<u16>,
    seq_seen: u64,
    active: Option<Active>,
    history: VecDeque<Done>,
    out: VecDeque<ReceiverEvent>,
    duplicates: u64,
}

impl Receiver {
    /// A receiver with the given settings.
    pub fn new(cfg: ReceiverConfig) -> Receiver {
        Receiver {
            cfg,
            ts_ref: None,
            seq_max: None,
            seq_seen: 0,
            active: None,
            history: VecDeque::with_capacity(HISTORY),
            out: VecDeque::new(),
            duplicates: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> &ReceiverConfig {
        &self.cfg
    }

    /// Packets dropped as duplicates (same sequence number seen before).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Converts an extended timestamp to milliseconds on the stream's axis.
    pub fn ticks_to_ms(&self, ticks: i64) -> f64 {
        ticks as f64 * 1000.0 / self.cfg.clock_rate.max(1) as f64
    }

    /// Extends a 32-bit timestamp to the stream's 64-bit axis (nearest to the last seen).
    pub fn extend_timestamp(&self, ts: u32) -> i64 {
        match self.ts_ref {
            None => ts as i64,
            Some(r) => r + ts.wrapping_sub(r as u32) as i32 as i64,
        }
    }

    /// Feeds one RTP packet of the telephone-event payload type. `now` is its arrival time on
    /// any monotonic clock (the same one given to [`handle_timeout`](Self::handle_timeout)).
    /// A malformed payload is rejected and changes nothing (an expired timeout still fires).
    pub fn handle_packet(
        &mut self,
        now: Duration,
        sequence: u16,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), PayloadError> {
        self.handle_timeout(now);
        let blocks = parse_payload(payload)?;
        if self.is_duplicate(sequence) {
            self.duplicates += 1;
            return Ok(());
        }
        let mut t = self.extend_timestamp(timestamp);
        self.ts_ref = Some(self.ts_ref.map_or(t, |r| r.max(t)));
        let mut first = true;
        for b in blocks {
            self.block(now, t, marker && first, b);
            // Packed events (§2.5.1.5): each further block starts where the previous ended.
            t += b.duration as i64;
            first = false;
        }
        Ok(())
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next, if at all.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.active
            .as_ref()
            .map(|a| a.last_arrival + self.cfg.end_timeout)
    }

    /// Ends the current event if it has had no packet for `end_timeout`.
    pub fn handle_timeout(&mut self, now: Duration) {
        if let Some(deadline) = self.poll_timeout() {
            if now >= deadline {
                self.end_active(EndReason::Timeout);
            }
        }
    }

    /// End of stream: ends the current event, if any.
    pub fn finish(&mut self) {
        self.end_active(EndReason::Finished);
    }

    /// The next event, oldest first.
    pub fn poll(&mut self) -> Option<ReceiverEvent> {
        self.out.pop_front()
    }

    /// `true` while an event is on (heard, not yet ended).
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    fn is_duplicate(&mut self, seq: u16) -> bool {
        let Some(max) = self.seq_max else {
            self.seq_max = Some(seq);
            self.seq_seen = 1;
            return false;
        };
        if seq_newer(max, seq) {
            let shift = seq.wrapping_sub(max) as u32;
            self.seq_seen = if shift >= 64 {
                0
            } else {
                self.seq_seen << shift
            };
            self.seq_seen |= 1;
            self.seq_max = Some(seq);
            false
        } else {
            let back = max.wrapping_sub(seq) as u32;
            if back >= 64 {
                return false; // too old to tell; the timestamp logic decides
            }
            let bit = 1u64 << back;
            let dup = self.seq_seen & bit != 0;
            self.seq_seen |= bit;
            dup
        }
    }

    fn block(&mut self, now: Duration, t: i64, _marker: bool, b: EventBlock) {
        let tone = b.tone();
        let vol = b.volume_dbm0();
        if let Some(a) = self.active.as_mut() {
            if a.tone == tone {
                if t == a.seg_start {
                    a.seg_dur = a.seg_dur.max(b.duration);
                    a.volume_dbm0 = vol;
                    a.last_arrival = now;
                    if b.end {
                        self.end_active(EndReason::EndPacket);
                    }
                    return;
                }
                if t > a.seg_start
                    && t <= a.seg_start + EARLIER_SEGMENTS * SEGMENT
                    && (t - a.seg_start) % SEGMENT == 0
                {
                    // A later segment of a long event (segments between may be lost).
                    a.seg_start = t;
                    a.seg_dur = b.duration;
                    a.volume_dbm0 = vol;
                    a.last_arrival = now;
                    if b.end {
                        self.end_active(EndReason::EndPacket);
                    }
                    return;
                }
                if t < a.seg_start
                    && t >= a.start - EARLIER_SEGMENTS * SEGMENT
                    && (a.seg_start - t) % SEGMENT == 0
                {
                    // An earlier segment of this event, arriving late.
                    a.start = a.start.min(t);
                    a.last_arrival = now;
                    return;
                }
            }
        }
        if self.history.iter().any(|d| d.tone == tone && d.owns(t)) {
            return; // a press already reported
        }
        if let Some(a) = self.active {
            if t < a.start {
                // An unknown event older than the current one: report it whole, now.
                self.out.push_back(ReceiverEvent::Down {
                    tone,
                    start: t,
                    volume_dbm0: vol,
                });
                self.out.push_back(ReceiverEvent::Up(TonePress {
                    tone,
                    start: t,
                    duration: b.duration as u64,
                    volume_dbm0: vol,
                    ended_by: EndReason::Late,
                }));
                self.remember(Done {
                    tone,
                    start: t,
                    last_seg: t,
                    ended_by_packet: true,
                });
                return;
            }
            self.end_active(EndReason::Superseded);
        }
        self.active = Some(Active {
            tone,
            start: t,
            seg_start: t,
            seg_dur: b.duration,
            volume_dbm0: vol,
            last_arrival: now,
        });
        self.out.push_back(ReceiverEvent::Down {
            tone,
            start: t,
            volume_dbm0: vol,
        });
        if b.end {
            self.end_active(EndReason::EndPacket);
        }
    }

    fn end_active(&mut self, why: EndReason) {
        if let Some(a) = self.active.take() {
            let duration = (a.seg_start - a.start) as u64 + a.seg_dur as u64;
            self.out.push_back(ReceiverEvent::Up(TonePress {
                tone: a.tone,
                start: a.start,
                duration,
                volume_dbm0: a.volume_dbm0,
                ended_by: why,
            }));
            self.remember(Done {
                tone: a.tone,
                start: a.start,
                last_seg: a.seg_start,
                ended_by_packet: why == EndReason::EndPacket,
            });
        }
    }

    fn remember(&mut self, d: Done) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(d);
    }
}

/// Sender settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderConfig {
    /// Ticks between packets (400 = 50 ms at 8 kHz, the usual interval).
    pub packet_interval: u32,
    /// How many times the end packet is sent (RFC 4733 §2.5.1.4 recommends three).
    pub end_repeats: u8,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            packet_interval: 400,
            end_repeats: 3,
        }
    }
}

/// One packet the sender asks to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentPacket {
    /// RTP sequence number.
    pub sequence: u16,
    /// RTP timestamp (the segment's start).
    pub timestamp: u32,
    /// The M bit (first packet of the event only).
    pub marker: bool,
    /// The event block.
    pub block: EventBlock,
    /// When to send it: ticks after the event's start.
    pub send_at: u64,
}

/// Turns presses into RFC 4733 packets: the first with the marker bit, updates every
/// `packet_interval` with the cumulative duration, `end_repeats` end packets, and events
/// longer than `0xFFFF` ticks split into segments (§2.5.1.3: each segment ends with duration
/// `0xFFFF`, the next has the timestamp `0xFFFF` later and no marker).
#[derive(Clone, Debug)]
pub struct Sender {
    cfg: SenderConfig,
    seq: u16,
}

impl Sender {
    /// A sender whose first packet will carry sequence number `first_sequence`.
    pub fn new(cfg: SenderConfig, first_sequence: u16) -> Sender {
        Sender {
            cfg,
            seq: first_sequence,
        }
    }

    /// The sequence number the next packet will carry.
    pub fn next_sequence(&self) -> u16 {
        self.seq
    }

    /// The packets for one event (`event` code, `start` timestamp, `duration` ticks — at
    /// least 1 — and `volume` 0–63 meaning −volume dBm0), in sending order.
    pub fn press(&mut self, event: u8, start: u32, duration: u32, volume: u8) -> Vec<SentPacket> {
        let total = duration.max(1) as u64;
        let step = self.cfg.packet_interval.max(1) as u64;
        let seg = SEGMENT as u64;
        let mut times: Vec<u64> = (1..).map(|k| k * step).take_while(|&t| t < total).collect();
        times.extend((1..).map(|k| k * seg).take_while(|&t| t < total));
        times.push(total);
        times.sort_unstable();
        times.dedup();
        let mut out = Vec::with_capacity(times.len() + self.cfg.end_repeats as usize);
        for (i, &t) in times.iter().enumerate() {
            let k = (t - 1) / seg;
            let block = EventBlock {
                event,
                end: t == total,
                volume: volume & 0x3f,
                duration: (t - k * seg) as u16,
            };
            let repeats = if t == total {
                self.cfg.end_repeats.max(1)
            } else {
                1
            };
            for _ in 0..repeats {
                out.push(SentPacket {
                    sequence: self.seq,
                    timestamp: start.wrapping_add((k * seg) as u32),
                    marker: i == 0 && out.is_empty(),
                    block,
                    send_at: t,
                });
                self.seq = self.seq.wrapping_add(1);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn feed(rx: &mut Receiver, p: &SentPacket, now: Duration) {
        rx.handle_packet(now, p.sequence, p.timestamp, p.marker, &p.block.to_bytes())
            .unwrap();
    }

    fn drain(rx: &mut Receiver) -> Vec<ReceiverEvent> {
        std::iter::from_fn(|| rx.poll()).collect()
    }

    fn presses(ev: &[ReceiverEvent]) -> Vec<TonePress> {
        ev.iter()
            .filter_map(|e| match e {
                ReceiverEvent::Up(p) => Some(*p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn payload_round_trip_and_errors() {
        let b = EventBlock {
            event: 11,
            end: true,
            volume: 63,
            duration: 0x1234,
        };
        assert_eq!(b.to_bytes(), [11, 0xbf, 0x12, 0x34]);
        let got: Vec<_> = parse_payload(&b.to_bytes()).unwrap().collect();
        assert_eq!(got, vec![b]);
        assert_eq!(b.volume_dbm0(), -63);
        assert_eq!(b.tone(), Tone::Key(Key::Pound));
        // Reserved bit set: ignored as RFC 4733 §2.3.3 says.
        let got: Vec<_> = parse_payload(&[1, 0x4a, 0, 160]).unwrap().collect();
        assert_eq!((got[0].end, got[0].volume), (false, 10));
        assert_eq!(parse_payload(&[]).err(), Some(PayloadError::Empty));
        assert_eq!(
            parse_payload(&[1, 2, 3, 4, 5, 6]).err(),
            Some(PayloadError::Truncated { offset: 4, len: 6 })
        );
    }

    #[test]
    fn sender_follows_rfc4733() {
        let mut tx = Sender::new(SenderConfig::default(), 65534);
        let p = tx.press(5, 1000, 1000, 7);
        // Updates at 400, 800, the end at 1000 three times.
        let durs: Vec<_> = p.iter().map(|p| (p.block.duration, p.block.end)).collect();
        assert_eq!(
            durs,
            vec![
                (400, false),
                (800, false),
                (1000, true),
                (1000, true),
                (1000, true)
            ]
        );
        assert!(p[0].marker && p[1..].iter().all(|p| !p.marker));
        assert!(p.iter().all(|p| p.timestamp == 1000));
        let seqs: Vec<_> = p.iter().map(|p| p.sequence).collect();
        assert_eq!(seqs, vec![65534, 65535, 0, 1, 2]);
    }

    #[test]
    fn sender_segments_long_events() {
        let mut tx = Sender::new(
            SenderConfig {
                packet_interval: 20_000,
                end_repeats: 3,
            },
            0,
        );
        let p = tx.press(1, u32::MAX - 10, 150_000, 0);
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.timestamp, p.block.duration as u32, p.block.end, p.marker))
            .collect();
        let s0 = u32::MAX - 10;
        let s1 = s0.wrapping_add(0xFFFF);
        let s2 = s1.wrapping_add(0xFFFF);
        assert_eq!(
            got,
            vec![
                (s0, 20_000, false, true),
                (s0, 40_000, false, false),
                (s0, 60_000, false, false),
                (s0, 0xFFFF, false, false),
                (s1, 80_000 - 0xFFFF, false, false),
                (s1, 100_000 - 0xFFFF, false, false),
                (s1, 120_000 - 0xFFFF, false, false),
                (s1, 0xFFFF, false, false),
                (s2, 140_000 - 2 * 0xFFFF, false, false),
                (s2, 150_000 - 2 * 0xFFFF, true, false),
                (s2, 150_000 - 2 * 0xFFFF, true, false),
                (s2, 150_000 - 2 * 0xFFFF, true, false),
            ]
        );
        let mut rx = Receiver::new(ReceiverConfig::default());
        for (i, q) in p.iter().enumerate() {
            feed(&mut rx, q, ms(i as u64 * 20));
        }
        let ev = drain(&mut rx);
        assert_eq!(ev.len(), 2);
        assert_eq!(
            presses(&ev),
            vec![TonePress {
                tone: Tone::Key(Key::K1),
                start: s0 as i64,
                duration: 150_000,
                volume_dbm0: 0,
                ended_by: EndReason::EndPacket
            }]
        );
    }

    #[test]
    fn lost_end_packets_end_by_timeout() {
        let mut tx = Sender::new(SenderConfig::default(), 0);
        let p = tx.press(3, 0, 1600, 10);
        let mut rx = Receiver::new(ReceiverConfig::default());
        for (i, q) in p.iter().filter(|q| !q.block.end).enumerate() {
            feed(&mut rx, q, ms(50 * i as u64));
        }
        // Last packet (duration 1200) arrived at 100 ms: the deadline is 350 ms.
        assert_eq!(rx.poll_timeout(), Some(ms(350)));
        assert_eq!(drain(&mut rx).len(), 1); // the Down
        rx.handle_timeout(ms(349));
        assert_eq!(rx.poll(), None);
        rx.handle_timeout(ms(350));
        let ev = drain(&mut rx);
        assert_eq!(presses(&ev)[0].duration, 1200);
        assert_eq!(presses(&ev)[0].ended_by, EndReason::Timeout);
        assert_eq!(rx.poll_timeout(), None);
        // A straggler of the same event changes nothing.
        feed(&mut rx, &p[p.len() - 1], ms(400));
        assert_eq!(rx.poll(), None);
    }

    #[test]
    fn same_key_new_timestamp_is_a_new_press_and_others_are_not_keys() {
        let mut tx = Sender::new(SenderConfig::default(), 0);
        let mut all = tx.press(1, 0, 800, 10);
        all.extend(tx.press(1, 1600, 800, 10));
        all.extend(tx.press(16, 3200, 800, 10)); // flash
        let mut rx = Receiver::new(ReceiverConfig::default());
        for (i, q) in all.iter().enumerate() {
            feed(&mut rx, q, ms(20 * i as u64));
        }
        let got: Vec<_> = presses(&drain(&mut rx))
            .iter()
            .map(|p| (p.tone, p.start))
            .collect();
        assert_eq!(
            got,
            vec![
                (Tone::Key(Key::K1), 0),
                (Tone::Key(Key::K1), 1600),
                (Tone::Other(16), 3200)
            ]
        );
    }

    #[test]
    fn clock_rates_scale_durations() {
        for rate in [8000u32, 16_000, 48_000] {
            let mut tx = Sender::new(
                SenderConfig {
                    packet_interval: rate / 20,
                    end_repeats: 3,
                },
                9,
            );
            let p = tx.press(9, 0, rate / 10, 0); // 100 ms
            let mut rx = Receiver::new(ReceiverConfig {
                clock_rate: rate,
                ..Default::default()
            });
            for q in &p {
                feed(&mut rx, q, ms(q.send_at * 1000 / rate as u64));
            }
            let pr = presses(&drain(&mut rx))[0];
            assert_eq!(rx.ticks_to_ms(pr.duration as i64), 100.0);
        }
    }

    #[test]
    fn reordered_across_presses_each_press_once() {
        let mut tx = Sender::new(SenderConfig::default(), 100);
        let a = tx.press(0, 0, 800, 10);
        let b = tx.press(0, 1000, 800, 10);
        // b's first packets arrive before a's end packets, then a's late ones, then b's rest.
        let order: Vec<&SentPacket> = a[..2]
            .iter()
            .chain(&b[..2])
            .chain(&a[2..])
            .chain(&b[2..])
            .collect();
        let mut rx = Receiver::new(ReceiverConfig::default());
        for (i, q) in order.iter().enumerate() {
            feed(&mut rx, q, ms(10 * i as u64));
        }
        let got: Vec<_> = presses(&drain(&mut rx)).iter().map(|p| p.start).collect();
        assert_eq!(got, vec![0, 1000]);
    }

    #[test]
    fn garbage_payload_is_rejected_without_state_change() {
        let mut rx = Receiver::new(ReceiverConfig::default());
        assert_eq!(
            rx.handle_packet(ms(0), 1, 0, true, &[1, 2, 3]),
            Err(PayloadError::Truncated { offset: 0, len: 3 })
        );
        assert_eq!(rx.poll(), None);
        assert!(!rx.is_active());
    }

    fn press_strategy() -> impl Strategy<Value = (u8, u32, u32, u8)> {
        // (event code, gap before, duration, volume): durations up to three segments.
        (
            0u8..20,
            1u32..5000,
            prop_oneof![4 => 1u32..4000, 1 => 60_000u32..200_000],
            0u8..64,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_loss_permutation_duplication_gives_the_press_once(
            code in 0u8..16,
            dur in 1u32..3000,
            start in any::<u32>(),
            seq0 in any::<u16>(),
            picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..20),
            seed in any::<u64>(),
        ) {
            let mut tx = Sender::new(SenderConfig { packet_interval: 160, end_repeats: 3 }, seq0);
            let pk = tx.press(code, start, dur, 10);
            // A subset with repeats, in shuffled order.
            let mut chosen: Vec<SentPacket> = picks.iter().map(|i| pk[i.index(pk.len())]).collect();
            let mut s = seed;
            for i in (1..chosen.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                chosen.swap(i, (s >> 33) as usize % (i + 1));
            }
            let mut rx = Receiver::new(ReceiverConfig::default());
            for (i, q) in chosen.iter().enumerate() {
                feed(&mut rx, q, ms(i as u64 * 15));
            }
            rx.handle_timeout(ms(10_000));
            let ev = drain(&mut rx);
            let ups = presses(&ev);
            prop_assert_eq!(ev.len(), 2);
            prop_assert_eq!(ups.len(), 1);
            prop_assert_eq!(ups[0].tone, Tone::Key(Key::from_event_code(code).unwrap()));
            prop_assert_eq!(ups[0].start as u32, start);
            let longest = chosen.iter().map(|q| q.block.duration as u64).max().unwrap();
            prop_assert_eq!(ups[0].duration, longest);
        }

        #[test]
        fn segmented_press_any_loss_permutation_once(
            code in 0u8..16,
            dur in 65_000u32..220_000,
            start in any::<u32>(),
            picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..30),
            seed in any::<u64>(),
        ) {
            let mut tx = Sender::new(SenderConfig { packet_interval: 8000, end_repeats: 3 }, 7);
            let pk = tx.press(code, start, dur, 0);
            let mut chosen: Vec<SentPacket> = picks.iter().map(|i| pk[i.index(pk.len())]).collect();
            let mut s = seed;
            for i in (1..chosen.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                chosen.swap(i, (s >> 33) as usize % (i + 1));
            }
            let mut rx = Receiver::new(ReceiverConfig::default());
            for (i, q) in chosen.iter().enumerate() {
                feed(&mut rx, q, ms(i as u64 * 15));
            }
            rx.finish();
            let ev = drain(&mut rx);
            let ups = presses(&ev);
            prop_assert_eq!(ev.len(), 2);
            prop_assert_eq!(ups[0].tone, Tone::Key(Key::from_event_code(code).unwrap()));
            prop_assert!(chosen.iter().any(|q| q.timestamp == ups[0].start as u32));
        }

        #[test]
        fn round_trip_any_sequence(
            seq0 in any::<u16>(),
            ts0 in any::<u32>(),
            interval in 80u32..1000,
            list in proptest::collection::vec(press_strategy(), 1..8),
        ) {
            let mut tx = Sender::new(SenderConfig { packet_interval: interval, end_repeats: 3 }, seq0);
            let mut rx = Receiver::new(ReceiverConfig::default());
            let mut t = ts0 as u64;
            let mut want = Vec::new();
            for &(code, gap, dur, vol) in &list {
                t += gap as u64;
                for q in tx.press(code, t as u32, dur, vol) {
                    feed(&mut rx, &q, Duration::from_micros((t + q.send_at) * 125));
                }
                want.push((Tone::from_code(code), t as u32, dur as u64, -(vol as i8)));
                t += dur as u64;
            }
            let ev = drain(&mut rx);
            prop_assert_eq!(ev.len(), 2 * list.len());
            let got: Vec<_> = presses(&ev).iter().map(|p| (p.tone, p.start as u32, p.duration, p.volume_dbm0)).collect();
            prop_assert_eq!(got, want);
            // Starts are increasing on the extended axis even across a wrap.
            let starts: Vec<i64> = presses(&ev).iter().map(|p| p.start).collect();
            prop_assert!(starts.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn any_packets_no_panic(
            pk in proptest::collection::vec((any::<u16>(), any::<u32>(), any::<bool>(), proptest::collection::vec(any::<u8>(), 0..13), 0u64..1000), 0..60)
        ) {
            let mut rx = Receiver::new(ReceiverConfig::default());
            let mut now = 0;
            let mut downs = 0usize;
            let mut ups = 0usize;
            for (seq, ts, m, payload, dt) in pk {
                now += dt;
                let _ = rx.handle_packet(ms(now), seq, ts, m, &payload);
                while let Some(e) = rx.poll() {
                    match e { ReceiverEvent::Down { .. } => downs += 1, ReceiverEvent::Up(_) => ups += 1 }
                }
            }
            rx.finish();
            while let Some(e) = rx.poll() {
                match e { ReceiverEvent::Down { .. } => downs += 1, ReceiverEvent::Up(_) => ups += 1 }
            }
            prop_assert_eq!(downs, ups);
        }
    }
}
