//! Streaming: the `Detector` class, one channel frame by frame.

use pyo3::prelude::*;

use crate::config::{new_detector, profile_config};
use crate::events::{event, Event};
use crate::samples::Samples;

/// A streaming DTMF receiver for one channel, with the detector ``profile``
/// (``"standard"`` or ``"relaxed"``, as in :func:`decode`).
///
/// Feed frames of any length with :meth:`process` (the events do not depend on how the
/// stream is cut) and call :meth:`finish` at the end of the stream. Each returns the
/// events it produced: :class:`KeyDown` as soon as a key is certain, :class:`KeyUp` with
/// the complete :class:`KeyPress`. Sample positions count from the first sample fed.
#[pyclass(module = "touchtone")]
pub(crate) struct Detector {
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
