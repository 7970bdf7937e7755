//! `examples/redact` run as a program: it removes the keys of a stereo WAV, keeps the
//! header, writes a JSON report without the keys, and refuses to overwrite its input.

use std::path::PathBuf;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn redact_exe() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--profile",
            "test",
            "--example",
            "redact",
            "--message-format",
            "json",
        ])
        .current_dir(ROOT)
        .output()
        .expect("run cargo build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("\"name\":\"redact\""))
        .find_map(|l| {
            let at = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = l[at..].find('"')?;
            Some(PathBuf::from(&l[at..at + end]))
        })
        .expect("redact executable in cargo's messages")
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("touchtone-redact-ex-{}-{name}", std::process::id()))
}

#[test]
fn redacts_a_stereo_file_and_refuses_to_overwrite_its_input() {
    let exe = redact_exe();
    let input = format!("{ROOT}/testdata/keys-stereo.wav");
    let (out, report) = (tmp("out.wav"), tmp("report.json"));
    let run = Command::new(&exe)
        .arg(&input)
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Four spans per channel, each holding its key's true edges (testdata/README.md).
    let lines = String::from_utf8_lossy(&run.stdout).to_string();
    let spans: Vec<(f64, f64, u16)> = lines
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(spans.len(), 8, "{lines}");
    for (i, &(s, e, ch)) in spans.iter().enumerate() {
        let t0 = if ch == 0 { 70.0 } else { 105.0 } + 140.0 * (i % 4) as f64;
        assert!(
            s <= t0 && t0 + 70.0 <= e && e - s < 70.0 + 2.0 * 8.0 + 10.0,
            "{lines}"
        );
    }
    let (a, b) = (std::fs::read(&input).unwrap(), std::fs::read(&out).unwrap());
    assert_eq!(a.len(), b.len());
    assert_eq!(a[..44], b[..44]);
    let audio = touchtone::io::read_all(&out).unwrap();
    for ch in 0..2 {
        let keys = touchtone::detect(8000, &audio.channel(ch)).unwrap();
        assert!(keys.is_empty(), "channel {ch}: {keys:?}");
    }
    let json = std::fs::read_to_string(&report).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["spans"].as_array().unwrap().len(), 8);
    assert!(!json.contains("\"key\""), "{json}");

    // The same file under another name is refused, and left alone.
    let link = tmp("link.wav");
    std::fs::copy(&out, tmp("copy.wav")).unwrap();
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(tmp("copy.wav"), &link).unwrap();
    for target in [tmp("copy.wav"), link.clone()] {
        let run = Command::new(&exe)
            .arg(tmp("copy.wav"))
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&run.stderr).starts_with("error: refusing to overwrite"));
    }
    assert_eq!(std::fs::read(tmp("copy.wav")).unwrap(), b);
    for p in [out, report, link, tmp("copy.wav")] {
        let _ = std::fs::remove_file(p);
    }
}
