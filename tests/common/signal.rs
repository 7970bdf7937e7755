//! Signals with known truth: keys (levels, deviations, dropouts), tones, sweeps and noise,
//! built in `f64` and rendered to any `Format`.

use super::{Format, Input, Rng};
use std::f64::consts::TAU;
use touchtone::generator::dbm0_to_peak;
use touchtone::{g711, Key};

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
