//! The page's reducer: the pure state of `crate::state`, as yew's `Reducible`, and the state
//! the page opens in (read from its address).

pub use crate::state::{Action, Controls, lab_link_of, link_of};
use std::rc::Rc;
use yew::prelude::*;

impl Reducible for Controls {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Controls::reduce(&self, action))
    }
}

/// A button's click that sends `action` (each panel's buttons use this one).
pub(crate) fn on_click(controls: &UseReducerHandle<Controls>, action: fn() -> Action) -> Callback<MouseEvent> {
    let c = controls.clone();
    Callback::from(move |_: MouseEvent| c.dispatch(action()))
}

/// The state the page opens in: whatever the link says, with what it could not use noted.
pub(crate) fn initial() -> Controls {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    Controls::from_link(&query)
}
