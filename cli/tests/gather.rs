//! `touchtone gather` end to end: generated caller recordings with keys at known times, run
//! through the binary with each platform's settings. Expected `end_ms` values are computed
//! from the key times and the timeouts by the rules; the detector's edge estimates are good
//! to ±10 ms.

mod common;

use common::{run, stderr, stdout, write_wav, TempDir};
use std::path::PathBuf;

use touchtone::generator::to_i16;
use touchtone::{Generator, GeneratorConfig, Key};

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

fn assert_near(got: u64, want: u64) {
    assert!(
        (got as i64 - want as i64).abs() <= TOL_MS,
        "end_ms {got}, expected {want} ± {TOL_MS}"
    );
}

/// A WAV file `name` in the test's temporary directory `dir` (removed with it).
fn temp_wav(dir: &TempDir, name: &str, pcm: &[i16], rate: u32) -> PathBuf {
    write_wav(&dir.join(name), rate, &[pcm.to_vec()])
}

fn touchtone_gather(args: &[&str]) -> (i32, String, String) {
    let out = run("gather", args);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn example_binary_end_to_end() {
    let dir = TempDir::new("gather");
    let pcm = recording(
        8000,
        2500,
        &[('4', 400, 80), ('2', 700, 80), ('9', 1000, 80)],
    );
    let wav = temp_wav(&dir, "pin.wav", &pcm, 8000);
    let wav = wav.to_str().unwrap();
    // A Bird body: maxNumKeys 3 ends at the third key's down (1000 ms).
    let (code, out, err) = touchtone_gather(&["--request", r#"{"maxNumKeys":3,"timeout":1}"#, wav]);
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
    let (code, out, _) = touchtone_gather(&[
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
        let (code, out, err) = touchtone_gather(&bad);
        assert_eq!(code, 2, "{bad:?}: {out} {err}");
        assert!(err.starts_with("error: "), "{bad:?}: {err}");
        assert!(out.is_empty());
    }
}

fn line(out: &str, n: usize) -> serde_json::Value {
    serde_json::from_str(
        out.lines()
            .nth(n)
            .unwrap_or_else(|| panic!("line {n} of {out:?}")),
    )
    .unwrap()
}

/// Each preset's defining behaviour, through the example binary.
#[test]
fn example_presets_behave_as_their_platforms() {
    let dir = TempDir::new("gather");
    // Twilio: a lone # is ignored; the 5 then # end it.
    let wav = temp_wav(
        &dir,
        "twilio.wav",
        &recording(
            8000,
            2500,
            &[('#', 300, 80), ('5', 1000, 80), ('#', 1500, 80)],
        ),
        8000,
    );
    let (code, out, err) = touchtone_gather(&["--preset", "twilio", wav.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(
        (v["keys"].as_str(), v["reason"].as_str()),
        (Some("5"), Some("end_key"))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 1500);
    // The default (Bird) takes the lone # as no input at its down.
    let (_, out, _) = touchtone_gather(&[wav.to_str().unwrap()]);
    assert_eq!(line(&out, 0)["reason"], "no_input");

    // Azure: partial input at the 2 s inter-tone timeout fails.
    let wav = temp_wav(
        &dir,
        "azure.wav",
        &recording(8000, 1500, &[('1', 300, 80), ('2', 600, 80)]),
        8000,
    );
    let w = wav.to_str().unwrap();
    let (_, out, _) = touchtone_gather(&["--preset", "azure", "--max-keys", "3", w]);
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
    let (_, out, _) = touchtone_gather(&["--preset", "plivo", w]);
    let v = line(&out, 0);
    assert_eq!(
        (v["keys"].as_str(), v["success"].as_bool()),
        (Some("12"), Some(true))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 680 + 2000);
    // Plivo validDigits: 2 is invalid; no retry.
    let (_, out, _) = touchtone_gather(&["--preset", "plivo", "--valid-keys", "13", w]);
    let v = line(&out, 0);
    assert_eq!(
        (v["reason"].as_str(), v["attempts"].as_u64()),
        (Some("invalid"), Some(1))
    );
    assert_near(v["end_ms"].as_u64().unwrap(), 600);
    // --invalid ignore: the 2 is as if not pressed.
    let (_, out, _) = touchtone_gather(&[
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
        &dir,
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
    let (_, out, _) = touchtone_gather(&[
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
    let (_, out, _) = touchtone_gather(&[
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
    let wav = temp_wav(&dir, "silence.wav", &recording(8000, 500, &[]), 8000);
    let (_, out, _) = touchtone_gather(&["--preset", "asterisk", wav.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        r#"{"keys":"","reason":"no_input","success":false,"attempts":1,"end_ms":10000}"#
    );

    // VoiceXML bargein="false": the 1 typed during the prompt is flushed.
    let wav = temp_wav(
        &dir,
        "vxml.wav",
        &recording(
            8000,
            2500,
            &[('1', 300, 80), ('2', 1300, 80), ('3', 1600, 80)],
        ),
        8000,
    );
    let (_, out, _) = touchtone_gather(&[
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
    let (code, _, err) = touchtone_gather(&["--preset", "genesys", wav.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--preset"), "{err}");
    for f in ["twilio", "azure", "short", "silence", "vxml"] {
        std::fs::remove_file(wav.with_file_name(format!("{f}.wav"))).ok();
    }
}

/// `--gathers N`: back to back on one recording, keys after one gather go to the next.
#[test]
fn example_runs_gathers_back_to_back() {
    let dir = TempDir::new("gather");
    // Gather 1 (maxNumKeys 2) ends at the 2's down (600); the 3 and 4 go to gather 2,
    // which ends at the 4's down (1200); gather 3 hears nothing: no input at 1200 + 1000.
    let wav = temp_wav(
        &dir,
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
    let (code, out, err) = touchtone_gather(&[
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
    let (_, out, _) = touchtone_gather(&[
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
#[test]
fn example_speaks_azure_and_bird_json() {
    let dir = TempDir::new("gather");
    let wav = temp_wav(
        &dir,
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
    let (code, out, err) = touchtone_gather(&["--azure", body, w]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(v["type"], "Microsoft.Communication.RecognizeCompleted");
    assert_eq!(v["data"]["resultInformation"]["subCode"], 8514);
    assert_eq!(
        v["data"]["dtmfResult"]["tones"],
        serde_json::json!(["one", "two", "pound"])
    );
    assert_eq!(v["data"]["operationContext"], "menu");
    let (code, _, err) = touchtone_gather(&["--azure", r#"{"recognizeInputType":"speech"}"#, w]);
    assert_eq!(code, 2);
    assert!(err.contains("recognizeInputType"), "{err}");

    let cmd = r#"{"command":"gather","options":{"maxNumKeys":4},"conditions":[
        {"variable":"keys","operator":"eq","value":"12"},
        {"variable":"keys","operator":"contains","value":"3"}]}"#;
    let (code, out, err) = touchtone_gather(&["--request", cmd, "--bird-response", w]);
    assert_eq!(code, 0, "{err}");
    let v = line(&out, 0);
    assert_eq!(
        (v["command"].as_str(), v["status"].as_str()),
        (Some("gather"), Some("completed"))
    );
    assert_eq!(v["conditions"][0]["result"], true);
    assert_eq!(v["conditions"][1]["result"], false);

    // Warnings: a flag the request overrides, and a prompt of unknown length.
    let (code, out, err) = touchtone_gather(&[
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
    let (_, _, err) =
        touchtone_gather(&["--request", r#"{"maxNumKeys":1}"#, "--prompt-ms", "500", w]);
    assert!(!err.contains("warning"), "{err}");
    std::fs::remove_file(&wav).ok();
}

// ---- --events: out-of-band key events merged with the recording's keys

fn wav(dir: &TempDir, name: &str, pcm: &[i16]) -> String {
    temp_wav(dir, name, pcm, 8000).to_str().unwrap().to_string()
}

fn file(dir: &TempDir, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn events_file_is_merged_with_the_recording() {
    let dir = TempDir::new("gather");
    // In band: 4 at 400, 2 at 700. Out of band: the same 2 (RFC 4733, once), a 5
    // only out of band at 1200, a SIP INFO # without end at 1600.
    let pcm = recording(8000, 2500, &[('4', 400, 80), ('2', 700, 80)]);
    let w = wav(&dir, "caller.wav", &pcm);
    let ev = file(
        &dir,
        "events.jsonl",
        concat!(
            "{\"key\":\"2\",\"start_ms\":702,\"end_ms\":790,\"source\":\"rfc4733\"}\n",
            "\n",
            "{\"key\":\"5\",\"start_ms\":1200,\"end_ms\":1290,\"source\":\"rfc4733\"}\n",
            "{\"key\":\"#\",\"start_ms\":1600,\"source\":\"sip_info\"}\n",
        ),
    );
    let (code, out, err) = touchtone_gather(&["--timeout", "2", "--events", &ev, &w]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["keys"], "425", "{out}");
    assert_eq!(v["reason"], "end_key");
    assert_eq!(v["end_ms"], 1600);
    // Without the events file: the recording's keys alone, ended by the timeout.
    let (code, out, _) = touchtone_gather(&["--timeout", "2", &w]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["keys"].as_str(), v["reason"].as_str()),
        (Some("42"), Some("timeout"))
    );
}

#[test]
fn bad_event_lines_name_the_file_and_line() {
    let dir = TempDir::new("gather");
    let pcm = recording(8000, 500, &[]);
    let w = wav(&dir, "quiet.wav", &pcm);
    let good = "{\"key\":\"1\",\"start_ms\":100,\"source\":\"rfc4733\"}\n";
    for (name, bad, what) in [
        ("json.jsonl", "{\"key\":\"1\",", "JSON"),
        (
            "key.jsonl",
            "{\"key\":\"x\",\"start_ms\":1,\"source\":\"rfc4733\"}",
            "\"key\"",
        ),
        (
            "start.jsonl",
            "{\"key\":\"1\",\"start_ms\":-5,\"source\":\"rfc4733\"}",
            "\"start_ms\"",
        ),
        (
            "nostart.jsonl",
            "{\"key\":\"1\",\"source\":\"rfc4733\"}",
            "\"start_ms\"",
        ),
        (
            "end.jsonl",
            "{\"key\":\"1\",\"start_ms\":50,\"end_ms\":40,\"source\":\"rfc4733\"}",
            "\"end_ms\"",
        ),
        (
            "src.jsonl",
            "{\"key\":\"1\",\"start_ms\":5,\"source\":\"pigeon\"}",
            "\"source\"",
        ),
        (
            "field.jsonl",
            "{\"key\":\"1\",\"start_ms\":5,\"source\":\"rfc4733\",\"x\":1}",
            "\"x\"",
        ),
        ("array.jsonl", "[1,2]", "object"),
    ] {
        let path = file(&dir, name, &format!("{good}{bad}\n"));
        let (code, out, err) = touchtone_gather(&["--events", &path, &w]);
        assert_eq!(code, 2, "{bad}: {out} {err}");
        assert!(
            err.starts_with(&format!("error: {path}:2: ")),
            "{bad}: {err}"
        );
        assert!(err.contains(what), "{bad}: {err}");
        assert!(out.is_empty());
    }
    let (code, _, err) = touchtone_gather(&["--events", "/nonexistent/events.jsonl", &w]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: "), "{err}");
}
