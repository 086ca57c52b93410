//! A service: serves a call, then calls the tier below it while its worker waits, or answers
//! at once at the bottom of the chain. Every tier of today's systems is one.

use super::{Config, Kind, Next, Stream};

pub(super) struct Service {
    /// The tier it calls, `None` at the bottom.
    pub(super) below: Option<usize>,
}

impl Kind for Service {
    fn served(&mut self, _rng: &mut Stream) -> Next {
        self.below.map_or(Next::Answer, Next::Call)
    }

    fn always(&self) -> Option<Next> {
        Some(self.below.map_or(Next::Answer, Next::Call))
    }

    fn reconfigure(&mut self, _cfg: &Config, _tier: usize) {}
}
