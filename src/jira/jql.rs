//! Building JQL from typed values. Pure; no I/O.
//!
//! Field names come from the closed [`JqlField`] enum and every value goes through [`quote`],
//! so no value, however hostile, can change the structure of the query. Free-text JQL typed by
//! a user is not built here: it goes to Jira as is, under the user's own permissions.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use chrono::{NaiveDate, NaiveDateTime};

/// Most fields Jira accepts in one `ORDER BY`.
pub const MAX_ORDER_BY_FIELDS: usize = 7;

/// Quotes `value` as a JQL string literal.
///
/// The result is wrapped in double quotes; `"` and `\` are backslash-escaped, tab, CR and LF
/// become `\t`, `\r`, `\n`, and every other control or line/paragraph-separator character
/// becomes `\uXXXX`, all escapes of JQL's own grammar. Everything else, any script included,
/// is kept as is.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                // Every such char is in the BMP, so four hex digits suffice.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes Lucene's special characters so `~` matches `text` literally.
///
/// The text search behind `~` gives `+ - & | ! ( ) { } [ ] ^ ~ * ? \ : "` a meaning (wildcards,
/// exclusion, grouping); Jira's documentation asks for a backslash before each one to search
/// for it literally. The result still has to be passed through [`quote`].
fn escape_text_search(text: &str) -> String {
    const TEXT_SEARCH_SPECIAL: &str = r#"+-&|!(){}[]^~*?\:"/"#;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if TEXT_SEARCH_SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A field that may appear in a built query. Closed on purpose: no free-text field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JqlField {
    /// `project`
    Project,
    /// `issuekey`
    IssueKey,
    /// `parent`
    Parent,
    /// `summary` (text)
    Summary,
    /// `description` (text)
    Description,
    /// `comment` (text)
    Comment,
    /// `text`: summary, description, comments and text custom fields
    Text,
    /// `status`
    Status,
    /// `statusCategory`
    StatusCategory,
    /// `priority`
    Priority,
    /// `issuetype`
    IssueType,
    /// `assignee`
    Assignee,
    /// `reporter`
    Reporter,
    /// `creator`
    Creator,
    /// `labels`
    Labels,
    /// `component`
    Component,
    /// `fixVersion`
    FixVersion,
    /// `resolution`
    Resolution,
    /// `created`
    Created,
    /// `updated`
    Updated,
    /// `due`
    DueDate,
    /// `resolved`
    Resolved,
    /// A custom field by numeric id: `cf[10010]`.
    Custom(u64),
}

impl JqlField {
    /// The field's name in JQL.
    pub fn as_jql(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::Project => "project",
            Self::IssueKey => "issuekey",
            Self::Parent => "parent",
            Self::Summary => "summary",
            Self::Description => "description",
            Self::Comment => "comment",
            Self::Text => "text",
            Self::Status => "status",
            Self::StatusCategory => "statusCategory",
            Self::Priority => "priority",
            Self::IssueType => "issuetype",
            Self::Assignee => "assignee",
            Self::Reporter => "reporter",
            Self::Creator => "creator",
            Self::Labels => "labels",
            Self::Component => "component",
            Self::FixVersion => "fixVersion",
            Self::Resolution => "resolution",
            Self::Created => "created",
            Self::Updated => "updated",
            Self::DueDate => "due",
            Self::Resolved => "resolved",
            Self::Custom(id) => return Cow::Owned(format!("cf[{id}]")),
        })
    }
}

impl fmt::Display for JqlField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_jql())
    }
}

/// Sort direction for `ORDER BY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

impl Direction {
    fn as_jql(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// A date operand: an absolute date or time (in the Jira user's time zone), or days from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JqlDate {
    /// `"yyyy-MM-dd HH:mm"`
    At(NaiveDateTime),
    /// `"yyyy-MM-dd"`
    On(NaiveDate),
    /// `-7d` / `3d`: whole days relative to now.
    DaysFromNow(i32),
}

impl JqlDate {
    fn render(self) -> String {
        match self {
            Self::At(at) => quote(&at.format("%Y-%m-%d %H:%M").to_string()),
            Self::On(day) => quote(&day.format("%Y-%m-%d").to_string()),
            // A number is never quoted by Jira's own examples, and cannot carry structure.
            Self::DaysFromNow(days) => format!("{days}d"),
        }
    }
}

impl From<NaiveDateTime> for JqlDate {
    fn from(at: NaiveDateTime) -> Self {
        Self::At(at)
    }
}

impl From<NaiveDate> for JqlDate {
    fn from(day: NaiveDate) -> Self {
        Self::On(day)
    }
}

/// Why a query could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JqlError {
    /// `in`/`not in` with no values: JQL has no empty list, and dropping the clause would
    /// widen the query.
    #[error("`{field}` needs at least one value")]
    EmptyList {
        /// The field's JQL name.
        field: String,
    },
    /// A text search for nothing, which Jira rejects.
    #[error("text search on `{field}` needs a non-empty value")]
    EmptyText {
        /// The field's JQL name.
        field: String,
    },
    /// An `any_of` group with no alternative, or an alternative with no clause.
    #[error("an OR group needs alternatives that each have at least one clause")]
    EmptyAlternative,
    /// No clause at all: Jira rejects unbounded searches.
    #[error("the query has no restriction; Jira rejects unbounded searches")]
    Unbounded,
    /// More `ORDER BY` fields than Jira accepts.
    #[error("at most {MAX_ORDER_BY_FIELDS} ORDER BY fields are allowed")]
    TooManyOrderFields,
}

/// Builds a JQL query from clauses joined with `AND`, plus an optional `ORDER BY`.
///
/// ```
/// use jira_gateway::jira::jql::{Direction, JqlBuilder, JqlField};
/// let jql = JqlBuilder::new()
///     .eq(JqlField::Project, "ABC")
///     .in_list(JqlField::Status, ["To Do", "In Progress"])
///     .order_by(JqlField::Updated, Direction::Desc)
///     .build()
///     .expect("bounded query");
/// assert_eq!(
///     jql,
///     r#"project = "ABC" AND status in ("To Do", "In Progress") ORDER BY updated DESC"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JqlBuilder {
    clauses: Vec<String>,
    order: Vec<(JqlField, Direction)>,
    error: Option<JqlError>,
}

impl JqlBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, clause: String) -> Self {
        self.clauses.push(clause);
        self
    }

    fn fail(mut self, error: JqlError) -> Self {
        self.error.get_or_insert(error);
        self
    }

    fn compare(self, field: JqlField, op: &str, operand: &str) -> Self {
        self.push(format!("{field} {op} {operand}"))
    }

    /// `field = "value"`
    pub fn eq(self, field: JqlField, value: &str) -> Self {
        self.compare(field, "=", &quote(value))
    }

    /// `field != "value"`
    pub fn not_eq(self, field: JqlField, value: &str) -> Self {
        self.compare(field, "!=", &quote(value))
    }

    fn list<I, S>(self, field: JqlField, op: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let quoted: Vec<String> = values.into_iter().map(|v| quote(v.as_ref())).collect();
        if quoted.is_empty() {
            return self.fail(JqlError::EmptyList {
                field: field.to_string(),
            });
        }
        let list = quoted.join(", ");
        self.push(format!("{field} {op} ({list})"))
    }

    /// `field in ("a", "b")`. An empty list makes [`JqlBuilder::build`] fail.
    pub fn in_list<I, S>(self, field: JqlField, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.list(field, "in", values)
    }

    /// `field not in ("a", "b")`. An empty list makes [`JqlBuilder::build`] fail.
    pub fn not_in<I, S>(self, field: JqlField, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.list(field, "not in", values)
    }

    /// `field is EMPTY`
    pub fn is_empty(self, field: JqlField) -> Self {
        self.push(format!("{field} is EMPTY"))
    }

    /// `field is not EMPTY`
    pub fn is_not_empty(self, field: JqlField) -> Self {
        self.push(format!("{field} is not EMPTY"))
    }

    /// `field = currentUser()`, for user fields.
    pub fn is_current_user(self, field: JqlField) -> Self {
        self.push(format!("{field} = currentUser()"))
    }

    /// `field ~ "text"`: text search, with `text` matched literally (no wildcards or
    /// operators of the search syntax).
    pub fn contains_text(self, field: JqlField, text: &str) -> Self {
        if text.trim().is_empty() {
            return self.fail(JqlError::EmptyText {
                field: field.to_string(),
            });
        }
        self.compare(field, "~", &quote(&escape_text_search(text)))
    }

    /// `field !~ "text"`, with `text` matched literally.
    pub fn not_contains_text(self, field: JqlField, text: &str) -> Self {
        if text.trim().is_empty() {
            return self.fail(JqlError::EmptyText {
                field: field.to_string(),
            });
        }
        self.compare(field, "!~", &quote(&escape_text_search(text)))
    }

    /// `field >= date`
    pub fn date_gte(self, field: JqlField, date: impl Into<JqlDate>) -> Self {
        self.compare(field, ">=", &date.into().render())
    }

    /// `field > date`
    pub fn date_gt(self, field: JqlField, date: impl Into<JqlDate>) -> Self {
        self.compare(field, ">", &date.into().render())
    }

    /// `field <= date`
    pub fn date_lte(self, field: JqlField, date: impl Into<JqlDate>) -> Self {
        self.compare(field, "<=", &date.into().render())
    }

    /// `field < date`
    pub fn date_lt(self, field: JqlField, date: impl Into<JqlDate>) -> Self {
        self.compare(field, "<", &date.into().render())
    }

    /// `(a1 AND a2) OR (b1)`: at least one alternative holds. Their `order_by` is ignored.
    pub fn any_of(self, alternatives: impl IntoIterator<Item = JqlBuilder>) -> Self {
        let mut parts = Vec::new();
        for alternative in alternatives {
            if let Some(error) = alternative.error {
                return self.fail(error);
            }
            if alternative.clauses.is_empty() {
                return self.fail(JqlError::EmptyAlternative);
            }
            parts.push(format!("({})", alternative.clauses.join(" AND ")));
        }
        if parts.is_empty() {
            return self.fail(JqlError::EmptyAlternative);
        }
        self.push(format!("({})", parts.join(" OR ")))
    }

    /// Appends `field direction` to `ORDER BY` (in call order).
    pub fn order_by(mut self, field: JqlField, direction: Direction) -> Self {
        self.order.push((field, direction));
        self
    }

    /// Whether no clause has been added yet.
    pub fn has_clauses(&self) -> bool {
        !self.clauses.is_empty()
    }

    /// The query text, or why it cannot be built.
    pub fn build(&self) -> Result<String, JqlError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.clauses.is_empty() {
            return Err(JqlError::Unbounded);
        }
        if self.order.len() > MAX_ORDER_BY_FIELDS {
            return Err(JqlError::TooManyOrderFields);
        }
        let mut jql = self.clauses.join(" AND ");
        if !self.order.is_empty() {
            let order: Vec<String> = self
                .order
                .iter()
                .map(|(field, direction)| format!("{field} {}", direction.as_jql()))
                .collect();
            jql.push_str(" ORDER BY ");
            jql.push_str(&order.join(", "));
        }
        Ok(jql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token of the built query, as a JQL lexer would see it.
    #[derive(Debug, PartialEq)]
    enum Token {
        Word(String),
        Str(String),
        Punct(char),
    }

    /// A minimal JQL lexer: words, punctuation, and double-quoted strings with JQL's escapes.
    fn lex(jql: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut chars = jql.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => {}
                '"' => {
                    let mut s = String::new();
                    loop {
                        match chars.next().expect("unterminated string") {
                            '"' => break,
                            '\\' => match chars.next().expect("dangling escape") {
                                'n' => s.push('\n'),
                                'r' => s.push('\r'),
                                't' => s.push('\t'),
                                'u' => {
                                    let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                                    let code = u32::from_str_radix(&hex, 16).expect("hex");
                                    s.push(char::from_u32(code).expect("scalar"));
                                }
                                other @ ('"' | '\\' | '\'' | ' ') => s.push(other),
                                other => panic!("unknown escape \\{other}"),
                            },
                            other => {
                                assert!(!other.is_control(), "raw control char in literal");
                                s.push(other);
                            }
                        }
                    }
                    tokens.push(Token::Str(s));
                }
                '(' | ')' | ',' | '=' | '~' | '<' | '>' | '!' => tokens.push(Token::Punct(c)),
                _ => {
                    let mut w = c.to_string();
                    while let Some(&n) = chars.peek() {
                        if n == ' ' || n == '(' || n == ')' || n == ',' || n == '"' {
                            break;
                        }
                        w.push(n);
                        chars.next();
                    }
                    tokens.push(Token::Word(w));
                }
            }
        }
        tokens
    }

    fn word(w: &str) -> Token {
        Token::Word(w.to_owned())
    }

    fn string(s: &str) -> Token {
        Token::Str(s.to_owned())
    }

    const HOSTILE: &[&str] = &[
        r#"x" OR project = SEC"#,
        r#"x\" OR project = SEC"#,
        "\\",
        "\\\\\"",
        "\"",
        "a\nOR project = SEC",
        "a\r\n\t\u{0}\u{7f}\u{85}b",
        ") OR (project = SEC",
        "' OR '1'='1",
        "\u{2028}ORDER BY key",
        "Привет, мир",
        "สวัสดีครับ",
        "emoji 🙂 and 中文",
        "",
    ];

    #[test]
    fn quoted_hostile_values_stay_one_string_literal() {
        for value in HOSTILE {
            let tokens = lex(&quote(value));
            assert_eq!(tokens, vec![string(value)], "value {value:?}");
        }
    }

    #[test]
    fn quote_escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(quote(r#"a"b"#), r#""a\"b""#);
        assert_eq!(quote(r"a\b"), r#""a\\b""#);
        assert_eq!(quote("a\nb\tc\rd"), r#""a\nb\tc\rd""#);
        assert_eq!(quote("\u{0}\u{1b}"), r#""\u0000\u001b""#);
        assert_eq!(quote("\u{2028}"), r#""\u2028""#);
        assert_eq!(quote("Привет"), "\"Привет\"");
    }

    #[test]
    fn hostile_value_in_eq_cannot_add_an_or_clause() {
        let jql = JqlBuilder::new()
            .eq(JqlField::Project, r#"x" OR project = SEC"#)
            .build()
            .expect("builds");
        assert_eq!(
            lex(&jql),
            vec![
                word("project"),
                Token::Punct('='),
                string(r#"x" OR project = SEC"#)
            ]
        );
    }

    #[test]
    fn every_hostile_value_round_trips_through_every_clause_kind() {
        for value in HOSTILE.iter().filter(|v| !v.trim().is_empty()) {
            let jql = JqlBuilder::new()
                .eq(JqlField::Project, value)
                .in_list(JqlField::Labels, [*value, "ok"])
                .not_in(JqlField::Status, [*value])
                .not_eq(JqlField::Custom(10010), value)
                .build()
                .expect("builds");
            let tokens = lex(&jql);
            let words: Vec<&Token> = tokens
                .iter()
                .filter(|t| matches!(t, Token::Word(_)))
                .collect();
            assert_eq!(
                words,
                vec![
                    &word("project"),
                    &word("AND"),
                    &word("labels"),
                    &word("in"),
                    &word("AND"),
                    &word("status"),
                    &word("not"),
                    &word("in"),
                    &word("AND"),
                    &word("cf[10010]")
                ],
                "structure changed for {value:?}: {jql}"
            );
            let strings: Vec<&Token> = tokens
                .iter()
                .filter(|t| matches!(t, Token::Str(_)))
                .collect();
            assert_eq!(strings.len(), 5, "{jql}");
            assert!(
                strings
                    .iter()
                    .all(|t| **t == string(value) || **t == string("ok"))
            );
        }
    }

    #[test]
    fn contains_text_matches_literally_and_stays_one_literal() {
        let jql = JqlBuilder::new()
            .contains_text(JqlField::Summary, r#"fix* "crash" (urgent) -x"#)
            .build()
            .expect("builds");
        assert_eq!(jql, r#"summary ~ "fix\\* \\\"crash\\\" \\(urgent\\) \\-x""#);
        let tokens = lex(&jql);
        assert_eq!(tokens.len(), 3, "{tokens:?}");
        assert_eq!(tokens[2], string(r#"fix\* \"crash\" \(urgent\) \-x"#));
    }

    #[test]
    fn empty_text_search_is_refused() {
        let result = JqlBuilder::new()
            .eq(JqlField::Project, "A")
            .contains_text(JqlField::Text, "  ")
            .build();
        assert_eq!(
            result,
            Err(JqlError::EmptyText {
                field: "text".into()
            })
        );
    }

    #[test]
    fn clauses_are_anded_and_ordered_as_called() {
        let jql = JqlBuilder::new()
            .eq(JqlField::Project, "ABC")
            .in_list(JqlField::Status, ["To Do", "In Progress"])
            .is_empty(JqlField::Assignee)
            .is_not_empty(JqlField::DueDate)
            .is_current_user(JqlField::Reporter)
            .order_by(JqlField::Priority, Direction::Desc)
            .order_by(JqlField::IssueKey, Direction::Asc)
            .build()
            .expect("builds");
        assert_eq!(
            jql,
            r#"project = "ABC" AND status in ("To Do", "In Progress") AND assignee is EMPTY AND due is not EMPTY AND reporter = currentUser() ORDER BY priority DESC, issuekey ASC"#
        );
    }

    #[test]
    fn dates_render_in_jira_format() {
        let at = NaiveDate::from_ymd_opt(2024, 1, 5)
            .and_then(|d| d.and_hms_opt(9, 7, 59))
            .expect("valid");
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).expect("valid");
        let jql = JqlBuilder::new()
            .date_gte(JqlField::Created, at)
            .date_lt(JqlField::Created, day)
            .date_gt(JqlField::Updated, JqlDate::DaysFromNow(-7))
            .date_lte(JqlField::DueDate, JqlDate::DaysFromNow(3))
            .build()
            .expect("builds");
        assert_eq!(
            jql,
            r#"created >= "2024-01-05 09:07" AND created < "2024-02-29" AND updated > -7d AND due <= 3d"#
        );
    }

    #[test]
    fn empty_in_list_is_an_error_not_a_wider_query() {
        let empty: [&str; 0] = [];
        let result = JqlBuilder::new()
            .eq(JqlField::Project, "ABC")
            .in_list(JqlField::IssueKey, empty)
            .build();
        assert_eq!(
            result,
            Err(JqlError::EmptyList {
                field: "issuekey".into()
            })
        );
        let not_in = JqlBuilder::new()
            .eq(JqlField::Project, "ABC")
            .not_in(JqlField::Labels, Vec::<String>::new())
            .build();
        assert!(matches!(not_in, Err(JqlError::EmptyList { .. })));
    }

    #[test]
    fn a_query_without_clauses_is_refused_as_unbounded() {
        let result = JqlBuilder::new()
            .order_by(JqlField::IssueKey, Direction::Desc)
            .build();
        assert_eq!(result, Err(JqlError::Unbounded));
    }

    #[test]
    fn more_than_seven_order_fields_are_refused() {
        let mut builder = JqlBuilder::new().eq(JqlField::Project, "A");
        for _ in 0..=MAX_ORDER_BY_FIELDS {
            builder = builder.order_by(JqlField::Created, Direction::Asc);
        }
        assert_eq!(builder.build(), Err(JqlError::TooManyOrderFields));
    }

    #[test]
    fn any_of_groups_alternatives_in_parentheses() {
        let jql = JqlBuilder::new()
            .eq(JqlField::Project, "ABC")
            .any_of([
                JqlBuilder::new().is_current_user(JqlField::Assignee),
                JqlBuilder::new()
                    .is_empty(JqlField::Assignee)
                    .eq(JqlField::Priority, ") OR (x"),
            ])
            .build()
            .expect("builds");
        assert_eq!(
            jql,
            r#"project = "ABC" AND ((assignee = currentUser()) OR (assignee is EMPTY AND priority = ") OR (x"))"#
        );
        let empty = JqlBuilder::new()
            .eq(JqlField::Project, "A")
            .any_of([])
            .build();
        assert_eq!(empty, Err(JqlError::EmptyAlternative));
        let hollow = JqlBuilder::new()
            .eq(JqlField::Project, "A")
            .any_of([JqlBuilder::new()])
            .build();
        assert_eq!(hollow, Err(JqlError::EmptyAlternative));
    }

    #[test]
    fn custom_fields_render_by_numeric_id() {
        assert_eq!(JqlField::Custom(10010).as_jql(), "cf[10010]");
        assert_eq!(JqlField::StatusCategory.to_string(), "statusCategory");
    }
}
