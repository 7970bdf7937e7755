//! The detector's own tests: the SIMD builds of the per-tick analysis and of the input
//! conversions against the baseline build, bit for bit.

use super::*;
use crate::level;

/// Keys at many levels, offsets and twists, with and without gaps, over noise and
/// (at 8 kHz) speech: a signal that reaches every branch of the
/// per-tick analysis.
fn busy_signal(rate: u32, seed: u64) -> Vec<i16> {
    let mut st = seed | 1;
    let mut rnd = move || {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        (st >> 11) as f64 / (1u64 << 53) as f64
    };
    let fs = rate as f64;
    let mut x = Vec::new();
    for i in 0..48 {
        let key = Key::ALL[i % 16];
        let (fl, fh) = key.frequencies();
        let dev = |r: f64| 1.0 + (r - 0.5) * 0.04; // ±2 %
        let (fl, fh) = (fl * dev(rnd()), fh * dev(rnd()));
        let level = -45.0 + 52.0 * rnd();
        let twist = -10.0 + 20.0 * rnd();
        let al = level::dbm0_to_peak(level + twist / 2.0);
        let ah = level::dbm0_to_peak(level - twist / 2.0);
        let on = ((0.015 + 0.1 * rnd()) * fs) as usize;
        let off = ((0.005 + 0.06 * rnd()) * fs) as usize;
        x.resize(x.len() + off, 0.0);
        let w = 2.0 * core::f64::consts::PI / fs;
        x.extend(
            (0..on).map(|n| al * (w * fl * n as f64).sin() + ah * (w * fh * n as f64 + 1.0).sin()),
        );
    }
    let bed = if rate == 8000 {
        // The recorded speech is not in the published crate (another licence); the
        // synthetic speech of testdata/ stands in for it there.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
        crate::io::read_all(format!("{dir}/speech-real-8k.wav"))
            .or_else(|e| {
                eprintln!("speech-real-8k.wav not read ({e}): speech-8k.wav used instead");
                crate::io::read_all(format!("{dir}/speech-8k.wav"))
            })
            .expect("testdata/speech-8k.wav")
            .samples
    } else {
        Vec::new()
    };
    x.iter()
        .enumerate()
        .map(|(n, &v)| {
            let b = bed
                .get(n % bed.len().max(1))
                .map_or(0.0, |&b| b as f64 * 0.1);
            let noise = (rnd() - 0.5) * 300.0;
            (v + b + noise).round().clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

#[test]
fn simd_analysis_matches_the_baseline_build() {
    for (i, rate) in [8000u32, 16000, 44100, 48000].into_iter().enumerate() {
        let x = busy_signal(rate, 77 + i as u64);
        let run = |plan: Plan| {
            let mut det = Detector::with_plan(Arc::new(plan));
            let mut ev = Vec::new();
            for f in x.chunks(160) {
                det.process(f, |e| ev.push(e));
            }
            det.finish(|e| ev.push(e));
            ev
        };
        let simd = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
        if simd.avx2.is_none() {
            eprintln!("skipped: no AVX2 here, the baseline build is compared with itself");
        }
        #[allow(unused_mut)]
        let mut baseline = Plan::new(DetectorConfig::with_rate(rate)).unwrap();
        baseline.avx2 = None;
        let (a, b) = (run(simd), run(baseline));
        // The signal must exercise the detector: many keys found, some rejected.
        let keys = b
            .iter()
            .filter(|e| matches!(e, Event::KeyUp { .. }))
            .count();
        assert!((10..48).contains(&keys), "{rate} Hz: {keys} keys");
        assert_eq!(a, b, "{rate} Hz");
    }
}

/// The input conversions compiled for AVX2 (f32 to i16, G.711 decoding) give the same
/// samples as the baseline build, and so the same events: the keys signal as f32 (with
/// values at and beyond full scale, half-way values and NaN/∞ mixed in) and as μ-law
/// and A-law bytes.
#[test]
fn simd_input_conversions_match_the_baseline_build() {
    let x = busy_signal(8000, 5);
    let mut xf: Vec<f32> = x.iter().map(|&v| v as f32 / 32768.0).collect();
    // Half-way values (ties), over-range, non-finite, in every lane position.
    let odd = [
        0.5 / 32768.0,
        -1.5 / 32768.0,
        2.5 / 32768.0,
        1.0,
        -1.0,
        1.5,
        -7.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE,
    ];
    for (i, v) in xf.iter_mut().enumerate().filter(|(i, _)| i % 4001 < 11) {
        *v = odd[i % 4001];
    }
    let xu: Vec<u8> = x.iter().map(|&v| g711::linear_to_ulaw(v)).collect();
    let xa: Vec<u8> = x.iter().map(|&v| g711::linear_to_alaw(v)).collect();
    let run = |plan: &Arc<Plan>, kind: u8| {
        let mut det = Detector::with_plan(plan.clone());
        let mut ev = Vec::new();
        for f in 0..x.len().div_ceil(160) {
            let r = f * 160..((f + 1) * 160).min(x.len());
            match kind {
                0 => det.process(&xf[r], |e| ev.push(e)),
                1 => det.process_ulaw(&xu[r], |e| ev.push(e)),
                _ => det.process_alaw(&xa[r], |e| ev.push(e)),
            }
        }
        det.finish(|e| ev.push(e));
        ev
    };
    let simd = Arc::new(Plan::new(DetectorConfig::default()).unwrap());
    if simd.avx2.is_none() {
        eprintln!("skipped: no AVX2 here, the baseline conversions are compared with themselves");
    }
    #[allow(unused_mut)]
    let mut baseline = Plan::new(DetectorConfig::default()).unwrap();
    baseline.avx2 = None;
    let baseline = Arc::new(baseline);
    for kind in 0..3 {
        let (a, b) = (run(&simd, kind), run(&baseline, kind));
        let keys = b
            .iter()
            .filter(|e| matches!(e, Event::KeyUp { .. }))
            .count();
        // (Many of the 48 keys are outside the limits on purpose: ±3.5 %, −45 dBm0,
        // ±10 dB twist, 15 ms.)
        assert!(keys >= 8, "input {kind}: {keys} keys");
        assert_eq!(a, b, "input {kind}");
    }
    // And sample for sample, through the two compiled conversions.
    if let Some(t) = simd.avx2 {
        let (mut p, mut q) = (vec![0i16; xf.len()], vec![0i16; xf.len()]);
        crate::io::to_i16(Some(t), &xf, &mut p, f32::to_i16);
        crate::io::to_i16(None, &xf, &mut q, f32::to_i16);
        assert_eq!(p, q);
        let all: Vec<u8> = (0..=255).collect();
        let (mut p, mut q) = ([0i16; 256], [0i16; 256]);
        crate::io::to_i16(Some(t), &all, &mut p, g711::ulaw_lane);
        crate::io::to_i16(None, &all, &mut q, g711::ulaw_lane);
        assert_eq!((p, q.to_vec()), (q, g711::ULAW_TABLE.to_vec()));
        crate::io::to_i16(Some(t), &all, &mut p, g711::alaw_lane);
        crate::io::to_i16(None, &all, &mut q, g711::alaw_lane);
        assert_eq!((p, q.to_vec()), (q, g711::ALAW_TABLE.to_vec()));
    }
}
