//! Scoring a run against the truth: failures collected per test, matching, and the
//! exact / none checks.

use super::{Run, Truth};
use touchtone::KeyPress;

/// Failures collected over a test, reported together at the end.
#[derive(Debug, Default)]
pub struct Failures {
    /// Test name.
    pub name: String,
    /// One line per failure.
    pub lines: Vec<String>,
    /// Number of checks made.
    pub checks: usize,
}

impl Failures {
    /// A new, empty list for test `name`.
    pub fn new(name: &str) -> Failures {
        Failures {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Record a failure.
    pub fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Count a check (for the summary).
    pub fn check(&mut self) {
        self.checks += 1;
    }

    /// Panic with every failure if there is any; also require that something was checked.
    pub fn finish(self) {
        assert!(self.checks > 0, "{}: nothing was checked", self.name);
        if !self.lines.is_empty() {
            let shown: Vec<&str> = self.lines.iter().take(60).map(|s| s.as_str()).collect();
            panic!(
                "{}: {} failure(s) in {} checks:\n  {}{}",
                self.name,
                self.lines.len(),
                self.checks,
                shown.join("\n  "),
                if self.lines.len() > 60 { "\n  ..." } else { "" }
            );
        }
    }
}

/// A truth key described for failure messages.
pub fn describe(t: &Truth, rate: u32) -> String {
    let mut s = format!(
        "key {} at {:.1}–{:.1} ms (lo {:.1} dBm0, hi {:.1} dBm0",
        t.key.to_char(),
        t.start as f64 * 1000.0 / rate as f64,
        t.end as f64 * 1000.0 / rate as f64,
        t.lo_dbm0,
        t.hi_dbm0
    );
    if t.dev_pct != (0.0, 0.0) {
        s += &format!(", dev {:+.1}%/{:+.1}%", t.dev_pct.0, t.dev_pct.1);
    }
    if !t.label.is_empty() {
        s += ", ";
        s += &t.label;
    }
    s + ")"
}

/// A detected key described for failure messages.
pub fn describe_press(p: &KeyPress, rate: u32) -> String {
    format!(
        "{} at {:.1}–{:.1} ms (lo {:.1}, hi {:.1} dBm0)",
        p.key.to_char(),
        p.start_ms(rate),
        p.end_ms(rate),
        p.levels.low_dbm0,
        p.levels.high_dbm0
    )
}

/// Match detected presses to the truth: a press belongs to a truth key if their spans
/// overlap (with `margin_ms` of slack). Returns, per truth key, the indices of the presses
/// matched, and the presses matched to no truth key.
pub fn matching(
    presses: &[KeyPress],
    truth: &[Truth],
    rate: u32,
    margin_ms: f64,
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let m = (margin_ms * rate as f64 / 1000.0) as u64;
    let mut per = vec![Vec::new(); truth.len()];
    let mut extra = Vec::new();
    for (i, p) in presses.iter().enumerate() {
        let hit = truth
            .iter()
            .position(|t| p.start < t.end + m && p.end + m > t.start);
        match hit {
            Some(j) => per[j].push(i),
            None => extra.push(i),
        }
    }
    (per, extra)
}

/// Check that every truth key is reported exactly once with the right key and that nothing
/// else is reported. Failures are tagged with `ctx`. Returns the matched press for each
/// truth key (None where it failed).
pub fn expect_exact(
    f: &mut Failures,
    ctx: &str,
    run: &Run,
    truth: &[Truth],
    rate: u32,
) -> Vec<Option<KeyPress>> {
    let presses = run.presses();
    for e in run.pairing_errors(rate) {
        f.push(format!("{ctx}: {e}"));
    }
    let (per, extra) = matching(&presses, truth, rate, 15.0);
    let mut out = Vec::new();
    for (t, idx) in truth.iter().zip(&per) {
        f.check();
        match idx.as_slice() {
            [i] if presses[*i].key == t.key => out.push(Some(presses[*i])),
            [] => {
                f.push(format!("{ctx}: {} missed", describe(t, rate)));
                out.push(None);
            }
            _ => {
                let got: Vec<String> = idx
                    .iter()
                    .map(|&i| describe_press(&presses[i], rate))
                    .collect();
                f.push(format!(
                    "{ctx}: {} reported as [{}]",
                    describe(t, rate),
                    got.join(", ")
                ));
                out.push(None);
            }
        }
    }
    for i in extra {
        f.push(format!(
            "{ctx}: extra key {}",
            describe_press(&presses[i], rate)
        ));
    }
    out
}

/// Check that a run reported no key at all (neither KeyDown nor KeyUp).
pub fn expect_none(f: &mut Failures, ctx: &str, run: &Run, rate: u32) {
    f.check();
    let presses = run.presses();
    let downs = run.downs();
    if !presses.is_empty() || !downs.is_empty() {
        let got: Vec<String> = presses.iter().map(|p| describe_press(p, rate)).collect();
        f.push(format!(
            "{ctx}: expected no key, got {} KeyDown and [{}]",
            downs.len(),
            got.join(", ")
        ));
    }
}

/// Check that a run of generated stimuli (tones that must not operate, recorded as truth
/// entries with labels) reported no key; each key reported is attributed to the stimulus it
/// overlaps.
pub fn expect_none_stimuli(f: &mut Failures, ctx: &str, run: &Run, stimuli: &[Truth], rate: u32) {
    let presses = run.presses();
    f.checks += stimuli.len().max(1);
    for e in run.pairing_errors(rate) {
        f.push(format!("{ctx}: {e}"));
    }
    let (per, extra) = matching(&presses, stimuli, rate, 15.0);
    for (t, idx) in stimuli.iter().zip(&per) {
        for &i in idx {
            f.push(format!(
                "{ctx}: stimulus {} gave key {}",
                describe(t, rate),
                describe_press(&presses[i], rate)
            ));
        }
    }
    for i in extra {
        f.push(format!(
            "{ctx}: key {} outside any stimulus",
            describe_press(&presses[i], rate)
        ));
    }
}
