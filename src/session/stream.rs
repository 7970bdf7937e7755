//! The state of one RTP stream (one SSRC): its telephone-event and audio sub-streams, the
//! clocks that put their timestamps on the arrival-time axis, and the presses being
//! de-duplicated.

use std::time::Duration;

use super::Source;
use crate::rfc4733::Receiver;
use crate::{Detector, DetectorConfig, Key};

pub(super) fn ms_of(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Maps a sub-stream's extended timestamps to ms: `anchor_ms` is the arrival of the packet
/// whose extended timestamp is `base`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Clock {
    pub(super) anchor_ms: f64,
    pub(super) base: i64,
    pub(super) rate: u32,
}

impl Clock {
    pub(super) fn ms(&self, t: i64) -> f64 {
        self.anchor_ms + (t - self.base) as f64 * 1000.0 / self.rate as f64
    }

    /// The same axis for another sub-stream of the SSRC whose timestamp `base` (same 32-bit
    /// timestamp space) is taken as its anchor; `None` when the clock rates differ.
    pub(super) fn shared(&self, base: i64, rate: u32) -> Option<Clock> {
        (rate == self.rate && rate != 0).then(|| {
            let shift = (base as u32).wrapping_sub(self.base as u32) as i32 as f64;
            Clock {
                anchor_ms: self.anchor_ms + shift * 1000.0 / rate as f64,
                base,
                rate,
            }
        })
    }
}

#[derive(Debug)]
pub(super) struct EventSub {
    pub(super) rx: Receiver,
    pub(super) clock: Option<Clock>,
}

pub(super) struct AudioPacket {
    pub(super) seq: i64,
    pub(super) ts: i64,
    pub(super) alaw: bool,
    pub(super) payload: Vec<u8>,
}

pub(super) struct AudioSub {
    pub(super) det: Detector,
    pub(super) clock: Option<Clock>,
    pub(super) seq_max: Option<i64>,
    pub(super) ts_ref: Option<i64>,
    pub(super) released_seq: Option<i64>,
    pub(super) buf: Vec<AudioPacket>,
    /// Payload buffers of played packets, reused (no allocation per packet once warm).
    pub(super) spare: Vec<Vec<u8>>,
    /// Extended timestamp of the detector's sample 0.
    pub(super) det_base: i64,
    /// Extended timestamp of the next sample the detector expects.
    pub(super) next_ts: Option<i64>,
    pub(super) last_arrival_ms: f64,
}

impl AudioSub {
    pub(super) fn new() -> AudioSub {
        AudioSub {
            det: Detector::new(DetectorConfig::with_rate(8000)).expect("8 kHz is supported"),
            clock: None,
            seq_max: None,
            ts_ref: None,
            released_seq: None,
            buf: Vec::new(),
            spare: Vec::new(),
            det_base: 0,
            next_ts: None,
            last_arrival_ms: 0.0,
        }
    }
}

/// One press as it goes through de-duplication.
#[derive(Clone, Copy, Debug)]
pub(super) struct Open {
    pub(super) key: Key,
    /// Per source (0 = rfc4733, 1 = inband): start and end (None while on).
    pub(super) parts: [Option<(f64, Option<f64>)>; 2],
    pub(super) release_at: Option<f64>,
    /// An in-band press on a stream that carries telephone-events: reported only if an
    /// event confirms it.
    pub(super) needs_event: bool,
}

impl Open {
    pub(super) fn interval(&self) -> (f64, f64) {
        let mut s = f64::INFINITY;
        let mut e = f64::NEG_INFINITY;
        for (ps, pe) in self.parts.iter().flatten() {
            s = s.min(*ps);
            e = e.max(pe.unwrap_or(f64::INFINITY));
        }
        (s, e)
    }

    pub(super) fn source(&self) -> Source {
        match (self.parts[0].is_some(), self.parts[1].is_some()) {
            (true, true) => Source::Both,
            (true, false) => Source::Rfc4733,
            _ => Source::Inband,
        }
    }
}

pub(super) struct Stream {
    pub(super) ssrc: u32,
    /// Arrival (ms) and timestamp of the stream's first and latest packets.
    pub(super) first: Option<(f64, u32)>,
    pub(super) latest: (f64, u32),
    pub(super) events: Option<EventSub>,
    pub(super) audio: Option<AudioSub>,
    pub(super) noted: Vec<u8>,
    pub(super) open: Vec<Open>,
}

impl Stream {
    /// The RTP clock rate the timestamps advance at against arrival time (8 000, 16 000 or
    /// 48 000, whichever is nearest), once at least 400 ms of arrivals are seen; else 8 000.
    pub(super) fn estimated_rate(&self) -> u32 {
        let Some((t0, ts0)) = self.first else {
            return 8000;
        };
        let (t1, ts1) = self.latest;
        let dt = t1 - t0;
        let dts = ts1.wrapping_sub(ts0) as i32 as f64;
        if dt < 400.0 || dts <= 0.0 {
            return 8000;
        }
        let r = dts * 1000.0 / dt;
        *[8000u32, 16_000, 48_000]
            .iter()
            .min_by(|a, b| {
                let da = (r / **a as f64).ln().abs();
                let db = (r / **b as f64).ln().abs();
                da.total_cmp(&db)
            })
            .unwrap_or(&8000)
    }
}
