//! End to end, as a learner meets the page: the release bundle (`dist/`, built by
//! `trunk build --release`) served on 127.0.0.1 and driven in headless Chromium over
//! WebDriver. Every process it starts (the static server, chromedriver, Chromium) it stops.
//!
//! `make test` builds the bundle first and sets BACKOFF_LAB_E2E=1, which makes a missing
//! bundle or browser a failure; a plain `cargo test` without them skips with a note.
#![cfg(not(target_arch = "wasm32"))]
// Waiting for a real browser needs the wall clock; the engine itself never reads one.
#![allow(clippy::disallowed_methods)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;
use support::{Browser, StaticServer, first_number, number, ready, tempdir};

#[test]
fn a_learner_makes_the_service_fall_over_and_watches_why() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist.clone());
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?debug=1", server.port));
    assert!(b.errors().is_empty(), "console errors on load: {:?}", b.errors());
    assert_eq!(b.text("#link-notes"), "", "a plain link raises no notes");
    // The page names itself and says it is loading before the wasm runs, and says so no more after.
    let html = std::fs::read_to_string(dist.join("index.html")).expect("index.html");
    assert!((html.contains("id=loading") || html.contains("id=\"loading\"")) && html.contains("Loading the simulator"), "index.html has the loading note");
    assert_eq!(b.js("return document.getElementById('loading') === null;"), json!(true), "the note goes once the lab runs");

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
    // History is drawn as it was: the capacity line moves from the next window on.
    b.click("#step");
    b.wait_for("the load chart to show the new capacity", Duration::from_secs(5), |b| {
        b.js("return document.querySelector('#chart-load').toDataURL();") != before
    });
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
    let shown = |b: &Browser| b.text(".control.invalid .error");
    b.wait_for("the validation message", Duration::from_secs(5), |b| shown(b).contains("allowed a whole number from 1 to 10,000 workers"));
    let t = number(&b.text("#clock"));
    b.wait_for("the clock to keep running", Duration::from_secs(5), |b| number(&b.text("#clock")) > t);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn run_to_end_pressed_while_playing_stops_at_the_end_every_time() {
    // The walk's WebKit once ran on to "t = 60.1 s" (4,192 sent instead of 4,185): a frame of
    // the play loop fired after the run had reached its end. The same run, three times over.
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    let mut seen = Vec::new();
    for _ in 0..3 {
        b.open(&format!("http://127.0.0.1:{}/", server.port));
        b.click("#play");
        thread::sleep(Duration::from_millis(1_500));
        b.click("#run-to-end");
        b.wait_for("the run to end", Duration::from_secs(30), |b| b.text("#run-to-end") == "Run to end" && number(&b.text("#clock")) >= 60.0);
        thread::sleep(Duration::from_millis(500));
        seen.push((b.text("#clock"), b.text("#report-requests")));
    }
    assert!(seen.iter().all(|s| s.0 == "t = 60.0 s" && *s == seen[0]), "{seen:?}");
}

#[test]
fn the_metastable_storm_runs_to_the_end_in_the_browser() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    // By its link: picking it in the picker and pressing Run to end at once raced the picker's
    // restart in a slow WebKit (the run ended, then the lab started over).
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(20), |b| number(&b.text("#clock")) >= 60.0);
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-storm.png"));
    assert!(b.text("#health").starts_with("collapsed"), "verdict: {} / {}", b.text("#health"), b.text(".headline"));
    assert!(number(&b.text("#amplification")) > 3.0, "amplification {}", b.text("#amplification"));
    // A limit's dashed grey line runs the whole run, not only its first seconds (the dashes
    // stalled once time was large enough that a dash's remainder fell below its precision).
    for id in ["chart-latency", "chart-amplification", "chart-arrivals"] {
        let [left, right] = grey_ink(&b, id);
        assert!(left > 50.0 && right > 0.6 * left, "{id}: the dashed limit line's grey pixels, left half {left}, right half {right}");
    }
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

    // The map: 20 × 20 cells × 3 seeds, each a 120 s run at 100 req/s, while the animation runs.
    b.open(&format!("http://127.0.0.1:{}/?s=metastable-retry&duration_s=120&load.rate_per_s=100&debug=1", server.port));
    b.set("#speed", "1");
    b.click("#play");
    thread::sleep(Duration::from_secs(3));
    // Opening the map computes it.
    open_map(&b);
    b.wait_for("the map", Duration::from_secs(120), |b| b.text("#map-status").contains(" seeds in "));
    let p95 = b.js("return document.querySelector('#debug').dataset.p95;");
    println!("map: {} | p95 frame handler time meanwhile {} ms", b.text("#map-status"), p95.as_str().unwrap_or("?"));

    // The map's worker (built for speed) on the M/M/10 workload of ?bench=1: 100 s at 8,000
    // req/s, 1 ms service, 1.6 M events. Timed from the job's post to its "done", twice.
    b.js(
        "const job = 'seed 1\\nseeds 1\\nsettle 20\\ncells 0 1\\nx load.rate_per_s 8000\\ny server.workers 10\\nset duration_s=100\\nset server.service_ms=1\\nset client.timeout_ms=none\\nset client.max_attempts=1\\n';
         window.__worker_ms = []; const w = new Worker('map-worker_loader.js'); let t0 = 0;
         w.onmessage = (e) => { const d = e.data;
           if (d.length === 0 || d[0] === -1) { if (d.length) window.__worker_ms.push(performance.now() - t0); if (window.__worker_ms.length < 2) { t0 = performance.now(); w.postMessage(job); } else w.terminate(); } };
         return 0;",
    );
    b.wait_for("the worker's runs", Duration::from_secs(60), |b| b.js("return window.__worker_ms.length;") == json!(2));
    let ms = b.js("return window.__worker_ms[1];").as_f64().unwrap_or(f64::NAN);
    println!("engine in the map's worker (opt-level 3): M/M/10 100 s in {ms:.1} ms = {:.1} M events/s (1,599,432 events)", 1_599_432.0 / ms / 1e3);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn links_deep_link_embed_and_survive_hostile_input() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{}/", server.port);

    // A 13 KB link keeps what can be used (its scenario, seed and the settings that fit) and
    // says what it dropped.
    b.open(&format!("{base}?v=2&faults={}&s=healthy&seed=9&server.workers=20", "crash@5..10,".repeat(1_100)));
    assert_eq!(b.js("return document.querySelector('#scenario').value;"), json!("healthy"));
    assert_eq!(b.js("return document.querySelector('#seed').value;"), json!("9"));
    let notes = b.text("#link-notes");
    assert!(notes.contains("only 8,192 are read") && notes.contains("dropped ('faults')"), "{notes}");
    assert!(b.js("return location.search;").as_str().unwrap_or("").contains("server.workers=20"), "the settings that fit are applied");

    // A bare deep link opens its scenario; changing a control rewrites the link.
    b.open(&format!("{base}?scenario=cron-jittered"));
    assert_eq!(b.js("return document.querySelector('#scenario').value;"), json!("cron-jittered"));
    assert_eq!(b.text("#story-changed"), "", "the scenario as written raises no warning");
    b.set("input.num[aria-label^='Workers']", "33");
    b.wait_for("the link to follow the control", Duration::from_secs(5), |b| {
        b.js("return location.search;").as_str().unwrap_or("").contains("server.workers=33")
    });
    let shared = b.js("return location.href;").as_str().unwrap_or("").to_string();
    assert!(shared.contains("v=2&s=cron-jittered"), "{shared}");
    // The shared link reopens the same state, and says it is no longer the scenario as written.
    b.open(&shared);
    assert!(b.text(".headline").contains("/33"), "{}", b.text(".headline"));
    assert!(b.text("#story-changed").contains("differs from the scenario"), "{}", b.text(".story"));
    // So does a link that adds a fault to a scenario whose story says nobody times out.
    b.open(&format!("{base}?s=healthy&faults=crash@10..20"));
    assert!(b.text("#story-changed").contains("may not hold"), "{}", b.text(".story"));
    b.open(&format!("{base}?scenario=healthy&seed=99"));
    assert!(b.text("#story-changed").contains("may not hold"), "another seed alone raises the note: {}", b.text(".story"));
    // Comparing adds a side B of the learner's own: side A is still the scenario as written.
    b.open(&format!("{base}?scenario=healthy"));
    b.click("#compare");
    b.wait_for("side B", Duration::from_secs(5), |b| !b.text("#headline-b").is_empty());
    assert_eq!(b.text("#story-changed"), "", "{}", b.text(".story"));

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
fn exercises_come_from_the_lessons_text_and_a_system_one_runs_in_the_page() {
    // The exercises are defined in lessons.txt, which arrives after the first paint: a link to
    // one is read again when it is there, and the picker lists every one.
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?exercise=retry-at-one-layer", server.port));
    b.wait_for("the exercise", Duration::from_secs(10), |b| b.text("#exercise").contains("Retry at one layer"));
    assert_eq!(b.js("return document.querySelector('#scenario').value;"), json!("retries-every-layer"));
    let listed = b.js("return document.querySelectorAll('#exercise-pick option').length;");
    assert!(listed.as_u64().unwrap_or(0) > 12, "the picker lists every exercise and '— none —': {listed}");
    b.click("#run-to-end");
    b.wait_for("the start to fail", Duration::from_secs(30), |b| b.text("#exercise-status").starts_with("✗"));
    let status = b.text("#exercise-status").replace('\u{a0}', " ");
    assert!(status.contains("attempts per request 10–20 s at tier 2") && status.contains("(goal < 4.00×)"), "{status}");
    assert!(first_number(status.split(": ").nth(1).unwrap_or("")) > 4.0, "{status}");
    b.click("#reveal-solution");
    assert!(b.text("#exercise .solution").contains("tiers.1.client.max_attempts = 1"), "{}", b.text("#exercise .solution"));
    b.click("#apply-solution");
    b.wait_for("a fresh run", Duration::from_secs(10), |b| number(&b.text("#clock")) < 1.0);
    b.click("#run-to-end");
    b.wait_for("the solution to pass", Duration::from_secs(30), |b| b.text("#exercise-status").starts_with("✓"));
    assert!(b.js("return location.search;").as_str().unwrap_or("").contains("retry-at-one-layer"), "the address keeps the exercise");
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
    // Each chart names both sides' lines, and B has every line A has.
    let legend = |chart: &str| b.js(&format!("return document.getElementById('chart-{chart}').dataset.legend || '';")).as_str().unwrap_or("").to_string();
    let load = legend("load");
    for entry in ["A offered (first tries)", "A retries", "A goodput (successes)", "B offered", "B retries", "B goodput"] {
        assert!(load.contains(entry), "the load chart names {entry:?}: {load}");
    }
    let waste = legend("waste");
    assert!(waste.contains("A dropped past the deadline") && waste.contains("B dropped"), "{waste}");
    assert!(legend("amplification").contains("A amplification") && legend("amplification").contains("B amplification"));
    // The attempts chart: both sides as lines of one weight (B's over A's bars hid them).
    let arrivals = legend("arrivals");
    for entry in ["A first tries", "A attempts", "B first tries", "B attempts"] {
        assert!(arrivals.contains(entry), "the attempts chart names {entry:?}: {arrivals}");
    }
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
    // The frames load lazily (Firefox waits until one is scrolled near), so the test scrolls
    // to each frame not yet mounted, as a reader would.
    b.wait_for("the embedded labs to mount", Duration::from_secs(30), |b| {
        b.js("const up = f => f.contentDocument && f.contentDocument.querySelector('#play'); const fs = Array.from(document.querySelectorAll('iframe')); const next = fs.find(f => !up(f)); if (next) next.scrollIntoView(); return fs.filter(up).length;")
            == json!(3)
    });
    b.js("window.scrollTo(0, 0); return true;");
    let embedded = b.js("return document.querySelector('iframe').contentDocument.querySelectorAll('fieldset legend').length;");
    assert_eq!(embedded, json!(2), "the first frame shows only its client and limiter controls");
    // Each embedded lab fits the frame it is given: nothing is cut off, the frame never scrolls.
    let overflow = b.js("return Array.from(document.querySelectorAll('iframe')).map(f => f.contentDocument.documentElement.scrollHeight - f.clientHeight);");
    assert!(overflow.as_array().is_some_and(|a| a.iter().all(|d| d.as_f64().unwrap_or(1.0) <= 0.0)), "content taller than its frame by {overflow} px");
    // "Open the full lab" opens every control, not the embed's subset.
    let full = b.js("return document.querySelector('iframe').contentDocument.querySelector('.open-full').href;");
    assert!(!full.as_str().unwrap_or("controls=").contains("controls=") && !full.as_str().unwrap_or("").contains("embed=1"), "{full}");
    b.js("document.querySelector('iframe').scrollIntoView(); return true;");
    b.js("document.querySelector('iframe').contentDocument.querySelector('#run-to-end').click(); return true;");
    thread::sleep(Duration::from_secs(2));
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-embed.png"));
    let errors = b.js("return Array.from(document.querySelectorAll('iframe')).flatMap(f => f.contentWindow.__labErrors || ['error capture missing']);");
    assert_eq!(errors, json!([]), "console errors in the embedded labs");
}

#[test]
fn a_page_whose_simulator_cannot_load_says_so() {
    // The bundle without its wasm (a proxy that strips it, a half-copied folder): the loading
    // message turns into what went wrong and what the lab needs, instead of loading forever.
    let Some(dist) = ready() else { return };
    let broken = std::env::temp_dir().join(format!("backoff-lab-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&broken);
    std::fs::create_dir_all(&broken).unwrap();
    for entry in std::fs::read_dir(&dist).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.starts_with("backoff-lab-") && name.ends_with("_bg.wasm")) && entry.path().is_file() {
            std::fs::copy(entry.path(), broken.join(&name)).unwrap();
        }
    }
    let server = StaticServer::start(broken.clone());
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/?scenario=healthy", server.port));
    // At once where the browser reports the failure; after 15 s where it stays silent (WebKit).
    b.wait_for("the failure to be told", Duration::from_secs(25), |b| b.text("#loading p").starts_with("The simulator "));
    if b.engine() == support::Engine::Chromium {
        let said = b.text("#loading p");
        assert!(said.starts_with("The simulator could not start (") && said.contains("failed to fetch Wasm: 404"), "{said}");
    }
    assert!(b.text("#loading p").contains("needs WebAssembly"), "{}", b.text("#loading p"));
    assert!(b.text("#loading h1").contains("Backoff Lab"));
    drop(b);
    drop(server);
    let _ = std::fs::remove_dir_all(&broken);
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
    // The JSON is written by the on-demand panels' wasm, fetched at the first click.
    b.wait_for("the config download", Duration::from_secs(10), |b| {
        b.js("return window.__downloads.some(d => d[0] === 'backoff-lab-config.json');") == json!(true)
    });
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
    assert_eq!(pngs, 8, "seven charts and the delay histogram");
    // The exported config runs in the CLI.
    let json = decode_data(&find("backoff-lab-config.json"));
    let dir = tempdir::Dir::new("export");
    let path = dir.0.join("config.json");
    std::fs::write(&path, json).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lab")).args(["run", "--config", path.to_str().unwrap(), "--seed", "3", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["config"]["limiters"]["quota"]["enabled"].as_bool().unwrap_or(false));
    // In compare mode the CSV holds both sides, and the JSON is the side the controls change.
    b.open(&format!("http://127.0.0.1:{}/?scenario=aws-sdk-2026", server.port));
    b.click("#run-to-end");
    b.wait_for("the compare run to finish", Duration::from_secs(20), |b| b.text("#run-to-end") == "Run to end" && number(&b.text("#clock")) >= 60.0);
    b.js("window.__downloads = []; HTMLAnchorElement.prototype.click = function () { __downloads.push([this.download, this.href]); }; return true;");
    b.click("#export-csv");
    b.click("#edit-a");
    b.click("#export-json");
    b.wait_for("side A's config", Duration::from_secs(10), |b| b.js("return window.__downloads.some(d => d[0] === 'backoff-lab-config.json');") == json!(true));
    b.click("#edit-b");
    b.click("#export-json");
    b.wait_for("side B's config", Duration::from_secs(10), |b| {
        b.js("return window.__downloads.some(d => d[0] === 'backoff-lab-config-b.json');") == json!(true)
    });
    let downloads: Vec<(String, String)> = serde_json::from_value(b.js("return window.__downloads;")).unwrap();
    let find = |name: &str| {
        downloads
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, h)| decode_data(h))
            .unwrap_or_else(|| panic!("no {name} in {:?}", downloads.iter().map(|d| &d.0).collect::<Vec<_>>()))
    };
    let csv = find("backoff-lab-series.csv");
    assert!(csv.starts_with("side,start_s,width_s"), "{}", &csv[..60.min(csv.len())]);
    let sides = |s: &str| csv.lines().filter(|l| l.starts_with(s)).count();
    assert!(sides("A,") > 500 && sides("A,") == sides("B,"), "both sides' windows: {} and {}", sides("A,"), sides("B,"));
    let (cfg_a, cfg_b): (Value, Value) =
        (serde_json::from_str(&find("backoff-lab-config.json")).unwrap(), serde_json::from_str(&find("backoff-lab-config-b.json")).unwrap());
    assert_ne!(cfg_a["limiters"]["quota"], cfg_b["limiters"]["quota"], "B's 2026 quota constants");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// Relative luminance contrast of two CSS `rgb(...)` colours (WCAG).
fn contrast(a: &str, b: &str) -> f64 {
    let lum = |c: &str| {
        let v: Vec<f64> = c.trim_start_matches(|ch: char| !ch.is_ascii_digit()).split([',', ')', ' ']).filter_map(|x| x.trim().parse().ok()).collect();
        let lin = |x: f64| {
            let x = x / 255.0;
            if x <= 0.03928 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(v[0]) + 0.7152 * lin(v[1]) + 0.0722 * lin(v[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn a_restart_brings_retries_back_together_and_jitter_spreads_them() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?scenario=synchronized-retries", server.port));
    // The scenario opens in compare mode: A without jitter, B with full jitter.
    assert!(!b.text("#headline-b").is_empty(), "the scenario opens both sides");
    assert!(b.text(".story").contains("Look for"));
    b.click("#run-to-end");
    b.wait_for("both runs to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 40.0);
    assert_eq!(b.text("#recovery"), "2.0 s", "A: {}", b.text(".headline"));
    assert_eq!(b.text("#recovery-b"), "0.0 s", "B: {}", b.text(".headline"));
    assert_eq!((b.text("#health"), b.text("#health-b")), ("healthy".to_string(), "healthy".to_string()));
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-synchronized.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn verdicts_exercises_and_play_tell_the_truth() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{}/", server.port);

    // A cron storm is never called "starting", and a storm that never ends is "not recovered".
    b.open(&format!("{base}?scenario=cron-aligned"));
    assert_eq!(b.text("#health"), "starting", "no verdict before any evidence");
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0);
    assert_eq!(b.text("#health"), "overloaded", "{}", b.text(".headline"));
    b.open(&format!("{base}?scenario=metastable-retry"));
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0);
    assert_eq!(b.text("#recovery"), "not recovered");
    assert_eq!(b.text("#p99"), "— (no successes)", "no latency is shown where nothing succeeded");
    // A change made at the end, then Run to end: the changed lab runs from the start to the end.
    b.js("const e = document.getElementById('client-max_attempts'); e.value = '1'; e.dispatchEvent(new Event('input', {bubbles: true})); return true;");
    b.wait_for("the link to carry the change", Duration::from_secs(5), |b| b.js("return location.search;").as_str().unwrap_or("").contains("max_attempts=1"));
    b.click("#run-to-end");
    b.wait_for("the changed lab to run to the end", Duration::from_secs(30), |b| {
        number(&b.text("#clock")) >= 60.0 && b.text("#run-to-end") == "Run to end" && !b.text("#health").starts_with("collapsed")
    });
    assert_eq!(b.text("#health"), "healthy", "one attempt each: no storm, {}", b.text(".headline"));
    // Reset shows the fresh start at once, not the old run's clock and verdict until Play.
    b.click("#reset");
    b.wait_for("the reset to show", Duration::from_secs(5), |b| b.text("#clock") == "t = 0.0 s");
    assert_eq!((b.text("#health"), b.text("#queue")), ("starting".to_string(), "0".to_string()));

    // Adaptive mode holds goodput at the throttle while users wait 20 s: not "healthy".
    b.open(&format!("{base}?scenario=adaptive"));
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0);
    assert_eq!(b.text("#health"), "degraded: users wait past their timeout", "{}", b.text(".headline"));
    let p99 = b.text("#p99");
    assert!(p99.ends_with(" s") && number(&p99) > 1.0, "the p99 beside it is past the 1 s timeout: {p99}");

    // An exercise shows its own scenario, and says it has not started yet.
    b.open(&format!("{base}?exercise=flatten-cron"));
    assert_eq!(b.js("return document.querySelector('#scenario').value;"), json!("cron-aligned"));
    assert!(b.text("#exercise-status").starts_with("Not started"), "{}", b.text("#exercise-status"));
    b.set("#load-periodic-jittered", "true");
    b.click("#run-to-end");
    b.wait_for("the exercise to pass", Duration::from_secs(30), |b| b.text("#exercise-status").starts_with("✓"));
    let picked = b.js("const s = document.querySelector('#exercise-pick'); return s.options[s.selectedIndex].textContent;");
    assert!(picked.as_str().unwrap_or("").starts_with("✓"), "the ✓ shows at once, not after a reload: {picked}");

    // Play stops at the end of the run.
    b.open(&format!("{base}?scenario=healthy&speed=50"));
    b.click("#play");
    b.wait_for("play to stop at 60 s", Duration::from_secs(30), |b| b.text("#play").contains("Play") && number(&b.text("#clock")) >= 60.0);
    assert_eq!(number(&b.text("#clock")), 60.0);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_phone_sees_the_animation_and_a_chart_before_the_controls() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(390, 844);
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    b.click("#run-to-end");
    b.wait_for("the run to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0);
    // The viewport is 390 wide in Chromium; Firefox and WebKit windows stop near 450.
    b.assert_no_sideways_scroll("after a run to the end");
    let play = b.rect("#play");
    let chart = b.rect("#chart-load");
    assert!(chart[1] < b.rect(".controls")[1], "the charts come before the controls");
    assert!(chart[1] - (play[1] + play[3]) < 700.0, "the first chart is {} px below Play", chart[1] - play[1]);
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-phone.png"));
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-phone-page.png"));
    // Comparing, the scenario picker (as wide as its longest title) stays inside the window:
    // in WebKit it once ran 46 px past it.
    b.open(&format!("http://127.0.0.1:{}/?scenario=aws-sdk-2026", server.port));
    b.wait_for("side B", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#system-b');") == json!(true));
    b.assert_no_sideways_scroll("comparing");
    // The row clips what runs past it, but not the picker's focus ring: a keyboard user sees
    // all four sides of it (the ring lies outside the select, its width plus its offset). The
    // ring as focused, or (WebKit does not show it on a focus by script) as the page's
    // `:focus-visible` rule draws it.
    let cut = b.js("const s = document.querySelector('#scenario'); s.focus(); const c = getComputedStyle(s); \
         let ext = (parseFloat(c.outlineWidth) || 0) + (parseFloat(c.outlineOffset) || 0); \
         if (c.outlineStyle === 'none') for (const sheet of document.styleSheets) for (const r of sheet.cssRules) \
           if (r.selectorText === ':focus-visible') ext = parseFloat(r.style.getPropertyValue('outline')) + parseFloat(r.style.outlineOffset); \
         const r = s.getBoundingClientRect(), p = s.parentElement.getBoundingClientRect(); \
         return [ext, Math.max(0, p.left - (r.left - ext)), Math.max(0, r.right + ext - p.right)];");
    assert!(cut[0].as_f64().unwrap_or(0.0) > 0.0, "no focus ring: {cut}");
    assert!(cut[1].as_f64() == Some(0.0) && cut[2].as_f64() == Some(0.0), "the focus ring is cut by the row (its extent, px cut left, right): {cut}");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_short_laptop_screen_in_dark_mode_reaches_the_faults_and_reads_clearly() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 577);
    if !b.dark() {
        return; // Dark mode is emulated in Chromium only.
    }
    b.open(&format!("http://127.0.0.1:{}/?scenario=synchronized-retries", server.port));
    assert_eq!(b.js("return matchMedia('(prefers-color-scheme: dark)').matches;"), json!(true));
    let fault = b.rect("#fault-restart");
    assert!(fault[1] + fault[3] < 577.0, "the fault buttons are in the first screen: #fault-restart at {fault:?}");
    let (fg, bg) = (
        b.js("return getComputedStyle(document.querySelector('#edit-b')).color;"),
        b.js("return getComputedStyle(document.querySelector('#edit-b')).backgroundColor;"),
    );
    let c = contrast(fg.as_str().unwrap_or(""), bg.as_str().unwrap_or(""));
    assert!(c >= 4.5, "the pressed side button has contrast {c:.2}:1 ({fg} on {bg})");
    b.click("#run-to-end");
    b.wait_for("both runs to finish", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 40.0);
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-dark-1280x577.png"));
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-dark-page.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_long_run_to_end_shows_progress_and_can_be_cancelled() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    // An hour at 100,000 requests a second: minutes of work, done in chunks.
    b.open(&format!("http://127.0.0.1:{}/?s=mmc&load.rate_per_s=100000&server.workers=10000&server.service_ms=50&duration_s=3600", server.port));
    b.click("#run-to-end");
    b.wait_for("the progress figure", Duration::from_secs(10), |b| b.text("#run-to-end").starts_with("Cancel ("));
    b.wait_for("the clock to move while it runs", Duration::from_secs(10), |b| number(&b.text("#clock")) > 0.0);
    b.click("#run-to-end");
    b.wait_for("the run to stop", Duration::from_secs(10), |b| b.text("#run-to-end") == "Run to end");
    let t = number(&b.text("#clock"));
    assert!(t > 0.0 && t < 3_600.0, "stopped at {t} s");
    thread::sleep(Duration::from_millis(500));
    assert_eq!(number(&b.text("#clock")), t, "nothing runs after Cancel");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn retries_at_every_layer_show_27_attempts_at_the_bottom_tier() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output");
    for (name, width, height, dark) in [("1280", 1280, 900, false), ("390", 390, 844, false), ("dark", 1280, 900, true)] {
        let b = Browser::sized(width, height);
        if dark && !b.dark() {
            continue; // Dark mode is emulated in Chromium only.
        }
        b.open(&format!("http://127.0.0.1:{}/?scenario=retries-every-layer", server.port));
        assert!(b.errors().is_empty(), "console errors on load: {:?}", b.errors());
        // The strip shows the three tiers before anything runs.
        for t in 0..3 {
            assert!(!b.text(&format!("#tier-{t}")).is_empty(), "tier {t} in the strip");
        }
        b.set("#speed", "10");
        b.click("#play");
        b.wait_for("the run to pass 40 s", Duration::from_secs(30), |b| number(&b.text("#clock")) > 40.0);
        b.click("#play");
        // The load chart is scaled to the load, not to the edge's capacity of a million a second.
        let load = |attr: &str| b.js(&format!("return document.getElementById('chart-load').dataset.{attr} || '';")).as_str().unwrap_or("").to_string();
        let ymax: f64 = load("ymax").parse().unwrap_or(f64::NAN);
        assert!(ymax < 2_000.0, "the load chart's axis is the load's (100 req/s, 300 retries at most): top {ymax}");
        assert!(load("legend").contains("capacity 1M/s, far above"), "the capacity is named: {}", load("legend"));
        // Attempts ÷ first attempts over the last 10 s: a request's 27 bottom attempts span
        // seconds, so the figure wanders a few per cent around 27 with the instant it is read.
        let near = |id: &str, want: f64| {
            let v = number(&b.text(id));
            assert!((v - want).abs() <= 0.06 * want, "{id} reads {v}× per user request, not about {want}×");
        };
        near("#amp-2", 27.0);
        near("#amp-1", 9.0);
        near("#amp-0", 3.0);
        // Clicking a tier points the controls at it.
        b.click("#tier-2");
        b.wait_for("the controls to edit tier 2", Duration::from_secs(5), |b| {
            b.js("return !!document.getElementById('tiers-2-server-workers');") == json!(true)
        });
        assert!(b.text(".controls").contains("Calls into tier 2"));
        assert!(b.text("#charts-tier").starts_with("Tier 2 as tier 1 sees it"));
        assert!(b.text(".controls").contains("Limiters on calls into tier 2"));
        assert_eq!(b.js("return !!document.getElementById('tiers-2-limiters-budget-enabled');"), json!(true), "the tier's own retry budget");
        // A tier's control changes that tier, live, and the link carries it.
        b.set("input.num[aria-label^='Max attempts']", "1");
        b.wait_for("the link to carry the tier's change", Duration::from_secs(5), |b| {
            let link = b.js("return document.getElementById('share-link').value;").as_str().unwrap_or_default().to_string();
            link.contains("tiers.2.client.max_attempts=1") && link.contains("tier=2")
        });
        // The amplification over the last seconds was measured under 3 attempts: the allowance
        // says it is the new setting's, since the change (not "≤ 1×" beside a 3× figure).
        let allowed = b.text("#allowed");
        assert!(allowed.contains("since the change at 4") && allowed.contains("≤ 1 a request by max attempts"), "{allowed}");
        if width < 500 {
            let [_, _, w, _] = b.rect(".topology");
            assert!(w <= b.width(), "the strip fits the phone: {w} px");
            // Where the strip wraps, each arrow stays on the line of the tier it points at.
            for t in 0..3 {
                let ([_, ay, _, ah], [_, ty, _, th]) = (b.rect(&format!("#amp-{t}")), b.rect(&format!("#tier-{t}")));
                assert!(ay < ty + th && ay + ah > ty, "tier {t}'s arrow at y {ay}..{}, its box at {ty}..{}", ay + ah, ty + th);
            }
            b.assert_no_sideways_scroll(name);
        }
        b.screenshot_page(&out.join(format!("e2e-tiers-{name}.png")));
        assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
    }
}

/// A crash at a system's edge brings its capacity of a million a second down to zero: the
/// load chart draws the dip and leaves the capacity off the top where it is far above, so the
/// load (100 req/s) is still read on its own scale.
#[test]
fn a_crash_at_a_system_s_edge_keeps_the_load_chart_on_the_load_s_scale() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=retries-every-layer&faults=crash@12..20", server.port));
    b.click("#run-to-end");
    b.wait_for("the run to end", Duration::from_secs(60), |b| number(&b.text("#clock")) >= 60.0 && b.text("#run-to-end") == "Run to end");
    let load = |attr: &str| b.js(&format!("return document.getElementById('chart-load').dataset.{attr} || '';")).as_str().unwrap_or("").to_string();
    let ymax: f64 = load("ymax").parse().unwrap_or(f64::NAN);
    // Retry waves reach about 1,500/s, and the capacity in the window the crash starts (workers
    // finishing their work) about 3,000/s: thousands, not the edge's million.
    assert!(ymax < 10_000.0, "the axis is the load's, not the edge's million: top {ymax}");
    assert!(load("legend").contains("capacity (off the top)"), "{}", load("legend"));
    // The fault list says what and when in words, hosts and tiers as a person counts them.
    assert_eq!(b.parts("ul.faults"), vec!["the edge: crash, 12–20 s".to_string(), "tier 2, the bottom: 100% errors, 10–20 s".to_string()]);
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_headline_diagram_and_explorer_read_the_selected_tier() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=retries-every-layer&tier=2", server.port));
    // Playing, the diagram moves tier 2's requests (the bottom's attempts), not the users'.
    b.set("#speed", "2");
    b.click("#play");
    b.wait_for("the bottom's requests to move in the diagram", Duration::from_secs(20), |b| {
        b.js("return Number(document.getElementById('system').dataset.moving || 0);").as_f64().unwrap_or(0.0) > 0.0
    });
    b.click("#play");
    b.click("#run-to-end");
    b.wait_for("the run to end", Duration::from_secs(60), |b| number(&b.text("#clock")) >= 60.0 && b.text("#run-to-end") == "Run to end");
    assert!(b.text("#headline-tier").starts_with("Tier 2, the bottom, as tier 1 calls it"), "{}", b.text("#headline-tier"));
    assert!(b.text("#diagram-tier").contains("tier 2, the bottom"), "{}", b.text("#diagram-tier"));
    assert!(b.text("#explorer-tier").contains("the calls tier 1 makes into tier 2"), "{}", b.text("#explorer-tier"));
    // The headline's queue and workers are tier 2's: the strip's tier-2 box says the same.
    let strip = b.text("#tier-2 small");
    let queued = number(strip.split(" queued").next().unwrap_or_default());
    assert_eq!(number(&b.text("#queue")), queued, "headline queue vs strip '{strip}'");
    let busy = b.text("#busy");
    let capacity = number(busy.split('/').nth(1).unwrap_or_default());
    let tier2 = backoff_lab::scenarios::find("retries-every-layer").unwrap().config.tiers[1].server.clone();
    assert_eq!(capacity, f64::from(tier2.workers * tier2.hosts), "tier 2's workers: {busy}");
    assert!(b.js("return document.getElementById('system').getAttribute('aria-label');").as_str().unwrap_or_default().contains("tier 2, the bottom"));
    // The edge again: the headline says so and reads the users' view.
    b.click("#tier-0");
    b.wait_for("the headline to follow the edge", Duration::from_secs(5), |b| b.text("#headline-tier").starts_with("The edge, as the users call it"));
    let edge = backoff_lab::scenarios::find("retries-every-layer").unwrap().config.server.clone();
    assert_eq!(number(b.text("#busy").split('/').nth(1).unwrap_or_default()), f64::from(edge.workers * edge.hosts));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_bad_host_drags_round_robin_and_not_least_outstanding() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=bad-host", server.port));
    assert_eq!(b.js("return document.querySelectorAll('#tier-0 .hosts i').length;"), json!(8), "side A shows 8 hosts");
    assert_eq!(b.js("return document.querySelectorAll('#tierb-0 .hosts i').length;"), json!(8), "side B shows 8 hosts");
    b.click("#run-to-end");
    b.wait_for("the run to end", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0 && b.text("#run-to-end") == "Run to end");
    // What the strip's marks mean is on screen, not only in hover titles.
    let caption = b.text("#strip-caption");
    assert!(caption.contains("a bar per host (host 1 first)") && caption.contains("red while calls queue"), "{caption}");
    assert!(b.rect("#strip-caption")[3] > 0.0, "the caption is shown");
    // Host 4 (index 3) is the one queueing under round robin.
    assert_eq!(b.js("return document.querySelector('#tier-0 .hosts i:nth-child(4)').className;"), json!("q"));
    // The load chart's capacity is the hosts' own: seven at 4 workers × 20/s and the slow one
    // at 4 × 2/s, 568/s (not the whole tier ten times slower, 64/s, under the 300 offered).
    let ymax: f64 = b.js("return document.getElementById('chart-load').dataset.ymax;").as_str().unwrap_or("").parse().unwrap_or(f64::NAN);
    assert!((560.0 * 1.1..=580.0 * 1.1).contains(&ymax), "the axis tops the 568/s capacity line: {ymax}");
    let (a, bb) = (number(&b.text("#timeouts")), number(&b.text("#timeouts-b")));
    assert!(a > 10.0 * bb.max(1.0), "round robin times out far more than least outstanding: {a} vs {bb} per s");
    assert!((30.0..=55.0).contains(&a), "about 40 timeouts a second in the headline, as the scenario says: {a}");
    // Round robin's users wait past their timeout, and the verdict says so; least outstanding's do not.
    assert_eq!(b.text("#health"), "degraded: users wait past their timeout", "A: {}", b.text(".headline"));
    assert!(number(&b.text("#late")) >= 1.0, "A: at least 1 % of successes past the timeout: {}", b.text("#late"));
    assert_eq!(b.text("#health-b"), "healthy", "B: {}", b.text("#headline-b"));
    assert!(number(&b.text("#late-b")) < 1.0, "B: under 1 % past the timeout: {}", b.text("#late-b"));
    // The run report shows what the sentence quotes: host 4's calls on each side, the whole
    // run's p99 and timeouts.
    let host4 = |id: &str| {
        let hosts = b.parts(id);
        let part = hosts.get(3).cloned().unwrap_or_default();
        assert!(part.starts_with("host 4: "), "{id}: {hosts:?}");
        first_number(part.trim_start_matches("host 4: "))
    };
    let (calls_a, calls_b) = (host4("#report-hosts"), host4("#report-hosts-b"));
    assert!((2_300.0..=2_900.0).contains(&calls_a), "round robin sends host 4 about 2,580 calls: {calls_a}");
    assert!((200.0..=600.0).contains(&calls_b), "least outstanding sends host 4 about 370: {calls_b}");
    let p99 = |id: &str| {
        let t = b.text(id);
        let v = first_number(&t);
        if t.split(" / ").next().unwrap_or_default().ends_with(" s") { v * 1e3 } else { v }
    };
    assert!((1_800.0..=2_400.0).contains(&p99("#report-p99")), "A: p99 2.1 s over the run: {}", b.text("#report-p99"));
    assert!((250.0..=550.0).contains(&p99("#report-p99-b")), "B: p99 0.4 s over the run: {}", b.text("#report-p99-b"));
    assert!((2_000.0..=3_000.0).contains(&first_number(&b.text("#report-timeouts"))), "A: about 2,500 timeouts: {}", b.text("#report-timeouts"));
    assert!(first_number(&b.text("#report-timeouts-b")) < 100.0, "B: under 100 timeouts: {}", b.text("#report-timeouts-b"));
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-bad-host.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_map_shows_where_the_storm_tips_and_a_cell_loads_into_the_lab() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    // Opening the map computes it (one click); a new size computes it again.
    open_map(&b);
    b.wait_for("the map under way", Duration::from_secs(10), |b| b.text("#map-run").starts_with("Cancel") || b.text("#map-status").contains(" seeds in "));
    b.set("#map-size", "10");
    b.wait_for("progress on the button", Duration::from_secs(10), |b| b.text("#map-run").starts_with("Cancel") || b.text("#map-status").contains(" seeds in "));
    b.wait_for("the map to finish", Duration::from_secs(120), |b| b.text("#map-status").contains("100 cells × 3 seeds in"));
    // Short, small triggers recover; long, large ones stay down: the corners differ.
    let shade = |x: f64, y: f64| {
        b.js(&format!(
            "const c = document.getElementById('map'); const r = c.getBoundingClientRect(); const d = c.getContext('2d').getImageData(Math.round((46 + {x} * (r.width - 54)) * devicePixelRatio), Math.round((18 + {y} * (r.height - 52)) * devicePixelRatio), 1, 1).data; return d[0] + d[1] + d[2];"
        ))
        .as_f64()
        .unwrap_or(0.0)
    };
    // Across: the trigger's duration; up: the share of workers it leaves. Top left is a short
    // trigger that leaves most workers; bottom right a long one that leaves none.
    let (mild, harsh) = (shade(0.05, 0.05), shade(0.95, 0.95));
    assert!(mild > harsh + 150.0, "a short trigger that leaves most workers recovers (pale {mild}), a long crash stays down (dark {harsh})");
    // The legend names every colour, "no verdict" included; hover says what a cell's seeds did.
    // Its key has a swatch for each colour a cell can have, and the ring.
    let keys = b.js("return [...document.querySelectorAll('#map-legend .map-key')].map(k => k.textContent + '=' + (k.querySelector('i').offsetWidth > 0));");
    assert_eq!(
        keys,
        json!(["every seed recovers=true", "some of each=true", "every seed stays down=true", "no verdict=true", "still to come=true", "the lab mapped=true"])
    );
    // The cell under the pointer is outlined (the top-left cell: its ring at 1 px in).
    let ring_ink = || {
        b.js("const c = document.getElementById('map'); const r = c.getBoundingClientRect(); const ch = (r.height - 52) / 10; const d = c.getContext('2d').getImageData(Math.round(47 * devicePixelRatio), Math.round((18 + ch / 2) * devicePixelRatio), 1, 1).data; return d[0] + d[1] + d[2];")
            .as_f64()
            .unwrap_or(0.0)
    };
    let unhovered = ring_ink();
    b.js("const c = document.getElementById('map'); const r = c.getBoundingClientRect(); c.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + 46 + 0.05 * (r.width - 54), clientY: r.top + 18 + 0.05 * (r.height - 52), bubbles: true})); return 0;");
    let hovered = ring_ink();
    // Blue (0, 114, 178) on the pale yellow cell (253, 231, 37).
    assert!((250.0..340.0).contains(&hovered) && unhovered > hovered + 150.0, "the hovered cell's ring: {unhovered} before, {hovered} under the pointer");
    b.js("document.getElementById('map').dispatchEvent(new MouseEvent('mouseleave')); return 0;");
    assert!(ring_ink() > hovered + 150.0, "the ring goes with the pointer");
    b.js("const c = document.getElementById('map'); const r = c.getBoundingClientRect(); c.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true})); return 0;");
    assert!(b.text("#map-status").contains("of 3 seeds,") && b.text("#map-status").contains("stay down"), "{}", b.text("#map-status"));
    assert!(b.text("#map-status").starts_with("trigger duration (s) "), "the axes by name, not key: {}", b.text("#map-status"));
    // The keyboard reaches every cell: from this lab's cell (ringed), the arrows move and say
    // what each cell measured.
    let key = |k: &str| b.js(&format!("document.getElementById('map').dispatchEvent(new KeyboardEvent('keydown', {{key: '{k}', bubbles: true}})); return 0;"));
    assert_eq!(b.js("return document.getElementById('map').tabIndex;"), json!(0), "the map takes the focus");
    key("ArrowLeft");
    assert!(b.text("#map-status").contains(" seeds, ") && !b.text("#map-status").contains("(the lab mapped)"), "{}", b.text("#map-status"));
    key("ArrowRight");
    let here = b.text("#map-status");
    assert!(
        here.contains("(the lab mapped)")
            && here.contains("trigger duration (s) 4, trigger size (share of capacity left) 0.5 ")
            && here.contains("press Enter"),
        "the lab's own 5 s, 0.5 cell: {here}"
    );
    assert!(b.text(".map").contains("A ring marks the lab as it was when the map was computed"), "{}", b.text(".map"));
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-map.png"));

    // Clicking a cell loads it: the lab's fault becomes that cell's trigger.
    let before = b.text("ul.faults");
    // A real click at the middle of the grid (an element click would land at its corner).
    b.js("const c = document.getElementById('map'); const r = c.getBoundingClientRect(); c.dispatchEvent(new MouseEvent('click', {clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true})); return 0;");
    b.wait_for("the cell's config in the lab", Duration::from_secs(5), |b| b.text("ul.faults") != before);
    assert_eq!(number(&b.text("#clock")), 0.0, "a loaded cell starts from time 0");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
    // A lab without a fault opens on offered load and max attempts, and computes.
    b.open(&format!("http://127.0.0.1:{}/?scenario=healthy", server.port));
    open_map(&b);
    assert_eq!(
        b.js("return document.getElementById('map-x').value + ' ' + document.getElementById('map-y').value;"),
        json!("load.rate_per_s client.max_attempts")
    );
    b.set("#map-size", "10");
    b.wait_for("the healthy lab's map", Duration::from_secs(120), |b| b.text("#map-status").contains(" cells × 3 seeds in"));
    // Judged at the end, with the no-fault words: the healthy lab's own cell serves.
    key("ArrowLeft");
    key("ArrowRight");
    let here = b.text("#map-status");
    assert!(here.contains("(the lab mapped)") && here.contains("0 are down at the end, 3 serving"), "the healthy lab's own cell: {here}");
    assert!(b.text(".map").contains("In a lab with no fault, dark is down at the end and yellow serving"), "{}", b.text(".map"));
    // Mapped over a trigger it does not have: the page's own words, not the CLI's.
    b.set("#map-x", "trigger.duration_s");
    b.wait_for("the map's answer", Duration::from_secs(10), |b| b.text("#map-status").starts_with("Could not compute"));
    let said = b.text("#map-status");
    assert!(said.contains("add one with a fault button") && !said.contains("--fault"), "{said}");
    drop(b);
    // On a phone, in dark mode: the map fits and computes too.
    let phone = Browser::sized(390, 844);
    let _ = phone.dark();
    phone.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    open_map(&phone);
    phone.set("#map-size", "10");
    phone.wait_for("the map to finish", Duration::from_secs(120), |b| b.text("#map-status").contains(" seeds in "));
    let [_, _, w, _] = phone.rect("#map");
    assert!(w <= phone.width(), "the map fits the phone: {w} px");
    phone.assert_no_sideways_scroll("the map");
    phone.js("document.getElementById('map').scrollIntoView(); return 0;");
    phone.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-map-390-dark.png"));
    // Hovering moves nothing below the map: the status line keeps its height from cell to
    // cell (it once grew and shrank with each sentence, and the page jumped under the pointer).
    let status_height = || phone.rect("#map-status")[3];
    let height = status_height();
    for (fx, fy) in [(0.05, 0.05), (0.5, 0.5), (0.95, 0.95), (0.3, 0.8), (0.8, 0.2)] {
        phone.js(&format!("const c = document.getElementById('map'); const r = c.getBoundingClientRect(); c.dispatchEvent(new MouseEvent('mousemove', {{clientX: r.left + 46 + {fx} * (r.width - 54), clientY: r.top + 18 + {fy} * (r.height - 52), bubbles: true}})); return 0;"));
        assert_eq!(status_height(), height, "the status at ({fx}, {fy}): {}", phone.text("#map-status"));
    }
    // With a real pointer: the cell clicked is the one the status described (in a cell's
    // middle: on a border, browsers round the pointer's sub-pixel place differently).
    phone.js("document.getElementById('map').scrollIntoView({block: 'center'}); return 0;");
    let at = phone.js(
        "const r = document.getElementById('map').getBoundingClientRect(); return [Math.round(r.left + 46 + 0.35 * (r.width - 54)), Math.round(r.top + 18 + 0.65 * (r.height - 52))];",
    );
    let (x, y) = (at[0].as_i64().unwrap_or(0), at[1].as_i64().unwrap_or(0));
    assert!(y > 0 && y < 844, "the map's cell is in view: y {y}");
    let pointer = |steps: Value| {
        phone.cmd("POST", "/actions", Some(json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": steps}]})));
    };
    pointer(json!([{"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"}]));
    let hovered = phone.text("#map-status");
    assert!(hovered.starts_with("trigger duration (s) "), "hover describes a cell: {hovered}");
    // "trigger duration (s) D, trigger size (share of capacity left) V: ..."
    let duration = first_number(&hovered["trigger duration (s) ".len()..]);
    let size = first_number(hovered.split("capacity left) ").nth(1).unwrap_or(""));
    let before = phone.text("ul.faults");
    pointer(
        json!([{"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"}, {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]),
    );
    phone.wait_for("the clicked cell in the lab", Duration::from_secs(5), |b| b.text("ul.faults") != before);
    let fault = phone.text("ul.faults");
    // In words: "capacity V%, S–E s", or "crash, S–E s" for none left; figures to three digits.
    let value = if fault.starts_with("crash, ") { 0.0 } else { first_number(fault.trim_start_matches("capacity ")) / 100.0 };
    let span: Vec<f64> = fault.rsplit(", ").next().unwrap_or("").split('–').map(first_number).collect();
    let near = |a: f64, b: f64| (a - b).abs() <= 0.005 * b.abs().max(0.1);
    assert!(near(value, size) && span.len() == 2 && near(span[1] - span[0], duration), "hovered {duration} s at {size}, loaded {fault}");
    drop(phone);
}

#[test]
fn the_hysteresis_scenario_draws_its_loop() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=hysteresis", server.port));
    let blank = b.js("return document.getElementById('chart-hysteresis').toDataURL();");
    b.click("#run-to-end");
    b.wait_for("the run to end", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 270.0 && b.text("#run-to-end") == "Run to end");
    assert_ne!(b.js("return document.getElementById('chart-hysteresis').toDataURL();"), blank, "the phase plot is drawn");
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-hysteresis.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_paused_run_draws_the_capacity_still_to_come() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    for _ in 0..20 {
        b.click("#step");
    }
    b.wait_for("two seconds run", Duration::from_secs(10), |b| number(&b.text("#clock")) >= 2.0);
    // The chart's axis runs to the end (60 s); its capacity line does too, from the fault
    // schedule (the crash at 5 s is drawn before it comes), not only to the 2 s measured.
    let [left, right] = grey_ink(&b, "chart-load");
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-capacity-ahead.png"));
    assert!(left > 50.0 && right > 0.3 * left, "the capacity's grey dashes, left half {left}, right half {right}");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// Pixels of the limit lines' grey (120, 120, 128, light theme) in a chart's left and right
/// halves, below its title and legend.
fn grey_ink(b: &Browser, id: &str) -> [f64; 2] {
    let v = b.js(&format!(
        "const c = document.getElementById('{id}'); const w = c.width, h = c.height; const d = c.getContext('2d').getImageData(0, 0, w, h).data; \
         const near = (i, r, g, bl) => Math.abs(d[i] - r) <= 6 && Math.abs(d[i + 1] - g) <= 6 && Math.abs(d[i + 2] - bl) <= 6; let l = 0, r = 0; \
         for (let y = Math.round(40 * devicePixelRatio); y < h; y++) for (let x = Math.round(w * 0.1); x < Math.round(w * 0.95); x++) \
         if (near((y * w + x) * 4, 120, 120, 128)) {{ if (x < w * 0.52) l++; else r++; }} return [l, r];"
    ));
    [v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0)]
}

/// Opens the map: its panel is its own wasm, fetched only now.
fn open_map(b: &Browser) {
    b.click("#map-open");
    b.wait_for("the map panel", Duration::from_secs(20), |b| b.js("return !!document.getElementById('map-run');") == json!(true));
}

#[test]
fn a_wide_system_fits_a_phone() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(390, 844);
    // Five tiers of 64 hosts each.
    let hosts: String = (1..5).map(|n| format!("&tiers.{n}.server.hosts=64")).collect();
    b.open(&format!("http://127.0.0.1:{}/?s=retry-at-one-layer&tiers=5&server.hosts=64{hosts}", server.port));
    assert_eq!(b.text("#link-notes"), "", "the link is read whole");
    assert_eq!(b.js("return document.querySelectorAll('.topology .hosts i').length;"), json!(320));
    b.click("#play");
    b.wait_for("the clock to run", Duration::from_secs(10), |b| number(&b.text("#clock")) > 2.0);
    b.assert_no_sideways_scroll("a wide system playing");
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-wide-system-390.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_run_report_shows_the_figures_the_sentences_quote() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    let run = |scenario: &str| run_to_report(&b, &server, scenario);
    // Each tier's share in a "edge: x · tier 1: y · tier 2: z" line.
    let per_tier = |id: &str| -> Vec<f64> { b.parts(id).iter().map(|part| first_number(part.split(": ").nth(1).unwrap_or(part))).collect() };

    // aws-sdk-2026: "39 retries get through the crash instead of 55".
    run("aws-sdk-2026");
    assert_eq!((first_number(&b.text("#report-retries")), first_number(&b.text("#report-retries-b"))), (55.0, 39.0), "retries A / B");
    let failed = |id: &str| b.parts(id).iter().find(|p| p.ends_with(" failed")).map_or(f64::NAN, |p| first_number(p));
    assert_eq!((failed("#report-requests"), failed("#report-requests-b")), (295.0, 277.0), "failed A / B");

    // mmc: "mean latency near 120.5 ms and utilisation near 80 % over the whole run".
    run("mmc");
    let mean = first_number(b.text("#report-p99").split(" / ").nth(1).unwrap_or_default());
    assert!((mean - 120.5).abs() / 120.5 < 0.05, "mean {}", b.text("#report-p99"));
    assert!((first_number(&b.text("#report-utilisation")) - 80.0).abs() < 2.0, "utilisation {}", b.text("#report-utilisation"));
    // Its controls say "1 attempt" and "10 workers", not "1 attempts".
    assert_eq!(b.text("output[for='client-max_attempts']").trim(), "1 attempt");
    assert_eq!(b.text("output[for='server-workers']").trim(), "10 workers");

    // retries-every-layer: "about 90 % of the bottom's work is for callers that had already given up".
    run("retries-every-layer");
    let wasted = per_tier("#report-wasted");
    assert_eq!(wasted.len(), 3, "{}", b.text("#report-wasted"));
    assert!((85.0..=95.0).contains(&wasted[2]), "the bottom's wasted share: {}", b.text("#report-wasted"));
    // "The run report counts every timeout there, none above."
    let timeouts = per_tier("#report-timeouts");
    assert!(timeouts.len() == 3 && timeouts[0] == 0.0 && timeouts[1] == 0.0 && timeouts[2] > 0.0, "{:?}", b.parts("#report-timeouts"));
    // "the run report's 16× at the bottom while the trigger was on".
    let during = per_tier("#report-amplification-trigger");
    assert!(during.len() == 3 && (15.5..16.5).contains(&during[2]), "{}", b.text("#report-amplification-trigger"));

    // deadline-propagation: "59 % of the bottom's work is for users who had given up … with the
    // deadline travelling, wasted work at every tier is 0 %".
    run("deadline-propagation");
    let (a, bb) = (per_tier("#report-wasted"), per_tier("#report-wasted-b"));
    assert!((55.0..=63.0).contains(&a[2]), "A: the bottom's wasted share: {}", b.text("#report-wasted"));
    assert!(bb.len() == 3 && bb.iter().all(|w| *w == 0.0), "B: no wasted work at any tier: {}", b.text("#report-wasted-b"));
    // "goodput falls to 13 % of offered during the slowdown … holds at 51 %".
    let (ga, gb) = (first_number(&b.text("#report-goodput-trigger")), first_number(&b.text("#report-goodput-trigger-b")));
    assert!((12.5..13.5).contains(&ga) && (50.5..51.5).contains(&gb), "goodput while the trigger was on: A {ga} %, B {gb} %");

    // limit-queue: "rejections during the crash" (516 over the run, `lab run` agrees).
    run("limit-queue");
    assert_eq!(first_number(&b.text("#report-rejected")), 516.0, "{}", b.text("#report-rejected"));
    // Its story: "little work is wasted (under 2 % over the run, in the run report)".
    assert!(first_number(&b.text("#report-wasted")) < 2.0, "{}", b.text("#report-wasted"));
    // The waste chart shows when: the rejections come in the crash, hundreds a second.
    let waste = |attr: &str| b.js(&format!("return document.getElementById('chart-waste').dataset.{attr} || '';")).as_str().unwrap_or("").to_string();
    assert!(waste("legend").contains("rejected or throttled") && waste("legend").contains("wasted"), "{}", waste("legend"));
    assert!(waste("ymax").parse::<f64>().unwrap_or(0.0) > 200.0, "hundreds of rejections a second in the crash: top {}", waste("ymax"));

    // adaptive: "15 in the whole run, the run report's rejections".
    run("adaptive");
    assert_eq!(first_number(&b.text("#report-rejected")), 15.0, "{}", b.text("#report-rejected"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_delay_explorer_shows_the_side_the_controls_change() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    // Eight attempts: retries 1 to 5 on their own, the 6th and 7th together as one "retry 6+".
    b.open(&format!("http://127.0.0.1:{}/?scenario=backoff-cap", server.port));
    let legend = b.js("return document.getElementById('chart-delays').dataset.legend;").as_str().unwrap_or_default().to_string();
    assert_eq!(legend.matches("retry 6+").count(), 1, "{legend}");
    // Jittered waits spread over the bins: the share axis is scaled to the tallest bin (a few
    // per cent), not fixed at 100 % where the bars would lie flat.
    b.open(&format!("http://127.0.0.1:{}/?scenario=healthy&client.jitter=full", server.port));
    let delays = |attr: &str| b.js(&format!("return document.getElementById('chart-delays').dataset.{attr} || '';")).as_str().unwrap_or("").to_string();
    let top: f64 = delays("ymax").parse().unwrap_or(f64::NAN);
    assert!(delays("title").contains("% of draws") && top < 30.0, "{}: top {top}", delays("title"));
    b.open(&format!("http://127.0.0.1:{}/?scenario=closed-backoff", server.port));
    let first_mean =
        |b: &Browser| first_number(b.js("return document.querySelector('#delays tbody tr td:nth-child(3)').textContent;").as_str().unwrap_or_default());
    // Side A retries at once; side B backs off exponentially from 200 ms. The controls open on B.
    b.click("#edit-a");
    b.wait_for("the explorer to follow side A", Duration::from_secs(5), |b| b.text("#explorer-tier").starts_with("For side A"));
    assert_eq!(first_mean(&b), 0.0, "A: the first retry waits 0 ms");
    b.click("#edit-b");
    b.wait_for("the explorer to follow side B", Duration::from_secs(5), |b| b.text("#explorer-tier").starts_with("For side B"));
    assert_eq!(first_mean(&b), 200.0, "B: the first retry waits 200 ms (no jitter)");
    // One attempt: the explorer says there is nothing to wait for, not an empty table.
    b.open(&format!("http://127.0.0.1:{}/?s=healthy&client.max_attempts=1", server.port));
    assert!(b.text("#delays-none").starts_with("No retries: max attempts is 1"), "{}", b.text(".explorer"));
    // Not drawn at all, as a learner sees it (a canvas styled display: block would keep its box).
    assert_eq!(
        b.js("return ['delays', 'chart-delays'].map((id) => document.getElementById(id).getBoundingClientRect().height);"),
        json!([0, 0]),
        "the table and the histogram take no room"
    );
    assert!(b.text("#totals").starts_with("If it times out: 1000 ms before the request gives up"), "{}", b.text("#totals"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_page_shows_what_five_more_sentences_quote() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    let run = |scenario: &str| run_to_report(&b, &server, scenario);
    // The headline's goodput against its offered load ("978/s of 996/s offered").
    let goodput_share = |b: &Browser| {
        let stat = b.js("return document.getElementById('goodput').parentElement.textContent;").as_str().unwrap_or_default().replace(',', "");
        first_number(&stat) / first_number(stat.split(" of ").nth(1).unwrap_or_default())
    };

    // healthy: "amplification stays at 1.0×, and p99 latency stays under the 1 s timeout: nothing times out".
    run("healthy");
    assert_eq!(first_number(&b.text("#report-amplification")), 1.0, "{}", b.text("#report-amplification"));
    assert!(first_number(&b.text("#report-p99")) < 1_000.0, "{}", b.text("#report-p99"));
    assert_eq!(first_number(&b.text("#report-timeouts")), 0.0, "{}", b.text("#report-timeouts"));

    // overload: "utilisation pinned at 100 % while goodput falls toward zero".
    run("overload");
    assert!(first_number(&b.text("#utilisation")) >= 99.0, "headline utilisation {}", b.text("#utilisation"));
    assert!(goodput_share(&b) < 0.2, "goodput {} of offered", goodput_share(&b));

    // metastable-retry: "attempts stay near 4× the offered load and goodput stays near zero".
    run("metastable-retry");
    let amp = first_number(&b.text("#amplification"));
    assert!((3.5..=4.5).contains(&amp), "headline amplification {amp}");
    assert!(goodput_share(&b) < 0.1, "goodput {} of offered", goodput_share(&b));

    // limit-retries: "goodput comes back within seconds of the trigger ending".
    run("limit-retries");
    assert!(first_number(&b.text("#recovery")) <= 5.0, "time to recovery {}", b.text("#recovery"));

    // retry-at-one-layer: "time to recovery 0 s, and stays at 100 % of offered".
    run("retry-at-one-layer");
    assert_eq!(b.text("#recovery"), "0.0 s");
    assert!(goodput_share(&b) >= 0.95, "goodput {} of offered", goodput_share(&b));
    // "During the failure the bottom sees 3 attempts per user request instead of 27": the run
    // report's line for the trigger's span, after the run too (the strip's 10 s shows it only then).
    let during =
        |b: &Browser| -> Vec<f64> { b.parts("#report-amplification-trigger").iter().map(|p| first_number(p.split(": ").nth(1).unwrap_or(p))).collect() };
    let one = during(&b);
    assert!(one.len() == 3 && (2.7..=3.3).contains(&one[2]), "one layer: {:?}", b.parts("#report-amplification-trigger"));
    // With retries at every layer, the same span's figure multiplies (the rest of the 27 arrive
    // after it, as the bottom's queue times calls out).
    run("retries-every-layer");
    let every = during(&b);
    assert!(every.len() == 3 && every[2] > 4.0 * one[2], "every layer: {:?}", b.parts("#report-amplification-trigger"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn an_amplification_above_max_attempts_says_why_on_screen() {
    // The storm's last 2 s on seed 1 carry 4.5 attempts a first try against 4 allowed (`lab run
    // --scenario metastable-retry --seed 1 --series`): the row says why in words, not only on
    // hover. A healthy run's 1.00× says nothing more.
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    run_to_report(&b, &server, "metastable-retry&seed=1");
    let amp = number(&b.text("#amplification"));
    assert!(amp > 4.0, "the storm's amplification at 60 s: {amp}");
    assert!(b.text("#allowed").contains("≤ 4 a request by max attempts"), "allowed: {:?}", b.text("#allowed"));
    assert_eq!(
        b.text("#above-bound").trim(),
        "Above the limit here because these seconds carry retries of requests first sent before them.",
        "the note beside the limit"
    );
    run_to_report(&b, &server, "healthy");
    assert_eq!(b.js("return document.getElementById('above-bound') === null;"), json!(true), "no note at {:?}", b.text("#amplification"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// Opens `scenario`, runs it to the end, and waits for the run report.
fn run_to_report(b: &Browser, server: &StaticServer, scenario: &str) {
    b.open(&format!("http://127.0.0.1:{}/?scenario={scenario}", server.port));
    b.click("#run-to-end");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while b.text("#run-to-end") != "Run to end" || b.text("#report-requests").is_empty() {
        // Say where it stood: a run that stalls differs from a report that never came.
        assert!(
            std::time::Instant::now() < deadline,
            "{scenario}: the run to end and its report within 60 s: the button says {:?}, the clock {:?}, the report {:?}, console errors {:?}",
            b.text("#run-to-end"),
            b.text("#clock"),
            b.text("#report-requests"),
            b.errors()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn side_b_s_breaker_is_drawn_in_the_limiter_chart() {
    // Compare the storm without and with a breaker on side B only: the limiter chart draws B's
    // breaker, dashed, from what B measured.
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    b.open(&format!("http://127.0.0.1:{}/?scenario=metastable-retry", server.port));
    b.click("#compare");
    b.wait_for("side B", Duration::from_secs(5), |b| !b.text("#headline-b").is_empty());
    b.click("#edit-b");
    b.set("#limiters-breaker-enabled", "true");
    b.click("#run-to-end");
    b.wait_for("the run to end", Duration::from_secs(30), |b| number(&b.text("#clock")) >= 60.0 && b.text("#run-to-end") == "Run to end");
    let legend = b.js("return document.getElementById('chart-limiters').dataset.legend;");
    assert!(legend.as_str().unwrap_or("").contains("B breaker (top = open)"), "{legend}");
    assert!(!legend.as_str().unwrap_or("").starts_with("breaker"), "A has no breaker: {legend}");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn the_page_shows_what_the_remaining_sentences_quote() {
    // The scenarios whose sentences the other browser tests do not read: each figure the
    // sentence quotes, read from the headline, the run report or the data behind a chart.
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1280, 900);
    let run = |scenario: &str| run_to_report(&b, &server, scenario);
    let data = |chart: &str, attr: &str| {
        b.js(&format!("const c = document.getElementById('chart-{chart}'); return c ? c.dataset.{attr} || '' : '';")).as_str().unwrap_or("").to_string()
    };
    let top = |chart: &str| data(chart, "ymax").parse::<f64>().unwrap_or(f64::NAN) / 1.1;
    // The arrivals chart's own "average N" legend entry.
    let average = || first_number(data("arrivals", "legend").split("average ").nth(1).unwrap_or(""));
    let collapsed = "collapsed (metastable: the trigger is gone, the failure is not)";

    // exponential-backoff, full-jitter: "attempts stay near 4× the offered load and the storm does not end".
    for s in ["exponential-backoff", "full-jitter"] {
        run(s);
        let amp = number(&b.text("#amplification"));
        assert!((3.7..=4.3).contains(&amp), "{s}: attempts near 4× offered: {amp}");
        assert_eq!((b.text("#health"), b.text("#recovery")), (collapsed.to_string(), "not recovered".to_string()), "{s}");
    }

    // cron-aligned: "a spike of 2,000 arrivals in one window each period (the period chart puts
    // over 95 % of first tries in its first second), a deep queue, timeouts, and retries".
    run("cron-aligned");
    assert!((1_900.0..=2_100.0).contains(&top("arrivals")), "a 2,000 spike: {}", top("arrivals"));
    let head = first_number(data("phase", "title").split("s period: ").nth(1).unwrap_or(""));
    assert!(head > 95.0, "over 95 % in the first second: {}", data("phase", "title"));
    assert!(first_number(&b.text("#report-timeouts")) > 1_000.0 && first_number(&b.text("#report-retries")) > 1_000.0, "timeouts and retries");

    // cron-jittered: "about 20 arrivals per 100 ms window and never a spike (the period chart is
    // flat: about a tenth of first tries in each second), no timeouts".
    run("cron-jittered");
    assert!((18.0..=22.0).contains(&average()), "about 20 a window: {}", data("arrivals", "legend"));
    assert!(top("arrivals") < 2.0 * average(), "never a spike: top {} against {}", top("arrivals"), average());
    let head = first_number(data("phase", "title").split("s period: ").nth(1).unwrap_or(""));
    assert!((7.0..=13.0).contains(&head), "a tenth in each second: {}", data("phase", "title"));
    assert_eq!(b.text("#report-timeouts"), "0");

    // retry-quota: "the token level drains during the crash, retries stop, and the service recovers".
    run("retry-quota");
    assert!(
        data("limiters", "legend").contains("quota tokens") && data("limiters", "legend").contains("retries stopped by quota"),
        "{}",
        data("limiters", "legend")
    );
    assert_eq!(b.text("#health"), "healthy");
    assert!(number(&b.text("#recovery")) <= 5.0, "it recovers: {}", b.text("#recovery"));

    // circuit-breaker: "the breaker opens during the crash … and it closes again".
    run("circuit-breaker");
    assert!(data("limiters", "legend").contains("breaker (top = open)"), "{}", data("limiters", "legend"));
    assert_eq!(b.text("#health"), "healthy");
    assert!(number(&b.text("#recovery")) <= 10.0, "it recovers: {}", b.text("#recovery"));

    // deadline-lifo: "wasted work disappears (0 % over the run) and goodput is back as soon as the
    // crash ends (time to recovery 0 s) … the whole run's p99 is over 2 s".
    run("deadline-lifo");
    assert_eq!(b.text("#report-wasted"), "0.0 %");
    assert_eq!(b.text("#recovery"), "0.0 s");
    assert!(
        b.text("#report-p99").split(" / ").next().unwrap_or("").ends_with(" ms") && first_number(&b.text("#report-p99")) > 2_000.0,
        "{}",
        b.text("#report-p99")
    );

    // closed-backoff: "retries at once keep the closed system down after the crash; exponential
    // backoff … recovers about 10 s after the crash".
    run("closed-backoff");
    assert_eq!(b.text("#health"), collapsed);
    assert_eq!(b.text("#health-b"), "healthy");
    assert!((8.0..=12.0).contains(&number(&b.text("#recovery-b"))), "B recovers about 10 s after: {}", b.text("#recovery-b"));

    // backoff-cap: "both serve new requests again the moment the crash ends (time to recovery
    // 0 s) … the run report's p99 is over 30 s with the 60 s cap, about 12 s with the 2 s cap".
    run("backoff-cap");
    assert_eq!((b.text("#recovery"), b.text("#recovery-b")), ("0.0 s".to_string(), "0.0 s".to_string()));
    let p99_s = |id: &str| first_number(&b.text(id));
    // Both figures in seconds, one unit for the pair ("31.5 s / 2.0 s", not "31.5 s / 2025.0 ms").
    let in_s = |id: &str| b.text(id).split(" / ").all(|part| part.ends_with(" s"));
    assert!(in_s("#report-p99") && p99_s("#report-p99") > 30.0, "A: {}", b.text("#report-p99"));
    assert!(in_s("#report-p99-b") && (9.0..=15.0).contains(&p99_s("#report-p99-b")), "B: {}", b.text("#report-p99-b"));

    // synchronized-retries: "without jitter … the busiest 100 ms holds about 6× the average
    // attempts and full goodput returns 2 s after the restart … with full jitter (time to recovery 0 s)".
    run("synchronized-retries");
    let ratio = top("arrivals") / average();
    assert!((5.0..=7.0).contains(&ratio), "about 6× the average: {} / {}", top("arrivals"), average());
    assert_eq!((b.text("#recovery"), b.text("#recovery-b")), ("2.0 s".to_string(), "0.0 s".to_string()));

    // hysteresis: "collapses soon after it passes capacity (at about 120/s offered, 40 s in) …
    // stays near zero until the offered load has fallen to about 15/s … about 230 s in": the
    // loop chart's legend says where it tipped and where it came back.
    run("hysteresis");
    let legend = data("hysteresis", "legend");
    let after = |word: &str| first_number(legend.split(word).nth(1).unwrap_or(""));
    assert!((105.0..=135.0).contains(&after("tips at ")), "{legend}");
    // Each entry ends "… (T s)": when it tipped, and when it came back.
    let when = |word: &str| first_number(legend.split(word).nth(1).unwrap_or("").split("/s (").nth(1).unwrap_or(""));
    assert!((30.0..=50.0).contains(&when("tips at ")), "{legend}");
    assert!((10.0..=20.0).contains(&after("back at ")), "{legend}");
    assert!((215.0..=245.0).contains(&when("back at ")), "{legend}");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// The figure a course step measures on its seed, as the page prints it, from the engine.
fn course_answer(id: &str) -> String {
    let step = backoff_lab::course::all().into_iter().find(|s| s.id == id).expect("the step");
    let mut sim = backoff_lab::sim::Sim::new(step.config(), step.seed).unwrap();
    sim.run_to_end();
    step.show(step.measure(&sim).unwrap()).replace('\u{a0}', " ")
}

#[test]
fn a_learner_predicts_runs_and_sees_a_course_step_revealed() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    // A step's bare link opens the step's own lab (its crash runs to 12 s, not the scenario's 10).
    b.open(&format!("http://127.0.0.1:{}/?course=storm", server.port));
    b.wait_for("the course panel", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#course-lock');") == json!(true));
    b.wait_for("the step's lab", Duration::from_secs(10), |b| {
        b.text("#course-changed").is_empty() || b.js("return document.querySelector('#course-changed').hidden;") == json!(true)
    });
    let url = b.js("return location.search;").as_str().unwrap_or("").to_string();
    assert!(url.contains("course=storm") && url.contains("5..12"), "{url}");
    assert!(b.text("#course").contains("Step 3 of 11") && b.text("#course").contains("3. The retry storm that does not end"), "{}", b.text("#course"));
    // Before the prediction: no story or "look for" to give the answer away, and no Play.
    assert_eq!(b.js("return document.querySelector('.story');"), json!(null));
    // In its place (no gap where it will be), what to do first.
    assert_eq!(b.js("return getComputedStyle(document.querySelector('#play')).display;"), json!("none"));
    let before = b.js("return getComputedStyle(document.querySelector('.transport'), '::before').content;");
    assert!(before.as_str().unwrap_or("").contains("Lock in your prediction first"), "{before}");
    b.js("const s = document.querySelector('#course-slider'); s.value = 500; s.dispatchEvent(new Event('input', {bubbles: true}));");
    assert_eq!(b.text("#course-value"), "50.0 %");
    b.click("#course-lock");
    assert_ne!(b.js("return getComputedStyle(document.querySelector('#play')).display;"), json!("none"));
    // Keyboard focus goes where the learner goes next, not back to the page's top.
    assert_eq!(b.js("return document.activeElement.id;"), json!("play"));
    assert!(b.text("#course").contains("Your prediction: 50.0 %"), "{}", b.text("#course"));
    assert_eq!(b.js("return document.querySelector('#course-reveal').disabled;"), json!(true));
    b.click("#run-to-end");
    b.wait_for("the figure", Duration::from_secs(30), |b| b.js("return document.querySelector('#course-reveal').disabled;") == json!(false));
    b.click("#course-reveal");
    assert_eq!(b.js("return document.activeElement.id;"), json!("course-result"));
    // The figure is the page's own run's, and it is what the engine measures on that seed.
    assert_eq!(b.text("#course-measured"), course_answer("storm"));
    let result = b.text("#course-result");
    assert!(result.starts_with("✗ Not this time: you predicted 50.0 %; this run measured 0.0 % (goodput 30–40 s)"), "{result}");
    assert!(result.contains("Why: 0.0 %. The crash is long gone") && result.contains("Try it:"), "{result}");
    assert_eq!(b.js("return localStorage.getItem('backoff-lab.course.storm');"), json!("500;0"));
    assert!(b.text(".course-path").contains("✓\u{202f}3"), "{}", b.text(".course-path"));
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-course-reveal.png"));
    // On to the next step, in the page: its lab, a choice of bands this time.
    b.click("a[data-goto='3']");
    b.wait_for("step 4", Duration::from_secs(10), |b| b.text("#course").contains("Step 4 of 11"));
    assert!(b.js("return location.search;").as_str().unwrap_or("").contains("s=limit-queue"));
    assert_eq!(b.js("return document.querySelectorAll('input[name=course-choice]').length;"), json!(4));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_course_step_with_choices_works_on_a_phone() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(390, 844);
    let step = backoff_lab::course::all().into_iter().find(|s| s.id == "limit-queue").unwrap();
    b.open(&format!("http://127.0.0.1:{}/?{}", server.port, backoff_lab::course::link(&step)));
    b.wait_for("the course panel", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#course-lock');") == json!(true));
    // Locking in nothing says what to do.
    b.click("#course-lock");
    assert_eq!(b.text("#course-lock"), "Choose one first, then lock it in");
    b.click("input[name=course-choice][value='3']");
    b.click("#course-lock");
    b.click("#run-to-end");
    b.wait_for("the figure", Duration::from_secs(30), |b| b.js("return document.querySelector('#course-reveal').disabled;") == json!(false));
    b.click("#course-reveal");
    let result = b.text("#course-result");
    assert!(result.starts_with(&format!("✓ Right: you predicted 90 % or more; this run measured {}", course_answer("limit-queue"))), "{result}");
    b.assert_no_sideways_scroll("the course step revealed");
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-course-phone.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// Every step's reveal reads its figure from the page's own run: the page shows what the
/// engine measures on the step's seed, inside the explanation's claim, in the explanation too.
#[test]
fn every_course_step_reveals_the_figure_its_run_measured() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    for step in backoff_lab::course::all() {
        b.open(&format!("http://127.0.0.1:{}/?{}", server.port, backoff_lab::course::link(&step)));
        b.wait_for(&format!("{}'s panel", step.id), Duration::from_secs(20), |b| b.js("return !!document.querySelector('#course-lock');") == json!(true));
        // The page shows the step's own lab (the panel's "this lab differs" note is hidden):
        // a run started before a pending load of it would be thrown away.
        b.wait_for(&format!("{}'s lab", step.id), Duration::from_secs(10), |b| {
            b.js("return document.querySelector('#course-changed')?.hidden === true;") == json!(true)
        });
        // Any prediction: the first choice, or the slider where it stands once it has been set
        // (locked untouched, it asks to be moved).
        b.js("const c = document.querySelector('input[name=course-choice]'); if (c) c.checked = true;");
        // Every step leads on to the drills: a folded list, open on the last step.
        let drills = b.js("return document.querySelectorAll('.course-drills li a[href*=\"drill=\"]').length;").as_f64().unwrap_or(0.0) as usize;
        assert_eq!(drills, backoff_lab::drills::all().len(), "{}: the drills listed", step.id);
        let slider = b.js("return !!document.querySelector('#course-slider');") == json!(true);
        if slider {
            b.click("#course-lock");
            assert_eq!(b.text("#course-lock"), "Move the slider to your prediction, then lock it in", "{}", step.id);
            b.js("document.querySelector('#course-slider').dispatchEvent(new Event('input', {bubbles: true}));");
        }
        b.click("#course-lock");
        b.click("#run-to-end");
        b.wait_for(&format!("{}'s figure", step.id), Duration::from_secs(60), |b| {
            b.js("return document.querySelector('#course-reveal').disabled;") == json!(false)
        });
        b.click("#course-reveal");
        b.wait_for(&format!("{}'s reveal", step.id), Duration::from_secs(5), |b| !b.text("#course-measured").is_empty());
        let shown = b.text("#course-measured");
        assert_eq!(shown, course_answer(&step.id), "{}", step.id);
        let mut sim = backoff_lab::sim::Sim::new(step.config(), step.seed).unwrap();
        sim.run_to_end();
        assert!(step.claim_holds(step.measure(&sim).unwrap()), "{}: {shown}", step.id);
        assert!(b.text("#course-result").contains(&format!("Why: {shown}")), "{}: {}", step.id, b.text("#course-result"));
    }
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

/// What the engine says of drill `id` on `seed` with these changes (each an action and the
/// instant the page says it went live), the configs sent as the page sends them.
fn drill_replay(id: &str, seed: u64, actions: &[(backoff_lab::drills::Act, u64)]) -> backoff_lab::drills::Outcome {
    use backoff_lab::{drills, sim::SimTime, state::with_trace, url};
    let mut d = drills::find(id).expect("the drill");
    let through_link = |cfg: &backoff_lab::sim::Config| with_trace(url::decode(&drills::lab_link(&d, seed, cfg)).0.config);
    let start = through_link(&d.config);
    let mut cfg = start.clone();
    let mut plans = Vec::new();
    for (act, live_us) in actions {
        cfg = through_link(&act.apply(&cfg, 0, *live_us as f64 / 1e6 + 1.0).unwrap());
        plans.push((SimTime(*live_us), cfg.clone()));
    }
    d.config = start;
    d.replay(seed, &plans).unwrap().1
}

#[test]
fn an_operator_runs_a_drill_acts_from_the_runbook_and_reads_a_debrief_that_is_the_page_s_run() {
    use backoff_lab::drills::{self, Act};
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?drill=checkout&seed=4", server.port));
    // The address names the drill from the first render, before its panel has loaded.
    assert_eq!(b.js("return location.search;"), json!("?drill=checkout&seed=4"), "the drill's address from the start");
    b.wait_for("the drill's runbook", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#drill-do-drop-expired');") == json!(true));
    b.wait_for("the drill's lab", Duration::from_secs(10), |b| {
        b.text("#clock") == "t = 0.0 s" && b.js("return location.search;") == json!("?drill=checkout&seed=4")
    });
    let panel = b.text("#course");
    assert!(panel.contains("Incident drill: Checkout is paging") && panel.contains("The cause is hidden"), "{panel}");
    // What would name the cause is not on the page: no fault list, no story, no scenario title,
    // no controls, no "time to recovery" (which counts from a trigger).
    for css in [".controls", ".scenario", "#run-to-end", "#seed"] {
        assert_eq!(b.js(&format!("return getComputedStyle(document.querySelector('{css}')).display;")), json!("none"), "{css} is shown");
    }
    assert_eq!(b.js("return document.querySelector('.story');"), json!(null));
    let shown = b.js("return document.querySelector('main').innerText;").as_str().unwrap_or("").to_lowercase();
    assert!(!shown.contains("crash") && !shown.contains("storm") && !shown.contains("trigger"), "the page names the cause: {shown}");
    // Play at 10×, and act at about 30 s.
    b.js("const s = document.querySelector('#speed'); s.value = '10'; s.dispatchEvent(new Event('change', {bubbles: true}));");
    b.click("#play");
    b.wait_for("30 s of the drill", Duration::from_secs(30), |b| {
        b.js("return +document.querySelector('#course').dataset.now;").as_f64().unwrap_or(0.0) >= 30e6
    });
    // The embed snippet is the drill's own link, and names no fault, during the drill and after.
    let snippet = || b.js("return document.getElementById('embed-snippet').value;").as_str().unwrap_or("").to_string();
    assert!(snippet().contains("?drill=checkout&seed=4&embed=1") && !snippet().contains("faults"), "{}", snippet());
    b.click("#drill-do-drop-expired");
    b.wait_for("the change to go live", Duration::from_secs(20), |b| b.text("#drill-log").contains("live at"));
    let log = b.text("#drill-log");
    assert!(log.contains("Drop work whose caller has given up; live at"), "{log}");
    let live: u64 = b.js("return document.querySelector('#course').dataset.plans;").as_str().unwrap().parse().unwrap();
    assert!((40_000_000..46_000_000).contains(&live), "live at {live} µs: 10 s after the decision");
    // The log says when the page took the decision: exactly the delay before it went live.
    b.wait_for("the log to say when", Duration::from_secs(5), |b| b.text("#drill-log").contains(&format!("at {:.1} s: Drop work", live as f64 / 1e6 - 10.0)));
    b.click("#drill-end");
    b.wait_for("the debrief", Duration::from_secs(60), |b| b.js("return !!document.querySelector('#drill-debrief');") == json!(true));
    b.wait_for("the run's end", Duration::from_secs(60), |b| b.text("#clock") == "t = 150.0 s");
    // The debrief is the page's run: the engine's replay of it on the same seed, and the page's
    // own run report, say the same.
    assert!(snippet().contains("?drill=checkout&seed=4&embed=1") && !snippet().contains("faults"), "after the debrief: {}", snippet());
    let yours = drill_replay("checkout", 4, &[(Act::DropExpired, live)]);
    let nothing = drills::find("checkout").unwrap().outcome(4, &[]).unwrap();
    assert_eq!(b.text("#drill-score"), drills::score_text(yours.score()));
    assert_eq!(b.text("#drill-failed"), backoff_lab::report::grouped(yours.failed));
    let report = b.text("#report-requests");
    assert!(report.contains(&format!("{} failed", backoff_lab::report::grouped(yours.failed))), "{report} against {yours:?}");
    let debrief = b.text("#drill-debrief");
    assert!(yours.recovered() && debrief.contains("recovered"), "{debrief}");
    assert!(debrief.contains(&format!("Doing nothing{}", drills::score_text(nothing.score()))), "{debrief}");
    assert!(debrief.contains("Half the workers crashed from 20 to 32 s") && debrief.contains("What kept users failing"), "{debrief}");
    assert!(debrief.contains("without it (the others as they went live) the score would have been"), "{debrief}");
    assert!(debrief.contains("For the room"), "{debrief}");
    assert_eq!(b.js("return document.body.dataset.course;"), json!("debrief"));
    assert_eq!(b.js("return localStorage.getItem('backoff-lab.drill.checkout');"), json!(format!("4;{}", yours.score())));
    assert_eq!(b.js("return location.search;"), json!("?drill=checkout&seed=4"));
    // What the learner did, for the trainer: the drill's score and seed in one paragraph.
    b.click("#progress-copy");
    let summary = b.js("return document.querySelector('#progress-copy').title;").as_str().unwrap_or("").to_string();
    assert!(summary.starts_with("Backoff Lab progress. Course: 0 of 11 steps."), "{summary}");
    assert!(summary.contains(&format!("Drills: checkout {} on seed 4.", drills::score_text(yours.score()))), "{summary}");
    b.screenshot_page(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-drill-debrief.png"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_presenter_runs_a_course_step_from_the_keyboard_with_text_the_back_of_the_room_can_read() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1920, 1080);
    b.open(&format!("http://127.0.0.1:{}/?course=storm&present=1", server.port));
    b.wait_for("presenter mode", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#present-bar');") == json!(true));
    b.wait_for("the course panel", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#course-lock');") == json!(true));
    b.wait_for("a chart drawn for the room", Duration::from_secs(10), |b| {
        b.js("return +document.querySelector('.charts canvas').dataset.textPx;").as_f64().unwrap_or(0.0) >= 16.0
    });
    let body_px = b.js("return parseFloat(getComputedStyle(document.body).fontSize);").as_f64().unwrap();
    assert!(body_px >= 20.0, "body text {body_px} px");
    // The step's panel has the title: the scenario picker would say it twice (and leave the
    // course when a presenter clicked it).
    assert_eq!(b.js("return getComputedStyle(document.querySelector('.scenario')).display;"), json!("none"));
    // The smaller print too: the diagram's legend and the run report's notes.
    let smallest = b
        .js("return Math.min(...[...document.querySelectorAll('.legend, .report th small, .topology')].map((e) => parseFloat(getComputedStyle(e).fontSize)));");
    assert!(smallest.as_f64().unwrap_or(0.0) >= 16.0, "the smallest text {smallest} px");
    // The controls are in a drawer: off screen until C, back with Esc.
    let off = |b: &Browser| b.js("return document.querySelector('.controls').getBoundingClientRect().left >= innerWidth;") == json!(true);
    b.wait_for("the drawer closed", Duration::from_secs(5), off);
    b.key("c");
    b.wait_for("the drawer to open", Duration::from_secs(5), |b| !off(b));
    b.key("\u{E00C}");
    b.wait_for("the drawer to close", Duration::from_secs(5), off);
    // Space does nothing before the prediction is locked in (Play is hidden).
    b.key(" ");
    assert_eq!(b.js("return document.querySelector('#play').getAttribute('aria-pressed');"), json!("false"));
    b.js("const s = document.querySelector('#course-slider'); s.value = 30; s.dispatchEvent(new Event('input', {bubbles: true}));");
    b.click("#course-lock");
    b.js("document.activeElement.blur();");
    b.key("4");
    assert_eq!(b.js("return document.querySelector('#speed').value;"), json!("10"));
    b.key(" ");
    b.wait_for("playing", Duration::from_secs(5), |b| b.js("return document.querySelector('#play').getAttribute('aria-pressed');") == json!("true"));
    b.key(" ");
    b.wait_for("paused", Duration::from_secs(5), |b| b.js("return document.querySelector('#play').getAttribute('aria-pressed');") == json!("false"));
    b.key("e");
    b.wait_for("the run's end", Duration::from_secs(30), |b| b.text("#clock") == "t = 60.0 s");
    b.key("r");
    b.wait_for("a reset", Duration::from_secs(5), |b| b.text("#clock") == "t = 0.0 s");
    b.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output/e2e-presenter.png"));
    b.key("\u{E014}");
    b.wait_for("the next step", Duration::from_secs(10), |b| b.text("#course").contains("Step 4 of 11"));
    b.key("\u{E012}");
    b.wait_for("the step before", Duration::from_secs(10), |b| b.text("#course").contains("Step 3 of 11"));
    // Presenter mode stays in the address, never in the link a learner is given.
    let address = b.js("return location.search;").as_str().unwrap_or("").to_string();
    assert!(address.ends_with("&present=1"), "{address}");
    let shared = b.js("return document.querySelector('#share-link').value;").as_str().unwrap_or("").to_string();
    assert!(shared.contains("course=storm") && !shared.contains("present"), "{shared}");
    b.click("#present-exit");
    assert_eq!(b.js("return document.body.hasAttribute('data-present');"), json!(false));
    b.wait_for("charts back to their size", Duration::from_secs(5), |b| b.js("return +document.querySelector('.charts canvas').dataset.textPx;") == json!(9));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_presenter_showing_a_scenario_shows_the_room_its_title_and_story() {
    let Some(dist) = ready() else { return };
    let server = StaticServer::start(dist);
    let b = Browser::sized(1920, 1080);
    let s = backoff_lab::scenarios::find("metastable-retry").unwrap();
    b.open(&format!("http://127.0.0.1:{}/?scenario={}&present=1", server.port, s.id));
    b.wait_for("presenter mode", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#present-bar');") == json!(true));
    let shown = |css: &str| b.js(&format!("const e = document.querySelector({css:?}); return !!e && e.getClientRects().length > 0;")) == json!(true);
    // The title, as large as a heading (the picker still switches scenarios), and the story.
    assert!(shown("#scenario"), "the scenario's title is hidden");
    assert_eq!(b.js("const e = document.querySelector('#scenario'); return e.options[e.selectedIndex].text;"), json!(s.title));
    let title_px = b.js("return parseFloat(getComputedStyle(document.querySelector('#scenario')).fontSize);").as_f64().unwrap_or(0.0);
    assert!(title_px >= 22.0, "the title is {title_px} px");
    assert!(shown(".story") && b.text(".story").contains("Look for:"), "the story: {}", b.text(".story"));
    // What only the one at the keyboard needs stays out of the room's view: the exercise
    // picker, the seed, the keys that step a course; the picker keeps its name for a screen
    // reader (its label is hidden from view only).
    for css in ["#exercise-pick", "#seed", ".present-bar .k-steps"] {
        assert!(!shown(css), "{css} is shown");
    }
    let label =
        b.js("const l = document.querySelector('#scenario').labels[0]; return l ? [getComputedStyle(l).display, l.getBoundingClientRect().width] : null;");
    assert!(label[0] != json!("none") && label[1].as_f64().unwrap_or(9.0) <= 1.0, "the picker's label (display, width): {label}");
    b.assert_no_sideways_scroll("presenting a scenario");
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
}

#[test]
fn a_trainer_s_pack_loaded_by_link_adds_its_entries_and_a_broken_one_says_which_entry_is_wrong() {
    let Some(dist) = ready() else { return };
    // The page's files, and beside them a pack with two mistakes.
    let root = std::env::temp_dir().join(format!("backoff-lab-pack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    for f in std::fs::read_dir(&dist).unwrap().flatten() {
        std::fs::copy(f.path(), root.join(f.file_name())).unwrap();
    }
    let example = std::fs::read_to_string(root.join("example-pack.json")).expect("the example pack is served beside the page");
    std::fs::write(root.join("broken.json"), example.replace("\"stays down\"", "\"maybe\"").replace("\"story\"", "\"stroy\"")).unwrap();
    let server = StaticServer::start(root.clone());
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/?pack=example-pack.json", server.port));
    b.wait_for("the pack", Duration::from_secs(20), |b| b.text("#pack-panel").contains("Pack: Example pack: a morning on retries"));
    let panel = b.text("#pack-panel");
    for entry in ["A longer crash, and a queue of 50", "Pay for retries through a brownout", "A brownout becomes a storm", "Payments are failing"] {
        assert!(panel.contains(entry), "{entry} in {panel}");
    }
    assert!(!panel.contains("could not be used"), "{panel}");
    // Its exercise joins the page's picker; its drill opens in the page, the pack kept.
    b.wait_for("the pack's exercise in the picker", Duration::from_secs(5), |b| b.text("#exercise-pick").contains("Pay for retries through a brownout"));
    assert!(b.js("return location.search;").as_str().unwrap_or("").contains("pack=example-pack.json"));
    // Its lab is a scenario of the page: in the picker, with its own story, and a reload of its
    // link (the pack named in it) opens it again, with no note that anything is wrong.
    b.wait_for("the pack's lab in the scenario picker", Duration::from_secs(5), |b| {
        b.js("return [...document.querySelectorAll('#scenario option')].map(o => o.textContent).pop();") == json!("A longer crash, and a queue of 50")
    });
    b.click("#pack-labs a");
    b.wait_for("the pack's lab", Duration::from_secs(10), |b| b.js("return document.getElementById('scenario').value;") == json!("long-crash"));
    let story = b.text(".story");
    assert!(story.starts_with("The storm's service, with its queue limited to 50") && !story.contains("Look for"), "{story}");
    assert_eq!(b.js("return document.getElementById('server-queue_limit').value;"), json!("50"), "the lab's queue limit");
    let address = b.js("return location.search;").as_str().unwrap_or("").to_string();
    assert!(address.contains("s=long-crash") && address.contains("pack=example-pack.json"), "{address}");
    b.open(&format!("http://127.0.0.1:{}/{address}", server.port));
    b.wait_for("the lab again after a reload", Duration::from_secs(20), |b| b.js("return document.getElementById('scenario').value;") == json!("long-crash"));
    assert!(b.text(".story").starts_with("The storm's service") && !b.text(".story").contains("differs"), "{}", b.text(".story"));
    assert_eq!(b.js("return location.search;").as_str(), Some(address.as_str()), "the reload keeps the lab's own link");
    assert_eq!(b.js("return document.querySelectorAll('#link-notes').length;"), json!(0), "{}", b.text("#link-notes"));
    assert_eq!(b.js("return document.getElementById('seed').value;"), json!("7"), "the lab's own seed");
    // A link written by hand, with no seed, opens on the lab's own seed too (not the page's
    // default), and says nothing is wrong.
    b.open(&format!("http://127.0.0.1:{}/?s=long-crash&pack=example-pack.json", server.port));
    b.wait_for("the lab by a hand-written link", Duration::from_secs(20), |b| {
        b.js("return document.getElementById('scenario').value + ' ' + document.getElementById('seed').value;") == json!("long-crash 7")
    });
    assert_eq!(b.js("return document.getElementById('server-queue_limit').value;"), json!("50"), "the lab's queue limit");
    assert_eq!(b.js("return document.querySelectorAll('#link-notes').length;"), json!(0), "{}", b.text("#link-notes"));
    b.click("#pack-drills a");
    b.wait_for("the pack's drill", Duration::from_secs(20), |b| b.text("#course").contains("Incident drill: Payments are failing"));
    // The drill's panel opens its lab a moment after it draws: the address follows.
    b.wait_for("the drill's address", Duration::from_secs(10), |b| b.js("return location.search;") == json!("?drill=payments&seed=3&pack=example-pack.json"));
    // A course step of the pack, by its link.
    b.open(&format!("http://127.0.0.1:{}/?course=brownout-storm&pack=example-pack.json", server.port));
    b.wait_for("the pack's course step", Duration::from_secs(20), |b| b.text("#course").contains("A brownout becomes a storm"));
    // A broken pack: a working page that says which entry and field are wrong.
    b.open(&format!("http://127.0.0.1:{}/?pack=broken.json", server.port));
    b.wait_for("the pack's problems", Duration::from_secs(20), |b| {
        b.text("#pack-problems").contains("drill payments, nothing: 'maybe' is not 'stays down' or 'recovers'")
    });
    assert!(b.text("#pack-problems").contains("lab long-crash: 'stroy' is not one of its fields (title, start, story)"), "{}", b.text("#pack-problems"));
    assert!(b.text("#pack-panel").contains("Pay for retries through a brownout"), "the rest of the pack is used");
    b.click("#play");
    b.wait_for("the lab to run", Duration::from_secs(10), |b| b.text("#clock") != "t = 0.0 s");
    // Nothing from another origin.
    b.open(&format!("http://127.0.0.1:{}/?pack=https://example.com/p.json", server.port));
    b.wait_for("the refusal", Duration::from_secs(20), |b| b.text("#pack-panel").contains("cannot be a pack"));
    // A pack from this computer, by the header's link.
    b.click("#pack-link");
    b.wait_for("the file chooser", Duration::from_secs(20), |b| b.js("return !!document.querySelector('#pack-file');") == json!(true));
    let input = b.cmd("POST", "/element", Some(json!({"using": "css selector", "value": "#pack-file"})));
    let id = input.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).unwrap().to_string();
    b.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": root.join("example-pack.json").to_str().unwrap()})));
    b.wait_for("the pack from disk", Duration::from_secs(20), |b| b.text("#pack-panel").contains("Pack: Example pack: a morning on retries"));
    b.wait_for("its exercise in the picker", Duration::from_secs(5), |b| b.text("#exercise-pick").contains("Pay for retries through a brownout"));
    assert!(b.errors().is_empty(), "console errors: {:?}", b.errors());
    let _ = std::fs::remove_dir_all(&root);
}
