//! Captures written with the crate's own Sender and Generator (tests/rtp_support) decode
//! exactly. The committed files under testdata/rtp/ are this generator's output (checked
//! byte for byte; `TOUCHTONE_REGEN_CAPTURES=1` rewrites them).
#![cfg(feature = "capture")]
use crate::rtp_support;

use std::borrow::Cow;
use std::io::Cursor;
use std::time::Duration;

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use rtp_support::{build, key_start_ms, Call, TONE_MS};
use touchtone::capture::{decode_reader, format_press, CaptureError, CaptureOptions};
use touchtone::session::{Merge, Press, SessionConfig, Source};

pub(crate) const SIP_INVITE: &str = "INVITE sip:ivr@example.invalid SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 98\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:98 telephone-event/8000\r\na=fmtp:98 0-15\r\n";

pub(crate) fn frame(payload: &[u8], sport: u16, dport: u16) -> Vec<u8> {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([192, 0, 2, 1], [192, 0, 2, 2], 64)
        .udp(sport, dport);
    let mut out = Vec::with_capacity(b.size(payload.len()));
    b.write(&mut out, payload).unwrap();
    out
}

/// Capture start: an arbitrary wall-clock second.
pub(crate) const T0: Duration = Duration::from_secs(1_700_000_000);

/// (time, frame) list: an optional SIP INVITE 200 ms before the media, then the call.
pub(crate) fn frames(call: &Call, keys: &str, sip: bool) -> Vec<(Duration, Vec<u8>)> {
    let mut out = Vec::new();
    if sip {
        out.push((T0, frame(SIP_INVITE.as_bytes(), 5060, 5060)));
    }
    let media0 = T0 + Duration::from_millis(200);
    for (at, d) in build(call, keys) {
        out.push((media0 + at, frame(&d, 40002, 40000)));
    }
    out
}

pub(crate) fn write_pcap(frames: &[(Duration, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (t, f) in frames {
        w.write_packet(&PcapPacket::new(*t, f.len() as u32, f))
            .unwrap();
    }
    w.into_writer()
}

pub(crate) fn write_pcapng(frames: &[(Duration, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    w.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 0,
        // Nanosecond timestamps (pcap-file writes the Duration's nanoseconds).
        options: vec![InterfaceDescriptionOption::IfTsResol(9)],
    })
    .unwrap();
    for (t, f) in frames {
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: *t,
            original_len: f.len() as u32,
            data: Cow::Borrowed(f),
            options: vec![],
        })
        .unwrap();
    }
    w.into_inner()
}

pub(crate) fn call(inband: bool, events: bool, event_pt: u8) -> Call {
    Call {
        ssrc: 0x0bad_cafe,
        ts0: 4_294_960_000, // wraps during the call
        seq0: 65_530,
        inband,
        events,
        event_pt,
    }
}

/// (file name, keys, bytes).
fn captures() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "oob-sdp.pcap",
            "159#",
            write_pcap(&frames(&call(false, true, 98), "159#", true)),
        ),
        (
            "inband.pcap",
            "2580",
            write_pcap(&frames(&call(true, false, 101), "2580", false)),
        ),
        (
            "both.pcapng",
            "*0D7",
            write_pcapng(&frames(&call(true, true, 101), "*0D7", true)),
        ),
    ]
}

fn decode(bytes: &[u8], session: SessionConfig) -> Vec<Press> {
    decode_reader(Cursor::new(bytes), &CaptureOptions { session })
        .unwrap()
        .presses
}

/// The presses spell `keys`, each from `source`, at the rendered times (the media starts
/// 200 ms after the capture's first packet when there is SIP).
fn check(p: &[Press], keys: &str, source: Source, offset_ms: f64, tol_ms: f64) {
    let got: String = p.iter().map(|p| p.key.to_char()).collect();
    assert_eq!(got, keys, "{p:?}");
    for (i, p) in p.iter().enumerate() {
        assert_eq!((p.source, p.ssrc), (source, 0x0bad_cafe), "{p:?}");
        let s = offset_ms + key_start_ms(i);
        assert!(
            (p.start_ms - s).abs() <= tol_ms,
            "start {} want {s}",
            p.start_ms
        );
        let e = s + TONE_MS as f64;
        assert!((p.end_ms - e).abs() <= tol_ms, "end {} want {e}", p.end_ms);
    }
}

#[test]
fn committed_captures_are_the_generators_output() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rtp");
    for (name, _, bytes) in captures() {
        let path = dir.join(name);
        if std::env::var_os("TOUCHTONE_REGEN_CAPTURES").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap();
        assert!(
            on_disk == bytes,
            "{name} differs from the generator's output"
        );
        // And the file path works end to end.
        let p = touchtone::capture::decode_file(&path, &CaptureOptions::default()).unwrap();
        assert!(!p.is_empty());
    }
}

#[test]
fn out_of_band_with_sdp() {
    let c = captures();
    let p = decode(&c[0].2, SessionConfig::default());
    // Events: exact on the stream's axis.
    check(&p, "159#", Source::Rfc4733, 200.0, 0.5);
    // Without the SDP the dynamic type still looks like telephone-events.
    let no_sdp = write_pcap(&frames(&call(false, true, 98), "159#", false));
    let p = decode(&no_sdp, SessionConfig::default());
    // The capture now begins with the first event packet, sent 50 ms into the first key
    // (150 ms into the call): that press is clamped to start at 0, the others are exact.
    assert_eq!(p[0].start_ms, 0.0);
    // (p[1..] is keys 1.., one 200 ms key period later than key_start_ms counts from.)
    check(&p[1..], "59#", Source::Rfc4733, -150.0 + 200.0, 0.5);
}

#[test]
fn event_pt_option_names_the_type() {
    // Payload type 99 declared as PCMU by a (wrong) SDP: only --event-pt recovers the keys.
    let sdp = SIP_INVITE.replace("a=rtpmap:98 telephone-event/8000", "a=rtpmap:99 PCMU/8000");
    let mut f = frames(&call(false, true, 99), "42", false);
    f.insert(0, (T0, frame(sdp.as_bytes(), 5060, 5060)));
    let bytes = write_pcap(&f);
    assert!(decode(&bytes, SessionConfig::default())
        .iter()
        .all(|p| p.source == Source::Inband));
    let cfg = SessionConfig {
        event_pt: Some(99),
        ..Default::default()
    };
    check(&decode(&bytes, cfg), "42", Source::Rfc4733, 200.0, 0.5);
}

#[test]
fn in_band_only() {
    let c = captures();
    check(
        &decode(&c[1].2, SessionConfig::default()),
        "2580",
        Source::Inband,
        0.0,
        10.0,
    );
}

#[test]
fn both_ways_with_and_without_deduplication() {
    let c = captures();
    let p = decode(&c[2].2, SessionConfig::default());
    check(&p, "*0D7", Source::Both, 200.0, 10.0);
    let keep = SessionConfig {
        merge: Merge::KeepBoth,
        ..Default::default()
    };
    let p = decode(&c[2].2, keep);
    let oob: Vec<Press> = p
        .iter()
        .copied()
        .filter(|p| p.source == Source::Rfc4733)
        .collect();
    let inb: Vec<Press> = p
        .iter()
        .copied()
        .filter(|p| p.source == Source::Inband)
        .collect();
    assert_eq!(p.len(), 8);
    check(&oob, "*0D7", Source::Rfc4733, 200.0, 0.5);
    check(&inb, "*0D7", Source::Inband, 200.0, 10.0);
}

#[test]
fn line_format() {
    let c = captures();
    let p = decode(&c[0].2, SessionConfig::default());
    assert_eq!(format_press(&p[0]), "300.0\t400.0\t1\t0badcafe\trfc4733");
}

#[test]
fn not_a_capture_is_an_error() {
    let r = decode_reader(
        Cursor::new(b"RIFF....WAVEfmt ".to_vec()),
        &CaptureOptions::default(),
    );
    assert!(matches!(r, Err(CaptureError::Format(_))), "{r:?}");
    let r = decode_reader(Cursor::new(vec![1u8, 2]), &CaptureOptions::default());
    assert!(matches!(r, Err(CaptureError::Io(_))), "{r:?}");
}
