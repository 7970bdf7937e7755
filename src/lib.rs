//! # touchtone
//!
//! A pure-Rust DTMF (touch-tone) library: a receiver that decodes all sixteen keys from PCM
//! at any rate from 8 to 48 kHz (i16, f32, G.711 μ-law/A-law), a generator for the transmit
//! side, and a sans-IO "gather" state machine for IVRs.
//!
//! ```
//! use touchtone::{detect, Generator, GeneratorConfig};
//! let pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("1234#").unwrap();
//! let keys: String = detect(8000, &pcm).unwrap().iter().map(|p| p.key.to_char()).collect();
//! assert_eq!(keys, "1234#");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod detector;
pub mod g711;
pub mod gather;
pub mod generator;
pub mod goertzel;
pub mod key;
pub mod sample;
pub mod wav;

pub use detector::{detect, ConfigError, Detector, DetectorConfig, Event, KeyPress, Levels, Plan};
pub use generator::{Generator, GeneratorConfig, GeneratorError};
pub use key::{InvalidKeyChar, Key};
pub use sample::Sample;
