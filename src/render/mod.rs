//! Catalog → pages. Every function here is pure: it returns bytes for a path
//! and leaves writing (and its atomicity) to `site`.

pub mod diagrams;
pub mod directives;
pub mod feeds;
pub(crate) mod footprint;
pub mod highlight;
mod highlight_store;
mod highlight_style;
pub(crate) mod home;
mod layout;
mod map;
pub mod markdown;
pub mod nav;
pub mod pages;
pub mod renderer;
pub mod sanitize;
pub mod scratch;
pub mod search;
mod search_lean;
mod search_plan;
mod search_store;
pub mod specs;
pub mod systems;
pub mod theme;
