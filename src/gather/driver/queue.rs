//! The driver's input queue: every input (key report, prompt event, start, stop) waits
//! here by its time until the horizon passes it, then is handed to the merge rule or the
//! gather in time order, interleaved with the gather's deadlines.

use super::state::Core;
use super::{ContinuousEvent, QUEUE_CAPACITY};
use crate::gather::keys::KeySource;
use crate::gather::machine::Gather;
use crate::key::Key;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Input {
    Start,
    StartContinuous,
    PromptFinished(u32),
    PromptFailed(u32),
    KeyUp(Key, KeySource),
    KeyDown(Key, KeySource),
    /// A press without length: down and up at once.
    KeyTap(Key, KeySource),
    /// A key the previous gather did not consume, handed to the next at its own time
    /// (already merged: straight to the gather).
    LeftoverDown(Key),
    LeftoverUp(Key),
    StopContinuous,
    Cancel,
    Hangup,
}

impl Input {
    /// Order at equal times: starts, then prompt events (rule 11), key ups, key downs,
    /// then stops, cancel and hangup.
    fn rank(self) -> u8 {
        match self {
            Input::Start | Input::StartContinuous => 0,
            Input::PromptFinished(_) | Input::PromptFailed(_) => 1,
            Input::KeyUp(..) | Input::LeftoverUp(_) => 2,
            Input::KeyDown(..) | Input::KeyTap(..) | Input::LeftoverDown(_) => 3,
            Input::StopContinuous | Input::Cancel | Input::Hangup => 4,
        }
    }

    /// A key down the tie margin applies to: one the detector placed (or a previous
    /// gather's leftover, whose time may be the detector's).
    fn tie_down(self) -> bool {
        matches!(
            self,
            Input::KeyDown(_, KeySource::InBand)
                | Input::KeyTap(_, KeySource::InBand)
                | Input::LeftoverDown(_)
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub(super) t: Duration,
    rank: u8,
    seq: u64,
    pub(super) input: Input,
}

impl Item {
    fn order(&self) -> (Duration, u8, u64) {
        (self.t, self.rank, self.seq)
    }
}

impl Core {
    /// Queue an input from outside; a full queue first hands over its oldest input.
    pub(super) fn push(&mut self, t: Duration, input: Input) {
        if self.queue.len() >= QUEUE_CAPACITY {
            if let Some(first) = self.queue.front() {
                let t0 = first.t.max(self.released_to);
                self.release(t0);
            }
        }
        self.insert(t, input);
    }

    /// Queue an input in time order (from the back: inputs mostly come in order).
    pub(super) fn insert(&mut self, t: Duration, input: Input) {
        self.seq += 1;
        let item = Item {
            t,
            rank: input.rank(),
            seq: self.seq,
            input,
        };
        let mut i = self.queue.len();
        while i > 0 && self.queue[i - 1].order() > item.order() {
            i -= 1;
        }
        self.queue.insert(i, item);
    }

    /// Hand over every queued input at or before `upto`, interleaved with the gather's
    /// deadlines in time order (an input at a deadline goes first), then wake it at `upto`.
    pub(super) fn release(&mut self, upto: Duration) {
        // Deadlines fire only once the inputs are handed over a tie margin past them.
        let margin = self.margin();
        let fire_to = upto.saturating_sub(margin);
        loop {
            let first = self
                .queue
                .front()
                .map(|q| (q.t, q.input))
                .filter(|q| q.0 <= upto);
            let deadline = self.gather.as_ref().and_then(Gather::next_deadline);
            match (first, deadline) {
                (Some((t, input)), d)
                    if d.map_or(true, |d| {
                        t <= d || input.tie_down() && t <= d.saturating_add(margin)
                    }) =>
                {
                    self.queue.pop_front();
                    // A key down within the margin after the deadline is taken at it.
                    let at = d.map_or(t, |d| t.min(d));
                    self.apply(at, input);
                }
                (_, Some(d)) if d <= fire_to => {
                    if let Some(g) = self.gather.as_mut() {
                        g.handle_timeout(d);
                    }
                }
                _ => break,
            }
            self.collect();
        }
        if let Some(g) = self.gather.as_mut() {
            g.handle_timeout(fire_to);
        }
        self.collect();
        if upto > self.released_to {
            self.released_to = upto;
        }
    }

    fn apply(&mut self, t: Duration, input: Input) {
        match input {
            Input::KeyDown(k, s) => self.merge_down(k, s, t, false),
            Input::KeyTap(k, s) => self.merge_down(k, s, t, true),
            Input::KeyUp(k, s) => self.merge_up(k, s, t),
            Input::LeftoverDown(k) => {
                if let Some(g) = self.gather.as_mut() {
                    g.handle_key_down(k, t)
                }
            }
            Input::LeftoverUp(k) => self.gather_up(k, t),
            Input::StartContinuous => self.continuous = true,
            Input::StopContinuous => {
                if self.continuous {
                    self.continuous = false;
                    self.tones.push_back(ContinuousEvent::Stopped { at: t });
                }
            }
            _ => {
                let Some(g) = self.gather.as_mut() else {
                    return;
                };
                match input {
                    Input::Start => g.handle_start(t),
                    Input::PromptFinished(id) if g.playing_prompt() == Some(id) => {
                        g.handle_prompt_finished(t)
                    }
                    Input::PromptFailed(id) if g.playing_prompt() == Some(id) => {
                        g.handle_prompt_failed(t)
                    }
                    Input::Cancel => g.handle_cancel(t),
                    Input::Hangup => g.handle_hangup(t),
                    _ => {}
                }
            }
        }
    }
}
