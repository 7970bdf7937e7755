//! The multi-channel path reports, for every channel, exactly the events of a separate
//! `Detector` fed the same samples (planar and interleaved input, uneven frame sizes).

use std::sync::Arc;
use touchtone::multi::{MultiDetector, MultiError};
use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig, Plan};

/// The keys generated on channel `c`.
fn channel_keys(c: usize) -> &'static str {
    ["123", "A#0", "9*", "D5C8", "", "7", "4B6", "##"][c % 8]
}

fn channel_signal(rate: u32, c: usize) -> Vec<i16> {
    // Different keys, levels, tone lengths and offsets per channel.
    let keys = channel_keys(c);
    let gen = Generator::new(GeneratorConfig {
        sample_rate: rate,
        tone_ms: 45.0 + 10.0 * (c % 4) as f64,
        pause_ms: 50.0 + 7.0 * c as f64,
        level_dbm0: -5.0 - 3.0 * (c % 5) as f64,
        twist_db: (c % 3) as f64 - 1.0,
    })
    .unwrap();
    let mut x = vec![0i16; 13 * c];
    x.extend(gen.render_str(keys).unwrap());
    x
}

fn separate(rate: u32, x: &[i16], frame: usize) -> Vec<Event> {
    let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
    let mut out = Vec::new();
    for f in x.chunks(frame) {
        det.process(f, |ev| out.push(ev));
    }
    det.finish(|ev| out.push(ev));
    out
}

fn check(rate: u32, n: usize, frame: usize) {
    let sigs: Vec<Vec<i16>> = (0..n).map(|c| channel_signal(rate, c)).collect();
    let len = sigs.iter().map(Vec::len).max().unwrap();
    let frames = len.div_ceil(frame);
    // Pad every channel with silence to whole frames.
    let padded: Vec<Vec<i16>> = sigs
        .iter()
        .map(|s| {
            let mut v = s.clone();
            v.resize(frames * frame, 0);
            v
        })
        .collect();
    let expected: Vec<Vec<Event>> = padded.iter().map(|s| separate(rate, s, frame)).collect();
    // The reference itself decodes each channel's generated keys exactly (all inside the
    // requirements: 45–75 ms tones, pauses ≥ 50 ms, −5…−17 dBm0, twist −1…+1 dB).
    for (c, evs) in expected.iter().enumerate() {
        let ups: String = evs
            .iter()
            .filter_map(|ev| match ev {
                Event::KeyUp { press, .. } => Some(press.key.to_char()),
                Event::KeyDown { .. } => None,
            })
            .collect();
        assert_eq!(
            ups,
            channel_keys(c),
            "{rate} Hz channel {c}, frames of {frame}"
        );
        assert_eq!(
            evs.len(),
            2 * ups.len(),
            "one KeyDown and one KeyUp per key"
        );
    }

    let plan = Arc::new(Plan::new(DetectorConfig::with_rate(rate)).unwrap());
    let mut planar = MultiDetector::new(plan.clone(), n);
    let mut inter = MultiDetector::new(plan, n);
    let mut got_p = vec![Vec::new(); n];
    let mut got_i = vec![Vec::new(); n];
    let mut block = vec![0i16; n * frame];
    let mut iblock = vec![0i16; n * frame];
    for f in 0..frames {
        for c in 0..n {
            let src = &padded[c][f * frame..(f + 1) * frame];
            block[c * frame..(c + 1) * frame].copy_from_slice(src);
            for (i, &s) in src.iter().enumerate() {
                iblock[i * n + c] = s;
            }
        }
        planar
            .process_planar(&block, |c, ev| got_p[c].push(ev))
            .unwrap();
        inter
            .process_interleaved(&iblock, |c, ev| got_i[c].push(ev))
            .unwrap();
    }
    planar.finish(|c, ev| got_p[c].push(ev));
    inter.finish(|c, ev| got_i[c].push(ev));
    assert_eq!(
        got_p, expected,
        "planar, {rate} Hz, {n} channels, frames of {frame}"
    );
    assert_eq!(
        got_i, expected,
        "interleaved, {rate} Hz, {n} channels, frames of {frame}"
    );
}

#[test]
fn multi_equals_separate_detectors() {
    check(8000, 8, 160);
    check(8000, 5, 37);
    check(8000, 17, 1);
    check(16000, 8, 320);
    check(48000, 3, 960);
    check(44100, 4, 441);
}

#[test]
fn bad_block_lengths_are_refused() {
    let plan = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
    let mut m = MultiDetector::new(plan.clone(), 3);
    assert_eq!(
        m.process_planar(&[0; 10], |_, _| ()),
        Err(MultiError::BlockLength(10, 3))
    );
    assert_eq!(
        m.process_interleaved(&[0; 4], |_, _| ()),
        Err(MultiError::BlockLength(4, 3))
    );
    assert_eq!(m.process_planar(&[], |_, _| ()), Ok(()));
    let mut none = MultiDetector::new(plan, 0);
    assert_eq!(none.process_planar(&[], |_, _| ()), Ok(()));
    assert_eq!(
        none.process_planar(&[1], |_, _| ()),
        Err(MultiError::BlockLength(1, 0))
    );
    assert!(MultiError::BlockLength(10, 3).to_string().contains("10"));
}
