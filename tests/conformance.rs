//! The conformance suite: one test per line of `docs/requirements.md`'s
//! receiver-limit table and "what the detector reports" list, each run at 8, 16, 44.1 and
//! 48 kHz and through G.711 μ-law and A-law at 8 kHz.
//!
//! Every signal is generated here with known truth (`common`): random phases (fixed seeds),
//! all sixteen keys, several levels. Tests named `goal_…` check the *goal* lines (beyond the
//! standards). A failing test lists every failing key / rate / parameter, not just the first.

use crate::common;

use common::*;
use touchtone::{Key, KeyPress};

/// Tone and pause of the generator's default (70 ms / 70 ms), used where the duration is
/// not the parameter under test.
const TONE_MS: f64 = 70.0;
const PAUSE_MS: f64 = 70.0;

/// For every format, with an rng seeded from `seed` and the format's index.
fn for_formats(seed: u64, mut body: impl FnMut(Format, &mut Rng)) {
    for (i, &fmt) in FORMATS.iter().enumerate() {
        let mut rng = Rng::new(seed.wrapping_mul(1000).wrapping_add(i as u64));
        body(fmt, &mut rng);
    }
}

/// Shuffle in place (Fisher–Yates).
fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

/// A signal of `specs` separated by `pause_ms` (also before the first and after the last).
fn sequence(rate: u32, specs: &[KeySpec], pause_ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    s.pause(pause_ms);
    for sp in specs {
        s.key(sp, rng).pause(pause_ms);
    }
    s
}

/// Generate `specs` in every format and require exactly one correct key per spec.
fn must_operate(name: &str, seed: u64, specs_for: impl Fn(&mut Rng) -> Vec<KeySpec>) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        let mut specs = specs_for(rng);
        shuffle(&mut specs, rng);
        let s = sequence(fmt.rate(), &specs, PAUSE_MS, rng);
        let run = run_signal(&s, fmt);
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
    });
    f.finish();
}

/// Generate `specs` in every format and require no key at all.
fn must_not_operate(name: &str, seed: u64, specs_for: impl Fn(&mut Rng) -> Vec<KeySpec>) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        let mut specs = specs_for(rng);
        shuffle(&mut specs, rng);
        let s = sequence(fmt.rate(), &specs, 100.0, rng);
        let run = run_signal(&s, fmt);
        expect_none_stimuli(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
    });
    f.finish();
}

/// All sixteen keys at each level in `levels` (equal levels), with a tag.
fn keys_at_levels(levels: &[f64], ms: f64) -> Vec<KeySpec> {
    let mut v = Vec::new();
    for &l in levels {
        for k in Key::ALL {
            v.push(KeySpec::new(k, ms, l));
        }
    }
    v
}

// -----------------------------------------------------------------------------------------
// Frequency deviation
// -----------------------------------------------------------------------------------------

#[test]
fn freq_deviation_1_5_percent_each_tone_and_both_detect() {
    let devs = [
        (1.5, 0.0),
        (-1.5, 0.0),
        (0.0, 1.5),
        (0.0, -1.5),
        (1.5, 1.5),
        (-1.5, -1.5),
        (1.5, -1.5),
        (-1.5, 1.5),
    ];
    let levels = [-25.0, -18.0, -10.0, -3.0, 0.0];
    must_operate("freq ±1.5 % detect", 1, |rng| {
        every_key_at_devs(rng, &devs, &levels)
    });
}

#[test]
fn freq_deviation_3_5_percent_either_tone_rejected() {
    let mut devs = Vec::new();
    for d in [3.5, 4.0, 5.0] {
        for s in [1.0, -1.0] {
            devs.push((s * d, 0.0));
            devs.push((0.0, s * d));
        }
    }
    devs.push((3.5, 3.5));
    devs.push((-3.5, -3.5));
    let levels = [-25.0, -15.0, -5.0, 0.0];
    must_not_operate("freq ±3.5 % reject", 2, |rng| {
        every_key_at_devs(rng, &devs, &levels)
    });
}

// -----------------------------------------------------------------------------------------
// Level
// -----------------------------------------------------------------------------------------

#[test]
fn level_minus25_to_0_dbm0_detect() {
    // 0 dBm0 per tone is two tones of peak 22 826: their sum clips in 16 bits — as it
    // would on a real 16-bit / G.711 path.
    let levels = [
        -25.0, -22.0, -19.0, -16.0, -13.0, -10.0, -7.0, -4.0, -1.0, 0.0,
    ];
    must_operate("level −25…0 dBm0 detect", 3, |_| {
        keys_at_levels(&levels, TONE_MS)
    });
}

#[test]
fn goal_level_minus36_to_plus3_dbm0_detect_clipped_included() {
    // +3 dBm0 per tone: each tone's peak is 32 231, the sum is hard-clipped at 32 767.
    let levels = [-36.0, -34.0, -31.0, -28.0, 1.0, 2.0, 3.0];
    must_operate("goal level −36…+3 dBm0 detect", 4, |_| {
        keys_at_levels(&levels, TONE_MS)
    });
}

#[test]
fn goal_level_minus45_dbm0_and_weaker_rejected() {
    let levels = [-45.0, -48.0, -55.0, -70.0];
    must_not_operate("goal level −45 dBm0 reject", 5, |_| {
        keys_at_levels(&levels, TONE_MS)
    });
}

// -----------------------------------------------------------------------------------------
// Twist
// -----------------------------------------------------------------------------------------

/// Every key at each (low, high) deviation pair, in %, at a level picked from `levels`.
fn every_key_at_devs(rng: &mut Rng, devs: &[(f64, f64)], levels: &[f64]) -> Vec<KeySpec> {
    let mut v = Vec::new();
    for k in Key::ALL {
        for &(dl, dh) in devs {
            let l = rng.pick(levels);
            v.push(KeySpec::new(k, TONE_MS, l).dev(dl, dh));
        }
    }
    v
}

/// Every key at each (low, high) level pair, in dBm0.
fn every_key_at_levels(pairs: &[(f64, f64)]) -> Vec<KeySpec> {
    Key::ALL
        .iter()
        .flat_map(|&k| {
            pairs
                .iter()
                .map(move |&(lo, hi)| KeySpec::new(k, TONE_MS, 0.0).levels(lo, hi))
        })
        .collect()
}

#[test]
fn twist_normal_8db_reverse_4db_detect() {
    // (low, high) dBm0: both tones inside −25…0.
    let pairs = [
        (0.0, -8.0),
        (-9.0, -17.0),
        (-17.0, -25.0),
        (-4.0, 0.0),
        (-14.0, -10.0),
        (-25.0, -21.0),
        (-3.0, -9.0),
        (-20.0, -18.0),
    ];
    must_operate("twist +8/−4 detect", 6, |_| every_key_at_levels(&pairs));
}

#[test]
fn goal_twist_normal_10db_reverse_8db_rejected() {
    let pairs = [
        (0.0, -10.0),
        (-10.0, -20.0),
        (-15.0, -25.0),
        (-3.0, -15.0),
        (-8.0, 0.0),
        (-18.0, -10.0),
        (-25.0, -17.0),
        (-15.0, -5.0),
    ];
    must_not_operate("goal twist +10/−8 reject", 7, |_| {
        every_key_at_levels(&pairs)
    });
}

// -----------------------------------------------------------------------------------------
// Durations, pauses, dropouts
// -----------------------------------------------------------------------------------------

#[test]
fn tone_40ms_pause_40ms_same_key_repeated_gives_separate_keys() {
    let mut f = Failures::new("40 ms tone / 40 ms pause");
    for_formats(8, |fmt, rng| {
        let mut s = Signal::new(fmt.rate());
        s.pause(40.0);
        // Each key three times in a row, then all keys alternating, all at 40/40 ms.
        for k in Key::ALL {
            for _ in 0..3 {
                let l = rng.range(-25.0, 0.0);
                s.key(&KeySpec::new(k, 40.0, l), rng).pause(40.0);
            }
        }
        let mut ks = Key::ALL.to_vec();
        shuffle(&mut ks, rng);
        for k in ks {
            let l = rng.range(-25.0, 0.0);
            s.key(&KeySpec::new(k, 40.0, l), rng).pause(40.0);
        }
        let run = run_signal(&s, fmt);
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
    });
    f.finish();
}

#[test]
fn tone_23ms_and_shorter_rejected() {
    let durations = [23.0, 20.0, 16.0, 10.0, 5.0];
    let levels = [-25.0, -15.0, -5.0, 0.0];
    must_not_operate("≤ 23 ms reject", 9, |rng| {
        let mut v = Vec::new();
        for k in Key::ALL {
            for &d in &durations {
                v.push(KeySpec::new(k, d, rng.pick(&levels)));
            }
        }
        v
    });
}

#[test]
fn tone_3s_is_one_key() {
    let mut f = Failures::new("3 s tone → one key");
    for_formats(10, |fmt, rng| {
        let mut s = Signal::new(fmt.rate());
        s.pause(100.0);
        for (i, l) in [(-25.0, -25.0), (0.0, 0.0), (-10.0, -14.0)]
            .iter()
            .enumerate()
        {
            let k = Key::ALL[rng.below(16)];
            let _ = i;
            s.key(&KeySpec::new(k, 3000.0, 0.0).levels(l.0, l.1), rng)
                .pause(200.0);
        }
        let run = run_signal(&s, fmt);
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        // And one with white noise at 15 dB SNR over the whole 3 s.
        let mut s = Signal::new(fmt.rate());
        s.pause(100.0);
        let k = Key::ALL[rng.below(16)];
        s.key(
            &KeySpec::new(k, 3000.0, -20.0).label("with noise at 15 dB SNR"),
            rng,
        )
        .pause(200.0);
        s.noise_snr(15.0, rng);
        let run = run_signal(&s, fmt);
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
    });
    f.finish();
}

#[test]
fn dropout_10ms_inside_a_tone_is_bridged() {
    must_operate("10 ms dropout bridged", 11, |rng| {
        let mut v = Vec::new();
        for k in Key::ALL {
            for (gap, jump) in [(10.0, 0.0), (10.0, rng.phase()), (5.0, 0.0), (8.0, 2.0)] {
                let before = rng.range(40.0, 70.0);
                let after = rng.range(40.0, 70.0);
                let l = rng.range(-25.0, 0.0);
                let label = format!(
                    "{gap} ms dropout at {before:.1} ms, phase jump {jump:.2} rad, then {after:.1} ms"
                );
                v.push(
                    KeySpec::new(k, before + gap + after, l)
                        .dropout(before, gap, jump)
                        .label(label),
                );
            }
        }
        v
    });
}

// -----------------------------------------------------------------------------------------
// Noise
// -----------------------------------------------------------------------------------------

#[test]
fn noise_snr_15db_detect() {
    let mut f = Failures::new("SNR 15 dB detect");
    for_formats(12, |fmt, rng| {
        for level in [-25.0, -15.0, -5.0, 0.0] {
            let mut ks = Key::ALL.to_vec();
            shuffle(&mut ks, rng);
            let specs: Vec<KeySpec> = ks
                .iter()
                .map(|&k| KeySpec::new(k, TONE_MS, level).label("SNR 15 dB"))
                .collect();
            let mut s = sequence(fmt.rate(), &specs, PAUSE_MS, rng);
            s.noise_snr(15.0, rng);
            let run = run_signal(&s, fmt);
            expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        }
    });
    f.finish();
}

#[test]
fn goal_noise_snr_10db_99_percent_and_no_extra_keys() {
    let mut report = Vec::new();
    let mut failed = false;
    for_formats(13, |fmt, rng| {
        let mut f = Failures::new("goal SNR 10 dB");
        let mut total = 0;
        let mut ok = 0;
        let mut extras = 0;
        for level in [-25.0, -18.0, -12.0, -6.0, 0.0] {
            let mut ks: Vec<Key> = (0..5).flat_map(|_| Key::ALL).collect();
            shuffle(&mut ks, rng);
            let specs: Vec<KeySpec> = ks
                .iter()
                .map(|&k| KeySpec::new(k, TONE_MS, level))
                .collect();
            let mut s = sequence(fmt.rate(), &specs, PAUSE_MS, rng);
            s.noise_snr(10.0, rng);
            let run = run_signal(&s, fmt);
            let got = expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
            total += got.len();
            ok += got.iter().filter(|g| g.is_some()).count();
            let (_, extra) = matching(&run.presses(), &s.truth, fmt.rate(), 15.0);
            extras += extra.len();
        }
        let rate = ok as f64 / total as f64;
        if rate < 0.99 || extras > 0 {
            failed = true;
            report.push(format!(
                "{fmt}: {ok}/{total} = {:.2} % detected, {extras} extra keys; first failures: {:?}",
                rate * 100.0,
                f.lines.iter().take(5).collect::<Vec<_>>()
            ));
        }
    });
    assert!(
        !failed,
        "goal SNR 10 dB: need ≥ 99 % and no extra keys:\n  {}",
        report.join("\n  ")
    );
}

#[test]
fn white_noise_alone_gives_no_key() {
    let mut f = Failures::new("white noise alone");
    for_formats(14, |fmt, rng| {
        for level in [-40.0, -30.0, -20.0, -10.0, -3.0] {
            let mut s = Signal::new(fmt.rate());
            s.extend_to(3000.0);
            s.noise(level, rng);
            let run = run_signal(&s, fmt);
            expect_none(
                &mut f,
                &format!("{fmt} noise {level} dBm0 (0–4 kHz)"),
                &run,
                fmt.rate(),
            );
        }
    });
    f.finish();
}

// -----------------------------------------------------------------------------------------
// Non-DTMF signals
// -----------------------------------------------------------------------------------------

const NON_DTMF_LEVELS: [f64; 3] = [-20.0, -10.0, 0.0];

/// Build a non-DTMF signal in every format at each level and require no key.
fn reject_signal(name: &str, seed: u64, build: impl Fn(u32, f64, &mut Rng) -> Signal) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        for level in NON_DTMF_LEVELS {
            let s = build(fmt.rate(), level, rng);
            let run = run_signal(&s, fmt);
            expect_none(
                &mut f,
                &format!("{fmt} {name} at {level} dBm0"),
                &run,
                fmt.rate(),
            );
        }
    });
    f.finish();
}

#[test]
fn non_dtmf_single_tone_rejected() {
    let mut f = Failures::new("single tone");
    let freqs: Vec<f64> = ROWS
        .iter()
        .chain(COLS.iter())
        .copied()
        .chain([300.0, 500.0, 1000.0, 2000.0, 3000.0])
        .collect();
    for_formats(20, |fmt, rng| {
        for level in NON_DTMF_LEVELS {
            for &fr in &freqs {
                let s = steady(fmt.rate(), &[(fr, level)], 500.0, rng);
                let run = run_signal(&s, fmt);
                expect_none(
                    &mut f,
                    &format!("{fmt} {fr} Hz at {level} dBm0"),
                    &run,
                    fmt.rate(),
                );
            }
        }
    });
    f.finish();
}

#[test]
fn non_dtmf_two_tones_of_one_group_rejected() {
    let mut f = Failures::new("two tones of one group");
    let mut pairs = Vec::new();
    for g in [ROWS, COLS] {
        for i in 0..4 {
            for j in i + 1..4 {
                pairs.push((g[i], g[j]));
            }
        }
    }
    for_formats(21, |fmt, rng| {
        for level in NON_DTMF_LEVELS {
            for &(a, b) in &pairs {
                let s = steady(fmt.rate(), &[(a, level), (b, level)], 300.0, rng);
                let run = run_signal(&s, fmt);
                expect_none(
                    &mut f,
                    &format!("{fmt} {a}+{b} Hz at {level} dBm0"),
                    &run,
                    fmt.rate(),
                );
            }
        }
    });
    f.finish();
}

/// Equal-level three-tone signals: a key plus `third(key)`, each at a random level.
fn reject_three_tones(name: &str, seed: u64, thirds: impl Fn(Key) -> Vec<f64>) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        for k in Key::ALL {
            let level = rng.pick(&NON_DTMF_LEVELS);
            for third in thirds(k) {
                let s = steady(
                    fmt.rate(),
                    &[(k.row_freq(), level), (k.col_freq(), level), (third, level)],
                    300.0,
                    rng,
                );
                let run = run_signal(&s, fmt);
                expect_none(
                    &mut f,
                    &format!("{fmt} key {} + {third} Hz at {level} dBm0", k.to_char()),
                    &run,
                    fmt.rate(),
                );
            }
        }
    });
    f.finish();
}

#[test]
fn non_dtmf_three_tones_rejected() {
    // A key's two tones plus a third DTMF tone of equal level: another column or another row.
    reject_three_tones("three DTMF tones", 22, |k| {
        vec![COLS[(k.col() + 1) % 4], ROWS[(k.row() + 1) % 4]]
    });
}

#[test]
fn non_dtmf_three_tones_key_plus_1000hz_rejected() {
    // A key's two tones plus a non-DTMF 1000 Hz tone of equal level (1000 Hz is 6.3 %
    // above 941 Hz: the hard case for the keys of the 941 Hz row).
    reject_three_tones("key + 1000 Hz", 47, |_| vec![1000.0]);
}

#[test]
fn non_dtmf_three_tones_key_plus_other_tone_rejected() {
    reject_three_tones("key + other tone", 48, |_| {
        vec![500.0, 1100.0, 2000.0, 2600.0]
    });
}

#[test]
fn non_dtmf_dial_tones_rejected() {
    reject_signal("dial tone 350+440", 23, |r, l, rng| {
        steady(r, &[(350.0, l), (440.0, l)], 2000.0, rng)
    });
    reject_signal("dial tone 425", 24, |r, l, rng| {
        steady(r, &[(425.0, l)], 2000.0, rng)
    });
}

#[test]
fn non_dtmf_busy_and_reorder_480_620_rejected() {
    reject_signal("busy 480+620 0.5/0.5 s", 25, |r, l, rng| {
        cadence(r, &[(480.0, l), (620.0, l)], 500.0, 500.0, 3000.0, rng)
    });
    reject_signal("reorder 480+620 0.25/0.25 s", 26, |r, l, rng| {
        cadence(r, &[(480.0, l), (620.0, l)], 250.0, 250.0, 2000.0, rng)
    });
}

#[test]
fn non_dtmf_ringback_440_480_rejected() {
    reject_signal("ringback 440+480 2/1 s", 27, |r, l, rng| {
        cadence(r, &[(440.0, l), (480.0, l)], 2000.0, 1000.0, 3000.0, rng)
    });
}

#[test]
fn non_dtmf_test_tones_1000_1004_rejected() {
    reject_signal("1000 Hz", 28, |r, l, rng| {
        steady(r, &[(1000.0, l)], 2000.0, rng)
    });
    reject_signal("1004 Hz", 29, |r, l, rng| {
        steady(r, &[(1004.0, l)], 2000.0, rng)
    });
}

#[test]
fn non_dtmf_fax_cng_1100_rejected() {
    reject_signal("CNG 1100 Hz 0.5/1 s", 30, |r, l, rng| {
        cadence(r, &[(1100.0, l)], 500.0, 1000.0, 3000.0, rng)
    });
}

#[test]
fn non_dtmf_answer_tone_2100_with_phase_reversals_rejected() {
    reject_signal(
        "2100 Hz answer tone, reversals every 450 ms",
        31,
        |r, l, rng| answer_tone(r, l, 3300.0, rng),
    );
}

#[test]
fn non_dtmf_sit_rejected() {
    reject_signal("SIT 913.8/1370.6/1776.7 Hz", 32, |r, l, rng| {
        sit(r, l, 2700.0, rng)
    });
}

#[test]
fn non_dtmf_sweeps_rejected() {
    for (i, ms) in [100.0, 500.0, 1000.0, 3000.0].into_iter().enumerate() {
        reject_signal(
            &format!("sweep 300→3400 Hz in {ms} ms"),
            33 + i as u64,
            |r, l, _| {
                let mut s = Signal::new(r);
                s.sweep(300.0, 3400.0, l, 50.0, ms).pause(0.0);
                s.sweep(3400.0, 300.0, l, ms + 150.0, ms);
                s.extend_to(2.0 * ms + 250.0);
                s
            },
        );
    }
}

// -----------------------------------------------------------------------------------------
// What the detector reports: levels, twist, latency, edges
// -----------------------------------------------------------------------------------------

/// Keys inside the must-operate limits whose two tones do not clip in 16 bits (so their
/// true levels are well defined): random levels in −25…0, twist in −4…+8.
fn unclipped_keys(rng: &mut Rng, per_key: usize, dev: bool) -> Vec<KeySpec> {
    let mut v = Vec::new();
    for k in Key::ALL {
        let mut n = 0;
        while n < per_key {
            let hi = rng.range(-25.0, 0.0);
            let lo = hi + rng.range(-4.0, 8.0);
            if !(-25.0..=0.0).contains(&lo) {
                continue;
            }
            let peaks =
                touchtone::generator::dbm0_to_peak(lo) + touchtone::generator::dbm0_to_peak(hi);
            if peaks > 32000.0 {
                continue;
            }
            let mut s = KeySpec::new(k, TONE_MS, 0.0).levels(lo, hi);
            if dev {
                s = s.dev(rng.range(-1.5, 1.5), rng.range(-1.5, 1.5));
            }
            v.push(s);
            n += 1;
        }
    }
    v
}

fn check_levels(name: &str, seed: u64, dev: bool) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        let specs = unclipped_keys(rng, 4, dev);
        let s = sequence(fmt.rate(), &specs, PAUSE_MS, rng);
        let run = run_signal(&s, fmt);
        let got = expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        for (t, p) in s.truth.iter().zip(got) {
            let Some(p) = p else { continue };
            let lo = p.levels.low_dbm0 as f64;
            let hi = p.levels.high_dbm0 as f64;
            let tw = p.levels.twist_db() as f64;
            f.check();
            if (lo - t.lo_dbm0).abs() > 1.0
                || (hi - t.hi_dbm0).abs() > 1.0
                || (tw - t.twist_db()).abs() > 1.0
            {
                f.push(format!(
                    "{fmt}: {} reported lo {lo:.2} hi {hi:.2} twist {tw:.2} (truth twist {:.2})",
                    describe(t, fmt.rate()),
                    t.twist_db()
                ));
            }
        }
    });
    f.finish();
}

#[test]
fn reported_levels_and_twist_within_1db() {
    check_levels("levels/twist ±1 dB", 40, false);
}

#[test]
fn reported_levels_and_twist_within_1db_at_1_5_percent_deviation() {
    check_levels("levels/twist ±1 dB, deviated", 41, true);
}

/// Keys with random durations (40…200 ms), levels (−25…0), twist (−4…+8), deviation
/// (±1.5 %), pauses (40…150 ms).
fn random_sequence(rate: u32, n: usize, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    s.pause(rng.range(0.0, 100.0));
    for _ in 0..n {
        let k = Key::ALL[rng.below(16)];
        let hi = rng.range(-25.0, 0.0);
        let lo = (hi + rng.range(-4.0, 8.0)).clamp(-25.0, 0.0);
        let spec = KeySpec::new(k, rng.range(40.0, 200.0), 0.0)
            .levels(lo, hi)
            .dev(rng.range(-1.5, 1.5), rng.range(-1.5, 1.5));
        s.key(&spec, rng).pause(rng.range(40.0, 150.0));
    }
    s
}

#[test]
fn latency_keydown_and_keyup_within_50ms() {
    let mut f = Failures::new("latency ≤ 50 ms");
    for_formats(42, |fmt, rng| {
        let s = random_sequence(fmt.rate(), 150, rng);
        let run = run_signal(&s, fmt);
        expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        let downs = run.downs();
        let ups = run.ups();
        let lim = s.samples(50.0) as u64;
        for t in &s.truth {
            f.check();
            // The first KeyDown and KeyUp of the right key overlapping the tone.
            let d = downs
                .iter()
                .find(|d| d.key == t.key && d.decided_at > t.start && d.start < t.end);
            let u = ups
                .iter()
                .find(|(p, _)| p.key == t.key && p.start < t.end && p.end > t.start);
            match d {
                None => f.push(format!("{fmt}: {} no KeyDown", describe(t, fmt.rate()))),
                Some(d) if d.decided_at > t.start + lim => f.push(format!(
                    "{fmt}: {} KeyDown decided {:.1} ms after the start",
                    describe(t, fmt.rate()),
                    s.ms(d.decided_at - t.start)
                )),
                _ => {}
            }
            match u {
                None => f.push(format!("{fmt}: {} no KeyUp", describe(t, fmt.rate()))),
                Some((_, at)) if *at > t.end + lim => f.push(format!(
                    "{fmt}: {} KeyUp decided {:.1} ms after the end",
                    describe(t, fmt.rate()),
                    s.ms(at - t.end)
                )),
                _ => {}
            }
        }
    });
    f.finish();
}

fn edge_errors_ms(p: &KeyPress, t: &Truth, rate: u32) -> (f64, f64) {
    let ms = |a: u64, b: u64| (a as f64 - b as f64) * 1000.0 / rate as f64;
    (ms(p.start, t.start), ms(p.end, t.end))
}

fn edges_within_10ms(name: &str, seed: u64, snr: Option<f64>) {
    let mut f = Failures::new(name);
    for_formats(seed, |fmt, rng| {
        let mut s = if snr.is_some() {
            // Every key's weaker tone at −15 dBm0 (twist −4…+8), so each key sees the SNR.
            let mut s = Signal::new(fmt.rate());
            s.pause(rng.range(0.0, 100.0));
            for _ in 0..150 {
                let k = Key::ALL[rng.below(16)];
                let t = rng.range(-4.0, 8.0);
                let (lo, hi) = if t >= 0.0 {
                    (-15.0 + t, -15.0)
                } else {
                    (-15.0, -15.0 - t)
                };
                let spec = KeySpec::new(k, rng.range(40.0, 200.0), 0.0)
                    .levels(lo, hi)
                    .dev(rng.range(-1.5, 1.5), rng.range(-1.5, 1.5));
                s.key(&spec, rng).pause(rng.range(40.0, 150.0));
            }
            s
        } else {
            random_sequence(fmt.rate(), 150, rng)
        };
        if let Some(snr) = snr {
            s.noise_snr(snr, rng);
        }
        let run = run_signal(&s, fmt);
        let got = expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        for (t, p) in s.truth.iter().zip(got) {
            let Some(p) = p else { continue };
            f.check();
            let (ds, de) = edge_errors_ms(&p, t, fmt.rate());
            if ds.abs() > 10.0 || de.abs() > 10.0 {
                f.push(format!(
                    "{fmt}: {} reported {:.1}–{:.1} ms: start {ds:+.1} ms, end {de:+.1} ms",
                    describe(t, fmt.rate()),
                    p.start_ms(fmt.rate()),
                    p.end_ms(fmt.rate())
                ));
            }
        }
    });
    f.finish();
}

#[test]
fn goal_edges_within_10ms() {
    edges_within_10ms("goal edges ±10 ms", 43, None);
}

#[test]
fn goal_edges_within_10ms_at_snr_15db() {
    // 15 dB is the must-operate noise line; every key's weaker tone is at −15 dBm0.
    edges_within_10ms("goal edges ±10 ms at SNR 15 dB", 49, Some(15.0));
}

// -----------------------------------------------------------------------------------------
// Framing and sample types
// -----------------------------------------------------------------------------------------

#[test]
fn frame_sizes_1_7_160_whole_give_identical_events() {
    let mut f = Failures::new("frame sizes");
    for_formats(44, |fmt, rng| {
        let mut s = random_sequence(fmt.rate(), 10, rng);
        s.noise_snr(20.0, rng);
        let input = s.render(fmt);
        let whole = run(fmt.rate(), &input, 0);
        expect_exact(
            &mut f,
            &format!("{fmt} whole"),
            &whole,
            &s.truth,
            fmt.rate(),
        );
        for frame in [1, 7, 160] {
            f.check();
            let r = run(fmt.rate(), &input, frame);
            if r != whole {
                f.push(format!(
                    "{fmt}: frame {frame} gave {} events (keys {:?}), whole buffer {} (keys {:?}); first difference at event {}",
                    r.events.len(),
                    r.keys(),
                    whole.events.len(),
                    whole.keys(),
                    r.events
                        .iter()
                        .zip(&whole.events)
                        .position(|(a, b)| a != b)
                        .unwrap_or(r.events.len().min(whole.events.len()))
                ));
            }
        }
    });
    f.finish();
}

#[test]
fn stream_ending_during_a_key_is_flushed_by_finish() {
    // The issue: "A stream that ends while a key is on can be flushed": `finish` must
    // report the KeyUp of a key still on at the end of the stream.
    let mut f = Failures::new("flush at end of stream");
    for_formats(46, |fmt, rng| {
        for ms in [60.0, 300.0] {
            let mut s = Signal::new(fmt.rate());
            s.pause(100.0);
            let k = Key::ALL[rng.below(16)];
            s.key(
                &KeySpec::new(k, ms, -10.0).label("runs to the end of the stream"),
                rng,
            );
            let run = run_signal(&s, fmt);
            expect_exact(&mut f, &fmt.to_string(), &run, &s.truth, fmt.rate());
        }
    });
    f.finish();
}

#[test]
fn f32_input_gives_the_same_events_as_i16() {
    let mut f = Failures::new("f32 = i16");
    for (i, &rate) in RATES.iter().enumerate() {
        let mut rng = Rng::new(45 + i as u64);
        let s = random_sequence(rate, 10, &mut rng);
        let a = run_signal(&s, Format::Pcm(rate));
        let b = run_signal(&s, Format::F32(rate));
        expect_exact(&mut f, &format!("{rate} f32"), &b, &s.truth, rate);
        f.check();
        if a != b {
            f.push(format!(
                "{rate} Hz: f32 events {:?} differ from i16 events {:?}",
                b.keys(),
                a.keys()
            ));
        }
    }
    f.finish();
}

#[test]
fn all_sixteen_keys_at_generator_defaults_every_format() {
    // A sanity line: the library's own generator, default settings, every format.
    let mut f = Failures::new("generator defaults");
    for fmt in FORMATS {
        let g = touchtone::Generator::new(touchtone::GeneratorConfig {
            sample_rate: fmt.rate(),
            ..Default::default()
        })
        .unwrap();
        let pcm = g.render_str("0123456789*#ABCD").unwrap();
        let input = match fmt {
            Format::Ulaw => Input::Ulaw(
                pcm.iter()
                    .map(|&v| touchtone::g711::linear_to_ulaw(v))
                    .collect(),
            ),
            Format::Alaw => Input::Alaw(
                pcm.iter()
                    .map(|&v| touchtone::g711::linear_to_alaw(v))
                    .collect(),
            ),
            _ => Input::I16(pcm),
        };
        let r = run(fmt.rate(), &input, 160);
        f.check();
        if r.keys() != "0123456789*#ABCD" {
            f.push(format!("{fmt}: decoded {:?}", r.keys()));
        }
    }
    f.finish();
}

/// The same requirement tests with the `relaxed` profile: everything a receiver must accept,
/// and everything that is not DTMF rejected. Left out, because `relaxed` widens them on
/// purpose for recordings made outside the network: the twist rejection goal (it accepts
/// 14 dB normal and 18 dB reverse twist), the rejection of 23 ms tones (it accepts tones
/// from 20 ms), and a key plus an equal non-DTMF tone (it tolerates a steady interferer
/// beside a key, as two-way radio carries one; three DTMF tones are still rejected).
mod relaxed {
    use crate::common::with_profile;
    use touchtone::DetectorConfig;

    macro_rules! relaxed {
        ($($name:ident),* $(,)?) => {$(
            #[test]
            fn $name() {
                with_profile(DetectorConfig::relaxed, super::$name);
            }
        )*};
    }

    relaxed!(
        freq_deviation_1_5_percent_each_tone_and_both_detect,
        freq_deviation_3_5_percent_either_tone_rejected,
        level_minus25_to_0_dbm0_detect,
        goal_level_minus36_to_plus3_dbm0_detect_clipped_included,
        goal_level_minus45_dbm0_and_weaker_rejected,
        twist_normal_8db_reverse_4db_detect,
        tone_40ms_pause_40ms_same_key_repeated_gives_separate_keys,
        tone_3s_is_one_key,
        dropout_10ms_inside_a_tone_is_bridged,
        noise_snr_15db_detect,
        goal_noise_snr_10db_99_percent_and_no_extra_keys,
        white_noise_alone_gives_no_key,
        non_dtmf_single_tone_rejected,
        non_dtmf_two_tones_of_one_group_rejected,
        non_dtmf_three_tones_rejected,
        non_dtmf_dial_tones_rejected,
        non_dtmf_busy_and_reorder_480_620_rejected,
        non_dtmf_ringback_440_480_rejected,
        non_dtmf_test_tones_1000_1004_rejected,
        non_dtmf_fax_cng_1100_rejected,
        non_dtmf_answer_tone_2100_with_phase_reversals_rejected,
        non_dtmf_sit_rejected,
        non_dtmf_sweeps_rejected,
        reported_levels_and_twist_within_1db,
        reported_levels_and_twist_within_1db_at_1_5_percent_deviation,
        latency_keydown_and_keyup_within_50ms,
        goal_edges_within_10ms,
        goal_edges_within_10ms_at_snr_15db,
        frame_sizes_1_7_160_whole_give_identical_events,
        stream_ending_during_a_key_is_flushed_by_finish,
        f32_input_gives_the_same_events_as_i16,
        all_sixteen_keys_at_generator_defaults_every_format,
    );
}
