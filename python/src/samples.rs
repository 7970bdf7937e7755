//! Samples borrowed from Python (NumPy `int16` / `float32`, or G.711 bytes) and fed to a
//! detector.

use numpy::{PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use ::touchtone::Event as REvent;

use crate::errors::AudioError;

/// Samples borrowed from Python: NumPy int16 / float32, or G.711 bytes.
pub(crate) enum Samples<'a, 'py> {
    I16(PyReadonlyArray1<'py, i16>),
    F32(PyReadonlyArray1<'py, f32>),
    Ulaw(&'a [u8]),
    Alaw(&'a [u8]),
}

/// A contiguous view of the samples, or a copy of a strided array.
pub(crate) enum View<'a> {
    I16(std::borrow::Cow<'a, [i16]>),
    F32(std::borrow::Cow<'a, [f32]>),
    Ulaw(&'a [u8]),
    Alaw(&'a [u8]),
}

impl<'a, 'py> Samples<'a, 'py> {
    pub(crate) fn from_py(obj: &'a Bound<'py, PyAny>, encoding: Option<&str>) -> PyResult<Self> {
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

    pub(crate) fn view(&self) -> View<'_> {
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

    pub(crate) fn len(&self) -> usize {
        match self {
            Samples::I16(a) => a.len(),
            Samples::F32(a) => a.len(),
            Samples::Ulaw(b) | Samples::Alaw(b) => b.len(),
        }
    }
}

impl View<'_> {
    pub(crate) fn feed(&self, det: &mut ::touchtone::Detector, on_event: impl FnMut(REvent)) {
        match self {
            View::I16(s) => det.process(s, on_event),
            View::F32(s) => det.process(s, on_event),
            View::Ulaw(b) => det.process_ulaw(b, on_event),
            View::Alaw(b) => det.process_alaw(b, on_event),
        }
    }
}
