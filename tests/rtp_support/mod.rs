//! Builds RTP calls with known truth: keys as PCMU tones (the crate's Generator, μ-law
//! encoded here by the G.711 formula) and/or as RFC 4733 events (the crate's Sender).
#![allow(dead_code)]

use std::time::Duration;
use touchtone::rfc4733::{Sender, SenderConfig};
use touchtone::rtp::RtpHeader;
use touchtone::{Generator, GeneratorConfig, Key};

pub const TONE_MS: u64 = 100;
pub const PAUSE_MS: u64 = 100;

/// G.711 μ-law encoder (ITU-T G.711 segment formula with bias 0x84).
pub fn ulaw(s: i16) -> u8 {
    let mut x = s as i32;
    let sign = if x < 0 {
        x = -x;
        0x80
    } else {
        0
    };
    let x = (x.min(32635) + 0x84) as u32;
    let exp = 31 - x.leading_zeros() - 7;
    let mant = (x >> (exp + 3)) & 0x0f;
    !(sign | (exp << 4) as u8 | mant as u8)
}

/// G.711 A-law encoder (segment search on the 13-bit magnitude, even bits inverted).
pub fn alaw(s: i16) -> u8 {
    const SEG_END: [i32; 8] = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
    let mut v = (s as i32) >> 3;
    let mask = if v >= 0 {
        0xd5
    } else {
        v = -v - 1;
        0x55
    };
    let seg = SEG_END.iter().position(|&e| v <= e).unwrap_or(8) as i32;
    if seg >= 8 {
        return 0x7f ^ mask;
    }
    let mant = if seg < 2 {
        (v >> 1) & 0xf
    } else {
        (v >> seg) & 0xf
    };
    ((seg << 4) | mant) as u8 ^ mask
}

/// Start of key `i`'s tone, ms from the start of the call.
pub fn key_start_ms(i: usize) -> f64 {
    (PAUSE_MS + i as u64 * (TONE_MS + PAUSE_MS)) as f64
}

pub struct Call {
    pub ssrc: u32,
    pub ts0: u32,
    pub seq0: u16,
    pub inband: bool,
    pub events: bool,
    pub event_pt: u8,
}

/// Datagrams with arrival times (from sample 0 of the rendered call; a packet arrives when
/// its audio or event duration has elapsed, with no network delay), in arrival order,
/// sequence numbers
/// shared by audio and events as one sender would number them.
pub fn build(call: &Call, keys: &str) -> Vec<(Duration, Vec<u8>)> {
    build_with(call, keys, false)
}

/// As [`build`], the audio as PCMA (payload type 8) when `pcma`.
pub fn build_with(call: &Call, keys: &str, pcma: bool) -> Vec<(Duration, Vec<u8>)> {
    let gen = Generator::new(GeneratorConfig {
        tone_ms: TONE_MS as f64,
        pause_ms: PAUSE_MS as f64,
        ..Default::default()
    })
    .unwrap();
    let pcm = gen.render_str(keys).unwrap();
    build_from(call, &pcm, keys, pcma)
}

/// As [`build_with`], with the audio given (`keys` still gives the events).
pub fn build_from(call: &Call, pcm: &[i16], keys: &str, pcma: bool) -> Vec<(Duration, Vec<u8>)> {
    // (arrival in samples, tie-break, pt, marker, ts, payload)
    let mut pk: Vec<(u64, u8, u8, bool, u32, Vec<u8>)> = Vec::new();
    if call.inband {
        for (k, chunk) in pcm.chunks(160).enumerate() {
            let at = k as u64 * 160;
            let payload: Vec<u8> = chunk
                .iter()
                .map(|&s| if pcma { alaw(s) } else { ulaw(s) })
                .collect();
            let pt = if pcma { 8 } else { 0 };
            pk.push((at, 0, pt, k == 0, call.ts0.wrapping_add(at as u32), payload));
        }
    }
    if call.events {
        let mut tx = Sender::new(SenderConfig::default(), 0);
        for (i, c) in keys.chars().enumerate() {
            let key = Key::from_char(c).unwrap();
            let start = (key_start_ms(i) * 8.0) as u64;
            for p in tx.press(
                key.event_code(),
                call.ts0.wrapping_add(start as u32),
                TONE_MS as u32 * 8,
                10,
            ) {
                pk.push((
                    start + p.send_at,
                    1,
                    call.event_pt,
                    p.marker,
                    p.timestamp,
                    p.block.to_bytes().to_vec(),
                ));
            }
        }
    }
    pk.sort_by_key(|p| (p.0, p.1));
    pk.iter()
        .enumerate()
        .map(|(i, (at, _, pt, m, ts, payload))| {
            let mut d = Vec::new();
            RtpHeader {
                marker: *m,
                payload_type: *pt,
                sequence: call.seq0.wrapping_add(i as u16),
                timestamp: *ts,
                ssrc: call.ssrc,
                ..Default::default()
            }
            .write(&mut d);
            d.extend_from_slice(payload);
            (Duration::from_micros(at * 125), d)
        })
        .collect()
}
