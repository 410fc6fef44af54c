//! `IssueFilter` and `IssueOrder`: typed search input turned into JQL by one builder that
//! quotes and escapes every value, so no filter value can change the structure of the query.

use async_graphql::{Enum, InputObject};
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::error::GqlError;
use crate::jira::jql::{Direction, JqlBuilder, JqlField};

/// Status categories as clients name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum StatusCategoryFilter {
    ToDo,
    InProgress,
    Done,
}

/// A date bound: a day (`2026-01-31`) or an instant (RFC 3339).
#[derive(Debug, Clone, Default, InputObject)]
pub struct DateRange {
    /// On or after this day.
    pub from: Option<NaiveDate>,
    /// Before this day (exclusive).
    pub to: Option<NaiveDate>,
    /// At or after this instant.
    pub after: Option<DateTime<FixedOffset>>,
    /// Before this instant.
    pub before: Option<DateTime<FixedOffset>>,
}

/// Structured search. Every list is OR within itself; different fields are ANDed.
#[derive(Debug, Clone, Default, InputObject)]
pub struct IssueFilter {
    pub project_keys: Option<Vec<String>>,
    pub statuses: Option<Vec<String>>,
    pub status_categories: Option<Vec<StatusCategoryFilter>>,
    pub priorities: Option<Vec<String>>,
    /// Account ids; `"me"` for the caller, `"unassigned"` for no assignee.
    pub assignees: Option<Vec<String>>,
    /// Account ids; `"me"` for the caller.
    pub reporters: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
    pub issue_types: Option<Vec<String>>,
    /// Full-text search over summary, description and comments.
    pub text: Option<String>,
    pub created: Option<DateRange>,
    pub updated: Option<DateRange>,
    pub due: Option<DateRange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum IssueOrderField {
    Created,
    Updated,
    Priority,
    Key,
    DueDate,
    Status,
    Summary,
    Assignee,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum OrderDirection {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, InputObject)]
pub struct IssueOrder {
    pub field: IssueOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

fn values(list: &Option<Vec<String>>) -> Option<Vec<&str>> {
    list.as_ref()
        .map(|l| {
            l.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty())
}

fn dates(mut builder: JqlBuilder, field: JqlField, range: &Option<DateRange>) -> JqlBuilder {
    let Some(range) = range else { return builder };
    if let Some(from) = range.from {
        builder = builder.date_gte(field, from);
    }
    if let Some(to) = range.to {
        builder = builder.date_lt(field, to);
    }
    // JQL has minute precision in the site's time zone; instants are sent in UTC.
    if let Some(after) = range.after {
        builder = builder.date_gte(field, after.naive_utc());
    }
    if let Some(before) = range.before {
        builder = builder.date_lt(field, before.naive_utc());
    }
    builder
}

fn people(builder: JqlBuilder, field: JqlField, ids: &[&str]) -> JqlBuilder {
    let me = ids.iter().any(|id| id.eq_ignore_ascii_case("me"));
    let unassigned = ids.iter().any(|id| id.eq_ignore_ascii_case("unassigned"));
    let accounts: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !id.eq_ignore_ascii_case("me") && !id.eq_ignore_ascii_case("unassigned"))
        .collect();
    let mut alternatives = Vec::new();
    if me {
        alternatives.push(JqlBuilder::new().is_current_user(field));
    }
    if unassigned {
        alternatives.push(JqlBuilder::new().is_empty(field));
    }
    if !accounts.is_empty() {
        alternatives.push(JqlBuilder::new().in_list(field, accounts));
    }
    builder.any_of(alternatives)
}

impl IssueFilter {
    /// Adds this filter's clauses to `builder`.
    pub fn apply(&self, mut builder: JqlBuilder) -> JqlBuilder {
        if let Some(v) = values(&self.project_keys) {
            builder = builder.in_list(JqlField::Project, v);
        }
        if let Some(v) = values(&self.statuses) {
            builder = builder.in_list(JqlField::Status, v);
        }
        if let Some(categories) = self.status_categories.as_ref().filter(|c| !c.is_empty()) {
            let names: Vec<&str> = categories
                .iter()
                .map(|c| match c {
                    StatusCategoryFilter::ToDo => "To Do",
                    StatusCategoryFilter::InProgress => "In Progress",
                    StatusCategoryFilter::Done => "Done",
                })
                .collect();
            builder = builder.in_list(JqlField::StatusCategory, names);
        }
        if let Some(v) = values(&self.priorities) {
            builder = builder.in_list(JqlField::Priority, v);
        }
        if let Some(v) = values(&self.assignees) {
            builder = people(builder, JqlField::Assignee, &v);
        }
        if let Some(v) = values(&self.reporters) {
            builder = people(builder, JqlField::Reporter, &v);
        }
        if let Some(v) = values(&self.labels) {
            builder = builder.in_list(JqlField::Labels, v);
        }
        if let Some(v) = values(&self.issue_types) {
            builder = builder.in_list(JqlField::IssueType, v);
        }
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            builder = builder.contains_text(JqlField::Text, text);
        }
        builder = dates(builder, JqlField::Created, &self.created);
        builder = dates(builder, JqlField::Updated, &self.updated);
        dates(builder, JqlField::DueDate, &self.due)
    }
}

pub fn order(mut builder: JqlBuilder, order_by: &[IssueOrder]) -> JqlBuilder {
    for o in order_by {
        let field = match o.field {
            IssueOrderField::Created => JqlField::Created,
            IssueOrderField::Updated => JqlField::Updated,
            IssueOrderField::Priority => JqlField::Priority,
            IssueOrderField::Key => JqlField::IssueKey,
            IssueOrderField::DueDate => JqlField::DueDate,
            IssueOrderField::Status => JqlField::Status,
            IssueOrderField::Summary => JqlField::Summary,
            IssueOrderField::Assignee => JqlField::Assignee,
        };
        let direction = match o.direction {
            OrderDirection::Asc => Direction::Asc,
            OrderDirection::Desc => Direction::Desc,
        };
        builder = builder.order_by(field, direction);
    }
    builder
}

/// True when `jql` has an ORDER BY outside quoted strings.
fn has_order_by(jql: &str) -> bool {
    let mut outside = String::with_capacity(jql.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in jql.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None => outside.push(c.to_ascii_lowercase()),
        }
    }
    outside
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w == ["order", "by"])
}

/// The JQL for `issues(jql, filter, orderBy)`: the caller's JQL (parenthesised) ANDed with the
/// filter, then the ordering.
pub fn build_jql(
    jql: Option<&str>,
    filter: Option<&IssueFilter>,
    order_by: &[IssueOrder],
) -> Result<String, GqlError> {
    let jql = jql.map(str::trim).filter(|j| !j.is_empty());
    let filter_builder = filter.map(|f| f.apply(JqlBuilder::new()));
    let has_filter = filter_builder.as_ref().is_some_and(JqlBuilder::has_clauses);
    match (jql, has_filter) {
        (None, false) => Err(GqlError::BadUserInput("Give `jql` or a non-empty `filter`: Jira refuses unbounded searches.".into())),
        (Some(jql), false) if order_by.is_empty() => Ok(jql.to_string()),
        (Some(jql), _) if has_order_by(jql) => Err(GqlError::BadUserInput(
            "Move ORDER BY from `jql` into `orderBy` when combining `jql` with `filter` or `orderBy`.".into(),
        )),
        (jql, _) => {
            let builder = order(filter_builder.unwrap_or_default(), order_by);
            let built = if has_filter || jql.is_none() {
                builder.build().map_err(|e| GqlError::BadUserInput(e.to_string()))?
            } else {
                String::new()
            };
            Ok(match jql {
                None => built,
                Some(jql) => {
                    let (clauses, order) = split_order(&built);
                    let mut out = format!("({jql})");
                    if !clauses.is_empty() {
                        out.push_str(&format!(" AND {clauses}"));
                    }
                    if order.is_empty() && !order_by.is_empty() {
                        let ordered = order_only(order_by);
                        out.push_str(&ordered);
                    } else {
                        out.push_str(order);
                    }
                    out
                }
            })
        }
    }
}

/// Splits builder output into its clauses and its ` ORDER BY ...` tail.
fn split_order(built: &str) -> (&str, &str) {
    match built.find(" ORDER BY ") {
        Some(i) => (&built[..i], &built[i..]),
        None if built.starts_with("ORDER BY ") => ("", built),
        None => (built, ""),
    }
}

fn order_only(order_by: &[IssueOrder]) -> String {
    // The builder refuses an unbounded query, so give it a clause and keep only the tail.
    let built = order(JqlBuilder::new().is_not_empty(JqlField::Created), order_by)
        .build()
        .unwrap_or_default();
    split_order(&built).1.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_filter_values_stay_inside_their_quotes() {
        let filter = IssueFilter {
            project_keys: Some(vec!["x\" OR project = SEC".into()]),
            labels: Some(vec!["a) OR (b".into()]),
            ..Default::default()
        };
        let jql = build_jql(None, Some(&filter), &[]).expect("builds");
        // A real JQL parser sees two clauses whose values are the hostile strings, unchanged.
        let parsed = crate::sim::jql::parse(&jql).expect("valid JQL");
        let structure = crate::sim::jql::structure(&parsed);
        let clauses = structure["where"]["clauses"]
            .as_array()
            .expect("an AND of clauses");
        assert_eq!(clauses.len(), 2, "{structure}");
        assert_eq!(clauses[0]["field"]["name"], "project");
        assert_eq!(
            clauses[0]["operand"]["values"][0]["value"],
            "x\" OR project = SEC"
        );
        assert_eq!(clauses[1]["operand"]["values"][0]["value"], "a) OR (b");
    }

    #[test]
    fn jql_and_filter_are_combined_with_the_caller_jql_parenthesised() {
        let filter = IssueFilter {
            statuses: Some(vec!["Done".into()]),
            ..Default::default()
        };
        let order = [IssueOrder {
            field: IssueOrderField::Key,
            direction: OrderDirection::Desc,
        }];
        let jql = build_jql(
            Some("project = DEMO OR project = OPS"),
            Some(&filter),
            &order,
        )
        .expect("builds");
        assert!(
            jql.starts_with("(project = DEMO OR project = OPS) AND "),
            "{jql}"
        );
        assert!(jql.ends_with("DESC"), "{jql}");
    }

    #[test]
    fn an_order_by_inside_quotes_is_not_an_order_by() {
        assert!(!has_order_by(r#"summary ~ "order by""#));
        assert!(has_order_by("project = A order  by key"));
    }

    #[test]
    fn nothing_to_search_is_bad_input() {
        assert!(build_jql(None, Some(&IssueFilter::default()), &[]).is_err());
        assert!(build_jql(Some("  "), None, &[]).is_err());
    }
}
