//! One generic, controlled control per parameter kind. Each shows its label, value and unit,
//! explains itself on hover and focus, and reports changes up as a dotted key and text value,
//! which the reducer validates with the same code as the CLI.

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct SliderProps {
    /// Dotted key, e.g. `client.timeout_ms`; also the element id.
    pub key_name: AttrValue,
    pub label: AttrValue,
    pub unit: AttrValue,
    pub help: AttrValue,
    pub value: f64,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// A validation message to show under the control.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    pub on_change: Callback<(String, String)>,
}

fn fmt(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e12 { format!("{}", v as i64) } else { format!("{v:.2}") }
}

/// A unit as people say it after `v`: "1 tier", "2 tiers", "1 ms" (a count's unit is a plural
/// noun; "ms", "s" and rates stay as they are). Byte tests, not `str` patterns, which cost the
/// page's download.
fn unit_for(v: f64, unit: &str) -> &str {
    let b = unit.as_bytes();
    if v == 1.0 && b.len() > 2 && b[b.len() - 1] == b's' && b.iter().all(|c| *c != b'/') { unit.get(..b.len() - 1).unwrap_or(unit) } else { unit }
}

/// A range slider with a number box beside it, so any allowed value can be typed.
#[function_component(Slider)]
pub fn slider(p: &SliderProps) -> Html {
    let id = p.key_name.replace('.', "-");
    let help_id = format!("{id}-help");
    let key = p.key_name.to_string();
    let onchange = {
        let cb = p.on_change.clone();
        let key = key.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            cb.emit((key.clone(), input.value()));
        })
    };
    let oninput = {
        let cb = p.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            cb.emit((key.clone(), input.value()));
        })
    };
    let shown = format!("{} {}", fmt(p.value), unit_for(p.value, &p.unit));
    html! {
        <div class={classes!("control", p.error.is_some().then_some("invalid"))} title={p.help.clone()}>
            <label for={id.clone()}>{ &p.label }
                <output for={id.clone()}>{ format!(" {shown}") }</output>
            </label>
            <div class="row">
                <input type="range" id={id.clone()} min={p.min.to_string()} max={p.max.to_string()} step={p.step.to_string()}
                    value={p.value.to_string()} aria-describedby={help_id.clone()}
                    aria-valuetext={shown} oninput={oninput} />
                <input type="number" class="num" aria-label={format!("{} in {}", p.label, p.unit)}
                    value={fmt(p.value)} step="any" onchange={onchange} />
            </div>
            <small id={help_id} class="help">{ &p.help }</small>
            if let Some(e) = &p.error { <small class="error" role="alert">{ e }</small> }
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct ChoiceProps {
    pub key_name: AttrValue,
    pub label: AttrValue,
    pub help: AttrValue,
    pub value: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    pub on_change: Callback<(String, String)>,
}

/// Whether an option's value names the current value ("1000" and "1000.0" are the same).
pub fn same(option: &str, value: &str) -> bool {
    option == value || matches!((crate::sim::params::parse_number(option), crate::sim::params::parse_number(value)), (Some(a), Some(b)) if a == b)
}

/// A labelled select for enum-like parameters (and on/off toggles).
#[function_component(Choice)]
pub fn choice(p: &ChoiceProps) -> Html {
    let id = p.key_name.replace('.', "-");
    let key = p.key_name.to_string();
    let cb = p.on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
        cb.emit((key.clone(), sel.value()));
    });
    html! {
        <div class={classes!("control", p.error.is_some().then_some("invalid"))} title={p.help.clone()}>
            <label for={id.clone()}>{ &p.label }</label>
            <select id={id.clone()} onchange={onchange} aria-describedby={format!("{id}-help")}>
                { for p.options.iter().map(|(v, l)| html! { <option value={v.clone()} selected={same(v, &p.value)}>{ l }</option> }) }
            </select>
            <small id={format!("{id}-help")} class="help">{ &p.help }</small>
            if let Some(e) = &p.error { <small class="error" role="alert">{ e }</small> }
        </div>
    }
}
