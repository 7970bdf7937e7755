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
mod machine;
pub mod presets;

pub use config::{
    seconds, ConfigError, GatherConfig, InputKinds, InvalidKeyPolicy, KeySet, PromptFailurePolicy,
    RetryOn, Validator, MAX_RETRIES, MAX_TIMEOUT,
};
pub use driver::{run_over_recording, Driver, RecordingOptions, DEFAULT_LATENCY};
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
    let ns = u128::from(samples) * 1_000_000_000 / u128::from(sample_rate);
    Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
}
