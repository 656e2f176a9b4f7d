//! Site configuration: `portal.yaml` → validated [`Config`].
//!
//! Stage: load. Input: the text of `portal.yaml`. Output: a [`Config`] (resolved in one step from
//! [`RawConfig`]) or diagnostics with `portal.yaml:line:col`. Unknown keys are errors that name the key
//! and list the expected ones (`deny_unknown_fields` everywhere).

use crate::content::front_matter::{from_yaml_all, key_line};
use crate::diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod urls;
pub use urls::DEFAULT_CSP;

/// The config file's name in the site root.
pub const CONFIG_FILE: &str = "portal.yaml";

/// `portal.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Site title shown in the header and `<title>`. Required.
    pub title: String,
    /// The county (or district) name, e.g. 清河县. Default: none.
    #[serde(default)]
    pub county: Option<String>,
    /// The responsible office, e.g. 县委政法委（维稳办）. Default: none.
    #[serde(default)]
    pub office: Option<String>,
    /// One-line description for `<meta name="description">`. Default: none.
    #[serde(default)]
    pub description: Option<String>,
    /// Scheme and host for `sitemap.xml`, e.g. `https://www.example.gov.cn`. Default: none (sitemap
    /// URLs then start at `base_path`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Where the site is served, e.g. `/wenping/`. Default: `/`. Overridden by `--base-path`.
    #[serde(default)]
    pub base_path: Option<String>,
    /// The `lang` of pages. Default: `zh-CN`.
    #[serde(default)]
    pub language: Option<String>,
    /// Theme folder under `themes/`; `default` is built in. Default: `default`.
    #[serde(default)]
    pub theme: Option<String>,
    /// Path of a logo image inside the site's static files (`static/`, the theme's `static/` or an
    /// attachment under `content/`), shown before the title in the header. Default: none.
    #[serde(default)]
    pub logo: Option<String>,
    /// A line under the title in the header, e.g. 重大事项社会稳定风险评估政策发布与工作服务. Default: none.
    #[serde(default)]
    pub tagline: Option<String>,
    /// Named menus (`main` is shown in the header). Default: none.
    #[serde(default)]
    pub menus: BTreeMap<String, Vec<RawMenuItem>>,
    /// Footer fields. Default: all empty.
    #[serde(default)]
    pub footer: Footer,
    /// Markdown options. Default: see [`MarkdownConfig`].
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Full-text search options. Default: see [`SearchConfig`].
    #[serde(default)]
    pub search: SearchConfig,
    /// Free values for site templates (`site.extra`). Default: empty.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The Content-Security-Policy every page carries (a `<meta http-equiv>`) and `portal serve`
    /// sends. Default: [`DEFAULT_CSP`]. `""`: none (when the web server sends its own, or raw HTML
    /// needs more than the default allows — then the site owner answers for it).
    #[serde(default)]
    pub content_security_policy: Option<String>,
}

/// Full-text search options (`search:` in `portal.yaml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Build the search index and the search page. Default: true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Groups of words that mean the same for search (and the scope lookup): a query with one of
    /// them also finds the others, e.g. `[征收, 征用, 征地]`. Added to the default theme's groups
    /// ([`DEFAULT_SYNONYMS`]). Default: none.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Use the default theme's abbreviations and domain synonyms (稳评 ⇄ 社会稳定风险评估 …).
    /// Default: true.
    #[serde(default = "yes")]
    pub default_synonyms: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            synonyms: Vec::new(),
            default_synonyms: true,
        }
    }
}

/// The default theme's synonym groups (`themes/default/synonyms.yaml`), compiled in.
pub const DEFAULT_SYNONYMS: &str = include_str!("../themes/default/synonyms.yaml");

impl SearchConfig {
    /// The synonym groups in force: the default theme's (unless switched off), then the site's.
    pub fn synonym_groups(&self) -> Vec<Vec<String>> {
        static DEFAULTS: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
        let mut out: Vec<Vec<String>> = Vec::new();
        if self.default_synonyms {
            // A test checks that the file parses; an unreadable one would give no groups.
            out.extend(
                DEFAULTS
                    .get_or_init(|| serde_yaml::from_str(DEFAULT_SYNONYMS).unwrap_or_default())
                    .iter()
                    .cloned(),
            );
        }
        for g in &self.synonyms {
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
        out
    }
}

fn yes() -> bool {
    true
}

/// A menu entry: a page of the site (`page: "@/guide/_index.md"`) or an outside address (`url`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMenuItem {
    /// The label shown. Required.
    pub name: String,
    /// A content file, `@/path.md`. Default: none.
    #[serde(default)]
    pub page: Option<String>,
    /// An outside address. Default: none.
    #[serde(default)]
    pub url: Option<String>,
    /// Order within the menu (ascending; ties keep file order). Default: 0.
    #[serde(default)]
    pub weight: i64,
}

/// Footer fields of a Chinese government website (all optional, default empty).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// 主办单位.
    #[serde(default)]
    pub sponsor: Option<String>,
    /// 承办单位.
    #[serde(default)]
    pub organizer: Option<String>,
    /// 联系方式 (free text).
    #[serde(default)]
    pub contact: Option<String>,
    /// 地址.
    #[serde(default)]
    pub address: Option<String>,
    /// 电话.
    #[serde(default)]
    pub phone: Option<String>,
    /// 邮箱.
    #[serde(default)]
    pub email: Option<String>,
    /// ICP 备案号.
    #[serde(default)]
    pub icp: Option<String>,
    /// 政府网站标识码.
    #[serde(default)]
    pub gov_site_code: Option<String>,
    /// Where the ICP number links to (usually https://beian.miit.gov.cn/). Default: no link.
    #[serde(default)]
    pub icp_url: Option<String>,
    /// 公安机关备案号.
    #[serde(default)]
    pub police_record: Option<String>,
    /// Where the 公安机关备案号 links to. Default: no link.
    #[serde(default)]
    pub police_record_url: Option<String>,
    /// 邮编.
    #[serde(default)]
    pub postcode: Option<String>,
    /// A copyright line, e.g. 版权所有：中共清河县委政法委员会.
    #[serde(default)]
    pub copyright: Option<String>,
    /// Free text under the fields.
    #[serde(default)]
    pub text: Option<String>,
    /// 相关链接: entries like the menu's (`name` with `page: "@/…"` or `url`). Resolved into
    /// [`Config::footer_links`]; templates see them as `site.footer.links`.
    #[serde(default, skip_serializing)]
    pub links: Vec<RawMenuItem>,
    /// Images in the footer, such as the 党政机关网站标识 or the 政府网站找错 badge. Templates see
    /// them as `site.footer.badges`, image paths percent-encoded.
    #[serde(default, skip_serializing)]
    pub badges: Vec<Badge>,
}

/// An image in the footer (`footer.badges`), optionally a link.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Badge {
    /// Path of the image among the site's static files (like `logo`). Required.
    pub image: String,
    /// What the image says, for screen readers and when it cannot be shown. Required.
    pub alt: String,
    /// Where it links to. Default: no link.
    #[serde(default)]
    pub url: Option<String>,
    /// Line of the entry in `portal.yaml` (set when the config is resolved).
    #[serde(skip)]
    pub line: usize,
}

/// Markdown options.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Render raw HTML written in Markdown. Default: false (dropped with a warning, for safety).
    #[serde(default)]
    pub raw_html: bool,
}

/// A menu entry after validation.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub name: String,
    pub target: MenuTarget,
    pub weight: i64,
    /// Line of the entry in `portal.yaml`, for diagnostics found later (a missing page).
    pub line: usize,
}

/// Where a menu entry goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuTarget {
    /// A content file, content-relative (`guide/_index.md`).
    Page(String),
    Url(String),
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub county: Option<String>,
    pub office: Option<String>,
    pub description: Option<String>,
    pub base_url: Option<String>,
    /// Always starts and ends with `/`.
    pub base_path: String,
    pub language: String,
    pub theme: String,
    pub logo: Option<String>,
    /// Line of `logo:` in `portal.yaml`, for a missing file found later.
    pub logo_line: usize,
    pub tagline: Option<String>,
    pub menus: BTreeMap<String, Vec<MenuItem>>,
    pub footer: Footer,
    /// `footer.links`, validated like menu entries.
    pub footer_links: Vec<MenuItem>,
    pub markdown: MarkdownConfig,
    pub search: SearchConfig,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The Content-Security-Policy of every page; empty for none.
    pub csp: String,
}

impl Config {
    /// Parses and validates `portal.yaml`; `base_path_override` is `--base-path`.
    pub fn parse(text: &str, base_path_override: Option<&str>) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = from_yaml_all(CONFIG_FILE, text, 1)?;
        Config::resolve(raw, text, base_path_override)
    }

    /// Validates a raw config in one step.
    pub fn resolve(
        raw: RawConfig,
        text: &str,
        base_path_override: Option<&str>,
    ) -> Result<Config, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let err =
            |key: &str, msg: String| Diagnostic::error(CONFIG_FILE, key_line(text, 1, key), 1, msg);
        if raw.title.trim().is_empty() {
            diags.push(err(
                "title",
                "`title` is empty: expected the site's name".into(),
            ));
        }
        let base_path = match normalize_base_path(
            base_path_override
                .or(raw.base_path.as_deref())
                .unwrap_or("/"),
        ) {
            Ok(p) => p,
            Err(m) => {
                diags.push(err("base_path", m));
                "/".into()
            }
        };
        if let Some(url) = &raw.base_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                diags.push(err(
                    "base_url",
                    format!("`base_url` is `{url}`: expected an address starting with https://"),
                ));
            }
        }
        let menus = resolve_menus(&raw.menus, text, &mut diags);
        let footer_links = resolve_menu("footer.links", &raw.footer.links, text, &mut diags);
        let mut raw = raw;
        for b in &mut raw.footer.badges {
            b.line = text
                .lines()
                .position(|l| l.contains(b.image.as_str()))
                .map_or(1, |i| i + 1);
            let line = b.line;
            if b.alt.trim().is_empty() {
                diags.push(Diagnostic::error(
                    CONFIG_FILE,
                    line,
                    1,
                    format!(
                        "footer badge `{}` has an empty `alt`: expected the words the image shows, for readers who cannot see it",
                        b.image
                    ),
                ));
            }
        }
        check_synonyms(&raw.search, text, &mut diags);
        diags.extend(urls::check_urls(&raw, text));
        let csp = urls::check_csp(raw.content_security_policy.as_deref()).unwrap_or_else(|m| {
            diags.push(err("content_security_policy", m));
            String::new()
        });
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Config {
            title: raw.title,
            county: raw.county,
            office: raw.office,
            description: raw.description,
            base_url: raw.base_url.map(|u| u.trim_end_matches('/').to_string()),
            base_path,
            language: raw.language.unwrap_or_else(|| "zh-CN".into()),
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            logo_line: key_line(text, 1, "logo"),
            logo: raw.logo,
            tagline: raw.tagline,
            menus,
            footer: raw.footer,
            footer_links,
            markdown: raw.markdown,
            search: raw.search,
            extra: raw.extra,
            csp,
        })
    }

    /// A minimal config for sites without `portal.yaml` errors to report (tests, `new`).
    pub fn minimal(title: &str) -> Config {
        Config::parse(&format!("title: {title}\n"), None).expect("a title-only config is valid")
    }
}

fn resolve_menus(
    raw: &BTreeMap<String, Vec<RawMenuItem>>,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<MenuItem>> {
    raw.iter()
        .map(|(name, items)| {
            (
                name.clone(),
                resolve_menu(&format!("menu `{name}`"), items, text, diags),
            )
        })
        .collect()
}

/// Validates one list of entries (`what` names it in messages) and sorts it by weight.
fn resolve_menu(
    what: &str,
    items: &[RawMenuItem],
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<MenuItem> {
    let mut resolved = Vec::new();
    for item in items {
        let needle = item
            .page
            .as_deref()
            .or(item.url.as_deref())
            .unwrap_or(&item.name);
        let line = text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1);
        let target = match (&item.page, &item.url) {
            (Some(p), None) => {
                match p.strip_prefix("@/") {
                    Some(path) => MenuTarget::Page(path.to_string()),
                    None => {
                        diags.push(Diagnostic::error(CONFIG_FILE, line, 1, format!("{what} entry `{}`: `page: {p}` must start with `@/` (a content file)", item.name)));
                        continue;
                    }
                }
            }
            (None, Some(u)) => MenuTarget::Url(u.clone()),
            _ => {
                diags.push(Diagnostic::error(
                    CONFIG_FILE,
                    line,
                    1,
                    format!(
                        "{what} entry `{}`: expected exactly one of `page` or `url`",
                        item.name
                    ),
                ));
                continue;
            }
        };
        resolved.push(MenuItem {
            name: item.name.clone(),
            target,
            weight: item.weight,
            line,
        });
    }
    resolved.sort_by_key(|m| m.weight);
    resolved
}

/// Each synonym group needs two or more words, each with a letter, digit or Chinese character.
fn check_synonyms(search: &SearchConfig, text: &str, diags: &mut Vec<Diagnostic>) {
    for group in &search.synonyms {
        let first = group.first().map(String::as_str).unwrap_or("synonyms");
        let line = text
            .lines()
            .position(|l| l.contains(first))
            .map_or(1, |i| i + 1);
        let empty = group.iter().find(|w| crate::text::units(w).is_empty());
        if group.len() < 2 {
            diags.push(Diagnostic::error(CONFIG_FILE, line, 1, format!("synonym group `{}` has one word: expected two or more words that mean the same, e.g. [征收, 征用, 征地]", group.join(", "))));
        } else if let Some(w) = empty {
            diags.push(Diagnostic::error(
                CONFIG_FILE,
                line,
                1,
                format!(
                    "synonym `{w}` has no letters, digits or Chinese characters: expected a word"
                ),
            ));
        }
    }
}

/// `wenping` / `/wenping` / `/wenping/` → `/wenping/`; refuses schemes and `..`.
pub fn normalize_base_path(p: &str) -> Result<String, String> {
    let p = p.trim();
    if p.contains("://") || p.split('/').any(|s| s == "..") || p.contains(['?', '#', '\\', ' ']) {
        return Err(format!(
            "`base_path` is `{p}`: expected a path such as /wenping/"
        ));
    }
    let inner = p.trim_matches('/');
    Ok(if inner.is_empty() {
        "/".into()
    } else {
        format!("/{inner}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_synonyms_parse_and_can_be_switched_off() {
        let groups: Vec<Vec<String>> = serde_yaml::from_str(DEFAULT_SYNONYMS).unwrap();
        assert!(groups.len() >= 20);
        for g in &groups {
            assert!(g.len() >= 2, "{g:?}");
        }
        let on = SearchConfig::default();
        assert!(on.synonym_groups().iter().any(|g| g[0] == "稳评"));
        let off = SearchConfig {
            default_synonyms: false,
            synonyms: vec![vec!["甲".into(), "乙".into()]],
            ..SearchConfig::default()
        };
        assert_eq!(off.synonym_groups(), [vec!["甲".to_string(), "乙".into()]]);
    }

    #[test]
    fn unknown_keys_name_the_key_and_list_expected() {
        let e = Config::parse("title: x\ntheem: default\n", None).unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(
            e[0].message.contains("unknown field `theem`"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.contains("`theme`"));
    }

    #[test]
    fn base_path_is_normalised_and_overridable() {
        let c = Config::parse("title: x\nbase_path: wenping\n", None).unwrap();
        assert_eq!(c.base_path, "/wenping/");
        let c = Config::parse("title: x\n", Some("/a/b")).unwrap();
        assert_eq!(c.base_path, "/a/b/");
        assert!(Config::parse("title: x\nbase_path: ../x\n", None).is_err());
    }

    #[test]
    fn menu_entries_need_page_or_url() {
        let e = Config::parse("title: x\nmenus:\n  main:\n    - name: 首页\n", None).unwrap_err();
        assert_eq!(e[0].line, 4);
        let c = Config::parse("title: x\nmenus:\n  main:\n    - name: B\n      page: \"@/b.md\"\n      weight: 2\n    - name: A\n      url: https://a\n", None).unwrap();
        assert_eq!(c.menus["main"][0].name, "A");
        assert_eq!(c.menus["main"][1].target, MenuTarget::Page("b.md".into()));
    }
}
