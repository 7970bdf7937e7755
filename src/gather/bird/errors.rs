//! Bird's errors: 400 [`RequestError`] (not JSON), 422 [`ValidationError`] (every
//! offending field, in the schema's order), and [`BirdError`], either one with its status,
//! code and JSON.

use core::fmt;
use serde_json::Value;

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
    pub(super) fn new(mut errs: Vec<(usize, String, String)>) -> Self {
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
