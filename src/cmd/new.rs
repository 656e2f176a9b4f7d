//! `portal new DIR`: a new site that builds at once (config, home, a section, a page and a measure).

use super::Report;
use anyhow::{bail, Context, Result};
use std::path::Path;

const FILES: &[(&str, &str)] = &[
    (
        "portal.yaml",
        "# 站点配置：修改后运行 portal build\ntitle: 某某县社会稳定风险评估工作专栏\ncounty: 某某县\noffice: 县委政法委（维稳办）\ndescription: 重大事项社会稳定风险评估政策文件、工作流程与标准表格\nbase_path: /\nmenus:\n  main:\n    - name: 首页\n      page: \"@/_index.md\"\n    - name: 实施办法\n      page: \"@/measures/_index.md\"\n    - name: 常见问题\n      page: \"@/faq.md\"\nfooter:\n  sponsor: 某某县委政法委（维稳办）\n  contact: 联系电话：0000-0000000\n",
    ),
    (
        "content/_index.md",
        "---\ntitle: 某某县社会稳定风险评估工作专栏\ndescription: 政策文件、工作流程与标准表格\n---\n\n本专栏发布本县重大事项社会稳定风险评估的实施办法、工作指引和常见问题。\n",
    ),
    (
        "content/measures/_index.md",
        "---\ntitle: 实施办法\nsort_by: date\n---\n\n本县社会稳定风险评估的规范性文件。\n",
    ),
    (
        "content/measures/implementation.md",
        "---\nkind: measure\ntitle: 某某县重大事项社会稳定风险评估实施办法\ndate: \"2025-01-01\"\ndoc_number: 某办发〔2025〕1号\nissuer: 某某县人民政府办公室\nwritten_date: \"2024-12-20\"\neffective_date: \"2025-01-01\"\nstatus: 现行有效\nkeywords: [社会稳定, 风险评估]\n---\n\n## 第一章　总则\n\n第一条　为规范本县重大事项社会稳定风险评估工作，制定本办法。\n\n第二条　本办法适用于本县行政区域内重大决策、重大政策、重大改革、重大项目和重大活动的社会稳定风险评估。\n\n## 第二章　附则\n\n第三条　本办法自印发之日起施行。\n",
    ),
    (
        "content/faq.md",
        "---\ntitle: 常见问题\n---\n\n## 哪些事项需要评估？\n\n见[实施办法第二条](@/measures/implementation.md#第二条)。\n",
    ),
];

/// Creates a new site in `dir`, which must be missing or empty.
pub fn new_site(dir: &Path) -> Result<Report> {
    if dir.exists() && dir.read_dir().with_context(|| format!("reading {}", dir.display()))?.next().is_some() {
        bail!("`{}` is not empty: choose a new folder so nothing is overwritten", dir.display());
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Report {
        summary: format!("created a new site in {} ({} files); build it with `portal build --root {}`", dir.display(), FILES.len(), dir.display()),
        ..Report::default()
    })
}
