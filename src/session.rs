//! A sans-IO RTP session demultiplexer: datagrams and arrival times in, key presses out.
//!
//! [`Session`] takes every RTP datagram of a call (any number of SSRCs), sorts them into
//! streams by SSRC and, per stream,
//!
//! * feeds RFC 4733 telephone-events to a [`Receiver`](crate::rfc4733::Receiver);
//! * decodes PCMU/PCMA audio through the crate's [`Detector`] (packets reordered by sequence
//!   number within [`SessionConfig::reorder_window`] packets; timestamp gaps filled with
//!   silence, gaps longer than two seconds restart the detector);
//! * skips the audio of other codecs (Opus, G.722, …) with one [`SessionEvent::Note`].
//!
//! Payload types come from SDP ([`Session::learn_sdp`], `a=rtpmap:101 telephone-event/8000`)
//! or [`Session::set_payload_type`]; an unknown one falls back to the conventional static
//! types (0 PCMU, 8 PCMA), [`SessionConfig::event_pt`], and for a dynamic type (96–127) to
//! telephone-event when the payload looks like one (a multiple of 4 bytes, at most 16). The
//! clock rate of a telephone-event type not described by SDP is estimated from how fast the
//! stream's timestamps advance against arrival time (8 000, 16 000 or 48 000).
//!
//! ## Times
//!
//! `now` is the arrival time on the caller's clock (a capture's packet time, or the time since
//! a listener started). Each stream's RTP timestamps are anchored to the arrival time of its
//! first packet, so press times are on that same axis, in milliseconds.
//!
//! ## The same press heard both ways
//!
//! With [`Merge::Deduplicate`] (the default), a key pressed once but carried both as
//! telephone-events and as tones in the audio of the same SSRC is reported once with
//! [`Source::Both`]: two presses of the same key from the two sources are the same press when
//! their intervals overlap, each widened by [`SessionConfig::dedup_slack_ms`] (senders mute
//! the audio while they send events, so the in-band remainder often starts right where the
//! event ends). The reported interval is the union. To make this possible a press is held
//! back until [`SessionConfig::hold_ms`] after its end when the other source could still
//! report it; `Down` is reported at once (and only for the first source to hear the key).
//! On a stream that carries telephone-events, an in-band press that no event confirms is
//! dropped unless [`SessionConfig::inband_alone_with_events`] is set.
//! With [`Merge::KeepBoth`] every press of every source is reported as heard.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::rfc4733::{PayloadError, Receiver, ReceiverConfig, ReceiverEvent, Tone};
use crate::rtp::{self, RtpError};
use crate::{Detector, DetectorConfig, Event, Key};

/// What a payload type carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codec {
    /// G.711 μ-law, 8 kHz.
    Pcmu,
    /// G.711 A-law, 8 kHz.
    Pcma,
    /// RFC 4733 telephone-events at this clock rate (0: not known, estimated from the
    /// stream's timestamps against arrival times).
    TelephoneEvent(u32),
    /// Any other codec (its audio is skipped): encoding name and clock rate.
    Other(String, u32),
}

/// How presses heard both in-band and out-of-band are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// The same press from both sources is reported once ([`Source::Both`]).
    Deduplicate,
    /// Each source's presses are reported separately.
    KeepBoth,
}

/// Session settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// Treat this payload type as telephone-event whatever else is known (clock estimated).
    pub event_pt: Option<u8>,
    /// Decode PCMU/PCMA audio for in-band tones.
    pub inband: bool,
    /// Decode telephone-events.
    pub rfc4733: bool,
    /// De-duplication policy.
    pub merge: Merge,
    /// Widening of each interval when matching presses from the two sources, ms.
    pub dedup_slack_ms: f64,
    /// How long after its end a press waits for the other source, ms.
    pub hold_ms: f64,
    /// Audio packets held to reorder by sequence number.
    pub reorder_window: usize,
    /// Lost end packets: see [`ReceiverConfig::end_timeout`].
    pub end_timeout: Duration,
    /// With [`Merge::Deduplicate`], whether an in-band press that no telephone-event confirms
    /// is reported on a stream that carries telephone-events. Off by default: such a sender
    /// signals its keys out-of-band, and tones left in its audio are the tails of those events
    /// or not the caller's (PBXs in RFC 2833 mode ignore in-band tones the same way).
    pub inband_alone_with_events: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            event_pt: None,
            inband: true,
            rfc4733: true,
            merge: Merge::Deduplicate,
            dedup_slack_ms: 250.0,
            hold_ms: 300.0,
            reorder_window: 4,
            end_timeout: ReceiverConfig::default().end_timeout,
            inband_alone_with_events: false,
        }
    }
}

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

fn ms_of(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Maps a sub-stream's extended timestamps to ms: `anchor_ms` is the arrival of the packet
/// whose extended timestamp is `base`.
#[derive(Clone, Copy, Debug)]
struct Clock {
    anchor_ms: f64,
    base: i64,
    rate: u32,
}

impl Clock {
    fn ms(&self, t: i64) -> f64 {
        self.anchor_ms + (t - self.base) as f64 * 1000.0 / self.rate as f64
    }

    /// The same axis for another sub-stream of the SSRC whose timestamp `base` (same 32-bit
    /// timestamp space) is taken as its anchor; `None` when the clock rates differ.
    fn shared(&self, base: i64, rate: u32) -> Option<Clock> {
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
struct EventSub {
    rx: Receiver,
    clock: Option<Clock>,
}

struct AudioPacket {
    seq: i64,
    ts: i64,
    alaw: bool,
    payload: Vec<u8>,
}

struct AudioSub {
    det: Detector,
    clock: Option<Clock>,
    seq_max: Option<i64>,
    ts_ref: Option<i64>,
    released_seq: Option<i64>,
    buf: Vec<AudioPacket>,
    /// Payload buffers of played packets, reused (no allocation per packet once warm).
    spare: Vec<Vec<u8>>,
    /// Extended timestamp of the detector's sample 0.
    det_base: i64,
    /// Extended timestamp of the next sample the detector expects.
    next_ts: Option<i64>,
    last_arrival_ms: f64,
}

impl AudioSub {
    fn new() -> AudioSub {
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
struct Open {
    key: Key,
    /// Per source (0 = rfc4733, 1 = inband): start and end (None while on).
    parts: [Option<(f64, Option<f64>)>; 2],
    release_at: Option<f64>,
    /// An in-band press on a stream that carries telephone-events: reported only if an
    /// event confirms it.
    needs_event: bool,
}

impl Open {
    fn interval(&self) -> (f64, f64) {
        let mut s = f64::INFINITY;
        let mut e = f64::NEG_INFINITY;
        for (ps, pe) in self.parts.iter().flatten() {
            s = s.min(*ps);
            e = e.max(pe.unwrap_or(f64::INFINITY));
        }
        (s, e)
    }

    fn source(&self) -> Source {
        match (self.parts[0].is_some(), self.parts[1].is_some()) {
            (true, true) => Source::Both,
            (true, false) => Source::Rfc4733,
            _ => Source::Inband,
        }
    }
}

struct Stream {
    ssrc: u32,
    /// Arrival (ms) and timestamp of the stream's first and latest packets.
    first: Option<(f64, u32)>,
    latest: (f64, u32),
    events: Option<EventSub>,
    audio: Option<AudioSub>,
    noted: Vec<u8>,
    open: Vec<Open>,
}

impl Stream {
    /// The RTP clock rate the timestamps advance at against arrival time (8 000, 16 000 or
    /// 48 000, whichever is nearest), once at least 400 ms of arrivals are seen; else 8 000.
    fn estimated_rate(&self) -> u32 {
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

/// The session demultiplexer. See the module docs.
pub struct Session {
    cfg: SessionConfig,
    pts: Vec<Option<Codec>>,
    streams: Vec<Stream>,
    out: VecDeque<SessionEvent>,
    /// Detector events with the extended timestamp of the detector's sample 0 at the time.
    scratch: Vec<(Event, i64)>,
}

const SILENCE: [i16; 160] = [0; 160];
const MAX_GAP_TICKS: i64 = 16_000;

impl Session {
    /// A session with the given settings and no payload types learned yet.
    pub fn new(cfg: SessionConfig) -> Session {
        Session {
            cfg,
            pts: vec![None; 128],
            streams: Vec::new(),
            out: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// Declares what a payload type carries (overrides SDP and conventions).
    pub fn set_payload_type(&mut self, pt: u8, codec: Codec) {
        if let Some(slot) = self.pts.get_mut(pt as usize) {
            *slot = Some(codec);
        }
    }

    /// What payload type `pt` is taken to be, if known from SDP or [`set_payload_type`](Self::set_payload_type).
    pub fn payload_type(&self, pt: u8) -> Option<&Codec> {
        self.pts.get(pt as usize).and_then(|c| c.as_ref())
    }

    /// Learns payload types from an SDP body (its `a=rtpmap:` lines); returns how many.
    pub fn learn_sdp(&mut self, sdp: &str) -> usize {
        let mut n = 0;
        for line in sdp.lines() {
            let Some(rest) = line.trim().strip_prefix("a=rtpmap:") else {
                continue;
            };
            let mut it = rest.split_whitespace();
            let (Some(pt), Some(enc)) = (it.next(), it.next()) else {
                continue;
            };
            let Ok(pt) = pt.parse::<u8>() else { continue };
            if pt > 127 {
                continue;
            }
            let mut parts = enc.split('/');
            let name = parts.next().unwrap_or("");
            let rate = parts
                .next()
                .and_then(|r| r.parse::<u32>().ok())
                .unwrap_or(8000);
            let codec = if name.eq_ignore_ascii_case("telephone-event") {
                Codec::TelephoneEvent(rate.max(1))
            } else if name.eq_ignore_ascii_case("PCMU") && rate == 8000 {
                Codec::Pcmu
            } else if name.eq_ignore_ascii_case("PCMA") && rate == 8000 {
                Codec::Pcma
            } else {
                Codec::Other(name.to_string(), rate)
            };
            self.pts[pt as usize] = Some(codec);
            n += 1;
        }
        n
    }

    fn classify(&self, pt: u8, payload: &[u8]) -> Codec {
        if self.cfg.event_pt == Some(pt) {
            return Codec::TelephoneEvent(0);
        }
        if let Some(c) = self.payload_type(pt) {
            return c.clone();
        }
        match pt {
            0 => Codec::Pcmu,
            8 => Codec::Pcma,
            96..=127 if !payload.is_empty() && payload.len() % 4 == 0 && payload.len() <= 16 => {
                Codec::TelephoneEvent(0)
            }
            _ => Codec::Other("unknown codec".to_string(), 0),
        }
    }

    /// Feeds one UDP payload that arrived at `now`. Non-RTP datagrams and malformed
    /// telephone-event payloads are rejected with an error and change nothing else.
    pub fn handle_datagram(&mut self, now: Duration, datagram: &[u8]) -> Result<(), SessionError> {
        let pkt = rtp::parse(datagram)?;
        let now_ms = ms_of(now);
        self.release_due(now_ms);
        let h = pkt.header;
        let codec = self.classify(h.payload_type, pkt.payload);
        let idx = match self.streams.iter().position(|s| s.ssrc == h.ssrc) {
            Some(i) => i,
            None => {
                self.streams.push(Stream {
                    ssrc: h.ssrc,
                    events: None,
                    audio: None,
                    noted: Vec::new(),
                    first: None,
                    latest: (0.0, 0),
                    open: Vec::new(),
                });
                self.streams.len() - 1
            }
        };
        {
            let st = &mut self.streams[idx];
            st.first.get_or_insert((now_ms, h.timestamp));
            st.latest = (now_ms, h.timestamp);
        }
        match codec {
            Codec::TelephoneEvent(rate) => {
                if !self.cfg.rfc4733 {
                    return Ok(());
                }
                let cfg = ReceiverConfig {
                    clock_rate: rate.max(1),
                    end_timeout: self.cfg.end_timeout,
                };
                let st = &mut self.streams[idx];
                let est = st.estimated_rate();
                let sub = st.events.get_or_insert_with(|| EventSub {
                    rx: Receiver::new(cfg),
                    clock: None,
                });
                let r = sub
                    .rx
                    .handle_packet(now, h.sequence, h.timestamp, h.marker, pkt.payload);
                if sub.clock.is_none() && r.is_ok() {
                    // A packet leaves when its duration has elapsed: its arrival marks
                    // timestamp + duration. Audio already playing on this SSRC at the same
                    // clock gives the axis instead, so both sources of one press line up.
                    let dur = u16::from_be_bytes([pkt.payload[2], pkt.payload[3]]);
                    let base = sub.rx.extend_timestamp(h.timestamp) + dur as i64;
                    let own = Clock {
                        anchor_ms: now_ms,
                        base,
                        rate,
                    };
                    let rate_now = if rate == 0 { est } else { rate };
                    sub.clock = Some(
                        st.audio
                            .as_ref()
                            .and_then(|a| a.clock)
                            .and_then(|a| a.shared(base, rate_now))
                            .unwrap_or(own),
                    );
                }
                self.drain_events(idx, now_ms);
                r.map_err(|error| SessionError::Payload {
                    ssrc: h.ssrc,
                    payload_type: h.payload_type,
                    error,
                })?;
            }
            Codec::Pcmu | Codec::Pcma => {
                if !self.cfg.inband {
                    return Ok(());
                }
                let alaw = codec == Codec::Pcma;
                let window = self.cfg.reorder_window;
                let st = &mut self.streams[idx];
                let est = st.estimated_rate();
                let te_clock = st.events.as_ref().and_then(|e| e.clock).map(|mut c| {
                    if c.rate == 0 {
                        c.rate = est;
                    }
                    c
                });
                let a = st.audio.get_or_insert_with(AudioSub::new);
                a.last_arrival_ms = now_ms;
                let seq = match a.seq_max {
                    None => h.sequence as i64,
                    Some(m) => m + h.sequence.wrapping_sub(m as u16) as i16 as i64,
                };
                a.seq_max = Some(a.seq_max.map_or(seq, |m| m.max(seq)));
                let ts = match a.ts_ref {
                    None => h.timestamp as i64,
                    Some(r) => r + h.timestamp.wrapping_sub(r as u32) as i32 as i64,
                };
                a.ts_ref = Some(a.ts_ref.map_or(ts, |r| r.max(ts)));
                if a.clock.is_none() {
                    // Telephone-events already heard on this SSRC at 8 kHz give the axis.
                    a.clock = Some(te_clock.and_then(|c| c.shared(ts, 8000)).unwrap_or(Clock {
                        anchor_ms: now_ms,
                        base: ts,
                        rate: 8000,
                    }));
                }
                if a.released_seq.is_some_and(|r| seq <= r) || a.buf.iter().any(|p| p.seq == seq) {
                    return Ok(()); // too late, or a duplicate
                }
                let at = a.buf.partition_point(|p| p.seq < seq);
                let mut payload = a.spare.pop().unwrap_or_default();
                payload.extend_from_slice(pkt.payload);
                a.buf.insert(
                    at,
                    AudioPacket {
                        seq,
                        ts,
                        alaw,
                        payload,
                    },
                );
                while a.buf.len() > window {
                    let p = a.buf.remove(0);
                    Self::play(a, &mut self.scratch, p);
                }
                self.drain_audio(idx, now_ms);
            }
            Codec::Other(name, rate) => {
                let st = &mut self.streams[idx];
                if !st.noted.contains(&h.payload_type) {
                    st.noted.push(h.payload_type);
                    let what = if rate == 0 {
                        name
                    } else {
                        format!("{name}/{rate}")
                    };
                    self.out.push_back(SessionEvent::Note(format!(
                        "stream {:08x}: payload type {} ({what}) audio skipped; only PCMU/PCMA audio is decoded",
                        h.ssrc, h.payload_type
                    )));
                }
            }
        }
        Ok(())
    }

    /// Feeds one released audio packet to the detector (silence for a gap before it).
    fn play(a: &mut AudioSub, scratch: &mut Vec<(Event, i64)>, p: AudioPacket) {
        Self::play_packet(a, scratch, &p);
        let mut v = p.payload;
        v.clear();
        if a.spare.len() <= a.buf.len() + 1 {
            a.spare.push(v);
        }
    }

    fn play_packet(a: &mut AudioSub, scratch: &mut Vec<(Event, i64)>, p: &AudioPacket) {
        a.released_seq = Some(p.seq);
        let mut payload = &p.payload[..];
        match a.next_ts {
            None => {
                a.det_base = p.ts;
            }
            Some(next) if p.ts > next => {
                let gap = p.ts - next;
                if gap > MAX_GAP_TICKS {
                    let base = a.det_base;
                    a.det.finish(|e| scratch.push((e, base)));
                    a.det.reset();
                    a.det_base = p.ts;
                } else {
                    let mut left = gap as usize;
                    let base = a.det_base;
                    while left > 0 {
                        let n = left.min(SILENCE.len());
                        a.det.process(&SILENCE[..n], |e| scratch.push((e, base)));
                        left -= n;
                    }
                }
            }
            Some(next) if p.ts < next => {
                let overlap = (next - p.ts) as usize;
                if overlap >= payload.len() {
                    return;
                }
                payload = &payload[overlap..];
            }
            Some(_) => {}
        }
        let base = a.det_base;
        if p.alaw {
            a.det.process_alaw(payload, |e| scratch.push((e, base)));
        } else {
            a.det.process_ulaw(payload, |e| scratch.push((e, base)));
        }
        a.next_ts = Some(a.det_base + a.det.position() as i64);
    }

    fn drain_audio(&mut self, idx: usize, now_ms: f64) {
        let Some(clock) = self.streams[idx].audio.as_ref().and_then(|a| a.clock) else {
            return;
        };
        let evs = std::mem::take(&mut self.scratch);
        for &(ev, base) in &evs {
            match ev {
                Event::KeyDown { key, start, .. } => {
                    let s = clock.ms(base + start as i64);
                    self.part_down(idx, key, 1, s);
                }
                Event::KeyUp { press, .. } => {
                    let s = clock.ms(base + press.start as i64);
                    let e = clock.ms(base + press.end as i64);
                    self.part_up(idx, press.key, 1, s, e, now_ms);
                }
            }
        }
        self.scratch = evs;
        self.scratch.clear();
    }

    fn drain_events(&mut self, idx: usize, now_ms: f64) {
        loop {
            let st = &mut self.streams[idx];
            let Some(sub) = st.events.as_mut() else {
                return;
            };
            let Some(ev) = sub.rx.poll() else { return };
            // The clock is set right after the first packet is accepted, before any drain.
            let Some(mut clock) = sub.clock else { continue };
            if clock.rate == 0 {
                clock.rate = st.estimated_rate();
            }
            match ev {
                ReceiverEvent::Down {
                    tone: Tone::Key(k),
                    start,
                    ..
                } => self.part_down(idx, k, 0, clock.ms(start)),
                ReceiverEvent::Up(p) => match p.tone {
                    Tone::Key(k) => {
                        self.part_up(idx, k, 0, clock.ms(p.start), clock.ms(p.end()), now_ms)
                    }
                    Tone::Other(code) => self.out.push_back(SessionEvent::OtherEvent {
                        code,
                        ssrc: self.streams[idx].ssrc,
                        start_ms: clock.ms(p.start),
                        end_ms: clock.ms(p.end()),
                    }),
                },
                ReceiverEvent::Down { .. } => {}
            }
        }
    }

    fn overlaps(&self, o: &Open, s: f64, e: f64) -> bool {
        let (os, oe) = o.interval();
        let k = self.cfg.dedup_slack_ms;
        s <= oe + k && os <= e + k
    }

    fn part_down(&mut self, idx: usize, key: Key, src: usize, start: f64) {
        let ssrc = self.streams[idx].ssrc;
        if self.cfg.merge == Merge::Deduplicate {
            let found = self.streams[idx].open.iter().position(|o| {
                o.key == key
                    && o.parts[src].is_none()
                    && o.parts[1 - src].is_some()
                    && self.overlaps(o, start, f64::INFINITY)
            });
            if let Some(i) = found {
                let o = &mut self.streams[idx].open[i];
                o.parts[src] = Some((start, None));
                o.release_at = None;
                o.needs_event = false;
                return;
            }
        }
        let needs_event = src == 1
            && self.cfg.merge == Merge::Deduplicate
            && !self.cfg.inband_alone_with_events
            && self.streams[idx].events.is_some();
        self.streams[idx].open.push(Open {
            needs_event,
            key,
            parts: if src == 0 {
                [Some((start, None)), None]
            } else {
                [None, Some((start, None))]
            },
            release_at: None,
        });
        if needs_event {
            return;
        }
        self.out.push_back(SessionEvent::Down {
            key,
            ssrc,
            source: if src == 0 {
                Source::Rfc4733
            } else {
                Source::Inband
            },
            at_ms: start,
        });
    }

    fn part_up(&mut self, idx: usize, key: Key, src: usize, start: f64, end: f64, now_ms: f64) {
        let open = &mut self.streams[idx].open;
        let i = match open
            .iter()
            .position(|o| o.key == key && matches!(o.parts[src], Some((_, None))))
        {
            Some(i) => i,
            None => {
                // An Up without a Down seen (cannot happen with the receivers here).
                self.part_down(idx, key, src, start);
                self.streams[idx].open.len() - 1
            }
        };
        let dedup = self.cfg.merge == Merge::Deduplicate;
        let other_possible = dedup
            && if src == 0 {
                self.cfg.inband && self.streams[idx].audio.is_some()
            } else {
                self.cfg.rfc4733
            };
        let hold = self.cfg.hold_ms;
        let o = &mut self.streams[idx].open[i];
        o.parts[src] = Some((start, Some(end)));
        let complete = o.parts.iter().all(|p| !matches!(p, Some((_, None))));
        if complete {
            o.release_at = Some(if o.parts[1 - src].is_some() || !other_possible {
                f64::NEG_INFINITY
            } else {
                end + hold
            });
        }
        self.release_due(now_ms);
    }

    fn release_due(&mut self, now_ms: f64) {
        for st in &mut self.streams {
            let mut i = 0;
            while i < st.open.len() {
                let o = st.open[i];
                let ended = o.parts.iter().all(|p| !matches!(p, Some((_, None))));
                if ended && o.release_at.is_some_and(|r| r <= now_ms) {
                    st.open.remove(i);
                    if o.needs_event && st.events.is_some() {
                        continue; // in-band alone on a stream that signals keys out-of-band
                    }
                    let (s, e) = o.interval();
                    self.out.push_back(SessionEvent::Press(Press {
                        start_ms: s,
                        end_ms: e,
                        key: o.key,
                        ssrc: st.ssrc,
                        source: o.source(),
                    }));
                } else {
                    i += 1;
                }
            }
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called, if at all.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut t: Option<Duration> = None;
        let mut min = |d: Duration| t = Some(t.map_or(d, |x: Duration| x.min(d)));
        for st in &self.streams {
            if let Some(d) = st.events.as_ref().and_then(|e| e.rx.poll_timeout()) {
                min(d);
            }
            if let Some(a) = &st.audio {
                if !a.buf.is_empty() {
                    min(Duration::from_secs_f64(
                        (a.last_arrival_ms + 100.0).max(0.0) / 1000.0,
                    ));
                }
            }
            for o in &st.open {
                if let Some(r) = o.release_at {
                    min(Duration::from_secs_f64(r.max(0.0) / 1000.0));
                }
            }
        }
        t
    }

    /// Fires what is due at `now`: telephone-events whose end packets were lost, audio held
    /// for reordering 100 ms after its stream went quiet, presses held for de-duplication.
    pub fn handle_timeout(&mut self, now: Duration) {
        let now_ms = ms_of(now);
        for idx in 0..self.streams.len() {
            if let Some(e) = self.streams[idx].events.as_mut() {
                e.rx.handle_timeout(now);
            }
            self.drain_events(idx, now_ms);
            if let Some(a) = self.streams[idx].audio.as_mut() {
                if now_ms >= a.last_arrival_ms + 100.0 {
                    for p in std::mem::take(&mut a.buf) {
                        Self::play(a, &mut self.scratch, p);
                    }
                }
            }
            self.drain_audio(idx, now_ms);
        }
        self.release_due(now_ms);
    }

    /// End of input: flushes every stream and reports every press still held.
    pub fn finish(&mut self) {
        for idx in 0..self.streams.len() {
            if let Some(e) = self.streams[idx].events.as_mut() {
                e.rx.finish();
            }
            self.drain_events(idx, f64::NEG_INFINITY);
            if let Some(a) = self.streams[idx].audio.as_mut() {
                for p in std::mem::take(&mut a.buf) {
                    Self::play(a, &mut self.scratch, p);
                }
                let base = a.det_base;
                a.det.finish(|e| self.scratch.push((e, base)));
            }
            self.drain_audio(idx, f64::NEG_INFINITY);
        }
        for st in &mut self.streams {
            for o in &mut st.open {
                o.release_at = Some(f64::NEG_INFINITY);
                for (s, e) in o.parts.iter_mut().flatten() {
                    e.get_or_insert(*s);
                }
            }
        }
        self.release_due(f64::INFINITY);
    }

    /// The next event.
    pub fn poll(&mut self) -> Option<SessionEvent> {
        self.out.pop_front()
    }
}
