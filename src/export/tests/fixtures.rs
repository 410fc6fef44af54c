//! Test data (a rich ADF document, issues, tiny images) and PDF readers for the export tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::export::*;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A minimal RGB PNG (stored deflate blocks), so the tests need no image crate.
pub(super) fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend(pixel(x, y));
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        zlib.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

pub(super) fn gradient_png() -> Vec<u8> {
    png(320, 160, |x, y| {
        [(x * 255 / 320) as u8, (y * 255 / 160) as u8, 180]
    })
}

pub(super) fn logo_svg() -> Vec<u8> {
    br##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
      <rect x="0" y="0" width="40" height="40" rx="8" fill="#0052cc"/>
      <rect x="48" y="12" width="70" height="16" rx="4" fill="#36b37e"/></svg>"##
        .to_vec()
}

pub(super) fn text(s: &str) -> Value {
    json!({"type": "text", "text": s})
}

pub(super) fn marked(s: &str, marks: Value) -> Value {
    json!({"type": "text", "text": s, "marks": marks})
}

pub(super) fn para(content: Vec<Value>) -> Value {
    json!({"type": "paragraph", "content": content})
}

pub(super) fn cell(kind: &str, s: &str, attrs: Value) -> Value {
    json!({"type": kind, "attrs": attrs, "content": [para(vec![text(s)])]})
}

pub(super) const THAI: &str = "ภาษาไทยใช้ในประเทศไทย";
pub(super) const RUSSIAN: &str = "Привет, мир";

pub(super) fn rich_adf() -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [text("Overview / Обзор")]},
        para(vec![
            text("Plain, "),
            marked("bold", json!([{"type": "strong"}])),
            text(", "),
            marked("italic", json!([{"type": "em"}])),
            text(", "),
            marked("struck", json!([{"type": "strike"}])),
            text(", "),
            marked("underlined", json!([{"type": "underline"}])),
            text(", "),
            marked("let x = 1;", json!([{"type": "code"}])),
            text(", "),
            marked("a link", json!([{"type": "link", "attrs": {"href": "https://example.com/a"}}])),
            text(", "),
            marked("red text", json!([{"type": "textColor", "attrs": {"color": "#de350b"}}])),
            text(", H"),
            marked("2", json!([{"type": "subsup", "attrs": {"type": "sub"}}])),
            text("O, x"),
            marked("n", json!([{"type": "subsup", "attrs": {"type": "sup"}}])),
            text(", "),
            marked("javascript link", json!([{"type": "link", "attrs": {"href": "javascript:alert(1)"}}])),
            text(" "),
            json!({"type": "mention", "attrs": {"id": "123", "text": "@Анна Петрова"}}),
            text(" "),
            json!({"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}}),
            text(" "),
            json!({"type": "status", "attrs": {"text": "In review", "color": "blue"}}),
            text(" "),
            json!({"type": "date", "attrs": {"timestamp": "1705312800000"}}),
            json!({"type": "hardBreak"}),
            text("After a hard break. "),
            json!({"type": "inlineCard", "attrs": {"url": "https://acme.atlassian.net/browse/DEMO-2"}}),
        ]),
        {"type": "bulletList", "content": [
            {"type": "listItem", "content": [
                para(vec![text("First item")]),
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [para(vec![text("Nested one")])]},
                    {"type": "listItem", "content": [para(vec![text("Nested two")]),
                        {"type": "orderedList", "content": [
                            {"type": "listItem", "content": [para(vec![text("Deep ordered")])]}]}]}
                ]}
            ]},
            {"type": "listItem", "content": [para(vec![text("Second item")])]}
        ]},
        {"type": "orderedList", "attrs": {"order": 3}, "content": [
            {"type": "listItem", "content": [para(vec![text("Third")])]},
            {"type": "listItem", "content": [para(vec![text("Fourth")])]}
        ]},
        {"type": "codeBlock", "attrs": {"language": "rust"}, "content": [text(
            "fn main() {\n    let url = \"https://example.com/a/very/long/path/that/keeps/going/and/going/without/any/spaces/at/all\";\n    println!(\"{url}\");\n}"
        )]},
        {"type": "blockquote", "content": [para(vec![text(RUSSIAN), text(" — цитата.")])]},
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(vec![text("Info panel")])]},
        {"type": "panel", "attrs": {"panelType": "warning"}, "content": [para(vec![text("Warning panel")])]},
        {"type": "panel", "attrs": {"panelType": "error"}, "content": [para(vec![text("Error panel")])]},
        {"type": "panel", "attrs": {"panelType": "success"}, "content": [para(vec![text("Success panel")])]},
        {"type": "panel", "attrs": {"panelType": "note"}, "content": [para(vec![text("Note panel")])]},
        {"type": "table", "content": [
            {"type": "tableRow", "content": [
                cell("tableHeader", "Environment", json!({})),
                cell("tableHeader", "Endpoint", json!({})),
                cell("tableHeader", "Notes", json!({})),
                cell("tableHeader", "Owner", json!({})),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", "production", json!({"rowspan": 2})),
                cell("tableCell", "https://api.example.com/v1/organisations/12345/projects/67890/issues?expand=changelog", json!({})),
                cell("tableCell", "Долгий текст, который должен переноситься внутри ячейки таблицы без выхода за поля.", json!({})),
                cell("tableCell", "Анна", json!({"background": "#fffae6"})),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", "Spans two columns", json!({"colspan": 2})),
                cell("tableCell", THAI, json!({})),
            ]},
        ]},
        {"type": "rule"},
        {"type": "mediaSingle", "attrs": {"layout": "center", "width": 60}, "content": [
            {"type": "media", "attrs": {"id": "att-1", "type": "file", "collection": "", "alt": "screenshot.png"}}
        ]},
        {"type": "mediaSingle", "content": [
            {"type": "media", "attrs": {"id": "nope", "type": "file", "alt": "diagram-not-fetched.png"}}
        ]},
        {"type": "expand", "attrs": {"title": "Details"}, "content": [para(vec![text("Hidden in an expand.")])]},
        {"type": "taskList", "attrs": {"localId": "t"}, "content": [
            {"type": "taskItem", "attrs": {"state": "DONE"}, "content": [text("Write the renderer")]},
            {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [text("Ship it")]},
            {"type": "taskList", "content": [
                {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [text("Nested task")]}]}
        ]},
        {"type": "decisionList", "content": [
            {"type": "decisionItem", "attrs": {"state": "DECIDED"}, "content": [text("Use typst")]}]},
        {"type": "blockCard", "attrs": {"url": "https://example.com/design-doc"}},
        {"type": "layoutSection", "content": [
            {"type": "layoutColumn", "attrs": {"width": 50}, "content": [para(vec![text("Left column")])]},
            {"type": "layoutColumn", "attrs": {"width": 50}, "content": [para(vec![text("Right column")])]}
        ]},
        para(vec![text(THAI), text(" การทดสอบการแสดงผล")]),
        {"type": "extension", "attrs": {"extensionKey": "x", "text": "Macro fallback text"}},
    ]})
}

pub(super) fn rich_issue() -> ExportIssue {
    ExportIssue {
        key: "DEMO-1".into(),
        summary: format!("Экспорт отчёта в PDF — {THAI}"),
        status: "In Progress".into(),
        status_category: "indeterminate".into(),
        priority: Some("High".into()),
        issue_type: "Story".into(),
        assignee: Some("Анна Петрова".into()),
        reporter: Some("สมชาย ใจดี".into()),
        created: "2024-01-15T10:30:00.000+0000".into(),
        updated: "2024-02-01T08:05:00.000+0700".into(),
        due_date: Some("2024-03-01".into()),
        labels: vec!["export".into(), "pdf".into(), "i18n".into()],
        parent: Some(ExportParent {
            key: "DEMO-100".into(),
            summary: "Reporting epic".into(),
        }),
        custom_fields: vec![
            ExportField {
                name: "Story points".into(),
                value: "5".into(),
            },
            ExportField {
                name: "Sprint".into(),
                value: "Sprint 12".into(),
            },
            ExportField {
                name: "Spec".into(),
                value: "https://confluence.example.com/display/ENG/Export+to+PDF+specification+v2"
                    .into(),
            },
        ],
        description: Some(rich_adf()),
        comments: vec![
            ExportComment {
                author: "Иван Иванов".into(),
                created: "2024-01-16T09:00:00.000+0300".into(),
                body: json!({"type": "doc", "version": 1, "content": [para(vec![text(RUSSIAN), text("! Проверил на тестовом стенде.")])]}),
            },
            ExportComment {
                author: "สมชาย ใจดี".into(),
                created: "2024-01-17T14:20:00.000+0700".into(),
                body: json!("Plain v2 comment body.\n\nSecond paragraph."),
            },
        ],
        changelog: vec![
            ExportChange {
                author: "Анна Петрова".into(),
                created: "2024-01-15T11:00:00.000+0000".into(),
                field: "status".into(),
                from: Some("To Do".into()),
                to: Some("In Progress".into()),
            },
            ExportChange {
                author: "Jira Automation".into(),
                created: "2024-01-15T11:01:00.000+0000".into(),
                field: "labels".into(),
                from: None,
                to: Some("export pdf i18n".into()),
            },
        ],
        attachments: vec![
            ExportAttachment {
                id: Some("att-1".into()),
                filename: "screenshot.png".into(),
                mime_type: "image/png".into(),
                size: 4_321,
                content: Some(gradient_png()),
            },
            ExportAttachment {
                id: Some("att-2".into()),
                filename: "logo.svg".into(),
                mime_type: "image/svg+xml".into(),
                size: 300,
                content: Some(logo_svg()),
            },
            ExportAttachment {
                id: Some("att-3".into()),
                filename: "broken.png".into(),
                mime_type: "image/png".into(),
                size: 12,
                content: Some(b"\x89PNG\r\n\x1a\nnot really".to_vec()),
            },
            ExportAttachment {
                id: Some("att-4".into()),
                filename: "specification.pdf".into(),
                mime_type: "application/pdf".into(),
                size: 2_400_000,
                content: None,
            },
        ],
    }
}

pub(super) fn plain_issue(i: usize) -> ExportIssue {
    let statuses = [
        ("To Do", "new"),
        ("In Progress", "indeterminate"),
        ("Code Review", "indeterminate"),
        ("Done", "done"),
    ];
    let priorities = ["Highest", "High", "Medium", "Low", "Lowest"];
    let (status, category) = statuses[i % statuses.len()];
    ExportIssue {
        key: format!("LOAD-{}", i + 1),
        summary: format!(
            "Issue number {} — {}",
            i + 1,
            if i.is_multiple_of(2) { RUSSIAN } else { THAI }
        ),
        status: status.into(),
        status_category: category.into(),
        priority: Some(priorities[i % priorities.len()].into()),
        issue_type: if i.is_multiple_of(3) { "Bug" } else { "Task" }.into(),
        assignee: (!i.is_multiple_of(4)).then(|| format!("User {}", i % 7)),
        reporter: Some("Reporter".into()),
        created: "2024-01-15T10:30:00.000+0000".into(),
        updated: "2024-02-01T10:30:00.000+0000".into(),
        description: Some(json!({"type": "doc", "version": 1, "content": [
            para(vec![text("A short description of the work, with enough words to wrap onto a second line in the PDF.")]),
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [para(vec![text("Acceptance one")])]},
                {"type": "listItem", "content": [para(vec![text("Acceptance two")])]}]}
        ]})),
        comments: vec![ExportComment {
            author: "Reviewer".into(),
            created: "2024-01-20T10:30:00.000+0000".into(),
            body: json!({"type": "doc", "version": 1, "content": [para(vec![text("Looks good.")])]}),
        }],
        changelog: vec![ExportChange {
            author: "Reviewer".into(),
            created: "2024-01-20T10:31:00.000+0000".into(),
            field: "status".into(),
            from: Some("To Do".into()),
            to: Some(status.into()),
        }],
        ..Default::default()
    }
}

pub(super) fn report(issues: Vec<ExportIssue>) -> ReportInput {
    ReportInput {
        title: "Sprint 12 — отчёт".into(),
        query: Some("project = DEMO AND sprint in openSprints() ORDER BY rank".into()),
        site: Some("acme.atlassian.net".into()),
        generated_at: "2024-02-02T09:00:00Z".into(),
        issues,
    }
}

// ---------------------------------------------------------------- reading PDFs back

pub(super) fn save(name: &str, pdf: &RenderedPdf) -> PathBuf {
    let dir = std::env::temp_dir().join("jira-gateway-export");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    path
}

/// Every page's text: poppler's pdftotext when installed (an independent reader), else the
/// built-in extractor ([`extract::page_texts`]), which reads typst's Type0 fonts through their
/// ToUnicode maps and honours `/ActualText`, so the tests check real text either way.
pub(super) fn pdf_pages(path: &Path) -> Vec<String> {
    match Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8(out.stdout).unwrap();
            // Every page ends with a form feed.
            let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
            if pages.last().is_some_and(|p| p.trim().is_empty()) {
                pages.pop();
            }
            pages
        }
        _ => {
            eprintln!(
                "pdftotext not found (apt-get install poppler-utils); using the built-in extractor"
            );
            extract::page_texts(&std::fs::read(path).unwrap()).unwrap()
        }
    }
}

/// The whole PDF's text (see [`pdf_pages`]). Zero-width spaces are dropped and whitespace is
/// squashed so wrapped text compares whole.
pub(super) fn pdf_text(path: &Path) -> String {
    squash_pdf_text(&pdf_pages(path).join("\n"))
}

/// Extracted text without zero-width spaces, whitespace squashed.
pub(super) use crate::export::extract::undo_cluster_doubling;

pub(super) fn squash_pdf_text(text: &str) -> String {
    squash(&text.replace('\u{200b}', ""))
}

/// Base font names of every font embedded in the PDF (`ABCDEF+NotoSansThai-Regular`).
pub(super) fn embedded_fonts(pdf: &RenderedPdf) -> Vec<String> {
    let doc = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| {
            dict.get(b"Type")
                .and_then(|t| t.as_name())
                .is_ok_and(|t| t == b"FontDescriptor")
        })
        .filter(|dict| dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"))
        .filter_map(|dict| dict.get(b"FontName").and_then(|n| n.as_name()).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names
}

pub(super) fn page_count(pdf: &RenderedPdf) -> usize {
    lopdf::Document::load_mem(&pdf.bytes)
        .unwrap()
        .get_pages()
        .len()
}

pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
