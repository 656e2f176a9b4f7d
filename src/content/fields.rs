//! Front-matter fields shared by every kind: dates, lists written either way, a section's order, a
//! measure's status, and the `front_matter!` macro that gives each kind's front-matter struct the
//! common keys. Kinds import these from here (below them), never from the page model above them.

use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Deserializer, Serialize};

/// A date written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Date(pub String);

/// Read as text and checked in `page::build_page`, so the error names the key's line (serde_yaml gives
/// custom errors no position).
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Date)
    }
}

/// Normalises a date in place, or reports it at its key's line.
pub fn check_date(
    date: &mut Option<Date>,
    key: &str,
    source: &str,
    line: usize,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(d) = date {
        match parse_date(&d.0) {
            Ok(norm) => d.0 = norm,
            Err(m) => {
                diags.push(Diagnostic::error(source, line, key.chars().count() + 3, m));
                *date = None;
            }
        }
    }
}

fn parse_date(s: &str) -> Result<String, String> {
    let bad = || format!("invalid date `{s}`: expected YYYY-MM-DD, e.g. 2024-03-15");
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d) = match (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(y), Ok(m), Ok(d)) if (1000..=9999).contains(&y) => (y, m, d),
        _ => return Err(bad()),
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if m == 0 || m > 12 || d == 0 || d > days[m as usize - 1] {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// A list written as a YAML list or as one string separated by commas, 、 or spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StringList(pub Vec<String>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StringList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of strings or one string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StringList, E> {
                let items = s
                    .split([',', '，', '、', ';', '；', ' ', '　'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty());
                Ok(StringList(items.map(String::from).collect()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<StringList, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(StringList(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Ascending weight, then newest date, then title.
    #[default]
    Weight,
    /// Newest first, then weight, then title.
    Date,
    /// By title (code point order), then weight.
    Title,
}

/// The status of a measure (状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Status {
    #[serde(rename = "现行有效")]
    InForce,
    #[serde(rename = "已修订")]
    Amended,
    #[serde(rename = "已废止")]
    Repealed,
    /// Its `valid_until` has passed (有效期届满).
    #[serde(rename = "已失效")]
    Expired,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::InForce => "现行有效",
            Status::Amended => "已修订",
            Status::Repealed => "已废止",
            Status::Expired => "已失效",
        }
    }

    /// Whether the document no longer applies (repealed or expired); an amended one still does, in
    /// its amended form.
    pub fn is_void(self) -> bool {
        matches!(self, Status::Repealed | Status::Expired)
    }
}

/// Today's date (`YYYY-MM-DD`, UTC) for validity checks: `SOURCE_DATE_EPOCH` when set, so a
/// reproducible build stays reproducible, else the clock.
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    civil_date(secs.div_euclid(86_400))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Declares a front-matter struct with the fields every kind shares plus the kind's own (used by the
/// kind modules: `front_matter!(#[serde(deny_unknown_fields)] FormFront { pub paper: … })`).
macro_rules! front_matter {
    ($(#[$attr:meta])* $name:ident { $($extra:tt)* }) => {
        #[derive(Debug, Deserialize)]
        $(#[$attr])*
        pub struct $name {
            /// The page's kind (default `section` for `_index.md`, `page` otherwise); read
            /// before this struct by `KindProbe`, declared here so it is a known key.
            #[serde(default)]
            #[allow(dead_code)]
            pub kind: Option<String>,
            /// Required.
            pub title: String,
            /// One or two sentences for listings and `<meta name="description">`.
            #[serde(default)]
            pub description: Option<String>,
            /// Publication date, `YYYY-MM-DD`.
            #[serde(default)]
            pub date: Option<Date>,
            /// Order in listings (ascending). Default 0.
            #[serde(default)]
            pub weight: i64,
            #[serde(default)]
            pub tags: StringList,
            /// Drafts are left out of the build. Default false.
            #[serde(default)]
            pub draft: bool,
            /// Replaces the file name in the URL.
            #[serde(default)]
            pub slug: Option<String>,
            /// A template other than the kind's own.
            #[serde(default)]
            pub template: Option<String>,
            /// Show a table of contents. Default true.
            #[serde(default)]
            pub toc: Option<bool>,
            /// Free values for templates (`page.extra`).
            #[serde(default)]
            pub extra: BTreeMap<String, serde_json::Value>,
            $($extra)*
        }
    };
}

#[allow(unused_imports)]
pub(crate) use front_matter;

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_date(0), "1970-01-01");
        assert_eq!(super::civil_date(19_723), "2024-01-01");
        assert_eq!(super::civil_date(19_782), "2024-02-29");
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(parse_date("2024-2-9").unwrap(), "2024-02-09");
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024/01/01").is_err());
    }
}
