//! The gather `Driver` with a virtual clock: deadlines without audio, key reports from
//! several sources merged into presses, chained gathers and their type-ahead, G.711 frames,
//! and continuous recognition (`touchtone gather --events` end to end is in
//! `cli/tests/gather.rs`). Keys are generated
//! at known times; the detector's edge estimates are good to ±10 ms, out-of-band reports
//! are exact.

use crate::common::recording;
use std::time::Duration;
use touchtone::gather::{
    Action, ContinuousEvent, Driver, Gather, GatherConfig, GatherResult, KeySource, MergePolicy,
    Reason, DEFAULT_LATENCY, DEFAULT_MERGE_TOLERANCE, DEFAULT_TIE_MARGIN,
};
use touchtone::{g711, Detector, DetectorConfig, Key};

const TOL_MS: i64 = 10;
const FRAME_MS: u64 = 20;

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

fn key(c: char) -> Key {
    Key::from_char(c).unwrap()
}

fn near(got: Duration, want_ms: u64, what: &str) {
    let got = got.as_millis() as i64;
    assert!(
        (got - want_ms as i64).abs() <= TOL_MS,
        "{what}: {got} ms, expected {want_ms} ± {TOL_MS}"
    );
}

fn config(max_keys: u32, end: &str, timeout_ms: u64) -> GatherConfig {
    GatherConfig {
        max_keys,
        end_keys: end.parse().unwrap(),
        first_key_timeout: ms(timeout_ms),
        inter_key_timeout: ms(timeout_ms),
        ..Default::default()
    }
}

fn driver(rate: u32, cfg: GatherConfig, policy: MergePolicy) -> Driver {
    Driver::new(
        Detector::new(DetectorConfig::with_rate(rate)).unwrap(),
        Gather::new(cfg).unwrap(),
    )
    .with_policy(policy)
}

/// An out-of-band report: key, start, end (None: no length), source.
type Oob = (char, u64, Option<u64>, KeySource);

/// What a host's loop saw: every action with the driver's clock when it came out, and
/// every continuous event.
#[derive(Default)]
struct Seen {
    actions: Vec<(Duration, Action)>,
    tones: Vec<ContinuousEvent>,
}

impl Seen {
    fn take(&mut self, d: &mut Driver) {
        while let Some(a) = d.poll_action() {
            self.actions.push((d.now(), a));
        }
        while let Some(t) = d.poll_continuous() {
            self.tones.push(t);
        }
    }

    fn results(&self) -> Vec<GatherResult> {
        self.actions
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Finished(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    fn result(&self) -> GatherResult {
        let r = self.results();
        assert_eq!(r.len(), 1, "one result expected: {:?}", self.actions);
        r[0].clone()
    }
}

/// A host's loop: 20 ms frames of `pcm`; each out-of-band report's down is given when the
/// audio reaches its start and its up when it reaches its end (as they would arrive);
/// after the audio, the clock goes on without audio to `until_ms` in 20 ms steps.
fn host(d: &mut Driver, pcm: &[i16], rate: u32, oob: &[Oob], until_ms: u64) -> Seen {
    let mut seen = Seen::default();
    let mut edges: Vec<(u64, bool, Oob)> = Vec::new();
    for &r in oob {
        match r.2 {
            Some(e) => {
                edges.push((r.1, false, r));
                edges.push((e, true, r));
            }
            None => edges.push((r.1, false, r)),
        }
    }
    edges.sort_by_key(|e| (e.0, e.1));
    let mut next = 0;
    let mut give = |d: &mut Driver, upto: u64| {
        while next < edges.len() && edges[next].0 <= upto {
            let (t, up, (c, _, end, src)) = edges[next];
            next += 1;
            match (up, end) {
                (true, _) => d.key_up(key(c), ms(t), src),
                (false, Some(_)) => d.key_down(key(c), ms(t), src),
                (false, None) => d.key_press(key(c), ms(t), None, src),
            }
        }
    };
    let frame = (rate as u64 * FRAME_MS / 1000) as usize;
    for chunk in pcm.chunks(frame) {
        let now = d.position().as_millis() as u64;
        give(d, now);
        d.process(chunk);
        seen.take(d);
    }
    let mut t = d.position().as_millis() as u64;
    while t < until_ms {
        t += FRAME_MS;
        give(d, t);
        d.advance_to(ms(t));
        seen.take(d);
    }
    seen
}

fn wait() -> Duration {
    DEFAULT_LATENCY + DEFAULT_MERGE_TOLERANCE
}

// ---- deadlines without audio

/// The audio stops after 600 ms (silence suppression); the inter-key timeout (1 s after the
/// 5's up at 280 ms) fires while only the host's clock moves, and comes out once the clock
/// passes it by the driver's wait and the tie margin.
#[test]
fn timeout_fires_during_a_stretch_without_audio() {
    for rate in [8000, 16000] {
        let pcm = recording(rate, 600, &[('5', 200, 80)]);
        let mut d = driver(rate, config(0, "#", 1000), MergePolicy::Both);
        d.start();
        let seen = host(&mut d, &pcm, rate, &[], 3000);
        let r = seen.result();
        assert_eq!((r.keys.as_str(), r.reason), ("5", Reason::Timeout));
        near(r.end, 1280, "end");
        let (out_at, _) = seen
            .actions
            .iter()
            .find(|(_, a)| matches!(a, Action::Finished(_)))
            .unwrap();
        let earliest = r.end + wait() + DEFAULT_TIE_MARGIN;
        assert!(
            *out_at >= earliest && *out_at < earliest + ms(FRAME_MS),
            "came out at {out_at:?}, the deadline {:?} + wait",
            r.end
        );
        assert_eq!(d.position(), ms(600), "no audio after 600 ms");
    }
}

/// No audio at all (a call whose keys come by RFC 4733): the first-key timer of the retry
/// and the inter-key timer fire at their exact instants; `poll_timeout` says when to wake.
#[test]
fn out_of_band_only_gather_runs_on_the_host_clock() {
    let mut d = driver(
        8000,
        GatherConfig {
            retries: 1,
            ..config(0, "#", 1000)
        },
        MergePolicy::OutOfBandOnly,
    );
    d.start();
    // The first attempt's deadline: 1000 ms, handed over at 1000 + latency + tolerance.
    d.advance_to(ms(10));
    assert_eq!(d.poll_timeout(), Some(ms(1000) + wait()));
    d.advance_to(ms(1000) + wait() - ms(1));
    assert_eq!(d.poll_action(), None, "not before the wait has passed");
    d.advance_to(ms(1000) + wait());
    assert_eq!(
        d.poll_action(),
        Some(Action::AttemptFailed {
            attempt: 1,
            reason: Reason::NoInput,
            at: ms(1000)
        })
    );
    // Attempt 2 from 1000 ms: the caller presses 7 at 1500-1580 (reported as it happens).
    d.advance_to(ms(1500));
    d.key_down(Key::K7, ms(1500), KeySource::Rfc4733);
    d.advance_to(ms(1580));
    d.key_up(Key::K7, ms(1580), KeySource::Rfc4733);
    let mut t = 1580;
    let mut result = None;
    while result.is_none() && t < 5000 {
        t += 20;
        d.advance_to(ms(t));
        while let Some(a) = d.poll_action() {
            if let Action::Finished(r) = a {
                result = Some(r);
            }
        }
    }
    let r = result.expect("finished without audio");
    assert_eq!(
        (r.keys.as_str(), r.reason, r.attempts),
        ("7", Reason::Timeout, 2)
    );
    assert_eq!(r.end, ms(2580), "inter-key timer from the up at 1580 ms");
}

/// Rule 8 without audio: a key reported 60 ms late that went down exactly at the deadline
/// still beats the timeout, because the deadline is handed over only after the wait.
#[test]
fn late_out_of_band_key_at_the_deadline_beats_the_timeout() {
    let mut d = driver(8000, config(1, "#", 1000), MergePolicy::OutOfBandOnly);
    d.start();
    d.advance_to(ms(1060));
    d.key_press(Key::K3, ms(1000), Some(ms(1080)), KeySource::SipInfo);
    d.advance_to(ms(2000));
    let mut seen = Seen::default();
    seen.take(&mut d);
    let r = seen.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("3", Reason::MaxKeys, ms(1000))
    );
}

/// After a gap the host did not fill, `resume_audio_at` keeps the audio on the axis.
#[test]
fn audio_resumed_after_a_gap_keeps_its_time() {
    let rate = 8000;
    let mut d = driver(rate, config(2, "#", 3000), MergePolicy::InBandOnly);
    d.start();
    let mut seen = host(
        &mut d,
        &recording(rate, 500, &[('3', 100, 80)]),
        rate,
        &[],
        1500,
    );
    d.resume_audio_at(ms(1500));
    assert_eq!(d.position(), ms(1500));
    let more = host(
        &mut d,
        &recording(rate, 400, &[('4', 200, 80)]),
        rate,
        &[],
        0,
    );
    seen.actions.extend(more.actions);
    let r = seen.result();
    assert_eq!(r.keys, "34");
    near(r.events[0].down, 100, "3 down");
    near(r.events[1].down, 1700, "4 down");
    near(r.end, 1700, "end");
}

// ---- merging sources

/// A caller's press of 1 at 300-380 ms in the audio, and what other sources report.
fn merged(oob: &[Oob], policy: MergePolicy) -> (GatherResult, Vec<ContinuousEvent>) {
    let rate = 8000;
    let pcm = recording(rate, 1000, &[('1', 300, 80)]);
    let mut d = driver(rate, config(0, "", 500), policy);
    d.start();
    d.start_continuous();
    let seen = host(&mut d, &pcm, rate, oob, 3000);
    (seen.result(), seen.tones)
}

fn tones(t: &[ContinuousEvent]) -> String {
    t.iter()
        .filter_map(|e| match e {
            ContinuousEvent::ToneReceived { key, .. } => Some(key.to_char()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_same_press_in_band_and_out_of_band_is_collected_once() {
    use KeySource::*;
    // (reports, earliest start, latest end) of the one press.
    let cases: [(&[Oob], u64, u64); 5] = [
        // RFC 4733 on a clock 25 ms ahead of the audio: overlapping.
        (&[('1', 275, Some(355), Rfc4733)], 275, 380),
        // Starting 10 ms after the in-band tone's estimated end (within the tolerance).
        (&[('1', 390, Some(450), Rfc4733)], 300, 450),
        // A SIP INFO without duration, inside the press.
        (&[('1', 330, None, SipInfo)], 300, 380),
        // RFC 4733 and SIP INFO both, and the audio.
        (
            &[('1', 300, Some(380), Rfc4733), ('1', 340, None, SipInfo)],
            300,
            380,
        ),
        // Out of band first, in band 15 ms after its end.
        (&[('1', 200, Some(285), Other)], 200, 380),
    ];
    for (oob, start, end) in cases {
        let (r, t) = merged(oob, MergePolicy::Both);
        assert_eq!(
            (r.keys.as_str(), r.reason),
            ("1", Reason::Timeout),
            "{oob:?}"
        );
        near(r.events[0].down, start, "earliest start");
        near(r.events[0].up.unwrap(), end, "latest end");
        near(r.end, end + 500, "inter-key timer from the latest end");
        assert_eq!(tones(&t), "1", "{oob:?}: continuous recognition");
    }
}

#[test]
fn different_or_separate_presses_are_collected_twice() {
    use KeySource::*;
    let cases: [(&[Oob], &str); 4] = [
        // Another key at the same time.
        (&[('2', 320, Some(400), Rfc4733)], "12"),
        // The same key, later.
        (&[('1', 600, Some(680), Rfc4733)], "11"),
        // The same key 45 ms after the in-band press: beyond the tolerance.
        (&[('1', 425, Some(500), Rfc4733)], "11"),
        // The same key, earlier and 50 ms apart.
        (&[('1', 170, Some(250), SipInfo)], "11"),
    ];
    for (oob, want) in cases {
        let (r, t) = merged(oob, MergePolicy::Both);
        assert_eq!(r.keys, want, "{oob:?}");
        assert_eq!(tones(&t), want, "{oob:?}: continuous recognition");
    }
}

#[test]
fn policies_pick_the_sources() {
    // Before the 500 ms first-key timeout.
    let oob: &[Oob] = &[('2', 450, Some(530), KeySource::Rfc4733)];
    let (r, _) = merged(oob, MergePolicy::Both);
    assert_eq!(r.keys, "12");
    let (r, _) = merged(oob, MergePolicy::InBandOnly);
    assert_eq!(r.keys, "1");
    let (r, _) = merged(oob, MergePolicy::OutOfBandOnly);
    assert_eq!(r.keys, "2");
    near(r.events[0].down, 450, "down");
}

/// Two quick presses of the same key (40 ms pause, the shortest Q.24 requires resolving),
/// each reported in band and out of band: two presses, not one and not four.
#[test]
fn repeated_key_with_a_short_pause_stays_two_presses() {
    let rate = 8000;
    let pcm = recording(rate, 1000, &[('8', 300, 60), ('8', 400, 60)]);
    let mut d = driver(rate, config(0, "", 500), MergePolicy::Both);
    d.start();
    d.start_continuous();
    let oob: &[Oob] = &[
        ('8', 300, Some(360), KeySource::Rfc4733),
        ('8', 400, Some(460), KeySource::Rfc4733),
    ];
    let seen = host(&mut d, &pcm, rate, oob, 3000);
    let r = seen.result();
    assert_eq!(r.keys, "88");
    near(r.events[1].down, 400, "second down");
    assert_eq!(tones(&seen.tones), "88");
}

// ---- chaining

/// The caller types 1 2 # and, before the host has started the next gather, 9. The second
/// gather gets the 9 (type-ahead), whether the host chains at once (the 9 is then still in
/// the driver's queue or not yet decided by the detector) or later (the 9 is in the first
/// gather's leftover), and gets neither the # nor anything twice.
#[test]
fn chained_gather_keeps_the_type_ahead_key() {
    let rate = 8000;
    let pcm = recording(
        rate,
        3000,
        &[
            ('1', 200, 80),
            ('2', 400, 80),
            ('#', 600, 80),
            ('9', 700, 80),
        ],
    );
    for chain_after_ms in [0u64, 900] {
        let mut d = driver(rate, config(0, "#", 1000), MergePolicy::Both);
        d.start();
        let mut results: Vec<(Duration, GatherResult)> = Vec::new();
        let mut chained_at = None;
        for chunk in pcm.chunks(160) {
            d.process(chunk);
            while let Some(a) = d.poll_action() {
                if let Action::Finished(r) = a {
                    results.push((d.now(), r));
                }
            }
            if chained_at.is_none() {
                if let Some((seen_at, _)) = results.first() {
                    if d.now() >= *seen_at + ms(chain_after_ms) {
                        // The next gather: no end key, inter-key timeout 1 s.
                        let old = d.next_gather(Gather::new(config(0, "", 1000)).unwrap());
                        assert!(old.unwrap().is_finished());
                        chained_at = Some(d.now());
                    }
                }
            }
        }
        let chained_at = chained_at.unwrap();
        assert!(
            chained_at > ms(700),
            "the 9 went down before the chain ({chained_at:?})"
        );
        d.finish_stream();
        let second = d.run_to_end().unwrap();
        let first = &results[0].1;
        assert_eq!((first.keys.as_str(), first.reason), ("12", Reason::EndKey));
        near(first.end, 600, "first gather's end");
        assert_eq!(
            (second.keys.as_str(), second.reason),
            ("9", Reason::Timeout),
            "chained after {chain_after_ms} ms"
        );
        near(second.events[0].down, 700, "the 9 keeps its own time");
        assert_eq!(second.start, chained_at);
    }
}

/// Chaining with an out-of-band key typed ahead and an in-band key that follows: both go
/// to the next gather, in order.
#[test]
fn chained_gather_keeps_out_of_band_type_ahead() {
    let rate = 8000;
    let pcm = recording(rate, 1500, &[('#', 200, 80), ('6', 900, 80)]);
    let mut d = driver(rate, config(0, "#", 1000), MergePolicy::Both);
    d.start();
    let mut seen = Seen::default();
    let frames: Vec<&[i16]> = pcm.chunks(160).collect();
    for (i, chunk) in frames.iter().enumerate() {
        if i == 25 {
            // 500 ms: a SIP INFO 4 arrives before the host has chained.
            d.key_press(Key::K4, ms(480), None, KeySource::SipInfo);
        }
        if i == 35 {
            assert_eq!(seen.results().len(), 1, "the first gather has finished");
            d.next_gather(Gather::new(config(2, "", 1000)).unwrap());
        }
        d.process(chunk);
        seen.take(&mut d);
    }
    d.finish_stream();
    let second = d.run_to_end().unwrap();
    assert_eq!(
        (second.keys.as_str(), second.reason),
        ("46", Reason::MaxKeys)
    );
    assert_eq!(second.events[0].down, ms(480));
    near(second.events[1].down, 900, "6 down");
}

/// A press reported in band before the switch to the next gather and out of band after it
/// is one press (for the gather and for continuous recognition): the merged presses carry
/// on across the chain, whether the next gather starts now (`next_gather`) or back to back
/// (`chain`).
#[test]
fn a_press_straddling_the_chain_is_taken_once() {
    let rate = 8000;
    // The first gather ends by its inter-key timeout at 580 ms (the 1's up at 280 + 300);
    // the caller then presses 5 at 630-710; a SIP INFO for it, stamped 680, arrives at
    // 730 and is handed over at 810 — after the host chains at 780.
    let pcm = recording(rate, 1500, &[('1', 200, 80), ('5', 630, 80)]);
    for back_to_back in [false, true] {
        let mut d = driver(
            rate,
            GatherConfig {
                inter_key_timeout: ms(300),
                ..config(0, "#", 1000)
            },
            MergePolicy::Both,
        );
        d.start();
        d.start_continuous();
        let mut seen = Seen::default();
        let mut chained = false;
        for chunk in pcm.chunks(160) {
            let now = d.now();
            if now == ms(740) {
                d.key_press(Key::K5, ms(680), None, KeySource::SipInfo);
            }
            if now == ms(780) {
                assert_eq!(seen.results().len(), 1, "the first gather has finished");
                let next = Gather::new(config(0, "", 1000)).unwrap();
                if back_to_back {
                    assert!(d.chain(next).is_ok());
                } else {
                    d.next_gather(next);
                }
                chained = true;
            }
            d.process(chunk);
            seen.take(&mut d);
        }
        assert!(chained);
        d.finish_stream();
        let second = d.run_to_end().unwrap();
        let first = &seen.results()[0];
        assert_eq!((first.keys.as_str(), first.reason), ("1", Reason::Timeout));
        near(first.end, 580, "first end");
        assert_eq!(second.keys, "5", "back to back: {back_to_back}");
        seen.take(&mut d);
        assert_eq!(tones(&seen.tones), "15", "back to back: {back_to_back}");
        near(second.events[0].down, 630, "5 down");
        if back_to_back {
            assert_eq!(second.start, first.end);
        } else {
            assert_eq!(second.start, ms(780));
        }
    }
}

// ---- frame formats

/// μ-law and A-law frames give exactly what their decoded `i16` give, and `f32` frames
/// what their `i16` give.
#[test]
fn g711_and_f32_frames_match_their_decoded_i16() {
    let rate = 8000;
    let pcm = recording(
        rate,
        2500,
        &[
            ('1', 200, 70),
            ('5', 400, 90),
            ('9', 700, 200),
            ('*', 1000, 60),
            ('0', 1200, 80),
        ],
    );
    let run = |feed: &dyn Fn(&mut Driver, usize, usize)| {
        let mut d = driver(rate, config(0, "", 800), MergePolicy::Both);
        d.start();
        let mut seen = Seen::default();
        let mut i = 0;
        while i < pcm.len() {
            let n = 160.min(pcm.len() - i);
            feed(&mut d, i, n);
            seen.take(&mut d);
            i += n;
        }
        d.finish_stream();
        d.run_to_end();
        seen.take(&mut d);
        seen.actions
    };
    let ulaw: Vec<u8> = pcm.iter().map(|&s| g711::linear_to_ulaw(s)).collect();
    let alaw: Vec<u8> = pcm.iter().map(|&s| g711::linear_to_alaw(s)).collect();
    let ulaw_i16: Vec<i16> = ulaw.iter().map(|&b| g711::ulaw_to_linear(b)).collect();
    let alaw_i16: Vec<i16> = alaw.iter().map(|&b| g711::alaw_to_linear(b)).collect();
    let f32s: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32768.0).collect();

    let by_ulaw = run(&|d, i, n| d.process_ulaw(&ulaw[i..i + n]));
    let by_ulaw_i16 = run(&|d, i, n| d.process(&ulaw_i16[i..i + n]));
    let by_alaw = run(&|d, i, n| d.process_alaw(&alaw[i..i + n]));
    let by_alaw_i16 = run(&|d, i, n| d.process(&alaw_i16[i..i + n]));
    let by_i16 = run(&|d, i, n| d.process(&pcm[i..i + n]));
    let by_f32 = run(&|d, i, n| d.process(&f32s[i..i + n]));
    assert_eq!(by_ulaw, by_ulaw_i16);
    assert_eq!(by_alaw, by_alaw_i16);
    assert_eq!(by_f32, by_i16);
    for actions in [&by_ulaw, &by_alaw, &by_i16] {
        let r: Vec<_> = actions
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Finished(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].keys.as_str(), r[0].reason),
            ("159*0", Reason::Timeout)
        );
        near(r[0].end, 2080, "end");
    }
}

// ---- continuous recognition

#[test]
fn continuous_recognition_numbers_every_press_once() {
    let rate = 8000;
    let pcm = recording(
        rate,
        2000,
        &[
            ('1', 100, 80),
            ('2', 300, 80),
            ('3', 500, 80),
            ('6', 1500, 80),
        ],
    );
    let mut d = Driver::without_gather(Detector::new(DetectorConfig::default()).unwrap());
    d.start_continuous();
    let mut seen = Seen::default();
    for (i, chunk) in pcm.chunks(160).enumerate() {
        match i {
            // 400 ms: the RFC 4733 report of the 2 (the same press); 800 ms: a 4 only
            // out of band.
            20 => d.key_press(Key::K2, ms(305), Some(ms(385)), KeySource::Rfc4733),
            40 => d.key_press(Key::K4, ms(780), Some(ms(800)), KeySource::Rfc4733),
            // 1000 ms: stop; the 6 at 1500 is not reported.
            50 => d.stop_continuous(),
            _ => {}
        }
        d.process(chunk);
        seen.take(&mut d);
    }
    // Restarted: the numbering goes on.
    d.start_continuous();
    d.key_press(Key::Star, ms(2100), None, KeySource::SipInfo);
    d.advance_to(ms(2500));
    seen.take(&mut d);
    let got: Vec<(u32, char)> = seen
        .tones
        .iter()
        .filter_map(|e| match *e {
            ContinuousEvent::ToneReceived {
                sequence_id, key, ..
            } => Some((sequence_id, key.to_char())),
            _ => None,
        })
        .collect();
    assert_eq!(got, [(1, '1'), (2, '2'), (3, '3'), (4, '4'), (5, '*')]);
    let stopped: Vec<_> = seen
        .tones
        .iter()
        .filter(|e| matches!(e, ContinuousEvent::Stopped { .. }))
        .collect();
    assert_eq!(stopped, [&ContinuousEvent::Stopped { at: ms(1000) }]);
    // Stopped comes after the presses before it, at its place in time.
    assert!(matches!(seen.tones[4], ContinuousEvent::Stopped { .. }));
    if let ContinuousEvent::ToneReceived { at, .. } = seen.tones[0] {
        near(at, 100, "1 down");
    }
    if let ContinuousEvent::ToneReceived { at, .. } = seen.tones[1] {
        near(at, 300, "2 down (the earlier of the two reports)");
    }
}

/// Continuous recognition beside a gather: both see every key.
#[test]
fn continuous_recognition_runs_beside_a_gather() {
    let rate = 8000;
    let pcm = recording(rate, 1000, &[('7', 100, 80), ('#', 300, 80)]);
    let mut d = driver(rate, config(0, "#", 1000), MergePolicy::Both);
    d.start();
    d.start_continuous();
    let seen = host(&mut d, &pcm, rate, &[], 1500);
    assert_eq!(seen.result().keys, "7");
    assert_eq!(tones(&seen.tones), "7#");
}

// ---- memory

/// More reports at once than the queue holds: the oldest are handed over early, none is
/// lost, the order is kept.
#[test]
fn a_full_queue_hands_over_in_order_and_loses_nothing() {
    let mut d = driver(8000, config(0, "", 60_000), MergePolicy::OutOfBandOnly);
    d.start();
    let keys: Vec<Key> = (0..300).map(|i| Key::ALL[(i * 7) % 16]).collect();
    for (i, &k) in keys.iter().enumerate() {
        let t = 100 + 100 * i as u64;
        d.key_press(k, ms(t), Some(ms(t + 50)), KeySource::Rfc4733);
    }
    d.advance_to(ms(200_000));
    let mut seen = Seen::default();
    seen.take(&mut d);
    let r = seen.result();
    let want: String = keys.iter().map(|k| k.to_char()).collect();
    assert_eq!(r.keys, want);
    assert_eq!(r.end, ms(100 + 100 * 299 + 50 + 60_000));
}

// ---- the merge rule, for any reports

mod merge_props {
    use super::*;
    use proptest::prelude::*;

    /// One press: key, pause before it (ms), length (ms), which sources report it (bit
    /// mask over `KeySource::ALL`), and per source: where its start and end lie (per mille
    /// of their ranges, below) and the delays with which its down and up arrive
    /// (< latency).
    type Press = (usize, u64, u64, u8, [(u64, u64, u64, u64); 4]);

    fn press() -> impl Strategy<Value = Press> {
        (
            0usize..16,
            60u64..300,
            40u64..200,
            1u8..16,
            prop::array::uniform4((0u64..=1000, 0u64..=1000, 0u64..90, 0u64..90)),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Presses 60-300 ms apart, each reported by any non-empty set of sources, each
        /// source's interval anywhere from 10 ms before the press to 10 ms after it but
        /// within 15 ms of its middle (so any two reports of one press overlap or lie at
        /// most the 30 ms tolerance apart, and reports of different presses at least 40 ms
        /// apart), arriving up to 90 ms late in any interleaving: the gather and continuous
        /// recognition each get every press exactly once, in order, down at the earliest
        /// start and up at the latest end reported.
        #[test]
        fn every_press_once_whatever_reports_it(presses in prop::collection::vec(press(), 1..12)) {
            // (arrival, stamp, key, up?, source)
            let mut reports: Vec<(u64, u64, Key, bool, KeySource)> = Vec::new();
            let mut truth: Vec<(Key, u64, u64)> = Vec::new();
            let mut t = 100u64;
            for &(k, pause, len, mask, jit) in &presses {
                let key = Key::ALL[k];
                t += pause;
                let (mut lo, mut hi) = (u64::MAX, 0);
                for (i, src) in KeySource::ALL.into_iter().enumerate() {
                    if mask & (1 << i) == 0 {
                        continue;
                    }
                    let (fa, fb, dd, du) = jit[i];
                    let mid = t + len / 2;
                    let span = len / 2 + 25;
                    // s in [t - 10, mid + 15], e in [mid - 15, t + len + 10], e >= s + 10.
                    let s = t - 10 + fa * span / 1000;
                    let e = (mid - 15 + fb * span / 1000).max(s + 10);
                    lo = lo.min(s);
                    hi = hi.max(e);
                    let down_arrives = s + dd;
                    reports.push((down_arrives, s, key, false, src));
                    reports.push(((e + du).max(down_arrives), e, key, true, src));
                }
                truth.push((key, lo, hi));
                t += len;
            }
            reports.sort_by_key(|r| (r.0, r.3));
            let mut d = Driver::new(
                Detector::new(DetectorConfig::default()).unwrap(),
                Gather::new(config(0, "", 60_000)).unwrap(),
            );
            d.start();
            d.start_continuous();
            let mut next = 0;
            let mut now = 0;
            while next < reports.len() {
                now += 10;
                while next < reports.len() && reports[next].0 <= now {
                    let (_, at, key, up, src) = reports[next];
                    if up {
                        d.key_up(key, ms(at), src);
                    } else {
                        d.key_down(key, ms(at), src);
                    }
                    next += 1;
                }
                d.advance_to(ms(now));
            }
            d.advance_to(ms(now + 70_000));
            let mut seen = Seen::default();
            seen.take(&mut d);
            let r = seen.result();
            let want: String = truth.iter().map(|p| p.0.to_char()).collect();
            prop_assert_eq!(&r.keys, &want);
            for (ev, &(key, lo, hi)) in r.events.iter().zip(&truth) {
                prop_assert_eq!((ev.key, ev.down, ev.up), (key, ms(lo), Some(ms(hi))));
            }
            let got: Vec<(Key, Duration)> = seen
                .tones
                .iter()
                .filter_map(|e| match *e {
                    ContinuousEvent::ToneReceived { key, at, .. } => Some((key, at)),
                    _ => None,
                })
                .collect();
            let want: Vec<(Key, Duration)> = truth.iter().map(|p| (p.0, ms(p.1))).collect();
            prop_assert_eq!(got, want);
        }
    }
}

// ---- no panic on any sequence of calls

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Call {
        Down(usize, u64, usize),
        Up(usize, u64, usize),
        Press(usize, u64, Option<u64>, usize),
        Advance(u64),
        Frame(Vec<i16>),
        Ulaw(Vec<u8>),
        Resume(u64),
        Next(u32),
        Continuous(bool),
        Prompt(u32, u64),
        Cancel(u64),
        Finish,
    }

    fn time() -> impl Strategy<Value = u64> {
        prop_oneof![0u64..5_000, Just(u64::MAX / 2), any::<u64>()]
    }

    fn call() -> impl Strategy<Value = Call> {
        prop_oneof![
            (0usize..16, time(), 0usize..4).prop_map(|(k, t, s)| Call::Down(k, t, s)),
            (0usize..16, time(), 0usize..4).prop_map(|(k, t, s)| Call::Up(k, t, s)),
            (0usize..16, time(), prop::option::of(time()), 0usize..4)
                .prop_map(|(k, t, e, s)| Call::Press(k, t, e, s)),
            time().prop_map(Call::Advance),
            prop::collection::vec(any::<i16>(), 0..400).prop_map(Call::Frame),
            prop::collection::vec(any::<u8>(), 0..400).prop_map(Call::Ulaw),
            time().prop_map(Call::Resume),
            (0u32..6).prop_map(Call::Next),
            any::<bool>().prop_map(Call::Continuous),
            (0u32..4, time()).prop_map(|(i, t)| Call::Prompt(i, t)),
            time().prop_map(Call::Cancel),
            Just(Call::Finish),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any calls, with any times (including ones near the end of `Duration`), under
        /// every policy: no panic, and the driver's clock never goes back.
        #[test]
        fn any_calls_never_panic(
            calls in prop::collection::vec(call(), 0..80),
            policy in 0usize..3,
            prompt in any::<bool>(),
        ) {
            let policy = [MergePolicy::Both, MergePolicy::InBandOnly, MergePolicy::OutOfBandOnly][policy];
            let cfg = GatherConfig { prompt, retries: 2, ..config(3, "#", 500) };
            let mut d = driver(8000, cfg, policy).with_prompt_length(ms(300));
            d.start();
            let mut last = d.now();
            for c in calls {
                match c {
                    Call::Down(k, t, s) => d.key_down(Key::ALL[k], ms(t), KeySource::ALL[s]),
                    Call::Up(k, t, s) => d.key_up(Key::ALL[k], ms(t), KeySource::ALL[s]),
                    Call::Press(k, t, e, s) => {
                        d.key_press(Key::ALL[k], ms(t), e.map(ms), KeySource::ALL[s])
                    }
                    Call::Advance(t) => d.advance_to(ms(t)),
                    Call::Frame(f) => d.process(&f),
                    Call::Ulaw(f) => d.process_ulaw(&f),
                    Call::Resume(t) => d.resume_audio_at(ms(t)),
                    Call::Next(max) => {
                        d.next_gather(Gather::new(config(max, "#", 500)).unwrap());
                    }
                    Call::Continuous(true) => d.start_continuous(),
                    Call::Continuous(false) => d.stop_continuous(),
                    Call::Prompt(id, t) => d.prompt_finished(id, ms(t)),
                    Call::Cancel(t) => d.cancel(ms(t)),
                    Call::Finish => d.finish_stream(),
                }
                while d.poll_action().is_some() {}
                while d.poll_continuous().is_some() {}
                let _ = d.poll_timeout();
                prop_assert!(d.now() >= last);
                last = d.now();
            }
            d.run_to_end();
        }
    }
}
