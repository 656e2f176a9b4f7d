//! Content: loading `content/` and the front-matter building blocks every kind shares.
//!
//! Stages: load ([`load_sources`], the only disk reads of content). `front_matter` is the one home
//! of serde_yaml; `fields` holds the field types and the `front_matter!` macro the kinds use. The
//! page model that dispatches on `kind:` sits above the kinds, in `crate::page`.

pub mod fields;
pub mod front_matter;
mod load;
pub mod yaml_depth;
pub mod yaml_locate;

pub(crate) use fields::front_matter;
pub use fields::{Date, SortBy, Status, StringList};
pub use load::{decode_text, is_ignored, load_sources, read_source, Asset, SourceFile, Sources};
