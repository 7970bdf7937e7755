//! `touchtone scan [OPTIONS] PATH...`: the keys in every recording under files and folders,
//! decoded in parallel, as CSV or JSON lines. A file that cannot be decoded is a row with its
//! error, never the end of the scan.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::decode::{json_num, ms};
use crate::input::{RawFormat, Source};
use crate::{parse_num, Profile};

const USAGE: &str = "usage: scan [OPTIONS] PATH...
  --jobs N             files decoded at once (default: the number of cores)
  --format csv|jsonl   CSV with a header line (default), or one JSON object per line
  --profile standard|relaxed  detector profile (default standard; relaxed for recordings made
                       outside the network: acoustic handsets, radio, short machine tones)

Every file named and every recording under the folders named (by extension: wav, flac, mp3,
ogg, oga, aif, aiff, aifc, au, snd, caf, m4a, mp4, aac, mka, mkv, webm; headerless G.711
ulaw/ul/pcmu and alaw/al/pcma at 8 kHz, Asterisk sln at 8 kHz and slnNN at NN kHz).
Columns: file,channel,start_ms,end_ms,key,low_dbm0,high_dbm0,error; a file that cannot be
decoded is one row with only file and error. A progress bar goes to stderr when it is a
terminal.
Exit status: 0 every file decoded, 1 some could not be (see their rows), 2 bad flags or
output error.";

/// Extensions of recordings taken from folders.
const EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "mp2", "ogg", "oga", "aif", "aiff", "aifc", "au", "snd", "caf",
    "m4a", "mp4", "aac", "mka", "mkv", "webm", "ulaw", "ul", "mulaw", "pcmu", "alaw", "al", "pcma",
    "sln",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum OutFormat {
    Csv,
    Jsonl,
}

struct Args {
    jobs: usize,
    format: OutFormat,
    profile: Profile,
    paths: Vec<String>,
}

fn parse_args(argv: &[String]) -> Result<Option<Args>, String> {
    let mut jobs = None;
    let mut format = OutFormat::Csv;
    let mut profile = Profile::Standard;
    let mut paths = Vec::new();
    let mut only_paths = false;
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        i += 1;
        if only_paths || !arg.starts_with('-') {
            paths.push(arg.to_string());
            continue;
        }
        if arg == "--" {
            only_paths = true;
            continue;
        }
        if arg == "-" {
            return Err("reading from standard input (\"-\") is not supported".into());
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            let v = argv
                .get(i)
                .ok_or_else(|| format!("{flag} needs a value"))?
                .clone();
            i += 1;
            Ok(v)
        };
        match flag {
            "--help" if inline.is_none() => return Ok(None),
            "--jobs" => {
                let n: usize = parse_num(flag, &value()?, "a number of files (1 or more)")?;
                if n == 0 {
                    return Err("--jobs needs a number of files (1 or more), got 0".into());
                }
                jobs = Some(n);
            }
            "--profile" => profile = Profile::parse(&value()?)?,
            "--format" => {
                format = match value()?.as_str() {
                    "csv" => OutFormat::Csv,
                    "jsonl" => OutFormat::Jsonl,
                    other => {
                        return Err(format!(
                            "--format needs csv or jsonl, got \"{}\"",
                            other.escape_debug()
                        ))
                    }
                }
            }
            _ => {
                return Err(format!(
                    "unknown option \"{}\" (see --help)",
                    arg.escape_debug()
                ))
            }
        }
    }
    if paths.is_empty() {
        return Err("no PATH given (see --help)".into());
    }
    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    Ok(Some(Args {
        jobs,
        format,
        profile,
        paths,
    }))
}

/// A file to decode, or a path that could not be read as one.
enum Item {
    File(PathBuf),
    Broken(PathBuf, String),
}

/// The headerless format of a file, from its extension (Asterisk's names).
fn raw_format(path: &Path) -> Option<(RawFormat, u32)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ulaw" | "ul" | "mulaw" | "pcmu" => Some((RawFormat::Ulaw, 8000)),
        "alaw" | "al" | "pcma" => Some((RawFormat::Alaw, 8000)),
        "sln" => Some((RawFormat::S16le, 8000)),
        _ => {
            let khz: u32 = ext.strip_prefix("sln")?.parse().ok()?;
            Some((
                RawFormat::S16le,
                if khz == 44 { 44_100 } else { khz * 1000 },
            ))
        }
    }
}

fn is_recording(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    EXTENSIONS.contains(&ext.as_str()) || raw_format(path).is_some()
}

/// Every file named, and every recording under the folders named (in name order; links to
/// folders are not followed, so a loop of links cannot make the walk endless).
fn walk(paths: &[String]) -> Vec<Item> {
    fn dir(path: &Path, items: &mut Vec<Item>) {
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
            Err(e) => Err(e),
        };
        let mut entries = match entries {
            Ok(v) => v,
            Err(e) => {
                let msg = format!("cannot read the folder {}: {e}", path.display());
                items.push(Item::Broken(path.to_path_buf(), msg));
                return;
            }
        };
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => dir(&p, items),
                Ok(_) if is_recording(&p) && p.is_file() => items.push(Item::File(p)),
                Ok(_) => {}
                Err(err) => {
                    let msg = format!("cannot read {}: {err}", p.display());
                    items.push(Item::Broken(p, msg));
                }
            }
        }
    }
    let mut items = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => dir(&path, &mut items),
            Ok(_) => items.push(Item::File(path)),
            Err(e) => {
                let msg = format!("cannot open {p}: {e}");
                items.push(Item::Broken(path, msg));
            }
        }
    }
    items
}

/// One key of a file.
struct Row {
    channel: u16,
    start_ms: u64,
    end_ms: u64,
    key: char,
    low_dbm0: f32,
    high_dbm0: f32,
}

/// What became of one file: its keys and a warning, or its error.
type FileResult = Result<(Vec<Row>, Option<String>), String>;

fn decode_file(path: &Path, profile: Profile) -> FileResult {
    let name = path.to_string_lossy();
    let (raw, rate) = match raw_format(path) {
        Some((f, r)) => (Some(f), r),
        None => (None, 8000),
    };
    let mut source = Source::open(&name, raw, rate)?;
    let rate = source.sample_rate();
    let mut rows = Vec::new();
    let warning = source.for_each_key(&name, None, profile, |k| {
        rows.push(Row {
            channel: k.channel,
            start_ms: ms(k.press.start, rate),
            end_ms: ms(k.press.end, rate),
            key: k.press.key.to_char(),
            low_dbm0: k.press.levels.low_dbm0,
            high_dbm0: k.press.levels.high_dbm0,
        })
    })?;
    Ok((rows, warning))
}

/// `decode_file`, with a panic in a decoder turned into that file's error.
fn decode_file_guarded(path: &Path, profile: Profile) -> FileResult {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_file(path, profile)))
        .unwrap_or_else(|p| {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "{}: internal error (please report it): {what}",
                path.display()
            ))
        })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn level_csv(x: f32) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        String::new()
    }
}

fn write_file(
    out: &mut impl Write,
    format: OutFormat,
    file: &str,
    result: &Result<Vec<Row>, String>,
) -> std::io::Result<()> {
    match (format, result) {
        (OutFormat::Csv, Ok(rows)) => {
            let f = csv_field(file);
            for r in rows {
                writeln!(
                    out,
                    "{f},{},{},{},{},{},{},",
                    r.channel,
                    r.start_ms,
                    r.end_ms,
                    r.key,
                    level_csv(r.low_dbm0),
                    level_csv(r.high_dbm0)
                )?;
            }
        }
        (OutFormat::Csv, Err(e)) => writeln!(out, "{},,,,,,,{}", csv_field(file), csv_field(e))?,
        (OutFormat::Jsonl, Ok(rows)) => {
            let f = json_str(file);
            for r in rows {
                writeln!(
                    out,
                    "{{\"file\":{f},\"channel\":{},\"start_ms\":{},\"end_ms\":{},\"key\":\"{}\",\
                     \"low_dbm0\":{},\"high_dbm0\":{}}}",
                    r.channel,
                    r.start_ms,
                    r.end_ms,
                    r.key,
                    json_num(r.low_dbm0),
                    json_num(r.high_dbm0)
                )?;
            }
        }
        (OutFormat::Jsonl, Err(e)) => writeln!(
            out,
            "{{\"file\":{},\"error\":{}}}",
            json_str(file),
            json_str(e)
        )?,
    }
    Ok(())
}

/// The progress bar: files done / total, keys found, files per second; drawn on stderr only
/// when stderr is a terminal.
struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        #[cfg(feature = "progress")]
        {
            use std::io::IsTerminal;
            let bar = std::io::stderr().is_terminal().then(|| {
                let bar = indicatif::ProgressBar::with_draw_target(
                    Some(total as u64),
                    indicatif::ProgressDrawTarget::stderr(),
                );
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} files, {msg} [{elapsed}]",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_message("0 keys");
                bar
            });
            Progress { bar }
        }
        #[cfg(not(feature = "progress"))]
        {
            let _ = total;
            Progress {}
        }
    }

    fn file_done(&self, _keys: u64) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.inc(1);
            let secs = bar.elapsed().as_secs_f64();
            let rate = if secs > 0.0 {
                bar.position() as f64 / secs
            } else {
                0.0
            };
            bar.set_message(format!("{_keys} keys, {rate:.1} files/s"));
        }
    }

    fn warn(&self, msg: &str) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.suspend(|| eprintln!("warning: {msg}"));
            return;
        }
        eprintln!("warning: {msg}");
    }

    fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

pub(crate) fn run(argv: &[String]) -> Result<u8, String> {
    let Some(args) = parse_args(argv)? else {
        println!("{USAGE}");
        return Ok(0);
    };
    let items = walk(&args.paths);
    let progress = Progress::new(items.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, FileResult)>();
    let mut out = BufWriter::new(std::io::stdout());
    let workers = args.jobs.min(items.len()).max(1);
    let written = std::thread::scope(|s| -> std::io::Result<bool> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (items, next, stop) = (&items, &next, &stop);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() || stop.load(Ordering::Relaxed) {
                    break;
                }
                let result = match &items[i] {
                    Item::File(p) => decode_file_guarded(p, args.profile),
                    Item::Broken(_, e) => Err(e.clone()),
                };
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let result = (|| {
            if args.format == OutFormat::Csv {
                writeln!(
                    out,
                    "file,channel,start_ms,end_ms,key,low_dbm0,high_dbm0,error"
                )?;
            }
            // Results come in any order; rows go out in the order of the walk.
            let mut waiting = BTreeMap::new();
            let (mut next_out, mut keys, mut all_ok) = (0, 0u64, true);
            for (i, result) in &rx {
                waiting.insert(i, result);
                while let Some(result) = waiting.remove(&next_out) {
                    let path = match &items[next_out] {
                        Item::File(p) | Item::Broken(p, _) => p.to_string_lossy(),
                    };
                    let rows = match result {
                        Ok((rows, warning)) => {
                            if let Some(w) = warning {
                                progress.warn(&w);
                            }
                            keys += rows.len() as u64;
                            Ok(rows)
                        }
                        Err(e) => {
                            all_ok = false;
                            Err(e)
                        }
                    };
                    write_file(&mut out, args.format, &path, &rows)?;
                    out.flush()?;
                    progress.file_done(keys);
                    next_out += 1;
                }
            }
            Ok(all_ok)
        })();
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        drop(rx);
        result
    });
    progress.finish();
    match written {
        Ok(true) => Ok(0),
        Ok(false) => Ok(1),
        Err(e) => Err(format!("writing the output: {e}")),
    }
}
