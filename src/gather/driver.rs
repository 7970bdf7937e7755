//! [`Driver`]: key reports from every source, the detector and the gather joined for a
//! host's media loop.

use super::config::{GatherConfig, GatherConfigError};
use super::keys::{KeyReport, KeySource, MergePolicy};
use super::machine::{Action, Gather, GatherResult};
use super::samples_to_time;
use crate::detector::{Detector, Event};
use crate::key::Key;
use crate::sample::Sample;
use std::collections::VecDeque;
use std::time::Duration;

/// Default bound on how late a key report may arrive after the instant it is stamped with:
/// 100 ms. The detector reports a key down once its tone has lasted `min_tone_ms` (31 ms),
/// within about 50 ms of the tone's start, and a key up once the dropout bridge (25 ms) and
/// its window (16 ms) have passed the tone's end. Measured on generated keys (40 ms–1 s
/// tones, 8–48 kHz): at most 41 ms (test
/// `detector_reporting_delay_is_within_the_driver_latency_bound`). 100 ms leaves margin for
/// other detector settings, real lines and an RFC 4733 packet's trip.
pub const DEFAULT_LATENCY: Duration = Duration::from_millis(100);

/// Default merge tolerance: 30 ms. Reports of the same key from two sources whose intervals
/// are at most this far apart are one press. It is below the 40 ms pause that ITU-T Q.24
/// requires a receiver to resolve, so two presses with a legal pause between them are never
/// merged by the tolerance alone; it covers the in-band detector's edge estimates (±10 ms)
/// and an out-of-band end that differs from the tone's by a packet interval (20 ms).
pub const DEFAULT_MERGE_TOLERANCE: Duration = Duration::from_millis(30);

/// Default tie margin: 10 ms, the accuracy the detector documents for a tone's edges
/// (README, "reported start / end": within ±10 ms). The estimates lean against the caller
/// (a start a fraction of a ms late, an end 1–2 ms early, which brings the inter-key
/// deadline forward), so an in-band key down that the detector places at most this long
/// after a deadline is taken as on time (rule 8).
pub const DEFAULT_TIE_MARGIN: Duration = Duration::from_millis(10);

/// Inputs waiting in a driver's queue before the oldest is handed over early (see
/// [`Driver`], "Memory").
pub const QUEUE_CAPACITY: usize = 64;

/// Room beyond [`QUEUE_CAPACITY`] for the prompt ends the driver schedules itself.
const QUEUE_SLACK: usize = 16;

/// What continuous recognition reports (the Azure Call Automation
/// `ContinuousDtmfRecognitionToneReceived` / `…Stopped` events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContinuousEvent {
    /// A press (reported once however many sources heard it).
    ToneReceived {
        /// 1 for the first press the driver reports, then 2, 3, … with no gaps, across
        /// stops and restarts: a gap means a press was missed, a repeat cannot happen.
        sequence_id: u32,
        /// The key.
        key: Key,
        /// When it went down (the earliest start any source reported).
        at: Duration,
    },
    /// Continuous recognition stopped ([`Driver::stop_continuous`]).
    Stopped {
        /// The instant it was stopped.
        at: Duration,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    Start,
    StartContinuous,
    PromptFinished(u32),
    PromptFailed(u32),
    KeyUp(Key, KeySource),
    KeyDown(Key, KeySource),
    /// A press without length: down and up at once.
    KeyTap(Key, KeySource),
    /// A key the previous gather did not consume, handed to the next at its own time
    /// (already merged: straight to the gather).
    LeftoverDown(Key),
    LeftoverUp(Key),
    StopContinuous,
    Cancel,
    Hangup,
}

impl Input {
    /// Order at equal times: starts, then prompt events (rule 11), key ups, key downs,
    /// then stops, cancel and hangup.
    fn rank(self) -> u8 {
        match self {
            Input::Start | Input::StartContinuous => 0,
            Input::PromptFinished(_) | Input::PromptFailed(_) => 1,
            Input::KeyUp(..) | Input::LeftoverUp(_) => 2,
            Input::KeyDown(..) | Input::KeyTap(..) | Input::LeftoverDown(_) => 3,
            Input::StopContinuous | Input::Cancel | Input::Hangup => 4,
        }
    }

    /// A key down the tie margin applies to: one the detector placed (or a previous
    /// gather's leftover, whose time may be the detector's).
    fn tie_down(self) -> bool {
        matches!(
            self,
            Input::KeyDown(_, KeySource::InBand)
                | Input::KeyTap(_, KeySource::InBand)
                | Input::LeftoverDown(_)
        )
    }
}

#[derive(Clone, Copy, Debug)]
struct Item {
    t: Duration,
    rank: u8,
    seq: u64,
    input: Input,
}

impl Item {
    fn order(&self) -> (Duration, u8, u64) {
        (self.t, self.rank, self.seq)
    }
}

/// One key's merged press: which sources reported it and which still hold it down.
#[derive(Clone, Copy, Debug, Default)]
struct Merged {
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

/// Everything but the detector (so the detector's callback can queue into it).
#[derive(Clone, Debug)]
struct Core {
    gather: Option<Gather>,
    rate: u32,
    latency: Duration,
    tie_margin: Duration,
    tolerance: Duration,
    policy: MergePolicy,
    prompt_len: Option<Duration>,
    queue: VecDeque<Item>,
    seq: u64,
    /// Samples fed since `audio_origin`.
    samples: u64,
    audio_origin: Duration,
    now: Duration,
    released_to: Duration,
    ended: bool,
    presses: [Merged; 16],
    continuous: bool,
    sequence: u32,
    out: VecDeque<Action>,
    tones: VecDeque<ContinuousEvent>,
}

/// A [`Detector`] and key reports from any other source feeding a [`Gather`], for a host's
/// media loop: audio frames in ([`process`](Self::process) for `i16` or `f32`,
/// [`process_ulaw`](Self::process_ulaw), [`process_alaw`](Self::process_alaw)), key reports
/// in ([`key_down`](Self::key_down) / [`key_up`](Self::key_up) /
/// [`key_press`](Self::key_press), e.g. from an RFC 4733 receiver or a SIP INFO), the clock
/// in ([`advance_to`](Self::advance_to)), and out come the gather's actions
/// ([`poll_action`](Self::poll_action)) and, in continuous mode, every press
/// ([`poll_continuous`](Self::poll_continuous)).
///
/// # Time
///
/// One axis for everything: [`Duration`]s on the host's clock, from an origin it chooses
/// (e.g. the start of the call's RTP stream). Audio sample `n` (counted from the audio's
/// origin, zero unless [`resume_audio_at`](Self::resume_audio_at) moved it) is at
/// `origin + n / rate`. In-band key events are the detector's estimates of the tone's true
/// edges (a key goes down at its tone's start and up at its end); out-of-band reports carry
/// the times the host gives them (for RFC 4733, the event's RTP timestamp and duration on
/// the same axis as the audio).
///
/// The driver's clock, [`now`](Self::now), is the later of the end of the audio fed so far
/// and the last [`advance_to`](Self::advance_to). While audio flows it moves the clock
/// itself; when none comes (silence suppression, hold, a call whose keys all come out of
/// band) the host calls `advance_to` with its clock, at the latest at
/// [`poll_timeout`](Self::poll_timeout), and deadlines fire all the same. After a gap in the
/// audio, either feed silence for it or call `resume_audio_at` with the time of the next
/// sample, so that the audio's time stays on the axis.
///
/// # Ordering and latency
///
/// A report comes some time after the instant it describes (the detector decides a key
/// down ~31–50 ms after the tone started; an RFC 4733 packet travels). Handing inputs to
/// the gather as they arrive could fire a timeout whose deadline lies *after* a key not
/// reported yet — wrongly, since by rule 8 that key wins. So the driver queues every input
/// by its time and hands the gather only what lies at or before
/// `now − latency` (`− tolerance` as well under a policy that merges sources), in time order,
/// and wakes it for deadlines only up to that instant (the *horizon*). Any report that
/// arrives within `latency` ([`DEFAULT_LATENCY`], [`with_latency`](Self::with_latency)) of
/// the instant it is stamped with is therefore taken in order, ties included. A report that
/// comes later still counts, at the later time. Actions come out up to `latency`
/// (+ tolerance, + a frame) after the instant they are stamped with (`at`). A host whose
/// `advance_to` clock runs ahead of the audio it still has to feed (a jitter buffer) must
/// add that lead to `latency`. After [`finish_stream`](Self::finish_stream) nothing more is
/// waited for: everything up to `now` is handed over.
///
/// **Ties** (rule 8) are decided on the tone's true timing as far as the detector can tell
/// it: an in-band key down estimated at most the tie margin ([`DEFAULT_TIE_MARGIN`],
/// [`with_tie_margin`](Self::with_tie_margin)) after a deadline is handed to the gather at
/// the deadline and wins; deadlines fire only once the inputs have been handed over that
/// far past them (or the stream has ended). Out-of-band reports carry exact times: no
/// margin.
///
/// # Sources and the merge rule
///
/// [`MergePolicy`] ([`with_policy`](Self::with_policy)) picks the sources: out of band only,
/// in band only, or both (the default). Reports from different sources are merged into
/// presses, taken in time order (ups before downs at equal times):
///
/// * A key down from source S **joins** the current press of that key when S has not
///   reported that press yet and either another source holds the key down, or the press
///   ended at most `tolerance` ([`DEFAULT_MERGE_TOLERANCE`],
///   [`with_merge_tolerance`](Self::with_merge_tolerance)) before. Otherwise it **starts a
///   new press**. A down from a source that already holds the key is a repeat and ignored;
///   so is an up from a source that does not hold it.
/// * A press ends when the last source holding it lets go. If another source's down is
///   queued within `tolerance` after that end, the end waits for it (and it joins).
/// * The gather sees each press once: down at the earliest start, up at the latest end.
///
/// In other words, two reports of the same key from different sources whose intervals
/// overlap or lie at most `tolerance` apart are one press; two reports from the same
/// source are always two presses (unless they overlap, which a source cannot report).
/// `tolerance` covers in-band tails; the out-of-band *arrival* delay is covered by
/// `latency`, since reports carry their own times. A report without an end
/// ([`key_press`](Self::key_press) with `None`, e.g. a SIP INFO without a duration) is a
/// press of no length at its start; stamp it with the best estimate of the press's start
/// (or raise the tolerance), or it will not meet the in-band press it duplicates.
///
/// # Chaining gathers
///
/// [`next_gather`](Self::next_gather) ends one gather and starts the next at `now`;
/// [`chain`](Self::chain) starts it back to back with the finished one, at the instant it
/// finished. Either way the detector, the queue and the merged presses carry on: keys the
/// first did not consume ([`Gather::leftover`]), keys still in the queue and keys the
/// detector has not finished deciding all go to the next — as type-ahead if they went
/// down before its start, at their own times otherwise. None is lost or taken twice (a
/// key the first gather collected is not collected again when its up, or another source's
/// report of the same press, comes after the switch).
///
/// # Continuous recognition
///
/// Between [`start_continuous`](Self::start_continuous) and
/// [`stop_continuous`](Self::stop_continuous) every press (merged as above) is also
/// reported as [`ContinuousEvent::ToneReceived`] with a sequence number, whether or not a
/// gather runs ([`without_gather`](Self::without_gather) for a driver with none).
///
/// # Memory
///
/// Nothing is allocated per frame or per report: the queue holds up to
/// [`QUEUE_CAPACITY`] inputs (a host that queues more, e.g. a whole file of reports at
/// once, makes the oldest be handed over before its horizon), and the action and
/// continuous-event queues keep their room as long as the host polls them. The gather
/// allocates for what it collects and for its result.
///
/// # Prompts
///
/// If the host knows how long its prompts are,
/// [`with_prompt_length`](Self::with_prompt_length) makes the driver report their ends
/// itself (at `PlayPrompt.at + length`, unless stopped).
///
/// # Example
///
/// The caller presses `1 2 3 #` in the audio; the RFC 4733 stream reports the same `2`
/// (taken once) and then the audio stops (silence suppression) while the host's clock goes
/// on: the next gather times out without audio.
///
/// ```
/// use std::time::Duration;
/// use touchtone::gather::{Action, Driver, Gather, GatherConfig, KeySource, Reason};
/// use touchtone::{Detector, DetectorConfig, Generator, GeneratorConfig, Key};
/// let ms = Duration::from_millis;
/// // 70 ms tones, 70 ms pauses at 8 kHz: 1 at 70 ms, 2 at 210, 3 at 350, # at 490.
/// let pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("123#").unwrap();
/// let mut d = Driver::new(
///     Detector::new(DetectorConfig::default()).unwrap(),
///     Gather::new(GatherConfig::default()).unwrap(),
/// );
/// d.start();
/// for (i, frame) in pcm.chunks(160).enumerate() {
///     if i == 11 {
///         // 220 ms: the RTP stream's telephone-event for the 2 (210-280 ms).
///         d.key_press(Key::K2, ms(212), Some(ms(282)), KeySource::Rfc4733);
///     }
///     d.process(frame);
/// }
/// d.advance_to(ms(1000));
/// // The host's action loop: here, only the result matters.
/// let finished = |d: &mut Driver| {
///     std::iter::from_fn(|| d.poll_action())
///         .find_map(|a| if let Action::Finished(r) = a { Some(r) } else { None })
/// };
/// let r = finished(&mut d).unwrap();
/// assert_eq!((r.keys.as_str(), r.reason), ("123", Reason::EndKey));
///
/// // The next gather: 2 s first-key timeout, no more audio.
/// let next = Gather::new(GatherConfig { first_key_timeout: ms(2000), ..Default::default() });
/// d.next_gather(next.unwrap());
/// let started = d.now();
/// d.advance_to(started + ms(3000));
/// let r = finished(&mut d).unwrap();
/// assert_eq!((r.reason, r.end), (Reason::NoInput, started + ms(2000)));
/// ```
#[derive(Clone, Debug)]
pub struct Driver {
    det: Detector,
    core: Core,
}

impl Driver {
    /// Join a detector and a (not yet started: [`start`](Self::start)) gather.
    pub fn new(det: Detector, gather: Gather) -> Driver {
        let mut d = Driver::without_gather(det);
        d.core.gather = Some(gather);
        d
    }

    /// A driver with no gather: for continuous recognition alone, or until
    /// [`next_gather`](Self::next_gather) gives it one. Keys that go down while there is no
    /// gather are reported only to continuous recognition.
    pub fn without_gather(det: Detector) -> Driver {
        let rate = det.config().sample_rate;
        Driver {
            det,
            core: Core {
                gather: None,
                rate,
                latency: DEFAULT_LATENCY,
                tie_margin: DEFAULT_TIE_MARGIN,
                tolerance: DEFAULT_MERGE_TOLERANCE,
                policy: MergePolicy::Both,
                prompt_len: None,
                queue: VecDeque::with_capacity(QUEUE_CAPACITY + QUEUE_SLACK),
                seq: 0,
                samples: 0,
                audio_origin: Duration::ZERO,
                now: Duration::ZERO,
                released_to: Duration::ZERO,
                ended: false,
                presses: [Merged::default(); 16],
                continuous: false,
                sequence: 0,
                out: VecDeque::with_capacity(16),
                tones: VecDeque::with_capacity(QUEUE_CAPACITY),
            },
        }
    }

    /// Use another latency bound (see "Ordering and latency").
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Driver {
        self.core.latency = latency;
        self
    }

    /// Use another tie margin (see "Ordering and latency"); zero decides ties on the
    /// estimates.
    #[must_use]
    pub fn with_tie_margin(mut self, margin: Duration) -> Driver {
        self.core.tie_margin = margin;
        self
    }

    /// Take the reports `policy` admits (default [`MergePolicy::Both`]).
    #[must_use]
    pub fn with_policy(mut self, policy: MergePolicy) -> Driver {
        self.core.policy = policy;
        self
    }

    /// Use another merge tolerance (see "Sources and the merge rule").
    #[must_use]
    pub fn with_merge_tolerance(mut self, tolerance: Duration) -> Driver {
        self.core.tolerance = tolerance;
        self
    }

    /// Prompts last `len`: the driver reports each prompt's end itself.
    #[must_use]
    pub fn with_prompt_length(mut self, len: Duration) -> Driver {
        self.core.prompt_len = Some(len);
        self
    }

    /// The audio begins at `t` on the host's axis instead of zero. Only before any audio
    /// is fed (later, use [`resume_audio_at`](Self::resume_audio_at)).
    #[must_use]
    pub fn with_audio_origin(mut self, t: Duration) -> Driver {
        if self.core.samples == 0 {
            self.core.audio_origin = t;
        }
        self
    }

    /// The gather, if there is one.
    pub fn gather(&self) -> Option<&Gather> {
        self.core.gather.as_ref()
    }

    /// The detector.
    pub fn detector(&self) -> &Detector {
        &self.det
    }

    /// The merge policy.
    pub fn policy(&self) -> MergePolicy {
        self.core.policy
    }

    /// The time of the end of the audio fed so far (the next sample's time).
    pub fn position(&self) -> Duration {
        self.core.audio_end()
    }

    /// The driver's clock: the later of [`position`](Self::position) and the last
    /// [`advance_to`](Self::advance_to).
    pub fn now(&self) -> Duration {
        self.core.now
    }

    /// Inputs and deadlines up to this instant have been handed to the gather.
    pub fn horizon(&self) -> Duration {
        self.core.released_to
    }

    /// When the host should next call [`advance_to`](Self::advance_to) if no audio comes:
    /// the instant at which a queued input or the gather's next deadline will be handed
    /// over. `None` when nothing is waiting.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let c = &self.core;
        let margin = c.margin();
        let deadline = c
            .gather
            .as_ref()
            .and_then(Gather::next_deadline)
            .map(|d| d.saturating_add(margin));
        let input = c.queue.front().map(|q| q.t);
        let next = match (deadline, input) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(next.saturating_add(c.wait()))
    }

    /// Start the gather at [`now`](Self::now) (keys that went down before it are
    /// type-ahead).
    pub fn start(&mut self) {
        let t = self.core.now;
        self.core.push(t, Input::Start);
    }

    /// End the current gather and start `gather` at [`now`](Self::now), handing over every
    /// key the current one has not consumed (see "Chaining gathers"). A current gather that
    /// has not finished is cancelled first (its `Finished` action comes out as usual).
    /// Returns the previous gather.
    pub fn next_gather(&mut self, gather: Gather) -> Option<Gather> {
        let c = &mut self.core;
        if let Some(g) = c.gather.as_mut() {
            if !g.is_finished() {
                g.handle_cancel(c.released_to);
                let mut g = c.gather.take();
                if let Some(g) = g.as_mut() {
                    c.collect_from(g);
                }
                c.gather = g;
            }
        }
        let t = c.now;
        c.hand_over(gather, t)
    }

    /// Once the gather has finished, start `next` back to back with it: at the instant it
    /// finished. The keys it did not consume go to `next`: those that went down before
    /// that instant as type-ahead, the others at their own times; everything already
    /// handed over since then is handed to `next` again, in time order.
    ///
    /// # Errors
    /// Gives `next` back when there is no gather or it has not finished.
    pub fn chain(&mut self, next: Gather) -> Result<(), Box<Gather>> {
        let c = &mut self.core;
        let Some(end) = c.gather.as_ref().and_then(Gather::result).map(|r| r.end) else {
            return Err(Box::new(next));
        };
        c.hand_over(next, end);
        Ok(())
    }

    /// The prompt `id` (from [`Action::PlayPrompt`]) ended at `t`.
    pub fn prompt_finished(&mut self, id: u32, t: Duration) {
        self.core.push(t, Input::PromptFinished(id));
    }

    /// The prompt `id` failed at `t`.
    pub fn prompt_failed(&mut self, id: u32, t: Duration) {
        self.core.push(t, Input::PromptFailed(id));
    }

    /// Cancel the gather at `t`.
    pub fn cancel(&mut self, t: Duration) {
        self.core.push(t, Input::Cancel);
    }

    /// The call ended at `t`.
    pub fn hangup(&mut self, t: Duration) {
        self.core.push(t, Input::Hangup);
    }

    /// `source` reports that `key` went down at `at`. Dropped if the policy does not admit
    /// `source`.
    pub fn key_down(&mut self, key: Key, at: Duration, source: KeySource) {
        if self.core.policy.admits(source) {
            self.core.push(at, Input::KeyDown(key, source));
        }
    }

    /// `source` reports that `key` went up at `at`.
    pub fn key_up(&mut self, key: Key, at: Duration, source: KeySource) {
        if self.core.policy.admits(source) {
            self.core.push(at, Input::KeyUp(key, source));
        }
    }

    /// `source` reports a whole press: down at `start`, up at `end` (a press of no length
    /// when `end` is `None` or not after `start`). Give it as soon as the press is known
    /// (its down is late by the press's length otherwise); use
    /// [`key_down`](Self::key_down) and [`key_up`](Self::key_up) to report the edges as
    /// they happen.
    pub fn key_press(
        &mut self,
        key: Key,
        start: Duration,
        end: Option<Duration>,
        source: KeySource,
    ) {
        if !self.core.policy.admits(source) {
            return;
        }
        match end {
            Some(e) if e > start => {
                self.core.push(start, Input::KeyDown(key, source));
                self.core.push(e, Input::KeyUp(key, source));
            }
            _ => self.core.push(start, Input::KeyTap(key, source)),
        }
    }

    /// A [`KeyReport`], as [`key_press`](Self::key_press).
    pub fn report(&mut self, r: KeyReport) {
        self.key_press(r.key, r.start, r.end, r.source);
    }

    /// From [`now`](Self::now) on, report every press as [`ContinuousEvent::ToneReceived`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use touchtone::gather::{ContinuousEvent, Driver, KeySource};
    /// use touchtone::{Detector, DetectorConfig, Key};
    /// let ms = Duration::from_millis;
    /// // No gather, no audio: keys by RFC 4733 and SIP INFO, the same 3 from both.
    /// let mut d = Driver::without_gather(Detector::new(DetectorConfig::default()).unwrap());
    /// d.start_continuous();
    /// d.key_press(Key::K3, ms(100), Some(ms(180)), KeySource::Rfc4733);
    /// d.key_press(Key::K3, ms(120), None, KeySource::SipInfo);
    /// d.key_press(Key::Pound, ms(400), Some(ms(480)), KeySource::Rfc4733);
    /// d.advance_to(ms(600));
    /// d.stop_continuous();
    /// d.advance_to(ms(800));
    /// let events: Vec<ContinuousEvent> = std::iter::from_fn(|| d.poll_continuous()).collect();
    /// assert_eq!(events, [
    ///     ContinuousEvent::ToneReceived { sequence_id: 1, key: Key::K3, at: ms(100) },
    ///     ContinuousEvent::ToneReceived { sequence_id: 2, key: Key::Pound, at: ms(400) },
    ///     ContinuousEvent::Stopped { at: ms(600) },
    /// ]);
    /// ```
    pub fn start_continuous(&mut self) {
        let t = self.core.now;
        self.core.push(t, Input::StartContinuous);
    }

    /// Stop continuous recognition at [`now`](Self::now): presses that went down before
    /// are still reported, then [`ContinuousEvent::Stopped`]. Ignored if it is not running
    /// then.
    pub fn stop_continuous(&mut self) {
        let t = self.core.now;
        self.core.push(t, Input::StopContinuous);
    }

    /// Feed one frame of the caller's audio (`i16`, or `f32` in [−1, 1]); then take the
    /// actions with [`poll_action`](Self::poll_action). Frames after
    /// [`finish_stream`](Self::finish_stream) are ignored.
    pub fn process<S: Sample>(&mut self, frame: &[S]) {
        if self.core.ended {
            return;
        }
        let Driver { det, core } = self;
        if core.policy.admits(KeySource::InBand) {
            det.process(frame, |e| core.detected(e));
        }
        self.core.audio_fed(frame.len());
    }

    /// Feed one frame of G.711 μ-law bytes (e.g. a PCMU payload).
    pub fn process_ulaw(&mut self, bytes: &[u8]) {
        if self.core.ended {
            return;
        }
        let Driver { det, core } = self;
        if core.policy.admits(KeySource::InBand) {
            det.process_ulaw(bytes, |e| core.detected(e));
        }
        self.core.audio_fed(bytes.len());
    }

    /// Feed one frame of G.711 A-law bytes (e.g. a PCMA payload).
    pub fn process_alaw(&mut self, bytes: &[u8]) {
        if self.core.ended {
            return;
        }
        let Driver { det, core } = self;
        if core.policy.admits(KeySource::InBand) {
            det.process_alaw(bytes, |e| core.detected(e));
        }
        self.core.audio_fed(bytes.len());
    }

    /// After a gap in the audio (silence suppression, hold) that the host did not fill:
    /// the next sample fed is at `t`. The detector is flushed first (a key that was on ends
    /// at the last sample fed). A `t` before [`position`](Self::position) is taken as
    /// `position`.
    pub fn resume_audio_at(&mut self, t: Duration) {
        if self.core.ended {
            return;
        }
        self.flush_detector();
        let c = &mut self.core;
        let end = c.audio_end();
        c.audio_origin = t.max(end);
        c.samples = 0;
        c.now = c.now.max(end);
        c.release(c.horizon());
    }

    fn flush_detector(&mut self) {
        let Driver { det, core } = self;
        if core.policy.admits(KeySource::InBand) {
            det.finish(|e| core.detected(e));
        }
    }

    /// The audio stream ended: flush the detector and hand every queued input to the gather.
    /// Time then goes on without audio and without waiting for late reports: use
    /// [`advance_to`](Self::advance_to) or [`run_to_end`](Self::run_to_end).
    pub fn finish_stream(&mut self) {
        if self.core.ended {
            return;
        }
        self.flush_detector();
        let c = &mut self.core;
        let end = c.audio_end();
        c.audio_origin = end;
        c.samples = 0;
        c.ended = true;
        c.now = c.now.max(end);
        c.release(c.now);
    }

    /// The host's clock is at `t`: hand over the inputs and fire the deadlines up to the
    /// horizon (`t − latency`, see "Ordering and latency"), with or without audio. An
    /// earlier `t` than [`now`](Self::now) changes nothing.
    pub fn advance_to(&mut self, t: Duration) {
        let c = &mut self.core;
        c.now = c.now.max(t);
        c.release(c.horizon());
    }

    /// After [`finish_stream`](Self::finish_stream): run until the gather finishes, with
    /// silence as the caller's input and prompts ending as reported (or after the prompt
    /// length). Returns the result, or `None` if it cannot finish on its own (a prompt
    /// whose end is never reported) or there is no gather.
    pub fn run_to_end(&mut self) -> Option<GatherResult> {
        if !self.core.ended {
            self.finish_stream();
        }
        let c = &mut self.core;
        for _ in 0..100_000 {
            let g = c.gather.as_ref()?;
            if g.is_finished() {
                break;
            }
            let next = match (g.next_deadline(), c.queue.front()) {
                (Some(d), Some(q)) => d.min(q.t),
                (Some(d), None) => d,
                (None, Some(q)) => q.t,
                (None, None) => break,
            };
            c.now = c.now.max(next);
            c.release(next.max(c.released_to));
        }
        c.gather.as_ref()?.result().cloned()
    }

    /// The next action for the host.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.core.out.pop_front()
    }

    /// The next continuous-recognition event.
    pub fn poll_continuous(&mut self) -> Option<ContinuousEvent> {
        self.core.tones.pop_front()
    }
}

impl Core {
    /// Replace the gather by `next`, started at `at`: the old one's leftover keys down
    /// before `at` become `next`'s type-ahead, later ones are queued again at their own
    /// times; the old one's prompt reports are dropped. Returns the old gather.
    fn hand_over(&mut self, mut next: Gather, at: Duration) -> Option<Gather> {
        let mut old = self.gather.take();
        let leftover = old.as_mut().map(Gather::take_leftover).unwrap_or_default();
        let (before, after): (Vec<_>, Vec<_>) = leftover.into_iter().partition(|e| e.down < at);
        next.handle_type_ahead(&before);
        self.gather = Some(next);
        self.queue
            .retain(|q| !matches!(q.input, Input::PromptFinished(_) | Input::PromptFailed(_)));
        for ev in after {
            self.push(ev.down, Input::LeftoverDown(ev.key));
            if let Some(up) = ev.up {
                self.push(up, Input::LeftoverUp(ev.key));
            }
        }
        self.push(at, Input::Start);
        self.release(self.released_to);
        old
    }

    fn audio_end(&self) -> Duration {
        self.audio_origin
            .saturating_add(samples_to_time(self.samples, self.rate))
    }

    /// The tie margin in force: none once the stream has ended (no key can come any more)
    /// or when no in-band key is taken.
    fn margin(&self) -> Duration {
        if self.ended || !self.policy.admits(KeySource::InBand) {
            Duration::ZERO
        } else {
            self.tie_margin
        }
    }

    /// How far behind `now` inputs are handed over.
    fn wait(&self) -> Duration {
        if self.ended {
            return Duration::ZERO;
        }
        let merge = match self.policy {
            MergePolicy::InBandOnly => Duration::ZERO,
            _ => self.tolerance,
        };
        self.latency.saturating_add(merge)
    }

    fn horizon(&self) -> Duration {
        self.now.saturating_sub(self.wait())
    }

    fn audio_fed(&mut self, n: usize) {
        self.samples += n as u64;
        self.now = self.now.max(self.audio_end());
        self.release(self.horizon());
    }

    fn detected(&mut self, e: Event) {
        let at = |s: u64| {
            self.audio_origin
                .saturating_add(samples_to_time(s, self.rate))
        };
        let (t, input) = match e {
            Event::KeyDown { key, start, .. } => {
                (at(start), Input::KeyDown(key, KeySource::InBand))
            }
            Event::KeyUp { press, .. } => {
                (at(press.end), Input::KeyUp(press.key, KeySource::InBand))
            }
        };
        self.push(t, input);
    }

    /// Queue an input from outside; a full queue first hands over its oldest input.
    fn push(&mut self, t: Duration, input: Input) {
        if self.queue.len() >= QUEUE_CAPACITY {
            if let Some(first) = self.queue.front() {
                let t0 = first.t.max(self.released_to);
                self.release(t0);
            }
        }
        self.insert(t, input);
    }

    /// Queue an input in time order (from the back: inputs mostly come in order).
    fn insert(&mut self, t: Duration, input: Input) {
        self.seq += 1;
        let item = Item {
            t,
            rank: input.rank(),
            seq: self.seq,
            input,
        };
        let mut i = self.queue.len();
        while i > 0 && self.queue[i - 1].order() > item.order() {
            i -= 1;
        }
        self.queue.insert(i, item);
    }

    /// Hand over every queued input at or before `upto`, interleaved with the gather's
    /// deadlines in time order (an input at a deadline goes first), then wake it at `upto`.
    fn release(&mut self, upto: Duration) {
        // Deadlines fire only once the inputs are handed over a tie margin past them.
        let margin = self.margin();
        let fire_to = upto.saturating_sub(margin);
        loop {
            let first = self
                .queue
                .front()
                .map(|q| (q.t, q.input))
                .filter(|q| q.0 <= upto);
            let deadline = self.gather.as_ref().and_then(Gather::next_deadline);
            match (first, deadline) {
                (Some((t, input)), d)
                    if d.map_or(true, |d| {
                        t <= d || input.tie_down() && t <= d.saturating_add(margin)
                    }) =>
                {
                    self.queue.pop_front();
                    // A key down within the margin after the deadline is taken at it.
                    let at = d.map_or(t, |d| t.min(d));
                    self.apply(at, input);
                }
                (_, Some(d)) if d <= fire_to => {
                    if let Some(g) = self.gather.as_mut() {
                        g.handle_timeout(d);
                    }
                }
                _ => break,
            }
            self.collect();
        }
        if let Some(g) = self.gather.as_mut() {
            g.handle_timeout(fire_to);
        }
        self.collect();
        if upto > self.released_to {
            self.released_to = upto;
        }
    }

    fn apply(&mut self, t: Duration, input: Input) {
        match input {
            Input::KeyDown(k, s) => self.merge_down(k, s, t, false),
            Input::KeyTap(k, s) => self.merge_down(k, s, t, true),
            Input::KeyUp(k, s) => self.merge_up(k, s, t),
            Input::LeftoverDown(k) => {
                if let Some(g) = self.gather.as_mut() {
                    g.handle_key_down(k, t)
                }
            }
            Input::LeftoverUp(k) => self.gather_up(k, t),
            Input::StartContinuous => self.continuous = true,
            Input::StopContinuous => {
                if self.continuous {
                    self.continuous = false;
                    self.tones.push_back(ContinuousEvent::Stopped { at: t });
                }
            }
            _ => {
                let Some(g) = self.gather.as_mut() else {
                    return;
                };
                match input {
                    Input::Start => g.handle_start(t),
                    Input::PromptFinished(id) if g.playing_prompt() == Some(id) => {
                        g.handle_prompt_finished(t)
                    }
                    Input::PromptFailed(id) if g.playing_prompt() == Some(id) => {
                        g.handle_prompt_failed(t)
                    }
                    Input::Cancel => g.handle_cancel(t),
                    Input::Hangup => g.handle_hangup(t),
                    _ => {}
                }
            }
        }
    }

    /// A down of `k` from `s` at `t` (and its up at once for a tap): join the current
    /// press or start a new one (the merge rule in the [`Driver`] docs).
    fn merge_down(&mut self, k: Key, s: KeySource, t: Duration, tap: bool) {
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

    fn merge_up(&mut self, k: Key, s: KeySource, t: Duration) {
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

    fn gather_up(&mut self, k: Key, t: Duration) {
        if let Some(g) = self.gather.as_mut() {
            g.handle_key_up(k, t);
        }
    }

    fn collect(&mut self) {
        if let Some(mut g) = self.gather.take() {
            self.collect_from(&mut g);
            self.gather = Some(g);
        }
    }

    fn collect_from(&mut self, g: &mut Gather) {
        while let Some(a) = g.poll_action() {
            if let (Action::PlayPrompt { id, at, .. }, Some(len)) = (&a, self.prompt_len) {
                let (id, end) = (*id, at.saturating_add(len));
                self.insert(end, Input::PromptFinished(id));
            }
            self.out.push_back(a);
        }
    }
}

/// Options of [`run_over_recording`]: what `touchtone gather` takes on its command line.
#[derive(Clone, Debug)]
pub struct RecordingOptions {
    /// The gather's settings.
    pub config: GatherConfig,
    /// Length of the prompt played at the start of each attempt; zero = no prompt.
    pub prompt: Duration,
    /// Samples per frame fed to the driver. Default 20 ms worth.
    pub frame: Option<usize>,
}

/// Run `count` gathers back to back over a caller's recording, as
/// `touchtone gather --gathers N` does: each starts when the one before finished, with the
/// keys that one did not consume as type-ahead ([`Driver::chain`]); otherwise as
/// [`run_over_recording`]. Returns the results in order (fewer than `count` only if a
/// gather cannot finish, which finite timeouts rule out).
///
/// # Errors
/// As [`run_over_recording`].
pub fn run_gathers_over_recording(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    count: usize,
) -> Result<Vec<GatherResult>, GatherConfigError> {
    run_gathers_over_recording_with_keys(samples, sample_rate, options, count, &[])
}

/// Run a gather over a caller's recording (mono `i16` at `sample_rate`), as
/// `touchtone gather` does: the gather starts at the first sample; the prompt "plays" for
/// `options.prompt` from the start of each attempt (cut short by barge-in); key events come
/// from the crate's detector; when the recording ends first, time goes on as silence.
///
/// # Errors
/// [`GatherConfigError`] if the configuration is refused; a sample rate the detector refuses is
/// reported as [`GatherConfigError::Count`] with field `sample_rate`.
pub fn run_over_recording(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
) -> Result<GatherResult, GatherConfigError> {
    run_over_recording_with_keys(samples, sample_rate, options, &[])
}

/// [`run_over_recording`] with out-of-band key reports beside the recording, as
/// [`run_gathers_over_recording_with_keys`] takes them.
///
/// # Errors
/// As [`run_over_recording`].
pub fn run_over_recording_with_keys(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    reports: &[KeyReport],
) -> Result<GatherResult, GatherConfigError> {
    run_gathers_over_recording_with_keys(samples, sample_rate, options, 1, reports)?
        .pop()
        // Unreachable in practice: prompt ends are scheduled by the driver and every
        // timeout is finite.
        .ok_or(GatherConfigError::Count {
            field: "gather",
            value: -1,
        })
}

/// [`run_gathers_over_recording`] with out-of-band key reports beside the recording (times
/// from its first sample), merged with its in-band keys under [`MergePolicy::Both`]: each
/// report's down is given when the audio reaches its start and its up when the audio
/// reaches its end, as a live host would; reports beyond the end of the recording are
/// given after it.
///
/// # Errors
/// As [`run_over_recording`].
pub fn run_gathers_over_recording_with_keys(
    samples: &[i16],
    sample_rate: u32,
    options: &RecordingOptions,
    count: usize,
    reports: &[KeyReport],
) -> Result<Vec<GatherResult>, GatherConfigError> {
    let mut cfg = options.config.clone();
    cfg.prompt = options.prompt > Duration::ZERO;
    let det = Detector::new(crate::DetectorConfig::with_rate(sample_rate)).map_err(|_| {
        GatherConfigError::Count {
            field: "sample_rate",
            value: i64::from(sample_rate),
        }
    })?;
    let mut d = Driver::new(det, Gather::new(cfg.clone())?);
    if options.prompt > Duration::ZERO {
        d = d.with_prompt_length(options.prompt);
    }
    let mut results = Vec::new();
    if count == 0 {
        return Ok(results);
    }
    // Every edge of every report, in time order: (time, is up, report).
    let mut edges: Vec<(Duration, bool, &KeyReport)> = Vec::with_capacity(2 * reports.len());
    for r in reports {
        match r.end {
            Some(e) if e > r.start => {
                edges.push((r.start, false, r));
                edges.push((e, true, r));
            }
            _ => edges.push((r.start, false, r)),
        }
    }
    edges.sort_by_key(|&(t, up, _)| (t, up));
    let mut next = 0;
    let mut give = |d: &mut Driver, upto: Option<Duration>| {
        while let Some(&(t, up, r)) = edges.get(next) {
            if upto.is_some_and(|u| t > u) {
                break;
            }
            next += 1;
            match (up, r.end) {
                (true, _) => d.key_up(r.key, t, r.source),
                (false, Some(e)) if e > r.start => d.key_down(r.key, t, r.source),
                (false, _) => d.key_press(r.key, t, None, r.source),
            }
        }
    };
    // Take each finished result and chain the next gather; true when all are done.
    let mut take = |d: &mut Driver| -> Result<bool, GatherConfigError> {
        while d.poll_action().is_some() {}
        while let Some(r) = d.gather().and_then(Gather::result).cloned() {
            results.push(r);
            if results.len() >= count {
                return Ok(true);
            }
            if d.chain(Gather::new(cfg.clone())?).is_err() {
                break;
            }
            while d.poll_action().is_some() {}
        }
        Ok(false)
    };
    d.start();
    let frame = options.frame.unwrap_or((sample_rate / 50) as usize).max(1);
    let mut done = false;
    for chunk in samples.chunks(frame) {
        let pos = d.position();
        give(&mut d, Some(pos));
        d.process(chunk);
        if take(&mut d)? {
            done = true;
            break;
        }
    }
    if !done {
        give(&mut d, None);
        d.finish_stream();
        loop {
            if d.run_to_end().is_none() || take(&mut d)? {
                break;
            }
        }
    }
    Ok(results)
}
