//! The gather's transitions, behind its public methods: deadlines firing, prompts ending,
//! attempts beginning and failing (with their feedback prompts), keys collected or left
//! over, and the result built.

use super::{Action, After, Gather, GatherResult, KeyEvent, Phase, PromptKind, Reason};
use crate::gather::config::InvalidKeyPolicy;
use crate::key::Key;
use std::time::Duration;

impl Gather {
    /// Fire deadlines before `t` (or at `t` when `inclusive`), then move the clock to `t`.
    /// Returns the processing time (never earlier than the clock).
    pub(super) fn advance(&mut self, t: Duration, inclusive: bool) -> Duration {
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

    pub(super) fn prompt_over(&mut self, p: Duration) {
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
    ///
    /// [`GatherConfig::ignore_lone_end_key`]: crate::gather::GatherConfig::ignore_lone_end_key
    pub(super) fn ignored(&self, key: Key) -> bool {
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
    pub(super) fn begin_attempt(&mut self, n: u32, t: Duration, skip_prompt: bool) {
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
    pub(super) fn replay_pending(&mut self, p: Duration) {
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
    pub(super) fn key_down_live(&mut self, key: Key, rec: Duration, p: Duration) {
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

    pub(super) fn finish(&mut self, reason: Reason, success: bool, p: Duration) {
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
