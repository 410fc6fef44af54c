//! What the renderer takes: issue data and render options. Independent of the Jira DTOs and of
//! typst; the export job builds these from whatever it fetched.

use serde::{Deserialize, Serialize};

/// Everything one PDF shows: a titled set of issues.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportInput {
    /// Document title (cover page, PDF metadata); [`RenderOptions::title`] overrides it.
    pub title: String,
    /// The JQL or filter the issues came from, shown on the cover.
    #[serde(default)]
    pub query: Option<String>,
    /// The Jira site, e.g. `acme.atlassian.net`, shown on the cover and in the page header.
    #[serde(default)]
    pub site: Option<String>,
    /// When the export was made: RFC 3339 is formatted for the locale, anything else is shown
    /// as given.
    pub generated_at: String,
    /// The issues, in the order they are shown.
    #[serde(default)]
    pub issues: Vec<ExportIssue>,
}

/// One issue, flattened to display strings (plus ADF for rich text).
///
/// Dates (`created`, `updated`, `due_date`, comment and change dates) are formatted for the
/// locale when they parse as Jira timestamps (`2024-01-15T10:30:00.000+0000`), RFC 3339 or
/// `YYYY-MM-DD`; anything else is shown as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportIssue {
    /// Issue key, e.g. `PROJ-123`.
    pub key: String,
    pub summary: String,
    /// Status name as the site shows it ("In Review", "Сделано", …).
    pub status: String,
    /// Jira status category key (`new`, `indeterminate`, `done`) or its English name
    /// (`To Do`, `In Progress`, `Done`); picks the lozenge colour.
    pub status_category: String,
    pub priority: Option<String>,
    pub issue_type: String,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub created: String,
    pub updated: String,
    pub due_date: Option<String>,
    pub labels: Vec<String>,
    pub parent: Option<ExportParent>,
    /// Custom fields already rendered to text, in display order.
    pub custom_fields: Vec<ExportField>,
    /// Description as an ADF document (`{"type":"doc",…}`); a plain JSON string is shown as
    /// text (Jira's v2 shape).
    pub description: Option<serde_json::Value>,
    pub comments: Vec<ExportComment>,
    pub changelog: Vec<ExportChange>,
    pub attachments: Vec<ExportAttachment>,
}

/// The parent (epic or parent task) of an issue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportParent {
    pub key: String,
    pub summary: String,
}

/// A custom field as a name and its value rendered to text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportField {
    pub name: String,
    pub value: String,
}

/// A comment with its ADF body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportComment {
    pub author: String,
    pub created: String,
    /// ADF document; a plain JSON string is shown as text.
    pub body: serde_json::Value,
}

/// One field change from the changelog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportChange {
    pub author: String,
    pub created: String,
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// An attachment. Images with `content` are embedded; everything else is listed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExportAttachment {
    /// Jira attachment id or media id; ADF `media` nodes are matched against it (and against
    /// `filename` through the node's `alt`).
    pub id: Option<String>,
    pub filename: String,
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// The file's bytes, when the caller fetched them (images only: PNG, JPEG, GIF, WebP,
    /// SVG). Bytes that do not decode as an image are listed, not embedded.
    pub content: Option<Vec<u8>>,
}

/// How to render: template, paper, locale, branding and which sections to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RenderOptions {
    pub template: Template,
    /// Overrides [`ReportInput::title`].
    pub title: Option<String>,
    pub paper: Paper,
    pub landscape: bool,
    /// BCP 47 language tag (`en`, `ru`, `th`, `pt-BR`, …) for dates and labels; languages
    /// without a translation get English labels and ISO-style dates.
    pub locale: String,
    /// Accent colour as `#rrggbb` or `#rgb`.
    pub accent_color: String,
    /// Logo for the cover and page header: PNG, JPEG, GIF, WebP or SVG bytes.
    pub logo: Option<Vec<u8>>,
    pub sections: Sections,
    /// A user-supplied typst template that replaces the built-in one. It reads the same data
    /// (`json("/data.json")`) and may `#import "/lib.typ": *` for the built-in components;
    /// its errors come back as [`ExportError::Template`](super::ExportError::Template).
    pub custom_template: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            template: Template::Report,
            title: None,
            paper: Paper::A4,
            landscape: false,
            locale: "en".to_owned(),
            accent_color: "#0052cc".to_owned(),
            logo: None,
            sections: Sections::default(),
            custom_template: None,
        }
    }
}

/// The built-in templates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    /// One issue per document part, no cover: the single-issue export.
    Issue,
    /// Cover, charts, table of contents, summary table, then every issue.
    #[default]
    Report,
}

/// Paper size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// Which parts of the document to include. All on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sections {
    pub description: bool,
    pub comments: bool,
    pub changelog: bool,
    pub attachments: bool,
    pub custom_fields: bool,
    /// Bar charts by status and priority (report template).
    pub charts: bool,
    /// Table of contents (report template).
    pub toc: bool,
}

impl Default for Sections {
    fn default() -> Self {
        Self {
            description: true,
            comments: true,
            changelog: true,
            attachments: true,
            custom_fields: true,
            charts: true,
            toc: true,
        }
    }
}

/// A rendered PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}
