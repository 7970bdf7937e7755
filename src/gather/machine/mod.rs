//! The sans-IO gather state machine: [`Gather`], its phases and the inputs a host gives it.
//!
//! * `actions`: what it reports ([`Action`], [`GatherResult`], [`KeyEvent`], [`Reason`],
//!   [`PromptKind`]);
//! * this file: the machine's state and its public methods (inputs, deadlines, results);
//! * `transitions`: what happens inside: deadlines firing, prompts ending, attempts
//!   beginning and failing, keys collected, the result built.

mod actions;
mod transitions;

pub use actions::{Action, GatherResult, KeyEvent, PromptKind, Reason};

use super::config::{GatherConfig, GatherConfigError, PromptFailurePolicy};
use crate::key::Key;
use std::collections::VecDeque;
use std::time::Duration;

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
}
