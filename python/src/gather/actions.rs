//! What a `Gather` hands out: its actions (`PlayPrompt`, `StopPrompt`, `GatherKey`,
//! `AttemptFailed`, `Finished`) and its `GatherResult`, times in seconds.

use pyo3::prelude::*;

use ::touchtone::gather::{self as rgather, Action as RAction};

use super::secs;

/// A key collected (or left over) by a :class:`Gather`: the key and its down / up times
/// in seconds (``up`` is None while it is held).
#[pyclass(module = "touchtone", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub(crate) struct GatherKey {
    /// The key.
    key: String,
    /// When it went down, seconds.
    down: f64,
    /// When it went up, seconds, or None.
    up: Option<f64>,
}

impl GatherKey {
    pub(super) fn new(k: &rgather::KeyEvent) -> Self {
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
pub(crate) struct GatherResult {
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

pub(super) fn gather_result(r: &rgather::GatherResult) -> GatherResult {
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
pub(crate) struct PlayPrompt {
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
pub(crate) struct StopPrompt {
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
pub(crate) struct AttemptFailed {
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
pub(crate) struct Finished {
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
pub(super) enum Action {
    Play(PlayPrompt),
    Stop(StopPrompt),
    Key(GatherKey),
    Failed(AttemptFailed),
    Finished(Finished),
}

pub(super) fn action(a: &RAction) -> Action {
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
