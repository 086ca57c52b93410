//! End to end, as a learner meets the page: the release bundle (`dist/`, built by
//! `trunk build --release`) served on 127.0.0.1 and driven in headless Chromium over
//! WebDriver. Every process it starts (the static server, chromedriver, Chromium) it stops.
//!
//! `make test` builds the bundle first and sets BACKOFF_LAB_E2E=1, which makes a missing
//! bundle or browser a failure; a plain `cargo test` without them skips with a note.
#![cfg(not(target_arch = "wasm32"))]
// Waiting for a real browser needs the wall clock; the engine itself never reads one.
#![allow(clippy::disallowed_methods)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

// ---------- a static file server for dist/ ----------

struct StaticServer {
    port: u16,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn serve_one(mut s: TcpStream, root: &Path, prefix: &str) {
    let mut reader = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/");
    // Served under `prefix` only, as a docs site would host the lab at a sub-path.
    let file = path
        .strip_prefix(prefix)
        .map(|r| if r.is_empty() { "index.html" } else { r })
        .filter(|r| !r.contains(".."))
        .map(|r| root.join(r))
        .filter(|f| f.is_file());
    let (status, body, ctype) = match file {
        Some(file) => ("200 OK", std::fs::read(&file).unwrap_or_default(), content_type(&file)),
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = s.write_all(&body);
}

impl StaticServer {
    fn start(root: PathBuf) -> StaticServer {
        StaticServer::start_under(root, "/")
    }

    /// Serves `root` at `prefix` (which starts and ends with '/').
    fn start_under(root: PathBuf, prefix: &'static str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = conn {
                    let root = root.clone();
                    thread::spawn(move || serve_one(s, &root, prefix));
                }
            }
        });
        StaticServer { port, stop, handle: Some(handle) }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

// ---------- a minimal WebDriver client ----------

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly Content-Length bytes: chromedriver may keep the connection open.
    let mut reader = BufReader::new(s);
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("read WebDriver response");
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempdir::Dir,
    /// One browser at a time: on a 2-core machine parallel Chromiums starve each other.
    _turn: std::sync::MutexGuard<'static, ()>,
}

static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new(tag: &str) -> Dir {
            // One folder per browser: two Chromiums must never share a profile.
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("backoff-lab-{tag}-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).expect("temp dir");
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Browser {
    fn start() -> Browser {
        let turn = ONE_BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            thread::sleep(Duration::from_millis(100));
        }
        let profile = tempdir::Dir::new("chromium");
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,720", format!("--user-data-dir={}", profile.0.display())]
        }}}});
        let v = http(port, "POST", "/session", Some(&caps));
        let session = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Browser { driver, port, session, _profile: profile, _turn: turn }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref());
        if let Some(err) = v["value"].get("error") {
            panic!("WebDriver {path}: {err} {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Loads the lab at `url` and waits until it has mounted (its Play button is there).
    fn open(&self, url: &str) {
        self.goto(url);
        self.wait_for(&format!("the lab at {url} to mount"), Duration::from_secs(20), |b| b.text("#play").contains("Play"));
    }

    fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    fn click(&self, css: &str) {
        let found = self.js(&format!("const e = document.querySelector({css:?}); if (e) e.click(); return !!e;"));
        assert_eq!(found, json!(true), "no element {css}");
    }

    fn text(&self, css: &str) -> String {
        self.js(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : null;")).as_str().unwrap_or("").to_string()
    }

    /// Sets a control's value the way a user's edit does, firing its change event.
    fn set(&self, css: &str, value: &str) {
        let ok = self.js(&format!(
            "const e = document.querySelector({css:?}); if (!e) return false; e.value = {value:?}; e.dispatchEvent(new Event('change', {{bubbles: true}})); return true;"
        ));
        assert_eq!(ok, json!(true), "no control {css}");
    }

    fn wait_for(&self, what: &str, timeout: Duration, cond: impl Fn(&Browser) -> bool) {
        let deadline = Instant::now() + timeout;
        while !cond(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn errors(&self) -> Vec<String> {
        serde_json::from_value(self.js("return window.__labErrors || ['error capture missing'];")).unwrap_or_default()
    }

    fn screenshot(&self, path: &Path) {
        use base64_decode::decode;
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = decode(b64.as_str().unwrap_or(""));
        std::fs::create_dir_all(path.parent().unwrap()).ok();
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

mod base64_decode {
    /// Standard base64 (as WebDriver screenshots are), padding optional.
    pub fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        };
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0);
        for v in s.bytes().filter_map(val) {
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }
}

// ---------- the test ----------

fn ready() -> Option<PathBuf> {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let have = dist.join("index.html").is_file() && Path::new("/usr/bin/chromedriver").exists() && Path::new("/usr/bin/chromium").exists();
    if have {
        return Some(dist);
    }
    assert!(
        std::env::var("BACKOFF_LAB_E2E").is_err(),
        "BACKOFF_LAB_E2E is set but dist/ or Chromium is missing: run `make test`, which builds and installs them"
    );
    eprintln!("skipping the end-to-end test: no dist/ or no Chromium (run `make test`)");
    None
}

fn number(s: &str) -> f64 {
    s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap_or(f64::NAN)
}

#[test]
fn a_learner_makes_the_service_fall_over_and_watches_why() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?debug=1", server.port));
    assert!(b.errors().is_empty(), "console errors on load: {:?}", b.errors());
    assert_eq!(b.text("#link-notes"), "", "a plain link raises no notes");

    // A healthy service, played at 5×: the clock runs and the verdict says healthy.
    b.set("#scenario", "healthy");
    b.set("#speed", "5");
    b.click("#play");
    b.wait_for("the clock to run", Duration::from_secs(10), |b| number(&b.text("#clock")) > 3.0);
    b.wait_for("a healthy verdict", Duration::from_secs(10), |b| b.text("#health") == "healthy");
    assert!(b.text("#debug").contains("events/s"), "the ?debug=1 overlay shows engine speed");

    // Moving a control changes what the charts show: the capacity line moves with the workers.
    b.click("#play"); // pause
    let before = b.js("return document.querySelector('#chart-load').toDataURL();");
    b.set("input.num[aria-label^='Workers']", "40");
    b.wait_for("the engine to take 40 workers", Duration::from_secs(5), |b| b.js("return document.body.textContent.includes('/40');") == json!(true));
    let after = b.js("return document.querySelector('#chart-load').toDataURL();");
    assert_ne!(before, after, "the load chart did not change");
    b.set("input.num[aria-label^='Workers']", "10");

    // A fault makes timeouts appear.
    assert_eq!(number(&b.text("#timeouts")), 0.0, "no timeouts while healthy");
    b.click("#play");
    b.click("#fault-crash");
    b.wait_for("timeouts after the crash", Duration::from_secs(15), |b| number(&b.text("#timeouts")) > 0.0);
    b.wait_for("the verdict to change", Duration::from_secs(15), |b| b.text("#health") != "healthy");
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-crash.png"));

    // Invalid input is explained next to its control, and the page keeps running.
    b.set("input.num[aria-label^='Workers']", "0");
    b.wait_for("the validation message", Duration::from_secs(5), |b| b.text("main").contains("allowed 1 to 10,000 workers"));
    let t = number(&b.text("#clock"));
    b.wait_for("the clock to keep running", Duration::from_secs(5), |b| number(&b.text("#clock")) > t);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_metastable_storm_runs_to_the_end_in_the_browser() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/", server.port));
    b.set("#scenario", "metastable-retry");
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(20), |b| number(&b.text("#clock")) >= 60.0);
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-storm.png"));
    assert!(b.text("#health").starts_with("collapsed"), "verdict: {} / {}", b.text("#health"), b.text(".headline"));
    assert!(number(&b.text("#amplification")) > 3.0, "amplification {}", b.text("#amplification"));
    // Brooker's contention experiment draws its two charts.
    b.click("#run-contention");
    b.wait_for("the contention charts", Duration::from_secs(30), |b| {
        b.js("const c = document.querySelector('#chart-contention-time'); return !!c && c.width > 0;") == json!(true)
    });
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-storm.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// Browser measurements (a benchmark, not a test): `make bench-browser` runs it and prints
/// the figures BENCHMARKS.md reports. Nothing here is asserted against a time.
#[test]
#[ignore = "a benchmark: run with `make bench-browser`"]
fn browser_benchmarks() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/?bench=1", server.port));
    b.wait_for("the in-page engine measurements", Duration::from_secs(120), |b| !b.text("#bench").is_empty());
    println!("engine in the browser: {}", b.text("#bench"));

    // p95 frame time while animating 1,000 requests/s at 1×.
    b.open(&format!("http://127.0.0.1:{}/?debug=1", server.port));
    b.set("#scenario", "healthy");
    b.set("input.num[aria-label^='Open-loop rate']", "1000");
    b.set("input.num[aria-label^='Workers']", "120");
    b.set("#speed", "1");
    b.click("#play");
    thread::sleep(Duration::from_secs(12));
    let p95 = b.js("return document.querySelector('#debug').dataset.p95;");
    println!("animating 1,000 req/s at 1x: {} | p95 frame handler time {} ms", b.text("#debug"), p95.as_str().unwrap_or("?"));
    println!("headline: {}", b.text(".headline"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn links_deep_link_embed_and_survive_hostile_input() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{}/", server.port);

    // A bare deep link opens its scenario; changing a control rewrites the link.
    b.open(&format!("{base}?scenario=cron-jittered"));
    assert_eq!(b.js("return document.querySelector('#scenario').value;"), json!("cron-jittered"));
    b.set("input.num[aria-label^='Workers']", "33");
    b.wait_for("the link to follow the control", Duration::from_secs(5), |b| {
        b.js("return location.search;").as_str().unwrap_or("").contains("server.workers=33")
    });
    let shared = b.js("return location.href;").as_str().unwrap_or("").to_string();
    assert!(shared.contains("v=1&s=cron-jittered"), "{shared}");
    // The shared link reopens the same state.
    b.open(&shared);
    assert!(b.text(".headline").contains("/33"), "{}", b.text(".headline"));

    // Embed mode: minimal chrome, only the chosen control groups, a way out to the full lab.
    b.open(&format!("{base}?scenario=full-jitter&embed=1&controls=client"));
    let legends = b.js("return Array.from(document.querySelectorAll('fieldset legend')).map(l => l.textContent).join(',');");
    assert_eq!(legends, json!("Client"));
    assert_eq!(b.js("return !!document.querySelector('#delays') || !!document.querySelector('#copy-link');"), json!(false));
    assert!(b.text(".open-full").contains("Open the full lab"));

    // A malformed, hostile link: specific messages, and a page that works.
    b.open(&format!("{base}?v=1&s=nope&server.workers=abc&client.jitter=%ZZ&<img%20src=x%20onerror=alert(1)>=1"));
    let notes = b.text("#link-notes");
    for want in ["there is no scenario 'nope'", "'abc' is not a number", "not valid percent-encoding", "unknown key"] {
        assert!(notes.contains(want), "missing '{want}' in: {notes}");
    }
    assert_eq!(b.js("return document.querySelectorAll('img').length;"), json!(0), "link text must never become markup");
    b.click("#play");
    b.wait_for("the clock to run", Duration::from_secs(10), |b| number(&b.text("#clock")) > 0.5);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn an_exercise_link_runs_and_its_solution_passes() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?exercise=end-the-storm", server.port));
    assert!(b.text("#exercise").contains("End the retry storm"));
    b.click("#run-to-end");
    b.wait_for("the start to fail", Duration::from_secs(20), |b| b.text("#exercise-status").starts_with("✗"));
    b.click("#hint");
    assert!(b.text("#exercise .hints").contains("4 times"));
    b.click("#reveal-solution");
    b.click("#apply-solution");
    b.wait_for("a fresh run", Duration::from_secs(10), |b| number(&b.text("#clock")) < 1.0);
    b.click("#run-to-end");
    b.wait_for("the solution to pass", Duration::from_secs(20), |b| b.text("#exercise-status").starts_with("✓"));
    // Progress is kept in this browser.
    assert_eq!(b.js("return localStorage.getItem('backoff-lab.passed.end-the-storm');"), json!("1"));
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-exercise.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn compare_mode_shows_the_same_storm_with_and_without_a_retry_quota() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    b.click("#compare");
    b.wait_for("side B", Duration::from_secs(5), |b| !b.text("#headline-b").is_empty());
    assert_eq!(b.js("return document.querySelector('#edit-b').getAttribute('aria-pressed');"), json!("true"));
    b.set("#limiters-quota-enabled", "true");
    b.wait_for("the link to carry side B", Duration::from_secs(5), |b| {
        b.js("return location.search;").as_str().unwrap_or("").contains("b.limiters.quota.enabled=true")
    });
    b.click("#run-to-end");
    b.wait_for("both runs to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0);
    assert!(b.text("#health").starts_with("collapsed"), "A: {}", b.text("#health"));
    assert_eq!(b.text("#health-b"), "healthy", "B: {}", b.text("#headline-b"));
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-compare.png"));
    // The compare link reopens both sides.
    let link = b.js("return location.href;").as_str().unwrap_or("").to_string();
    b.open(&link);
    assert!(!b.text("#headline-b").is_empty(), "side B missing after reopening {link}");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_release_build_works_from_a_sub_path_and_the_example_docs_page_embeds_it() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start_under(dist, "/training/backoff-lab/");
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{}/training/backoff-lab/", server.port);
    b.open(&format!("{base}?scenario=healthy"));
    b.goto(&format!("{base}embed-example.html"));
    b.wait_for("the embedded labs to mount", Duration::from_secs(30), |b| {
        b.js("return Array.from(document.querySelectorAll('iframe')).filter(f => f.contentDocument && f.contentDocument.querySelector('#play')).length;")
            == json!(3)
    });
    let embedded = b.js("return document.querySelector('iframe').contentDocument.querySelectorAll('fieldset legend').length;");
    assert_eq!(embedded, json!(2), "the first frame shows only its client and limiter controls");
    let errors = b.js("return Array.from(document.querySelectorAll('iframe')).flatMap(f => f.contentWindow.__labErrors || ['error capture missing']);");
    assert_eq!(errors, json!([]), "console errors in the embedded labs");
}

#[test]
fn exports_give_csv_pngs_and_a_config_the_cli_runs() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?scenario=retry-quota", server.port));
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(20), |b| number(&b.text("#clock")) >= 60.0);
    // Capture the downloads the buttons start, instead of letting the browser save them.
    b.js("window.__downloads = []; HTMLAnchorElement.prototype.click = function () { __downloads.push([this.download, this.href]); }; return true;");
    for id in ["#export-csv", "#export-json", "#export-png"] {
        b.click(id);
    }
    let downloads: Vec<(String, String)> = serde_json::from_value(b.js("return window.__downloads;")).unwrap();
    let find = |name: &str| downloads.iter().find(|(n, _)| n == name).map(|(_, h)| h.clone()).unwrap_or_else(|| panic!("no {name}"));
    let decode_data = |href: &str| {
        let encoded = href.split_once(',').map(|x| x.1).unwrap_or("");
        let bytes: Vec<u8> = {
            let mut out = Vec::new();
            let mut it = encoded.bytes();
            while let Some(c) = it.next() {
                if c == b'%' {
                    let h = [it.next().unwrap_or(b'0'), it.next().unwrap_or(b'0')];
                    out.push(u8::from_str_radix(std::str::from_utf8(&h).unwrap_or("00"), 16).unwrap_or(0));
                } else {
                    out.push(c);
                }
            }
            out
        };
        String::from_utf8(bytes).unwrap()
    };
    let csv = decode_data(&find("backoff-lab-series.csv"));
    assert!(csv.starts_with("start_s,width_s,offered_per_s"), "{}", &csv[..80.min(csv.len())]);
    assert!(csv.lines().count() > 500, "one row per 100 ms window over 60 s");
    let pngs = downloads.iter().filter(|(n, h)| n.ends_with(".png") && h.starts_with("data:image/png;base64,")).count();
    assert_eq!(pngs, 7, "six charts and the delay histogram");
    // The exported config runs in the CLI.
    let json = decode_data(&find("backoff-lab-config.json"));
    let dir = tempdir::Dir::new("export");
    let path = dir.0.join("config.json");
    std::fs::write(&path, json).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lab")).args(["run", "--config", path.to_str().unwrap(), "--seed", "3", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["config"]["limiters"]["quota"]["enabled"].as_bool().unwrap_or(false));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}
