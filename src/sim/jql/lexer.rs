//! JQL tokens: operators, punctuation and (quoted or bare) strings, with Jira's escapes.
//!
//! Follows Jira's grammar: bare strings stop at whitespace, quotes, operators, brackets and the
//! reserved characters `{ } * / % + ^ $ # @ ? ;`; `&`/`&&` mean AND, `|`/`||` OR, and a lone
//! `!` NOT. Keywords are recognised by the parser, not here. A lexing failure becomes an
//! [`Tok::Error`] token so that a syntax error earlier in the query is still reported first,
//! as Jira's streaming parser does.

use super::error::{JqlError, Pos, is_jql_control};

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    Comma,
    LBracket,
    RBracket,
    Eq,
    NotEq,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    NotLike,
    /// `!` on its own: NOT.
    Bang,
    /// `&` or `&&`: AND.
    Amp,
    /// `|` or `||`: OR.
    Pipe,
    /// A string with escapes decoded. `quoted` strings are never keywords.
    Word {
        text: String,
        quoted: bool,
    },
    Eof,
    /// The lexer stopped here.
    Error(JqlError),
}

/// A token and where it sits in the query (byte offsets).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// Characters Jira reserves: they may only appear quoted or escaped.
pub(crate) fn is_reserved_char(c: char) -> bool {
    matches!(
        c,
        '{' | '}' | '*' | '/' | '%' | '+' | '^' | '$' | '#' | '@' | '?' | ';'
    )
}

/// Characters that end a bare string.
pub(crate) fn is_stop_char(c: char) -> bool {
    c.is_whitespace()
        || is_jql_control(c)
        || is_reserved_char(c)
        || matches!(
            c,
            '"' | '\''
                | '='
                | '!'
                | '<'
                | '>'
                | '('
                | ')'
                | '~'
                | ','
                | '['
                | ']'
                | '|'
                | '&'
                | '\\'
        )
}

/// 1-based line and character of a byte offset, counting characters like Jira's lexer.
pub(crate) fn position(src: &str, offset: usize) -> Pos {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Pos { line, column }
}

/// Splits a query into tokens; the last one is always `Eof` or `Error`.
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src,
        chars: src.char_indices().peekable(),
        tokens: Vec::new(),
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    src: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn run(&mut self) {
        while let Some(&(start, c)) = self.chars.peek() {
            if c.is_whitespace() {
                self.chars.next();
                continue;
            }
            let tok = match self.token(start, c) {
                Ok(tok) => tok,
                Err(e) => {
                    self.tokens.push(Token {
                        tok: Tok::Error(e),
                        start,
                        end: start,
                    });
                    return;
                }
            };
            let end = self.chars.peek().map_or(self.src.len(), |&(i, _)| i);
            self.tokens.push(Token { tok, start, end });
        }
        let end = self.src.len();
        self.tokens.push(Token {
            tok: Tok::Eof,
            start: end,
            end,
        });
    }

    fn pos(&self, offset: usize) -> Pos {
        position(self.src, offset)
    }

    fn bump_if(&mut self, want: char) -> bool {
        if self.chars.peek().is_some_and(|&(_, c)| c == want) {
            self.chars.next();
            true
        } else {
            false
        }
    }

    fn token(&mut self, start: usize, c: char) -> Result<Tok, JqlError> {
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '=' => Some(Tok::Eq),
            '~' => Some(Tok::Like),
            _ => None,
        };
        if let Some(tok) = simple {
            self.chars.next();
            return Ok(tok);
        }
        match c {
            '!' => {
                self.chars.next();
                Ok(if self.bump_if('=') {
                    Tok::NotEq
                } else if self.bump_if('~') {
                    Tok::NotLike
                } else {
                    Tok::Bang
                })
            }
            '<' => {
                self.chars.next();
                Ok(if self.bump_if('=') { Tok::Le } else { Tok::Lt })
            }
            '>' => {
                self.chars.next();
                Ok(if self.bump_if('=') { Tok::Ge } else { Tok::Gt })
            }
            '&' => {
                self.chars.next();
                self.bump_if('&');
                Ok(Tok::Amp)
            }
            '|' => {
                self.chars.next();
                self.bump_if('|');
                Ok(Tok::Pipe)
            }
            '"' | '\'' => self.quoted(start, c),
            c if is_reserved_char(c) => Err(JqlError::reserved_character(c, self.pos(start))),
            c if is_jql_control(c) => Err(JqlError::illegal_character(c, self.pos(start))),
            _ => self.bare(start),
        }
    }

    fn quoted(&mut self, start: usize, quote: char) -> Result<Tok, JqlError> {
        self.chars.next();
        let mut text = String::new();
        loop {
            let Some((i, c)) = self.chars.next() else {
                let content = self.src.get(start + quote.len_utf8()..).unwrap_or("");
                return Err(JqlError::unfinished_string(content, self.pos(start)));
            };
            if c == quote {
                return Ok(Tok::Word { text, quoted: true });
            }
            if c == '\\' {
                text.push(self.escape(i)?);
            } else if is_jql_control(c) {
                return Err(JqlError::illegal_character(c, self.pos(i)));
            } else {
                text.push(c);
            }
        }
    }

    fn bare(&mut self, start: usize) -> Result<Tok, JqlError> {
        let mut text = String::new();
        let mut escaped = false;
        while let Some(&(i, c)) = self.chars.peek() {
            if c == '\\' {
                self.chars.next();
                text.push(self.escape(i)?);
                escaped = true;
            } else if is_stop_char(c) {
                break;
            } else {
                self.chars.next();
                text.push(c);
            }
        }
        if !escaped && looks_numeric(&text) && text.parse::<i64>().is_err() {
            return Err(JqlError::illegal_number(&text, self.pos(start)));
        }
        Ok(Tok::Word {
            text,
            quoted: false,
        })
    }

    /// Decodes one escape; the backslash at `at` has been consumed.
    fn escape(&mut self, at: usize) -> Result<char, JqlError> {
        let pos = self.pos(at);
        let Some(&(_, c)) = self.chars.peek() else {
            return Err(JqlError::illegal_escape("\\", pos));
        };
        let simple = match c {
            '\'' => Some('\''),
            '"' => Some('"'),
            't' => Some('\t'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            '\\' => Some('\\'),
            ' ' => Some(' '),
            _ => None,
        };
        if let Some(decoded) = simple {
            self.chars.next();
            return Ok(decoded);
        }
        if c != 'u' {
            return Err(JqlError::illegal_escape(&format!("\\{c}"), pos));
        }
        self.chars.next();
        let high = self.hex4(at)?;
        if (0xD800..0xDC00).contains(&high) {
            // A surrogate pair spelled as two escapes: `\ud83d\ude00`.
            let mut lookahead = self.chars.clone();
            if lookahead.next().is_some_and(|(_, c)| c == '\\')
                && lookahead.next().is_some_and(|(_, c)| c == 'u')
            {
                let low_at = self.chars.peek().map_or(at, |&(i, _)| i);
                self.chars.next();
                self.chars.next();
                let low = self.hex4(low_at)?;
                if (0xDC00..0xE000).contains(&low) {
                    let code = 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
            }
            return Ok(char::REPLACEMENT_CHARACTER);
        }
        Ok(char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    /// Four hex digits after `\u` (the backslash was at `at`).
    fn hex4(&mut self, at: usize) -> Result<u32, JqlError> {
        let mut value = 0u32;
        for _ in 0..4 {
            match self.chars.peek() {
                Some(&(_, c)) if c.is_ascii_hexdigit() => {
                    self.chars.next();
                    value = value * 16 + c.to_digit(16).unwrap_or(0);
                }
                _ => return Err(self.bad_unicode_escape(at)),
            }
        }
        Ok(value)
    }

    /// Jira echoes the whole rest of the word after a broken `\u` escape.
    fn bad_unicode_escape(&self, at: usize) -> JqlError {
        let rest = self.src.get(at + 1..).unwrap_or("");
        let word: String = rest
            .chars()
            .take_while(|&c| !c.is_whitespace() && !is_stop_char(c))
            .collect();
        let shown = if word.is_empty() {
            "u".to_owned()
        } else {
            word
        };
        JqlError::illegal_escape(&format!("\\{shown}"), self.pos(at))
    }
}

/// `-?[0-9]+`: Jira lexes these as numbers and rejects ones that overflow a long.
pub(crate) fn looks_numeric(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).into_iter().map(|t| t.tok).collect()
    }

    fn word(text: &str, quoted: bool) -> Tok {
        Tok::Word {
            text: text.to_owned(),
            quoted,
        }
    }

    fn error_of(src: &str) -> String {
        match tokenize(src).pop().map(|t| t.tok) {
            Some(Tok::Error(e)) => e.message().to_owned(),
            other => panic!("expected a lexer error for {src:?}, got {other:?}"),
        }
    }

    #[test]
    fn operators_and_words_are_split_without_spaces() {
        assert_eq!(
            toks("a!=b<=c>=d!~e"),
            vec![
                word("a", false),
                Tok::NotEq,
                word("b", false),
                Tok::Le,
                word("c", false),
                Tok::Ge,
                word("d", false),
                Tok::NotLike,
                word("e", false),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn quoted_strings_decode_every_escape() {
        assert_eq!(
            toks(r#""a\"b\'c\\d\ne\tf\u0041\ \ud83d\ude00" 'x"y'"#),
            vec![
                word("a\"b'c\\d\ne\tfA 😀", true),
                word("x\"y", true),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bare_words_keep_dashes_dots_and_unicode() {
        assert_eq!(
            toks("DEMO-12 -7d 1.5 สวัสดี 日本語"),
            vec![
                word("DEMO-12", false),
                word("-7d", false),
                word("1.5", false),
                word("สวัสดี", false),
                word("日本語", false),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn ampersands_pipes_and_bang_are_logical_operators() {
        assert_eq!(
            toks("a && b || !c & d | e"),
            vec![
                word("a", false),
                Tok::Amp,
                word("b", false),
                Tok::Pipe,
                Tok::Bang,
                word("c", false),
                Tok::Amp,
                word("d", false),
                Tok::Pipe,
                word("e", false),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn an_unfinished_string_is_reported_at_its_opening_quote() {
        assert_eq!(
            error_of("summary ~ \"abc"),
            "Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 11)"
        );
        assert_eq!(
            error_of("priority = \""),
            "Error in the JQL Query: The quoted string has not been completed. (line 1, character 12)"
        );
    }

    #[test]
    fn reserved_and_control_characters_are_rejected_where_they_stand() {
        assert_eq!(
            error_of("assignee = a@b"),
            "Error in the JQL Query: The character '@' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0040' instead. (line 1, character 13)"
        );
        assert!(error_of("a = 'x\u{1}'").contains("The character 'U+0001' must be escaped"));
        assert!(error_of("a = 'tab\there'").contains("'TAB'"));
    }

    #[test]
    fn broken_escapes_name_the_sequence() {
        assert!(error_of(r"a = b\k").contains(r"'\k' is an illegal JQL escape sequence."));
        assert!(error_of(r"a = b\u27zz").contains(r"'\u27zz' is an illegal JQL escape sequence."));
        assert!(error_of("a = \"b\\").contains("The escape sequence has not been completed."));
    }

    #[test]
    fn numbers_beyond_a_long_are_illegal() {
        assert!(
            error_of("id = 99999999999999999999")
                .contains("'99999999999999999999' is not a valid number")
        );
        assert_eq!(toks("id = 9223372036854775807").len(), 4);
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let src = "a = b\nand ü = 'x";
        assert_eq!(
            position(src, src.find('\'').unwrap_or(0)),
            Pos { line: 2, column: 9 }
        );
        assert_eq!(position("ü = x", 5), Pos { line: 1, column: 5 });
    }

    #[test]
    fn odd_inputs_never_panic() {
        for src in [
            "",
            "\"",
            "'",
            "\\",
            "\\u",
            "\\ud800",
            "(((",
            ")))",
            "!!!",
            "é\u{301}",
            "\u{FFFF}",
            "\u{0}",
        ] {
            let tokens = tokenize(src);
            assert!(matches!(
                tokens.last().map(|t| &t.tok),
                Some(Tok::Eof | Tok::Error(_))
            ));
        }
    }
}
