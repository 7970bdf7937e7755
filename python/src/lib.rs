//! Python bindings of touchtone: the `touchtone` extension module (PyO3, abi3 for
//! CPython ≥ 3.9). The Python-facing documentation is in the docstrings below and in
//! `touchtone.pyi`; the tests are `python/tests` (pytest).

use std::path::PathBuf;
use std::time::Duration;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use ::touchtone::gather::{self as rgather, Action as RAction, GatherConfig};
use ::touchtone::{DetectorConfig, Event as REvent, Key as RKey, KeyPress as RKeyPress};

create_exception!(
    touchtone,
    TouchtoneError,
    PyValueError,
    "Base class of the errors raised by touchtone (a ValueError)."
);
create_exception!(
    touchtone,
    ConfigError,
    TouchtoneError,
    "A detector setting that cannot be used: a sample rate outside 8000..=48000 Hz or an unknown profile."
);
create_exception!(
    touchtone,
    AudioError,
    TouchtoneError,
    "An audio file that cannot be read, or samples of the wrong kind."
);
create_exception!(
    touchtone,
    GeneratorError,
    TouchtoneError,
    "A generator setting or key string that cannot be rendered."
);
create_exception!(
    touchtone,
    GatherError,
    TouchtoneError,
    "A gather preset parameter that cannot be used, or a bad key or time given to a Gather."
);

// ---------------------------------------------------------------------------------------
// The places that name paths or profiles that may change: one small function each.

/// The detector settings of a named profile at `rate`: `standard` (the requirements'
/// limits, for live calls) or `relaxed` (for recordings made outside the network).
fn profile_config(profile: &str, rate: u32) -> PyResult<DetectorConfig> {
    match profile {
        "standard" => Ok(DetectorConfig::standard(rate)),
        "relaxed" => Ok(DetectorConfig::relaxed(rate)),
        other => Err(ConfigError::new_err(format!(
            "unknown profile {other:?} (expected \"standard\" or \"relaxed\")"
        ))),
    }
}

fn new_detector(cfg: DetectorConfig) -> PyResult<::touchtone::Detector> {
    ::touchtone::Detector::new(cfg).map_err(|e| ConfigError::new_err(e.to_string()))
}

/// Reads a whole file with the crate's reader: WAV (PCM, float, G.711), or headerless
/// `raw` (`ulaw`, `alaw`, `s16le`, `f32le`) at `rate`. Returns (rate, channels, samples
/// interleaved).
fn read_audio(
    path: &std::path::Path,
    raw: Option<&str>,
    rate: Option<u32>,
) -> Result<(u32, u16, Vec<i16>), String> {
    use ::touchtone::io as wav;
    let audio = match (raw, rate) {
        (None, None) => wav::read_all(path),
        (Some(name), Some(rate)) => {
            let format = wav::RawFormat::from_name(name).ok_or_else(|| {
                format!(
                    "unknown raw format {name:?} (expected one of {})",
                    wav::RawFormat::NAMES.join(", ")
                )
            })?;
            wav::read_all_raw(path, format, rate)
        }
        (Some(_), None) => return Err("a raw file needs sample_rate".into()),
        (None, Some(_)) => {
            return Err("sample_rate applies to raw files only (give raw=...)".into())
        }
    }
    .map_err(|e| e.to_string())?;
    Ok((audio.sample_rate, audio.channels, audio.samples))
}

// ---------------------------------------------------------------------------------------
// Results.

/// A complete key: its tone's estimated edges (sample positions and milliseconds) and the
/// level of each of its two tones in dBm0.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
struct KeyPress {
    /// The key: one of ``0-9 A-D * #``.
    key: String,
    /// Estimated first sample of the tone.
    start: u64,
    /// Estimated end of the tone (one past its last sample).
    end: u64,
    /// The sample rate the positions count at.
    sample_rate: u32,
    /// Low-group (row) tone level, dBm0.
    low_dbm0: f32,
    /// High-group (column) tone level, dBm0.
    high_dbm0: f32,
    /// The channel it was found on (0 for a single stream).
    channel: u16,
}

impl KeyPress {
    fn new(p: &RKeyPress, sample_rate: u32, channel: u16) -> Self {
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
struct KeyDown {
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
struct KeyUp {
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
enum Event {
    Down(KeyDown),
    Up(KeyUp),
}

fn event(ev: REvent, rate: u32) -> Event {
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

// ---------------------------------------------------------------------------------------
// Sample input.

/// Samples borrowed from Python: NumPy int16 / float32, or G.711 bytes.
enum Samples<'a, 'py> {
    I16(PyReadonlyArray1<'py, i16>),
    F32(PyReadonlyArray1<'py, f32>),
    Ulaw(&'a [u8]),
    Alaw(&'a [u8]),
}

/// A contiguous view of the samples, or a copy of a strided array.
enum View<'a> {
    I16(std::borrow::Cow<'a, [i16]>),
    F32(std::borrow::Cow<'a, [f32]>),
    Ulaw(&'a [u8]),
    Alaw(&'a [u8]),
}

impl<'a, 'py> Samples<'a, 'py> {
    fn from_py(obj: &'a Bound<'py, PyAny>, encoding: Option<&str>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            let bytes = b.as_bytes();
            return match encoding {
                Some("ulaw") => Ok(Samples::Ulaw(bytes)),
                Some("alaw") => Ok(Samples::Alaw(bytes)),
                Some(other) => Err(AudioError::new_err(format!(
                    "unknown encoding {other:?} for bytes (expected \"ulaw\" or \"alaw\")"
                ))),
                None => Err(AudioError::new_err(
                    "bytes need encoding=\"ulaw\" or encoding=\"alaw\" (for 16-bit PCM pass a NumPy int16 array)",
                )),
            };
        }
        if let Some(e) = encoding {
            return Err(AudioError::new_err(format!(
                "encoding={e:?} applies to bytes only; NumPy arrays are int16 or float32 PCM"
            )));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, i16>>() {
            return Ok(Samples::I16(a));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, f32>>() {
            return Ok(Samples::F32(a));
        }
        let what = match (obj.getattr("dtype"), obj.getattr("ndim")) {
            (Ok(dtype), Ok(ndim)) => format!("a {ndim}-D array of {dtype}"),
            _ => obj.get_type().name()?.to_string(),
        };
        Err(PyTypeError::new_err(format!(
            "samples must be a 1-D NumPy array of int16 or float32, or bytes of G.711 (with encoding=); got {what}"
        )))
    }

    fn view(&self) -> View<'_> {
        use std::borrow::Cow;
        match self {
            Samples::I16(a) => View::I16(match a.as_slice() {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
            }),
            Samples::F32(a) => View::F32(match a.as_slice() {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
            }),
            Samples::Ulaw(b) => View::Ulaw(b),
            Samples::Alaw(b) => View::Alaw(b),
        }
    }

    fn len(&self) -> usize {
        match self {
            Samples::I16(a) => a.len(),
            Samples::F32(a) => a.len(),
            Samples::Ulaw(b) | Samples::Alaw(b) => b.len(),
        }
    }
}

impl View<'_> {
    fn feed(&self, det: &mut ::touchtone::Detector, on_event: impl FnMut(REvent)) {
        match self {
            View::I16(s) => det.process(s, on_event),
            View::F32(s) => det.process(s, on_event),
            View::Ulaw(b) => det.process_ulaw(b, on_event),
            View::Alaw(b) => det.process_alaw(b, on_event),
        }
    }
}

// ---------------------------------------------------------------------------------------
// One-shot decoding.

/// Decode the keys in a buffer of samples.
///
/// ``samples`` is a 1-D NumPy array of ``int16`` (16-bit PCM) or ``float32`` (full scale
/// ±1.0), or ``bytes`` of G.711 with ``encoding="ulaw"`` or ``"alaw"``. ``sample_rate`` is
/// 8000..48000 Hz. ``profile`` is ``"standard"`` (the limits of ITU-T Q.24 / LSSGR, for a
/// live call) or ``"relaxed"`` (for recordings made outside the network: a handset
/// recorded through the air, two-way radio, short machine-dialled tones; reverse twist to
/// 18 dB, tones from 20 ms; more false keys on music). Returns the keys as
/// :class:`KeyPress` objects in order.
///
/// Raises :class:`ConfigError` for a bad rate or profile, :class:`AudioError` for bytes
/// without a known encoding, ``TypeError`` for another kind of samples.
#[pyfunction]
#[pyo3(signature = (samples, sample_rate, encoding = None, profile = "standard"))]
fn decode(
    py: Python<'_>,
    samples: &Bound<'_, PyAny>,
    sample_rate: u32,
    encoding: Option<&str>,
    profile: &str,
) -> PyResult<Vec<KeyPress>> {
    let mut det = new_detector(profile_config(profile, sample_rate)?)?;
    let samples = Samples::from_py(samples, encoding)?;
    let view = samples.view();
    let presses = py.detach(|| {
        let mut presses = Vec::new();
        let mut keep = |ev: REvent| {
            if let REvent::KeyUp { press, .. } = ev {
                presses.push(press);
            }
        };
        view.feed(&mut det, &mut keep);
        det.finish(&mut keep);
        presses
    });
    Ok(presses
        .iter()
        .map(|p| KeyPress::new(p, sample_rate, 0))
        .collect())
}

/// Decode the keys in an audio file: WAV (16/24/32-bit PCM, float, μ-law, A-law, any
/// channel count) read by touchtone's own parser, or a headerless file with
/// ``raw="ulaw" | "alaw" | "s16le" | "f32le"`` and ``sample_rate``, with the detector
/// ``profile`` (``"standard"`` or ``"relaxed"``, as in :func:`decode`).
///
/// Every channel is decoded; the keys come ordered by start, then channel
/// (:attr:`KeyPress.channel`). Raises :class:`AudioError` with the reader's message
/// (naming what was wrong and where) and :class:`ConfigError` for a bad profile.
#[pyfunction]
#[pyo3(signature = (path, profile = "standard", raw = None, sample_rate = None))]
fn decode_file(
    py: Python<'_>,
    path: PathBuf,
    profile: &str,
    raw: Option<&str>,
    sample_rate: Option<u32>,
) -> PyResult<Vec<KeyPress>> {
    // Check the profile before reading anything.
    profile_config(profile, 8000)?;
    let (rate, channels, samples) = py
        .detach(|| read_audio(&path, raw, sample_rate))
        .map_err(AudioError::new_err)?;
    let cfg = profile_config(profile, rate)?;
    let plan = std::sync::Arc::new(
        ::touchtone::Plan::new(cfg).map_err(|e| ConfigError::new_err(e.to_string()))?,
    );
    let mut keys: Vec<KeyPress> = py.detach(|| {
        let ch = usize::from(channels.max(1));
        let mut keys = Vec::new();
        let mut lane: Vec<i16> = Vec::with_capacity(samples.len() / ch);
        for c in 0..ch {
            lane.clear();
            lane.extend(samples.iter().skip(c).step_by(ch));
            let mut det = ::touchtone::Detector::with_plan(plan.clone());
            let mut keep = |ev: REvent| {
                if let REvent::KeyUp { press, .. } = ev {
                    keys.push(KeyPress::new(&press, rate, c as u16));
                }
            };
            det.process(&lane, &mut keep);
            det.finish(&mut keep);
        }
        keys
    });
    keys.sort_by_key(|k| (k.start, k.channel));
    Ok(keys)
}

// ---------------------------------------------------------------------------------------
// Streaming.

/// A streaming DTMF receiver for one channel, with the detector ``profile``
/// (``"standard"`` or ``"relaxed"``, as in :func:`decode`).
///
/// Feed frames of any length with :meth:`process` (the events do not depend on how the
/// stream is cut) and call :meth:`finish` at the end of the stream. Each returns the
/// events it produced: :class:`KeyDown` as soon as a key is certain, :class:`KeyUp` with
/// the complete :class:`KeyPress`. Sample positions count from the first sample fed.
#[pyclass(module = "touchtone")]
struct Detector {
    det: ::touchtone::Detector,
    rate: u32,
    profile: String,
}

#[pymethods]
impl Detector {
    #[new]
    #[pyo3(signature = (sample_rate, profile = "standard"))]
    fn new(sample_rate: u32, profile: &str) -> PyResult<Self> {
        Ok(Detector {
            det: new_detector(profile_config(profile, sample_rate)?)?,
            rate: sample_rate,
            profile: profile.to_string(),
        })
    }

    /// Feed one frame (same kinds as :func:`decode`: int16 / float32 array, or bytes with
    /// ``encoding``) and return the events it completed, in order.
    #[pyo3(signature = (frame, encoding = None))]
    fn process(
        &mut self,
        frame: &Bound<'_, PyAny>,
        encoding: Option<&str>,
    ) -> PyResult<Vec<Event>> {
        let samples = Samples::from_py(frame, encoding)?;
        let rate = self.rate;
        let mut out = Vec::new();
        if samples.len() > 0 {
            samples
                .view()
                .feed(&mut self.det, |ev| out.push(event(ev, rate)));
        }
        Ok(out)
    }

    /// End of the stream: report a key still on (its :class:`KeyUp`). The detector is
    /// then reset (position 0) for a new stream.
    fn finish(&mut self) -> Vec<Event> {
        let rate = self.rate;
        let mut out = Vec::new();
        self.det.finish(|ev| out.push(event(ev, rate)));
        out
    }

    /// Forget any key in progress and restart sample positions at 0.
    fn reset(&mut self) {
        self.det.reset();
    }

    /// Samples fed since creation (or the last reset).
    #[getter]
    fn position(&self) -> u64 {
        self.det.position()
    }

    /// The sample rate, Hz.
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// The profile name.
    #[getter]
    fn profile(&self) -> String {
        self.profile.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Detector(sample_rate={}, profile='{}', position={})",
            self.rate,
            self.profile,
            self.det.position()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Generator.

/// DTMF generator: renders keys as 16-bit PCM.
///
/// Each key is a pause of ``pause_ms`` then ``tone_ms`` of its two tones, each at
/// ``level_dbm0`` (the low tone ``twist_db / 2`` louder, the high one that much quieter);
/// a final pause ends the rendering.
#[pyclass(module = "touchtone", frozen)]
struct Generator {
    gen: ::touchtone::Generator,
}

#[pymethods]
impl Generator {
    #[new]
    #[pyo3(signature = (sample_rate = 8000, tone_ms = 70.0, pause_ms = 70.0, level_dbm0 = -10.0, twist_db = 0.0))]
    fn new(
        sample_rate: u32,
        tone_ms: f64,
        pause_ms: f64,
        level_dbm0: f64,
        twist_db: f64,
    ) -> PyResult<Self> {
        let gen = ::touchtone::Generator::new(::touchtone::GeneratorConfig {
            sample_rate,
            tone_ms,
            pause_ms,
            level_dbm0,
            twist_db,
        })
        .map_err(|e| GeneratorError::new_err(e.to_string()))?;
        Ok(Generator { gen })
    }

    /// Render a key string such as ``"0123456789*#ABCD"`` as a NumPy int16 array.
    fn render<'py>(&self, py: Python<'py>, keys: &str) -> PyResult<Bound<'py, PyArray1<i16>>> {
        let pcm = self
            .gen
            .render_str(keys)
            .map_err(|e| GeneratorError::new_err(e.to_string()))?;
        Ok(pcm.into_pyarray(py))
    }

    /// The sample rate, Hz.
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.gen.config().sample_rate
    }
    /// Tone length, ms.
    #[getter]
    fn tone_ms(&self) -> f64 {
        self.gen.config().tone_ms
    }
    /// Pause length, ms.
    #[getter]
    fn pause_ms(&self) -> f64 {
        self.gen.config().pause_ms
    }
    /// Level of each tone, dBm0.
    #[getter]
    fn level_dbm0(&self) -> f64 {
        self.gen.config().level_dbm0
    }
    /// Twist, dB (low − high).
    #[getter]
    fn twist_db(&self) -> f64 {
        self.gen.config().twist_db
    }

    fn __repr__(&self) -> String {
        let c = self.gen.config();
        format!(
            "Generator(sample_rate={}, tone_ms={:?}, pause_ms={:?}, level_dbm0={:?}, twist_db={:?})",
            c.sample_rate, c.tone_ms, c.pause_ms, c.level_dbm0, c.twist_db
        )
    }
}

// ---------------------------------------------------------------------------------------
// Gather.

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn duration(what: &str, t: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(t)
        .map_err(|_| GatherError::new_err(format!("{what} {t} s is not a finite time ≥ 0")))
}

fn key_of(s: &str) -> PyResult<RKey> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => RKey::try_from(c).map_err(|e| GatherError::new_err(e.to_string())),
        _ => Err(GatherError::new_err(format!(
            "a key is one character of 0-9 A-D * #, got {s:?}"
        ))),
    }
}

/// A key collected (or left over) by a :class:`Gather`: the key and its down / up times
/// in seconds (``up`` is None while it is held).
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
struct GatherKey {
    /// The key.
    key: String,
    /// When it went down, seconds.
    down: f64,
    /// When it went up, seconds, or None.
    up: Option<f64>,
}

impl GatherKey {
    fn new(k: &rgather::KeyEvent) -> Self {
        GatherKey {
            key: k.key.to_char().to_string(),
            down: secs(k.down),
            up: k.up.map(secs),
        }
    }
}

#[pymethods]
impl GatherKey {
    fn __repr__(&self) -> String {
        match self.up {
            Some(up) => format!(
                "GatherKey(key='{}', down={:.3}, up={:.3})",
                self.key, self.down, up
            ),
            None => format!(
                "GatherKey(key='{}', down={:.3}, up=None)",
                self.key, self.down
            ),
        }
    }
}

/// The outcome of a gather.
#[pyclass(module = "touchtone", frozen, get_all)]
#[derive(Clone)]
struct GatherResult {
    /// The keys collected (without an end key, unless the preset keeps it).
    keys: String,
    /// Why it ended: ``max_keys``, ``end_key``, ``timeout``, ``term_timeout``,
    /// ``no_input``, ``too_short``, ``invalid``, ``overall_timeout``, ``cancelled``,
    /// ``hangup`` or ``prompt_failed``.
    reason: String,
    /// Whether the gather succeeded.
    success: bool,
    /// Attempts made (1 + retries used).
    attempts: u32,
    /// When the gather started, seconds.
    start: f64,
    /// When it ended, seconds.
    end: f64,
    /// The collected keys with their times.
    events: Vec<GatherKey>,
    /// The end key that finished it, if any.
    end_key: Option<GatherKey>,
}

#[pymethods]
impl GatherResult {
    fn __repr__(&self) -> String {
        format!(
            "GatherResult(keys='{}', reason='{}', success={}, attempts={}, end={:.3})",
            self.keys,
            self.reason,
            if self.success { "True" } else { "False" },
            self.attempts,
            self.end
        )
    }
}

fn gather_result(r: &rgather::GatherResult) -> GatherResult {
    GatherResult {
        keys: r.keys.clone(),
        reason: r.reason.as_str().to_string(),
        success: r.success,
        attempts: r.attempts,
        start: secs(r.start),
        end: secs(r.end),
        events: r.events.iter().map(GatherKey::new).collect(),
        end_key: r.end_key.as_ref().map(GatherKey::new),
    }
}

/// Action: start playing a prompt; report its end with :meth:`Gather.prompt_finished`.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
struct PlayPrompt {
    /// The prompt's number within the gather (1, 2, …).
    id: u32,
    /// The attempt it belongs to.
    attempt: u32,
    /// ``initial``, ``retry``, ``no_input_feedback`` or ``invalid_feedback``.
    kind: String,
    /// When it should start, seconds.
    at: f64,
}

#[pymethods]
impl PlayPrompt {
    fn __repr__(&self) -> String {
        format!(
            "PlayPrompt(id={}, attempt={}, kind='{}', at={:.3})",
            self.id, self.attempt, self.kind, self.at
        )
    }
}

/// Action: stop the prompt that is playing (barge-in, or the gather ended).
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
struct StopPrompt {
    /// The prompt's number.
    id: u32,
    /// When, seconds.
    at: f64,
}

#[pymethods]
impl StopPrompt {
    fn __repr__(&self) -> String {
        format!("StopPrompt(id={}, at={:.3})", self.id, self.at)
    }
}

/// Action: an attempt failed; a retry follows if one remains.
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
struct AttemptFailed {
    /// The attempt (1-based).
    attempt: u32,
    /// Why (a :attr:`GatherResult.reason`).
    reason: String,
    /// When, seconds.
    at: f64,
}

#[pymethods]
impl AttemptFailed {
    fn __repr__(&self) -> String {
        format!(
            "AttemptFailed(attempt={}, reason='{}', at={:.3})",
            self.attempt, self.reason, self.at
        )
    }
}

/// Action: the gather ended with :attr:`result`.
#[pyclass(module = "touchtone", frozen, get_all)]
#[derive(Clone)]
struct Finished {
    /// The outcome.
    result: GatherResult,
}

#[pymethods]
impl Finished {
    fn __repr__(&self) -> String {
        format!("Finished({})", self.result.__repr__())
    }
}

#[derive(IntoPyObject)]
enum Action {
    Play(PlayPrompt),
    Stop(StopPrompt),
    Key(GatherKey),
    Failed(AttemptFailed),
    Finished(Finished),
}

fn action(a: &RAction) -> Action {
    match a {
        RAction::PlayPrompt {
            id,
            attempt,
            kind,
            at,
        } => Action::Play(PlayPrompt {
            id: *id,
            attempt: *attempt,
            kind: match kind {
                rgather::PromptKind::Initial => "initial",
                rgather::PromptKind::Retry => "retry",
                rgather::PromptKind::NoInputFeedback => "no_input_feedback",
                rgather::PromptKind::InvalidFeedback => "invalid_feedback",
            }
            .to_string(),
            at: secs(*at),
        }),
        RAction::StopPrompt { id, at } => Action::Stop(StopPrompt {
            id: *id,
            at: secs(*at),
        }),
        RAction::Key(k) => Action::Key(GatherKey::new(k)),
        RAction::AttemptFailed {
            attempt,
            reason,
            at,
        } => Action::Failed(AttemptFailed {
            attempt: *attempt,
            reason: reason.as_str().to_string(),
            at: secs(*at),
        }),
        RAction::Finished(r) => Action::Finished(Finished {
            result: gather_result(r),
        }),
    }
}

/// The parameters given by keyword, each taken at most once; the rest are reported.
struct Params<'a, 'py> {
    preset: &'static str,
    dict: Option<&'a Bound<'py, PyDict>>,
    known: Vec<&'static str>,
}

impl<'py> Params<'_, 'py> {
    fn get(&mut self, name: &'static str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.known.push(name);
        match self.dict {
            Some(d) => d.get_item(name),
            None => Ok(None),
        }
    }

    fn type_error(&self, name: &str, want: &str, e: PyErr) -> PyErr {
        PyTypeError::new_err(format!(
            "{} parameter {name} must be {want}: {e}",
            self.preset
        ))
    }

    /// Refuses any keyword that is not a parameter of the preset.
    fn finish(&self) -> PyResult<()> {
        if let Some(d) = self.dict {
            for k in d.keys() {
                let k: String = k.extract()?;
                if !self.known.contains(&k.as_str()) {
                    return Err(GatherError::new_err(format!(
                        "unknown parameter {k:?} for preset {:?} (its parameters: {})",
                        self.preset,
                        self.known.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

fn assign<T, E: Into<PyErr>>(
    slot: &mut T,
    value: Result<T, E>,
    err: impl FnOnce(PyErr) -> PyErr,
) -> PyResult<()> {
    *slot = value.map_err(|e| err(e.into()))?;
    Ok(())
}

/// Sets each listed field from the keyword of the same name, if given.
macro_rules! params {
    ($p:expr, $preset:expr, { $($field:ident : $want:expr),* $(,)? }) => {
        $(
            if let Some(v) = $p.get(stringify!($field))? {
                assign(&mut $preset.$field, v.extract(), |e| {
                    $p.type_error(stringify!($field), $want, e)
                })?;
            }
        )*
    };
}

const PRESETS: [&str; 7] = [
    "bird",
    "azure",
    "twilio",
    "plivo",
    "freeswitch",
    "asterisk",
    "voicexml",
];

/// A preset's configuration with its parameters overridden by keywords.
fn preset_config(name: &str, kw: Option<&Bound<'_, PyDict>>) -> PyResult<GatherConfig> {
    use ::touchtone::gather::presets as p;
    let Some(&preset) = PRESETS.iter().find(|&&n| n == name.to_ascii_lowercase()) else {
        return Err(GatherError::new_err(format!(
            "unknown gather preset {name:?} (expected one of {})",
            PRESETS.join(", ")
        )));
    };
    let mut params = Params {
        preset,
        dict: kw,
        known: Vec::new(),
    };
    let cfg = match preset {
        "bird" => {
            let mut c = p::Bird::default();
            params!(params, c, {
                max_num_keys: "an int ≥ 0", end_key: "one key character", timeout: "a number of seconds",
                retries: "an int ≥ 0", prompt: "a bool",
            });
            c.config()
        }
        "azure" => {
            let mut c = p::Azure::default();
            params!(params, c, {
                max_tones_to_collect: "an int ≥ 1", initial_silence_timeout: "a number of seconds",
                inter_tone_timeout: "a number of seconds", stop_tones: "a string of keys",
                interrupt_prompt: "a bool", play_prompt: "a bool",
            });
            c.config()
        }
        "twilio" => {
            let mut c = p::Twilio::default();
            params!(params, c, {
                num_digits: "an int ≥ 0", finish_on_key: "a string of keys",
                timeout: "a number of seconds", nested_prompt: "a bool",
            });
            c.config()
        }
        "plivo" => {
            let mut c = p::Plivo::default();
            params!(params, c, {
                num_digits: "an int ≥ 0", timeout: "a number of seconds",
                digit_timeout: "a number of seconds", finish_on_key: "a string of keys",
                retries: "an int ≥ 0", valid_digits: "a string of keys",
                invalid_digits_sound: "a bool", nested_prompt: "a bool",
            });
            c.config()
        }
        "freeswitch" => {
            let mut c = p::FreeSwitch::default();
            params!(params, c, {
                min: "an int ≥ 0", max: "an int ≥ 0", tries: "an int ≥ 1",
                timeout: "an int of milliseconds", terminators: "a string of keys",
                file: "a bool", invalid_file: "a bool",
                digit_timeout: "an int of milliseconds or None",
                abs_timeout: "an int of milliseconds or None",
            });
            c.config()
        }
        "asterisk" => {
            let mut c = p::Asterisk::default();
            params!(params, c, {
                maxdigits: "an int ≥ 0", terminators: "a string of keys", attempts: "an int ≥ 1",
                timeout: "a number of seconds", filename: "a bool",
            });
            c.config()
        }
        _ => {
            let mut c = p::VoiceXml::default();
            params!(params, c, {
                minlength: "an int ≥ 0", maxlength: "an int ≥ 0", termchar: "a string of keys",
                termtimeout: "a number of seconds", interdigittimeout: "a number of seconds",
                timeout: "a number of seconds", bargein: "a bool", retries: "an int ≥ 0",
                prompt: "a bool",
            });
            c.config()
        }
    };
    params.finish()?;
    cfg.map_err(|e| GatherError::new_err(e.to_string()))
}

/// An IVR "gather": collects a caller's keys the way a voice platform does, as a sans-IO
/// state machine (no clock, no threads, no I/O).
///
/// ``Gather(preset, **parameters)`` takes a platform preset (``bird``, ``azure``,
/// ``twilio``, ``plivo``, ``freeswitch``, ``asterisk``, ``voicexml``) and overrides its
/// parameters by their names, e.g. ``Gather("twilio", num_digits=4)``. Times are seconds
/// on your own clock (any origin, never going back). Feed inputs (:meth:`start`,
/// :meth:`key_down`, :meth:`key_up`, :meth:`prompt_finished`, …), wake it at
/// :meth:`next_deadline` with :meth:`timeout`, and take its actions with
/// :meth:`poll_action` / :meth:`actions` until :attr:`result` is set.
#[pyclass(module = "touchtone")]
struct Gather {
    g: rgather::Gather,
    preset: String,
}

#[pymethods]
impl Gather {
    #[new]
    #[pyo3(signature = (preset = "bird", **parameters))]
    fn new(preset: &str, parameters: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let cfg = preset_config(preset, parameters)?;
        let g = rgather::Gather::new(cfg).map_err(|e| GatherError::new_err(e.to_string()))?;
        Ok(Gather {
            g,
            preset: preset.to_ascii_lowercase(),
        })
    }

    /// Start the gather at time ``t`` (seconds).
    #[pyo3(signature = (t = 0.0))]
    fn start(&mut self, t: f64) -> PyResult<()> {
        self.g.handle_start(duration("t", t)?);
        Ok(())
    }

    /// A key went down at ``t`` (e.g. a :class:`KeyDown` at its ``decided_at_ms / 1000``).
    fn key_down(&mut self, key: &str, t: f64) -> PyResult<()> {
        self.g.handle_key_down(key_of(key)?, duration("t", t)?);
        Ok(())
    }

    /// The key went up at ``t``.
    fn key_up(&mut self, key: &str, t: f64) -> PyResult<()> {
        self.g.handle_key_up(key_of(key)?, duration("t", t)?);
        Ok(())
    }

    /// The prompt that was playing finished at ``t``.
    fn prompt_finished(&mut self, t: f64) -> PyResult<()> {
        self.g.handle_prompt_finished(duration("t", t)?);
        Ok(())
    }

    /// The prompt that was playing failed at ``t``.
    fn prompt_failed(&mut self, t: f64) -> PyResult<()> {
        self.g.handle_prompt_failed(duration("t", t)?);
        Ok(())
    }

    /// Fire the timers due at or before ``now``.
    fn timeout(&mut self, now: f64) -> PyResult<()> {
        self.g.handle_timeout(duration("now", now)?);
        Ok(())
    }

    /// The host cancelled the gather at ``t``.
    fn cancel(&mut self, t: f64) -> PyResult<()> {
        self.g.handle_cancel(duration("t", t)?);
        Ok(())
    }

    /// The caller hung up at ``t``.
    fn hangup(&mut self, t: f64) -> PyResult<()> {
        self.g.handle_hangup(duration("t", t)?);
        Ok(())
    }

    /// When to call :meth:`timeout` next (seconds), or None when no timer runs.
    fn next_deadline(&self) -> Option<f64> {
        self.g.next_deadline().map(secs)
    }

    /// The next action (:class:`PlayPrompt`, :class:`StopPrompt`, :class:`GatherKey`,
    /// :class:`AttemptFailed` or :class:`Finished`), or None.
    fn poll_action(&mut self) -> Option<Action> {
        self.g.poll_action().map(|a| action(&a))
    }

    /// All pending actions, in order.
    fn actions(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.g.poll_action())
            .map(|a| action(&a))
            .collect()
    }

    /// The outcome once finished, else None.
    #[getter]
    fn result(&self) -> Option<GatherResult> {
        self.g.result().map(gather_result)
    }

    /// Whether the gather has ended.
    #[getter]
    fn is_finished(&self) -> bool {
        self.g.is_finished()
    }

    /// The current attempt (1-based; 0 before the start).
    #[getter]
    fn attempt(&self) -> u32 {
        self.g.attempt()
    }

    /// Keys pressed after the end, for the next gather.
    fn leftover(&self) -> Vec<GatherKey> {
        self.g.leftover().iter().map(GatherKey::new).collect()
    }

    /// The preset name.
    #[getter]
    fn preset(&self) -> String {
        self.preset.clone()
    }

    fn __repr__(&self) -> String {
        let state = match self.g.result() {
            Some(r) => format!("finished='{}'", r.reason.as_str()),
            None if self.g.is_started() => format!("attempt={}", self.g.attempt()),
            None => "not started".to_string(),
        };
        format!("Gather(preset='{}', {state})", self.preset)
    }
}

/// touchtone: a DTMF (touch-tone) receiver, generator and IVR gather state machine.
///
/// ``decode`` / ``decode_file`` find the keys in a buffer or a file; ``Detector`` does the
/// same on a stream, frame by frame; ``Generator`` renders keys; ``Gather`` collects a
/// caller's keys with a platform's rules. Errors are ``TouchtoneError`` subclasses (which
/// are ``ValueError`` subclasses) carrying the library's own messages.
#[pymodule]
#[pyo3(name = "touchtone")]
fn touchtone_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode_file, m)?)?;
    m.add_class::<KeyPress>()?;
    m.add_class::<KeyDown>()?;
    m.add_class::<KeyUp>()?;
    m.add_class::<Detector>()?;
    m.add_class::<Generator>()?;
    m.add_class::<Gather>()?;
    m.add_class::<GatherKey>()?;
    m.add_class::<GatherResult>()?;
    m.add_class::<PlayPrompt>()?;
    m.add_class::<StopPrompt>()?;
    m.add_class::<AttemptFailed>()?;
    m.add_class::<Finished>()?;
    m.add("TouchtoneError", py.get_type::<TouchtoneError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("AudioError", py.get_type::<AudioError>())?;
    m.add("GeneratorError", py.get_type::<GeneratorError>())?;
    m.add("GatherError", py.get_type::<GatherError>())?;
    m.add("PRESETS", PRESETS.to_vec())?;
    Ok(())
}
