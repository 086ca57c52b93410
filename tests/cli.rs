//! The `lab` command as a user meets it: outputs that parse, and clear errors with a non-zero exit.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab")).args(args).output().expect("lab runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_prints_a_table_that_names_the_storm() {
    let o = lab(&["run", "--scenario", "metastable-retry", "--series"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("amplification") && out.contains("goodput") && out.contains("t (s)"), "{out}");
}

#[test]
fn json_output_is_the_same_for_the_same_seed_and_reruns_from_its_config() {
    let a = lab(&["run", "--scenario", "full-jitter", "--seed", "5", "--format", "json", "--duration", "20"]);
    let b = lab(&["run", "--scenario", "full-jitter", "--seed", "5", "--format", "json", "--duration", "20"]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["seed"], 5);
    // The exported config runs again with the same numbers.
    let dir = std::env::temp_dir().join(format!("lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_string(&v["config"]).unwrap()).unwrap();
    let c = lab(&["run", "--config", path.to_str().unwrap(), "--seed", "5", "--format", "json"]);
    assert!(c.status.success(), "{}", stderr(&c));
    let w: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    assert_eq!(v["summary"], w["summary"]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn csv_series_has_a_header_and_one_row_per_window() {
    let o = lab(&["run", "--duration", "10", "--format", "csv", "--series", "--set", "metrics.window_ms=500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("start_s,width_s,offered_per_s,retries_per_s,goodput_per_s"));
    assert_eq!(lines.count(), 20);
}

#[test]
fn bad_input_gets_a_message_that_says_what_is_allowed() {
    for (args, want) in [
        (vec!["run", "--set", "server.workers=0"], "server.workers: 0 is out of range: allowed a whole number from 1 to 10,000 workers"),
        (vec!["run", "--set", "server.workers=1e18"], "allowed a whole number from 1 to 10,000 workers"),
        (vec!["run", "--set", "limiters.quota.capacity=2"], "lower limiters.quota.retry_cost or raise the capacity"),
        (vec!["run", "--set", "client.jitter=lots"], "not one of none, full, equal, decorrelated"),
        (vec!["run", "--set", "nonsense=1"], "unknown key"),
        (vec!["run", "--scenario", "nope"], "unknown scenario 'nope': there are 23, from healthy to mmc; `lab scenarios` lists them"),
        (
            vec!["run", "--scenario", "metastable-retri"],
            "there are 23, from healthy to mmc (did you mean metastable-retry, limit-retries, synchronized-retries?)",
        ),
        (vec!["run", "--set", "server.hosts=2.5"], "server.hosts: 2.5 is not a whole number: allowed a whole number from 1 to 64 hosts"),
        (vec!["run", "--set", "tiers=2", "--set", "tier_faults=1:crash@1..2,0:bogus"], "tier_faults[1]: 'bogus' has no '@'"),
        (vec!["run", "--set", "tiers=2", "--set", "tier_faults=1:errors=2@1..2"], "tier_faults[0]: 'errors=2@1..2': 2 is out of range"),
        (vec!["run", "--set", "load.closed.clients=100000", "--set", "load.closed.think_ms=1"], "raise the think time to at least 100 ms"),
        (vec!["run", "--set", "load.periodic.clients=100000", "--set", "load.periodic.period_s=0.01"], "lengthen the period to at least 0.1 s"),
        (vec!["run", "--config", "/dev/zero"], "/dev/zero is larger than 64 MB"),
        (
            vec!["sweep", "--x", "server.workers=1..10000:100", "--y", "client.max_attempts=1..100:100", "--seeds", "1000"],
            "this sweep is 10,000,000 runs (100 × 100 cells × 1000 seeds); at most 100,000 are allowed",
        ),
        (vec!["run", "--fault", "crash@10..5"], "must be after start_s"),
        (vec!["run", "--duration=-1"], "--duration -1"),
        (vec!["contention", "--clients", "0"], "--clients '0'"),
        (vec!["contention", "--strategies", "fast"], "unknown strategy 'fast'"),
        (vec!["run", "--config", "/nonexistent.json"], "cannot read /nonexistent.json"),
    ] {
        let o = lab(&args);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    // Long input comes back short.
    let long = "x".repeat(5_000);
    let many = "1,".repeat(3_000);
    for args in [vec!["run", "--scenario", long.as_str()], vec!["contention", "--clients", many.as_str()], vec!["contention", "--strategies", long.as_str()]] {
        let o = lab(&args);
        assert!(!o.status.success() && stderr(&o).len() < 300, "{} characters", stderr(&o).len());
    }
}

#[test]
fn a_message_to_a_full_or_closed_stderr_is_not_a_crash() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_lab")).args(["run", "--set", "server.workers=0"]).stderr(full).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "an error status, not an abort");
}

#[test]
fn sweeps_take_whole_numbers_words_and_none_and_settle_inside_short_runs() {
    let o =
        lab(&["sweep", "--scenario", "metastable-retry", "--x", "server.balancer=round_robin,random", "--seeds", "1", "--duration", "15", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().nth(1).unwrap().starts_with("round_robin,") && out.lines().nth(2).unwrap().starts_with("random,"), "{out}");
    let o = lab(&["sweep", "--scenario", "metastable-retry", "--x", "client.timeout_ms=none,300", "--seeds", "1", "--duration", "15", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["x_words"], serde_json::json!(["none", "300"]));
    assert_eq!(v["settle_s"], serde_json::json!(5.0), "a third of a 15 s run");
    let o = lab(&["sweep", "--scenario", "metastable-retry", "--x", "server.hosts=1..64:100", "--seeds", "1", "--duration", "6", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1 + 64, "whole hosts, each once");
}

#[test]
fn help_lists_every_key_with_its_unit_and_default() {
    let o = lab(&["run", "--help"]);
    let out = stdout(&o);
    for d in backoff_lab::sim::params::PARAMS {
        assert!(out.contains(d.key), "--help lacks {}", d.key);
    }
    assert!(out.contains("client.timeout_ms") && out.contains("default 1000"));
}

#[test]
fn contention_csv_has_every_strategy_and_client_count() {
    let o = lab(&["contention", "--clients", "5,20", "--runs", "10", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "strategy,clients,mean_calls,mean_time_ms,runs");
    assert_eq!(lines.len(), 1 + 5 * 2);
    assert!(lines.iter().any(|l| l.starts_with("full,20,")));
}

#[test]
fn time_to_recovery_is_in_the_table_the_json_and_the_csv() {
    let o = lab(&["run", "--scenario", "synchronized-retries", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["time_to_recovery_s"], 2.0);
    assert!(v["summary"]["counts"]["resets"].as_u64().unwrap() > 900);
    let storm = lab(&["run", "--scenario", "metastable-retry", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&storm.stdout).unwrap();
    assert!(v["summary"]["time_to_recovery_s"].is_null(), "a storm that never ends has no recovery time");
    assert!(v["summary"]["recovery"].as_str().unwrap().starts_with("not recovered"));
    let table = stdout(&lab(&["run", "--scenario", "limit-queue"]));
    assert!(table.contains("time to recovery") && table.contains("after the trigger"), "{table}");
    let csv = stdout(&lab(&["run", "--scenario", "metastable-retry", "--format", "csv"]));
    assert!(csv.lines().any(|l| l == "time_to_recovery_s,"), "{csv}");
    let restart = lab(&["run", "--fault", "restart@5", "--duration", "10"]);
    assert!(restart.status.success(), "{}", stderr(&restart));
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line() {
    use std::io::Read;
    for args in [vec!["run", "--series", "--format", "csv"], vec!["contention", "--runs", "3", "--format", "csv"], vec!["config"]] {
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_lab")).args(&args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        let mut first = [0u8; 16];
        child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
        drop(child.stdout.take()); // the reader goes away, as `| head -1` does
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_lab")).arg("scenarios").stdout(full).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("cannot write the output"), "{err}");
    }
}

#[test]
fn figures_that_were_not_measured_are_never_printed_as_zero() {
    let args = ["run", "--set", "load.rate_per_s=0", "--duration", "5"];
    let table = stdout(&lab(&args));
    assert!(table.contains("– (nothing succeeded)") && table.contains("– (no requests were offered)"), "{table}");
    let csv = stdout(&lab(&[&args[..], &["--format", "csv"]].concat()));
    assert!(csv.lines().any(|l| l == "latency_p99_ms,") && csv.lines().any(|l| l == "amplification,"), "{csv}");
    let v: serde_json::Value = serde_json::from_slice(&lab(&[&args[..], &["--format", "json"]].concat()).stdout).unwrap();
    assert!(v["summary"]["latency_ms"]["p99"].is_null() && v["summary"]["amplification"].is_null(), "{}", v["summary"]);
    let series = stdout(&lab(&["run", "--scenario", "metastable-retry", "--series", "--format", "csv"]));
    let header: Vec<&str> = series.lines().next().unwrap().split(',').collect();
    let p99 = header.iter().position(|h| *h == "latency_p99_ms").unwrap();
    let late = series.lines().skip(1).filter(|l| l.split(',').next().and_then(|t| t.parse::<f64>().ok()).is_some_and(|t| t >= 30.0));
    assert!(
        late.clone().count() > 100 && late.filter(|l| l.split(',').nth(p99) == Some("")).count() > 100,
        "windows without successes have an empty latency cell"
    );
}

#[test]
fn set_flags_mean_the_same_in_any_order() {
    let keys = [
        "limiters.quota.enabled=true",
        "limiters.quota.capacity=2",
        "limiters.quota.retry_cost=1",
        "limiters.quota.throttle_cost=1",
        "limiters.quota.timeout_cost=2",
        "limiters.quota.success_refund=1",
    ];
    let run = |order: &[&str]| {
        let mut args = vec!["run", "--duration", "5", "--format", "json"];
        for k in order {
            args.extend(["--set", k]);
        }
        lab(&args)
    };
    let forward = run(&keys);
    let reversed: Vec<&str> = keys.iter().rev().copied().collect();
    let backward = run(&reversed);
    assert!(forward.status.success() && backward.status.success(), "{} / {}", stderr(&forward), stderr(&backward));
    assert_eq!(forward.stdout, backward.stdout);
    // Alone, the small capacity is refused with a message that names the key to change.
    let e = stderr(&lab(&["run", "--set", "limiters.quota.capacity=2"]));
    assert!(e.contains("limiters.quota.retry_cost: 5 is more than limiters.quota.capacity (2)"), "{e}");
}

#[test]
fn a_sweep_finds_where_the_storm_tips_and_repeats_exactly() {
    let args =
        ["sweep", "--scenario", "metastable-retry", "--x", "trigger.duration_s=1..10:4", "--y", "trigger.value=0.1..0.9:3", "--seeds", "3", "--format", "json"];
    let a = lab(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, lab(&args).stdout, "the same seed gives the same table");
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 12);
    let share = |x: f64, y: f64| cells.iter().find(|c| c["x"] == x && c["y"] == y).unwrap()["metastable_share"].as_f64().unwrap();
    // Short, small triggers recover; long, large ones stay down.
    assert_eq!(share(1.0, 0.9), 0.0);
    assert_eq!(share(1.0, 0.1), 0.0);
    assert_eq!(share(10.0, 0.1), 1.0);
    assert_eq!(share(10.0, 0.9), 0.0);
    let help = stdout(&lab(&["sweep", "--help"]));
    assert!(help.contains("metastable") && help.contains("recovered") && help.contains("trigger.duration_s"), "{help}");
    let bad = lab(&["sweep", "--x", "trigger.value=0..1:3"]);
    assert!(!bad.status.success() && stderr(&bad).contains("has none"), "{}", stderr(&bad));
}

#[test]
fn a_system_run_reports_every_tier_from_the_edge_down() {
    let o = lab(&["run", "--scenario", "retries-every-layer", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tiers = v["summary"]["tiers"].as_array().expect("summary.tiers");
    assert_eq!(tiers.len(), 3);
    for (i, t) in tiers.iter().enumerate() {
        assert_eq!(t["tier"], i);
        for key in ["attempts", "amplification", "goodput_per_s", "wasted", "hosts"] {
            assert!(!t[key].is_null(), "tier {i} has {key}");
        }
    }
    // More attempts the deeper the tier, and the bottom wastes most of its work.
    let amp = |i: usize| tiers[i]["amplification"].as_f64().unwrap();
    assert!(amp(0) < amp(1) && amp(1) < amp(2), "{tiers:?}");
    assert!(tiers[2]["wasted"].as_f64().unwrap() > 0.8);
    // Tier keys set from the command line, in any order, and a table that shows the tiers.
    let o = lab(&[
        "run",
        "--set",
        "tiers.2.server.error_rate=1",
        "--set",
        "tiers=3",
        "--set",
        "tier_faults=1/1:slow=5@0..10",
        "--set",
        "tiers.1.server.hosts=2",
        "--duration",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("calls per host") && out.contains(" edge "), "{out}");
    let bad = lab(&["run", "--set", "tiers.3.server.workers=5", "--set", "tiers=3"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("tier 3 does not exist: this config has 3 tiers (set tiers=4 first)"), "{}", stderr(&bad));
    // Closed-loop users, periodic jobs and contention run in a system as in one service.
    let closed = lab(&["run", "--set", "tiers=2", "--set", "load.closed.clients=5", "--set", "tiers.1.server.contention=1", "--format", "json"]);
    assert!(closed.status.success(), "{}", stderr(&closed));
    let v: serde_json::Value = serde_json::from_str(&stdout(&closed)).unwrap();
    assert!(v["summary"]["tiers"][1]["attempts"].as_u64().unwrap() > 100, "{}", v["summary"]["tiers"]);
}

#[test]
fn scenarios_and_help_list_the_system_lessons_and_keys() {
    let out = stdout(&lab(&["scenarios"]));
    for id in ["retries-every-layer", "retry-at-one-layer", "deadline-propagation", "bad-host"] {
        assert!(out.contains(id), "{id} in {out}");
    }
    let help = stdout(&lab(&["run", "--help"]));
    for key in ["tiers.N.KEY", "tier_faults", "server.hosts", "server.balancer", "  tiers "] {
        assert!(help.contains(key), "{key} in --help");
    }
}

#[test]
fn a_system_run_gives_every_tiers_series() {
    let o = lab(&["run", "--scenario", "retries-every-layer", "--duration", "20", "--series", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let tiers = v["tier_series"].as_array().expect("a series per tier");
    assert_eq!(tiers.len(), 3);
    assert_eq!(tiers[0], v["series"], "the first is the edge's, as `series` has always been");
    // From 10 s the bottom fails everything and every layer tries three times: each tier's
    // series shows close to three times the attempts of the tier above (exactly three over
    // settled requests, which summary.tiers holds; a window also counts calls still retrying).
    let sum = |t: usize| -> f64 {
        tiers[t].as_array().unwrap().iter().filter(|w| w["start_s"].as_f64().unwrap() >= 12.0).map(|w| w["server_arrivals"].as_f64().unwrap()).sum()
    };
    for t in 1..3 {
        let ratio = sum(t) / sum(t - 1);
        assert!((2.5..=3.05).contains(&ratio), "tier {t} sees {ratio:.2}× the attempts of tier {}", t - 1);
    }
    // CSV and the table print one tier, the edge unless --tier names another.
    let csv = stdout(&lab(&["run", "--scenario", "retries-every-layer", "--duration", "20", "--series", "--format", "csv", "--tier", "2"]));
    let edge = stdout(&lab(&["run", "--scenario", "retries-every-layer", "--duration", "20", "--series", "--format", "csv"]));
    assert!(csv.starts_with("start_s,") && csv != edge);
    let table = stdout(&lab(&["run", "--scenario", "retries-every-layer", "--duration", "20", "--series", "--tier", "1"]));
    assert!(table.contains("series of tier 1"), "{table}");
    let bad = lab(&["run", "--scenario", "retries-every-layer", "--series", "--tier", "3"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--tier 3: this config has 3 tiers, numbered 0 (the edge) to 2"), "{}", stderr(&bad));
}

#[test]
fn exercises_are_listed_and_an_instructor_checks_a_seed_before_class() {
    let o = lab(&["exercises"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = stdout(&o);
    let ids: Vec<&str> = list.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(ids.len(), backoff_lab::exercises::all().len(), "{list}");
    assert!(list.lines().next().unwrap_or("").contains("Flatten the top-of-minute spike"), "id, then title: {list}");

    // Every exercise checks out on a seed other than its own: the start fails, the solution passes.
    for id in &ids {
        let o = lab(&["exercises", "--check", id, "--seed", "11"]);
        let out = stdout(&o);
        assert!(o.status.success(), "{id}: {out}{}", stderr(&o));
        assert!(out.contains("seed 11"), "{out}");
        let words: Vec<&str> = out.lines().skip(1).filter_map(|l| l.split_whitespace().nth(1)).collect();
        assert_eq!(words, ["fail", "pass"], "{id}: {out}");
    }

    let o = lab(&["exercises", "--check", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no exercise \"nope\"") && stderr(&o).contains("flatten-cron"), "{}", stderr(&o));
    let o = lab(&["exercises", "--seed", "3"]);
    assert!(!o.status.success() && stderr(&o).contains("--check"), "a seed alone says what it needs: {}", stderr(&o));
}

#[test]
fn a_sweep_cell_that_neither_stays_down_nor_recovers_says_so() {
    // retries-every-layer with its trigger on until 31 s of a 31 s run: no seed can recover
    // or stay down after it; the map paints such a cell "no verdict", not "recovers".
    let o = lab(&["sweep", "--scenario", "retries-every-layer", "--x", "trigger.value=1", "--y", "duration_s=31", "--seeds", "3", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &v["cells"][0];
    assert_eq!((c["metastable_share"].as_f64(), c["recovered_share"].as_f64()), (Some(0.0), Some(0.0)), "{c}");
    let help = stdout(&lab(&["sweep", "--help"]));
    assert!(help.contains("no verdict"), "{help}");
}

#[test]
fn the_course_is_listed_with_each_step_s_question_and_measured_answer() {
    let o = lab(&["course"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let steps = backoff_lab::course::all();
    // One id a line (at the start of it), then its title, the question and the answer.
    let ids: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ') && !l.is_empty()).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(ids, steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), "{out}");
    assert!(out.contains("storm            3. The retry storm that does not end"), "{out}");
    assert!(out.contains("answer on seed 3: 0.0\u{a0}%, goodput 30–40 s"), "{out}");
    assert!(out.contains("answer on seed 1: 27.26×, attempts per request 30–60 s at tier\u{a0}2 (the bottom)"), "{out}");
    // Another seed measures every step again.
    let o = lab(&["course", "--seed", "11"]);
    assert!(o.status.success() && stdout(&o).matches("answer on seed 11:").count() == steps.len(), "{}", stdout(&o));
}

#[test]
fn drills_are_listed_and_a_check_scores_doing_nothing_against_the_good_response() {
    let o = lab(&["drills"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ids: Vec<String> = stdout(&o).lines().filter_map(|l| l.split_whitespace().next().map(String::from)).collect();
    assert_eq!(ids, backoff_lab::drills::all().iter().map(|d| d.id.clone()).collect::<Vec<_>>());
    assert!(ids.len() >= 6);
    let o = lab(&["drills", "--check", "checkout", "--seed", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("checkout (Checkout is paging), seed 4\n"), "{out}");
    assert!(out.contains("  nothing  score ") && out.contains("not recovered"), "{out}");
    assert!(out.contains("the good response: drop-expired at 30 s"), "{out}");
    // A response that does not help exits 1; one that cannot be read says why.
    let o = lab(&["drills", "--check", "checkout", "--response", "30 stop-retries"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = lab(&["drills", "--check", "checkout", "--response", "30 reboot"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--response: '30 reboot' is not AT ACTION [tier=N]"), "{}", stderr(&o));
    let o = lab(&["drills", "--check", "nope"]);
    assert!(!o.status.success() && stderr(&o).contains("no drill \"nope\"; there are: checkout"), "{}", stderr(&o));
}

#[test]
fn a_pack_check_runs_every_entry_and_names_what_is_wrong() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/www/example-pack.json");
    let o = lab(&["pack", "check", example]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for line in [
        "ok     lab long-crash: opens ?s=long-crash&pack=example-pack.json (metastable-retry on seed 7)",
        "ok     exercise brownout-quota on seed 3",
        "ok     course step brownout-storm",
        "ok     drill payments",
        "every entry works",
    ] {
        assert!(out.contains(line), "{line} in {out}");
    }
    let broken = std::fs::read_to_string(example)
        .unwrap()
        .replace("\"nothing\": \"stays down\"", "\"nothing\": \"maybe\"")
        .replace("\"30 drop-expired\"", "\"30 reboot\"");
    let dir = std::env::temp_dir().join(format!("lab-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.json");
    std::fs::write(&file, broken).unwrap();
    let o = lab(&["pack", "check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("wrong: drill payments, nothing: 'maybe' is not 'stays down' or 'recovers'"), "{}", stdout(&o));
}
