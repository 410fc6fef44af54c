//! Reports rendered in parts and merged (`chunked.rs`, `assemble.rs`), with a small chunk size
//! so the tests stay fast, checked against the same report compiled in one piece.

use std::collections::BTreeMap;
use std::path::Path;

use lopdf::{Document, Object, ObjectId};

use super::fixtures::*;
use crate::export::*;

/// 23 issues: short ones, and rich ones (several pages each, Thai and Russian) placed so that
/// parts of 5 end and start in the middle of pages and of long issues.
fn input() -> ReportInput {
    let issues = (0..23)
        .map(|i| {
            if i % 7 == 4 {
                let mut issue = rich_issue();
                issue.key = format!("LOAD-{}", i + 1);
                issue
            } else {
                plain_issue(i)
            }
        })
        .collect();
    report(issues)
}

fn render(input: &ReportInput, options: &RenderOptions, chunk: usize) -> RenderedPdf {
    render_with(fonts::fonts(), input, options, chunk).unwrap()
}

/// Every page's text (see [`pdf_pages`]), whitespace squashed.
fn page_texts(path: &Path, pages: usize) -> Vec<String> {
    let texts: Vec<String> = pdf_pages(path).iter().map(|t| squash_pdf_text(t)).collect();
    assert_eq!(texts.len(), pages, "one text per page");
    texts
}

/// How often each `LOAD-n` key occurs (the digits after "LOAD-", whatever follows them: a
/// heading's key and summary can come out of pdftotext without a space between).
fn key_counts(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (at, _) in text.match_indices("LOAD-") {
        let digits: String = text[at + 5..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            *counts.entry(format!("LOAD-{digits}")).or_insert(0) += 1;
        }
    }
    counts
}

/// 0-based page index of each page object.
fn page_indices(doc: &Document) -> BTreeMap<ObjectId, usize> {
    doc.get_pages()
        .into_iter()
        .map(|(number, id)| (id, number as usize - 1))
        .collect()
}

/// A destination's page (0-based) and top coordinate.
fn resolve_dest(doc: &Document, dest: &Object) -> (usize, f32) {
    let array = match dest {
        Object::Reference(id) => doc.get_object(*id).unwrap().as_array().unwrap(),
        Object::Array(array) => array,
        other => panic!("unexpected destination {other:?}"),
    };
    let page = page_indices(doc)[&array[0].as_reference().unwrap()];
    (page, array[3].as_float().unwrap())
}

fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// The bookmarks: title, page (0-based) and top coordinate.
fn bookmarks(doc: &Document) -> Vec<(String, usize, f32)> {
    let outlines = doc.catalog().unwrap().get(b"Outlines").unwrap();
    let outlines = doc
        .get_dictionary(outlines.as_reference().unwrap())
        .unwrap();
    let mut out = Vec::new();
    let mut next = outlines.get(b"First").ok().cloned();
    while let Some(Object::Reference(id)) = next {
        let item = doc.get_dictionary(id).unwrap();
        let title = decode_text_string(item.get(b"Title").unwrap().as_str().unwrap());
        let (page, top) = resolve_dest(doc, item.get(b"Dest").unwrap());
        out.push((title, page, top));
        next = item.get(b"Next").ok().cloned();
    }
    out
}

/// Link annotations of page `index`: internal ones as (page, top), URIs as text.
fn links(doc: &Document, index: usize) -> (Vec<(usize, f32)>, Vec<String>) {
    let page = doc.get_pages()[&(index as u32 + 1)];
    let mut internal = Vec::new();
    let mut uris = Vec::new();
    for annot in doc.get_page_annotations(page).unwrap() {
        if let Ok(dest) = annot.get(b"Dest") {
            internal.push(resolve_dest(doc, dest));
        } else if let Ok(action) = annot.get(b"A") {
            let action = match action {
                Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
                other => other.as_dict().unwrap(),
            };
            if let Ok(uri) = action.get(b"URI") {
                uris.push(String::from_utf8_lossy(uri.as_str().unwrap()).into_owned());
            }
        }
    }
    (internal, uris)
}

/// The page number the contents give each key: entries read "LOAD-3 Summary ..... 7".
fn contents_pages(contents: &str) -> BTreeMap<String, usize> {
    let mut pages = BTreeMap::new();
    let mut key: Option<String> = None;
    let mut leader = false;
    for word in contents.split_whitespace() {
        if let Some(rest) = word.strip_prefix("LOAD-") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            key = Some(format!("LOAD-{digits}"));
            leader = false;
            continue;
        }
        // The page number follows the dot leader and a word joiner.
        let digits = word.trim_start_matches(['.', '\u{2060}']);
        if word.starts_with('.') {
            leader = true;
        }
        if leader
            && let Ok(page) = digits.parse::<usize>()
            && let Some(key) = key.take()
        {
            pages.insert(key, page);
            leader = false;
        }
    }
    pages
}

#[test]
fn a_chunked_report_is_laid_out_page_for_page_like_one_compile() {
    check_against_one_compile(&input(), 5, "chunked");
}

/// Long contents and summary table: several front matter parts of 40 entries and rows (the
/// table's parts start at the top of a page), and Letter paper for the contents length guess.
#[test]
fn a_chunked_report_with_a_long_front_matter_is_laid_out_like_one_compile() {
    let mut input = report((0..150).map(plain_issue).collect());
    input.issues[77].summary = "A summary long enough to wrap in the contents and to make its row of the summary table two or three lines high, so that rows differ in height ".repeat(2);
    check_against_one_compile(&input, 10, "chunked-long");
}

fn check_against_one_compile(input: &ReportInput, chunk: usize, name: &str) {
    let long = input.issues.len() > 100;
    let options = RenderOptions {
        paper: if long { Paper::Letter } else { Paper::A4 },
        // The logo is on the cover and in every header (the header/footer pass).
        logo: (!long).then(logo_svg),
        ..Default::default()
    };
    let single = render(input, &options, 0);
    let chunked = render(input, &options, chunk);
    save(&format!("{name}-single"), &single);
    let path = save(name, &chunked);
    eprintln!(
        "{} issues: {} pages in one compile, {} merged from parts of {chunk}",
        input.issues.len(),
        single.pages,
        chunked.pages
    );
    assert_eq!(chunked.pages, single.pages, "same page count");
    assert_eq!(page_count(&chunked), chunked.pages);

    // Issues start on the same pages at the same heights (bookmarks), one per issue in order.
    let one = Document::load_mem(&single.bytes).unwrap();
    let merged = Document::load_mem(&chunked.bytes).unwrap();
    let expected = bookmarks(&one);
    let got = bookmarks(&merged);
    assert_eq!(got.len(), input.issues.len());
    for ((title, page, top), ((_, want_page, want_top), issue)) in
        got.iter().zip(expected.iter().zip(&input.issues))
    {
        assert!(
            title.starts_with(&format!("{} ", issue.key)),
            "bookmark {title:?} for {}",
            issue.key
        );
        assert_eq!(page, want_page, "{title}");
        assert!(
            (top - want_top).abs() < 0.01,
            "{title}: {top} vs {want_top}"
        );
    }

    // The same text on every page (poppler, when installed, reads both alike).
    let texts = page_texts(&path, chunked.pages);
    let single_texts = page_texts(&save(&format!("{name}-single"), &single), single.pages);
    for (n, (a, b)) in texts.iter().zip(&single_texts).enumerate() {
        assert_eq!(key_counts(a), key_counts(b), "keys on page {}", n + 1);
    }

    // Every key once in the issue sections (after the front matter), none lost or doubled.
    let first_body = got[0].1;
    let body = key_counts(&texts[first_body..].join(" "));
    assert_eq!(body.len(), input.issues.len(), "{body:?}");
    assert!(body.values().all(|&n| n == 1), "{body:?}");

    // The contents give the page each issue really starts on.
    let contents = contents_pages(&texts[1..first_body].join(" "));
    assert_eq!(contents.len(), input.issues.len(), "{contents:?}");
    for (title, page, _) in &got {
        let key = title.split(' ').next().unwrap();
        assert_eq!(contents[key], page + 1, "contents entry of {key}");
        assert!(texts[*page].contains(key), "{key} not on page {}", page + 1);
    }

    // Contents and summary table link to the issues' headings; no private URI is left.
    let mut targets = Vec::new();
    for page in 0..first_body {
        let (internal, uris) = links(&merged, page);
        assert!(
            uris.iter().all(|u| !u.starts_with("jira-gateway:")),
            "unresolved link on page {}: {uris:?}",
            page + 1
        );
        targets.extend(internal);
    }
    let headings: Vec<(usize, f32)> = got.iter().map(|(_, page, top)| (*page, *top)).collect();
    // (An entry wrapped onto several lines may carry a link per line, as in one compile.)
    let single_targets: usize = (0..first_body)
        .map(|p| {
            let page = one.get_pages()[&(p as u32 + 1)];
            let annots = one.get_page_annotations(page).unwrap();
            annots.iter().filter(|a| a.has(b"Dest")).count()
        })
        .sum();
    assert_eq!(
        targets.len(),
        single_targets,
        "as many links as in one compile"
    );
    for (i, heading) in headings.iter().enumerate() {
        let hits = targets.iter().filter(|t| *t == heading).count();
        assert!(
            hits >= 2,
            "a contents and a summary link to issue {i}: {hits}"
        );
    }

    // "Page n / total" on every page but the cover, once.
    assert!(!texts[0].contains(" / "), "the cover has no footer");
    for (n, text) in texts.iter().enumerate().skip(1) {
        let footer = format!("Page {} / {}", n + 1, chunked.pages);
        assert_eq!(text.matches(&footer).count(), 1, "page {}: {text}", n + 1);
        assert_eq!(text.matches("Page ").count(), 1, "page {}", n + 1);
        // One header: its title and site show as often as in one compile (and at least once;
        // an issue may mention the site too).
        for header in [input.title.as_str(), "acme.atlassian.net"] {
            let count = text.matches(header).count();
            assert!(count >= 1, "no header on page {}", n + 1);
            assert_eq!(
                count,
                single_texts[n].matches(header).count(),
                "{header} on page {}",
                n + 1
            );
        }
    }

    // Document metadata and fonts.
    let info = merged
        .get_dictionary(merged.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap();
    let title = decode_text_string(info.get(b"Title").unwrap().as_str().unwrap());
    assert_eq!(title, input.title);
    let creator = decode_text_string(info.get(b"Creator").unwrap().as_str().unwrap());
    assert!(creator.starts_with("jira-gateway"), "{creator}");
    let fonts = embedded_fonts(&chunked);
    for family in ["LibertinusSerif", "NotoSansThai", "DejaVuSansMono"] {
        assert!(
            fonts.iter().any(|f| f.contains(family)),
            "{family}: {fonts:?}"
        );
    }
    for (id, object) in &merged.objects {
        if let Ok(dict) = object.as_dict()
            && dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor")
        {
            assert!(
                dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"),
                "font not embedded: {id:?}"
            );
        }
    }

    // Thai and Russian come out as text, from the issue sections and the front matter alike.
    let text = undo_cluster_doubling(&pdf_text(&path));
    for expected in [THAI, RUSSIAN] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    if input.issues.iter().any(|i| i.summary.contains("Экспорт")) {
        for expected in ["Экспорт отчёта в PDF", "Анна Петрова", "สมชาย"]
        {
            assert!(text.contains(expected), "missing {expected:?}");
        }
    }
}

#[test]
fn a_chunked_issue_export_keeps_pages_bookmarks_and_footers() {
    let input = report((0..7).map(plain_issue).collect());
    let options = RenderOptions {
        template: Template::Issue,
        ..Default::default()
    };
    let single = render(&input, &options, 0);
    let chunked = render(&input, &options, 3);
    let path = save("chunked-issues", &chunked);
    assert_eq!(chunked.pages, single.pages);
    assert_eq!(page_count(&chunked), chunked.pages);
    let got = bookmarks(&Document::load_mem(&chunked.bytes).unwrap());
    let expected = bookmarks(&Document::load_mem(&single.bytes).unwrap());
    let pages: Vec<usize> = got.iter().map(|b| b.1).collect();
    assert_eq!(pages, expected.iter().map(|b| b.1).collect::<Vec<_>>());
    assert_eq!(got.len(), 7);
    let texts = page_texts(&path, chunked.pages);
    for (n, text) in texts.iter().enumerate() {
        let footer = format!("Page {} / {}", n + 1, chunked.pages);
        assert_eq!(text.matches(&footer).count(), 1, "page {}: {text}", n + 1);
    }
}

#[test]
fn small_reports_and_custom_templates_compile_in_one_piece() {
    // One compile keeps the structure tree; a merged report has none.
    let tagged = |pdf: &RenderedPdf| {
        Document::load_mem(&pdf.bytes)
            .unwrap()
            .catalog()
            .unwrap()
            .has(b"StructTreeRoot")
    };
    let input = report((0..4).map(plain_issue).collect());
    assert!(tagged(&render(&input, &RenderOptions::default(), 4)));
    assert!(!tagged(&render(&input, &RenderOptions::default(), 3)));
    let custom = RenderOptions {
        custom_template: Some("#import \"/lib.typ\": *\n#show: page-setup\n#for i in data.issues [#i.key #pagebreak()]".into()),
        ..Default::default()
    };
    assert!(tagged(&render(&input, &custom, 1)));
}
