//! Azure Communication Services Call Automation "Recognize" (DTMF), both ways (feature
//! `azure`, on by default): a Recognize request body read into a configuration, and
//! Azure's event payloads written from a result.
//!
//! ```
//! use touchtone::gather::azure::{EventContext, RecognizeRequest};
//! use touchtone::gather::{Gather, Reason};
//! use touchtone::Key;
//! use std::time::Duration;
//! let req = RecognizeRequest::parse(r#"{
//!     "recognizeInputType": "dtmf",
//!     "playPrompt": {"kind": "textSource", "textSource": {"text": "Enter your PIN"}},
//!     "operationContext": "pin",
//!     "recognizeOptions": {
//!         "interruptPrompt": true,
//!         "initialSilenceTimeoutInSeconds": 10,
//!         "targetParticipant": {"rawId": "4:+15550100"},
//!         "dtmfOptions": {"maxTonesToCollect": 4, "interToneTimeoutInSeconds": 3,
//!                         "stopTones": ["pound"]}
//!     }
//! }"#).unwrap();
//! let cfg = req.config().unwrap();
//! assert_eq!((cfg.max_keys, cfg.first_key_timeout.as_secs()), (4, 10));
//!
//! let mut g = Gather::new(cfg).unwrap();
//! let ms = Duration::from_millis;
//! g.handle_start(ms(0));
//! g.handle_prompt_finished(ms(2000));
//! g.handle_key_down(Key::K4, ms(2500));
//! g.handle_key_up(Key::K4, ms(2600));
//! g.handle_key_down(Key::Pound, ms(3000));
//! let r = g.result().unwrap();
//! let ev = req.event(r, &EventContext::default());
//! assert_eq!(ev["type"], "Microsoft.Communication.RecognizeCompleted");
//! assert_eq!(ev["data"]["resultInformation"]["subCode"], 8514);
//! assert_eq!(ev["data"]["dtmfResult"]["tones"], serde_json::json!(["four", "pound"]));
//! assert_eq!(ev["data"]["operationContext"], "pin");
//! ```
//!
//! **The request** (REST `POST …/callConnections/{id}:recognize`): `recognizeInputType`
//! (`"dtmf"`; other kinds are speech or choices, outside this library), `playPrompt` or
//! `playPrompts` (kept as given: the host plays them), `interruptCallMediaOperation`,
//! `operationContext`, `operationCallbackUri`, and `recognizeOptions` with
//! `interruptPrompt` (default true), `initialSilenceTimeoutInSeconds` (default 5, 0–300),
//! `targetParticipant` (required; kept as given), and `dtmfOptions`
//! { `maxTonesToCollect` (default 1, at least 1), `interToneTimeoutInSeconds` (default 2,
//! 1–60), `stopTones` (tone names) }. Integers may be written `4.0`. Unknown fields are
//! refused (naming the path), to catch misspellings; errors have the shape of Azure's
//! `CommunicationErrorResponse` (`{"error":{"code","message","details":[{"code",
//! "message","target"}]}}`).
//!
//! **Tone names** are Azure's `DtmfTone` values: `zero` … `nine`, `asterisk`, `pound`,
//! `a` … `d` (read case-insensitively).
//!
//! **Events** ([`RecognizeRequest::event`], [`recognize_event`]) are written as
//! `{"type": "Microsoft.Communication.<Event>", "data": {…}}` (the CloudEvent's `type`
//! and `data`; the envelope's `id`, `source`, `time` are the host's). The result maps to:
//!
//! | result | event | `resultInformation` code / subCode |
//! |---|---|---|
//! | `max_keys` | `RecognizeCompleted` | 200 / 8531 "Action completed, max digits received." |
//! | `end_key` (a stop tone) | `RecognizeCompleted` | 200 / 8514 "Action completed as stop tone was detected." |
//! | `timeout`, unsuccessful (partial input, the Azure preset) | `RecognizeFailed` | 400 / 8532 "Action failed, inter-digit silence timeout reached." |
//! | `timeout`, successful (other configurations) | `RecognizeCompleted` | 200 / 8532 |
//! | `no_input` | `RecognizeFailed` | 408 / 8510 "Action failed, initial silence timeout reached." |
//! | `prompt_failed` | `RecognizeFailed` | 500 / 8511 "Action failed, encountered failure while trying to play the prompt." |
//! | `cancelled` | `RecognizeCanceled` | none |
//! | `hangup` | `RecognizeFailed` | 400 / 8508 "Action failed, the operation was canceled." |
//! | others (not reachable with Azure's settings) | `RecognizeFailed` | 500 / 8512 "Unknown internal server error." |
//!
//! `RecognizeCompleted` carries `recognitionType: "dtmf"` and `dtmfResult.tones`: the
//! collected tones, then the stop tone that ended the input (the SDK's
//! `DtmfResult.ConvertToString` documents the form `"12345#"`). The codes and messages
//! are those of the Recognize how-to's event table as written from the documentation
//! known when this was written; the 200 / 8532 of a successful timeout, and 8508 for a
//! hangup, are this library's choices (Azure has no such outcome).
//!
//! **Continuous DTMF recognition** payloads: [`continuous_tone_received`]
//! (`ContinuousDtmfRecognitionToneReceived`, with `tone` and `sequenceId`),
//! [`continuous_tone_failed`] and [`continuous_stopped`]. **SendDtmfTones**
//! ([`SendDtmfTones`]): at most 18 tones, rendered by the crate's
//! [`Generator`](crate::Generator).
//!
//! Files: this file (tone names, [`RecognizeRequest`]: parsing and the gather's
//! settings), `errors` ([`AzureRequestError`]), `values` (the checks of JSON values the
//! bodies share), `events` (the event payloads written from a result), `send`
//! ([`SendDtmfTones`]).

mod errors;
mod events;
mod send;
mod values;

pub use errors::AzureRequestError;
pub use events::{
    continuous_stopped, continuous_tone_failed, continuous_tone_received, recognize_event,
    EventContext,
};
pub use send::{SendDtmfTones, MAX_SEND_TONES};

use super::config::{GatherConfig, GatherConfigError};
use super::machine::GatherResult;
use super::presets::Azure;
use crate::key::Key;
use serde_json::{Map, Value};
use values::{int, known, object, type_name, Errs};

/// Azure's name of a tone (`DtmfTone`): `zero` … `nine`, `asterisk`, `pound`, `a` … `d`.
pub const fn tone_name(key: Key) -> &'static str {
    match key {
        Key::K0 => "zero",
        Key::K1 => "one",
        Key::K2 => "two",
        Key::K3 => "three",
        Key::K4 => "four",
        Key::K5 => "five",
        Key::K6 => "six",
        Key::K7 => "seven",
        Key::K8 => "eight",
        Key::K9 => "nine",
        Key::Star => "asterisk",
        Key::Pound => "pound",
        Key::A => "a",
        Key::B => "b",
        Key::C => "c",
        Key::D => "d",
    }
}

/// The key of an Azure tone name (case-insensitive), e.g. `"Pound"` → `#`.
pub fn tone_from_name(name: &str) -> Option<Key> {
    Key::ALL
        .into_iter()
        .find(|&k| tone_name(k).eq_ignore_ascii_case(name))
}

/// A validated Recognize request body (DTMF).
#[derive(Clone, Debug, PartialEq)]
pub struct RecognizeRequest {
    /// `playPrompt` and the items of `playPrompts`, as given, in that order.
    pub play_prompts: Vec<Value>,
    /// `interruptCallMediaOperation`. Default false.
    pub interrupt_call_media_operation: bool,
    /// `operationContext`, echoed in the events.
    pub operation_context: Option<String>,
    /// `operationCallbackUri`.
    pub operation_callback_uri: Option<String>,
    /// `recognizeOptions.interruptPrompt`. Default true.
    pub interrupt_prompt: bool,
    /// `recognizeOptions.initialSilenceTimeoutInSeconds`. Default 5.
    pub initial_silence_timeout_in_seconds: u32,
    /// `recognizeOptions.targetParticipant`, as given.
    pub target_participant: Value,
    /// `dtmfOptions.maxTonesToCollect`. Default 1.
    pub max_tones_to_collect: u32,
    /// `dtmfOptions.interToneTimeoutInSeconds`. Default 2.
    pub inter_tone_timeout_in_seconds: u32,
    /// `dtmfOptions.stopTones`.
    pub stop_tones: Vec<Key>,
}

impl RecognizeRequest {
    /// Parse and validate a Recognize request body.
    ///
    /// # Errors
    /// [`AzureRequestError`] listing every offending field: not JSON, unknown fields,
    /// wrong types, a `recognizeInputType` other than `dtmf`, values outside Azure's
    /// ranges, unknown tone names, a missing `targetParticipant`.
    pub fn parse(body: &str) -> Result<RecognizeRequest, AzureRequestError> {
        let mut errs: Errs = Vec::new();
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                errs.push(("body".into(), format!("is not valid JSON: {e}")));
                return Err(AzureRequestError::new(errs));
            }
        };
        let mut req = RecognizeRequest {
            play_prompts: Vec::new(),
            interrupt_call_media_operation: false,
            operation_context: None,
            operation_callback_uri: None,
            interrupt_prompt: true,
            initial_silence_timeout_in_seconds: 5,
            target_participant: Value::Null,
            max_tones_to_collect: 1,
            inter_tone_timeout_in_seconds: 2,
            stop_tones: Vec::new(),
        };
        let Some(top) = object(&value, "body", &mut errs) else {
            return Err(AzureRequestError::new(errs));
        };
        known(
            top,
            &[
                "recognizeInputType",
                "playPrompt",
                "playPrompts",
                "interruptCallMediaOperation",
                "operationContext",
                "operationCallbackUri",
                "recognizeOptions",
            ],
            "",
            &mut errs,
        );
        match top.get("recognizeInputType") {
            Some(Value::String(s)) if s.eq_ignore_ascii_case("dtmf") => {}
            Some(Value::String(s)) => errs.push((
                "recognizeInputType".into(),
                format!("{s:?} is not supported: only \"dtmf\" (speech and choices are outside this library)"),
            )),
            Some(v) => errs.push((
                "recognizeInputType".into(),
                format!("must be a string, got {}", type_name(v)),
            )),
            None => errs.push(("recognizeInputType".into(), "is required".into())),
        }
        if let Some(p) = top.get("playPrompt") {
            if object(p, "playPrompt", &mut errs).is_some() {
                req.play_prompts.push(p.clone());
            }
        }
        match top.get("playPrompts") {
            Some(Value::Array(a)) => {
                for (i, p) in a.iter().enumerate() {
                    if object(p, &format!("playPrompts[{i}]"), &mut errs).is_some() {
                        req.play_prompts.push(p.clone());
                    }
                }
            }
            Some(v) => errs.push((
                "playPrompts".into(),
                format!("must be an array, got {}", type_name(v)),
            )),
            None => {}
        }
        match top.get("interruptCallMediaOperation") {
            Some(Value::Bool(b)) => req.interrupt_call_media_operation = *b,
            Some(v) => errs.push((
                "interruptCallMediaOperation".into(),
                format!("must be a boolean, got {}", type_name(v)),
            )),
            None => {}
        }
        for (field, slot) in [
            ("operationContext", &mut req.operation_context),
            ("operationCallbackUri", &mut req.operation_callback_uri),
        ] {
            match top.get(field) {
                Some(Value::String(s)) => *slot = Some(s.clone()),
                Some(v) => errs.push((
                    field.into(),
                    format!("must be a string, got {}", type_name(v)),
                )),
                None => {}
            }
        }
        let opts = match top.get("recognizeOptions") {
            Some(v) => object(v, "recognizeOptions", &mut errs),
            None => {
                errs.push(("recognizeOptions".into(), "is required".into()));
                None
            }
        };
        if let Some(o) = opts {
            req.parse_options(o, &mut errs);
        }
        if errs.is_empty() {
            Ok(req)
        } else {
            Err(AzureRequestError::new(errs))
        }
    }

    fn parse_options(&mut self, o: &Map<String, Value>, errs: &mut Errs) {
        const P: &str = "recognizeOptions";
        known(
            o,
            &[
                "interruptPrompt",
                "initialSilenceTimeoutInSeconds",
                "targetParticipant",
                "dtmfOptions",
            ],
            P,
            errs,
        );
        match o.get("interruptPrompt") {
            Some(Value::Bool(b)) => self.interrupt_prompt = *b,
            Some(v) => errs.push((
                format!("{P}.interruptPrompt"),
                format!("must be a boolean, got {}", type_name(v)),
            )),
            None => {}
        }
        if let Some(v) = o.get("initialSilenceTimeoutInSeconds") {
            match int(v, 0, 300) {
                Ok(n) => self.initial_silence_timeout_in_seconds = n,
                Err(m) => errs.push((format!("{P}.initialSilenceTimeoutInSeconds"), m)),
            }
        }
        match o.get("targetParticipant") {
            Some(v @ Value::Object(_)) => self.target_participant = v.clone(),
            Some(v) => errs.push((
                format!("{P}.targetParticipant"),
                format!("must be an object, got {}", type_name(v)),
            )),
            None => errs.push((format!("{P}.targetParticipant"), "is required".into())),
        }
        let Some(d) = o.get("dtmfOptions") else {
            return;
        };
        let path = format!("{P}.dtmfOptions");
        let Some(d) = object(d, &path, errs) else {
            return;
        };
        known(
            d,
            &[
                "maxTonesToCollect",
                "interToneTimeoutInSeconds",
                "stopTones",
            ],
            &path,
            errs,
        );
        if let Some(v) = d.get("maxTonesToCollect") {
            match int(v, 1, u32::MAX) {
                Ok(n) => self.max_tones_to_collect = n,
                Err(m) => errs.push((format!("{path}.maxTonesToCollect"), m)),
            }
        }
        if let Some(v) = d.get("interToneTimeoutInSeconds") {
            match int(v, 1, 60) {
                Ok(n) => self.inter_tone_timeout_in_seconds = n,
                Err(m) => errs.push((format!("{path}.interToneTimeoutInSeconds"), m)),
            }
        }
        match d.get("stopTones") {
            Some(Value::Array(a)) => {
                for (i, t) in a.iter().enumerate() {
                    match t.as_str().and_then(tone_from_name) {
                        Some(k) => self.stop_tones.push(k),
                        None => errs.push((
                            format!("{path}.stopTones[{i}]"),
                            format!("{t} is not a tone (zero … nine, asterisk, pound, a … d)"),
                        )),
                    }
                }
            }
            Some(v) => errs.push((
                format!("{path}.stopTones"),
                format!("must be an array, got {}", type_name(v)),
            )),
            None => {}
        }
    }

    /// The request as the Azure preset.
    pub fn preset(&self) -> Azure {
        Azure {
            max_tones_to_collect: self.max_tones_to_collect,
            initial_silence_timeout: f64::from(self.initial_silence_timeout_in_seconds),
            inter_tone_timeout: f64::from(self.inter_tone_timeout_in_seconds),
            stop_tones: self.stop_tones.iter().map(|k| k.to_char()).collect(),
            interrupt_prompt: self.interrupt_prompt,
            play_prompt: !self.play_prompts.is_empty(),
        }
    }

    /// The gather configuration (through [`Azure::config`]).
    ///
    /// # Errors
    /// [`GatherConfigError`] for values [`parse`](Self::parse) would refuse (possible only
    /// in a request built by hand).
    pub fn config(&self) -> Result<GatherConfig, GatherConfigError> {
        self.preset().config()
    }

    /// The event Azure sends for `result`, with this request's `operationContext`.
    pub fn event(&self, result: &GatherResult, ctx: &EventContext) -> Value {
        let ctx = EventContext {
            operation_context: self
                .operation_context
                .clone()
                .or_else(|| ctx.operation_context.clone()),
            ..ctx.clone()
        };
        recognize_event(result, &ctx)
    }
}
