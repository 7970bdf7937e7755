//! Redaction: take the DTMF keys out of a recording (PCI DSS forbids keeping card numbers,
//! PINs and other sensitive authentication data that callers type on the keypad).
//!
//! A [`Redactor`] runs a [`Detector`](crate::Detector) over one channel and replaces every
//! key's span — from the tone's start less a guard to its end plus the guard
//! ([`RedactConfig::guard_ms`]) — by silence or by low comfort noise ([`Fill`]). The edges
//! are the detector's estimates, widened by [edge tracking](#edge-tracking) where the key's
//! tones reach past them. Every other sample is passed through bit for bit. Each replaced
//! span is reported as a [`Span`] (its key withheld unless [`RedactConfig::reveal_keys`]).
//!
//! # Which detector settings
//!
//! The caller chooses the [`DetectorConfig`](crate::DetectorConfig).
//! [`DetectorConfig::relaxed`](crate::DetectorConfig::relaxed) is the one for redaction (and
//! the `touchtone redact` command's default): a key the redaction misses stays in the
//! recording, while a false key only mutes a few tens of milliseconds of speech or music. It
//! finds keys [`DetectorConfig::standard`](crate::DetectorConfig::standard) rejects (twist to
//! 18 dB, 20 ms tones, drift to 2 %, room noise, clipping).
//!
//! # Streaming, with a fixed delay
//!
//! [`Redactor::process`] works in place on frames of any length: each sample is replaced by
//! the (possibly redacted) sample [`Redactor::delay`] samples earlier; the stream starts
//! with that many samples of silence and [`Redactor::finish`] hands out the last ones. The
//! delay is [`delay_ms`]:
//!
//! `max(min_tone_ms + 40, max_dropout_ms + 20, 80 − guard_ms) + guard_ms`
//!
//! The detector reports a key (`KeyDown`) once the tone has lasted `min_tone_ms`, counted
//! from its first passing window, and may place the tone's start before that window by up
//! to its 16 ms length and 24 ms of history (a tone recognised late under speech or
//! music): `min_tone_ms + 40`. It reports the end (`KeyUp`) `max_dropout_ms + 12` ms after
//! it (waiting for a bridged dropout's resumption), plus two 4 ms ticks:
//! `max_dropout_ms + 20`. The floor of 80 ms leaves edge tracking room to look back from
//! the `KeyDown` decision. With the standard and the relaxed settings and the default
//! guard of 8 ms the delay is **80 ms**; the largest decision latencies measured with keys
//! 10 and 5 dB over speech, music and noise at 8–48 kHz are in `tests/redact.rs`
//! (`delay_covers_the_measured_decision_latencies`: about 61 ms for `KeyDown` from the
//! estimated start and 41 ms for `KeyUp` from the estimated end). An event the delay did
//! not cover still redacts what has not yet left the delay line; [`Span::unreplaced`]
//! counts the samples it was too late for.
//!
//! # Edge tracking
//!
//! Under hard conditions (a strong reverse twist, keys only 5 dB over speech) the
//! detector may place an edge 15–30 ms inside the tone, so a guard of a few milliseconds
//! would leave part of the key in the recording. When a span opens and when it closes,
//! the redactor measures the key's two frequencies in 10 ms windows just inside the
//! estimated edge and then outward in 2 ms steps, and widens the span while both tones
//! stay within 12 dB of their power inside, by at most [`RedactConfig::track_ms`] (40 ms)
//! each side. It looks only at samples the streaming mode still holds when the detector
//! decides (from `delay` samples before the decision to the decision), so both modes widen
//! alike and tracking never reaches samples already let through.
//!
//! # Whole buffers, no delay
//!
//! [`Redactor::redact_all`] redacts a buffer in place with no delay (the detector sees the
//! whole buffer first). Its output is the streaming output without the leading delay, for
//! any framing, whenever no span has [`Span::unreplaced`] samples (then the file mode still
//! replaces them).
//!
//! # Sample formats
//!
//! `i16` and `f32` ([`Redactor::new`]), G.711 μ-law and A-law bytes ([`Redactor::ulaw`],
//! [`Redactor::alaw`]: replaced samples are the G.711 encoding of the fill, other bytes are
//! untouched) and unsigned 8-bit PCM ([`Redactor::pcm_u8`]). [`redact_wav`] redacts a whole
//! WAV file of any kind [`crate::io`] reads, in its own format.
//!
//! # Channels
//!
//! A `Redactor` is one channel. [`redact_wav`] redacts each channel of a multi-channel file
//! on the keys found **in that channel** (a key heard only on the caller's channel is
//! removed from that channel; a detectable echo of it on the other channel is a key there
//! and removed there).
//!
//! # Packet captures
//!
//! `redact_capture` (feature `capture`) redacts an RTP capture in its own format (pcap
//! or pcapng): telephone-event packets are removed, and in each PCMU/PCMA stream the keys
//! the detector finds and the time of the stream's own telephone-events are replaced; every
//! other byte is kept, and the UDP checksums of changed packets are recomputed.
//!
//! # Comfort noise
//!
//! [`Fill::Noise`] fills a span with white noise whose RMS is the signal's RMS just before
//! the span (an exponential average over 20 ms of the samples passed through) times
//! [`RedactConfig::noise_gain_db`]. It depends only on the sample position and
//! [`RedactConfig::noise_seed`], so it is the same however the stream is framed.
//!
//! ```
//! use touchtone::redact::{Fill, RedactConfig, Redactor};
//! use touchtone::{detect, DetectorConfig, Generator, GeneratorConfig};
//! let mut pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("4111").unwrap();
//! let mut red = Redactor::<i16>::new(DetectorConfig::default(), RedactConfig::default()).unwrap();
//! assert_eq!(red.delay(), 640); // 80 ms at 8 kHz
//! let mut spans = Vec::new();
//! red.redact_all(&mut pcm, |s| spans.push(s));
//! assert_eq!(spans.len(), 4);
//! assert!(spans.iter().all(|s| s.key.is_none() && s.unreplaced == 0));
//! assert!(detect(8000, &pcm).unwrap().is_empty());
//! ```

#[cfg(feature = "capture")]
mod capture;
mod config;
mod edges;
mod fill;
mod span;
mod stream;
mod wav;

#[cfg(test)]
mod tests;

#[cfg(feature = "capture")]
pub use capture::{redact_capture, CaptureSpan, RedactedCapture};
pub use config::{delay_ms, Fill, RedactConfig, RedactError};
pub use span::Span;
pub use stream::{LinearSample, Redactor};
pub use wav::{redact_wav, RedactedWav};
