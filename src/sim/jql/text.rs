//! Case-insensitive string helpers that do not allocate, for the per-issue hot path.
//!
//! Needles are lower-cased once at compile time; haystacks are folded character by character
//! while comparing. Matching is by substring, so scripts written without spaces (Thai,
//! Japanese) match inside words.

/// Whether `a` and `b` are equal ignoring case (full Unicode lower-casing, no allocation).
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `haystack` contains `needle_lower` (already lower-cased) ignoring case.
pub(crate) fn contains_ci(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if needle_lower.is_ascii() {
        // Bytes of multi-byte UTF-8 sequences are >= 0x80 and never equal an ASCII byte, so a
        // byte-wise comparison is exact for an ASCII needle even in a non-ASCII haystack.
        let needle = needle_lower.as_bytes();
        let first = needle[0];
        let bytes = haystack.as_bytes();
        if bytes.len() < needle.len() {
            return false;
        }
        return (0..=bytes.len() - needle.len()).any(|i| {
            bytes[i].to_ascii_lowercase() == first
                && bytes[i..i + needle.len()].eq_ignore_ascii_case(needle)
        });
    }
    find_ci(haystack, needle_lower).is_some()
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
    if needle.peek().is_none() { Some(text.len()) } else { None }
}

/// Lower-cases for use as a needle.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_ignores_case_across_scripts() {
        assert!(eq_ci("In Progress", "in progress"));
        assert!(eq_ci("ГОТОВО", "готово"));
        assert!(eq_ci("สถานะ", "สถานะ"));
        assert!(!eq_ci("Done", "Don"));
    }

    #[test]
    fn contains_finds_ascii_needles_in_any_text() {
        assert!(contains_ci("Fix the LOGIN page", "login"));
        assert!(contains_ci("日本語 Login ページ", "login"));
        assert!(!contains_ci("log in", "login"));
        assert!(!contains_ci("", "a"));
        assert!(contains_ci("anything", ""));
    }

    #[test]
    fn contains_finds_unicode_needles_without_word_boundaries() {
        assert!(contains_ci("ระบบล็อกอินเสีย", "ล็อกอิน"));
        assert!(contains_ci("ログイン画面のバグ", "画面"));
        assert!(contains_ci("Ошибка ВХОДА в систему", "входа"));
        assert!(!contains_ci("Ошибка", "входа"));
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
        assert_eq!(prefix_len_ci("İstanbul", &"İst".to_lowercase()), Some("İst".len()));
        assert_eq!(prefix_len_ci("ab", "abc"), None);
    }
}
