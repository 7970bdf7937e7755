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
//! # Ok::<(), touchtone::gather::ConfigError>(())
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
//! `examples/gather` does ([`run_gathers_over_recording_with_keys`]: several gathers back
//! to back).
//!
//! # Platforms
//!
//! [`presets`] has one struct per platform, with the platform's parameter names and
//! defaults; `config()` maps them onto [`GatherConfig`]:
//!
//! | platform | preset | platform parameter → setting |
//! |---|---|---|
//! | Bird Gather DTMF | [`presets::Bird`], [`bird::BirdRequest`] | `maxNumKeys` → `max_keys`; `endKey` → `end_keys`; `timeout` → first- and inter-key timeouts; `retries` → `retries`; `playback`/`say` → `prompt` |
//! | Azure Recognize (DTMF) | [`presets::Azure`] | `maxTonesToCollect` → `max_keys`; `stopTones` → `end_keys`; `initialSilenceTimeout` → `first_key_timeout`; `interToneTimeout` → `inter_key_timeout`; `interruptPrompt` → `barge_in`; partial input at timeout fails (8532); prompt failure fails (8511) |
//! | Twilio `<Gather>` | [`presets::Twilio`] | `numDigits` → `max_keys`; `finishOnKey` → `end_keys`; `timeout` → both timeouts; nested `<Say>`/`<Play>` → `prompt` |
//! | Plivo `<GetDigits>` | [`presets::Plivo`] | `numDigits` → `max_keys`; `timeout` → `first_key_timeout`; `digitTimeout` → `inter_key_timeout`; `finishOnKey` → `end_keys`; `retries` (tries) → `retries` + 1; `validDigits` → `valid_keys`; `invalidDigitsSound` → `invalid_feedback` |
//! | FreeSWITCH `play_and_get_digits` | [`presets::FreeSwitch`] | `min`/`max` → `min_keys`/`max_keys`; `tries` → `retries` + 1; `timeout` → `first_key_timeout`; `digit_timeout` → `inter_key_timeout`; `terminators` → `end_keys` (`=` → `end_key_required`, `+` → `keep_end_key`); `invalid_file` → feedback; `regexp` → `validator`; `abs_timeout` → `overall_timeout` |
//! | Asterisk `Read()` | [`presets::Asterisk`] | `maxdigits` → `max_keys`; option `t()` → `end_keys`; `attempts` → `retries` + 1, no input only; `timeout` → both timeouts |
//! | VoiceXML `<field>` | [`presets::VoiceXml`] | `minlength`/`maxlength` → `min_keys`/`max_keys`; `termchar` → `end_keys`; `termtimeout` → `term_timeout`; `timeout` → `first_key_timeout`; `interdigittimeout` → `inter_key_timeout`; `bargein="false"` → keys kept for after the prompt |
//!
//! # Choices where the specification is silent
//!
//! * **Term wait** (`term_timeout` > 0, `max_keys` reached): the term timer starts at the
//!   last key's up; an end key within it finishes with `end_key`; its expiry gives
//!   `term_timeout` (success); any other key finishes at once with `max_keys` and is
//!   left over.
//! * **`end_key_required`**: reaching `max_keys` waits (inter-key timeout) for the end
//!   key; a timeout without it, or a key beyond `max_keys`, fails the attempt `invalid`.
//! * **`partial_timeout_fails`**: the attempt fails with reason `timeout` (unsuccessful);
//!   `timeout` failures are not retried.
//! * **`overall_timeout`** counts from the gather's start across all attempts and prompts
//!   and is a failure.
//! * **Type-ahead** is collected at the start instant (keys keep their own times in the
//!   result). If it completes the gather, no prompt plays. If it does not, with barge-in
//!   on no prompt plays either (the caller already "barged in"); with barge-in off the
//!   prompt plays and collection continues after it. When a type-ahead key fails an
//!   attempt, the rest of the type-ahead is dropped with that attempt.
//! * **Feedback prompts** play only before a retry (not before a final failure); a key
//!   during a feedback prompt (barge-in on) stops it and starts the next attempt without
//!   its prompt, collecting that key.
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
//! 12. Settings that cannot be right are refused by [`Gather::new`] with a [`ConfigError`]
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

#[cfg(feature = "bird")]
pub mod bird;
mod config;
mod driver;
mod keys;
mod machine;
pub mod presets;

pub use config::{
    seconds, ConfigError, GatherConfig, InputKinds, InvalidKeyPolicy, KeySet, PromptFailurePolicy,
    RetryOn, Validator, MAX_RETRIES, MAX_TIMEOUT,
};
pub use driver::{
    run_gathers_over_recording, run_gathers_over_recording_with_keys, run_over_recording_with_keys,
    ContinuousEvent, DEFAULT_MERGE_TOLERANCE, DEFAULT_TIE_MARGIN, QUEUE_CAPACITY,
};
pub use driver::{run_over_recording, Driver, RecordingOptions, DEFAULT_LATENCY};
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
