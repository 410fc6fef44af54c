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
//! 2. **Front matter** (report template): cover, contents and overview, compiled once the
//!    body's page numbers are known. Its contents are laid out like typst's `outline` with
//!    those numbers, and its links to issues use a private URI the merge resolves.
//! 3. **Header and footer pass**: the running header and "Page n / total" on otherwise empty
//!    pages, drawn onto every merged page except the cover.
//!
//! Each finished part goes through `typst_pdf` and `lopdf` while the next one is laid out, on
//! helper threads: at most one per other core, and only as many as the global render bound
//! (`RENDER_SLOTS`) has permits to spare right now (the render itself holds one). Memoized
//! layouts are evicted between parts, so a part's frames do not outlive it by more than one
//! part. The parts' PDFs are untagged (their structure trees could not be merged), and each
//! embeds its own font subsets.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use parking_lot::Mutex;
use serde_json::json;
use tokio::sync::OwnedSemaphorePermit;
use typst::foundations::Label;
use typst::introspection::{Introspector, PagedPosition};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use super::assemble::{IssueTarget, Merger};
use super::data::ReportData;
use super::fonts::Fonts;
use super::world::{self, MainTemplate};
use super::{ExportError, RENDER_SLOTS, RenderedPdf, ReportInput, Result, Template};

/// Issues per body part. Measured on the 1,000-issue report of BENCHMARKS.md ("PDF export"):
/// see there for the figures this was picked from.
pub(crate) const CHUNK_ISSUES: usize = 100;

/// Pages per header and footer pass.
const FURNITURE_PAGES: usize = 400;

/// Label of the marker after a body part's last issue (report.typ).
const PART_END: &str = "jira-gateway-part-end";

/// A laid-out body part, once its document has gone to the PDF export.
struct BodyPart {
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
    template: Template,
    data: &ReportData,
    chunk: usize,
) -> Result<RenderedPdf> {
    let report = template == Template::Report;
    let main = || match template {
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
            let part = json!({"kind": "body", "first": start, "resume": resume});
            let payload = data.part_payload(range.clone(), &part)?;
            let document = world::compile(fonts, main(), payload)?;
            let marks = issue_marks(&document, range)?;
            let pages = document.pages().len();
            let continues = resume.is_some();
            resume = None;
            if report {
                let end = position(&document, PART_END)?;
                if end.page.get() != pages {
                    return Err(ExportError::Compile(format!(
                        "part ends on page {} of {pages}",
                        end.page
                    )));
                }
                resume = Some(end.point.y.to_pt());
            }
            bodies.push(BodyPart {
                pages,
                continues,
                marks,
            });
            pool.submit(1 + bodies.len(), Box::new(move || export(&document)));
            // This part's memoized layout is of no use to the next one.
            typst::comemo::evict(1);
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
        let front_pages = if report {
            let pages: Vec<usize> = issue_pages.iter().map(|(page, _)| page + 1).collect();
            let part = json!({"kind": "front", "pages": pages});
            let document = world::compile(fonts, MainTemplate::Report, data.front_payload(&part)?)?;
            let front_pages = document.pages().len();
            pool.submit(0, Box::new(move || export(&document)));
            typst::comemo::evict(1);
            front_pages
        } else {
            0
        };

        // Headers and footers, now that the page count is known.
        let total = front_pages + body_pages;
        let furniture_slot = 2 + bodies.len();
        let mut furniture = Vec::new();
        for (n, first) in (1..=total).step_by(FURNITURE_PAGES).enumerate() {
            let last = (first + FURNITURE_PAGES - 1).min(total);
            let part = json!({
                "kind": "furniture", "first": first, "last": last, "total": total, "bare-first": report,
            });
            let payload = data.part_payload(0..0, &part)?;
            furniture.push(first);
            pool.submit(
                furniture_slot + n,
                Box::new(move || export(&world::compile(fonts, MainTemplate::Furniture, payload)?)),
            );
        }

        let mut parts = pool.finish()?;
        let mut take = |slot: usize| {
            parts
                .get_mut(slot)
                .and_then(Option::take)
                .ok_or_else(|| ExportError::Compile(format!("part {slot} is missing")))
        };
        let mut merger = Merger::new();
        if report {
            merger.add_pages(take(0)?, false)?;
        }
        for (k, part) in bodies.iter().enumerate() {
            merger.add_pages(take(2 + k)?, part.continues)?;
        }
        if merger.page_count() != total {
            return Err(ExportError::Compile(format!(
                "merged {} pages, expected {total}",
                merger.page_count()
            )));
        }
        for (n, first) in furniture.iter().enumerate() {
            merger.add_overlays(take(furniture_slot + n)?, first - 1, report && *first == 1)?;
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
        }
    }

    fn submit(&mut self, slot: usize, job: Job<'s>) {
        let job = match &self.jobs {
            Some(jobs) if self.helpers > 0 && self.queued.load(Ordering::SeqCst) == 0 => {
                self.queued.fetch_add(1, Ordering::SeqCst);
                match jobs.send((slot, job)) {
                    Ok(()) => return,
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
                for slot in [3, 0, 5] {
                    pool.submit(slot, Box::new(move || part(&format!("1.{slot}"))));
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
                [Some("1.0"), None, None, Some("1.3"), None, Some("1.5")]
                    .map(|v| v.map(str::to_owned)),
                "{helpers} helpers"
            );
        }
    }

    #[test]
    fn a_failed_part_fails_the_render() {
        let result = thread::scope(|scope| {
            let mut pool = Pool::start(scope, Vec::new());
            pool.submit(0, Box::new(|| part("1.7")));
            pool.submit(
                1,
                Box::new(|| Err(ExportError::Compile("part 1 broke".into()))),
            );
            pool.finish()
        });
        assert!(
            matches!(result, Err(ExportError::Compile(m)) if m == "part 1 broke"),
            "a part's error is the render's"
        );
    }
}
