//! Python bindings of touchtone: the `touchtone` extension module (PyO3, abi3 for
//! CPython ≥ 3.9). The Python-facing documentation is in the docstrings (the `///`
//! comments of the classes and functions in the modules below) and in `touchtone.pyi`;
//! the tests are `python/tests` (pytest).
//!
//! One file per concept: `errors` (the exceptions), `config` (profiles by name, reading
//! audio files), `events` (`KeyPress`, `KeyDown`, `KeyUp`), `samples` (samples from
//! Python), `decode` (`decode`, `decode_file`), `detector` (`Detector`), `generator`
//! (`Generator`), `gather` (`Gather`, its actions and presets); this file registers them
//! as the module.

mod config;
mod decode;
mod detector;
mod errors;
mod events;
mod gather;
mod generator;
mod samples;

use pyo3::prelude::*;

use detector::Detector;
use errors::{AudioError, ConfigError, GatherError, GeneratorError, TouchtoneError};
use events::{KeyDown, KeyPress, KeyUp};
use gather::{
    AttemptFailed, Finished, Gather, GatherKey, GatherResult, PlayPrompt, StopPrompt, PRESETS,
};
use generator::Generator;

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
    m.add_function(wrap_pyfunction!(decode::decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode::decode_file, m)?)?;
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
