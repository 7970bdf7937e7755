//! Redaction of packet captures: calls built with known truth (tests/rtp_support: keys as
//! PCMU/PCMA tones, alone or under speech, and as RFC 4733 events), redacted, then read
//! back frame by frame here (etherparse for the headers, the RTP header by hand, G.711 by
//! the crate's tables) and checked: no decoder finds a key afterwards (the capture decoder,
//! the relaxed and standard detectors on the extracted audio, multimon-ng), every event
//! packet and only those are gone, the audio outside the keys' time is bit for bit the
//! input's, and every UDP checksum is valid.
#![cfg(feature = "capture")]

use std::io::Cursor;
use std::time::Duration;

use etherparse::{SlicedPacket, TransportSlice};
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use touchtone::capture::{decode_reader, CaptureOptions};
use touchtone::redact::{redact_capture, CaptureSpan, Fill, RedactConfig, RedactError};
use touchtone::session::{Merge, SessionConfig, Source};
use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig};

use crate::capture::{call, frame, write_pcap, write_pcapng, SIP_INVITE, T0};
use crate::common::Rng;
use crate::redact::{multimon_available, multimon_keys};
use crate::rtp_support::{build_from, key_start_ms, Call, PAUSE_MS, TONE_MS};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The frames of a pcap or pcapng file, in order.
fn frames_of(bytes: &[u8]) -> Vec<(Duration, Vec<u8>)> {
    let mut out = Vec::new();
    if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        let mut r = PcapNgReader::new(Cursor::new(bytes)).unwrap();
        while let Some(b) = r.next_block() {
            if let Block::EnhancedPacket(p) = b.unwrap() {
                out.push((p.timestamp, p.data.to_vec()));
            }
        }
    } else {
        let mut r = PcapReader::new(Cursor::new(bytes)).unwrap();
        while let Some(p) = r.next_packet() {
            let p = p.unwrap();
            out.push((p.timestamp, p.data.to_vec()));
        }
    }
    out
}

/// An RTP datagram's payload type, sequence number, timestamp and payload (no CSRCs or
/// extension: the generator writes 12-byte headers).
fn rtp(frame: &[u8]) -> Option<(u8, u16, u32, Vec<u8>)> {
    let p = SlicedPacket::from_ethernet(frame).ok()?;
    let Some(TransportSlice::Udp(u)) = p.transport else {
        return None;
    };
    let d = u.payload();
    if d.len() < 12 || d[0] >> 6 != 2 || u.destination_port() == 5060 {
        return None;
    }
    Some((
        d[1] & 0x7f,
        u16::from_be_bytes([d[2], d[3]]),
        u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
        d[12..].to_vec(),
    ))
}

/// Every UDP checksum of the frames is valid (etherparse computes the expected one).
fn checksums_valid(frames: &[(Duration, Vec<u8>)]) {
    for (i, (_, f)) in frames.iter().enumerate() {
        let p = SlicedPacket::from_ethernet(f).unwrap();
        let (Some(etherparse::NetSlice::Ipv4(ip)), Some(TransportSlice::Udp(u))) =
            (&p.net, &p.transport)
        else {
            continue;
        };
        let want = u
            .to_header()
            .calc_checksum_ipv4(&ip.header().to_header(), u.payload())
            .unwrap();
        assert_eq!(u.checksum(), want, "frame {i}: UDP checksum");
    }
}

/// The audio of the PCMU (0) / PCMA (8) packets as 16-bit samples, placed by timestamp
/// from the first packet's (gaps silent), and each sample's packet count.
fn audio_of(frames: &[(Duration, Vec<u8>)]) -> Vec<i16> {
    let pk: Vec<(u8, u16, u32, Vec<u8>)> = frames
        .iter()
        .filter_map(|(_, f)| rtp(f))
        .filter(|p| p.0 == 0 || p.0 == 8)
        .collect();
    let Some(ts0) = pk.iter().map(|p| p.2).next() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (pt, _, ts, payload) in &pk {
        let at = ts.wrapping_sub(ts0) as usize;
        if out.len() < at + payload.len() {
            out.resize(at + payload.len(), 0);
        }
        for (k, &b) in payload.iter().enumerate() {
            out[at + k] = if *pt == 8 {
                touchtone::g711::ALAW_TABLE[b as usize]
            } else {
                touchtone::g711::ULAW_TABLE[b as usize]
            };
        }
    }
    out
}

fn keys_in(cfg: DetectorConfig, x: &[i16]) -> String {
    let mut d = Detector::new(cfg).unwrap();
    let mut out = String::new();
    let mut push = |ev| {
        if let Event::KeyUp { press, .. } = ev {
            out.push(press.key.to_char());
        }
    };
    d.process(x, &mut push);
    d.finish(&mut push);
    out
}

/// Every way of reading a key out of the capture finds none.
fn no_key_left(bytes: &[u8], name: &str) {
    for merge in [Merge::Deduplicate, Merge::KeepBoth] {
        let session = SessionConfig {
            merge,
            inband_alone_with_events: true,
            ..Default::default()
        };
        let d = decode_reader(Cursor::new(bytes), &CaptureOptions { session }).unwrap();
        assert!(d.presses.is_empty(), "{name}: decoded {:?}", d.presses);
    }
    let x = audio_of(&frames_of(bytes));
    for cfg in [
        DetectorConfig::relaxed(8000),
        DetectorConfig::standard(8000),
    ] {
        assert_eq!(keys_in(cfg, &x), "", "{name}: detector on the audio");
    }
    if multimon_available() {
        assert_eq!(multimon_keys(&x, 8000, name), "", "{name}: multimon-ng");
    }
}

/// `keys` 100 ms each with 100 ms pauses, `snr_db` over speech (None: alone).
fn signal(keys: &str, speech_snr_db: Option<f64>) -> Vec<i16> {
    let n = ((PAUSE_MS + keys.len() as u64 * (TONE_MS + PAUSE_MS)) * 8) as usize;
    let mut x = vec![0f64; n];
    let mut level = -10.0;
    if let Some(snr) = speech_snr_db {
        let sp = touchtone::io::read_all(format!("{ROOT}/testdata/speech-8k.wav")).unwrap();
        let bed: Vec<f64> = sp.samples[8000..8000 + n]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let p = bed.iter().map(|v| v * v).sum::<f64>() / n as f64;
        let full = touchtone::level::dbm0_to_peak(0.0);
        level = 10.0 * (p / (full * full / 2.0)).log10() + snr;
        x.copy_from_slice(&bed);
    }
    let gen = Generator::new(GeneratorConfig {
        level_dbm0: level,
        ..Default::default()
    })
    .unwrap();
    for (i, c) in keys.chars().enumerate() {
        let s = (key_start_ms(i) * 8.0) as usize;
        let key = touchtone::Key::from_char(c).unwrap();
        gen.add_key(key, &mut x[s..s + TONE_MS as usize * 8]);
    }
    touchtone::generator::to_i16(&x)
}

/// A call's frames: a SIP INVITE (PCMU/PCMA and telephone-event/8000 on `event_pt`), then
/// the media 200 ms later.
fn call_frames(c: &Call, pcm: &[i16], keys: &str, pcma: bool) -> Vec<(Duration, Vec<u8>)> {
    let sdp = SIP_INVITE.replace("a=rtpmap:98", &format!("a=rtpmap:{}", c.event_pt));
    let mut out = vec![(T0, frame(sdp.as_bytes(), 5060, 5060))];
    let media0 = T0 + Duration::from_millis(200);
    for (at, d) in build_from(c, pcm, keys, pcma) {
        out.push((media0 + at, frame(&d, 40002, 40000)));
    }
    out
}

fn relaxed_revealing() -> RedactConfig {
    RedactConfig {
        reveal_keys: true,
        ..Default::default()
    }
}

fn redact(bytes: &[u8], cfg: &RedactConfig) -> touchtone::redact::RedactedCapture {
    redact_capture(
        bytes,
        DetectorConfig::relaxed,
        cfg,
        &CaptureOptions::default(),
    )
    .unwrap()
}

/// The samples that may change: each key's tone ± 60 ms (guard, edge tracking).
fn may_change(keys: &str, i: usize) -> bool {
    (0..keys.len()).any(|k| {
        let s = key_start_ms(k) * 8.0;
        let e = s + TONE_MS as f64 * 8.0;
        (i as f64) >= s - 480.0 && (i as f64) < e + 480.0
    })
}

fn spans_of(spans: &[CaptureSpan], source: Source) -> Vec<CaptureSpan> {
    spans
        .iter()
        .copied()
        .filter(|s| s.source == source)
        .collect()
}

#[test]
fn events_removed_and_tones_replaced_under_speech() {
    let keys = "4111159*#0";
    for (pcma, snr, ng) in [(false, 10.0, true), (true, 5.0, false), (false, 5.0, false)] {
        let name = format!("pcma={pcma} +{snr} dB ng={ng}");
        let c = call(true, true, 101);
        let pcm = signal(keys, Some(snr));
        let input_frames = call_frames(&c, &pcm, keys, pcma);
        let input = if ng {
            write_pcapng(&input_frames)
        } else {
            write_pcap(&input_frames)
        };
        // The keys are there to be found, both ways.
        let x = audio_of(&input_frames);
        assert_eq!(keys_in(DetectorConfig::relaxed(8000), &x), keys, "{name}");
        let events = input_frames
            .iter()
            .filter(|(_, f)| rtp(f).is_some_and(|p| p.0 == 101))
            .count();
        assert!(events >= keys.len());

        let r = redact(&input, &relaxed_revealing());
        no_key_left(&r.bytes, &name);
        assert_eq!(r.removed_packets, events, "{name}");
        let out_frames = frames_of(&r.bytes);
        assert_eq!(out_frames.len(), input_frames.len() - events, "{name}");
        checksums_valid(&out_frames);

        // Frames kept in order; all but the changed audio byte for byte.
        let kept: Vec<&(Duration, Vec<u8>)> = input_frames
            .iter()
            .filter(|(_, f)| !rtp(f).is_some_and(|p| p.0 == 101))
            .collect();
        let mut changed = 0;
        for (a, b) in kept.iter().zip(&out_frames) {
            assert_eq!(a.0, b.0, "{name}: frame times");
            if a.1 != b.1 {
                changed += 1;
                let (pa, pb) = (rtp(&a.1).unwrap(), rtp(&b.1).unwrap());
                assert_eq!((pa.0, pa.1, pa.2), (pb.0, pb.1, pb.2), "{name}: RTP header");
            }
        }
        assert_eq!(changed, r.changed_packets, "{name}");

        // The audio outside the keys' time is the input's, sample for sample.
        let y = audio_of(&out_frames);
        assert_eq!(x.len(), y.len());
        let outside = (0..x.len()).filter(|&i| !may_change(keys, i));
        let moved: Vec<usize> = outside.filter(|&i| x[i] != y[i]).collect();
        assert!(
            moved.is_empty(),
            "{name}: {} samples changed outside",
            moved.len()
        );

        // Reported: one event span and one in-band span per key, at the keys' times
        // (the media starts 200 ms after the capture's first packet).
        let ev = spans_of(&r.spans, Source::Rfc4733);
        let ib = spans_of(&r.spans, Source::Inband);
        let got: String = ev.iter().map(|s| s.key.unwrap().to_char()).collect();
        assert_eq!(got, keys, "{name}: event spans");
        let got: String = ib.iter().map(|s| s.key.unwrap().to_char()).collect();
        assert_eq!(got, keys, "{name}: in-band spans");
        for (i, (e, b)) in ev.iter().zip(&ib).enumerate() {
            let s = 200.0 + key_start_ms(i);
            assert!(
                (e.start_ms - s).abs() < 1.0,
                "{name}: event {i} at {}",
                e.start_ms
            );
            assert!(
                (e.end_ms - s - TONE_MS as f64).abs() < 1.0,
                "{name}: event {i} end"
            );
            assert!(
                b.start_ms <= s && b.start_ms > s - 60.0,
                "{name}: span {i} {b:?}"
            );
            let end = s + TONE_MS as f64;
            assert!(
                b.end_ms >= end && b.end_ms < end + 60.0,
                "{name}: span {i} {b:?}"
            );
        }
    }
}

/// Audio packets with RTP padding (RFC 3550 §5.1) and a CSRC: only the payload between
/// them is redacted; the padding is kept.
#[test]
fn padding_and_csrcs_are_kept() {
    let keys = "96";
    let c = call(true, false, 101);
    let pcm = signal(keys, None);
    let f: Vec<(Duration, Vec<u8>)> = call_frames(&c, &pcm, keys, false)
        .into_iter()
        .map(|(t, fr)| match rtp(&fr) {
            Some(_) => {
                let d = &fr[42..];
                let mut n = vec![d[0] | 0x20 | 0x01, d[1]];
                n.extend_from_slice(&d[2..12]);
                n.extend_from_slice(&[0xca, 0xfe, 0xf0, 0x0d]); // one CSRC
                n.extend_from_slice(&d[12..]);
                n.extend_from_slice(&[0xee, 0xee, 0xee, 4]); // padding
                (t, frame(&n, 40002, 40000))
            }
            None => (t, fr),
        })
        .collect();
    let input = write_pcap(&f);
    let d = decode_reader(Cursor::new(&input), &CaptureOptions::default()).unwrap();
    assert_eq!(d.presses.len(), 2, "{:?}", d.presses);
    let r = redact(&input, &RedactConfig::default());
    let out = frames_of(&r.bytes);
    assert!(r.changed_packets > 0);
    checksums_valid(&out);
    for ((_, a), (_, b)) in f.iter().zip(&out) {
        assert_eq!(a.len(), b.len());
        if a.len() > 42 + 16 {
            // (Bytes 40–41 are the UDP checksum.)
            assert_eq!(a[..40], b[..40], "headers kept");
            assert_eq!(a[42..42 + 16], b[42..42 + 16], "RTP header and CSRC kept");
            assert_eq!(a[a.len() - 4..], b[b.len() - 4..], "padding kept");
        }
    }
    let d = decode_reader(Cursor::new(&r.bytes), &CaptureOptions::default()).unwrap();
    assert!(d.presses.is_empty(), "{:?}", d.presses);
}

#[test]
fn reordered_and_duplicated_packets() {
    let keys = "2580";
    let c = call(true, false, 101);
    let pcm = signal(keys, None);
    let mut f = call_frames(&c, &pcm, keys, false);
    // Swap neighbours and send every seventh packet twice.
    for i in (2..f.len() - 1).step_by(5) {
        f.swap(i, i + 1);
    }
    let dups: Vec<(Duration, Vec<u8>)> = f.iter().skip(1).step_by(7).cloned().collect();
    f.extend(dups);
    let input = write_pcap(&f);
    let d = decode_reader(Cursor::new(&input), &CaptureOptions::default()).unwrap();
    assert_eq!(d.presses.len(), keys.len());
    let r = redact(&input, &RedactConfig::default());
    assert_eq!(r.removed_packets, 0);
    no_key_left(&r.bytes, "reordered");
    checksums_valid(&frames_of(&r.bytes));
    assert!(r.spans.iter().all(|s| s.key.is_none()), "keys withheld");
    assert_eq!(r.spans.len(), keys.len());
}

/// The audio under an event is replaced even where the detector hears no key (a tone
/// too short for it); with `Fill::Noise` that time is noise, not silence.
#[test]
fn the_audio_under_an_event_is_replaced() {
    let keys = "73";
    let c = call(true, true, 101);
    let mut pcm = vec![0i16; ((PAUSE_MS + 2 * (TONE_MS + PAUSE_MS)) * 8) as usize];
    // A 15 ms tone burst at each event's start (a sender's leftover).
    let gen = Generator::new(GeneratorConfig::default()).unwrap();
    let mut x = vec![0f64; pcm.len()];
    for i in 0..2 {
        let s = (key_start_ms(i) * 8.0) as usize;
        gen.add_key(touchtone::Key::from_char('7').unwrap(), &mut x[s..s + 120]);
    }
    // And low white noise (uniform in ±100) so the noise fill has a level to follow.
    let mut rng = Rng::new(1);
    for v in x.iter_mut() {
        *v += rng.range(-100.0, 100.0);
    }
    pcm.copy_from_slice(&touchtone::generator::to_i16(&x));
    let input_frames = call_frames(&c, &pcm, keys, false);
    let input = write_pcap(&input_frames);
    for fill in [Fill::Silence, Fill::Noise] {
        let cfg = RedactConfig {
            fill,
            ..Default::default()
        };
        let r = redact(&input, &cfg);
        let y = audio_of(&frames_of(&r.bytes));
        for i in 0..2 {
            let s = (key_start_ms(i) * 8.0) as usize;
            let span = &y[s..s + TONE_MS as usize * 8];
            let loud = span.iter().map(|&v| i32::from(v).abs()).max().unwrap();
            assert!(loud < 400, "{fill:?}: event {i} time still has {loud}");
            let zeros = span.iter().filter(|&&v| v == 0).count();
            match fill {
                Fill::Silence => assert_eq!(zeros, span.len(), "silence"),
                _ => assert!(zeros < span.len() / 4, "noise: {zeros} zero samples"),
            }
        }
        assert_eq!(spans_of(&r.spans, Source::Rfc4733).len(), 2);
    }
}

#[test]
fn a_capture_without_keys_is_unchanged() {
    // Speech only, as PCMU, in both containers.
    let sp = touchtone::io::read_all(format!("{ROOT}/testdata/speech-8k.wav")).unwrap();
    let c = call(true, false, 101);
    let f = call_frames(&c, &sp.samples, "", false);
    for input in [write_pcap(&f), write_pcapng(&f)] {
        let r = redact(&input, &RedactConfig::default());
        assert!(r.spans.is_empty(), "{:?}", r.spans);
        assert!(r.bytes == input, "unchanged byte for byte");
    }
}

#[test]
fn the_committed_captures() {
    for name in ["oob-sdp.pcap", "inband.pcap", "both.pcapng"] {
        let input = std::fs::read(format!("{ROOT}/testdata/rtp/{name}")).unwrap();
        let r = redact(&input, &RedactConfig::default());
        assert!(!r.spans.is_empty(), "{name}");
        no_key_left(&r.bytes, name);
    }
}

#[test]
fn bad_and_cut_captures() {
    let r = redact_capture(
        b"RIFF....WAVEfmt ",
        DetectorConfig::relaxed,
        &RedactConfig::default(),
        &CaptureOptions::default(),
    );
    assert!(matches!(r, Err(RedactError::Capture(_))), "{r:?}");
    // Cut inside a record: the complete records are redacted, the rest dropped and noted.
    let input = std::fs::read(format!("{ROOT}/testdata/rtp/both.pcapng")).unwrap();
    for cut in [input.len() - 7, input.len() / 2 + 3] {
        let r = redact(&input[..cut], &RedactConfig::default());
        assert!(
            r.notes.iter().any(|n| n.contains("not a complete record")),
            "{:?}",
            r.notes
        );
        assert!(r.bytes.len() < cut);
        no_key_left(&r.bytes, "cut");
    }
    let input = std::fs::read(format!("{ROOT}/testdata/rtp/inband.pcap")).unwrap();
    let r = redact(&input[..input.len() - 5], &RedactConfig::default());
    assert_eq!(r.notes.len(), 1);
    no_key_left(&r.bytes, "cut pcap");
    // Cut inside the first record: the 24-byte file header alone is left.
    let r = redact(&input[..30], &RedactConfig::default());
    assert_eq!((r.notes.len(), &r.bytes[..]), (1, &input[..24]));
    // Every prefix: an error or a capture, never a panic.
    for cut in (0..input.len()).step_by(97) {
        let _ = redact_capture(
            &input[..cut],
            DetectorConfig::relaxed,
            &RedactConfig::default(),
            &CaptureOptions::default(),
        );
    }
}

#[test]
fn other_codecs_are_noted() {
    let keys = "1";
    let c = call(true, false, 101);
    let pcm = signal(keys, None);
    let f = call_frames(&c, &pcm, keys, false);
    // Rewrite the audio's payload type to 9 (G.722): its audio cannot be redacted.
    let f: Vec<(Duration, Vec<u8>)> = f
        .into_iter()
        .map(|(t, fr)| {
            let p = SlicedPacket::from_ethernet(&fr).unwrap();
            let Some(TransportSlice::Udp(u)) = p.transport else {
                panic!("UDP only");
            };
            let mut d = u.payload().to_vec();
            if u.destination_port() == 40000 {
                d[1] = (d[1] & 0x80) | 9;
            }
            (t, frame(&d, u.source_port(), u.destination_port()))
        })
        .collect();
    let r = redact(&write_pcap(&f), &RedactConfig::default());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("payload type 9") && n.contains("not redacted")),
        "{:?}",
        r.notes
    );
}

/// Damaged captures: random bytes changed in each committed capture give a redacted
/// capture or an error, never a panic; what comes out still reads as a capture.
#[test]
fn damaged_captures_never_panic() {
    let mut rng = Rng::new(7);
    for name in ["oob-sdp.pcap", "inband.pcap", "both.pcapng"] {
        let input = std::fs::read(format!("{ROOT}/testdata/rtp/{name}")).unwrap();
        for _ in 0..150 {
            let mut b = input.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(b.len());
                b[at] = rng.next_u64() as u8;
            }
            if let Ok(out) = redact_capture(
                &b,
                DetectorConfig::relaxed,
                &RedactConfig::default(),
                &CaptureOptions::default(),
            ) {
                assert!(out.bytes.len() <= b.len(), "{name}");
                let _ = decode_reader(Cursor::new(&out.bytes), &CaptureOptions::default());
            }
        }
    }
}
