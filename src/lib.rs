//! # touchtone
//!
//! A pure-Rust DTMF (touch-tone) library: a receiver that decodes all sixteen keys
//! (`0-9 A-D * #`) from PCM at any rate from 8 to 48 kHz (`i16`, `f32`, G.711 μ-law/A-law),
//! a generator for the transmit side, WAV/raw input, and a sans-IO "gather" state machine
//! that collects a caller's keys the way voice platforms do.
//!
//! ## Where things are
//!
//! | concept | module |
//! |---|---|
//! | the sixteen keys: chars, RFC 4733 codes, frequencies | [`key`] ([`Key`]) |
//! | the filter bank (complex response at the 8 frequencies) | [`goertzel`] |
//! | the streaming receiver, its config and events | [`detector`] ([`Detector`]) |
//! | many channels fed together, one frame each | [`multi`] ([`multi::MultiDetector`]) |
//! | the transmit side | [`generator`] ([`Generator`]) |
//! | the dBm0 level convention (full scale = +3.14 dBm0) | [`level`] |
//! | sample types (`i16`, `f32`) | [`sample`] ([`Sample`]) |
//! | WAV and headerless input, sample conversion, G.711 | [`io`] ([`io::Reader`], [`g711`]) |
//! | decoding a whole file, every channel | [`scan`] ([`scan::for_each_key`]) |
//! | taking the keys out of recordings (PCI DSS) and captures (feature `capture`) | [`redact`] ([`redact::Redactor`]) |
//! | collecting keys for an IVR | [`gather`] |
//! | RTP headers; RFC 4733 telephone-events (out-of-band DTMF) | [`rtp`], [`rfc4733`] |
//! | RTP session demux: per-SSRC events + in-band audio, de-duplicated | [`session`] ([`session::Session`]) |
//! | presses from `.pcap`/`.pcapng` captures (feature `capture`) | `capture` |
//! | a blocking UDP loop around the session (live RTP) | [`listen`] |
//!
//! ## Decode a buffer
//!
//! ```
//! use touchtone::{detect, Generator, GeneratorConfig};
//! let pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("1234#").unwrap();
//! let keys: String = detect(8000, &pcm).unwrap().iter().map(|p| p.key.to_char()).collect();
//! assert_eq!(keys, "1234#");
//! ```
//!
//! ## Stream frames and react to key-down (barge-in)
//!
//! [`Detector::process`] takes frames of any length (1 sample, 160, a whole file) and calls
//! back with [`Event`]s: `KeyDown` as soon as the key is certain (≤ 50 ms after the tone
//! starts — stop the prompt here), `KeyUp` with the complete [`KeyPress`]: the tone's
//! estimated true start and end (sample positions, not the decision instants), the level of
//! each tone in dBm0 and the twist. The events do not depend on how the stream is framed,
//! and no heap allocation happens per frame.
//!
//! ```
//! use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig};
//! let rate = 16_000;
//! let gen = Generator::new(GeneratorConfig { sample_rate: rate, ..Default::default() }).unwrap();
//! let pcm: Vec<f32> = gen.render_str("7").unwrap().iter().map(|&s| s as f32 / 32768.0).collect();
//!
//! let mut det = Detector::new(DetectorConfig::with_rate(rate)).unwrap();
//! let mut log = Vec::new();
//! for frame in pcm.chunks(320) {          // 20 ms frames
//!     det.process(frame, |ev| log.push(ev));
//! }
//! det.finish(|ev| log.push(ev));          // end of stream: flush a key still on
//!
//! match log.as_slice() {
//!     [Event::KeyDown { key, start, decided_at, .. }, Event::KeyUp { press, .. }] => {
//!         assert_eq!(key.to_char(), '7');
//!         // The tone starts after the generator's 70 ms pause and lasts 70 ms.
//!         assert!((press.start_ms(rate) - 70.0).abs() < 10.0);
//!         assert!((press.end_ms(rate) - 140.0).abs() < 10.0);
//!         assert!((decided_at - start) * 1000 / rate as u64 <= 50);
//!         assert!((press.levels.low_dbm0 + 10.0).abs() < 0.5); // generated at -10 dBm0
//!     }
//!     other => panic!("unexpected events {other:?}"),
//! }
//! ```
//!
//! G.711 bytes go in through [`Detector::process_ulaw`] / [`Detector::process_alaw`].
//! Many channels can share one [`Plan`] (the per-rate tables) via [`Detector::with_plan`].
//!
//! ## What the receiver guarantees
//!
//! The limits of ITU-T Q.24 / Telcordia LSSGR and the Mitel test-tape procedure, at every
//! rate and through G.711, each proven by a test in `tests/`: ±1.5 % frequency accepted and
//! ±3.5 % rejected, twist +8/−4 dB accepted (+10/−8 rejected), −36…+3 dBm0 accepted (−45
//! rejected), 40 ms tones and pauses resolved, ≤ 23 ms blips rejected, 10 ms dropouts
//! bridged, 15 dB SNR, no keys from dial/busy/ringback/test/fax/modem tones, SIT or sweeps.
//! The [`detector`] module explains how it decides and where each default comes from.
//!
//! Those are the limits of [`DetectorConfig::standard`], the default. For recordings made
//! outside the network (handsets recorded through the air, radio, short machine-dialled
//! tones), [`DetectorConfig::relaxed`] accepts more twist, shorter tones and a lower
//! purity. [`Explainer`] reports the candidates a detector rejected, and why.
//!
//! Bad input never panics: `f32` NaN/±∞ count as silence and the detector keeps working on
//! what follows; configuration errors are returned as enums carrying the bad value.
//!
//! ## Cargo features
//!
//! * `bird` (default): Bird "Gather DTMF" request bodies and responses in [`gather`].
//! * `azure` (default): Azure Call Automation Recognize bodies and events in [`gather`].
//! * `json` (with `bird` or `azure`): serde `Serialize`/`Deserialize` for the gather's types.
//! * `capture`: the `capture` module, key presses from `.pcap`/`.pcapng` files, and
//!   `redact::redact_capture`.
//! * `portable`: run only the plain-Rust code. By default the filter bank and the
//!   detector's per-tick loop use SSE2/AVX2/AVX-512 where the CPU has them (detected once
//!   at run time; the results are the same bits); with `portable` they do not, on any CPU.
//! * `bench`: exposes the filter bank's internals (`goertzel::Bank`, `goertzel::Kernel`)
//!   to the benchmarks; not a stable API.
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "capture")]
pub mod capture;
pub mod detector;
pub mod gather;
pub mod generator;
pub mod goertzel;
pub mod io;
pub mod key;
pub mod level;
pub mod listen;
pub mod multi;
pub mod redact;
pub mod rfc4733;
pub mod rtp;
pub mod sample;
pub mod scan;
pub mod session;
#[allow(unsafe_code)]
mod simd;

pub use detector::{
    detect, Detector, DetectorConfig, DetectorConfigError, Event, Explainer, KeyPress, Levels,
    Plan, Reason, Rejection,
};
pub use generator::{Generator, GeneratorConfig, GeneratorError};
pub use io::g711;
pub use key::{InvalidKeyChar, Key, KeySet};
pub use sample::Sample;

/// The README's Rust examples, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
