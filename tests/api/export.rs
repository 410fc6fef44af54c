//! `jira-gateway export`, run as a process against a simulated site; the PDFs are read back
//! with lopdf, and their text with poppler's `pdftotext` when installed, else the crate's
//! built-in extractor (see `helpers::pdf_text`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use jira_gateway::sim::{SimConfig, SimHandle};
use serde_json::{Value, json};

use jira_gateway::export::extract::undo_cluster_doubling;

use crate::helpers::{self, basic, keys_in, spawn_site};

const ADMIN: &str = "admin@demo.test";
const ADMIN_TOKEN: &str = "admin-token";

/// One run of the binary.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `jira-gateway export ARGS` with the admin's credentials for `site`.
async fn export(site: &SimHandle, args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jira-gateway"));
    command
        .arg("export")
        .args(args)
        .env("JIRA_BASE_URL", site.base_url())
        .env("JIRA_EMAIL", ADMIN)
        .env("JIRA_API_TOKEN", ADMIN_TOKEN);
    run(command).await
}

async fn run(mut command: tokio::process::Command) -> Run {
    let started = Instant::now();
    let output = command
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run the binary");
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    eprintln!("export took {:?}: {}", started.elapsed(), run.stdout.trim());
    run
}

fn out_path(dir: &tempfile::TempDir, name: &str) -> (PathBuf, String) {
    let path = dir.path().join(name);
    let text = path.to_str().expect("utf-8 temp path").to_owned();
    (path, text)
}

/// The PDF's text with whitespace squashed (see [`helpers::pdf_text`]).
fn pdf_text(path: &Path) -> String {
    helpers::pdf_text(&std::fs::read(path).expect("the PDF was written"))
}

/// For comparing a string with PDF text that may be wrapped or hyphenated anywhere: no
/// whitespace, no hyphens, and Thai clusters undoubled (see [`undo_cluster_doubling`]).
fn compact(s: &str) -> String {
    undo_cluster_doubling(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{00ad}' | '\u{200b}'))
        .collect()
}

fn load_pdf(path: &Path) -> lopdf::Document {
    let bytes = std::fs::read(path).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    lopdf::Document::load_mem(&bytes).expect("lopdf parses the PDF")
}

/// Names of the fonts embedded in the PDF (`ABCDEF+NotoSansThai-Regular`).
fn embedded_fonts(doc: &lopdf::Document) -> Vec<String> {
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

fn admin_url(site: &SimHandle, path: &str) -> String {
    format!("{}/_sim/as/{ADMIN}/rest/api/3{path}", site.base_url())
}

/// Creates a DEMO task as the admin through the site's admin route; returns its key.
async fn create_issue(http: &reqwest::Client, site: &SimHandle, summary: &str) -> String {
    let body = json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": summary}});
    let response = http
        .post(admin_url(site, "/issue"))
        .json(&body)
        .send()
        .await
        .expect("site answers");
    assert_eq!(response.status().as_u16(), 201, "create issue");
    let created: Value = response.json().await.expect("JSON");
    created["key"].as_str().expect("a key").to_owned()
}

/// REST calls the site saw, as `METHOD path-without-/rest/api/3`.
fn jira_calls(site: &SimHandle) -> Vec<String> {
    site.log()
        .entries()
        .into_iter()
        .filter_map(|e| {
            let (_, path) = e.path.split_once("/rest/api/3/")?;
            Some(format!("{} {path}", e.method))
        })
        .collect()
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread")]
async fn one_issue_exports_with_its_key_and_embedded_fonts() {
    let site = spawn_site(SimConfig {
        issues: 30,
        ..Default::default()
    })
    .await;
    let summary = site
        .state
        .data
        .read()
        .issues
        .values()
        .find(|i| i.key == "DEMO-1")
        .expect("DEMO-1")
        .summary
        .clone();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "DEMO-1.pdf");

    let run = export(
        &site,
        &["--keys", "DEMO-1", "--template", "issue", "--out", &out],
    )
    .await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    let doc = load_pdf(&path);
    let pages = doc.get_pages().len();
    assert!(pages >= 1);
    // The summary line names the file, its pages and bytes.
    let size = std::fs::metadata(&path).expect("the PDF").len();
    let plural = if pages == 1 { "" } else { "s" };
    for expected in [out.clone(), format!("{pages} page{plural}, {size} bytes")] {
        assert!(
            run.stdout.contains(&expected),
            "{expected:?}: {}",
            run.describe()
        );
    }
    let text = pdf_text(&path);
    assert!(text.contains("DEMO-1"), "{text}");
    assert!(
        compact(&text).contains(&compact(&summary)),
        "summary {summary:?} missing from: {text}"
    );
    let fonts = embedded_fonts(&doc);
    assert!(
        fonts.iter().any(|f| f.contains("LibertinusSerif")),
        "fonts not embedded: {fonts:?}"
    );
    assert!(
        !path.with_extension("pdf.partial").exists(),
        "the partial file is renamed away"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_keep_their_order_and_missing_ones_are_named() {
    let site = spawn_site(SimConfig {
        issues: 30,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "keys.pdf");

    let run = export(
        &site,
        &[
            "--keys",
            "DEMO-3,demo-1,DEMO-999",
            "--template",
            "issue",
            "--out",
            &out,
        ],
    )
    .await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(
        run.stderr.contains("DEMO-999"),
        "the missing key is named: {}",
        run.describe()
    );
    let text = pdf_text(&path);
    let (three, one) = (
        text.find("DEMO-3").expect("DEMO-3"),
        text.find("DEMO-1").expect("DEMO-1"),
    );
    assert!(three < one, "DEMO-3 comes first, as given");
    assert_eq!(
        jira_calls(&site)
            .iter()
            .filter(|c| c.ends_with("issue/bulkfetch"))
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn report_shows_thai_and_russian_summaries_as_text() {
    let site = spawn_site(SimConfig {
        issues: 40,
        ..Default::default()
    })
    .await;
    // Find a Thai and a Russian summary the way any client would: through the REST API.
    let http = reqwest::Client::new();
    let page: Value = http
        .post(format!("{}/rest/api/3/search/jql", site.base_url()))
        .header("authorization", basic(ADMIN, ADMIN_TOKEN))
        .json(&json!({"jql": "project = DEMO ORDER BY key ASC", "fields": ["summary"], "maxResults": 100}))
        .send()
        .await
        .expect("site answers")
        .json()
        .await
        .expect("JSON");
    let summaries: Vec<String> = page["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["fields"]["summary"].as_str().map(str::to_owned))
        .collect();
    let thai = summaries
        .iter()
        .find(|s| s.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)))
        .expect("a Thai summary in the seeded data");
    let russian = summaries
        .iter()
        .find(|s| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)))
        .expect("a Russian summary in the seeded data");
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "report.pdf");

    let run = export(
        &site,
        &[
            "--jql",
            "project = DEMO",
            "--out",
            &out,
            "--title",
            "Отчёт / รายงาน",
        ],
    )
    .await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    let text = compact(&pdf_text(&path));
    assert!(
        text.contains(&compact(thai)),
        "Thai summary {thai:?} not extractable: {text}"
    );
    assert!(
        text.contains(&compact(russian)),
        "Russian summary {russian:?} not extractable: {text}"
    );
    assert!(text.contains(&compact("Отчёт / รายงาน")), "the title");
    let fonts = embedded_fonts(&load_pdf(&path));
    for family in ["LibertinusSerif", "NotoSansThai"] {
        assert!(
            fonts.iter().any(|f| f.contains(family)),
            "{family} not embedded: {fonts:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_300_issue_report_has_every_key_and_costs_few_jira_calls() {
    let site = spawn_site(SimConfig {
        issues: 500,
        ..Default::default()
    })
    .await;
    let jql = "project = DEMO AND key <= DEMO-300 ORDER BY key ASC";
    // What the export must fetch beyond the search pages, from the site's own data.
    let (comment_calls, changelog_calls, image_calls) = {
        let data = site.state.data.read();
        let issues: Vec<_> = data
            .issues
            .values()
            .filter(|i| i.project == "DEMO" && i.number <= 300)
            .collect();
        assert_eq!(issues.len(), 300);
        let follow_ups = |n: usize| if n > 20 { (n - 20).div_ceil(100) } else { 0 };
        (
            issues
                .iter()
                .map(|i| follow_ups(i.comments.len()))
                .sum::<usize>(),
            issues
                .iter()
                .map(|i| {
                    if i.changelog.len() > 20 {
                        i.changelog.len().div_ceil(100)
                    } else {
                        0
                    }
                })
                .sum::<usize>(),
            issues
                .iter()
                .flat_map(|i| &i.attachments)
                .filter(|a| a.mime_type.starts_with("image/"))
                .count(),
        )
    };
    site.log().clear();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "300.pdf");

    let run = export(&site, &["--jql", jql, "--out", &out]).await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("300 issues"), "{}", run.describe());
    // Not a terminal: one plain line per ~10 %, ending with the total.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("exported "))
        .collect();
    assert!((5..=11).contains(&lines.len()), "{}", run.describe());
    assert_eq!(lines.last().copied(), Some("exported 300/300 issues"));

    let doc = load_pdf(&path);
    let pages = doc.get_pages().len();
    assert!(pages > 150, "{pages} pages for 300 issues");
    let found = keys_in(&pdf_text(&path), "DEMO");
    let missing: Vec<String> = (1..=300)
        .map(|n| format!("DEMO-{n}"))
        .filter(|k| !found.contains(k))
        .collect();
    assert!(missing.is_empty(), "keys missing from the PDF: {missing:?}");

    let calls = jira_calls(&site);
    let count = |suffix: &str| calls.iter().filter(|c| c.ends_with(suffix)).count();
    let searches = count("POST search/jql");
    let comments = calls
        .iter()
        .filter(|c| c.starts_with("GET issue/") && c.ends_with("/comment"))
        .count();
    let changelogs = calls.iter().filter(|c| c.ends_with("/changelog")).count();
    let images = calls
        .iter()
        .filter(|c| c.starts_with("GET attachment/content/"))
        .count();
    eprintln!(
        "Jira calls for 300 issues: {} in all; {searches} searches, {comments} comment pages, {changelogs} changelog pages, {images} images, {} field list, {} count",
        calls.len(),
        count("GET field"),
        count("search/approximate-count"),
    );
    assert!(searches <= 300 / 100 + 1, "{searches} search pages");
    assert_eq!(
        comments, comment_calls,
        "one follow-up per issue with more than 20 comments"
    );
    assert_eq!(changelogs, changelog_calls);
    assert_eq!(images, image_calls, "every image attachment, nothing else");
    assert_eq!(count("GET field") + count("search/approximate-count"), 2);
    assert_eq!(
        calls.len(),
        searches + comments + changelogs + images + 2,
        "no other calls: {calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn long_comment_threads_and_histories_are_exported_whole() {
    let site = spawn_site(SimConfig {
        issues: 5,
        ..Default::default()
    })
    .await;
    let http = reqwest::Client::new();
    let key = create_issue(&http, &site, "Edit 0").await;
    for n in 1..=22 {
        let response = http
            .put(admin_url(&site, &format!("/issue/{key}")))
            .json(&json!({"fields": {"summary": format!("Edit {n}")}}))
            .send()
            .await
            .expect("edit");
        assert!(response.status().is_success(), "edit {n}");
    }
    for n in 1..=25 {
        let body = json!({"body": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": format!("Comment number {n}")}]}]}});
        let response = http
            .post(admin_url(&site, &format!("/issue/{key}/comment")))
            .json(&body)
            .send()
            .await
            .expect("comment");
        assert!(response.status().is_success(), "comment {n}");
    }
    site.log().clear();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "long.pdf");

    let run = export(
        &site,
        &["--keys", &key, "--template", "issue", "--out", &out],
    )
    .await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    let text = pdf_text(&path);
    for expected in [
        "Comment number 1 ",
        "Comment number 21",
        "Comment number 25",
        "Edit 0",
        "Edit 1 ",
        "Edit 21",
        "Edit 22",
    ] {
        assert!(text.contains(expected), "{expected:?} missing: {text}");
    }
    assert!(
        text.find("Comment number 1 ") < text.find("Comment number 25"),
        "oldest comment first"
    );
    let calls = jira_calls(&site);
    assert_eq!(
        calls.iter().filter(|c| c.ends_with("/comment")).count(),
        1,
        "{calls:?}"
    );
    assert_eq!(
        calls.iter().filter(|c| c.ends_with("/changelog")).count(),
        1,
        "{calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_error_answers_with_line_and_column_and_exit_code_2() {
    let site = spawn_site(SimConfig {
        issues: 5,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("custom.typ");
    std::fs::write(&template, "= Report\n\nSome text.\nMore #nosuch(1) here\n")
        .expect("write template");
    let (path, out) = out_path(&dir, "never.pdf");

    let run = export(
        &site,
        &[
            "--keys",
            "DEMO-1",
            "--template-file",
            template.to_str().expect("utf-8"),
            "--out",
            &out,
        ],
    )
    .await;

    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(run.stderr.contains("custom.typ:4:7:"), "{}", run.describe());
    assert!(
        run.stderr.contains("nosuch"),
        "typst's message: {}",
        run.describe()
    );
    assert!(!path.exists(), "no PDF for a failed render");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_jql_fails_with_jiras_message_and_exit_code_1() {
    let site = spawn_site(SimConfig {
        issues: 5,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "never.pdf");

    let run = export(
        &site,
        &["--jql", "project = DEMO AND nosuchfield = 3", "--out", &out],
    )
    .await;

    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stderr.contains("Field 'nosuchfield' does not exist"),
        "Jira's own message: {}",
        run.describe()
    );
    assert!(!path.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_wrong_credentials_are_clear_and_never_printed() {
    let site = spawn_site(SimConfig {
        issues: 5,
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, out) = out_path(&dir, "never.pdf");

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jira-gateway"));
    command
        .args(["export", "--keys", "DEMO-1", "--out", &out])
        .env("JIRA_BASE_URL", site.base_url())
        .env_remove("JIRA_EMAIL")
        .env_remove("JIRA_API_TOKEN");
    let missing = run(command).await;
    assert_eq!(missing.code, Some(2), "{}", missing.describe());
    assert!(
        missing.stderr.contains("missing Jira credentials")
            && missing.stderr.contains("JIRA_EMAIL, JIRA_API_TOKEN"),
        "{}",
        missing.describe()
    );
    assert!(
        !missing.stderr.contains("JIRA_BASE_URL,"),
        "the base URL was given"
    );

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_jira-gateway"));
    command
        .args(["export", "--keys", "DEMO-1", "--out", &out])
        .env("JIRA_BASE_URL", site.base_url())
        .env("JIRA_EMAIL", ADMIN)
        .env("JIRA_API_TOKEN", "wrong-secret-token");
    let wrong = run(command).await;
    assert_eq!(wrong.code, Some(1), "{}", wrong.describe());
    assert!(
        wrong.stderr.contains("did not accept the credentials"),
        "{}",
        wrong.describe()
    );
    assert!(
        !format!("{}{}", wrong.stdout, wrong.stderr).contains("wrong-secret-token"),
        "the token is never printed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_summary_written_as_typst_code_is_printed_literally() {
    let site = spawn_site(SimConfig {
        issues: 5,
        ..Default::default()
    })
    .await;
    let summary = r#"#read("/etc/passwd") ] * $ @ \ #import "x""#;
    let key = create_issue(&reqwest::Client::new(), &site, summary).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, out) = out_path(&dir, "injection.pdf");

    let run = export(
        &site,
        &["--keys", &key, "--template", "issue", "--out", &out],
    )
    .await;

    assert_eq!(run.code, Some(0), "{}", run.describe());
    let text = pdf_text(&path);
    assert!(text.contains(summary), "the summary, literally: {text}");
    assert!(!text.contains("root:"), "no line of /etc/passwd: {text}");
}
