//! The `touchtone` command (see the `touchtone_cli` library for what it does).

fn main() -> std::process::ExitCode {
    touchtone_cli::run(std::env::args_os().skip(1))
}
