//! Azure Recognize both ways (request bodies in, event payloads out), SendDtmfTones, and
//! the serde forms of the gather's own types.
#![cfg(all(feature = "azure", feature = "json"))]

use serde_json::{json, Value};
use std::time::Duration;
use touchtone::gather::azure::{
    continuous_stopped, continuous_tone_failed, continuous_tone_received, recognize_event,
    tone_from_name, tone_name, EventContext, RecognizeRequest, SendDtmfTones,
};
use touchtone::gather::{Action, Gather, GatherConfig, GatherResult, KeyEvent, Reason};
use touchtone::{Detector, DetectorConfig, Event, Generator, GeneratorConfig, Key, KeySet};

fn ms(x: u64) -> Duration {
    Duration::from_millis(x)
}

const BODY: &str = r#"{
    "recognizeInputType": "dtmf",
    "playPrompts": [{"kind": "fileSource", "fileSource": {"uri": "https://x/p.wav"}}],
    "interruptCallMediaOperation": true,
    "operationContext": "menu",
    "recognizeOptions": {
        "interruptPrompt": false,
        "initialSilenceTimeoutInSeconds": 7,
        "targetParticipant": {"rawId": "4:+15550100", "kind": "phoneNumber"},
        "dtmfOptions": {"maxTonesToCollect": 3.0, "interToneTimeoutInSeconds": 4,
                        "stopTones": ["Pound", "asterisk"]}
    }
}"#;

#[test]
fn tone_names_are_azures_and_round_trip() {
    let names = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "asterisk",
        "pound", "a", "b", "c", "d",
    ];
    for (k, n) in Key::ALL.iter().zip(names) {
        assert_eq!(tone_name(*k), n);
        assert_eq!(tone_from_name(n), Some(*k));
        assert_eq!(tone_from_name(&n.to_uppercase()), Some(*k));
    }
    assert_eq!(tone_from_name("hash"), None);
}

#[test]
fn recognize_body_maps_onto_the_configuration() {
    let req = RecognizeRequest::parse(BODY).unwrap();
    assert_eq!(req.play_prompts.len(), 1);
    assert!(req.interrupt_call_media_operation);
    assert_eq!(req.operation_context.as_deref(), Some("menu"));
    assert_eq!(req.target_participant["rawId"], "4:+15550100");
    let c = req.config().unwrap();
    assert_eq!(c.max_keys, 3);
    assert_eq!(c.end_keys, KeySet::from_chars("*#").unwrap());
    assert_eq!(
        (c.first_key_timeout, c.inter_key_timeout),
        (ms(7000), ms(4000))
    );
    assert!(!c.barge_in && c.prompt && c.partial_timeout_fails);
    // Defaults: interruptPrompt true, 5 s / 2 s, one tone.
    let d = RecognizeRequest::parse(
        r#"{"recognizeInputType": "dtmf",
            "recognizeOptions": {"targetParticipant": {"rawId": "x"}}}"#,
    )
    .unwrap()
    .config()
    .unwrap();
    assert!(d.barge_in && !d.prompt);
    assert_eq!(
        (d.max_keys, d.first_key_timeout, d.inter_key_timeout),
        (1, ms(5000), ms(2000))
    );
}

#[test]
fn recognize_body_refusals_name_the_path() {
    let targets = |body: &str| -> Vec<String> {
        let e = RecognizeRequest::parse(body).unwrap_err();
        let v: Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(v["error"]["code"], "BadRequest");
        e.details.iter().map(|d| d.0.clone()).collect()
    };
    let opts = |dtmf: &str| {
        format!(
            r#"{{"recognizeInputType": "dtmf", "recognizeOptions":
                {{"targetParticipant": {{}}, "dtmfOptions": {dtmf}}}}}"#
        )
    };
    let p = "recognizeOptions.dtmfOptions";
    for (dtmf, field) in [
        (
            r#"{"interToneTimeoutInSeconds": 0}"#,
            "interToneTimeoutInSeconds",
        ),
        (
            r#"{"interToneTimeoutInSeconds": 61}"#,
            "interToneTimeoutInSeconds",
        ),
        (
            r#"{"interToneTimeoutInSeconds": 1.5}"#,
            "interToneTimeoutInSeconds",
        ),
        (r#"{"maxTonesToCollect": 0}"#, "maxTonesToCollect"),
        (r#"{"stopTones": ["pound", "hash"]}"#, "stopTones[1]"),
        (r#"{"stopTones": "pound"}"#, "stopTones"),
        (r#"{"maxTones": 3}"#, "maxTones"),
    ] {
        assert_eq!(targets(&opts(dtmf)), [format!("{p}.{field}")], "{dtmf}");
    }
    assert_eq!(
        targets(
            r#"{"recognizeInputType": "speech", "recognizeOptions":
                {"targetParticipant": {}, "initialSilenceTimeoutInSeconds": 301}}"#
        ),
        [
            "recognizeInputType",
            "recognizeOptions.initialSilenceTimeoutInSeconds"
        ]
    );
    assert_eq!(
        targets(r#"{"recognizeInputType": "dtmf", "recognizeOptions": {}}"#),
        ["recognizeOptions.targetParticipant"]
    );
    assert_eq!(targets("{"), ["body"]);
    assert_eq!(targets("{}"), ["recognizeInputType", "recognizeOptions"]);
}

fn run(cfg: GatherConfig, script: &[(char, u64, u64)], prompt_end: Option<u64>) -> GatherResult {
    let mut g = Gather::new(cfg).unwrap();
    g.handle_start(ms(0));
    if let Some(t) = prompt_end {
        g.handle_prompt_finished(ms(t));
    }
    for &(c, down, up) in script {
        let k = Key::from_char(c).unwrap();
        g.handle_key_down(k, ms(down));
        g.handle_key_up(k, ms(up));
    }
    g.handle_timeout(ms(1_000_000));
    g.result().unwrap().clone()
}

#[test]
fn recognize_events_carry_azures_codes_and_tone_names() {
    let req = RecognizeRequest::parse(BODY).unwrap();
    let cfg = GatherConfig {
        prompt: false,
        ..req.config().unwrap()
    };
    let ctx = EventContext {
        call_connection_id: "conn".into(),
        server_call_id: "srv".into(),
        correlation_id: "corr".into(),
        operation_context: None,
    };
    let ev = |script: &[(char, u64, u64)]| req.event(&run(cfg.clone(), script, None), &ctx);
    // 8531: max tones.
    let e = ev(&[('1', 100, 200), ('2', 300, 400), ('3', 500, 600)]);
    assert_eq!(e["type"], "Microsoft.Communication.RecognizeCompleted");
    let d = &e["data"];
    assert_eq!(
        d["resultInformation"],
        json!({"code": 200, "subCode": 8531, "message": "Action completed, max digits received."})
    );
    assert_eq!(d["recognitionType"], "dtmf");
    assert_eq!(d["dtmfResult"]["tones"], json!(["one", "two", "three"]));
    assert_eq!(
        (
            &d["callConnectionId"],
            &d["serverCallId"],
            &d["correlationId"],
            &d["operationContext"]
        ),
        (
            &json!("conn"),
            &json!("srv"),
            &json!("corr"),
            &json!("menu")
        )
    );
    // 8514: a stop tone, reported after the tones.
    let e = ev(&[('7', 100, 200), ('*', 300, 400)]);
    assert_eq!(e["data"]["resultInformation"]["subCode"], 8514);
    assert_eq!(
        e["data"]["dtmfResult"]["tones"],
        json!(["seven", "asterisk"])
    );
    // 8532: partial input at the inter-tone timeout is a failure.
    let e = ev(&[('7', 100, 200)]);
    assert_eq!(e["type"], "Microsoft.Communication.RecognizeFailed");
    assert_eq!(e["data"]["resultInformation"]["code"], 400);
    assert_eq!(e["data"]["resultInformation"]["subCode"], 8532);
    // 8510: initial silence.
    let e = ev(&[]);
    assert_eq!(e["type"], "Microsoft.Communication.RecognizeFailed");
    assert_eq!(
        (
            &e["data"]["resultInformation"]["code"],
            &e["data"]["resultInformation"]["subCode"]
        ),
        (&json!(408), &json!(8510))
    );
    // 8511: the prompt failed.
    let mut g = Gather::new(req.config().unwrap()).unwrap();
    g.handle_start(ms(0));
    g.handle_prompt_failed(ms(100));
    let e = recognize_event(g.result().unwrap(), &ctx);
    assert_eq!(e["data"]["resultInformation"]["subCode"], 8511);
    assert_eq!(e["data"]["resultInformation"]["code"], 500);
    // Canceled.
    let mut g = Gather::new(cfg.clone()).unwrap();
    g.handle_start(ms(0));
    g.handle_cancel(ms(100));
    let e = recognize_event(g.result().unwrap(), &ctx);
    assert_eq!(e["type"], "Microsoft.Communication.RecognizeCanceled");
    assert!(e["data"].get("resultInformation").is_none());
}

#[test]
fn continuous_recognition_payloads_number_the_tones() {
    // Tones from the detector over a generated recording, numbered as they come.
    let gen = Generator::new(GeneratorConfig::default()).unwrap();
    let pcm = gen.render_str("9#1").unwrap();
    let mut det = Detector::new(DetectorConfig::default()).unwrap();
    let mut keys = Vec::new();
    det.process(&pcm, |e| {
        if let Event::KeyDown { key, .. } = e {
            keys.push(key)
        }
    });
    det.finish(|e| {
        if let Event::KeyDown { key, .. } = e {
            keys.push(key)
        }
    });
    let ctx = EventContext {
        operation_context: Some("cont".into()),
        ..Default::default()
    };
    let evs: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| continuous_tone_received(k, i as u32 + 1, &ctx))
        .collect();
    let got: Vec<(String, u64)> = evs
        .iter()
        .map(|e| {
            assert_eq!(
                e["type"],
                "Microsoft.Communication.ContinuousDtmfRecognitionToneReceived"
            );
            (
                e["data"]["tone"].as_str().unwrap().to_string(),
                e["data"]["sequenceId"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("nine".to_string(), 1),
            ("pound".to_string(), 2),
            ("one".to_string(), 3)
        ]
    );
    assert_eq!(evs[0]["data"]["operationContext"], "cont");
    let f = continuous_tone_failed(400, 8510, "failed", &ctx);
    assert_eq!(
        f["type"],
        "Microsoft.Communication.ContinuousDtmfRecognitionToneFailed"
    );
    assert_eq!(f["data"]["resultInformation"]["subCode"], 8510);
    assert_eq!(
        continuous_stopped(&ctx)["type"],
        "Microsoft.Communication.ContinuousDtmfRecognitionStopped"
    );
}

#[test]
fn send_dtmf_tones_renders_what_the_detector_reads_back() {
    let req = SendDtmfTones::parse(
        r#"{"tones": ["one", "two", "three", "pound", "asterisk", "zero", "a", "d"],
            "targetParticipant": {"rawId": "x"}, "operationContext": "s"}"#,
    )
    .unwrap();
    assert_eq!(req.keys(), "123#*0AD");
    let pcm = req.render(&Generator::new(GeneratorConfig::default()).unwrap());
    let mut det = Detector::new(DetectorConfig::default()).unwrap();
    let mut heard = String::new();
    det.process(&pcm, |e| {
        if let Event::KeyDown { key, .. } = e {
            heard.push(key.to_char())
        }
    });
    det.finish(|e| {
        if let Event::KeyDown { key, .. } = e {
            heard.push(key.to_char())
        }
    });
    assert_eq!(heard, "123#*0AD");
    let back = SendDtmfTones::parse(&req.to_json()).unwrap();
    assert_eq!(back, req);
    // 18 tones at most, at least one, names only.
    let n = |k: usize| {
        let t: Vec<&str> = vec!["\"one\""; k];
        format!(
            r#"{{"tones": [{}], "targetParticipant": {{}}}}"#,
            t.join(",")
        )
    };
    assert!(SendDtmfTones::parse(&n(18)).is_ok());
    assert!(SendDtmfTones::parse(&n(19)).is_err());
    assert!(SendDtmfTones::parse(&n(0)).is_err());
    assert!(SendDtmfTones::parse(r#"{"tones": ["hash"], "targetParticipant": {}}"#).is_err());
}

// ---- serde forms of the gather's own types

#[test]
fn results_actions_and_events_serialize_with_ms_and_key_strings() {
    let r = GatherResult {
        keys: "12".into(),
        reason: Reason::EndKey,
        success: true,
        attempts: 1,
        start: ms(0),
        end: Duration::from_micros(1_500_250),
        events: vec![KeyEvent {
            key: Key::Star,
            down: ms(100),
            up: None,
        }],
        end_key: Some(KeyEvent {
            key: Key::Pound,
            down: ms(1500),
            up: Some(ms(1580)),
        }),
    };
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["reason"], "end_key");
    assert_eq!(v["end_ms"], 1500.25);
    assert_eq!(v["start_ms"], 0);
    assert_eq!(
        v["events"][0],
        json!({"key": "*", "down_ms": 100, "up_ms": null})
    );
    assert_eq!(v["end_key"]["key"], "#");
    let back: GatherResult = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);
    let a = Action::PlayPrompt {
        id: 1,
        attempt: 2,
        kind: touchtone::gather::PromptKind::NoInputFeedback,
        at: ms(2000),
    };
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(
        v,
        json!({"action": "play_prompt", "id": 1, "attempt": 2, "kind": "no_input_feedback", "at_ms": 2000})
    );
    assert_eq!(serde_json::from_value::<Action>(v).unwrap(), a);
    let f = serde_json::to_value(Action::Finished(r.clone())).unwrap();
    assert_eq!(
        (f["action"].as_str(), f["keys"].as_str()),
        (Some("finished"), Some("12"))
    );
    for reason in Reason::ALL {
        assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
    }
    assert!(serde_json::from_str::<Key>("\"x\"").is_err());
    assert!(serde_json::from_str::<KeyEvent>(r#"{"key":"1","down_ms":-5}"#).is_err());
}

#[test]
fn configurations_serialize_and_partial_json_takes_the_defaults() {
    let cfg = GatherConfig {
        max_keys: 4,
        end_keys: KeySet::from_chars("*#").unwrap(),
        inter_key_timeout: ms(2500),
        overall_timeout: Some(ms(30_000)),
        ..Default::default()
    };
    let v = serde_json::to_value(&cfg).unwrap();
    assert_eq!(v["end_keys"], "*#");
    assert_eq!(v["inter_key_timeout_ms"], 2500);
    assert_eq!(v["overall_timeout_ms"], 30_000);
    assert_eq!(v["invalid_key"], "fail");
    assert!(v.get("validator").is_none());
    let back: GatherConfig = serde_json::from_value(v).unwrap();
    assert_eq!(
        (
            back.max_keys,
            back.end_keys,
            back.inter_key_timeout,
            back.overall_timeout
        ),
        (4, cfg.end_keys, ms(2500), Some(ms(30_000)))
    );
    let partial: GatherConfig =
        serde_json::from_str(r#"{"max_keys": 2, "valid_keys": "123", "invalid_key": "ignore"}"#)
            .unwrap();
    let d = GatherConfig::default();
    assert_eq!(partial.max_keys, 2);
    assert_eq!(partial.valid_keys, KeySet::from_chars("123").unwrap());
    assert_eq!(partial.first_key_timeout, d.first_key_timeout);
    assert_eq!(partial.end_keys, d.end_keys);
    assert!(serde_json::from_str::<GatherConfig>(r##"{"end_keys": "#x"}"##).is_err());
}

#[test]
fn presets_deserialize_with_their_defaults() {
    use touchtone::gather::presets::{Plivo, Twilio};
    let t: Twilio = serde_json::from_str(r#"{"num_digits": 4}"#).unwrap();
    assert_eq!(
        t,
        Twilio {
            num_digits: 4,
            ..Default::default()
        }
    );
    let p: Plivo = serde_json::from_value(serde_json::to_value(Plivo::default()).unwrap()).unwrap();
    assert_eq!(p, Plivo::default());
    assert!(serde_json::from_str::<Twilio>(r#"{"timeout": -1}"#).is_err());
}
