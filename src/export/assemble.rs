//! Merges the PDFs of a report rendered in parts (see `chunked.rs`) into one PDF with lopdf:
//! the parts' pages in order, a page that one part ends and the next continues drawn from both,
//! the header and footer pass drawn onto every page, the front matter's issue links turned into
//! links to the issues' pages, and bookmarks for the issues.
//!
//! Drawing one page onto another: the base page's content is wrapped in `q … Q` (so whatever
//! graphics state it leaves behind cannot leak), and each overlay's content follows as its own
//! `q … Q` stream, with its resource names prefixed so they cannot clash with the base page's
//! (`/f0` becomes `/jg0f0`). Appending to the page's own content, rather than drawing the
//! overlay as a form XObject, keeps the text where text extractors (poppler, lopdf) look first.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::ExportError;

/// Link URIs the front matter uses for "go to issue N" (see `issue-target` in lib.typ).
const ISSUE_URI: &[u8] = b"jira-gateway:issue/";

/// Resource categories whose names a content stream refers to.
const CATEGORIES: &[&[u8]] = &[
    b"Font",
    b"XObject",
    b"ExtGState",
    b"ColorSpace",
    b"Pattern",
    b"Shading",
    b"Properties",
];

/// Where an issue starts in the merged PDF, and its bookmark title.
pub(crate) struct IssueTarget {
    /// 0-based page of the merged PDF.
    pub(crate) page: usize,
    /// Position of the issue heading, in points from the page's top-left corner.
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) title: String,
}

fn pdf_error(context: &str, error: impl std::fmt::Display) -> ExportError {
    ExportError::Compile(format!("merging the PDF parts: {context}: {error}"))
}

/// The merged document while parts are added.
pub(crate) struct Merger {
    doc: Document,
    /// The merged PDF's pages, in order.
    pages: Vec<ObjectId>,
    /// Pages of later parts drawn onto each merged page, in drawing order.
    overlays: Vec<Vec<ObjectId>>,
    /// Catalog, document info and file identifier of the first part: the parts are compiled
    /// with the same title, language and creator, so the first one speaks for the whole.
    catalog: Option<Dictionary>,
    info: Option<Object>,
    id: Option<Object>,
}

impl Merger {
    pub(crate) fn new() -> Self {
        Self {
            doc: Document::with_version("1.7"),
            pages: Vec::new(),
            overlays: Vec::new(),
            catalog: None,
            info: None,
            id: None,
        }
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Moves a part's objects into the merged document and returns its pages in order.
    fn absorb(&mut self, mut part: Document) -> Result<Vec<ObjectId>, ExportError> {
        part.renumber_objects_with(self.doc.max_id + 1);
        let pages: Vec<ObjectId> = part.page_iter().collect();
        if self.catalog.is_none() {
            let catalog = part
                .catalog()
                .map_err(|e| pdf_error("part without a catalog", e))?
                .clone();
            self.catalog = Some(catalog);
            self.info = part.trailer.get(b"Info").ok().cloned();
            self.id = part.trailer.get(b"ID").ok().cloned();
        }
        self.doc.max_id = self.doc.max_id.max(part.max_id);
        self.doc.objects.append(&mut part.objects);
        Ok(pages)
    }

    /// Appends a part's pages (its first `keep`, or all). With `continues`, the part's first
    /// page is the rest of the last page so far (its content starts below what that page
    /// holds) and is drawn onto it.
    pub(crate) fn add_pages(
        &mut self,
        part: Document,
        continues: bool,
        keep: Option<usize>,
    ) -> Result<(), ExportError> {
        let pages = self.absorb(part)?;
        let keep = keep.unwrap_or(pages.len());
        let mut pages = pages.into_iter().take(keep);
        if continues
            && let Some(last) = self.overlays.last_mut()
            && let Some(first) = pages.next()
        {
            last.push(first);
        }
        for page in pages {
            self.pages.push(page);
            self.overlays.push(Vec::new());
        }
        Ok(())
    }

    /// Draws a part's pages onto the merged pages from `first` (0-based) on; with `skip_first`
    /// its first page is left out (the cover's, which has no header or footer).
    pub(crate) fn add_overlays(
        &mut self,
        part: Document,
        first: usize,
        skip_first: bool,
    ) -> Result<(), ExportError> {
        let pages = self.absorb(part)?;
        for (i, page) in pages.into_iter().enumerate() {
            if i == 0 && skip_first {
                continue;
            }
            let slot = self.overlays.get_mut(first + i).ok_or_else(|| {
                pdf_error("header and footer pass", "more pages than the document")
            })?;
            slot.push(page);
        }
        Ok(())
    }

    /// Builds the final document: pages with their overlays, issue links on the first
    /// `link_pages` pages resolved, bookmarks and named destinations `issue-N` for `issues`.
    pub(crate) fn finish(
        mut self,
        issues: &[IssueTarget],
        link_pages: usize,
    ) -> Result<Vec<u8>, ExportError> {
        let total = self.pages.len();
        let pages_id = self.doc.new_object_id();
        let q = self
            .doc
            .add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let big_q = self
            .doc
            .add_object(Stream::new(Dictionary::new(), b"\nQ\n".to_vec()));
        let pages = std::mem::take(&mut self.pages);
        let overlays = std::mem::take(&mut self.overlays);
        for (&page, overlays) in pages.iter().zip(&overlays) {
            compose(&mut self.doc, page, overlays, q, big_q)?;
            self.doc
                .get_dictionary_mut(page)
                .map_err(|e| pdf_error("page", e))?
                .set("Parent", pages_id);
        }
        let kids: Vec<Object> = pages.iter().map(|&p| Object::Reference(p)).collect();
        let mut pages_dict = Dictionary::new();
        pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
        pages_dict.set("Count", i64::try_from(total).unwrap_or(i64::MAX));
        pages_dict.set("Kids", kids);
        self.doc
            .objects
            .insert(pages_id, Object::Dictionary(pages_dict));

        // One destination object per issue, shared by its bookmark, the links to it and the
        // named destination (as typst does).
        let mut dests = Vec::with_capacity(issues.len());
        for issue in issues {
            let page = *pages
                .get(issue.page)
                .ok_or_else(|| pdf_error("issue destination", "page out of range"))?;
            let height = page_height(&self.doc, page)?;
            let dest = self.doc.add_object(vec![
                Object::Reference(page),
                Object::Name(b"XYZ".to_vec()),
                Object::Real(issue.x as f32),
                // 10 pt above the heading, as typst's own links and bookmarks do
                // (`pos_to_xyz` in typst-pdf), so the heading is not at the window's edge.
                Object::Real((height - (issue.y - 10.0).max(0.0)) as f32),
                Object::Integer(0),
            ]);
            dests.push(dest);
        }
        for &page in pages.iter().take(link_pages) {
            resolve_issue_links(&mut self.doc, page, &dests)?;
        }

        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", pages_id);
        if let Some(first) = &self.catalog {
            for key in [b"Lang".as_slice(), b"ViewerPreferences"] {
                if let Ok(value) = first.get(key) {
                    catalog.set(key, value.clone());
                }
            }
            if let Ok(Object::Reference(metadata)) = first.get(b"Metadata") {
                patch_page_count(&mut self.doc, *metadata, total);
                catalog.set("Metadata", *metadata);
            }
        }
        if !issues.is_empty() {
            let outline = add_outline(&mut self.doc, issues, &dests);
            catalog.set("Outlines", outline);
            let mut names: Vec<(String, ObjectId)> = dests
                .iter()
                .enumerate()
                .map(|(i, &d)| (format!("issue-{i}"), d))
                .collect();
            names.sort();
            let names: Vec<Object> = names
                .into_iter()
                .flat_map(|(name, dest)| [Object::string_literal(name), Object::Reference(dest)])
                .collect();
            let mut tree = Dictionary::new();
            tree.set("Names", names);
            let mut names_dict = Dictionary::new();
            names_dict.set("Dests", tree);
            catalog.set("Names", names_dict);
        }
        let catalog = self.doc.add_object(catalog);
        self.doc.trailer = Dictionary::new();
        self.doc.trailer.set("Root", catalog);
        if let Some(info) = self.info.take() {
            self.doc.trailer.set("Info", info);
        }
        if let Some(id) = self.id.take() {
            self.doc.trailer.set("ID", id);
        }
        // The parts' own catalogs, page trees, bookmarks and overlay pages are now unreachable.
        prune(&mut self.doc);
        let mut bytes = Vec::new();
        self.doc
            .save_to(&mut bytes)
            .map_err(|e| pdf_error("writing", e))?;
        Ok(bytes)
    }
}

/// Drops the objects the trailer does not lead to (lopdf's `prune_objects` does the same in
/// quadratic time: 1.3 s for the 68,000 objects of a 5,000-issue report).
fn prune(doc: &mut Document) {
    fn refs(object: &Object, out: &mut Vec<ObjectId>) {
        match object {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => items.iter().for_each(|item| refs(item, out)),
            Object::Dictionary(dict) => dict.iter().for_each(|(_, value)| refs(value, out)),
            Object::Stream(stream) => stream.dict.iter().for_each(|(_, value)| refs(value, out)),
            _ => {}
        }
    }
    let mut reachable = std::collections::HashSet::new();
    let mut todo = Vec::new();
    doc.trailer
        .iter()
        .for_each(|(_, value)| refs(value, &mut todo));
    while let Some(id) = todo.pop() {
        if reachable.insert(id)
            && let Some(object) = doc.objects.get(&id)
        {
            refs(object, &mut todo);
        }
    }
    doc.objects.retain(|id, _| reachable.contains(id));
}

fn page_height(doc: &Document, page: ObjectId) -> Result<f64, ExportError> {
    let media_box = doc
        .get_dictionary(page)
        .and_then(|d| d.get(b"MediaBox"))
        .and_then(Object::as_array)
        .map_err(|e| pdf_error("page without a media box", e))?;
    let coord = |i: usize| {
        media_box
            .get(i)
            .and_then(|v| v.as_float().ok())
            .map(f64::from)
    };
    match (coord(1), coord(3)) {
        (Some(bottom), Some(top)) => Ok(top - bottom),
        _ => Err(pdf_error("page", "malformed media box")),
    }
}

/// A dictionary entry, following one reference.
fn deref_dict(doc: &Document, object: &Object) -> Option<Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict.clone()),
        Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
        _ => None,
    }
}

/// A page's resources with every category as a direct dictionary.
fn resources(doc: &Document, page: ObjectId) -> Result<Dictionary, ExportError> {
    let dict = doc.get_dictionary(page).map_err(|e| pdf_error("page", e))?;
    let mut resources = dict
        .get(b"Resources")
        .ok()
        .and_then(|r| deref_dict(doc, r))
        .unwrap_or_default();
    for category in CATEGORIES {
        if let Ok(value) = resources.get(category)
            && let Some(inner) = deref_dict(doc, value)
        {
            resources.set(*category, inner);
        }
    }
    Ok(resources)
}

fn annotations(doc: &Document, page: ObjectId) -> Vec<Object> {
    let Ok(dict) = doc.get_dictionary(page) else {
        return Vec::new();
    };
    match dict.get(b"Annots") {
        Ok(Object::Array(items)) => items.clone(),
        Ok(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Draws `overlays` onto `page` (see the module docs).
fn compose(
    doc: &mut Document,
    page: ObjectId,
    overlays: &[ObjectId],
    q: ObjectId,
    big_q: ObjectId,
) -> Result<(), ExportError> {
    if overlays.is_empty() {
        return Ok(());
    }
    let dict = doc.get_dictionary(page).map_err(|e| pdf_error("page", e))?;
    let mut contents = vec![Object::Reference(q)];
    match dict.get(b"Contents") {
        Ok(Object::Array(items)) => contents.extend(items.iter().cloned()),
        Ok(other) => contents.push(other.clone()),
        Err(_) => {}
    }
    contents.push(Object::Reference(big_q));
    let mut merged = resources(doc, page)?;
    let mut annots = annotations(doc, page);

    for (n, &overlay) in overlays.iter().enumerate() {
        let prefix = format!("jg{n}");
        let own = resources(doc, overlay)?;
        let bytes = doc
            .get_page_content(overlay)
            .map_err(|e| pdf_error("overlay content", e))?;
        let mut content = Content::decode(&bytes).map_err(|e| pdf_error("overlay content", e))?;
        rename_resources(&mut content, &own, &prefix);
        add_resources(&mut merged, &own, &prefix)?;
        let mut data = b"q\n".to_vec();
        data.extend(
            content
                .encode()
                .map_err(|e| pdf_error("overlay content", e))?,
        );
        data.extend_from_slice(b"\nQ\n");
        let mut stream = Stream::new(Dictionary::new(), data);
        stream.compress().map_err(|e| pdf_error("compressing", e))?;
        contents.push(Object::Reference(doc.add_object(stream)));
        for annot in annotations(doc, overlay) {
            if let Object::Reference(id) = annot
                && let Ok(dict) = doc.get_dictionary_mut(id)
                && dict.has(b"P")
            {
                dict.set("P", page);
            }
            annots.push(annot);
        }
    }

    let dict = doc
        .get_dictionary_mut(page)
        .map_err(|e| pdf_error("page", e))?;
    dict.set("Contents", contents);
    dict.set("Resources", merged);
    if !annots.is_empty() {
        dict.set("Annots", annots);
    }
    Ok(())
}

/// The resource category an operand of `operator` names, and which operand.
fn resource_operand(operator: &str, operands: usize) -> Option<(&'static [u8], usize)> {
    match operator {
        "Tf" => Some((b"Font", 0)),
        "Do" => Some((b"XObject", 0)),
        "gs" => Some((b"ExtGState", 0)),
        "cs" | "CS" => Some((b"ColorSpace", 0)),
        "scn" | "SCN" => operands
            .checked_sub(1)
            .map(|last| (b"Pattern".as_slice(), last)),
        "sh" => Some((b"Shading", 0)),
        "BDC" | "DP" => Some((b"Properties", 1)),
        _ => None,
    }
}

/// Prefixes the names `content` uses from `resources` (device colour spaces and other names
/// that are not resources stay as they are).
fn rename_resources(content: &mut Content, resources: &Dictionary, prefix: &str) {
    for op in &mut content.operations {
        let Some((category, index)) = resource_operand(&op.operator, op.operands.len()) else {
            continue;
        };
        let Some(Object::Name(name)) = op.operands.get_mut(index) else {
            continue;
        };
        let known = resources
            .get(category)
            .and_then(Object::as_dict)
            .is_ok_and(|d| d.has(name));
        if known {
            let mut renamed = prefix.as_bytes().to_vec();
            renamed.extend_from_slice(name);
            *name = renamed;
        }
    }
}

fn add_resources(
    merged: &mut Dictionary,
    own: &Dictionary,
    prefix: &str,
) -> Result<(), ExportError> {
    for category in CATEGORIES {
        let Ok(entries) = own.get(category).and_then(Object::as_dict) else {
            continue;
        };
        if !merged.has(category) {
            merged.set(*category, Dictionary::new());
        }
        let target = merged
            .get_mut(category)
            .and_then(Object::as_dict_mut)
            .map_err(|e| pdf_error("resources", e))?;
        for (name, value) in entries.iter() {
            let mut renamed = prefix.as_bytes().to_vec();
            renamed.extend_from_slice(name);
            if target.has(&renamed) {
                return Err(pdf_error(
                    "resources",
                    format!("name clash on {}", String::from_utf8_lossy(&renamed)),
                ));
            }
            target.set(renamed, value.clone());
        }
    }
    Ok(())
}

/// Turns the page's `jira-gateway:issue/N` URI links into links to issue N's destination.
fn resolve_issue_links(
    doc: &mut Document,
    page: ObjectId,
    dests: &[ObjectId],
) -> Result<(), ExportError> {
    for annot in annotations(doc, page) {
        let Object::Reference(id) = annot else {
            continue;
        };
        let Ok(dict) = doc.get_dictionary(id) else {
            continue;
        };
        let target = dict
            .get(b"A")
            .ok()
            .and_then(|a| deref_dict(doc, a))
            .and_then(|action| match action.get(b"URI") {
                Ok(Object::String(uri, _)) => uri
                    .strip_prefix(ISSUE_URI)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .and_then(|n| n.parse::<usize>().ok()),
                _ => None,
            });
        let Some(index) = target else {
            continue;
        };
        let dest = *dests
            .get(index)
            .ok_or_else(|| pdf_error("issue link", format!("no issue {index}")))?;
        let dict = doc
            .get_dictionary_mut(id)
            .map_err(|e| pdf_error("link", e))?;
        dict.remove(b"A");
        dict.set("Dest", dest);
    }
    Ok(())
}

/// A PDF text string: PDFDocEncoding when ASCII, else UTF-16BE with a byte order mark.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::string_literal(text);
    }
    let mut bytes = vec![0xfe, 0xff];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// A flat outline (bookmarks), one item per issue.
fn add_outline(doc: &mut Document, issues: &[IssueTarget], dests: &[ObjectId]) -> ObjectId {
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = issues.iter().map(|_| doc.new_object_id()).collect();
    for (i, (issue, &dest)) in issues.iter().zip(dests).enumerate() {
        let mut item = Dictionary::new();
        item.set("Title", text_string(&issue.title));
        item.set("Parent", root);
        item.set("Dest", dest);
        if i > 0 {
            item.set("Prev", ids[i - 1]);
        }
        if let Some(&next) = ids.get(i + 1) {
            item.set("Next", next);
        }
        doc.objects.insert(ids[i], Object::Dictionary(item));
    }
    let mut outline = Dictionary::new();
    outline.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
        outline.set("First", first);
        outline.set("Last", last);
    }
    outline.set("Count", i64::try_from(ids.len()).unwrap_or(i64::MAX));
    doc.objects.insert(root, Object::Dictionary(outline));
    root
}

/// The XMP metadata of the first part counts that part's pages; make it count them all.
fn patch_page_count(doc: &mut Document, metadata: ObjectId, pages: usize) {
    let Ok(Object::Stream(stream)) = doc.get_object_mut(metadata) else {
        return;
    };
    if stream.dict.has(b"Filter") {
        return;
    }
    let Ok(xml) = std::str::from_utf8(&stream.content) else {
        return;
    };
    let (open, close) = ("<xmpTPg:NPages>", "</xmpTPg:NPages>");
    if let Some(start) = xml.find(open)
        && let Some(len) = xml[start..].find(close)
    {
        let patched = format!("{}{open}{pages}{}", &xml[..start], &xml[start + len..]);
        stream.set_content(patched.into_bytes());
    }
}
