//! A sans-IO RTP session demultiplexer: datagrams and arrival times in, key presses out.
//!
//! [`Session`] takes every RTP datagram of a call (any number of SSRCs), sorts them into
//! streams by SSRC and, per stream,
//!
//! * feeds RFC 4733 telephone-events to a [`Receiver`];
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
//!
//! ## Files
//!
//! * `config`: [`SessionConfig`], [`Codec`], [`Merge`];
//! * `report`: what the session reports ([`SessionEvent`], [`Press`], [`Source`]) and
//!   [`SessionError`];
//! * `stream`: the state of one SSRC (its telephone-event and audio sub-streams, their clocks,
//!   the presses being de-duplicated);
//! * this file: [`Session`] itself, payload types, datagrams in and timeouts;
//! * `audio`: released audio packets into the detector, gaps filled with silence;
//! * `presses`: key reports of both sources into presses, de-duplicated and released.
//!
//! [`Detector`]: crate::Detector

mod audio;
mod config;
mod presses;
mod report;
mod stream;

pub use config::{Codec, Merge, SessionConfig};
pub use report::{Press, SessionError, SessionEvent, Source};

use std::collections::VecDeque;
use std::time::Duration;

use crate::rfc4733::{Receiver, ReceiverConfig};
use crate::rtp;
use crate::Event;
use stream::{ms_of, AudioPacket, AudioSub, Clock, EventSub, Stream};

/// The session demultiplexer. See the module docs.
pub struct Session {
    cfg: SessionConfig,
    pts: Vec<Option<Codec>>,
    streams: Vec<Stream>,
    out: VecDeque<SessionEvent>,
    /// Detector events with the extended timestamp of the detector's sample 0 at the time.
    scratch: Vec<(Event, i64)>,
}

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

    pub(crate) fn classify(&self, pt: u8, payload: &[u8]) -> Codec {
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
                    let what = Codec::other_label(&name, rate);
                    self.out.push_back(SessionEvent::Note(format!(
                        "stream {:08x}: payload type {} ({what}) audio skipped; only PCMU/PCMA audio is decoded",
                        h.ssrc, h.payload_type
                    )));
                }
            }
        }
        Ok(())
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
