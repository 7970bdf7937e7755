//! End to end: generated caller recordings with keys at known times, through the detector
//! and the gather (`run_over_recording`, the logic of `touchtone gather`, whose command line
//! is tested in `cli/tests/gather.rs`). Expected `end_ms` values are computed from the key times and the
//! timeouts by the rules; the detector's edge estimates are good to ±10 ms.

use crate::common::recording;
use std::time::Duration;
use touchtone::gather::{run_over_recording, GatherConfig, GatherResult, Reason, RecordingOptions};
use touchtone::{Key, KeySet};

const TOL_MS: i64 = 10;

fn run(samples: &[i16], rate: u32, config: GatherConfig, prompt_ms: u64) -> GatherResult {
    run_over_recording(
        samples,
        rate,
        &RecordingOptions {
            config,
            prompt: Duration::from_millis(prompt_ms),
            frame: None,
        },
    )
    .unwrap()
}

fn assert_near(got: u64, want: u64) {
    assert!(
        (got as i64 - want as i64).abs() <= TOL_MS,
        "end_ms {got}, expected {want} ± {TOL_MS}"
    );
}

fn secs(s: u64) -> GatherConfig {
    GatherConfig {
        first_key_timeout: Duration::from_secs(s),
        inter_key_timeout: Duration::from_secs(s),
        ..Default::default()
    }
}

#[test]
fn max_keys_without_prompt_ends_at_the_last_key_down() {
    for rate in [8000, 16000, 48000] {
        let pcm = recording(
            rate,
            2000,
            &[
                ('1', 500, 80),
                ('2', 800, 80),
                ('3', 1100, 80),
                ('4', 1400, 80),
            ],
        );
        let r = run(
            &pcm,
            rate,
            GatherConfig {
                max_keys: 4,
                ..Default::default()
            },
            0,
        );
        assert_eq!(
            (r.keys.as_str(), r.reason, r.success),
            ("1234", Reason::MaxKeys, true)
        );
        assert_near(r.end_ms(), 1400);
        assert_eq!(r.attempts, 1);
    }
}

#[test]
fn inter_key_timeout_runs_from_the_last_key_up() {
    let pcm = recording(8000, 1500, &[('1', 500, 100), ('2', 900, 100)]);
    let r = run(&pcm, 8000, secs(2), 0);
    assert_eq!((r.keys.as_str(), r.reason), ("12", Reason::Timeout));
    // The recording ends at 1.5 s; time goes on as silence: 1000 + 2000.
    assert_near(r.end_ms(), 3000);
}

#[test]
fn no_input_with_retry_and_no_prompt_is_exact() {
    let pcm = recording(8000, 500, &[]);
    let r = run(
        &pcm,
        8000,
        GatherConfig {
            retries: 1,
            ..secs(1)
        },
        0,
    );
    assert_eq!(
        (r.reason, r.success, r.attempts, r.end_ms()),
        (Reason::NoInput, false, 2, 2000)
    );
}

#[test]
fn barge_in_during_prompt_then_end_key() {
    let pcm = recording(8000, 3000, &[('1', 1000, 100), ('#', 1500, 100)]);
    let r = run(&pcm, 8000, GatherConfig::default(), 2000);
    assert_eq!((r.keys.as_str(), r.reason), ("1", Reason::EndKey));
    assert_near(r.end_ms(), 1500);
}

#[test]
fn no_barge_in_discards_keys_during_prompt() {
    let pcm = recording(8000, 3000, &[('1', 1000, 100), ('2', 2500, 100)]);
    let r = run(
        &pcm,
        8000,
        GatherConfig {
            barge_in: false,
            ..secs(1)
        },
        2000,
    );
    assert_eq!((r.keys.as_str(), r.reason), ("2", Reason::Timeout));
    assert_near(r.end_ms(), 2600 + 1000);
}

#[test]
fn retry_replays_prompt_and_key_barges_into_it() {
    // Attempt 1: prompt [0, 1000), first-key timer to 2000 → no_input at 2000.
    // Attempt 2: prompt [2000, 3000); the caller presses 5 at 2500 (barge-in), # at 2800.
    let pcm = recording(8000, 3500, &[('5', 2500, 100), ('#', 2800, 100)]);
    let r = run(
        &pcm,
        8000,
        GatherConfig {
            retries: 1,
            ..secs(1)
        },
        1000,
    );
    assert_eq!(
        (r.keys.as_str(), r.reason, r.attempts),
        ("5", Reason::EndKey, 2)
    );
    assert_near(r.end_ms(), 2800);
}

#[test]
fn first_key_timer_waits_for_the_prompt() {
    let pcm = recording(8000, 500, &[]);
    let r = run(&pcm, 8000, secs(1), 2500);
    assert_eq!((r.reason, r.end_ms()), (Reason::NoInput, 3500));
}

#[test]
fn key_held_across_the_timeout_is_not_timed_out() {
    // Key up at 1000 + 600 = 1600; a 500 ms timeout counts from the up.
    let pcm = recording(8000, 2500, &[('7', 1000, 600)]);
    let r = run(
        &pcm,
        8000,
        GatherConfig {
            first_key_timeout: Duration::from_secs(5),
            inter_key_timeout: Duration::from_millis(500),
            ..Default::default()
        },
        0,
    );
    assert_eq!(r.keys, "7");
    assert_near(r.end_ms(), 2100);
}

#[test]
fn key_just_before_the_deadline_wins_over_detector_latency() {
    // The first-key deadline is 1000 ms; the key starts at 990 but the detector reports
    // it ~40 ms later. The driver must not fire the timeout first.
    let pcm = recording(8000, 1500, &[('3', 990, 80)]);
    let r = run(&pcm, 8000, secs(1), 0);
    assert_eq!((r.keys.as_str(), r.reason), ("3", Reason::Timeout));
    assert_near(r.end_ms(), 990 + 80 + 1000);
}

#[test]
fn end_key_none_and_star_end_key() {
    let pcm = recording(
        8000,
        1500,
        &[('1', 300, 80), ('#', 600, 80), ('*', 900, 80)],
    );
    let r = run(
        &pcm,
        8000,
        GatherConfig {
            end_keys: KeySet::one(Key::Star),
            ..secs(1)
        },
        0,
    );
    assert_eq!((r.keys.as_str(), r.reason), ("1#", Reason::EndKey));
    assert_near(r.end_ms(), 900);
}

/// Rule 8 on the tone's true timing: keys whose tones start exactly at the first-key and
/// at the inter-key deadline win, although the detector's estimates put them just after
/// (start a fraction of a ms late, end 1–2 ms early).
#[test]
fn a_tone_starting_exactly_at_the_deadline_wins() {
    use touchtone::{Detector, DetectorConfig, Event};
    let mut estimates_late = 0;
    for rate in [8000, 16000, 44100, 48000] {
        let first = recording(rate, 1500, &[('5', 1000, 80)]);
        let inter = recording(rate, 2000, &[('1', 300, 100), ('2', 1400, 80)]);
        let r = run(
            &first,
            rate,
            GatherConfig {
                max_keys: 1,
                ..secs(1)
            },
            0,
        );
        assert_eq!(
            (r.keys.as_str(), r.reason),
            ("5", Reason::MaxKeys),
            "{rate}"
        );
        let r = run(
            &inter,
            rate,
            GatherConfig {
                max_keys: 2,
                ..secs(1)
            },
            0,
        );
        assert_eq!(
            (r.keys.as_str(), r.reason),
            ("12", Reason::MaxKeys),
            "{rate}"
        );
        // The premise: on the estimates alone the key would come after the deadline.
        let us = |n: u64| n * 1_000_000 / u64::from(rate);
        let mut edges = Vec::new();
        for pcm in [&first, &inter] {
            let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
            let mut on = |e: Event| {
                if let Event::KeyUp { press, .. } = e {
                    edges.push((us(press.start), us(press.end)));
                }
            };
            det.process(pcm, &mut on);
            det.finish(&mut on);
        }
        assert_eq!(edges.len(), 3, "{rate}");
        if edges[0].0 > 1_000_000 {
            estimates_late += 1;
        }
        if edges[2].0 > edges[1].1 + 1_000_000 {
            estimates_late += 1;
        }
    }
    eprintln!("estimates after the deadline: {estimates_late} of 8");
    assert!(estimates_late > 0, "no case tests the tie margin");
}

// ---- the real example binary

/// `Driver::chain`: keys the finished gather did not consume go to the next one, at their
/// own times; the key that finished the first gather is not counted again.
#[test]
fn driver_chain_hands_leftover_keys_to_the_next_gather() {
    use touchtone::gather::{Driver, Gather};
    use touchtone::{Detector, DetectorConfig};
    let pcm = recording(
        8000,
        1600,
        &[
            ('1', 300, 80),
            ('2', 600, 80),
            ('3', 900, 80),
            ('4', 1200, 80),
        ],
    );
    let cfg = GatherConfig {
        max_keys: 2,
        ..secs(1)
    };
    let mut d = Driver::new(
        Detector::new(DetectorConfig::default()).unwrap(),
        Gather::new(cfg.clone()).unwrap(),
    );
    d.start();
    for f in pcm.chunks(160) {
        d.process(f);
    }
    d.finish_stream(); // the whole recording is released to the first gather
    let first = d.gather().unwrap().result().unwrap().clone();
    assert_eq!(first.keys, "12");
    let left: String = d
        .gather()
        .unwrap()
        .leftover()
        .iter()
        .map(|e| e.key.to_char())
        .collect();
    assert_eq!(left, "34");
    assert!(d.chain(Gather::new(cfg.clone()).unwrap()).is_ok());
    let second = d.run_to_end().unwrap();
    assert_eq!(
        (second.keys.as_str(), second.reason),
        ("34", Reason::MaxKeys)
    );
    assert_eq!(second.start, first.end);
    assert_near(second.end_ms(), 1200);
    assert_near(second.events[0].down.as_millis() as u64, 900);
    // Not finished: the next gather is given back.
    let mut d = Driver::new(
        Detector::new(DetectorConfig::default()).unwrap(),
        Gather::new(cfg.clone()).unwrap(),
    );
    d.start();
    assert!(d.chain(Gather::new(cfg).unwrap()).is_err());
}

/// The driver's latency bound must cover the detector's reporting delays.
#[test]
fn detector_reporting_delay_is_within_the_driver_latency_bound() {
    use touchtone::gather::DEFAULT_LATENCY;
    use touchtone::{Detector, DetectorConfig, Event};
    let mut worst = 0u64; // µs
    for rate in [8000u32, 16000, 44100, 48000] {
        for (len, gap) in [(40u64, 40u64), (70, 70), (200, 50), (1000, 300)] {
            let keys: Vec<(char, u64, u64)> = "1#5D0*"
                .chars()
                .enumerate()
                .map(|(i, c)| (c, 100 + i as u64 * (len + gap), len))
                .collect();
            let pcm = recording(rate, 200 + 6 * (len + gap), &keys);
            let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
            let mut delays = Vec::new();
            let mut seen = String::new();
            let mut on = |e: Event| match e {
                Event::KeyDown {
                    key,
                    start,
                    decided_at,
                    ..
                } => {
                    seen.push(key.to_char());
                    delays.push(decided_at.saturating_sub(start));
                }
                Event::KeyUp { press, decided_at } => {
                    delays.push(decided_at.saturating_sub(press.end))
                }
            };
            for f in pcm.chunks(160) {
                det.process(f, &mut on);
            }
            det.finish(&mut on);
            assert_eq!(seen, "1#5D0*", "rate {rate} len {len}");
            for d in delays {
                worst = worst.max(d * 1_000_000 / u64::from(rate));
            }
        }
    }
    eprintln!("worst detector reporting delay: {} µs", worst);
    assert!(
        Duration::from_micros(worst) < DEFAULT_LATENCY,
        "worst delay {worst} µs"
    );
}
