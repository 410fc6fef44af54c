//! Renders real PDFs and reads them back (lopdf; text with `pdftotext` from poppler-utils when
//! installed, else the built-in `export::extract`).
//! Each test also writes its PDF to `$TMPDIR/jira-gateway-export/` for eyeballing with
//! `pdftoppm -png -r 60`.

mod chunked;
mod fixtures;

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use self::fixtures::*;
use super::*;

// ---------------------------------------------------------------- tests

#[test]
fn one_rich_issue_renders_every_adf_node_with_thai_and_cyrillic_as_text() {
    let options = RenderOptions {
        template: Template::Issue,
        logo: Some(logo_svg()),
        ..Default::default()
    };
    let started = Instant::now();
    let pdf = render_pdf(&report(vec![rich_issue()]), &options).unwrap();
    let first = started.elapsed();
    let again = Instant::now();
    render_pdf(&report(vec![rich_issue()]), &options).unwrap();
    eprintln!(
        "rich issue: {} pages, {} KB in {first:?}, the same again in {:?} (debug build)",
        pdf.pages,
        pdf.bytes.len() / 1024,
        again.elapsed()
    );
    let path = save("rich-issue", &pdf);

    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_eq!(page_count(&pdf), pdf.pages);
    assert!(
        pdf.pages >= 2,
        "a rich issue spans pages, got {}",
        pdf.pages
    );

    let fonts = embedded_fonts(&pdf);
    eprintln!("embedded fonts: {fonts:?}");
    for family in ["LibertinusSerif", "NotoSansThai", "DejaVuSansMono"] {
        assert!(
            fonts.iter().any(|f| f.contains(family)),
            "{family} not embedded: {fonts:?}"
        );
    }

    let raw = pdf_text(&path);
    assert!(
        raw.contains("ภาษาไทย") && raw.contains("สมชาย"),
        "Thai without combining marks extracts exactly"
    );
    let text = undo_cluster_doubling(&raw);
    for expected in RICH_ISSUE_TEXT {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// Text the rich issue (Issue template, English) must show.
const RICH_ISSUE_TEXT: [&str; 22] = [
    "DEMO-1",
    "Экспорт отчёта в PDF",
    THAI,
    RUSSIAN,
    "Анна Петрова",
    "สมชาย ใจดี",
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
    "Page 1 / ",
];

/// The built-in extractor, which the other tests use only where poppler is missing, read
/// directly so it stays tested where poppler is installed: every page, Cyrillic, and Thai
/// whose text only `/ActualText` gives.
#[test]
fn the_built_in_extractor_reads_every_page_of_a_rich_issue() {
    let options = RenderOptions {
        template: Template::Issue,
        logo: Some(logo_svg()),
        ..Default::default()
    };
    let pdf = render_pdf(&report(vec![rich_issue()]), &options).unwrap();
    let pages = extract::page_texts(&pdf.bytes).unwrap();
    assert_eq!(pages.len(), pdf.pages);
    for (n, page) in pages.iter().enumerate() {
        let footer = format!("Page {} / {}", n + 1, pdf.pages);
        assert_eq!(squash(page).matches(&footer).count(), 1, "{page}");
    }
    let text = undo_cluster_doubling(&squash_pdf_text(&pages.join("\n")));
    assert!(!text.contains('\u{fffd}'), "a glyph without text: {text}");
    for expected in RICH_ISSUE_TEXT {
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
    issue.custom_fields = nasty
        .iter()
        .map(|s| ExportField {
            name: s.to_string(),
            value: s.to_string(),
        })
        .collect();
    issue.description = Some(
        json!({"type": "doc", "version": 1, "content": nasty.iter().map(|s| para(vec![text(s)])).collect::<Vec<_>>()}),
    );
    issue.comments[0].author = nasty[1].into();
    issue.changelog[0].from = Some(nasty[2].into());
    let mut input = report(vec![issue]);
    input.title = nasty[3].into();
    input.query = Some(nasty[5].into());

    for template in [Template::Issue, Template::Report] {
        let options = RenderOptions {
            template,
            ..Default::default()
        };
        let pdf = render_pdf(&input, &options).unwrap();
        let path = save(&format!("injection-{template:?}"), &pdf);
        let text = pdf_text(&path);
        for s in nasty {
            assert!(
                text.contains(&squash(s)),
                "{s:?} not rendered literally in {template:?}:\n{text}"
            );
        }
        assert!(!text.contains("root:"), "file contents leaked");
    }
}

#[test]
fn custom_template_cannot_read_files_outside_the_allow_list() {
    for (source, needle) in [
        (r#"#read("/etc/passwd")"#, "not found"),
        (
            r#"#read("../../../../etc/passwd")"#,
            "escape the project root",
        ),
        (r#"#image("/etc/hostname")"#, "not found"),
        ("#import \"@preview/cetz:0.3.0\": *", ""),
    ] {
        let options = RenderOptions {
            custom_template: Some(source.into()),
            ..Default::default()
        };
        let err = render_pdf(&report(vec![plain_issue(0)]), &options).unwrap_err();
        match err {
            ExportError::Template {
                message,
                line,
                column,
            } => {
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
    let options = RenderOptions {
        custom_template: Some(source.into()),
        ..Default::default()
    };
    let err = render_pdf(&report(vec![plain_issue(0)]), &options).unwrap_err();
    let ExportError::Template {
        message,
        line,
        column,
    } = err
    else {
        panic!("expected a template error, got {err:?}")
    };
    assert_eq!((line, column), (4, 7), "{message}");
    assert!(message.contains("nosuch"), "{message}");

    // A syntax error.
    let options = RenderOptions {
        custom_template: Some("ok\n#let x = (1, \n".into()),
        ..Default::default()
    };
    let err = render_pdf(&report(vec![]), &options).unwrap_err();
    assert!(
        matches!(err, ExportError::Template { line: 2 | 3, .. }),
        "{err:?}"
    );

    // Misusing a lib.typ component points at the call in the template, not into lib.typ.
    let source = "#import \"/lib.typ\": *\n\n#adf(42)\n";
    let options = RenderOptions {
        custom_template: Some(source.into()),
        ..Default::default()
    };
    let err = render_pdf(&report(vec![]), &options).unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::Template {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
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
    let options = RenderOptions {
        custom_template: Some(source.into()),
        ..Default::default()
    };
    let pdf = render_pdf(&report(vec![plain_issue(0), plain_issue(1)]), &options).unwrap();
    let text = pdf_text(&save("custom-template", &pdf));
    assert!(text.contains("LOAD-1: Issue number 1"), "{text}");
    assert!(text.contains("LOAD-2"), "{text}");
}

#[test]
fn report_of_300_issues_has_cover_contents_charts_and_every_issue() {
    let issues: Vec<ExportIssue> = (0..300).map(plain_issue).collect();
    let options = RenderOptions {
        paper: Paper::Letter,
        accent_color: "#6554C0".into(),
        ..Default::default()
    };
    let started = Instant::now();
    let pdf = render_pdf(&report(issues), &options).unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "300 issues: {} pages, {} KB in {elapsed:?} (debug build)",
        pdf.pages,
        pdf.bytes.len() / 1024
    );
    let path = save("report-300", &pdf);
    assert!(pdf.pages > 100, "only {} pages", pdf.pages);
    assert_eq!(page_count(&pdf), pdf.pages);
    let text = pdf_text(&path);
    for expected in [
        "LOAD-1 ",
        "LOAD-150",
        "LOAD-300",
        "BY STATUS",
        "BY PRIORITY",
        "Contents",
        "ALL ISSUES (300)",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    assert!(
        text.contains(&format!("Page 2 / {}", pdf.pages)),
        "page numbering missing"
    );
}

#[test]
fn report_honours_sections_landscape_and_locale() {
    let mut input = report(vec![rich_issue(), plain_issue(1)]);
    input.issues[1].key = "DEMO-2".into();
    let options = RenderOptions {
        landscape: true,
        locale: "ru".into(),
        logo: Some(gradient_png()),
        title: Some("Переопределённый заголовок".into()),
        sections: Sections {
            comments: false,
            changelog: false,
            toc: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let pdf = render_pdf(&input, &options).unwrap();
    let path = save("report-ru-landscape", &pdf);
    let text = pdf_text(&path);
    assert!(text.contains("Переопределённый заголовок"));
    assert!(text.contains("15.01.2024 10:30"), "Russian date format");
    assert!(text.contains("ОПИСАНИЕ"), "Russian labels");
    assert!(
        !text.contains("Проверил на тестовом стенде"),
        "comments were switched off"
    );
    assert!(
        !text.contains("Содержание"),
        "table of contents was switched off"
    );

    let doc = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let first = *doc.get_pages().values().next().unwrap();
    let media_box = doc
        .get_dictionary(first)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let size: Vec<f32> = media_box.iter().map(|v| v.as_float().unwrap()).collect();
    assert!(
        size[2] > size[3],
        "landscape page is wider than tall: {size:?}"
    );
}

#[test]
fn thai_locale_uses_thai_labels_and_buddhist_era_dates() {
    let options = RenderOptions {
        template: Template::Issue,
        locale: "th".into(),
        ..Default::default()
    };
    let pdf = render_pdf(&report(vec![rich_issue()]), &options).unwrap();
    let text = undo_cluster_doubling(&pdf_text(&save("issue-th", &pdf)));
    assert!(text.contains("15 ม.ค. 2567 10:30"), "{text}");
    assert!(text.contains("ไฟล์แนบ"), "Thai labels: {text}");
}

#[test]
fn awkward_content_stays_inside_the_page() {
    let long = "Waiting for customer approval from the legal department";
    let mut issue = plain_issue(0);
    issue.status = long.into();
    issue.priority = Some("P1 - Critical production outage".into());
    issue.assignee = Some("Maximilian Alexander von Habsburg-Lothringen".into());
    issue.summary = "A very long summary ".repeat(12);
    issue.labels = (0..30).map(|i| format!("label-number-{i}")).collect();
    let wide: Vec<Value> = (0..10)
        .map(|c| {
            cell(
                if c == 0 { "tableHeader" } else { "tableCell" },
                &format!("column {c} with a long text value"),
                json!({}),
            )
        })
        .collect();
    issue.description = Some(json!({"type": "doc", "content": [
        {"type": "table", "content": [{"type": "tableRow", "content": wide}, {"type": "tableRow", "content": wide}]},
        para(vec![text("https://example.com/an/extremely/long/url/without/any/spaces/that/would/otherwise/run/off/the/page/edge/and/further")]),
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "huge", "type": "file"}}]},
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "tall", "type": "file"}}]},
    ]}));
    issue.attachments = vec![
        ExportAttachment {
            id: Some("huge".into()),
            filename: "huge.png".into(),
            mime_type: "image/png".into(),
            size: 1,
            content: Some(png(2400, 1200, |x, _| [(x % 256) as u8, 90, 160])),
        },
        ExportAttachment {
            id: Some("tall".into()),
            filename: "tall.png".into(),
            mime_type: "image/png".into(),
            size: 1,
            content: Some(png(60, 1800, |_, y| [200, (y % 256) as u8, 60])),
        },
    ];
    let pdf = render_pdf(&report(vec![issue]), &RenderOptions::default()).unwrap();
    save("awkward", &pdf);
    assert!(pdf.pages >= 4);
}

#[test]
fn empty_report_renders_a_cover() {
    let pdf = render_pdf(&report(vec![]), &RenderOptions::default()).unwrap();
    assert_eq!(pdf.pages, 1);
    let text = pdf_text(&save("empty-report", &pdf));
    assert!(text.contains("No issues"), "{text}");
}

#[test]
fn invalid_options_are_rejected_before_rendering() {
    let input = report(vec![plain_issue(0)]);
    let cases = [
        RenderOptions {
            accent_color: "red".into(),
            ..Default::default()
        },
        RenderOptions {
            accent_color: "#12345".into(),
            ..Default::default()
        },
        RenderOptions {
            locale: "english".into(),
            ..Default::default()
        },
        RenderOptions {
            logo: Some(b"GIF89a broken".to_vec()),
            ..Default::default()
        },
    ];
    for options in cases {
        let err = render_pdf(&input, &options).unwrap_err();
        assert!(
            matches!(err, ExportError::InvalidOption(_)),
            "{options:?}: {err:?}"
        );
    }
    let options = RenderOptions {
        template: Template::Issue,
        ..Default::default()
    };
    assert!(matches!(
        render_pdf(&report(vec![]), &options),
        Err(ExportError::InvalidOption(_))
    ));
}

#[tokio::test]
async fn blocking_render_runs_off_the_runtime() {
    let renders = (0..3).map(|i| {
        let options = RenderOptions {
            template: Template::Issue,
            ..Default::default()
        };
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
        eprintln!(
            "skipped: no CJK fonts in {} (apt-get install fonts-noto-cjk)",
            dir.display()
        );
        return;
    }
    let fonts = fonts::Fonts::load(&FontOptions {
        extra_dir: Some(dir.to_owned()),
    });
    let mut issue = plain_issue(0);
    issue.summary = "日本語の課題の要約".into();
    issue.description = Some(json!("説明文：エクスポートのテストです。"));
    let options = RenderOptions {
        template: Template::Issue,
        locale: "ja".into(),
        ..Default::default()
    };
    let pdf = render_with_fonts(&fonts, &report(vec![issue]), &options).unwrap();
    let path = save("japanese", &pdf);
    let names = embedded_fonts(&pdf);
    assert!(
        names.iter().any(|n| n.contains("CJK")),
        "no CJK font embedded: {names:?}"
    );
    let text = pdf_text(&path);
    assert!(text.contains("日本語の課題の要約"), "{text}");
}

// ---------------------------------------------------------------- ADF conversion

fn convert(doc: Value) -> Vec<Value> {
    let locale = locale::Locale::parse("en").unwrap();
    let ctx = adf::AdfContext {
        locale: &locale,
        resolve_media: &|_, _| None,
        covers: &|_| false,
    };
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
    assert_eq!(
        blocks[0]["rows"][1][1]["rowspan"], 1,
        "rowspan is clamped to the rows left"
    );
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
        &report(vec![ExportIssue {
            key: "DEEP-1".into(),
            description: Some(json!({"type": "doc", "content": [node]})),
            ..Default::default()
        }]),
        &RenderOptions {
            template: Template::Issue,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(pdf_text(&save("deep", &pdf)).contains("bottom"));
}

#[test]
fn long_tokens_get_break_opportunities_but_thai_does_not() {
    let url = "https://example.com/a/very/long/path/segment?query=value&other=thing";
    let wrapped = sanitize::soft_wrap(url, 30);
    assert!(wrapped.contains('\u{200b}'));
    assert_eq!(wrapped.replace('\u{200b}', ""), url);
    let thai = "ภาษาไทยใช้ในประเทศไทยภาษาไทยใช้ในประเทศไทยภาษาไทยใช้ในประเทศไทย";
    assert_eq!(sanitize::soft_wrap(thai, 30), thai);
}
