//! `touchtone gather [OPTIONS] CALLER`: run a gather (or several back to back) over a
//! caller's recording, as a voice platform would, and print one JSON line per gather:
//! `{"keys":"1234","reason":"max_keys","success":true,"attempts":1,"end_ms":3210}` (or the
//! Bird response / Azure event). A `say`/`playback`/`playPrompt` prompt plays only with
//! `--prompt-ms` (its length is unknown otherwise; a warning says so). Warnings go to stderr
//! as `warning: …`. The recording is read as `decode` reads it (any format, `--raw`).

use std::time::Duration;

use touchtone::gather::azure::{EventContext, RecognizeRequest};
use touchtone::gather::bird::{BirdCommand, BirdPrompt, CallCommandResponse, Condition};
use touchtone::gather::presets::{Asterisk, Azure, Bird, FreeSwitch, Plivo, Twilio, VoiceXml};
use touchtone::gather::{run_gathers_over_recording_with_keys, KeyReport, KeySource};
use touchtone::gather::{
    seconds, GatherConfig, GatherConfigError, InvalidKeyPolicy, RecordingOptions,
};
use touchtone::{Key, KeySet};

use crate::input::{RawFormat, Source};
use crate::parse_num;

const USAGE: &str = "usage: gather [OPTIONS] CALLER.wav
  --preset NAME           bird|azure|twilio|plivo|freeswitch|asterisk|voicexml defaults
  --max-keys N            maxNumKeys (0 = no limit)           default 0
  --min-keys N                                                 default 1
  --end-key K|none        endKey                               default #
  --timeout S             first-key and inter-key timeout, s   default 5
  --inter-key-timeout S   inter-key timeout only, s            default = --timeout
  --retries N                                                  default 0
  --valid-keys KEYS       keys accepted as input               default all
  --invalid fail|ignore   a key outside --valid-keys           default fail
  --prompt-ms MS          length of the prompt played at the start of each attempt; 0 = none
  --no-barge-in           keys during the prompt are discarded
  --request JSON|@FILE    a Bird body (sets maxNumKeys, endKey, timeout, retries)
  --bird-response         print Bird's CallCommandResponse with the conditions' outcomes
  --azure JSON|@FILE      an Azure Recognize body; prints Azure's event JSON
  --gathers N             N gathers back to back (one line each)
  --raw ulaw|alaw|s16le|f32le   headerless input
  --rate HZ               sample rate of --raw input (default 8000)
  --channel N             use channel N (0-based) of a multi-channel file (default 0)
  --events FILE           out-of-band key events (JSON lines), merged with the recording's";

fn secs(flag: &'static str, v: &str) -> Result<Duration, String> {
    let s: f64 = parse_num(flag, v, "a number of seconds")?;
    seconds(flag, s).map_err(|e| e.to_string())
}

fn preset(name: &str) -> Result<GatherConfig, String> {
    let cfg = match name {
        "bird" => Bird::default().config(),
        "azure" => Azure::default().config(),
        "twilio" => Twilio::default().config(),
        "plivo" => Plivo::default().config(),
        "freeswitch" => FreeSwitch::default().config(),
        "asterisk" => Asterisk::default().config(),
        "voicexml" => VoiceXml::default().config(),
        _ => {
            return Err(format!(
                "--preset needs one of bird, azure, twilio, plivo, freeswitch, asterisk, \
                 voicexml, got \"{}\"",
                name.escape_debug()
            ))
        }
    };
    cfg.map_err(|e| e.to_string())
}

fn body(flag: &str, v: &str) -> Result<String, String> {
    match v.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {flag} file {path}: {e}")),
        None => Ok(v.to_string()),
    }
}

/// Flags given on the command line, as (flag, value), in order.
type Given = Vec<(&'static str, String)>;

fn warn_overridden(given: &Given, by: &str, flags: &[(&str, &str)]) {
    for (flag, setting) in flags {
        if let Some((_, v)) = given.iter().rev().find(|(f, _)| f == flag) {
            let v = if v.is_empty() {
                String::new()
            } else {
                format!(" {v}")
            };
            eprintln!("warning: {by} sets {setting}; {flag}{v} is ignored");
        }
    }
}

fn gather(argv: &[String]) -> Result<Option<String>, String> {
    let mut given: Given = Vec::new();
    let mut preset_name: Option<String> = None;
    let mut prompt_ms = 0u64;
    let mut request: Option<String> = None;
    let mut azure: Option<String> = None;
    let mut bird_response = false;
    let mut gathers = 1usize;
    let mut raw: Option<RawFormat> = None;
    let mut rate: Option<u32> = None;
    let mut channel: u16 = 0;
    let mut file: Option<String> = None;
    let mut events: Option<String> = None;
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if !arg.starts_with("--") || arg == "--" {
            if arg == "--" {
                continue;
            }
            if file.is_some() {
                return Err(format!(
                    "unexpected argument \"{}\": only one file is accepted",
                    arg.escape_debug()
                ));
            }
            file = Some(arg.to_string());
            continue;
        }
        match arg {
            "--help" | "-h" => return Ok(None),
            "--no-barge-in" => {
                given.push(("--no-barge-in", String::new()));
                continue;
            }
            "--bird-response" => {
                bird_response = true;
                continue;
            }
            _ => {}
        }
        let Some(v) = argv.get(i) else {
            return Err(format!("{arg} needs a value"));
        };
        i += 1;
        match arg {
            "--max-keys"
            | "--min-keys"
            | "--retries"
            | "--end-key"
            | "--timeout"
            | "--inter-key-timeout"
            | "--valid-keys"
            | "--invalid" => {
                let flag: &'static str = match arg {
                    "--max-keys" => "--max-keys",
                    "--min-keys" => "--min-keys",
                    "--retries" => "--retries",
                    "--end-key" => "--end-key",
                    "--timeout" => "--timeout",
                    "--inter-key-timeout" => "--inter-key-timeout",
                    "--valid-keys" => "--valid-keys",
                    _ => "--invalid",
                };
                given.push((flag, v.clone()));
            }
            "--preset" => preset_name = Some(v.clone()),
            "--prompt-ms" => prompt_ms = parse_num(arg, v, "a whole number of milliseconds")?,
            "--request" => request = Some(v.clone()),
            "--azure" => azure = Some(v.clone()),
            "--gathers" => {
                gathers = parse_num(arg, v, "a whole number")?;
                if gathers == 0 {
                    return Err("--gathers needs at least 1".into());
                }
            }
            "--raw" => {
                raw = Some(RawFormat::from_name(v).ok_or_else(|| {
                    format!("--raw needs one of ulaw, alaw, s16le, f32le, got \"{v}\"")
                })?)
            }
            "--rate" => rate = Some(parse_num(arg, v, "a sample rate in Hz")?),
            "--channel" => channel = parse_num(arg, v, "a channel number")?,
            "--events" => events = Some(v.clone()),
            _ => {
                return Err(format!(
                    "unknown option \"{}\"\n{USAGE}",
                    arg.escape_debug()
                ))
            }
        }
    }
    if request.is_some() && azure.is_some() {
        return Err("--request (Bird) and --azure cannot be used together".into());
    }
    if bird_response && azure.is_some() {
        return Err("--bird-response and --azure cannot be used together".into());
    }
    // The preset, then the flags, then a request body.
    let mut cfg = match &preset_name {
        Some(p) => preset(p)?,
        None => GatherConfig::default(),
    };
    let mut inter: Option<Duration> = None;
    for (flag, v) in &given {
        let flag: &'static str = flag;
        match flag {
            "--max-keys" => cfg.max_keys = parse_num(flag, v, "a whole number")?,
            "--min-keys" => cfg.min_keys = parse_num(flag, v, "a whole number")?,
            "--retries" => cfg.retries = parse_num(flag, v, "a whole number")?,
            "--no-barge-in" => cfg.barge_in = false,
            "--end-key" => {
                cfg.end_keys = if v == "none" {
                    KeySet::EMPTY
                } else {
                    let mut cs = v.chars();
                    match (cs.next().and_then(Key::from_char), cs.next()) {
                        (Some(k), None) => KeySet::one(k),
                        _ => {
                            return Err(GatherConfigError::Key {
                                field: "--end-key",
                                value: v.clone(),
                            }
                            .to_string())
                        }
                    }
                }
            }
            "--timeout" => {
                let d = secs("--timeout", v)?;
                cfg.first_key_timeout = d;
                cfg.inter_key_timeout = d;
            }
            "--inter-key-timeout" => inter = Some(secs("--inter-key-timeout", v)?),
            "--valid-keys" => {
                cfg.valid_keys = KeySet::from_chars(v).map_err(|_| {
                    GatherConfigError::Key {
                        field: "--valid-keys",
                        value: v.clone(),
                    }
                    .to_string()
                })?
            }
            "--invalid" => {
                cfg.invalid_key = match v.as_str() {
                    "fail" => InvalidKeyPolicy::Fail,
                    "ignore" => InvalidKeyPolicy::Ignore,
                    _ => return Err(format!("--invalid needs fail or ignore, got \"{v}\"")),
                }
            }
            _ => {}
        }
    }
    let mut conditions: Vec<Condition> = Vec::new();
    if let Some(text) = &request {
        let cmd = BirdCommand::parse(&body("--request", text)?)
            .map_err(|e| format!("--request: {}", e.to_json()))?;
        warn_overridden(
            &given,
            "--request",
            &[
                ("--max-keys", "maxNumKeys"),
                ("--end-key", "endKey"),
                ("--timeout", "timeout"),
                ("--retries", "retries"),
            ],
        );
        let b = cmd.request.config();
        cfg.max_keys = b.max_keys;
        cfg.end_keys = b.end_keys;
        cfg.first_key_timeout = b.first_key_timeout;
        cfg.inter_key_timeout = b.inter_key_timeout;
        cfg.retries = b.retries;
        cfg.input = b.input;
        if let (Some(p), 0) = (cmd.request.prompt(), prompt_ms) {
            let kind = match p {
                BirdPrompt::Playback(_) => "playback",
                BirdPrompt::Say(_) => "say",
            };
            eprintln!(
                "warning: the request's {kind} prompt has an unknown length; give --prompt-ms \
                 MS to play it (no prompt is played)"
            );
        }
        conditions = cmd.conditions;
    }
    let mut recognize: Option<RecognizeRequest> = None;
    if let Some(text) = &azure {
        let req = RecognizeRequest::parse(&body("--azure", text)?)
            .map_err(|e| format!("--azure: {}", e.to_json()))?;
        warn_overridden(
            &given,
            "--azure",
            &[
                ("--max-keys", "maxTonesToCollect"),
                ("--end-key", "stopTones"),
                (
                    "--timeout",
                    "initialSilenceTimeoutInSeconds and interToneTimeoutInSeconds",
                ),
                ("--no-barge-in", "interruptPrompt"),
            ],
        );
        let a = req.config().map_err(|e| format!("--azure: {e}"))?;
        cfg = GatherConfig {
            valid_keys: cfg.valid_keys,
            invalid_key: cfg.invalid_key,
            min_keys: cfg.min_keys.min(a.max_keys),
            retries: cfg.retries,
            ..a
        };
        if !req.play_prompts.is_empty() && prompt_ms == 0 {
            eprintln!(
                "warning: the request's playPrompt has an unknown length; give --prompt-ms MS \
                 to play it (no prompt is played)"
            );
        }
        recognize = Some(req);
    }
    if let Some(d) = inter {
        cfg.inter_key_timeout = d;
    }
    let Some(file) = file else {
        return Err(format!("no recording given\n{USAGE}"));
    };
    if rate.is_some() && raw.is_none() {
        return Err("--rate applies only to --raw input".into());
    }
    let source = Source::open(&file, raw, rate.unwrap_or(8000))?;
    let sample_rate = source.sample_rate();
    let (mut lanes, warning) = source.read_all(&file)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    if usize::from(channel) >= lanes.len() {
        return Err(format!(
            "--channel {channel}: {file} has {} channel(s)",
            lanes.len()
        ));
    }
    let reports = match events {
        Some(path) => read_events(&path)?,
        None => Vec::new(),
    };
    let mono = lanes.swap_remove(usize::from(channel));
    let opts = RecordingOptions {
        config: cfg,
        prompt: Duration::from_millis(prompt_ms),
        frame: None,
    };
    let results =
        run_gathers_over_recording_with_keys(&mono, sample_rate, &opts, gathers, &reports)
            .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (n, r) in results.iter().enumerate() {
        out.push(if let Some(req) = &recognize {
            req.event(r, &EventContext::default()).to_string()
        } else if bird_response {
            CallCommandResponse::new(
                &format!("gather-{}", n + 1),
                "call",
                "callflow",
                r,
                &conditions,
            )
            .to_json()
        } else {
            format!(
                "{{\"keys\":\"{}\",\"reason\":\"{}\",\"success\":{},\"attempts\":{},\"end_ms\":{}}}",
                r.keys,
                r.reason,
                r.success,
                r.attempts,
                r.end_ms()
            )
        });
    }
    Ok(Some(out.join("\n")))
}

pub(crate) fn run(argv: &[String]) -> Result<(), String> {
    match gather(argv)? {
        Some(lines) => println!("{lines}"),
        None => println!("{USAGE}"),
    }
    Ok(())
}

/// `--events FILE`: one JSON object per line (blank lines skipped); errors name
/// `FILE:LINE`.
fn read_events(path: &str) -> Result<Vec<KeyReport>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read events file {path}: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(event(line).map_err(|e| format!("{path}:{}: {e}", n + 1))?);
    }
    Ok(out)
}

fn event(line: &str) -> Result<KeyReport, String> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let obj = v
        .as_object()
        .ok_or("an event must be a JSON object, e.g. {\"key\":\"5\",\"start_ms\":1200,\"end_ms\":1290,\"source\":\"rfc4733\"}")?;
    for name in obj.keys() {
        if !["key", "start_ms", "end_ms", "source"].contains(&name.as_str()) {
            return Err(format!(
                "unknown field \"{}\" (expected key, start_ms, end_ms, source)",
                name.escape_debug()
            ));
        }
    }
    let key = match obj.get("key") {
        Some(serde_json::Value::String(s)) => {
            let mut cs = s.chars();
            match (cs.next().and_then(Key::from_char), cs.next()) {
                (Some(k), None) => Some(k),
                _ => None,
            }
        }
        _ => None,
    }
    .ok_or_else(|| match obj.get("key") {
        Some(v) => format!("\"key\" must be one of 0-9 * # A-D, got {v}"),
        None => "\"key\" is missing".to_string(),
    })?;
    let time = |field: &str| -> Result<Option<Duration>, String> {
        let Some(v) = obj.get(field) else {
            return Ok(None);
        };
        let bad = || format!("\"{field}\" must be a number of milliseconds >= 0, got {v}");
        if let Some(ms) = v.as_u64() {
            return Ok(Some(Duration::from_millis(ms)));
        }
        match v.as_f64() {
            Some(ms) if (0.0..1e15).contains(&ms) => Ok(Some(Duration::from_secs_f64(ms / 1000.0))),
            _ => Err(bad()),
        }
    };
    let start = time("start_ms")?.ok_or("\"start_ms\" is missing")?;
    let end = time("end_ms")?;
    if let Some(e) = end {
        if e < start {
            return Err(format!(
                "\"end_ms\" ({}) is before \"start_ms\" ({})",
                e.as_secs_f64() * 1000.0,
                start.as_secs_f64() * 1000.0
            ));
        }
    }
    let source = match obj.get("source") {
        Some(serde_json::Value::String(s)) => KeySource::from_name(s),
        _ => None,
    }
    .ok_or_else(|| match obj.get("source") {
        Some(v) => format!("\"source\" must be one of inband, rfc4733, sip_info, other, got {v}"),
        None => "\"source\" is missing".to_string(),
    })?;
    Ok(KeyReport {
        key,
        start,
        end,
        source,
    })
}
