//! The page's panels, one component each.

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
