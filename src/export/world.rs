//! The typst World for one render, and the compile step. The one place that drives typst.
//!
//! The World is an allow-list: the main template (`/main.typ`), the shared components
//! (`/lib.typ`), the report data (`/data.json`) and the embedded images. Every other path —
//! `/etc/passwd`, `../secret`, packages — is `NotFound`: a template, built-in or custom, can
//! never read the host's files or fetch anything.

use std::sync::LazyLock;

use chrono::Datelike;

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{DiagSpan, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use super::data::Payload;
use super::fonts::Fonts;
use super::{ExportError, LIB_TEMPLATE};

const ISSUE_TYP: &str = include_str!("templates/issue.typ");
const REPORT_TYP: &str = include_str!("templates/report.typ");
const FURNITURE_TYP: &str = include_str!("templates/furniture.typ");

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("built-in virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

static MAIN_ID: LazyLock<FileId> = LazyLock::new(|| file_id("/main.typ"));
static LIB_ID: LazyLock<FileId> = LazyLock::new(|| file_id("/lib.typ"));
static DATA_ID: LazyLock<FileId> = LazyLock::new(|| file_id("/data.json"));

/// Parsed once: the built-in sources never change, and reusing them lets typst reuse its
/// memoized evaluation across renders.
static LIB_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(*LIB_ID, LIB_TEMPLATE.to_owned()));
static ISSUE_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(*MAIN_ID, ISSUE_TYP.to_owned()));
static REPORT_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(*MAIN_ID, REPORT_TYP.to_owned()));
static FURNITURE_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(*MAIN_ID, FURNITURE_TYP.to_owned()));

/// Which template is `/main.typ`.
pub(crate) enum MainTemplate {
    Issue,
    Report,
    /// The running header and footer of a merged report's pages (see `chunked.rs`).
    Furniture,
    /// User-supplied source; its errors are reported as [`ExportError::Template`].
    Custom(String),
}

struct ExportWorld<'a> {
    fonts: &'a Fonts,
    main: Source,
    data: Bytes,
    files: Vec<(FileId, Bytes)>,
}

impl World for ExportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        *MAIN_ID
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == *MAIN_ID {
            Ok(self.main.clone())
        } else if id == *LIB_ID {
            Ok(LIB_SOURCE.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *DATA_ID {
            return Ok(self.data.clone());
        }
        if id == *MAIN_ID || id == *LIB_ID {
            return Ok(Bytes::from_string(self.source(id)?));
        }
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        let shift = offset.map_or(0, |o| o.seconds() as i64);
        let now = chrono::Utc::now() + chrono::TimeDelta::try_seconds(shift).unwrap_or_default();
        Datetime::from_ymd(
            now.year(),
            u8::try_from(now.month()).ok()?,
            u8::try_from(now.day()).ok()?,
        )
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

/// Compiles `template` over `payload` into a laid-out document.
pub(crate) fn compile(
    fonts: &Fonts,
    template: MainTemplate,
    payload: Payload,
) -> Result<PagedDocument, ExportError> {
    let (main, custom) = match template {
        MainTemplate::Issue => (ISSUE_SOURCE.clone(), false),
        MainTemplate::Report => (REPORT_SOURCE.clone(), false),
        MainTemplate::Furniture => (FURNITURE_SOURCE.clone(), false),
        MainTemplate::Custom(text) => (Source::new(*MAIN_ID, text), true),
    };
    let files = payload
        .files
        .into_iter()
        .map(|(path, bytes)| (file_id(&path), bytes))
        .collect();
    let world = ExportWorld {
        fonts,
        main,
        data: payload.json,
        files,
    };
    let warned = typst::compile::<PagedDocument>(&world);
    for warning in &warned.warnings {
        tracing::debug!(export.warning = %warning.message, "typst warning");
    }
    warned
        .output
        .map_err(|errors| to_export_error(&world, &errors, custom))
}

/// Turns typst diagnostics into an [`ExportError`]: a custom template's errors carry the
/// 1-based line and column in the template (falling back to the template call that led to
/// an error inside `/lib.typ`).
fn to_export_error(
    world: &ExportWorld<'_>,
    errors: &[SourceDiagnostic],
    custom: bool,
) -> ExportError {
    let Some(first) = errors
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or(errors.first())
    else {
        return ExportError::Compile("typst failed without a diagnostic".into());
    };
    let mut message = first.message.to_string();
    // typst's CLI hints (`--root`, `--font-path`) mean nothing to a template author here.
    for hint in first.hints.iter().filter(|h| !h.v.contains("`--")) {
        message.push_str("; hint: ");
        message.push_str(&hint.v);
    }
    if custom {
        let spans = std::iter::once(first.span).chain(first.trace.iter().map(|t| t.span.into()));
        for span in spans {
            if span.id() == Some(*MAIN_ID)
                && let Some(range) = world.range(span)
                && let Some((line, column)) = world.main.lines().byte_to_line_column(range.start)
            {
                return ExportError::Template {
                    message,
                    line: line + 1,
                    column: column + 1,
                };
            }
        }
        return ExportError::Template {
            message,
            line: 1,
            column: 1,
        };
    }
    let location = locate(world, first.span);
    ExportError::Compile(match location {
        Some(loc) => format!("{loc}: {message}"),
        None => message,
    })
}

/// `lib.typ:12:3` for an error in a built-in template (a bug on our side).
fn locate(world: &ExportWorld<'_>, span: DiagSpan) -> Option<String> {
    let id = span.id()?;
    let source = world.source(id).ok()?;
    let range = world.range(span)?;
    let (line, column) = source.lines().byte_to_line_column(range.start)?;
    Some(format!(
        "{}:{}:{}",
        id.vpath().get_without_slash(),
        line + 1,
        column + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(fonts: &Fonts) -> ExportWorld<'_> {
        ExportWorld {
            fonts,
            main: ISSUE_SOURCE.clone(),
            data: Bytes::new(b"{}".to_vec()),
            files: vec![(file_id("/media/0.png"), Bytes::new(vec![1, 2, 3]))],
        }
    }

    #[test]
    fn world_serves_only_the_allow_list() {
        let fonts = super::super::fonts::fonts();
        let world = world(fonts);
        assert!(world.source(*MAIN_ID).is_ok());
        assert!(world.source(*LIB_ID).is_ok());
        assert!(world.file(*DATA_ID).is_ok());
        assert!(world.file(file_id("/media/0.png")).is_ok());
        for path in [
            "/etc/passwd",
            "/media/1.png",
            "/proc/self/environ",
            "/data.json.bak",
            "/lib.typ/../etc/passwd",
        ] {
            let id = file_id(path);
            assert!(
                matches!(world.file(id), Err(FileError::NotFound(_))),
                "{path} was served"
            );
            assert!(
                matches!(world.source(id), Err(FileError::NotFound(_))),
                "{path} was served"
            );
        }
        assert!(world.source(*DATA_ID).is_err(), "data is not a source file");
    }
}
