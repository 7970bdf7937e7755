//! Settings of a gather: [`GatherConfig`], [`Validator`] and [`GatherConfigError`].

use crate::key::{Key, KeySet};
use core::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A check of the whole input (FreeSWITCH `regexp`, Amazon Connect input validation): a
/// function from the collected keys to "accept". Plug in any matcher, e.g. a `regex::Regex`.
///
/// ```
/// use touchtone::gather::Validator;
/// let luhn_free_pin = Validator::new(|keys: &str| keys.len() == 4 && !keys.contains('*'));
/// assert!(luhn_free_pin.check("1234"));
/// assert!(!luhn_free_pin.check("12*4"));
/// ```
#[derive(Clone)]
pub struct Validator(Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl Validator {
    /// Wrap a function.
    pub fn new(f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        Validator(Arc::new(f))
    }

    /// Whether `keys` is accepted.
    pub fn check(&self, keys: &str) -> bool {
        (self.0)(keys)
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Validator(..)")
    }
}

/// What a key outside [`GatherConfig::valid_keys`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum InvalidKeyPolicy {
    /// The attempt fails with reason `invalid` (Plivo `validDigits`, VoiceXML nomatch).
    #[default]
    Fail,
    /// The key is ignored as if it had not been pressed.
    Ignore,
}

/// What a failed prompt does ([`Gather::handle_prompt_failed`](super::Gather::handle_prompt_failed)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(rename_all = "snake_case"))]
pub enum PromptFailurePolicy {
    /// Collecting starts as if the prompt had finished (the default).
    #[default]
    StartCollecting,
    /// The gather finishes unsuccessfully with reason `prompt_failed` (Azure 8511).
    Fail,
}

/// Which failed attempts use a retry (when one remains).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct RetryOn {
    /// No key before the first-key timeout (or an end key alone). Default true.
    pub no_input: bool,
    /// Fewer than `min_keys` keys. Default true.
    pub too_short: bool,
    /// An invalid key, a failed validation, or a missing required end key. Default true.
    pub invalid: bool,
}

impl Default for RetryOn {
    fn default() -> Self {
        RetryOn {
            no_input: true,
            too_short: true,
            invalid: true,
        }
    }
}

impl RetryOn {
    /// Retry only when there was no input (Asterisk `Read()`).
    pub const NO_INPUT_ONLY: RetryOn = RetryOn {
        no_input: true,
        too_short: false,
        invalid: false,
    };
}

/// The kinds of input a request asks for. Only DTMF is collected by this library; a
/// configuration without it is refused (speech recognition is outside this library).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct InputKinds {
    /// DTMF keys.
    pub dtmf: bool,
    /// Speech (accepted beside DTMF, never recognised here).
    pub speech: bool,
}

impl Default for InputKinds {
    fn default() -> Self {
        InputKinds {
            dtmf: true,
            speech: false,
        }
    }
}

impl fmt::Display for InputKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.dtmf, self.speech) {
            (true, true) => f.write_str("dtmf speech"),
            (true, false) => f.write_str("dtmf"),
            (false, true) => f.write_str("speech"),
            (false, false) => f.write_str(""),
        }
    }
}

/// Everything a gather does. `Default` is the Bird behaviour (rules 1–12 of the
/// specification): no key limit, end key `#`, 5 s timeouts, no retries, barge-in on.
///
/// Build a machine with [`Gather::new`](super::Gather::new), which validates the settings.
///
/// In JSON (feature `json`) every field is optional (absent = default); timeouts are
/// in milliseconds with a `_ms` suffix (`first_key_timeout_ms`, …), key sets are strings
/// of keys (`"*#"`), and the `validator` is not written or read (a function).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct GatherConfig {
    /// `maxNumKeys`: the gather finishes with `max_keys` when this many keys are collected;
    /// 0 = no limit. Default 0.
    pub max_keys: u32,
    /// Fewest keys for a successful result; fewer fail the attempt as `too_short`
    /// (FreeSWITCH `min`, VoiceXML `minlength`). Default 1. With 0, an end key alone gives a
    /// successful empty result.
    pub min_keys: u32,
    /// `endKey`: the keys that end the input. Empty = none. Default `{#}`.
    pub end_keys: KeySet,
    /// End keys that are kept at the end of the result when they end the input
    /// (FreeSWITCH `+`). Default none.
    pub keep_end_keys: KeySet,
    /// An end key pressed before any other key is ignored as if not pressed (no barge-in,
    /// no effect on the timers), instead of counting as no input (rule 6). Default false
    /// (Twilio sets it).
    pub ignore_lone_end_key: bool,
    /// The input only counts when ended by an end key (FreeSWITCH `=`): a timeout without
    /// it fails the attempt as `invalid`, and so does reaching `max_keys` without it (at
    /// once, at that key's down). Default false.
    pub end_key_required: bool,
    /// Time allowed for the first key, from the end of the prompt (or the attempt start
    /// when there is no prompt). Default 5 s.
    #[cfg_attr(
        feature = "json",
        serde(rename = "first_key_timeout_ms", with = "super::json_ms")
    )]
    pub first_key_timeout: Duration,
    /// Time allowed after a key goes up for the next key to go down. Default 5 s.
    #[cfg_attr(
        feature = "json",
        serde(rename = "inter_key_timeout_ms", with = "super::json_ms")
    )]
    pub inter_key_timeout: Duration,
    /// After `max_keys`, wait this long (from the last key's up) for an optional end key
    /// (VoiceXML `termtimeout`). 0 = finish at once. Default 0.
    #[cfg_attr(
        feature = "json",
        serde(rename = "term_timeout_ms", with = "super::json_ms")
    )]
    pub term_timeout: Duration,
    /// Time from the start of the gather after which it finishes with `overall_timeout`,
    /// whatever it is doing (FreeSWITCH `abs_timeout`, Telnyx, Plivo GetInput). Default none.
    #[cfg_attr(
        feature = "json",
        serde(rename = "overall_timeout_ms", with = "super::json_ms::option")
    )]
    pub overall_timeout: Option<Duration>,
    /// An inter-key timeout with keys collected but no end key and fewer than `max_keys`
    /// fails (reason `timeout`, unsuccessful) instead of succeeding (Azure 8532). Default false.
    pub partial_timeout_fails: bool,
    /// Keys accepted as input (end keys and the cancel key are always accepted). Default all.
    pub valid_keys: KeySet,
    /// What a key outside `valid_keys` does. Default [`InvalidKeyPolicy::Fail`].
    pub invalid_key: InvalidKeyPolicy,
    /// A check of the whole input, applied when an attempt would succeed; a rejected
    /// input fails the attempt as `invalid`. Default none.
    #[cfg_attr(feature = "json", serde(skip))]
    pub validator: Option<Validator>,
    /// `retries`: extra attempts after the first. Default 0.
    pub retries: u32,
    /// Which failures use a retry. Default: no input, too short, invalid.
    pub retry_on: RetryOn,
    /// An attempt starts by playing a prompt (the host says when it ends). Default false
    /// (a Bird body with `playback` or `say` sets it).
    pub prompt: bool,
    /// A key during the prompt stops it and is collected. Default true.
    pub barge_in: bool,
    /// With barge-in off: keys during the prompt are kept and collected when it ends
    /// (VoiceXML `bargein="false"`), instead of discarded. Default false.
    pub keep_keys_during_prompt: bool,
    /// Keys given before the start (type-ahead) are collected; false flushes them. Default true.
    pub type_ahead: bool,
    /// Type-ahead that already completes the gather skips the prompt; false collects the
    /// type-ahead only when the prompt has played. Default true.
    pub type_ahead_skips_prompt: bool,
    /// Before a retry after `no_input`, play a no-input feedback prompt. Default false.
    pub no_input_feedback: bool,
    /// Before a retry after `invalid` or `too_short`, play an invalid-input feedback prompt
    /// (FreeSWITCH `invalid_file`, Plivo `invalidDigitsSound`). Default false.
    pub invalid_feedback: bool,
    /// The feedback prompts also play after the last failed attempt; the gather finishes
    /// (unsuccessfully, with the attempt's reason) when that prompt ends. Keys during it
    /// are not consumed. Default false (FreeSWITCH `invalid_file` and Plivo
    /// `invalidDigitsSound` set it).
    pub final_feedback: bool,
    /// A key that clears the entry collected so far and restarts the first-key timer
    /// (Amazon Connect `*`). Default none.
    pub cancel_key: Option<Key>,
    /// What a failed prompt does. Default [`PromptFailurePolicy::StartCollecting`].
    pub prompt_failure: PromptFailurePolicy,
    /// Report each collected key as an [`Action::Key`](super::Action::Key). Default false.
    pub report_keys: bool,
    /// The kinds of input asked for (`input`). Default DTMF only.
    pub input: InputKinds,
}

impl Default for GatherConfig {
    fn default() -> Self {
        GatherConfig {
            max_keys: 0,
            min_keys: 1,
            end_keys: KeySet::one(Key::Pound),
            keep_end_keys: KeySet::EMPTY,
            ignore_lone_end_key: false,
            end_key_required: false,
            first_key_timeout: Duration::from_secs(5),
            inter_key_timeout: Duration::from_secs(5),
            term_timeout: Duration::ZERO,
            overall_timeout: None,
            partial_timeout_fails: false,
            valid_keys: KeySet::ALL,
            invalid_key: InvalidKeyPolicy::Fail,
            validator: None,
            retries: 0,
            retry_on: RetryOn::default(),
            prompt: false,
            barge_in: true,
            keep_keys_during_prompt: false,
            type_ahead: true,
            type_ahead_skips_prompt: true,
            no_input_feedback: false,
            invalid_feedback: false,
            final_feedback: false,
            cancel_key: None,
            prompt_failure: PromptFailurePolicy::StartCollecting,
            report_keys: false,
            input: InputKinds::default(),
        }
    }
}

/// Most retries accepted (no platform allows nearly as many).
pub const MAX_RETRIES: u32 = 1000;

/// Longest timeout accepted: one day (longer is surely a unit mistake).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// A duration in seconds (fractions allowed) as a [`Duration`].
///
/// ```
/// use touchtone::gather::seconds;
/// assert_eq!(seconds("timeout", 1.5).unwrap().as_millis(), 1500);
/// assert!(seconds("timeout", -1.0).is_err());
/// assert!(seconds("timeout", f64::NAN).is_err());
/// ```
///
/// # Errors
/// [`GatherConfigError::Timeout`] naming `field` when `secs` is negative, not finite or longer
/// than [`MAX_TIMEOUT`].
pub fn seconds(field: &'static str, secs: f64) -> Result<Duration, GatherConfigError> {
    if secs.is_finite() && secs >= 0.0 && secs <= MAX_TIMEOUT.as_secs_f64() {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(GatherConfigError::Timeout { field, value: secs })
    }
}

/// A setting that cannot be right; each variant names the field and carries the value.
#[derive(Clone, Debug, PartialEq)]
pub enum GatherConfigError {
    /// `min_keys` is larger than a non-zero `max_keys`.
    MinAboveMax {
        /// `min_keys`.
        min_keys: u32,
        /// `max_keys`.
        max_keys: u32,
    },
    /// A timeout that is negative, not finite, or longer than [`MAX_TIMEOUT`]: field, seconds.
    Timeout {
        /// The field.
        field: &'static str,
        /// The value in seconds.
        value: f64,
    },
    /// An end key (or another key setting) that is not a key: field, text given.
    Key {
        /// The field.
        field: &'static str,
        /// The text given.
        value: String,
    },
    /// `input` without `dtmf`.
    InputWithoutDtmf(InputKinds),
    /// `end_key_required` with no end key.
    EndKeyRequiredWithoutEndKey,
    /// The cancel key is also an end key.
    CancelKeyIsEndKey(Key),
    /// A value outside the range a platform documents (e.g. Azure `interToneTimeout`
    /// 1–60 s): field, value, the range.
    Range {
        /// The field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// Smallest value accepted.
        min: f64,
        /// Largest value accepted.
        max: f64,
    },
    /// A count outside its range (e.g. a platform's `attempts` of 0): field, value.
    Count {
        /// The field.
        field: &'static str,
        /// The value.
        value: i64,
    },
}

impl fmt::Display for GatherConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatherConfigError::MinAboveMax { min_keys, max_keys } => write!(
                f,
                "min_keys {min_keys} is larger than max_keys (maxNumKeys) {max_keys}"
            ),
            GatherConfigError::Timeout { field, value } => write!(
                f,
                "{field} {value} s must be a finite number of seconds from 0 to 86400"
            ),
            GatherConfigError::Key { field, value } => write!(
                f,
                "{field} {value:?} is not a key (expected one of 0-9 * # A-D)"
            ),
            GatherConfigError::InputWithoutDtmf(i) => write!(
                f,
                "input {:?} does not include dtmf (speech recognition is not supported)",
                i.to_string()
            ),
            GatherConfigError::EndKeyRequiredWithoutEndKey => {
                f.write_str("end_key_required is set but end_keys is empty")
            }
            GatherConfigError::CancelKeyIsEndKey(k) => {
                write!(f, "cancel_key {k} is also an end key")
            }
            GatherConfigError::Range {
                field,
                value,
                min,
                max,
            } => write!(f, "{field} {value} is out of range (from {min} to {max})"),
            GatherConfigError::Count { field, value } => {
                write!(f, "{field} {value} is out of range")
            }
        }
    }
}

impl std::error::Error for GatherConfigError {}

impl GatherConfig {
    /// Both the first-key and the inter-key timeout, in seconds (Bird `timeout`).
    ///
    /// # Errors
    /// [`GatherConfigError::Timeout`] for a negative or non-finite value.
    pub fn with_timeout_secs(mut self, secs: f64) -> Result<Self, GatherConfigError> {
        let d = seconds("timeout", secs)?;
        self.first_key_timeout = d;
        self.inter_key_timeout = d;
        Ok(self)
    }

    /// Check the settings (rule 12).
    ///
    /// # Errors
    /// The first [`GatherConfigError`] found.
    pub fn validate(&self) -> Result<(), GatherConfigError> {
        if self.max_keys != 0 && self.min_keys > self.max_keys {
            return Err(GatherConfigError::MinAboveMax {
                min_keys: self.min_keys,
                max_keys: self.max_keys,
            });
        }
        for (field, d) in [
            ("first_key_timeout", Some(self.first_key_timeout)),
            ("inter_key_timeout", Some(self.inter_key_timeout)),
            ("term_timeout", Some(self.term_timeout)),
            ("overall_timeout", self.overall_timeout),
        ] {
            if let Some(d) = d {
                if d > MAX_TIMEOUT {
                    return Err(GatherConfigError::Timeout {
                        field,
                        value: d.as_secs_f64(),
                    });
                }
            }
        }
        if self.retries > MAX_RETRIES {
            return Err(GatherConfigError::Count {
                field: "retries",
                value: i64::from(self.retries),
            });
        }
        if !self.input.dtmf {
            return Err(GatherConfigError::InputWithoutDtmf(self.input));
        }
        if self.end_key_required && self.end_keys.is_empty() {
            return Err(GatherConfigError::EndKeyRequiredWithoutEndKey);
        }
        if let Some(k) = self.cancel_key {
            if self.end_keys.contains(k) {
                return Err(GatherConfigError::CancelKeyIsEndKey(k));
            }
        }
        Ok(())
    }
}
