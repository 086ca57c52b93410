//! The page's panels, one file each. The panels `app.rs` lays out once (header, transport,
//! stage, charts, share, map) are plain view functions over a `Props` struct, called from the
//! root's render; the ones with state or hooks of their own are yew function components.
//! A function component costs the page's download about 1 KB, and the six plain panels would
//! cost 5 KB more, of a 250 KB budget with under 2 KB to spare.

pub mod chart_grid;
pub mod contention;
pub mod exercise;
pub mod explorer;
pub mod faults;
pub mod header;
pub mod map_section;
pub mod params;
pub mod share;
pub mod stage;
pub mod topology;
pub mod transport;
