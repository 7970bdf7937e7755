//! Gather: collecting a caller's keys, the way IVR platforms do.
//!
//! [`Gather`] is a sans-IO state machine (no clock, no threads, no I/O): every input carries
//! its own timestamp, the machine says when it next needs waking
//! ([`Gather::next_deadline`]), and it returns [`Action`]s for the host (play / stop a
//! prompt, per-key events, attempt failed, finished with a [`GatherResult`]). The same
//! inputs always give the same outputs. Key events may come from the crate's
//! [`Detector`](crate::Detector) (see [`Driver`]) or from anywhere else (RFC 4733
//! telephone-events, SIP INFO, a test).
//!
//! # A worked IVR example: prompt, retry, barge-in
//!
//! The host asks for a 4-digit PIN, with one retry. Nobody answers the first prompt; the
//! caller barges into the retry prompt.
//!
//! ```
//! use std::time::Duration;
//! use touchtone::gather::{Action, Gather, GatherConfig, PromptKind, Reason};
//! use touchtone::Key;
//! let ms = Duration::from_millis;
//! let mut g = Gather::new(GatherConfig {
//!     max_keys: 4,
//!     retries: 1,
//!     prompt: true, // "Please enter your PIN"
//!     ..Default::default()
//! })?;
//! g.handle_start(ms(0));
//! assert!(matches!(g.poll_action(),
//!     Some(Action::PlayPrompt { attempt: 1, kind: PromptKind::Initial, .. })));
//! assert_eq!(g.next_deadline(), None); // no timer while the prompt plays
//!
//! // The prompt lasts 3 s; the first-key timer (5 s) starts when it ends.
//! g.handle_prompt_finished(ms(3000));
//! assert_eq!(g.next_deadline(), Some(ms(8000)));
//! g.handle_timeout(ms(8000)); // nobody typed anything
//! assert!(matches!(g.poll_action(),
//!     Some(Action::AttemptFailed { attempt: 1, reason: Reason::NoInput, .. })));
//! let Some(Action::PlayPrompt { id, attempt: 2, kind: PromptKind::Retry, .. }) = g.poll_action()
//! else { panic!("the retry replays the prompt") };
//!
//! // The caller barges in at 9.2 s: the prompt is stopped, the key is the first one.
//! g.handle_key_down(Key::K1, ms(9200));
//! assert_eq!(g.poll_action(), Some(Action::StopPrompt { id, at: ms(9200) }));
//! g.handle_key_up(Key::K1, ms(9280));
//! for (i, k) in [Key::K9, Key::K8, Key::K4].into_iter().enumerate() {
//!     let t = 9500 + 300 * i as u64;
//!     g.handle_key_down(k, ms(t));
//!     g.handle_key_up(k, ms(t + 80));
//! }
//! // The fourth key finished it at its down time (maxNumKeys).
//! let Some(Action::Finished(r)) = g.poll_action() else { panic!() };
//! assert_eq!((r.keys.as_str(), r.reason, r.success, r.attempts), ("1984", Reason::MaxKeys, true, 2));
//! assert_eq!(r.end, ms(10_100));
//! // The key up after the end is not consumed; a key pressed now is left over.
//! g.handle_key_down(Key::Pound, ms(10_500));
//! assert_eq!(g.leftover()[0].key, Key::Pound);
//! # Ok::<(), touchtone::gather::GatherConfigError>(())
//! ```
//!
//! For a media loop, [`Driver`] runs the crate's detector in front of the machine (one
//! [`Driver::process`] call per frame of `i16`, `f32`, μ-law or A-law) and takes key
//! reports from any other source ([`KeySource`]: RFC 4733, SIP INFO, …) on the same time
//! axis, merging the same press heard several ways into one ([`MergePolicy`]). Its clock
//! moves with the audio or with [`Driver::advance_to`] (deadlines fire during silence
//! suppression or hold); [`Driver::next_gather`] chains gathers without losing type-ahead;
//! continuous recognition reports every press with a sequence number.
//! [`run_over_recording`] and [`run_over_recording_with_keys`] do a whole recording, as
//! `touchtone gather` does ([`run_gathers_over_recording_with_keys`]: several gathers back
//! to back).
//!
//! # Platforms
//!
//! [`presets`] has one struct per platform, with the platform's parameter names and
//! defaults; `config()` maps them onto [`GatherConfig`]. The table gives every parameter,
//! the setting it becomes, and the document it was taken from. "Issue 11" marks a detail
//! taken from the project's issue 11 (its reading of the platform's documentation or
//! source) that was not re-read against the platform's own text when it was written
//! here.
//!
//! | platform | parameter (default) | touchtone setting | source document |
//! |---|---|---|---|
//! | Bird | `maxNumKeys` (0 = no limit) | `max_keys` | docs.bird.com, Voice API › Gather (OpenAPI `Gather`) |
//! | Bird | `endKey` (`#`; `0-9 * #`) | `end_keys` | same |
//! | Bird | `timeout` (5 s; 0 = default) | `first_key_timeout`, `inter_key_timeout` | same; `0` = default: project specification |
//! | Bird | `retries` (0) | `retries` | same |
//! | Bird | `input` (`dtmf`; `speech`, `dtmf speech`) | `input` (without `dtmf` refused) | same |
//! | Bird | `playback`, `say` | `prompt` (`bird::BirdRequest::prompt`) | same (`Play`, `Say` schemas) |
//! | Azure | `maxTonesToCollect` (1; ≥ 1) | `max_keys` | learn.microsoft.com, "Gather user input with Recognize action" (technical specifications) |
//! | Azure | `stopTones` (none) | `end_keys` | same; `CallMediaRecognizeDtmfOptions` |
//! | Azure | `initialSilenceTimeout` (5 s; 0–300 s) | `first_key_timeout` (8510 on expiry) | same |
//! | Azure | `interToneTimeout` (2 s; 1–60 s) | `inter_key_timeout`; `partial_timeout_fails` (8532) | same |
//! | Azure | `interruptPrompt` (true) | `barge_in` | same ("InterruptPrompt, Bool, True") |
//! | Azure | `playPrompt` | `prompt`; `prompt_failure` = `Fail` (8511) | same (event codes table) |
//! | Twilio | `numDigits` (unlimited) | `max_keys` | twilio.com/docs/voice/twiml/gather (attribute table) |
//! | Twilio | `finishOnKey` (`#`; one of `0-9 # *` or empty) | `end_keys`; a lone one ignored: `ignore_lone_end_key` | same; the lone key: issue 11 (the older reference said it falls through like no input) |
//! | Twilio | `timeout` (5; positive integer) | both timeouts | same |
//! | Twilio | nested `<Say>`/`<Play>` | `prompt`, `barge_in` | same |
//! | Plivo | `numDigits` (99) | `max_keys` | plivo.com/docs/voice/xml/getdigits |
//! | Plivo | `timeout` (5 s) / `digitTimeout` (2 s) | `first_key_timeout` / `inter_key_timeout` | same |
//! | Plivo | `finishOnKey` (`#`; empty or `none`) | `end_keys` | same |
//! | Plivo | `retries` (1; ≥ 1) | `retries`, `retry_on` = no input only | same ("retries the user is allowed … if digits are not received within … timeout") |
//! | Plivo | `validDigits` (`1234567890*#`) | `valid_keys`, `invalid_key` = `Fail` (no retry) | same |
//! | Plivo | `invalidDigitsSound` | `invalid_feedback`, `final_feedback` | same |
//! | FreeSWITCH | `min` / `max` (max < min raised to min) | `min_keys` / `max_keys` | developer.signalwire.com, mod_dptools: play_and_get_digits; raising: issue 11 |
//! | FreeSWITCH | `tries` | `retries` + 1 (every failure) | same |
//! | FreeSWITCH | `timeout` / `digit_timeout` (ms) | `first_key_timeout` / `inter_key_timeout` | same |
//! | FreeSWITCH | `terminators`: `=` prefix | `end_key_required` (fails at `max` digits at once) | same; failing at `max`: issue 11 |
//! | FreeSWITCH | `terminators`: `+` before a key | `keep_end_keys` (that key only) | issue 11; `x` prefix accepted without effect (meaning not verified) |
//! | FreeSWITCH | `invalid_file` | `invalid_feedback`, `no_input_feedback`, `final_feedback` | same; after the last try: issue 11 |
//! | FreeSWITCH | `regexp` | `validator` | same |
//! | FreeSWITCH | `abs_timeout` (session `getDigits`) | `overall_timeout` | FreeSWITCH session API docs |
//! | Asterisk | `maxdigits` (0 = none; ≤ 255) | `max_keys` | docs.asterisk.org, Dialplan Applications › Read |
//! | Asterisk | option `t(...)` (`#`) | `end_keys` | same |
//! | Asterisk | `attempts` | `retries` + 1, `retry_on` = no input only | same |
//! | Asterisk | `timeout` (> 0: both) | both timeouts | same |
//! | Asterisk | `timeout` 0: `TIMEOUT(response)` (10 s) / `TIMEOUT(digit)` (5 s) | `first_key_timeout` / `inter_key_timeout` | docs.asterisk.org, Dialplan Functions › TIMEOUT; 10 s / 5 s: issue 11 |
//! | VoiceXML | grammar `minlength` / `maxlength` | `min_keys` / `max_keys` | W3C VoiceXML 2.0 (builtin `digits` grammar, Appendix P) |
//! | VoiceXML | `termchar` (`#`) / `termtimeout` (0 s) | `end_keys` / `term_timeout` | W3C VoiceXML 2.0 §6.3 (DTMF properties) |
//! | VoiceXML | `timeout` / `interdigittimeout` (platform; 5 s / 3 s here) | `first_key_timeout` / `inter_key_timeout` | same |
//! | VoiceXML | `bargein` (true) | `barge_in`; `false`: keys during the prompt discarded | W3C VoiceXML 2.0 §4.1.5, §4.1.8; Nuance Voice Platform, "Using DTMF in Voice Platform" (buffer flushed at the end of a non-barge-in prompt) |
//!
//! Bird's and Azure's own JSON (features `bird` and `azure`, on by default): `gather::bird`
//! reads Bird request bodies and writes Bird's responses; `gather::azure` reads Azure
//! Recognize request bodies and writes Azure's event payloads. Feature `json` gives the
//! gather's types (results, actions, key events, reasons, configurations) serde
//! `Serialize` and `Deserialize`: times in milliseconds (`end_ms`, `at_ms`,
//! `first_key_timeout_ms`, …), keys and key sets as strings, reasons in snake_case.
//!
//! ## Ties and the detector
//!
//! Rule 8 is decided on the tone's true timing as far as the detector can tell it:
//! [`Driver`] takes a key down estimated within [`DEFAULT_TIE_MARGIN`] (the detector's
//! documented edge accuracy) after a deadline as on time.
//!
//! # Choices where the specification is silent
//!
//! * **Term wait** (`term_timeout` > 0, `max_keys` reached): the term timer starts at the
//!   last key's up; an end key within it finishes with `end_key`; its expiry gives
//!   `term_timeout` (success); any other key finishes at once with `max_keys` and is
//!   left over.
//! * **`end_key_required`**: reaching `max_keys` without the end key fails the attempt
//!   `invalid` at once (FreeSWITCH: the digit buffer is full); so does a timeout without it.
//! * **Held keys across attempts**: a key that failed an attempt (a lone end key, an
//!   invalid key) and is still down holds the next attempt's timers until it goes up
//!   (rule 4).
//! * **Ignored keys** (outside `valid_keys` with [`InvalidKeyPolicy::Ignore`], a lone end
//!   key with [`GatherConfig::ignore_lone_end_key`]) are as if not pressed: no barge-in,
//!   no timer effect.
//! * **`partial_timeout_fails`**: the attempt fails with reason `timeout` (unsuccessful);
//!   `timeout` failures are not retried.
//! * **`overall_timeout`** counts from the gather's start across all attempts and prompts
//!   and is a failure.
//! * **Type-ahead** is collected at the start instant (keys keep their own times in the
//!   result). If it completes the gather, no prompt plays. If it does not, with barge-in
//!   on no prompt plays either (the caller already "barged in"); with barge-in off the
//!   prompt plays and collection continues after it. When a type-ahead key fails an
//!   attempt, the rest of the type-ahead is dropped with that attempt.
//! * **Feedback prompts** play before a retry, and after the last failed attempt only with
//!   [`GatherConfig::final_feedback`] (the gather then finishes when that prompt ends, and
//!   keys during it are not consumed). A key during a feedback prompt before a retry
//!   (barge-in on) stops it and starts the next attempt without its prompt, collecting
//!   that key.
//! * **Cancel key**: clears the attempt's keys; the first-key timer restarts at its up.
//! * **`min_keys` 0**: an end key alone is an empty success; a first-key timeout is
//!   still `no_input`.
//! * **Hangup** sends no `StopPrompt`; **cancel** does. A failed prompt is not stopped.
//! * Inputs older than one already handled are taken at the later time; a repeated down
//!   of a key that is held, or an up of a key not down, is ignored.
//!
//! # Time
//!
//! Times are [`Duration`]s on the host's clock, from an origin the host chooses (for a
//! recording or an RTP stream, the first sample; convert sample positions with
//! [`samples_to_time`]). Inputs come in time order; see [`Gather`] for ties.
//!
//! # Rules (the Bird behaviour, [`GatherConfig::default`])
//!
//! 1. An attempt starts by playing the prompt, if one is configured
//!    ([`GatherConfig::prompt`]). No timer runs while a prompt plays. When the prompt
//!    finishes, the first-key timer starts; with no prompt, when the attempt starts.
//! 2. Barge-in is on: a key pressed while the prompt plays stops it ([`Action::StopPrompt`])
//!    and is the first collected key. With barge-in off, keys during the prompt are
//!    discarded (or kept for later with [`GatherConfig::keep_keys_during_prompt`]).
//! 3. A key is collected when it goes **down**. An end key finishes with `end_key` and is
//!    not part of the result; otherwise the key is appended, and reaching `maxNumKeys`
//!    finishes at once with `max_keys`.
//! 4. The inter-key timer starts when the last key goes **up**; no timer runs while a key
//!    is held. On expiry with at least `min_keys` keys the gather succeeds with `timeout`.
//! 5. First-key timer expiry without a key fails the attempt with `no_input`; a retry
//!    replays the prompt ([`PromptKind::Retry`]) with the keys cleared; without one the
//!    gather finishes unsuccessfully with `no_input`.
//! 6. An end key before any other key counts as no input (rule 5 at that instant).
//! 7. `maxNumKeys` 0 = no limit; `endKey` `#`; `timeout` 5 s; `retries` 0.
//! 8. A key whose down time is at or before a deadline beats the timeout.
//! 9. Keys after the end are not consumed: [`Gather::leftover`] hands them to the next
//!    gather ([`Gather::handle_type_ahead`]).
//! 10. A failed gather still reports the keys of its last attempt. An end key after fewer
//!     than `min_keys` keys fails the attempt as `too_short`.
//! 11. A key that goes down exactly when the prompt ends is not a barge-in (give the
//!     prompt event first at equal times; [`Driver`] does).
//! 12. Settings that cannot be right are refused by [`Gather::new`] with a [`GatherConfigError`]
//!     naming the field and the value.
//!
//! # Result reasons
//!
//! | reason | success | when |
//! |---|---|---|
//! | `max_keys` | yes | `maxNumKeys` keys collected |
//! | `end_key` | yes | an end key after at least `min_keys` keys |
//! | `timeout` | yes (no with `partial_timeout_fails`) | inter-key timeout after at least `min_keys` keys |
//! | `term_timeout` | yes | `maxNumKeys` reached and no end key within `term_timeout` |
//! | `no_input` | no | no key before the first-key timeout, or an end key alone |
//! | `too_short` | no | fewer than `min_keys` keys at an end key or timeout |
//! | `invalid` | no | a key outside `valid_keys`, input refused by the validator, required end key missing |
//! | `overall_timeout` | no | the overall limit passed |
//! | `cancelled` | no | [`Gather::handle_cancel`] |
//! | `hangup` | no | [`Gather::handle_hangup`] |
//! | `prompt_failed` | no | the prompt failed with [`PromptFailurePolicy::Fail`] |

#[cfg(feature = "azure")]
pub mod azure;
#[cfg(feature = "bird")]
pub mod bird;
mod config;
mod driver;
mod keys;
mod machine;
pub mod presets;

pub use config::{
    seconds, GatherConfig, GatherConfigError, InputKinds, InvalidKeyPolicy, PromptFailurePolicy,
    RetryOn, Validator, MAX_RETRIES, MAX_TIMEOUT,
};
pub use driver::{
    run_gathers_over_recording, run_gathers_over_recording_with_keys, run_over_recording,
    run_over_recording_with_keys, ContinuousEvent, Driver, RecordingOptions, DEFAULT_LATENCY,
    DEFAULT_MERGE_TOLERANCE, DEFAULT_TIE_MARGIN, QUEUE_CAPACITY,
};
pub use keys::{KeyReport, KeySource, MergePolicy};
pub use machine::{Action, Gather, GatherResult, KeyEvent, PromptKind, Reason};

use std::time::Duration;

/// A sample position at `sample_rate` as a time (exact to the nanosecond, rounded down).
/// A `sample_rate` of 0 gives zero.
///
/// ```
/// use touchtone::gather::samples_to_time;
/// assert_eq!(samples_to_time(8000, 8000).as_millis(), 1000);
/// assert_eq!(samples_to_time(1, 8000).as_micros(), 125);
/// ```
pub fn samples_to_time(samples: u64, sample_rate: u32) -> Duration {
    if sample_rate == 0 {
        return Duration::ZERO;
    }
    // Whole seconds and the nanoseconds of the rest: exact over the whole `u64` range (a
    // single nanosecond count would saturate after 584 years of samples).
    let rate = u64::from(sample_rate);
    let nanos = (samples % rate) * 1_000_000_000 / rate;
    Duration::new(samples / rate, nanos as u32)
}

/// Durations in JSON as milliseconds (fractions allowed: `1500`, `0.125`).
#[cfg(feature = "json")]
mod json_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn from_ms<E: serde::de::Error>(ms: f64) -> Result<Duration, E> {
        // Up to about 584 years (what a Duration built from f64 seconds holds safely).
        if ms.is_finite() && (0.0..=1.8e13).contains(&ms) {
            // Rounded to the nanosecond: 1500.25 reads back as exactly 1 500 250 µs.
            Ok(Duration::from_nanos((ms * 1e6).round() as u64))
        } else {
            Err(E::custom(format!(
                "{ms} is not a non-negative, finite number of milliseconds"
            )))
        }
    }

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        if d.subsec_nanos() % 1_000_000 == 0 {
            s.serialize_u64(d.as_millis() as u64)
        } else {
            // Whole ms plus the fraction, so 1 500 250 µs writes as exactly 1500.25.
            let ms = d.as_millis() as f64 + f64::from(d.subsec_nanos() % 1_000_000) / 1e6;
            s.serialize_f64(ms)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        from_ms(f64::deserialize(d)?)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            Option::<f64>::deserialize(d)?.map(from_ms).transpose()
        }
    }
}
