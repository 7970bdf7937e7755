//! Helpers shared by the command's tests: running the `touchtone` binary built for them,
//! temporary folders that remove themselves, and 16-bit WAV files.
// Each test binary uses only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `touchtone` binary built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_touchtone");

/// Run `touchtone <command> <args…>`.
pub fn run(command: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg(command)
        .args(args)
        .output()
        .expect("run touchtone")
}

/// Standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A path as `&str` for a command line.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A new empty temporary folder, removed when dropped (also when a test fails). `name` goes
/// into the folder's name, with the process id and a counter that make it unique.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "touchtone-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write a 16-bit PCM WAV file of `channels` (equal lengths) at `rate`; returns its path.
pub fn write_wav(path: &Path, rate: u32, channels: &[Vec<i16>]) -> PathBuf {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..channels[0].len() {
        for ch in channels {
            w.write_sample(ch[i]).unwrap();
        }
    }
    w.finalize().unwrap();
    path.to_path_buf()
}
