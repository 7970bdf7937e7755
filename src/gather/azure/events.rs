//! The event payloads Azure sends, written from a gather's result: `RecognizeCompleted`,
//! `RecognizeFailed`, `RecognizeCanceled` and the continuous-recognition events, with the
//! ids of the host's call ([`EventContext`]).

use super::tone_name;
use crate::gather::machine::{GatherResult, Reason};
use crate::key::Key;
use serde_json::{json, Map, Value};

/// Where the events' ids come from (the host's call).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventContext {
    /// `callConnectionId`.
    pub call_connection_id: String,
    /// `serverCallId`.
    pub server_call_id: String,
    /// `correlationId`.
    pub correlation_id: String,
    /// `operationContext` (a request's own takes its place in [`RecognizeRequest::event`]).
    ///
    /// [`RecognizeRequest::event`]: super::RecognizeRequest::event
    pub operation_context: Option<String>,
}

fn base(ctx: &EventContext) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("callConnectionId".into(), json!(ctx.call_connection_id));
    m.insert("serverCallId".into(), json!(ctx.server_call_id));
    m.insert("correlationId".into(), json!(ctx.correlation_id));
    if let Some(c) = &ctx.operation_context {
        m.insert("operationContext".into(), json!(c));
    }
    m
}

fn info(code: u16, sub_code: u32, message: &str) -> Value {
    json!({"code": code, "subCode": sub_code, "message": message})
}

fn event(kind: &str, data: Map<String, Value>) -> Value {
    json!({"type": format!("Microsoft.Communication.{kind}"), "data": data})
}

/// The event Azure sends when a Recognize ends with `result` (see the module docs for the
/// mapping): `{"type": "Microsoft.Communication.RecognizeCompleted", "data": {…}}`, or
/// `RecognizeFailed` / `RecognizeCanceled`.
pub fn recognize_event(result: &GatherResult, ctx: &EventContext) -> Value {
    let mut data = base(ctx);
    let completed = |code: u16, sub: u32, msg: &str, mut data: Map<String, Value>| {
        let mut tones: Vec<&str> = result.events.iter().map(|e| tone_name(e.key)).collect();
        if let Some(e) = result.end_key {
            tones.push(tone_name(e.key));
        }
        data.insert("resultInformation".into(), info(code, sub, msg));
        data.insert("recognitionType".into(), json!("dtmf"));
        data.insert("dtmfResult".into(), json!({ "tones": tones }));
        event("RecognizeCompleted", data)
    };
    let failed = |code: u16, sub: u32, msg: &str, mut data: Map<String, Value>| {
        data.insert("resultInformation".into(), info(code, sub, msg));
        event("RecognizeFailed", data)
    };
    match (result.reason, result.success) {
        (Reason::MaxKeys, true) => {
            completed(200, 8531, "Action completed, max digits received.", data)
        }
        (Reason::EndKey, true) => completed(
            200,
            8514,
            "Action completed as stop tone was detected.",
            data,
        ),
        (Reason::Timeout, true) => completed(
            200,
            8532,
            "Action completed, inter-digit silence timeout reached.",
            data,
        ),
        (Reason::Timeout, false) => failed(
            400,
            8532,
            "Action failed, inter-digit silence timeout reached.",
            data,
        ),
        (Reason::NoInput, _) => failed(
            408,
            8510,
            "Action failed, initial silence timeout reached.",
            data,
        ),
        (Reason::PromptFailed, _) => failed(
            500,
            8511,
            "Action failed, encountered failure while trying to play the prompt.",
            data,
        ),
        (Reason::Cancelled, _) => {
            data.remove("resultInformation");
            event("RecognizeCanceled", data)
        }
        (Reason::Hangup, _) => failed(
            400,
            8508,
            "Action failed, the operation was canceled.",
            data,
        ),
        (r, _) => failed(
            500,
            8512,
            &format!("Unknown internal server error. (touchtone reason: {r})"),
            data,
        ),
    }
}

/// `ContinuousDtmfRecognitionToneReceived`: one tone of continuous recognition, numbered
/// by `sequence_id` (1, 2, … in the order the tones came).
pub fn continuous_tone_received(key: Key, sequence_id: u32, ctx: &EventContext) -> Value {
    let mut data = base(ctx);
    data.insert("tone".into(), json!(tone_name(key)));
    data.insert("sequenceId".into(), json!(sequence_id));
    data.insert("resultInformation".into(), info(200, 0, "Success"));
    event("ContinuousDtmfRecognitionToneReceived", data)
}

/// `ContinuousDtmfRecognitionToneFailed`, with the `resultInformation` given.
pub fn continuous_tone_failed(
    code: u16,
    sub_code: u32,
    message: &str,
    ctx: &EventContext,
) -> Value {
    let mut data = base(ctx);
    data.insert("resultInformation".into(), info(code, sub_code, message));
    event("ContinuousDtmfRecognitionToneFailed", data)
}

/// `ContinuousDtmfRecognitionStopped`.
pub fn continuous_stopped(ctx: &EventContext) -> Value {
    let mut data = base(ctx);
    data.insert("resultInformation".into(), info(200, 0, "Success"));
    event("ContinuousDtmfRecognitionStopped", data)
}
