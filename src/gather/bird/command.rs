//! Call-flow gather commands ([`BirdCommand`]: the request and its [`Condition`]s), the
//! conditions' [`Operator`]s, and Bird's [`CallCommandResponse`].

use super::errors::{BirdError, RequestError, ValidationError};
use super::schema::{rank, type_name};
use super::BirdRequest;
use crate::gather::machine::GatherResult;
use serde_json::{Map, Value};

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
