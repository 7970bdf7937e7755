//! Unit tests of the RFC 4733 payload, receiver and sender.

use super::*;
use crate::Key;
use proptest::prelude::*;
use std::time::Duration;

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
