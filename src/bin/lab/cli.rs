//! The CLI proper (native only).

use crate::progress::Progress;
use backoff_lab::course;
use backoff_lab::drills;
use backoff_lab::exercises;
use backoff_lab::explain;
use backoff_lab::keys;
use backoff_lab::report;
use backoff_lab::scenarios;
use backoff_lab::sim::contention::{self, ContentionParams, Strategy};
use backoff_lab::sim::{Config, Fault, Sim, SimTime};
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// Writes to standard output. A closed pipe (`lab … | head -1`) ends the program quietly, as
/// Unix tools do; any other failure (a full disk) is reported in one line with status 2.
fn write_out(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { CLOSED_PIPE.to_string() } else { format!("cannot write the output: {e}") })
}

/// The error that means "the reader went away": not a failure, nothing to print.
const CLOSED_PIPE: &str = "\u{0}closed pipe";

macro_rules! out {
    ($($arg:tt)*) => { write_out(&format!($($arg)*))? };
}
macro_rules! outln {
    () => { write_out("\n")? };
    ($($arg:tt)*) => { write_out(&format!("{}\n", format_args!($($arg)*)))? };
}

#[derive(Parser)]
#[command(name = "lab", version, about = "Simulate overload, retries, backoff and jitter", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

/// What a run starts from: a scenario or a config file, then overrides and extra faults
/// (shared by `run` and `sweep`).
#[derive(clap::Args)]
struct Base {
    /// A scenario id (see `lab scenarios`). Default: the model's defaults.
    #[arg(long, conflicts_with = "config")]
    scenario: Option<String>,
    /// A JSON config file, e.g. one the page exported or `lab config` printed.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
    /// KEY=VALUE overrides; every one is set, then the whole config is checked, so their order
    /// does not matter (`lab run --help` lists the keys).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Extra faults, KIND[=VALUE]@START..END in seconds: crash@5..10, capacity=0.5@5..10,
    /// slow=4@20..30, errors=0.5@10..12, load=3@30..40, restart@10 (or restart@10..12 to stay
    /// down). In a sweep the first fault is the trigger the trigger.* axes change.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,
}

impl Base {
    /// The config, with `duration` (seconds) applied, and the scenario's seed.
    fn build(&self, duration: Option<f64>) -> Result<(Config, u64), String> {
        build_config(self.scenario.as_deref(), self.config.as_deref(), &self.sets, &self.faults, duration)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run one simulation and print its summary (and, with --series, its per-window series).
    #[command(after_long_help = keys_help(), after_help = "Run `lab run --help` for every KEY with its unit and default.")]
    Run {
        #[command(flatten)]
        base: Base,
        /// Seed of every random stream; same config and seed give the same numbers.
        #[arg(long)]
        seed: Option<u64>,
        /// Simulated seconds (overrides duration_s).
        #[arg(long)]
        duration: Option<f64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Print the per-window series as well (table: merged to ~1 s rows; csv/json: every
        /// window). JSON gives every tier's series (`series` is the edge's, `tier_series` one
        /// per tier, edge first); table and CSV give the tier --tier names.
        #[arg(long)]
        series: bool,
        /// The tier whose series the table and CSV print: 0 is the edge (the default), as its
        /// users see it; tier N as tier N-1 calls it.
        #[arg(long, default_value_t = 0)]
        tier: usize,
    },
    /// Brooker's 2015 contention experiment: calls and completion time per strategy as clients grow.
    Contention {
        /// Client counts: a list (1,10,50) or a range with a step (10..100:10).
        #[arg(long, default_value = "1,5,10,20,30,40,50,60,70,80,90,100")]
        clients: String,
        /// Runs per point, 1 to 100,000.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        runs: u32,
        /// Strategies: any of none, exponential, full, equal, decorrelated, comma separated.
        #[arg(long, default_value = "none,exponential,full,equal,decorrelated")]
        strategies: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Where does it tip? Run a config over a grid of one or two keys, several seeds a cell.
    #[command(after_long_help = SWEEP_HELP)]
    Sweep {
        #[command(flatten)]
        base: Base,
        /// The x axis: KEY=FROM..TO:STEPS or KEY=A,B,C (KEY: any --set key, or trigger.start_s, trigger.duration_s, trigger.value).
        #[arg(long, value_name = "AXIS")]
        x: String,
        /// An optional y axis, the same syntax.
        #[arg(long, value_name = "AXIS")]
        y: Option<String>,
        /// Seeds per cell, 1 to 1,000.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1_000))]
        seeds: u32,
        /// The first seed (cells use seed, seed+1, …). Default: the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Seconds at the end of each run over which "metastable" is judged: 20, or a third of
        /// the run when that is shorter.
        #[arg(long)]
        settle: Option<f64>,
        /// Simulated seconds per run (overrides duration_s).
        #[arg(long)]
        duration: Option<f64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List the scenarios.
    Scenarios,
    /// List the workshop exercises (id, then title), or check one on a seed before class.
    Exercises {
        /// Run exercise ID's start and its solution on --seed, print both against the goal, and
        /// exit 0 only when the start fails and the solution passes (1 when not).
        #[arg(long, value_name = "ID")]
        check: Option<String>,
        /// The seed to check on (default: the exercise's own).
        #[arg(long, requires = "check")]
        seed: Option<u64>,
    },
    /// List the guided course's steps: id and title, the prediction each asks for, and the
    /// answer measured on the step's seed (or --seed).
    Course {
        /// Measure every step on this seed instead of its own.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// List the incident drills (id, then title), or check one on a seed before class.
    Drills {
        /// Run drill ID doing nothing and with its good response on --seed, print both scores,
        /// and exit 0 only when the good response recovers and scores better (1 when not).
        #[arg(long, value_name = "ID")]
        check: Option<String>,
        /// The seed to check on (default: the drill's own).
        #[arg(long, requires = "check")]
        seed: Option<u64>,
        /// Score this response instead of the drill's good one: actions separated by ';', each
        /// `AT ACTION [tier=N]` ("30 drop-expired; 31 limit-queue tier=2").
        #[arg(long, requires = "check")]
        response: Option<String>,
    },
    /// A trainer's pack (labs, exercises, course steps and drills in one JSON file).
    Pack {
        #[command(subcommand)]
        action: PackAction,
    },
    /// Print a scenario's (or the default) config as JSON, to edit and run with --config.
    Config {
        #[arg(long)]
        scenario: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PackAction {
    /// Read FILE, say what is wrong in it (naming the entry and the field), and run each
    /// exercise's start and solution, each course step, and each drill's doing nothing and good
    /// response on its seed; exit 0 only when every entry works.
    Check { file: std::path::PathBuf },
}

fn keys_help() -> String {
    format!("Keys for --set (unit in brackets):\n{}", keys::help_text())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { base, seed, duration, format, series, tier } => run(&base, seed, duration, format, series, tier),
        Command::Contention { clients, runs, strategies, seed, format } => contention_cmd(&clients, runs, &strategies, seed, format),
        Command::Sweep { base, x, y, seeds, seed, settle, duration, format } => {
            let (cfg, default_seed) = match base.build(duration) {
                Ok(c) => c,
                Err(e) => return fail(&e),
            };
            sweep_cmd(&cfg, &x, y.as_deref(), seeds, seed.unwrap_or(default_seed), settle, format)
        }
        Command::Scenarios => (|| {
            for s in scenarios::all() {
                outln!("{:<20} {}\n{:<20} {}\n", s.id, s.title, "", s.story());
            }
            Ok(())
        })(),
        Command::Exercises { check: None, .. } => (|| {
            for e in exercises::all().iter() {
                outln!("{:<20} {}", e.id, e.title);
            }
            Ok(())
        })(),
        Command::Exercises { check: Some(id), seed } => return exercise_check(&id, seed),
        Command::Course { seed } => course_list(seed),
        Command::Drills { check: None, .. } => (|| {
            for d in drills::all() {
                outln!("{:<20} {}", d.id, d.title);
            }
            Ok(())
        })(),
        Command::Pack { action: PackAction::Check { file } } => return pack_check(&file),
        Command::Drills { check: Some(id), seed, response } => return drill_check(&id, seed, response.as_deref()),
        Command::Config { scenario } => base_config(scenario.as_deref(), None).and_then(|(c, _)| {
            let text = serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?;
            outln!("{text}");
            Ok(())
        }),
    };
    finish(result)
}

/// `lab course`: each step, what it asks, and the figure its run measures.
fn course_list(seed: Option<u64>) -> Result<(), String> {
    for (i, step) in course::all().iter().enumerate() {
        let seed = seed.unwrap_or(step.seed);
        let mut sim = Sim::new(step.config(), seed).map_err(|e| format!("{}: {e}", step.id))?;
        sim.run_to_end();
        let measured = step.measure(&sim);
        let (how, band) = match &step.predict {
            course::Predict::Slider { min, max } => (format!("a number from {} to {}", step.show(*min), step.show(*max)), String::new()),
            course::Predict::Bands(_) => {
                let choices = step.choices();
                let band = measured.map_or_else(String::new, |h| format!(" ({})", choices[step.band_of(h)]));
                (format!("one of: {}", choices.join(" | ")), band)
            }
        };
        let answer = measured.map_or_else(|| "not measured".to_string(), |h| format!("{}{band}", step.show(h)));
        outln!("{:<16} {}. {}", step.id, i + 1, step.title);
        outln!("{:<16} asks: {} ({how})", "", step.ask());
        outln!("{:<16} answer on seed {seed}: {answer}, {}\n", "", step.measured_what());
    }
    Ok(())
}

/// `lab pack check FILE`: what is wrong in a pack, then each entry run on its seed.
fn pack_check(file: &std::path::Path) -> ExitCode {
    let src = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot read {}: {e}", file.display())),
    };
    let pack = match backoff_lab::pack::read(&src, &backoff_lab::texts::current()) {
        Ok(p) => p,
        Err(e) => return fail(&format!("{}: {e}", file.display())),
    };
    backoff_lab::texts::extend(&pack.to_lessons());
    let mut failed = pack.problems.len();
    let mut lines = vec![format!(
        "{} ({}): {} labs, {} exercises, {} course steps, {} drills",
        file.display(),
        if pack.title.is_empty() { "no title" } else { pack.title.as_str() },
        pack.ids("lab").len(),
        pack.ids("exercise").len(),
        pack.ids("course").len(),
        pack.ids("drill").len()
    )];
    lines.extend(pack.problems.iter().map(|p| format!("  wrong: {p}")));
    for lab in pack.labs() {
        // The link a trainer shares: the lab by its id, with the pack served beside the page.
        let name = file.file_name().map_or(String::new(), |n| backoff_lab::url::encode_component(&n.to_string_lossy()));
        lines.push(format!("  ok     lab {}: opens ?s={}&pack={name} ({} on seed {})", lab.id, lab.id, lab.base, lab.seed));
    }
    for id in pack.ids("exercise") {
        let Some(e) = exercises::find(&id) else { continue };
        let word = |p: Option<bool>| match p {
            Some(true) => "passes",
            Some(false) => "fails",
            None => "has no verdict",
        };
        let verdict = match exercise_runs(&e, e.seed).map(|[start, solved]| (start.passed, solved.passed)) {
            Ok((Some(false), Some(true))) => format!("ok     exercise {id} on seed {}: the start fails, the solution passes", e.seed),
            Ok((start, solved)) => format!(
                "FAILS  exercise {id} on seed {}: the start {} and the solution {} (the start must fail and the solution pass)",
                e.seed,
                word(start),
                word(solved)
            ),
            Err(err) => format!("FAILS  exercise {id}: {err}"),
        };
        failed += usize::from(!verdict.starts_with("ok"));
        lines.push(format!("  {verdict}"));
    }
    for id in pack.ids("course") {
        let Some(step) = course::all().into_iter().find(|s| s.id == id) else { continue };
        let measured = Sim::new(step.config(), step.seed).ok().and_then(|mut s| {
            s.run_to_end();
            step.measure(&s)
        });
        let verdict = match measured {
            Some(m) if step.claim_holds(m) => format!("ok     course step {id} on seed {}: {}", step.seed, step.show(m)),
            Some(m) => format!("FAILS  course step {id} on seed {}: {} does not hold what its explanation says (expect)", step.seed, step.show(m)),
            None => format!("FAILS  course step {id}: nothing measured by the end of the run"),
        };
        failed += usize::from(!verdict.starts_with("ok"));
        lines.push(format!("  {verdict}"));
    }
    for id in pack.ids("drill") {
        let Some(d) = drills::find(&id) else { continue };
        let verdict = match (d.outcome(d.seed, &[]), d.outcome(d.seed, &d.good)) {
            (Ok(n), Ok(g)) if g.recovered() && g.score() > n.score() => {
                format!("ok     drill {id} on seed {}: nothing {}, good {}", d.seed, drills::score_text(n.score()), drills::score_text(g.score()))
            }
            (Ok(n), Ok(g)) => format!(
                "FAILS  drill {id} on seed {}: the good response must recover and score better (nothing {}, good {}, {})",
                d.seed,
                drills::score_text(n.score()),
                drills::score_text(g.score()),
                g.recovery.text()
            ),
            (Err(e), _) | (_, Err(e)) => format!("FAILS  drill {id}: {e}"),
        };
        failed += usize::from(!verdict.starts_with("ok"));
        lines.push(format!("  {verdict}"));
    }
    let printed = (|| {
        for l in &lines {
            outln!("{l}");
        }
        outln!("{}", if failed == 0 { "every entry works".to_string() } else { format!("{failed} wrong or failing") });
        Ok(())
    })();
    if let Err(msg) = printed {
        return finish(Err(msg));
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `lab drills --check ID`: doing nothing and the good response on one seed, scored.
fn drill_check(id: &str, seed: Option<u64>, response: Option<&str>) -> ExitCode {
    let Some(mut d) = drills::find(id) else {
        let ids: Vec<String> = drills::all().iter().map(|d| d.id.clone()).collect();
        return fail(&format!("no drill {}; there are: {}", short(&format!("{id:?}")), ids.join(", ")));
    };
    if let Some(r) = response {
        match drills::parse_response(&d, r) {
            Ok(taken) => d.good = taken,
            Err(e) => return fail(&format!("--response: {e}")),
        }
    }
    let seed = seed.unwrap_or(d.seed);
    let (nothing, good) = match (d.outcome(seed, &[]), d.outcome(seed, &d.good)) {
        (Ok(n), Ok(g)) => (n, g),
        (Err(e), _) | (_, Err(e)) => return fail(&format!("{id}: {e}")),
    };
    let printed = (|| {
        outln!("{} ({}), seed {seed}", d.id, d.title);
        for (label, o) in [("nothing", nothing), ("good", good)] {
            outln!(
                "  {label:<8} score {:>7}  {} of {} requests not served well (failed, late or still waiting); {}",
                drills::score_text(o.score()),
                report::grouped(o.hurt()),
                report::grouped(o.offered),
                o.recovery.text()
            );
        }
        let steps: Vec<String> = d
            .good
            .iter()
            .map(|t| format!("{} at {} s{}", t.act.entry().id, t.at_s, if t.tier > 0 { format!(" (tier {})", t.tier) } else { String::new() }))
            .collect();
        outln!("  the good response: {}", steps.join(", "));
        Ok(())
    })();
    if let Err(msg) = printed {
        return finish(Err(msg));
    }
    if good.recovered() && good.score() > nothing.score() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `lab exercises --check ID`: the start and the solution on one seed, against the goal.
fn exercise_check(id: &str, seed: Option<u64>) -> ExitCode {
    let Some(e) = exercises::find(id) else {
        let ids: Vec<String> = exercises::all().iter().map(|e| e.id.clone()).collect();
        return fail(&format!("no exercise {}; there are: {}", short(&format!("{id:?}")), ids.join(", ")));
    };
    let seed = seed.unwrap_or(e.seed);
    let mut outcome = Vec::new();
    let printed = (|| {
        outln!("{} ({}), seed {seed}", e.id, e.title);
        for (label, c) in ["start", "solution"].into_iter().zip(exercise_runs(&e, seed)?) {
            let word = match c.passed {
                Some(true) => "pass",
                Some(false) => "fail",
                None => "no verdict",
            };
            outln!("  {label:<9} {word:<5} {}", c.progress);
            outcome.push(c.passed);
        }
        Ok(())
    })();
    if let Err(msg) = printed {
        return finish(Err(msg));
    }
    if outcome == [Some(false), Some(true)] {
        ExitCode::SUCCESS
    } else {
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"lab: on this seed the start must fail and the solution pass\n");
        ExitCode::from(1)
    }
}

/// An exercise's start and its solution, each run to the end on `seed`, checked against its goal.
fn exercise_runs(e: &exercises::Exercise, seed: u64) -> Result<[exercises::Check; 2], String> {
    let run = |label: &str, cfg: Config| {
        let mut sim = Sim::new(cfg, seed).map_err(|err| format!("{label}: {err}"))?;
        sim.run_to_end();
        Ok::<_, String>(e.check(&sim))
    };
    Ok([run("start", e.start_config())?, run("solution", e.solved_config())?])
}

fn fail(msg: &str) -> ExitCode {
    finish(Err(msg.to_string()))
}

fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) if msg == CLOSED_PIPE => ExitCode::SUCCESS,
        Err(msg) => {
            // Not eprintln!: with stderr closed or full it would panic, and panics abort here.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "lab: {msg}");
            ExitCode::from(2)
        }
    }
}

/// A message quoting user input, cut to a readable length (a 10 MB string in a config file
/// must not come back as a 10 MB line).
fn short(msg: &str) -> String {
    let n = msg.chars().count();
    if n <= 300 { msg.to_string() } else { format!("{} ({n} characters in all)", backoff_lab::sim::params::quote(msg, 300)) }
}

/// The largest config file read.
const MAX_CONFIG_BYTES: u64 = 64 << 20;

fn base_config(scenario: Option<&str>, file: Option<&std::path::Path>) -> Result<(Config, u64), String> {
    if let Some(path) = file {
        // Read at most one byte past the limit, so /dev/zero or a huge file stops at once.
        use std::io::Read;
        let mut text = String::new();
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(format!("{} is larger than 64 MB; a config is at most 64 MB (100,000 faults take about 8 MB)", path.display()));
        }
        let cfg: Config = serde_json::from_str(&text).map_err(|e| format!("{} is not a valid config: {}", path.display(), short(&e.to_string())))?;
        cfg.validate().map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((cfg, 1));
    }
    match scenario {
        Some(id) => scenarios::find(id).map(|s| (s.config, s.seed)).map_err(|e| {
            let near = scenarios::nearest(id);
            let hint = if near.is_empty() { String::new() } else { format!(" (did you mean {}?)", near.join(", ")) };
            format!("{e}{hint}; `lab scenarios` lists them")
        }),
        None => Ok((Config::default(), 1)),
    }
}

/// The base config from a scenario or a file, with --set, --fault and --duration applied.
fn build_config(
    scenario: Option<&str>,
    file: Option<&std::path::Path>,
    sets: &[String],
    faults: &[String],
    duration: Option<f64>,
) -> Result<(Config, u64), String> {
    let (mut cfg, default_seed) = base_config(scenario, file)?;
    // Every --set first, then one validation: the flags mean the same in any order. The
    // number of tiers goes first, so the tier keys it makes room for can follow it.
    let mut sets: Vec<&String> = sets.iter().collect();
    sets.sort_by_key(|s| !s.trim_start().starts_with("tiers="));
    for s in sets {
        cfg = keys::apply_assignment(&cfg, s).map_err(|e| e.to_string())?;
    }
    for f in faults {
        cfg.faults.push(Fault::parse(f).map_err(|e| e.message)?);
    }
    cfg.validate().map_err(|e| e.to_string())?;
    if let Some(d) = duration {
        cfg = keys::set(&cfg, "duration_s", &d.to_string()).map_err(|e| format!("--duration {d}: {}", e.message))?;
    }
    Ok((cfg, default_seed))
}

fn run(base: &Base, seed: Option<u64>, duration: Option<f64>, format: Format, series: bool, tier: usize) -> Result<(), String> {
    let (cfg, default_seed) = base.build(duration)?;
    let seed = seed.unwrap_or(default_seed);
    let tiers = cfg.tiers.len() + 1;
    if tier >= tiers {
        return Err(format!("--tier {tier}: this config has {tiers} tier{}, numbered 0 (the edge) to {}", if tiers == 1 { "" } else { "s" }, tiers - 1));
    }
    let mut sim = Sim::new(cfg, seed).map_err(|e| e.to_string())?;
    let end = SimTime::from_secs_f64(sim.config().duration_s);
    let mut progress = Progress::new();
    while !sim.advance_to(end, 1 << 20).reached {
        let (now, events) = (sim.now().as_secs_f64(), sim.status().events);
        progress.update(now / end.as_secs_f64(), |wall| {
            format!("t = {now:.1} of {:.1} s simulated · {:.1} M events/s", end.as_secs_f64(), events as f64 / wall / 1e6)
        });
    }
    progress.finish();
    let summary = sim.summary();
    let windows = sim.windows();
    let recovery = explain::recovery(windows, sim.config(), sim.now());
    match format {
        Format::Table => {
            outln!("seed {seed}\n{}", report::summary_table(&summary));
            outln!("  {:<28} {}", "time to recovery", recovery.text());
            if let Some(tiers) = sim.config().is_system().then(|| sim.tier_summaries()) {
                out!("{}", report::tiers_table(&tiers));
            }
            if series {
                let every = SimTime::from_secs_f64((summary.duration_s / 60.0).max(1.0));
                if tiers > 1 {
                    outln!("series of {}", backoff_lab::explain::tier_name(sim.config(), tier));
                }
                out!("{}", report::series_table(&report::resample(sim.tier_windows(tier), every)));
            }
        }
        Format::Csv => {
            if series {
                out!("{}", report::series_csv(sim.tier_windows(tier)));
            } else {
                out!("{}", report::summary_csv(&summary));
                // Empty when there is nothing to time (no trigger, or not recovered).
                outln!("time_to_recovery_s,{}", recovery.seconds().map_or(String::new(), |s| format!("{s}")));
            }
        }
        Format::Json => {
            let (offered, latencies) = (summary.counts.first_attempts, [summary.latency_ms.count, summary.attempt_latency_ms.count]);
            let mut summary = serde_json::to_value(&summary).map_err(|e| e.to_string())?;
            // A figure that was not measured is null, never a 0 that reads as a measurement.
            if offered == 0 {
                summary["success_share"] = serde_json::Value::Null;
                summary["amplification"] = serde_json::Value::Null;
            }
            for (key, count) in ["latency_ms", "attempt_latency_ms"].into_iter().zip(latencies) {
                if count == 0 {
                    for f in ["mean", "p50", "p90", "p99", "max"] {
                        summary[key][f] = serde_json::Value::Null;
                    }
                }
            }
            summary["time_to_recovery_s"] = recovery.seconds().map_or(serde_json::Value::Null, serde_json::Value::from);
            summary["recovery"] = recovery.text().into();
            if let Some(tiers) = sim.config().is_system().then(|| sim.tier_summaries()) {
                summary["tiers"] = serde_json::to_value(&tiers).map_err(|e| e.to_string())?;
            }
            let mut out = serde_json::json!({ "seed": seed, "config": sim.config(), "summary": summary });
            if series {
                out["series"] = report::series_json(windows);
                if tiers > 1 {
                    out["tier_series"] = (0..tiers).map(|t| report::series_json(sim.tier_windows(t))).collect::<Vec<_>>().into();
                }
            }
            outln!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

fn parse_clients(s: &str) -> Result<Vec<u32>, String> {
    let bad = || format!("--clients '{}': write a list like 1,10,50 or a range like 10..100:10 (counts 1 to 10,000)", backoff_lab::sim::params::quote(s, 40));
    let out: Vec<u32> = if let Some((range, step)) = s.split_once(':') {
        let (a, b) = range.split_once("..").ok_or_else(bad)?;
        let (a, b, step): (u32, u32, usize) =
            (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?, step.trim().parse().map_err(|_| bad())?);
        if step == 0 || a > b {
            return Err(bad());
        }
        (a..=b).step_by(step).collect()
    } else {
        s.split(',').map(|x| x.trim().parse::<u32>().map_err(|_| bad())).collect::<Result<_, _>>()?
    };
    if out.is_empty() || out.iter().any(|&n| n == 0 || n > 10_000) {
        return Err(bad());
    }
    Ok(out)
}

fn contention_cmd(clients: &str, runs: u32, strategies: &str, seed: u64, format: Format) -> Result<(), String> {
    let clients = parse_clients(clients)?;
    if !(1..=100_000).contains(&runs) {
        return Err(format!("--runs {runs}: allowed 1 to 100,000"));
    }
    let strategies: Vec<Strategy> = strategies.split(',').map(|s| Strategy::parse(s.trim())).collect::<Result<_, _>>()?;
    // Point by point (each point is seeded on its own, so the rows are the same as one sweep),
    // to show progress on long sweeps.
    let mut progress = Progress::new();
    let points = strategies.len() * clients.len();
    let mut rows = Vec::with_capacity(points);
    for (i, (s, n)) in strategies.iter().flat_map(|s| clients.iter().map(move |n| (s, n))).enumerate() {
        rows.extend(contention::sweep(&[*s], &[*n], runs, seed, &ContentionParams::default()));
        progress.update((i + 1) as f64 / points as f64, |_| format!("{} with {n} clients ({} of {points} points)", s.name(), i + 1));
    }
    progress.finish();
    match format {
        Format::Csv => {
            outln!("strategy,clients,mean_calls,mean_time_ms,runs");
            for r in &rows {
                outln!("{},{},{:.2},{:.2},{}", r.strategy, r.clients, r.mean_calls, r.mean_time_ms, r.runs);
            }
        }
        Format::Json => outln!("{}", serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?),
        Format::Table => {
            outln!("Brooker 2015 contention: base 5 ms, cap 2000 ms, one-way delay |N(10, 2)| ms, {runs} runs per point, seed {seed}\n");
            for (title, f) in [("mean calls (writes)", 0), ("mean completion time (ms)", 1)] {
                outln!("{title}");
                out!("{:>8}", "clients");
                for s in &strategies {
                    out!(" {:>13}", s.name());
                }
                outln!();
                for &n in &clients {
                    out!("{n:>8}");
                    for s in &strategies {
                        let r = rows.iter().find(|r| r.clients == n && r.strategy == *s);
                        let v = r.map_or(0.0, |r| if f == 0 { r.mean_calls } else { r.mean_time_ms });
                        out!(" {v:>13.1}");
                    }
                    outln!();
                }
                outln!();
            }
        }
    }
    Ok(())
}

const SWEEP_HELP: &str = "Definitions:
  metastable   every fault ended at least --settle seconds before the end of the run, and over
               those last --settle seconds goodput is below half of the offered load: the
               trigger is gone, the failure is not. The table gives the share of seeds.
  recovered    goodput back above 90 % of offered after the trigger and staying there: the
               share of seeds, and the median over those that recovered, in seconds after
               the last fault ended.
  no verdict   neither (the trigger still on at the end, or goodput that settles between half
               and 90 % of offered): the seeds that are neither metastable nor recovered.
  amplification  attempts / first attempts over the whole run, mean over seeds.
  wasted       work served for clients that had already given up / all work served.

Axes: any --set key, as a range (server.workers=5..20:16; a whole-number key is rounded and
each value taken once) or a list of values, words and none included
(server.balancer=round_robin,random, client.timeout_ms=none,300), or the first fault:
trigger.start_s, trigger.duration_s, trigger.value (e.g. the capacity share left by a
capacity fault). At most 100,000 runs (cells × seeds) a sweep.
Cells run in parallel on every core; the same seed gives the same table.

Example: where the retry storm tips, over trigger length and size:
  lab sweep --scenario metastable-retry --x trigger.duration_s=1..10:10 --y trigger.value=0.1..0.9:9 --seeds 5";

/// Runs every cell of the grid on all cores (cells are independent, so the table does not
/// depend on how many), with a progress line on a terminal.
fn sweep_cmd(base: &Config, x: &str, y: Option<&str>, seeds: u32, seed: u64, settle: Option<f64>, format: Format) -> Result<(), String> {
    use backoff_lab::map::sweep::{Axis, Cell, MAX_RUNS, grid, run_cell};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let settle = settle.unwrap_or_else(|| (base.duration_s / 3.0).min(20.0));
    if !(settle.is_finite() && settle > 0.0 && settle < base.duration_s) {
        return Err(format!("--settle {settle}: allowed above 0 and below the run's {} s", base.duration_s));
    }
    let xa = Axis::parse(x)?;
    let ya = y.map(Axis::parse).transpose()?;
    let (nx, ny) = (xa.values.len() as u64, ya.as_ref().map_or(1, |a| a.values.len() as u64));
    let runs = nx * ny * u64::from(seeds);
    if runs > MAX_RUNS {
        let n = |v: u64| backoff_lab::sim::params::num(v as f64);
        return Err(format!(
            "this sweep is {} runs ({} × {} cells × {} seeds); at most {} are allowed: use fewer steps or seeds",
            n(runs),
            n(nx),
            n(ny),
            n(u64::from(seeds)),
            n(MAX_RUNS)
        ));
    }
    let cells = grid(base, &xa, ya.as_ref())?;
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Cell>>> = std::sync::Mutex::new(vec![None; cells.len()]);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(cells.len().max(1));
    let mut progress = Progress::new();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((xv, yv, cfg)) = cells.get(i) else { break };
                    let cell = run_cell(cfg, *xv, *yv, seed, seeds, settle);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(cell);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        while done.load(Ordering::Relaxed) < cells.len() {
            let d = done.load(Ordering::Relaxed);
            progress.update(d as f64 / cells.len() as f64, |_| format!("{d} of {} cells, {seeds} seeds each, {workers} threads", cells.len()));
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    progress.finish();
    let rows: Vec<Cell> = results.into_inner().map_err(|_| "a sweep worker failed".to_string())?.into_iter().flatten().collect();
    let yk = ya.as_ref().map_or("", |a| a.key.as_str());
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    match format {
        Format::Csv => {
            outln!(
                "{},{},metastable_share,recovered_share,median_recovery_s,mean_amplification,wasted_share,seeds",
                xa.key,
                if yk.is_empty() { "y" } else { yk }
            );
            for c in &rows {
                let y = match (&ya, c.y) {
                    (Some(a), Some(v)) => a.label(v),
                    _ => String::new(),
                };
                outln!(
                    "{},{},{},{},{},{},{},{}",
                    xa.label(c.x),
                    y,
                    c.metastable_share,
                    c.recovered_share,
                    opt(c.median_recovery_s),
                    c.mean_amplification,
                    c.wasted_share,
                    c.seeds
                );
            }
        }
        Format::Json => {
            let mut v = serde_json::json!({ "x": xa.key, "y": ya.as_ref().map(|a| a.key.clone()), "seeds": seeds, "first_seed": seed, "settle_s": settle, "cells": rows });
            // An axis of words: the cells' x (or y) is the position of its word here.
            if !xa.words.is_empty() {
                v["x_words"] = xa.words.clone().into();
            }
            if let Some(a) = ya.as_ref().filter(|a| !a.words.is_empty()) {
                v["y_words"] = a.words.clone().into();
            }
            outln!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
        }
        Format::Table => {
            outln!("Share of {seeds} seeds that stay down (metastable), judged over the last {settle} s; see `lab sweep --help`.\n");
            let head = if yk.is_empty() { String::new() } else { format!("{yk:>22} ") };
            out!("{head}");
            for v in &xa.values {
                out!(" {:>8}", xa.label(*v));
            }
            outln!("   ← {}", xa.key);
            let ys: Vec<Option<f64>> = ya.as_ref().map_or(vec![None], |a| a.values.iter().map(|v| Some(*v)).collect());
            for yv in ys {
                if let (Some(v), Some(a)) = (yv, &ya) {
                    out!("{:>22} ", a.label(v));
                }
                for c in rows.iter().filter(|c| c.y == yv) {
                    out!(" {:>7.0}%", 100.0 * c.metastable_share);
                }
                outln!();
            }
            outln!(
                "\n{:>10} {:>8} {:>10} {:>10} {:>12} {:>10} {:>8}",
                xa.key.rsplit('.').next().unwrap_or("x"),
                yk.rsplit('.').next().unwrap_or(""),
                "stay down",
                "recover",
                "recovery (s)",
                "amplif.",
                "wasted"
            );
            for c in &rows {
                let rec = c.median_recovery_s.map_or("–".to_string(), |r| format!("{r:.1}"));
                outln!(
                    "{:>10} {:>8} {:>9.0}% {:>9.0}% {:>12} {:>9.2}× {:>7.0}%",
                    xa.label(c.x),
                    ya.as_ref().zip(c.y).map_or(String::new(), |(a, v)| a.label(v)),
                    100.0 * c.metastable_share,
                    100.0 * c.recovered_share,
                    rec,
                    c.mean_amplification,
                    100.0 * c.wasted_share
                );
            }
        }
    }
    Ok(())
}
