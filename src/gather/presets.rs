//! Presets: each platform's gather in its own parameter names and defaults, as one call.
//!
//! Each struct has the platform's parameters (snake_case of the platform's names) with the
//! platform's documented defaults in `Default`, and `config()` maps them onto a
//! [`GatherConfig`]. Timeouts are in the platform's own units (seconds or milliseconds).
//! The documentation each mapping relied on is cited on the struct. With feature `json`
//! the structs are serde `Serialize`/`Deserialize` (field names as here, absent fields
//! default).
//!
//! ```
//! use touchtone::gather::presets::{Twilio, Asterisk};
//! let cfg = Twilio { num_digits: 4, ..Default::default() }.config().unwrap();
//! assert_eq!(cfg.max_keys, 4);
//! assert_eq!(cfg.first_key_timeout.as_secs(), 5);
//! let read = Asterisk { maxdigits: 3, attempts: 2, ..Default::default() }.config().unwrap();
//! assert_eq!(read.retries, 1);
//! ```

use super::config::{
    seconds, GatherConfig, GatherConfigError, InvalidKeyPolicy, PromptFailurePolicy, RetryOn,
};
use crate::key::KeySet;
use std::time::Duration;

fn keys(field: &'static str, s: &str) -> Result<KeySet, GatherConfigError> {
    KeySet::from_chars(s).map_err(|_| GatherConfigError::Key {
        field,
        value: s.to_string(),
    })
}

fn millis(field: &'static str, ms: u64) -> Result<Duration, GatherConfigError> {
    seconds(field, ms as f64 / 1000.0)
}

/// Seconds within a platform's documented range.
fn seconds_in(
    field: &'static str,
    secs: f64,
    min: f64,
    max: f64,
) -> Result<Duration, GatherConfigError> {
    if secs.is_finite() && (min..=max).contains(&secs) {
        seconds(field, secs)
    } else {
        Err(GatherConfigError::Range {
            field,
            value: secs,
            min,
            max,
        })
    }
}

/// Bird Channels "Gather DTMF from a call": `maxNumKeys`, `endKey`, `timeout`, `retries`.
/// This is [`GatherConfig::default`]; see also the `bird` module for request bodies.
///
/// Source: docs.bird.com, Voice API › "Gather DTMF from a call" (body fields `maxNumKeys`,
/// `endKey` (enum of `0-9 * #`), `timeout`, `retries`, `input`, `speechLocale`, `playback`,
/// `say`), and the behaviour rules of the specification (`#`, 5 s, no retries).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct Bird {
    /// `maxNumKeys`: 0 = no limit. Default 0.
    pub max_num_keys: u32,
    /// `endKey`: one of `0-9 * #`. Default `#`.
    pub end_key: char,
    /// `timeout`, seconds (fractions allowed). Default 5.
    pub timeout: f64,
    /// `retries`: extra attempts. Default 0.
    pub retries: u32,
    /// `playback` or `say` given: attempts start with a prompt. Default false.
    pub prompt: bool,
}

impl Default for Bird {
    fn default() -> Self {
        Bird {
            max_num_keys: 0,
            end_key: '#',
            timeout: 5.0,
            retries: 0,
            prompt: false,
        }
    }
}

impl Bird {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for an `endKey` outside `0-9 * #` or a bad `timeout`.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        let end = keys("endKey", &self.end_key.to_string())?;
        if !KeySet::KEYPAD.intersects(end) {
            return Err(GatherConfigError::Key {
                field: "endKey",
                value: self.end_key.to_string(),
            });
        }
        let cfg = GatherConfig {
            max_keys: self.max_num_keys,
            end_keys: end,
            retries: self.retries,
            prompt: self.prompt,
            ..Default::default()
        }
        .with_timeout_secs(self.timeout)?;
        cfg.validate()?;
        Ok(cfg)
    }
}

/// Azure Communication Services Call Automation "Recognize" with DTMF input
/// (`CallMediaRecognizeDtmfOptions`).
///
/// Defining behaviour: separate `initialSilenceTimeout` (5 s, 0–300 s) and
/// `interToneTimeout` (2 s, 1–60 s); `stopTones` end the input (none by default); an
/// inter-tone timeout before `maxTonesToCollect` is a failure (result code 8532,
/// "inter-digit silence timeout reached"); initial silence is 8510 (`no_input`); a prompt
/// that fails to play fails the action (8511). No retries. Barge-in follows
/// `interruptPrompt`, default true. Values outside Azure's ranges are refused
/// ([`GatherConfigError::Range`]).
///
/// Source: learn.microsoft.com, "Gather user input with Recognize action" (technical
/// specifications table: InterToneTimeout default 2 s, min 1 s, max 60 s;
/// InitialSilenceTimeout default 5 s, min 0, max 300 s; MaxTonesToCollect at least 1;
/// InterruptPrompt Bool, default True) and the `CallMediaRecognizeDtmfOptions` API pages
/// (maxTonesToCollect, stopDtmfTones, interruptPrompt).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct Azure {
    /// `maxTonesToCollect` (required, at least 1). Default 1.
    pub max_tones_to_collect: u32,
    /// `initialSilenceTimeout`, seconds. Default 5.
    pub initial_silence_timeout: f64,
    /// `interToneTimeout`, seconds. Default 2.
    pub inter_tone_timeout: f64,
    /// `stopTones` / `stopDtmfTones`, as key characters. Default none.
    pub stop_tones: String,
    /// `interruptPrompt`: a key stops the prompt. Default true.
    pub interrupt_prompt: bool,
    /// `playPrompt` given. Default false.
    pub play_prompt: bool,
}

impl Default for Azure {
    fn default() -> Self {
        Azure {
            max_tones_to_collect: 1,
            initial_silence_timeout: 5.0,
            inter_tone_timeout: 2.0,
            stop_tones: String::new(),
            interrupt_prompt: true,
            play_prompt: false,
        }
    }
}

impl Azure {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for `maxTonesToCollect` 0, a timeout outside Azure's range
    /// (`initialSilenceTimeout` 0–300 s, `interToneTimeout` 1–60 s), a bad stop tone.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        if self.max_tones_to_collect == 0 {
            return Err(GatherConfigError::Count {
                field: "maxTonesToCollect",
                value: 0,
            });
        }
        let cfg = GatherConfig {
            max_keys: self.max_tones_to_collect,
            end_keys: keys("stopTones", &self.stop_tones)?,
            first_key_timeout: seconds_in(
                "initialSilenceTimeout",
                self.initial_silence_timeout,
                0.0,
                300.0,
            )?,
            inter_key_timeout: seconds_in("interToneTimeout", self.inter_tone_timeout, 1.0, 60.0)?,
            partial_timeout_fails: true,
            prompt: self.play_prompt,
            barge_in: self.interrupt_prompt,
            prompt_failure: PromptFailurePolicy::Fail,
            ..Default::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// Twilio TwiML `<Gather>` (DTMF input).
///
/// Defining behaviour: one `timeout` (a positive integer of seconds, default 5) for the
/// first digit after nested `<Say>`/`<Play>` finish and between digits; `finishOnKey` `#`
/// (empty string = none); `numDigits` unlimited; nested prompts are interrupted by a key;
/// no retries (the document continues with the next verb). A `finishOnKey` pressed before
/// any digit does not end the `<Gather>`: it is ignored as if not pressed
/// ([`GatherConfig::ignore_lone_end_key`]; it does not stop the prompt either).
///
/// Source: twilio.com/docs/voice/twiml/gather (attribute table: finishOnKey `0-9`, `#`,
/// `*` or the empty string, default `#`; numDigits positive integer, default unlimited;
/// timeout positive integer, default 5; input default dtmf). The lone `finishOnKey`
/// follows the current reference as issue 11 reads it; it was not re-read here. Twilio's
/// older reference (api/twiml/gather, 2008–2017) said the opposite: a lone finishOnKey
/// fell through to the next verb like a timeout (rule 6, `no_input`); to get that, clear
/// `ignore_lone_end_key`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct Twilio {
    /// `numDigits`: 0 = unlimited. Default 0.
    pub num_digits: u32,
    /// `finishOnKey`: one key, or empty for none. Default `#`.
    pub finish_on_key: String,
    /// `timeout`, whole seconds, at least 1. Default 5.
    pub timeout: u32,
    /// Nested `<Say>`/`<Play>` present. Default false.
    pub nested_prompt: bool,
}

impl Default for Twilio {
    fn default() -> Self {
        Twilio {
            num_digits: 0,
            finish_on_key: "#".into(),
            timeout: 5,
            nested_prompt: false,
        }
    }
}

impl Twilio {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for a `finishOnKey` that is not one of `0-9 * #` or empty, or a
    /// `timeout` of 0 (Twilio's is a positive integer).
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        let end = keys("finishOnKey", &self.finish_on_key)?;
        if end.len() > 1 || !KeySet::KEYPAD.intersects(end) && !end.is_empty() {
            return Err(GatherConfigError::Key {
                field: "finishOnKey",
                value: self.finish_on_key.clone(),
            });
        }
        if self.timeout == 0 {
            return Err(GatherConfigError::Count {
                field: "timeout",
                value: 0,
            });
        }
        let cfg = GatherConfig {
            max_keys: self.num_digits,
            end_keys: end,
            ignore_lone_end_key: true,
            prompt: self.nested_prompt,
            ..Default::default()
        }
        .with_timeout_secs(f64::from(self.timeout))?;
        cfg.validate()?;
        Ok(cfg)
    }
}

/// Plivo `<GetDigits>`.
///
/// Defining behaviour: `timeout` (5 s) for the first digit, `digitTimeout` (2 s) between
/// digits, `numDigits` 99, `finishOnKey` `#`, `validDigits` `1234567890*#` (others are
/// invalid), `invalidDigitsSound` played on an invalid digit; `retries` (at least 1,
/// default 1) is the number of retries after the first try when no digit came within
/// `timeout`. An invalid digit ends the element unsuccessfully (after
/// `invalidDigitsSound`, if given): Plivo documents no retry for it.
///
/// Source: plivo.com/docs/voice/xml/getdigits (timeout default 5, digitTimeout default 2,
/// finishOnKey default `#`, numDigits default 99, retries "the number of retries the user
/// is allowed to input digits if digits are not received within the time specified by
/// timeout", integer ≥ 1, default 1; validDigits default `1234567890*#`;
/// invalidDigitsSound "played when the user enters an invalid digit").
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct Plivo {
    /// `numDigits`. Default 99.
    pub num_digits: u32,
    /// `timeout`, seconds, first digit. Default 5.
    pub timeout: f64,
    /// `digitTimeout`, seconds, between digits. Default 2.
    pub digit_timeout: f64,
    /// `finishOnKey`: one key, or empty / `none` for none. Default `#`.
    pub finish_on_key: String,
    /// `retries`: retries after the first try when no digit came (at least 1). Default 1.
    pub retries: u32,
    /// `validDigits`. Default `1234567890*#`.
    pub valid_digits: String,
    /// `invalidDigitsSound` given. Default false.
    pub invalid_digits_sound: bool,
    /// Nested `<Speak>`/`<Play>` present. Default false.
    pub nested_prompt: bool,
}

impl Default for Plivo {
    fn default() -> Self {
        Plivo {
            num_digits: 99,
            timeout: 5.0,
            digit_timeout: 2.0,
            finish_on_key: "#".into(),
            retries: 1,
            valid_digits: "1234567890*#".into(),
            invalid_digits_sound: false,
            nested_prompt: false,
        }
    }
}

impl Plivo {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for `retries` 0, `numDigits` 0, bad keys or timeouts.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        if self.retries == 0 {
            return Err(GatherConfigError::Count {
                field: "retries",
                value: 0,
            });
        }
        if self.num_digits == 0 {
            return Err(GatherConfigError::Count {
                field: "numDigits",
                value: 0,
            });
        }
        let fin = if self.finish_on_key.eq_ignore_ascii_case("none") {
            ""
        } else {
            &self.finish_on_key
        };
        let cfg = GatherConfig {
            max_keys: self.num_digits,
            end_keys: keys("finishOnKey", fin)?,
            first_key_timeout: seconds("timeout", self.timeout)?,
            inter_key_timeout: seconds("digitTimeout", self.digit_timeout)?,
            retries: self.retries,
            retry_on: RetryOn::NO_INPUT_ONLY,
            valid_keys: keys("validDigits", &self.valid_digits)?,
            invalid_key: InvalidKeyPolicy::Fail,
            invalid_feedback: self.invalid_digits_sound,
            final_feedback: self.invalid_digits_sound,
            prompt: self.nested_prompt,
            ..Default::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// FreeSWITCH `play_and_get_digits` (mod_dptools):
/// `<min> <max> <tries> <timeout> <terminators> <file> <invalid_file> [<var_name> [<regexp>
/// [<digit_timeout>]]]`.
///
/// Defining behaviour: `min`/`max` digits; `tries` attempts in all; `timeout` (ms) for the
/// first digit after the file ends; `digit_timeout` (ms, default = `timeout`) between
/// digits; `terminators` starting with `=` (a terminator is required: reaching `max`
/// digits without one fails the try at once) and `+` before a terminator (that terminator,
/// only that one, is kept in the result); `invalid_file` played after every failed try,
/// the last one included ([`GatherConfig::final_feedback`]); `regexp` validation (use
/// [`GatherConfig::validator`]); every failure (none, too few, invalid) uses a try; `max`
/// below `min` is raised to `min`.
///
/// Source: developer.signalwire.com, "mod_dptools: play_and_get_digits" (parameters, the
/// `=` prefix). The `+` rule, `invalid_file` after the last try and `max` raised to `min`
/// follow issue 11's reading of FreeSWITCH (switch_ivr_play_say.c); not re-read here. An
/// `x` prefix is also mentioned there, with a meaning not verified here: it is accepted
/// and has no effect. `abs_timeout` is the overall limit of FreeSWITCH's session
/// `getDigits` API, offered here as an optional extra.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct FreeSwitch {
    /// `min` digits. Default 1.
    pub min: u32,
    /// `max` digits (up to 128). Default 128.
    pub max: u32,
    /// `tries`. Default 1.
    pub tries: u32,
    /// `timeout`, ms. Default 5000.
    pub timeout: u64,
    /// `terminators`, e.g. `#`, `=#`, `+#`, `*+#` (`+` keeps the terminator after it);
    /// empty or `none` for none. Default `#`.
    pub terminators: String,
    /// `file` given (not empty / `silence`). Default false.
    pub file: bool,
    /// `invalid_file` given. Default false.
    pub invalid_file: bool,
    /// `digit_timeout`, ms; `None` = `timeout`. Default none.
    pub digit_timeout: Option<u64>,
    /// `abs_timeout`, ms (session `getDigits`). Default none.
    pub abs_timeout: Option<u64>,
}

impl Default for FreeSwitch {
    fn default() -> Self {
        FreeSwitch {
            min: 1,
            max: 128,
            tries: 1,
            timeout: 5000,
            terminators: "#".into(),
            file: false,
            invalid_file: false,
            digit_timeout: None,
            abs_timeout: None,
        }
    }
}

impl FreeSwitch {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for `tries` 0, `max` above 128, bad terminators.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        if self.tries == 0 {
            return Err(GatherConfigError::Count {
                field: "tries",
                value: 0,
            });
        }
        if self.max > 128 {
            return Err(GatherConfigError::Count {
                field: "max",
                value: i64::from(self.max),
            });
        }
        let bad = || GatherConfigError::Key {
            field: "terminators",
            value: self.terminators.clone(),
        };
        let mut t = self.terminators.as_str();
        if t.eq_ignore_ascii_case("none") {
            t = "";
        }
        let mut required = false;
        let mut end = KeySet::EMPTY;
        let mut keep = KeySet::EMPTY;
        let mut plus = false;
        for (i, c) in t.chars().enumerate() {
            match c {
                '=' if i == 0 => required = true,
                'x' | 'X' if i == 0 || (i == 1 && required) => {}
                '+' if !plus => plus = true,
                _ => {
                    let k = crate::key::Key::from_char(c).ok_or_else(bad)?;
                    end = end.with(k);
                    if plus {
                        keep = keep.with(k);
                        plus = false;
                    }
                }
            }
        }
        if plus {
            return Err(bad());
        }
        let cfg = GatherConfig {
            min_keys: self.min,
            max_keys: self.max.max(self.min),
            end_keys: end,
            end_key_required: required,
            keep_end_keys: keep,
            retries: self.tries - 1,
            first_key_timeout: millis("timeout", self.timeout)?,
            inter_key_timeout: millis("digit_timeout", self.digit_timeout.unwrap_or(self.timeout))?,
            overall_timeout: self
                .abs_timeout
                .map(|ms| millis("abs_timeout", ms))
                .transpose()?,
            prompt: self.file,
            invalid_feedback: self.invalid_file,
            no_input_feedback: self.invalid_file,
            final_feedback: self.invalid_file,
            ..Default::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// Asterisk `Read(variable,filename[,maxdigits[,options[,attempts[,timeout]]]])`.
///
/// Defining behaviour: `maxdigits` 0 = no limit (max 255); input ends with `#` (option
/// `t(...)` sets other terminators, empty = none); `attempts` > 1 retries **only when no
/// data is entered**; a `timeout` above 0 (seconds) is the limit for the first and the
/// following digits; without one (0), the first digit has the channel's response timeout
/// (`TIMEOUT(response)`, default 10 s) and each following digit the channel's digit
/// timeout (`TIMEOUT(digit)`, default 5 s); the prompt is interrupted by a digit.
///
/// Source: docs.asterisk.org, Dialplan Applications › Read (maxdigits default 0 = no
/// limit, max 255; option `t` terminators default `#`; attempts; timeout "if greater than
/// 0, that value will override the default timeout") and Dialplan Functions › TIMEOUT
/// (`response`, `digit`). The 10 s / 5 s defaults are those of Asterisk's PBX core
/// (`rtimeoutms` / `dtimeoutms`) as issue 11 gives them; not re-read here.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct Asterisk {
    /// `maxdigits`: 0 = no limit, at most 255. Default 0.
    pub maxdigits: u32,
    /// Option `t(...)`: terminator digits. Default `#`.
    pub terminators: String,
    /// `attempts` (0 or 1 = one). Default 1.
    pub attempts: u32,
    /// `timeout`, seconds; 0 = the channel's timeouts (below). Default 0.
    pub timeout: f64,
    /// The channel's `TIMEOUT(response)`, seconds: the first digit's limit when `timeout`
    /// is 0. Default 10.
    pub response_timeout: f64,
    /// The channel's `TIMEOUT(digit)`, seconds: the limit between digits when `timeout`
    /// is 0. Default 5.
    pub digit_timeout: f64,
    /// `filename` given. Default false.
    pub filename: bool,
}

impl Default for Asterisk {
    fn default() -> Self {
        Asterisk {
            maxdigits: 0,
            terminators: "#".into(),
            attempts: 1,
            timeout: 0.0,
            response_timeout: 10.0,
            digit_timeout: 5.0,
            filename: false,
        }
    }
}

impl Asterisk {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for `maxdigits` above 255, bad terminators or timeout.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        if self.maxdigits > 255 {
            return Err(GatherConfigError::Count {
                field: "maxdigits",
                value: i64::from(self.maxdigits),
            });
        }
        let (first, inter) = if self.timeout > 0.0 {
            (
                seconds("timeout", self.timeout)?,
                seconds("timeout", self.timeout)?,
            )
        } else if self.timeout == 0.0 {
            (
                seconds("TIMEOUT(response)", self.response_timeout)?,
                seconds("TIMEOUT(digit)", self.digit_timeout)?,
            )
        } else {
            return Err(GatherConfigError::Timeout {
                field: "timeout",
                value: self.timeout,
            });
        };
        let cfg = GatherConfig {
            max_keys: self.maxdigits,
            end_keys: keys("t", &self.terminators)?,
            retries: self.attempts.max(1) - 1,
            retry_on: RetryOn::NO_INPUT_ONLY,
            prompt: self.filename,
            first_key_timeout: first,
            inter_key_timeout: inter,
            ..Default::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// VoiceXML 2.0/2.1 `<field>` with a DTMF grammar (e.g. `builtin:dtmf/digits?minlength=…;
/// maxlength=…`) and the DTMF properties.
///
/// Defining behaviour: `termchar` `#`; `termtimeout` 0 s (after `maxlength`, wait this long
/// for an optional `termchar`); `interdigittimeout` between keys; `timeout` for the first
/// key (`noinput`); `minlength` (too short = nomatch); `bargein` true; with
/// `bargein="false"` keys typed during the prompt are discarded (the DTMF buffer is
/// flushed when a non-barge-in prompt ends); keys before the field are type-ahead and,
/// when they complete it, no prompt plays. Retries are the form's `<noinput>`/`<nomatch>`
/// catch count.
///
/// Source: W3C VoiceXML 2.0 §6.3 (properties `termchar`, `termtimeout` default 0s,
/// `interdigittimeout`, `timeout`, `bargein` default true; the two timeouts are
/// platform-dependent, 5 s and 3 s are used here) and §4.1.5 / §4.1.8 (bargein: DTMF
/// input buffered while a prompt that cannot be barged into plays is deleted from the
/// buffer); as platforms implement it, e.g. Nuance Voice Platform, "Using DTMF in Voice
/// Platform" (the DTMF buffer is flushed at the end of a non-barge-in prompt).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "json", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "json", serde(default))]
pub struct VoiceXml {
    /// Grammar `minlength`. Default 1.
    pub minlength: u32,
    /// Grammar `maxlength`: 0 = none. Default 0.
    pub maxlength: u32,
    /// `termchar`: one key, or empty for none. Default `#`.
    pub termchar: String,
    /// `termtimeout`, seconds. Default 0.
    pub termtimeout: f64,
    /// `interdigittimeout`, seconds (platform default; 3 here).
    pub interdigittimeout: f64,
    /// `timeout`, seconds (platform default; 5 here).
    pub timeout: f64,
    /// `bargein`. Default true.
    pub bargein: bool,
    /// Re-prompts after `noinput`/`nomatch`. Default 0.
    pub retries: u32,
    /// A prompt is queued. Default true.
    pub prompt: bool,
}

impl Default for VoiceXml {
    fn default() -> Self {
        VoiceXml {
            minlength: 1,
            maxlength: 0,
            termchar: "#".into(),
            termtimeout: 0.0,
            interdigittimeout: 3.0,
            timeout: 5.0,
            bargein: true,
            retries: 0,
            prompt: true,
        }
    }
}

impl VoiceXml {
    /// The configuration.
    ///
    /// # Errors
    /// [`GatherConfigError`] for a bad `termchar`, timeout or `minlength` above `maxlength`.
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        let end = keys("termchar", &self.termchar)?;
        if end.len() > 1 {
            return Err(GatherConfigError::Key {
                field: "termchar",
                value: self.termchar.clone(),
            });
        }
        let cfg = GatherConfig {
            min_keys: self.minlength,
            max_keys: self.maxlength,
            end_keys: end,
            term_timeout: seconds("termtimeout", self.termtimeout)?,
            first_key_timeout: seconds("timeout", self.timeout)?,
            inter_key_timeout: seconds("interdigittimeout", self.interdigittimeout)?,
            barge_in: self.bargein,
            keep_keys_during_prompt: false,
            retries: self.retries,
            prompt: self.prompt,
            type_ahead: true,
            type_ahead_skips_prompt: true,
            ..Default::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }
}
