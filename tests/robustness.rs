//! The detector recovers: a stretch of non-finite, absurd or garbage input never poisons its
//! state, so the keys after it are decoded (and the keys before it are not lost).

use touchtone::io::{self, RawFormat, Reader};
use touchtone::scan;
use touchtone::{g711, Detector, DetectorConfig, Event, Generator, GeneratorConfig, KeyPress};

use crate::common;
use common::Rng;

fn keys_of(presses: &[KeyPress]) -> String {
    presses.iter().map(|p| p.key.to_char()).collect()
}

/// Feed `x` in frames of varying size (1..=400) and collect the key presses.
fn run<S: touchtone::Sample>(rate: u32, x: &[S], rng: &mut Rng) -> Vec<KeyPress> {
    let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
    let mut out = Vec::new();
    let mut rest = x;
    while !rest.is_empty() {
        let n = (1 + rng.next_u64() as usize % 400).min(rest.len());
        det.process(&rest[..n], |e| {
            if let Event::KeyUp { press, .. } = e {
                out.push(press)
            }
        });
        rest = &rest[n..];
    }
    det.finish(|e| {
        if let Event::KeyUp { press, .. } = e {
            out.push(press)
        }
    });
    out
}

fn render(rate: u32, keys: &str) -> Vec<f32> {
    Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap()
    .render_str(keys)
    .unwrap()
    .iter()
    .map(|&s| f32::from(s) / 32768.0)
    .collect()
}

/// Keys, then `bad`, then keys: all keys come out, the later ones after the bad stretch.
fn check_recovery(rate: u32, bad: &[f32], what: &str) {
    let before = render(rate, "123A");
    let after = render(rate, "456#");
    let mut x = before.clone();
    x.extend_from_slice(bad);
    let bad_end = x.len() as u64;
    x.extend_from_slice(&after);
    let presses = run(rate, &x, &mut Rng::new(0x9E37_79B9_7F4A_7C15));
    let late: Vec<KeyPress> = presses
        .iter()
        .copied()
        .filter(|p| p.start >= bad_end)
        .collect();
    assert_eq!(keys_of(&late), "456#", "{what} at {rate} Hz: {presses:?}");
    let early: Vec<KeyPress> = presses
        .iter()
        .copied()
        .filter(|p| p.end <= before.len() as u64)
        .collect();
    assert_eq!(keys_of(&early), "123A", "{what} at {rate} Hz: {presses:?}");
    // And the levels of the later keys are sane numbers (−10 dBm0 per tone).
    for p in &late {
        assert!((p.levels.low_dbm0 + 10.0).abs() < 1.5, "{what}: {p:?}");
        assert!((p.levels.high_dbm0 + 10.0).abs() < 1.5, "{what}: {p:?}");
    }
}

#[test]
fn recovers_after_non_finite_and_absurd_f32() {
    let mut rng = Rng::new(1);
    for rate in [8000, 16000, 44100, 48000] {
        let n = rate as usize; // one second of each kind
        let specials = [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            1e30,
            -1e30,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE / 2.0, // subnormal
            -1e-45,
        ];
        check_recovery(rate, &vec![f32::NAN; n], "NaN");
        check_recovery(rate, &vec![f32::INFINITY; n], "+inf");
        check_recovery(rate, &vec![1e30; n], "1e30 (DC at full scale)");
        check_recovery(rate, &vec![f32::MIN_POSITIVE / 3.0; n], "subnormals");
        let alternating: Vec<f32> = (0..n)
            .map(|i| if i % 2 == 0 { 1e30 } else { -1e30 })
            .collect();
        check_recovery(rate, &alternating, "±1e30 square wave");
        let mixed: Vec<f32> = (0..n)
            .map(|_| specials[rng.next_u64() as usize % specials.len()])
            .collect();
        check_recovery(rate, &mixed, "random specials");
        let bits: Vec<f32> = (0..n)
            .map(|_| f32::from_bits(rng.next_u64() as u32))
            .collect();
        check_recovery(rate, &bits, "random f32 bit patterns");
    }
}

#[test]
fn recovers_after_garbage_g711_bytes() {
    let g = Generator::new(GeneratorConfig::default()).unwrap();
    let before = g.render_str("9*").unwrap();
    let after = g.render_str("0B#").unwrap();
    let mut rng = Rng::new(7);
    for (name, encode) in [
        ("ulaw", g711::linear_to_ulaw as fn(i16) -> u8),
        ("alaw", g711::linear_to_alaw),
    ] {
        let mut bytes: Vec<u8> = before.iter().map(|&s| encode(s)).collect();
        let garbage_at = bytes.len() as u64;
        bytes.extend((0..16000).map(|_| rng.next_u64() as u8));
        // Also full-scale alternating codes.
        bytes.extend((0..4000).map(|i| if i % 2 == 0 { 0x00u8 } else { 0x80 }));
        let bad_end = bytes.len() as u64;
        bytes.extend(after.iter().map(|&s| encode(s)));

        // Through the detector's G.711 entry points, in random frame sizes.
        let mut det = Detector::new(DetectorConfig::default()).unwrap();
        let mut presses = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = (1 + rng.next_u64() as usize % 333).min(rest.len());
            let cb = |e| {
                if let Event::KeyUp { press, .. } = e {
                    presses.push(press)
                }
            };
            if name == "ulaw" {
                det.process_ulaw(&rest[..n], cb);
            } else {
                det.process_alaw(&rest[..n], cb);
            }
            rest = &rest[n..];
        }
        det.finish(|e| {
            if let Event::KeyUp { press, .. } = e {
                presses.push(press)
            }
        });
        let early: Vec<_> = presses
            .iter()
            .copied()
            .filter(|p| p.end <= garbage_at)
            .collect();
        let late: Vec<_> = presses
            .iter()
            .copied()
            .filter(|p| p.start >= bad_end)
            .collect();
        assert_eq!(keys_of(&early), "9*", "{name}: {presses:?}");
        assert_eq!(keys_of(&late), "0B#", "{name}: {presses:?}");

        // And through the raw reader + decode_keys (the decode example's path).
        let fmt = RawFormat::from_name(name).unwrap();
        let mut r = Reader::raw(&bytes[..], fmt, 8000).unwrap();
        let keys = scan::decode_keys(&mut r, None).unwrap();
        let late: String = keys
            .iter()
            .filter(|k| k.press.start >= bad_end)
            .map(|k| k.press.key.to_char())
            .collect();
        assert_eq!(late, "0B#", "{name} via decode_keys");
    }
}

#[test]
fn recovers_through_a_float_wav_full_of_nans() {
    // A 32-bit float WAV: keys, a second of NaN/inf, keys; decoded through the WAV reader.
    let rate = 16000;
    let mut x = render(rate, "12");
    let bad_end_guess = x.len() + rate as usize;
    x.extend((0..rate).map(|i| {
        if i % 3 == 0 {
            f32::NAN
        } else {
            f32::NEG_INFINITY
        }
    }));
    x.extend(render(rate, "34"));
    let mut bytes = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x03\0\x01\0".to_vec();
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 4).to_le_bytes());
    bytes.extend_from_slice(&[4, 0, 32, 0]);
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(x.len() as u32 * 4).to_le_bytes());
    bytes.extend(x.iter().flat_map(|v| v.to_le_bytes()));
    let mut r = Reader::new(&bytes[..]).unwrap();
    let keys = scan::decode_keys(&mut r, None).unwrap();
    let all: String = keys.iter().map(|k| k.press.key.to_char()).collect();
    assert_eq!(all, "1234");
    assert!(keys[2].press.start >= bad_end_guess as u64);
}

/// Found by the `detector` fuzz target: tones back to back, with no pause between keys
/// (outside the requirements, which ask for a 40 ms pause), got estimated start edges that
/// reached back into the previous key when the two keys share a tone (e.g. `1` then `2`:
/// 697 Hz never stops). Fixed: a key's start is never placed before the previous key's end.
/// All are decoded, in order, without overlap, starts and ends within ±12 ms.
#[test]
fn back_to_back_keys_all_decoded_in_order() {
    for rate in [8000u32, 16000, 48000] {
        let g = Generator::new(GeneratorConfig {
            sample_rate: rate,
            tone_ms: 60.0,
            pause_ms: 0.0,
            ..Default::default()
        })
        .unwrap();
        let keys = "0123456789*#ABCD";
        let pcm = g.render_str(keys).unwrap();
        let presses = run(rate, &pcm, &mut Rng::new(3));
        assert_eq!(keys_of(&presses), keys, "{rate} Hz");
        let ms = |s: u64| s as f64 * 1000.0 / f64::from(rate);
        for (i, p) in presses.iter().enumerate() {
            let t = 60.0 * i as f64;
            assert!((ms(p.end) - t - 60.0).abs() <= 12.0, "{rate} Hz {i}: {p:?}");
            assert!((ms(p.start) - t).abs() <= 12.0, "{rate} Hz {i}: {p:?}");
        }
        for pair in presses.windows(2) {
            assert!(pair[1].start >= pair[0].end, "{rate} Hz overlap: {pair:?}");
        }
    }
}

/// Found by the `detector` fuzz target (input committed as
/// `tests/corpus/fuzz-detector-shared-tone-overlap.wav`, 32-bit float, 8 kHz, with NaN/±∞/
/// 1e30/subnormal bursts from the fuzzer): `A` (697 + 1633 Hz) from 591 to 651 ms then `B`
/// (770 + 1633 Hz) from 651 to 721 ms with no pause, the 1633 Hz tone never stopping. Both
/// keys are decoded; `B`'s estimated start used to reach back into `A` by about 35 ms
/// (outside the requirements, which ask for a 40 ms pause); now it starts where `A` ends.
#[test]
fn fuzz_regression_shared_tone_back_to_back() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/fuzz-detector-shared-tone-overlap.wav"
    );
    let mut r = io::open(path).unwrap();
    assert_eq!(r.sample_rate(), 8000);
    let keys = scan::decode_keys(&mut r, None).unwrap();
    let got: String = keys.iter().map(|k| k.press.key.to_char()).collect();
    assert_eq!(got, "AB");
    let ms = |s: u64| s as f64 / 8.0;
    let (a, b) = (keys[0].press, keys[1].press);
    assert!((ms(a.start) - 591.0).abs() <= 10.0, "{a:?}");
    assert!((ms(a.end) - 651.0).abs() <= 10.0, "{a:?}");
    assert!((ms(b.end) - 721.0).abs() <= 10.0, "{b:?}");
    assert!(
        b.start >= a.end && (ms(b.start) - 651.0).abs() <= 10.0,
        "{b:?}"
    );
}
