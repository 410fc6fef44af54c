//! PDF rendering of issue reports through typst. The renderer knows nothing about Jira's wire
//! types, jobs or HTTP: it takes [`ReportInput`] and [`RenderOptions`] and returns PDF bytes.
//! [`fetch`] is the one part that talks to Jira: it builds a `ReportInput` from a query.
//!
//! How it stays safe with untrusted text: issue data never becomes typst markup. It is
//! serialised to `/data.json`, which the templates load with `json(..)` and place as string
//! values, and string values render literally (`#read("/etc/passwd")` in a summary is just
//! text). Colours, URLs, code languages and image paths are validated or generated in Rust
//! before a template sees them, and the typst World serves an allow-list of virtual files
//! only. See `world.rs`.
//!
//! Fonts are embedded (see [`init_fonts`] for CJK and other scripts). Templates live in
//! `templates/` and are compiled into the binary.
//!
//! A built-in template over more than 100 issues is rendered in parts merged into one PDF, so
//! that typst never holds the layout of the whole document (`chunked.rs`, `assemble.rs`): the
//! result looks the same page for page, but is untagged.

mod adf;
mod assemble;
mod chunked;
mod data;
#[doc(hidden)]
pub mod extract;
pub mod fetch;
mod fonts;
pub mod jobs;
mod locale;
mod model;
mod sanitize;
mod world;

#[cfg(test)]
mod tests;

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use tokio::sync::Semaphore;

pub use fetch::{ExportQuery, FetchError, fetch_report};
pub use fonts::{FontOptions, init_fonts};
pub use model::{
    ExportAttachment, ExportChange, ExportComment, ExportField, ExportIssue, ExportParent, Paper,
    RenderOptions, RenderedPdf, ReportInput, Sections, Template,
};

/// The built-in components a custom template can `#import "/lib.typ": *`.
pub const LIB_TEMPLATE: &str = include_str!("templates/lib.typ");

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A custom template did not compile; `line` and `column` are 1-based positions in it.
    #[error("template error at {line}:{column}: {message}")]
    Template {
        message: String,
        line: usize,
        column: usize,
    },
    /// The built-in templates failed on this data, or PDF export failed (a bug: log it).
    #[error("PDF rendering failed: {0}")]
    Compile(String),
    /// A render option was rejected before rendering (colour, locale, logo, …).
    #[error("invalid export option: {0}")]
    InvalidOption(String),
}

/// Longest an export (CLI or job) waits out Jira's or the site budget's rate limits before it
/// fails, unless `JIRA_MAX_WAIT_MS` allows longer: an export is not interactive.
pub const EXPORT_MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Result alias for the export module.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// Checks the accent colour and locale the way a render would, without rendering, so a caller
/// can refuse them before fetching anything. The logo and a custom template are checked by
/// the render itself.
pub fn validate_options(options: &RenderOptions) -> Result<()> {
    if sanitize::hex_color(&options.accent_color).is_none() {
        return Err(ExportError::InvalidOption(format!(
            "accent colour {:?} is not a #rrggbb or #rgb colour",
            options.accent_color
        )));
    }
    if locale::Locale::parse(&options.locale).is_none() {
        return Err(ExportError::InvalidOption(format!(
            "locale {:?} is not a language tag such as en, ru or th",
            options.locale
        )));
    }
    Ok(())
}

/// Renders `input` to a PDF. Synchronous and CPU-heavy (tens of milliseconds for one issue,
/// seconds for hundreds): async callers use [`render_pdf_blocking`], or run it through
/// `spawn_blocking` themselves.
#[tracing::instrument(skip_all, fields(export.issues = input.issues.len(), export.template = ?options.template))]
pub fn render_pdf(input: &ReportInput, options: &RenderOptions) -> Result<RenderedPdf> {
    render_with_fonts(fonts::fonts(), input, options)
}

/// [`render_pdf`] with the chunk size as a parameter (0: never in parts), for tests and
/// `examples/report_bench.rs`. Not a stable API.
#[doc(hidden)]
pub fn render_pdf_chunked(
    input: &ReportInput,
    options: &RenderOptions,
    chunk: usize,
) -> Result<RenderedPdf> {
    render_with(fonts::fonts(), input, options, chunk)
}

fn render_with_fonts(
    fonts: &fonts::Fonts,
    input: &ReportInput,
    options: &RenderOptions,
) -> Result<RenderedPdf> {
    render_with(fonts, input, options, chunked::CHUNK_ISSUES)
}

/// Renders in one typst compile, or, for a built-in template with more than `chunk` issues,
/// in parts merged into one PDF (see `chunked.rs`).
pub(crate) fn render_with(
    fonts: &fonts::Fonts,
    input: &ReportInput,
    options: &RenderOptions,
    chunk: usize,
) -> Result<RenderedPdf> {
    let started = Instant::now();
    let data = data::build_data(input, options, fonts)?;
    if options.custom_template.is_none() && chunk > 0 && input.issues.len() > chunk {
        let rendered = chunked::render(fonts, input, options, &data, chunk)?;
        // Keep only recent memoized entries (see below).
        typst::comemo::evict(1);
        tracing::debug!(
            export.pages = rendered.pages,
            export.bytes = rendered.bytes.len(),
            export.chunk = chunk,
            duration_ms = started.elapsed().as_millis() as u64,
            "export rendered in parts"
        );
        return Ok(rendered);
    }
    let payload = data.payload()?;
    let template = match (&options.custom_template, options.template) {
        (Some(source), _) => world::MainTemplate::Custom(source.clone()),
        (None, Template::Issue) => world::MainTemplate::Issue,
        (None, Template::Report) => world::MainTemplate::Report,
    };
    let document = world::compile(fonts, template, payload);
    let compiled = started.elapsed();
    let document = document?;
    let bytes = export_pdf(&document, true)?;
    // typst memoizes across renders; keep only recent entries so a long-running server does
    // not accumulate every report it ever rendered.
    typst::comemo::evict(10);
    let pages = document.pages().len();
    tracing::debug!(
        export.pages = pages,
        export.bytes = bytes.len(),
        compile_ms = compiled.as_millis() as u64,
        duration_ms = started.elapsed().as_millis() as u64,
        "export rendered"
    );
    Ok(RenderedPdf { bytes, pages })
}

/// A laid-out document to PDF bytes. `tagged`: with a structure tree (off for the parts of a
/// merged report, whose trees could not be joined).
fn export_pdf(document: &typst_layout::PagedDocument, tagged: bool) -> Result<Vec<u8>> {
    let pdf_options = typst_pdf::PdfOptions {
        creator: typst::foundations::Smart::Custom(Some("jira-gateway (typst)".into())),
        tagged,
        ..Default::default()
    };
    typst_pdf::pdf(document, &pdf_options).map_err(|errors| {
        let message = errors
            .first()
            .map_or_else(|| "unknown error".to_owned(), |e| e.message.to_string());
        ExportError::Compile(format!("PDF export: {message}"))
    })
}

/// Bounds concurrent renders to the number of cores: each render keeps one core busy, and
/// more at once would only add memory and latency.
static RENDER_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Arc::new(Semaphore::new(cores))
});

/// [`render_pdf`] on the blocking pool, at most one render per core at a time, inside the
/// caller's tracing span.
pub async fn render_pdf_blocking(
    input: ReportInput,
    options: RenderOptions,
) -> Result<RenderedPdf> {
    let permit = Arc::clone(&RENDER_SLOTS)
        .acquire_owned()
        .await
        .map_err(|_| ExportError::Compile("render pool closed".into()))?;
    let span = tracing::Span::current();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _entered = span.enter();
        render_pdf(&input, &options)
    });
    task.await
        .map_err(|e| ExportError::Compile(format!("render task failed: {e}")))?
}
