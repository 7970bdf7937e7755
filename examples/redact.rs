//! Take the DTMF keys out of a recording (PCI DSS).
//!
//! ```text
//! cargo run --release --example redact -- IN.wav OUT.wav [OPTIONS]
//!   --report FILE.json      write the replaced spans as JSON
//!   --profile standard      the detector profile (default standard)
//!   --fill silence|noise    what replaces each key (default silence)
//!   --reveal-keys           put each span's key in the report (off: the report would keep
//!                           the data the redaction removes)
//! ```
//!
//! Reads every WAV kind the crate reads (8/16/24/32-bit PCM, 32/64-bit float, μ-law,
//! A-law, any number of channels) and writes OUT in the same format: every byte outside
//! the replaced samples is copied unchanged. Each channel is redacted on its own keys.
//! Refuses to write over IN. Prints one line per span on stdout:
//! `<start_ms>\t<end_ms>\t<channel>`. Errors: `error: <what and where>` on stderr, exit
//! status 2.

use std::path::Path;
use std::process::ExitCode;

use touchtone::redact::{self, Fill, RedactConfig, RedactedWav};
use touchtone::DetectorConfig;

const USAGE: &str = "usage: redact IN.wav OUT.wav [OPTIONS]
  --report FILE.json      write the replaced spans as JSON
  --profile standard      the detector profile (default standard)
  --fill silence|noise    what replaces each key (default silence)
  --reveal-keys           put each span's key in the report";

#[derive(Debug, Default)]
struct Args {
    input: String,
    output: String,
    report: Option<String>,
    profile: String,
    fill: Fill,
    reveal: bool,
}

fn parse_args(argv: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args {
        profile: "standard".into(),
        ..Default::default()
    };
    let mut files = Vec::new();
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--report" => a.report = Some(value("--report")?),
            "--profile" => a.profile = value("--profile")?,
            "--fill" => {
                a.fill = match value("--fill")?.as_str() {
                    "silence" => Fill::Silence,
                    "noise" => Fill::Noise,
                    other => {
                        return Err(format!(
                            "--fill must be silence or noise, got \"{}\"",
                            other.escape_debug()
                        ))
                    }
                }
            }
            "--reveal-keys" => a.reveal = true,
            s if s.starts_with('-') && s != "-" => {
                return Err(format!("unknown option \"{}\"", s.escape_debug()))
            }
            _ => files.push(arg.clone()),
        }
    }
    match files.as_slice() {
        [i, o] => {
            a.input = i.clone();
            a.output = o.clone();
            Ok(Some(a))
        }
        _ => Err(format!(
            "expected IN and OUT, got {} file names",
            files.len()
        )),
    }
}

/// The detector settings of a profile at a rate.
fn profile(name: &str) -> Result<fn(u32) -> DetectorConfig, String> {
    match name {
        "standard" => Ok(DetectorConfig::with_rate),
        other => Err(format!(
            "unknown profile \"{}\" (known: standard)",
            other.escape_debug()
        )),
    }
}

/// Whether `out` names the same file as `input` (same path, or the same file reached
/// another way: symbolic links, `..`, hard links).
fn same_file(input: &Path, out: &Path) -> bool {
    if input == out {
        return true;
    }
    if let (Ok(a), Ok(b)) = (input.canonicalize(), out.canonicalize()) {
        if a == b {
            return true;
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(input), std::fs::metadata(out)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

fn json_report(a: &Args, r: &RedactedWav, cfg: &RedactConfig, det: &DetectorConfig) -> String {
    let rate = r.format.sample_rate;
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let spans: Vec<String> = r
        .spans
        .iter()
        .map(|(ch, s)| {
            let key = s
                .key
                .map(|k| format!(",\"key\":\"{}\"", k.to_char()))
                .unwrap_or_default();
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
        "{{\"input\":\"{}\",\"output\":\"{}\",\"sample_rate\":{rate},\"channels\":{},\"profile\":\"{}\",\"fill\":\"{}\",\"guard_ms\":{},\"delay_ms\":{},\"spans\":[{}]}}\n",
        esc(&a.input),
        esc(&a.output),
        r.format.channels,
        esc(&a.profile),
        match cfg.fill {
            Fill::Silence => "silence",
            Fill::Noise => "noise",
        },
        cfg.guard_ms,
        redact::delay_ms(det, cfg),
        spans.join(",")
    )
}

fn run(a: &Args) -> Result<(), String> {
    let prof = profile(&a.profile)?;
    let (inp, out) = (Path::new(&a.input), Path::new(&a.output));
    if same_file(inp, out) {
        return Err(format!(
            "refusing to overwrite the input {} (OUT must be another file)",
            a.input
        ));
    }
    let bytes = std::fs::read(inp).map_err(|e| format!("{}: {e}", a.input))?;
    let cfg = RedactConfig {
        fill: a.fill,
        reveal_keys: a.reveal,
        ..Default::default()
    };
    let r = redact::redact_wav(&bytes, prof, &cfg).map_err(|e| format!("{}: {e}", a.input))?;
    if r.truncated {
        eprintln!(
            "warning: {}: the data chunk is shorter than declared",
            a.input
        );
    }
    std::fs::write(out, &r.bytes).map_err(|e| format!("{}: {e}", a.output))?;
    if let Some(path) = &a.report {
        let det = prof(r.format.sample_rate);
        std::fs::write(path, json_report(a, &r, &cfg, &det)).map_err(|e| format!("{path}: {e}"))?;
    }
    let rate = r.format.sample_rate;
    for (ch, s) in &r.spans {
        println!(
            "{:.0}\t{:.0}\t{ch}",
            s.start_ms(rate).floor(),
            s.end_ms(rate).ceil()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&argv) {
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(a)) => match run(&a) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
