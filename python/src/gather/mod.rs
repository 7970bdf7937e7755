//! The `Gather` class: the library's gather state machine with a platform preset, times in
//! seconds.
//!
//! * `actions`: the actions and the result it hands out (`PlayPrompt`, `StopPrompt`,
//!   `GatherKey`, `AttemptFailed`, `Finished`, `GatherResult`);
//! * `presets`: the platform presets and their parameters by keyword.

mod actions;
mod presets;

pub(crate) use actions::{
    AttemptFailed, Finished, GatherKey, GatherResult, PlayPrompt, StopPrompt,
};
pub(crate) use presets::PRESETS;

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use ::touchtone::gather as rgather;
use ::touchtone::Key as RKey;

use crate::errors::GatherError;
use actions::{action, gather_result, Action};
use presets::preset_config;

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
pub(crate) struct Gather {
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
