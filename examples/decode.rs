//! Decode the DTMF keys in a recording.
//!
//! ```text
//! cargo run --release --example decode -- [OPTIONS] FILE
//!   --raw ulaw|alaw|s16le|f32le   headerless input (Asterisk .ulaw/.alaw/.sln, RTP payload dumps)
//!   --rate HZ                     sample rate of --raw input (default 8000)
//!   --channel N                   decode only channel N (0-based) of a multi-channel file
//!   --json                        one JSON object per key instead of the tab-separated line
//!   --bench REPEATS               timing mode
//! ```
//!
//! Output: one line per key, in order of start time, `<start_ms>\t<end_ms>\t<key>` (plus
//! `\t<channel>` for input with more than one channel). Errors: `error: <what and where>` on
//! stderr, exit status 2.

use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use touchtone::io::{self, Audio, RawFormat, Reader, WavError};
use touchtone::scan::{self, ChannelKey, ScanError};
use touchtone::{Detector, DetectorConfig, Event, Plan};

const USAGE: &str = "usage: decode [OPTIONS] FILE
  --raw ulaw|alaw|s16le|f32le   headerless input (Asterisk .ulaw/.alaw/.sln, RTP payload dumps)
  --rate HZ                     sample rate of --raw input (default 8000)
  --channel N                   decode only channel N (0-based) of a multi-channel file
  --json                        one JSON object per key instead of the tab-separated line
  --bench REPEATS               timing mode: samples_per_second=<N> ns_per_sample=<X> keys=<keys>";

#[derive(Debug, Default)]
struct Args {
    raw: Option<RawFormat>,
    rate: Option<u32>,
    channel: Option<u16>,
    json: bool,
    bench: Option<u64>,
    file: Option<String>,
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: &str, what: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} needs {what}, got \"{}\"", v.escape_debug()))
}

fn parse_args(argv: &[String]) -> Result<Option<Args>, String> {
    let mut a = Args::default();
    let mut i = 0;
    let mut only_files = false;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if only_files || !arg.starts_with('-') || arg == "-" {
            if arg == "-" && !only_files {
                return Err("reading from standard input (\"-\") is not supported".into());
            }
            if a.file.is_some() {
                return Err(format!(
                    "unexpected argument \"{}\": only one FILE is accepted",
                    arg.escape_debug()
                ));
            }
            a.file = Some(arg.to_string());
            continue;
        }
        if arg == "--" {
            only_files = true;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg, None),
        };
        if !arg.starts_with("--") {
            return Err(format!(
                "unknown option \"{}\" (see --help)",
                arg.escape_debug()
            ));
        }
        let takes_value = matches!(flag, "--raw" | "--rate" | "--channel" | "--bench");
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
            if inline.is_some() {
                return Err(format!("{flag} takes no value"));
            }
            String::new()
        };
        match flag {
            "--help" => return Ok(None),
            "--json" => a.json = true,
            "--raw" => {
                a.raw = Some(RawFormat::from_name(&value).ok_or_else(|| {
                    format!(
                        "--raw needs one of ulaw, alaw, s16le, f32le, got \"{}\"",
                        value.escape_debug()
                    )
                })?)
            }
            "--rate" => a.rate = Some(parse_num(flag, &value, "a sample rate in Hz")?),
            "--channel" => a.channel = Some(parse_num(flag, &value, "a channel number from 0")?),
            "--bench" => {
                let n: u64 = parse_num(flag, &value, "a number of repeats (1 or more)")?;
                if n == 0 {
                    return Err("--bench needs a number of repeats (1 or more), got 0".into());
                }
                a.bench = Some(n);
            }
            _ => {
                return Err(format!(
                    "unknown option \"{}\" (see --help)",
                    flag.escape_debug()
                ))
            }
        }
    }
    if a.file.is_none() {
        return Err("no FILE given (see --help)".into());
    }
    if a.rate.is_some() && a.raw.is_none() {
        return Err("--rate is only for --raw input (a WAV file's header gives its rate)".into());
    }
    Ok(Some(a))
}

/// A library error as a message naming the file unless it already does.
fn with_path(path: &str, e: WavError) -> String {
    match e {
        WavError::Open { .. } | WavError::IsDirectory(_) => e.to_string(),
        _ => format!("{path}: {e}"),
    }
}

/// A scan error as a message naming the file unless it already does.
fn scan_error(path: &str, e: ScanError) -> String {
    match e {
        ScanError::Input(e) => with_path(path, e),
        e => format!("{path}: {e}"),
    }
}

fn ms(pos: u64, rate: u32) -> u64 {
    pos * 1000 / u64::from(rate)
}

fn json_num(x: f32) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "null".into()
    }
}

struct Printer {
    out: BufWriter<std::io::Stdout>,
    rate: u32,
    multi: bool,
    json: bool,
}

impl Printer {
    fn key(&mut self, k: &ChannelKey) -> std::io::Result<()> {
        let (rate, out) = (self.rate, &mut self.out);
        let p = &k.press;
        let (s, e, key) = (ms(p.start, rate), ms(p.end, rate), p.key.to_char());
        if self.json {
            write!(out, "{{\"start_ms\":{s},\"end_ms\":{e},\"key\":\"{key}\"")?;
            if self.multi {
                write!(out, ",\"channel\":{}", k.channel)?;
            }
            writeln!(
                out,
                ",\"low_dbm0\":{},\"high_dbm0\":{},\"twist_db\":{}}}",
                json_num(p.levels.low_dbm0),
                json_num(p.levels.high_dbm0),
                json_num(p.levels.twist_db())
            )
        } else if self.multi {
            writeln!(out, "{s}\t{e}\t{key}\t{}", k.channel)
        } else {
            writeln!(out, "{s}\t{e}\t{key}")
        }
    }
}

fn decode<R: Read>(mut reader: Reader<R>, args: &Args, path: &str) -> Result<(), String> {
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout()),
        rate: reader.sample_rate(),
        multi: reader.channels() > 1,
        json: args.json,
    };
    let mut write_error = None;
    let res = scan::for_each_key(&mut reader, args.channel, |k| {
        if write_error.is_none() {
            write_error = printer.key(&k).err();
        }
    });
    let flushed = printer.out.flush();
    res.map_err(|e| scan_error(path, e))?;
    if let Some(e) = write_error.or(flushed.err()) {
        return Err(format!("writing the output: {e}"));
    }
    if let Some(t) = reader.truncated() {
        eprintln!("warning: {path}: {t}");
    }
    Ok(())
}

fn bench(audio: Audio, args: &Args, repeats: u64) -> Result<(), String> {
    let channels: Vec<u16> = match args.channel {
        Some(c) if c >= audio.channels => {
            return Err(ScanError::NoSuchChannel {
                channel: c,
                channels: audio.channels,
            }
            .to_string())
        }
        Some(c) => vec![c],
        None => (0..audio.channels).collect(),
    };
    let lanes: Vec<(u16, Vec<i16>)> = channels
        .iter()
        .map(|&c| (c, audio.channel(usize::from(c))))
        .collect();
    let plan = Arc::new(
        Plan::new(DetectorConfig::with_rate(audio.sample_rate)).map_err(|e| e.to_string())?,
    );
    let mut first_pass: Vec<(u64, u16, char)> = Vec::new();
    let t0 = Instant::now();
    for rep in 0..repeats {
        for (c, samples) in &lanes {
            let mut det = Detector::with_plan(plan.clone());
            let mut on_event = |ev: Event| {
                if rep == 0 {
                    if let Event::KeyUp { press, .. } = ev {
                        first_pass.push((press.start, *c, press.key.to_char()));
                    }
                }
            };
            for frame in samples.chunks(160) {
                det.process(std::hint::black_box(frame), &mut on_event);
            }
            det.finish(&mut on_event);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let total = lanes.iter().map(|(_, s)| s.len() as u64).sum::<u64>() * repeats;
    first_pass.sort_unstable();
    let keys: String = first_pass.iter().map(|k| k.2).collect();
    let (sps, ns) = if total == 0 || secs <= 0.0 {
        (0, 0.0)
    } else {
        ((total as f64 / secs) as u64, secs * 1e9 / total as f64)
    };
    println!("samples_per_second={sps} ns_per_sample={ns:.3} keys={keys}");
    Ok(())
}

fn run(argv: &[String]) -> Result<(), String> {
    let Some(args) = parse_args(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let path = args.file.clone().unwrap_or_default();
    let rate = args.rate.unwrap_or(8000);
    if let Some(repeats) = args.bench {
        let audio = match args.raw {
            Some(f) => io::read_all_raw(&path, f, rate),
            None => io::read_all(&path),
        }
        .map_err(|e| with_path(&path, e))?;
        if let Some(t) = audio.truncated {
            eprintln!("warning: {path}: {t}");
        }
        return bench(audio, &args, repeats);
    }
    match args.raw {
        Some(f) => decode(
            io::open_raw(&path, f, rate).map_err(|e| with_path(&path, e))?,
            &args,
            &path,
        ),
        None => decode(
            io::open(&path).map_err(|e| with_path(&path, e))?,
            &args,
            &path,
        ),
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
    {
        Ok(v) => v,
        Err(bad) => {
            eprintln!("error: argument {bad:?} is not valid UTF-8");
            return ExitCode::from(2);
        }
    };
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
