//! The syntax tree of a parsed JQL query, before any field or value is resolved.
//!
//! Also knows how Jira prints operands back (`"test"`, `(a, b)`, `startOfDay(-1d)`) in error
//! messages and in the `encodedValue` / `encodedOperand` of `/jql/parse`.

use super::error::is_jql_control;
use super::lexer::{is_stop_char, looks_numeric};

/// A parsed query: an optional WHERE clause and the ORDER BY fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `None` for an empty query or one with only `ORDER BY`.
    pub clause: Option<Clause>,
    /// In the order written; empty when there is no `ORDER BY`.
    pub order_by: Vec<OrderBy>,
}

impl Query {
    /// Whether the query restricts the search (has a WHERE clause). The search endpoints refuse
    /// unbounded queries such as `order by key desc` or the empty query.
    pub fn is_bounded(&self) -> bool {
        self.clause.is_some()
    }
}

/// A boolean combination of field clauses.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// Two or more clauses joined with AND (a chain `a AND b AND c` is one node).
    And(Vec<Clause>),
    /// Two or more clauses joined with OR.
    Or(Vec<Clause>),
    /// `NOT clause`.
    Not(Box<Clause>),
    /// `field operator operand`.
    Terminal(Terminal),
}

/// `field operator operand`, e.g. `status in (Done, "In Progress")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal {
    /// The field as written.
    pub field: Field,
    /// The operator as written (before any `NOT` is applied).
    pub operator: Operator,
    /// The right-hand side.
    pub operand: Operand,
}

/// A field reference as written: `status`, `"Story Points"` or `cf[10030]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name as written, unquoted; `cf[10030]` for the bracket form.
    pub name: String,
    /// Written in quotes (so never a keyword).
    pub quoted: bool,
    /// The number of a `cf[N]` reference.
    pub custom_id: Option<u64>,
}

impl Field {
    /// The name Jira would accept back in a query (`"Story Points"`, `cf[10030]`, `status`).
    pub fn encoded(&self) -> String {
        if self.custom_id.is_some() {
            self.name.clone()
        } else {
            encode_string(&self.name)
        }
    }
}

/// The comparison between a field and its operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    /// `~` (contains text).
    Like,
    /// `!~`.
    NotLike,
    In,
    NotIn,
    Is,
    IsNot,
}

impl Operator {
    /// Jira's lower-case spelling (`not in`, `is not`), as in `/jql/parse` and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::NotEq => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::Like => "~",
            Operator::NotLike => "!~",
            Operator::In => "in",
            Operator::NotIn => "not in",
            Operator::Is => "is",
            Operator::IsNot => "is not",
        }
    }

    /// The operator a `NOT` in front of the clause turns this one into (Jira pushes negations
    /// down to the field clauses, so `NOT a = b` behaves exactly like `a != b`).
    pub fn negated(self) -> Operator {
        match self {
            Operator::Eq => Operator::NotEq,
            Operator::NotEq => Operator::Eq,
            Operator::Lt => Operator::Ge,
            Operator::Le => Operator::Gt,
            Operator::Gt => Operator::Le,
            Operator::Ge => Operator::Lt,
            Operator::Like => Operator::NotLike,
            Operator::NotLike => Operator::Like,
            Operator::In => Operator::NotIn,
            Operator::NotIn => Operator::In,
            Operator::Is => Operator::IsNot,
            Operator::IsNot => Operator::Is,
        }
    }
}

/// The right-hand side of a clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `EMPTY` or `NULL`.
    Empty,
    /// A literal; `quoted` is false for bare words and numbers.
    Value { text: String, quoted: bool },
    /// `name(arg, ...)`.
    Function { name: String, args: Vec<String> },
    /// `(a, b, ...)`; Jira's grammar allows nesting.
    List(Vec<Operand>),
}

impl Operand {
    /// How Jira echoes the operand in validation errors: strings in double quotes, bare
    /// numbers as is (`Operator 'in' does not support the non-list value '"test"' ...`).
    pub fn display(&self) -> String {
        match self {
            Operand::Empty => "EMPTY".to_owned(),
            Operand::Value { text, quoted } => {
                if !quoted && looks_numeric(text) {
                    text.clone()
                } else {
                    quote(text)
                }
            }
            Operand::Function { name, args } => format!("{name}({})", args.join(", ")),
            Operand::List(items) => {
                let items: Vec<String> = items.iter().map(Operand::display).collect();
                format!("({})", items.join(", "))
            }
        }
    }

    /// The operand re-encoded so it can be pasted back into a query.
    pub fn encoded(&self) -> String {
        match self {
            Operand::Empty => "EMPTY".to_owned(),
            Operand::Value { text, quoted } => {
                if *quoted && looks_numeric(text) {
                    quote(text)
                } else {
                    encode_string(text)
                }
            }
            Operand::Function { name, args } => {
                let args: Vec<String> = args.iter().map(|a| encode_string(a)).collect();
                format!("{}({})", encode_string(name), args.join(", "))
            }
            Operand::List(items) => {
                let items: Vec<String> = items.iter().map(Operand::encoded).collect();
                format!("({})", items.join(", "))
            }
        }
    }
}

/// One `ORDER BY` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// The sort field as written.
    pub field: Field,
    /// `None` when neither ASC nor DESC was written (each field then has its own default).
    pub direction: Option<Direction>,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    /// `asc` / `desc`, as in `/jql/parse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// Words with a grammatical role: never usable bare as a field or value.
pub(crate) const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc", "was", "changed",
];

/// Jira's reserved words (`JqlStringSupportImpl.RESERVED_WORDS`), sorted for binary search.
#[rustfmt::skip]
pub(crate) const RESERVED_WORDS: &[&str] = &[
    "abort", "access", "add", "after", "alias", "all", "alter", "and", "any", "as", "asc", "audit",
    "avg", "before", "begin", "between", "boolean", "break", "by", "byte", "catch", "cf",
    "changed", "char", "character", "check", "checkpoint", "collate", "collation", "column",
    "commit", "connect", "continue", "count", "create", "current", "date", "decimal", "declare",
    "decrement", "default", "defaults", "define", "delete", "delimiter", "desc", "difference",
    "distinct", "divide", "do", "double", "drop", "else", "empty", "encoding", "end", "equals",
    "escape", "exclusive", "exec", "execute", "exists", "explain", "false", "fetch", "field",
    "file", "first", "float", "for", "from", "function", "go", "goto", "grant", "greater", "group",
    "having", "identified", "if", "immediate", "in", "increment", "index", "initial", "inner",
    "inout", "input", "insert", "int", "integer", "intersect", "intersection", "into", "is",
    "isempty", "isnull", "join", "last", "left", "less", "like", "limit", "lock", "long", "max",
    "min", "minus", "mode", "modify", "modulo", "more", "multiply", "next", "noaudit", "not",
    "notin", "nowait", "null", "number", "object", "of", "on", "option", "or", "order", "outer",
    "output", "power", "previous", "prior", "privileges", "public", "raise", "raw", "remainder",
    "rename", "resource", "return", "returns", "revoke", "right", "row", "rowid", "rownum", "rows",
    "select", "session", "set", "share", "size", "sqrt", "start", "strict", "string", "subtract",
    "sum", "synonym", "table", "then", "to", "trans", "transaction", "trigger", "true", "uid",
    "union", "unique", "update", "user", "validate", "values", "view", "was", "when", "whenever",
    "where", "while", "with",
];

/// Whether a bare word is one of Jira's keywords (case-insensitive).
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether a bare word is reserved and must be quoted (case-insensitive).
pub(crate) fn is_reserved(word: &str) -> bool {
    if word.is_empty() || word.len() > 16 || !word.is_ascii() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    RESERVED_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// The string bare if Jira would read it back as the same bare word, else quoted.
pub(crate) fn encode_string(text: &str) -> String {
    let bare_ok = !text.is_empty()
        && !text.chars().any(is_stop_char)
        && !is_keyword(text)
        && !is_reserved(text);
    if bare_ok {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// `"text"` with JQL escapes.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_jql_control(c) => out.push_str(&super::error::escape_code(c)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_reserved("SELECT"));
        assert!(is_reserved("cf"));
        assert!(!is_reserved("status"));
        assert!(!is_reserved("über"));
    }

    #[test]
    fn values_are_encoded_bare_only_when_safe() {
        assert_eq!(encode_string("Incidents"), "Incidents");
        assert_eq!(encode_string("Service requests"), "\"Service requests\"");
        assert_eq!(encode_string("and"), "\"and\"");
        assert_eq!(encode_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(encode_string(""), "\"\"");
    }

    #[test]
    fn operands_display_like_jira_error_messages() {
        let value = Operand::Value {
            text: "test".into(),
            quoted: false,
        };
        assert_eq!(value.display(), "\"test\"");
        let number = Operand::Value {
            text: "42".into(),
            quoted: false,
        };
        assert_eq!(number.display(), "42");
        let list = Operand::List(vec![value, number, Operand::Empty]);
        assert_eq!(list.display(), "(\"test\", 42, EMPTY)");
        let function = Operand::Function {
            name: "startOfDay".into(),
            args: vec!["-1d".into()],
        };
        assert_eq!(function.display(), "startOfDay(-1d)");
        assert_eq!(function.encoded(), "startOfDay(-1d)");
    }

    #[test]
    fn negation_swaps_each_operator_with_its_complement() {
        for op in [
            Operator::Eq,
            Operator::Lt,
            Operator::Le,
            Operator::Like,
            Operator::In,
            Operator::Is,
        ] {
            assert_ne!(op.negated(), op);
            assert_eq!(op.negated().negated(), op);
        }
    }
}
