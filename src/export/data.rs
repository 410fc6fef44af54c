//! Builds what a template reads: `/data.json` (all text, already formatted for the locale) and
//! the embedded images (`/media/N.ext`, `/logo.ext`). Validates the render options.
//!
//! The JSON is the template's whole contract (custom templates read it too), so its shape is
//! documented in `templates/lib.typ`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use typst::foundations::Bytes;
use typst::visualize::{ExchangeFormat, RasterImage, SvgImage};

use super::ExportError;
use super::adf::{self, AdfContext, ImageRef};
use super::fonts::Fonts;
use super::locale::{Locale, format_size};
use super::model::{ExportAttachment, ExportIssue, Paper, RenderOptions, ReportInput, Template};
use super::sanitize::{hex_color, soft_wrap};

/// Larger attachments are listed, not embedded.
const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// Past this many embedded bytes per document, further images are listed only.
const MAX_TOTAL_IMAGE_BYTES: usize = 200 * 1024 * 1024;

/// The template's inputs: the JSON document and the files it may load.
pub(crate) struct Payload {
    pub(crate) json: Bytes,
    /// Virtual paths (`/media/0.png`, `/logo.svg`) and their bytes.
    pub(crate) files: Vec<(String, Bytes)>,
}

/// The report data once, from which the payload of the whole document or of one part of it
/// (see `chunked.rs`) is made.
pub(crate) struct ReportData {
    /// Everything but `issues`.
    common: Map<String, Value>,
    issues: Vec<Value>,
    files: Vec<(String, Bytes)>,
}

/// The keys of an issue the front matter shows (contents and summary table).
const FRONT_KEYS: &[&str] = &[
    "key",
    "summary",
    "status",
    "category",
    "priority",
    "priority-color",
    "assignee",
    "updated",
];

impl ReportData {
    pub(crate) fn issue_count(&self) -> usize {
        self.issues.len()
    }

    /// The whole document, for one compile.
    pub(crate) fn payload(self) -> Result<Payload, ExportError> {
        let json = encode(&Data {
            common: &self.common,
            issues: &self.issues,
            part: None,
        })?;
        Ok(Payload {
            json,
            files: self.files,
        })
    }

    /// One part of a merged document: `issues` (a range of the report's issues) and `part`.
    pub(crate) fn part_payload(
        &self,
        issues: std::ops::Range<usize>,
        part: &Value,
    ) -> Result<Payload, ExportError> {
        let json = encode(&Data {
            common: &self.common,
            issues: &self.issues[issues],
            part: Some(part),
        })?;
        Ok(Payload {
            json,
            files: self.files.clone(),
        })
    }

    /// A part of the front matter of a merged document: the issues in `issues`, but only what
    /// the contents and the summary table show of them.
    pub(crate) fn front_payload(
        &self,
        issues: std::ops::Range<usize>,
        part: &Value,
    ) -> Result<Payload, ExportError> {
        let issues: Vec<Value> = self.issues[issues]
            .iter()
            .map(|issue| {
                Value::Object(
                    FRONT_KEYS
                        .iter()
                        .map(|k| {
                            (
                                (*k).to_owned(),
                                issue.get(*k).cloned().unwrap_or(Value::Null),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let json = encode(&Data {
            common: &self.common,
            issues: &issues,
            part: Some(part),
        })?;
        Ok(Payload {
            json,
            files: self.files.clone(),
        })
    }

    /// One field of every issue (`key`, `updated`, …), as the template shows it.
    pub(crate) fn column(&self, key: &str) -> Vec<Value> {
        self.issues
            .iter()
            .map(|issue| issue.get(key).cloned().unwrap_or(Value::Null))
            .collect()
    }
}

#[derive(serde::Serialize)]
struct Data<'a> {
    #[serde(flatten)]
    common: &'a Map<String, Value>,
    issues: &'a [Value],
    #[serde(skip_serializing_if = "Option::is_none")]
    part: Option<&'a Value>,
}

fn encode(data: &Data<'_>) -> Result<Bytes, ExportError> {
    let json = serde_json::to_vec(data)
        .map_err(|e| ExportError::Compile(format!("encoding report data: {e}")))?;
    Ok(Bytes::new(json))
}

pub(crate) fn build_data(
    input: &ReportInput,
    options: &RenderOptions,
    fonts: &Fonts,
) -> Result<ReportData, ExportError> {
    let accent = hex_color(&options.accent_color).ok_or_else(|| {
        ExportError::InvalidOption(format!(
            "accent colour {:?} is not a #rrggbb or #rgb colour",
            options.accent_color
        ))
    })?;
    let locale = Locale::parse(&options.locale).ok_or_else(|| {
        ExportError::InvalidOption(format!(
            "locale {:?} is not a language tag such as en, ru or th",
            options.locale
        ))
    })?;
    if options.template == Template::Issue
        && input.issues.is_empty()
        && options.custom_template.is_none()
    {
        return Err(ExportError::InvalidOption(
            "the issue template needs at least one issue".into(),
        ));
    }

    let mut media = Media::default();
    let logo = match &options.logo {
        None => None,
        Some(bytes) => {
            let bytes = Bytes::new(bytes.clone());
            let (ext, w, h) = probe_image(&bytes).ok_or_else(|| {
                ExportError::InvalidOption("logo is not a PNG, JPEG, GIF, WebP or SVG image".into())
            })?;
            let path = format!("/logo.{ext}");
            media.files.push((path.clone(), bytes));
            Some(json!({"path": path, "w": w, "h": h}))
        }
    };

    let covers = |c: char| fonts.covers(c);
    let issues: Vec<Value> = input
        .issues
        .iter()
        .map(|issue| issue_json(issue, options, &locale, &covers, &mut media))
        .collect();

    let title = options
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&input.title);
    let sections = &options.sections;
    let data = json!({
        "template": match options.template { Template::Issue => "issue", Template::Report => "report" },
        "title": soft_wrap(title, 30),
        "title-plain": title,
        "query": input.query.as_deref().map(|q| soft_wrap(q, 30)),
        "site": input.site.as_deref().map(|s| soft_wrap(s, 30)),
        "generated": locale.format_timestamp(&input.generated_at),
        "options": {
            "paper": match options.paper { Paper::A4 => "a4", Paper::Letter => "us-letter" },
            "landscape": options.landscape,
            "lang": locale.lang(),
            "body-fonts": body_fonts(&locale, fonts),
            "accent": accent,
            "logo": logo,
            "sections": {
                "description": sections.description,
                "comments": sections.comments,
                "changelog": sections.changelog,
                "attachments": sections.attachments,
                "custom-fields": sections.custom_fields,
                "charts": sections.charts,
                "toc": sections.toc,
            },
        },
        "labels": locale.labels(),
        "counts": counts(&input.issues),
    });
    let Value::Object(common) = data else {
        return Err(ExportError::Compile("report data is not an object".into()));
    };
    Ok(ReportData {
        common,
        issues,
        files: media.files,
    })
}

#[derive(Default)]
struct Media {
    files: Vec<(String, Bytes)>,
    total_bytes: usize,
}

impl Media {
    fn add(&mut self, content: &[u8]) -> Option<ImageRef> {
        if content.len() > MAX_IMAGE_BYTES
            || self.total_bytes + content.len() > MAX_TOTAL_IMAGE_BYTES
        {
            return None;
        }
        let bytes = Bytes::new(content.to_vec());
        let (ext, w, h) = probe_image(&bytes)?;
        // Paths are numbered, never named after Jira file names: typst interns every path it
        // sees for the life of the process, so the set of names must stay small and reused.
        let path = format!("/media/{}.{ext}", self.files.len());
        self.total_bytes += content.len();
        self.files.push((path.clone(), bytes));
        Some(json!({"path": path, "w": w, "h": h}))
    }
}

/// Decodes the image once here so a broken attachment becomes a listed file instead of a
/// failed render (typst memoizes the decode, so the render reuses it).
fn probe_image(bytes: &Bytes) -> Option<(&'static str, f64, f64)> {
    if let Some(format) = ExchangeFormat::detect(bytes.as_slice()) {
        let image = RasterImage::plain(bytes.clone(), format).ok()?;
        let ext = match format {
            ExchangeFormat::Png => "png",
            ExchangeFormat::Jpg => "jpg",
            ExchangeFormat::Gif => "gif",
            ExchangeFormat::Webp => "webp",
        };
        let (w, h) = (f64::from(image.width()), f64::from(image.height()));
        return (w > 0.0 && h > 0.0).then_some((ext, w, h));
    }
    let head = String::from_utf8_lossy(&bytes.as_slice()[..bytes.as_slice().len().min(512)])
        .to_ascii_lowercase();
    if head.contains("<svg") || head.trim_start().starts_with("<?xml") {
        let svg = SvgImage::new(bytes.clone()).ok()?;
        let (w, h) = (svg.width(), svg.height());
        return (w > 0.0 && h > 0.0).then_some(("svg", w, h));
    }
    None
}

fn issue_json(
    issue: &ExportIssue,
    options: &RenderOptions,
    locale: &Locale,
    covers: &dyn Fn(char) -> bool,
    media: &mut Media,
) -> Value {
    let sections = &options.sections;
    let want_images = sections.attachments || sections.description || sections.comments;
    let attachments: Vec<(&ExportAttachment, Option<ImageRef>)> = issue
        .attachments
        .iter()
        .map(|a| {
            let image = a
                .content
                .as_deref()
                .filter(|_| want_images)
                .and_then(|c| media.add(c));
            (a, image)
        })
        .collect();
    let resolve = |id: Option<&str>, alt: Option<&str>| -> Option<ImageRef> {
        let by_id = id.and_then(|id| {
            attachments
                .iter()
                .find(|(a, img)| img.is_some() && a.id.as_deref() == Some(id))
        });
        let by_name = || {
            alt.and_then(|alt| {
                attachments
                    .iter()
                    .find(|(a, img)| img.is_some() && a.filename == alt)
            })
        };
        by_id.or_else(by_name).and_then(|(_, img)| img.clone())
    };
    let ctx = AdfContext {
        locale,
        resolve_media: &resolve,
        covers,
    };
    let text = |s: &str| soft_wrap(s, 30).into_owned();
    let date = |s: &str| locale.format_timestamp(s);

    json!({
        "key": text(&issue.key),
        "summary": text(&issue.summary),
        "status": text(&issue.status),
        "category": status_category(&issue.status_category),
        "priority": issue.priority.as_deref().map(text),
        "priority-color": issue.priority.as_deref().map(priority_color),
        "type": text(&issue.issue_type),
        "assignee": issue.assignee.as_deref().map(text),
        "reporter": issue.reporter.as_deref().map(text),
        "created": date(&issue.created),
        "updated": date(&issue.updated),
        "due": issue.due_date.as_deref().map(date),
        "labels": issue.labels.iter().map(|l| text(l)).collect::<Vec<_>>(),
        "parent": issue.parent.as_ref().map(|p| json!({"key": text(&p.key), "summary": text(&p.summary)})),
        "fields": if sections.custom_fields {
            issue.custom_fields.iter().map(|f| json!({"name": text(&f.name), "value": text(&f.value)})).collect()
        } else {
            Vec::new()
        },
        "description": issue.description.as_ref().filter(|_| sections.description).map(|d| adf::convert_document(d, &ctx)),
        "comments": if sections.comments {
            issue.comments.iter().map(|c| json!({
                "author": text(&c.author),
                "created": date(&c.created),
                "body": adf::convert_document(&c.body, &ctx),
            })).collect()
        } else {
            Vec::new()
        },
        "changelog": if sections.changelog {
            issue.changelog.iter().map(|c| json!({
                "author": text(&c.author),
                "created": date(&c.created),
                "field": text(&c.field),
                "from": c.from.as_deref().map(text),
                "to": c.to.as_deref().map(text),
            })).collect()
        } else {
            Vec::new()
        },
        "attachments": if sections.attachments {
            attachments.iter().map(|(a, image)| json!({
                "filename": text(&a.filename),
                "type": text(&a.mime_type),
                "size": format_size(a.size),
                "image": image,
            })).collect()
        } else {
            Vec::new()
        },
    })
}

/// Body font order. Han characters look different in Japanese, Chinese and Korean, so when a
/// CJK font directory is configured the locale's own variant goes first (typst's fallback would
/// take any); Thai stays on the embedded Noto Sans Thai whatever else is installed.
fn body_fonts(locale: &Locale, fonts: &Fonts) -> Vec<&'static str> {
    let cjk: &[&'static str] = match locale.lang() {
        "ja" => &["Noto Serif CJK JP", "Noto Sans CJK JP"],
        "zh" => &["Noto Serif CJK SC", "Noto Sans CJK SC"],
        "ko" => &["Noto Serif CJK KR", "Noto Sans CJK KR"],
        _ => &[],
    };
    let mut families = vec!["Libertinus Serif", "Noto Sans Thai"];
    families.extend(cjk.iter().copied().find(|f| fonts.has_family(f)));
    families.push("New Computer Modern");
    families
}

/// `todo`, `progress` or `done`, from Jira's category key or English name.
fn status_category(raw: &str) -> &'static str {
    match raw.trim().to_ascii_lowercase().as_str() {
        "indeterminate" | "in progress" | "in-progress" | "inprogress" | "progress" => "progress",
        "done" | "complete" | "completed" => "done",
        _ => "todo",
    }
}

const PRIORITY_ORDER: [&str; 5] = ["highest", "high", "medium", "low", "lowest"];

fn priority_color(name: &str) -> &'static str {
    match name.trim().to_ascii_lowercase().as_str() {
        "highest" | "blocker" | "critical" => "#bf2600",
        "high" | "major" => "#ff5630",
        "medium" => "#ffab00",
        "low" | "minor" => "#2684ff",
        "lowest" | "trivial" => "#4c9aff",
        _ => "#8993a4",
    }
}

/// Counts for the cover and the bar charts.
fn counts(issues: &[ExportIssue]) -> Value {
    let mut by_status: BTreeMap<(u8, String), (usize, &'static str)> = BTreeMap::new();
    let mut by_priority: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut by_category = [0usize; 3];
    for issue in issues {
        let category = status_category(&issue.status_category);
        let rank = match category {
            "todo" => 0,
            "progress" => 1,
            _ => 2,
        };
        by_category[usize::from(rank)] += 1;
        by_status
            .entry((rank, issue.status.clone()))
            .or_insert((0, category))
            .0 += 1;
        let priority = issue.priority.clone().unwrap_or_default();
        let lower = priority.to_ascii_lowercase();
        let order = PRIORITY_ORDER
            .iter()
            .position(|p| *p == lower)
            .unwrap_or(PRIORITY_ORDER.len());
        *by_priority.entry((order, priority)).or_insert(0) += 1;
    }
    let status: Vec<Value> = by_status
        .into_iter()
        .map(|((_, name), (count, category))| json!({"name": soft_wrap(&name, 30), "count": count, "category": category}))
        .collect();
    let priority: Vec<Value> = by_priority
        .into_iter()
        .map(|((_, name), count)| {
            json!({"name": (!name.is_empty()).then(|| soft_wrap(&name, 30)), "count": count, "color": priority_color(&name)})
        })
        .collect();
    json!({
        "total": issues.len(),
        "todo": by_category[0],
        "progress": by_category[1],
        "done": by_category[2],
        "by-status": status,
        "by-priority": priority,
    })
}
