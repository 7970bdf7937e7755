//! Decode the DTMF keys in a recording.
//!
//! ```text
//! cargo run --release --example decode -- [OPTIONS] FILE
//!   --raw ulaw|alaw|s16le|f32le   headerless input (Asterisk .ulaw/.alaw/.sln, RTP payload dumps)
//!   --rate HZ                     sample rate of --raw input (default 8000)
//!   --channel N                   decode only channel N (0-based) of a multi-channel file
//!   --json                        one JSON object per key instead of the tab-separated line
//!   --profile standard|relaxed    detector profile (default standard)
//!   --explain                     also list on stderr each rejected candidate and why
//!   --bench REPEATS               timing mode
//! ```
//!
//! Output: one line per key, in order of start time, `<start_ms>\t<end_ms>\t<key>` (plus
//! `\t<channel>` for input with more than one channel). Errors: `error: <what and where>` on
//! stderr, exit status 2.
//!
//! The implementation is `touchtone decode` (the `touchtone-cli` member, built here without
//! its audio-format features): one implementation for the example and the command.

fn main() -> std::process::ExitCode {
    touchtone_cli::run_command("decode", std::env::args_os().skip(1))
}
