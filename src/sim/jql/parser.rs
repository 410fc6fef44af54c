//! Recursive-descent JQL parser: tokens to [`Query`], with Jira's syntax error messages.
//!
//! Grammar (precedence NOT > AND > OR, keywords case-insensitive):
//!
//! ```text
//! query    := [or] [ORDER BY sort ("," sort)*]
//! or       := and (("OR" | "|" | "||") and)*
//! and      := not (("AND" | "&" | "&&") not)*
//! not      := ("NOT" | "!") not | "(" or ")" | terminal
//! terminal := field operator operand
//! field    := word | "cf" "[" digits "]"
//! operator := = != < <= > >= ~ !~ IN | NOT IN | IS | IS NOT
//! operand  := EMPTY | NULL | word | word "(" [word ("," word)*] ")" | "(" operand ("," operand)* ")"
//! sort     := field [ASC | DESC]
//! ```
//!
//! `WAS` and `CHANGED` (history searches) are recognised and refused, since the simulated site
//! keeps no searchable history index.

use super::ast::{
    Clause, Direction, Field, Operand, Operator, OrderBy, Query, Terminal, is_keyword, is_reserved,
};
use super::error::{JqlError, Pos};
use super::lexer::{Tok, Token, position, tokenize};

/// Deepest nesting of parentheses, NOTs and lists accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 128;

/// Parses a JQL string. Only syntax is checked here; fields and values are resolved by
/// [`compile`](super::compile).
pub fn parse(jql: &str) -> Result<Query, JqlError> {
    let mut parser = Parser {
        src: jql,
        tokens: tokenize(jql),
        at: 0,
        depth: 0,
    };
    parser.query()
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    /// The current token; a lexer error surfaces as soon as the parser reaches it.
    fn cur(&self) -> Result<&Token, JqlError> {
        let token = self.tokens.get(self.at).or_else(|| self.tokens.last());
        match token {
            Some(Token {
                tok: Tok::Error(e), ..
            }) => Err(e.clone()),
            Some(token) => Ok(token),
            None => Err(JqlError::expecting_field(None)),
        }
    }

    fn tok(&self) -> Result<&Tok, JqlError> {
        Ok(&self.cur()?.tok)
    }

    fn advance(&mut self) {
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
    }

    /// What Jira quotes after "but got": the token's source text and position, or `None` at
    /// the end of the query.
    fn got(&self) -> Option<(&str, Pos)> {
        let token = self.tokens.get(self.at)?;
        if matches!(token.tok, Tok::Eof) {
            return None;
        }
        let raw = self.src.get(token.start..token.end).unwrap_or("");
        Some((raw, position(self.src, token.start)))
    }

    /// Position of the current token. Only computed for errors: it scans the query.
    fn pos(&self) -> Pos {
        position(self.src, self.start())
    }

    fn start(&self) -> usize {
        self.tokens.get(self.at).map_or(self.src.len(), |t| t.start)
    }

    fn at_eof(&self) -> Result<bool, JqlError> {
        Ok(matches!(self.tok()?, Tok::Eof))
    }

    /// Whether the current token is the bare keyword `kw`.
    fn at_kw(&self, kw: &str) -> Result<bool, JqlError> {
        Ok(
            matches!(self.tok()?, Tok::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw)),
        )
    }

    fn enter(&mut self) -> Result<(), JqlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JqlError::new(format!(
                "Error in the JQL Query: The query is nested more than {MAX_DEPTH} levels deep. (line {}, character {})",
                self.pos().line,
                self.pos().column
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn query(&mut self) -> Result<Query, JqlError> {
        let clause = if self.at_eof()? || self.at_kw("order")? {
            None
        } else {
            Some(self.or_clause()?)
        };
        let order_by = if self.at_kw("order")? {
            self.order_by()?
        } else {
            Vec::new()
        };
        if !self.at_eof()? {
            return Err(JqlError::expecting_logical_operator(self.got()));
        }
        Ok(Query { clause, order_by })
    }

    fn or_clause(&mut self) -> Result<Clause, JqlError> {
        let mut items = vec![self.and_clause()?];
        while self.at_kw("or")? || matches!(self.tok()?, Tok::Pipe) {
            self.advance();
            items.push(self.and_clause()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Clause::Or(items)
        })
    }

    fn and_clause(&mut self) -> Result<Clause, JqlError> {
        let mut items = vec![self.not_clause()?];
        while self.at_kw("and")? || matches!(self.tok()?, Tok::Amp) {
            self.advance();
            items.push(self.not_clause()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Clause::And(items)
        })
    }

    fn not_clause(&mut self) -> Result<Clause, JqlError> {
        if self.at_kw("not")? || matches!(self.tok()?, Tok::Bang) {
            self.advance();
            self.enter()?;
            let inner = self.not_clause()?;
            self.leave();
            return Ok(Clause::Not(Box::new(inner)));
        }
        if matches!(self.tok()?, Tok::LParen) {
            self.advance();
            self.enter()?;
            let inner = self.or_clause()?;
            self.leave();
            if !matches!(self.tok()?, Tok::RParen) {
                return Err(JqlError::expecting(")", self.got()));
            }
            self.advance();
            return Ok(inner);
        }
        self.terminal()
    }

    fn terminal(&mut self) -> Result<Clause, JqlError> {
        let field = self.field()?;
        let operator = self.operator(&field)?;
        let operand = self.operand()?;
        Ok(Clause::Terminal(Terminal {
            field,
            operator,
            operand,
        }))
    }

    fn field(&mut self) -> Result<Field, JqlError> {
        let (src, start) = (self.src, self.start());
        let pos = move || position(src, start);
        let (text, quoted) = match self.tok()? {
            Tok::Word { text, quoted } => (text.clone(), *quoted),
            _ => return Err(JqlError::expecting_field(self.got())),
        };
        if quoted {
            if text.is_empty() {
                return Err(JqlError::empty_field_name(pos()));
            }
            self.advance();
            return Ok(Field {
                name: text,
                quoted: true,
                custom_id: None,
            });
        }
        if text.eq_ignore_ascii_case("cf") {
            self.advance();
            return self.custom_field();
        }
        if is_keyword(&text) {
            return Err(JqlError::expecting_field(self.got()));
        }
        if is_reserved(&text) {
            return Err(JqlError::reserved_word(&text, pos()));
        }
        self.advance();
        Ok(Field {
            name: text,
            quoted: false,
            custom_id: None,
        })
    }

    /// `cf[10030]`, after the `cf`.
    fn custom_field(&mut self) -> Result<Field, JqlError> {
        let eof_or_pos = |p: &Self| {
            if p.at_eof().unwrap_or(true) {
                None
            } else {
                Some(p.pos())
            }
        };
        if !matches!(self.tok()?, Tok::LBracket) {
            return Err(JqlError::expecting_custom_field_id(eof_or_pos(self)));
        }
        self.advance();
        let id = match self.tok()? {
            Tok::Word {
                text,
                quoted: false,
            } => text.parse::<u64>().ok(),
            _ => None,
        };
        let Some(id) = id else {
            return Err(JqlError::expecting_custom_field_id(eof_or_pos(self)));
        };
        self.advance();
        if !matches!(self.tok()?, Tok::RBracket) {
            return Err(JqlError::expecting("]", self.got()));
        }
        self.advance();
        Ok(Field {
            name: format!("cf[{id}]"),
            quoted: false,
            custom_id: Some(id),
        })
    }

    fn operator(&mut self, field: &Field) -> Result<Operator, JqlError> {
        let symbol = match self.tok()? {
            Tok::Eq => Some(Operator::Eq),
            Tok::NotEq => Some(Operator::NotEq),
            Tok::Lt => Some(Operator::Lt),
            Tok::Le => Some(Operator::Le),
            Tok::Gt => Some(Operator::Gt),
            Tok::Ge => Some(Operator::Ge),
            Tok::Like => Some(Operator::Like),
            Tok::NotLike => Some(Operator::NotLike),
            _ => None,
        };
        if let Some(op) = symbol {
            self.advance();
            return Ok(op);
        }
        let word = match self.tok()? {
            Tok::Word {
                text,
                quoted: false,
            } => text.to_ascii_lowercase(),
            _ => return Err(JqlError::expecting_operator(self.got())),
        };
        match word.as_str() {
            "in" => {
                self.advance();
                Ok(Operator::In)
            }
            "not" => {
                self.advance();
                if !self.at_kw("in")? {
                    return Err(JqlError::expecting("IN", self.got()));
                }
                self.advance();
                Ok(Operator::NotIn)
            }
            "is" => {
                self.advance();
                if self.at_kw("not")? {
                    self.advance();
                    Ok(Operator::IsNot)
                } else {
                    Ok(Operator::Is)
                }
            }
            "was" | "changed" => Err(JqlError::history_not_supported(&word, &field.name)),
            _ if is_reserved(&word) => {
                let original = self.got().map_or("", |(raw, _)| raw).to_owned();
                Err(JqlError::reserved_word(&original, self.pos()))
            }
            _ => Err(JqlError::expecting_operator(self.got())),
        }
    }

    fn operand(&mut self) -> Result<Operand, JqlError> {
        let (src, start) = (self.src, self.start());
        let pos = move || position(src, start);
        match self.tok()? {
            Tok::Word { text, quoted: true } => {
                let operand = Operand::Value {
                    text: text.clone(),
                    quoted: true,
                };
                self.advance();
                Ok(operand)
            }
            Tok::Word {
                text,
                quoted: false,
            } => {
                let text = text.clone();
                if text.eq_ignore_ascii_case("empty") || text.eq_ignore_ascii_case("null") {
                    self.advance();
                    return Ok(Operand::Empty);
                }
                if is_keyword(&text) {
                    return Err(JqlError::expecting_operand(self.got()));
                }
                if is_reserved(&text) {
                    return Err(JqlError::reserved_word(&text, pos()));
                }
                self.advance();
                if matches!(self.tok()?, Tok::LParen) {
                    self.advance();
                    let args = self.arguments()?;
                    return Ok(Operand::Function { name: text, args });
                }
                Ok(Operand::Value {
                    text,
                    quoted: false,
                })
            }
            Tok::LParen => {
                self.advance();
                self.enter()?;
                let list = self.list()?;
                self.leave();
                Ok(list)
            }
            _ => Err(JqlError::expecting_operand(self.got())),
        }
    }

    /// The rest of `(a, b, ...)` after the opening parenthesis.
    fn list(&mut self) -> Result<Operand, JqlError> {
        let mut items = Vec::new();
        loop {
            items.push(self.operand()?);
            match self.tok()? {
                Tok::Comma => self.advance(),
                Tok::RParen => {
                    self.advance();
                    return Ok(Operand::List(items));
                }
                Tok::Eof => return Err(JqlError::expecting(")", None)),
                _ => return Err(JqlError::expecting_either(")", ",", self.got())),
            }
        }
    }

    /// Function arguments after the opening parenthesis, through the closing one.
    fn arguments(&mut self) -> Result<Vec<String>, JqlError> {
        let mut args = Vec::new();
        if matches!(self.tok()?, Tok::RParen) {
            self.advance();
            return Ok(args);
        }
        loop {
            match self.tok()? {
                Tok::Word { text, .. } => {
                    args.push(text.clone());
                    self.advance();
                }
                _ if args.is_empty() => return Err(JqlError::expecting(")", self.got())),
                _ => return Err(JqlError::expecting_function_argument(self.got())),
            }
            match self.tok()? {
                Tok::Comma => self.advance(),
                Tok::RParen => {
                    self.advance();
                    return Ok(args);
                }
                Tok::Eof => return Err(JqlError::expecting(")", None)),
                _ => return Err(JqlError::expecting_either(")", ",", self.got())),
            }
        }
    }

    fn order_by(&mut self) -> Result<Vec<OrderBy>, JqlError> {
        self.advance();
        if !self.at_kw("by")? {
            return Err(JqlError::expecting("BY", self.got()));
        }
        self.advance();
        let mut sorts = Vec::new();
        loop {
            let field = self.field()?;
            let direction = if self.at_kw("asc")? {
                self.advance();
                Some(Direction::Asc)
            } else if self.at_kw("desc")? {
                self.advance();
                Some(Direction::Desc)
            } else {
                None
            };
            sorts.push(OrderBy { field, direction });
            match self.tok()? {
                Tok::Comma => self.advance(),
                Tok::Eof => return Ok(sorts),
                _ => {
                    let got = self.got().unwrap_or(("", self.pos()));
                    return Err(if direction.is_none() {
                        JqlError::expecting_sort_order(got)
                    } else {
                        JqlError::expecting(",", Some(got))
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(jql: &str) -> String {
        match parse(jql) {
            Ok(q) => panic!("{jql:?} parsed unexpectedly: {q:?}"),
            Err(e) => e.message().to_owned(),
        }
    }

    fn value(text: &str) -> Operand {
        Operand::Value {
            text: text.to_owned(),
            quoted: false,
        }
    }

    fn terminal(field: &str, operator: Operator, operand: Operand) -> Clause {
        Clause::Terminal(Terminal {
            field: Field {
                name: field.to_owned(),
                quoted: false,
                custom_id: None,
            },
            operator,
            operand,
        })
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tighter_than_and() {
        let q = parse("a = 1 OR not b = 2 AND c = 3").expect("valid");
        let expected = Clause::Or(vec![
            terminal("a", Operator::Eq, value("1")),
            Clause::And(vec![
                Clause::Not(Box::new(terminal("b", Operator::Eq, value("2")))),
                terminal("c", Operator::Eq, value("3")),
            ]),
        ]);
        assert_eq!(q.clause, Some(expected));
    }

    #[test]
    fn parentheses_override_precedence() {
        let q = parse("(a = 1 or b = 2) and c = 3").expect("valid");
        assert!(
            matches!(q.clause, Some(Clause::And(ref items)) if matches!(items[0], Clause::Or(_)))
        );
    }

    #[test]
    fn every_operator_is_recognised_case_insensitively() {
        for (text, op) in [
            ("=", Operator::Eq),
            ("!=", Operator::NotEq),
            ("<", Operator::Lt),
            ("<=", Operator::Le),
            (">", Operator::Gt),
            (">=", Operator::Ge),
            ("~", Operator::Like),
            ("!~", Operator::NotLike),
            ("IN", Operator::In),
            ("Not In", Operator::NotIn),
            ("is", Operator::Is),
            ("IS NOT", Operator::IsNot),
        ] {
            let operand = if matches!(op, Operator::In | Operator::NotIn) {
                "(x)"
            } else {
                "x"
            };
            let q = parse(&format!("f {text} {operand}")).expect("valid");
            let Some(Clause::Terminal(t)) = q.clause else {
                panic!("terminal expected")
            };
            assert_eq!(t.operator, op, "{text}");
        }
    }

    #[test]
    fn operands_cover_lists_functions_and_empty() {
        let q =
            parse(r#"f in (a, "b c", 3, EMPTY, currentUser(), (d)) and g = null"#).expect("valid");
        let Some(Clause::And(items)) = q.clause else {
            panic!("and expected")
        };
        let Clause::Terminal(t) = &items[0] else {
            panic!("terminal")
        };
        assert_eq!(
            t.operand,
            Operand::List(vec![
                value("a"),
                Operand::Value {
                    text: "b c".into(),
                    quoted: true
                },
                value("3"),
                Operand::Empty,
                Operand::Function {
                    name: "currentUser".into(),
                    args: vec![]
                },
                Operand::List(vec![value("d")]),
            ])
        );
        let Clause::Terminal(t) = &items[1] else {
            panic!("terminal")
        };
        assert_eq!(t.operand, Operand::Empty);
    }

    #[test]
    fn custom_fields_and_quoted_names_are_fields() {
        let q = parse(r#"cf[10030] > 3 and "Story Points" = 5 ORDER BY CF[10030] desc"#)
            .expect("valid");
        let Some(Clause::And(items)) = q.clause else {
            panic!("and expected")
        };
        let Clause::Terminal(t) = &items[0] else {
            panic!("terminal")
        };
        assert_eq!(t.field.custom_id, Some(10030));
        assert_eq!(t.field.name, "cf[10030]");
        let Clause::Terminal(t) = &items[1] else {
            panic!("terminal")
        };
        assert!(t.field.quoted);
        assert_eq!(q.order_by[0].field.name, "cf[10030]");
        assert_eq!(q.order_by[0].direction, Some(Direction::Desc));
    }

    #[test]
    fn order_by_alone_and_empty_query_are_unbounded() {
        let q = parse("order by key desc, created").expect("valid");
        assert!(!q.is_bounded());
        assert_eq!(q.order_by.len(), 2);
        assert_eq!(q.order_by[1].direction, None);
        assert!(!parse("").expect("valid").is_bounded());
        assert!(!parse("   ").expect("valid").is_bounded());
        assert!(parse("a = b").expect("valid").is_bounded());
    }

    #[test]
    fn missing_operator_is_reported_with_jiras_list() {
        assert_eq!(
            err("invalid query"),
            "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"
        );
        assert_eq!(
            err("foo"),
            "Error in the JQL Query: Expecting operator before the end of the query. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
        );
        assert!(err("status & x").contains("Expecting operator but got '&'"));
    }

    #[test]
    fn unclosed_lists_and_groups_expect_a_parenthesis() {
        assert_eq!(
            err("reporter in (fred, bob"),
            "Error in the JQL Query: Expecting ')' before the end of the query."
        );
        assert_eq!(
            err("(a = b or c = d"),
            "Error in the JQL Query: Expecting ')' before the end of the query."
        );
        assert_eq!(
            err("q = func("),
            "Error in the JQL Query: Expecting ')' before the end of the query."
        );
        assert_eq!(
            err("q = func(good, jack!, x)"),
            "Error in the JQL Query: Expecting either ')' or ',' but got '!'. (line 1, character 20)"
        );
        assert_eq!(
            err("q = func(a, )"),
            "Error in the JQL Query: Expecting a function argument but got ')'. You must surround ')' in quotation marks to use it as a value. (line 1, character 13)"
        );
    }

    #[test]
    fn trailing_garbage_expects_a_logical_operator() {
        assert_eq!(
            err("status = open foo"),
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 15)"
        );
        assert!(err("a in (foo))").contains("Expecting either 'OR' or 'AND' but got ')'"));
        assert!(err("a=b not a=b").contains("but got 'not'"));
    }

    #[test]
    fn keywords_and_reserved_words_must_be_quoted() {
        assert_eq!(
            err("project = IN"),
            "Error in the JQL Query: Expecting either a value, list or function but got 'IN'. You must surround 'IN' in quotation marks to use it as a value. (line 1, character 11)"
        );
        assert_eq!(
            err("project = SET"),
            "Error in the JQL Query: 'SET' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 11)"
        );
        assert!(err("pri notin (x)").contains("'notin' is a reserved JQL word"));
        assert!(err("and and").contains("Expecting a field name but got 'and'"));
        assert!(parse(r#"project = "SET""#).is_ok());
    }

    #[test]
    fn missing_pieces_at_the_end_are_named() {
        assert_eq!(
            err("status ="),
            "Error in the JQL Query: Expecting either a value, list or function before the end of the query."
        );
        assert_eq!(
            err("a = b and"),
            "Error in the JQL Query: Expecting a field name before the end of the query."
        );
        assert_eq!(
            err("not"),
            "Error in the JQL Query: Expecting a field name before the end of the query."
        );
        assert_eq!(
            err("a = b order"),
            "Error in the JQL Query: Expecting 'BY' before the end of the query."
        );
        assert_eq!(
            err("a = b order by"),
            "Error in the JQL Query: Expecting a field name before the end of the query."
        );
        assert!(err("a = b order bad").contains("Expecting 'BY' but got 'bad'"));
        assert!(err("order BY abc s").contains("Expecting either 'ASC' or 'DESC' but got 's'"));
        assert!(err("order BY era desc extra").contains("Expecting ',' but got 'extra'"));
        assert!(err("pri not is empty").contains("Expecting 'IN' but got 'is'"));
    }

    #[test]
    fn custom_field_syntax_errors_show_the_expected_form() {
        assert!(
            err("cf[z123] = x")
                .contains("Expecting a custom field id enclosed by '[ ]' after 'cf'")
        );
        assert!(err("cf = x").contains("Expecting a custom field id"));
        assert!(err("cf[1234 = x").contains("Expecting ']' but got '='"));
        assert!(err("[54] = x").contains("Did you mean 'cf['?"));
    }

    #[test]
    fn an_earlier_syntax_error_wins_over_a_later_lexer_error() {
        assert!(err("a b \"unfinished").contains("Expecting operator but got 'b'"));
        assert!(err("a = \"unfinished").contains("has not been completed"));
    }

    #[test]
    fn reserved_characters_inside_bare_values_are_syntax_errors() {
        assert!(err("summary ~ ab\"cd").contains("The quoted string 'cd' has not been completed"));
        assert!(err("status = a=b").contains("Expecting either 'OR' or 'AND' but got '='"));
        assert!(err("summary ~ win*").contains("The character '*' is a reserved JQL character"));
        assert!(err("due > 2024/01/31").contains("The character '/' is a reserved JQL character"));
        assert!(parse("summary ~ \"win*\" and due > \"2024/01/31\"").is_ok());
    }

    #[test]
    fn long_queries_parse_in_linear_time() {
        let clauses: Vec<String> = (0..5_000).map(|i| format!("labels = l{i}")).collect();
        let jql = format!("{} order by key", clauses.join(" OR "));
        let query = parse(&jql).expect("valid");
        assert!(matches!(query.clause, Some(Clause::Or(ref items)) if items.len() == 5_000));
        let bad = format!("{} OR nope", clauses.join(" OR "));
        assert!(err(&bad).contains("Expecting operator before the end of the query"));
    }

    #[test]
    fn history_operators_are_refused() {
        assert_eq!(
            err("status was Done"),
            "The operator 'was' is not supported by the 'status' field."
        );
        assert_eq!(
            err("status CHANGED"),
            "The operator 'changed' is not supported by the 'status' field."
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a = b{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(err(&deep).contains("nested"));
        let nots = format!("{}a = b", "not ".repeat(10_000));
        assert!(err(&nots).contains("nested"));
        let lists = format!("a in {}x{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(err(&lists).contains("nested"));
    }

    #[test]
    fn odd_inputs_never_panic() {
        let inputs = [
            "",
            "(",
            ")",
            "\"",
            "'",
            "((",
            "a",
            "a =",
            "a = (",
            "a = (b,",
            "a in ()",
            "= = =",
            "!",
            "!!",
            "ORDER",
            "ORDER BY",
            "order by ,",
            "a = b order by c,",
            "cf",
            "cf[",
            "cf[]",
            "cf[1",
            "日本語 ~ テスト",
            "สถานะ = เสร็จ",
            "a = 'unbalanced",
            "a = \"x\\",
            "a ~ \"\\u12\"",
            "a = 99999999999999999999999",
            "a = -",
            "😀 = 😀",
            "\u{0}",
            "a = b ) (",
            "NOT (",
            "a = f(x",
            "a = f(x,",
            "a = f(,)",
            "\u{FEFF}a = b",
            "a\n=\nb\nand",
        ];
        for input in inputs {
            let _ = parse(input);
        }
    }
}
