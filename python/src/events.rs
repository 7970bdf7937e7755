//! What the detector reports to Python: [`KeyPress`], [`KeyDown`] and [`KeyUp`], and the
//! conversion of the library's events into them.

use pyo3::prelude::*;

use ::touchtone::{Event as REvent, KeyPress as RKeyPress};

/// A complete key: its tone's estimated edges (sample positions and milliseconds) and the
/// level of each of its two tones in dBm0.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub(crate) struct KeyPress {
    /// The key: one of ``0-9 A-D * #``.
    key: String,
    /// Estimated first sample of the tone.
    pub(crate) start: u64,
    /// Estimated end of the tone (one past its last sample).
    end: u64,
    /// The sample rate the positions count at.
    sample_rate: u32,
    /// Low-group (row) tone level, dBm0.
    low_dbm0: f32,
    /// High-group (column) tone level, dBm0.
    high_dbm0: f32,
    /// The channel it was found on (0 for a single stream).
    pub(crate) channel: u16,
}

impl KeyPress {
    pub(crate) fn new(p: &RKeyPress, sample_rate: u32, channel: u16) -> Self {
        KeyPress {
            key: p.key.to_char().to_string(),
            start: p.start,
            end: p.end,
            sample_rate,
            low_dbm0: p.levels.low_dbm0,
            high_dbm0: p.levels.high_dbm0,
            channel,
        }
    }
}

fn ms(samples: u64, rate: u32) -> f64 {
    samples as f64 * 1000.0 / f64::from(rate)
}

#[pymethods]
impl KeyPress {
    /// Start of the tone, milliseconds.
    #[getter]
    fn start_ms(&self) -> f64 {
        ms(self.start, self.sample_rate)
    }
    /// End of the tone, milliseconds.
    #[getter]
    fn end_ms(&self) -> f64 {
        ms(self.end, self.sample_rate)
    }
    /// Length of the tone, milliseconds.
    #[getter]
    fn duration_ms(&self) -> f64 {
        ms(self.end - self.start, self.sample_rate)
    }
    /// Twist in dB: low − high (positive: the low tone is louder).
    #[getter]
    fn twist_db(&self) -> f32 {
        self.low_dbm0 - self.high_dbm0
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyPress(key='{}', start_ms={:.1}, end_ms={:.1}, low_dbm0={:.1}, high_dbm0={:.1}, channel={})",
            self.key,
            self.start_ms(),
            self.end_ms(),
            self.low_dbm0,
            self.high_dbm0,
            self.channel
        )
    }
}

/// A key went down: reported as soon as the key is certain (at most 50 ms after the tone
/// starts), so a prompt can be stopped (barge-in). Its :class:`KeyUp` follows.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub(crate) struct KeyDown {
    /// The key.
    key: String,
    /// Estimated first sample of the tone.
    start: u64,
    /// The sample position at which the detector decided.
    decided_at: u64,
    /// The sample rate the positions count at.
    sample_rate: u32,
    /// Low-group tone level measured so far, dBm0.
    low_dbm0: f32,
    /// High-group tone level measured so far, dBm0.
    high_dbm0: f32,
}

#[pymethods]
impl KeyDown {
    /// Start of the tone, milliseconds.
    #[getter]
    fn start_ms(&self) -> f64 {
        ms(self.start, self.sample_rate)
    }
    /// When the detector decided, milliseconds.
    #[getter]
    fn decided_at_ms(&self) -> f64 {
        ms(self.decided_at, self.sample_rate)
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyDown(key='{}', start_ms={:.1}, decided_at_ms={:.1})",
            self.key,
            self.start_ms(),
            self.decided_at_ms()
        )
    }
}

/// A key's tone ended (or the stream was finished while it was on): the complete
/// :class:`KeyPress` and when the end was decided.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub(crate) struct KeyUp {
    /// The complete key.
    press: KeyPress,
    /// The sample position at which the end was decided.
    decided_at: u64,
}

#[pymethods]
impl KeyUp {
    /// The key.
    #[getter]
    fn key(&self) -> String {
        self.press.key.clone()
    }
    /// When the end was decided, milliseconds.
    #[getter]
    fn decided_at_ms(&self) -> f64 {
        ms(self.decided_at, self.press.sample_rate)
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyUp(key='{}', start_ms={:.1}, end_ms={:.1}, low_dbm0={:.1}, high_dbm0={:.1})",
            self.press.key,
            self.press.start_ms(),
            self.press.end_ms(),
            self.press.low_dbm0,
            self.press.high_dbm0
        )
    }
}

#[derive(IntoPyObject)]
pub(crate) enum Event {
    Down(KeyDown),
    Up(KeyUp),
}

pub(crate) fn event(ev: REvent, rate: u32) -> Event {
    match ev {
        REvent::KeyDown {
            key,
            start,
            decided_at,
            levels,
        } => Event::Down(KeyDown {
            key: key.to_char().to_string(),
            start,
            decided_at,
            sample_rate: rate,
            low_dbm0: levels.low_dbm0,
            high_dbm0: levels.high_dbm0,
        }),
        REvent::KeyUp { press, decided_at } => Event::Up(KeyUp {
            press: KeyPress::new(&press, rate, 0),
            decided_at,
        }),
    }
}
