//! Renders real PDFs and reads them back (lopdf; `pdftotext` from poppler-utils when installed).
//! Each test also writes its PDF to `$TMPDIR/jira-gateway-export/` for eyeballing with
//! `pdftoppm -png -r 60`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use super::*;

// ---------------------------------------------------------------- fixtures

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A minimal RGB PNG (stored deflate blocks), so the tests need no image crate.
fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
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

fn gradient_png() -> Vec<u8> {
    png(320, 160, |x, y| [(x * 255 / 320) as u8, (y * 255 / 160) as u8, 180])
}

fn logo_svg() -> Vec<u8> {
    br##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
      <rect x="0" y="0" width="40" height="40" rx="8" fill="#0052cc"/>
      <rect x="48" y="12" width="70" height="16" rx="4" fill="#36b37e"/></svg>"##
        .to_vec()
}

fn text(s: &str) -> Value {
    json!({"type": "text", "text": s})
}

fn marked(s: &str, marks: Value) -> Value {
    json!({"type": "text", "text": s, "marks": marks})
}

fn para(content: Vec<Value>) -> Value {
    json!({"type": "paragraph", "content": content})
}

fn cell(kind: &str, s: &str, attrs: Value) -> Value {
    json!({"type": kind, "attrs": attrs, "content": [para(vec![text(s)])]})
}

const THAI: &str = "ภาษาไทยใช้ในประเทศไทย";
const RUSSIAN: &str = "Привет, мир";

fn rich_adf() -> Value {
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

fn rich_issue() -> ExportIssue {
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
        parent: Some(ExportParent { key: "DEMO-100".into(), summary: "Reporting epic".into() }),
        custom_fields: vec![
            ExportField { name: "Story points".into(), value: "5".into() },
            ExportField { name: "Sprint".into(), value: "Sprint 12".into() },
            ExportField {
                name: "Spec".into(),
                value: "https://confluence.example.com/display/ENG/Export+to+PDF+specification+v2".into(),
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

fn plain_issue(i: usize) -> ExportIssue {
    let statuses = [("To Do", "new"), ("In Progress", "indeterminate"), ("Code Review", "indeterminate"), ("Done", "done")];
    let priorities = ["Highest", "High", "Medium", "Low", "Lowest"];
    let (status, category) = statuses[i % statuses.len()];
    ExportIssue {
        key: format!("LOAD-{}", i + 1),
        summary: format!("Issue number {} — {}", i + 1, if i % 2 == 0 { RUSSIAN } else { THAI }),
        status: status.into(),
        status_category: category.into(),
        priority: Some(priorities[i % priorities.len()].into()),
        issue_type: if i % 3 == 0 { "Bug" } else { "Task" }.into(),
        assignee: (i % 4 != 0).then(|| format!("User {}", i % 7)),
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

fn report(issues: Vec<ExportIssue>) -> ReportInput {
    ReportInput {
        title: "Sprint 12 — отчёт".into(),
        query: Some("project = DEMO AND sprint in openSprints() ORDER BY rank".into()),
        site: Some("acme.atlassian.net".into()),
        generated_at: "2024-02-02T09:00:00Z".into(),
        issues,
    }
}

// ---------------------------------------------------------------- reading PDFs back

fn save(name: &str, pdf: &RenderedPdf) -> PathBuf {
    let dir = std::env::temp_dir().join("jira-gateway-export");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    path
}

/// Text through poppler's pdftotext when installed (it handles typst's Type0 fonts with
/// ToUnicode maps), else lopdf's extractor. Zero-width spaces and line breaks are dropped so
/// wrapped text compares whole.
fn pdf_text(path: &Path) -> String {
    let raw = match Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(path).arg("-").output() {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        _ => {
            eprintln!("pdftotext not found (apt-get install poppler-utils); using lopdf's text extraction");
            let doc = lopdf::Document::load(path).unwrap();
            let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
            doc.extract_text(&pages).unwrap_or_default()
        }
    };
    raw.replace('\u{200b}', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Base font names of every font embedded in the PDF (`ABCDEF+NotoSansThai-Regular`).
fn embedded_fonts(pdf: &RenderedPdf) -> Vec<String> {
    let doc = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|t| t == b"FontDescriptor"))
        .filter(|dict| dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"))
        .filter_map(|dict| dict.get(b"FontName").and_then(|n| n.as_name()).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names
}

fn page_count(pdf: &RenderedPdf) -> usize {
    lopdf::Document::load_mem(&pdf.bytes).unwrap().get_pages().len()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- tests

#[test]
fn one_rich_issue_renders_every_adf_node_with_thai_and_cyrillic_as_text() {
    let options = RenderOptions { template: Template::Issue, logo: Some(logo_svg()), ..Default::default() };
    let started = Instant::now();
    let pdf = render_pdf(&report(vec![rich_issue()]), &options).unwrap();
    eprintln!("rich issue: {} pages, {} KB in {:?} (debug build)", pdf.pages, pdf.bytes.len() / 1024, started.elapsed());
    let path = save("rich-issue", &pdf);

    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_eq!(page_count(&pdf), pdf.pages);
    assert!(pdf.pages >= 2, "a rich issue spans pages, got {}", pdf.pages);

    let fonts = embedded_fonts(&pdf);
    eprintln!("embedded fonts: {fonts:?}");
    for family in ["LibertinusSerif", "NotoSansThai", "DejaVuSansMono"] {
        assert!(fonts.iter().any(|f| f.contains(family)), "{family} not embedded: {fonts:?}");
    }

    let text = pdf_text(&path);
    for expected in [
        "DEMO-1",
        "Экспорт отчёта в PDF",
        THAI,
        RUSSIAN,
        "Анна Петрова",
        "First item",
        "Deep ordered",
        "Info panel",
        "Spans two columns",
        "Hidden in an expand.",
        "Nested task",
        "Macro fallback text",
        "Plain v2 comment body.",
        "screenshot.png",
        "specification.pdf",
        "broken.png",
        "diagram-not-fetched.png",
        "Reporting epic",
        "15 Jan 2024 10:30",
        "javascript link",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn jira_text_renders_literally_and_never_runs_as_typst() {
    let nasty = [
        r#"#read("/etc/passwd")"#,
        r#"#import "x": *"#,
        "] * $ @ _ < > ` ~ = - + /",
        r"back\slash \\ \n",
        "#{1+1} #eval(\"2\") $x^2$",
        "<label> @ref _under_ *star*",
        "#image(\"/etc/hostname\")",
    ];
    let mut issue = plain_issue(0);
    issue.key = "SEC-1".into();
    issue.summary = nasty[0].into();
    issue.labels = nasty.iter().map(|s| s.to_string()).collect();
    issue.assignee = Some(nasty[4].into());
    issue.custom_fields = nasty.iter().map(|s| ExportField { name: s.to_string(), value: s.to_string() }).collect();
    issue.description = Some(json!({"type": "doc", "version": 1, "content": nasty.iter().map(|s| para(vec![text(s)])).collect::<Vec<_>>()}));
    issue.comments[0].author = nasty[1].into();
    issue.changelog[0].from = Some(nasty[2].into());
    let mut input = report(vec![issue]);
    input.title = nasty[3].into();
    input.query = Some(nasty[5].into());

    for template in [Template::Issue, Template::Report] {
        let options = RenderOptions { template, ..Default::default() };
        let pdf = render_pdf(&input, &options).unwrap();
        let path = save(&format!("injection-{template:?}"), &pdf);
        let text = pdf_text(&path);
        for s in nasty {
            assert!(text.contains(&squash(s)), "{s:?} not rendered literally in {template:?}:\n{text}");
        }
        assert!(!text.contains("root:"), "file contents leaked");
    }
}

#[test]
fn custom_template_cannot_read_files_outside_the_allow_list() {
    for (source, needle) in [
        (r#"#read("/etc/passwd")"#, "not found"),
        (r#"#read("../../../../etc/passwd")"#, "not found"),
        (r#"#image("/etc/hostname")"#, "not found"),
        ("#import \"@preview/cetz:0.3.0\": *", ""),
    ] {
        let options = RenderOptions { custom_template: Some(source.into()), ..Default::default() };
        let err = render_pdf(&report(vec![plain_issue(0)]), &options).unwrap_err();
        match err {
            ExportError::Template { message, line, column } => {
                assert!(message.contains(needle), "{source}: {message}");
                assert_eq!(line, 1, "{source}: {message}");
                assert!(column > 1, "{source}: {message}");
            }
            other => panic!("{source}: expected a template error, got {other:?}"),
        }
    }
}

#[test]
fn template_errors_carry_line_and_column() {
    let source = "= Report\n\nSome text.\nMore #nosuch(1) here\n";
    let options = RenderOptions { custom_template: Some(source.into()), ..Default::default() };
    let err = render_pdf(&report(vec![plain_issue(0)]), &options).unwrap_err();
    let ExportError::Template { message, line, column } = err else { panic!("expected a template error, got {err:?}") };
    assert_eq!((line, column), (4, 7), "{message}");
    assert!(message.contains("nosuch"), "{message}");

    // A syntax error.
    let options = RenderOptions { custom_template: Some("ok\n#let x = (1, \n".into()), ..Default::default() };
    let err = render_pdf(&report(vec![]), &options).unwrap_err();
    assert!(matches!(err, ExportError::Template { line: 2 | 3, .. }), "{err:?}");

    // Misusing a lib.typ component points at the call in the template, not into lib.typ.
    let source = "#import \"/lib.typ\": *\n\n#adf(42)\n";
    let options = RenderOptions { custom_template: Some(source.into()), ..Default::default() };
    let err = render_pdf(&report(vec![]), &options).unwrap_err();
    assert!(matches!(err, ExportError::Template { line: 3, column: 2, .. }), "{err:?}");
}

#[test]
fn custom_template_reads_the_same_data_and_can_reuse_the_components() {
    let source = r#"#import "/lib.typ": *
#show: page-setup
= #data.title
#for issue in data.issues [
  - #issue.key: #issue.summary (#issue.status)
]
#issue-section(data.issues.first(), 0)
"#;
    let options = RenderOptions { custom_template: Some(source.into()), ..Default::default() };
    let pdf = render_pdf(&report(vec![plain_issue(0), plain_issue(1)]), &options).unwrap();
    let text = pdf_text(&save("custom-template", &pdf));
    assert!(text.contains("LOAD-1: Issue number 1"), "{text}");
    assert!(text.contains("LOAD-2"), "{text}");
}

#[test]
fn report_of_300_issues_has_cover_contents_charts_and_every_issue() {
    let issues: Vec<ExportIssue> = (0..300).map(plain_issue).collect();
    let options = RenderOptions { paper: Paper::Letter, accent_color: "#6554C0".into(), ..Default::default() };
    let started = Instant::now();
    let pdf = render_pdf(&report(issues), &options).unwrap();
    let elapsed = started.elapsed();
    eprintln!("300 issues: {} pages, {} KB in {elapsed:?} (debug build)", pdf.pages, pdf.bytes.len() / 1024);
    let path = save("report-300", &pdf);
    assert!(pdf.pages > 100, "only {} pages", pdf.pages);
    assert_eq!(page_count(&pdf), pdf.pages);
    let text = pdf_text(&path);
    for expected in ["LOAD-1 ", "LOAD-150", "LOAD-300", "By status", "By priority", "Contents", "All issues (300)"] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    assert!(text.contains(&format!("Page 2 / {}", pdf.pages)), "page numbering missing");
}

#[test]
fn report_honours_sections_landscape_and_locale() {
    let mut input = report(vec![rich_issue(), plain_issue(1)]);
    input.issues[1].key = "DEMO-2".into();
    let options = RenderOptions {
        landscape: true,
        locale: "ru".into(),
        title: Some("Переопределённый заголовок".into()),
        sections: Sections { comments: false, changelog: false, toc: false, ..Default::default() },
        ..Default::default()
    };
    let pdf = render_pdf(&input, &options).unwrap();
    let path = save("report-ru-landscape", &pdf);
    let text = pdf_text(&path);
    assert!(text.contains("Переопределённый заголовок"));
    assert!(text.contains("15.01.2024 10:30"), "Russian date format");
    assert!(text.contains("Описание"), "Russian labels");
    assert!(!text.contains("Проверил на тестовом стенде"), "comments were switched off");
    assert!(!text.contains("Содержание"), "table of contents was switched off");

    let doc = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let first = *doc.get_pages().values().next().unwrap();
    let media_box = doc.get_dictionary(first).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
    let size: Vec<f32> = media_box.iter().map(|v| v.as_float().unwrap()).collect();
    assert!(size[2] > size[3], "landscape page is wider than tall: {size:?}");
}

#[test]
fn empty_report_renders_a_cover() {
    let pdf = render_pdf(&report(vec![]), &RenderOptions::default()).unwrap();
    assert!(pdf.pages >= 2);
    let text = pdf_text(&save("empty-report", &pdf));
    assert!(text.contains("No issues"), "{text}");
}

#[test]
fn invalid_options_are_rejected_before_rendering() {
    let input = report(vec![plain_issue(0)]);
    let cases = [
        RenderOptions { accent_color: "red".into(), ..Default::default() },
        RenderOptions { accent_color: "#12345".into(), ..Default::default() },
        RenderOptions { locale: "english".into(), ..Default::default() },
        RenderOptions { logo: Some(b"GIF89a broken".to_vec()), ..Default::default() },
    ];
    for options in cases {
        let err = render_pdf(&input, &options).unwrap_err();
        assert!(matches!(err, ExportError::InvalidOption(_)), "{options:?}: {err:?}");
    }
    let options = RenderOptions { template: Template::Issue, ..Default::default() };
    assert!(matches!(render_pdf(&report(vec![]), &options), Err(ExportError::InvalidOption(_))));
}

#[tokio::test]
async fn blocking_render_runs_off_the_runtime() {
    let renders = (0..3).map(|i| {
        let options = RenderOptions { template: Template::Issue, ..Default::default() };
        render_pdf_blocking(report(vec![plain_issue(i)]), options)
    });
    for result in futures_util::future::join_all(renders).await {
        assert!(result.unwrap().pages >= 1);
    }
}

#[test]
fn japanese_renders_with_an_extra_font_directory() {
    let dir = Path::new("/usr/share/fonts/opentype/noto");
    if !dir.join("NotoSansCJK-Regular.ttc").exists() {
        eprintln!("skipped: no CJK fonts in {} (apt-get install fonts-noto-cjk)", dir.display());
        return;
    }
    let fonts = fonts::Fonts::load(&FontOptions { extra_dir: Some(dir.to_owned()) });
    let mut issue = plain_issue(0);
    issue.summary = "日本語の課題の要約".into();
    issue.description = Some(json!("説明文：エクスポートのテストです。"));
    let options = RenderOptions { template: Template::Issue, locale: "ja".into(), ..Default::default() };
    let pdf = render_with_fonts(&fonts, &report(vec![issue]), &options).unwrap();
    let path = save("japanese", &pdf);
    let names = embedded_fonts(&pdf);
    assert!(names.iter().any(|n| n.contains("CJK")), "no CJK font embedded: {names:?}");
    let text = pdf_text(&path);
    assert!(text.contains("日本語の課題の要約"), "{text}");
}

// ---------------------------------------------------------------- ADF conversion

fn convert(doc: Value) -> Vec<Value> {
    let locale = locale::Locale::parse("en").unwrap();
    let ctx = adf::AdfContext { locale: &locale, resolve_media: &|_, _| None, covers: &|_| false };
    adf::convert_document(&doc, &ctx)
}

#[test]
fn table_columns_account_for_colspan_and_rowspan() {
    let doc = json!({"type": "doc", "content": [{"type": "table", "content": [
        {"type": "tableRow", "content": [cell("tableCell", "a", json!({"rowspan": 2})), cell("tableCell", "b", json!({"colspan": 3}))]},
        {"type": "tableRow", "content": [cell("tableCell", "c", json!({})), cell("tableCell", "d", json!({"rowspan": 9}))]},
    ]}]});
    let blocks = convert(doc);
    assert_eq!(blocks[0]["columns"], 4);
    assert_eq!(blocks[0]["rows"][1][1]["rowspan"], 1, "rowspan is clamped to the rows left");
    assert_eq!(blocks[0]["header-row"], false);
}

#[test]
fn unsafe_links_colours_and_languages_are_dropped() {
    let doc = json!({"type": "doc", "content": [
        para(vec![marked("x", json!([
            {"type": "link", "attrs": {"href": "file:///etc/passwd"}},
            {"type": "textColor", "attrs": {"color": "red); #read(\"/etc/passwd\")"}},
        ]))]),
        {"type": "codeBlock", "attrs": {"language": "rust\"); #panic("}, "content": [text("x")]},
    ]});
    let blocks = convert(doc);
    assert_eq!(blocks[0]["c"][0].get("m"), None);
    assert_eq!(blocks[1]["lang"], Value::Null);
}

#[test]
fn deep_nesting_is_flattened_to_text() {
    let mut node = para(vec![text("bottom")]);
    for _ in 0..40 {
        node = json!({"type": "blockquote", "content": [node]});
    }
    let pdf = render_pdf(
        &report(vec![ExportIssue { key: "DEEP-1".into(), description: Some(json!({"type": "doc", "content": [node]})), ..Default::default() }]),
        &RenderOptions { template: Template::Issue, ..Default::default() },
    )
    .unwrap();
    assert!(pdf_text(&save("deep", &pdf)).contains("bottom"));
}

#[test]
fn long_tokens_get_break_opportunities_but_thai_does_not() {
    let url = "https://example.com/a/very/long/path/segment?query=value&other=thing";
    let wrapped = adf::soft_wrap(url, 30);
    assert!(wrapped.contains('\u{200b}'));
    assert_eq!(wrapped.replace('\u{200b}', ""), url);
    let thai = "ภาษาไทยใช้ในประเทศไทยภาษาไทยใช้ในประเทศไทยภาษาไทยใช้ในประเทศไทย";
    assert_eq!(adf::soft_wrap(thai, 30), thai);
}
