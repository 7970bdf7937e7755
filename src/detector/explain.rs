//! Why a key was not heard: the candidates the checks rejected, with the reason and the
//! measured value.
//!
//! The detector's internal event path is generic over a [`Sink`]; the plain closure of
//! [`Detector::process`] is a sink that does not explain (`EXPLAIN = false`), so the
//! explaining code is compiled out of it. [`Explainer`] is the sink that does: for every
//! window whose strongest row and column tones are both at the minimum level it re-runs
//! the full checks to learn which one failed, and it groups consecutive windows with the
//! same key into a *candidate*. A candidate that held its two tones for at least 20 ms and
//! was not reported becomes a [`Rejection`]: its key, its span, the reason most of its
//! windows failed (or its duration, if they passed but too few of them), and whether
//! [`DetectorConfig::relaxed`] would have accepted that value.

use super::checks::{Hit, Reject};
use super::config::DetectorConfig;
use super::plan::Plan;
use super::tracker::{mean_dev_passes, Onset};
use super::{Detector, Event};
use crate::generator;
use crate::key::Key;
use crate::sample::Sample;
use core::fmt;

/// Where the detector's events go. Internal: closures `FnMut(Event)` are sinks that do not
/// explain; [`Explainer`] supplies one that does.
pub(super) trait Sink {
    /// Whether the detector reports window verdicts and dropped tones (compile-time, so the
    /// plain path carries no trace of it).
    const EXPLAIN: bool;
    /// An event.
    fn event(&mut self, ev: Event);
    /// The full checks' verdict on the window ending at `now`, and the key of a tone in
    /// progress not yet reported, if any (with `EXPLAIN` only).
    #[inline(always)]
    fn window(
        &mut self,
        _plan: &Plan,
        _now: u64,
        _open: Option<Key>,
        _verdict: Option<(Key, Result<Hit, Reject>)>,
    ) {
    }
    /// A tone that ended without being reported, seen on from `hit_start` to `last_end`
    /// in `on_ticks` ticks, with its tones' mean frequency deviations, its twist's swing
    /// (a ratio of amplitude ratios) and how it began (with `EXPLAIN` only).
    #[inline(always)]
    fn dropped(
        &mut self,
        _key: Key,
        _hit_start: u64,
        _last_end: u64,
        _on_ticks: u16,
        _measured: ([f32; 2], f32),
        _onset: Onset,
    ) {
    }

    /// A tone of `key` began as no key does (`onset`), so that it will not be reported
    /// (with `EXPLAIN` only).
    #[inline(always)]
    fn onset(&mut self, _key: Key, _onset: Onset) {}
}

impl<F: FnMut(Event)> Sink for F {
    const EXPLAIN: bool = false;
    #[inline(always)]
    fn event(&mut self, ev: Event) {
        self(ev)
    }
}

/// Why a candidate key was rejected, with the measured value and the limit it missed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reason {
    /// A tone under the minimum level.
    Level {
        /// The weaker tone's level, dBm0.
        dbm0: f32,
        /// `min_level_dbm0`.
        min_dbm0: f32,
    },
    /// Another tone of the same group too close in level (two tones of one group).
    Dominance {
        /// Strongest over runner-up, dB (the smaller of the two groups).
        db: f32,
        /// `min_dominance_db`.
        min_db: f32,
    },
    /// A tone started, stopped or changed within the 16 ms window (not in both halves).
    Unsteady,
    /// A tone off its nominal frequency.
    Frequency {
        /// Whether it is the high-group (column) tone.
        high: bool,
        /// Measured offset, % of nominal.
        offset_pct: f32,
        /// `max_freq_deviation`, %.
        limit_pct: f32,
    },
    /// The two frequency measurements disagree: a third tone near one of the key's, or a
    /// tone beyond ±62.5 Hz of it.
    ThirdTone {
        /// Whether it is near the high-group tone.
        high: bool,
    },
    /// Twist (low − high level) beyond the limits.
    Twist {
        /// Measured twist, dB (negative: reverse).
        db: f32,
        /// The limit it exceeded, dB: `max_normal_twist_db`, or −`max_reverse_twist_db`.
        limit_db: f32,
    },
    /// The high tone is the low tone's octave (a note and its second harmonic).
    Octave {
        /// Measured high / low frequency.
        ratio: f32,
    },
    /// The two tones carry too small a share of the energy (speech, music, noise), also
    /// once the background heard before a new key is left out (`background_share`).
    Purity {
        /// Measured share of the whole window's energy.
        ratio: f32,
        /// The threshold it missed.
        min: f32,
    },
    /// The tone passed the checks, but not for long enough.
    Duration {
        /// Time it was seen on, ms.
        ms: f32,
        /// `min_tone_ms`.
        min_ms: f32,
    },
    /// The tone passed the checks for long enough, but one tone's frequency averaged over
    /// its passing windows was too far off.
    MeanFrequency {
        /// Whether it is the high-group (column) tone.
        high: bool,
        /// Mean measured offset, % of nominal.
        offset_pct: f32,
        /// `max_mean_freq_deviation`, %.
        limit_pct: f32,
        /// The other tone's mean offset, % (for `max_common_drift`).
        other_pct: f32,
    },
    /// The twist moved across the windows before the key would have been reported (two
    /// notes, each with its own envelope; `max_twist_swing_db`).
    TwistSwing {
        /// Largest minus smallest twist, dB.
        db: f32,
        /// `max_twist_swing_db`.
        max_db: f32,
    },
    /// The tone lasted `min_tone_ms`, but too few of its windows passed the checks (most
    /// of it failed them, bridged as dropouts).
    SeenOn {
        /// Time seen on (passing windows), ms.
        ms: f32,
        /// `min_on_ms`.
        min_ms: f32,
    },
    /// One of the tones sounded before the other began, at about its level in the key (a
    /// note held while another joined it; `held_tone_db`).
    HeldTone {
        /// Whether it is the high-group (column) tone that was held.
        high: bool,
    },
    /// Both tones swelled in instead of starting at once (an instrument's or a voice's
    /// note; `max_rise_ms`).
    SlowRise {
        /// The two tones' mean rise, ms (each rise counted in whole 4 ms ticks).
        ms: f32,
        /// `max_rise_ms`.
        max_ms: f32,
    },
}

impl Reason {
    /// Whether a detector configured with `cfg` would accept this measured value (the
    /// other checks aside). `Unsteady`, `ThirdTone` and `Octave` are never accepted.
    pub fn accepted_by(&self, cfg: &DetectorConfig) -> bool {
        match *self {
            Reason::Level { dbm0, .. } => dbm0 >= cfg.min_level_dbm0,
            Reason::Dominance { db, .. } => db >= cfg.min_dominance_db,
            Reason::Unsteady | Reason::ThirdTone { .. } | Reason::Octave { .. } => false,
            Reason::Frequency { offset_pct, .. } => {
                offset_pct.abs() <= cfg.max_freq_deviation * 100.0
            }
            Reason::Twist { db, .. } => {
                db <= cfg.max_normal_twist_db && -db <= cfg.max_reverse_twist_db
            }
            Reason::Purity { ratio, .. } => ratio >= cfg.min_tone_ratio,
            Reason::Duration { ms, .. } => ms >= cfg.min_tone_ms,
            Reason::SeenOn { ms, .. } => ms >= cfg.min_on_ms,
            Reason::HeldTone { .. } => cfg.held_tone_db == 0.0,
            Reason::SlowRise { ms, .. } => cfg.max_rise_ms == 0.0 || ms <= cfg.max_rise_ms,
            Reason::MeanFrequency {
                high,
                offset_pct,
                other_pct,
                ..
            } => {
                let (this, other) = (offset_pct / 100.0, other_pct / 100.0);
                mean_dev_passes(if high { [other, this] } else { [this, other] }, cfg)
            }
            Reason::TwistSwing { db, .. } => {
                cfg.max_twist_swing_db == 0.0 || db <= cfg.max_twist_swing_db
            }
        }
    }

    /// Index of the kind (for counting).
    fn kind(&self) -> usize {
        match self {
            Reason::Level { .. } => 0,
            Reason::Dominance { .. } => 1,
            Reason::Unsteady => 2,
            Reason::Frequency { .. } | Reason::MeanFrequency { .. } => 3,
            Reason::ThirdTone { .. } => 4,
            Reason::Twist { .. } | Reason::TwistSwing { .. } => 5,
            Reason::Octave { .. } => 6,
            Reason::Purity { .. } => 7,
            Reason::Duration { .. }
            | Reason::SeenOn { .. }
            | Reason::HeldTone { .. }
            | Reason::SlowRise { .. } => 8,
        }
    }

    fn from_reject(r: Reject, key: Key, plan: &Plan) -> Reason {
        let cfg = plan.config();
        let db = |ratio: f32| 10.0 * ratio.max(f32::MIN_POSITIVE).log10();
        match r {
            Reject::Level(amp) => Reason::Level {
                dbm0: generator::peak_to_dbm0(amp[0].min(amp[1]) as f64) as f32,
                min_dbm0: cfg.min_level_dbm0,
            },
            Reject::Dominance(ratio) => Reason::Dominance {
                db: db(ratio),
                min_db: cfg.min_dominance_db,
            },
            Reject::Halves => Reason::Unsteady,
            Reject::Frequency(i, delta) => {
                let nominal = if i == 0 {
                    key.row_freq()
                } else {
                    key.col_freq()
                };
                let hz = delta as f64 * cfg.sample_rate as f64 / core::f64::consts::TAU;
                Reason::Frequency {
                    high: i == 1,
                    offset_pct: (100.0 * hz / nominal) as f32,
                    limit_pct: 100.0 * cfg.max_freq_deviation,
                }
            }
            Reject::Agree(i) => Reason::ThirdTone { high: i == 1 },
            Reject::Twist(ratio) => {
                let t = db(ratio);
                Reason::Twist {
                    db: t,
                    limit_db: if t > 0.0 {
                        cfg.max_normal_twist_db
                    } else {
                        -cfg.max_reverse_twist_db
                    },
                }
            }
            Reject::Octave(ratio) => Reason::Octave { ratio },
            Reject::Purity(ratio, min) => Reason::Purity { ratio, min },
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::Level { dbm0, min_dbm0 } => {
                write!(f, "level {dbm0:.1} dBm0 < {min_dbm0} dBm0")
            }
            Reason::Dominance { db, min_db } => {
                write!(
                    f,
                    "dominance {db:.1} dB < {min_db} dB (two tones of one group)"
                )
            }
            Reason::Unsteady => write!(f, "a tone starts, stops or changes within 16 ms"),
            Reason::Frequency {
                high,
                offset_pct,
                limit_pct,
            } => write!(
                f,
                "{} tone {offset_pct:+.1} % (limit ±{limit_pct} %)",
                if high { "high" } else { "low" }
            ),
            Reason::ThirdTone { high } => write!(
                f,
                "a third tone near the {} tone",
                if high { "high" } else { "low" }
            ),
            Reason::Twist { db, limit_db } => {
                write!(f, "twist {db:+.1} dB beyond the {limit_db:+} dB limit")
            }
            Reason::Octave { ratio } => {
                write!(f, "high/low {ratio:.3}: a note and its octave")
            }
            Reason::Purity { ratio, min } => write!(f, "purity {ratio:.2} < {min:.2}"),
            Reason::Duration { ms, min_ms } => write!(f, "on {ms:.0} ms < {min_ms} ms"),
            Reason::SeenOn { ms, min_ms } => {
                write!(f, "seen on (passing windows) {ms:.0} ms < {min_ms} ms")
            }
            Reason::MeanFrequency {
                high,
                offset_pct,
                limit_pct,
                other_pct,
            } => write!(
                f,
                "{} tone {offset_pct:+.1} % on average over its windows, beyond ±{limit_pct:.1} % \
                 (the other {other_pct:+.1} %)",
                if high { "high" } else { "low" }
            ),
            Reason::TwistSwing { db, max_db } => write!(
                f,
                "twist swung by {db:.1} dB over its windows > {max_db} dB (two notes, not a key)"
            ),
            Reason::HeldTone { high } => write!(
                f,
                "the {} tone sounded alone before the other began (a held note)",
                if high { "high" } else { "low" }
            ),
            Reason::SlowRise { ms, max_ms } => write!(
                f,
                "both tones swelled in, over {ms:.0} ms on average > {max_ms} ms (a note, not a key)"
            ),
        }
    }
}

/// A candidate key that held its two tones for at least 20 ms and was not reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rejection {
    /// The key its tones would have made.
    pub key: Key,
    /// First and one-past-last sample of the windows that saw it.
    pub start: u64,
    /// See `start`.
    pub end: u64,
    /// Why (the reason most of its windows failed, with a representative measurement).
    pub reason: Reason,
    /// Whether [`DetectorConfig::relaxed`] would accept that measurement (false when the
    /// detector already runs the relaxed profile).
    pub relaxed_accepts: bool,
}

/// Consecutive windows whose strongest tones made the same key.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    key: Key,
    start: u64,
    end: u64,
    hits: u32,
    counts: [u32; 9],
    last: [Option<Reason>; 9],
    reported: bool,
    /// Time seen on of a tone of this key that ended unreported (samples), its seen-on
    /// ticks, its tones' mean frequency deviations (fractions) and its twist's swing (a
    /// ratio).
    dropped_on: Option<(u64, u16, [f32; 2], f32)>,
    /// How its tone began, as the tracker found.
    onset: Onset,
}

/// Explains rejected candidates: feed the stream through [`Explainer::process`] instead of
/// [`Detector::process`] (the same events come out), and each candidate that held two
/// tones for at least 20 ms without being reported comes out as a [`Rejection`].
///
/// ```
/// use touchtone::{Detector, DetectorConfig, Explainer, Generator, GeneratorConfig, Reason};
/// // Key 5 with 14 dB reverse twist: beyond the standard profile's 6 dB.
/// let gen = Generator::new(GeneratorConfig { twist_db: -14.0, ..Default::default() }).unwrap();
/// let pcm = gen.render_str("5").unwrap();
/// let cfg = DetectorConfig::standard(8000);
/// let mut det = Detector::new(cfg.clone()).unwrap();
/// let mut ex = Explainer::new(&cfg);
/// let mut why = Vec::new();
/// ex.process(&mut det, &pcm, |_| {}, |r| why.push(r));
/// ex.finish(&mut det, |_| {}, |r| why.push(r));
/// assert!(matches!(why[0].reason, Reason::Twist { db, .. } if (db + 14.0).abs() < 1.0));
/// assert!(why[0].relaxed_accepts);
/// ```
#[derive(Clone, Debug)]
pub struct Explainer {
    relaxed: Option<DetectorConfig>,
    cand: Option<Candidate>,
    /// The key reported down and not yet up (its windows are not candidates).
    down: Option<Key>,
}

impl Explainer {
    /// An explainer for a detector configured with `cfg`.
    pub fn new(cfg: &DetectorConfig) -> Explainer {
        let relaxed = DetectorConfig::relaxed(cfg.sample_rate);
        Explainer {
            relaxed: (relaxed != *cfg).then_some(relaxed),
            cand: None,
            down: None,
        }
    }

    /// [`Detector::process`] with explanations: `on_event` gets the same events, and
    /// `on_rejection` each rejected candidate once it is over.
    pub fn process<S: Sample>(
        &mut self,
        det: &mut Detector,
        frame: &[S],
        on_event: impl FnMut(Event),
        on_rejection: impl FnMut(Rejection),
    ) {
        let mut sink = Explaining {
            ex: self,
            on_event,
            on_rejection,
        };
        det.process_sink(frame, &mut sink);
    }

    /// [`Detector::finish`] with explanations (a candidate still open is reported).
    pub fn finish(
        &mut self,
        det: &mut Detector,
        on_event: impl FnMut(Event),
        on_rejection: impl FnMut(Rejection),
    ) {
        let mut sink = Explaining {
            ex: self,
            on_event,
            on_rejection,
        };
        let plan = det.plan().clone();
        det.finish_sink(&mut sink);
        sink.flush(&plan);
    }
}

/// The explaining sink for one call.
struct Explaining<'a, E, R> {
    ex: &'a mut Explainer,
    on_event: E,
    on_rejection: R,
}

impl<E: FnMut(Event), R: FnMut(Rejection)> Explaining<'_, E, R> {
    /// Close the open candidate; report it if it held for 20 ms and was not reported.
    fn flush(&mut self, plan: &Plan) {
        let Some(c) = self.ex.cand.take() else {
            return;
        };
        let rate = plan.config().sample_rate as u64;
        if c.reported || (c.end - c.start) * 1000 < 20 * rate {
            return;
        }
        let (kind, n) = c
            .counts
            .iter()
            .enumerate()
            .max_by_key(|&(i, &n)| (n, core::cmp::Reverse(i)))
            .map(|(i, &n)| (i, n))
            .unwrap_or((0, 0));
        // A dropped tone that lasted `min_tone_ms` failed only on the time seen on, on its
        // mean frequency or on how it began: that is the reason, however many of its
        // windows failed.
        let long = c
            .dropped_on
            .is_some_and(|(on, ..)| on >= plan.durations.min_tone);
        let reason = if c.onset != Onset::Key && (long || c.dropped_on.is_none()) {
            // Its tones were there long enough (or are still going on): it was held back
            // only because of how it began.
            match c.onset {
                Onset::Slow(ticks) => Reason::SlowRise {
                    ms: (u64::from(ticks) * plan.tick_len as u64 * 1000) as f32 / rate as f32 / 2.0,
                    max_ms: plan.config().max_rise_ms,
                },
                onset => Reason::HeldTone {
                    high: onset == Onset::HeldHigh,
                },
            }
        } else if n == 0 || long || (c.hits >= n && c.dropped_on.is_some()) {
            let (on, ticks, dev, swing) = c.dropped_on.unwrap_or((0, 0, [0.0; 2], 1.0));
            let ms = (on * 1000) as f32 / rate as f32;
            let cfg = plan.config();
            let limit = cfg.max_mean_freq_deviation;
            // The tone far enough off on average (the further off, if both are).
            let off = (!mean_dev_passes(dev, cfg)).then(|| {
                (0..2)
                    .max_by(|&a, &b| dev[a].abs().total_cmp(&dev[b].abs()))
                    .unwrap_or(0)
            });
            if on >= plan.durations.min_tone && ticks >= plan.durations.min_on_ticks {
                match off {
                    Some(i) => Reason::MeanFrequency {
                        high: i == 1,
                        offset_pct: dev[i] * 100.0,
                        limit_pct: limit * 100.0,
                        other_pct: dev[1 - i] * 100.0,
                    },
                    None if swing > plan.durations.twist_swing => Reason::TwistSwing {
                        db: 20.0 * swing.log10(),
                        max_db: cfg.max_twist_swing_db,
                    },
                    // Such a tone is reported unless its mean frequency or its twist's
                    // swing holds it back; should it end otherwise, the time seen on is
                    // the nearest reason.
                    None => Reason::SeenOn {
                        ms: ticks as f32 * (plan.tick_len as u64 * 1000) as f32 / rate as f32,
                        min_ms: cfg.min_on_ms,
                    },
                }
            } else if on >= plan.durations.min_tone {
                Reason::SeenOn {
                    ms: ticks as f32 * (plan.tick_len as u64 * 1000) as f32 / rate as f32,
                    min_ms: cfg.min_on_ms,
                }
            } else {
                Reason::Duration {
                    ms,
                    min_ms: cfg.min_tone_ms,
                }
            }
        } else {
            match c.last[kind] {
                Some(r) => r,
                None => return,
            }
        };
        let relaxed_accepts = self
            .ex
            .relaxed
            .as_ref()
            .is_some_and(|cfg| reason.accepted_by(cfg));
        (self.on_rejection)(Rejection {
            key: c.key,
            start: c.start,
            end: c.end,
            reason,
            relaxed_accepts,
        });
    }
}

impl<E: FnMut(Event), R: FnMut(Rejection)> Sink for Explaining<'_, E, R> {
    const EXPLAIN: bool = true;

    fn event(&mut self, ev: Event) {
        match ev {
            Event::KeyDown { key, .. } => {
                self.ex.down = Some(key);
                if let Some(c) = self.ex.cand.as_mut().filter(|c| c.key == key) {
                    c.reported = true;
                }
            }
            Event::KeyUp { .. } => self.ex.down = None,
        }
        (self.on_event)(ev)
    }

    fn window(
        &mut self,
        plan: &Plan,
        now: u64,
        open: Option<Key>,
        verdict: Option<(Key, Result<Hit, Reject>)>,
    ) {
        let Some((key, verdict)) = verdict else {
            // A candidate whose tone the tracker still holds (through a dropout, or until
            // it is dropped) stays open: the drop tells the reason.
            if open.is_none() || self.ex.cand.is_some_and(|c| Some(c.key) != open) {
                self.flush(plan);
            }
            return;
        };
        let tick = plan.tick_len as u64;
        if self
            .ex
            .cand
            .is_some_and(|c| c.key != key || (now > c.end + tick && open != Some(c.key)))
        {
            self.flush(plan);
        }
        let c = self.ex.cand.get_or_insert(Candidate {
            key,
            start: now.saturating_sub(4 * tick),
            end: now,
            hits: 0,
            counts: [0; 9],
            last: [None; 9],
            reported: self.ex.down == Some(key),
            dropped_on: None,
            onset: Onset::Key,
        });
        c.end = now;
        match verdict {
            Ok(_) => c.hits += 1,
            Err(r) => {
                let reason = Reason::from_reject(r, key, plan);
                let k = reason.kind();
                c.counts[k] += 1;
                c.last[k] = Some(reason);
            }
        }
    }

    fn dropped(
        &mut self,
        key: Key,
        hit_start: u64,
        last_end: u64,
        on_ticks: u16,
        (mean_dev, twist_swing): ([f32; 2], f32),
        onset: Onset,
    ) {
        if let Some(c) = self.ex.cand.as_mut().filter(|c| c.key == key) {
            c.dropped_on = Some((
                last_end.saturating_sub(hit_start),
                on_ticks,
                mean_dev,
                twist_swing,
            ));
            if onset != Onset::Key {
                c.onset = onset;
            }
        }
    }

    fn onset(&mut self, key: Key, onset: Onset) {
        if let Some(c) = self.ex.cand.as_mut().filter(|c| c.key == key) {
            c.onset = onset;
        }
    }
}
