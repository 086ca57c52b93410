//! The page's one component: it wires the reducer, the runner and the browser together and
//! lays out the panels (header, headline, transport, stage, charts, controls, explorer).

use super::bench::measure_engine;
use super::charts;
use super::components::{contention::Contention, exercise::ExercisePanel, explorer::Explorer, faults::FaultsPanel, params::ParamGroups, topology::Topology};
use super::headline::Headline;
use super::runner::*;
use super::state::{Action, initial, link_of};
use super::system;
use super::web::*;
use crate::exercises;
use crate::explain;
use crate::report;
use crate::scenarios;
use crate::sim::{Config, Fault, FaultKind, Sim, SimTime};
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let controls = use_reducer(initial);
    let debug = use_memo((), |_| query_flag("debug"));
    let bench = use_state(|| None::<String>);
    // The lessons' prose arrives after the first paint; the page works without it meanwhile.
    let texts_ready = use_state(crate::texts::loaded);
    {
        let texts_ready = texts_ready.clone();
        use_effect_with((), move |_| {
            fetch_text(
                "lessons.txt",
                std::rc::Rc::new(move |src: Option<String>| match src {
                    Some(src) => {
                        crate::texts::load(&src);
                        texts_ready.set(true);
                    }
                    None => gloo::console::warn!("lessons.txt could not be loaded: stories and hints are not shown"),
                }),
            );
        });
    }
    {
        let bench = bench.clone();
        use_effect_with((), move |_| {
            if query_flag("bench") {
                // Let the page paint first, then measure.
                gloo::timers::callback::Timeout::new(50, move || bench.set(Some(measure_engine()))).forget();
            }
        });
    }
    let canvases = use_memo((), |_| Canvases {
        system: NodeRef::default(),
        system_b: NodeRef::default(),
        charts: charts::CHARTS.iter().map(|_| NodeRef::default()).collect(),
        delays: NodeRef::default(),
        phase: NodeRef::default(),
        hysteresis: NodeRef::default(),
    });
    let runner = use_mut_ref(|| Runner {
        sim: Sim::new(controls.cfg.clone(), controls.seed).or_else(|_| Sim::new(Config::default(), 1)).unwrap_or_else(|_| unreachable!("defaults are valid")),
        anim: system::Animation::default(),
        sim_b: controls.compare.clone().and_then(|b| Sim::new(b, controls.seed).ok()),
        anim_b: system::Animation::default(),
        last_ts: None,
        last_chart_ms: 0.0,
        chart_turn: 0,
        stats: FrameStats::default(),
        frame_times: std::collections::VecDeque::with_capacity(FRAME_HISTORY),
        frame: None,
        shown: Sim::new(Config::default(), 1).map(|s| s.status()).unwrap_or_else(|_| unreachable!("defaults are valid")),
        shown_b: None,
        to_end: None,
        cancel_to_end: false,
        tier: controls.tier,
        shown_tiers: Vec::new(),
        shown_tiers_b: Vec::new(),
    });
    let update = use_force_update();
    let redraw = {
        let update = update.clone();
        use_callback((), move |_: (), _| update.force_update())
    };

    // A new epoch starts the simulation over with the current config and seed.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let (cfg, cfg_b, seed) = (controls.cfg.clone(), controls.compare.clone(), controls.seed);
        use_effect_with(controls.epoch, move |_| {
            let mut r = runner.borrow_mut();
            match Sim::new(cfg, seed) {
                Ok(sim) => r.sim = sim,
                Err(e) => gloo::console::error!(format!("could not restart: {e}")),
            }
            r.sim_b = cfg_b.and_then(|b| Sim::new(b, seed).ok());
            let tier = r.tier;
            r.follow_tier(tier);
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
        });
    }
    // Parameter changes apply live, from the current simulated time.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        use_effect_with((controls.cfg.clone(), controls.compare.clone()), move |(cfg, cfg_b)| {
            let mut r = runner.borrow_mut();
            if r.sim.config() != cfg {
                if let Err(e) = r.sim.set_config(cfg.clone()) {
                    gloo::console::error!(format!("rejected parameters: {e}"));
                }
            }
            if let (Some(b), Some(cb)) = (r.sim_b.as_mut(), cfg_b) {
                if b.config() != cb {
                    if let Err(e) = b.set_config(cb.clone()) {
                        gloo::console::error!(format!("rejected parameters: {e}"));
                    }
                }
            }
            r.snap();
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            redraw.emit(());
        });
    }
    // The selected tier's headline, diagram and charts (its snapshot is taken after the render
    // that changed the tier, so the page renders once more with it).
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        use_effect_with(controls.tier, move |t| {
            let mut r = runner.borrow_mut();
            let changed = r.tier != *t;
            r.follow_tier(*t);
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            drop(r);
            if changed {
                redraw.emit(());
            }
        });
    }
    // Playing runs the frame loop; pausing drops the frame handle, which cancels it.
    {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let redraw = redraw.clone();
        let c = controls.clone();
        let stop = Callback::from(move |_: ()| c.dispatch(Action::Pause));
        use_effect_with((controls.playing, controls.speed.to_bits()), move |(playing, bits)| {
            runner.borrow_mut().last_ts = None;
            if *playing {
                schedule(runner.clone(), canvases, f64::from_bits(*bits), redraw, stop);
            }
            let r = runner.clone();
            move || {
                r.borrow_mut().frame = None;
            }
        });
    }

    // The link always holds the current state (written in an effect, never in the reducer).
    {
        let link = link_of(&controls);
        use_effect_with(link, move |link| {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{link}")));
            }
        });
    }

    let on_key = {
        let c = controls.clone();
        Callback::from(move |(k, v): (String, String)| c.dispatch(Action::SetKey(k, v)))
    };
    let on_tier = {
        let c = controls.clone();
        Callback::from(move |t: usize| c.dispatch(Action::SelectTier(t)))
    };
    let cfg = &controls.cfg;
    // The controls show, and change, the side being edited.
    let edit_cfg = match (&controls.compare, controls.editing_b) {
        (Some(b), true) => b,
        _ => cfg,
    };
    // The headline reads the same snapshot the diagram draws.
    let r = runner.borrow();
    let now = r.sim.now();
    let status = r.shown;
    let head = Headline::of(&r.sim, &status);
    let head_b = r.sim_b.as_ref().zip(r.shown_b.as_ref()).map(|(b, st)| Headline::of(b, st));
    let stats = r.stats;
    let to_end = r.to_end;
    let (tiers, tiers_b) = (r.shown_tiers.clone(), r.shown_tiers_b.clone());
    let exercise = controls.exercise.as_deref().and_then(exercises::find);
    let check = exercise.as_ref().map(|e| e.check(&r.sim));
    drop(r);
    // A passed exercise is remembered in this browser.
    {
        let done = check.as_ref().and_then(|c| c.passed) == Some(true);
        use_effect_with((controls.exercise.clone(), done), |(id, done)| {
            if let (Some(id), true) = (id, *done) {
                if let Some(s) = storage() {
                    let _ = s.set_item(&format!("backoff-lab.passed.{id}"), "1");
                }
            }
        });
    }
    // The map panel is its own wasm, fetched when the learner opens it; a cell it sends back
    // ("lab-load", a link) loads into the lab.
    let map_open = use_state(|| false);
    let on_open_map = {
        let map_open = map_open.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                if let (Ok(script), Some(body)) = (doc.create_element("script"), doc.body()) {
                    let _ = script.set_attribute("src", "map-panel.js");
                    let _ = script.set_attribute("onload", "wasm_bindgen('map-panel_bg.wasm')");
                    let _ = body.append_child(&script);
                }
            }
            map_open.set(true);
        })
    };
    {
        let c = controls.clone();
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                let (state, _) = crate::url::decode(&e.detail().as_string().unwrap_or_default());
                c.dispatch(Action::LoadConfig(state.config));
            });
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                let _ = doc.add_event_listener_with_callback("lab-load", wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()));
            }
            listener.forget();
        });
    }
    let show = |g: &str| controls.groups.as_ref().is_none_or(|gs| gs.iter().any(|x| x == g));
    let link = link_of(&controls);
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
    let title = exercise.as_ref().map(|e| e.title).or_else(|| scenarios::find(&controls.scenario).ok().map(|s| s.title)).unwrap_or("Backoff Lab");
    let snippet = format!(
        "<iframe src=\"{}?{}\" width=\"100%\" height=\"680\" style=\"border:0\" loading=\"lazy\" title=\"Backoff Lab: {}\"></iframe>",
        page_base(),
        link_of(&embed_state),
        title
    );

    // The explorer follows the selected tier: the policy of the calls into it.
    let tier_client = controls.cfg.tier(controls.tier).map_or_else(|| controls.cfg.client.clone(), |(_, c, _)| c.clone());
    let delays = use_memo(tier_client, |c| explain::delay_report(c, 2_000));
    // Side B's own mean delays sit beside its jitter choice while it is edited; side A's report
    // serves otherwise, so it is not sampled twice.
    let b_delays = use_memo(controls.compare.as_ref().map(|b| b.client.clone()), |c| c.as_ref().map(|c| explain::delay_report(c, 2_000)));
    let edit_delays = match (controls.editing_b, b_delays.as_ref()) {
        (true, Some(b)) => b,
        _ => &*delays,
    };

    let c = controls.clone();
    let on_scenario = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        c.dispatch(Action::LoadScenario(sel.value()));
    });
    let act = |a: fn() -> Action| {
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| c.dispatch(a()))
    };
    let c = controls.clone();
    let on_speed = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        if let Some(s) = crate::sim::params::parse_number(&sel.value()) {
            c.dispatch(Action::SetSpeed(s));
        }
    });
    let c = controls.clone();
    let on_seed = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Ok(s) = input.value().trim().parse() {
            c.dispatch(Action::SetSeed(s));
        }
    });
    let c = controls.clone();
    let on_random_seed = Callback::from(move |_: MouseEvent| {
        let mut b = [0u8; 8];
        if getrandom::fill(&mut b).is_ok() {
            c.dispatch(Action::SetSeed(u64::from_le_bytes(b) % 1_000_000_000));
        }
    });
    let on_step = {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let update = update.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            c.dispatch(Action::Pause);
            let mut r = runner.borrow_mut();
            let t = r.sim.now().saturating_add(SimTime::from_millis(100));
            while !r.advance(t, FRAME_BUDGET, now_ms()).reached {}
            r.snap();
            draw_charts(&canvases, &r);
            draw_system(&canvases, &r);
            update.force_update();
        })
    };
    let on_run_to_end = {
        let runner = runner.clone();
        let canvases = canvases.clone();
        let update = update.clone();
        let c = controls.clone();
        Callback::from(move |_: MouseEvent| {
            // A second press while it runs cancels it.
            if runner.borrow().to_end.is_some() {
                runner.borrow_mut().cancel_to_end = true;
                return;
            }
            c.dispatch(Action::Pause);
            runner.borrow_mut().to_end = Some(0.0);
            run_to_end_chunked(runner.clone(), canvases.clone(), update.clone());
        })
    };
    // A fault starts at the chosen time, or now when none (or one in the past) is chosen.
    let on_fault = {
        let c = controls.clone();
        let runner = runner.clone();
        Callback::from(move |(kind, value, secs, at): (FaultKind, f64, f64, Option<f64>)| {
            let now = runner.borrow().sim.now().as_secs_f64();
            let start = at.filter(|t| *t >= now).unwrap_or(now);
            c.dispatch(Action::AddFault(Fault { kind, start_s: start, end_s: start + secs, value }));
        })
    };
    let on_copy_link = {
        let u = full_url.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&u))
    };
    let on_copy_embed = {
        let sn = snippet.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&sn))
    };
    let on_csv = {
        let runner = runner.clone();
        Callback::from(move |_: MouseEvent| {
            let csv = report::series_csv(runner.borrow().sim.windows());
            download("backoff-lab-series.csv", &data_url("text/csv", &csv));
        })
    };
    let on_json = {
        let cfg = controls.cfg.clone();
        Callback::from(move |_: MouseEvent| {
            let mut c = cfg.clone();
            c.metrics.trace_capacity = 0;
            download("backoff-lab-config.json", &data_url("application/json", &crate::keys::config_json(&c)));
        })
    };
    let on_png = {
        let canvases = canvases.clone();
        Callback::from(move |_: MouseEvent| {
            let grid = charts::CHARTS.iter().map(|c| c.id).zip(canvases.charts.iter());
            for (name, r) in grid.chain([("delays", &canvases.delays)]) {
                if let Some(url) = canvas(r).and_then(|c| c.to_data_url().ok()) {
                    download(&format!("backoff-lab-{name}.png"), &url);
                }
            }
        })
    };
    let c = controls.clone();
    let on_exercise = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        let v = sel.value();
        c.dispatch(if v.is_empty() { Action::LeaveExercise } else { Action::StartExercise(v) });
    });

    let scenario = scenarios::find(&controls.scenario).ok();

    html! {
      <main class={classes!(controls.embed.then_some("embed"))} data-texts={if *texts_ready { "loaded" } else { "loading" }}>
        <header>
          <h1>{ "Backoff Lab" }</h1>
          if controls.embed {
            <a class="open-full" href={format!("{}?{}", page_base(), full_lab_link)} target="_blank" rel="noopener">{ "Open the full lab ↗" }</a>
          } else {
            <p class="lede">{ "Why services fall over under load, and how retries, backoff and jitter save them or finish them off." }</p>
          }
          if !controls.notes.is_empty() {
            <div class="notes" role="alert" id="link-notes">
              <strong>{ "Parts of this link could not be used:" }</strong>
              <ul>{ for controls.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
              <button onclick={act(|| Action::DismissNotes)}>{ "Dismiss" }</button>
            </div>
          }
          if let (Some(e), Some(chk)) = (&exercise, &check) {
            <ExercisePanel key={e.id} id={e.id} check={chk.clone()} started={now > SimTime::ZERO} playing={controls.playing} texts_ready={*texts_ready}
              on_apply={{ let c = controls.clone(); Callback::from(move |_| c.dispatch(Action::ApplySolution)) }} />
          }
          <div class="scenario">
            <label for="scenario">{ "Scenario " }</label>
            <select id="scenario" onchange={on_scenario}>
              { for scenarios::all().iter().map(|s| html! { <option value={s.id} selected={s.id == controls.scenario}>{ s.title }</option> }) }
            </select>
            if !controls.embed {
              <label for="exercise-pick">{ "Exercise " }</label>
              <select id="exercise-pick" onchange={on_exercise}>
                <option value="" selected={controls.exercise.is_none()}>{ "— none —" }</option>
                { for exercises::all().iter().map(|e| html! { <option value={e.id} selected={controls.exercise.as_deref() == Some(e.id)}>{ format!("{}{}", if passed(e.id) || (controls.exercise.as_deref() == Some(e.id) && check.as_ref().and_then(|c| c.passed) == Some(true)) { "✓ " } else { "" }, e.title) }</option> }) }
              </select>
            }
            if let (Some(s), None) = (scenario, &exercise) { <p class="story">{ s.story() } <strong>{ " Look for: " }</strong>{ s.look_for() }</p> }
          </div>
        </header>

        <section class="headline" aria-live="polite">
          <div class="headline-row">{ head.html(if head_b.is_some() { "A" } else { "" }) }</div>
          if let Some(hb) = &head_b { <div class="headline-row" id="headline-b">{ hb.html("B") }</div> }
          if status.live_cap_reached { <div class="warn" role="alert">{ "Live cap reached: some requests were shed. Raise metrics.max_live to see the full load." }</div> }
        </section>

        <section class="transport" aria-label="Transport">
          <button id="play" onclick={act(|| Action::TogglePlay)} aria-pressed={controls.playing.to_string()}>{ if controls.playing { "Pause" } else { "▶ Play" } }</button>
          <button id="step" onclick={on_step} title="Advance 100 ms of simulated time">{ "Step 100 ms" }</button>
          <label for="speed">{ "Speed " }</label>
          <select id="speed" onchange={on_speed}>
            { for [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0].iter().map(|s| html! { <option value={s.to_string()} selected={*s == controls.speed}>{ format!("{s}×") }</option> }) }
          </select>
          <button id="run-to-end" onclick={on_run_to_end} title={format!("Simulate to {} s", cfg.duration_s)}>
            { to_end.map_or("Run to end".to_string(), |f| format!("Cancel ({:.0} %)", 100.0 * f)) }</button>
          <button id="reset" onclick={act(|| Action::Reset)}>{ "Reset" }</button>
          <label for="seed">{ "Seed " }</label>
          <input id="seed" type="number" value={controls.seed.to_string()} onchange={on_seed} />
          <button id="random-seed" onclick={on_random_seed}>{ "New random seed" }</button>
          if controls.compare.is_some() {
            <button id="compare" onclick={act(|| Action::StopCompare)}>{ "Stop comparing" }</button>
          } else {
            <button id="compare" onclick={act(|| Action::StartCompare)} title="Run a second copy on the same seed and arrivals; change anything on side B">{ "Compare side by side" }</button>
          }
          <span class="clock" id="clock">{ format!("t = {:.1} s", now.as_secs_f64()) }</span>
        </section>

        <section class="stage">
          if head_b.is_some() { <p class="side-caption">{ "A" }</p> }
          if !tiers.is_empty() {
            <Topology tiers={tiers.clone()} selected={controls.tier} side="" on_select={on_tier.clone()} />
            <p class="side-caption" id="diagram-tier">{ format!("Below: {}, all its hosts together, as {} call{} it", explain::tier_name(cfg, controls.tier), explain::tier_callers(controls.tier), if controls.tier == 0 { "" } else { "s" }) }</p>
          }
          <canvas ref={canvases.system.clone()} class="system" id="system" role="img"
            aria-label={format!("Callers send to {}: a queue of {} and {} of {} workers busy", explain::tier_name(cfg, controls.tier), status.queue, status.busy, status.capacity)} />
          if let Some(hb) = &head_b {
            <p class="side-caption">{ "B" }</p>
            if !tiers_b.is_empty() { <Topology tiers={tiers_b.clone()} selected={controls.tier} side="b" on_select={on_tier.clone()} /> }
            <canvas ref={canvases.system_b.clone()} class="system" id="system-b" role="img"
              aria-label={format!("Side B: a queue of {} and {} of {} workers busy", hb.queue, hb.busy, hb.capacity)} />
          }
          <p class="legend">
            <span class="sw" style="background:#0072B2"></span>{ "first try " }
            <span class="sw" style="background:#E69F00"></span>{ "1st retry " }
            <span class="sw" style="background:#D55E00"></span>{ "2nd retry " }
            <span class="sw" style="background:#CC79A7"></span>{ "3rd+ " }
            <span class="sw" style="background:#009E73"></span>{ "success " }{ "✕ timeout ▲ rejected ○ wasted work" }
          </p>
        </section>

        <section class="charts">
          if controls.tier > 0 { <p class="side-caption" id="charts-tier">{ format!("Tier {} as {} sees it: the calls into it, their latency, its queue", controls.tier, explain::tier_callers(controls.tier)) }</p> }
          { for charts::CHARTS.iter().zip(canvases.charts.iter()).map(|(c, r)| html! {
              <canvas ref={r.clone()} id={format!("chart-{}", c.id)} role="img" aria-label={c.label} />
          }) }
          if !cfg.load.ramps.is_empty() {
            <canvas ref={canvases.hysteresis.clone()} id="chart-hysteresis" role="img" aria-label="Goodput against offered load as the load rises and falls" />
          }
          if cfg.load.periodic.clients > 0 {
            <canvas ref={canvases.phase.clone()} id="chart-phase" role="img" aria-label="Share of first tries at each point within the period of periodic work" />
          }
        </section>

        <section class="controls">
          if controls.compare.is_some() {
            <div class="edit-side" role="group" aria-label="Which side the controls change">
              { "Controls change: " }
              <button id="edit-a" aria-pressed={(!controls.editing_b).to_string()} onclick={act(|| Action::EditSide(false))}>{ "A" }</button>
              <button id="edit-b" aria-pressed={controls.editing_b.to_string()} onclick={act(|| Action::EditSide(true))}>{ "B" }</button>
              <small class="help-inline">{ "Both sides share the seed, the arrivals and the faults. Paler lines in the charts are B." }</small>
            </div>
          }
          if show("faults") {
            <FaultsPanel faults={cfg.faults.iter().map(ToString::to_string).chain(cfg.tier_faults.iter().map(ToString::to_string)).collect::<Vec<_>>()} on_add={on_fault} on_clear={{ let c = controls.clone(); Callback::from(move |_| c.dispatch(Action::ClearFaults)) }} />
          }
          <ParamGroups cfg={edit_cfg.clone()} errors={controls.errors.clone()} groups={controls.groups.clone()}
            client_note={mean_delay_text(edit_delays)} on_change={on_key} texts_ready={*texts_ready} tier={controls.tier} />
          if !controls.embed {
          <fieldset class="share"><legend>{ "Share and export" }</legend>
            <button id="copy-link" onclick={on_copy_link}>{ "Copy link" }</button>
            <button id="copy-embed" onclick={on_copy_embed}>{ "Copy embed snippet" }</button>
            <label for="share-link" class="help-inline">{ "Link" }</label>
            <input id="share-link" readonly=true value={full_url.clone()} />
            <label for="embed-snippet" class="help-inline">{ "Embed snippet" }</label>
            <textarea id="embed-snippet" readonly=true rows="3" value={snippet.clone()} />
            <button id="export-csv" onclick={on_csv}>{ "Series (CSV)" }</button>
            <button id="export-json" onclick={on_json}>{ "Config (JSON)" }</button>
            <button id="export-png" onclick={on_png}>{ "Charts (PNG)" }</button>
            <small class="help-inline">{ "The JSON runs in the CLI: lab run --config FILE --seed " }{ controls.seed }</small>
          </fieldset>
          }
        </section>

        if !controls.embed {
        <Explorer report={delays.clone()} canvas={canvases.delays.clone()}
          tier={cfg.is_system().then(|| format!("the calls {} make{} into {}", explain::tier_callers(controls.tier), if controls.tier == 0 { "" } else { "s" }, explain::tier_name(cfg, controls.tier)))} />
        <section class="map" aria-labelledby="map-h">
          <h2 id="map-h">{ "Where does it tip? A map of this lab" }</h2>
          if !*map_open { <button id="map-open" onclick={on_open_map}>{ "Open the map" }</button> }
          // Filled by the map panel's own wasm (src/panel.rs), which reads the lab from data-link.
          <div id="map-panel" data-link={link.clone()} />
        </section>
        <Contention seed={controls.seed} texts_ready={*texts_ready} />
        }

        if let Some(b) = &*bench { <pre id="bench">{ b }</pre> }
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
