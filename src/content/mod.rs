//! Content: loading `content/` and parsing each file into a typed [`Page`].
//!
//! Stages: load ([`load_sources`], disk) and parse ([`parse_page`], pure). `front_matter` is the one
//! home of serde_yaml.

pub mod front_matter;
mod load;
mod page;
pub mod yaml_locate;

pub use load::{is_ignored, load_sources, read_source, Asset, SourceFile, Sources};
pub(crate) use page::front_matter;
pub use page::{
    output_path, parse_page, Date, Kind, MeasureMeta, Page, SortBy, Status, StringList,
};
