//! The parameter groups, as the talk teaches them (load, server, client, limiters). Each
//! control is built from its parameter's one spec (label, unit, range, help, slider or
//! choices), so the page, the CLI and the link notes always agree on what is allowed.

use crate::sim::{Config, params};
use crate::ui::controls::{Choice, Slider, same};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The config of the side being edited.
    pub cfg: Config,
    /// Validation messages by key.
    pub errors: Vec<(String, String)>,
    /// Group ids shown (all when `None`).
    pub groups: Option<Vec<String>>,
    /// Shown under the client group: the mean delay each retry adds.
    pub client_note: AttrValue,
    pub on_change: Callback<(String, String)>,
    /// Whether the help texts have arrived: a change re-renders the controls with them.
    pub texts_ready: bool,
    /// The tier whose server and client the controls edit (0, the edge).
    pub tier: usize,
}

/// One control for `key`, from its spec; a server or client key edits the selected tier.
fn control(key: &str, p: &Props) -> Html {
    let Some(spec) = params::find(key) else { return html! {} };
    let full = if p.tier > 0 && spec.applies == params::Applies::EveryTier { format!("tiers.{}.{key}", p.tier) } else { key.to_string() };
    let key = full.as_str();
    let value = crate::keys::get(&p.cfg, key).unwrap_or_default();
    let error = p.errors.iter().find(|(k, _)| k == key).map(|(_, e)| AttrValue::from(e.clone()));
    match spec.ui {
        params::Ui::Slider { min, max, step } => html! {
            <Slider key_name={full.clone()} label={spec.label} unit={spec.unit} help={format!("{} (allowed {})", spec.help(), spec.range_text())}
                value={crate::sim::params::parse_number(&value).unwrap_or(0.0)} min={min} max={max} step={step} error={error} on_change={p.on_change.clone()} />
        },
        params::Ui::Options(options) => {
            let mut options: Vec<(AttrValue, AttrValue)> = options.iter().map(|(v, l)| (AttrValue::from(*v), AttrValue::from(*l))).collect();
            // A value set by a link or the CLI that no option names is still shown as it is.
            if !options.iter().any(|(v, _)| same(v, &value)) {
                options.push((AttrValue::from(value.clone()), AttrValue::from(format!("{value} {}", spec.unit))));
            }
            html! { <Choice key_name={full.clone()} label={spec.label} help={spec.help()} value={value} options={options} error={error} on_change={p.on_change.clone()} /> }
        }
        params::Ui::Hidden => html! {},
    }
}

#[function_component(ParamGroups)]
pub fn param_groups(p: &Props) -> Html {
    let system = p.cfg.is_system();
    // A group filter from an embed link names the original groups; "system" goes with "server".
    let shown = |g: params::Group| p.groups.as_ref().is_none_or(|gs| gs.iter().any(|x| x == g.filter_id()));
    let legend = |id: &str, legend: &str| match (id, p.tier) {
        ("server", t) if t > 0 => format!("Tier {t}: each host"),
        ("client", t) if t > 0 => format!("Calls into tier {t}"),
        ("limiters", t) if t > 0 => format!("Limiters on calls into tier {t}"),
        ("server", _) if system => "Edge: each host".to_string(),
        ("client", _) if system => "Users' calls into the edge".to_string(),
        _ => legend.to_string(),
    };
    html! {
        // Each group's controls are the parameters whose spec names it, in the table's order.
        { for params::Group::ALL.into_iter().filter(|g| shown(*g)).map(|g| html! {
            <fieldset><legend>{ legend(g.id(), g.name()) }</legend>
              { for params::PARAMS.iter().filter(|x| x.group == Some(g)).map(|x| control(x.key, p)) }
              if g == params::Group::Client { <p class="help-inline" id="mean-delay">{ p.client_note.clone() }</p> }
            </fieldset>
        }) }
    }
}
