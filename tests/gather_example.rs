//! End to end: generated caller recordings with keys at known times, through the detector
//! and the gather (`run_over_recording`, the logic of `examples/gather`), and through the
//! real example binary. Expected `end_ms` values are computed from the key times and the
//! timeouts by the rules; the detector's edge estimates are good to ±10 ms.

#[cfg(all(feature = "bird", feature = "azure"))]
use std::path::PathBuf;
#[cfg(all(feature = "bird", feature = "azure"))]
use std::process::Command;
use std::time::Duration;
use touchtone::gather::{run_over_recording, GatherConfig, GatherResult, Reason, RecordingOptions};
use touchtone::generator::to_i16;
use touchtone::{Generator, GeneratorConfig, Key, KeySet};

const TOL_MS: i64 = 10;

/// A recording of `total_ms` at `rate` with each key `(char, start_ms, length_ms)`.
fn recording(rate: u32, total_ms: u64, keys: &[(char, u64, u64)]) -> Vec<i16> {
    let gen = Generator::new(GeneratorConfig {
        sample_rate: rate,
        ..Default::default()
    })
    .unwrap();
    let at = |ms: u64| (ms * u64::from(rate) / 1000) as usize;
    let mut out = vec![0.0f64; at(total_ms)];
    for &(c, start, len) in keys {
        let k = Key::from_char(c).unwrap();
        gen.add_key(k, &mut out[at(start)..at(start + len)]);
    }
    to_i16(&out)
}

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

#[cfg(all(feature = "bird", feature = "azure"))]
fn temp_wav(name: &str, pcm: &[i16], rate: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("touchtone-gather-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for &s in pcm {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    path
}

#[cfg(all(feature = "bird", feature = "azure"))]
fn example(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "gather", "--"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(all(feature = "bird", feature = "azure"))] // the example needs both features
#[test]
fn example_binary_end_to_end() {
    let pcm = recording(
        8000,
        2500,
        &[('4', 400, 80), ('2', 700, 80), ('9', 1000, 80)],
    );
    let wav = temp_wav("pin.wav", &pcm, 8000);
    let wav = wav.to_str().unwrap();
    // A Bird body: maxNumKeys 3 ends at the third key's down (1000 ms).
    let (code, out, err) = example(&["--request", r#"{"maxNumKeys":3,"timeout":1}"#, wav]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["keys"], "429");
    assert_eq!(v["reason"], "max_keys");
    assert_eq!(v["success"], true);
    assert_eq!(v["attempts"], 1);
    assert_near(v["end_ms"].as_u64().unwrap(), 1000);
    assert_eq!(out.lines().count(), 1);
    assert!(out
        .starts_with(r#"{"keys":"429","reason":"max_keys","success":true,"attempts":1,"end_ms":"#));
    // Flags: prompt of 1500 ms with barge-in off discards 4 and 2 (and 9 at 1000 too);
    // first-key timer from 1500 → no_input at 2500, then a retry (prompt 2500–4000, timer
    // to 5000) → no_input at 5000.
    let (code, out, _) = example(&[
        "--timeout",
        "1",
        "--prompt-ms",
        "1500",
        "--no-barge-in",
        "--retries",
        "1",
        wav,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        r#"{"keys":"","reason":"no_input","success":false,"attempts":2,"end_ms":5000}"#
    );
    // Errors: exit 2 with `error: `.
    for bad in [
        vec!["--end-key", "x", wav],
        vec!["--timeout", "-1", wav],
        vec!["--request", r#"{"input":"speech"}"#, wav],
        vec!["--min-keys", "5", "--max-keys", "2", wav],
        vec!["/nonexistent/caller.wav"],
        vec!["--bogus", wav],
        vec![],
    ] {
        let (code, out, err) = example(&bad);
        assert_eq!(code, 2, "{bad:?}: {out} {err}");
        assert!(err.starts_with("error: "), "{bad:?}: {err}");
        assert!(out.is_empty());
    }
}

#[cfg(all(feature = "bird", feature = "azure"))]
fn line(out: &str, n: usize) -> serde_json::Value {
    serde_json::from_str(
        out.lines()
            .nth(n)
            .unwrap_or_else(|| panic!("line {n} of {out:?}")),
    )
    .unwrap()
}

/// Each preset's defining behaviour, through the example binary.
#[cfg(all(feature = "bird", feature = "azure"))]
#[test]
fn example_presets_behave_as_their_platforms() {
    // Twilio: a lone # is ignored; the 5 then # end it.
    let wav = temp_wav(
        "twilio.wav",
        &recording(
            8000,
            2500,
            &[('#', 300, 80), ('5', 1000, 80), ('#', 1500, 80)],
        ),
        8000,
    );
    let (code, out, err) = example(&["--preset", "twilio", wav.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(
        (v["keys"].as_str(), v["reason"].as_str()),
        (Some("5"), Some("end_key"))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 1500);
    // The default (Bird) takes the lone # as no input at its down.
    let (_, out, _) = example(&[wav.to_str().unwrap()]);
    assert_eq!(line(&out, 0)["reason"], "no_input");

    // Azure: partial input at the 2 s inter-tone timeout fails.
    let wav = temp_wav(
        "azure.wav",
        &recording(8000, 1500, &[('1', 300, 80), ('2', 600, 80)]),
        8000,
    );
    let w = wav.to_str().unwrap();
    let (_, out, _) = example(&["--preset", "azure", "--max-keys", "3", w]);
    let v = line(&out, 0);
    assert_eq!(
        (
            v["keys"].as_str(),
            v["reason"].as_str(),
            v["success"].as_bool()
        ),
        (Some("12"), Some("timeout"), Some(false))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 680 + 2000);
    // Plivo: digitTimeout 2 s, success.
    let (_, out, _) = example(&["--preset", "plivo", w]);
    let v = line(&out, 0);
    assert_eq!(
        (v["keys"].as_str(), v["success"].as_bool()),
        (Some("12"), Some(true))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 680 + 2000);
    // Plivo validDigits: 2 is invalid; no retry.
    let (_, out, _) = example(&["--preset", "plivo", "--valid-keys", "13", w]);
    let v = line(&out, 0);
    assert_eq!(
        (v["reason"].as_str(), v["attempts"].as_u64()),
        (Some("invalid"), Some(1))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 600);
    // --invalid ignore: the 2 is as if not pressed.
    let (_, out, _) = example(&[
        "--valid-keys",
        "13",
        "--invalid",
        "ignore",
        "--timeout",
        "1",
        w,
    ]);
    let v = line(&out, 0);
    assert_eq!(v["keys"], "1");
    assert_near(v["end_ms"].as_u64().unwrap(), 380 + 1000);

    // FreeSWITCH retries too-short input; Asterisk retries only when nothing came.
    let wav = temp_wav(
        "short.wav",
        &recording(
            8000,
            3000,
            &[
                ('1', 300, 80),
                ('#', 600, 80),
                ('2', 1000, 80),
                ('3', 1300, 80),
                ('#', 1600, 80),
            ],
        ),
        8000,
    );
    let w = wav.to_str().unwrap();
    let (_, out, _) = example(&[
        "--preset",
        "freeswitch",
        "--min-keys",
        "2",
        "--retries",
        "1",
        w,
    ]);
    let v = line(&out, 0);
    assert_eq!(
        (
            v["keys"].as_str(),
            v["reason"].as_str(),
            v["attempts"].as_u64()
        ),
        (Some("23"), Some("end_key"), Some(2))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 1600);
    let (_, out, _) = example(&[
        "--preset",
        "asterisk",
        "--min-keys",
        "2",
        "--retries",
        "1",
        w,
    ]);
    let v = line(&out, 0);
    assert_eq!(
        (v["reason"].as_str(), v["attempts"].as_u64()),
        (Some("too_short"), Some(1))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 600);
    // Asterisk without a timeout: the response timeout (10 s) for the first digit.
    let wav = temp_wav("silence.wav", &recording(8000, 500, &[]), 8000);
    let (_, out, _) = example(&["--preset", "asterisk", wav.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        r#"{"keys":"","reason":"no_input","success":false,"attempts":1,"end_ms":10000}"#
    );

    // VoiceXML bargein="false": the 1 typed during the prompt is flushed.
    let wav = temp_wav(
        "vxml.wav",
        &recording(
            8000,
            2500,
            &[('1', 300, 80), ('2', 1300, 80), ('3', 1600, 80)],
        ),
        8000,
    );
    let (_, out, _) = example(&[
        "--preset",
        "voicexml",
        "--prompt-ms",
        "1000",
        "--no-barge-in",
        "--max-keys",
        "2",
        wav.to_str().unwrap(),
    ]);
    let v = line(&out, 0);
    assert_eq!(
        (v["keys"].as_str(), v["reason"].as_str()),
        (Some("23"), Some("max_keys"))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 1600);
    let (code, _, err) = example(&["--preset", "genesys", wav.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--preset"), "{err}");
    for f in ["twilio", "azure", "short", "silence", "vxml"] {
        std::fs::remove_file(wav.with_file_name(format!("{f}.wav"))).ok();
    }
}

/// `--gathers N`: back to back on one recording, keys after one gather go to the next.
#[cfg(all(feature = "bird", feature = "azure"))]
#[test]
fn example_runs_gathers_back_to_back() {
    // Gather 1 (maxNumKeys 2) ends at the 2's down (600); the 3 and 4 go to gather 2,
    // which ends at the 4's down (1200); gather 3 hears nothing: no input at 1200 + 1000.
    let wav = temp_wav(
        "chain.wav",
        &recording(
            8000,
            1600,
            &[
                ('1', 300, 80),
                ('2', 600, 80),
                ('3', 900, 80),
                ('4', 1200, 80),
            ],
        ),
        8000,
    );
    let (code, out, err) = example(&[
        "--max-keys",
        "2",
        "--timeout",
        "1",
        "--gathers",
        "3",
        wav.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let (a, b, c) = (line(&out, 0), line(&out, 1), line(&out, 2));
    assert_eq!(
        (a["keys"].as_str(), b["keys"].as_str()),
        (Some("12"), Some("34"))
    );
    assert_near(a["end_ms"].as_u64().unwrap(), 600);
    assert_near(b["end_ms"].as_u64().unwrap(), 1200);
    assert_eq!(c["reason"], "no_input");
    assert_near(c["end_ms"].as_u64().unwrap(), 2200);
    // A key held across the end of gather 1 (the 2, 600-680) is not counted twice, and
    // a key typed while gather 2's prompt plays barges into it.
    let (_, out, _) = example(&[
        "--max-keys",
        "2",
        "--timeout",
        "1",
        "--prompt-ms",
        "200",
        "--gathers",
        "2",
        wav.to_str().unwrap(),
    ]);
    let (a, b) = (line(&out, 0), line(&out, 1));
    assert_eq!(
        (a["keys"].as_str(), b["keys"].as_str()),
        (Some("12"), Some("34"))
    );
}

/// `--azure`, `--bird-response` and the warnings.
#[cfg(all(feature = "bird", feature = "azure"))]
#[test]
fn example_speaks_azure_and_bird_json() {
    let wav = temp_wav(
        "json.wav",
        &recording(
            8000,
            2000,
            &[('1', 300, 80), ('2', 600, 80), ('#', 900, 80)],
        ),
        8000,
    );
    let w = wav.to_str().unwrap();
    let body = r#"{"recognizeInputType":"dtmf","operationContext":"menu",
        "recognizeOptions":{"targetParticipant":{"rawId":"x"},
        "dtmfOptions":{"maxTonesToCollect":4,"stopTones":["pound"]}}}"#;
    let (code, out, err) = example(&["--azure", body, w]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(v["type"], "Microsoft.Communication.RecognizeCompleted");
    assert_eq!(v["data"]["resultInformation"]["subCode"], 8514);
    assert_eq!(
        v["data"]["dtmfResult"]["tones"],
        serde_json::json!(["one", "two", "pound"])
    );
    assert_eq!(v["data"]["operationContext"], "menu");
    let (code, _, err) = example(&["--azure", r#"{"recognizeInputType":"speech"}"#, w]);
    assert_eq!(code, 2);
    assert!(err.contains("recognizeInputType"), "{err}");

    let cmd = r#"{"command":"gather","options":{"maxNumKeys":4},"conditions":[
        {"variable":"keys","operator":"eq","value":"12"},
        {"variable":"keys","operator":"contains","value":"3"}]}"#;
    let (code, out, err) = example(&["--request", cmd, "--bird-response", w]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(
        (v["command"].as_str(), v["status"].as_str()),
        (Some("gather"), Some("completed"))
    );
    assert_eq!(v["conditions"][0]["result"], true);
    assert_eq!(v["conditions"][1]["result"], false);

    // Warnings: a flag the request overrides, and a prompt of unknown length.
    let (code, out, err) = example(&[
        "--max-keys",
        "6",
        "--request",
        r#"{"maxNumKeys":1,"say":{"text":"Enter your PIN"}}"#,
        w,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(line(&out, 0)["keys"], "1");
    assert!(
        err.contains("warning: --request sets maxNumKeys; --max-keys 6 is ignored"),
        "{err}"
    );
    assert!(err.contains("say prompt has an unknown length"), "{err}");
    let (_, _, err) = example(&["--request", r#"{"maxNumKeys":1}"#, "--prompt-ms", "500", w]);
    assert!(!err.contains("warning"), "{err}");
    std::fs::remove_file(&wav).ok();
}

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
