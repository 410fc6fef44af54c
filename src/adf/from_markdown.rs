//! Markdown and plain text → ADF.
//!
//! The Markdown parser is pulldown-cmark (CommonMark plus tables and strikethrough). Its events
//! drive a stack of open nodes; every node is made to fit ADF's content rules as it closes
//! (a heading inside a list item becomes a bold paragraph, a quote inside a quote is unwrapped,
//! an empty cell gets an empty paragraph), so the result is always a valid document. Raw HTML is
//! kept as literal text, except `<br>` (a line break) and bare `<em>`/`<i>`, `<strong>`/`<b>`
//! and `<del>`/`<s>` pairs (marks; Markdown export falls back to them). A single newline inside a
//! paragraph is kept as a `hardBreak`, the way comment boxes (GitHub's, Jira's) treat it.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag};
use serde_json::{Value, json};

mod fit;

use self::fit::{IN_QUOTE, cell, fit_list, fit_list_item, fit_or_empty};
use super::build;
use super::parse::{MAX_DEPTH, flatten_text, node_type};

/// Converts Markdown to an ADF document; an empty string gives a document with no content.
///
/// Marks produced: `strong`, `em`, `strike`, `code` and `link` (with `href`, and `title` when
/// given). Images become a link to the image, or a `mediaSingle` with external media when the
/// image is alone in its paragraph.
pub fn from_markdown(md: &str) -> Value {
    let mut builder = Builder::new();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        builder.event(event);
    }
    builder.finish()
}

/// Converts a plain-text body (Jira's v2 webhook shape) to an ADF document.
///
/// Blank lines separate paragraphs; a single newline becomes a `hardBreak`.
pub fn from_plain_text(text: &str) -> Value {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut content = Vec::new();
    let mut paragraph: Vec<Value> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                content.push(build::paragraph(std::mem::take(&mut paragraph)));
            }
            continue;
        }
        if !paragraph.is_empty() {
            paragraph.push(build::hard_break());
        }
        paragraph.push(build::text(line));
    }
    if !paragraph.is_empty() {
        content.push(build::paragraph(paragraph));
    }
    build::doc(content)
}

#[derive(Debug)]
enum Kind {
    Doc,
    /// `implicit`: opened by us for inline content sitting directly in a block container
    /// (tight list items, table cells), and closed by the next block event.
    Paragraph {
        implicit: bool,
    },
    Heading(u8),
    BulletList,
    OrderedList(u64),
    ListItem,
    Quote,
    Code {
        language: String,
        text: String,
    },
    Table,
    Row {
        header: bool,
    },
    Cell {
        header: bool,
    },
}

struct Frame {
    kind: Kind,
    content: Vec<Value>,
    /// When the paragraph holds only this image link, it becomes this `mediaSingle`.
    image: Option<(Value, Value)>,
}

/// What a start event did, so that its end event can undo it.
enum Opened {
    Frame,
    Mark(u64),
    Image,
    Skipped { block: bool },
}

struct Image {
    url: String,
    alt: String,
}

struct Builder {
    frames: Vec<Frame>,
    opened: Vec<Opened>,
    /// Open marks, outermost first, each with an id so that it can be removed out of order.
    marks: Vec<(u64, Value)>,
    next_mark: u64,
    /// Marks opened by inline HTML tags: (mark type, id). They end with their paragraph.
    html_marks: Vec<(&'static str, u64)>,
    images: Vec<Image>,
}

impl Builder {
    fn new() -> Self {
        Self {
            frames: vec![Frame {
                kind: Kind::Doc,
                content: Vec::new(),
                image: None,
            }],
            opened: Vec::new(),
            marks: Vec::new(),
            next_mark: 0,
            html_marks: Vec::new(),
            images: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(_) => self.end(),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => self.code(&code),
            Event::InlineMath(math) | Event::DisplayMath(math) => self.code(&math),
            Event::InlineHtml(html) => self.inline_html(&html),
            Event::Html(html) => {
                // One line of an HTML block: shown literally, line by line.
                if self.images.is_empty() && self.top().is_some_and(|f| !f.content.is_empty()) {
                    self.hard_break();
                }
                self.text(html.trim_end_matches(['\n', '\r']));
            }
            Event::SoftBreak | Event::HardBreak => self.hard_break(),
            Event::Rule => {
                self.close_implicit();
                self.push_block(build::rule());
            }
            Event::FootnoteReference(label) => self.text(&format!("[^{label}]")),
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn top(&self) -> Option<&Frame> {
        self.frames.last()
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.open(Kind::Paragraph { implicit: false }),
            Tag::Heading { level, .. } => self.open(Kind::Heading(heading_level(level))),
            Tag::BlockQuote(_) => self.open(Kind::Quote),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.open(Kind::Code {
                    language,
                    text: String::new(),
                });
            }
            Tag::List(Some(start)) => self.open(Kind::OrderedList(start.min(999_999_999))),
            Tag::List(None) => self.open(Kind::BulletList),
            Tag::Item => self.open(Kind::ListItem),
            Tag::Table(_) => self.open(Kind::Table),
            Tag::TableHead => self.open(Kind::Row { header: true }),
            Tag::TableRow => self.open(Kind::Row { header: false }),
            Tag::TableCell => {
                let header = matches!(
                    self.top(),
                    Some(Frame {
                        kind: Kind::Row { header: true },
                        ..
                    })
                );
                self.open(Kind::Cell { header });
            }
            Tag::Emphasis => self.push_mark(build::mark("em")),
            Tag::Strong => self.push_mark(build::mark("strong")),
            Tag::Strikethrough => self.push_mark(build::mark("strike")),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let mut href = dest_url.trim().to_owned();
                if matches!(link_type, LinkType::Email)
                    && !href.to_ascii_lowercase().starts_with("mailto:")
                {
                    href.insert_str(0, "mailto:");
                }
                if href.is_empty() {
                    self.opened.push(Opened::Skipped { block: false });
                } else if title.trim().is_empty() {
                    self.push_mark(json!({ "type": "link", "attrs": { "href": href } }));
                } else {
                    self.push_mark(json!({ "type": "link", "attrs": { "href": href, "title": title.as_ref() } }));
                }
            }
            Tag::Image { dest_url, .. } => {
                self.images.push(Image {
                    url: dest_url.trim().to_owned(),
                    alt: String::new(),
                });
                self.opened.push(Opened::Image);
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {
                self.close_implicit();
                self.opened.push(Opened::Skipped { block: true });
            }
            Tag::Superscript | Tag::Subscript => self.opened.push(Opened::Skipped { block: false }),
        }
    }

    fn end(&mut self) {
        match self.opened.pop() {
            Some(Opened::Frame) => {
                self.close_implicit();
                self.close_frame();
            }
            Some(Opened::Mark(id)) => self.marks.retain(|(mark, _)| *mark != id),
            Some(Opened::Image) => {
                if let Some(image) = self.images.pop() {
                    match self.images.last_mut() {
                        Some(outer) => outer.alt.push_str(&image.alt),
                        None => self.emit_image(image),
                    }
                }
            }
            Some(Opened::Skipped { block: true }) => self.close_implicit(),
            Some(Opened::Skipped { block: false }) | None => {}
        }
    }

    /// Opens a block node, unless nesting is already too deep: then its content flows into
    /// the current node, which keeps the tree (and every later recursion over it) bounded.
    fn open(&mut self, kind: Kind) {
        self.close_implicit();
        if self.frames.len() > MAX_DEPTH {
            self.opened.push(Opened::Skipped { block: true });
            return;
        }
        self.frames.push(Frame {
            kind,
            content: Vec::new(),
            image: None,
        });
        self.opened.push(Opened::Frame);
    }

    fn push_mark(&mut self, mark: Value) {
        let id = self.add_mark(mark);
        self.opened.push(Opened::Mark(id));
    }

    fn add_mark(&mut self, mark: Value) -> u64 {
        self.next_mark += 1;
        self.marks.push((self.next_mark, mark));
        self.next_mark
    }

    /// `<br>` breaks the line; a bare emphasis tag opens or closes a mark; the rest is text.
    fn inline_html(&mut self, html: &str) {
        let tag = html.trim().to_ascii_lowercase();
        let (closing, name) = match tag.strip_prefix("</") {
            Some(rest) => (true, rest.trim_end_matches('>')),
            None => (
                false,
                tag.trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim_end_matches('/')
                    .trim_end(),
            ),
        };
        let kind = match name {
            "br" => return self.hard_break(),
            "em" | "i" => "em",
            "strong" | "b" => "strong",
            "del" | "s" | "strike" => "strike",
            _ => return self.text(html),
        };
        if !self.images.is_empty() {
            return;
        }
        if !closing {
            let id = self.add_mark(build::mark(kind));
            self.html_marks.push((kind, id));
            return;
        }
        match self.html_marks.iter().rposition(|(open, _)| *open == kind) {
            Some(index) => {
                let (_, id) = self.html_marks.remove(index);
                self.marks.retain(|(mark, _)| *mark != id);
            }
            None => self.text(html),
        }
    }

    fn close_implicit(&mut self) {
        if matches!(
            self.top(),
            Some(Frame {
                kind: Kind::Paragraph { implicit: true },
                ..
            })
        ) {
            self.close_frame();
        }
    }

    /// Closes the top node (never the document) and attaches it to its parent.
    fn close_frame(&mut self) {
        if self.frames.len() <= 1 {
            return;
        }
        // Marks opened by HTML tags do not outlive their paragraph.
        for (_, id) in self.html_marks.drain(..) {
            self.marks.retain(|(mark, _)| *mark != id);
        }
        if let Some(frame) = self.frames.pop()
            && let Some(node) = frame.into_node()
        {
            self.push_block(node);
        }
    }

    fn push_block(&mut self, node: Value) {
        match self.frames.last_mut() {
            Some(Frame {
                kind: Kind::Paragraph { .. } | Kind::Heading(_) | Kind::Code { .. },
                ..
            }) => {
                // Cannot happen with pulldown-cmark's event order; keep the text if it does.
                let text = flatten_text(&node);
                self.text(&text);
            }
            Some(frame) => frame.content.push(node),
            None => {}
        }
    }

    /// The marks for a text node: one of each kind, the innermost link winning.
    fn current_marks(&self, code: bool) -> Vec<Value> {
        let mut marks: Vec<Value> = Vec::new();
        for (_, mark) in &self.marks {
            let kind = node_type(mark);
            // ADF allows `code` together with `link` only.
            if code && kind != "link" {
                continue;
            }
            marks.retain(|m| node_type(m) != kind || kind != "link");
            if !marks.iter().any(|m| node_type(m) == kind) {
                marks.push(mark.clone());
            }
        }
        if code {
            marks.push(build::mark("code"));
        }
        marks
    }

    fn text(&mut self, text: &str) {
        if let Some(image) = self.images.last_mut() {
            image.alt.push_str(text);
            return;
        }
        if let Some(Frame {
            kind: Kind::Code { text: code, .. },
            ..
        }) = self.frames.last_mut()
        {
            code.push_str(text);
            return;
        }
        if !text.is_empty() {
            let marks = self.current_marks(false);
            self.push_inline(build::marked(text, marks));
        }
    }

    fn code(&mut self, code: &str) {
        if let Some(image) = self.images.last_mut() {
            image.alt.push_str(code);
            return;
        }
        if !code.is_empty() {
            let marks = self.current_marks(true);
            self.push_inline(build::marked(code, marks));
        }
    }

    fn hard_break(&mut self) {
        if let Some(image) = self.images.last_mut() {
            image.alt.push(' ');
            return;
        }
        match self.frames.last_mut() {
            Some(Frame {
                kind: Kind::Code { text, .. },
                ..
            }) => text.push('\n'),
            _ => self.push_inline(build::hard_break()),
        }
    }

    fn emit_image(&mut self, image: Image) {
        let label = if image.alt.trim().is_empty() {
            image.url.clone()
        } else {
            image.alt.clone()
        };
        if label.is_empty() {
            return;
        }
        let mut marks = self.current_marks(false);
        if !image.url.is_empty() {
            marks.retain(|m| node_type(m) != "link");
            marks.push(build::link_mark(&image.url));
        }
        let node = build::marked(&label, marks);
        self.push_inline(node.clone());
        if image.url.is_empty() {
            return;
        }
        if let Some(frame) = self.frames.last_mut()
            && matches!(frame.kind, Kind::Paragraph { .. })
            && frame.content.len() == 1
        {
            let mut attrs = json!({ "type": "external", "url": image.url });
            if !image.alt.trim().is_empty() {
                attrs["alt"] = Value::String(image.alt.trim().to_owned());
            }
            let media = json!({
                "type": "mediaSingle",
                "attrs": { "layout": "center" },
                "content": [{ "type": "media", "attrs": attrs }],
            });
            frame.image = Some((node, media));
        }
    }

    fn push_inline(&mut self, node: Value) {
        let inline_container = matches!(
            self.top(),
            Some(Frame {
                kind: Kind::Paragraph { .. } | Kind::Heading(_),
                ..
            })
        );
        if !inline_container {
            if let Some(Frame {
                kind: Kind::Code { text, .. },
                ..
            }) = self.frames.last_mut()
            {
                text.push_str(&flatten_text(&node));
                return;
            }
            self.frames.push(Frame {
                kind: Kind::Paragraph { implicit: true },
                content: Vec::new(),
                image: None,
            });
        }
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        // Merge with an equally marked neighbour: ADF editors store one text node per run.
        if let Some(previous) = frame.content.last_mut()
            && node_type(previous) == "text"
            && node_type(&node) == "text"
            && previous.get("marks") == node.get("marks")
            && let (Some(Value::String(before)), Some(after)) = (
                previous.get_mut("text"),
                node.get("text").and_then(Value::as_str),
            )
        {
            before.push_str(after);
            return;
        }
        frame.content.push(node);
    }

    fn finish(mut self) -> Value {
        while self.frames.len() > 1 {
            self.close_frame();
        }
        let content = self
            .frames
            .pop()
            .map(|frame| frame.content)
            .unwrap_or_default();
        build::doc(content)
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

impl Frame {
    fn into_node(self) -> Option<Value> {
        let content = self.content;
        match self.kind {
            Kind::Doc => None,
            Kind::Paragraph { .. } => match self.image {
                Some((link, media)) if content.len() == 1 && content.first() == Some(&link) => {
                    Some(media)
                }
                _ => Some(build::paragraph(content)),
            },
            Kind::Heading(level) => Some(build::heading(level, content)),
            Kind::BulletList => {
                let items = fit_list(content);
                (!items.is_empty()).then(|| build::bullet_list(items))
            }
            Kind::OrderedList(order) => {
                let items = fit_list(content);
                (!items.is_empty()).then(|| build::ordered_list_from(order, items))
            }
            Kind::ListItem => Some(build::list_item(fit_list_item(content))),
            Kind::Quote => Some(build::blockquote(fit_or_empty(content, IN_QUOTE))),
            Kind::Code { language, text } => Some(build::code_block(
                &language,
                text.strip_suffix('\n').unwrap_or(&text),
            )),
            Kind::Table => {
                let rows: Vec<Value> = content
                    .into_iter()
                    .map(|row| match node_type(&row) {
                        "tableRow" => row,
                        _ => build::table_row([cell(false, vec![row])]),
                    })
                    .collect();
                (!rows.is_empty()).then(|| build::table(rows))
            }
            Kind::Row { .. } => {
                let cells: Vec<Value> = content
                    .into_iter()
                    .map(|node| match node_type(&node) {
                        "tableHeader" | "tableCell" => node,
                        _ => cell(false, vec![node]),
                    })
                    .collect();
                (!cells.is_empty()).then(|| build::table_row(cells))
            }
            Kind::Cell { header } => Some(cell(header, content)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_markdown_gives_an_empty_doc() {
        assert_eq!(
            from_markdown(""),
            json!({ "version": 1, "type": "doc", "content": [] })
        );
    }

    #[test]
    fn plain_text_splits_paragraphs_on_blank_lines_and_breaks_on_newlines() {
        let doc = from_plain_text("Привет\r\nмир\n\n  \nสวัสดี");
        assert_eq!(
            doc,
            build::doc([
                build::paragraph([
                    build::text("Привет"),
                    build::hard_break(),
                    build::text("мир")
                ]),
                build::paragraph([build::text("สวัสดี")]),
            ])
        );
    }

    #[test]
    fn empty_plain_text_gives_an_empty_doc() {
        assert_eq!(from_plain_text(""), build::doc([]));
        assert_eq!(from_plain_text("\n \n"), build::doc([]));
    }

    #[test]
    fn tight_list_items_get_a_paragraph() {
        let doc = from_markdown("- one\n- two");
        assert_eq!(
            doc,
            build::doc([build::bullet_list([
                build::item([build::text("one")]),
                build::item([build::text("two")])
            ])])
        );
    }

    #[test]
    fn marks_nest_and_code_keeps_only_a_link() {
        let doc = from_markdown("**bold *both*** [`x` y](https://e.test)");
        let paragraph = &doc["content"][0]["content"];
        assert_eq!(
            paragraph[0],
            build::marked("bold ", [build::mark("strong")])
        );
        assert_eq!(
            paragraph[1],
            build::marked("both", [build::mark("strong"), build::mark("em")])
        );
        assert_eq!(
            paragraph[3],
            build::marked(
                "x",
                [build::link_mark("https://e.test"), build::mark("code")]
            )
        );
        assert_eq!(
            paragraph[4],
            build::marked(" y", [build::link_mark("https://e.test")])
        );
    }

    #[test]
    fn heading_in_a_list_item_becomes_a_bold_paragraph() {
        let doc = from_markdown("- # Title");
        assert_eq!(
            doc["content"][0]["content"][0]["content"][0],
            build::paragraph([build::strong("Title")])
        );
    }

    #[test]
    fn quote_in_a_quote_is_unwrapped() {
        let doc = from_markdown("> a\n>\n> > b");
        assert_eq!(
            doc["content"][0],
            build::blockquote([
                build::paragraph([build::text("a")]),
                build::paragraph([build::text("b")])
            ])
        );
    }

    #[test]
    fn raw_html_stays_literal_text_and_br_is_a_break() {
        let doc = from_markdown("a <script>alert(1)</script><br>b <span>c</span>");
        let content = &doc["content"][0]["content"];
        assert_eq!(content[0], build::text("a <script>alert(1)</script>"));
        assert_eq!(content[1], build::hard_break());
        assert_eq!(content[2], build::text("b <span>c</span>"));
    }

    #[test]
    fn bare_emphasis_tags_become_marks_that_end_with_their_paragraph() {
        let doc = from_markdown("<em>a</em><strong>b</strong> </b><del>open\n\nnext");
        assert_eq!(
            doc["content"][0],
            build::paragraph([
                build::em("a"),
                build::strong("b"),
                build::text(" </b>"),
                build::strike("open"),
            ])
        );
        assert_eq!(doc["content"][1], build::paragraph([build::text("next")]));
    }

    #[test]
    fn image_alone_in_a_paragraph_becomes_external_media() {
        let doc = from_markdown("![Скриншот](https://e.test/a.png)");
        assert_eq!(doc["content"][0]["type"], "mediaSingle");
        assert_eq!(
            doc["content"][0]["content"][0]["attrs"]["url"],
            "https://e.test/a.png"
        );
        assert_eq!(doc["content"][0]["content"][0]["attrs"]["alt"], "Скриншот");
    }

    #[test]
    fn image_inside_text_becomes_a_link() {
        let doc = from_markdown("see ![shot](https://e.test/a.png) here");
        assert_eq!(
            doc["content"][0]["content"][1],
            build::link("shot", "https://e.test/a.png")
        );
    }

    #[test]
    fn empty_table_cells_hold_an_empty_paragraph() {
        let doc = from_markdown("| a | |\n|---|---|\n| | b |");
        let header = &doc["content"][0]["content"][0]["content"];
        assert_eq!(header[0]["type"], "tableHeader");
        assert_eq!(header[1]["content"], json!([build::paragraph([])]));
    }

    #[test]
    fn deeply_nested_quotes_and_lists_stay_bounded() {
        let quotes = ">".repeat(10_000) + " deep";
        let lists = (0..2_000)
            .map(|i| format!("{}- item{i}\n", "  ".repeat(i)))
            .collect::<String>();
        for md in [quotes, lists] {
            let doc = from_markdown(&md);
            assert!(depth(&doc) <= 2 * MAX_DEPTH + 8, "depth {}", depth(&doc));
        }
    }

    fn depth(node: &Value) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(node, 1)];
        while let Some((node, d)) = stack.pop() {
            deepest = deepest.max(d);
            if let Some(children) = node.get("content").and_then(Value::as_array) {
                stack.extend(children.iter().map(|c| (c, d + 1)));
            }
        }
        deepest
    }
}
