//! Checks of the JSON values the request bodies share: integers in a range, objects, known
//! fields; each offence is added to the list of errors.

use serde_json::{Map, Value};

pub(super) type Errs = Vec<(String, String)>;

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An integer (also written `4.0`) within `min..=max`.
pub(super) fn int(v: &Value, min: u32, max: u32) -> Result<u32, String> {
    let n = match v {
        Value::Number(n) => n.as_f64().filter(|f| f.fract() == 0.0),
        _ => return Err(format!("must be an integer, got {}", type_name(v))),
    };
    match n {
        Some(f) if f >= f64::from(min) && f <= f64::from(max) => Ok(f as u32),
        Some(f) => Err(format!("must be from {min} to {max}, got {f}")),
        None => Err(format!("must be an integer, got {v}")),
    }
}

pub(super) fn object<'a>(
    v: &'a Value,
    path: &str,
    errs: &mut Errs,
) -> Option<&'a Map<String, Value>> {
    match v {
        Value::Object(o) => Some(o),
        _ => {
            errs.push((
                path.into(),
                format!("must be an object, got {}", type_name(v)),
            ));
            None
        }
    }
}

pub(super) fn known(o: &Map<String, Value>, fields: &[&str], path: &str, errs: &mut Errs) {
    for k in o.keys() {
        if !fields.contains(&k.as_str()) {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            errs.push((p, "is not a known field".into()));
        }
    }
}
