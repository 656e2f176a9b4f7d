//! Front matter of a form page: the common keys (via `front_matter!`) plus the form's own.
//!
//! Stage: parse. Input: the YAML of a `kind: form` page (read by `content::page` with `from_yaml`).
//! Output: [`FormFront`], split by `content::page` into the common fields and a [`FormSpec`].

use super::model::Paper;
use super::{FormSpec, StepRef};
use crate::content::{front_matter, Date, StringList};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

front_matter!(
    /// Front matter of a form page. Unknown keys are errors.
    #[serde(deny_unknown_fields)]
    FormFront {
        /// Short id used in file names (`forms/<id>.docx`) and `forms.json`. Required.
        pub id: String,
        /// `A4-portrait` or `A4-landscape`. Required.
        pub paper: Paper,
        /// Procedure steps the form belongs to: `[3, "4 分析预测"]`. Default none.
        #[serde(default)]
        pub steps: Vec<StepRef>,
        /// The number of printed pages the form takes. Required.
        pub pages: u32,
        /// The form's version (e.g. `2024版`), shown on its page and in the .docx properties.
        #[serde(default, deserialize_with = "text_or_number")]
        pub version: Option<String>,
    }
);

impl FormFront {
    /// The form's own keys.
    pub fn spec(&self) -> FormSpec {
        FormSpec {
            id: self.id.trim().to_string(),
            paper: self.paper,
            steps: self.steps.iter().map(|s| s.0.clone()).collect(),
            pages: self.pages,
            version: self.version.clone(),
        }
    }
}

/// A YAML string or number, as text (`version: 2024` and `version: "2024版"` both work).
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(i64),
        Float(f64),
    }
    Ok(Some(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Int(i) => i.to_string(),
        Raw::Float(f) => f.to_string(),
    }))
}
