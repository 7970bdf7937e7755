//! One-shot decoding: `decode` (a buffer) and `decode_file` (every channel of a file).

use std::path::PathBuf;

use pyo3::prelude::*;

use ::touchtone::Event as REvent;

use crate::config::{new_detector, profile_config, read_audio};
use crate::errors::{AudioError, ConfigError};
use crate::events::KeyPress;
use crate::samples::Samples;

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
pub(crate) fn decode(
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
pub(crate) fn decode_file(
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
