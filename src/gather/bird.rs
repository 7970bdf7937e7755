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

use super::config::{GatherConfig, InputKinds, MAX_RETRIES, MAX_TIMEOUT};
use super::machine::GatherResult;
use crate::key::{Key, KeySet};
use core::fmt;
use serde_json::{Map, Value};

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

/// Bird's 400 `RequestError`: the body is not JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    /// Always `"RequestError"`.
    pub code: &'static str,
    /// What is wrong (the JSON parser's message, with line and column).
    pub message: String,
}

/// Bird's 422 `ValidationError`: the body does not fit the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Always `"ValidationError"`.
    pub code: &'static str,
    /// A summary naming the offending fields.
    pub message: String,
    /// Per field (`endKey`, `say.locale`, …), what is wrong with it, in the schema's key
    /// order (unknown fields last).
    pub details: Vec<(String, Vec<String>)>,
}

impl ValidationError {
    fn new(mut errs: Vec<(usize, String, String)>) -> Self {
        errs.sort_by_key(|e| e.0); // stable: same rank keeps its order
        let mut details: Vec<(String, Vec<String>)> = Vec::new();
        for (_, field, msg) in errs {
            match details.iter_mut().find(|d| d.0 == field) {
                Some(d) => d.1.push(msg),
                None => details.push((field, vec![msg])),
            }
        }
        let fields: Vec<&str> = details.iter().map(|d| d.0.as_str()).collect();
        ValidationError {
            code: "ValidationError",
            message: format!("The request did not pass validation: {}", fields.join(", ")),
            details,
        }
    }

    /// The offending fields, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.details.iter().map(|d| d.0.as_str()).collect()
    }

    /// The messages for `field`, if it is offending.
    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.details
            .iter()
            .find(|d| d.0 == field)
            .map(|d| d.1.as_slice())
    }
}

/// A request refused: 400 [`RequestError`] or 422 [`ValidationError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BirdError {
    /// Not JSON (HTTP 400).
    Request(RequestError),
    /// Not the schema (HTTP 422).
    Validation(ValidationError),
}

impl BirdError {
    /// The HTTP status Bird answers with: 400 or 422.
    pub fn status(&self) -> u16 {
        match self {
            BirdError::Request(_) => 400,
            BirdError::Validation(_) => 422,
        }
    }

    /// `"RequestError"` or `"ValidationError"`.
    pub fn code(&self) -> &'static str {
        match self {
            BirdError::Request(e) => e.code,
            BirdError::Validation(e) => e.code,
        }
    }

    /// The JSON body: `{"code":"RequestError","message":"…"}` or
    /// `{"code":"ValidationError","message":"…","details":{"field":["…"]}}`.
    pub fn to_json(&self) -> String {
        // Written by hand: the details keep the schema's order (a serde_json Map would sort
        // them).
        let q = |s: &str| Value::String(s.to_string()).to_string();
        match self {
            BirdError::Request(e) => {
                format!("{{\"code\":{},\"message\":{}}}", q(e.code), q(&e.message))
            }
            BirdError::Validation(e) => {
                let details: Vec<String> = e
                    .details
                    .iter()
                    .map(|(k, v)| {
                        let msgs: Vec<String> = v.iter().map(|m| q(m)).collect();
                        format!("{}:[{}]", q(k), msgs.join(","))
                    })
                    .collect();
                format!(
                    "{{\"code\":{},\"message\":{},\"details\":{{{}}}}}",
                    q(e.code),
                    q(&e.message),
                    details.join(",")
                )
            }
        }
    }
}

impl fmt::Display for BirdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BirdError::Request(e) => write!(f, "{}: {}", e.code, e.message),
            BirdError::Validation(e) => {
                f.write_str(&e.message)?;
                for (field, msgs) in &e.details {
                    for m in msgs {
                        write!(f, "; {field}: {m}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BirdError {}

/// The `Gather` schema's fields, in its order.
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
/// `Play`'s fields.
const PLAY_FIELDS: [&str; 4] = ["media", "loop", "timeout", "pauseMilliseconds"];
/// `Say`'s fields.
const SAY_FIELDS: [&str; 5] = ["text", "locale", "voice", "loop", "timeout"];
/// Most `playback.media` items.
pub const MAX_MEDIA: usize = 80;

/// Rank of a field path in the schema's order (unknown fields after every known one).
fn rank(path: &str) -> usize {
    let (top, sub) = path.split_once('.').unwrap_or((path, ""));
    let Some(i) = FIELDS.iter().position(|f| *f == top) else {
        return 10_000;
    };
    let j = match top {
        "playback" => PLAY_FIELDS.iter().position(|f| *f == sub),
        "say" => SAY_FIELDS.iter().position(|f| *f == sub),
        _ => Some(0),
    };
    let j = if sub.is_empty() {
        0
    } else {
        j.map_or(99, |j| j + 1)
    };
    i * 100 + j
}

/// An integer (also written `4.0`) from 0 to `max`.
fn count(v: &Value, max: u64) -> Result<u32, String> {
    let n = match v {
        Value::Number(n) => n
            .as_u64()
            .map(|u| u as f64)
            .or_else(|| n.as_f64())
            .filter(|f| f.fract() == 0.0),
        _ => return Err(format!("must be an integer, got {}", type_name(v))),
    };
    match n {
        Some(f) if f < 0.0 => Err(format!("must be a non-negative integer, got {v}")),
        Some(f) if f <= max as f64 => Ok(f as u32),
        Some(_) => Err(format!("must be at most {max}, got {v}")),
        None => Err(format!("must be an integer, got {v}")),
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

/// A BCP 47 language-region tag's shape: 2–3 letters, `-`, 2 letters or 3 digits.
fn locale_shape(s: &str) -> bool {
    let Some((l, r)) = s.split_once('-') else {
        return false;
    };
    (2..=3).contains(&l.len())
        && l.bytes().all(|b| b.is_ascii_alphabetic())
        && (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic())
            || r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
}

/// A locale: a string, or a one-element array of one (Bird's example body).
fn locale(v: &Value) -> Result<String, String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Array(a) if a.len() == 1 && a[0].is_string() => a[0].as_str().unwrap_or(""),
        _ => {
            return Err(format!(
                "must be a locale string (or a one-element array of one), got {}",
                type_name(v)
            ))
        }
    };
    if locale_shape(s) {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not a locale such as \"en-US\""))
    }
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

/// A condition operator of Bird's `CallFlowCommandCondition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `eq` or `==`: equal.
    Eq,
    /// `ne` or `!=`: not equal.
    Ne,
    /// `contains`: the variable contains the value.
    Contains,
}

impl Operator {
    /// The operator of its name (`eq`, `==`, `ne`, `!=`, `contains`).
    pub fn from_name(s: &str) -> Option<Operator> {
        match s {
            "eq" | "==" => Some(Operator::Eq),
            "ne" | "!=" => Some(Operator::Ne),
            "contains" => Some(Operator::Contains),
            _ => None,
        }
    }
}

/// A `CallFlowCommandCondition`: `{"variable": "keys", "operator": "eq", "value": "1"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// `variable`: `keys` (the keys collected) is the one a gather sets.
    pub variable: String,
    /// `operator` as given (`eq`, `==`, `ne`, `!=`, `contains`).
    pub operator: String,
    /// `value`, as a string (a number is taken as its text, e.g. `1`).
    pub value: String,
    /// The condition as given (echoed in the response).
    pub raw: Value,
}

impl Condition {
    /// Whether the condition holds for `result` (`keys` compared with `value`). A
    /// variable other than `keys` is unknown to a gather and never holds.
    pub fn evaluate(&self, result: &GatherResult) -> bool {
        if self.variable != "keys" {
            return false;
        }
        match Operator::from_name(&self.operator) {
            Some(Operator::Eq) => result.keys == self.value,
            Some(Operator::Ne) => result.keys != self.value,
            Some(Operator::Contains) => result.keys.contains(&self.value),
            None => false,
        }
    }
}

/// A call-flow gather command: `{"command": "gather", "options": {Gather}, "conditions":
/// [CallFlowCommandCondition]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct BirdCommand {
    /// `options`: the gather.
    pub request: BirdRequest,
    /// `conditions`, in order.
    pub conditions: Vec<Condition>,
}

impl BirdCommand {
    /// Parse a command body. A bare `Gather` body (no `command`) is taken as a command with
    /// no conditions.
    ///
    /// # Errors
    /// [`BirdError`] as for [`BirdRequest::parse`]; `command` other than `"gather"`, and
    /// conditions with an unknown operator or a missing field, are validation errors.
    pub fn parse(json: &str) -> Result<BirdCommand, BirdError> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            BirdError::Request(RequestError {
                code: "RequestError",
                message: format!("The request body is not valid JSON: {e}"),
            })
        })?;
        let Some(obj) = value.as_object().filter(|o| o.contains_key("command")) else {
            return Ok(BirdCommand {
                request: BirdRequest::from_value(&value).map_err(BirdError::Validation)?,
                conditions: Vec::new(),
            });
        };
        let mut errs: Vec<(usize, String, String)> = Vec::new();
        for k in obj.keys() {
            if !["command", "options", "conditions"].contains(&k.as_str()) {
                errs.push((20_000, k.clone(), "is not a known field".into()));
            }
        }
        if obj.get("command").and_then(Value::as_str) != Some("gather") {
            errs.push((0, "command".into(), "must be \"gather\"".into()));
        }
        let empty = Value::Object(Map::new());
        let request = match BirdRequest::from_value(obj.get("options").unwrap_or(&empty)) {
            Ok(r) => Some(r),
            Err(e) => {
                for (f, msgs) in e.details {
                    for m in msgs {
                        errs.push((1 + rank(&f), format!("options.{f}"), m));
                    }
                }
                None
            }
        };
        let mut conditions = Vec::new();
        match obj.get("conditions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for (i, c) in a.iter().enumerate() {
                    let path = format!("conditions[{i}]");
                    let get = |f: &str| c.get(f).cloned();
                    let variable = get("variable").and_then(|v| v.as_str().map(String::from));
                    let operator = get("operator").and_then(|v| v.as_str().map(String::from));
                    let value = match get("value") {
                        Some(Value::String(s)) => Some(s),
                        Some(Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    };
                    match (variable, operator, value) {
                        (Some(variable), Some(operator), Some(value))
                            if Operator::from_name(&operator).is_some() =>
                        {
                            conditions.push(Condition {
                                variable,
                                operator,
                                value,
                                raw: c.clone(),
                            })
                        }
                        (Some(_), Some(op), Some(_)) => errs.push((
                            30_000 + i,
                            format!("{path}.operator"),
                            format!("{op:?} is not one of eq, ne, ==, !=, contains"),
                        )),
                        _ => errs.push((
                            30_000 + i,
                            path,
                            "needs a string variable, a string operator and a value".into(),
                        )),
                    }
                }
            }
            Some(v) => errs.push((
                30_000,
                "conditions".into(),
                format!("must be an array, got {}", type_name(v)),
            )),
        }
        match request {
            Some(request) if errs.is_empty() => Ok(BirdCommand {
                request,
                conditions,
            }),
            _ => Err(BirdError::Validation(ValidationError::new(errs))),
        }
    }
}

/// Bird's `CallCommandResponse` for a gather command.
#[derive(Clone, Debug, PartialEq)]
pub struct CallCommandResponse {
    /// `id`: the command's id.
    pub id: String,
    /// `callId`.
    pub call_id: String,
    /// `callFlowId`.
    pub call_flow_id: String,
    /// `status`: here `"completed"` for a successful gather, `"failed"` otherwise (Bird's
    /// list of command statuses was not available when this was written).
    pub status: String,
    /// The conditions with their outcome for the result.
    pub conditions: Vec<(Condition, bool)>,
}

impl CallCommandResponse {
    /// The response for `result`, evaluating `conditions` against it.
    pub fn new(
        id: &str,
        call_id: &str,
        call_flow_id: &str,
        result: &GatherResult,
        conditions: &[Condition],
    ) -> CallCommandResponse {
        CallCommandResponse {
            id: id.into(),
            call_id: call_id.into(),
            call_flow_id: call_flow_id.into(),
            status: if result.success {
                "completed"
            } else {
                "failed"
            }
            .into(),
            conditions: conditions
                .iter()
                .map(|c| (c.clone(), c.evaluate(result)))
                .collect(),
        }
    }

    /// The JSON: `{"id","callId","callFlowId","status","command":"gather","conditions":
    /// [{…the condition…, "result": true}]}`.
    pub fn to_json(&self) -> String {
        let conditions: Vec<Value> = self
            .conditions
            .iter()
            .map(|(c, ok)| {
                let mut m = c.raw.as_object().cloned().unwrap_or_default();
                m.insert("result".into(), Value::Bool(*ok));
                Value::Object(m)
            })
            .collect();
        let mut m = Map::new();
        m.insert("id".into(), Value::String(self.id.clone()));
        m.insert("callId".into(), Value::String(self.call_id.clone()));
        m.insert(
            "callFlowId".into(),
            Value::String(self.call_flow_id.clone()),
        );
        m.insert("status".into(), Value::String(self.status.clone()));
        m.insert("command".into(), Value::String("gather".into()));
        m.insert("conditions".into(), Value::Array(conditions));
        Value::Object(m).to_string()
    }
}
