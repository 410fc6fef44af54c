//! Reads the text back out of a rendered PDF, page by page, the way a viewer copies it. For the
//! tests (unit and API), which must check real text on a machine without poppler's `pdftotext`;
//! not a stable API.
//!
//! It reads what typst's PDF writer (krilla) produces, which lopdf's own `extract_text` cannot
//! (its ToUnicode parser rejects krilla's CMaps, so it returns nothing): Type0 fonts with 2-byte
//! `Identity-H` codes (and simple 1-byte fonts), each code mapped to text through the font's
//! ToUnicode CMap (`bfchar` and `bfrange`), and `/ActualText` spans, whose text replaces the
//! glyphs they enclose (krilla writes one where a glyph's text differs from its ToUnicode entry).
//! Text comes out in content order, with a space where the glyphs leave a gap and a line break
//! where they change line, so words stay whole and neighbours stay apart. Text inside form
//! XObjects is not read: typst puts none there.
//!
//! Like pdftotext, it keeps what ToUnicode says: krilla maps every glyph of a multi-glyph Thai
//! cluster to the whole cluster, so outside an `/ActualText` span "ใช้" reads "ใช้ช้" (the tests
//! undo that with [`undo_cluster_doubling`]).

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// The text of every page, in page order. Fails only if lopdf cannot read the PDF or a page's
/// content stream; a font it cannot use leaves its text out, and a Type0 font's code without a
/// ToUnicode entry reads as U+FFFD.
pub fn page_texts(pdf: &[u8]) -> Result<Vec<String>, lopdf::Error> {
    let doc = Document::load_mem(pdf)?;
    let mut fonts = FontCache::default();
    doc.get_pages()
        .values()
        .map(|&page| page_text(&doc, page, &mut fonts))
        .collect()
}

// ---------------------------------------------------------------- one page

/// A 2D affine matrix `[a b c d e f]` as in PDF (row vectors: `p' = p × M`).
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self × other`: `self` applied first.
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }
}

/// The parts of the graphics state that place text (saved by `q`, restored by `Q`).
#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<ObjectId>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

/// A piece of text placed on the page: where its baseline starts and ends, and how big it is.
struct Piece {
    text: String,
    start: (f64, f64),
    end: (f64, f64),
    size: f64,
}

/// A marked-content sequence (`BDC`/`BMC` … `EMC`): its `/ActualText`, if it has one, and
/// whether that text has been written out yet.
struct Marked {
    actual: Option<String>,
    written: bool,
}

fn page_text(
    doc: &Document,
    page: ObjectId,
    fonts: &mut FontCache,
) -> Result<String, lopdf::Error> {
    let (inline, inherited) = doc.get_page_resources(page)?;
    let mut resources: Vec<&Dictionary> = inline.into_iter().collect();
    resources.extend(
        inherited
            .iter()
            .filter_map(|&id| doc.get_dictionary(id).ok()),
    );
    let content = Content::decode(&doc.get_page_content(page)?)?;
    let mut reader = PageReader {
        doc,
        resources,
        state: State {
            ctm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        },
        saved: Vec::new(),
        tm: Matrix::IDENTITY,
        line: Matrix::IDENTITY,
        marked: Vec::new(),
        pieces: Vec::new(),
    };
    for op in &content.operations {
        reader.operation(op, fonts);
    }
    Ok(join(&reader.pieces))
}

/// One page's content stream, read operator by operator.
struct PageReader<'a> {
    doc: &'a Document,
    resources: Vec<&'a Dictionary>,
    state: State,
    saved: Vec<State>,
    /// The text matrix, and the text line matrix (the start of the current line).
    tm: Matrix,
    line: Matrix,
    marked: Vec<Marked>,
    pieces: Vec<Piece>,
}

impl PageReader<'_> {
    fn operation(&mut self, op: &lopdf::content::Operation, fonts: &mut FontCache) {
        let nums: Vec<f64> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok().map(f64::from))
            .collect();
        let num = |i: usize| nums.get(i).copied().unwrap_or(0.0);
        let matrix = || Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
        let state = &mut self.state;
        match op.operator.as_str() {
            "q" => self.saved.push(state.clone()),
            "Q" => {
                if let Some(saved) = self.saved.pop() {
                    *state = saved;
                }
            }
            "cm" if nums.len() == 6 => state.ctm = matrix().then(state.ctm),
            "BT" => {
                self.tm = Matrix::IDENTITY;
                self.line = Matrix::IDENTITY;
            }
            "Tf" => {
                state.font = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| resource(self.doc, &self.resources, b"Font", name));
                state.size = num(0);
            }
            "Tc" => state.char_spacing = num(0),
            "Tw" => state.word_spacing = num(0),
            "Tz" => state.scale = num(0) / 100.0,
            "TL" => state.leading = num(0),
            "Ts" => state.rise = num(0),
            "Td" => self.move_line(num(0), num(1)),
            "TD" => {
                state.leading = -num(1);
                self.move_line(num(0), num(1));
            }
            "Tm" if nums.len() == 6 => {
                self.line = matrix();
                self.tm = self.line;
            }
            "T*" => self.next_line(),
            "Tj" | "TJ" => self.show(op, fonts),
            "'" => {
                self.next_line();
                self.show(op, fonts);
            }
            "\"" => {
                state.word_spacing = num(0);
                state.char_spacing = num(1);
                self.next_line();
                self.show(op, fonts);
            }
            "BMC" => self.marked.push(Marked {
                actual: None,
                written: false,
            }),
            "BDC" => {
                let props = match op.operands.get(1) {
                    Some(Object::Dictionary(dict)) => Some(dict),
                    Some(Object::Name(name)) => {
                        resource(self.doc, &self.resources, b"Properties", name)
                            .and_then(|id| self.doc.get_dictionary(id).ok())
                    }
                    _ => None,
                };
                let actual = props
                    .and_then(|p| p.get(b"ActualText").ok())
                    .and_then(|t| lopdf::decode_text_string(t).ok());
                self.marked.push(Marked {
                    actual,
                    written: false,
                });
            }
            "EMC" => {
                if let Some(Marked {
                    actual: Some(text),
                    written: false,
                }) = self.marked.pop()
                    && !self.marked.iter().any(|m| m.actual.is_some())
                {
                    // Nothing shown inside: the text goes where the last piece ended.
                    let (at, size) = self
                        .pieces
                        .last()
                        .map_or(((0.0, 0.0), 0.0), |p| (p.end, p.size));
                    self.pieces.push(Piece {
                        text,
                        start: at,
                        end: at,
                        size,
                    });
                }
            }
            _ => {}
        }
    }

    /// `Td`: the next line starts at an offset from the current line's start.
    fn move_line(&mut self, x: f64, y: f64) {
        self.line = Matrix::translate(x, y).then(self.line);
        self.tm = self.line;
    }

    /// `T*`: the next line, `TL` below the current one.
    fn next_line(&mut self) {
        self.move_line(0.0, -self.state.leading);
    }

    /// `Tj`, `TJ`, `'` and `"`: places each glyph of the strings (the last operand), moving
    /// the text matrix by its advance and by `TJ`'s adjustments.
    fn show(&mut self, op: &lopdf::content::Operation, fonts: &mut FontCache) {
        let state = &self.state;
        let Some(font) = state.font.and_then(|id| fonts.get(self.doc, id)) else {
            return;
        };
        let items: &[Object] = match op.operands.last() {
            Some(Object::Array(items)) => items,
            Some(other) => std::slice::from_ref(other),
            None => &[],
        };
        for item in items {
            let Object::String(bytes, _) = item else {
                if let Ok(n) = item.as_float() {
                    let shift = -f64::from(n) / 1000.0 * state.size * state.scale;
                    self.tm = Matrix::translate(shift, 0.0).then(self.tm);
                }
                continue;
            };
            for code in font.codes(bytes) {
                let size = Matrix([state.size * state.scale, 0.0, 0.0, state.size, 0.0, 0.0]);
                let rise = Matrix::translate(0.0, state.rise);
                let trm = size.then(rise).then(self.tm).then(state.ctm);
                let mut advance = font.width(code) * state.size + state.char_spacing;
                if code == 32 && font.code_len == 1 {
                    advance += state.word_spacing;
                }
                self.tm = Matrix::translate(advance * state.scale, 0.0).then(self.tm);
                let [a, b, c, d, ..] = trm.0;
                let glyph = Piece {
                    text: font.text(code),
                    start: trm.apply(0.0, 0.0),
                    end: rise.then(self.tm).then(state.ctm).apply(0.0, 0.0),
                    size: (a * d - b * c).abs().sqrt(),
                };
                place(&mut self.pieces, &mut self.marked, glyph);
            }
        }
    }
}

/// Adds a glyph, or, inside an `/ActualText` span, the span's text in place of its first glyph
/// (the later ones only move the end of that text along).
fn place(pieces: &mut Vec<Piece>, marked: &mut [Marked], glyph: Piece) {
    let Some(span) = marked.iter_mut().find(|m| m.actual.is_some()) else {
        pieces.push(glyph);
        return;
    };
    if span.written {
        if let Some(last) = pieces.last_mut() {
            last.end = glyph.end;
        }
    } else {
        span.written = true;
        pieces.push(Piece {
            text: span.actual.clone().unwrap_or_default(),
            ..glyph
        });
    }
}

/// The pieces as text: a line break where the next piece starts on another line, a space
/// where it starts after a gap (or back to the left) on the same line.
fn join(pieces: &[Piece]) -> String {
    let mut text = String::new();
    let mut prev: Option<&Piece> = None;
    for piece in pieces {
        if let Some(p) = prev {
            let (dx, dy) = (p.end.0 - p.start.0, p.end.1 - p.start.1);
            let len = dx.hypot(dy);
            // The direction of writing; a zero-width piece is taken as left to right.
            let (ux, uy) = if len > 1e-6 {
                (dx / len, dy / len)
            } else {
                (1.0, 0.0)
            };
            let across = (piece.start.0 - p.start.0) * -uy + (piece.start.1 - p.start.1) * ux;
            let along = (piece.start.0 - p.end.0) * ux + (piece.start.1 - p.end.1) * uy;
            let size = p.size.max(piece.size);
            if across.abs() > size * 0.5 {
                text.push('\n');
            } else if along > size * 0.15 || along < -size {
                text.push(' ');
            }
        }
        text.push_str(&piece.text);
        prev = Some(piece);
    }
    text
}

/// The object a page resource name refers to (`/f0` in the `Font` resources).
fn resource(
    doc: &Document,
    resources: &[&Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<ObjectId> {
    resources.iter().find_map(|dict| {
        let (_, category) = doc.dereference(dict.get(category).ok()?).ok()?;
        category.as_dict().ok()?.get(name).ok()?.as_reference().ok()
    })
}

// ---------------------------------------------------------------- fonts

#[derive(Default)]
struct FontCache(HashMap<ObjectId, Option<Font>>);

impl FontCache {
    fn get(&mut self, doc: &Document, id: ObjectId) -> Option<&Font> {
        self.0
            .entry(id)
            .or_insert_with(|| Font::load(doc, doc.get_dictionary(id).ok()?))
            .as_ref()
    }
}

/// What text extraction needs of a font: how its codes are read, map to text, and advance.
struct Font {
    /// Bytes per code: 2 for a Type0 font (typst always writes `Identity-H`), else 1.
    code_len: usize,
    to_unicode: HashMap<u32, String>,
    /// Advance widths in text space units (glyph units already scaled, usually by 1/1000).
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl Font {
    fn load(doc: &Document, dict: &Dictionary) -> Option<Font> {
        let get = |dict: &Dictionary, key: &[u8]| -> Option<Object> {
            doc.dereference(dict.get(key).ok()?)
                .ok()
                .map(|(_, o)| o.clone())
        };
        let subtype = get(dict, b"Subtype")?;
        let to_unicode = get(dict, b"ToUnicode")
            .and_then(|o| {
                o.as_stream()
                    .ok()
                    .and_then(|s| s.decompressed_content().ok())
            })
            .map(|cmap| parse_to_unicode(&cmap))
            .unwrap_or_default();
        let mut widths = HashMap::new();
        if subtype.as_name().ok()? == b"Type0" {
            let descendant = match get(dict, b"DescendantFonts")? {
                Object::Array(fonts) => doc
                    .dereference(fonts.first()?)
                    .ok()?
                    .1
                    .as_dict()
                    .ok()?
                    .clone(),
                _ => return None,
            };
            let default_width = get(&descendant, b"DW")
                .and_then(|w| w.as_float().ok())
                .map_or(1.0, |w| f64::from(w) / 1000.0);
            if let Some(Object::Array(w)) = get(&descendant, b"W") {
                let w: Vec<Object> = w
                    .iter()
                    .filter_map(|o| doc.dereference(o).ok().map(|(_, o)| o.clone()))
                    .collect();
                let mut i = 0;
                while i + 1 < w.len() {
                    let Ok(first) = w[i].as_i64() else { break };
                    if let Object::Array(list) = &w[i + 1] {
                        for (k, width) in list.iter().enumerate() {
                            if let Ok(width) = width.as_float() {
                                widths.insert(first as u32 + k as u32, f64::from(width) / 1000.0);
                            }
                        }
                        i += 2;
                    } else if i + 2 < w.len() {
                        let (Ok(last), Ok(width)) = (w[i + 1].as_i64(), w[i + 2].as_float()) else {
                            break;
                        };
                        for code in first..=last.min(first + 0xFFFF) {
                            widths.insert(code as u32, f64::from(width) / 1000.0);
                        }
                        i += 3;
                    } else {
                        break;
                    }
                }
            }
            Some(Font {
                code_len: 2,
                to_unicode,
                widths,
                default_width,
            })
        } else {
            // A simple font; a Type3 font's glyph space is its FontMatrix's, not 1/1000.
            let unit = match get(dict, b"FontMatrix") {
                Some(Object::Array(m)) => m
                    .first()
                    .and_then(|a| a.as_float().ok())
                    .map_or(0.001, f64::from),
                _ => 0.001,
            };
            let first = get(dict, b"FirstChar")
                .and_then(|f| f.as_i64().ok())
                .unwrap_or(0);
            if let Some(Object::Array(list)) = get(dict, b"Widths") {
                for (k, width) in list.iter().enumerate() {
                    if let Ok((_, width)) = doc.dereference(width)
                        && let Ok(width) = width.as_float()
                    {
                        widths.insert((first + k as i64) as u32, f64::from(width) * unit);
                    }
                }
            }
            Some(Font {
                code_len: 1,
                to_unicode,
                widths,
                default_width: 0.0,
            })
        }
    }

    fn codes<'a>(&self, bytes: &'a [u8]) -> impl Iterator<Item = u32> + 'a {
        bytes
            .chunks(self.code_len)
            .map(|c| c.iter().fold(0u32, |code, &b| code << 8 | u32::from(b)))
    }

    fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }

    /// The code's text; without a mapping, a 1-byte code is read as Latin-1 and a 2-byte one
    /// as U+FFFD, so that a missing mapping shows rather than vanishes.
    fn text(&self, code: u32) -> String {
        match self.to_unicode.get(&code) {
            Some(text) => text.clone(),
            None if self.code_len == 1 => {
                char::from_u32(code).map(String::from).unwrap_or_default()
            }
            None => "\u{FFFD}".into(),
        }
    }
}

// ---------------------------------------------------------------- ToUnicode CMaps

/// A CMap token: only hex strings, arrays of them, integers and keywords matter here.
#[derive(Debug, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Array(Vec<Vec<u8>>),
    Word(String),
}

fn tokens(cmap: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut array: Option<Vec<Vec<u8>>> = None;
    let mut i = 0;
    while i < cmap.len() {
        let c = cmap[i];
        match c {
            b'%' => {
                while i < cmap.len() && cmap[i] != b'\n' && cmap[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if cmap.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if cmap.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let end = cmap[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(cmap.len(), |p| i + p);
                let digits: Vec<u8> = cmap[i + 1..end]
                    .iter()
                    .filter_map(|&b| (b as char).to_digit(16).map(|d| d as u8))
                    .collect();
                let bytes = digits
                    .chunks(2)
                    .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
                    .collect();
                match &mut array {
                    Some(items) => items.push(bytes),
                    None => out.push(Token::Hex(bytes)),
                }
                i = end + 1;
            }
            b'[' => {
                array = Some(Vec::new());
                i += 1;
            }
            b']' => {
                if let Some(items) = array.take() {
                    out.push(Token::Array(items));
                }
                i += 1;
            }
            b'(' => {
                // A literal string (a CMap's name or registry): skipped, nesting and escapes
                // included.
                let mut depth = 0;
                while i < cmap.len() {
                    match cmap[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                i += 1;
                while i < cmap.len() && !b"%<>[]()/ \t\r\n\x0c\0".contains(&cmap[i]) {
                    i += 1;
                }
                if array.is_none() {
                    out.push(Token::Word(
                        String::from_utf8_lossy(&cmap[start..i]).into_owned(),
                    ));
                }
            }
        }
    }
    out
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |code, &b| code << 8 | u32::from(b))
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// The code-to-text map of a ToUnicode CMap's `bfchar` and `bfrange` sections.
fn parse_to_unicode(cmap: &[u8]) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    let tokens = tokens(cmap);
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Word(w) if w == "beginbfchar" => {
                i += 1;
                while let (Some(Token::Hex(src)), Some(Token::Hex(dst))) =
                    (tokens.get(i), tokens.get(i + 1))
                {
                    map.insert(code_of(src), utf16(dst));
                    i += 2;
                }
            }
            Token::Word(w) if w == "beginbfrange" => {
                i += 1;
                while let (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(dst)) =
                    (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                {
                    let (lo, hi) = (code_of(lo), code_of(hi));
                    for (k, code) in (lo..=hi.min(lo + 0xFFFF)).enumerate() {
                        let text = match dst {
                            Token::Array(items) => match items.get(k) {
                                Some(item) => utf16(item),
                                None => break,
                            },
                            Token::Hex(first) if first.len() >= 2 => {
                                // The last UTF-16 unit counts up along the range.
                                let mut bytes = first.clone();
                                let n = bytes.len();
                                let last = u16::from_be_bytes([bytes[n - 2], bytes[n - 1]])
                                    .wrapping_add(k as u16);
                                bytes[n - 2..].copy_from_slice(&last.to_be_bytes());
                                utf16(&bytes)
                            }
                            _ => break,
                        };
                        map.insert(code, text);
                    }
                    i += 3;
                }
            }
            _ => i += 1,
        }
    }
    map
}

/// typst's PDF writer (krilla) maps every glyph of a multi-glyph Thai cluster to the whole
/// cluster in ToUnicode, so pdftotext and the built-in extractor read "ใช้" as "ใช้ช้" where no
/// `/ActualText` says better (typst#4225, typst#7610, krilla#411; Acrobat and Chrome copy it
/// right; pdftotext ignores `/ActualText` altogether). This undoes exactly that: a base
/// character plus its combining marks repeated back to back.
pub fn undo_cluster_doubling(s: &str) -> String {
    let is_mark =
        |c: char| matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}');
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        while j < chars.len() && is_mark(chars[j]) {
            j += 1;
        }
        let len = j - i;
        out.extend(&chars[i..j]);
        i = if len > 1 && j + len <= chars.len() && chars[i..j] == chars[j..j + len] {
            j + len
        } else {
            j
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of krilla's CMaps (PostScript comments, `CIDSystemInfo` as `3 dict dup begin`),
    /// with the entries krilla writes (several UTF-16 units, a surrogate pair) and both kinds of
    /// `bfrange`.
    const CMAP: &str = "%!PS-Adobe-3.0 Resource-CMap
%%DocumentNeededResources: procset CIDInit
/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo 3 dict dup begin
    /Registry (Adobe) def
    /Ordering (Identity) def
    /Supplement 0 def
end def
/CMapName /Custom def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
3 beginbfchar
<0001> <0053>
<0002> <0E0A0E49>
<0003> <D83DDE00>
endbfchar
2 beginbfrange
<0010> <0012> <0430>
<0020> <0021> [<0041> <00420043>]
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
%%EOF";

    #[test]
    fn krillas_to_unicode_cmaps_are_read() {
        let map = parse_to_unicode(CMAP.as_bytes());
        let text = |code: u32| map.get(&code).map(String::as_str);
        assert_eq!(text(1), Some("S"));
        assert_eq!(text(2), Some("ช้"));
        assert_eq!(text(3), Some("😀"));
        assert_eq!(text(0x10), Some("а"));
        assert_eq!(text(0x12), Some("в"));
        assert_eq!(text(0x20), Some("A"));
        assert_eq!(text(0x21), Some("BC"));
        assert_eq!(map.len(), 8);
    }

    fn piece(text: &str, x: f64, y: f64, width: f64) -> Piece {
        Piece {
            text: text.into(),
            start: (x, y),
            end: (x + width, y),
            size: 10.0,
        }
    }

    #[test]
    fn gaps_become_spaces_and_other_lines_line_breaks() {
        let pieces = [
            piece("Sta", 0.0, 100.0, 15.0),
            // Kerned a little closer, then a little apart: still one word.
            piece("tus", 14.5, 100.0, 15.0),
            piece("!", 30.5, 100.0, 3.0),
            // A column further right on the same baseline.
            piece("Open", 80.0, 100.0, 20.0),
            // The next line, back at the left margin.
            piece("Next", 0.0, 88.0, 20.0),
            // Back to the left on the same line (an overlay drawn later).
            piece("Page", 0.0, 88.5, 20.0),
        ];
        assert_eq!(join(&pieces), "Status! Open\nNext Page");
    }
}
