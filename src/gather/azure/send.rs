//! [`SendDtmfTones`]: a request to send tones to a participant, read and rendered.

use super::errors::AzureRequestError;
use super::values::{known, object, type_name, Errs};
use super::{tone_from_name, tone_name};
use crate::generator::Generator;
use crate::key::Key;
use serde_json::{json, Map, Value};

/// Most tones in one `SendDtmfTones` request.
pub const MAX_SEND_TONES: usize = 18;

/// A `SendDtmfTones` request body: `tones` (Azure names, 1 to 18), `targetParticipant`,
/// `operationContext`.
///
/// ```
/// use touchtone::gather::azure::SendDtmfTones;
/// use touchtone::{Generator, GeneratorConfig};
/// let req = SendDtmfTones::parse(r#"{"tones": ["one", "two", "pound"],
///     "targetParticipant": {"rawId": "4:+15550100"}}"#).unwrap();
/// assert_eq!(req.keys(), "12#");
/// let pcm = req.render(&Generator::new(GeneratorConfig::default()).unwrap());
/// assert!(!pcm.is_empty());
/// assert!(SendDtmfTones::parse(r#"{"tones": [], "targetParticipant": {}}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SendDtmfTones {
    /// The tones, in order.
    pub tones: Vec<Key>,
    /// `targetParticipant`, as given.
    pub target_participant: Value,
    /// `operationContext`.
    pub operation_context: Option<String>,
}

impl SendDtmfTones {
    /// Parse and validate a body.
    ///
    /// # Errors
    /// [`AzureRequestError`]: not JSON, unknown fields, no tones or more than 18, an
    /// unknown tone name, no `targetParticipant`.
    pub fn parse(body: &str) -> Result<SendDtmfTones, AzureRequestError> {
        let mut errs: Errs = Vec::new();
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                errs.push(("body".into(), format!("is not valid JSON: {e}")));
                return Err(AzureRequestError::new(errs));
            }
        };
        let Some(o) = object(&value, "body", &mut errs) else {
            return Err(AzureRequestError::new(errs));
        };
        known(
            o,
            &[
                "tones",
                "targetParticipant",
                "operationContext",
                "operationCallbackUri",
            ],
            "",
            &mut errs,
        );
        let mut req = SendDtmfTones {
            tones: Vec::new(),
            target_participant: Value::Null,
            operation_context: None,
        };
        match o.get("tones") {
            Some(Value::Array(a)) if a.is_empty() || a.len() > MAX_SEND_TONES => errs.push((
                "tones".into(),
                format!("must hold 1 to {MAX_SEND_TONES} tones, got {}", a.len()),
            )),
            Some(Value::Array(a)) => {
                for (i, t) in a.iter().enumerate() {
                    match t.as_str().and_then(tone_from_name) {
                        Some(k) => req.tones.push(k),
                        None => errs.push((format!("tones[{i}]"), format!("{t} is not a tone"))),
                    }
                }
            }
            Some(v) => errs.push((
                "tones".into(),
                format!("must be an array, got {}", type_name(v)),
            )),
            None => errs.push(("tones".into(), "is required".into())),
        }
        match o.get("targetParticipant") {
            Some(v @ Value::Object(_)) => req.target_participant = v.clone(),
            Some(v) => errs.push((
                "targetParticipant".into(),
                format!("must be an object, got {}", type_name(v)),
            )),
            None => errs.push(("targetParticipant".into(), "is required".into())),
        }
        match o.get("operationContext") {
            Some(Value::String(s)) => req.operation_context = Some(s.clone()),
            Some(v) => errs.push((
                "operationContext".into(),
                format!("must be a string, got {}", type_name(v)),
            )),
            None => {}
        }
        if errs.is_empty() {
            Ok(req)
        } else {
            Err(AzureRequestError::new(errs))
        }
    }

    /// The tones as key characters (`"12#"`).
    pub fn keys(&self) -> String {
        self.tones.iter().map(|k| k.to_char()).collect()
    }

    /// The tones as audio from `generator` (its tone and pause lengths and levels).
    pub fn render(&self, generator: &Generator) -> Vec<i16> {
        generator.render(&self.tones)
    }

    /// The body as JSON.
    pub fn to_json(&self) -> String {
        let tones: Vec<&str> = self.tones.iter().map(|&k| tone_name(k)).collect();
        let mut m = Map::new();
        m.insert("tones".into(), json!(tones));
        m.insert("targetParticipant".into(), self.target_participant.clone());
        if let Some(c) = &self.operation_context {
            m.insert("operationContext".into(), json!(c));
        }
        Value::Object(m).to_string()
    }
}
