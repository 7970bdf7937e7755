//! Measures where the detector's limits actually are (the README's requirements table).
//! Not a pass/fail test: run it with
//!
//! ```text
//! cargo test --release --test measure -- --ignored --nocapture
//! ```
//!
//! Each point: all sixteen keys, random phases (fixed seeds), in every format (8, 16, 44.1,
//! 48 kHz, μ-law, A-law); a point "operates" when every key gives exactly one correct key.

mod common;

use common::*;
use touchtone::Key;

/// Fraction of keys detected exactly (one correct key, nothing else) over all formats, and
/// the number of keys reported in total (for the reject side).
fn score(seed: u64, specs: impl Fn(&mut Rng) -> Vec<KeySpec>, snr: Option<f64>) -> (f64, usize) {
    score_in(&FORMATS, seed, specs, snr)
}

fn score_in(
    formats: &[Format],
    seed: u64,
    specs: impl Fn(&mut Rng) -> Vec<KeySpec>,
    snr: Option<f64>,
) -> (f64, usize) {
    let (mut ok, mut n, mut reported) = (0, 0, 0);
    for (i, &fmt) in formats.iter().enumerate() {
        let mut rng = Rng::new(seed * 100 + i as u64);
        let mut s = Signal::new(fmt.rate());
        s.pause(80.0);
        for sp in specs(&mut rng) {
            s.key(&sp, &mut rng).pause(80.0);
        }
        if let Some(snr) = snr {
            s.noise_snr(snr, &mut rng);
        }
        let run = run_signal(&s, fmt);
        let mut f = Failures::new("measure");
        let got = expect_exact(&mut f, "", &run, &s.truth, fmt.rate());
        ok += got.iter().filter(|g| g.is_some()).count();
        n += got.len();
        reported += run.presses().len();
        // Extra keys count against the point.
        let (_, extra) = matching(&run.presses(), &s.truth, fmt.rate(), 15.0);
        ok -= extra.len().min(ok);
    }
    (ok as f64 / n as f64, reported)
}

fn all_keys(ms: f64, lo: f64, hi: f64, dev: (f64, f64)) -> Vec<KeySpec> {
    Key::ALL
        .iter()
        .map(|&k| KeySpec::new(k, ms, 0.0).levels(lo, hi).dev(dev.0, dev.1))
        .collect()
}

fn sweep(name: &str, points: &[f64], f: impl Fn(f64) -> (f64, usize)) -> Vec<(f64, f64, usize)> {
    let mut out = Vec::new();
    print!("{name}:");
    for &p in points {
        let (r, n) = f(p);
        print!(" {p}:{:.0}%/{n}", r * 100.0);
        out.push((p, r, n));
    }
    println!();
    out
}

fn steps(from: f64, to: f64, step: f64) -> Vec<f64> {
    let n = ((to - from) / step).round() as usize;
    (0..=n).map(|i| from + i as f64 * step).collect()
}

#[test]
#[ignore = "measurement sweep, prints a table; run with --ignored --nocapture"]
fn measure_requirements_table() {
    // Level (equal tones).
    sweep("level dBm0 (detect %/keys)", &steps(-50.0, 6.0, 1.0), |l| {
        score(1, |_| all_keys(70.0, l, l, (0.0, 0.0)), None)
    });
    // Frequency deviation, both tones same sign, and one tone at a time.
    for (name, which) in [("both", 0), ("low", 1), ("high", 2)] {
        sweep(
            &format!("deviation % ({name} tone(s))"),
            &steps(-5.0, 5.0, 0.25),
            |d| {
                let dev = match which {
                    0 => (d, d),
                    1 => (d, 0.0),
                    _ => (0.0, d),
                };
                score(2, |_| all_keys(70.0, -10.0, -10.0, dev), None)
            },
        );
    }
    // Twist around −10 dBm0 mean.
    sweep(
        "twist dB (mean −10 dBm0)",
        &steps(-12.0, 14.0, 0.5),
        |t| {
            score(
                3,
                |_| all_keys(70.0, -10.0 + t / 2.0, -10.0 - t / 2.0, (0.0, 0.0)),
                None,
            )
        },
    );
    // Duration.
    sweep("tone ms", &steps(15.0, 45.0, 1.0), |ms| {
        score(4, |_| all_keys(ms, -10.0, -10.0, (0.0, 0.0)), None)
    });
    // Dropout inside a 100 ms tone (50 ms in), phase-continuous: % one key.
    sweep("dropout ms (one key %)", &steps(0.0, 40.0, 2.0), |g| {
        score(
            5,
            |_| {
                Key::ALL
                    .iter()
                    .map(|&k| KeySpec::new(k, 100.0 + g, -10.0).dropout(50.0, g, 0.0))
                    .collect()
            },
            None,
        )
    });
    // SNR at −10 dBm0, 5 × 16 keys per format.
    sweep("SNR dB (−10 dBm0)", &steps(0.0, 20.0, 1.0), |snr| {
        score(
            6,
            |_| {
                (0..5)
                    .flat_map(|_| all_keys(70.0, -10.0, -10.0, (0.0, 0.0)))
                    .collect()
            },
            Some(snr),
        )
    });

    // SNR per format, 10 × 16 keys, −25 and −10 dBm0.
    for fmt in FORMATS {
        for level in [-25.0, -10.0] {
            sweep(
                &format!("SNR dB {fmt} {level} dBm0"),
                &steps(5.0, 12.0, 1.0),
                |snr| {
                    score_in(
                        &[fmt],
                        7,
                        |_| {
                            (0..10)
                                .flat_map(|_| all_keys(70.0, level, level, (0.0, 0.0)))
                                .collect()
                        },
                        Some(snr),
                    )
                },
            );
        }
    }

    for snr in [None, Some(20.0), Some(15.0), Some(10.0)] {
        edges_latency_levels(snr);
    }
}

/// Edges, latency, level accuracy over random sequences within the must-operate limits.
fn edges_latency_levels(snr: Option<f64>) {
    let (mut ws, mut we, mut wd, mut wu, mut wl, mut wt) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
    let mut n = 0;
    for (i, &fmt) in FORMATS.iter().enumerate() {
        let mut rng = Rng::new(700 + i as u64);
        let mut s = Signal::new(fmt.rate());
        s.pause(50.0);
        for _ in 0..200 {
            let k = Key::ALL[rng.below(16)];
            let (lo, hi) = if snr.is_some() {
                // Every key's weaker tone at −15 dBm0, so each key sees the SNR.
                let t = rng.range(-4.0, 8.0);
                if t >= 0.0 {
                    (-15.0 + t, -15.0)
                } else {
                    (-15.0, -15.0 - t)
                }
            } else {
                let hi = rng.range(-25.0, -3.0);
                ((hi + rng.range(-4.0, 8.0)).clamp(-25.0, -3.0), hi)
            };
            let sp = KeySpec::new(k, rng.range(40.0, 200.0), 0.0)
                .levels(lo, hi)
                .dev(rng.range(-1.5, 1.5), rng.range(-1.5, 1.5));
            s.key(&sp, &mut rng).pause(rng.range(40.0, 150.0));
        }
        if let Some(snr) = snr {
            s.noise_snr(snr, &mut rng);
        }
        let run = run_signal(&s, fmt);
        let mut f = Failures::new("measure");
        let got = expect_exact(&mut f, "", &run, &s.truth, fmt.rate());
        let downs = run.downs();
        let ups = run.ups();
        for (t, p) in s.truth.iter().zip(got) {
            let Some(p) = p else { continue };
            n += 1;
            ws = ws.max((s.ms(p.start) - s.ms(t.start)).abs());
            we = we.max((s.ms(p.end) - s.ms(t.end)).abs());
            if t.lo_dbm0.max(t.hi_dbm0) <= -3.0 {
                wl = wl
                    .max((p.levels.low_dbm0 as f64 - t.lo_dbm0).abs())
                    .max((p.levels.high_dbm0 as f64 - t.hi_dbm0).abs());
                wt = wt.max((p.levels.twist_db() as f64 - t.twist_db()).abs());
            }
            if let Some(d) = downs.iter().find(|d| d.start == p.start && d.key == p.key) {
                wd = wd.max(s.ms(d.decided_at) - s.ms(t.start));
            }
            if let Some((_, at)) = ups.iter().find(|(q, _)| q.start == p.start) {
                wu = wu.max(s.ms(*at) - s.ms(t.end));
            }
        }
        if !f.lines.is_empty() {
            println!("{fmt}: {} misses in the random sequence", f.lines.len());
        }
    }
    println!(
        "SNR {snr:?}: over {n} keys (all formats): worst start edge {ws:.1} ms, end edge {we:.1} ms; \
         worst KeyDown latency {wd:.1} ms, KeyUp latency {wu:.1} ms; \
         worst level error {wl:.2} dB, twist error {wt:.2} dB"
    );
}
