//! PDF render benchmark: one issue with a rich ADF description and 20 comments, rendered
//! in-process with `render_pdf` (no Jira, no network). Fonts are loaded once, one render warms
//! typst's caches, then `--runs` renders are timed one after the other and the median, p90 and
//! min per render are printed with the pages and bytes. See `BENCHMARKS.md` ("PDF export") for
//! the commands and the latest results.
//!
//! By default every render gets the same input, so typst's memoization reuses most of the
//! previous layout (the best case). `--vary` puts a run number into the description and every
//! comment, so each render lays out new text (closer to exporting a different issue).
//!
//! ```sh
//! cargo build --release --example render_bench
//! target/release/examples/render_bench --runs 50 --template issue
//! target/release/examples/render_bench --runs 50 --template issue --vary
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use jira_gateway::export::{
    ExportAttachment, ExportChange, ExportComment, ExportField, ExportIssue, ExportParent,
    FontOptions, RenderOptions, ReportInput, Template, init_fonts, render_pdf,
};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TemplateArg {
    Issue,
    Report,
}

#[derive(Debug, Parser)]
#[command(about = "Times render_pdf on one issue with a rich description and 20 comments")]
struct Args {
    /// Timed renders after the warm-up render.
    #[arg(long, default_value_t = 50)]
    runs: usize,
    /// Comments on the issue.
    #[arg(long, default_value_t = 20)]
    comments: usize,
    /// Built-in template to render with.
    #[arg(long, value_enum, default_value_t = TemplateArg::Issue)]
    template: TemplateArg,
    /// Make every timed render's text differ (a run number in the description and in every
    /// comment), so typst's memoization cannot reuse the previous render's layout. Without it
    /// the same input is rendered again and again: the warm, mostly-cached case.
    #[arg(long)]
    vary: bool,
    /// Write the last PDF here, to look at it.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

const THAI: &str = "ภาษาไทยใช้ในประเทศไทย";
const RUSSIAN: &str = "Привет, мир";

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

/// A description exercising most ADF node types (after `rich_adf` in the export tests).
fn rich_description(salt: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [text(&format!("Overview / Обзор {salt}"))]},
        para(vec![
            text("Plain, "),
            marked("bold", json!([{"type": "strong"}])),
            text(", "),
            marked("italic", json!([{"type": "em"}])),
            text(", "),
            marked("let x = 1;", json!([{"type": "code"}])),
            text(", "),
            marked("a link", json!([{"type": "link", "attrs": {"href": "https://example.com/a"}}])),
            text(", "),
            marked("red text", json!([{"type": "textColor", "attrs": {"color": "#de350b"}}])),
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
                    {"type": "listItem", "content": [para(vec![text("Nested two")])]}
                ]}
            ]},
            {"type": "listItem", "content": [para(vec![text("Second item")])]}
        ]},
        {"type": "orderedList", "attrs": {"order": 3}, "content": [
            {"type": "listItem", "content": [para(vec![text("Third")])]},
            {"type": "listItem", "content": [para(vec![text("Fourth")])]}
        ]},
        {"type": "codeBlock", "attrs": {"language": "rust"}, "content": [text(
            "fn main() {\n    let url = \"https://example.com/a/very/long/path/that/keeps/going\";\n    println!(\"{url}\");\n}"
        )]},
        {"type": "blockquote", "content": [para(vec![text(RUSSIAN), text(" — цитата.")])]},
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(vec![text("Info panel")])]},
        {"type": "panel", "attrs": {"panelType": "warning"}, "content": [para(vec![text("Warning panel")])]},
        {"type": "table", "content": [
            {"type": "tableRow", "content": [
                cell("tableHeader", "Environment", json!({})),
                cell("tableHeader", "Endpoint", json!({})),
                cell("tableHeader", "Notes", json!({})),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", "production", json!({"rowspan": 2})),
                cell("tableCell", "https://api.example.com/v1/organisations/12345/projects/67890/issues", json!({})),
                cell("tableCell", "Долгий текст, который должен переноситься внутри ячейки таблицы.", json!({})),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", "Spans two columns", json!({"colspan": 2})),
            ]},
        ]},
        {"type": "rule"},
        {"type": "taskList", "attrs": {"localId": "t"}, "content": [
            {"type": "taskItem", "attrs": {"state": "DONE"}, "content": [text("Write the renderer")]},
            {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [text("Ship it")]}
        ]},
        {"type": "expand", "attrs": {"title": "Details"}, "content": [para(vec![text("Hidden in an expand.")])]},
        para(vec![text(THAI), text(" การทดสอบการแสดงผล")]),
    ]})
}

/// A comment body of a few paragraphs, a list and sometimes a code block.
fn comment_body(n: usize, salt: &str) -> Value {
    let mut content = vec![
        para(vec![
            text(&format!("Comment {n}{salt}: ")),
            text("looked at the export again; the table wraps correctly now and the "),
            marked("header", json!([{"type": "strong"}])),
            text(" repeats on every page. "),
            marked(
                "See the logs",
                json!([{"type": "link", "attrs": {"href": "https://example.com/logs"}}]),
            ),
            text("."),
        ]),
        {
            json!({"type": "bulletList", "content": [
                {"type": "listItem", "content": [para(vec![text("Checked on A4 and Letter")])]},
                {"type": "listItem", "content": [para(vec![text("Проверено на русском")])]}
            ]})
        },
    ];
    if n.is_multiple_of(3) {
        content.push(
            json!({"type": "codeBlock", "attrs": {"language": "text"}, "content": [
                text("GET /rest/api/3/search/jql?jql=project%20%3D%20DEMO 200 OK (42 ms)")
            ]}),
        );
    }
    json!({"type": "doc", "version": 1, "content": content})
}

fn input(comments: usize, salt: &str) -> ReportInput {
    let issue = ExportIssue {
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
        ],
        description: Some(rich_description(salt)),
        comments: (1..=comments)
            .map(|n| ExportComment {
                author: if n % 2 == 0 {
                    "Анна Петрова".into()
                } else {
                    "John Smith".into()
                },
                created: format!("2024-01-{:02}T09:{:02}:00.000+0000", 15 + n % 14, n % 60),
                body: comment_body(n, salt),
            })
            .collect(),
        changelog: vec![ExportChange {
            author: "John Smith".into(),
            created: "2024-01-16T11:00:00.000+0000".into(),
            field: "status".into(),
            from: Some("To Do".into()),
            to: Some("In Progress".into()),
        }],
        attachments: vec![ExportAttachment {
            id: Some("att-1".into()),
            filename: "notes.txt".into(),
            mime_type: "text/plain".into(),
            size: 1234,
            content: None,
        }],
    };
    ReportInput {
        title: "DEMO-1".into(),
        query: Some("key = DEMO-1".into()),
        site: Some("demo.atlassian.net".into()),
        generated_at: "2024-02-02T12:00:00Z".into(),
        issues: vec![issue],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let started = Instant::now();
    let fonts = init_fonts(&FontOptions::default()).context("loading fonts")?;
    let font_load = started.elapsed();

    let inputs: Vec<ReportInput> = if args.vary {
        (0..=args.runs)
            .map(|run| input(args.comments, &format!(" (run {run})")))
            .collect()
    } else {
        vec![input(args.comments, "")]
    };
    let options = RenderOptions {
        template: match args.template {
            TemplateArg::Issue => Template::Issue,
            TemplateArg::Report => Template::Report,
        },
        ..RenderOptions::default()
    };

    let started = Instant::now();
    let warm = render_pdf(&inputs[0], &options).context("warm-up render")?;
    let first = started.elapsed();

    let mut times = Vec::with_capacity(args.runs);
    let mut last = warm;
    for run in 1..=args.runs {
        let input = &inputs[run % inputs.len()];
        let started = Instant::now();
        last = render_pdf(input, &options).context("timed render")?;
        times.push(started.elapsed());
    }
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];

    println!(
        "render_bench: 1 issue, {} comments, template {:?}, {} timed runs, {}",
        args.comments,
        args.template,
        args.runs,
        if args.vary {
            "text varied per run"
        } else {
            "same input every run"
        }
    );
    println!("fonts loaded: {fonts} faces in {:.1} ms", ms(font_load));
    println!("first (cold) render: {:.1} ms", ms(first));
    println!(
        "per render: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!("pages: {}, bytes: {}", last.pages, last.bytes.len());
    if let Some(path) = &args.out {
        std::fs::write(path, &last.bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
