//! Run a gather over a caller's recording.
//!
//! ```text
//! cargo run --release --example gather -- [OPTIONS] CALLER.wav
//!   --max-keys N            maxNumKeys (0 = no limit)           default 0
//!   --end-key K|none        endKey                               default #
//!   --timeout S             first-key and inter-key timeout, s   default 5
//!   --inter-key-timeout S   inter-key timeout only, s            default = --timeout
//!   --min-keys N                                                 default 1
//!   --retries N                                                  default 0
//!   --prompt-ms MS          length of the prompt played at the start of each attempt; 0 = none
//!   --no-barge-in           keys during the prompt are discarded
//!   --request JSON|@FILE    a Bird request body; it sets maxNumKeys, endKey, timeout and
//!                           retries in place of those four flags; the other flags still apply
//!   --raw ulaw|alaw|s16le|f32le, --rate HZ, --channel N   as in examples/decode
//! ```
//!
//! Prints one JSON line: `{"keys":"1234","reason":"max_keys","success":true,"attempts":1,"end_ms":3210}`.
//! Errors: `error: …` on stderr, exit status 2.

use std::process::ExitCode;
use std::time::Duration;

use touchtone::gather::bird::BirdRequest;
use touchtone::gather::{
    run_over_recording, seconds, ConfigError, GatherConfig, KeySet, RecordingOptions,
};
use touchtone::io::{self, RawFormat};
use touchtone::Key;

const USAGE: &str = "usage: gather [OPTIONS] CALLER.wav
  --max-keys N            maxNumKeys (0 = no limit)           default 0
  --end-key K|none        endKey                               default #
  --timeout S             first-key and inter-key timeout, s   default 5
  --inter-key-timeout S   inter-key timeout only, s            default = --timeout
  --min-keys N                                                 default 1
  --retries N                                                  default 0
  --prompt-ms MS          length of the prompt played at the start of each attempt; 0 = none
  --no-barge-in           keys during the prompt are discarded
  --request JSON|@FILE    a Bird request body (sets maxNumKeys, endKey, timeout, retries)
  --raw ulaw|alaw|s16le|f32le   headerless input
  --rate HZ               sample rate of --raw input (default 8000)
  --channel N             use channel N (0-based) of a multi-channel file (default 0)";

fn num<T: std::str::FromStr>(flag: &str, v: &str, what: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} needs {what}, got \"{}\"", v.escape_debug()))
}

fn secs(flag: &'static str, v: &str) -> Result<Duration, String> {
    let s: f64 = num(flag, v, "a number of seconds")?;
    seconds(flag, s).map_err(|e| e.to_string())
}

fn run(argv: &[String]) -> Result<Option<String>, String> {
    let mut cfg = GatherConfig::default();
    let mut inter: Option<Duration> = None;
    let mut prompt_ms = 0u64;
    let mut request: Option<String> = None;
    let mut raw: Option<RawFormat> = None;
    let mut rate: Option<u32> = None;
    let mut channel: u16 = 0;
    let mut file: Option<String> = None;
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
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        if arg == "--no-barge-in" {
            cfg.barge_in = false;
            continue;
        }
        let Some(v) = argv.get(i) else {
            return Err(format!("{arg} needs a value"));
        };
        i += 1;
        match arg {
            "--max-keys" => cfg.max_keys = num(arg, v, "a whole number")?,
            "--min-keys" => cfg.min_keys = num(arg, v, "a whole number")?,
            "--retries" => cfg.retries = num(arg, v, "a whole number")?,
            "--end-key" => {
                cfg.end_keys = if v == "none" {
                    KeySet::EMPTY
                } else {
                    let mut cs = v.chars();
                    match (cs.next().and_then(Key::from_char), cs.next()) {
                        (Some(k), None) => KeySet::one(k),
                        _ => {
                            return Err(ConfigError::Key {
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
            "--prompt-ms" => prompt_ms = num(arg, v, "a whole number of milliseconds")?,
            "--request" => request = Some(v.clone()),
            "--raw" => {
                raw = Some(RawFormat::from_name(v).ok_or_else(|| {
                    format!("--raw needs one of ulaw, alaw, s16le, f32le, got \"{v}\"")
                })?)
            }
            "--rate" => rate = Some(num(arg, v, "a sample rate in Hz")?),
            "--channel" => channel = num(arg, v, "a channel number")?,
            _ => {
                return Err(format!(
                    "unknown option \"{}\"\n{USAGE}",
                    arg.escape_debug()
                ))
            }
        }
    }
    if let Some(body) = request {
        let text = match body.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read request file {path}: {e}"))?,
            None => body,
        };
        let req = BirdRequest::parse(&text).map_err(|e| format!("--request: {}", e.to_json()))?;
        let b = req.config();
        cfg.max_keys = b.max_keys;
        cfg.end_keys = b.end_keys;
        cfg.first_key_timeout = b.first_key_timeout;
        cfg.inter_key_timeout = b.inter_key_timeout;
        cfg.retries = b.retries;
        cfg.input = b.input;
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
    let audio = match raw {
        Some(f) => io::read_all_raw(&file, f, rate.unwrap_or(8000)),
        None => io::read_all(&file),
    }
    .map_err(|e| format!("{file}: {e}"))?;
    if channel >= audio.channels {
        return Err(format!(
            "--channel {channel}: {file} has {} channel(s)",
            audio.channels
        ));
    }
    let ch = usize::from(audio.channels);
    let mono: Vec<i16> = audio
        .samples
        .iter()
        .skip(usize::from(channel))
        .step_by(ch)
        .copied()
        .collect();
    let opts = RecordingOptions {
        config: cfg,
        prompt: Duration::from_millis(prompt_ms),
        frame: None,
    };
    let r = run_over_recording(&mono, audio.sample_rate, &opts).map_err(|e| e.to_string())?;
    Ok(Some(format!(
        "{{\"keys\":\"{}\",\"reason\":\"{}\",\"success\":{},\"attempts\":{},\"end_ms\":{}}}",
        r.keys,
        r.reason,
        r.success,
        r.attempts,
        r.end_ms()
    )))
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(Some(line)) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
