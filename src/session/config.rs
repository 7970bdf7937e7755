//! The session's settings: [`SessionConfig`], what a payload type carries ([`Codec`]), and
//! whether a press heard both ways is reported once ([`Merge`]).

use std::time::Duration;

use crate::rfc4733::ReceiverConfig;

/// What a payload type carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Codec {
    /// G.711 μ-law, 8 kHz.
    Pcmu,
    /// G.711 A-law, 8 kHz.
    Pcma,
    /// RFC 4733 telephone-events at this clock rate (0: not known, estimated from the
    /// stream's timestamps against arrival times).
    TelephoneEvent(u32),
    /// Any other codec (its audio is skipped): encoding name and clock rate.
    Other(String, u32),
}

impl Codec {
    /// How a note names an [`Codec::Other`] payload's codec: `name/rate`, or `name` when
    /// the rate is not known.
    pub(crate) fn other_label(name: &str, rate: u32) -> String {
        if rate == 0 {
            name.to_string()
        } else {
            format!("{name}/{rate}")
        }
    }
}

/// How presses heard both in-band and out-of-band are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// The same press from both sources is reported once ([`Source::Both`]).
    ///
    /// [`Source::Both`]: super::Source::Both
    Deduplicate,
    /// Each source's presses are reported separately.
    KeepBoth,
}

/// Session settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// Treat this payload type as telephone-event whatever else is known (clock estimated).
    pub event_pt: Option<u8>,
    /// Decode PCMU/PCMA audio for in-band tones.
    pub inband: bool,
    /// Decode telephone-events.
    pub rfc4733: bool,
    /// De-duplication policy.
    pub merge: Merge,
    /// Widening of each interval when matching presses from the two sources, ms.
    pub dedup_slack_ms: f64,
    /// How long after its end a press waits for the other source, ms.
    pub hold_ms: f64,
    /// Audio packets held to reorder by sequence number.
    pub reorder_window: usize,
    /// Lost end packets: see [`ReceiverConfig::end_timeout`].
    pub end_timeout: Duration,
    /// With [`Merge::Deduplicate`], whether an in-band press that no telephone-event confirms
    /// is reported on a stream that carries telephone-events. Off by default: such a sender
    /// signals its keys out-of-band, and tones left in its audio are the tails of those events
    /// or not the caller's (PBXs in RFC 2833 mode ignore in-band tones the same way).
    pub inband_alone_with_events: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            event_pt: None,
            inband: true,
            rfc4733: true,
            merge: Merge::Deduplicate,
            dedup_slack_ms: 250.0,
            hold_ms: 300.0,
            reorder_window: 4,
            end_timeout: ReceiverConfig::default().end_timeout,
            inband_alone_with_events: false,
        }
    }
}
