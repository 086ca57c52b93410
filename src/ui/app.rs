//! The page's root: it reads what the learner chose (the reducer), starts the running lab and
//! the page's effects (`hooks.rs`), and lays out the panels, one file each (`components/`):
//! header, headline, transport, stage, charts, controls, share, explorer, map, Brooker's
//! experiment.

use super::components::{
    chart_grid, contention::Contention, explorer::Explorer, faults::FaultsPanel, header, map_section, params::ParamGroups, share, stage, transport,
};
use super::headline::Headline;
use super::hooks::*;
use super::state::{Action, initial, lab_link_of, link_of, on_click};
use super::web::*;
use crate::exercises;
use crate::explain;
use crate::report::{self, RunLine};
use crate::scenarios;
use crate::sim::{Fault, FaultKind, SimTime};
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let controls = use_reducer(initial);
    let debug = use_memo((), |_| query_flag("debug"));
    // `?present=1`: presenter mode, before the first chart is drawn; `?drill=ID`: a drill;
    // `?pack=FILE`: a trainer's pack (each panel loads on demand, the pack's checks in it).
    let pack = use_memo((), |_| {
        if query_flag("present") {
            super::PRESENT.set(true);
            crate::ui::panels::request("present");
        }
        // A drill's link hides its trigger (and names the drill in the address) from the first
        // render, not only once its panel has loaded.
        if query_value("drill").is_some() {
            super::DRILL.set(1);
        }
        let pack = query_value("pack").filter(|p| !p.contains(char::is_whitespace));
        if let Some(p) = &pack {
            crate::ui::panels::request(&format!("pack:{p}"));
        }
        pack
    });
    let bench = use_bench_report();
    let texts_ready = use_lessons_text();
    use_exercise_links(&controls, texts_ready, crate::texts::PACKED.get());
    let lab = use_lab(&controls);
    use_map_loads(&controls, &lab);
    // A drill's address names the drill and the seed, never its trigger.
    let link = match (&controls.course, super::DRILL.get()) {
        (Some(id), 1..) => format!("drill={id}&seed={}", controls.seed),
        _ => link_of(&controls),
    };
    // The pack's name stays in the address and in the links shared: its labs and exercises
    // exist only with it. Presenter mode stays on in the address (a reload keeps it), never in
    // the links shared.
    let link = match &*pack {
        Some(p) => format!("{link}&pack={}", crate::url::encode_component(p)),
        None => link,
    };
    let mut address = link.clone();
    // Presenter mode for the same state, pack kept (a drill's address hides its trigger).
    let present_href = format!("?{address}&present=1");
    if super::PRESENT.get() {
        address.push_str("&present=1");
    }
    use_link_in_address(address);

    let cfg = &controls.cfg;
    // The controls show, and change, the side being edited.
    let edit_cfg = match (&controls.compare, controls.editing_b) {
        (Some(b), true) => b,
        _ => cfg,
    };
    // The headline reads the same snapshot the diagram draws.
    let r = lab.runner.borrow();
    let now = r.sim.now();
    let status = r.shown;
    let head = Headline::of(&r.sim, &status);
    let head_b = r.sim_b.as_ref().zip(r.shown_b.as_ref()).map(|(b, st)| Headline::of(b, st));
    let stats = r.stats;
    let to_end = r.to_end;
    let (tiers, tiers_b) = (r.shown_tiers.clone(), r.shown_tiers_b.clone());
    let exercise = controls.exercise.as_deref().and_then(exercises::find);
    let check = exercise.as_ref().map(|e| e.check(&r.sim));
    // The run report, while the run stands still (paused, or at its end): whole-run figures; not
    // in an embedded lab, whose frame has no room for it.
    let report = (!controls.playing && !controls.embed && now > SimTime::ZERO).then(|| {
        let sims = [Some(&r.sim), r.sim_b.as_ref()];
        let hosts = sims.iter().flatten().any(|s| s.config().tier(controls.tier).is_some_and(|(server, ..)| server.hosts > 1));
        // A drill's report has no "while the trigger was on" lines until its debrief.
        let of = |s: &crate::sim::Sim| {
            let mut lines = report::run_report(s, controls.tier, hosts);
            lines.retain(|l| !(super::trigger_hidden() && l.id.ends_with("-trigger")));
            lines
        };
        (of(&r.sim), r.sim_b.as_ref().map(of))
    });
    // The course step's figure, read from this run (the course panel reveals it).
    let course_measured = controls.course.as_deref().map(|id| crate::course::measured(id, &r.sim));
    // A drill's panel reads the clock and when its changes went live, in microseconds.
    let plans = r.sim.plan_times().iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(",");
    if controls.course.is_none() {
        super::DRILL.set(0);
    }
    drop(r);
    use_effect_with(controls.course.is_some(), |on| {
        if *on {
            crate::ui::panels::request("course");
        }
    });
    use_remember_pass(controls.exercise.clone(), check.as_ref().and_then(|c| c.passed) == Some(true));

    let on_key = {
        let c = controls.clone();
        Callback::from(move |(k, v): (String, String)| c.dispatch(Action::SetKey(k, v)))
    };
    let on_tier = {
        let c = controls.clone();
        Callback::from(move |t: usize| c.dispatch(Action::SelectTier(t)))
    };
    let act = |a: fn() -> Action| on_click(&controls, a);
    // A fault starts at the chosen time, or now when none (or one in the past) is chosen.
    let on_fault = {
        let c = controls.clone();
        let runner = lab.runner.clone();
        Callback::from(move |(kind, value, secs, at): (FaultKind, f64, f64, Option<f64>)| {
            let now = runner.borrow().sim.now().as_secs_f64();
            // To the next tenth of a second: the fault list and the link read "@2.4..12.4".
            let start = (at.filter(|t| *t >= now).unwrap_or(now) * 10.0).ceil() / 10.0;
            c.dispatch(Action::AddFault(Fault { kind, start_s: start, end_s: start + secs, value }));
        })
    };

    // The map panel is fetched when the learner opens it.
    let map_open = use_state(|| false);
    let on_open = {
        let map_open = map_open.clone();
        Callback::from(move |_: MouseEvent| {
            crate::ui::panels::request("map");
            map_open.set(true);
        })
    };
    let show = |g: &str| controls.groups.as_ref().is_none_or(|gs| gs.iter().any(|x| x == g));
    let full_url = format!("{}?{}", page_base(), link);
    // The full lab: the same state, with every control and no embedding.
    let full_lab_link = {
        let mut full = (*controls).clone();
        full.embed = false;
        full.groups = None;
        link_of(&full)
    };
    let mut embed_state = (*controls).clone();
    embed_state.embed = true;
    let title = exercise
        .as_ref()
        .map(|e| e.title.clone())
        .or_else(|| scenarios::find(&controls.scenario).ok().map(|s| s.title.to_string()))
        .unwrap_or_else(|| "Backoff Lab".into());
    let snippet = format!(
        "<iframe src=\"{}?{}\" width=\"100%\" height=\"680\" style=\"border:0\" loading=\"lazy\" title=\"Backoff Lab: {}\"></iframe>",
        page_base(),
        // A drill embeds as its own link (the trigger stays hidden in the frame too).
        if super::DRILL.get() > 0 { format!("{link}&embed=1") } else { link_of(&embed_state) },
        // Exercise titles come from text (and trainers' packs): escaped for the attribute.
        title.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
    );
    // The on-demand panels read the lab without its exercise (they do not carry the exercises).
    let lab_link = lab_link_of(&controls);

    // The explorer follows the selected tier: the policy of the calls into it.
    let tier_client = controls.cfg.tier(controls.tier).map_or_else(|| controls.cfg.client.clone(), |(_, c, _)| c.clone());
    let delays = use_memo(tier_client, |c| explain::delay_report(c, 2_000));
    // Side B's own mean delays sit beside its jitter choice while it is edited; side A's report
    // serves otherwise, so it is not sampled twice.
    let b_delays = use_memo(controls.compare.as_ref().map(|b| b.tier(controls.tier).map_or_else(|| b.client.clone(), |(_, c, _)| c.clone())), |c| {
        c.as_ref().map(|c| std::rc::Rc::new(explain::delay_report(c, 2_000)))
    });
    // The explorer, like the controls, shows the side being edited.
    let shown_delays = match (controls.editing_b, b_delays.as_ref()) {
        (true, Some(b)) => b.clone(),
        _ => delays.clone(),
    };
    let edit_delays = &*shown_delays;
    let explorer_for = {
        let calls = cfg.is_system().then(|| {
            format!(
                "the calls {} make{} into {}",
                explain::tier_callers(controls.tier),
                if controls.tier == 0 { "" } else { "s" },
                explain::tier_name(cfg, controls.tier)
            )
        });
        match (controls.compare.is_some(), calls) {
            (true, calls) => Some(format!("side {}: {}", if controls.editing_b { "B" } else { "A" }, calls.unwrap_or_else(|| "the users' calls".into()))),
            (false, calls) => calls,
        }
    };

    // The course panel (in the on-demand panels' wasm) draws into `#course-panel` and reads
    // the step, the lab and the figure from these attributes.
    let course = controls.course.as_ref().map_or_else(Html::default, |id| {
        html! {
          <section id="course" class="course" aria-label="Course step" data-step={id.clone()} data-link={if super::trigger_hidden() { String::new() } else { lab_link.clone() }}
            data-measured={course_measured.clone().unwrap_or_default()} data-now={now.0.to_string()} data-plans={plans.clone()}>
            <div id="course-panel" />
          </section>
        }
    });

    // "loaded" once the texts are in and an exercise link has been read again with them: from
    // then on the page shows the exercise's lab, not the default one (the browser tests wait on it).
    html! {
      <main class={classes!(controls.embed.then_some("embed"))} data-texts={if texts_ready && exercise.as_ref().is_none_or(|e| e.scenario == controls.scenario) { "loaded" } else { "loading" }}>
        { header::view(&header::Props { controls: controls.clone(), check: check.clone(), started: now > SimTime::ZERO, texts_ready, full_lab_link, present_href, course }) }

        <section class="headline" aria-live="polite">
          <div class="headline-row">{ head.html(if head_b.is_some() { "A" } else { "" }) }</div>
          if let Some(hb) = &head_b { <div class="headline-row" id="headline-b">{ hb.html("B") }</div> }
          if status.live_cap_reached { <div class="warn" role="alert">{ crate::texts::text("ui.live-cap") }</div> }
        </section>

        { transport::view(&transport::Props { controls: controls.clone(), lab: lab.clone(), now_s: now.as_secs_f64(), to_end }) }

        { stage::view(&stage::Props { lab: lab.clone(), cfg, tier: controls.tier, tiers, tiers_b,
          levels: (status.queue, status.busy, status.capacity), levels_b: head_b.as_ref().map(|h| (h.queue, h.busy, h.capacity)), on_tier }) }

        { chart_grid::view(&chart_grid::Props { lab: lab.clone(), tier: controls.tier, ramps: !cfg.load.ramps.is_empty(), periodic: cfg.load.periodic.clients > 0 }) }

        if let Some((a, b)) = &report { { report_view(now.as_secs_f64(), a, b.as_deref()) } }

        <section class="controls">
          if controls.compare.is_some() {
            <div class="edit-side" role="group" aria-label="Which side the controls change">
              { "Controls change: " }
              <button id="edit-a" aria-pressed={(!controls.editing_b).to_string()} onclick={act(|| Action::EditSide(false))}>{ "A" }</button>
              <button id="edit-b" aria-pressed={controls.editing_b.to_string()} onclick={act(|| Action::EditSide(true))}>{ "B" }</button>
              <small class="help-inline">{ crate::texts::text("ui.compare.caption") }</small>
            </div>
          }
          if show("faults") {
            <FaultsPanel faults={crate::ui::charts::fault_list(cfg)} on_add={on_fault} on_clear={{ let c = controls.clone(); Callback::from(move |_| c.dispatch(Action::ClearFaults)) }} />
          }
          <ParamGroups cfg={edit_cfg.clone()} errors={controls.errors.clone()} groups={controls.groups.clone()}
            client_note={mean_delay_text(edit_delays)} on_change={on_key} texts_ready={texts_ready} tier={controls.tier} />
          if !controls.embed {
            { share::view(&share::Props { lab: lab.clone(), url: full_url, snippet, link: &lab_link,
              side_b: controls.editing_b && controls.compare.is_some(), seed: controls.seed }) }
          }
        </section>

        if !controls.embed {
        <Explorer report={shown_delays.clone()} canvas={lab.canvases.delays.clone()} tier={explorer_for} {texts_ready} />
        { map_section::view(&map_section::Props { link: lab_link.clone(), open: *map_open, on_open }) }
        <Contention seed={controls.seed} texts_ready={texts_ready} />
        }

        if let Some(b) = &bench { <pre id="bench">{ b }</pre> }
        if *debug {
          <aside class="debug" id="debug" data-p95={stats.p95_ms.to_string()}>{ format!("frame {:.2} ms (p95 {:.2}) · engine {:.2} ms · {:.2} M events/s{}", stats.frame_ms, stats.p95_ms, stats.engine_ms, stats.events_per_s / 1e6, if stats.behind { " · behind" } else { "" }) }</aside>
        }
      </main>
    }
}

/// The mean delay each retry adds under the current policy, shown beside the jitter choice so
/// that two jitters are compared at the mean wait they really add.
fn mean_delay_text(d: &explain::DelayReport) -> String {
    if d.retries.is_empty() {
        return "No retries (max attempts 1).".into();
    }
    let parts: Vec<String> = d.retries.iter().take(5).map(|r| format!("#{} {}", r.retry, fmt_ms(r.mean_ms))).collect();
    let more = if d.retries.len() > 5 { " …" } else { "" };
    format!("Mean added delay per retry: {}{more}", parts.join(" · "))
}

/// The run report: every line of side A, and of side B beside it when comparing, with what
/// each counts written under its name (hover is no help on a phone).
fn report_view(now_s: f64, a: &[RunLine], b: Option<&[RunLine]>) -> Html {
    // Every line of either side, in order: the trigger's lines are there only for a side whose
    // trigger has ended (hosts on both when either has several). A side without a line shows "–".
    let mut rows: Vec<&RunLine> = a.iter().collect();
    let b_lines = b.unwrap_or_default();
    for (i, x) in b_lines.iter().enumerate() {
        if !rows.iter().any(|r| r.id == x.id) {
            let after = i.checked_sub(1).and_then(|p| rows.iter().position(|r| r.id == b_lines[p].id));
            rows.insert(after.map_or(0, |k| k + 1), x);
        }
    }
    let cell = |side: &[RunLine], id: &str| side.iter().find(|x| x.id == id).map_or_else(|| html! { "–" }, |x| parts(&x.value));
    html! {
        <section class="report" id="report" aria-label="Run report">
          <h2>{ format!("The whole run so far: 0 to {now_s:.1} s") }</h2>
          <table class={classes!(b.is_some().then_some("two"))}>
            if b.is_some() { <thead><tr><th></th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th></tr></thead> }
            <tbody>
              { for rows.iter().map(|l| html! {
                <tr>
                  <th scope="row">{ l.label }<small>{ crate::texts::text(&format!("ui.{}", l.id)) }</small></th>
                  <td id={l.id}>{ cell(a, l.id) }</td>
                  if let Some(b) = b { <td id={format!("{}-b", l.id)}>{ cell(b, l.id) }</td> }
                </tr>
              }) }
            </tbody>
          </table>
        </section>
    }
}

/// A report value's parts (" · " between tiers, hosts or outcomes), one a line.
fn parts(value: &str) -> Html {
    value.split(" · ").map(|p| html! { <span>{ p.to_string() }</span> }).collect()
}
