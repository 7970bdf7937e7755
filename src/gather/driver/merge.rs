//! The merge rule: reports of the same key from several sources become one press (see
//! [`Driver`](super::Driver), "Sources and the merge rule").

use super::queue::Input;
use super::state::Core;
use super::ContinuousEvent;
use crate::gather::keys::KeySource;
use crate::key::Key;
use std::time::Duration;

/// One key's merged press: which sources reported it and which still hold it down.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Merged {
    /// Sources holding the key down now.
    held: u8,
    /// Sources that reported this press.
    sources: u8,
    /// The latest end reported so far.
    end: Duration,
    /// Every source released it, but another source's down within the tolerance is queued:
    /// the gather's key up waits for it.
    up_pending: bool,
}

impl Core {
    /// A down of `k` from `s` at `t` (and its up at once for a tap): join the current
    /// press or start a new one (the merge rule in the [`Driver`] docs).
    ///
    /// [`Driver`]: super::Driver
    pub(super) fn merge_down(&mut self, k: Key, s: KeySource, t: Duration, tap: bool) {
        let bit = s.bit();
        let tol = self.tolerance;
        let m = &mut self.presses[k.event_code() as usize];
        let open = m.held != 0 || m.up_pending;
        if open && m.sources & bit == 0 && (m.held != 0 || t <= m.end.saturating_add(tol)) {
            m.sources |= bit;
            if tap {
                m.end = m.end.max(t);
                if m.held == 0 {
                    self.close(k);
                }
            } else {
                m.held |= bit;
                m.up_pending = false;
            }
            return;
        }
        if m.held & bit != 0 {
            return; // a repeat from a source that holds the key
        }
        let pending_end = m.up_pending.then_some(m.end);
        *m = Merged {
            held: if tap { 0 } else { bit },
            sources: bit,
            end: t,
            up_pending: false,
        };
        if let Some(end) = pending_end {
            self.gather_up(k, end);
        }
        if let Some(g) = self.gather.as_mut() {
            g.handle_key_down(k, t);
        }
        if self.continuous {
            self.sequence = self.sequence.wrapping_add(1);
            self.tones.push_back(ContinuousEvent::ToneReceived {
                sequence_id: self.sequence,
                key: k,
                at: t,
            });
        }
        if tap {
            self.close(k);
        }
    }

    pub(super) fn merge_up(&mut self, k: Key, s: KeySource, t: Duration) {
        let bit = s.bit();
        let m = &mut self.presses[k.event_code() as usize];
        if m.held & bit == 0 {
            return;
        }
        m.held &= !bit;
        m.end = m.end.max(t);
        if m.held == 0 {
            self.close(k);
        }
    }

    /// Every source released `k`: end the press, unless another source's down is queued
    /// within the tolerance after its end (it will join).
    fn close(&mut self, k: Key) {
        let m = self.presses[k.event_code() as usize];
        let limit = m.end.saturating_add(self.tolerance);
        let joiner = self.queue.iter().take_while(|q| q.t <= limit).any(|q| {
            matches!(q.input, Input::KeyDown(k2, s2) | Input::KeyTap(k2, s2)
                if k2 == k && m.sources & s2.bit() == 0)
        });
        let m = &mut self.presses[k.event_code() as usize];
        if joiner {
            m.up_pending = true;
        } else {
            m.up_pending = false;
            let end = m.end;
            self.gather_up(k, end);
        }
    }

    pub(super) fn gather_up(&mut self, k: Key, t: Duration) {
        if let Some(g) = self.gather.as_mut() {
            g.handle_key_up(k, t);
        }
    }
}
