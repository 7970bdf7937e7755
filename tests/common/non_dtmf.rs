//! Non-DTMF signals: steady tones, cadenced call-progress tones, the answer tone, SIT
//! (all return a fresh signal of `ms` milliseconds at `rate`).

use super::{Rng, Signal};

/// Sum of steady tones (each `(freq, dbm0)`), random phases.
pub fn steady(rate: u32, tones: &[(f64, f64)], ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    for &(f, l) in tones {
        let ph = rng.phase();
        s.tone(f, l, ph, 0.0, ms);
    }
    s
}

/// Tones switched on and off with a cadence (`on_ms`, `off_ms`), repeated to fill `ms`.
pub fn cadence(
    rate: u32,
    tones: &[(f64, f64)],
    on_ms: f64,
    off_ms: f64,
    ms: f64,
    rng: &mut Rng,
) -> Signal {
    let mut s = Signal::new(rate);
    let mut t = 0.0;
    while t < ms {
        let on = on_ms.min(ms - t);
        for &(f, l) in tones {
            let ph = rng.phase();
            s.tone(f, l, ph, t, on);
        }
        t += on_ms + off_ms;
    }
    s.extend_to(ms);
    s
}

/// 2100 Hz answer tone (ANSam-like without modulation) with a 180° phase reversal every
/// 450 ms.
pub fn answer_tone(rate: u32, dbm0: f64, ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    let n = s.samples(ms);
    let every = s.samples(450.0);
    let drops: Vec<(usize, usize, f64)> = (1..)
        .map(|k| k * every)
        .take_while(|&a| a < n)
        .map(|a| (a, 0, std::f64::consts::PI))
        .collect();
    let ph = rng.phase();
    s.add_tone_samples(2100.0, dbm0, ph, 0, n, &drops);
    s
}

/// Special information tone: 913.8, 1370.6, 1776.7 Hz, 274 / 274 / 380 ms, then silence,
/// repeated to fill `ms`.
pub fn sit(rate: u32, dbm0: f64, ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    let mut t = 0.0;
    while t < ms {
        for (f, d) in [(913.8, 274.0), (1370.6, 274.0), (1776.7, 380.0)] {
            let ph = rng.phase();
            s.tone(f, dbm0, ph, t, d);
            t += d;
        }
        t += 400.0;
    }
    s.extend_to(ms);
    s
}
