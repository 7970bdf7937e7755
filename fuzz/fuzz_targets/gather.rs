//! The gather machine fed arbitrary configurations and event sequences (and arbitrary Bird
//! request bodies). Invariants checked, not just the absence of panics:
//! * it always finishes once the inputs stop and time runs on (all timeouts are finite);
//! * exactly one `Finished` action, nothing after it;
//! * never more than `max_keys` keys (when set), never an end key in the result unless
//!   `keep_end_keys`, at most `retries + 1` attempts;
//! * deterministic: replaying the same inputs gives the same actions.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use touchtone::gather::{
    Action, Gather, GatherConfig, InputKinds, InvalidKeyPolicy, KeyEvent, PromptFailurePolicy, RetryOn, Validator,
};
use touchtone::{Key, KeySet};

struct Bytes<'a>(&'a [u8]);
impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | u16::from(self.u8()) << 8
    }
    fn bit(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    fn ms(&mut self) -> Duration {
        // 0..~65 s, biased to short.
        let v = self.u16();
        Duration::from_millis(if v & 0x8000 != 0 {
            u64::from(v & 0x7FFF) * 2
        } else {
            u64::from(v & 0x1FFF)
        })
    }
    fn key(&mut self) -> Key {
        Key::ALL[usize::from(self.u8() % 16)]
    }
}

fn config(b: &mut Bytes) -> GatherConfig {
    GatherConfig {
        max_keys: u32::from(b.u8() % 10),
        min_keys: u32::from(b.u8() % 5),
        end_keys: KeySet::EMPTY
            .with(Key::Pound)
            .without(if b.bit() { Key::Pound } else { Key::Star })
            .with(b.key())
            .without(if b.bit() { b.key() } else { Key::D }),
        keep_end_keys: if b.bit() { KeySet::ALL } else { KeySet::EMPTY },
        end_key_required: b.bit(),
        first_key_timeout: b.ms(),
        inter_key_timeout: b.ms(),
        term_timeout: if b.bit() { b.ms() } else { Duration::ZERO },
        overall_timeout: if b.bit() { Some(b.ms() * 4) } else { None },
        partial_timeout_fails: b.bit(),
        valid_keys: if b.bit() {
            KeySet::ALL
        } else {
            KeySet::ALL.without(b.key()).without(b.key())
        },
        invalid_key: if b.bit() {
            InvalidKeyPolicy::Fail
        } else {
            InvalidKeyPolicy::Ignore
        },
        validator: match b.u8() % 4 {
            0 => Some(Validator::new(|s: &str| s.len() % 2 == 0)),
            1 => Some(Validator::new(|s: &str| !s.contains('0'))),
            _ => None,
        },
        retries: u32::from(b.u8() % 4),
        retry_on: RetryOn {
            no_input: b.bit(),
            too_short: b.bit(),
            invalid: b.bit(),
        },
        prompt: b.bit(),
        barge_in: b.bit(),
        keep_keys_during_prompt: b.bit(),
        type_ahead: b.bit(),
        type_ahead_skips_prompt: b.bit(),
        no_input_feedback: b.bit(),
        invalid_feedback: b.bit(),
        cancel_key: if b.u8() % 4 == 0 { Some(b.key()) } else { None },
        prompt_failure: if b.bit() {
            PromptFailurePolicy::Fail
        } else {
            PromptFailurePolicy::StartCollecting
        },
        report_keys: b.bit(),
        input: InputKinds {
            dtmf: b.u8() % 16 != 0,
            speech: b.bit(),
        },
    }
}

/// Run the machine over the inputs; returns every action, in order.
fn run(cfg: &GatherConfig, ops: &[u8]) -> Vec<Action> {
    let mut g = Gather::new(cfg.clone()).expect("validated config");
    let mut b = Bytes(ops);
    let mut t = Duration::ZERO;
    let mut actions = Vec::new();
    let mut down: Vec<Key> = Vec::new();
    // Type-ahead.
    let n_ahead = b.u8() % 4;
    let ahead: Vec<KeyEvent> = (0..n_ahead)
        .map(|i| {
            let d = Duration::from_millis(u64::from(i) * 100);
            KeyEvent {
                key: b.key(),
                down: d,
                up: Some(d + Duration::from_millis(50)),
            }
        })
        .collect();
    g.handle_type_ahead(&ahead);
    t += Duration::from_millis(500);
    g.handle_start(t);
    let mut steps = 0;
    while !b.0.is_empty() && steps < 400 {
        steps += 1;
        let op = b.u8();
        // Time mostly moves forward; sometimes it stands still or goes back (the machine
        // must treat a late input as happening at its latest time).
        match op >> 5 {
            0 => {}
            7 => t = t.saturating_sub(b.ms()),
            _ => t += b.ms(),
        }
        match op % 10 {
            0 | 1 | 2 => {
                let k = b.key();
                g.handle_key_down(k, t);
                down.push(k);
            }
            3 | 4 => {
                if let Some(k) = down.pop() {
                    g.handle_key_up(k, t);
                } else {
                    g.handle_key_up(b.key(), t);
                }
            }
            5 => g.handle_prompt_finished(t),
            6 => g.handle_prompt_failed(t),
            7 => {
                if let Some(d) = g.next_deadline() {
                    t = t.max(d);
                    g.handle_timeout(t);
                } else {
                    g.handle_timeout(t);
                }
            }
            8 => {
                if b.u8() % 8 == 0 {
                    g.handle_cancel(t)
                } else {
                    g.handle_timeout(t)
                }
            }
            _ => {
                if b.u8() % 8 == 0 {
                    g.handle_hangup(t)
                }
            }
        }
        while let Some(a) = g.poll_action() {
            actions.push(a);
        }
    }
    // The caller stops: release held keys, let prompts end, let time run on.
    for k in down.drain(..).rev() {
        g.handle_key_up(k, t);
    }
    let mut guard = 0;
    while !g.is_finished() {
        guard += 1;
        assert!(guard < 10_000, "gather never finishes: {cfg:?} {actions:?}");
        if g.playing_prompt().is_some() {
            g.handle_prompt_finished(t);
        } else if let Some(d) = g.next_deadline() {
            assert!(
                d <= t + Duration::from_secs(86_400 * 4),
                "deadline {d:?} at {t:?}"
            );
            t = t.max(d);
            g.handle_timeout(t);
        } else {
            panic!("not finished, no prompt, no deadline: {cfg:?} {actions:?}");
        }
        while let Some(a) = g.poll_action() {
            actions.push(a);
        }
    }
    while let Some(a) = g.poll_action() {
        actions.push(a);
    }
    actions
}

fn check(cfg: &GatherConfig, actions: &[Action]) {
    let finished: Vec<usize> = actions
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a, Action::Finished(_)))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(finished.len(), 1, "{actions:?}");
    assert_eq!(
        finished[0],
        actions.len() - 1,
        "actions after Finished: {actions:?}"
    );
    let Action::Finished(r) = &actions[finished[0]] else {
        unreachable!()
    };
    if cfg.max_keys > 0 {
        assert!(r.events.len() <= cfg.max_keys as usize, "{cfg:?} {r:?}");
        let body = r
            .keys
            .chars()
            .filter(|&c| {
                !(Key::from_char(c).is_some_and(|k| cfg.keep_end_keys.contains(k) && cfg.end_keys.contains(k)))
            })
            .count();
        assert!(body <= cfg.max_keys as usize, "{cfg:?} {r:?}");
    }
    if cfg.keep_end_keys.is_empty() {
        for c in r.keys.chars() {
            let k = Key::from_char(c).expect("result keys are keys");
            assert!(
                !cfg.end_keys.contains(k),
                "end key {c} in result: {cfg:?} {r:?}"
            );
        }
    }
    assert!(
        r.attempts >= 1 && r.attempts <= cfg.retries + 1,
        "{cfg:?} {r:?}"
    );
    assert!(r.start <= r.end, "{r:?}");
    let _ = r.reason.to_string();
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        // A Bird request body: parse; a valid one gives a valid configuration.
        if let Ok(s) = std::str::from_utf8(data) {
            match touchtone::gather::bird::BirdRequest::parse(s) {
                Ok(req) => {
                    let cfg = req.config();
                    let g = Gather::new(cfg.clone());
                    assert!(g.is_ok(), "parsed body gives a bad config: {:?}", g.err());
                    let actions = run(&cfg, b"\x00\x03\x01\x03\x0b\x04\x07");
                    check(&cfg, &actions);
                }
                Err(e) => {
                    let _ = e.to_json();
                }
            }
        }
        return;
    }
    let mut b = Bytes(data);
    let cfg = config(&mut b);
    let cfg = match Gather::new(cfg.clone()) {
        Ok(_) => cfg,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let ops = b.0;
    let first = run(&cfg, ops);
    check(&cfg, &first);
    let again = run(&cfg, ops);
    assert_eq!(first, again, "not deterministic");
});
