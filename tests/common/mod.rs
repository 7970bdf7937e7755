//! Test signals with known truth, and a runner that feeds them to the detector.
//!
//! Conventions are those of `docs/requirements.md`:
//! * a sine whose peak is 32767 is +3.14 dBm0 (`touchtone::generator::dbm0_to_peak`);
//! * twist = level(low tone) − level(high tone);
//! * SNR = level of the weaker tone − power of white noise over 0–4 kHz. White noise over
//!   the whole band 0…fs/2 has `fs / 8000` times the power of its 0–4 kHz part, so at
//!   48 kHz the noise's total variance is six times its 0–4 kHz power.
//!
//! Signals are built in `f64` (16-bit sample units, unclipped) and rendered at the end to
//! `i16` (rounded, saturated: that is where clipping happens), `f32` (the same rounded
//! values / 32768, so f32 and i16 inputs carry identical samples), or G.711 bytes.
// Each test binary uses only part of this module.
#![allow(dead_code, unused_imports)]

mod format;
mod non_dtmf;
mod recording;
mod rng;
mod run;
mod score;
mod signal;

pub use format::*;
pub use non_dtmf::*;
pub use recording::*;
pub use rng::*;
pub use run::*;
pub use score::*;
pub use signal::*;

use touchtone::Key;

/// The sample rates of the requirements' "every supported sample rate".
pub const RATES: [u32; 4] = [8000, 16000, 44100, 48000];

/// Low-group (row) frequencies.
pub const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies.
pub const COLS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// All sixteen keys.
pub fn all_keys() -> [Key; 16] {
    Key::ALL
}
