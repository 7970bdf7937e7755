//! The detector fed arbitrary input: raw i16, f32 (NaN, ±inf, subnormals, 1e30 all reachable
//! from the bytes), μ-law and A-law bytes, or a synthesised signal of keys, gaps and garbage
//! described by the bytes; in arbitrary frame sizes. Checks: no panic; the events are the
//! same however the input is cut (here: random frames vs the whole buffer); the events are
//! well formed (KeyDown before KeyUp of the same key, no overlap, sane positions, finite
//! levels).
#![no_main]

use libfuzzer_sys::fuzz_target;
use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig, Key};

const RATES: [u32; 6] = [8000, 11025, 16000, 22050, 44100, 48000];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

enum Input {
    I16(Vec<i16>),
    F32(Vec<f32>),
    Ulaw(Vec<u8>),
    Alaw(Vec<u8>),
}

impl Input {
    fn len(&self) -> usize {
        match self {
            Input::I16(v) => v.len(),
            Input::F32(v) => v.len(),
            Input::Ulaw(v) | Input::Alaw(v) => v.len(),
        }
    }
    fn feed(&self, det: &mut Detector, a: usize, b: usize, out: &mut Vec<Event>) {
        let cb = |e| out.push(e);
        match self {
            Input::I16(v) => det.process(&v[a..b], cb),
            Input::F32(v) => det.process(&v[a..b], cb),
            Input::Ulaw(v) => det.process_ulaw(&v[a..b], cb),
            Input::Alaw(v) => det.process_alaw(&v[a..b], cb),
        }
    }
}

/// A signal described by 5-byte segments: key (or 16+ = gap / garbage), duration, level,
/// twist, garbage kind.
fn synth(rate: u32, body: &[u8]) -> Vec<f32> {
    let mut out: Vec<f64> = Vec::new();
    for seg in body.chunks_exact(5).take(32) {
        let ms = f64::from(seg[1]); // 0..255 ms
        let n = (ms * f64::from(rate) / 1000.0) as usize;
        let at = out.len();
        out.resize(at + n, 0.0);
        if seg[0] < 16 {
            let g = Generator::new(GeneratorConfig {
                sample_rate: rate,
                level_dbm0: -50.0 + f64::from(seg[2]) * 53.0 / 255.0,
                twist_db: f64::from(seg[3] as i8) / 8.0,
                ..Default::default()
            })
            .unwrap();
            g.add_key(Key::ALL[usize::from(seg[0])], &mut out[at..]);
        }
    }
    let mut x: Vec<f32> = out.iter().map(|&s| (s / 32768.0) as f32).collect();
    // Sprinkle specials where the segments ask for them.
    let mut rng = Rng(0x1234_5678);
    for seg in body.chunks_exact(5).take(32) {
        if seg[4] >= 0xF0 && !x.is_empty() {
            let specials = [
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                1e30,
                -1e30,
                1e-42,
            ];
            let start = rng.next() as usize % x.len();
            let len = (usize::from(seg[4] & 0x0F) * 37).min(x.len() - start);
            for v in &mut x[start..start + len] {
                *v = specials[rng.next() as usize % specials.len()];
            }
        }
    }
    x
}

fn run(rate: u32, input: &Input, cuts: Option<u64>) -> Vec<Event> {
    let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
    let mut out = Vec::new();
    let n = input.len();
    match cuts {
        None => input.feed(&mut det, 0, n, &mut out),
        Some(seed) => {
            let mut rng = Rng(seed | 1);
            let mut a = 0;
            while a < n {
                let len = match rng.next() % 4 {
                    0 => 1,
                    1 => 160,
                    _ => 1 + (rng.next() % 1000) as usize,
                };
                let b = (a + len).min(n);
                input.feed(&mut det, a, b, &mut out);
                a = b;
            }
        }
    }
    assert_eq!(det.position(), n as u64);
    det.finish(|e| out.push(e));
    out
}

fn check_well_formed(events: &[Event], n: u64, rate: u32) {
    let mut down: Option<(Key, u64)> = None;
    let mut last_start = None;
    let mut last_end = 0u64;
    // Keys are reported in order of start and never overlap: a key's start is not placed
    // before the previous key's end (this once failed for back-to-back keys sharing a tone;
    // tests/corpus/fuzz-detector-shared-tone-overlap.wav).
    let _ = rate;
    for e in events {
        match *e {
            Event::KeyDown {
                key,
                start,
                decided_at,
                levels,
            } => {
                assert!(down.is_none(), "KeyDown while a key is down: {events:?}");
                assert!(start <= decided_at, "{events:?}");
                assert!(last_start.map_or(true, |l| start > l), "{events:?}");
                assert!(start >= last_end, "key starts before the previous one ends: {events:?}");
                last_start = Some(start);
                assert!(levels.low_dbm0.is_finite() && levels.high_dbm0.is_finite());
                down = Some((key, start));
            }
            Event::KeyUp { press, decided_at } => {
                let (key, start) = down.take().expect("KeyUp without KeyDown");
                assert_eq!((key, start), (press.key, press.start), "{events:?}");
                assert!(
                    press.start < press.end && press.end <= decided_at,
                    "{events:?}"
                );
                assert!(press.end <= n + 1_000_000);
                last_end = press.end;
                assert!(press.levels.low_dbm0.is_finite() && press.levels.high_dbm0.is_finite());
            }
        }
    }
    assert!(down.is_none(), "finish left a key down: {events:?}");
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let rate = RATES[usize::from(data[0] % 6)];
    let seed = u64::from(u16::from_le_bytes([data[1], data[2]]));
    let kind = data[3] % 5;
    let body = &data[4..];
    let input = match kind {
        0 => Input::I16(
            body.chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect(),
        ),
        1 => Input::F32(
            body.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ),
        2 => Input::Ulaw(body.to_vec()),
        3 => Input::Alaw(body.to_vec()),
        _ => Input::F32(synth(rate, body)),
    };
    let whole = run(rate, &input, None);
    let cut = run(rate, &input, Some(seed));
    assert_eq!(whole, cut, "chunking changed the events");
    check_well_formed(&whole, input.len() as u64, rate);
});
