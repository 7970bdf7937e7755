//! The RTP session demux on calls built with known truth (tests/rtp_support).
use crate::rtp_support;

use rtp_support::{alaw, build, build_with, key_start_ms, ulaw, Call, TONE_MS};
use std::time::Duration;
use touchtone::session::{Merge, Press, Session, SessionConfig, SessionEvent, Source};

fn run(cfg: SessionConfig, dgrams: &[(Duration, Vec<u8>)]) -> (Vec<SessionEvent>, Vec<Press>) {
    let mut s = Session::new(cfg);
    let mut ev = Vec::new();
    for (at, d) in dgrams {
        while let Some(t) = s.poll_timeout() {
            if t > *at {
                break;
            }
            s.handle_timeout(t);
        }
        s.handle_datagram(*at, d).unwrap();
        ev.extend(std::iter::from_fn(|| s.poll()));
    }
    s.finish();
    ev.extend(std::iter::from_fn(|| s.poll()));
    let mut presses: Vec<Press> = ev
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Press(p) => Some(*p),
            _ => None,
        })
        .collect();
    presses.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    (ev, presses)
}

fn call(inband: bool, events: bool) -> Call {
    Call {
        ssrc: 0x1234_5678,
        ts0: u32::MAX - 4000, // the timestamp wraps half a second in
        seq0: 65_500,         // and so does the sequence number
        inband,
        events,
        event_pt: 101,
    }
}

const KEYS: &str = "159#*0D";

fn check(presses: &[Press], source: Source, tol_ms: f64) {
    let keys: String = presses.iter().map(|p| p.key.to_char()).collect();
    assert_eq!(keys, KEYS, "{presses:?}");
    for (i, p) in presses.iter().enumerate() {
        assert_eq!(p.source, source, "{p:?}");
        assert_eq!(p.ssrc, 0x1234_5678);
        let (s, e) = (key_start_ms(i), key_start_ms(i) + TONE_MS as f64);
        assert!(
            (p.start_ms - s).abs() <= tol_ms,
            "{i}: start {} want {s}",
            p.start_ms
        );
        assert!(
            (p.end_ms - e).abs() <= tol_ms,
            "{i}: end {} want {e}",
            p.end_ms
        );
    }
}

#[test]
fn out_of_band_only() {
    let (_, p) = run(SessionConfig::default(), &build(&call(false, true), KEYS));
    // Event times are exact on the stream's axis (anchored at the first packet).
    check(&p, Source::Rfc4733, 0.5);
}

#[test]
fn in_band_only() {
    let (_, p) = run(SessionConfig::default(), &build(&call(true, false), KEYS));
    check(&p, Source::Inband, 10.0);
}

#[test]
fn both_ways_deduplicated_and_kept() {
    let d = build(&call(true, true), KEYS);
    let (ev, p) = run(SessionConfig::default(), &d);
    check(&p, Source::Both, 10.0);
    // One Down per press, as soon as the first source heard it.
    let downs = ev
        .iter()
        .filter(|e| matches!(e, SessionEvent::Down { .. }))
        .count();
    assert_eq!(downs, KEYS.len());
    let keep = SessionConfig {
        merge: Merge::KeepBoth,
        ..Default::default()
    };
    let (_, p) = run(keep, &d);
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
    check(&oob, Source::Rfc4733, 0.5);
    check(&inb, Source::Inband, 10.0);
}

#[test]
fn reordered_and_lost_audio_packets() {
    let mut d = build(&call(true, false), KEYS);
    // Swap neighbours every 7 packets after the first (which anchors the clock) and drop every 50th packet
    // that falls in a pause (a 20 ms gap the session fills with silence).
    for i in (3..d.len() - 1).step_by(7) {
        let (a, b) = (d[i].1.clone(), d[i + 1].1.clone());
        d[i].1 = b;
        d[i + 1].1 = a;
    }
    let d: Vec<_> = d
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            let ms = *i as f64 * 20.0;
            let in_tone = (0..KEYS.len())
                .any(|k| ms + 20.0 > key_start_ms(k) && ms < key_start_ms(k) + TONE_MS as f64);
            i % 50 != 49 || in_tone
        })
        .map(|(_, x)| x)
        .collect();
    let (_, p) = run(SessionConfig::default(), &d);
    check(&p, Source::Inband, 10.0);
}

#[test]
fn lost_end_packets_end_by_timeout_before_finish() {
    let d: Vec<_> = build(&call(false, true), "7")
        .into_iter()
        .filter(|(_, d)| d[13] & 0x80 == 0) // drop every end packet
        .collect();
    let mut s = Session::new(SessionConfig::default());
    for (at, x) in &d {
        s.handle_datagram(*at, x).unwrap();
    }
    let deadline = s.poll_timeout().expect("an event is on");
    // The deadline is 250 ms after the last update arrived.
    assert_eq!(deadline, d.last().unwrap().0 + Duration::from_millis(250));
    s.handle_timeout(deadline);
    let ev: Vec<_> = std::iter::from_fn(|| s.poll()).collect();
    let p = ev
        .iter()
        .find_map(|e| match e {
            SessionEvent::Press(p) => Some(*p),
            _ => None,
        })
        .expect("press reported at the timeout");
    assert_eq!(p.key.to_char(), '7');
}

#[test]
fn streams_are_kept_apart_and_other_events_are_not_keys() {
    let mut a = build(&call(false, true), "12");
    let mut c = call(false, true);
    c.ssrc = 0xabcd;
    let b = build(&c, "34");
    a.extend(b);
    a.sort_by_key(|x| x.0);
    // A flash (event 16) on a third stream.
    let mut flash = Vec::new();
    touchtone::rtp::RtpHeader {
        marker: true,
        payload_type: 101,
        ssrc: 7,
        ..Default::default()
    }
    .write(&mut flash);
    flash.extend_from_slice(&[16, 0x8a, 0x03, 0x20]);
    a.push((Duration::from_millis(900), flash));
    let (ev, p) = run(SessionConfig::default(), &a);
    let by = |ssrc| {
        p.iter()
            .filter(|p| p.ssrc == ssrc)
            .map(|p| p.key.to_char())
            .collect::<String>()
    };
    assert_eq!(by(0x1234_5678), "12");
    assert_eq!(by(0xabcd), "34");
    assert!(ev.iter().any(|e| matches!(
        e,
        SessionEvent::OtherEvent {
            code: 16,
            ssrc: 7,
            ..
        }
    )));
    assert_eq!(p.len(), 4);
}

#[test]
fn sdp_payload_types_and_garbage() {
    let mut s = Session::new(SessionConfig::default());
    let n = s.learn_sdp("v=0\r\nm=audio 4000 RTP/AVP 8 98\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:98 telephone-event/16000\r\na=rtpmap:x bad\r\n");
    assert_eq!(n, 2);
    assert_eq!(
        s.payload_type(98),
        Some(&touchtone::session::Codec::TelephoneEvent(16_000))
    );
    assert!(s.handle_datagram(Duration::ZERO, &[1, 2, 3]).is_err());
    let mut bad = Vec::new();
    touchtone::rtp::RtpHeader {
        payload_type: 98,
        ..Default::default()
    }
    .write(&mut bad);
    bad.extend_from_slice(&[1, 2, 3]);
    assert!(matches!(
        s.handle_datagram(Duration::ZERO, &bad),
        Err(touchtone::session::SessionError::Payload {
            payload_type: 98,
            ..
        })
    ));
    // Still works after garbage.
    let (_, p) = {
        let d = build(&call(false, true), "5");
        for (at, x) in &d {
            s.handle_datagram(*at, x).unwrap();
        }
        s.finish();
        let ev: Vec<_> = std::iter::from_fn(|| s.poll()).collect();
        (
            ev.clone(),
            ev.iter()
                .filter_map(|e| {
                    if let SessionEvent::Press(p) = e {
                        Some(*p)
                    } else {
                        None
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].key.to_char(), '5');
}

#[test]
fn pcma_in_band_and_both() {
    let (_, p) = run(
        SessionConfig::default(),
        &build_with(&call(true, false), KEYS, true),
    );
    check(&p, Source::Inband, 10.0);
    let (_, p) = run(
        SessionConfig::default(),
        &build_with(&call(true, true), KEYS, true),
    );
    check(&p, Source::Both, 10.0);
}

#[test]
fn g711_test_encoders_match_known_codes() {
    // G.711 code points: silence, and the extremes of each law.
    assert_eq!(
        (ulaw(0), ulaw(-1), ulaw(32767), ulaw(-32768)),
        (0xff, 0x7f, 0x80, 0x00)
    );
    assert_eq!(
        (alaw(0), alaw(-1), alaw(32767), alaw(-32768)),
        (0xd5, 0x55, 0xaa, 0x2a)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Any datagrams (RTP-looking or not, any payload type, any timing) give no panic, and
    /// every Down is followed by its press once the session is finished.
    #[test]
    fn any_datagrams_no_panic(
        pk in proptest::collection::vec(
            (0usize..6, proptest::collection::vec(proptest::num::u8::ANY, 0..200), 0u64..300),
            0..80,
        )
    ) {
        let pts = [0u8, 8, 101, 96, 13, 127];
        let mut s = Session::new(SessionConfig::default());
        let mut now = Duration::ZERO;
        let (mut downs, mut presses) = (0, 0);
        for (pt, mut d, dt) in pk {
            now += Duration::from_millis(dt);
            if d.len() >= 2 && dt % 5 != 0 {
                d[0] = 0x80 | (d[0] & 0x3f);
                d[1] = (d[1] & 0x80) | pts[pt];
            }
            s.handle_timeout(now);
            let _ = s.handle_datagram(now, &d);
            while let Some(e) = s.poll() {
                match e { SessionEvent::Down { .. } => downs += 1, SessionEvent::Press(_) => presses += 1, _ => {} }
            }
        }
        s.finish();
        while let Some(e) = s.poll() {
            match e { SessionEvent::Down { .. } => downs += 1, SessionEvent::Press(_) => presses += 1, _ => {} }
        }
        proptest::prop_assert_eq!(downs, presses);
    }
}
