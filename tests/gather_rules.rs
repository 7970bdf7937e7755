//! One test per rule and edge case of `docs/gather.md`, on a virtual clock.
//! Expected times are computed from the scripted key times and the configured timeouts.

use std::time::Duration;
use touchtone::gather::{
    seconds, Action, Gather, GatherConfig, GatherConfigError, GatherResult, InputKinds,
    InvalidKeyPolicy, KeyEvent, PromptFailurePolicy, PromptKind, Reason, RetryOn, Validator,
};
use touchtone::{Key, KeySet};

fn ms(x: u64) -> Duration {
    Duration::from_millis(x)
}

fn key(c: char) -> Key {
    Key::from_char(c).unwrap()
}

/// A host on a virtual clock.
struct Sim {
    g: Gather,
    actions: Vec<Action>,
}

impl Sim {
    fn new(cfg: GatherConfig) -> Sim {
        Sim {
            g: Gather::new(cfg).unwrap(),
            actions: Vec::new(),
        }
    }
    fn drain(&mut self) {
        while let Some(a) = self.g.poll_action() {
            self.actions.push(a);
        }
    }
    fn start(&mut self, t: u64) -> &mut Self {
        self.g.handle_start(ms(t));
        self.drain();
        self
    }
    fn down(&mut self, c: char, t: u64) -> &mut Self {
        self.g.handle_key_down(key(c), ms(t));
        self.drain();
        self
    }
    fn up(&mut self, c: char, t: u64) -> &mut Self {
        self.g.handle_key_up(key(c), ms(t));
        self.drain();
        self
    }
    /// Press `c` from `t` for 100 ms.
    fn press(&mut self, c: char, t: u64) -> &mut Self {
        self.down(c, t).up(c, t + 100)
    }
    fn prompt_end(&mut self, t: u64) -> &mut Self {
        self.g.handle_prompt_finished(ms(t));
        self.drain();
        self
    }
    /// Wake the machine at each deadline until it finishes (bounded).
    fn run_out(&mut self) -> GatherResult {
        self.wake();
        self.result()
    }
    fn wake(&mut self) {
        for _ in 0..100 {
            if self.g.is_finished() {
                break;
            }
            let Some(d) = self.g.next_deadline() else {
                break;
            };
            self.g.handle_timeout(d);
            self.drain();
        }
    }
    fn result(&self) -> GatherResult {
        self.g.result().cloned().expect("gather finished")
    }
    fn prompts(&self) -> Vec<(u32, PromptKind, Duration)> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::PlayPrompt {
                    attempt, kind, at, ..
                } => Some((*attempt, *kind, *at)),
                _ => None,
            })
            .collect()
    }
    fn stops(&self) -> Vec<Duration> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::StopPrompt { at, .. } => Some(*at),
                _ => None,
            })
            .collect()
    }
    fn failures(&self) -> Vec<(u32, Reason, Duration)> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::AttemptFailed {
                    attempt,
                    reason,
                    at,
                } => Some((*attempt, *reason, *at)),
                _ => None,
            })
            .collect()
    }
    fn leftover(&self) -> String {
        self.g.leftover().iter().map(|e| e.key.to_char()).collect()
    }
}

fn with_prompt() -> GatherConfig {
    GatherConfig {
        prompt: true,
        ..Default::default()
    }
}

/// Both timeouts `s` seconds.
fn secs_cfg(s: u64) -> GatherConfig {
    GatherConfig {
        first_key_timeout: Duration::from_secs(s),
        inter_key_timeout: Duration::from_secs(s),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- defaults (rule 7)

#[test]
fn rule7_defaults_are_bird() {
    let c = GatherConfig::default();
    assert_eq!(c.max_keys, 0);
    assert_eq!(c.end_keys, KeySet::one(Key::Pound));
    assert_eq!(c.first_key_timeout, ms(5000));
    assert_eq!(c.inter_key_timeout, ms(5000));
    assert_eq!(c.retries, 0);
    assert_eq!(c.min_keys, 1);
    assert!(c.barge_in);
    assert_eq!(c.term_timeout, Duration::ZERO);
    assert_eq!(c.overall_timeout, None);
}

#[test]
fn reason_names() {
    let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "max_keys",
            "end_key",
            "timeout",
            "no_input",
            "too_short",
            "invalid",
            "term_timeout",
            "overall_timeout",
            "cancelled",
            "hangup",
            "prompt_failed"
        ]
    );
    assert_eq!(Reason::TermTimeout.to_string(), "term_timeout");
}

// ---------------------------------------------------------------- rule 1: prompt, timers

#[test]
fn rule1_no_timer_while_prompt_plays_then_first_key_timer() {
    let mut s = Sim::new(with_prompt());
    s.start(1000);
    assert_eq!(s.prompts(), vec![(1, PromptKind::Initial, ms(1000))]);
    s.g.handle_timeout(ms(6500));
    assert_eq!(s.g.next_deadline(), None, "no timer while the prompt plays");
    assert!(
        !s.g.is_finished(),
        "5.5 s after the start, still waiting for the prompt"
    );
    s.prompt_end(7000);
    assert_eq!(s.g.next_deadline(), Some(ms(12_000)));
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.success, r.end),
        (Reason::NoInput, false, ms(12_000))
    );
}

#[test]
fn rule1_without_prompt_timer_starts_at_start() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(200);
    assert!(s.prompts().is_empty());
    assert_eq!(s.g.next_deadline(), Some(ms(5200)));
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.end, r.attempts),
        (Reason::NoInput, ms(5200), 1)
    );
    assert_eq!(r.keys, "");
}

// ---------------------------------------------------------------- rule 2: barge-in

#[test]
fn rule2_barge_in_stops_prompt_and_starts_inter_key_timer() {
    let mut s = Sim::new(with_prompt());
    s.start(0).down('1', 800);
    assert_eq!(s.stops(), vec![ms(800)]);
    assert_eq!(s.g.next_deadline(), None, "key held");
    s.up('1', 900);
    // The inter-key timer runs from the key's up, not from a prompt end.
    assert_eq!(s.g.next_deadline(), Some(ms(5900)));
    s.prompt_end(3000); // late report of the stopped prompt: ignored
    let r = s.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("1", Reason::Timeout, true, ms(5900))
    );
}

#[test]
fn rule2_barge_in_off_discards_keys_during_prompt() {
    let mut s = Sim::new(GatherConfig {
        barge_in: false,
        ..with_prompt()
    });
    s.start(0).press('1', 800).press('2', 1200);
    assert!(s.stops().is_empty());
    s.prompt_end(3000);
    let r = s.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("", Reason::NoInput, ms(8000))
    );
}

#[test]
fn barge_in_off_keeps_keys_for_later_when_asked() {
    let mut s = Sim::new(GatherConfig {
        barge_in: false,
        keep_keys_during_prompt: true,
        ..with_prompt()
    });
    s.start(0).press('1', 800).press('2', 1200);
    assert!(s.stops().is_empty());
    s.prompt_end(3000);
    // Kept keys are collected when the prompt ends; the inter-key timer starts then.
    assert_eq!(s.g.next_deadline(), Some(ms(8000)));
    let r = s.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("12", Reason::Timeout, ms(8000))
    );
    assert_eq!(r.events[0].down, ms(800), "keys keep their own times");
}

// ---------------------------------------------------------------- rule 3: keys, end key, max

#[test]
fn rule3_end_key_finishes_and_is_not_in_result() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).press('1', 1000).press('2', 1500).down('#', 2000);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::EndKey, true, ms(2000))
    );
    assert_eq!(r.end_key.map(|e| e.key), Some(Key::Pound));
}

#[test]
fn rule3_max_keys_finishes_at_the_key_down() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 3,
        ..Default::default()
    });
    s.start(0).press('1', 1000).press('2', 1500).down('3', 2000);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("123", Reason::MaxKeys, true, ms(2000))
    );
}

#[test]
fn key_events_carry_their_times() {
    let mut s = Sim::new(GatherConfig {
        report_keys: true,
        ..Default::default()
    });
    s.start(0)
        .down('4', 1000)
        .up('4', 1080)
        .down('2', 1300)
        .up('2', 1390);
    let r = s.run_out();
    assert_eq!(
        r.events,
        vec![
            KeyEvent {
                key: Key::K4,
                down: ms(1000),
                up: Some(ms(1080))
            },
            KeyEvent {
                key: Key::K2,
                down: ms(1300),
                up: Some(ms(1390))
            }
        ]
    );
    let reported: Vec<Key> = s
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Key(e) => Some(e.key),
            _ => None,
        })
        .collect();
    assert_eq!(reported, vec![Key::K4, Key::K2]);
    assert_eq!(r.end, ms(1390 + 5000));
}

// ---------------------------------------------------------------- rule 4: inter-key timer

#[test]
fn rule4_held_key_stops_the_timer() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).down('5', 1000);
    assert_eq!(s.g.next_deadline(), None);
    s.g.handle_timeout(ms(8000)); // longer than the timeout: nothing fires
    assert!(!s.g.is_finished());
    s.up('5', 9000);
    let r = s.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("5", Reason::Timeout, ms(14_000))
    );
}

#[test]
fn rule4_separate_inter_key_timeout() {
    let mut s = Sim::new(GatherConfig {
        first_key_timeout: ms(7000),
        inter_key_timeout: ms(2000),
        ..Default::default()
    });
    s.start(0);
    assert_eq!(s.g.next_deadline(), Some(ms(7000)));
    s.press('1', 6000);
    let r = s.run_out();
    assert_eq!((r.reason, r.end), (Reason::Timeout, ms(8100)));
}

#[test]
fn partial_timeout_below_and_above_min_keys() {
    let cfg = GatherConfig {
        min_keys: 3,
        ..Default::default()
    };
    let mut below = Sim::new(cfg.clone());
    below.start(0).press('1', 1000).press('2', 2000);
    let r = below.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::TooShort, false, ms(7100))
    );
    let mut above = Sim::new(cfg);
    above
        .start(0)
        .press('1', 1000)
        .press('2', 2000)
        .press('3', 3000);
    let r = above.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("123", Reason::Timeout, true, ms(8100))
    );
}

#[test]
fn partial_timeout_as_failure() {
    let mut s = Sim::new(GatherConfig {
        partial_timeout_fails: true,
        max_keys: 4,
        ..Default::default()
    });
    s.start(0).press('1', 1000).press('2', 2000);
    let r = s.run_out();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::Timeout, false, ms(7100))
    );
}

// ---------------------------------------------------------------- rules 5 and 6: no input

#[test]
fn rule6_end_key_alone_is_no_input() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).down('#', 1200);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("", Reason::NoInput, false, ms(1200))
    );
    assert_eq!(r.end_key, None);
}

#[test]
fn end_key_alone_with_min_keys_zero_is_an_empty_success() {
    let mut s = Sim::new(GatherConfig {
        min_keys: 0,
        ..Default::default()
    });
    s.start(0).down('#', 1200);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success),
        ("", Reason::EndKey, true)
    );
}

#[test]
fn rule5_retries_replay_prompt_and_reset_per_attempt_state() {
    let mut s = Sim::new(GatherConfig {
        retries: 2,
        min_keys: 2,
        ..with_prompt()
    });
    s.start(0).prompt_end(3000);
    // Attempt 1: one key, too short at its up + 5 s.
    s.press('7', 4000);
    s.g.handle_timeout(ms(9100));
    s.drain();
    assert_eq!(s.failures(), vec![(1, Reason::TooShort, ms(9100))]);
    assert_eq!(
        s.prompts(),
        vec![
            (1, PromptKind::Initial, ms(0)),
            (2, PromptKind::Retry, ms(9100))
        ]
    );
    assert_eq!(s.g.next_deadline(), None, "retry prompt playing");
    // Attempt 2: no input.
    s.prompt_end(12_000);
    s.g.handle_timeout(ms(17_000));
    s.drain();
    assert_eq!(s.failures()[1], (2, Reason::NoInput, ms(17_000)));
    // Attempt 3: keys; the 7 of attempt 1 is gone.
    s.prompt_end(20_000)
        .press('1', 21_000)
        .press('2', 21_500)
        .down('#', 22_000);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.attempts),
        ("12", Reason::EndKey, true, 3)
    );
    assert_eq!(s.prompts().len(), 3);
}

#[test]
fn rule5_without_retries_left_no_input_finishes() {
    let mut s = Sim::new(GatherConfig {
        retries: 1,
        ..Default::default()
    });
    s.start(0);
    let r = s.run_out();
    // Two attempts of 5 s each, no prompt.
    assert_eq!(
        (r.reason, r.attempts, r.end),
        (Reason::NoInput, 2, ms(10_000))
    );
    assert_eq!(
        s.failures(),
        vec![
            (1, Reason::NoInput, ms(5000)),
            (2, Reason::NoInput, ms(10_000))
        ]
    );
}

#[test]
fn feedback_prompts_before_retry() {
    let mut s = Sim::new(GatherConfig {
        retries: 1,
        no_input_feedback: true,
        invalid_feedback: true,
        ..with_prompt()
    });
    s.start(0).prompt_end(1000);
    s.g.handle_timeout(ms(6000));
    s.drain();
    assert_eq!(
        s.prompts(),
        vec![
            (1, PromptKind::Initial, ms(0)),
            (1, PromptKind::NoInputFeedback, ms(6000))
        ]
    );
    s.prompt_end(7000);
    assert_eq!(s.prompts()[2], (2, PromptKind::Retry, ms(7000)));
    s.prompt_end(9000).press('1', 9500).down('#', 10_000);
    assert_eq!(s.result().reason, Reason::EndKey);
    assert_eq!(s.result().attempts, 2);
}

#[test]
fn retry_only_for_no_input_when_asked() {
    let mut s = Sim::new(GatherConfig {
        retries: 3,
        min_keys: 2,
        retry_on: RetryOn::NO_INPUT_ONLY,
        ..Default::default()
    });
    s.start(0).press('1', 1000).down('#', 1500);
    let r = s.result();
    assert_eq!(
        (r.reason, r.attempts, r.keys.as_str()),
        (Reason::TooShort, 1, "1")
    );
}

// ---------------------------------------------------------------- rule 8: ties

#[test]
fn rule8_key_exactly_at_the_first_key_deadline_wins() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).down('3', 5000);
    assert!(!s.g.is_finished());
    s.up('3', 5100);
    let r = s.run_out();
    assert_eq!((r.keys.as_str(), r.reason), ("3", Reason::Timeout));
}

#[test]
fn rule8_key_exactly_at_the_inter_key_deadline_wins() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).press('1', 1000).down('2', 6100);
    assert!(!s.g.is_finished());
    s.up('2', 6200);
    assert_eq!(s.run_out().keys, "12");
}

#[test]
fn rule8_a_key_one_ms_late_loses() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).press('1', 1000).down('2', 6101);
    let r = s.result();
    assert_eq!((r.keys.as_str(), r.end), ("1", ms(6100)));
    assert_eq!(s.leftover(), "2");
}

// ---------------------------------------------------------------- rule 9: leftovers, type-ahead

#[test]
fn max_then_late_end_key_with_term_timeout_zero_is_left_over() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 2,
        ..Default::default()
    });
    s.start(0).press('1', 1000).down('2', 1500);
    assert_eq!(s.result().reason, Reason::MaxKeys);
    s.up('2', 1600).press('#', 1800);
    assert_eq!(s.result().end, ms(1500));
    assert_eq!(s.leftover(), "#");
    assert_eq!(s.g.leftover()[0].up, Some(ms(1900)));
}

#[test]
fn max_then_end_key_within_term_timeout() {
    let cfg = GatherConfig {
        max_keys: 2,
        term_timeout: ms(500),
        ..Default::default()
    };
    // End key inside the term timeout: consumed, reason end_key.
    let mut s = Sim::new(cfg.clone());
    s.start(0).press('1', 1000).press('2', 1500);
    assert_eq!(
        s.g.next_deadline(),
        Some(ms(2100)),
        "term timer from the up"
    );
    s.down('#', 1900);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::EndKey, true, ms(1900))
    );
    assert!(s.g.leftover().is_empty());
    // End key after it: term_timeout, and the end key is left over.
    let mut s = Sim::new(cfg.clone());
    s.start(0).press('1', 1000).press('2', 1500).down('#', 2300);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::TermTimeout, true, ms(2100))
    );
    assert_eq!(s.leftover(), "#");
    // Another key inside the term timeout: finishes as max_keys, the key is left over.
    let mut s = Sim::new(cfg);
    s.start(0).press('1', 1000).press('2', 1500).down('9', 1700);
    let r = s.result();
    assert_eq!((r.reason, r.end), (Reason::MaxKeys, ms(1700)));
    assert_eq!(s.leftover(), "9");
}

fn typed(keys: &str, from: u64) -> Vec<KeyEvent> {
    keys.chars()
        .enumerate()
        .map(|(i, c)| KeyEvent {
            key: key(c),
            down: ms(from + 200 * i as u64),
            up: Some(ms(from + 200 * i as u64 + 100)),
        })
        .collect()
}

#[test]
fn type_ahead_that_completes_skips_the_prompt() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 4,
        ..with_prompt()
    });
    s.g.handle_type_ahead(&typed("1234", 0));
    s.start(2000);
    assert!(s.prompts().is_empty(), "the prompt is skipped");
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("1234", Reason::MaxKeys, true, ms(2000))
    );
}

#[test]
fn type_ahead_by_key_down_before_start_and_end_key() {
    let mut s = Sim::new(with_prompt());
    s.press('4', 100).press('2', 300).down('#', 500);
    s.start(1000);
    assert!(s.prompts().is_empty());
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("42", Reason::EndKey, ms(1000))
    );
}

#[test]
fn surplus_type_ahead_is_left_over() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 4,
        ..Default::default()
    });
    s.g.handle_type_ahead(&typed("123456", 0));
    s.start(2000);
    assert_eq!(s.result().keys, "1234");
    assert_eq!(s.leftover(), "56");
    // ...and the next gather takes them as its type-ahead.
    let left = s.g.take_leftover();
    let mut next = Sim::new(GatherConfig {
        max_keys: 2,
        ..Default::default()
    });
    next.g.handle_type_ahead(&left);
    next.start(2500);
    assert_eq!(next.result().keys, "56");
}

#[test]
fn incomplete_type_ahead_with_barge_in_collects_without_prompt() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 4,
        ..with_prompt()
    });
    s.g.handle_type_ahead(&typed("12", 0));
    s.start(2000);
    assert!(s.prompts().is_empty());
    assert_eq!(s.g.next_deadline(), Some(ms(7000)));
    s.press('3', 3000).down('4', 3500);
    assert_eq!(s.result().keys, "1234");
}

#[test]
fn type_ahead_flushed_when_off() {
    let mut s = Sim::new(GatherConfig {
        type_ahead: false,
        ..Default::default()
    });
    s.g.handle_type_ahead(&typed("12#", 0));
    s.start(1000);
    assert_eq!(s.run_out().reason, Reason::NoInput);
}

#[test]
fn type_ahead_waits_for_prompt_when_not_allowed_to_skip() {
    let mut s = Sim::new(GatherConfig {
        max_keys: 2,
        type_ahead_skips_prompt: false,
        ..with_prompt()
    });
    s.g.handle_type_ahead(&typed("12", 0));
    s.start(1000);
    assert_eq!(s.prompts().len(), 1);
    assert!(!s.g.is_finished());
    s.prompt_end(4000);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.end),
        ("12", Reason::MaxKeys, ms(4000))
    );
}

// ---------------------------------------------------------------- rule 10

#[test]
fn rule10_end_key_below_min_keys_is_too_short_and_retries() {
    let mut s = Sim::new(GatherConfig {
        min_keys: 3,
        retries: 1,
        ..Default::default()
    });
    s.start(0).press('1', 1000).down('#', 1500);
    assert_eq!(s.failures(), vec![(1, Reason::TooShort, ms(1500))]);
    assert!(!s.g.is_finished());
    s.up('#', 1600);
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.attempts, r.keys.as_str()),
        (Reason::NoInput, 2, "")
    );
}

#[test]
fn rule10_failed_gather_reports_last_attempt_keys() {
    let mut s = Sim::new(GatherConfig {
        min_keys: 4,
        ..Default::default()
    });
    s.start(0).press('9', 1000).press('8', 1500);
    let r = s.run_out();
    assert_eq!((r.keys.as_str(), r.success), ("98", false));
}

// ---------------------------------------------------------------- rule 11

#[test]
fn rule11_key_exactly_at_prompt_end_is_not_barge_in() {
    let mut s = Sim::new(GatherConfig {
        barge_in: false,
        ..with_prompt()
    });
    s.start(0).prompt_end(3000).press('5', 3000);
    assert!(s.stops().is_empty());
    let r = s.run_out();
    assert_eq!((r.keys.as_str(), r.end), ("5", ms(8100)));
    // One millisecond earlier it is during the prompt and discarded.
    let mut s = Sim::new(GatherConfig {
        barge_in: false,
        ..with_prompt()
    });
    s.start(0).press('5', 2999).prompt_end(3000);
    assert_eq!(s.run_out().keys, "");
}

// ---------------------------------------------------------------- rule 12

#[test]
fn rule12_bad_configs_are_refused_with_field_and_value() {
    let e = Gather::new(GatherConfig {
        min_keys: 5,
        max_keys: 4,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        e,
        GatherConfigError::MinAboveMax {
            min_keys: 5,
            max_keys: 4
        }
    );
    assert!(e.to_string().contains("min_keys 5"));
    let e = seconds("timeout", -1.0).unwrap_err();
    assert!(e.to_string().contains("timeout -1"));
    assert!(seconds("timeout", f64::INFINITY).is_err());
    let e = GatherConfig::default()
        .with_timeout_secs(f64::NAN)
        .unwrap_err();
    assert!(matches!(
        e,
        GatherConfigError::Timeout {
            field: "timeout",
            ..
        }
    ));
    let e = Gather::new(GatherConfig {
        input: InputKinds {
            dtmf: false,
            speech: true,
        },
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("\"speech\""));
    let e = Gather::new(GatherConfig {
        end_key_required: true,
        end_keys: KeySet::EMPTY,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e, GatherConfigError::EndKeyRequiredWithoutEndKey);
    let e = Gather::new(GatherConfig {
        cancel_key: Some(Key::Pound),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e, GatherConfigError::CancelKeyIsEndKey(Key::Pound));
    assert!(KeySet::from_chars("1x").is_err());
    // min_keys above max with max 0 (no limit) is fine.
    assert!(Gather::new(GatherConfig {
        min_keys: 5,
        ..Default::default()
    })
    .is_ok());
}

// ---------------------------------------------------------------- hangup, cancel, prompt failure

#[test]
fn hangup_returns_what_was_collected() {
    let mut s = Sim::new(with_prompt());
    s.start(0).press('1', 500).press('2', 900);
    s.g.handle_hangup(ms(2000));
    s.drain();
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("12", Reason::Hangup, false, ms(2000))
    );
}

#[test]
fn hangup_during_prompt_sends_no_stop() {
    let mut s = Sim::new(with_prompt());
    s.start(0);
    s.g.handle_hangup(ms(700));
    s.drain();
    assert!(s.stops().is_empty());
    assert_eq!(s.result().reason, Reason::Hangup);
}

#[test]
fn cancel_returns_what_was_collected_and_stops_the_prompt() {
    let mut s = Sim::new(GatherConfig {
        barge_in: false,
        keep_keys_during_prompt: false,
        ..with_prompt()
    });
    s.start(0).prompt_end(1000).press('3', 1500);
    s.g.handle_cancel(ms(2000));
    s.drain();
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.success, r.end),
        ("3", Reason::Cancelled, false, ms(2000))
    );
    let mut s = Sim::new(with_prompt());
    s.start(0);
    s.g.handle_cancel(ms(400));
    s.drain();
    assert_eq!(s.stops(), vec![ms(400)]);
}

#[test]
fn prompt_failure_starts_collecting_by_default() {
    let mut s = Sim::new(with_prompt());
    s.start(0);
    s.g.handle_prompt_failed(ms(500));
    s.drain();
    assert_eq!(s.g.next_deadline(), Some(ms(5500)));
    s.press('1', 1000).down('#', 1500);
    assert_eq!(s.result().reason, Reason::EndKey);
}

#[test]
fn prompt_failure_can_fail_the_gather() {
    let mut s = Sim::new(GatherConfig {
        prompt_failure: PromptFailurePolicy::Fail,
        retries: 2,
        ..with_prompt()
    });
    s.start(0);
    s.g.handle_prompt_failed(ms(500));
    s.drain();
    let r = s.result();
    assert_eq!(
        (r.reason, r.success, r.end, r.attempts),
        (Reason::PromptFailed, false, ms(500), 1)
    );
    assert!(s.stops().is_empty(), "a failed prompt is not playing");
}

// ---------------------------------------------------------------- superset settings

#[test]
fn several_end_keys_and_keeping_the_end_key() {
    let mut s = Sim::new(GatherConfig {
        end_keys: KeySet::from_chars("*#").unwrap(),
        keep_end_keys: KeySet::from_chars("*#").unwrap(),
        ..Default::default()
    });
    s.start(0).press('1', 500).down('*', 900);
    let r = s.result();
    assert_eq!((r.keys.as_str(), r.reason), ("1*", Reason::EndKey));
    assert_eq!(r.events.len(), 1);
}

#[test]
fn no_end_key_means_timeout_or_max_only() {
    let mut s = Sim::new(GatherConfig {
        end_keys: KeySet::EMPTY,
        ..Default::default()
    });
    s.start(0).press('#', 500);
    let r = s.run_out();
    assert_eq!((r.keys.as_str(), r.reason), ("#", Reason::Timeout));
}

#[test]
fn end_key_required() {
    let cfg = GatherConfig {
        end_key_required: true,
        max_keys: 3,
        ..Default::default()
    };
    let mut s = Sim::new(cfg.clone());
    s.start(0).press('1', 500).press('2', 800).down('#', 1100);
    assert_eq!(
        (s.result().reason, s.result().keys.as_str()),
        (Reason::EndKey, "12")
    );
    // A timeout without the end key fails: 900 + 5000.
    let mut s = Sim::new(cfg.clone());
    s.start(0).press('1', 500).press('2', 800);
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.success, r.end),
        (Reason::Invalid, false, ms(5900))
    );
}

#[test]
fn overall_timeout_spans_prompts_and_attempts() {
    let mut s = Sim::new(GatherConfig {
        overall_timeout: Some(ms(12_000)),
        retries: 5,
        ..with_prompt()
    });
    s.start(1000);
    assert_eq!(s.g.next_deadline(), Some(ms(13_000)));
    s.prompt_end(3000);
    s.g.handle_timeout(ms(8000)); // attempt 1 no input, retry prompt starts
    s.drain();
    assert_eq!(s.prompts().len(), 2);
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.success, r.end, r.attempts),
        (Reason::OverallTimeout, false, ms(13_000), 2)
    );
    assert_eq!(s.stops(), vec![ms(13_000)], "the retry prompt is stopped");
}

#[test]
fn invalid_key_fails_or_is_ignored() {
    let cfg = GatherConfig {
        valid_keys: KeySet::DIGITS,
        ..Default::default()
    };
    let mut s = Sim::new(cfg.clone());
    s.start(0).press('1', 500).down('*', 900);
    let r = s.result();
    assert_eq!(
        (r.reason, r.success, r.keys.as_str()),
        (Reason::Invalid, false, "1")
    );
    let mut s = Sim::new(GatherConfig {
        invalid_key: InvalidKeyPolicy::Ignore,
        ..cfg
    });
    s.start(0).press('1', 500).press('*', 900).down('#', 1300);
    let r = s.result();
    assert_eq!((r.reason, r.keys.as_str()), (Reason::EndKey, "1"));
}

#[test]
fn validator_rejects_whole_input() {
    let mut s = Sim::new(GatherConfig {
        validator: Some(Validator::new(|k: &str| k.len() == 4)),
        retries: 1,
        ..Default::default()
    });
    s.start(0).press('1', 500).down('#', 900);
    assert_eq!(s.failures(), vec![(1, Reason::Invalid, ms(900))]);
    s.up('#', 1000)
        .press('1', 1500)
        .press('2', 1700)
        .press('3', 1900)
        .press('4', 2100)
        .down('#', 2300);
    let r = s.result();
    assert_eq!(
        (r.keys.as_str(), r.reason, r.attempts),
        ("1234", Reason::EndKey, 2)
    );
}

#[test]
fn cancel_key_clears_the_entry() {
    let mut s = Sim::new(GatherConfig {
        cancel_key: Some(Key::Star),
        ..Default::default()
    });
    s.start(0).press('1', 500).press('2', 800).press('*', 1100);
    // Cleared: the first-key timer runs again from the cancel key's up.
    assert_eq!(s.g.next_deadline(), Some(ms(6200)));
    s.press('7', 1500).down('#', 1900);
    assert_eq!(s.result().keys, "7");
}

#[test]
fn keys_after_finish_are_left_over_with_their_times() {
    let mut s = Sim::new(GatherConfig::default());
    s.start(0).press('1', 500).down('#', 800).up('#', 900);
    s.press('4', 1200);
    assert_eq!(
        s.g.leftover(),
        &[KeyEvent {
            key: Key::K4,
            down: ms(1200),
            up: Some(ms(1300))
        }]
    );
}

#[test]
fn replay_is_deterministic() {
    let run = || {
        let mut s = Sim::new(GatherConfig {
            retries: 1,
            min_keys: 2,
            ..with_prompt()
        });
        s.start(0).press('1', 300).prompt_end(2000);
        s.wake(); // too short, retry prompt plays
        s.prompt_end(8000).press('4', 8200).press('2', 8400);
        s.run_out();
        assert!(s.g.is_finished());
        s.actions.clone()
    };
    assert_eq!(run(), run());
}

// ---------------------------------------------------------------- presets

mod presets {
    use super::*;
    use touchtone::gather::presets::{Asterisk, Azure, Bird, FreeSwitch, Plivo, Twilio, VoiceXml};

    #[test]
    fn bird_is_the_default() {
        let c = Bird::default().config().unwrap();
        let d = GatherConfig::default();
        assert_eq!(
            (c.max_keys, c.end_keys, c.first_key_timeout, c.retries),
            (d.max_keys, d.end_keys, d.first_key_timeout, d.retries)
        );
        let c = Bird {
            timeout: 2.5,
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!(c.inter_key_timeout, ms(2500));
        assert!(Bird {
            end_key: 'A',
            ..Default::default()
        }
        .config()
        .is_err());
    }

    #[test]
    fn azure_partial_input_at_inter_tone_timeout_fails() {
        let cfg = Azure {
            max_tones_to_collect: 4,
            stop_tones: "#".into(),
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg.clone());
        s.start(0);
        assert_eq!(
            s.g.next_deadline(),
            Some(ms(5000)),
            "initialSilenceTimeout 5 s"
        );
        s.press('1', 1000).press('2', 1500);
        assert_eq!(s.g.next_deadline(), Some(ms(3600)), "interToneTimeout 2 s");
        let r = s.run_out();
        assert_eq!(
            (r.reason, r.success, r.keys.as_str()),
            (Reason::Timeout, false, "12")
        );
        // A stop tone succeeds.
        let mut s = Sim::new(cfg.clone());
        s.start(0).press('1', 1000).down('#', 1500);
        assert!(s.result().success);
        // With interruptPrompt false the prompt is not interrupted, and a failed prompt
        // fails (8511).
        let mut s = Sim::new(GatherConfig {
            prompt: true,
            barge_in: false,
            ..cfg
        });
        s.start(0).press('1', 300);
        assert!(s.stops().is_empty());
        s.g.handle_prompt_failed(ms(500));
        s.drain();
        assert_eq!(s.result().reason, Reason::PromptFailed);
        assert!(Azure {
            max_tones_to_collect: 0,
            ..Default::default()
        }
        .config()
        .is_err());
    }

    #[test]
    fn twilio_one_timeout_and_finish_on_key() {
        let cfg = Twilio::default().config().unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 4000).press('2', 9000); // 4.9 s gap: still collecting
        let r = s.run_out();
        assert_eq!((r.keys.as_str(), r.end), ("12", ms(14_100)));
        let none = Twilio {
            finish_on_key: String::new(),
            ..Default::default()
        }
        .config()
        .unwrap();
        assert!(none.end_keys.is_empty());
        assert!(Twilio {
            finish_on_key: "#*".into(),
            ..Default::default()
        }
        .config()
        .is_err());
    }

    #[test]
    fn plivo_digit_timeout_and_valid_digits() {
        let cfg = Plivo {
            valid_digits: "123".into(),
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 1000).press('2', 1500);
        let r = s.run_out();
        // digitTimeout 2 s after the up at 1600.
        assert_eq!((r.keys.as_str(), r.end, r.attempts), ("12", ms(3600), 1));
    }

    #[test]
    fn freeswitch_terminator_prefixes_min_and_tries() {
        let cfg = FreeSwitch {
            min: 2,
            max: 4,
            tries: 3,
            terminators: "+#".into(),
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500).down('#', 900);
        assert_eq!(s.failures(), vec![(1, Reason::TooShort, ms(900))]);
        s.up('#', 1000)
            .press('1', 1500)
            .press('2', 1900)
            .down('#', 2300);
        let r = s.result();
        assert_eq!(
            (r.keys.as_str(), r.attempts),
            ("12#", 2),
            "'+' keeps the terminator"
        );
        let req = FreeSwitch {
            terminators: "=#".into(),
            max: 3,
            ..Default::default()
        }
        .config()
        .unwrap();
        assert!(req.end_key_required);
        let mut s = Sim::new(req);
        s.start(0).press('1', 500).press('2', 900).press('3', 1300);
        assert_eq!(s.run_out().reason, Reason::Invalid);
        let dt = FreeSwitch {
            timeout: 8000,
            digit_timeout: Some(1500),
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!(
            (dt.first_key_timeout, dt.inter_key_timeout),
            (ms(8000), ms(1500))
        );
        assert!(FreeSwitch {
            max: 129,
            ..Default::default()
        }
        .config()
        .is_err());
    }

    #[test]
    fn asterisk_retries_only_without_input() {
        let cfg = Asterisk {
            maxdigits: 4,
            attempts: 3,
            timeout: 2.0,
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!(cfg.retries, 2);
        let mut s = Sim::new(GatherConfig {
            min_keys: 2,
            ..cfg.clone()
        });
        s.start(0).press('1', 500).down('#', 900);
        let r = s.result();
        assert_eq!(
            (r.reason, r.attempts),
            (Reason::TooShort, 1),
            "no retry for data"
        );
        let mut s = Sim::new(cfg);
        s.start(0);
        let r = s.run_out();
        assert_eq!(
            (r.reason, r.attempts, r.end),
            (Reason::NoInput, 3, ms(6000))
        );
        let d = Asterisk::default().config().unwrap();
        assert_eq!(
            (d.first_key_timeout, d.inter_key_timeout),
            (ms(10_000), ms(5000))
        );
        assert!(Asterisk {
            maxdigits: 256,
            ..Default::default()
        }
        .config()
        .is_err());
    }

    #[test]
    fn voicexml_termtimeout_and_protected_prompt() {
        let cfg = VoiceXml {
            maxlength: 3,
            termtimeout: 1.0,
            bargein: false,
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500); // during the protected prompt: discarded
        assert!(s.stops().is_empty());
        s.prompt_end(2000)
            .press('2', 2500)
            .press('3', 3000)
            .press('4', 3500);
        assert_eq!(
            s.g.next_deadline(),
            Some(ms(4600)),
            "termtimeout from the up"
        );
        let r = s.run_out();
        assert_eq!((r.keys.as_str(), r.reason), ("234", Reason::TermTimeout));
        let d = VoiceXml::default().config().unwrap();
        assert_eq!(d.term_timeout, Duration::ZERO);
        assert!(d.barge_in);
    }

    // ------------------------------------------------ issue 11: as each platform documents

    /// VoiceXML 2.0 §4.1.5: keys typed during a `bargein="false"` prompt are deleted from
    /// the DTMF buffer.
    #[test]
    fn voicexml_bargein_false_discards_keys_typed_during_the_prompt() {
        let cfg = VoiceXml {
            maxlength: 3,
            bargein: false,
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500).prompt_end(2000);
        s.press('2', 2500).press('3', 3000);
        let r = s.run_out();
        // interdigittimeout 3 s from the up at 3100; the 1 was flushed.
        assert_eq!(
            (r.keys.as_str(), r.reason, r.end),
            ("23", Reason::Timeout, ms(6100))
        );
    }

    /// Azure Recognize how-to: `InterruptPrompt | Bool | True`; InterToneTimeout 1–60 s;
    /// InitialSilenceTimeout 0–300 s; MaxTonesToCollect ≥ 1.
    #[test]
    fn azure_interrupt_prompt_defaults_to_true_and_ranges_are_enforced() {
        let cfg = Azure::default().config().unwrap();
        assert!(cfg.barge_in);
        let mut s = Sim::new(GatherConfig {
            prompt: true,
            ..cfg
        });
        s.start(0).press('1', 300);
        assert_eq!(s.stops(), vec![ms(300)], "a tone interrupts the prompt");
        let with = |initial: f64, inter: f64| {
            Azure {
                initial_silence_timeout: initial,
                inter_tone_timeout: inter,
                ..Default::default()
            }
            .config()
        };
        for (initial, inter) in [(0.0, 1.0), (300.0, 60.0), (5.0, 2.0)] {
            assert!(with(initial, inter).is_ok(), "{initial} {inter}");
        }
        for (initial, inter, field) in [
            (5.0, 0.5, "interToneTimeout"),
            (5.0, 61.0, "interToneTimeout"),
            (5.0, 0.0, "interToneTimeout"),
            (301.0, 2.0, "initialSilenceTimeout"),
            (-1.0, 2.0, "initialSilenceTimeout"),
        ] {
            match with(initial, inter) {
                Err(GatherConfigError::Range { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{initial} {inter}: {other:?}"),
            }
        }
    }

    /// Asterisk Read(): without a timeout, the first digit has the channel's response
    /// timeout (10 s) and the following digits its digit timeout (5 s).
    #[test]
    fn asterisk_timeout_zero_uses_the_channel_response_and_digit_timeouts() {
        let mut s = Sim::new(Asterisk::default().config().unwrap());
        s.start(0);
        assert_eq!(s.g.next_deadline(), Some(ms(10_000)));
        s.press('1', 9000);
        assert_eq!(s.g.next_deadline(), Some(ms(14_100)));
        let r = s.run_out();
        assert_eq!((r.keys.as_str(), r.reason), ("1", Reason::Timeout));
        let c = Asterisk {
            timeout: 2.0,
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!(
            (c.first_key_timeout, c.inter_key_timeout),
            (ms(2000), ms(2000))
        );
    }

    /// An invalid key that the policy ignores is as if not pressed: it does not barge in.
    #[test]
    fn an_ignored_invalid_key_does_not_barge_in() {
        let mut s = Sim::new(GatherConfig {
            valid_keys: KeySet::from_chars("123").unwrap(),
            invalid_key: InvalidKeyPolicy::Ignore,
            ..with_prompt()
        });
        s.start(0).press('9', 500);
        assert!(s.stops().is_empty(), "9 is ignored: the prompt plays on");
        assert!(s.g.playing_prompt().is_some());
        s.prompt_end(2000).press('1', 2500);
        let r = s.run_out();
        assert_eq!((r.keys.as_str(), r.end), ("1", ms(7600)));
        // A valid key still barges in.
        let mut s = Sim::new(GatherConfig {
            valid_keys: KeySet::from_chars("123").unwrap(),
            invalid_key: InvalidKeyPolicy::Ignore,
            ..with_prompt()
        });
        s.start(0).press('2', 500);
        assert_eq!(s.stops(), vec![ms(500)]);
    }

    /// FreeSWITCH play_and_get_digits: invalid_file plays after every failed try, the
    /// last one included; the gather ends when it has played.
    #[test]
    fn freeswitch_invalid_file_plays_after_the_last_failed_try_too() {
        let cfg = FreeSwitch {
            min: 2,
            max: 4,
            tries: 2,
            invalid_file: true,
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500).down('#', 900);
        assert_eq!(s.prompts(), vec![(1, PromptKind::InvalidFeedback, ms(900))]);
        s.up('#', 1000).prompt_end(1500);
        s.press('1', 2000).down('#', 2400);
        assert!(!s.g.is_finished(), "the invalid file plays first");
        assert_eq!(s.prompts()[1], (2, PromptKind::InvalidFeedback, ms(2400)));
        s.up('#', 2500).down('5', 2700); // during the last feedback: not consumed
        s.prompt_end(3000);
        let r = s.result();
        assert_eq!(
            (r.reason, r.success, r.attempts, r.end, r.keys.as_str()),
            (Reason::TooShort, false, 2, ms(3000), "1")
        );
        assert_eq!(s.leftover(), "5");
    }

    /// FreeSWITCH `=`: reaching `max` digits without the terminator fails the try at once.
    #[test]
    fn freeswitch_required_terminator_fails_at_max_digits_at_once() {
        let cfg = FreeSwitch {
            terminators: "=#".into(),
            max: 3,
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500).press('2', 800).down('3', 1100);
        assert_eq!(s.failures(), vec![(1, Reason::Invalid, ms(1100))]);
        let r = s.result();
        assert_eq!((r.reason, r.end), (Reason::Invalid, ms(1100)));
    }

    /// FreeSWITCH terminators: `+` keeps only the terminator right after it; `x` is
    /// accepted; `max` below `min` is raised to `min`.
    #[test]
    fn freeswitch_plus_applies_to_the_next_terminator_and_max_is_raised_to_min() {
        let cfg = FreeSwitch {
            terminators: "*+#".into(),
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!(cfg.end_keys, KeySet::from_chars("*#").unwrap());
        assert_eq!(cfg.keep_end_keys, KeySet::one(Key::Pound));
        let mut s = Sim::new(cfg.clone());
        s.start(0).press('1', 500).down('#', 900);
        assert_eq!(s.result().keys, "1#");
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 500).down('*', 900);
        assert_eq!(s.result().keys, "1");
        assert_eq!(
            FreeSwitch {
                terminators: "x#".into(),
                ..Default::default()
            }
            .config()
            .unwrap()
            .end_keys,
            KeySet::one(Key::Pound)
        );
        assert!(FreeSwitch {
            terminators: "#+".into(),
            ..Default::default()
        }
        .config()
        .is_err());
        let c = FreeSwitch {
            min: 4,
            max: 2,
            ..Default::default()
        }
        .config()
        .unwrap();
        assert_eq!((c.min_keys, c.max_keys), (4, 4));
    }

    /// Twilio <Gather>: a lone finishOnKey does not end it; `timeout` is a positive integer.
    #[test]
    fn twilio_lone_finish_on_key_is_ignored_and_timeout_must_be_positive() {
        let cfg = Twilio::default().config().unwrap();
        let mut s = Sim::new(cfg.clone());
        s.start(0).press('#', 1000);
        assert!(!s.g.is_finished() && s.failures().is_empty());
        assert_eq!(
            s.g.next_deadline(),
            Some(ms(5000)),
            "the timer is untouched"
        );
        s.press('1', 3000).down('#', 3500);
        let r = s.result();
        assert_eq!((r.keys.as_str(), r.reason), ("1", Reason::EndKey));
        // Nor does it stop a nested prompt.
        let mut s = Sim::new(GatherConfig {
            prompt: true,
            ..cfg
        });
        s.start(0).press('#', 300);
        assert!(s.stops().is_empty());
        assert!(Twilio {
            timeout: 0,
            ..Default::default()
        }
        .config()
        .is_err());
    }

    /// Plivo GetDigits: `retries` are retries after no input (default 1: two tries); an
    /// invalid digit plays invalidDigitsSound and ends without a retry.
    #[test]
    fn plivo_retries_follow_no_input_and_invalid_digits_do_not_retry() {
        let cfg = Plivo::default().config().unwrap();
        assert_eq!(cfg.retries, 1);
        let mut s = Sim::new(cfg);
        s.start(0);
        let r = s.run_out();
        assert_eq!(
            (r.reason, r.attempts, r.end),
            (Reason::NoInput, 2, ms(10_000))
        );
        let cfg = Plivo {
            valid_digits: "123".into(),
            retries: 2,
            invalid_digits_sound: true,
            ..Default::default()
        }
        .config()
        .unwrap();
        let mut s = Sim::new(cfg);
        s.start(0).press('1', 1000).down('9', 1500);
        assert_eq!(s.failures(), vec![(1, Reason::Invalid, ms(1500))]);
        assert_eq!(
            s.prompts(),
            vec![(1, PromptKind::InvalidFeedback, ms(1500))]
        );
        s.prompt_end(2500);
        let r = s.result();
        assert_eq!(
            (r.reason, r.attempts, r.end, r.keys.as_str()),
            (Reason::Invalid, 1, ms(2500), "1")
        );
        assert!(Plivo {
            retries: 0,
            ..Default::default()
        }
        .config()
        .is_err());
    }
}

/// Rule 4 across attempts: a key that failed the attempt and is still down holds the next
/// attempt's first-key timer until it goes up.
#[test]
fn a_key_held_across_a_retry_holds_the_first_key_timer() {
    let cfg = GatherConfig {
        retries: 1,
        ..secs_cfg(1)
    };
    let mut s = Sim::new(cfg.clone());
    s.start(0).down('#', 300); // lone end key: attempt 1 fails (rule 6)
    assert_eq!(s.failures(), vec![(1, Reason::NoInput, ms(300))]);
    assert_eq!(s.g.next_deadline(), None, "# is still down");
    s.up('#', 1300);
    assert_eq!(s.g.next_deadline(), Some(ms(2300)));
    // The same for an invalid key.
    let mut s = Sim::new(GatherConfig {
        valid_keys: KeySet::DIGITS,
        ..cfg
    });
    s.start(0).press('1', 100).down('*', 300);
    assert_eq!(s.failures(), vec![(1, Reason::Invalid, ms(300))]);
    assert_eq!(s.g.next_deadline(), None);
    s.up('*', 1500);
    let r = s.run_out();
    assert_eq!(
        (r.reason, r.attempts, r.end),
        (Reason::NoInput, 2, ms(2500))
    );
}
