//! Events per second through the gather machine: a scripted IVR session (prompt,
//! barge-in, keys with downs and ups, an end key, a retry) replayed on a virtual clock.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use touchtone::gather::{Gather, GatherConfig};
use touchtone::Key;

/// One session: 2 attempts, 16 key presses; returns the number of inputs fed.
fn session(cfg: &GatherConfig) -> u64 {
    let ms = Duration::from_millis;
    let mut g = Gather::new(cfg.clone()).unwrap();
    let mut n = 0u64;
    g.handle_start(ms(0));
    g.handle_prompt_finished(ms(2000));
    // Attempt 1: one key then the end key: too short (min 2), retry.
    g.handle_key_down(Key::K1, ms(2500));
    g.handle_key_up(Key::K1, ms(2580));
    g.handle_key_down(Key::Pound, ms(2800));
    g.handle_key_up(Key::Pound, ms(2880));
    n += 6;
    // Attempt 2: barge into the retry prompt, 14 keys, then the inter-key timeout.
    let mut t = 3000;
    for i in 0..14u8 {
        let k = Key::from_event_code(i % 10).unwrap();
        g.handle_key_down(k, ms(t));
        g.handle_key_up(k, ms(t + 70));
        t += 150;
        n += 2;
    }
    while let Some(d) = g.next_deadline() {
        g.handle_timeout(d);
        n += 1;
    }
    while let Some(a) = g.poll_action() {
        black_box(a);
    }
    assert!(g.is_finished());
    n
}

fn bench(c: &mut Criterion) {
    let cfg = GatherConfig {
        prompt: true,
        min_keys: 2,
        retries: 1,
        report_keys: true,
        ..Default::default()
    };
    let per = session(&cfg);
    let mut group = c.benchmark_group("gather");
    group.throughput(Throughput::Elements(per));
    group.bench_function("ivr_session_events", |b| {
        b.iter(|| session(black_box(&cfg)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
