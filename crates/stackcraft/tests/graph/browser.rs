//! Opens an SVG in Debian's headless Chromium and measures, in the page, every node box,
//! every label and every group box (graph/overlaps.js): what overlaps is reported.

use std::path::PathBuf;
use std::process::Command;

/// What the page measured.
pub struct Report {
    pub boxes: usize,
    pub labels: usize,
    pub problems: Vec<String>,
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{} is missing: scripts/chromium.sh installs Debian's chromium",
        path.display()
    );
    path
}

pub fn measure(svg: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>body{{margin:0}}</style>\
         </head><body>{svg}<pre id=\"result\"></pre><script>{}</script></body></html>",
        include_str!("overlaps.js")
    );
    std::fs::write(&page, html).unwrap();
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom
        .find("<pre id=\"result\">")
        .map(|i| i + "<pre id=\"result\">".len());
    let json = start
        .and_then(|s| dom[s..].find("</pre>").map(|e| &dom[s..s + e]))
        .unwrap_or_else(|| {
            panic!(
                "chromium printed no result (status {}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let value: serde_json::Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the page's result is JSON ({e}): {json}"));
    Report {
        boxes: value["boxes"].as_u64().unwrap() as usize,
        labels: value["labels"].as_u64().unwrap() as usize,
        problems: value["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect(),
    }
}
