//! The end-to-end harness: a static file server for `dist/`, and a small WebDriver client for
//! the three browser engines learners use: Chromium (Debian's chromedriver, the default),
//! Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver, Safari's engine), picked with
//! `BACKOFF_LAB_BROWSER=chromium|firefox|webkit`. Tests read as what a learner does:
//! `b.open(url)`, `b.click("#play")`, `b.text("#health")`. Every process it starts it stops.
// Waiting for a real browser needs the wall clock; the engine itself never reads one.
#![allow(clippy::disallowed_methods, dead_code)]

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

pub struct StaticServer {
    pub port: u16,
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
    pub fn start(root: PathBuf) -> StaticServer {
        StaticServer::start_under(root, "/")
    }

    /// Serves `root` at `prefix` (which starts and ends with '/').
    pub fn start_under(root: PathBuf, prefix: &'static str) -> StaticServer {
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

/// The browser engine the suite drives (`BACKOFF_LAB_BROWSER`, Chromium by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

pub fn engine() -> Engine {
    match std::env::var("BACKOFF_LAB_BROWSER").as_deref() {
        Ok("firefox") => Engine::Firefox,
        Ok("webkit") => Engine::WebKit,
        _ => Engine::Chromium,
    }
}

const WEBKIT_BROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

fn geckodriver() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".cargo/bin/geckodriver")
}

/// The driver and browser binaries of `e`.
fn binaries(e: Engine) -> (PathBuf, PathBuf) {
    match e {
        Engine::Chromium => ("/usr/bin/chromedriver".into(), "/usr/bin/chromium".into()),
        Engine::Firefox => (geckodriver(), "/usr/bin/firefox-esr".into()),
        Engine::WebKit => ("/usr/bin/WebKitWebDriver".into(), WEBKIT_BROWSER.into()),
    }
}

pub struct Browser {
    engine: Engine,
    driver: Child,
    port: u16,
    session: String,
    _profile: tempdir::Dir,
    /// One browser at a time: on a 2-core machine parallel Chromiums starve each other.
    _turn: std::sync::MutexGuard<'static, ()>,
}

static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub mod tempdir {
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
    /// A browser window 1280 × 720 wide, as on a laptop.
    pub fn start() -> Browser {
        Browser::sized(1280, 720)
    }

    /// A browser window `width` × `height` CSS pixels (390 wide is a phone).
    pub fn sized(width: u32, height: u32) -> Browser {
        let turn = ONE_BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let engine = engine();
        // A browser that fails to start is started again, twice at most, before the test fails.
        let mut tries = 0;
        let (driver, port, session, profile) = loop {
            match Browser::session(engine, width, height) {
                Ok(started) => break started,
                Err(e) if tries < 2 => {
                    eprintln!("{e}; starting the browser again");
                    tries += 1;
                    thread::sleep(Duration::from_secs(2));
                }
                Err(e) => panic!("{e}"),
            }
        };
        let b = Browser { engine, driver, port, session, _profile: profile, _turn: turn };
        b.viewport(width, height);
        b
    }

    /// Starts the driver and opens a session: `Err` when the driver answers without one (a
    /// WebKit or Firefox that failed to start, which happens now and then on a busy machine).
    fn session(engine: Engine, width: u32, height: u32) -> Result<(Child, u16, String, tempdir::Dir), String> {
        let (driver_bin, browser_bin) = binaries(engine);
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", driver_bin.display()));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "{} did not start", driver_bin.display());
            thread::sleep(Duration::from_millis(100));
        }
        let profile = tempdir::Dir::new("browser");
        let caps = match engine {
            Engine::Chromium => json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                "binary": browser_bin,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--window-size={width},{height}"), format!("--user-data-dir={}", profile.0.display())]
            }}}}),
            Engine::Firefox => json!({"capabilities": {"alwaysMatch": {"browserName": "firefox", "moz:firefoxOptions": {
                "binary": browser_bin, "args": ["-headless", "-profile", profile.0.display().to_string()]
            }}}}),
            // MiniBrowser needs a display: `make test` runs this engine under xvfb-run.
            Engine::WebKit => json!({"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {
                "binary": browser_bin, "args": ["--automation"]
            }}}}),
        };
        let v = http(port, "POST", "/session", Some(&caps));
        match v["value"]["sessionId"].as_str() {
            Some(session) => Ok((driver, port, session.to_string(), profile)),
            None => {
                let _ = driver.kill();
                let _ = driver.wait();
                Err(format!("no session: {v}"))
            }
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The viewport's width in CSS pixels (390 for a phone in Chromium; Firefox's and
    /// WebKit's windows do not shrink below about 450).
    pub fn width(&self) -> f64 {
        self.js("return innerWidth;").as_f64().unwrap_or(0.0)
    }

    /// Fails, naming what is wider, when the page scrolls sideways (it is wider than the
    /// window). The message lists elements past the right edge, runs of text that overflow
    /// their element (a box can fit while its words do not), and the chain of elements whose
    /// hiding ends the scroll: WebKit's select once overflowed its own box by 58 px while the
    /// box fitted, which only the last of the three found.
    pub fn assert_no_sideways_scroll(&self, when: &str) {
        if self.js("return document.documentElement.scrollWidth <= innerWidth;") != json!(true) {
            panic!("{when}: the page scrolls sideways: {}", self.js(WIDER_THAN_THE_WINDOW));
        }
    }

    /// Sets the viewport to `width` × `height` CSS pixels: exactly in Chromium (whose window
    /// may not shrink below a desktop minimum), as the window's size elsewhere.
    fn viewport(&self, width: u32, height: u32) {
        if self.engine == Engine::Chromium {
            self.cmd(
                "POST",
                "/goog/cdp/execute",
                Some(json!({"cmd": "Emulation.setDeviceMetricsOverride",
                "params": {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}})),
            );
        } else {
            self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height})));
        }
    }

    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_cmd(method, path, body).unwrap_or_else(|(err, message)| panic!("WebDriver {path}: {err} {message}"))
    }

    /// A WebDriver command's value, or its error code and message.
    fn try_cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, (Value, Value)> {
        let v = http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref());
        match v["value"].get("error") {
            Some(err) => Err((err.clone(), v["value"]["message"].clone())),
            None => Ok(v["value"].clone()),
        }
    }

    /// Emulates the dark colour scheme (prefers-color-scheme: dark) from the next page load
    /// on; false where the driver cannot (only Chromium's can, through its DevTools protocol),
    /// and a test that needs it stops there.
    pub fn dark(&self) -> bool {
        if self.engine != Engine::Chromium {
            return false;
        }
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setEmulatedMedia",
            "params": {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}})),
        );
        true
    }

    /// An element's box in CSS pixels relative to the document: [left, top, width, height].
    pub fn rect(&self, css: &str) -> [f64; 4] {
        let v = self.js(&format!(
            "const e = document.querySelector({css:?}); if (!e) return null; const r = e.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height];"
        ));
        let n = |i: usize| v[i].as_f64().unwrap_or_else(|| panic!("no element {css}"));
        [n(0), n(1), n(2), n(3)]
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// Loads the lab at `url` and waits until it has mounted (its Play button is there).
    pub fn open(&self, url: &str) {
        // The page left behind is marked, so its Play button is never taken for the new page's.
        self.js("window.backoffLabLeft = true;");
        self.goto(url);
        // Asked while the old page is still unloading, a driver may answer "no such frame"
        // (WebKitGTK: "Callback was not called before the unload event"): not mounted yet.
        let ready = "return !window.backoffLabLeft && !!document.querySelector('#play') && document.querySelector('#play').textContent.includes('Play');";
        self.wait_for(&format!("the lab at {url} to mount"), Duration::from_secs(20), |b| b.js_during_load(ready) == Some(json!(true)));
        // The lessons' prose arrives after the first paint.
        self.wait_for("the lessons' texts", Duration::from_secs(20), |b| {
            b.js_during_load("return document.querySelector('main').dataset.texts;") == Some(json!("loaded"))
        });
    }

    pub fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    /// [`Browser::js`] while a page may be loading: `None` when the driver answers "no such
    /// frame" (the page before is unloading); any other error still fails.
    fn js_during_load(&self, script: &str) -> Option<Value> {
        match self.try_cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] }))) {
            Ok(v) => Some(v),
            Err((err, _)) if err == "no such frame" => None,
            Err((err, message)) => panic!("WebDriver /execute/sync: {err} {message}"),
        }
    }

    /// Presses and releases a key as a person would (WebDriver actions: the focused element
    /// gets the events): " ", "r", or a WebDriver key code such as "\u{E014}" (→).
    pub fn key(&self, key: &str) {
        let actions = json!([{"type": "key", "id": "keyboard", "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]);
        self.cmd("POST", "/actions", Some(json!({ "actions": actions })));
    }

    pub fn click(&self, css: &str) {
        let found = self.js(&format!("const e = document.querySelector({css:?}); if (e) e.click(); return !!e;"));
        assert_eq!(found, json!(true), "no element {css}");
    }

    /// An element's text, with no-break spaces read as spaces.
    pub fn text(&self, css: &str) -> String {
        self.js(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : null;")).as_str().unwrap_or("").replace('\u{a0}', " ")
    }

    /// The texts of an element's children (a run report value's lines), no-break spaces read as spaces.
    pub fn parts(&self, css: &str) -> Vec<String> {
        let v = self.js(&format!("const e = document.querySelector({css:?}); return e ? Array.from(e.children, c => c.textContent) : [];"));
        serde_json::from_value::<Vec<String>>(v).unwrap_or_default().into_iter().map(|s| s.replace('\u{a0}', " ")).collect()
    }

    /// Sets a control's value the way a user's edit does, firing its change event.
    pub fn set(&self, css: &str, value: &str) {
        let ok = self.js(&format!(
            "const e = document.querySelector({css:?}); if (!e) return false; e.value = {value:?}; e.dispatchEvent(new Event('change', {{bubbles: true}})); return true;"
        ));
        assert_eq!(ok, json!(true), "no control {css}");
    }

    pub fn wait_for(&self, what: &str, timeout: Duration, cond: impl Fn(&Browser) -> bool) {
        let deadline = Instant::now() + timeout;
        while !cond(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn errors(&self) -> Vec<String> {
        serde_json::from_value(self.js("return window.__labErrors || ['error capture missing'];")).unwrap_or_default()
    }

    /// A PNG of the whole page: the viewport is stretched to the page's height for the shot.
    pub fn screenshot_page(&self, path: &Path) {
        let size = |v: Value| v.as_f64().unwrap_or(800.0) as u32;
        let (w, h) = (size(self.js("return innerWidth;")), size(self.js("return innerHeight;")));
        let full = size(self.js("return document.documentElement.scrollHeight;"));
        self.viewport(w, full);
        thread::sleep(Duration::from_millis(400));
        self.screenshot(path);
        self.viewport(w, h);
    }

    /// A PNG of the visible viewport.
    pub fn screenshot(&self, path: &Path) {
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

pub mod base64_decode {
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

pub fn ready() -> Option<PathBuf> {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let (driver, browser) = binaries(engine());
    let have = dist.join("index.html").is_file() && driver.exists() && browser.exists();
    if have {
        return Some(dist);
    }
    assert!(
        std::env::var("BACKOFF_LAB_E2E").is_err(),
        "BACKOFF_LAB_E2E is set but dist/ or {:?} is missing: run `make test`, which builds and installs them",
        engine()
    );
    eprintln!("skipping the end-to-end test: no dist/ or no {:?} (run `make test`)", engine());
    None
}

pub fn number(s: &str) -> f64 {
    s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap_or(f64::NAN)
}

/// The first number in `s`, thousands separators allowed ("2,580 calls, 41 timeouts" gives
/// 2580; "2.1 s / 0.6 s" gives 2.1).
pub fn first_number(s: &str) -> f64 {
    let start = s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len());
    let digits: String = s[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',').filter(|c| *c != ',').collect();
    digits.trim_end_matches('.').parse().unwrap_or(f64::NAN)
}

/// What runs past the window's right edge, for [`Browser::assert_no_sideways_scroll`]'s message.
const WIDER_THAN_THE_WINDOW: &str = "const out = [`scrollWidth ${document.documentElement.scrollWidth}, innerWidth ${innerWidth}, clientWidth ${document.documentElement.clientWidth}`];
    for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect(); if (r.right > innerWidth + 0.5) out.push(`${e.tagName}#${e.id}.${e.className} right ${r.right}`); }
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) { const g = document.createRange(); g.selectNodeContents(n); const r = g.getBoundingClientRect(); if (r.right > innerWidth + 0.5) out.push(`text '${n.textContent.slice(0, 40)}' in ${n.parentElement.tagName}.${n.parentElement.className} right ${r.right}`); }
    const sw = () => document.documentElement.scrollWidth;
    let at = document.body;
    for (;;) { let next = null; for (const c of at.children) { const d = c.style.display; c.style.display = 'none'; const fits = sw() <= innerWidth; c.style.display = d; if (fits) { next = c; break; } } if (!next) break; at = next; out.push(`hiding ${at.tagName}#${at.id}.${at.className} fits`); }
    return out;";
