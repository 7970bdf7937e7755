//! Bird request bodies: parsing, validation and the 422 error shape.
#![cfg(feature = "bird")]

use std::time::Duration;
use touchtone::gather::bird::{
    BirdCommand, BirdError, BirdPrompt, BirdRequest, CallCommandResponse, ValidationError,
};
use touchtone::gather::Gather;
use touchtone::{Key, KeySet};

#[test]
fn full_body_maps_onto_the_config() {
    let req = BirdRequest::parse(
        r##"{"maxNumKeys": 6, "endKey": "*", "timeout": 3, "retries": 2,
            "input": "dtmf speech", "speechLocale": "nl-NL",
            "playback": {"media": ["https://example.com/a.wav"], "loop": 1}}"##,
    )
    .unwrap();
    let c = req.config();
    assert_eq!(c.max_keys, 6);
    assert_eq!(c.end_keys, KeySet::one(Key::Star));
    assert_eq!(c.first_key_timeout, Duration::from_secs(3));
    assert_eq!(c.inter_key_timeout, Duration::from_secs(3));
    assert_eq!(c.retries, 2);
    assert!(c.prompt);
    assert!(matches!(req.prompt(), Some(BirdPrompt::Playback(_))));
    assert_eq!(req.speech_locale.as_deref(), Some("nl-NL"));
    assert!(Gather::new(c).is_ok());
}

#[test]
fn empty_body_is_bird_defaults() {
    let c = BirdRequest::parse("{}").unwrap().config();
    assert_eq!(
        (
            c.max_keys,
            c.end_keys,
            c.first_key_timeout,
            c.retries,
            c.prompt
        ),
        (0, KeySet::one(Key::Pound), Duration::from_secs(5), 0, false)
    );
}

#[test]
fn fractional_timeout_and_say_prompt() {
    let req = BirdRequest::parse(r#"{"timeout": 1.25, "say": {"text": "hi"}}"#).unwrap();
    assert_eq!(req.config().first_key_timeout, Duration::from_millis(1250));
    assert!(matches!(req.prompt(), Some(BirdPrompt::Say(_))));
}

fn validation(json: &str) -> ValidationError {
    match BirdRequest::parse(json) {
        Err(BirdError::Validation(e)) => {
            assert_eq!(e.code, "ValidationError");
            e
        }
        other => panic!("{json}: expected a 422, got {other:?}"),
    }
}

fn details(json: &str) -> Vec<String> {
    validation(json)
        .fields()
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn refusals_name_the_field() {
    assert_eq!(details(r#"{"endKey": "A"}"#), ["endKey"]);
    assert_eq!(details(r###"{"endKey": "##"}"###), ["endKey"]);
    assert_eq!(details(r#"{"endKey": 1}"#), ["endKey"]);
    assert_eq!(details(r#"{"maxNumKeys": "4"}"#), ["maxNumKeys"]);
    assert_eq!(details(r#"{"maxNumKeys": -1}"#), ["maxNumKeys"]);
    assert_eq!(details(r#"{"maxNumKeys": 2.5}"#), ["maxNumKeys"]);
    assert_eq!(details(r#"{"timeout": -1}"#), ["timeout"]);
    assert_eq!(details(r#"{"timeout": "5"}"#), ["timeout"]);
    assert_eq!(details(r#"{"retries": true}"#), ["retries"]);
    assert_eq!(details(r#"{"input": "speech"}"#), ["input"]);
    assert_eq!(details(r#"{"input": "voice"}"#), ["input"]);
    assert_eq!(details(r#"{"say": "hello"}"#), ["say"]);
    assert_eq!(details(r#"{"say": {}}"#), ["say.text"]);
    assert_eq!(
        details(r#"{"playback": {"media": ["https://x/a.wav", 3]}}"#),
        ["playback.media"]
    );
    assert_eq!(details(r#"{"maxNumkeys": 4}"#), ["maxNumkeys"]);
    assert_eq!(details("[1]"), ["body"]);
    // Several at once.
    assert_eq!(
        details(r#"{"endKey": "x", "timeout": null, "foo": 1, "retries": -2}"#),
        ["endKey", "retries", "foo"]
    );
}

#[test]
fn error_json_shape() {
    let e = BirdRequest::parse(r#"{"input": "speech"}"#).unwrap_err();
    assert_eq!(e.status(), 422);
    let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(v["code"], "ValidationError");
    assert!(v["message"].as_str().unwrap().contains("input"));
    let msgs = v["details"]["input"].as_array().unwrap();
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].as_str().unwrap().contains("dtmf"));
    assert!(e.to_string().contains("input:"));
}

/// The fields are public, so a request can be built by hand with a timeout `parse` would
/// refuse: `config()` must not panic on it (it did: `Duration::from_secs_f64` of a negative,
/// NaN or huge value), and `Gather::new` must refuse the result naming the timeout.
#[test]
fn hand_built_request_with_a_bad_timeout_is_refused_not_a_panic() {
    for bad in [-1.0, -0.0001, f64::NAN, f64::INFINITY, 1e30, 86_400.5] {
        let req = BirdRequest {
            timeout: Some(bad),
            ..BirdRequest::parse("{}").unwrap()
        };
        let cfg = req.config();
        match Gather::new(cfg) {
            Err(touchtone::gather::GatherConfigError::Timeout { field, .. }) => {
                assert!(field.ends_with("timeout"), "{bad}: field {field}")
            }
            other => panic!("{bad}: expected a timeout refusal, got {other:?}"),
        }
    }
    // In-range values still map exactly.
    let req = BirdRequest {
        timeout: Some(86_400.0),
        ..BirdRequest::parse("{}").unwrap()
    };
    assert_eq!(req.config().first_key_timeout, Duration::from_secs(86_400));
}

// ---- the whole schema (issue 11)

#[test]
fn malformed_json_is_a_400_request_error() {
    for body in ["{", "", "{\"maxNumKeys\": }", "nul"] {
        let e = BirdRequest::parse(body).unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "RequestError"), "{body:?}");
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["code"], "RequestError");
        assert!(v["message"].as_str().unwrap().contains("JSON"));
        assert!(v.get("details").is_none());
    }
}

#[test]
fn details_come_in_the_schema_key_order() {
    // serde_json reads objects sorted by key; the details follow the schema instead.
    let body = r#"{"zzz": 1, "say": {"text": 5}, "retries": "x", "endKey": "A",
                   "playback": {"media": [1]}, "maxNumKeys": -1, "aaa": 2}"#;
    let e = validation(body);
    assert_eq!(
        e.fields(),
        [
            "maxNumKeys",
            "endKey",
            "retries",
            "playback.media",
            "say.text",
            "aaa",
            "zzz"
        ]
    );
    let json = BirdRequest::parse(body).unwrap_err().to_json();
    let order: Vec<usize> = [
        "maxNumKeys",
        "endKey",
        "retries",
        "playback.media",
        "say.text",
        "aaa",
        "zzz",
    ]
    .iter()
    .map(|f| json.find(&format!("\"{f}\":[")).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{json}");
}

#[test]
fn play_and_say_are_validated_with_no_extra_fields() {
    // Accepted: the whole Play and Say, integral floats, media null, locale as a
    // one-element array (as Bird's example body sends it).
    let ok = BirdRequest::parse(
        r#"{"maxNumKeys": 4.0, "retries": 1.0, "speechLocale": "nl-NL",
            "playback": {"media": null, "loop": 2, "timeout": 10.0, "pauseMilliseconds": 30000},
            "say": {"text": "hi", "locale": ["en-US"], "voice": "female", "loop": 1, "timeout": 3}}"#,
    )
    .unwrap();
    assert_eq!((ok.max_num_keys, ok.retries), (Some(4), Some(1)));
    let media: Vec<String> = (0..80).map(|i| format!("\"https://x/{i}.wav\"")).collect();
    assert!(BirdRequest::parse(&format!(
        r#"{{"playback": {{"media": [{}]}}}}"#,
        media.join(",")
    ))
    .is_ok());
    // Refused, each naming its field.
    let media81: Vec<String> = (0..81).map(|i| format!("\"https://x/{i}.wav\"")).collect();
    for (body, field) in [
        (
            format!(r#"{{"playback": {{"media": [{}]}}}}"#, media81.join(",")),
            "playback.media",
        ),
        (r#"{"playback": {"loop": 1}}"#.into(), "playback.media"),
        (
            r#"{"playback": {"media": [], "volume": 3}}"#.into(),
            "playback.volume",
        ),
        (
            r#"{"playback": {"media": [], "pauseMilliseconds": 30001}}"#.into(),
            "playback.pauseMilliseconds",
        ),
        (
            r#"{"playback": {"media": [], "loop": 1.5}}"#.into(),
            "playback.loop",
        ),
        (r#"{"say": {"text": "hi", "speed": 2}}"#.into(), "say.speed"),
        (
            r#"{"say": {"text": "hi", "locale": "english"}}"#.into(),
            "say.locale",
        ),
        (
            r#"{"say": {"text": "hi", "locale": ["en-US", "nl-NL"]}}"#.into(),
            "say.locale",
        ),
        (r#"{"say": {"text": "hi", "voice": 1}}"#.into(), "say.voice"),
        (
            r#"{"say": {"text": "hi", "timeout": "3"}}"#.into(),
            "say.timeout",
        ),
        (r#"{"say": {"text": null}}"#.into(), "say.text"),
        (r#"{"speechLocale": "xx"}"#.into(), "speechLocale"),
        (r#"{"maxNumKeys": 4.5}"#.into(), "maxNumKeys"),
    ] {
        assert_eq!(details(&body), [field], "{body}");
    }
}

#[test]
fn timeout_zero_means_the_default() {
    let c = BirdRequest::parse(r#"{"timeout": 0}"#).unwrap().config();
    assert_eq!(c.first_key_timeout, Duration::from_secs(5));
    assert_eq!(c.inter_key_timeout, Duration::from_secs(5));
    let c = BirdRequest::parse(r#"{"timeout": 0.0}"#).unwrap().config();
    assert_eq!(c.first_key_timeout, Duration::from_secs(5));
}

fn result(keys: &str, success: bool) -> touchtone::gather::GatherResult {
    touchtone::gather::GatherResult {
        keys: keys.into(),
        reason: if success {
            touchtone::gather::Reason::EndKey
        } else {
            touchtone::gather::Reason::NoInput
        },
        success,
        attempts: 1,
        start: Duration::ZERO,
        end: Duration::from_secs(3),
        events: Vec::new(),
        end_key: None,
    }
}

#[test]
fn command_conditions_and_call_command_response() {
    let cmd = BirdCommand::parse(
        r#"{"command": "gather", "options": {"maxNumKeys": 1},
            "conditions": [
              {"variable": "keys", "operator": "eq", "value": "1"},
              {"variable": "keys", "operator": "==", "value": 2},
              {"variable": "keys", "operator": "ne", "value": "1"},
              {"variable": "keys", "operator": "!=", "value": "3"},
              {"variable": "keys", "operator": "contains", "value": "1"}
            ]}"#,
    )
    .unwrap();
    assert_eq!(cmd.request.max_num_keys, Some(1));
    let outcomes = |keys: &str| -> Vec<bool> {
        cmd.conditions
            .iter()
            .map(|c| c.evaluate(&result(keys, true)))
            .collect()
    };
    assert_eq!(outcomes("1"), [true, false, false, true, true]);
    assert_eq!(outcomes("2"), [false, true, true, true, false]);
    assert_eq!(outcomes("3"), [false, false, true, false, false]);
    let r = CallCommandResponse::new(
        "cmd-1",
        "call-1",
        "flow-1",
        &result("1", true),
        &cmd.conditions,
    );
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["id"], "cmd-1");
    assert_eq!(v["callId"], "call-1");
    assert_eq!(v["callFlowId"], "flow-1");
    assert_eq!(v["command"], "gather");
    assert_eq!(v["status"], "completed");
    let res: Vec<bool> = v["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["result"].as_bool().unwrap())
        .collect();
    assert_eq!(res, [true, false, false, true, true]);
    assert_eq!(v["conditions"][0]["operator"], "eq");
    let failed = CallCommandResponse::new("c", "c", "f", &result("", false), &[]);
    assert!(failed.to_json().contains(r#""status":"failed""#));
    // A bare Gather body is a command without conditions.
    assert!(BirdCommand::parse(r#"{"maxNumKeys": 2}"#)
        .unwrap()
        .conditions
        .is_empty());
    // Bad operators, commands and options are 422s naming the field.
    let e = BirdCommand::parse(
        r#"{"command": "play", "options": {"endKey": "A"},
            "conditions": [{"variable": "keys", "operator": "gt", "value": "1"}]}"#,
    )
    .unwrap_err();
    let BirdError::Validation(e) = e else {
        panic!()
    };
    assert_eq!(
        e.fields(),
        ["command", "options.endKey", "conditions[0].operator"]
    );
}
