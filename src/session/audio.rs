//! In-band audio: released PCMU/PCMA packets into the stream's detector, timestamp gaps
//! filled with silence (gaps longer than two seconds restart the detector).

use super::stream::{AudioPacket, AudioSub};
use super::Session;
use crate::Event;

const SILENCE: [i16; 160] = [0; 160];
const MAX_GAP_TICKS: i64 = 16_000;

impl Session {
    /// Feeds one released audio packet to the detector (silence for a gap before it).
    pub(super) fn play(a: &mut AudioSub, scratch: &mut Vec<(Event, i64)>, p: AudioPacket) {
        Self::play_packet(a, scratch, &p);
        let mut v = p.payload;
        v.clear();
        if a.spare.len() <= a.buf.len() + 1 {
            a.spare.push(v);
        }
    }

    fn play_packet(a: &mut AudioSub, scratch: &mut Vec<(Event, i64)>, p: &AudioPacket) {
        a.released_seq = Some(p.seq);
        let mut payload = &p.payload[..];
        match a.next_ts {
            None => {
                a.det_base = p.ts;
            }
            Some(next) if p.ts > next => {
                let gap = p.ts - next;
                if gap > MAX_GAP_TICKS {
                    let base = a.det_base;
                    a.det.finish(|e| scratch.push((e, base)));
                    a.det.reset();
                    a.det_base = p.ts;
                } else {
                    let mut left = gap as usize;
                    let base = a.det_base;
                    while left > 0 {
                        let n = left.min(SILENCE.len());
                        a.det.process(&SILENCE[..n], |e| scratch.push((e, base)));
                        left -= n;
                    }
                }
            }
            Some(next) if p.ts < next => {
                let overlap = (next - p.ts) as usize;
                if overlap >= payload.len() {
                    return;
                }
                payload = &payload[overlap..];
            }
            Some(_) => {}
        }
        let base = a.det_base;
        if p.alaw {
            a.det.process_alaw(payload, |e| scratch.push((e, base)));
        } else {
            a.det.process_ulaw(payload, |e| scratch.push((e, base)));
        }
        a.next_ts = Some(a.det_base + a.det.position() as i64);
    }
}
