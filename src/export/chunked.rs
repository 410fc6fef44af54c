//! Large reports rendered in parts and merged into one PDF, so that the memory typst needs
//! follows the part size, not the report size: one compile of a 1,000-issue report holds the
//! layout of all its pages at once (1.6 GiB for 867 pages).
//!
//! The parts, each its own typst document (`data.part`, see lib.typ), without the running
//! header and footer:
//!
//! 1. **Body parts**, [`CHUNK_ISSUES`] issues each, one after the other. Each records the page
//!    and position of its issue headings and where the next issue would start (a marker after
//!    the last one); the next part starts with that much space on its first page, and the merge
//!    draws that page onto the previous part's last one. So issues flow from part to part
//!    exactly as in one compile: same page breaks, same page count. (That is why the body
//!    parts are laid out in sequence and not side by side; each one needs the previous one's
//!    end.) The issue template starts every issue on a new page, so its parts need no join.
//! 2. **Overview** (report template): charts and the summary table, in parts of
//!    `FRONT_FACTOR` × chunk rows that each start at the top of a page (see
//!    [`overview_parts`]).
//! 3. **Cover and contents**, in parts of as many entries continuing each other like the body
//!    parts, laid out like typst's `outline` with the page numbers measured above; their links
//!    to issues use a private URI the merge resolves.
//! 4. **Header and footer pass**: the running header and "Page n / total" on otherwise empty
//!    pages, drawn onto every merged page except the cover.
//!
//! Each finished part goes through `typst_pdf` and `lopdf` while the next one is laid out, on
//! helper threads: at most one per other core, and only as many as the global render bound
//! (`RENDER_SLOTS`) has permits to spare right now (the render itself holds one). typst's
//! memoized results are evicted after every part (`comemo::evict(0)`: a part's layout is of no
//! use to the next, and keeping even one part's measured 50–70 MB more; other renders running
//! at the same time just lose their cache). The parts' PDFs are untagged (their structure trees
//! could not be merged), and each embeds its own font subsets.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use parking_lot::Mutex;
use serde_json::json;
use tokio::sync::OwnedSemaphorePermit;
use typst::foundations::{Label, Value};
use typst::introspection::{Introspector, MetadataElem, PagedPosition};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::assemble::{IssueTarget, Merger};
use super::data::ReportData;
use super::fonts::Fonts;
use super::world::{self, MainTemplate};
use super::{
    ExportError, Paper, RENDER_SLOTS, RenderOptions, RenderedPdf, ReportInput, Result, Template,
};

/// Issues per body part. Measured on the 1,000-issue report of BENCHMARKS.md ("PDF export"):
/// see there for the figures this was picked from.
pub(crate) const CHUNK_ISSUES: usize = 100;

/// Pages per header and footer pass.
const FURNITURE_PAGES: usize = 100;

/// Contents entries and summary table rows per front matter part, per issue of a body part:
/// they are far smaller.
const FRONT_FACTOR: usize = 4;

/// Label of the marker after a body part's last issue (report.typ).
const PART_END: &str = "jira-gateway-part-end";

/// A laid-out body part, once its document has gone to the PDF export.
struct BodyPart {
    slot: usize,
    pages: usize,
    /// Whether its first page continues the previous part's last page.
    continues: bool,
    /// Each issue heading's 0-based page in the part and position.
    marks: Vec<PagedPosition>,
}

/// Renders the report in parts of `chunk` issues and merges them (see the module docs).
pub(crate) fn render(
    fonts: &Fonts,
    input: &ReportInput,
    options: &RenderOptions,
    data: &ReportData,
    chunk: usize,
) -> Result<RenderedPdf> {
    let report = options.template == Template::Report;
    let main = || match options.template {
        Template::Report => MainTemplate::Report,
        Template::Issue => MainTemplate::Issue,
    };
    let count = data.issue_count();
    let chunk = chunk.max(1);
    thread::scope(|scope| {
        let mut pool = Pool::start(scope, helper_permits());

        // Body parts, in sequence: each needs where the previous one ended.
        let mut bodies: Vec<BodyPart> = Vec::new();
        let mut resume: Option<f64> = None;
        for start in (0..count).step_by(chunk) {
            let range = start..(start + chunk).min(count);
            let last = range.end == count;
            let part = json!({"kind": "body", "first": start, "resume": resume, "last": last});
            let payload = data.part_payload(range.clone(), &part)?;
            let document = world::compile(fonts, main(), payload)?;
            let marks = issue_marks(&document, range)?;
            let pages = document.pages().len();
            let continues = resume.is_some();
            resume = None;
            if report && !last {
                resume = Some(part_end(&document)?);
            }
            let slot = pool.submit(Box::new(move || export(&document)));
            bodies.push(BodyPart {
                slot,
                pages,
                continues,
                marks,
            });
            // This part's memoized layout is of no use to the next one.
            typst::comemo::evict(0);
        }

        // Where each issue starts, counted in body pages.
        let mut body_pages = 0usize;
        let mut issue_pages: Vec<(usize, PagedPosition)> = Vec::with_capacity(count);
        for part in &bodies {
            let first = if part.continues {
                body_pages.saturating_sub(1)
            } else {
                body_pages
            };
            issue_pages.extend(part.marks.iter().map(|m| (first + m.page.get() - 1, *m)));
            body_pages = first + part.pages;
        }

        // Front matter, now that the contents' page numbers are known.
        let mut front: Vec<FrontPart> = Vec::new();
        if report {
            let overview = overview_parts(fonts, data, &mut pool, FRONT_FACTOR * chunk)?;
            let overview_pages: usize = overview.iter().map(|p| p.keep).sum();
            let body_numbers: Vec<usize> = issue_pages.iter().map(|(page, _)| page + 1).collect();
            front = contents_parts(
                fonts,
                options,
                data,
                &mut pool,
                FRONT_FACTOR * chunk,
                &body_numbers,
                overview_pages,
            )?;
            front.extend(overview);
        }
        let front_pages: usize = front
            .iter()
            .map(|p| p.keep - usize::from(p.continues))
            .sum();

        // Headers and footers, now that the page count is known.
        let total = front_pages + body_pages;
        let mut furniture = Vec::new();
        for first in (1..=total).step_by(FURNITURE_PAGES) {
            let last = (first + FURNITURE_PAGES - 1).min(total);
            let part = json!({
                "kind": "furniture", "first": first, "last": last, "total": total, "bare-first": report,
            });
            let payload = data.part_payload(0..0, &part)?;
            let slot = pool.submit(Box::new(move || {
                let pdf = export(&world::compile(fonts, MainTemplate::Furniture, payload)?);
                // Every page's footer differs: nothing here is worth keeping.
                typst::comemo::evict(0);
                pdf
            }));
            furniture.push((slot, first));
        }

        let mut parts = pool.finish()?;
        let mut take = |slot: usize| {
            parts
                .get_mut(slot)
                .and_then(Option::take)
                .ok_or_else(|| ExportError::Compile(format!("part {slot} is missing")))
        };
        let mut merger = Merger::new();
        for part in &front {
            merger.add_pages(take(part.slot)?, part.continues, Some(part.keep))?;
        }
        for part in &bodies {
            merger.add_pages(take(part.slot)?, part.continues, None)?;
        }
        if merger.page_count() != total {
            return Err(ExportError::Compile(format!(
                "merged {} pages, expected {total}",
                merger.page_count()
            )));
        }
        for (slot, first) in furniture {
            merger.add_overlays(take(slot)?, first - 1, report && first == 1)?;
        }
        let targets: Vec<IssueTarget> = issue_pages
            .iter()
            .zip(&input.issues)
            .map(|((page, mark), issue)| IssueTarget {
                page: front_pages + page,
                x: mark.point.x.to_pt(),
                y: mark.point.y.to_pt(),
                title: format!("{} {}", issue.key, issue.summary),
            })
            .collect();
        let bytes = merger.finish(&targets, front_pages)?;
        Ok(RenderedPdf {
            bytes,
            pages: total,
        })
    })
}

/// A laid-out part of the front matter, gone to the PDF export.
struct FrontPart {
    slot: usize,
    /// Pages of it to keep.
    keep: usize,
    /// Whether its first page continues the previous part's last page.
    continues: bool,
}

/// The overview: its heading, charts and the summary table, in parts of about `rows` rows
/// that each start at the top of a page. A table part is laid out, its last page (where the
/// rows stop short of the page's end) dropped, and the next part starts with the first row of
/// that page: a new table at the top of a page looks like a table continued there (the
/// header repeats), given the same column widths and zebra stripes. Rows are unbreakable in
/// parts so that every page starts with a whole row.
fn overview_parts<'s>(
    fonts: &'s Fonts,
    data: &ReportData,
    pool: &mut Pool<'s>,
    rows: usize,
) -> Result<Vec<FrontPart>> {
    let count = data.issue_count();
    let mut parts = Vec::new();
    let mut widths: Option<serde_json::Value> = None;
    let mut first = 0;
    let mut size = rows.max(1);
    loop {
        let end = (first + size).min(count);
        let last = end == count;
        let mut part = json!({"kind": "overview", "first": first});
        match &widths {
            Some(widths) => part["widths"] = widths.clone(),
            None => {
                part["keys"] = serde_json::Value::Array(data.column("key"));
                part["dates"] = serde_json::Value::Array(data.column("updated"));
            }
        }
        let document = world::compile(
            fonts,
            MainTemplate::Report,
            data.front_payload(first..end, &part)?,
        )?;
        if widths.is_none() {
            widths = Some(metadata_value(&document, "jira-gateway-widths")?);
        }
        let pages = document.pages().len();
        let mut next = end;
        let keep = if last {
            pages
        } else {
            // The first row on the last page starts the next part.
            let mut on_last = None;
            for i in first..end {
                if position(&document, &format!("jira-gateway-row-{i}"))?
                    .page
                    .get()
                    == pages
                {
                    on_last = Some(i);
                    break;
                }
            }
            match on_last {
                Some(i) if i > first => {
                    next = i;
                    pages - 1
                }
                // The rows do not reach past one page: take more.
                _ => {
                    size *= 2;
                    continue;
                }
            }
        };
        let slot = pool.submit(Box::new(move || export(&document)));
        parts.push(FrontPart {
            slot,
            keep,
            continues: false,
        });
        typst::comemo::evict(0);
        if last {
            return Ok(parts);
        }
        first = next;
        size = rows.max(1);
    }
}

/// The cover and the contents, in parts of `entries` entries continuing each other's last page
/// like the body parts. Entry i shows page `front + body_numbers[i]`, where the front matter's
/// length depends on how many pages the contents take: it is guessed, and the contents are laid
/// out again with the measured length when the guess was wrong.
fn contents_parts<'s>(
    fonts: &'s Fonts,
    options: &RenderOptions,
    data: &ReportData,
    pool: &mut Pool<'s>,
    entries: usize,
    body_numbers: &[usize],
    overview_pages: usize,
) -> Result<Vec<FrontPart>> {
    let count = data.issue_count();
    let toc = options.sections.toc;
    let step = if toc { entries.max(1) } else { count.max(1) };
    let mut guess = if toc {
        1 + (count + 2).div_ceil(entries_per_page(options))
    } else {
        1
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut parts = Vec::new();
        let mut pages_total = 0;
        let mut resume: Option<f64> = None;
        for start in (0..count).step_by(step) {
            let end = (start + step).min(count);
            let last = end == count;
            let part = json!({
                "kind": "contents", "first": start, "resume": resume, "last": last,
                "offset": guess + overview_pages, "pages": &body_numbers[start..end],
            });
            let document = world::compile(
                fonts,
                MainTemplate::Report,
                data.front_payload(start..end, &part)?,
            )?;
            let pages = document.pages().len();
            let continues = resume.is_some();
            resume = if toc && !last {
                Some(part_end(&document)?)
            } else {
                None
            };
            pages_total += pages - usize::from(continues);
            let slot = pool.submit(Box::new(move || export(&document)));
            parts.push(FrontPart {
                slot,
                keep: pages,
                continues,
            });
            typst::comemo::evict(0);
        }
        if pages_total == guess {
            return Ok(parts);
        }
        if attempt >= 4 {
            tracing::warn!(
                export.guess = guess,
                export.pages = pages_total,
                "contents page numbers did not settle; they may be off"
            );
            return Ok(parts);
        }
        guess = pages_total;
    }
}

/// About how many contents entries fit on a page (57 on A4 portrait), for the first guess of
/// the contents' length.
fn entries_per_page(options: &RenderOptions) -> usize {
    let (width, height) = match options.paper {
        Paper::A4 => (210.0, 297.0),
        Paper::Letter => (215.9, 279.4),
    };
    let height: f64 = if options.landscape { width } else { height };
    // Top and bottom margins (page-margin in lib.typ): 42 mm.
    ((57.0 * (height - 42.0) / 255.0).floor() as usize).max(1)
}

/// The y of the marker where the next part continues, which must be on the last page.
fn part_end(document: &PagedDocument) -> Result<f64> {
    let end = position(document, PART_END)?;
    let pages = document.pages().len();
    if end.page.get() != pages {
        return Err(ExportError::Compile(format!(
            "part ends on page {} of {pages}",
            end.page
        )));
    }
    Ok(end.point.y.to_pt())
}

/// The value of the `metadata` labelled `name`, as JSON.
fn metadata_value(document: &PagedDocument, name: &str) -> Result<serde_json::Value> {
    let missing = || ExportError::Compile(format!("no metadata <{name}>"));
    let label = Label::new(PicoStr::intern(name)).ok_or_else(missing)?;
    let element = document
        .introspector()
        .query_label(label)
        .map_err(|e| ExportError::Compile(format!("<{name}>: {e}")))?;
    let metadata = element.to_packed::<MetadataElem>().ok_or_else(missing)?;
    match &metadata.value {
        Value::Array(items) => Ok(serde_json::Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::Float(f) => Ok(json!(f)),
                    Value::Int(i) => Ok(json!(i)),
                    _ => Err(missing()),
                })
                .collect::<Result<_>>()?,
        )),
        _ => Err(missing()),
    }
}

/// The PDF of a part, read back for the merge.
fn export(document: &PagedDocument) -> Result<lopdf::Document> {
    let bytes = super::export_pdf(document, false)?;
    lopdf::Document::load_mem(&bytes)
        .map_err(|e| ExportError::Compile(format!("reading a part's PDF back: {e}")))
}

fn position(document: &PagedDocument, name: &str) -> Result<PagedPosition> {
    let missing = || ExportError::Compile(format!("no position for <{name}>"));
    let label = Label::new(PicoStr::intern(name)).ok_or_else(missing)?;
    let introspector = document.introspector();
    let element = introspector
        .query_label(label)
        .map_err(|e| ExportError::Compile(format!("<{name}>: {e}")))?;
    let location = element.location().ok_or_else(missing)?;
    introspector.position(location).ok_or_else(missing)
}

/// Where the heading of each issue in `range` (report indices) is, from its `issue-N` label.
fn issue_marks(document: &PagedDocument, range: Range<usize>) -> Result<Vec<PagedPosition>> {
    range
        .map(|i| position(document, &format!("issue-{i}")))
        .collect()
}

/// Permits for helper threads: one per core besides the caller's, as far as the global
/// render bound has them free right now.
fn helper_permits() -> Vec<OwnedSemaphorePermit> {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    (1..cores)
        .map_while(|_| Arc::clone(&RENDER_SLOTS).try_acquire_owned().ok())
        .collect()
}

type Job<'s> = Box<dyn FnOnce() -> Result<lopdf::Document> + Send + 's>;
type Done = (usize, Result<lopdf::Document>);

/// Runs part jobs on helper threads, or on the caller's thread when no helper is free: a job
/// never waits in the queue behind another, so at most one finished part per helper is held
/// in memory besides the one being laid out.
struct Pool<'s> {
    jobs: Option<mpsc::Sender<(usize, Job<'s>)>>,
    queue: Arc<Mutex<mpsc::Receiver<(usize, Job<'s>)>>>,
    queued: Arc<AtomicUsize>,
    done_tx: Option<mpsc::Sender<Done>>,
    done: mpsc::Receiver<Done>,
    helpers: usize,
    next_slot: usize,
}

impl<'s> Pool<'s> {
    fn start<'e>(scope: &'s thread::Scope<'s, 'e>, permits: Vec<OwnedSemaphorePermit>) -> Self {
        let (jobs, queue) = mpsc::channel::<(usize, Job<'s>)>();
        let queue = Arc::new(Mutex::new(queue));
        let (done_tx, done) = mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let helpers = permits.len();
        for permit in permits {
            let queue = Arc::clone(&queue);
            let queued = Arc::clone(&queued);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let _permit = permit;
                loop {
                    let next = queue.lock().recv();
                    let Ok((slot, job)) = next else { break };
                    queued.fetch_sub(1, Ordering::SeqCst);
                    if done_tx.send((slot, job())).is_err() {
                        break;
                    }
                }
            });
        }
        Self {
            jobs: Some(jobs),
            queue,
            queued,
            done_tx: Some(done_tx),
            done,
            helpers,
            next_slot: 0,
        }
    }

    /// Runs `job` (here or on a helper) and returns the slot its result will be in.
    fn submit(&mut self, job: Job<'s>) -> usize {
        let slot = self.next_slot;
        self.next_slot += 1;
        let job = match &self.jobs {
            Some(jobs) if self.helpers > 0 && self.queued.load(Ordering::SeqCst) == 0 => {
                self.queued.fetch_add(1, Ordering::SeqCst);
                match jobs.send((slot, job)) {
                    Ok(()) => return slot,
                    Err(mpsc::SendError((_, job))) => {
                        self.queued.fetch_sub(1, Ordering::SeqCst);
                        job
                    }
                }
            }
            _ => job,
        };
        let result = job();
        if let Some(done) = &self.done_tx {
            // The receiver lives as long as `self`.
            let _ = done.send((slot, result));
        }
        slot
    }

    /// Waits for every job, helping with those still queued, and returns the parts by slot.
    fn finish(mut self) -> Result<Vec<Option<lopdf::Document>>> {
        self.jobs = None;
        loop {
            let next = self.queue.lock().recv();
            let Ok((slot, job)) = next else { break };
            self.queued.fetch_sub(1, Ordering::SeqCst);
            let result = job();
            if let Some(done) = &self.done_tx {
                let _ = done.send((slot, result));
            }
        }
        self.done_tx = None;
        let mut parts: Vec<Option<lopdf::Document>> = Vec::new();
        let mut first_error = None;
        for (slot, result) in self.done.iter() {
            match result {
                Ok(part) => {
                    if parts.len() <= slot {
                        parts.resize_with(slot + 1, || None);
                    }
                    parts[slot] = Some(part);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(parts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job's result, told apart by its version string.
    fn part(version: &str) -> Result<lopdf::Document> {
        Ok(lopdf::Document::with_version(version))
    }

    #[test]
    fn the_pool_returns_every_part_by_slot_with_or_without_helpers() {
        for helpers in [0, 1] {
            let results = thread::scope(|scope| {
                let permits = Arc::new(tokio::sync::Semaphore::new(helpers));
                let permits = (0..helpers)
                    .map(|_| Arc::clone(&permits).try_acquire_owned().unwrap())
                    .collect();
                let mut pool = Pool::start(scope, permits);
                for n in 0..3 {
                    assert_eq!(pool.submit(Box::new(move || part(&format!("1.{n}")))), n);
                }
                pool.finish()
            })
            .unwrap();
            let versions: Vec<Option<String>> = results
                .iter()
                .map(|p| p.as_ref().map(|d| d.version.clone()))
                .collect();
            assert_eq!(
                versions,
                [Some("1.0"), Some("1.1"), Some("1.2")].map(|v| v.map(str::to_owned)),
                "{helpers} helpers"
            );
        }
    }

    #[test]
    fn a_failed_part_fails_the_render() {
        let result = thread::scope(|scope| {
            let mut pool = Pool::start(scope, Vec::new());
            pool.submit(Box::new(|| part("1.7")));
            pool.submit(Box::new(|| {
                Err(ExportError::Compile("part 1 broke".into()))
            }));
            pool.finish()
        });
        assert!(
            matches!(result, Err(ExportError::Compile(m)) if m == "part 1 broke"),
            "a part's error is the render's"
        );
    }
}
