//! `touchtone decode [OPTIONS] FILE`: the keys in a recording, one line per key in order of
//! start time: `<start_ms>\t<end_ms>\t<key>`, plus `\t<channel>` for input with more than
//! one channel, or one JSON object per key with `--json`. A packet capture (`.pcap`,
//! `.pcapng`, `.cap`) gives one line per press of every RTP stream in it:
//! `<start_ms>\t<end_ms>\t<key>\t<stream>\t<source>` (see [`touchtone::capture`]).

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;

use touchtone::{Detector, Event, Explainer, Plan, Rejection};

use crate::input::{no_such_channel, ChannelKey, RawFormat, Source};
use crate::{parse_num, Profile};

const USAGE: &str = "usage: decode [OPTIONS] FILE
  --raw ulaw|alaw|s16le|f32le   headerless input (Asterisk .ulaw/.alaw/.sln, RTP payload dumps)
  --rate HZ                     sample rate of --raw input (default 8000)
  --channel N                   decode only channel N (0-based) of a multi-channel file
  --json                        one JSON object per key instead of the tab-separated line
  --profile standard|relaxed    detector profile (default standard; relaxed for recordings
                                made outside the network: acoustic handsets, radio, short
                                machine-dialled tones)
  --explain                     also list on stderr each rejected candidate (two tones held
                                for 20 ms or more that did not become a key) and why
  --bench REPEATS               timing mode: samples_per_second=<N> ns_per_sample=<X> keys=<keys>
  --event-pt N                  payload type of telephone-events in a capture with no SDP
FILE may be a packet capture (.pcap, .pcapng, .cap): one line per press of each RTP stream,
<start_ms> <end_ms> <key> <stream (SSRC)> <source (rfc4733, inband, rfc4733+inband)>";

#[derive(Debug, Default)]
struct Args {
    raw: Option<RawFormat>,
    rate: Option<u32>,
    channel: Option<u16>,
    json: bool,
    profile: Profile,
    explain: bool,
    bench: Option<u64>,
    event_pt: Option<u8>,
    file: Option<String>,
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
        let takes_value = matches!(
            flag,
            "--raw" | "--rate" | "--channel" | "--bench" | "--event-pt" | "--profile"
        );
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
            "--explain" => a.explain = true,
            "--profile" => a.profile = Profile::parse(&value)?,
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
            "--event-pt" => {
                a.event_pt = Some(parse_num(flag, &value, "an RTP payload type (0-127)")?);
                if a.event_pt > Some(127) {
                    return Err(format!(
                        "--event-pt needs an RTP payload type (0-127), got {value}"
                    ));
                }
            }
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

pub(crate) fn ms(pos: u64, rate: u32) -> u64 {
    pos * 1000 / u64::from(rate)
}

pub(crate) fn json_num(x: f32) -> String {
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

fn decode(mut source: Source, args: &Args, path: &str) -> Result<(), String> {
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout()),
        rate: source.sample_rate(),
        multi: source.channels() > 1,
        json: args.json,
    };
    let mut write_error = None;
    let res = source.for_each_key(path, args.channel, args.profile, |k| {
        if write_error.is_none() {
            write_error = printer.key(&k).err();
        }
    });
    let flushed = printer.out.flush();
    let warning = res?;
    if let Some(e) = write_error.or(flushed.err()) {
        return Err(format!("writing the output: {e}"));
    }
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    Ok(())
}

fn bench(source: Source, args: &Args, path: &str, repeats: u64) -> Result<(), String> {
    let rate = source.sample_rate();
    let (audio, warning) = source.read_all(path)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let n_channels = u16::try_from(audio.len()).unwrap_or(u16::MAX);
    let channels: Vec<u16> = match args.channel {
        Some(c) if c >= n_channels => return Err(no_such_channel(c, n_channels)),
        Some(c) => vec![c],
        None => (0..n_channels).collect(),
    };
    let lanes: Vec<(u16, &[i16])> = channels
        .iter()
        .map(|&c| (c, &audio[usize::from(c)][..]))
        .collect();
    let plan = Arc::new(Plan::new(args.profile.config(rate)).map_err(|e| e.to_string())?);
    let mut first_pass: Vec<(u64, u16, char)> = Vec::new();
    let t0 = Instant::now();
    for rep in 0..repeats {
        for &(c, samples) in &lanes {
            let mut det = Detector::with_plan(plan.clone());
            let mut on_event = |ev: Event| {
                if rep == 0 {
                    if let Event::KeyUp { press, .. } = ev {
                        first_pass.push((press.start, c, press.key.to_char()));
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

/// Decode with an [`Explainer`]: the keys as usual on stdout, then each rejected candidate
/// on stderr (`explain: <start_ms>-<end_ms> ms [channel N] key K: <reason>`).
fn explain(source: Source, args: &Args, path: &str) -> Result<(), String> {
    let rate = source.sample_rate();
    let multi = source.channels() > 1;
    let (audio, warning) = source.read_all(path)?;
    let n_channels = u16::try_from(audio.len()).unwrap_or(u16::MAX);
    let channels: Vec<u16> = match args.channel {
        Some(c) if c >= n_channels => return Err(no_such_channel(c, n_channels)),
        Some(c) => vec![c],
        None => (0..n_channels).collect(),
    };
    let cfg = args.profile.config(rate);
    let mut keys = Vec::new();
    let mut why = Vec::new();
    for c in channels {
        let mut det = Detector::new(cfg.clone()).map_err(|e| e.to_string())?;
        let mut ex = Explainer::new(&cfg);
        let mut on_event = |ev: Event| {
            if let Event::KeyUp { press, .. } = ev {
                keys.push(ChannelKey { channel: c, press });
            }
        };
        let mut on_rejection = |r: Rejection| why.push((c, r));
        for frame in audio[usize::from(c)].chunks(160) {
            ex.process(&mut det, frame, &mut on_event, &mut on_rejection);
        }
        ex.finish(&mut det, &mut on_event, &mut on_rejection);
    }
    keys.sort_by_key(|k| (k.press.start, k.channel));
    why.sort_by_key(|(c, r)| (r.start, *c));
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout()),
        rate,
        multi,
        json: args.json,
    };
    let written = keys.iter().try_for_each(|k| printer.key(k));
    written
        .and_then(|()| printer.out.flush())
        .map_err(|e| format!("writing the output: {e}"))?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    for (c, r) in why {
        let channel = if multi {
            format!(" channel {c}")
        } else {
            String::new()
        };
        let relaxed = if r.relaxed_accepts && args.profile == Profile::Standard {
            "; --profile relaxed would accept it"
        } else {
            ""
        };
        eprintln!(
            "explain: {}-{} ms{channel} key {}: {}{relaxed}",
            ms(r.start, rate),
            ms(r.end, rate),
            r.key.to_char(),
            r.reason
        );
    }
    Ok(())
}

pub(crate) fn run(argv: &[String]) -> Result<(), String> {
    let Some(args) = parse_args(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let path = args.file.clone().unwrap_or_default();
    if is_capture(&path) {
        return capture(&args, &path);
    }
    if args.event_pt.is_some() {
        return Err("--event-pt is only for packet captures (.pcap, .pcapng, .cap)".into());
    }
    let source = Source::open(&path, args.raw, args.rate.unwrap_or(8000))?;
    match (args.bench, args.explain) {
        (Some(_), true) => Err("--bench and --explain do not go together".into()),
        (Some(repeats), false) => bench(source, &args, &path, repeats),
        (None, true) => explain(source, &args, &path),
        (None, false) => decode(source, &args, &path),
    }
}

/// A packet capture, by its name.
fn is_capture(path: &str) -> bool {
    let ext = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("pcap" | "pcapng" | "cap"))
}

#[cfg(feature = "capture")]
fn capture(args: &Args, path: &str) -> Result<(), String> {
    use touchtone::capture::{decode_file_with_notes, format_press, CaptureOptions};
    if args.raw.is_some()
        || args.channel.is_some()
        || args.json
        || args.bench.is_some()
        || args.explain
        || args.profile != Profile::Standard
    {
        return Err(
            "--raw, --rate, --channel, --json, --bench, --explain and --profile \
                    do not apply to a packet capture"
                .into(),
        );
    }
    let mut opts = CaptureOptions::default();
    opts.session.event_pt = args.event_pt;
    let decoded = decode_file_with_notes(path, &opts).map_err(|e| format!("{path}: {e}"))?;
    for note in &decoded.notes {
        eprintln!("note: {note}");
    }
    let mut out = BufWriter::new(std::io::stdout());
    for p in &decoded.presses {
        writeln!(out, "{}", format_press(p)).map_err(|e| format!("writing the output: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing the output: {e}"))
}

#[cfg(not(feature = "capture"))]
fn capture(_: &Args, path: &str) -> Result<(), String> {
    Err(format!(
        "{path}: packet captures need the command built with its `capture` feature"
    ))
}
