//! Key reports of both sources into presses: detector events and telephone-events become
//! parts of an open press, de-duplicated by [`Merge`], and released as [`SessionEvent`]s
//! (see "The same press heard both ways" in the module docs).

use super::stream::Open;
use super::{Merge, Press, Session, SessionEvent, Source};
use crate::rfc4733::{ReceiverEvent, Tone};
use crate::{Event, Key};

impl Session {
    pub(super) fn drain_audio(&mut self, idx: usize, now_ms: f64) {
        let Some(clock) = self.streams[idx].audio.as_ref().and_then(|a| a.clock) else {
            return;
        };
        let evs = std::mem::take(&mut self.scratch);
        for &(ev, base) in &evs {
            match ev {
                Event::KeyDown { key, start, .. } => {
                    let s = clock.ms(base + start as i64);
                    self.part_down(idx, key, 1, s);
                }
                Event::KeyUp { press, .. } => {
                    let s = clock.ms(base + press.start as i64);
                    let e = clock.ms(base + press.end as i64);
                    self.part_up(idx, press.key, 1, s, e, now_ms);
                }
            }
        }
        self.scratch = evs;
        self.scratch.clear();
    }

    pub(super) fn drain_events(&mut self, idx: usize, now_ms: f64) {
        loop {
            let st = &mut self.streams[idx];
            let Some(sub) = st.events.as_mut() else {
                return;
            };
            let Some(ev) = sub.rx.poll() else { return };
            // The clock is set right after the first packet is accepted, before any drain.
            let Some(mut clock) = sub.clock else { continue };
            if clock.rate == 0 {
                clock.rate = st.estimated_rate();
            }
            match ev {
                ReceiverEvent::Down {
                    tone: Tone::Key(k),
                    start,
                    ..
                } => self.part_down(idx, k, 0, clock.ms(start)),
                ReceiverEvent::Up(p) => match p.tone {
                    Tone::Key(k) => {
                        self.part_up(idx, k, 0, clock.ms(p.start), clock.ms(p.end()), now_ms)
                    }
                    Tone::Other(code) => self.out.push_back(SessionEvent::OtherEvent {
                        code,
                        ssrc: self.streams[idx].ssrc,
                        start_ms: clock.ms(p.start),
                        end_ms: clock.ms(p.end()),
                    }),
                },
                ReceiverEvent::Down { .. } => {}
            }
        }
    }

    fn overlaps(&self, o: &Open, s: f64, e: f64) -> bool {
        let (os, oe) = o.interval();
        let k = self.cfg.dedup_slack_ms;
        s <= oe + k && os <= e + k
    }

    fn part_down(&mut self, idx: usize, key: Key, src: usize, start: f64) {
        let ssrc = self.streams[idx].ssrc;
        if self.cfg.merge == Merge::Deduplicate {
            let found = self.streams[idx].open.iter().position(|o| {
                o.key == key
                    && o.parts[src].is_none()
                    && o.parts[1 - src].is_some()
                    && self.overlaps(o, start, f64::INFINITY)
            });
            if let Some(i) = found {
                let o = &mut self.streams[idx].open[i];
                o.parts[src] = Some((start, None));
                o.release_at = None;
                o.needs_event = false;
                return;
            }
        }
        let needs_event = src == 1
            && self.cfg.merge == Merge::Deduplicate
            && !self.cfg.inband_alone_with_events
            && self.streams[idx].events.is_some();
        self.streams[idx].open.push(Open {
            needs_event,
            key,
            parts: if src == 0 {
                [Some((start, None)), None]
            } else {
                [None, Some((start, None))]
            },
            release_at: None,
        });
        if needs_event {
            return;
        }
        self.out.push_back(SessionEvent::Down {
            key,
            ssrc,
            source: if src == 0 {
                Source::Rfc4733
            } else {
                Source::Inband
            },
            at_ms: start,
        });
    }

    fn part_up(&mut self, idx: usize, key: Key, src: usize, start: f64, end: f64, now_ms: f64) {
        let open = &mut self.streams[idx].open;
        let i = match open
            .iter()
            .position(|o| o.key == key && matches!(o.parts[src], Some((_, None))))
        {
            Some(i) => i,
            None => {
                // An Up without a Down seen (cannot happen with the receivers here).
                self.part_down(idx, key, src, start);
                self.streams[idx].open.len() - 1
            }
        };
        let dedup = self.cfg.merge == Merge::Deduplicate;
        let other_possible = dedup
            && if src == 0 {
                self.cfg.inband && self.streams[idx].audio.is_some()
            } else {
                self.cfg.rfc4733
            };
        let hold = self.cfg.hold_ms;
        let o = &mut self.streams[idx].open[i];
        o.parts[src] = Some((start, Some(end)));
        let complete = o.parts.iter().all(|p| !matches!(p, Some((_, None))));
        if complete {
            o.release_at = Some(if o.parts[1 - src].is_some() || !other_possible {
                f64::NEG_INFINITY
            } else {
                end + hold
            });
        }
        self.release_due(now_ms);
    }

    pub(super) fn release_due(&mut self, now_ms: f64) {
        for st in &mut self.streams {
            let mut i = 0;
            while i < st.open.len() {
                let o = st.open[i];
                let ended = o.parts.iter().all(|p| !matches!(p, Some((_, None))));
                if ended && o.release_at.is_some_and(|r| r <= now_ms) {
                    st.open.remove(i);
                    if o.needs_event && st.events.is_some() {
                        continue; // in-band alone on a stream that signals keys out-of-band
                    }
                    let (s, e) = o.interval();
                    self.out.push_back(SessionEvent::Press(Press {
                        start_ms: s,
                        end_ms: e,
                        key: o.key,
                        ssrc: st.ssrc,
                        source: o.source(),
                    }));
                } else {
                    i += 1;
                }
            }
        }
    }
}
