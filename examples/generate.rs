//! Write a 16-bit mono WAV recording of DTMF keys.
//!
//! ```text
//! cargo run --release --example generate -- [OPTIONS] KEYS OUT.wav
//!   --rate HZ          default 8000
//!   --tone-ms MS       default 70
//!   --pause-ms MS      default 70
//!   --level DBM0       per tone, default -10
//!   --twist DB         low minus high group, default 0
//! ```
//!
//! The keys (e.g. `"0123456789*#ABCD"`) each get a tone followed by a pause, with a pause
//! before the first key too. Errors: `error: <what and where>` on stderr, exit status 2.
//!
//! The implementation is `touchtone generate` (the `touchtone-cli` member, built here without
//! its audio-format features): one implementation for the example and the command.

fn main() -> std::process::ExitCode {
    touchtone_cli::run_command("generate", std::env::args_os().skip(1))
}
