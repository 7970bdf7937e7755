//! The telephone-event [`Sender`]: a press turned into the packets RFC 4733 asks for.

use super::payload::EventBlock;
use super::SEGMENT;

/// Sender settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SenderConfig {
    /// Ticks between packets (400 = 50 ms at 8 kHz, the usual interval).
    pub packet_interval: u32,
    /// How many times the end packet is sent (RFC 4733 §2.5.1.4 recommends three).
    pub end_repeats: u8,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            packet_interval: 400,
            end_repeats: 3,
        }
    }
}

/// One packet the sender asks to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentPacket {
    /// RTP sequence number.
    pub sequence: u16,
    /// RTP timestamp (the segment's start).
    pub timestamp: u32,
    /// The M bit (first packet of the event only).
    pub marker: bool,
    /// The event block.
    pub block: EventBlock,
    /// When to send it: ticks after the event's start.
    pub send_at: u64,
}

/// Turns presses into RFC 4733 packets: the first with the marker bit, updates every
/// `packet_interval` with the cumulative duration, `end_repeats` end packets, and events
/// longer than `0xFFFF` ticks split into segments (§2.5.1.3: each segment ends with duration
/// `0xFFFF`, the next has the timestamp `0xFFFF` later and no marker).
#[derive(Clone, Debug)]
pub struct Sender {
    cfg: SenderConfig,
    seq: u16,
}

impl Sender {
    /// A sender whose first packet will carry sequence number `first_sequence`.
    pub fn new(cfg: SenderConfig, first_sequence: u16) -> Sender {
        Sender {
            cfg,
            seq: first_sequence,
        }
    }

    /// The sequence number the next packet will carry.
    pub fn next_sequence(&self) -> u16 {
        self.seq
    }

    /// The packets for one event (`event` code, `start` timestamp, `duration` ticks — at
    /// least 1 — and `volume` 0–63 meaning −volume dBm0), in sending order.
    pub fn press(&mut self, event: u8, start: u32, duration: u32, volume: u8) -> Vec<SentPacket> {
        let total = duration.max(1) as u64;
        let step = self.cfg.packet_interval.max(1) as u64;
        let seg = SEGMENT as u64;
        let mut times: Vec<u64> = (1..).map(|k| k * step).take_while(|&t| t < total).collect();
        times.extend((1..).map(|k| k * seg).take_while(|&t| t < total));
        times.push(total);
        times.sort_unstable();
        times.dedup();
        let mut out = Vec::with_capacity(times.len() + self.cfg.end_repeats as usize);
        for (i, &t) in times.iter().enumerate() {
            let k = (t - 1) / seg;
            let block = EventBlock {
                event,
                end: t == total,
                volume: volume & 0x3f,
                duration: (t - k * seg) as u16,
            };
            let repeats = if t == total {
                self.cfg.end_repeats.max(1)
            } else {
                1
            };
            for _ in 0..repeats {
                out.push(SentPacket {
                    sequence: self.seq,
                    timestamp: start.wrapping_add((k * seg) as u32),
                    marker: i == 0 && out.is_empty(),
                    block,
                    send_at: t,
                });
                self.seq = self.seq.wrapping_add(1);
            }
        }
        out
    }
}
