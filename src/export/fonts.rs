//! The fonts every export can use, loaded once per process.
//!
//! Embedded (so the binary is self-contained): typst-assets' Libertinus Serif (Latin, Greek,
//! Cyrillic), New Computer Modern, DejaVu Sans Mono, plus Noto Sans Thai Regular and Bold
//! (OFL, `assets/fonts/`). Scripts those fonts lack (CJK, Arabic, Hebrew, Devanagari, emoji, …)
//! render as empty boxes unless a font directory is configured with [`init_fonts`]: on Debian,
//! `apt-get install fonts-noto-cjk` (≈90 MB, too large to embed) and point
//! [`FontOptions::extra_dir`] at `/usr/share/fonts/opentype/noto`, or at
//! `/usr/share/fonts` for everything installed. typst picks a covering font from the whole
//! set for any character the preferred fonts lack.

use std::path::PathBuf;
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst_kit::fonts::FontStore;

use super::ExportError;

const NOTO_SANS_THAI_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSansThai-Regular.ttf");
const NOTO_SANS_THAI_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSansThai-Bold.ttf");

/// Where fonts beyond the embedded set come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FontOptions {
    /// A directory scanned recursively (typst-kit, fontdb) once at startup, for scripts the
    /// embedded fonts do not cover. Its fonts come after the embedded ones, so they only fill
    /// gaps: e.g. `/usr/share/fonts/opentype/noto` after `apt-get install fonts-noto-cjk` makes
    /// Japanese, Chinese and Korean render.
    pub extra_dir: Option<PathBuf>,
}

/// The loaded font set: metadata for typst's font selection and lazily parsed faces.
pub(crate) struct Fonts {
    store: FontStore,
    count: usize,
}

impl Fonts {
    pub(crate) fn load(options: &FontOptions) -> Self {
        let started = std::time::Instant::now();
        let mut store = FontStore::new();
        for data in typst_assets::fonts() {
            push_embedded(&mut store, Bytes::new(data));
        }
        push_embedded(&mut store, Bytes::new(NOTO_SANS_THAI_REGULAR));
        push_embedded(&mut store, Bytes::new(NOTO_SANS_THAI_BOLD));
        let embedded = count_faces(&store);
        if let Some(dir) = &options.extra_dir {
            store.extend(typst_kit::fonts::scan(dir));
        }
        let count = count_faces(&store);
        tracing::info!(
            fonts.embedded = embedded,
            fonts.scanned = count - embedded,
            duration_ms = started.elapsed().as_millis() as u64,
            "export fonts loaded"
        );
        Self { store, count }
    }

    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    /// Whether a font family is available (case-insensitive, as typst matches families).
    pub(crate) fn has_family(&self, family: &str) -> bool {
        self.store.book().contains_family(&family.to_lowercase())
    }

    /// Whether any font has a glyph for `c` (used to fall back from emoji to `:shortname:`).
    pub(crate) fn covers(&self, c: char) -> bool {
        let book = self.store.book();
        (0..self.count).any(|i| {
            book.info(i)
                .is_some_and(|info| info.coverage.contains(c as u32))
        })
    }
}

fn count_faces(store: &FontStore) -> usize {
    (0..)
        .take_while(|&i| store.book().info(i).is_some())
        .count()
}

fn push_embedded(store: &mut FontStore, data: Bytes) {
    for font in Font::iter(data) {
        let info = font.info().clone();
        store.push((font, info));
    }
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

/// Loads the fonts with `options`; call once at startup, before the first render.
///
/// Returns how many font faces are available. Without this call the first render loads the
/// embedded fonts only. Fails with [`ExportError::InvalidOption`] if `extra_dir` is not a
/// directory or the fonts were already loaded.
pub fn init_fonts(options: &FontOptions) -> Result<usize, ExportError> {
    if let Some(dir) = &options.extra_dir
        && !dir.is_dir()
    {
        return Err(ExportError::InvalidOption(format!(
            "font directory {} is not a directory",
            dir.display()
        )));
    }
    let mut fresh = false;
    let fonts = FONTS.get_or_init(|| {
        fresh = true;
        Fonts::load(options)
    });
    if !fresh {
        return Err(ExportError::InvalidOption(
            "export fonts are already loaded; call init_fonts once, before the first render".into(),
        ));
    }
    Ok(fonts.count)
}

/// The process-wide font set, loading the embedded fonts on first use.
pub(crate) fn fonts() -> &'static Fonts {
    FONTS.get_or_init(|| Fonts::load(&FontOptions::default()))
}
