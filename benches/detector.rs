//! Detector throughput in samples per second (criterion `Throughput::Elements`).
//!
//! Signal: "0123456789*#ABCD" four times as 70 ms tones with 70 ms pauses at −10 dBm0
//! (touchtone::Generator) plus white noise at about −50 dBm0 — about 9 s of audio — and, for
//! comparison, pure silence and speech-like noise (band-limited, syllable-modulated noise
//! at about −15 dBm0, which defeats the early silence exit).
//!
//! `babble_8k_160`: 60 s of five-talker speech babble at −20 dBm0 (RMS) made from
//! testdata/speech-8k.wav (the recipe of scripts/make-babble.sh: the recording looped, each
//! talker from its own offset and at its own speed, here resampled by linear interpolation
//! instead of sox), alone (`speech`, no keys: most of a real call) and with 192 keys every
//! 300 ms (70 ms tones at −10 dBm0, `keys`), single stream, 160-sample frames.
//!
//! `cargo bench --bench detector` (about a minute); `-- multi` etc. to filter.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::sync::Arc;
use std::time::Duration;
use touchtone::multi::MultiDetector;
use touchtone::{g711, Detector, DetectorConfig, Event, Generator, GeneratorConfig, Plan};

const KEYS: &str = "0123456789*#ABCD";

/// A small deterministic generator (xorshift) for the noise.
struct Rng(u64);
impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

fn keys_signal(rate: u32) -> Vec<i16> {
    let gen = Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap();
    let keys = KEYS.repeat(4);
    let mut x = gen.render_f64(&touchtone::generator::parse_keys(&keys).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for v in x.iter_mut() {
        *v += 88.0 * rng.next_f64();
    }
    touchtone::generator::to_i16(&x)
}

fn speech_like(rate: u32, len: usize) -> Vec<i16> {
    let mut rng = Rng(12345);
    let (mut y1, mut y2) = (0.0f64, 0.0f64);
    let mut out = Vec::with_capacity(len);
    for n in 0..len {
        // Resonance near 500 Hz, 4 Hz syllable envelope.
        let w = 2.0 * std::f64::consts::PI * 500.0 / rate as f64;
        let r = 0.97;
        let y = rng.next_f64() + 2.0 * r * w.cos() * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 4.0 * n as f64 / rate as f64).sin();
        out.push(y * env * 300.0);
    }
    touchtone::generator::to_i16(&out)
}

/// Five talkers from testdata/speech-8k.wav (looped; start offset in s, speed), mixed and
/// scaled to an RMS of −20 dBm0 (0 dBm0: a sine of peak 22 826), `secs` long at 8 kHz.
fn babble(secs: usize) -> Vec<f64> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/speech-8k.wav");
    let speech: Vec<f64> = touchtone::io::read_all(path)
        .expect("testdata/speech-8k.wav")
        .samples
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let len = secs * 8000;
    let mut mix = vec![0.0f64; len];
    for (offset, speed) in [
        (0.0, 1.0),
        (4.3, 0.93),
        (8.7, 1.07),
        (13.1, 0.97),
        (17.5, 1.04),
    ] {
        for (n, m) in mix.iter_mut().enumerate() {
            // Position in the looped recording played at `speed`, linearly interpolated.
            let t = (offset * 8000.0 + n as f64) * speed;
            let i = t.floor() as usize;
            let f = t - i as f64;
            let a = speech[i % speech.len()];
            let b = speech[(i + 1) % speech.len()];
            *m += a + f * (b - a);
        }
    }
    let rms = (mix.iter().map(|v| v * v).sum::<f64>() / len as f64).sqrt();
    let gain = 22826.0 / 2f64.sqrt() / 10.0 / rms;
    mix.iter().map(|v| v * gain).collect()
}

/// The babble without keys, and with 192 keys every 300 ms (70 ms tones, −10 dBm0).
fn babble_workloads() -> (Vec<i16>, Vec<i16>) {
    let bed = babble(60);
    let gen = Generator::new(GeneratorConfig {
        tone_ms: 70.0,
        pause_ms: 230.0,
        ..Default::default()
    })
    .unwrap();
    let keys = gen.render_f64(&touchtone::generator::parse_keys(&KEYS.repeat(12)).unwrap());
    let with_keys: Vec<f64> = bed
        .iter()
        .enumerate()
        .map(|(n, v)| v + keys.get(n).copied().unwrap_or(0.0))
        .collect();
    (
        touchtone::generator::to_i16(&bed),
        touchtone::generator::to_i16(&with_keys),
    )
}

fn babble_8k(c: &mut Criterion) {
    let mut g = config(c, "babble_8k_160");
    let (speech, keys) = babble_workloads();
    for (label, x) in [("speech", &speech), ("keys", &keys)] {
        let mut det = Detector::new(DetectorConfig::default()).unwrap();
        g.throughput(Throughput::Elements(x.len() as u64));
        g.bench_function(label, |b| b.iter(|| run(&mut det, black_box(x), 160)));
    }
    g.finish();
}

fn run<S: touchtone::Sample>(det: &mut Detector, x: &[S], frame: usize) -> usize {
    let mut n = 0;
    for f in x.chunks(frame) {
        det.process(f, |ev| {
            if let Event::KeyUp { .. } = ev {
                n += 1
            }
        });
    }
    det.finish(|_| n += 1);
    n
}

fn config<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g
}

fn rates_and_frames(c: &mut Criterion) {
    let mut g = config(c, "i16");
    for rate in [8000u32, 16000, 48000] {
        let x = keys_signal(rate);
        g.throughput(Throughput::Elements(x.len() as u64));
        for (label, frame) in [("1", 1usize), ("160", 160), ("whole", x.len())] {
            let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
            g.bench_with_input(
                BenchmarkId::new(format!("{rate}Hz"), label),
                &frame,
                |b, &f| b.iter(|| run(&mut det, black_box(&x), f)),
            );
        }
    }
    g.finish();
}

fn inputs(c: &mut Criterion) {
    let mut g = config(c, "input_8k_160");
    let x = keys_signal(8000);
    g.throughput(Throughput::Elements(x.len() as u64));
    let mut det = Detector::new(DetectorConfig::default()).unwrap();
    g.bench_function("i16", |b| b.iter(|| run(&mut det, black_box(&x), 160)));
    let xf: Vec<f32> = x.iter().map(|&v| v as f32 / 32768.0).collect();
    g.bench_function("f32", |b| b.iter(|| run(&mut det, black_box(&xf), 160)));
    let xu: Vec<u8> = x.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
    g.bench_function("ulaw", |b| {
        b.iter(|| {
            let mut n = 0;
            for f in black_box(&xu).chunks(160) {
                det.process_ulaw(f, |_| n += 1);
            }
            det.finish(|_| n += 1);
            n
        })
    });
    let silence = vec![0i16; x.len()];
    g.bench_function("silence", |b| {
        b.iter(|| run(&mut det, black_box(&silence), 160))
    });
    let speech = speech_like(8000, x.len());
    g.bench_function("speech_like", |b| {
        b.iter(|| run(&mut det, black_box(&speech), 160))
    });
    g.finish();
}

fn multi(c: &mut Criterion) {
    let mut g = config(c, "multi_8k_20ms");
    let keys = keys_signal(8000);
    // Quiet lines: the same noise (about −50 dBm0) without keys.
    let quiet: Vec<i16> = {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        (0..keys.len())
            .map(|_| (88.0 * rng.next_f64()).round() as i16)
            .collect()
    };
    let speech = speech_like(8000, keys.len());
    let frame = 160;
    let frames = keys.len() / frame;
    for (label, x, n) in [
        ("keys", &keys, 16usize),
        ("keys", &keys, 256),
        ("quiet", &quiet, 256),
        ("speech_like", &speech, 256),
    ] {
        // Channel c hears the file shifted by c * 37 samples (so ticks and keys differ).
        let chans: Vec<Vec<i16>> = (0..n)
            .map(|c| {
                let s = (c * 37) % x.len();
                x[s..].iter().chain(&x[..s]).copied().collect()
            })
            .collect();
        let mut blocks = vec![0i16; frames * n * frame];
        for f in 0..frames {
            for (c, ch) in chans.iter().enumerate() {
                let at = (f * n + c) * frame;
                blocks[at..at + frame].copy_from_slice(&ch[f * frame..(f + 1) * frame]);
            }
        }
        let plan = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
        let mut m = MultiDetector::new(plan, n);
        g.throughput(Throughput::Elements(blocks.len() as u64));
        g.bench_function(BenchmarkId::new(label, n), |b| {
            b.iter(|| {
                let mut k = 0;
                for block in black_box(&blocks).chunks_exact(n * frame) {
                    m.process_planar(block, |_, _| k += 1).unwrap();
                }
                m.finish(|_, _| k += 1);
                k
            })
        });
    }
    g.finish();
}

/// The correlation kernel alone, one whole 4 ms tick per call, each implementation (with
/// touchtone's `bench` feature, which this crate enables to reach the kernels).
fn kernels(c: &mut Criterion) {
    use touchtone::goertzel::{Bank, Kernel};
    let mut g = config(c, "kernel_tick");
    for rate in [8000u32, 48000] {
        let l = (rate / 250) as usize;
        let x = keys_signal(rate);
        let ticks: Vec<&[i16]> = x.chunks_exact(l).take(1000).collect();
        g.throughput(Throughput::Elements((ticks.len() * l) as u64));
        let mut ks = vec![("portable", Kernel::Portable), ("sse2", Kernel::Sse2)];
        if let Some(k) = Kernel::avx2() {
            ks.push(("avx2", k));
        }
        if let Some(k) = Kernel::avx512() {
            ks.push(("avx512", k));
        }
        for (name, k) in ks {
            let bank = Bank::with_kernel(rate, l, &touchtone::key::ALL_FREQS, k);
            g.bench_function(BenchmarkId::new(format!("{rate}Hz"), name), |b| {
                b.iter(|| {
                    // All ticks into one `acc`: it wraps (only the time matters here).
                    let mut acc = [0i32; 16];
                    let mut e = 0u64;
                    for t in black_box(&ticks) {
                        bank.accumulate(t, 0, &mut acc, &mut e);
                    }
                    (acc, e)
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, rates_and_frames, inputs, babble_8k, multi, kernels);
criterion_main!(benches);
