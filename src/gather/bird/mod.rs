//! Bird "Gather DTMF from a call" request bodies (feature `bird`, on by default).
//!
//! ```
//! use touchtone::gather::bird::{BirdError, BirdRequest};
//! let req = BirdRequest::parse(r#"{"maxNumKeys": 4, "endKey": "*", "timeout": 2.5,
//!     "retries": 1, "say": {"text": "Enter your PIN", "locale": "en-US"}}"#).unwrap();
//! let cfg = req.config();
//! assert_eq!(cfg.max_keys, 4);
//! assert_eq!(cfg.inter_key_timeout.as_millis(), 2500);
//! assert!(cfg.prompt);
//!
//! let err = BirdRequest::parse(r#"{"endKey": "A", "colour": "red"}"#).unwrap_err();
//! assert_eq!((err.status(), err.code()), (422, "ValidationError"));
//! let BirdError::Validation(v) = &err else { panic!() };
//! assert_eq!(v.fields(), ["endKey", "colour"]);
//! assert!(err.to_json().starts_with(r#"{"code":"ValidationError","#));
//! let err = BirdRequest::parse("{").unwrap_err();
//! assert_eq!((err.status(), err.code()), (400, "RequestError"));
//! ```
//!
//! Fields (docs.bird.com, Programmable Voice API, the OpenAPI `Gather` schema): `maxNumKeys`
//! (integer, 0 = no limit), `endKey` (one of `0-9 * #`), `timeout` (seconds; 0 = the
//! default 5; fractions accepted here as the project specification asks), `retries`
//! (integer), `input` (`"dtmf"`, `"speech"`, `"dtmf speech"`; without `dtmf` refused:
//! speech recognition is outside this library), `speechLocale` (accepted, ignored),
//! `playback` (`Play`: `media` required, an array of at most 80 URL strings or `null`;
//! `loop`, `timeout` integers; `pauseMilliseconds` 0–30 000) and `say` (`Say`: `text`
//! required; `locale`, `voice` strings; `loop`, `timeout` integers) — these two become the
//! prompt the host plays ([`BirdRequest::prompt`]). No other field is accepted at any
//! level (`additionalProperties: false`). Integer fields accept an integral float
//! (`4.0`). A JSON `null` counts as absent (except `playback.media`, where it is allowed
//! as the schema's `nullable`).
//!
//! `say.locale` and `speechLocale`: Bird's schema lists the locales it accepts; that list
//! was not available when this was written, so a locale is checked for the shape of a
//! BCP 47 language-region tag (`en-US`, `nl-NL`, `cmn-CN`) only. Bird's own example body
//! sends `"locale": ["en-US"]`; a one-element array of strings is accepted as that string.
//!
//! Errors: malformed JSON is Bird's 400 `RequestError` (`code`, `message`); a body that
//! does not fit the schema is Bird's 422 `ValidationError` (`code`, `message`, `details`
//! mapping each offending field to its messages, in the schema's key order, unknown
//! fields last; the JSON keeps that order). All offending fields are reported at once.
//!
//! **Responses and conditions.** A call-flow command body `{"command": "gather",
//! "options": {…}, "conditions": [{"variable": "keys", "operator": "eq", "value": "1"}]}`
//! is read by [`BirdCommand::parse`]; [`CallCommandResponse`] is Bird's answer to a gather
//! command (`id`, `callId`, `callFlowId`, `status`, `command: "gather"`, `conditions`),
//! and [`Condition::evaluate`] checks a condition against the result (`keys` compared
//! with `eq`/`==`, `ne`/`!=`, `contains`), so a host can branch as Bird's call flows do.
//!
//! Files: `schema` (the schema's fields and the checks of their values), `errors` (Bird's
//! 400 and 422 errors), this file ([`BirdRequest`]: parsing, validating and the gather's
//! settings), `command` (call-flow commands, conditions and Bird's response).

mod command;
mod errors;
mod schema;

pub use command::{BirdCommand, CallCommandResponse, Condition, Operator};
pub use errors::{BirdError, RequestError, ValidationError};
pub use schema::MAX_MEDIA;

use super::config::{GatherConfig, InputKinds, MAX_RETRIES, MAX_TIMEOUT};
use crate::key::{Key, KeySet};
use schema::{count, locale, rank, type_name, FIELDS, PLAY_FIELDS, SAY_FIELDS};
use serde_json::Value;

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

impl BirdRequest {
    /// Parse and validate a request body.
    ///
    /// # Errors
    /// [`BirdError::Request`] when the body is not JSON; [`BirdError::Validation`] listing
    /// every offending field otherwise: not an object (field `body`), unknown fields at
    /// any level, wrong types, values out of range, an `endKey` outside `0-9 * #`, an
    /// `input` without `dtmf`.
    pub fn parse(json: &str) -> Result<BirdRequest, BirdError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            BirdError::Request(RequestError {
                code: "RequestError",
                message: format!("The request body is not valid JSON: {e}"),
            })
        })?;
        Self::from_value(&value).map_err(BirdError::Validation)
    }

    /// Validate a body already parsed as JSON.
    ///
    /// # Errors
    /// [`ValidationError`] as for [`parse`](Self::parse).
    pub fn from_value(value: &Value) -> Result<BirdRequest, ValidationError> {
        let mut errs: Vec<(usize, String, String)> = Vec::new();
        let mut err = |field: &str, msg: String| errs.push((rank(field), field.to_string(), msg));
        let Value::Object(obj) = value else {
            err(
                "body",
                format!("must be a JSON object, got {}", type_name(value)),
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
        for (k, v) in obj {
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
                    // 0 means the default, as maxNumKeys 0 means no limit.
                    Some(0.0) => req.timeout = None,
                    Some(s) if s.is_finite() && s > 0.0 && s <= MAX_TIMEOUT.as_secs_f64() => {
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
                "speechLocale" => match locale(v) {
                    Ok(s) => req.speech_locale = Some(s),
                    Err(m) => err(k, m),
                },
                "playback" | "say" => {
                    let Some(o) = v.as_object() else {
                        err(k, format!("must be an object, got {}", type_name(v)));
                        continue;
                    };
                    let fields: &[&str] = if k == "say" {
                        &SAY_FIELDS
                    } else {
                        &PLAY_FIELDS
                    };
                    for (f, fv) in o {
                        let path = format!("{k}.{f}");
                        if !fields.contains(&f.as_str()) {
                            err(&path, "is not a known field".into());
                            continue;
                        }
                        match (f.as_str(), fv) {
                            ("media", Value::Null) => {}
                            ("media", Value::Array(a)) => {
                                if a.len() > MAX_MEDIA {
                                    err(
                                        &path,
                                        format!(
                                            "must hold at most {MAX_MEDIA} items, got {}",
                                            a.len()
                                        ),
                                    );
                                }
                                if !a.iter().all(Value::is_string) {
                                    err(&path, "must be an array of URL strings".into());
                                }
                            }
                            ("media", _) => err(
                                &path,
                                format!("must be an array of URL strings, got {}", type_name(fv)),
                            ),
                            (_, Value::Null) => {}
                            ("loop" | "timeout", _) => {
                                if let Err(m) = count(fv, u64::from(u32::MAX)) {
                                    err(&path, m);
                                }
                            }
                            ("pauseMilliseconds", _) => {
                                if let Err(m) = count(fv, 30_000) {
                                    err(&path, m);
                                }
                            }
                            ("text" | "voice", Value::String(_)) => {}
                            ("text" | "voice", _) => {
                                err(&path, format!("must be a string, got {}", type_name(fv)))
                            }
                            ("locale", _) => {
                                if let Err(m) = locale(fv) {
                                    err(&path, m);
                                }
                            }
                            _ => {}
                        }
                    }
                    let required = if k == "say" { "text" } else { "media" };
                    if !o.contains_key(required) {
                        err(&format!("{k}.{required}"), "is required".into());
                    } else if k == "say" && o.get("text").is_some_and(Value::is_null) {
                        err("say.text", "must be a string, got null".into());
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
