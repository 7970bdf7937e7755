//! The `touchtone` command: the keys in recordings of any common audio format.
//!
//! ```text
//! touchtone decode [OPTIONS] FILE        the keys in one recording
//! touchtone generate [OPTIONS] KEYS OUT.wav   a recording of keys
//! touchtone scan [OPTIONS] PATH...       the keys in every recording under files and folders
//! touchtone gather [OPTIONS] CALLER      an IVR gather over a caller's recording
//! touchtone redact [OPTIONS] IN OUT      the recording with every key replaced (PCI DSS)
//! touchtone --version | --help | COMMAND --help
//! ```
//!
//! `decode`, `generate` and `redact` take the flags and print the output of the examples of
//! the same names of the `touchtone` crate, which call [`run_command`]. WAV and headerless input
//! (`--raw`) go through the crate's own reader; with the `formats` feature (on by default)
//! `decode` and `scan` also read FLAC, MP3, Ogg Vorbis, AIFF, AU, CAF, MP4/AAC and Matroska
//! (through symphonia), and resample input above 48 kHz to 48 kHz (with rubato).
//!
//! Exit status: 0 on success; 2 for an error (`error: …` on stderr): bad flags, or a file
//! `decode` cannot read; `scan` exits 1 when it wrote every row but some files could not be
//! decoded (their errors are rows of the output).
//!
//! This library holds the command's implementation so that the examples and the tests run
//! the same code; its API is these two entry points.

use std::ffi::OsString;
use std::process::ExitCode;

mod decode;
#[cfg(feature = "gather")]
mod gather;
mod generate;
mod input;
mod redact;
mod scan;

/// The version printed by `touchtone --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const USAGE: &str = "usage: touchtone COMMAND [OPTIONS] ...
commands:
  decode     the keys in one recording (touchtone decode --help)
  generate   write a WAV recording of keys (touchtone generate --help)
  gather     run an IVR gather over a caller's recording, as a voice platform would
  redact     write a WAV recording or RTP capture with every key replaced or removed (PCI DSS)
  scan       the keys in every recording under files and folders, as CSV or JSON lines
options:
  --help     this text
  --version  the version";

/// A command's outcome: an exit status, or an error message (printed as `error: …`, exit 2).
type Outcome = Result<u8, String>;

/// Run `touchtone` with the arguments after the program name and return its exit status.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    finish(
        utf8_args(args).and_then(|argv| match argv.first().map(String::as_str) {
            None => Err("no command given (see --help)".into()),
            Some("--help" | "-h" | "help") => {
                println!("{USAGE}");
                Ok(0)
            }
            Some("--version" | "-V") => {
                println!("touchtone {VERSION}");
                Ok(0)
            }
            Some(cmd) => dispatch(cmd, &argv[1..]),
        }),
    )
}

/// Run one command (`decode`, `generate`, `gather`, `redact` or `scan`) with its arguments and return its exit
/// status: what the examples of the same name do.
pub fn run_command(command: &str, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    finish(utf8_args(args).and_then(|argv| dispatch(command, &argv)))
}

/// Run a command; a panic (a bug, in this code or a decoder) becomes an `error:` line rather
/// than a backtrace.
fn dispatch(command: &str, argv: &[String]) -> Outcome {
    static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut p) = PANIC.lock() {
            p.get_or_insert_with(|| info.to_string());
        }
    }));
    std::panic::catch_unwind(|| dispatch_unguarded(command, argv)).unwrap_or_else(|_| {
        let what = PANIC
            .lock()
            .ok()
            .and_then(|mut p| p.take())
            .unwrap_or_default();
        Err(format!(
            "internal error (please report it): {}",
            what.replace('\n', " ")
        ))
    })
}

fn dispatch_unguarded(command: &str, argv: &[String]) -> Outcome {
    match command {
        "decode" => decode::run(argv).map(|()| 0),
        "generate" => generate::run(argv).map(|()| 0),
        "scan" => scan::run(argv),
        "redact" => redact::run(argv).map(|()| 0),
        #[cfg(feature = "gather")]
        "gather" => gather::run(argv).map(|()| 0),
        #[cfg(not(feature = "gather"))]
        "gather" => Err("this build of touchtone has no gather command (feature `gather`)".into()),
        other => Err(format!(
            "unknown command \"{}\"; expected decode, generate, gather, redact or scan (see --help)",
            other.escape_debug()
        )),
    }
}

fn utf8_args(args: impl IntoIterator<Item = OsString>) -> Result<Vec<String>, String> {
    args.into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|bad| format!("argument {bad:?} is not valid UTF-8"))
        })
        .collect()
}

fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Parse a flag's numeric value, naming the flag and the bad value on failure.
fn parse_num<T: std::str::FromStr>(flag: &str, v: &str, what: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} needs {what}, got \"{}\"", v.escape_debug()))
}

/// The detector profile named by `--profile` (see [`touchtone::DetectorConfig::standard`] and
/// [`touchtone::DetectorConfig::relaxed`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Profile {
    /// The requirements' limits, for a live call inside the network (the default).
    #[default]
    Standard,
    /// Wider limits for recordings made outside the network.
    Relaxed,
}

impl Profile {
    /// Parse `--profile`'s value.
    pub(crate) fn parse(v: &str) -> Result<Profile, String> {
        match v {
            "standard" => Ok(Profile::Standard),
            "relaxed" => Ok(Profile::Relaxed),
            _ => Err(format!(
                "--profile needs standard or relaxed, got \"{}\"",
                v.escape_debug()
            )),
        }
    }

    /// The detector's settings at `rate`.
    pub(crate) fn config(self, rate: u32) -> touchtone::DetectorConfig {
        match self {
            Profile::Standard => touchtone::DetectorConfig::standard(rate),
            Profile::Relaxed => touchtone::DetectorConfig::relaxed(rate),
        }
    }
}
