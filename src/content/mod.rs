//! Content: loading `content/` and parsing each file into a typed [`Page`].
//!
//! Stages: load ([`load_sources`], disk) and parse ([`parse_page`], pure). `front_matter` is the one
//! home of serde_yaml; `yaml_locate` finds where a value sits in front matter for later checks.

pub mod front_matter;
mod load;
mod page;
pub mod yaml_locate;

pub use load::{is_ignored, load_sources, Asset, SourceFile, Sources};
pub(crate) use page::front_matter;
pub use page::{
    output_path, parse_page, Date, Kind, MeasureMeta, Page, SortBy, Status, StringList,
};
