//! The `Generator` class: keys rendered as 16-bit PCM.

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::errors::GeneratorError;

/// DTMF generator: renders keys as 16-bit PCM.
///
/// Each key is a pause of ``pause_ms`` then ``tone_ms`` of its two tones, each at
/// ``level_dbm0`` (the low tone ``twist_db / 2`` louder, the high one that much quieter);
/// a final pause ends the rendering.
#[pyclass(module = "touchtone", frozen)]
pub(crate) struct Generator {
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
