//! What the gather reports: [`Action`]s for the host, the [`GatherResult`] with its
//! [`KeyEvent`]s, why it ended ([`Reason`]), and which prompt plays ([`PromptKind`]).

use crate::key::Key;
use core::fmt;
use std::time::Duration;

/// One key as the gather saw it: when it went down and (once known) up.
///
/// Times are the host's clock ([`Duration`] since an origin the host chooses, e.g. the
/// start of the call's audio stream), and estimate the tone's true edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyEvent {
    /// The key.
    pub key: Key,
    /// When it went down (JSON: `down_ms`, milliseconds with fractions).
    #[cfg_attr(
        feature = "json",
        serde(rename = "down_ms", with = "crate::gather::json_ms")
    )]
    pub down: Duration,
    /// When it went up, if that is known yet (JSON: `up_ms`).
    #[cfg_attr(
        feature = "json",
        serde(rename = "up_ms", with = "crate::gather::json_ms::option", default)
    )]
    pub up: Option<Duration>,
}

/// Why a gather (or an attempt) ended. [`Reason::as_str`] gives the specification's names
/// (also its JSON form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum Reason {
    /// `max_keys`: `maxNumKeys` keys were collected.
    MaxKeys,
    /// `end_key`: an end key was pressed.
    EndKey,
    /// `timeout`: the inter-key timer expired after enough keys.
    Timeout,
    /// `no_input`: no key before the first-key timeout (or an end key alone).
    NoInput,
    /// `too_short`: fewer than `min_keys` keys.
    TooShort,
    /// `invalid`: a key outside the valid set, input rejected by the validator, or a
    /// required end key missing.
    Invalid,
    /// `term_timeout`: `maxNumKeys` reached and no end key within the term timeout.
    TermTimeout,
    /// `overall_timeout`: the overall time limit passed.
    OverallTimeout,
    /// `cancelled`: the host cancelled the gather.
    Cancelled,
    /// `hangup`: the call ended.
    Hangup,
    /// `prompt_failed`: the prompt could not be played (with [`PromptFailurePolicy::Fail`]).
    ///
    /// [`PromptFailurePolicy::Fail`]: crate::gather::PromptFailurePolicy::Fail
    PromptFailed,
}

impl Reason {
    /// All reasons, in the order of the specification.
    pub const ALL: [Reason; 11] = [
        Reason::MaxKeys,
        Reason::EndKey,
        Reason::Timeout,
        Reason::NoInput,
        Reason::TooShort,
        Reason::Invalid,
        Reason::TermTimeout,
        Reason::OverallTimeout,
        Reason::Cancelled,
        Reason::Hangup,
        Reason::PromptFailed,
    ];

    /// The snake_case name: `max_keys`, `end_key`, `timeout`, `no_input`, `too_short`,
    /// `invalid`, `term_timeout`, `overall_timeout`, `cancelled`, `hangup`, `prompt_failed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::MaxKeys => "max_keys",
            Reason::EndKey => "end_key",
            Reason::Timeout => "timeout",
            Reason::NoInput => "no_input",
            Reason::TooShort => "too_short",
            Reason::Invalid => "invalid",
            Reason::TermTimeout => "term_timeout",
            Reason::OverallTimeout => "overall_timeout",
            Reason::Cancelled => "cancelled",
            Reason::Hangup => "hangup",
            Reason::PromptFailed => "prompt_failed",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which prompt the host is asked to play (JSON: `initial`, `retry`, `no_input_feedback`,
/// `invalid_feedback`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum PromptKind {
    /// The prompt of the first attempt.
    Initial,
    /// The prompt again, for a retry.
    Retry,
    /// Feedback after an attempt without input, before the retry.
    NoInputFeedback,
    /// Feedback after an invalid or too short input, before the retry.
    InvalidFeedback,
}

/// How a gather ended. In JSON, times are `start_ms` / `end_ms` (milliseconds with
/// fractions).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
pub struct GatherResult {
    /// The keys collected in the last attempt (`0-9 * # A-D`); ends with the end key only
    /// when that key is in [`GatherConfig::keep_end_keys`].
    ///
    /// [`GatherConfig::keep_end_keys`]: crate::gather::GatherConfig::keep_end_keys
    pub keys: String,
    /// Why it ended.
    pub reason: Reason,
    /// Whether the input was accepted.
    pub success: bool,
    /// Attempts used (0 when it ended before starting).
    pub attempts: u32,
    /// When the gather started.
    #[cfg_attr(
        feature = "json",
        serde(rename = "start_ms", with = "crate::gather::json_ms")
    )]
    pub start: Duration,
    /// When it ended.
    #[cfg_attr(
        feature = "json",
        serde(rename = "end_ms", with = "crate::gather::json_ms")
    )]
    pub end: Duration,
    /// The collected keys of the last attempt with their times (the end key excluded).
    pub events: Vec<KeyEvent>,
    /// The end key that ended it, if one did.
    pub end_key: Option<KeyEvent>,
}

impl GatherResult {
    /// `end` in whole milliseconds (rounded down).
    pub fn end_ms(&self) -> u64 {
        self.end.as_millis() as u64
    }
}

/// What the machine asks the host to do. In JSON, an object tagged by `action`
/// (`play_prompt`, `stop_prompt`, `key`, `attempt_failed`, `finished`); instants as `at_ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(tag = "action", rename_all = "snake_case"))]
pub enum Action {
    /// Start playing a prompt. Report its end with
    /// [`Gather::handle_prompt_finished`] (or [`Gather::handle_prompt_failed`]).
    ///
    /// [`Gather::handle_prompt_finished`]: crate::gather::Gather::handle_prompt_finished
    /// [`Gather::handle_prompt_failed`]: crate::gather::Gather::handle_prompt_failed
    PlayPrompt {
        /// Sequence number of this prompt within the gather (1, 2, …).
        id: u32,
        /// The attempt it belongs to (for feedback: the attempt that failed).
        attempt: u32,
        /// Which prompt.
        kind: PromptKind,
        /// The instant it should start.
        #[cfg_attr(
            feature = "json",
            serde(rename = "at_ms", with = "crate::gather::json_ms")
        )]
        at: Duration,
    },
    /// Stop the prompt that is playing (barge-in, or the gather ended).
    StopPrompt {
        /// The prompt's id.
        id: u32,
        /// The instant.
        #[cfg_attr(
            feature = "json",
            serde(rename = "at_ms", with = "crate::gather::json_ms")
        )]
        at: Duration,
    },
    /// A key was collected (only with [`GatherConfig::report_keys`]).
    ///
    /// [`GatherConfig::report_keys`]: crate::gather::GatherConfig::report_keys
    Key(KeyEvent),
    /// An attempt failed; a retry follows if one remains (else `Finished`).
    AttemptFailed {
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Why.
        reason: Reason,
        /// When.
        #[cfg_attr(
            feature = "json",
            serde(rename = "at_ms", with = "crate::gather::json_ms")
        )]
        at: Duration,
    },
    /// The gather ended.
    Finished(GatherResult),
}
