//! Bird request bodies: parsing, validation and the 422 error shape.
#![cfg(feature = "bird")]

use std::time::Duration;
use touchtone::gather::bird::{BirdPrompt, BirdRequest};
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

fn details(json: &str) -> Vec<String> {
    let e = BirdRequest::parse(json).unwrap_err();
    assert_eq!(e.code, "ValidationError");
    e.details.keys().cloned().collect()
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
        details(r#"{"playback": {"media": []}}"#),
        ["playback.media"]
    );
    assert_eq!(details(r#"{"maxNumkeys": 4}"#), ["maxNumkeys"]);
    assert_eq!(details("[1]"), ["body"]);
    assert_eq!(details("{"), ["body"]);
    // Several at once.
    assert_eq!(
        details(r#"{"endKey": "x", "timeout": null, "foo": 1, "retries": -2}"#),
        ["endKey", "foo", "retries"]
    );
}

#[test]
fn error_json_shape() {
    let e = BirdRequest::parse(r#"{"input": "speech"}"#).unwrap_err();
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
