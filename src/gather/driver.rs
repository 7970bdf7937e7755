//! [`Driver`]: the detector and the gather joined for a host's frame loop.

use super::config::{GatherConfig, GatherConfigError};
use super::machine::{Action, Gather, GatherResult};
use super::samples_to_time;
use crate::detector::{Detector, Event};
use crate::key::Key;
use std::time::Duration;

/// Default bound on the detector's reporting delay: 100 ms. The detector reports a key
/// down once its tone has lasted `min_tone_ms` (31 ms), within about 50 ms of the tone's
/// start, and a key up once the dropout bridge (25 ms) and its window (16 ms) have passed
/// the tone's end. Measured on generated keys (40 ms–1 s tones, 8–48 kHz): at most 41 ms
/// (test `detector_reporting_delay_is_within_the_driver_latency_bound`). 100 ms leaves
/// margin for other detector settings and real lines.
pub const DEFAULT_LATENCY: Duration = Duration::from_millis(100);

/// Default tie margin: 10 ms, the accuracy the detector documents for a tone's edges
/// (README, "reported start / end": within ±10 ms; measured worst 2.6 ms start, 3.4 ms
/// end). The estimates lean against the caller (a start about 0.3 ms late, an end 1–2 ms
/// early, which brings the inter-key deadline forward), so a key down that the detector
/// places at most this long after a deadline is taken as on time (rule 8).
pub const DEFAULT_TIE_MARGIN: Duration = Duration::from_millis(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Input {
    Start,
    PromptFinished(u32),
    PromptFailed(u32),
    KeyUp(Key),
    KeyDown(Key),
    Cancel,
    Hangup,
}

impl Input {
    /// Order at equal times: the start, then prompt events (rule 11), key ups, key downs.
    fn rank(self) -> u8 {
        match self {
            Input::Start => 0,
            Input::PromptFinished(_) | Input::PromptFailed(_) => 1,
            Input::KeyUp(_) => 2,
            Input::KeyDown(_) => 3,
            Input::Cancel | Input::Hangup => 4,
        }
    }
}

/// A [`Detector`] feeding a [`Gather`], for a host that has audio frames: one
/// [`process`](Self::process) call per frame (e.g. every 20 ms), prompt events when the
/// host's player reports them, and [`poll_action`](Self::poll_action) for what to do.
///
/// **Time** is the position in the audio stream: sample `n` is at `n / rate` seconds. Key
/// events are the detector's estimates of the tone's true edges: a key goes down at
/// `KeyDown::start` and up at `KeyUp::press.end`.
///
/// **Ordering.** The detector reports an edge only some time after it happened (a key down
/// ~31–50 ms after the tone started). Feeding events to the gather as they arrive could
/// fire a timeout whose deadline lies *after* a key the detector has not reported yet —
/// wrongly, since by rule 8 that key wins. So the driver queues every input by its time
/// and hands the gather only what lies at or before `position − latency` (the latency
/// bound, [`DEFAULT_LATENCY`]), in time order, and wakes it for deadlines only up to
/// that instant. Actions therefore come out up to `latency` (plus a frame) after the
/// instant they are stamped with (`at`); a barge-in's `StopPrompt` comes about
/// `latency` after the key's start. At the end of the stream
/// ([`finish_stream`](Self::finish_stream)) everything is released.
///
/// **Ties** (rule 8) are decided on the tone's true timing as far as the detector can
/// tell it: a key down estimated at most the tie margin ([`DEFAULT_TIE_MARGIN`]) after a
/// deadline is handed to the gather at the deadline and wins; deadlines fire only once
/// the stream has been released that far past them (or it has ended).
///
/// If the host knows how long its prompts are, [`with_prompt_length`](Self::with_prompt_length)
/// makes the driver report their ends itself (at `PlayPrompt.at + length`, unless stopped).
///
/// ```
/// use touchtone::gather::{Driver, Gather, GatherConfig, Action, Reason};
/// use touchtone::{Detector, DetectorConfig, Generator, GeneratorConfig};
/// // The caller presses 1 2 3 # (70 ms tones, 70 ms pauses) at 8 kHz.
/// let pcm = Generator::new(GeneratorConfig::default()).unwrap().render_str("123#").unwrap();
/// let mut d = Driver::new(
///     Detector::new(DetectorConfig::default()).unwrap(),
///     Gather::new(GatherConfig::default()).unwrap(),
/// );
/// d.start();
/// for frame in pcm.chunks(160) {
///     d.process(frame);
/// }
/// d.finish_stream();
/// let r = d.run_to_end().unwrap();
/// assert_eq!((r.keys.as_str(), r.reason), ("123", Reason::EndKey));
/// ```
#[derive(Clone, Debug)]
pub struct Driver {
    det: Detector,
    gather: Gather,
    rate: u32,
    latency: Duration,
    tie_margin: Duration,
    prompt_len: Option<Duration>,
    queue: Vec<(Duration, u8, u64, Input)>,
    seq: u64,
    released_to: Duration,
    ended: bool,
    out: std::collections::VecDeque<Action>,
}

impl Driver {
    /// Join a detector and a (not yet started) gather.
    pub fn new(det: Detector, gather: Gather) -> Driver {
        let rate = det.config().sample_rate;
        Driver {
            det,
            gather,
            rate,
            latency: DEFAULT_LATENCY,
            tie_margin: DEFAULT_TIE_MARGIN,
            prompt_len: None,
            queue: Vec::new(),
            seq: 0,
            released_to: Duration::ZERO,
            ended: false,
            out: Default::default(),
        }
    }

    /// Use another latency bound (see the type docs).
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Driver {
        self.latency = latency;
        self
    }

    /// Use another tie margin (see the type docs); zero decides ties on the estimates.
    #[must_use]
    pub fn with_tie_margin(mut self, margin: Duration) -> Driver {
        self.tie_margin = margin;
        self
    }

    /// Prompts last `len`: the driver reports each prompt's end itself.
    #[must_use]
    pub fn with_prompt_length(mut self, len: Duration) -> Driver {
        self.prompt_len = Some(len);
        self
    }

    /// The gather.
    pub fn gather(&self) -> &Gather {
        &self.gather
    }

    /// The detector.
    pub fn detector(&self) -> &Detector {
        &self.det
    }

    /// The current position of the audio stream as a time.
    pub fn position(&self) -> Duration {
        samples_to_time(self.det.position(), self.rate)
    }

    fn push(&mut self, t: Duration, input: Input) {
        self.seq += 1;
        let item = (t, input.rank(), self.seq, input);
        let at = self
            .queue
            .partition_point(|q| (q.0, q.1, q.2) <= (item.0, item.1, item.2));
        self.queue.insert(at, item);
    }

    /// Start the gather at the current position (keys reported before it are type-ahead).
    pub fn start(&mut self) {
        let t = self.position();
        self.push(t, Input::Start);
    }

    /// The prompt `id` (from [`Action::PlayPrompt`]) ended at `t`.
    pub fn prompt_finished(&mut self, id: u32, t: Duration) {
        self.push(t, Input::PromptFinished(id));
    }

    /// The prompt `id` failed at `t`.
    pub fn prompt_failed(&mut self, id: u32, t: Duration) {
        self.push(t, Input::PromptFailed(id));
    }

    /// Cancel the gather at `t`.
    pub fn cancel(&mut self, t: Duration) {
        self.push(t, Input::Cancel);
    }

    /// The call ended at `t`.
    pub fn hangup(&mut self, t: Duration) {
        self.push(t, Input::Hangup);
    }

    /// Feed one frame of the caller's audio; then take the actions with
    /// [`poll_action`](Self::poll_action). Frames after [`finish_stream`](Self::finish_stream)
    /// are ignored.
    pub fn process(&mut self, frame: &[i16]) {
        if self.ended {
            return;
        }
        let mut events = Vec::new();
        self.det.process(frame, |e| events.push(e));
        self.enqueue(events);
        let safe = self.position().saturating_sub(self.latency);
        self.release(safe);
    }

    /// The audio stream ended: flush the detector and hand every queued input to the gather.
    /// Time then goes on without audio: use [`advance_to`](Self::advance_to) or
    /// [`run_to_end`](Self::run_to_end).
    pub fn finish_stream(&mut self) {
        if self.ended {
            return;
        }
        let end = self.position();
        let mut events = Vec::new();
        self.det.finish(|e| events.push(e));
        self.enqueue(events);
        self.ended = true;
        self.release(end);
    }

    /// After [`finish_stream`](Self::finish_stream): let time run to `t` (inputs and
    /// deadlines up to `t`).
    pub fn advance_to(&mut self, t: Duration) {
        if self.ended {
            self.release(t);
        }
    }

    /// After [`finish_stream`](Self::finish_stream): run until the gather finishes, with
    /// silence as the caller's input and prompts ending as reported (or after the prompt
    /// length). Returns the result, or `None` if it cannot finish on its own (a prompt
    /// whose end is never reported).
    pub fn run_to_end(&mut self) -> Option<GatherResult> {
        if !self.ended {
            self.finish_stream();
        }
        for _ in 0..100_000 {
            if self.gather.is_finished() {
                break;
            }
            let next = match (self.gather.next_deadline(), self.queue.first()) {
                (Some(d), Some(q)) => d.min(q.0),
                (Some(d), None) => d,
                (None, Some(q)) => q.0,
                (None, None) => break,
            };
            self.release(next.max(self.released_to));
        }
        self.gather.result().cloned()
    }

    fn enqueue(&mut self, events: Vec<Event>) {
        for e in events {
            match e {
                Event::KeyDown { key, start, .. } => {
                    self.push(samples_to_time(start, self.rate), Input::KeyDown(key))
                }
                Event::KeyUp { press, .. } => self.push(
                    samples_to_time(press.end, self.rate),
                    Input::KeyUp(press.key),
                ),
            }
        }
    }

    /// Hand the gather every queued input at or before `upto`, interleaved with its
    /// deadlines in time order (an input at a deadline goes first, and a key down within
    /// the tie margin after one is taken at it), then wake it at `upto` less the margin
    /// (at `upto` once the stream has ended: no key can come any more).
    fn release(&mut self, upto: Duration) {
        let fire_to = if self.ended {
            upto
        } else {
            upto.saturating_sub(self.tie_margin)
        };
        loop {
            let first = self
                .queue
                .first()
                .map(|q| (q.0, q.3))
                .filter(|q| q.0 <= upto);
            let deadline = self.gather.next_deadline();
            match (first, deadline) {
                (Some((t, input)), d)
                    if d.map_or(true, |d| {
                        t <= d
                            || matches!(input, Input::KeyDown(_))
                                && t <= d.saturating_add(self.tie_margin)
                    }) =>
                {
                    self.queue.remove(0);
                    // A key down within the margin after the deadline is taken at it.
                    let at = d.map_or(t, |d| t.min(d));
                    self.apply(at, input);
                }
                (_, Some(d)) if d <= fire_to => self.gather.handle_timeout(d),
                _ => break,
            }
            self.collect();
        }
        self.gather.handle_timeout(fire_to);
        self.collect();
        if upto > self.released_to {
            self.released_to = upto;
        }
    }

    fn apply(&mut self, t: Duration, input: Input) {
        let g = &mut self.gather;
        match input {
            Input::Start => g.handle_start(t),
            Input::PromptFinished(id) => {
                if g.playing_prompt() == Some(id) {
                    g.handle_prompt_finished(t)
                }
            }
            Input::PromptFailed(id) => {
                if g.playing_prompt() == Some(id) {
                    g.handle_prompt_failed(t)
                }
            }
            Input::KeyDown(k) => g.handle_key_down(k, t),
            Input::KeyUp(k) => g.handle_key_up(k, t),
            Input::Cancel => g.handle_cancel(t),
            Input::Hangup => g.handle_hangup(t),
        }
    }

    fn collect(&mut self) {
        while let Some(a) = self.gather.poll_action() {
            if let (Action::PlayPrompt { id, at, .. }, Some(len)) = (&a, self.prompt_len) {
                let (id, end) = (*id, at.saturating_add(len));
                self.push(end, Input::PromptFinished(id));
            }
            self.out.push_back(a);
        }
    }

    /// The next action for the host.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.out.pop_front()
    }

    /// Once the gather has finished, start `next` on the same stream at the instant it
    /// finished: the keys it did not consume (its leftover: those that went down after it
    /// finished, and surplus type-ahead) go to `next`, keys before that instant as
    /// type-ahead and the others at their own times; pending prompt reports of the
    /// finished gather are dropped. Inputs already released are handed to `next` again up
    /// to where the stream has been released.
    ///
    /// # Errors
    /// Gives `next` back when the current gather has not finished.
    pub fn chain(&mut self, mut next: Gather) -> Result<(), Box<Gather>> {
        let Some(end) = self.gather.result().map(|r| r.end) else {
            return Err(Box::new(next));
        };
        let leftover = self.gather.take_leftover();
        let before: Vec<_> = leftover.iter().filter(|e| e.down < end).copied().collect();
        next.handle_type_ahead(&before);
        self.gather = next;
        self.queue
            .retain(|q| !matches!(q.3, Input::PromptFinished(_) | Input::PromptFailed(_)));
        for ev in leftover.iter().filter(|e| e.down >= end) {
            self.push(ev.down, Input::KeyDown(ev.key));
            if let Some(up) = ev.up {
                self.push(up, Input::KeyUp(ev.key));
            }
        }
        self.push(end, Input::Start);
        let upto = self.released_to;
        self.release(upto);
        Ok(())
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
    d.start();
    let frame = options.frame.unwrap_or((sample_rate / 50) as usize).max(1);
    // Take each finished result and chain the next gather; true when all are done.
    let mut take = |d: &mut Driver| -> Result<bool, GatherConfigError> {
        while d.poll_action().is_some() {}
        while let Some(r) = d.gather().result().cloned() {
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
    let mut done = false;
    for chunk in samples.chunks(frame) {
        d.process(chunk);
        if take(&mut d)? {
            done = true;
            break;
        }
    }
    if !done {
        d.finish_stream();
        loop {
            if d.run_to_end().is_none() || take(&mut d)? {
                break;
            }
        }
    }
    Ok(results)
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
    let mut cfg = options.config.clone();
    cfg.prompt = options.prompt > Duration::ZERO;
    let gather = Gather::new(cfg)?;
    let det = Detector::new(crate::DetectorConfig::with_rate(sample_rate)).map_err(|_| {
        GatherConfigError::Count {
            field: "sample_rate",
            value: i64::from(sample_rate),
        }
    })?;
    let mut d = Driver::new(det, gather);
    if options.prompt > Duration::ZERO {
        d = d.with_prompt_length(options.prompt);
    }
    d.start();
    let frame = options.frame.unwrap_or((sample_rate / 50) as usize).max(1);
    for chunk in samples.chunks(frame) {
        d.process(chunk);
        if d.gather().is_finished() {
            break;
        }
    }
    d.finish_stream();
    if let Some(r) = d.run_to_end() {
        return Ok(r);
    }
    // Unreachable in practice (prompt ends are scheduled by the driver and every timeout
    // is finite); end the gather rather than loop or panic.
    let mut g = d.gather().clone();
    g.handle_cancel(d.position());
    g.result().cloned().ok_or(GatherConfigError::Count {
        field: "gather",
        value: -1,
    })
}
