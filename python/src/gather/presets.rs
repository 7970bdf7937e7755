//! The platform presets a `Gather` is built from (`bird`, `azure`, `twilio`, `plivo`,
//! `freeswitch`, `asterisk`, `voicexml`), their parameters overridden by keyword.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use ::touchtone::gather::GatherConfig;

use crate::errors::GatherError;

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

pub(crate) const PRESETS: [&str; 7] = [
    "bird",
    "azure",
    "twilio",
    "plivo",
    "freeswitch",
    "asterisk",
    "voicexml",
];

/// A preset's configuration with its parameters overridden by keywords.
pub(super) fn preset_config(name: &str, kw: Option<&Bound<'_, PyDict>>) -> PyResult<GatherConfig> {
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
