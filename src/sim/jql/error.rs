//! JQL errors, worded the way Jira Cloud words them.
//!
//! Syntax errors carry the `Error in the JQL Query:` prefix and, unless the problem is the end of
//! the query, a `(line L, character C)` suffix with 1-based positions. Validation errors (unknown
//! fields, values, operators) are plain sentences. The wording was taken from Jira's own
//! `JqlParseErrorMessages`, its validator tests and real responses quoted in public issue threads.

use std::fmt;

/// A rejected query, with the message Jira would send in `errorMessages`.
#[derive(Debug, Clone, PartialEq)]
pub struct JqlError {
    message: String,
}

/// Where a token starts in the query, 1-based like Jira (`line 1, character 9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// The operators Jira lists when it expected one.
const VALID_OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

/// The escapes Jira lists when a backslash sequence is wrong.
const VALID_ESCAPES: &str =
    "The valid escape sequences are \\', \\\", \\t, \\n, \\r, \\\\, '\\ ' and \\uXXXX.";

impl JqlError {
    /// An error with exactly this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message, as Jira words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The search endpoints refuse queries without a WHERE clause.
    pub fn unbounded() -> Self {
        Self::new(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        )
    }

    fn syntax(text: &str, pos: Pos) -> Self {
        Self::new(format!(
            "Error in the JQL Query: {text} (line {}, character {})",
            pos.line, pos.column
        ))
    }

    fn syntax_eof(text: &str) -> Self {
        Self::new(format!("Error in the JQL Query: {text}"))
    }

    // ---- lexer errors ----

    pub(crate) fn unfinished_string(content: &str, pos: Pos) -> Self {
        if content.trim().is_empty() {
            Self::syntax("The quoted string has not been completed.", pos)
        } else {
            let content = normalize(content);
            Self::syntax(
                &format!("The quoted string '{content}' has not been completed."),
                pos,
            )
        }
    }

    pub(crate) fn illegal_escape(sequence: &str, pos: Pos) -> Self {
        if sequence.trim().is_empty() || sequence == "\\" {
            Self::syntax(
                &format!("The escape sequence has not been completed. {VALID_ESCAPES}"),
                pos,
            )
        } else {
            let sequence = normalize(sequence);
            Self::syntax(
                &format!("'{sequence}' is an illegal JQL escape sequence. {VALID_ESCAPES}"),
                pos,
            )
        }
    }

    pub(crate) fn reserved_character(c: char, pos: Pos) -> Self {
        let shown = printable(c);
        let escape = escape_code(c);
        Self::syntax(
            &format!(
                "The character '{shown}' is a reserved JQL character. You must enclose it in a string or use the escape '{escape}' instead."
            ),
            pos,
        )
    }

    pub(crate) fn illegal_character(c: char, pos: Pos) -> Self {
        let shown = printable(c);
        let escape = escape_code(c);
        Self::syntax(
            &format!("The character '{shown}' must be escaped. Use the escape '{escape}' instead."),
            pos,
        )
    }

    pub(crate) fn illegal_number(text: &str, pos: Pos) -> Self {
        Self::syntax(
            &format!(
                "'{text}' is not a valid number. Numbers must be between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807."
            ),
            pos,
        )
    }

    // ---- parser errors: `got` is `None` at the end of the query ----

    pub(crate) fn reserved_word(word: &str, pos: Pos) -> Self {
        Self::syntax(
            &format!(
                "'{word}' is a reserved JQL word. You must surround it in quotation marks to use it in a query."
            ),
            pos,
        )
    }

    pub(crate) fn expecting_field(got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof("Expecting a field name before the end of the query."),
            Some(("[", pos)) => Self::syntax(
                "Expecting a field name but got '['. Did you mean 'cf['?",
                pos,
            ),
            Some((text, pos)) => Self::syntax(
                &format!(
                    "Expecting a field name but got '{text}'. You must surround '{text}' in quotation marks to use it as a field name."
                ),
                pos,
            ),
        }
    }

    pub(crate) fn empty_field_name(pos: Pos) -> Self {
        Self::syntax("The field name cannot be empty.", pos)
    }

    pub(crate) fn expecting_custom_field_id(pos: Option<Pos>) -> Self {
        let text =
            "Expecting a custom field id enclosed by '[ ]' after 'cf'. Example: 'cf[10021]'.";
        match pos {
            None => Self::syntax_eof(text),
            Some(pos) => Self::syntax(text, pos),
        }
    }

    pub(crate) fn expecting_operator(got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof(&format!(
                "Expecting operator before the end of the query. {VALID_OPERATORS}"
            )),
            Some((text, pos)) => Self::syntax(
                &format!("Expecting operator but got '{text}'. {VALID_OPERATORS}"),
                pos,
            ),
        }
    }

    pub(crate) fn expecting_operand(got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof(
                "Expecting either a value, list or function before the end of the query.",
            ),
            Some((text, pos)) => Self::syntax(
                &format!(
                    "Expecting either a value, list or function but got '{text}'. You must surround '{text}' in quotation marks to use it as a value."
                ),
                pos,
            ),
        }
    }

    pub(crate) fn expecting_function_argument(got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof("Expecting a function argument before the end of the query."),
            Some((text, pos)) => Self::syntax(
                &format!(
                    "Expecting a function argument but got '{text}'. You must surround '{text}' in quotation marks to use it as a value."
                ),
                pos,
            ),
        }
    }

    pub(crate) fn expecting_logical_operator(got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof("Expecting either 'OR' or 'AND' before the end of the query."),
            Some((text, pos)) => Self::syntax(
                &format!("Expecting either 'OR' or 'AND' but got '{text}'."),
                pos,
            ),
        }
    }

    pub(crate) fn expecting_sort_order(got: (&str, Pos)) -> Self {
        let (text, pos) = got;
        Self::syntax(
            &format!("Expecting either 'ASC' or 'DESC' but got '{text}'."),
            pos,
        )
    }

    /// `Expecting ')' but got 'x'.` / `Expecting ')' before the end of the query.`
    pub(crate) fn expecting(expected: &str, got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof(&format!(
                "Expecting '{expected}' before the end of the query."
            )),
            Some((text, pos)) => {
                Self::syntax(&format!("Expecting '{expected}' but got '{text}'."), pos)
            }
        }
    }

    /// `Expecting either ')' or ',' but got 'x'.`
    pub(crate) fn expecting_either(first: &str, second: &str, got: Option<(&str, Pos)>) -> Self {
        match got {
            None => Self::syntax_eof(&format!(
                "Expecting either '{first}' or '{second}' before the end of the query."
            )),
            Some((text, pos)) => Self::syntax(
                &format!("Expecting either '{first}' or '{second}' but got '{text}'."),
                pos,
            ),
        }
    }

    // ---- validation errors ----

    pub(crate) fn unknown_field(name: &str) -> Self {
        Self::new(format!(
            "Field '{name}' does not exist or you do not have permission to view it."
        ))
    }

    pub(crate) fn value_not_found(field: &str, value: &str) -> Self {
        Self::new(format!(
            "The value '{value}' does not exist for the field '{field}'."
        ))
    }

    pub(crate) fn id_not_found(field: &str, id: &str) -> Self {
        Self::new(format!(
            "A value with ID '{id}' does not exist for the field '{field}'."
        ))
    }

    pub(crate) fn option_not_found(field: &str, value: &str) -> Self {
        Self::new(format!(
            "The option '{value}' for field '{field}' does not exist."
        ))
    }

    pub(crate) fn issue_not_found(field: &str, key: &str) -> Self {
        Self::new(format!(
            "An issue with key '{key}' does not exist for field '{field}'."
        ))
    }

    pub(crate) fn invalid_issue_key(field: &str, key: &str) -> Self {
        Self::new(format!(
            "The issue key '{key}' for field '{field}' is invalid."
        ))
    }

    pub(crate) fn operator_not_supported(field: &str, operator: &str) -> Self {
        Self::new(format!(
            "The operator '{operator}' is not supported by the '{field}' field."
        ))
    }

    pub(crate) fn empty_not_supported(field: &str) -> Self {
        Self::new(format!(
            "The field '{field}' does not support searching for EMPTY values."
        ))
    }

    pub(crate) fn empty_not_ordered(field: &str, operator: &str) -> Self {
        Self::new(format!(
            "The operator '{operator}' does not support searching for EMPTY values on the field '{field}'."
        ))
    }

    pub(crate) fn is_needs_empty(field: &str, operator: &str, value: &str) -> Self {
        Self::new(format!(
            "The operator '{operator}' only supports searching for EMPTY values, not '{value}', on the field '{field}'."
        ))
    }

    pub(crate) fn empty_string_not_supported(field: &str) -> Self {
        Self::new(format!(
            "The field '{field}' does not support searching for an empty string."
        ))
    }

    pub(crate) fn list_not_supported(operator: &str, value: &str, field: &str) -> Self {
        Self::new(format!(
            "Operator '{operator}' does not support the list value '{value}' for field '{field}'."
        ))
    }

    pub(crate) fn non_list_not_supported(operator: &str, value: &str, field: &str) -> Self {
        Self::new(format!(
            "Operator '{operator}' does not support the non-list value '{value}' for field '{field}'."
        ))
    }

    pub(crate) fn wildcard_start(field: &str, query: &str) -> Self {
        Self::new(format!(
            "The text query '{query}' for field '{field}' is not valid: the '*' and '?' are not allowed as first character in wildcard query."
        ))
    }

    pub(crate) fn invalid_date(field: &str, value: &str) -> Self {
        Self::new(format!(
            "Date value '{value}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
        ))
    }

    pub(crate) fn invalid_number(field: &str, value: &str) -> Self {
        Self::new(format!(
            "Value '{value}' for the '{field}' field is not a valid number."
        ))
    }

    pub(crate) fn unknown_function(name: &str) -> Self {
        Self::new(format!("Unable to find JQL function '{name}()'."))
    }

    pub(crate) fn function_wrong_field(function: &str, field: &str) -> Self {
        Self::new(format!(
            "A value provided by the function '{function}' is invalid for the field '{field}'."
        ))
    }

    pub(crate) fn function_arity(function: &str, min: usize, max: usize, got: usize) -> Self {
        if min == max {
            Self::new(format!(
                "Function '{function}' expected '{min}' arguments but received '{got}'."
            ))
        } else {
            Self::new(format!(
                "Function '{function}' expected between '{min}' and '{max}' arguments but received '{got}'."
            ))
        }
    }

    pub(crate) fn function_duration(function: &str) -> Self {
        Self::new(format!(
            "Duration for function '{function}' should have the format (+/-)n(yMwdm), e.g -1M for 1 month earlier."
        ))
    }

    pub(crate) fn sort_unknown(name: &str) -> Self {
        Self::new(format!("Not able to sort using field '{name}'."))
    }

    pub(crate) fn sort_not_supported(name: &str) -> Self {
        Self::new(format!("Field '{name}' does not support sorting."))
    }

    pub(crate) fn sort_duplicate(name: &str, first: &str) -> Self {
        if name.eq_ignore_ascii_case(first) {
            Self::new(format!(
                "The sort field '{name}' is referenced multiple times in the JQL sort."
            ))
        } else {
            Self::new(format!(
                "The sort field '{name}' is referenced multiple times in the JQL sort. Field '{name}' is an alias for field '{first}'."
            ))
        }
    }

    pub(crate) fn too_many_sorts(max: usize) -> Self {
        Self::new(format!(
            "The ORDER BY clause can contain a maximum of {max} fields."
        ))
    }

    pub(crate) fn history_not_supported(operator: &str, field: &str) -> Self {
        Self::operator_not_supported(field, operator)
    }
}

impl fmt::Display for JqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JqlError {}

/// Jira replaces line breaks in quoted text before echoing it.
fn normalize(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Control characters, whitespace and non-characters are shown as `U+XXXX` (tab as `TAB`).
fn printable(c: char) -> String {
    if c == '\t' {
        "TAB".to_owned()
    } else if is_jql_control(c) || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// `\u0040` style escape for a character.
pub(crate) fn escape_code(c: char) -> String {
    let code = u32::from(c);
    if code <= 0xFFFF {
        format!("\\u{code:04x}")
    } else {
        // Outside the BMP Java would print a surrogate pair; both halves are shown.
        let v = code - 0x1_0000;
        let high = 0xD800 + (v >> 10);
        let low = 0xDC00 + (v & 0x3FF);
        format!("\\u{high:04x}\\u{low:04x}")
    }
}

/// Jira's `isJqlControl`: C0/C1 controls except `\n` and `\r`, plus Unicode non-characters.
pub(crate) fn is_jql_control(c: char) -> bool {
    let code = u32::from(c);
    matches!(code,
        0x0000..=0x0009 | 0x000B..=0x000C | 0x000E..=0x001F | 0x007F..=0x009F
        | 0xFDD0..=0xFDEF | 0xFFFE..=0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbounded_error_uses_jiras_sentence() {
        assert_eq!(
            JqlError::unbounded().message(),
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        );
    }

    #[test]
    fn syntax_errors_carry_the_position_unless_at_the_end() {
        let pos = Pos { line: 1, column: 9 };
        assert_eq!(
            JqlError::expecting_operator(Some(("query", pos))).message(),
            "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"
        );
        assert_eq!(
            JqlError::expecting(")", None).message(),
            "Error in the JQL Query: Expecting ')' before the end of the query."
        );
    }

    #[test]
    fn reserved_characters_are_shown_with_their_escape() {
        let pos = Pos {
            line: 1,
            column: 23,
        };
        assert_eq!(
            JqlError::reserved_character('@', pos).message(),
            "Error in the JQL Query: The character '@' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0040' instead. (line 1, character 23)"
        );
    }

    #[test]
    fn control_characters_are_named_by_code_point() {
        let pos = Pos { line: 1, column: 1 };
        assert!(
            JqlError::illegal_character('\u{1}', pos)
                .message()
                .contains("'U+0001'")
        );
        assert!(
            JqlError::illegal_character('\t', pos)
                .message()
                .contains("'TAB'")
        );
        assert_eq!(escape_code('😀'), "\\ud83d\\ude00");
    }

    #[test]
    fn arity_errors_distinguish_fixed_and_ranged_counts() {
        assert_eq!(
            JqlError::function_arity("now", 0, 0, 1).message(),
            "Function 'now' expected '0' arguments but received '1'."
        );
        assert_eq!(
            JqlError::function_arity("startOfDay", 0, 1, 2).message(),
            "Function 'startOfDay' expected between '0' and '1' arguments but received '2'."
        );
    }
}
