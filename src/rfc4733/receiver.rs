//! The telephone-event [`Receiver`] for one RTP stream, its settings, and the presses and
//! events it reports (how it decides: the module docs of [`rfc4733`](super)).

use std::collections::VecDeque;
use std::time::Duration;

use super::payload::{parse_payload, EventBlock, PayloadError, Tone};
use super::SEGMENT;
use crate::rtp::seq_newer;

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
