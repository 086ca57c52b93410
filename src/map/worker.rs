//! The map's Web Worker: receives a [`crate::map::Job`] as text, runs its cells one after
//! another, and posts each result as `[cell, share of seeds that stay down, median recovery
//! in seconds or NaN, share of seeds that recovered]`, then `[-1]` when done, or `["error", message]`. The page cancels a
//! map by terminating its workers. Built by Trunk as its own wasm (`map-worker`), for speed
//! rather than size: it is fetched only when a map is asked for.

use crate::map::Job;
use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, items: &[JsValue]) {
    let msg: Array = items.iter().collect();
    // A page that went away cannot be told; nothing else to do.
    let _ = scope.post_message(&msg);
}

/// Starts listening; the first message posted says the worker is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |msg: MessageEvent| {
        let text = msg.data().as_string().unwrap_or_default();
        match Job::parse(&text) {
            Ok(job) => {
                for i in job.from..job.to {
                    match job.cell(i) {
                        Ok(c) => post(
                            &reply,
                            &[
                                JsValue::from(i as f64),
                                JsValue::from(c.metastable_share),
                                JsValue::from(c.median_recovery_s.unwrap_or(f64::NAN)),
                                JsValue::from(c.recovered_share),
                            ],
                        ),
                        Err(e) => post(&reply, &[JsValue::from("error"), JsValue::from(e)]),
                    }
                }
                post(&reply, &[JsValue::from(-1.0)]);
            }
            Err(e) => post(&reply, &[JsValue::from("error"), JsValue::from(e)]),
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&scope, &[]);
}
