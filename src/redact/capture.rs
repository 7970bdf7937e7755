//! Packet captures redacted: RFC 4733 telephone-event packets removed, and the keys in
//! PCMU/PCMA payloads replaced (feature `capture`).

use std::time::Duration;

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::DataLink;

use super::config::{ms_to_samples, RedactConfig, RedactError};
use super::stream::Redactor;
use crate::capture::{
    epb_time, is_rtcp, locate, looks_like_sdp, sum16, units_per_second, CaptureError,
    CaptureOptions,
};
use crate::detector::DetectorConfig;
use crate::key::Key;
use crate::rfc4733::parse_payload;
use crate::rtp;
use crate::session::{Codec, Session, Source};

/// Gaps in a stream's timestamps up to this long (samples at 8 kHz) are filled with
/// silence; a longer gap starts a new stretch, redacted on its own.
const MAX_FILL: i64 = 1600;

/// A replaced or removed span of one RTP stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CaptureSpan {
    /// The stream (SSRC).
    pub ssrc: u32,
    /// Start, ms from the capture's first packet (on the stream's RTP clock, anchored at
    /// the arrival of its first packet).
    pub start_ms: f64,
    /// End, ms.
    pub end_ms: f64,
    /// [`Source::Rfc4733`]: a telephone-event whose packets were removed (and whose time
    /// in the same stream's PCMU/PCMA audio was replaced too); [`Source::Inband`]: a key
    /// found in the audio and replaced.
    pub source: Source,
    /// The key, if [`RedactConfig::reveal_keys`] (`None` as well for telephone-events
    /// that are not keys: flash, fax tones, …).
    pub key: Option<Key>,
}

/// A redacted capture.
#[derive(Clone, Debug)]
pub struct RedactedCapture {
    /// The whole capture: the input's bytes without the telephone-event packets' records,
    /// and with the replaced audio bytes (and their UDP checksums) rewritten.
    pub bytes: Vec<u8>,
    /// The spans, by stream then start.
    pub spans: Vec<CaptureSpan>,
    /// Telephone-event packets removed.
    pub removed_packets: usize,
    /// Audio packets whose payload was changed.
    pub changed_packets: usize,
    /// Remarks: audio of other codecs (not redacted), an incomplete last record (dropped).
    pub notes: Vec<String>,
}

/// One captured frame: its record's bytes in the file, its link type with the frame's
/// offset and length in the file, and its time.
struct Record {
    bytes: std::ops::Range<usize>,
    frame: (DataLink, usize, usize),
    at: Duration,
}

/// An RTP packet of interest: its record, the payload's place in the file and its
/// (unwrapped) timestamp.
struct Packet {
    record: usize,
    payload: std::ops::Range<usize>,
    /// The UDP header's place, the datagram's end and its pseudo-header sum.
    checksum: Option<(usize, usize, u32)>,
    ts: i64,
}

/// One SSRC's packets.
struct Stream {
    ssrc: u32,
    /// Arrival (ms) and unwrapped timestamp of its first packet.
    anchor: (f64, i64),
    ts_ref: i64,
    /// PCMU (false) or PCMA (true) packets.
    audio: Vec<(bool, Packet)>,
    /// Telephone-events: (start timestamp, duration so far, code, clock rate).
    events: Vec<(i64, i64, u8, u32)>,
}

impl Stream {
    fn unwrap(&mut self, ts: u32) -> i64 {
        let t = self.ts_ref + i64::from(ts.wrapping_sub(self.ts_ref as u32) as i32);
        self.ts_ref = self.ts_ref.max(t);
        t
    }
    fn ms(&self, ts: i64, rate: u32) -> f64 {
        self.anchor.0 + (ts - self.anchor.1) as f64 * 1000.0 / f64::from(rate.max(1))
    }
}

/// Redact a packet capture (pcap or pcapng, as [`crate::capture`] reads them), keeping its
/// format: every RTP telephone-event packet's record is removed, and in each PCMU/PCMA
/// stream the keys the detector (`profile(8000)`) finds, and the time of the stream's own
/// telephone-events, are replaced as [`Redactor::redact_all`] replaces them (the samples
/// in the G.711 encoding of the fill). Payload types are known as the capture decoder
/// knows them (SDP in the capture, `opts.session.event_pt`, static types). Each stream's
/// packets are placed by timestamp (reordered and duplicated packets alike); gaps of up to
/// 200 ms are silence, a longer one starts a new stretch. Every other byte is copied
/// unchanged: other packets, headers, the audio outside the spans. The UDP checksum of a
/// changed packet is recomputed (one of 0, "none" over IPv4, is kept).
///
/// Audio of other codecs is not redacted (a note says which streams); an incomplete last
/// record is dropped (noted).
///
/// # Errors
/// [`RedactError::Capture`] for input that is not a readable capture,
/// [`RedactError::Detector`] and the settings' errors as [`Redactor::new`].
pub fn redact_capture(
    input: &[u8],
    profile: impl Fn(u32) -> DetectorConfig,
    cfg: &RedactConfig,
    opts: &CaptureOptions,
) -> Result<RedactedCapture, RedactError> {
    let mut ulaw = Redactor::ulaw(profile(8000), cfg.clone())?;
    let mut alaw = Redactor::alaw(profile(8000), cfg.clone())?;
    let mut notes = Vec::new();
    let (records, complete) = records(input, &mut notes).map_err(RedactError::Capture)?;

    // Payload types: SDP anywhere in the capture, then the session's rules.
    let mut session = Session::new(opts.session.clone());
    let mut located = Vec::with_capacity(records.len());
    for r in &records {
        let (link, at, len) = r.frame;
        let l = locate(link, &input[at..at + len])
            .map_err(RedactError::Capture)?
            .map(|l| (at, l));
        if let Some((at, l)) = &l {
            let p = &input[at + l.payload.start..at + l.payload.end];
            if looks_like_sdp(p) {
                session.learn_sdp(&String::from_utf8_lossy(p));
            }
        }
        located.push(l);
    }

    let mut streams: Vec<Stream> = Vec::new();
    let mut removed = vec![false; records.len()];
    let mut noted: Vec<(u32, u8)> = Vec::new();
    let t0 = records.first().map_or(Duration::ZERO, |r| r.at);
    for (i, l) in located.iter().enumerate() {
        let Some((at, l)) = l else { continue };
        let range = at + l.payload.start..at + l.payload.end;
        let p = &input[range.clone()];
        if !l.udp || looks_like_sdp(p) || is_rtcp(p) {
            continue;
        }
        let Ok(pkt) = rtp::parse(p) else { continue };
        let h = pkt.header;
        let codec = session.classify(h.payload_type, pkt.payload);
        let arrival = (records[i].at.saturating_sub(t0)).as_secs_f64() * 1000.0;
        let si = match streams.iter().position(|s| s.ssrc == h.ssrc) {
            Some(si) => si,
            None => {
                streams.push(Stream {
                    ssrc: h.ssrc,
                    anchor: (arrival, i64::from(h.timestamp)),
                    ts_ref: i64::from(h.timestamp),
                    audio: Vec::new(),
                    events: Vec::new(),
                });
                streams.len() - 1
            }
        };
        let st = &mut streams[si];
        let ts = st.unwrap(h.timestamp);
        // (Padding may follow the payload.)
        let payload_at = range.start + pos_of(p, pkt.payload).map_err(RedactError::Capture)?;
        match codec {
            Codec::TelephoneEvent(rate) => {
                removed[i] = true;
                if let Ok(blocks) = parse_payload(pkt.payload) {
                    // Packed events (RFC 4733 §2.5.1.5): each further block starts where
                    // the previous one ended.
                    let mut t = ts;
                    for b in blocks {
                        let dur = i64::from(b.duration);
                        match st.events.iter_mut().find(|e| e.0 == t && e.2 == b.event) {
                            Some(e) => e.1 = e.1.max(dur),
                            None => st.events.push((t, dur, b.event, rate)),
                        }
                        t += dur;
                    }
                }
            }
            Codec::Pcmu | Codec::Pcma => st.audio.push((
                codec == Codec::Pcma,
                Packet {
                    record: i,
                    payload: payload_at..payload_at + pkt.payload.len(),
                    checksum: l.udp_checksum.map(|(u, s)| (at + u, range.end, s)),
                    ts,
                },
            )),
            Codec::Other(name, rate) => {
                if !noted.contains(&(h.ssrc, h.payload_type)) {
                    noted.push((h.ssrc, h.payload_type));
                    let what = Codec::other_label(&name, rate);
                    notes.push(format!(
                        "stream {:08x}: payload type {} ({what}) audio not redacted; only \
                         PCMU/PCMA audio is",
                        h.ssrc, h.payload_type
                    ));
                }
            }
        }
    }

    let mut bytes = input.to_vec();
    let mut spans = Vec::new();
    let mut changed = vec![false; records.len()];
    let guard = ms_to_samples(cfg.guard_ms, 8000) as i64;
    for st in &mut streams {
        for &(ts, dur, code, rate) in &st.events {
            let r = if rate == 0 { 8000 } else { rate };
            spans.push(CaptureSpan {
                ssrc: st.ssrc,
                start_ms: st.ms(ts, r),
                end_ms: st.ms(ts + dur, r),
                source: Source::Rfc4733,
                key: Key::from_event_code(code).filter(|_| cfg.reveal_keys),
            });
        }
        // The time of the stream's events at the audio's 8 kHz clock.
        let event_spans: Vec<(i64, i64)> = st
            .events
            .iter()
            .filter(|e| e.3 == 0 || e.3 == 8000)
            .map(|e| (e.0 - guard, e.0 + e.1 + guard))
            .collect();
        for law in [false, true] {
            let mut pk: Vec<&Packet> = st
                .audio
                .iter()
                .filter(|(a, _)| *a == law)
                .map(|(_, p)| p)
                .collect();
            pk.sort_by_key(|p| (p.ts, p.record));
            let red = if law { &mut alaw } else { &mut ulaw };
            let silence = if law { 0xd5 } else { 0xff };
            let mut i = 0;
            while i < pk.len() {
                // A stretch: packets whose gaps are at most MAX_FILL.
                let start = pk[i].ts;
                let mut end = start + pk[i].payload.len() as i64;
                let mut j = i + 1;
                while j < pk.len() && pk[j].ts <= end + MAX_FILL {
                    end = end.max(pk[j].ts + pk[j].payload.len() as i64);
                    j += 1;
                }
                let n = (end - start) as usize;
                let mut orig = vec![silence; n];
                for p in &pk[i..j] {
                    let o = (p.ts - start) as usize;
                    orig[o..o + p.payload.len()].copy_from_slice(&input[p.payload.clone()]);
                }
                let extra: Vec<(u64, u64)> = event_spans
                    .iter()
                    .filter(|&&(s, e)| e > start && s < end)
                    .map(|&(s, e)| ((s - start).max(0) as u64, (e - start) as u64))
                    .collect();
                let mut out = orig.clone();
                red.redact_all_with(&mut out, &extra, |s| {
                    spans.push(CaptureSpan {
                        ssrc: st.ssrc,
                        start_ms: st.ms(start + s.start as i64, 8000),
                        end_ms: st.ms(start + s.end.min(n as u64) as i64, 8000),
                        source: Source::Inband,
                        key: s.key,
                    })
                });
                for p in &pk[i..j] {
                    let o = (p.ts - start) as usize;
                    let mut any = false;
                    for (k, at) in p.payload.clone().enumerate() {
                        if out[o + k] != orig[o + k] {
                            bytes[at] = out[o + k];
                            any = true;
                        }
                    }
                    if any {
                        changed[p.record] = true;
                        if let Some((u, end, pseudo)) = p.checksum {
                            fix_checksum(&mut bytes, u, end, pseudo);
                        }
                    }
                }
                i = j;
            }
        }
    }
    spans.sort_by(|a, b| a.ssrc.cmp(&b.ssrc).then(a.start_ms.total_cmp(&b.start_ms)));

    let mut out = Vec::with_capacity(bytes.len());
    let mut last = 0;
    for (r, &gone) in records.iter().zip(&removed) {
        // The file header and blocks between packet records (interface descriptions,
        // statistics) stay.
        out.extend_from_slice(&bytes[last..r.bytes.start]);
        if !gone {
            out.extend_from_slice(&bytes[r.bytes.clone()]);
        }
        last = r.bytes.end;
    }
    out.extend_from_slice(&bytes[last.min(complete)..complete]);
    Ok(RedactedCapture {
        bytes: out,
        spans,
        removed_packets: removed.iter().filter(|&&r| r).count(),
        changed_packets: changed.iter().filter(|&&c| c).count(),
        notes,
    })
}

/// Recompute the UDP checksum of the datagram whose header is at `udp` and which ends at
/// `end` (a checksum of 0, "none" over IPv4, is left).
fn fix_checksum(bytes: &mut [u8], udp: usize, end: usize, pseudo: u32) {
    if bytes[udp + 6] == 0 && bytes[udp + 7] == 0 {
        return;
    }
    bytes[udp + 6] = 0;
    bytes[udp + 7] = 0;
    let mut s = pseudo + sum16(&bytes[udp..end]);
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    let c = !(s as u16);
    let c = if c == 0 { 0xffff } else { c };
    bytes[udp + 6..udp + 8].copy_from_slice(&c.to_be_bytes());
}

/// The capture's packet records, in order, and where its last complete record or block
/// ends (an incomplete one after it is noted).
fn records(input: &[u8], notes: &mut Vec<String>) -> Result<(Vec<Record>, usize), CaptureError> {
    let mut out = Vec::new();
    let pos = |rest: &[u8]| input.len() - rest.len();
    let incomplete = |at: usize, notes: &mut Vec<String>| {
        notes.push(format!(
            "the last {} bytes (from byte {at}) are not a complete record; they are dropped",
            input.len() - at
        ));
    };
    if input.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        let (mut rest, mut parser) =
            PcapNgParser::new(input).map_err(|e| CaptureError::Format(e.to_string()))?;
        // Link type and timestamp units of each interface of the current section.
        let mut ifaces: Vec<(DataLink, u128)> = Vec::new();
        while !rest.is_empty() {
            let at = pos(rest);
            let (r, block) = match parser.next_block(rest) {
                Ok(x) => x,
                Err(pcap_file::PcapError::IncompleteBuffer) => {
                    incomplete(at, notes);
                    return Ok((out, at));
                }
                Err(e) => {
                    return Err(CaptureError::Format(format!("at byte {at}: {e}")));
                }
            };
            let end = pos(r);
            rest = r;
            let (frame, ts) = match &block {
                Block::SectionHeader(_) => {
                    ifaces.clear();
                    continue;
                }
                Block::InterfaceDescription(idb) => {
                    ifaces.push((idb.linktype, units_per_second(idb)));
                    continue;
                }
                Block::EnhancedPacket(epb) => {
                    let Some(&(link, per_sec)) = ifaces.get(epb.interface_id as usize) else {
                        return Err(CaptureError::Format(format!(
                            "packet on undeclared interface {} at byte {at}",
                            epb.interface_id
                        )));
                    };
                    let d = pos_of(input, &epb.data)?;
                    ((link, d, epb.data.len()), epb_time(epb.timestamp, per_sec))
                }
                Block::SimplePacket(spb) => {
                    let Some(&(link, _)) = ifaces.first() else {
                        continue;
                    };
                    let d = pos_of(input, &spb.data)?;
                    let t = out.last().map_or(Duration::ZERO, |r: &Record| r.at);
                    ((link, d, spb.data.len()), t)
                }
                _ => continue,
            };
            out.push(Record {
                bytes: at..end,
                frame,
                at: ts,
            });
        }
    } else {
        let (mut rest, parser) =
            PcapParser::new(input).map_err(|e| CaptureError::Format(e.to_string()))?;
        let link = parser.header().datalink;
        while !rest.is_empty() {
            let at = pos(rest);
            match parser.next_packet(rest) {
                Ok((r, pkt)) => {
                    let d = pos_of(input, &pkt.data)?;
                    out.push(Record {
                        bytes: at..pos(r),
                        frame: (link, d, pkt.data.len()),
                        at: pkt.timestamp,
                    });
                    rest = r;
                }
                Err(pcap_file::PcapError::IncompleteBuffer) => {
                    incomplete(at, notes);
                    return Ok((out, at));
                }
                Err(e) => return Err(CaptureError::Format(format!("at byte {at}: {e}"))),
            }
        }
    }
    Ok((out, input.len()))
}

/// Offset in `input` of data the parsers borrowed from it.
fn pos_of(input: &[u8], data: &[u8]) -> Result<usize, CaptureError> {
    let at = (data.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    if at.checked_add(data.len()).is_some_and(|e| e <= input.len()) {
        Ok(at)
    } else {
        Err(CaptureError::Format(
            "packet data outside the capture".into(),
        ))
    }
}
