//! Resolves a parsed query against one site and one viewer into a [`Compiled`] predicate.
//!
//! Every name and value is looked up once here (projects, statuses, users, options, dates),
//! so matching an issue only compares ids, numbers and pre-lower-cased needles.
//!
//! `NOT` is pushed down to the field clauses the way Jira's De Morgan visitor does it:
//! `NOT assignee = bob` is evaluated as `assignee != bob`, which (as in Jira) does not match
//! unassigned issues. `!=`, `not in`, `!~` and `is not` never match an empty field.

use super::ast::{Clause, Operand, Operator, Query, Terminal};
use super::dates::{eval_date_function, is_date_function, parse_date_value, week_starts_sunday};
use super::error::JqlError;
use super::fields::{self, FieldRef, System};
use super::lexer::looks_numeric;
use super::sort::{self, Sort};
use super::text::{Needle, eq_ci, fold};
use crate::sim::model::{Category, CustomKind, SiteData, Ts, User};

/// A query bound to a site and a viewer, ready to test issues and sort results.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// `None` when the query has no WHERE clause: every issue matches.
    pub(crate) pred: Option<Pred>,
    pub(crate) sorts: Vec<Sort>,
}

/// A boolean predicate over one issue.
#[derive(Debug, Clone)]
pub(crate) enum Pred {
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Leaf(Leaf),
}

/// How a set-valued clause treats a field: `negate` for `!=`/`not in`/`is not`/`!~`
/// (never true for an empty field), `empty` when EMPTY is among the wanted values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sem {
    pub empty: bool,
    pub negate: bool,
}

impl Sem {
    /// `present`: the field has a value; `hit`: one of the wanted values is there.
    #[inline]
    pub(crate) fn accept(self, present: bool, hit: impl FnOnce() -> bool) -> bool {
        if !present {
            self.empty && !self.negate
        } else if self.negate {
            !hit()
        } else {
            hit()
        }
    }
}

/// `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn of(op: Operator) -> Option<Cmp> {
        match op {
            Operator::Lt => Some(Cmp::Lt),
            Operator::Le => Some(Cmp::Le),
            Operator::Gt => Some(Cmp::Gt),
            Operator::Ge => Some(Cmp::Ge),
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn test<T: PartialOrd>(self, value: T, bound: T) -> bool {
        match self {
            Cmp::Lt => value < bound,
            Cmp::Le => value <= bound,
            Cmp::Gt => value > bound,
            Cmp::Ge => value >= bound,
        }
    }
}

/// A single-valued field holding an id or account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StrField {
    /// Compared to project keys, ignoring ASCII case.
    Project,
    Status,
    Priority,
    IssueType,
    Resolution,
    Assignee,
    Reporter,
    Creator,
    /// A user custom field, by field id.
    CustomUser(String),
}

/// A field holding an instant (due dates count as midnight UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeField {
    Created,
    Updated,
    Resolved,
    Due,
    Custom(String),
}

/// Which text a `~` clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextField {
    Summary,
    Description,
    Comment,
    /// `text`: summary, description and comments.
    All,
}

/// A resolved field clause. Value lists are small and compared linearly, except issue ids,
/// which are sorted for `key in (...)` with many keys.
#[derive(Debug, Clone)]
pub(crate) enum Leaf {
    Str {
        field: StrField,
        values: Vec<String>,
        sem: Sem,
    },
    Labels {
        values: Vec<String>,
        sem: Sem,
    },
    Select {
        field: String,
        options: Vec<(String, String)>,
        sem: Sem,
    },
    Issues {
        parent: bool,
        ids: Vec<u64>,
        sem: Sem,
    },
    KeyOrder {
        project: String,
        cmp: Cmp,
        number: u64,
    },
    IdOrder {
        cmp: Cmp,
        id: u64,
    },
    Time {
        field: TimeField,
        values: Vec<i64>,
        sem: Sem,
    },
    TimeOrder {
        field: TimeField,
        cmp: Cmp,
        at: i64,
    },
    Num {
        field: String,
        values: Vec<f64>,
        sem: Sem,
    },
    NumOrder {
        field: String,
        cmp: Cmp,
        value: f64,
    },
    Text {
        field: TextField,
        needles: Vec<Needle>,
        sem: Sem,
    },
}

/// Resolves field names and values for one viewer. Errors use Jira's wording; a project the
/// viewer may not browse is reported exactly like one that does not exist.
pub fn compile(
    query: &Query,
    data: &SiteData,
    viewer: &User,
    now: Ts,
) -> Result<Compiled, JqlError> {
    let ctx = Ctx {
        data,
        viewer,
        now,
        sunday: week_starts_sunday(&viewer.locale),
    };
    let pred = match &query.clause {
        Some(clause) => Some(ctx.clause(clause, false)?),
        None => None,
    };
    let sorts = sort::compile(&query.order_by, data)?;
    Ok(Compiled { pred, sorts })
}

struct Ctx<'a> {
    data: &'a SiteData,
    viewer: &'a User,
    now: Ts,
    sunday: bool,
}

/// A literal after functions are applied.
enum Lit<'o> {
    Text {
        text: &'o str,
        quoted: bool,
    },
    /// `currentUser()`.
    User(String),
    /// A date function's result.
    Time(Ts),
}

/// What a function in a clause may produce for the field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accepts {
    User,
    Date,
    Nothing,
}

impl Ctx<'_> {
    fn clause(&self, clause: &Clause, negated: bool) -> Result<Pred, JqlError> {
        match clause {
            Clause::And(items) | Clause::Or(items) => {
                let all = matches!(clause, Clause::And(_)) != negated;
                let mut preds = items
                    .iter()
                    .map(|c| self.clause(c, negated))
                    .collect::<Result<Vec<_>, _>>()?;
                // Cheap id comparisons first, text search last.
                preds.sort_by_key(cost);
                Ok(if all {
                    Pred::All(preds)
                } else {
                    Pred::Any(preds)
                })
            }
            Clause::Not(inner) => self.clause(inner, !negated),
            Clause::Terminal(t) => self.terminal(t, negated),
        }
    }

    fn terminal(&self, t: &Terminal, negated: bool) -> Result<Pred, JqlError> {
        let name = t.field.name.as_str();
        let field = fields::resolve(&t.field, self.data)?;
        let written = t.operator;
        // Jira checks the operand's shape before the operator: `summary in test` is reported
        // as a non-list value, `summary = test` as an unsupported operator.
        check_shape(written, &t.operand, name)?;
        if !fields::operators(field, self.data).contains(&written) {
            return Err(JqlError::operator_not_supported(name, written.as_str()));
        }
        let mut items = Vec::new();
        let has_empty = flatten(&t.operand, &mut items);
        let op = if negated { written.negated() } else { written };
        if has_empty && !fields::supports_empty(field) {
            return Err(JqlError::empty_not_supported(name));
        }
        if let Some(cmp) = Cmp::of(op) {
            if has_empty {
                return Err(JqlError::empty_not_ordered(name, written.as_str()));
            }
            return self.ordered(field, name, cmp, items.first().copied());
        }
        let sem = Sem {
            empty: has_empty,
            negate: matches!(
                op,
                Operator::NotEq | Operator::NotIn | Operator::IsNot | Operator::NotLike
            ),
        };
        self.set(field, name, &items, sem).map(Pred::Leaf)
    }

    /// `=`, `!=`, `in`, `not in`, `is`, `is not`, `~`, `!~`.
    fn set(
        &self,
        field: FieldRef,
        name: &str,
        items: &[&Operand],
        sem: Sem,
    ) -> Result<Leaf, JqlError> {
        let str_leaf = |field: StrField, values: Vec<String>| Leaf::Str { field, values, sem };
        let system = match field {
            FieldRef::System(s) => s,
            FieldRef::Custom(index) => return self.custom_set(index, name, items, sem),
        };
        Ok(match system {
            System::Project => str_leaf(
                StrField::Project,
                self.each(items, name, Accepts::Nothing, |l| self.project(l, name))?,
            ),
            System::Status => str_leaf(
                StrField::Status,
                self.each(items, name, Accepts::Nothing, |l| self.status(l, name))?,
            ),
            System::StatusCategory => str_leaf(
                StrField::Status,
                self.each(items, name, Accepts::Nothing, |l| self.category(l, name))?,
            ),
            System::Priority => str_leaf(
                StrField::Priority,
                self.each(items, name, Accepts::Nothing, |l| self.priority(l, name))?,
            ),
            System::IssueType => str_leaf(
                StrField::IssueType,
                self.each(items, name, Accepts::Nothing, |l| self.issue_type(l, name))?,
            ),
            System::Resolution => {
                let mut sem = sem;
                let mut values = Vec::new();
                for item in items {
                    match self.literal(item, name, Accepts::Nothing)? {
                        Lit::Text { text, quoted } => {
                            match self.named(&self.data.resolutions, |r| (&r.id, &r.name), text) {
                                ids if !ids.is_empty() => values.extend(ids),
                                // Jira's `resolution = Unresolved` means no resolution.
                                _ if eq_ci(text, "unresolved") => sem.empty = true,
                                _ => return Err(not_found(name, text, quoted)),
                            }
                        }
                        _ => return Err(JqlError::value_not_found(name, &item.display())),
                    }
                }
                Leaf::Str {
                    field: StrField::Resolution,
                    values,
                    sem,
                }
            }
            System::Assignee => str_leaf(
                StrField::Assignee,
                self.each(items, name, Accepts::User, |l| self.users(l, name))?,
            ),
            System::Reporter => str_leaf(
                StrField::Reporter,
                self.each(items, name, Accepts::User, |l| self.users(l, name))?,
            ),
            System::Creator => str_leaf(
                StrField::Creator,
                self.each(items, name, Accepts::User, |l| self.users(l, name))?,
            ),
            System::Labels => {
                let values = self.each(items, name, Accepts::Nothing, |l| match l {
                    Lit::Text { text, .. } => Ok(vec![fold(text)]),
                    _ => Ok(Vec::new()),
                })?;
                Leaf::Labels { values, sem }
            }
            System::Key | System::Parent => {
                let mut ids = self.each(items, name, Accepts::Nothing, |l| {
                    self.issue(l, name).map(|id| vec![id])
                })?;
                ids.sort_unstable();
                ids.dedup();
                Leaf::Issues {
                    parent: system == System::Parent,
                    ids,
                    sem,
                }
            }
            System::Summary | System::Description | System::Comment | System::Text => {
                let text_field = match system {
                    System::Summary => TextField::Summary,
                    System::Description => TextField::Description,
                    System::Comment => TextField::Comment,
                    _ => TextField::All,
                };
                let needles = match items.first() {
                    None => Vec::new(),
                    Some(item) => match self.literal(item, name, Accepts::Nothing)? {
                        Lit::Text { text, .. } => needles(text, name)?,
                        _ => return Err(JqlError::empty_string_not_supported(name)),
                    },
                };
                Leaf::Text {
                    field: text_field,
                    needles,
                    sem,
                }
            }
            System::Created | System::Updated | System::DueDate | System::ResolutionDate => {
                let values = self.each(items, name, Accepts::Date, |l| {
                    self.time(l, name).map(|t| vec![t])
                })?;
                Leaf::Time {
                    field: time_field(system),
                    values,
                    sem,
                }
            }
        })
    }

    fn custom_set(
        &self,
        index: usize,
        name: &str,
        items: &[&Operand],
        sem: Sem,
    ) -> Result<Leaf, JqlError> {
        let Some(cf) = self.data.custom_fields.get(index) else {
            return Err(JqlError::unknown_field(name));
        };
        let id = cf.id.clone();
        Ok(match cf.kind {
            CustomKind::Number => {
                let values = self.each(items, name, Accepts::Nothing, |l| {
                    number(l, name).map(|n| vec![n])
                })?;
                Leaf::Num {
                    field: id,
                    values,
                    sem,
                }
            }
            CustomKind::Date => {
                let values = self.each(items, name, Accepts::Date, |l| {
                    self.time(l, name).map(|t| vec![t])
                })?;
                Leaf::Time {
                    field: TimeField::Custom(id),
                    values,
                    sem,
                }
            }
            CustomKind::User => {
                let values = self.each(items, name, Accepts::User, |l| self.users(l, name))?;
                Leaf::Str {
                    field: StrField::CustomUser(id),
                    values,
                    sem,
                }
            }
            CustomKind::Select => {
                let options = self.each(items, name, Accepts::Nothing, |l| match l {
                    Lit::Text { text, .. } => {
                        let found: Vec<(String, String)> = cf
                            .options
                            .iter()
                            .filter(|(oid, value)| oid == text || eq_ci(value, text))
                            .cloned()
                            .collect();
                        if found.is_empty() {
                            Err(JqlError::option_not_found(name, text))
                        } else {
                            Ok(found)
                        }
                    }
                    _ => Ok(Vec::new()),
                })?;
                Leaf::Select {
                    field: id,
                    options,
                    sem,
                }
            }
        })
    }

    /// `<`, `<=`, `>`, `>=` against a single value.
    fn ordered(
        &self,
        field: FieldRef,
        name: &str,
        cmp: Cmp,
        item: Option<&Operand>,
    ) -> Result<Pred, JqlError> {
        let Some(item) = item else {
            return Err(JqlError::empty_not_ordered(name, "<"));
        };
        let leaf = match field {
            FieldRef::System(System::Priority) => {
                let ids = self.priority(self.literal(item, name, Accepts::Nothing)?, name)?;
                let rank = ids
                    .first()
                    .and_then(|id| self.data.priority(id))
                    .map_or(0, |p| i32::from(p.rank));
                // Rank 1 is the highest priority, so "greater" means a smaller rank.
                let values = self
                    .data
                    .priorities
                    .iter()
                    .filter(|p| cmp.test(-i32::from(p.rank), -rank))
                    .map(|p| p.id.clone())
                    .collect();
                Leaf::Str {
                    field: StrField::Priority,
                    values,
                    sem: Sem {
                        empty: false,
                        negate: false,
                    },
                }
            }
            FieldRef::System(System::Key) => match self.literal(item, name, Accepts::Nothing)? {
                Lit::Text { text, .. } if looks_numeric(text) => match text.parse::<u64>() {
                    Ok(id) => Leaf::IdOrder { cmp, id },
                    Err(_) => return Err(JqlError::invalid_issue_key(name, text)),
                },
                lit => {
                    let id = self.issue(lit, name)?;
                    let issue = self
                        .data
                        .issues
                        .get(&id)
                        .ok_or_else(|| JqlError::unknown_field(name))?;
                    Leaf::KeyOrder {
                        project: issue.project.clone(),
                        cmp,
                        number: issue.number,
                    }
                }
            },
            FieldRef::System(
                s @ (System::Created | System::Updated | System::DueDate | System::ResolutionDate),
            ) => {
                let at = self.time(self.literal(item, name, Accepts::Date)?, name)?;
                Leaf::TimeOrder {
                    field: time_field(s),
                    cmp,
                    at,
                }
            }
            FieldRef::Custom(index) => {
                let cf = self
                    .data
                    .custom_fields
                    .get(index)
                    .ok_or_else(|| JqlError::unknown_field(name))?;
                match cf.kind {
                    CustomKind::Number => {
                        let value = number(self.literal(item, name, Accepts::Nothing)?, name)?;
                        Leaf::NumOrder {
                            field: cf.id.clone(),
                            cmp,
                            value,
                        }
                    }
                    CustomKind::Date => {
                        let at = self.time(self.literal(item, name, Accepts::Date)?, name)?;
                        Leaf::TimeOrder {
                            field: TimeField::Custom(cf.id.clone()),
                            cmp,
                            at,
                        }
                    }
                    CustomKind::Select | CustomKind::User => {
                        return Err(JqlError::operator_not_supported(name, "<"));
                    }
                }
            }
            FieldRef::System(_) => return Err(JqlError::operator_not_supported(name, "<")),
        };
        Ok(Pred::Leaf(leaf))
    }

    /// Resolves every operand of a list and concatenates the results.
    fn each<T>(
        &self,
        items: &[&Operand],
        name: &str,
        accepts: Accepts,
        mut resolve: impl FnMut(Lit<'_>) -> Result<Vec<T>, JqlError>,
    ) -> Result<Vec<T>, JqlError> {
        let mut out = Vec::new();
        for item in items {
            out.extend(resolve(self.literal(item, name, accepts)?)?);
        }
        Ok(out)
    }

    /// Applies functions; plain values pass through.
    fn literal<'o>(
        &self,
        operand: &'o Operand,
        field: &str,
        accepts: Accepts,
    ) -> Result<Lit<'o>, JqlError> {
        match operand {
            Operand::Value { text, quoted } => Ok(Lit::Text {
                text,
                quoted: *quoted,
            }),
            Operand::Function { name, args } => {
                if name.eq_ignore_ascii_case("currentUser") {
                    if !args.is_empty() {
                        return Err(JqlError::function_arity(name, 0, 0, args.len()));
                    }
                    if accepts != Accepts::User {
                        return Err(JqlError::function_wrong_field(name, field));
                    }
                    return Ok(Lit::User(self.viewer.account_id.clone()));
                }
                if is_date_function(name) {
                    let at = eval_date_function(name, args, self.now, self.sunday)?;
                    if accepts != Accepts::Date {
                        return Err(JqlError::function_wrong_field(name, field));
                    }
                    return Ok(Lit::Time(at));
                }
                Err(JqlError::unknown_function(name))
            }
            // Lists are flattened and EMPTY filtered out before literals are read.
            Operand::Empty | Operand::List(_) => Err(JqlError::empty_not_supported(field)),
        }
    }

    fn project(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let (text, quoted) = text_of(&lit, name)?;
        let viewer = self.viewer;
        self.data
            .projects
            .iter()
            .find(|p| {
                (viewer.admin || !p.admin_only)
                    && (p.key.eq_ignore_ascii_case(text) || p.id == text || eq_ci(&p.name, text))
            })
            .map(|p| vec![p.key.clone()])
            .ok_or_else(|| not_found(name, text, quoted))
    }

    fn status(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let (text, quoted) = text_of(&lit, name)?;
        let ids = self.named(&self.data.statuses, |s| (&s.id, &s.name), text);
        if ids.is_empty() {
            Err(not_found(name, text, quoted))
        } else {
            Ok(ids)
        }
    }

    fn priority(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let (text, quoted) = text_of(&lit, name)?;
        let ids = self.named(&self.data.priorities, |p| (&p.id, &p.name), text);
        if ids.is_empty() {
            Err(not_found(name, text, quoted))
        } else {
            Ok(ids)
        }
    }

    fn issue_type(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let (text, quoted) = text_of(&lit, name)?;
        let ids = self.named(&self.data.issue_types, |t| (&t.id, &t.name), text);
        if ids.is_empty() {
            Err(not_found(name, text, quoted))
        } else {
            Ok(ids)
        }
    }

    /// Status ids of the statuses in a category given by name, key or id.
    fn category(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let (text, quoted) = text_of(&lit, name)?;
        let category = Category::ALL
            .into_iter()
            .find(|c| {
                eq_ci(c.name(), text)
                    || eq_ci(c.key(), text)
                    || text.parse::<u32>().ok() == Some(c.id())
            })
            .ok_or_else(|| not_found(name, text, quoted))?;
        Ok(self
            .data
            .statuses
            .iter()
            .filter(|s| s.category == category)
            .map(|s| s.id.clone())
            .collect())
    }

    /// Account ids by account id, email or display name (case-insensitive), or `currentUser()`.
    fn users(&self, lit: Lit<'_>, name: &str) -> Result<Vec<String>, JqlError> {
        let text = match lit {
            Lit::User(account_id) => return Ok(vec![account_id]),
            Lit::Text { text, .. } => text,
            Lit::Time(_) => return Err(JqlError::function_wrong_field("now", name)),
        };
        let ids: Vec<String> = self
            .data
            .users
            .iter()
            .filter(|u| {
                u.account_id.eq_ignore_ascii_case(text)
                    || u.email.eq_ignore_ascii_case(text)
                    || eq_ci(&u.display_name, text)
            })
            .map(|u| u.account_id.clone())
            .collect();
        if ids.is_empty() {
            Err(JqlError::value_not_found(name, text))
        } else {
            Ok(ids)
        }
    }

    /// An issue the viewer may browse, by key (old keys of moved issues too) or numeric id.
    fn issue(&self, lit: Lit<'_>, name: &str) -> Result<u64, JqlError> {
        let (text, _) = text_of(&lit, name)?;
        let text = text.trim();
        let numeric = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !numeric && !looks_like_key(text) {
            return Err(JqlError::invalid_issue_key(name, text));
        }
        self.data
            .issue_id(text)
            .and_then(|id| self.data.issues.get(&id))
            .filter(|issue| self.data.can_browse(self.viewer, &issue.project))
            .map(|issue| issue.id)
            .ok_or_else(|| {
                if numeric {
                    JqlError::id_not_found(name, text)
                } else {
                    JqlError::issue_not_found(name, text)
                }
            })
    }

    fn time(&self, lit: Lit<'_>, name: &str) -> Result<i64, JqlError> {
        match lit {
            Lit::Time(at) => Ok(at.timestamp_millis()),
            Lit::Text { text, .. } => parse_date_value(text, self.now)
                .map(|t| t.timestamp_millis())
                .ok_or_else(|| JqlError::invalid_date(name, text)),
            Lit::User(_) => Err(JqlError::function_wrong_field("currentUser", name)),
        }
    }

    /// Ids of entries whose name (case-insensitive) or id equals `text`.
    fn named<T>(
        &self,
        list: &[T],
        parts: impl Fn(&T) -> (&String, &String),
        text: &str,
    ) -> Vec<String> {
        list.iter()
            .filter(|item| {
                let (id, name) = parts(item);
                id == text || eq_ci(name, text)
            })
            .map(|item| parts(item).0.clone())
            .collect()
    }
}

/// The text of a literal, or the right error for a function result where a value was needed.
fn text_of<'l>(lit: &'l Lit<'_>, field: &str) -> Result<(&'l str, bool), JqlError> {
    match lit {
        Lit::Text { text, quoted } => Ok((text, *quoted)),
        Lit::User(_) => Err(JqlError::function_wrong_field("currentUser", field)),
        Lit::Time(_) => Err(JqlError::function_wrong_field("now", field)),
    }
}

/// Jira names bare numbers as ids in its "does not exist" errors.
fn not_found(field: &str, text: &str, quoted: bool) -> JqlError {
    if !quoted && looks_numeric(text) {
        JqlError::id_not_found(field, text)
    } else {
        JqlError::value_not_found(field, text)
    }
}

fn number(lit: Lit<'_>, field: &str) -> Result<f64, JqlError> {
    let (text, _) = text_of(&lit, field)?;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| JqlError::invalid_number(field, text))
}

/// `ABC-123`: a letter, then letters, digits or underscores, a dash and a number.
fn looks_like_key(text: &str) -> bool {
    let Some((project, number)) = text.rsplit_once('-') else {
        return false;
    };
    project
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !number.is_empty()
        && number.len() <= 18
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn time_field(system: System) -> TimeField {
    match system {
        System::Updated => TimeField::Updated,
        System::DueDate => TimeField::Due,
        System::ResolutionDate => TimeField::Resolved,
        _ => TimeField::Created,
    }
}

/// Checks the operand form against the operator: lists only with `in`/`not in`, EMPTY only
/// with `is`/`is not` (which need it).
fn check_shape(op: Operator, operand: &Operand, field: &str) -> Result<(), JqlError> {
    let is_list = matches!(operand, Operand::List(_));
    match op {
        Operator::In | Operator::NotIn if !is_list => Err(JqlError::non_list_not_supported(
            op.as_str(),
            &operand.display(),
            field,
        )),
        Operator::Is | Operator::IsNot if !matches!(operand, Operand::Empty) => Err(
            JqlError::is_needs_empty(field, op.as_str(), &operand.display()),
        ),
        Operator::In | Operator::NotIn | Operator::Is | Operator::IsNot => Ok(()),
        _ if is_list => Err(JqlError::list_not_supported(
            op.as_str(),
            &operand.display(),
            field,
        )),
        _ => Ok(()),
    }
}

/// Collects the non-EMPTY operands (flattening nested lists); true if EMPTY was among them.
fn flatten<'o>(operand: &'o Operand, out: &mut Vec<&'o Operand>) -> bool {
    match operand {
        Operand::Empty => true,
        Operand::List(items) => items
            .iter()
            .fold(false, |empty, item| flatten(item, out) | empty),
        other => {
            out.push(other);
            false
        }
    }
}

/// Splits a text query into lower-cased needles: words, or `"quoted phrases"` kept whole.
/// A trailing `*` (prefix wildcard) is dropped; a leading `*` or `?` is refused like Jira.
/// A backslash escapes the next character, as in Jira's (Lucene) text syntax: clients escape
/// `+ - & | ! ( ) { } [ ] ^ ~ * ? \ : " /` to search for them literally.
fn needles(query: &str, field: &str) -> Result<Vec<Needle>, JqlError> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(first) = chars.next() else {
            break;
        };
        if first == '"' {
            let mut phrase = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => phrase.extend(chars.next()),
                    '"' => break,
                    c => phrase.push(c),
                }
            }
            let phrase = phrase.trim();
            if !phrase.is_empty() {
                out.push(Needle::new(phrase));
            }
            continue;
        }
        if matches!(first, '*' | '?') {
            return Err(JqlError::wildcard_start(field, query));
        }
        let mut word = String::new();
        // A trailing unescaped `*` is a prefix wildcard; an escaped one is a literal star.
        let mut trailing_wildcard = 0usize;
        let mut next = Some(first);
        while let Some(c) = next {
            match c {
                '\\' => {
                    word.extend(chars.next());
                    trailing_wildcard = 0;
                }
                '*' => {
                    word.push('*');
                    trailing_wildcard += 1;
                }
                c => {
                    word.push(c);
                    trailing_wildcard = 0;
                }
            }
            next = chars.next_if(|c| !c.is_whitespace() && *c != '"');
        }
        word.truncate(word.len() - trailing_wildcard);
        if !word.is_empty() {
            out.push(Needle::new(&word));
        }
    }
    if out.is_empty() {
        return Err(JqlError::empty_string_not_supported(field));
    }
    Ok(out)
}

/// Evaluation order inside AND/OR: text search is the expensive part.
fn cost(pred: &Pred) -> u8 {
    match pred {
        Pred::Leaf(Leaf::Text { .. }) => 3,
        Pred::Leaf(Leaf::Select { .. } | Leaf::Num { .. } | Leaf::NumOrder { .. }) => 1,
        Pred::Leaf(Leaf::Time {
            field: TimeField::Custom(_),
            ..
        })
        | Pred::Leaf(Leaf::TimeOrder {
            field: TimeField::Custom(_),
            ..
        }) => 1,
        Pred::Leaf(_) => 0,
        Pred::All(items) | Pred::Any(items) => {
            items.iter().map(cost).max().unwrap_or(0).saturating_add(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_escapes_make_special_characters_literal() {
        let texts = |query: &str| -> Option<Vec<String>> {
            let found = needles(query, "summary").ok()?;
            Some(found.iter().map(|n| n.as_str().to_owned()).collect())
        };
        assert_eq!(
            texts(r"C\+\+ foo\-bar"),
            Some(vec!["c++".to_owned(), "foo-bar".to_owned()])
        );
        assert_eq!(
            texts(r#"say \"hi\""#),
            Some(vec!["say".to_owned(), "\"hi\"".to_owned()])
        );
        assert_eq!(texts(r"2\*3*"), Some(vec!["2*3".to_owned()]));
    }

    #[test]
    fn text_queries_split_into_words_and_phrases() {
        let texts = |query: &str| -> Option<Vec<String>> {
            let found = needles(query, "summary").ok()?;
            Some(found.iter().map(|n| n.as_str().to_owned()).collect())
        };
        assert_eq!(
            texts(r#"Login  "Exact Phrase" win* ログイン"#),
            Some(vec![
                "login".to_owned(),
                "exact phrase".to_owned(),
                "win".to_owned(),
                "ログイン".to_owned()
            ])
        );
        assert_eq!(
            texts(r#""unclosed phrase"#),
            Some(vec!["unclosed phrase".to_owned()])
        );
    }

    #[test]
    fn empty_and_leading_wildcard_text_queries_are_refused() {
        assert_eq!(
            needles("  ", "summary")
                .err()
                .map(|e| e.message().to_owned())
                .as_deref(),
            Some("The field 'summary' does not support searching for an empty string.")
        );
        assert!(needles("*", "summary").is_err());
        assert!(needles("\"\"", "summary").is_err());
        assert!(
            needles("*bug", "summary")
                .err()
                .is_some_and(|e| e.message().contains("are not allowed as first character"))
        );
    }

    #[test]
    fn issue_keys_are_recognised_by_shape() {
        assert!(looks_like_key("DEMO-12"));
        assert!(looks_like_key("ab_1-3"));
        assert!(!looks_like_key("DEMO"));
        assert!(!looks_like_key("1A-3"));
        assert!(!looks_like_key("DEMO-"));
        assert!(!looks_like_key("DEMO-99999999999999999999"));
    }

    #[test]
    fn sem_never_matches_an_empty_field_when_negated() {
        let negate = Sem {
            empty: true,
            negate: true,
        };
        assert!(!negate.accept(false, || false));
        assert!(negate.accept(true, || false));
        let with_empty = Sem {
            empty: true,
            negate: false,
        };
        assert!(with_empty.accept(false, || false));
        assert!(
            !Sem {
                empty: false,
                negate: false
            }
            .accept(false, || true)
        );
    }
}
