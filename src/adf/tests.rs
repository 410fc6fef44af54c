//! Behaviour of the public conversions, including hostile and malformed input.

use serde_json::{Value, json};

use super::build::*;
use super::*;

fn sample() -> Value {
    doc([
        heading(1, [text("Заголовок")]),
        paragraph([
            text("Hello "),
            strong("bold"),
            text(", "),
            mention("5b10ac8d82e05b22cc7d4ef6", "สมชาย ใจดี"),
            text(" "),
            emoji(":tada:", "🎉"),
            hard_break(),
            text("due "),
            date(1_796_342_400_000),
        ]),
        bullet_list([
            list_item([paragraph([text("one")]), bullet_list([item([text("two")])])]),
            item([text("three")]),
        ]),
        table([header_row(&["A", "B"]), body_row(&["1", "2"])]),
    ])
}

/// Drops a deep value without recursion (serde_json's own drop recurses).
fn dismantle(value: Value) {
    let mut stack = vec![value];
    while let Some(mut node) = stack.pop() {
        if let Some(Value::Array(children)) = node.get_mut("content").map(Value::take) {
            stack.extend(children);
        }
    }
}

/// `{"type": kind, "content": [child]}`, moving the child in (`json!` would deep-copy it).
fn wrap(kind: &str, child: Value) -> Value {
    let mut node = serde_json::Map::new();
    node.insert("type".to_owned(), Value::String(kind.to_owned()));
    node.insert("content".to_owned(), Value::Array(vec![child]));
    Value::Object(node)
}

fn nested(kind: &str, depth: usize, innermost: Value) -> Value {
    let mut node = innermost;
    for _ in 0..depth {
        node = match kind {
            "bulletList" => wrap("bulletList", wrap("listItem", node)),
            _ => wrap(kind, node),
        };
    }
    doc([node])
}

#[test]
fn to_text_separates_blocks_and_puts_list_items_and_rows_on_lines() {
    assert_eq!(
        to_text(&sample()),
        "Заголовок\n\nHello bold, @สมชาย ใจดี 🎉\ndue 2026-12-04\n\n- one\n  - two\n- three\n\nA\tB\n1\t2"
    );
}

#[test]
fn to_text_uses_short_names_for_emoji_without_text_and_adds_missing_at_signs() {
    let doc = doc([paragraph([
        json!({ "type": "emoji", "attrs": { "shortName": ":custom:" } }),
        text(" "),
        json!({ "type": "mention", "attrs": { "id": "x", "text": "Alice" } }),
    ])]);
    assert_eq!(to_text(&doc), ":custom: @Alice");
}

#[test]
fn to_text_reads_a_plain_string_as_a_v2_body() {
    assert_eq!(
        to_text(&json!("line one\nline two\n\nnext")),
        "line one\nline two\n\nnext"
    );
}

#[test]
fn to_markdown_renders_the_common_blocks() {
    let doc = doc([
        heading(2, [text("Title")]),
        paragraph([
            strong("b"),
            text(" "),
            em("i"),
            text(" "),
            strike("s"),
            text(" "),
            code("c"),
            text(" "),
            link("l", "https://e.test"),
        ]),
        ordered_list([
            list_item([
                paragraph([text("first")]),
                ordered_list([item([text("nested")])]),
            ]),
            item([text("second")]),
        ]),
        code_block("rust", "fn main() {}\n"),
        blockquote([paragraph([text("quoted")])]),
        panel("warning", [paragraph([text("careful")])]),
        rule(),
    ]);
    assert_eq!(
        to_markdown(&doc),
        "## Title\n\n**b** *i* ~~s~~ `c` [l](https://e.test)\n\n1. first\n   1. nested\n2. second\n\n```rust\nfn main() {}\n```\n\n> quoted\n\n> **Warning:** careful\n\n---"
    );
}

#[test]
fn to_markdown_renders_inline_nodes() {
    let doc = doc([paragraph([
        mention("id", "@Дмитрий Иванов"),
        text(" "),
        status("In progress", "blue"),
        text(" "),
        date(1_796_342_400_000),
        hard_break(),
        inline_card("https://e.test/x"),
    ])]);
    assert_eq!(
        to_markdown(&doc),
        "@Дмитрий Иванов \\[IN PROGRESS\\] 2026-12-04\\\n<https://e.test/x>"
    );
}

#[test]
fn to_markdown_writes_gfm_tables_with_escaped_pipes() {
    let doc = doc([table([
        header_row(&["Имя", "a|b"]),
        body_row(&["สมชาย", ""]),
    ])]);
    assert_eq!(
        to_markdown(&doc),
        "| Имя | a\\|b |\n| --- | --- |\n| สมชาย | |"
    );
}

#[test]
fn to_markdown_shows_file_media_as_a_placeholder_and_external_media_as_an_image() {
    let file = doc([media_single("att-1", "shot.png", 10, 10)]);
    assert_eq!(to_markdown(&file), "\\[attachment: shot.png\\]");
    let external = doc([
        json!({ "type": "mediaSingle", "content": [{ "type": "media", "attrs": { "type": "external", "url": "https://e.test/a.png", "alt": "a" } }] }),
    ]);
    assert_eq!(to_markdown(&external), "![a](https://e.test/a.png)");
}

#[test]
fn to_markdown_drops_unsafe_link_targets() {
    for href in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,x",
        "/relative",
    ] {
        let md = to_markdown(&doc([paragraph([link("click", href)])]));
        assert_eq!(md, "click", "{href:?}");
    }
}

#[test]
fn to_markdown_escapes_text_so_it_renders_literally() {
    let literal = "*a* _b_ `c` [d](e) <f> #g \\h ~~i~~ | j &amp; $k @l";
    let doc = doc([
        paragraph([text(literal)]),
        paragraph([text("# not a heading")]),
        paragraph([text("1. not a list")]),
    ]);
    let round_trip = from_markdown(&to_markdown(&doc));
    assert_eq!(
        to_text(&round_trip),
        format!("{literal}\n\n# not a heading\n\n1. not a list")
    );
}

/// Every character of the first paragraph with its sorted mark names.
fn marked_chars(doc: &Value) -> Vec<(char, Vec<String>)> {
    let mut out = Vec::new();
    for node in doc["content"][0]["content"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut marks: Vec<String> = node["marks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                format!(
                    "{}{}",
                    m["type"].as_str().unwrap_or(""),
                    m["attrs"]["href"].as_str().unwrap_or("")
                )
            })
            .collect();
        marks.sort();
        for c in node["text"].as_str().unwrap_or("").chars() {
            out.push((c, marks.clone()));
        }
    }
    out
}

#[test]
fn overlapping_marks_survive_a_markdown_round_trip() {
    let strong_ = || mark("strong");
    let em_ = || mark("em");
    let cases = vec![
        vec![
            marked("a", [strong_()]),
            marked("b", [strong_(), em_()]),
            marked("c", [em_()]),
        ],
        vec![marked("a", [em_()]), marked("b", [strong_()])],
        vec![marked("a", [strong_()]), marked("b", [em_()])],
        vec![
            marked("ab", [strong_(), em_()]),
            marked("c", [em_()]),
            marked("d", [strong_(), em_()]),
        ],
        vec![text("ก"), marked("ข", [strong_()]), text("ค")],
        vec![
            marked("x ", [strong_()]),
            marked("y", [strong_(), link_mark("https://e.test")]),
            text(" z"),
        ],
        vec![
            marked("st", [mark("strike")]),
            marked("rong", [strong_(), mark("strike")]),
            text("!"),
        ],
        vec![
            marked("日本", [link_mark("https://e.test/a")]),
            marked("語", [link_mark("https://e.test/b")]),
        ],
    ];
    for content in cases {
        let doc = doc([paragraph(content)]);
        let md = to_markdown(&doc);
        assert_eq!(
            marked_chars(&from_markdown(&md)),
            marked_chars(&doc),
            "markdown: {md}"
        );
    }
}

#[test]
fn markdown_round_trip_preserves_structure_and_scripts() {
    let md = "# Заголовок\n\nТекст с **жирным**, *курсивом*, ~~зачёркнутым~~, `кодом` и [ссылкой](https://example.com/путь).\n\n## หัวข้อภาษาไทย\n\n- ข้อแรก\n  - ข้อย่อย\n    - ชั้นที่สาม\n- ข้อสอง\n\n1. Первый\n2. Второй\n   1. Вложенный\n\n```rust\nfn main() {\n    println!(\"こんにちは\");\n}\n```\n\n| Имя | สถานะ |\n| --- | --- |\n| Дмитрий | เสร็จแล้ว |\n\n> Цитата\n\n---";
    assert_eq!(to_markdown(&from_markdown(md)), md);
}

#[test]
fn markdown_import_keeps_line_breaks_and_code_languages() {
    let doc = from_markdown("первая\nвторая\n\n```python extra\nx = 1\n```");
    assert_eq!(doc["content"][0]["content"][1], hard_break());
    assert_eq!(doc["content"][1], code_block("python", "x = 1"));
}

/// Checks the ADF rules `from_markdown` promises.
fn assert_valid_adf(node: &Value, parent: &str) {
    let kind = node["type"].as_str().unwrap_or_default();
    match kind {
        "text" => {
            assert!(
                !node["text"].as_str().unwrap_or_default().is_empty(),
                "empty text under {parent}"
            );
            let marks: Vec<&str> = node["marks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| m["type"].as_str().unwrap_or_default())
                .collect();
            for mark in &marks {
                assert!(
                    ["strong", "em", "strike", "code", "link"].contains(mark),
                    "mark {mark}"
                );
            }
            if marks.contains(&"code") {
                assert!(
                    marks.iter().all(|m| ["code", "link"].contains(m)),
                    "code with {marks:?}"
                );
            }
            for link in node["marks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|m| m["type"] == "link")
            {
                assert!(
                    !link["attrs"]["href"]
                        .as_str()
                        .unwrap_or_default()
                        .is_empty()
                );
            }
        }
        "listItem" => {
            let first = node["content"][0]["type"].as_str().unwrap_or_default();
            assert!(
                ["paragraph", "codeBlock", "mediaSingle"].contains(&first),
                "listItem starts with {first:?}"
            );
        }
        "blockquote" | "tableCell" | "tableHeader" | "bulletList" | "orderedList" | "table"
        | "tableRow" => {
            assert!(
                !node["content"].as_array().is_none_or(Vec::is_empty),
                "empty {kind}"
            );
        }
        _ => {}
    }
    let allowed_children: Option<&[&str]> = match kind {
        "listItem" => Some(&[
            "paragraph",
            "bulletList",
            "orderedList",
            "codeBlock",
            "mediaSingle",
        ]),
        "blockquote" => Some(&[
            "paragraph",
            "bulletList",
            "orderedList",
            "codeBlock",
            "mediaSingle",
        ]),
        "bulletList" | "orderedList" => Some(&["listItem"]),
        "table" => Some(&["tableRow"]),
        "tableRow" => Some(&["tableHeader", "tableCell"]),
        "paragraph" | "heading" => Some(&["text", "hardBreak"]),
        "codeBlock" => Some(&["text"]),
        _ => None,
    };
    for child in node["content"].as_array().into_iter().flatten() {
        let child_kind = child["type"].as_str().unwrap_or_default();
        if let Some(allowed) = allowed_children {
            assert!(allowed.contains(&child_kind), "{child_kind} inside {kind}");
        }
        assert_valid_adf(child, kind);
    }
}

#[test]
fn markdown_import_always_produces_valid_adf() {
    let inputs = [
        "",
        "plain",
        "- # heading in item\n- > quote in item\n-\n- | a | b |\n  |---|---|\n  | 1 | 2 |",
        "> # heading in quote\n> > nested quote\n> ---\n> ```\n> code\n> ```",
        "| a | b |\n|---|---|\n| **x** `y` | [z](https://e.test) |\n| | |",
        "<div>\n<script>alert(1)</script>\n</div>\n\ntext <b>bold</b>",
        "![](https://e.test/a.png)\n\n![alt *em*](https://e.test/b.png) after",
        "[empty]() and <https://auto.link> and <me@example.com> and [ref]\n\n[ref]: https://e.test \"Title\"",
        "***both*** **`code in bold`** [**bold link**](https://e.test)",
        "Footnote[^1]\n\n[^1]: note",
        "1. a\n\n   b\n\n   - c\n10. d",
        "- [ ] task\n- [x] done",
        "```\n\n```",
        "    indented code",
        "Setext\n===\n\nline  \nbreak\\\nagain",
        "\u{0}\u{1}\u{feff}тест\r\nстрока",
    ];
    for md in inputs {
        let doc = from_markdown(md);
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["type"], "doc", "{md:?}");
        assert_valid_adf(&doc, "root");
    }
}

#[test]
fn to_html_escapes_text_and_attributes() {
    let doc = doc([
        paragraph([text("<script>alert(1)</script> & \"q\" 'a'")]),
        paragraph([
            json!({ "type": "mention", "attrs": { "id": "\" onmouseover=\"alert(1)", "text": "<b>x</b>" } }),
        ]),
        code_block("js\" onload=\"x", "</code><script>"),
    ]);
    let html = to_html(&doc);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;"));
    assert!(html.contains("data-account-id=\"&quot; onmouseover=&quot;alert(1)\""));
    assert!(html.contains(
        "<pre><code class=\"language-jsonloadx\">&lt;/code&gt;&lt;script&gt;</code></pre>"
    ));
    assert!(!html.contains("<script"));
}

#[test]
fn to_html_keeps_only_safe_links() {
    let doc = doc([paragraph([
        link("ok", "https://e.test/?a=1&b=\"2\""),
        link("mail", "mailto:a@e.test"),
        link("bad", "javascript:alert(1)"),
        link("sneaky", " jav\tascript:alert(1)"),
        link("data", "data:text/html;base64,PHNjcmlwdD4="),
    ])]);
    assert_eq!(
        to_html(&doc),
        "<p><a href=\"https://e.test/?a=1&amp;b=&quot;2&quot;\" rel=\"nofollow noopener noreferrer\">ok</a><a href=\"mailto:a@e.test\" rel=\"nofollow noopener noreferrer\">mail</a>badsneakydata</p>"
    );
}

#[test]
fn to_html_writes_colours_only_when_they_are_hex() {
    let doc = doc([paragraph([
        colored("red", "#ff5630"),
        colored("bad", "red; background:url(x)"),
    ])]);
    assert_eq!(
        to_html(&doc),
        "<p><span data-color=\"#ff5630\">red</span>bad</p>"
    );
}

#[test]
fn to_html_renders_panels_tables_and_lists() {
    let doc = doc([
        panel("error", [paragraph([text("x")])]),
        panel("<bogus>", [paragraph([text("y")])]),
        table([table_row([
            json!({ "type": "tableHeader", "attrs": { "colspan": 2, "rowspan": "x\" onclick=\"" }, "content": [paragraph([text("h")])] }),
        ])]),
        ordered_list_from(3, [item([text("c")])]),
    ]);
    assert_eq!(
        to_html(&doc),
        "<div class=\"adf-panel adf-panel-error\"><p>x</p></div><div class=\"adf-panel adf-panel-info\"><p>y</p></div><table><tbody><tr><th colspan=\"2\">h</th></tr></tbody></table><ol start=\"3\"><li>c</li></ol>"
    );
}

#[test]
fn to_html_never_writes_style_script_or_event_attributes() {
    let hostile = json!({
        "type": "doc",
        "content": [
            { "type": "paragraph", "attrs": { "style": "color:red", "onclick": "x" }, "content": [
                { "type": "text", "text": "t", "marks": [
                    { "type": "textColor", "attrs": { "color": "#fff\" style=\"x" } },
                    { "type": "link", "attrs": { "href": "https://e.test\" onclick=\"alert(1)", "title": "\"><script>" } },
                    { "type": "backgroundColor", "attrs": { "color": "expression(alert(1))" } },
                ] },
            ] },
            { "type": "status", "attrs": { "text": "<img onerror=x>", "color": "red\" onclick=\"x" } },
            { "type": "mediaSingle", "content": [{ "type": "media", "attrs": { "type": "external", "url": "javascript:alert(1)", "alt": "\"><script>" } }] },
            { "type": "unknownThing", "attrs": { "text": "<iframe>" } },
        ],
    });
    let html = to_html(&hostile);
    // Escaped quotes (`=&quot;`) are harmless text; a real attribute needs `="`.
    for forbidden in [
        "<script",
        "<iframe",
        "<img onerror",
        " style=\"",
        " onclick=\"",
        "javascript:",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
}

#[test]
fn malformed_input_never_panics_and_keeps_its_text() {
    let inputs = [
        json!(null),
        json!(42),
        json!(true),
        json!([]),
        json!({}),
        json!({ "type": "doc" }),
        json!({ "type": "doc", "content": null }),
        json!({ "type": "doc", "content": "not an array" }),
        json!({ "type": "doc", "content": [null, 1, "loose string", [], {}] }),
        json!({ "type": "doc", "content": [{ "type": "paragraph", "content": [{ "type": "text" }, { "type": "text", "text": 5 }, { "type": "text", "text": "", "marks": "x" }] }] }),
        json!({ "type": "doc", "content": [{ "type": "heading", "attrs": { "level": "nine" } }, { "type": "heading", "attrs": { "level": -3 }, "content": [{ "type": "text", "text": "h" }] }] }),
        json!({ "type": "doc", "content": [{ "type": "orderedList", "attrs": { "order": 1e300 }, "content": [{ "type": "paragraph" }] }] }),
        json!({ "type": "doc", "content": [{ "type": "table", "content": [{ "type": "tableRow", "content": [{ "type": "tableCell", "attrs": { "colspan": 1_000_000 } }] }] }] }),
        json!({ "type": "doc", "content": [{ "type": "date", "attrs": { "timestamp": "soon" } }, { "type": "date", "attrs": { "timestamp": 9e30 } }] }),
        json!({ "type": "doc", "content": [{ "type": "text", "text": "text at block level", "marks": [{ "type": "link" }, null, 3] }] }),
    ];
    for input in &inputs {
        let _ = (to_text(input), to_markdown(input), to_html(input));
    }
    let unknown = json!({ "type": "doc", "content": [
        { "type": "futureBlock", "content": [{ "type": "paragraph", "content": [{ "type": "text", "text": "inside" }] }] },
        { "type": "futureInline", "text": "own text" },
        { "type": "placeholderish", "attrs": { "text": "attr text" } },
        { "type": "paragraph", "content": [{ "type": "bulletList", "content": [{ "type": "listItem", "content": [{ "type": "text", "text": "flattened" }] }] }] },
    ] });
    let text = to_text(&unknown);
    for wanted in ["inside", "own text", "attr text", "flattened"] {
        assert!(text.contains(wanted), "{wanted} missing from {text:?}");
    }
    assert_eq!(
        to_text(
            &json!({ "type": "doc", "content": [{ "type": "date", "attrs": { "timestamp": "soon" } }] })
        ),
        "soon"
    );
}

#[test]
fn deep_nesting_is_flattened_without_overflowing_the_stack() {
    for kind in ["blockquote", "bulletList", "panel", "futureContainer"] {
        let deep = nested(kind, 50_000, paragraph([text("the bottom")]));
        // Run on a small stack to prove the depth cap, not a big default stack, does the work.
        let (text, markdown, html) = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn_scoped(scope, || {
                    (to_text(&deep), to_markdown(&deep), to_html(&deep))
                })
                .map(|handle| handle.join())
        })
        .unwrap_or_else(|e| panic!("spawn: {e}"))
        .unwrap_or_else(|_| panic!("{kind}: converter panicked"));
        assert!(text.contains("the bottom"), "{kind}");
        assert!(markdown.contains("the bottom"), "{kind}");
        assert!(html.contains("the bottom"), "{kind}");
        dismantle(deep);
    }
}

#[test]
fn deep_inline_nesting_is_flattened_too() {
    let mut node = text("leaf");
    for _ in 0..50_000 {
        node = wrap("futureInline", node);
    }
    let deep = doc([paragraph([node])]);
    assert_eq!(to_text(&deep), "leaf");
    dismantle(deep);
}

#[test]
fn safe_href_accepts_only_web_and_mail_schemes() {
    assert_eq!(safe_href(" https://e.test "), Some("https://e.test"));
    assert_eq!(safe_href("HTTP://E.TEST"), Some("HTTP://E.TEST"));
    assert_eq!(safe_href("mailto:a@e.test"), Some("mailto:a@e.test"));
    for bad in [
        "javascript:x",
        "vbscript:x",
        "data:x",
        "file:///etc/passwd",
        "//e.test",
        "e.test",
        "http\n://x",
        "",
    ] {
        assert_eq!(safe_href(bad), None, "{bad:?}");
    }
}

#[test]
fn link_targets_with_parentheses_and_backslashes_round_trip_exactly() {
    let doc = doc([paragraph([link(
        "Foo",
        "https://e.test/wiki/Foo_(bar)?q=a\\b",
    )])]);
    assert_eq!(from_markdown(&to_markdown(&doc)), doc);
}

#[test]
fn table_cells_and_headings_skip_line_start_escapes() {
    let doc = doc([
        heading(3, [text("1. - Intro")]),
        table([
            header_row(&["p50"]),
            body_row(&["0.9 s"]),
            body_row(&["- x"]),
        ]),
    ]);
    assert_eq!(
        to_markdown(&doc),
        "### 1. - Intro\n\n| p50 |\n| --- |\n| 0.9 s |\n| - x |"
    );
}
