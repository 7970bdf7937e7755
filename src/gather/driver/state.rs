//! `Core`: the driver's state apart from the detector (so the detector's callback can
//! queue into it), its clock and horizon, hand-over to the next gather, and collecting the
//! gather's actions.

use super::merge::Merged;
use super::queue::{Input, Item};
use super::ContinuousEvent;
use crate::detector::Event;
use crate::gather::keys::{KeySource, MergePolicy};
use crate::gather::machine::{Action, Gather};
use crate::gather::samples_to_time;
use std::collections::VecDeque;
use std::time::Duration;

/// Everything but the detector (so the detector's callback can queue into it).
#[derive(Clone, Debug)]
pub(super) struct Core {
    pub(super) gather: Option<Gather>,
    pub(super) rate: u32,
    pub(super) latency: Duration,
    pub(super) tie_margin: Duration,
    pub(super) tolerance: Duration,
    pub(super) policy: MergePolicy,
    pub(super) prompt_len: Option<Duration>,
    pub(super) queue: VecDeque<Item>,
    pub(super) seq: u64,
    /// Samples fed since `audio_origin`.
    pub(super) samples: u64,
    pub(super) audio_origin: Duration,
    pub(super) now: Duration,
    pub(super) released_to: Duration,
    pub(super) ended: bool,
    pub(super) presses: [Merged; 16],
    pub(super) continuous: bool,
    pub(super) sequence: u32,
    pub(super) out: VecDeque<Action>,
    pub(super) tones: VecDeque<ContinuousEvent>,
}

impl Core {
    /// Replace the gather by `next`, started at `at`: the old one's leftover keys down
    /// before `at` become `next`'s type-ahead, later ones are queued again at their own
    /// times; the old one's prompt reports are dropped. Returns the old gather.
    pub(super) fn hand_over(&mut self, mut next: Gather, at: Duration) -> Option<Gather> {
        let mut old = self.gather.take();
        let leftover = old.as_mut().map(Gather::take_leftover).unwrap_or_default();
        let (before, after): (Vec<_>, Vec<_>) = leftover.into_iter().partition(|e| e.down < at);
        next.handle_type_ahead(&before);
        self.gather = Some(next);
        self.queue
            .retain(|q| !matches!(q.input, Input::PromptFinished(_) | Input::PromptFailed(_)));
        for ev in after {
            self.push(ev.down, Input::LeftoverDown(ev.key));
            if let Some(up) = ev.up {
                self.push(up, Input::LeftoverUp(ev.key));
            }
        }
        self.push(at, Input::Start);
        self.release(self.released_to);
        old
    }

    pub(super) fn audio_end(&self) -> Duration {
        self.audio_origin
            .saturating_add(samples_to_time(self.samples, self.rate))
    }

    /// The tie margin in force: none once the stream has ended (no key can come any more)
    /// or when no in-band key is taken.
    pub(super) fn margin(&self) -> Duration {
        if self.ended || !self.policy.admits(KeySource::InBand) {
            Duration::ZERO
        } else {
            self.tie_margin
        }
    }

    /// How far behind `now` inputs are handed over.
    pub(super) fn wait(&self) -> Duration {
        if self.ended {
            return Duration::ZERO;
        }
        let merge = match self.policy {
            MergePolicy::InBandOnly => Duration::ZERO,
            _ => self.tolerance,
        };
        self.latency.saturating_add(merge)
    }

    pub(super) fn horizon(&self) -> Duration {
        self.now.saturating_sub(self.wait())
    }

    pub(super) fn audio_fed(&mut self, n: usize) {
        self.samples += n as u64;
        self.now = self.now.max(self.audio_end());
        self.release(self.horizon());
    }

    pub(super) fn detected(&mut self, e: Event) {
        let at = |s: u64| {
            self.audio_origin
                .saturating_add(samples_to_time(s, self.rate))
        };
        let (t, input) = match e {
            Event::KeyDown { key, start, .. } => {
                (at(start), Input::KeyDown(key, KeySource::InBand))
            }
            Event::KeyUp { press, .. } => {
                (at(press.end), Input::KeyUp(press.key, KeySource::InBand))
            }
        };
        self.push(t, input);
    }

    pub(super) fn collect(&mut self) {
        if let Some(mut g) = self.gather.take() {
            self.collect_from(&mut g);
            self.gather = Some(g);
        }
    }

    pub(super) fn collect_from(&mut self, g: &mut Gather) {
        while let Some(a) = g.poll_action() {
            if let (Action::PlayPrompt { id, at, .. }, Some(len)) = (&a, self.prompt_len) {
                let (id, end) = (*id, at.saturating_add(len));
                self.insert(end, Input::PromptFinished(id));
            }
            self.out.push_back(a);
        }
    }
}
