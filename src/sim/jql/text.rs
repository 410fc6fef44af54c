//! Case-insensitive string matching for the per-issue hot path, without allocating.
//!
//! A [`Needle`] is lower-cased and analysed once at compile time; haystacks are never copied.
//! The search jumps between occurrences of one anchor character (in both cases) with
//! `str::find(char)`, which std backs with an optimised `memchr`, and only then compares the
//! whole needle. Needles without cased letters (Thai, Japanese, digits) are compared exactly
//! after the anchor. Matching is by substring, so scripts written without spaces match inside words.
//! Case folding is simple per-character lower-casing (no locale rules).

/// A lower-cased search term, prepared for fast case-insensitive search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Needle {
    lower: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// All ASCII: search the rarest byte at this index, in both cases.
    Ascii { anchor: usize },
    /// No character has a case: anchor on the first character, compare exactly.
    Caseless,
    /// Anchor on the first character and its single-character upper case, if it has one.
    Unicode { upper: Option<char> },
}

impl Needle {
    /// Prepares `text` (any case) as a needle.
    pub(crate) fn new(text: &str) -> Self {
        let lower = fold(text);
        let kind = if lower.is_ascii() {
            let anchor = lower
                .bytes()
                .enumerate()
                .max_by_key(|&(i, b)| (rarity(b), std::cmp::Reverse(i)))
                .map_or(0, |(i, _)| i);
            Kind::Ascii { anchor }
        } else if lower.chars().all(caseless) {
            Kind::Caseless
        } else {
            let first = lower.chars().next().unwrap_or(' ');
            let mut upper = first.to_uppercase();
            let single = match (upper.next(), upper.next()) {
                (Some(u), None) => Some(u),
                _ => None,
            };
            Kind::Unicode { upper: single }
        };
        Needle { lower, kind }
    }

    /// The lower-cased text.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.lower
    }

    /// Whether `haystack` contains the needle, ignoring case.
    pub(crate) fn found_in(&self, haystack: &str) -> bool {
        if self.lower.is_empty() {
            return true;
        }
        match self.kind {
            Kind::Ascii { anchor } => ascii_search(haystack, self.lower.as_bytes(), anchor),
            Kind::Caseless => {
                let first = self.lower.chars().next().unwrap_or(' ');
                Anchors::new(haystack, first, first).any(|p| {
                    haystack
                        .get(p..)
                        .is_some_and(|rest| rest.starts_with(self.lower.as_str()))
                })
            }
            Kind::Unicode { upper: Some(upper) } => {
                let first = self.lower.chars().next().unwrap_or(upper);
                Anchors::new(haystack, first, upper).any(|p| {
                    haystack
                        .get(p..)
                        .is_some_and(|rest| prefix_len_ci(rest, &self.lower).is_some())
                })
            }
            Kind::Unicode { upper: None } => find_ci(haystack, &self.lower).is_some(),
        }
    }
}

/// Positions of two characters in a string, merged in ascending order.
struct Anchors<'h> {
    haystack: &'h str,
    a: char,
    b: char,
    next_a: Option<usize>,
    next_b: Option<usize>,
}

impl<'h> Anchors<'h> {
    fn new(haystack: &'h str, a: char, b: char) -> Self {
        let next_b = if a == b { None } else { haystack.find(b) };
        Anchors {
            haystack,
            a,
            b,
            next_a: haystack.find(a),
            next_b,
        }
    }

    fn after(&self, c: char, p: usize) -> Option<usize> {
        let from = p + c.len_utf8();
        self.haystack.get(from..)?.find(c).map(|i| i + from)
    }
}

impl Iterator for Anchors<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let p = match (self.next_a, self.next_b) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => return None,
        };
        if self.next_a == Some(p) {
            self.next_a = self.after(self.a, p);
        }
        if self.next_b == Some(p) {
            self.next_b = self.after(self.b, p);
        }
        Some(p)
    }
}

/// ASCII needle: jump between occurrences of its rarest byte, then compare the window. Bytes
/// of multi-byte UTF-8 sequences are >= 0x80 and never equal an ASCII byte, so the byte-wise
/// comparison is exact even in non-ASCII text.
fn ascii_search(haystack: &str, needle: &[u8], anchor: usize) -> bool {
    let bytes = haystack.as_bytes();
    let Some(&a) = needle.get(anchor) else {
        return false;
    };
    if bytes.len() < needle.len() {
        return false;
    }
    Anchors::new(haystack, char::from(a), char::from(a.to_ascii_uppercase())).any(|p| {
        p >= anchor
            && bytes
                .get(p - anchor..p - anchor + needle.len())
                .is_some_and(|window| window.eq_ignore_ascii_case(needle))
    })
}

/// How rare a lower-case ASCII byte is in ordinary text (higher is rarer).
fn rarity(b: u8) -> u8 {
    const BY_FREQUENCY: &[u8] = b" etaoinshrdlcumwfgypbvkjxqz";
    match BY_FREQUENCY.iter().position(|&c| c == b) {
        Some(i) => u8::try_from(i).unwrap_or(u8::MAX),
        // Digits and punctuation are rarer than most letters.
        None => 20,
    }
}

/// A character no other character lower-cases to, and that has no other case itself.
fn caseless(c: char) -> bool {
    let mut upper = c.to_uppercase();
    upper.next() == Some(c) && upper.next().is_none() && c.to_lowercase().eq(std::iter::once(c))
}

/// Whether `a` and `b` are equal ignoring case (full Unicode lower-casing, no allocation).
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `haystack` contains `needle_lower` (already lower-cased) ignoring case. Prepares a
/// [`Needle`] each call: for one-off checks, not per-issue loops.
pub(crate) fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    Needle::new(needle_lower).found_in(haystack)
}

/// The byte range of the first case-insensitive occurrence of `needle_lower` in `haystack`.
pub(crate) fn find_ci(haystack: &str, needle_lower: &str) -> Option<(usize, usize)> {
    let first = needle_lower.chars().next()?;
    for (start, c) in haystack.char_indices() {
        if c.to_lowercase().next() != Some(first) {
            continue;
        }
        if let Some(len) = prefix_len_ci(&haystack[start..], needle_lower) {
            return Some((start, start + len));
        }
    }
    None
}

/// If `text` starts with `needle_lower` ignoring case, how many bytes of `text` that covers.
pub(crate) fn prefix_len_ci(text: &str, needle_lower: &str) -> Option<usize> {
    let mut needle = needle_lower.chars().peekable();
    for (i, c) in text.char_indices() {
        if needle.peek().is_none() {
            return Some(i);
        }
        for lower in c.to_lowercase() {
            match needle.next() {
                Some(n) if n == lower => {}
                _ => return None,
            }
        }
    }
    if needle.peek().is_none() {
        Some(text.len())
    } else {
        None
    }
}

/// Lower-cases for use as a needle.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(haystack: &str, needle: &str) -> bool {
        Needle::new(needle).found_in(haystack)
    }

    #[test]
    fn equality_ignores_case_across_scripts() {
        assert!(eq_ci("In Progress", "in progress"));
        assert!(eq_ci("ГОТОВО", "готово"));
        assert!(eq_ci("สถานะ", "สถานะ"));
        assert!(!eq_ci("Done", "Don"));
    }

    #[test]
    fn ascii_needles_are_found_in_any_text_and_case() {
        assert!(found("Fix the LOGIN page", "login"));
        assert!(found("Fix the LOGIN page", "LoGiN"));
        assert!(found("日本語 Login ページ", "login"));
        assert!(found("zzz", "ZZZ"));
        assert!(found("a.b", "a.b"));
        assert!(found("login", "login"));
        assert!(!found("log in", "login"));
        assert!(!found("", "a"));
        assert!(!found("logi", "login"));
        assert!(found("anything", ""));
    }

    #[test]
    fn the_anchor_is_the_rarest_byte() {
        assert_eq!(Needle::new("login").kind, Kind::Ascii { anchor: 2 });
        assert_eq!(Needle::new("the zoo").kind, Kind::Ascii { anchor: 4 });
        assert!(found("The Zoo is open", "the zoo"));
        assert!(!found("zoo the", "the zoo"));
    }

    #[test]
    fn caseless_scripts_are_compared_exactly() {
        assert_eq!(Needle::new("ล็อกอิน").kind, Kind::Caseless);
        assert!(found("ระบบล็อกอินเสีย", "ล็อกอิน"));
        assert!(found("ログイン画面のバグ", "画面"));
        assert!(!found("ログイン", "画面"));
    }

    #[test]
    fn cased_unicode_needles_match_either_case() {
        assert!(found("Ошибка ВХОДА в систему", "входа"));
        assert!(found("Ошибка входа", "ВХОДА"));
        assert!(found("ÉTÉ", "été"));
        assert!(found("STRASSE und Straße", "straße"));
        assert!(found("Ｌｏｇｉｎ", "ｌｏｇｉｎ"));
        assert!(!found("Ошибка", "входа"));
    }

    #[test]
    fn find_reports_the_original_byte_range() {
        let text = "Atlassian Connect (ÄC)";
        let (start, end) = find_ci(text, "äc").expect("found");
        assert_eq!(&text[start..end], "ÄC");
        assert_eq!(find_ci("abc", "x"), None);
        assert_eq!(find_ci("abc", ""), None);
    }

    #[test]
    fn prefixes_handle_expanding_lowercase() {
        // 'İ' lower-cases to two characters ("i̇").
        assert_eq!(
            prefix_len_ci("İstanbul", &"İst".to_lowercase()),
            Some("İst".len())
        );
        assert_eq!(prefix_len_ci("ab", "abc"), None);
    }
}
