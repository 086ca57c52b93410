//! Browser glue: the page's address, the clipboard, downloads, local storage, the clock and
//! media queries. Every call degrades quietly when the browser lacks the feature.

use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

pub(crate) fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

pub(crate) fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Offers `href` (a data: URL) as a download named `name`.
pub(crate) fn download(name: &str, href: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

pub(crate) fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub(crate) fn passed(id: &str) -> bool {
    storage().and_then(|s| s.get_item(&format!("backoff-lab.passed.{id}")).ok().flatten()).is_some()
}

pub(crate) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

pub(crate) fn media(q: &str) -> bool {
    web_sys::window().and_then(|w| w.match_media(q).ok().flatten()).is_some_and(|m| m.matches())
}

pub(crate) fn canvas(r: &NodeRef) -> Option<HtmlCanvasElement> {
    r.cast::<HtmlCanvasElement>()
}

/// The page's document.
pub(crate) fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// An element's attribute, or "".
pub(crate) fn attr(e: &web_sys::Element, name: &str) -> String {
    e.get_attribute(name).unwrap_or_default()
}

/// Text for the on-demand panels' HTML: their prose comes from text files and trainers' packs,
/// never markup.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub(crate) fn query_value(name: &str) -> Option<String> {
    web_sys::window().and_then(|w| w.location().search().ok()).and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok()).and_then(|p| p.get(name))
}

pub(crate) fn query_flag(name: &str) -> bool {
    query_value(name).is_some_and(|v| v == "1")
}

/// A duration for people: whole milliseconds, or seconds from 10 s up.
pub(crate) fn fmt_ms(ms: f64) -> String {
    if ms >= 10_000.0 { format!("{:.1} s", ms / 1e3) } else { format!("{ms:.0} ms") }
}

/// Fetches a text file next to the page (relative, so sub-paths work) and calls `done` with
/// it, or with `None` on any failure. Plain promise callbacks, no async executor: the page's
/// download stays smaller.
pub(crate) fn fetch_text(url: &str, done: std::rc::Rc<dyn Fn(Option<String>)>) {
    fetch_tries(url.to_string(), done, 3);
}

/// [`fetch_text`] with `tries` left: a request that fails (a dropped connection, or any answer
/// but a success) is tried again after half a second, then given up.
fn fetch_tries(url: String, done: std::rc::Rc<dyn Fn(Option<String>)>, tries: u32) {
    use wasm_bindgen::JsValue;
    use wasm_bindgen::closure::Closure;
    let Some(w) = web_sys::window() else { return done(None) };
    let done: std::rc::Rc<dyn Fn(Option<String>)> = if tries > 1 {
        let (url, done) = (url.clone(), done);
        std::rc::Rc::new(move |text: Option<String>| match text {
            None => {
                let (url, done) = (url.clone(), done.clone());
                gloo::timers::callback::Timeout::new(500, move || fetch_tries(url, done, tries - 1)).forget();
            }
            text => done(text),
        })
    } else {
        done
    };
    let (ok, failed, refused) = (done.clone(), done.clone(), done.clone());
    let got = Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| ok(text.as_string()));
    let lost = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| failed(None));
    let on_response =
        Closure::once(move |resp: JsValue| match resp.dyn_into::<web_sys::Response>().ok().filter(web_sys::Response::ok).and_then(|r| r.text().ok()) {
            Some(text) => {
                let _ = text.then2(&got, &lost);
                got.forget();
                lost.forget();
            }
            None => done(None),
        });
    let on_error = Closure::once(move |_: JsValue| refused(None));
    let _ = w.fetch_with_str(&url).then2(&on_response, &on_error);
    // Each runs at most once; the page lives as long as they might.
    on_response.forget();
    on_error.forget();
}
