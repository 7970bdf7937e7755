//! Test signals with known truth, and a runner that feeds them to the detector.
//!
//! Conventions are those of `/work/shared/dtmf-requirements.md`:
//! * a sine whose peak is 32767 is +3.14 dBm0 (`touchtone::generator::dbm0_to_peak`);
//! * twist = level(low tone) − level(high tone);
//! * SNR = level of the weaker tone − power of white noise over 0–4 kHz. White noise over
//!   the whole band 0…fs/2 has `fs / 8000` times the power of its 0–4 kHz part, so at
//!   48 kHz the noise's total variance is six times its 0–4 kHz power.
//!
//! Signals are built in `f64` (16-bit sample units, unclipped) and rendered at the end to
//! `i16` (rounded, saturated: that is where clipping happens), `f32` (the same rounded
//! values / 32768, so f32 and i16 inputs carry identical samples), or G.711 bytes.
#![allow(dead_code)]

use std::f64::consts::TAU;
use std::fmt;
use touchtone::generator::dbm0_to_peak;
use touchtone::{g711, Detector, DetectorConfig, Event, Key, KeyPress};

/// The sample rates of the requirements' "every supported sample rate".
pub const RATES: [u32; 4] = [8000, 16000, 44100, 48000];

/// Low-group (row) frequencies.
pub const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies.
pub const COLS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

// ---------------------------------------------------------------------------------------
// Random numbers: xorshift64* and Box–Muller (no dependencies, fixed seeds).
// ---------------------------------------------------------------------------------------

/// A small seeded generator (xorshift64*), with Box–Muller Gaussian samples.
#[derive(Clone, Debug)]
pub struct Rng {
    s: u64,
    spare: Option<f64>,
}

impl Rng {
    /// A generator from a seed (any value, 0 included).
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng {
            s: (seed ^ 0x9E37_79B9_7F4A_7C15).max(1),
            spare: None,
        };
        for _ in 0..8 {
            r.next_u64();
        }
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.s;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.s = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// A random phase in [0, 2π).
    pub fn phase(&mut self) -> f64 {
        self.uniform() * TAU
    }

    /// One element of a slice.
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())]
    }

    /// Standard normal (Box–Muller, both values used).
    pub fn gauss(&mut self) -> f64 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        self.spare = Some(r * (TAU * u2).sin());
        r * (TAU * u2).cos()
    }
}

// ---------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------

/// How the signal reaches the detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 16-bit linear PCM at a rate.
    Pcm(u32),
    /// 32-bit float PCM at a rate.
    F32(u32),
    /// G.711 μ-law bytes at 8 kHz (`Detector::process_ulaw`).
    Ulaw,
    /// G.711 A-law bytes at 8 kHz (`Detector::process_alaw`).
    Alaw,
}

/// The formats every conformance line is run in: 8, 16, 44.1, 48 kHz linear, and μ-law and
/// A-law at 8 kHz.
pub const FORMATS: [Format; 6] = [
    Format::Pcm(8000),
    Format::Pcm(16000),
    Format::Pcm(44100),
    Format::Pcm(48000),
    Format::Ulaw,
    Format::Alaw,
];

impl Format {
    /// The sample rate.
    pub fn rate(self) -> u32 {
        match self {
            Format::Pcm(r) | Format::F32(r) => r,
            Format::Ulaw | Format::Alaw => 8000,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Pcm(r) => write!(f, "{r}Hz"),
            Format::F32(r) => write!(f, "{r}Hz-f32"),
            Format::Ulaw => write!(f, "ulaw"),
            Format::Alaw => write!(f, "alaw"),
        }
    }
}

/// Rendered samples, ready for the detector.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// 16-bit samples.
    I16(Vec<i16>),
    /// Float samples in [−1, 1].
    F32(Vec<f32>),
    /// μ-law bytes.
    Ulaw(Vec<u8>),
    /// A-law bytes.
    Alaw(Vec<u8>),
}

impl Input {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Input::I16(v) => v.len(),
            Input::F32(v) => v.len(),
            Input::Ulaw(v) | Input::Alaw(v) => v.len(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------

/// A generated key: what the detector should report.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// The key.
    pub key: Key,
    /// First sample of the tone.
    pub start: u64,
    /// One past the last sample of the tone (dropouts inside do not move it).
    pub end: u64,
    /// Level of the low (row) tone, dBm0.
    pub lo_dbm0: f64,
    /// Level of the high (column) tone, dBm0.
    pub hi_dbm0: f64,
    /// Frequency deviations (low, high), %.
    pub dev_pct: (f64, f64),
    /// Free text saying what is special about this key (for failure messages).
    pub label: String,
}

impl Truth {
    /// Twist of the generated key.
    pub fn twist_db(&self) -> f64 {
        self.lo_dbm0 - self.hi_dbm0
    }
}

/// A gap inside a tone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    /// Where the gap starts, ms from the tone's start.
    pub at_ms: f64,
    /// Gap length, ms.
    pub len_ms: f64,
    /// Phase added to the tones after the gap (0 = the tone continues as if never cut).
    pub phase_jump: f64,
}

/// One DTMF key to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct KeySpec {
    /// The key.
    pub key: Key,
    /// Tone duration, ms.
    pub ms: f64,
    /// Low-tone level, dBm0.
    pub lo_dbm0: f64,
    /// High-tone level, dBm0.
    pub hi_dbm0: f64,
    /// Low-tone frequency deviation, % of nominal.
    pub dev_lo_pct: f64,
    /// High-tone frequency deviation, % of nominal.
    pub dev_hi_pct: f64,
    /// Gaps inside the tone.
    pub dropouts: Vec<Dropout>,
    /// Free text for failure messages.
    pub label: String,
}

impl KeySpec {
    /// A key of `ms` milliseconds, both tones at `dbm0`, nominal frequencies.
    pub fn new(key: Key, ms: f64, dbm0: f64) -> KeySpec {
        KeySpec {
            key,
            ms,
            lo_dbm0: dbm0,
            hi_dbm0: dbm0,
            dev_lo_pct: 0.0,
            dev_hi_pct: 0.0,
            dropouts: Vec::new(),
            label: String::new(),
        }
    }

    /// Set the label shown in failure messages.
    pub fn label(mut self, label: impl Into<String>) -> KeySpec {
        self.label = label.into();
        self
    }

    /// Per-tone levels.
    pub fn levels(mut self, lo_dbm0: f64, hi_dbm0: f64) -> KeySpec {
        self.lo_dbm0 = lo_dbm0;
        self.hi_dbm0 = hi_dbm0;
        self
    }

    /// Frequency deviations in %.
    pub fn dev(mut self, lo_pct: f64, hi_pct: f64) -> KeySpec {
        self.dev_lo_pct = lo_pct;
        self.dev_hi_pct = hi_pct;
        self
    }

    /// Add a dropout.
    pub fn dropout(mut self, at_ms: f64, len_ms: f64, phase_jump: f64) -> KeySpec {
        self.dropouts.push(Dropout {
            at_ms,
            len_ms,
            phase_jump,
        });
        self
    }
}

/// A signal under construction (f64, 16-bit units), with a write cursor for sequences and
/// the list of keys it holds.
#[derive(Clone, Debug)]
pub struct Signal {
    /// Sample rate.
    pub rate: u32,
    /// The samples (unclipped).
    pub x: Vec<f64>,
    /// The keys generated, in order.
    pub truth: Vec<Truth>,
    /// Where the next `key`/`pause` goes.
    pub cursor: usize,
}

impl Signal {
    /// An empty signal at `rate`.
    pub fn new(rate: u32) -> Signal {
        Signal {
            rate,
            x: Vec::new(),
            truth: Vec::new(),
            cursor: 0,
        }
    }

    /// Samples in `ms` milliseconds (rounded).
    pub fn samples(&self, ms: f64) -> usize {
        (ms * self.rate as f64 / 1000.0).round() as usize
    }

    /// Milliseconds of `n` samples.
    pub fn ms(&self, n: u64) -> f64 {
        n as f64 * 1000.0 / self.rate as f64
    }

    fn ensure(&mut self, len: usize) {
        if self.x.len() < len {
            self.x.resize(len, 0.0);
        }
    }

    /// Silence of `ms` at the cursor.
    pub fn pause(&mut self, ms: f64) -> &mut Self {
        self.cursor += self.samples(ms);
        let c = self.cursor;
        self.ensure(c);
        self
    }

    /// Make the signal at least `ms` long in total.
    pub fn extend_to(&mut self, ms: f64) -> &mut Self {
        let n = self.samples(ms);
        self.ensure(n);
        self
    }

    /// Add a sine of `freq` Hz at `dbm0`, starting at sample `start` with `phase`, for `len`
    /// samples, with `dropouts` (gap offsets and lengths in samples, and phase jumps).
    pub fn add_tone_samples(
        &mut self,
        freq: f64,
        dbm0: f64,
        phase: f64,
        start: usize,
        len: usize,
        dropouts: &[(usize, usize, f64)],
    ) {
        self.ensure(start + len);
        let peak = dbm0_to_peak(dbm0);
        let w = TAU * freq / self.rate as f64;
        for i in 0..len {
            let mut ph = phase + w * i as f64;
            let mut silent = false;
            for &(at, gap, jump) in dropouts {
                if i >= at && i < at + gap {
                    silent = true;
                }
                if i >= at + gap {
                    ph += jump;
                }
            }
            if !silent {
                self.x[start + i] += peak * ph.sin();
            }
        }
    }

    /// Add a sine from `start_ms` for `ms` milliseconds.
    pub fn tone(&mut self, freq: f64, dbm0: f64, phase: f64, start_ms: f64, ms: f64) -> &mut Self {
        let (s, n) = (self.samples(start_ms), self.samples(ms));
        self.add_tone_samples(freq, dbm0, phase, s, n, &[]);
        self
    }

    /// Add a DTMF key at the cursor (random phases from `rng`), record its truth and move
    /// the cursor past it.
    pub fn key(&mut self, spec: &KeySpec, rng: &mut Rng) -> &mut Self {
        let start = self.cursor;
        let len = self.samples(spec.ms);
        let drops: Vec<(usize, usize, f64)> = spec
            .dropouts
            .iter()
            .map(|d| (self.samples(d.at_ms), self.samples(d.len_ms), d.phase_jump))
            .collect();
        let f_lo = spec.key.row_freq() * (1.0 + spec.dev_lo_pct / 100.0);
        let f_hi = spec.key.col_freq() * (1.0 + spec.dev_hi_pct / 100.0);
        let (p_lo, p_hi) = (rng.phase(), rng.phase());
        // Each tone gets its own phase jump at a dropout (jump for low, a different one
        // derived from it for high), so a "phase jump" moves both tones.
        let drops_hi: Vec<(usize, usize, f64)> = drops
            .iter()
            .map(|&(a, g, j)| (a, g, if j == 0.0 { 0.0 } else { j * 1.618 + 0.7 }))
            .collect();
        self.add_tone_samples(f_lo, spec.lo_dbm0, p_lo, start, len, &drops);
        self.add_tone_samples(f_hi, spec.hi_dbm0, p_hi, start, len, &drops_hi);
        self.truth.push(Truth {
            key: spec.key,
            start: start as u64,
            end: (start + len) as u64,
            lo_dbm0: spec.lo_dbm0,
            hi_dbm0: spec.hi_dbm0,
            dev_pct: (spec.dev_lo_pct, spec.dev_hi_pct),
            label: spec.label.clone(),
        });
        self.cursor = start + len;
        self
    }

    /// Add a linear sweep from `f0` to `f1` Hz (phase-continuous), from `start_ms` for `ms`.
    pub fn sweep(&mut self, f0: f64, f1: f64, dbm0: f64, start_ms: f64, ms: f64) -> &mut Self {
        let (s, n) = (self.samples(start_ms), self.samples(ms));
        self.ensure(s + n);
        let peak = dbm0_to_peak(dbm0);
        let fs = self.rate as f64;
        let dur = n as f64 / fs;
        for i in 0..n {
            let t = i as f64 / fs;
            // phase = 2π (f0 t + (f1 − f0) t² / (2 dur))
            let ph = TAU * (f0 * t + (f1 - f0) * t * t / (2.0 * dur));
            self.x[s + i] += peak * ph.sin();
        }
        self
    }

    /// Add white Gaussian noise whose power over 0–4 kHz is `dbm0` (the power of a sine at
    /// that level); the whole-band variance is `fs / 8000` times that.
    pub fn noise(&mut self, dbm0: f64, rng: &mut Rng) -> &mut Self {
        let p4k = dbm0_to_peak(dbm0).powi(2) / 2.0;
        let sigma = (p4k * self.rate as f64 / 8000.0).sqrt();
        for v in &mut self.x {
            *v += sigma * rng.gauss();
        }
        self
    }

    /// Add noise for `snr_db` relative to the weakest tone of all keys generated so far.
    pub fn noise_snr(&mut self, snr_db: f64, rng: &mut Rng) -> &mut Self {
        let weakest = self
            .truth
            .iter()
            .map(|t| t.lo_dbm0.min(t.hi_dbm0))
            .fold(f64::INFINITY, f64::min);
        self.noise(weakest - snr_db, rng)
    }

    /// Mix another signal in (same rate), scaled by `gain` (linear), from sample 0.
    pub fn mix(&mut self, other: &[f64], gain: f64) -> &mut Self {
        self.ensure(other.len());
        for (o, &v) in self.x.iter_mut().zip(other) {
            *o += gain * v;
        }
        self
    }

    /// RMS of the samples in `from..to` (16-bit units, unclipped).
    pub fn rms(&self, from: usize, to: usize) -> f64 {
        let s = &self.x[from.min(self.x.len())..to.min(self.x.len())];
        if s.is_empty() {
            return 0.0;
        }
        (s.iter().map(|v| v * v).sum::<f64>() / s.len() as f64).sqrt()
    }

    /// Rounded, saturated 16-bit samples.
    pub fn to_i16(&self) -> Vec<i16> {
        self.x
            .iter()
            .map(|&v| v.round().clamp(-32768.0, 32767.0) as i16)
            .collect()
    }

    /// Float samples: the 16-bit values / 32768 (identical content to `to_i16`).
    pub fn to_f32(&self) -> Vec<f32> {
        self.to_i16().iter().map(|&v| v as f32 / 32768.0).collect()
    }

    /// μ-law bytes (only meaningful at 8 kHz).
    pub fn to_ulaw(&self) -> Vec<u8> {
        self.to_i16()
            .into_iter()
            .map(g711::linear_to_ulaw)
            .collect()
    }

    /// A-law bytes (only meaningful at 8 kHz).
    pub fn to_alaw(&self) -> Vec<u8> {
        self.to_i16()
            .into_iter()
            .map(g711::linear_to_alaw)
            .collect()
    }

    /// Render for a format.
    ///
    /// # Panics
    /// If the format's rate is not the signal's rate (a bug in the test).
    pub fn render(&self, format: Format) -> Input {
        assert_eq!(format.rate(), self.rate, "signal rate vs format {format}");
        match format {
            Format::Pcm(_) => Input::I16(self.to_i16()),
            Format::F32(_) => Input::F32(self.to_f32()),
            Format::Ulaw => Input::Ulaw(self.to_ulaw()),
            Format::Alaw => Input::Alaw(self.to_alaw()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Non-DTMF signals (all return a fresh signal of `ms` milliseconds at `rate`).
// ---------------------------------------------------------------------------------------

/// Sum of steady tones (each `(freq, dbm0)`), random phases.
pub fn steady(rate: u32, tones: &[(f64, f64)], ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    for &(f, l) in tones {
        let ph = rng.phase();
        s.tone(f, l, ph, 0.0, ms);
    }
    s
}

/// Tones switched on and off with a cadence (`on_ms`, `off_ms`), repeated to fill `ms`.
pub fn cadence(
    rate: u32,
    tones: &[(f64, f64)],
    on_ms: f64,
    off_ms: f64,
    ms: f64,
    rng: &mut Rng,
) -> Signal {
    let mut s = Signal::new(rate);
    let mut t = 0.0;
    while t < ms {
        let on = on_ms.min(ms - t);
        for &(f, l) in tones {
            let ph = rng.phase();
            s.tone(f, l, ph, t, on);
        }
        t += on_ms + off_ms;
    }
    s.extend_to(ms);
    s
}

/// 2100 Hz answer tone (ANSam-like without modulation) with a 180° phase reversal every
/// 450 ms.
pub fn answer_tone(rate: u32, dbm0: f64, ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    let n = s.samples(ms);
    let every = s.samples(450.0);
    let drops: Vec<(usize, usize, f64)> = (1..)
        .map(|k| k * every)
        .take_while(|&a| a < n)
        .map(|a| (a, 0, std::f64::consts::PI))
        .collect();
    let ph = rng.phase();
    s.add_tone_samples(2100.0, dbm0, ph, 0, n, &drops);
    s
}

/// Special information tone: 913.8, 1370.6, 1776.7 Hz, 274 / 274 / 380 ms, then silence,
/// repeated to fill `ms`.
pub fn sit(rate: u32, dbm0: f64, ms: f64, rng: &mut Rng) -> Signal {
    let mut s = Signal::new(rate);
    let mut t = 0.0;
    while t < ms {
        for (f, d) in [(913.8, 274.0), (1370.6, 274.0), (1776.7, 380.0)] {
            let ph = rng.phase();
            s.tone(f, dbm0, ph, t, d);
            t += d;
        }
        t += 400.0;
    }
    s.extend_to(ms);
    s
}

// ---------------------------------------------------------------------------------------
// Running the detector
// ---------------------------------------------------------------------------------------

/// What a run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Every event in order.
    pub events: Vec<Event>,
}

/// A `KeyDown` seen in a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Down {
    /// The key.
    pub key: Key,
    /// Its estimated start.
    pub start: u64,
    /// Where it was decided.
    pub decided_at: u64,
}

impl Run {
    /// The complete keys (from `KeyUp`), in order.
    pub fn presses(&self) -> Vec<KeyPress> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUp { press, .. } => Some(*press),
                _ => None,
            })
            .collect()
    }

    /// The `KeyUp` events with their decision instants.
    pub fn ups(&self) -> Vec<(KeyPress, u64)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUp { press, decided_at } => Some((*press, *decided_at)),
                _ => None,
            })
            .collect()
    }

    /// The `KeyDown` events.
    pub fn downs(&self) -> Vec<Down> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyDown {
                    key,
                    start,
                    decided_at,
                    ..
                } => Some(Down {
                    key: *key,
                    start: *start,
                    decided_at: *decided_at,
                }),
                _ => None,
            })
            .collect()
    }

    /// Protocol errors: every `KeyDown` must be followed by exactly one `KeyUp` of the same
    /// key and start before any other `KeyDown`, and every `KeyUp` must have had its
    /// `KeyDown`.
    pub fn pairing_errors(&self, rate: u32) -> Vec<String> {
        let ms = |v: u64| v as f64 * 1000.0 / rate as f64;
        let mut errs = Vec::new();
        let mut open: Option<(Key, u64)> = None;
        for e in &self.events {
            match e {
                Event::KeyDown { key, start, .. } => {
                    if let Some((k, s)) = open {
                        errs.push(format!(
                            "KeyDown {} at {:.1} ms never got its KeyUp (next KeyDown {} at {:.1} ms)",
                            k.to_char(),
                            ms(s),
                            key.to_char(),
                            ms(*start)
                        ));
                    }
                    open = Some((*key, *start));
                }
                Event::KeyUp { press, .. } => {
                    match open {
                        Some((k, s)) if k == press.key && s == press.start => {}
                        _ => errs.push(format!(
                            "KeyUp {} at {:.1} ms without its KeyDown",
                            press.key.to_char(),
                            ms(press.start)
                        )),
                    }
                    open = None;
                }
            }
        }
        if let Some((k, s)) = open {
            errs.push(format!(
                "KeyDown {} at {:.1} ms never got its KeyUp (stream ended, finish() called)",
                k.to_char(),
                ms(s)
            ));
        }
        errs
    }

    /// The keys as a string.
    pub fn keys(&self) -> String {
        self.presses().iter().map(|p| p.key.to_char()).collect()
    }
}

/// Run a detector with `cfg` over `input`, in frames of `frame` samples (0 = the whole
/// buffer in one call), then `finish`.
///
/// # Panics
/// If the config is refused (a bug in the test).
pub fn run_cfg(cfg: DetectorConfig, input: &Input, frame: usize) -> Run {
    let mut det = Detector::new(cfg).expect("config");
    let mut events = Vec::new();
    let frame = if frame == 0 {
        input.len().max(1)
    } else {
        frame
    };
    match input {
        Input::I16(v) => v
            .chunks(frame)
            .for_each(|c| det.process(c, |e| events.push(e))),
        Input::F32(v) => v
            .chunks(frame)
            .for_each(|c| det.process(c, |e| events.push(e))),
        Input::Ulaw(v) => v
            .chunks(frame)
            .for_each(|c| det.process_ulaw(c, |e| events.push(e))),
        Input::Alaw(v) => v
            .chunks(frame)
            .for_each(|c| det.process_alaw(c, |e| events.push(e))),
    }
    det.finish(|e| events.push(e));
    Run { events }
}

/// Run with the default config at `rate`, in frames of `frame` samples (0 = whole buffer).
pub fn run(rate: u32, input: &Input, frame: usize) -> Run {
    run_cfg(DetectorConfig::with_rate(rate), input, frame)
}

/// Run with chunk sizes taken in turn from `sizes` (cycled), to test arbitrary chunking.
pub fn run_chunked(rate: u32, input: &Input, sizes: &[usize]) -> Run {
    let mut det = Detector::new(DetectorConfig::with_rate(rate)).expect("config");
    let mut events = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    let n = input.len();
    while pos < n {
        let len = sizes[i % sizes.len()].max(1).min(n - pos);
        let r = pos..pos + len;
        match input {
            Input::I16(v) => det.process(&v[r], |e| events.push(e)),
            Input::F32(v) => det.process(&v[r], |e| events.push(e)),
            Input::Ulaw(v) => det.process_ulaw(&v[r], |e| events.push(e)),
            Input::Alaw(v) => det.process_alaw(&v[r], |e| events.push(e)),
        }
        pos += len;
        i += 1;
    }
    det.finish(|e| events.push(e));
    Run { events }
}

/// Render `sig` in `format` and run it (160-sample frames, the RTP 20 ms frame at 8 kHz).
pub fn run_signal(sig: &Signal, format: Format) -> Run {
    run(format.rate(), &sig.render(format), 160)
}

// ---------------------------------------------------------------------------------------
// Scoring against the truth
// ---------------------------------------------------------------------------------------

/// Failures collected over a test, reported together at the end.
#[derive(Debug, Default)]
pub struct Failures {
    /// Test name.
    pub name: String,
    /// One line per failure.
    pub lines: Vec<String>,
    /// Number of checks made.
    pub checks: usize,
}

impl Failures {
    /// A new, empty list for test `name`.
    pub fn new(name: &str) -> Failures {
        Failures {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Record a failure.
    pub fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Count a check (for the summary).
    pub fn check(&mut self) {
        self.checks += 1;
    }

    /// Panic with every failure if there is any; also require that something was checked.
    pub fn finish(self) {
        assert!(self.checks > 0, "{}: nothing was checked", self.name);
        if !self.lines.is_empty() {
            let shown: Vec<&str> = self.lines.iter().take(60).map(|s| s.as_str()).collect();
            panic!(
                "{}: {} failure(s) in {} checks:\n  {}{}",
                self.name,
                self.lines.len(),
                self.checks,
                shown.join("\n  "),
                if self.lines.len() > 60 { "\n  ..." } else { "" }
            );
        }
    }
}

/// A truth key described for failure messages.
pub fn describe(t: &Truth, rate: u32) -> String {
    let mut s = format!(
        "key {} at {:.1}–{:.1} ms (lo {:.1} dBm0, hi {:.1} dBm0",
        t.key.to_char(),
        t.start as f64 * 1000.0 / rate as f64,
        t.end as f64 * 1000.0 / rate as f64,
        t.lo_dbm0,
        t.hi_dbm0
    );
    if t.dev_pct != (0.0, 0.0) {
        s += &format!(", dev {:+.1}%/{:+.1}%", t.dev_pct.0, t.dev_pct.1);
    }
    if !t.label.is_empty() {
        s += ", ";
        s += &t.label;
    }
    s + ")"
}

/// A detected key described for failure messages.
pub fn describe_press(p: &KeyPress, rate: u32) -> String {
    format!(
        "{} at {:.1}–{:.1} ms (lo {:.1}, hi {:.1} dBm0)",
        p.key.to_char(),
        p.start_ms(rate),
        p.end_ms(rate),
        p.levels.low_dbm0,
        p.levels.high_dbm0
    )
}

/// Match detected presses to the truth: a press belongs to a truth key if their spans
/// overlap (with `margin_ms` of slack). Returns, per truth key, the indices of the presses
/// matched, and the presses matched to no truth key.
pub fn matching(
    presses: &[KeyPress],
    truth: &[Truth],
    rate: u32,
    margin_ms: f64,
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let m = (margin_ms * rate as f64 / 1000.0) as u64;
    let mut per = vec![Vec::new(); truth.len()];
    let mut extra = Vec::new();
    for (i, p) in presses.iter().enumerate() {
        let hit = truth
            .iter()
            .position(|t| p.start < t.end + m && p.end + m > t.start);
        match hit {
            Some(j) => per[j].push(i),
            None => extra.push(i),
        }
    }
    (per, extra)
}

/// Check that every truth key is reported exactly once with the right key and that nothing
/// else is reported. Failures are tagged with `ctx`. Returns the matched press for each
/// truth key (None where it failed).
pub fn expect_exact(
    f: &mut Failures,
    ctx: &str,
    run: &Run,
    truth: &[Truth],
    rate: u32,
) -> Vec<Option<KeyPress>> {
    let presses = run.presses();
    for e in run.pairing_errors(rate) {
        f.push(format!("{ctx}: {e}"));
    }
    let (per, extra) = matching(&presses, truth, rate, 15.0);
    let mut out = Vec::new();
    for (t, idx) in truth.iter().zip(&per) {
        f.check();
        match idx.as_slice() {
            [i] if presses[*i].key == t.key => out.push(Some(presses[*i])),
            [] => {
                f.push(format!("{ctx}: {} missed", describe(t, rate)));
                out.push(None);
            }
            _ => {
                let got: Vec<String> = idx
                    .iter()
                    .map(|&i| describe_press(&presses[i], rate))
                    .collect();
                f.push(format!(
                    "{ctx}: {} reported as [{}]",
                    describe(t, rate),
                    got.join(", ")
                ));
                out.push(None);
            }
        }
    }
    for i in extra {
        f.push(format!(
            "{ctx}: extra key {}",
            describe_press(&presses[i], rate)
        ));
    }
    out
}

/// Check that a run reported no key at all (neither KeyDown nor KeyUp).
pub fn expect_none(f: &mut Failures, ctx: &str, run: &Run, rate: u32) {
    f.check();
    let presses = run.presses();
    let downs = run.downs();
    if !presses.is_empty() || !downs.is_empty() {
        let got: Vec<String> = presses.iter().map(|p| describe_press(p, rate)).collect();
        f.push(format!(
            "{ctx}: expected no key, got {} KeyDown and [{}]",
            downs.len(),
            got.join(", ")
        ));
    }
}

/// Check that a run of generated stimuli (tones that must not operate, recorded as truth
/// entries with labels) reported no key; each key reported is attributed to the stimulus it
/// overlaps.
pub fn expect_none_stimuli(f: &mut Failures, ctx: &str, run: &Run, stimuli: &[Truth], rate: u32) {
    let presses = run.presses();
    f.checks += stimuli.len().max(1);
    for e in run.pairing_errors(rate) {
        f.push(format!("{ctx}: {e}"));
    }
    let (per, extra) = matching(&presses, stimuli, rate, 15.0);
    for (t, idx) in stimuli.iter().zip(&per) {
        for &i in idx {
            f.push(format!(
                "{ctx}: stimulus {} gave key {}",
                describe(t, rate),
                describe_press(&presses[i], rate)
            ));
        }
    }
    for i in extra {
        f.push(format!(
            "{ctx}: key {} outside any stimulus",
            describe_press(&presses[i], rate)
        ));
    }
}

/// All sixteen keys.
pub fn all_keys() -> [Key; 16] {
    Key::ALL
}
