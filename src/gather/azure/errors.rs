//! [`AzureRequestError`]: a request refused, in the shape of Azure's
//! `CommunicationErrorResponse`.

use core::fmt;
use serde_json::{json, Value};

/// A request refused, in the shape of Azure's `CommunicationErrorResponse` (HTTP 400).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AzureRequestError {
    /// A summary.
    pub message: String,
    /// Each offending field: its path (e.g. `recognizeOptions.dtmfOptions.stopTones[1]`)
    /// and what is wrong with it, in the order found.
    pub details: Vec<(String, String)>,
}

impl AzureRequestError {
    pub(super) fn new(details: Vec<(String, String)>) -> Self {
        let fields: Vec<&str> = details.iter().map(|d| d.0.as_str()).collect();
        AzureRequestError {
            message: format!("The request is invalid: {}", fields.join(", ")),
            details,
        }
    }

    /// The JSON body: `{"error":{"code":"BadRequest","message":…,"details":[{"code":
    /// "BadRequest","message":…,"target":…}]}}`.
    pub fn to_json(&self) -> String {
        let details: Vec<Value> = self
            .details
            .iter()
            .map(|(t, m)| json!({"code": "BadRequest", "message": m, "target": t}))
            .collect();
        json!({"error": {"code": "BadRequest", "message": self.message, "details": details}})
            .to_string()
    }
}

impl fmt::Display for AzureRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for (t, m) in &self.details {
            write!(f, "; {t}: {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AzureRequestError {}
