//! Take the DTMF keys out of a recording (PCI DSS).
//!
//! ```text
//! cargo run --release --example redact -- [OPTIONS] IN.wav OUT.wav
//!   --report FILE.json            also write the replaced spans as JSON
//!   --profile relaxed|standard    detector profile (default relaxed)
//!   --fill silence|noise          what replaces each key (default silence)
//!   --reveal-keys                 put each span's key in the output and the report
//! ```
//!
//! Writes OUT in IN's format, every sample outside the replaced spans unchanged; refuses to
//! write over IN. Output: one line per replaced span, `<start_ms>\t<end_ms>\t<key or ->`
//! (plus `\t<channel>` for input with more than one channel). Errors: `error: <what and
//! where>` on stderr, exit status 2.
//!
//! The implementation is `touchtone redact` (the `touchtone-cli` member, built here without
//! its audio-format features): one implementation for the example and the command.

fn main() -> std::process::ExitCode {
    touchtone_cli::run_command("redact", std::env::args_os().skip(1))
}
