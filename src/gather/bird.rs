//! Bird "Gather DTMF from a call" request bodies (feature `bird`, on by default).
//!
//! ```
//! use touchtone::gather::bird::BirdRequest;
//! let req = BirdRequest::parse(r#"{"maxNumKeys": 4, "endKey": "*", "timeout": 2.5,
//!     "retries": 1, "say": {"text": "Enter your PIN", "locale": "en-US"}}"#).unwrap();
//! let cfg = req.config();
//! assert_eq!(cfg.max_keys, 4);
//! assert_eq!(cfg.inter_key_timeout.as_millis(), 2500);
//! assert!(cfg.prompt);
//!
//! let err = BirdRequest::parse(r#"{"endKey": "A", "colour": "red"}"#).unwrap_err();
//! assert_eq!(err.code, "ValidationError");
//! assert!(err.details.contains_key("endKey") && err.details.contains_key("colour"));
//! assert!(err.to_json().starts_with(r#"{"code":"ValidationError","#));
//! ```
//!
//! Fields (docs.bird.com, Voice API › "Gather DTMF from a call"): `maxNumKeys` (integer,
//! 0 = no limit), `endKey` (one of `0-9 * #`), `timeout` (seconds; an integer in Bird's
//! schema, fractions accepted here as the specification asks), `retries` (integer),
//! `input` (`"dtmf"`, `"speech"`, `"dtmf speech"`; without `dtmf` refused: speech
//! recognition is outside this library), `speechLocale` (accepted, ignored), `playback`
//! (object: `media` URLs, `loop`, `timeout`) and `say` (object: `text`, `locale`,
//! `voice`, `loop`, `timeout`) — these two become the prompt the host plays
//! ([`BirdRequest::prompt`]). A JSON `null` counts as absent.
//!
//! Errors have the shape of Bird's 422 validation error: `code` (`"ValidationError"`),
//! `message`, and `details` mapping each offending field to its messages. All offending
//! fields are reported at once.

use super::config::{GatherConfig, InputKinds, MAX_RETRIES, MAX_TIMEOUT};
use crate::key::{Key, KeySet};
use core::fmt;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The prompt a request asks the host to play at the start of each attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum BirdPrompt {
    /// `playback`: the object as given (`media`, `loop`, `timeout`).
    Playback(Value),
    /// `say`: the object as given (`text`, `locale`, `voice`, `loop`, `timeout`).
    Say(Value),
}

/// A validated request body.
#[derive(Clone, Debug, PartialEq)]
pub struct BirdRequest {
    /// `maxNumKeys` (0 or absent = no limit).
    pub max_num_keys: Option<u32>,
    /// `endKey` (absent = `#`).
    pub end_key: Option<Key>,
    /// `timeout` in seconds (absent = 5).
    pub timeout: Option<f64>,
    /// `retries` (absent = 0).
    pub retries: Option<u32>,
    /// `input` (absent = dtmf).
    pub input: InputKinds,
    /// `speechLocale`, accepted and ignored.
    pub speech_locale: Option<String>,
    /// `playback` and/or `say`, in that order.
    pub prompts: Vec<BirdPrompt>,
}

/// A request refused, in the shape of Bird's 422 validation error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Always `"ValidationError"`.
    pub code: &'static str,
    /// A summary naming the offending fields.
    pub message: String,
    /// Per field, what is wrong with it.
    pub details: BTreeMap<String, Vec<String>>,
}

impl ValidationError {
    fn new(details: BTreeMap<String, Vec<String>>) -> Self {
        let fields: Vec<&str> = details.keys().map(String::as_str).collect();
        ValidationError {
            code: "ValidationError",
            message: format!("The request did not pass validation: {}", fields.join(", ")),
            details,
        }
    }

    /// The JSON body: `{"code":"ValidationError","message":"…","details":{"field":["…"]}}`.
    pub fn to_json(&self) -> String {
        let details: Map<String, Value> = self
            .details
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Value::Array(v.iter().cloned().map(Value::String).collect()),
                )
            })
            .collect();
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code.into()));
        m.insert("message".into(), Value::String(self.message.clone()));
        m.insert("details".into(), Value::Object(details));
        Value::Object(m).to_string()
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for (field, msgs) in &self.details {
            for m in msgs {
                write!(f, "; {field}: {m}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

const FIELDS: [&str; 8] = [
    "maxNumKeys",
    "endKey",
    "timeout",
    "retries",
    "input",
    "speechLocale",
    "playback",
    "say",
];

fn count(v: &Value, max: u64) -> Result<u32, String> {
    match v.as_u64() {
        Some(n) if n <= max => Ok(n as u32),
        Some(n) => Err(format!("must be at most {max}, got {n}")),
        None if v.is_number() => Err(format!("must be a non-negative integer, got {v}")),
        None => Err(format!("must be an integer, got {}", type_name(v))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl BirdRequest {
    /// Parse and validate a request body.
    ///
    /// # Errors
    /// [`ValidationError`] listing every offending field: not JSON / not an object (field
    /// `body`), unknown fields, wrong types, values out of range, an `endKey` outside
    /// `0-9 * #`, an `input` without `dtmf`.
    pub fn parse(json: &str) -> Result<BirdRequest, ValidationError> {
        let mut errs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut err =
            |field: &str, msg: String| errs.entry(field.to_string()).or_default().push(msg);
        let value: Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => {
                err("body", format!("is not valid JSON: {e}"));
                return Err(ValidationError::new(errs));
            }
        };
        let Value::Object(obj) = value else {
            err(
                "body",
                format!("must be a JSON object, got {}", type_name(&value)),
            );
            return Err(ValidationError::new(errs));
        };
        let mut req = BirdRequest {
            max_num_keys: None,
            end_key: None,
            timeout: None,
            retries: None,
            input: InputKinds::default(),
            speech_locale: None,
            prompts: Vec::new(),
        };
        for (k, v) in &obj {
            if !FIELDS.contains(&k.as_str()) {
                err(k, "is not a known field".into());
                continue;
            }
            if v.is_null() {
                continue;
            }
            match k.as_str() {
                "maxNumKeys" => match count(v, u64::from(u32::MAX)) {
                    Ok(n) => req.max_num_keys = Some(n),
                    Err(m) => err(k, m),
                },
                "retries" => match count(v, u64::from(MAX_RETRIES)) {
                    Ok(n) => req.retries = Some(n),
                    Err(m) => err(k, m),
                },
                "endKey" => match v.as_str() {
                    Some(s) => {
                        let mut cs = s.chars();
                        match (cs.next().and_then(Key::from_char), cs.next()) {
                            (Some(key), None) if KeySet::KEYPAD.contains(key) => {
                                req.end_key = Some(key)
                            }
                            _ => err(k, format!("must be one of 0-9, * or #, got {s:?}")),
                        }
                    }
                    None => err(k, format!("must be a string, got {}", type_name(v))),
                },
                "timeout" => match v.as_f64() {
                    Some(s) if s.is_finite() && s >= 0.0 && s <= MAX_TIMEOUT.as_secs_f64() => {
                        req.timeout = Some(s)
                    }
                    Some(s) => err(k, format!("must be from 0 to 86400 seconds, got {s}")),
                    None => err(k, format!("must be a number, got {}", type_name(v))),
                },
                "input" => match v.as_str() {
                    Some("dtmf") => req.input = InputKinds::default(),
                    Some("dtmf speech") => {
                        req.input = InputKinds {
                            dtmf: true,
                            speech: true,
                        }
                    }
                    Some("speech") => err(
                        k,
                        "\"speech\" is not supported: input must include dtmf".into(),
                    ),
                    Some(s) => err(
                        k,
                        format!("must be one of \"dtmf\", \"speech\", \"dtmf speech\", got {s:?}"),
                    ),
                    None => err(k, format!("must be a string, got {}", type_name(v))),
                },
                "speechLocale" => match v.as_str() {
                    Some(s) => req.speech_locale = Some(s.to_string()),
                    None => err(k, format!("must be a string, got {}", type_name(v))),
                },
                "playback" | "say" => {
                    let Some(o) = v.as_object() else {
                        err(k, format!("must be an object, got {}", type_name(v)));
                        continue;
                    };
                    if k == "say" {
                        match o.get("text") {
                            Some(Value::String(_)) => {}
                            Some(t) => err(
                                "say.text",
                                format!("must be a string, got {}", type_name(t)),
                            ),
                            None => err("say.text", "is required".into()),
                        }
                    } else if let Some(m) = o.get("media") {
                        let ok = m
                            .as_array()
                            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
                        if !ok {
                            err(
                                "playback.media",
                                "must be a non-empty array of strings".into(),
                            );
                        }
                    } else {
                        err("playback.media", "is required".into());
                    }
                }
                _ => {}
            }
        }
        // Keep playback before say whatever the key order.
        for k in ["playback", "say"] {
            if let Some(v @ Value::Object(_)) = obj.get(k) {
                req.prompts.push(if k == "say" {
                    BirdPrompt::Say(v.clone())
                } else {
                    BirdPrompt::Playback(v.clone())
                });
            }
        }
        if errs.is_empty() {
            Ok(req)
        } else {
            Err(ValidationError::new(errs))
        }
    }

    /// The gather configuration: Bird defaults for the absent fields, `prompt` set when
    /// `playback` or `say` is given.
    ///
    /// A `timeout` that [`parse`](Self::parse) would refuse (negative, not finite or over
    /// [`MAX_TIMEOUT`]; possible only in a request built by hand) becomes [`Duration::MAX`],
    /// which [`GatherConfig::validate`] (and so `Gather::new`) refuses as a
    /// `GatherConfigError::Timeout`.
    ///
    /// [`Duration::MAX`]: std::time::Duration::MAX
    pub fn config(&self) -> GatherConfig {
        let mut cfg = GatherConfig {
            max_keys: self.max_num_keys.unwrap_or(0),
            retries: self.retries.unwrap_or(0),
            prompt: !self.prompts.is_empty(),
            input: self.input,
            ..Default::default()
        };
        if let Some(k) = self.end_key {
            cfg.end_keys = KeySet::one(k);
        }
        if let Some(s) = self.timeout {
            let d = if (0.0..=MAX_TIMEOUT.as_secs_f64()).contains(&s) {
                std::time::Duration::from_secs_f64(s)
            } else {
                std::time::Duration::MAX
            };
            cfg.first_key_timeout = d;
            cfg.inter_key_timeout = d;
        }
        cfg
    }

    /// The prompt to play at the start of each attempt (the first of `playback`, `say`).
    pub fn prompt(&self) -> Option<&BirdPrompt> {
        self.prompts.first()
    }
}
