//! Properties of the gather machine over random event sequences.

use proptest::prelude::*;
use std::time::Duration;
use touchtone::gather::{Action, Gather, GatherConfig, GatherResult, Reason};
use touchtone::{Key, KeySet};

#[derive(Clone, Debug)]
enum Input {
    /// A key pressed `gap` ms after the previous input, held `hold` ms.
    Press { key: Key, gap: u64, hold: u64 },
    /// The prompt ends `gap` ms after the previous input.
    PromptEnd { gap: u64 },
    /// The prompt fails.
    PromptFail { gap: u64 },
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        8 => (0usize..16, 0u64..4000, 0u64..3000).prop_map(|(k, gap, hold)| Input::Press {
            key: Key::ALL[k],
            gap,
            hold
        }),
        2 => (0u64..5000).prop_map(|gap| Input::PromptEnd { gap }),
        1 => (0u64..5000).prop_map(|gap| Input::PromptFail { gap }),
    ]
}

fn config() -> impl Strategy<Value = GatherConfig> {
    (
        (
            0u32..6,
            0u32..3,
            0u16..=u16::MAX,
            any::<bool>(),
            any::<bool>(),
        ),
        (1u64..4000, 1u64..4000, 0u64..2000, 0u32..3, any::<bool>()),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (max, min, ends, keep, prompt),
                (first, inter, term, retries, barge),
                (feedback, partial, required, keep_prompt),
            )| {
                let end_keys: KeySet = Key::ALL
                    .into_iter()
                    .filter(|k| ends & (1 << k.event_code()) != 0 && ends % 3 == 0)
                    .collect();
                let end_keys = if end_keys.is_empty() && ends % 3 != 0 {
                    KeySet::one(Key::Pound)
                } else {
                    end_keys
                };
                GatherConfig {
                    max_keys: max,
                    min_keys: if max == 0 { min } else { min.min(max) },
                    end_keys,
                    keep_end_keys: if keep { end_keys } else { KeySet::EMPTY },
                    end_key_required: required && !end_keys.is_empty(),
                    first_key_timeout: Duration::from_millis(first),
                    inter_key_timeout: Duration::from_millis(inter),
                    term_timeout: Duration::from_millis(term),
                    retries,
                    prompt,
                    barge_in: barge,
                    keep_keys_during_prompt: keep_prompt,
                    no_input_feedback: feedback,
                    invalid_feedback: feedback,
                    partial_timeout_fails: partial,
                    ..Default::default()
                }
            },
        )
}

/// Run the inputs in time order, waking the machine at its deadlines; after the inputs,
/// end any prompt after 1 s and wake it until it finishes.
fn run(cfg: &GatherConfig, inputs: &[Input]) -> (Option<GatherResult>, Vec<Action>) {
    let mut g = Gather::new(cfg.clone()).unwrap();
    let mut actions = Vec::new();
    let ms = Duration::from_millis;
    let mut t = 0u64;
    g.handle_start(ms(0));
    let mut ups: Vec<(u64, Key)> = Vec::new();
    let wake_until = |g: &mut Gather, until: u64, actions: &mut Vec<Action>| {
        while let Some(d) = g.next_deadline() {
            if d > ms(until) {
                break;
            }
            g.handle_timeout(d);
            actions.extend(std::iter::from_fn(|| g.poll_action()));
        }
    };
    for inp in inputs {
        let gap = match inp {
            Input::Press { gap, .. } | Input::PromptEnd { gap } | Input::PromptFail { gap } => *gap,
        };
        t += gap;
        // Keys go up before the next input if their time has come.
        ups.sort();
        while let Some(&(u, k)) = ups.first() {
            if u > t {
                break;
            }
            wake_until(&mut g, u, &mut actions);
            g.handle_key_up(k, ms(u));
            ups.remove(0);
        }
        wake_until(&mut g, t, &mut actions);
        match inp {
            Input::Press { key, hold, .. } => {
                if ups.iter().any(|(_, k)| k == key) {
                    continue;
                }
                g.handle_key_down(*key, ms(t));
                ups.push((t + hold, *key));
            }
            Input::PromptEnd { .. } => g.handle_prompt_finished(ms(t)),
            Input::PromptFail { .. } => g.handle_prompt_failed(ms(t)),
        }
        actions.extend(std::iter::from_fn(|| g.poll_action()));
    }
    ups.sort();
    for (u, k) in ups {
        wake_until(&mut g, u, &mut actions);
        g.handle_key_up(k, ms(u));
        t = t.max(u);
        actions.extend(std::iter::from_fn(|| g.poll_action()));
    }
    // Time goes on: prompts end one second after they start.
    for _ in 0..1000 {
        if g.is_finished() {
            break;
        }
        match g.next_deadline() {
            Some(d) => g.handle_timeout(d),
            None => {
                t += 1000;
                g.handle_prompt_finished(ms(t));
            }
        }
        actions.extend(std::iter::from_fn(|| g.poll_action()));
    }
    (g.result().cloned(), actions)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn finishes_bounded_and_deterministic(cfg in config(), inputs in prop::collection::vec(input(), 0..40)) {
        let (result, actions) = run(&cfg, &inputs);
        // Always finishes when the timeouts are finite.
        let r = result.expect("the gather finished");
        // Never more than maxNumKeys keys (the kept end key aside).
        if cfg.max_keys > 0 {
            prop_assert!(r.events.len() <= cfg.max_keys as usize, "{r:?}");
        }
        // Never an end key unless asked to keep it, and only at the end.
        let body: &str = match r.end_key {
            Some(e) if cfg.keep_end_keys.contains(e.key) => &r.keys[..r.keys.len() - 1],
            _ => &r.keys,
        };
        prop_assert!(body.chars().all(|c| !cfg.end_keys.contains(Key::from_char(c).unwrap())), "{r:?}");
        // keys and events agree.
        let from_events: String = r.events.iter().map(|e| e.key.to_char()).collect();
        prop_assert!(r.keys.starts_with(&from_events));
        // Attempts within 1 + retries; success only for success reasons.
        prop_assert!(r.attempts >= 1 && r.attempts <= cfg.retries + 1);
        if r.success {
            prop_assert!(matches!(r.reason, Reason::MaxKeys | Reason::EndKey | Reason::Timeout | Reason::TermTimeout));
            prop_assert!(r.events.len() >= cfg.min_keys as usize);
        }
        // Exactly one Finished, and it is the last action.
        prop_assert_eq!(actions.iter().filter(|a| matches!(a, Action::Finished(_))).count(), 1);
        prop_assert!(matches!(actions.last(), Some(Action::Finished(_))));
        // Replay gives the identical result and actions.
        let (again, actions2) = run(&cfg, &inputs);
        prop_assert_eq!(Some(r), again);
        prop_assert_eq!(actions, actions2);
    }
}
