//! The sans-IO gather state machine.

use super::config::{GatherConfig, GatherConfigError, InvalidKeyPolicy, PromptFailurePolicy};
use crate::key::Key;
use core::fmt;
use std::collections::VecDeque;
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
    #[cfg_attr(feature = "json", serde(rename = "down_ms", with = "super::json_ms"))]
    pub down: Duration,
    /// When it went up, if that is known yet (JSON: `up_ms`).
    #[cfg_attr(
        feature = "json",
        serde(rename = "up_ms", with = "super::json_ms::option", default)
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
    pub keys: String,
    /// Why it ended.
    pub reason: Reason,
    /// Whether the input was accepted.
    pub success: bool,
    /// Attempts used (0 when it ended before starting).
    pub attempts: u32,
    /// When the gather started.
    #[cfg_attr(feature = "json", serde(rename = "start_ms", with = "super::json_ms"))]
    pub start: Duration,
    /// When it ended.
    #[cfg_attr(feature = "json", serde(rename = "end_ms", with = "super::json_ms"))]
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
    PlayPrompt {
        /// Sequence number of this prompt within the gather (1, 2, …).
        id: u32,
        /// The attempt it belongs to (for feedback: the attempt that failed).
        attempt: u32,
        /// Which prompt.
        kind: PromptKind,
        /// The instant it should start.
        #[cfg_attr(feature = "json", serde(rename = "at_ms", with = "super::json_ms"))]
        at: Duration,
    },
    /// Stop the prompt that is playing (barge-in, or the gather ended).
    StopPrompt {
        /// The prompt's id.
        id: u32,
        /// The instant.
        #[cfg_attr(feature = "json", serde(rename = "at_ms", with = "super::json_ms"))]
        at: Duration,
    },
    /// A key was collected (only with [`GatherConfig::report_keys`]).
    Key(KeyEvent),
    /// An attempt failed; a retry follows if one remains (else `Finished`).
    AttemptFailed {
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Why.
        reason: Reason,
        /// When.
        #[cfg_attr(feature = "json", serde(rename = "at_ms", with = "super::json_ms"))]
        at: Duration,
    },
    /// The gather ended.
    Finished(GatherResult),
}

/// What follows the prompt that is playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    /// Collecting, in the current attempt (the attempt's own prompt).
    Collect,
    /// This attempt starts (a feedback prompt before a retry).
    Attempt(u32),
    /// The gather finishes unsuccessfully with this reason (a feedback prompt after the
    /// last failed attempt, [`GatherConfig::final_feedback`]).
    Finish(Reason),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Not started: keys given now are type-ahead.
    Idle,
    /// A prompt plays; `after` says what follows it.
    Prompt {
        id: u32,
        kind: PromptKind,
        after: After,
    },
    /// Collecting keys with the timers running (when no key is held).
    Collecting,
    /// `max_keys` reached; waiting `term_timeout` for an optional end key.
    TermWait,
    /// Done.
    Finished,
}

/// The gather state machine: no clock, no threads, no I/O.
///
/// Feed it timestamped inputs (`handle_*`), ask it when to wake it
/// ([`next_deadline`](Self::next_deadline)), and take its actions
/// ([`poll_action`](Self::poll_action)). See the [module docs](super) for the rules.
///
/// **Time.** Every input carries a [`Duration`] on the host's clock (any origin, e.g. the
/// start of the audio stream; samples convert with [`samples_to_time`](super::samples_to_time)).
/// Inputs must come in non-decreasing time order; an input older than one already handled is
/// taken as happening at that later time. Every input first fires the deadlines that lie
/// *strictly before* its time, so an input at exactly a deadline wins (rule 8);
/// [`handle_timeout`](Self::handle_timeout)`(now)` fires those at or before `now`. At equal
/// times, give prompt events before key events (rule 11: a key that goes down exactly when
/// the prompt ends is not a barge-in).
#[derive(Clone, Debug)]
pub struct Gather {
    cfg: GatherConfig,
    phase: Phase,
    now: Duration,
    start: Duration,
    attempt: u32,
    prompt_seq: u32,
    /// Collected keys of the current attempt.
    events: Vec<KeyEvent>,
    /// Keys physically down that the gather consumed (collected, end, cancel).
    held: Vec<Key>,
    /// When the running timer started (first-key, inter-key or term).
    timer_base: Duration,
    /// Type-ahead, or keys kept during a protected prompt, not yet collected.
    pending: VecDeque<KeyEvent>,
    /// Keys not consumed by this gather (surplus type-ahead, keys after it finished).
    leftover: Vec<KeyEvent>,
    actions: VecDeque<Action>,
    result: Option<GatherResult>,
}

impl Gather {
    /// A machine for `cfg`, not started yet.
    ///
    /// # Errors
    /// [`GatherConfigError`] naming the field and value that cannot be right (rule 12).
    pub fn new(cfg: GatherConfig) -> Result<Gather, GatherConfigError> {
        cfg.validate()?;
        Ok(Gather {
            cfg,
            phase: Phase::Idle,
            now: Duration::ZERO,
            start: Duration::ZERO,
            attempt: 0,
            prompt_seq: 0,
            events: Vec::new(),
            held: Vec::new(),
            timer_base: Duration::ZERO,
            pending: VecDeque::new(),
            leftover: Vec::new(),
            actions: VecDeque::new(),
            result: None,
        })
    }

    /// The settings.
    pub fn config(&self) -> &GatherConfig {
        &self.cfg
    }

    /// Whether the gather has ended.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// Whether [`handle_start`](Self::handle_start) (or an ending input) was given.
    pub fn is_started(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// The result, once finished.
    pub fn result(&self) -> Option<&GatherResult> {
        self.result.as_ref()
    }

    /// The current attempt (1-based; 0 before the start).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The id of the prompt that is playing, if one is.
    pub fn playing_prompt(&self) -> Option<u32> {
        match self.phase {
            Phase::Prompt { id, .. } => Some(id),
            _ => None,
        }
    }

    /// Keys this gather did not consume (rule 9): surplus type-ahead, and keys that went
    /// down after it finished. Hand them to the next gather with
    /// [`handle_type_ahead`](Self::handle_type_ahead).
    pub fn leftover(&self) -> &[KeyEvent] {
        &self.leftover
    }

    /// Take the leftover keys (see [`leftover`](Self::leftover)).
    pub fn take_leftover(&mut self) -> Vec<KeyEvent> {
        std::mem::take(&mut self.leftover)
    }

    /// The next action for the host, in order.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When the machine must next be woken with [`handle_timeout`](Self::handle_timeout);
    /// `None` while no timer runs (not started, a prompt plays, a key is held, finished).
    pub fn next_deadline(&self) -> Option<Duration> {
        let overall = match self.phase {
            Phase::Idle | Phase::Finished => None,
            _ => self
                .cfg
                .overall_timeout
                .map(|d| self.start.saturating_add(d)),
        };
        let phase = self.phase_deadline();
        match (overall, phase) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn phase_deadline(&self) -> Option<Duration> {
        if !self.held.is_empty() {
            return None;
        }
        let len = match self.phase {
            Phase::Collecting if self.events.is_empty() => self.cfg.first_key_timeout,
            Phase::Collecting => self.cfg.inter_key_timeout,
            Phase::TermWait => self.cfg.term_timeout,
            _ => return None,
        };
        Some(self.timer_base.saturating_add(len))
    }

    /// Keys pressed before this gather starts (e.g. the previous gather's
    /// [`leftover`](Self::leftover)). Same as giving them to
    /// [`handle_key_down`](Self::handle_key_down) / [`handle_key_up`](Self::handle_key_up)
    /// before [`handle_start`](Self::handle_start). Ignored once started.
    pub fn handle_type_ahead(&mut self, keys: &[KeyEvent]) {
        if self.phase == Phase::Idle {
            self.pending.extend(keys.iter().copied());
        }
    }

    /// Start the gather at `t`: attempt 1 begins (rule 1). Ignored if already started.
    pub fn handle_start(&mut self, t: Duration) {
        if self.phase != Phase::Idle {
            return;
        }
        self.now = t;
        self.start = t;
        if !self.cfg.type_ahead {
            self.pending.clear();
        }
        self.begin_attempt(1, t, false);
    }

    /// A key went down at `t`.
    pub fn handle_key_down(&mut self, key: Key, t: Duration) {
        let p = self.advance(t, false);
        match self.phase {
            Phase::Idle => self.pending.push_back(KeyEvent {
                key,
                down: t,
                up: None,
            }),
            Phase::Finished => {
                if !self.held.contains(&key) {
                    self.leftover.push(KeyEvent {
                        key,
                        down: t,
                        up: None,
                    });
                }
            }
            Phase::Prompt {
                after: After::Finish(_),
                ..
            } => {
                // The outcome is decided; the key is not consumed.
                self.leftover.push(KeyEvent {
                    key,
                    down: t,
                    up: None,
                });
            }
            Phase::Prompt { id, after, .. } => {
                if self.ignored(key) {
                    // As if not pressed: no barge-in either.
                    return;
                }
                if self.cfg.barge_in {
                    self.actions.push_back(Action::StopPrompt { id, at: p });
                    match after {
                        After::Attempt(n) => self.begin_attempt(n, p, true),
                        _ => {
                            self.phase = Phase::Collecting;
                            self.timer_base = p;
                            self.replay_pending(p);
                        }
                    }
                    match self.phase {
                        Phase::Collecting | Phase::TermWait => self.key_down_live(key, t, p),
                        Phase::Finished => self.leftover.push(KeyEvent {
                            key,
                            down: t,
                            up: None,
                        }),
                        // The type-ahead failed the attempt and a retry prompt started.
                        _ => {}
                    }
                } else if self.cfg.keep_keys_during_prompt && after == After::Collect {
                    self.pending.push_back(KeyEvent {
                        key,
                        down: t,
                        up: None,
                    });
                }
            }
            Phase::Collecting | Phase::TermWait => self.key_down_live(key, t, p),
        }
    }

    /// A key went up at `t`.
    pub fn handle_key_up(&mut self, key: Key, t: Duration) {
        let p = self.advance(t, false);
        if let Some(i) = self.held.iter().position(|&k| k == key) {
            self.held.swap_remove(i);
            if let Some(ev) = self
                .events
                .iter_mut()
                .rev()
                .find(|e| e.key == key && e.up.is_none())
            {
                ev.up = Some(t);
            }
            if self.held.is_empty() && matches!(self.phase, Phase::Collecting | Phase::TermWait) {
                self.timer_base = p;
            }
            return;
        }
        let found = match self.phase {
            Phase::Finished => self
                .leftover
                .iter_mut()
                .rev()
                .find(|e| e.key == key && e.up.is_none()),
            _ => self
                .pending
                .iter_mut()
                .rev()
                .find(|e| e.key == key && e.up.is_none()),
        };
        if let Some(ev) = found {
            ev.up = Some(t);
        }
    }

    /// The prompt that is playing ended at `t` (rule 1: the first-key timer starts).
    /// Ignored when no prompt plays.
    pub fn handle_prompt_finished(&mut self, t: Duration) {
        let p = self.advance(t, false);
        self.prompt_over(p);
    }

    /// The prompt that is playing could not be played (reported at `t`): per
    /// [`GatherConfig::prompt_failure`], collecting starts or the gather finishes with
    /// `prompt_failed`. Ignored when no prompt plays.
    pub fn handle_prompt_failed(&mut self, t: Duration) {
        let p = self.advance(t, false);
        if let Phase::Prompt {
            after: After::Finish(reason),
            ..
        } = self.phase
        {
            self.phase = Phase::Collecting;
            self.finish(reason, false, p);
            return;
        }
        if let Phase::Prompt { .. } = self.phase {
            match self.cfg.prompt_failure {
                PromptFailurePolicy::StartCollecting => self.prompt_over(p),
                PromptFailurePolicy::Fail => {
                    // The prompt is not playing: no StopPrompt.
                    self.phase = Phase::Collecting;
                    self.finish(Reason::PromptFailed, false, p);
                }
            }
        }
    }

    /// Wake-up at `now`: fires every deadline at or before `now`.
    pub fn handle_timeout(&mut self, now: Duration) {
        self.advance(now, true);
    }

    /// The host cancels the gather at `t`: it finishes with `cancelled`, reporting what
    /// was collected.
    pub fn handle_cancel(&mut self, t: Duration) {
        let p = self.advance(t, false);
        if self.phase == Phase::Idle {
            self.start = p;
        }
        if let Phase::Prompt {
            after: After::Finish(reason),
            ..
        } = self.phase
        {
            self.finish(reason, false, p);
        } else if self.phase != Phase::Finished {
            self.finish(Reason::Cancelled, false, p);
        }
    }

    /// The call ended at `t`: the gather finishes with `hangup`, reporting what was
    /// collected (no `StopPrompt`: there is no call to stop it on).
    pub fn handle_hangup(&mut self, t: Duration) {
        let p = self.advance(t, false);
        if self.phase == Phase::Idle {
            self.start = p;
        }
        if self.phase != Phase::Finished {
            let reason = match self.phase {
                Phase::Prompt {
                    after: After::Finish(r),
                    ..
                } => r,
                _ => Reason::Hangup,
            };
            if let Phase::Prompt { .. } = self.phase {
                self.phase = Phase::Collecting;
            }
            self.finish(reason, false, p);
        }
    }

    // ---- internals ----

    /// Fire deadlines before `t` (or at `t` when `inclusive`), then move the clock to `t`.
    /// Returns the processing time (never earlier than the clock).
    fn advance(&mut self, t: Duration, inclusive: bool) -> Duration {
        while let Some(d) = self.next_deadline() {
            let due = if inclusive { d <= t } else { d < t };
            if !due {
                break;
            }
            let d = d.max(self.now);
            self.now = d;
            self.fire(d);
        }
        if t > self.now {
            self.now = t;
        }
        self.now
    }

    fn fire(&mut self, d: Duration) {
        if let Some(o) = self.cfg.overall_timeout {
            if self.start.saturating_add(o) <= d {
                self.finish(Reason::OverallTimeout, false, d);
                return;
            }
        }
        match self.phase {
            Phase::Collecting => {
                let n = self.events.len();
                if n == 0 {
                    self.fail_attempt(Reason::NoInput, d);
                } else if n < self.cfg.min_keys as usize {
                    self.fail_attempt(Reason::TooShort, d);
                } else if self.cfg.end_key_required {
                    self.fail_attempt(Reason::Invalid, d);
                } else if self.cfg.partial_timeout_fails {
                    self.fail_attempt(Reason::Timeout, d);
                } else {
                    self.complete(Reason::Timeout, d);
                }
            }
            Phase::TermWait => self.complete(Reason::TermTimeout, d),
            _ => {}
        }
    }

    fn prompt_over(&mut self, p: Duration) {
        if let Phase::Prompt { after, .. } = self.phase {
            match after {
                After::Attempt(n) => self.begin_attempt(n, p, false),
                After::Collect => {
                    self.phase = Phase::Collecting;
                    self.timer_base = p;
                    self.replay_pending(p);
                }
                After::Finish(reason) => {
                    // The feedback played to its end: nothing to stop.
                    self.phase = Phase::Collecting;
                    self.finish(reason, false, p);
                }
            }
        }
    }

    /// A key that counts as not pressed: outside `valid_keys` with
    /// [`InvalidKeyPolicy::Ignore`] (not an end or cancel key), or an end key before any
    /// key with [`GatherConfig::ignore_lone_end_key`].
    fn ignored(&self, key: Key) -> bool {
        let c = &self.cfg;
        if c.end_keys.contains(key) {
            return c.ignore_lone_end_key && self.events.is_empty();
        }
        Some(key) != c.cancel_key
            && !c.valid_keys.contains(key)
            && c.invalid_key == InvalidKeyPolicy::Ignore
    }

    fn play(&mut self, kind: PromptKind, attempt: u32, after: After, at: Duration) {
        self.prompt_seq += 1;
        let id = self.prompt_seq;
        self.phase = Phase::Prompt { id, kind, after };
        self.actions.push_back(Action::PlayPrompt {
            id,
            attempt,
            kind,
            at,
        });
    }

    /// Begin attempt `n` at `t`; `skip_prompt` when a barge-in on a feedback prompt starts it.
    /// Keys still held from the attempt before stay held: no timer runs until they go up
    /// (rule 4).
    fn begin_attempt(&mut self, n: u32, t: Duration, skip_prompt: bool) {
        self.attempt = n;
        self.events.clear();
        self.timer_base = t;
        let kind = if n == 1 {
            PromptKind::Initial
        } else {
            PromptKind::Retry
        };
        let has_pending = !self.pending.is_empty();
        if has_pending && (self.cfg.type_ahead_skips_prompt || !self.cfg.prompt) {
            // Type-ahead (rule 9 / VoiceXML): collect it now; if it completes the gather
            // the prompt is never played.
            self.phase = Phase::Collecting;
            self.replay_pending(t);
            if self.phase == Phase::Collecting
                && self.attempt == n
                && self.cfg.prompt
                && !self.cfg.barge_in
                && !skip_prompt
            {
                // Incomplete type-ahead and a protected prompt: play it, keep the keys.
                self.play(kind, n, After::Collect, t);
            }
            return;
        }
        if self.cfg.prompt && !skip_prompt {
            self.play(kind, n, After::Collect, t);
        } else {
            self.phase = Phase::Collecting;
            self.replay_pending(t);
        }
    }

    /// Collect pending keys (type-ahead or kept during the prompt) at processing time `p`.
    fn replay_pending(&mut self, p: Duration) {
        let attempt = self.attempt;
        while let Some(ev) = self.pending.pop_front() {
            if self.phase == Phase::Finished {
                self.leftover.push(ev);
                self.leftover.extend(self.pending.drain(..));
                return;
            }
            if self.attempt != attempt || !matches!(self.phase, Phase::Collecting | Phase::TermWait)
            {
                // The attempt failed part-way: the rest belonged to it and is dropped.
                self.pending.clear();
                return;
            }
            self.key_down_live(ev.key, ev.down, p);
            if let Some(up) = ev.up {
                if let Some(i) = self.held.iter().position(|&k| k == ev.key) {
                    self.held.swap_remove(i);
                    if let Some(e) = self
                        .events
                        .iter_mut()
                        .rev()
                        .find(|e| e.key == ev.key && e.up.is_none())
                    {
                        e.up = Some(up);
                    }
                    if self.held.is_empty() {
                        self.timer_base = p;
                    }
                }
            }
        }
    }

    /// A key down while collecting (`rec`: its own time, `p`: processing time).
    fn key_down_live(&mut self, key: Key, rec: Duration, p: Duration) {
        if self.held.contains(&key) {
            return; // a repeated report of a key that is still down
        }
        let ev = KeyEvent {
            key,
            down: rec,
            up: None,
        };
        if self.phase == Phase::TermWait {
            if self.cfg.end_keys.contains(key) {
                self.held.push(key);
                self.finish_end_key(ev, p);
            } else {
                // Not consumed: the gather ends as max_keys and the key is left over.
                self.complete(Reason::MaxKeys, p);
                if self.phase == Phase::Finished {
                    self.leftover.push(ev);
                }
            }
            return;
        }
        if self.ignored(key) {
            return; // as if not pressed (not held either)
        }
        let n = self.events.len();
        if Some(key) == self.cfg.cancel_key {
            self.held.push(key);
            self.events.clear();
            return;
        }
        if self.cfg.end_keys.contains(key) {
            self.held.push(key);
            if n == 0 && self.cfg.min_keys > 0 {
                self.fail_attempt(Reason::NoInput, p); // rule 6
            } else if n < self.cfg.min_keys as usize {
                self.fail_attempt(Reason::TooShort, p); // rule 10
            } else {
                self.finish_end_key(ev, p);
            }
            return;
        }
        let max = self.cfg.max_keys as usize;
        if !self.cfg.valid_keys.contains(key) {
            // InvalidKeyPolicy::Fail (Ignore returned above). The key is held: no timer
            // of the next attempt runs until it goes up.
            self.held.push(key);
            self.fail_attempt(Reason::Invalid, p);
            return;
        }
        self.held.push(key);
        self.events.push(ev);
        if self.cfg.report_keys {
            self.actions.push_back(Action::Key(ev));
        }
        if max != 0 && self.events.len() == max && self.cfg.end_key_required {
            // FreeSWITCH `=`: the buffer is full and no terminator came: the try fails.
            self.fail_attempt(Reason::Invalid, p);
        } else if max != 0 && self.events.len() == max {
            if self.cfg.term_timeout > Duration::ZERO && !self.cfg.end_keys.is_empty() {
                self.phase = Phase::TermWait;
            } else {
                self.complete(Reason::MaxKeys, p);
            }
        }
    }

    fn finish_end_key(&mut self, ev: KeyEvent, p: Duration) {
        if let Some(f) = &self.cfg.validator {
            if !f.check(&self.keys_string(Some(ev.key))) {
                self.fail_attempt(Reason::Invalid, p);
                return;
            }
        }
        self.finish_with(Reason::EndKey, true, p, Some(ev));
    }

    /// The attempt would succeed with `reason`: validate, then finish or fail.
    fn complete(&mut self, reason: Reason, p: Duration) {
        if let Some(f) = &self.cfg.validator {
            if !f.check(&self.keys_string(None)) {
                self.fail_attempt(Reason::Invalid, p);
                return;
            }
        }
        self.finish(reason, true, p);
    }

    fn keys_string(&self, end: Option<Key>) -> String {
        let mut s: String = self.events.iter().map(|e| e.key.to_char()).collect();
        if let Some(k) = end.filter(|&k| self.cfg.keep_end_keys.contains(k)) {
            s.push(k.to_char());
        }
        s
    }

    fn fail_attempt(&mut self, reason: Reason, p: Duration) {
        self.actions.push_back(Action::AttemptFailed {
            attempt: self.attempt,
            reason,
            at: p,
        });
        let r = &self.cfg.retry_on;
        let retryable = match reason {
            Reason::NoInput => r.no_input,
            Reason::TooShort => r.too_short,
            Reason::Invalid => r.invalid,
            _ => false,
        };
        if retryable && self.attempt <= self.cfg.retries {
            self.pending.clear();
            let feedback = match reason {
                Reason::NoInput if self.cfg.no_input_feedback => Some(PromptKind::NoInputFeedback),
                Reason::TooShort | Reason::Invalid if self.cfg.invalid_feedback => {
                    Some(PromptKind::InvalidFeedback)
                }
                _ => None,
            };
            let next = self.attempt + 1;
            match feedback {
                Some(kind) => self.play(kind, self.attempt, After::Attempt(next), p),
                None => self.begin_attempt(next, p, false),
            }
        } else {
            let feedback = match reason {
                _ if !self.cfg.final_feedback => None,
                Reason::NoInput if self.cfg.no_input_feedback => Some(PromptKind::NoInputFeedback),
                Reason::TooShort | Reason::Invalid if self.cfg.invalid_feedback => {
                    Some(PromptKind::InvalidFeedback)
                }
                _ => None,
            };
            match feedback {
                Some(kind) => {
                    self.pending.clear();
                    self.play(kind, self.attempt, After::Finish(reason), p);
                }
                None => self.finish(reason, false, p),
            }
        }
    }

    fn finish(&mut self, reason: Reason, success: bool, p: Duration) {
        self.finish_with(reason, success, p, None);
    }

    fn finish_with(&mut self, reason: Reason, success: bool, p: Duration, end: Option<KeyEvent>) {
        if let Phase::Prompt { id, .. } = self.phase {
            self.actions.push_back(Action::StopPrompt { id, at: p });
        }
        let result = GatherResult {
            keys: self.keys_string(end.map(|e| e.key)),
            reason,
            success,
            attempts: self.attempt,
            start: self.start,
            end: p,
            events: self.events.clone(),
            end_key: end,
        };
        self.leftover.extend(self.pending.drain(..));
        self.phase = Phase::Finished;
        self.actions.push_back(Action::Finished(result.clone()));
        self.result = Some(result);
    }
}
