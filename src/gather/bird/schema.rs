//! Bird's `Gather` schema: its fields in order (which orders the validation errors), and
//! the checks of their values (integers, locales).

use serde_json::Value;

/// The `Gather` schema's fields, in its order.
pub(super) const FIELDS: [&str; 8] = [
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
pub(super) const PLAY_FIELDS: [&str; 4] = ["media", "loop", "timeout", "pauseMilliseconds"];
/// `Say`'s fields.
pub(super) const SAY_FIELDS: [&str; 5] = ["text", "locale", "voice", "loop", "timeout"];
/// Most `playback.media` items.
pub const MAX_MEDIA: usize = 80;

/// Rank of a field path in the schema's order (unknown fields after every known one).
pub(super) fn rank(path: &str) -> usize {
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
pub(super) fn count(v: &Value, max: u64) -> Result<u32, String> {
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
pub(super) fn locale(v: &Value) -> Result<String, String> {
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
