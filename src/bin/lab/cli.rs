//! The CLI proper (native only).

use backoff_lab::explain;
use backoff_lab::keys;
use backoff_lab::report;
use backoff_lab::scenarios;
use backoff_lab::sim::contention::{self, ContentionParams, Strategy};
use backoff_lab::sim::{Config, Fault, Sim, SimTime};
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

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

#[derive(Subcommand)]
enum Command {
    /// Run one simulation and print its summary (and, with --series, its per-window series).
    #[command(after_long_help = keys_help(), after_help = "Run `lab run --help` for every KEY with its unit and default.")]
    Run {
        /// A scenario id (see `lab scenarios`). Default: the model's defaults.
        #[arg(long, conflicts_with = "config")]
        scenario: Option<String>,
        /// A JSON config file, e.g. one the page exported or `lab config` printed.
        #[arg(long)]
        config: Option<std::path::PathBuf>,
        /// KEY=VALUE overrides, applied in order (see the key list below).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Extra faults, KIND[=VALUE]@START..END in seconds: crash@5..10, capacity=0.5@5..10,
        /// slow=4@20..30, errors=0.5@10..12, load=3@30..40.
        #[arg(long = "fault", value_name = "SPEC")]
        faults: Vec<String>,
        /// Seed of every random stream; same config and seed give the same numbers.
        #[arg(long)]
        seed: Option<u64>,
        /// Simulated seconds (overrides duration_s).
        #[arg(long)]
        duration: Option<f64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Print the per-window series as well (table: merged to ~1 s rows; csv/json: every window).
        #[arg(long)]
        series: bool,
    },
    /// Brooker's 2015 contention experiment: calls and completion time per strategy as clients grow.
    Contention {
        /// Client counts: a list (1,10,50) or a range with a step (10..100:10).
        #[arg(long, default_value = "1,5,10,20,30,40,50,60,70,80,90,100")]
        clients: String,
        /// Runs per point.
        #[arg(long, default_value_t = 100)]
        runs: u32,
        /// Strategies: any of none, exponential, full, equal, decorrelated, comma separated.
        #[arg(long, default_value = "none,exponential,full,equal,decorrelated")]
        strategies: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List the scenarios.
    Scenarios,
    /// Print a scenario's (or the default) config as JSON, to edit and run with --config.
    Config {
        #[arg(long)]
        scenario: Option<String>,
    },
}

fn keys_help() -> String {
    format!("Keys for --set (unit in brackets):\n{}", keys::help_text())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { scenario, config, sets, faults, seed, duration, format, series } => {
            run(scenario, config, &sets, &faults, seed, duration, format, series)
        }
        Command::Contention { clients, runs, strategies, seed, format } => contention_cmd(&clients, runs, &strategies, seed, format),
        Command::Scenarios => {
            for s in scenarios::all() {
                println!("{:<20} {}\n{:<20} {}\n", s.id, s.title, "", s.story);
            }
            Ok(())
        }
        Command::Config { scenario } => {
            base_config(scenario.as_deref(), None).and_then(|(c, _)| serde_json::to_string_pretty(&c).map(|s| println!("{s}")).map_err(|e| e.to_string()))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("lab: {msg}");
            ExitCode::from(2)
        }
    }
}

fn base_config(scenario: Option<&str>, file: Option<&std::path::Path>) -> Result<(Config, u64), String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let cfg: Config = serde_json::from_str(&text).map_err(|e| format!("{} is not a valid config: {e}", path.display()))?;
        cfg.validate().map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok((cfg, 1));
    }
    match scenario {
        Some(id) => scenarios::find(id).map(|s| (s.config, s.seed)),
        None => Ok((Config::default(), 1)),
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    scenario: Option<String>,
    file: Option<std::path::PathBuf>,
    sets: &[String],
    faults: &[String],
    seed: Option<u64>,
    duration: Option<f64>,
    format: Format,
    series: bool,
) -> Result<(), String> {
    let (mut cfg, default_seed) = base_config(scenario.as_deref(), file.as_deref())?;
    for s in sets {
        cfg = keys::apply_assignment(&cfg, s).map_err(|e| e.to_string())?;
    }
    for f in faults {
        cfg.faults.push(Fault::parse(f).map_err(|e| e.message)?);
    }
    if let Some(d) = duration {
        cfg = keys::set(&cfg, "duration_s", &d.to_string()).map_err(|e| format!("--duration {d}: {}", e.message))?;
    }
    let seed = seed.unwrap_or(default_seed);
    let mut sim = Sim::new(cfg, seed).map_err(|e| e.to_string())?;
    let summary = sim.run_to_end();
    let windows = sim.windows();
    let recovery = explain::recovery(windows, sim.config(), sim.now());
    match format {
        Format::Table => {
            println!("seed {seed}\n{}", report::summary_table(&summary));
            println!("  {:<28} {}", "time to recovery", recovery.text());
            if series {
                let every = SimTime::from_secs_f64((summary.duration_s / 60.0).max(1.0));
                print!("{}", report::series_table(&report::resample(windows, every)));
            }
        }
        Format::Csv => {
            if series {
                print!("{}", report::series_csv(windows));
            } else {
                print!("{}", report::summary_csv(&summary));
                // Empty when there is nothing to time (no trigger, or not recovered).
                println!("time_to_recovery_s,{}", recovery.seconds().map_or(String::new(), |s| format!("{s}")));
            }
        }
        Format::Json => {
            let mut summary = serde_json::to_value(&summary).map_err(|e| e.to_string())?;
            summary["time_to_recovery_s"] = recovery.seconds().map_or(serde_json::Value::Null, serde_json::Value::from);
            summary["recovery"] = recovery.text().into();
            let mut out = serde_json::json!({ "seed": seed, "config": sim.config(), "summary": summary });
            if series {
                out["series"] = report::series_json(windows);
            }
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

fn parse_clients(s: &str) -> Result<Vec<u32>, String> {
    let bad = || format!("--clients '{s}': write a list like 1,10,50 or a range like 10..100:10 (counts 1 to 10,000)");
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
    let rows = contention::sweep(&strategies, &clients, runs, seed, &ContentionParams::default());
    match format {
        Format::Csv => {
            println!("strategy,clients,mean_calls,mean_time_ms,runs");
            for r in &rows {
                println!("{},{},{:.2},{:.2},{}", r.strategy, r.clients, r.mean_calls, r.mean_time_ms, r.runs);
            }
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?),
        Format::Table => {
            println!("Brooker 2015 contention: base 5 ms, cap 2000 ms, one-way delay |N(10, 2)| ms, {runs} runs per point, seed {seed}\n");
            for (title, f) in [("mean calls (writes)", 0), ("mean completion time (ms)", 1)] {
                println!("{title}");
                print!("{:>8}", "clients");
                for s in &strategies {
                    print!(" {:>13}", s.name());
                }
                println!();
                for &n in &clients {
                    print!("{n:>8}");
                    for s in &strategies {
                        let r = rows.iter().find(|r| r.clients == n && r.strategy == *s);
                        let v = r.map_or(0.0, |r| if f == 0 { r.mean_calls } else { r.mean_time_ms });
                        print!(" {v:>13.1}");
                    }
                    println!();
                }
                println!();
            }
        }
    }
    Ok(())
}
