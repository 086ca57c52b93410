//! The page's panels, one component each.

pub mod contention;
pub mod exercise;
pub mod explorer;
pub mod faults;
pub mod params;
pub mod topology;
