//! Field conditions: what recordings made outside the network do to keys, with self-made
//! signals of known truth (the `relaxed` profile must decode them; `standard` keeps the
//! requirements' limits), and what must still be rejected by both profiles.
//!
//! * reverse twist 16 dB (an acoustic recording of a handset);
//! * 40 ms tones with 25 ms gaps and an 8 ms noise burst inside every tone, and a burst
//!   after a tone's first 13–15 ms;
//! * two-way radio: 8-bit, clipped, both tones 1.5 % low, a steady 988 Hz interferer;
//! * keys 5 dB above dial tone, speech and music (talk-down);
//! * a DC offset and 50 Hz hum; a key whose level steps down 12 dB mid-tone;
//! * a sung vowel whose 7th and 11th harmonics sit on 770 and 1209 Hz (talk-off);
//! * a key whose mean frequency over its windows is off by more than the limit, and keys
//!   whose two tones drifted 1.9 % together;
//! * a low tone fading under a steady high one (two notes) and a key fading as a whole;
//! * a note joining one already held, on a key's two frequencies (talk-off);
//! * single tones, three tones, call-progress tones and noise (relaxed must reject them too).

use crate::common::*;
use std::f64::consts::TAU;
use touchtone::generator::dbm0_to_peak;
use touchtone::{Detector, DetectorConfig, Event, Explainer, Key, Rejection};

fn standard(rate: u32) -> DetectorConfig {
    DetectorConfig::standard(rate)
}

fn relaxed(rate: u32) -> DetectorConfig {
    DetectorConfig::relaxed(rate)
}

/// Run `sig` (16-bit PCM) through a detector with `cfg` and an [`Explainer`] in 160-sample
/// frames: the events and the rejections, those at the stream's end included.
fn explained(cfg: &DetectorConfig, sig: &Signal) -> (Vec<Event>, Vec<Rejection>) {
    let mut det = Detector::new(cfg.clone()).unwrap();
    let mut ex = Explainer::new(cfg);
    let (mut events, mut why) = (Vec::new(), Vec::new());
    for frame in sig.to_i16().chunks(160) {
        ex.process(&mut det, frame, |e| events.push(e), |r| why.push(r));
    }
    ex.finish(&mut det, |e| events.push(e), |r| why.push(r));
    (events, why)
}

/// The keys of the presses among `events`, in order.
fn keys_of(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::KeyUp { press, .. } => Some(press.key.to_char()),
            _ => None,
        })
        .collect()
}

/// Run `sig` rendered in `fmt` through a detector with `cfg` in 20 ms frames.
fn run_with(cfg: DetectorConfig, sig: &Signal, fmt: Format) -> Run {
    let frame = sig.samples(20.0);
    run_cfg(cfg, &sig.render(fmt), frame)
}

/// Keys one after another with `pause_ms` between them.
fn sequence(rate: u32, specs: &[KeySpec], pause_ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    s.pause(100.0);
    for spec in specs {
        s.key(spec, rng);
        s.pause(pause_ms);
    }
    s.pause(100.0);
    s
}

/// Keys found exactly (once, the right key) among `presses` at 8 kHz, and keys reported
/// where none was or more than once.
fn exact_and_wrong(presses: &[touchtone::KeyPress], truth: &[Truth]) -> (usize, usize) {
    let (per, extra) = matching(presses, truth, 8000, 15.0);
    let exact = per
        .iter()
        .zip(truth)
        .filter(|(idx, t)| matches!(idx.as_slice(), [j] if presses[*j].key == t.key))
        .count();
    let wrong = extra.len() + per.iter().filter(|idx| idx.len() > 1).count();
    (exact, wrong)
}

/// Every key with the high tone 16 dB louder. Key 4 (770 + 1209 Hz) is the hard one: the
/// loud 1209 Hz tone leaks into the 770 Hz bin's half windows at −5 dB against the weak
/// tone, which reads 2.3 % off unless the leakage is taken out.
#[test]
fn reverse_twist_16db_accepted_by_relaxed_and_rejected_by_standard() {
    let mut f = Failures::new("reverse twist 16 dB");
    let mut rng = Rng::new(16);
    let specs: Vec<KeySpec> = Key::ALL
        .iter()
        .map(|&k| KeySpec::new(k, 80.0, -10.0).levels(-24.0, -8.0))
        .collect();
    for rate in [8000, 16000, 48000] {
        let s = sequence(rate, &specs, 80.0, &mut rng);
        let fmt = Format::Pcm(rate);
        let run = run_with(relaxed(rate), &s, fmt);
        expect_exact(&mut f, &format!("relaxed {fmt}"), &run, &s.truth, rate);
        let run = run_with(standard(rate), &s, fmt);
        expect_none(&mut f, &format!("standard {fmt}"), &run, rate);
    }
    f.finish();
}

/// Relaxed's twist limits are 18 dB reverse and 14 dB normal: every key 1 dB inside each
/// is accepted, three times each at the phases the sequence gives it (keys 4 and 5 were
/// lost at 17–18 dB reverse twist while the loud tone's leakage into the weak tone's
/// half windows was not taken out).
#[test]
fn relaxed_accepts_every_key_1db_inside_its_twist_limits() {
    let mut f = Failures::new("relaxed twist limits");
    let mut rng = Rng::new(17);
    for (what, lo, hi) in [
        ("reverse 17 dB", -25.0, -8.0),
        ("normal 13 dB", -8.0, -21.0),
    ] {
        let specs: Vec<KeySpec> = Key::ALL
            .iter()
            .flat_map(|&k| [k, k, k])
            .map(|k| KeySpec::new(k, 70.0, -10.0).levels(lo, hi))
            .collect();
        for rate in [8000, 16000, 48000] {
            let s = sequence(rate, &specs, 70.0, &mut rng);
            let fmt = Format::Pcm(rate);
            let run = run_with(relaxed(rate), &s, fmt);
            expect_exact(&mut f, &format!("{what} {fmt}"), &run, &s.truth, rate);
        }
    }
    f.finish();
}

/// Every key 40 ms long, 25 ms apart, with an 8 ms burst of clipped noise (as loud as the
/// key) added somewhere inside it, at levels from −25 to −3 dBm0.
#[test]
fn tones_40ms_gaps_25ms_with_8ms_noise_bursts_decoded_by_relaxed() {
    let mut f = Failures::new("40 ms tones, 25 ms gaps, 8 ms noise bursts");
    for (seed, level) in [(1, -25.0), (2, -15.0), (3, -8.0), (4, -3.0)] {
        let mut rng = Rng::new(seed);
        let mut order: Vec<Key> = Key::ALL.to_vec();
        // Repeats of one key must stay separate keys across a 25 ms gap.
        order.extend([Key::ALL[5], Key::ALL[5], Key::ALL[11]]);
        let mut s = Signal::new(8000);
        s.pause(60.0);
        for &k in &order {
            let burst_at = rng.range(8.0, 24.0);
            let spec = KeySpec::new(k, 40.0, level);
            let start = s.cursor;
            s.key(&spec, &mut rng);
            // The noise: Gaussian with the key's RMS (two tones of peak p: RMS p), clipped
            // at twice that.
            let p = dbm0_to_peak(level);
            let from = start + s.samples(burst_at);
            for i in from..from + s.samples(8.0) {
                s.x[i] += (p * rng.gauss()).clamp(-2.0 * p, 2.0 * p);
            }
            s.pause(25.0);
        }
        s.pause(100.0);
        for fmt in [Format::Pcm(8000), Format::Ulaw] {
            let run = run_with(relaxed(8000), &s, fmt);
            let ctx = format!("relaxed {fmt} at {level} dBm0");
            expect_exact(&mut f, &ctx, &run, &s.truth, 8000);
        }
    }
    f.finish();
}

/// Two-way radio: both tones 1.5 % low, a steady 988 Hz tone 10 dB below each key tone,
/// squelch hiss 25 dB below, the whole clipped at 60 % of the keys' peak and quantised to
/// 8 bits; 60 ms tones, 60 ms gaps.
#[test]
fn clipped_8bit_radio_tones_1_5_percent_low_with_988hz_interferer_decoded_by_relaxed() {
    let mut f = Failures::new("8-bit radio");
    let mut rng = Rng::new(988);
    for level in [-12.0, -6.0] {
        let specs: Vec<KeySpec> = Key::ALL
            .iter()
            .map(|&k| KeySpec::new(k, 60.0, level).dev(-1.5, -1.5))
            .collect();
        let mut s = sequence(8000, &specs, 60.0, &mut rng);
        let len_ms = s.ms(s.x.len() as u64);
        let ph = rng.phase();
        s.tone(988.0, level - 10.0, ph, 0.0, len_ms);
        s.noise(level - 25.0, &mut rng);
        let clip = 0.6 * 2.0 * dbm0_to_peak(level);
        for v in &mut s.x {
            *v = (v.clamp(-clip, clip) / 256.0).round() * 256.0;
        }
        let run = run_with(relaxed(8000), &s, Format::Pcm(8000));
        expect_exact(
            &mut f,
            &format!("relaxed at {level} dBm0"),
            &run,
            &s.truth,
            8000,
        );
    }
    f.finish();
}

/// A sung vowel on 110 Hz (a bass-baritone's A2) whose formants sit on its 7th and 11th
/// harmonics, 770 and 1210 Hz: the pair of key 4 within 0.1 %. The source falls 12 dB per
/// octave, each formant has a 60 Hz bandwidth; the voice has a 5.5 Hz vibrato of ±1 %, as
/// singing does, and holds each note for 600 ms. Neither profile may report a key.
#[test]
fn sung_vowel_with_7th_and_11th_harmonics_on_770_and_1209_rejected() {
    let mut f = Failures::new("sung vowel 7th/11th harmonics");
    for (seed, vibrato) in [(7u64, 0.01), (11, 0.005)] {
        let mut rng = Rng::new(seed);
        let rate = 8000;
        let n = rate as usize * 3;
        let f0 = 110.0;
        let formant = |fr: f64, centre: f64| 1.0 / (1.0 + ((fr - centre) / 30.0).powi(2)).sqrt();
        let mut x = vec![0.0; n];
        let phases: Vec<f64> = (0..30).map(|_| rng.phase()).collect();
        let mut theta = 0.0;
        for (i, v) in x.iter_mut().enumerate() {
            let t = i as f64 / rate as f64;
            let fi = f0 * (1.0 + vibrato * (TAU * 5.5 * t).sin());
            theta += TAU * fi / rate as f64;
            for (h, &ph) in phases.iter().enumerate().skip(1) {
                let fr = f0 * h as f64;
                let a = (1.0 / (h * h) as f64) * (formant(fr, 770.0) + formant(fr, 1210.0));
                *v += a * (h as f64 * theta + ph).sin();
            }
        }
        // Level: the 7th harmonic at −10 dBm0.
        let a7 = (1.0 / 49.0) * (formant(770.0, 770.0) + formant(770.0, 1210.0));
        let g = dbm0_to_peak(-10.0) / a7;
        let mut s = Signal::new(rate);
        s.x = x.iter().map(|v| v * g).collect();
        for cfg in [standard(rate), relaxed(rate)] {
            for fmt in [Format::Pcm(8000), Format::Ulaw] {
                let run = run_with(cfg.clone(), &s, fmt);
                expect_none(
                    &mut f,
                    &format!("vibrato {vibrato} {fmt} {cfg:?}"),
                    &run,
                    rate,
                );
            }
        }
    }
    f.finish();
}

/// Single tones at and between the DTMF frequencies, three tones, call-progress tones and
/// white noise: `relaxed` rejects them as `standard` does.
#[test]
fn relaxed_still_rejects_single_tones_three_tones_call_progress_and_noise() {
    let mut f = Failures::new("relaxed rejects");
    let mut rng = Rng::new(3);
    for rate in [8000, 16000, 48000] {
        let mut cases: Vec<(String, Signal)> = Vec::new();
        for fr in ROWS
            .iter()
            .chain(COLS.iter())
            .copied()
            .chain([500.0, 1000.0, 1100.0, 1300.0, 1800.0, 2100.0])
        {
            cases.push((
                format!("single {fr} Hz"),
                steady(rate, &[(fr, -10.0)], 1000.0, &mut rng),
            ));
        }
        for k in Key::ALL {
            // The key plus a third tone of either group, as loud as the key's tones.
            let third = if k.row() < 3 {
                ROWS[k.row() + 1]
            } else {
                ROWS[0]
            };
            cases.push((
                format!("key {} + {third} Hz", k.to_char()),
                steady(
                    rate,
                    &[(k.row_freq(), -10.0), (k.col_freq(), -10.0), (third, -10.0)],
                    500.0,
                    &mut rng,
                ),
            ));
        }
        for (name, tones) in [
            ("dial 350+440", [350.0, 440.0]),
            ("busy 480+620", [480.0, 620.0]),
            ("ringback 440+480", [440.0, 480.0]),
            ("UK dial 350+450", [350.0, 450.0]),
        ] {
            cases.push((
                name.to_string(),
                steady(
                    rate,
                    &[(tones[0], -10.0), (tones[1], -10.0)],
                    2000.0,
                    &mut rng,
                ),
            ));
        }
        let mut noise = Signal::new(rate);
        noise.extend_to(3000.0).noise(-10.0, &mut rng);
        cases.push(("white noise -10 dBm0".into(), noise));
        for (name, s) in &cases {
            let run = run_with(relaxed(rate), s, Format::Pcm(rate));
            expect_none(&mut f, &format!("{name} at {rate} Hz"), &run, rate);
        }
    }
    f.finish();
}

/// A recording from `testdata/` (8 kHz mono), as samples.
fn load(name: &str) -> Vec<f64> {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    let a = touchtone::io::read_all(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!((a.sample_rate, a.channels), (8000, 1), "{path}");
    a.samples.iter().map(|&v| f64::from(v)).collect()
}

/// Keys of 80 ms placed over `background` where it is active (within 10 dB of its loudest
/// 100 ms), each 5 dB above the background's RMS over the key's own span (both tones equal:
/// the pair's RMS is one tone's peak). Returns the keys detected exactly (right key, once),
/// the keys placed, and the keys reported where none was placed.
fn talk_down_5db(cfg: DetectorConfig, background: &[f64], seed: u64) -> (usize, usize, usize) {
    let mut rng = Rng::new(seed);
    let mut s = Signal::new(8000);
    s.x = background.to_vec();
    let span = s.samples(80.0);
    let rms_at = |at: usize| {
        let v = &background[at..at + span];
        (v.iter().map(|x| x * x).sum::<f64>() / span as f64).sqrt()
    };
    let loudest = (0..background.len() - span)
        .step_by(span)
        .map(rms_at)
        .fold(0.0, f64::max);
    let mut at = s.samples(200.0);
    let mut i = 0;
    while at + s.samples(300.0) < background.len() {
        let local = rms_at(at);
        if local >= loudest * 0.316 {
            s.cursor = at;
            let level = touchtone::generator::peak_to_dbm0(local * 10f64.powf(5.0 / 20.0));
            s.key(&KeySpec::new(Key::ALL[i % 16], 80.0, level), &mut rng);
            i += 1;
            at += s.samples(rng.range(250.0, 400.0));
        } else {
            at += s.samples(20.0);
        }
    }
    let run = run_with(cfg, &s, Format::Pcm(8000));
    let presses = run.presses();
    let (per, extra) = matching(&presses, &s.truth, 8000, 15.0);
    let exact = per
        .iter()
        .zip(&s.truth)
        .filter(|(idx, t)| matches!(idx.as_slice(), [j] if presses[*j].key == t.key))
        .count();
    (exact, s.truth.len(), extra.len())
}

/// Dial tones: North America's 350 + 440 Hz (−13 dBm0 each, ANSI T1.401), the UK's
/// 350 + 450 Hz and Europe's 425 Hz (−10 dBm0).
fn dial_tones(ms: f64) -> [(&'static str, Vec<f64>); 3] {
    let mut rng = Rng::new(350);
    let mut tone = |t: &[(f64, f64)]| steady(8000, t, ms, &mut rng).x;
    [
        ("350+440 Hz", tone(&[(350.0, -13.0), (440.0, -13.0)])),
        ("350+450 Hz", tone(&[(350.0, -13.0), (450.0, -13.0)])),
        ("425 Hz", tone(&[(425.0, -10.0)])),
    ]
}

/// Keys 5 dB above the background are detected at least `min_pct` % of the time, with no
/// extra key, by each profile given.
fn check_talk_down(name: &str, background: &[f64], min_pct: f64, profiles: &[&str]) {
    let mut f = Failures::new(name);
    for &profile in profiles {
        let cfg = if profile == "relaxed" {
            relaxed(8000)
        } else {
            standard(8000)
        };
        let (exact, total, extra) = talk_down_5db(cfg, background, 5);
        f.check();
        assert!(total >= 16, "{name}: only {total} keys placed");
        let pct = 100.0 * exact as f64 / total as f64;
        if pct < min_pct || extra > 0 {
            f.push(format!(
                "{profile}: {exact} of {total} keys ({pct:.1} %, want ≥ {min_pct} %), {extra} extra"
            ));
        }
    }
    f.finish();
}

/// Keys 5 dB above a dial tone, by both profiles: the dial tone is a steady background
/// (see the detector's `floor`), whose energy the purity check of a new key leaves out.
#[test]
fn keys_5db_above_dial_tone_detected() {
    for (name, tone) in dial_tones(12_000.0) {
        check_talk_down(
            &format!("talk-down dial tone {name}"),
            &tone,
            95.0,
            &["standard", "relaxed"],
        );
    }
}

/// Keys 5 dB above speech, by both profiles. The standard profile passes them because a new
/// key's purity leaves out the background heard just before it (`background_share`):
/// without that it finds fewer than nine in ten.
#[test]
fn keys_5db_above_speech_detected() {
    let speech = load("speech-8k.wav");
    let cfg = DetectorConfig {
        background_share: 0.0,
        ..standard(8000)
    };
    let (exact, total, _) = talk_down_5db(cfg, &speech, 5);
    assert!(
        (exact as f64) < 0.9 * total as f64,
        "standard without background_share: {exact} of {total} keys, want < 90 % (the test \
         would not show what background_share does)"
    );
    check_talk_down(
        "talk-down speech",
        &load("speech-8k.wav"),
        95.0,
        &["standard", "relaxed"],
    );
}

#[test]
#[ignore = "goal not met yet: under music 5 dB below standard detects 60 %, relaxed 100 % with one extra key"]
fn keys_5db_above_music_detected() {
    check_talk_down(
        "talk-down music",
        &load("music-8k.wav"),
        95.0,
        &["standard", "relaxed"],
    );
}

/// `Explainer` names the check that rejected a candidate, with its measured value, and
/// whether the relaxed profile would accept it.
#[test]
fn explainer_names_the_failed_check_and_the_relaxed_verdict() {
    use touchtone::Reason;
    let explain = |cfg: DetectorConfig, spec: KeySpec| -> (String, Vec<Rejection>) {
        let mut rng = Rng::new(9);
        let mut s = Signal::new(8000);
        s.pause(100.0).key(&spec, &mut rng).pause(200.0);
        let (events, why) = explained(&cfg, &s);
        (keys_of(&events), why)
    };
    let k = Key::from_char('5').unwrap();
    // Reverse twist 14 dB: standard rejects it for twist, relaxed would accept.
    let (keys, why) = explain(
        standard(8000),
        KeySpec::new(k, 100.0, -10.0).levels(-22.0, -8.0),
    );
    assert_eq!(keys, "");
    match why.as_slice() {
        [r] => {
            assert_eq!(r.key, k);
            assert!(
                matches!(r.reason, Reason::Twist { db, limit_db } if (db + 14.0).abs() < 1.0 && limit_db == -6.0),
                "{r:?}"
            );
            assert!(r.relaxed_accepts);
        }
        other => panic!("twist: {other:?}"),
    }
    // High tone +2.9 %: frequency, beyond relaxed's 2 % too.
    let (keys, why) = explain(standard(8000), KeySpec::new(k, 100.0, -10.0).dev(0.0, 2.9));
    assert_eq!(keys, "");
    assert!(
        why.iter().any(|r| matches!(r.reason, Reason::Frequency { high: true, offset_pct, .. } if (offset_pct - 2.9).abs() < 0.3)
            && !r.relaxed_accepts),
        "{why:?}"
    );
    // 22 ms: shorter than standard's 31 ms.
    let (keys, why) = explain(standard(8000), KeySpec::new(k, 22.0, -10.0));
    assert_eq!(keys, "");
    assert!(
        why.iter()
            .any(|r| matches!(r.reason, Reason::Duration { ms, min_ms } if ms < min_ms)),
        "{why:?}"
    );
    // 45 ms, past `min_tone_ms`, but with `min_on_ms` at 40 ms: its passing windows
    // (one per 4 ms tick from 16 ms in, about 32 ms) are too few.
    let cfg = DetectorConfig {
        min_on_ms: 40.0,
        ..standard(8000)
    };
    let (keys, why) = explain(cfg, KeySpec::new(k, 45.0, -10.0));
    assert_eq!(keys, "");
    assert!(
        why.iter()
            .any(|r| matches!(r.reason, Reason::SeenOn { ms, min_ms }
            if (24.0..40.0).contains(&ms) && min_ms == 40.0)
                && r.relaxed_accepts),
        "{why:?}"
    );
    // Low tone 2.6 % low with each window allowed 3 %: its mean over the windows is beyond
    // `max_mean_freq_deviation` (1.8 %; relaxed's 2 % rejects it too).
    let cfg = DetectorConfig {
        max_freq_deviation: 0.03,
        ..standard(8000)
    };
    let (keys, why) = explain(cfg, KeySpec::new(k, 100.0, -10.0).dev(-2.6, 0.0));
    assert_eq!(keys, "");
    assert!(
        why.iter().any(
            |r| matches!(r.reason, Reason::MeanFrequency { high: false, offset_pct, limit_pct, .. }
            if (offset_pct + 2.6).abs() < 0.5 && (limit_pct - 1.8).abs() < 1e-4)
                && !r.relaxed_accepts
        ),
        "{why:?}"
    );
    // A key that is reported is not explained.
    let (keys, why) = explain(standard(8000), KeySpec::new(k, 100.0, -10.0));
    assert_eq!((keys, why.len()), (k.to_char().to_string(), 0), "{why:?}");
}

/// Long keys as a handset recorded through the air gives them (the finger moves, the
/// recorder drops a few samples): a 12 dB dip for 16 ms, a 4 ms dropout after which the key
/// is 6 dB louder, a 3 dB dip for 8 ms and then 6 dB softer, each with the tones' phases
/// jumping at a short dropout inside. Each stays one key for `relaxed` (its tones never
/// leave for more than 4 ms); the same key twice with 20 ms of silence between stays two
/// keys. Without `max_held_gap_ms` such keys split (the windows around the change fail for
/// longer than the dropout bridge).
#[test]
fn long_keys_with_level_dips_and_steps_stay_one_key() {
    let mut f = Failures::new("level dips and steps");
    let mut split = 0;
    for (seed, level) in [(21u64, -25.0), (22, -12.0)] {
        let mut rng = Rng::new(seed);
        let mut s = Signal::new(8000);
        s.pause(100.0);
        let scale = |s: &mut Signal, from_ms: f64, to_ms: f64, g: f64| {
            let (a, b) = (s.samples(from_ms), s.samples(to_ms));
            for v in &mut s.x[a..b] {
                *v *= g;
            }
        };
        for (i, k) in Key::ALL.iter().enumerate() {
            let start = s.ms(s.cursor as u64);
            let len = rng.range(250.0, 400.0);
            let at = rng.range(60.0, len - 80.0);
            let jump = rng.range(1.0, 5.0);
            let (drop_at, drop_len) = match i % 3 {
                0 => (at + 6.0, 2.0),
                1 => (at, 4.0),
                _ => (at, 1.0),
            };
            s.key(
                &KeySpec::new(*k, len, level).dropout(drop_at, drop_len, jump),
                &mut rng,
            );
            let (at, end) = (start + at, start + len);
            match i % 3 {
                0 => scale(&mut s, at, at + 16.0, 0.25),
                1 => scale(&mut s, at + 4.0, end, 2.0),
                _ => {
                    scale(&mut s, at - 4.0, at + 4.0, 0.7);
                    scale(&mut s, at + 4.0, end, 0.5);
                }
            }
            if i % 4 == 3 {
                // The same key again after 20 ms of silence: two keys.
                s.pause(20.0);
                s.key(&KeySpec::new(*k, 80.0, level), &mut rng);
            }
            s.pause(rng.range(60.0, 120.0));
        }
        s.pause(100.0);
        for fmt in [Format::Pcm(8000), Format::Ulaw] {
            let run = run_with(relaxed(8000), &s, fmt);
            let ctx = format!("relaxed {fmt} at {level} dBm0");
            expect_exact(&mut f, &ctx, &run, &s.truth, 8000);
        }
        // The condition is real: without the bridge of present tones, keys split.
        let cfg = DetectorConfig {
            max_held_gap_ms: 0.0,
            ..relaxed(8000)
        };
        let run = run_with(cfg, &s, Format::Pcm(8000));
        split += run.presses().len().saturating_sub(s.truth.len());
    }
    f.check();
    if split == 0 {
        f.push("no key split without max_held_gap_ms".into());
    }
    f.finish();
}

/// A burst early in a short tone, as in the shared set's `tino_m27` files: 13–15 ms of the
/// tone, 8–10 ms of clipped noise 1.5 times as loud as the key replacing it, then the rest
/// of a 41–43 ms tone. Neither piece holds two whole 16 ms windows; three whole ticks of
/// the tone before the burst stand in for the second window. `relaxed` finds at least 80 %
/// of the keys at each level and 90 % of all, with no extra or doubled key (measured: 28, 30
/// and 31 of 32; 25, 30 and 30, 88.5 %, when one window after the burst is never enough).
#[test]
fn tone_with_a_burst_after_its_first_13_to_15ms_decoded_by_relaxed() {
    let mut f = Failures::new("burst after 13-15 ms");
    let (mut found, mut total) = (0, 0);
    for (seed, level) in [(41u64, -25.0), (42, -12.0), (43, -4.0)] {
        let mut rng = Rng::new(seed);
        let mut s = Signal::new(8000);
        s.pause(60.0);
        for _ in 0..2 {
            for &k in Key::ALL.iter() {
                let start = s.cursor;
                s.key(&KeySpec::new(k, rng.range(41.0, 43.0), level), &mut rng);
                let p = dbm0_to_peak(level);
                let from = start + s.samples(rng.range(13.0, 15.0));
                for i in from..from + s.samples(rng.range(8.0, 10.0)) {
                    s.x[i] = (1.5 * p * rng.gauss()).clamp(-3.0 * p, 3.0 * p);
                }
                s.pause(rng.range(30.0, 35.0));
            }
        }
        s.pause(100.0);
        let run = run_with(relaxed(8000), &s, Format::Pcm(8000));
        let presses = run.presses();
        let (exact, wrong) = exact_and_wrong(&presses, &s.truth);
        let n = s.truth.len();
        (found, total) = (found + exact, total + n);
        f.check();
        if exact * 100 < 80 * n || wrong > 0 {
            f.push(format!(
                "at {level} dBm0: {exact} of {n} keys, {wrong} extra or doubled"
            ));
        }
    }
    f.check();
    if found * 100 < 90 * total {
        f.push(format!("{found} of {total} keys in all"));
    }
    f.finish();
}

/// Machine-dialled keys as a stress generator makes them: 40–45 ms tones, 30–35 ms gaps,
/// each tone up to 1.5 % off, and inside every tone a burst of clipped noise 1.5 times as
/// loud as the key *replacing* it for 6–10 ms anywhere (so that only 15–20 ms of the tone
/// may be left on either side). `relaxed` reports no extra or doubled key, repeats
/// included, and at least 90 % of the keys at each level (measured: 92–97 %; a tone
/// whose pieces on both sides of the burst are too short for a whole 16 ms window is
/// still lost); without `max_burst_ms` it finds fewer.
#[test]
fn tones_40ms_with_10ms_noise_bursts_replacing_the_tone_decoded_by_relaxed() {
    let mut f = Failures::new("40 ms tones with the tone replaced by 10 ms bursts");
    let (mut with, mut without) = (0, 0);
    for (seed, level) in [(31u64, -25.0), (32, -12.0), (33, -4.0)] {
        let mut rng = Rng::new(seed);
        let mut order: Vec<Key> = Key::ALL.to_vec();
        order.extend(Key::ALL.iter().rev());
        order.extend([Key::ALL[2], Key::ALL[2], Key::ALL[9], Key::ALL[9]]);
        let mut s = Signal::new(8000);
        s.pause(60.0);
        for &k in &order {
            let len = rng.range(40.0, 45.0);
            let burst = rng.range(6.0, 10.0);
            let at = rng.range(0.0, len - burst);
            let dev = (rng.range(-1.5, 1.5), rng.range(-1.5, 1.5));
            let start = s.cursor;
            s.key(&KeySpec::new(k, len, level).dev(dev.0, dev.1), &mut rng);
            let p = dbm0_to_peak(level);
            let from = start + s.samples(at);
            for i in from..from + s.samples(burst) {
                s.x[i] = (1.5 * p * rng.gauss()).clamp(-3.0 * p, 3.0 * p);
            }
            s.pause(rng.range(30.0, 35.0));
        }
        s.pause(100.0);
        // Keys found exactly (once, the right key) and keys reported where none was or
        // more than once.
        let score = |cfg: DetectorConfig, fmt: Format| {
            let run = run_with(cfg, &s, fmt);
            let presses = run.presses();
            exact_and_wrong(&presses, &s.truth)
        };
        for fmt in [Format::Pcm(8000), Format::Ulaw] {
            let (exact, wrong) = score(relaxed(8000), fmt);
            f.check();
            let n = s.truth.len();
            if exact * 100 < 90 * n || wrong > 0 {
                f.push(format!(
                    "relaxed {fmt} at {level} dBm0: {exact} of {n} keys, {wrong} extra or doubled"
                ));
            }
            if fmt == Format::Pcm(8000) {
                with += exact;
            }
        }
        let cfg = DetectorConfig {
            max_burst_ms: 0.0,
            ..relaxed(8000)
        };
        without += score(cfg, Format::Pcm(8000)).0;
    }
    // The condition is real: without piecing the tone together across the burst, keys
    // are lost.
    f.check();
    if without >= with {
        f.push(format!(
            "{without} keys without max_burst_ms, {with} with it"
        ));
    }
    f.finish();
}

/// Keys recorded with a DC offset of 40 % of full scale (a softphone capture of the shared
/// set sits 14 000 units off zero) and, on other keys, 50 Hz hum 10 dB above each tone:
/// `relaxed` decodes every key at every rate; without its high-pass it loses them (the
/// offset's leakage into the low-group bins and the hum's share of the energy).
#[test]
fn keys_on_dc_offset_and_hum_decoded_by_relaxed() {
    let mut f = Failures::new("DC offset and hum");
    let mut lost = 0;
    for rate in [8000, 16000, 48000] {
        let mut rng = Rng::new(40);
        let level = -12.0;
        let specs: Vec<KeySpec> = Key::ALL
            .iter()
            .map(|&k| KeySpec::new(k, 70.0, level))
            .collect();
        let mut s = sequence(rate, &specs, 70.0, &mut rng);
        let n = s.x.len();
        let (first, second) = (n / 2, n);
        let hum = dbm0_to_peak(level + 10.0);
        let dc = 0.4 * 32767.0;
        for v in &mut s.x[..first] {
            *v += dc;
        }
        for (i, v) in s.x[first..second].iter_mut().enumerate() {
            *v += hum * (TAU * 50.0 * (first + i) as f64 / rate as f64).sin();
        }
        let fmt = Format::Pcm(rate);
        let run = run_with(relaxed(rate), &s, fmt);
        expect_exact(&mut f, &format!("relaxed {fmt}"), &run, &s.truth, rate);
        let cfg = DetectorConfig {
            highpass_hz: 0.0,
            ..relaxed(rate)
        };
        let run = run_with(cfg, &s, fmt);
        lost += s.truth.len().saturating_sub(run.presses().len());
    }
    f.check();
    if lost == 0 {
        f.push("no key lost without the high-pass".into());
    }
    f.finish();
}

/// A long key whose level drops by 12 dB mid-tone behind three 1 ms breaks with phase
/// jumps, 8 ms apart (a softphone handing the tone over from its own generator to the
/// network's: the window checks fail for longer than the dropout bridge): one key in
/// `relaxed`, at 8 kHz and through μ-law, and keys of the same digit 40 ms apart stay two
/// keys. Without `max_held_gap_ms` such keys split.
#[test]
fn key_stepping_down_12db_mid_tone_stays_one_key() {
    let mut f = Failures::new("12 dB step mid-tone");
    let mut rng = Rng::new(41);
    let mut s = Signal::new(8000);
    s.pause(100.0);
    for (i, &k) in Key::ALL.iter().enumerate() {
        let start = s.cursor;
        let len = rng.range(100.0, 200.0);
        let at_ms = rng.range(40.0, len - 40.0);
        let jump = rng.range(1.0, 5.0);
        s.key(
            &KeySpec::new(k, len, -8.0)
                .dropout(at_ms, 1.0, jump)
                .dropout(at_ms + 8.0, 1.0, jump + 1.0)
                .dropout(at_ms + 16.0, 1.0, jump + 2.0),
            &mut rng,
        );
        let at = start + s.samples(at_ms);
        for v in &mut s.x[at..s.cursor] {
            *v *= 10f64.powf(-12.0 / 20.0);
        }
        if i % 4 == 1 {
            s.pause(40.0);
            s.key(&KeySpec::new(k, 60.0, -8.0), &mut rng);
        }
        s.pause(rng.range(80.0, 120.0));
    }
    s.pause(100.0);
    for fmt in [Format::Pcm(8000), Format::Ulaw] {
        let run = run_with(relaxed(8000), &s, fmt);
        expect_exact(&mut f, &format!("relaxed {fmt}"), &run, &s.truth, 8000);
    }
    // The condition is real: without the bridge of present tones, keys split.
    let cfg = DetectorConfig {
        max_held_gap_ms: 0.0,
        ..relaxed(8000)
    };
    let split = run_with(cfg, &s, Format::Pcm(8000)).presses().len();
    f.check();
    if split <= s.truth.len() {
        f.push("no key split without max_held_gap_ms".into());
    }
    f.finish();
}

/// `max_mean_freq_deviation` holds a key to its limit over the key's windows, not only
/// window by window: with each window allowed 3 %, every key 2.6 % off in one tone is
/// reported without the mean limit and none with it (1.8 %, the standard value); keys
/// 1.5 % off in both tones (which must be accepted) are reported either way, at 8, 16 and
/// 48 kHz and through μ-law.
#[test]
fn key_whose_mean_frequency_is_beyond_the_limit_is_not_reported() {
    let mut f = Failures::new("mean frequency");
    for rate in [8000, 16000, 48000] {
        let loose = DetectorConfig {
            max_freq_deviation: 0.03,
            ..standard(rate)
        };
        let without = DetectorConfig {
            max_mean_freq_deviation: 0.0,
            ..loose.clone()
        };
        let mut rng = Rng::new(rate as u64 + 5);
        for (dev_lo, dev_hi, want_with) in
            [(-2.6, 0.0, false), (0.0, 2.6, false), (1.5, -1.5, true)]
        {
            let specs: Vec<KeySpec> = Key::ALL
                .iter()
                .map(|&k| KeySpec::new(k, 80.0, -12.0).dev(dev_lo, dev_hi))
                .collect();
            let sig = sequence(rate, &specs, 80.0, &mut rng);
            let all: String = Key::ALL.iter().map(|k| k.to_char()).collect();
            for fmt in [Format::Pcm(rate), Format::Ulaw] {
                if fmt == Format::Ulaw && rate != 8000 {
                    continue;
                }
                let ctx = format!("{rate} Hz {fmt} low {dev_lo:+} % high {dev_hi:+} %");
                f.check();
                let got = run_with(without.clone(), &sig, fmt).keys();
                if got != all {
                    f.push(format!(
                        "{ctx}: without the mean limit got {got:?}, want {all:?}"
                    ));
                }
                f.check();
                let got = run_with(loose.clone(), &sig, fmt).keys();
                let want = if want_with { all.as_str() } else { "" };
                if got != want {
                    f.push(format!("{ctx}: with it got {got:?}, want {want:?}"));
                }
            }
        }
    }
    f.finish();
}

/// A note joining one already held (a chord or a melody over a sustained note) makes the
/// pair of a key for 200 ms, but its tones did not start together: neither profile reports
/// it (`held_tone_db`), and the explainer says which tone was held. Each key, with its low
/// and then its high tone held from 150 ms before the other joins until 150 ms after it
/// leaves, both at −12 dBm0, at 8, 16 and 48 kHz. With the check off the same signal gives
/// every key.
#[test]
fn note_joining_a_held_note_is_not_a_key() {
    use touchtone::Reason;
    let mut f = Failures::new("held note");
    for rate in [8000, 16000, 48000] {
        let mut rng = Rng::new(u64::from(rate) + 21);
        let mut s = Signal::new(rate);
        let mut at = 100.0;
        for high_held in [false, true] {
            for &k in &Key::ALL {
                let (held, joining) = if high_held {
                    (k.col_freq(), k.row_freq())
                } else {
                    (k.row_freq(), k.col_freq())
                };
                s.tone(held, -12.0, rng.phase(), at, 500.0);
                s.tone(joining, -12.0, rng.phase(), at + 150.0, 200.0);
                at += 700.0;
            }
        }
        s.extend_to(at);
        let all: String = Key::ALL.iter().map(|k| k.to_char()).collect();
        let all = all.repeat(2);
        let off = DetectorConfig {
            held_tone_db: 0.0,
            ..standard(rate)
        };
        f.check();
        let got = run_with(off, &s, Format::Pcm(rate)).keys();
        if got != all {
            f.push(format!("{rate} Hz, check off: got {got:?}, want {all:?}"));
        }
        for cfg in [standard(rate), relaxed(rate)] {
            let run = run_with(cfg.clone(), &s, Format::Pcm(rate));
            expect_none(&mut f, &format!("{rate} Hz {cfg:?}"), &run, rate);
        }
        if rate == 8000 {
            let (_, why) = explained(&standard(rate), &s);
            for (i, &k) in Key::ALL.iter().chain(Key::ALL.iter()).enumerate() {
                let high = i >= 16;
                let (from, to) = (
                    s.samples(250.0 + 700.0 * i as f64) as u64,
                    s.samples(450.0 + 700.0 * i as f64) as u64,
                );
                f.check();
                let named = why.iter().any(|r| {
                    r.key == k
                        && r.start < to
                        && r.end > from
                        && r.reason == Reason::HeldTone { high }
                        && !r.relaxed_accepts
                });
                if !named {
                    f.push(format!(
                        "explainer: key {k:?} (high held: {high}) not named held"
                    ));
                }
            }
        }
    }
    f.finish();
}

/// Each key with both tones switched on over `rise_ms` (amplitude rising linearly to −12
/// dBm0 each), held 200 ms, then switched off, 300 ms apart.
fn keys_rising_over(rate: u32, rise_ms: f64, seed: u64) -> Signal {
    let mut rng = Rng::new(seed);
    let mut s = Signal::new(rate);
    let (n_rise, n_all) = (s.samples(rise_ms), s.samples(rise_ms + 200.0));
    let peak = dbm0_to_peak(-12.0);
    let mut at = s.samples(100.0);
    for &k in &Key::ALL {
        let (p_lo, p_hi) = (rng.phase(), rng.phase());
        s.x.resize(at + n_all + s.samples(300.0), 0.0);
        for i in 0..n_all {
            let a = peak * (i as f64 / n_rise as f64).min(1.0);
            let t = i as f64 / f64::from(rate);
            s.x[at + i] =
                a * ((TAU * k.row_freq() * t + p_lo).sin() + (TAU * k.col_freq() * t + p_hi).sin());
        }
        at += n_all + s.samples(300.0);
    }
    s
}

/// An instrument's note swells in; a telephone switches a key's tones on at once
/// (`max_rise_ms`). `testdata/flute-dyads-8k.wav` holds twelve flute and pan-flute dyads
/// (General MIDI, FluidR3), each note pitch-bent to within 1 % of a key's row and column
/// (`scripts/make-flute-dyads.py`): with the check off the standard profile reports every
/// one; with it, at most two (the development corpus's flute chords: 23 → 13 false keys),
/// and the explainer says of each one it does not report that its tones swelled in and that
/// the relaxed profile (which leaves the check off) would take it. Keys whose tones rise
/// over 4 ms are still reported at 8, 16 and 48 kHz.
#[test]
fn notes_swelling_in_are_not_keys_and_keys_switched_on_at_once_are() {
    use touchtone::Reason;
    let mut f = Failures::new("rise");
    let mut dyads = Signal::new(8000);
    dyads.x = load("flute-dyads-8k.wav");
    // Dyad i sounds from 500 + 650·i ms for 350 ms (the script's timing).
    let sounding = |i: usize| (500.0 + 650.0 * i as f64, 850.0 + 650.0 * i as f64);
    let off = DetectorConfig {
        max_rise_ms: 0.0,
        ..standard(8000)
    };
    let got = run_with(off, &dyads, Format::Pcm(8000)).keys();
    f.check();
    if got != "5B63205B6294" {
        f.push(format!(
            "check off: got {got:?}, want the 12 dyads, 5B63205B6294"
        ));
    }
    let (keys, why) = explained(&standard(8000), &dyads);
    let ms = |n: u64| n as f64 / 8.0;
    let reported: Vec<usize> = keys
        .iter()
        .filter_map(|e| match e {
            touchtone::Event::KeyDown { start, .. } => {
                (0..12).find(|&i| (sounding(i).0 - 50.0..sounding(i).1).contains(&ms(*start)))
            }
            _ => None,
        })
        .collect();
    f.check();
    if reported.len() > 2 {
        f.push(format!(
            "check on: {} dyads reported, want at most 2",
            reported.len()
        ));
    }
    for i in (0..12).filter(|i| !reported.contains(i)) {
        let (from, to) = sounding(i);
        f.check();
        let named = why.iter().any(|r| {
            ms(r.start) < to
                && ms(r.end) > from
                && matches!(r.reason, Reason::SlowRise { ms, max_ms } if ms > max_ms)
                && r.relaxed_accepts
        });
        if !named {
            f.push(format!("dyad {i} at {from} ms: not named as swelling in"));
        }
    }
    let all: String = Key::ALL.iter().map(|k| k.to_char()).collect();
    for rate in [8000, 16000, 48000] {
        let fast = keys_rising_over(rate, 4.0, u64::from(rate) + 6);
        f.check();
        let got = run_with(standard(rate), &fast, Format::Pcm(rate)).keys();
        if got != all {
            f.push(format!("{rate} Hz, 4 ms rise: got {got:?}, want {all:?}"));
        }
    }
    f.finish();
}

/// Two tones a speed or clock error moved together (`max_common_drift`): `relaxed` decodes
/// at least 15 of the 16 keys with both tones 1.9 % high, and 1.9 % low, at 8, 16 and
/// 48 kHz; without the field, at least four fewer (each tone alone is held to 1.8 % on
/// average, and the mean of a tone this far off reads beyond it about half the time).
#[test]
fn common_drift_of_1_9_percent_decoded_by_relaxed() {
    let mut f = Failures::new("common drift");
    for rate in [8000, 16000, 48000] {
        let mut rng = Rng::new(u64::from(rate) + 7);
        let mut run = |d: f64, cfg: DetectorConfig| {
            let specs: Vec<KeySpec> = Key::ALL
                .iter()
                .map(|&k| KeySpec::new(k, 80.0, -10.0).dev(d, d))
                .collect();
            let s = sequence(rate, &specs, 80.0, &mut rng);
            let run = run_with(cfg, &s, Format::Pcm(rate));
            let (keys, expected) = (run.keys(), s.truth.iter().map(|t| t.key.to_char()));
            // Keys found in order, none extra.
            let mut found = 0;
            let mut rest = keys.chars().peekable();
            for e in expected {
                if rest.peek() == Some(&e) {
                    rest.next();
                    found += 1;
                }
            }
            (found, rest.count())
        };
        for d in [1.9, -1.9] {
            let (with, extra) = run(d, relaxed(rate));
            f.check();
            if with < 15 || extra > 0 {
                f.push(format!(
                    "{rate} Hz, both tones {d:+} %: {with} of 16, {extra} extra"
                ));
            }
            let off = DetectorConfig {
                max_common_drift: 0.0,
                ..relaxed(rate)
            };
            let (without, _) = run(d, off);
            f.check();
            if without + 4 > with {
                f.push(format!(
                    "{rate} Hz, both tones {d:+} %: {without} of 16 without max_common_drift, {with} with"
                ));
            }
        }
    }
    f.finish();
}

/// A key's twist holds while its level moves; two notes fade each their own way
/// (`max_twist_swing_db`). Of the 16 keys with the high tone steady and the low tone
/// starting 8 dB over it and fading 0.6 dB per ms (a struck note under a held one),
/// `relaxed` reports at most 5 (measured 3–5; a pair confirmed within its first few
/// windows swings less than the limit by then) and the explainer puts at least three
/// quarters of the others down to the swing (measured 9 of 11 to 12 of 13; the rest end
/// before their swing is judged); with the field off at least 12 are reported. Every
/// key with both tones fading together by 0.35 dB per ms is reported by both profiles.
#[test]
fn a_twist_that_swings_is_two_notes_and_a_key_fading_as_a_whole_is_a_key() {
    use touchtone::Reason;
    let mut f = Failures::new("twist swing");
    for rate in [8000, 16000, 48000] {
        let mut rng = Rng::new(u64::from(rate) + 9);
        // Gains (dB) of the low and high tone at `ms` into the tone.
        type Env = fn(f64) -> (f64, f64);
        let apart: Env = |ms| (8.0 - 0.6 * ms, 0.0);
        let together: Env = |ms| (-0.35 * ms, -0.35 * ms);
        let mut run = |(env, dbm0, ms): (Env, f64, f64), cfg: DetectorConfig| {
            let mut s = Signal::new(rate);
            let peak = dbm0_to_peak(dbm0);
            let n = s.samples(ms);
            let mut at = s.samples(100.0);
            for &k in &Key::ALL {
                let (p_lo, p_hi) = (rng.phase(), rng.phase());
                s.x.resize(at + n + s.samples(200.0), 0.0);
                for i in 0..n {
                    let t = i as f64 / f64::from(rate);
                    let (g_lo, g_hi) = env(t * 1000.0);
                    let a = |g: f64| peak * 10f64.powf(g / 20.0);
                    s.x[at + i] = a(g_lo) * (TAU * k.row_freq() * t + p_lo).sin()
                        + a(g_hi) * (TAU * k.col_freq() * t + p_hi).sin();
                }
                at += n + s.samples(200.0);
            }
            // Keys reported, and how many rejections the explainer puts down to the swing.
            let (events, why) = explained(&cfg, &s);
            let swung = why
                .iter()
                .filter(|r| matches!(r.reason, Reason::TwistSwing { db, max_db } if db > max_db))
                .count();
            (keys_of(&events).len(), swung)
        };
        let (apart, together) = ((apart, -16.0, 60.0), (together, -12.0, 80.0));
        let (n, swung) = run(apart, relaxed(rate));
        f.check();
        if n > 5 || 4 * swung < 3 * (16 - n) {
            f.push(format!(
                "{rate} Hz: {n} of 16 keys with the low tone fading alone, {swung} explained by the swing"
            ));
        }
        let off = DetectorConfig {
            max_twist_swing_db: 0.0,
            ..relaxed(rate)
        };
        let (n, _) = run(apart, off);
        f.check();
        if n < 12 {
            f.push(format!(
                "{rate} Hz, field off: only {n} of 16 such pairs reported"
            ));
        }
        for cfg in [relaxed(rate), standard(rate)] {
            let (n, _) = run(together, cfg);
            f.check();
            if n != 16 {
                f.push(format!("{rate} Hz, both tones fading: {n} of 16 keys"));
            }
        }
    }
    f.finish();
}
