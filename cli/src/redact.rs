//! `touchtone redact IN OUT [OPTIONS]`: the recording IN with every DTMF key replaced by
//! silence or comfort noise, written to OUT in IN's own format (see [`touchtone::redact`]).
//!
//! IN is a WAV file of any kind the crate reads (8/16/24/32-bit PCM, 32/64-bit float, μ-law,
//! A-law, 8–48 kHz, any number of channels; each channel is redacted on its own keys). OUT
//! keeps every byte of IN outside the replaced samples (header, other chunks, untouched
//! samples). The command refuses to write OUT over IN (the same path, or the same file
//! reached another way: a symbolic or hard link, `..`), and the report over either.
//!
//! IN may also be a packet capture (pcap or pcapng, recognised by its first bytes): see
//! [`touchtone::redact::redact_capture`]. Its telephone-event packets are removed and the
//! keys in its PCMU/PCMA audio replaced; one line per span,
//! `<start_ms>\t<end_ms>\t<key>\t<ssrc>\t<source>`.
//!
//! Output: one line per replaced span, in order of channel then start,
//! `<start_ms>\t<end_ms>\t<key>` (the key is `-` unless `--reveal-keys`), plus `\t<channel>`
//! for input with more than one channel; `--report` writes the same spans as JSON.
//!
//! The default profile is `relaxed`: a key the redaction misses stays in the recording (a
//! card digit kept), while a false key only mutes a fraction of a second of speech or
//! music, so redaction runs with the detector that finds the most keys.

use std::path::Path;

use touchtone::redact::{self, Fill, RedactConfig, RedactedWav};

use crate::input::{wav, with_path, WavError};
use crate::scan::json_str;
use crate::Profile;

const USAGE: &str = "usage: redact [OPTIONS] IN OUT
Replaces every DTMF key in IN (a WAV file: 8/16/24/32-bit PCM, float, μ-law, A-law,
8-48 kHz, any number of channels) and writes OUT in IN's own format; every sample outside
the replaced spans is copied unchanged. Prints one line per replaced span:
<start_ms> <end_ms> <key, or - unless --reveal-keys> [<channel> for multi-channel input].
IN may be a packet capture (.pcap/.pcapng): its RTP telephone-event packets are removed
and the keys in its PCMU/PCMA audio replaced; one line per span:
<start_ms> <end_ms> <key or -> <stream (SSRC)> <rfc4733 (packets removed) or inband>.
  --report FILE.json            also write the replaced spans as JSON
  --profile relaxed|standard    detector profile (default relaxed: it finds the keys of
                                recordings made outside the network too; a missed key
                                stays in the recording)
  --fill silence|noise          what replaces each key (default silence; noise: white
                                noise 6 dB under the signal just before the key)
  --reveal-keys                 put each span's key in the output and the report (off by
                                default: they would keep the data the redaction removes)
  --event-pt N                  payload type of telephone-events in a capture with no SDP
OUT must not be IN (nor the same file under another name).";

#[derive(Debug)]
struct Args {
    input: String,
    output: String,
    report: Option<String>,
    profile: Profile,
    fill: Fill,
    reveal: bool,
    event_pt: Option<u8>,
}

fn parse_args(argv: &[String]) -> Result<Option<Args>, String> {
    let mut files: Vec<String> = Vec::new();
    let mut report = None;
    let mut profile = Profile::Relaxed;
    let mut fill = Fill::Silence;
    let mut reveal = false;
    let mut event_pt = None;
    let mut i = 0;
    let mut only_files = false;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if only_files || !arg.starts_with('-') {
            files.push(arg.to_string());
            continue;
        }
        if arg == "--" {
            only_files = true;
            continue;
        }
        if arg == "-" {
            return Err("standard input and output (\"-\") are not supported".into());
        }
        if !arg.starts_with("--") {
            return Err(format!(
                "unknown option \"{}\" (see --help)",
                arg.escape_debug()
            ));
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg, None),
        };
        let takes_value = matches!(flag, "--report" | "--profile" | "--fill" | "--event-pt");
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => {
                    let v = argv
                        .get(i)
                        .ok_or_else(|| format!("{flag} needs a value"))?
                        .clone();
                    i += 1;
                    v
                }
            }
        } else {
            if inline.is_some() && matches!(flag, "--help" | "--reveal-keys") {
                return Err(format!("{flag} takes no value"));
            }
            String::new()
        };
        match flag {
            "--help" => return Ok(None),
            "--reveal-keys" => reveal = true,
            "--event-pt" => {
                event_pt = Some(value.parse::<u8>().ok().filter(|&v| v <= 127).ok_or_else(
                    || {
                        format!(
                            "--event-pt needs an RTP payload type (0-127), got \"{}\"",
                            value.escape_debug()
                        )
                    },
                )?)
            }
            "--profile" => profile = Profile::parse(&value)?,
            "--report" => {
                if value.is_empty() {
                    return Err("--report needs a file name".into());
                }
                report = Some(value);
            }
            "--fill" => {
                fill = match value.as_str() {
                    "silence" => Fill::Silence,
                    "noise" => Fill::Noise,
                    _ => {
                        return Err(format!(
                            "--fill needs silence or noise, got \"{}\"",
                            value.escape_debug()
                        ))
                    }
                }
            }
            _ => {
                return Err(format!(
                    "unknown option \"{}\" (see --help)",
                    flag.escape_debug()
                ))
            }
        }
    }
    let [input, output] = <[String; 2]>::try_from(files).map_err(|files| {
        format!(
            "expected IN and OUT, got {} file name{} (see --help)",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )
    })?;
    Ok(Some(Args {
        input,
        output,
        report,
        profile,
        fill,
        reveal,
        event_pt,
    }))
}

/// Whether `b` names the file `a` names: the same path, or the same file reached another
/// way (symbolic links, `..`, hard links). A path that does not exist names no file.
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    if let (Ok(x), Ok(y)) = (a.canonicalize(), b.canonicalize()) {
        if x == y {
            return true;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

fn fill_name(f: Fill) -> &'static str {
    match f {
        Fill::Silence => "silence",
        Fill::Noise => "noise",
    }
}

/// `,"key":"5"` for a revealed key, nothing otherwise.
fn key_field(k: Option<touchtone::Key>) -> String {
    k.map(|k| format!(",\"key\":\"{}\"", k.to_char()))
        .unwrap_or_default()
}

fn profile_name(p: Profile) -> &'static str {
    match p {
        Profile::Standard => "standard",
        Profile::Relaxed => "relaxed",
    }
}

fn json_report(a: &Args, r: &RedactedWav, cfg: &RedactConfig) -> String {
    let rate = r.format.sample_rate;
    let spans: Vec<String> = r
        .spans
        .iter()
        .map(|(ch, s)| {
            let key = key_field(s.key);
            format!(
                "{{\"channel\":{ch},\"start\":{},\"end\":{},\"start_ms\":{:.3},\"end_ms\":{:.3}{key}}}",
                s.start,
                s.end,
                s.start_ms(rate),
                s.end_ms(rate)
            )
        })
        .collect();
    format!(
        "{{\"input\":{},\"output\":{},\"sample_rate\":{rate},\"channels\":{},\"profile\":\"{}\",\
         \"fill\":\"{}\",\"guard_ms\":{},\"keys_revealed\":{},\"truncated\":{},\"spans\":[{}]}}\n",
        json_str(&a.input),
        json_str(&a.output),
        r.format.channels,
        profile_name(a.profile),
        fill_name(cfg.fill),
        cfg.guard_ms,
        a.reveal,
        r.truncated,
        spans.join(",")
    )
}

/// The library's error on IN as a message, with what the command reads when IN is not a
/// WAV file it can redact.
fn input_error(path: &str, e: redact::RedactError) -> String {
    match e {
        redact::RedactError::Wav(e @ (WavError::NotRiff { .. } | WavError::NotWave { .. })) => {
            format!(
                "{}; redact reads WAV files and packet captures (.pcap/.pcapng) only (it \
                 writes its output in the input's own format): convert the recording to WAV \
                 first",
                with_path(path, e)
            )
        }
        redact::RedactError::Wav(e @ WavError::SampleRate { .. }) => format!(
            "{}; redact works at {}-{} Hz (it does not resample: the output keeps the input's \
             rate)",
            with_path(path, e),
            wav::MIN_RATE,
            wav::MAX_RATE
        ),
        redact::RedactError::Wav(e) => with_path(path, e),
        e => format!("{path}: {e}"),
    }
}

pub(crate) fn run(argv: &[String]) -> Result<(), String> {
    let Some(a) = parse_args(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let (inp, out) = (Path::new(&a.input), Path::new(&a.output));
    if same_file(inp, out) {
        return Err(format!(
            "refusing to overwrite the input {} (OUT must be another file)",
            a.input
        ));
    }
    if let Some(rep) = &a.report {
        let rp = Path::new(rep);
        if same_file(inp, rp) || same_file(out, rp) {
            return Err(format!(
                "refusing to write the report {rep} over IN or OUT (it must be another file)"
            ));
        }
    }
    if std::fs::metadata(inp).is_ok_and(|m| m.is_dir()) {
        return Err(format!("{}: is a directory", a.input));
    }
    let bytes = std::fs::read(inp).map_err(|e| format!("{}: {e}", a.input))?;
    let cfg = RedactConfig {
        fill: a.fill,
        reveal_keys: a.reveal,
        ..Default::default()
    };
    let profile = a.profile;
    if is_capture(&bytes) {
        return capture(&a, &bytes, &cfg);
    }
    if a.event_pt.is_some() {
        return Err("--event-pt is only for packet captures (.pcap, .pcapng)".into());
    }
    let r = redact::redact_wav(&bytes, |rate| profile.config(rate), &cfg)
        .map_err(|e| input_error(&a.input, e))?;
    drop(bytes);
    if r.truncated {
        eprintln!(
            "warning: {}: the data chunk is shorter than its header declares (what is there \
             is redacted)",
            a.input
        );
    }
    std::fs::write(out, &r.bytes).map_err(|e| format!("{}: {e}", a.output))?;
    if let Some(path) = &a.report {
        std::fs::write(path, json_report(&a, &r, &cfg)).map_err(|e| format!("{path}: {e}"))?;
    }
    let rate = r.format.sample_rate;
    let multi = r.format.channels > 1;
    let mut text = String::new();
    for (ch, s) in &r.spans {
        let key = s.key.map_or('-', |k| k.to_char());
        text.push_str(&format!(
            "{:.0}\t{:.0}\t{key}",
            s.start_ms(rate).floor(),
            s.end_ms(rate).ceil()
        ));
        if multi {
            text.push_str(&format!("\t{ch}"));
        }
        text.push('\n');
    }
    use std::io::Write;
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| format!("standard output: {e}"))
}

/// Whether `b` starts like a pcap (either byte order, µs or ns) or pcapng file.
fn is_capture(b: &[u8]) -> bool {
    let m = b.get(..4).unwrap_or(&[]);
    [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
        [0x0a, 0x0d, 0x0d, 0x0a],
    ]
    .iter()
    .any(|x| m == x)
}

#[cfg(feature = "capture")]
fn capture(a: &Args, bytes: &[u8], cfg: &RedactConfig) -> Result<(), String> {
    let mut opts = touchtone::capture::CaptureOptions::default();
    opts.session.event_pt = a.event_pt;
    let profile = a.profile;
    let r = redact::redact_capture(bytes, |rate| profile.config(rate), cfg, &opts)
        .map_err(|e| format!("{}: {e}", a.input))?;
    for n in &r.notes {
        eprintln!("note: {}: {n}", a.input);
    }
    eprintln!(
        "{}: {} telephone-event packets removed, {} audio packets changed",
        a.input, r.removed_packets, r.changed_packets
    );
    std::fs::write(&a.output, &r.bytes).map_err(|e| format!("{}: {e}", a.output))?;
    if let Some(path) = &a.report {
        let spans: Vec<String> = r
            .spans
            .iter()
            .map(|s| {
                let key = key_field(s.key);
                format!(
                    "{{\"ssrc\":\"{:08x}\",\"source\":\"{}\",\"start_ms\":{:.3},\"end_ms\":{:.3}{key}}}",
                    s.ssrc, s.source, s.start_ms, s.end_ms
                )
            })
            .collect();
        let notes: Vec<String> = r.notes.iter().map(|n| json_str(n)).collect();
        let json = format!(
            "{{\"input\":{},\"output\":{},\"profile\":\"{}\",\"fill\":\"{}\",\"guard_ms\":{},\
             \"keys_revealed\":{},\"removed_packets\":{},\"changed_packets\":{},\"notes\":[{}],\
             \"spans\":[{}]}}\n",
            json_str(&a.input),
            json_str(&a.output),
            profile_name(a.profile),
            fill_name(cfg.fill),
            cfg.guard_ms,
            a.reveal,
            r.removed_packets,
            r.changed_packets,
            notes.join(","),
            spans.join(",")
        );
        std::fs::write(path, json).map_err(|e| format!("{path}: {e}"))?;
    }
    let mut text = String::new();
    for s in &r.spans {
        let key = s.key.map_or('-', |k| k.to_char());
        text.push_str(&format!(
            "{:.0}\t{:.0}\t{key}\t{:08x}\t{}\n",
            s.start_ms.floor(),
            s.end_ms.ceil(),
            s.ssrc,
            s.source
        ));
    }
    use std::io::Write;
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| format!("standard output: {e}"))
}

#[cfg(not(feature = "capture"))]
fn capture(a: &Args, _: &[u8], _: &RedactConfig) -> Result<(), String> {
    Err(format!(
        "{}: a packet capture; this build of touchtone has no capture support (feature \
         \"capture\")",
        a.input
    ))
}
