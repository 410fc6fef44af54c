//! Matching one issue against a compiled query, without allocating.

use chrono::{DateTime, NaiveDate, NaiveTime};
use serde_json::Value;

use super::compile::{Compiled, Leaf, Pred, StrField, TextField, TimeField};
use super::text::{Needle, eq_ci};
use crate::sim::model::{Issue, SiteData};

impl Compiled {
    /// Whether the issue satisfies the WHERE clause (always true without one). Visibility is
    /// not checked here: callers filter by `SiteData::can_browse` (as [`search`](super::search)
    /// does). Also used for webhook `jqlFilter`s.
    pub fn matches(&self, issue: &Issue, _data: &SiteData) -> bool {
        self.pred.as_ref().is_none_or(|pred| pred.eval(issue))
    }
}

impl Pred {
    fn eval(&self, issue: &Issue) -> bool {
        match self {
            Pred::All(items) => items.iter().all(|p| p.eval(issue)),
            Pred::Any(items) => items.iter().any(|p| p.eval(issue)),
            Pred::Leaf(leaf) => leaf.eval(issue),
        }
    }
}

impl Leaf {
    fn eval(&self, issue: &Issue) -> bool {
        match self {
            Leaf::Str { field, values, sem } => {
                if let StrField::CustomUser(id) = field {
                    let value = issue.custom.get(id).unwrap_or(&Value::Null);
                    return sem.accept(json_present(value), || {
                        json_any(value, |v| {
                            user_id(v).is_some_and(|a| values.iter().any(|w| w == a))
                        })
                    });
                }
                let value = str_value(field, issue);
                sem.accept(value.is_some(), || {
                    value.is_some_and(|v| match field {
                        StrField::Project => values.iter().any(|w| w.eq_ignore_ascii_case(v)),
                        _ => values.iter().any(|w| w == v),
                    })
                })
            }
            Leaf::Labels { values, sem } => sem.accept(!issue.labels.is_empty(), || {
                issue
                    .labels
                    .iter()
                    .any(|label| values.iter().any(|w| eq_ci(label, w)))
            }),
            Leaf::Select {
                field,
                options,
                sem,
            } => {
                let value = issue.custom.get(field).unwrap_or(&Value::Null);
                sem.accept(json_present(value), || {
                    json_any(value, |v| {
                        options.iter().any(|(id, name)| option_is(v, id, name))
                    })
                })
            }
            Leaf::Issues { parent, ids, sem } => {
                let id = if *parent {
                    issue.parent
                } else {
                    Some(issue.id)
                };
                sem.accept(id.is_some(), || {
                    id.is_some_and(|id| ids.binary_search(&id).is_ok())
                })
            }
            Leaf::KeyOrder {
                project,
                cmp,
                number,
            } => issue.project.eq_ignore_ascii_case(project) && cmp.test(issue.number, *number),
            Leaf::IdOrder { cmp, id } => cmp.test(issue.id, *id),
            Leaf::Time { field, values, sem } => {
                let at = time_value(field, issue);
                sem.accept(at.is_some(), || at.is_some_and(|t| values.contains(&t)))
            }
            Leaf::TimeOrder { field, cmp, at } => {
                time_value(field, issue).is_some_and(|t| cmp.test(t, *at))
            }
            Leaf::Num { field, values, sem } => {
                let n = issue.custom.get(field).and_then(number_value);
                sem.accept(n.is_some(), || n.is_some_and(|n| values.contains(&n)))
            }
            Leaf::NumOrder { field, cmp, value } => issue
                .custom
                .get(field)
                .and_then(number_value)
                .is_some_and(|n| cmp.test(n, *value)),
            Leaf::Text {
                field,
                needles,
                sem,
            } => text_leaf(*field, needles, *sem, issue),
        }
    }
}

fn str_value<'i>(field: &StrField, issue: &'i Issue) -> Option<&'i str> {
    match field {
        StrField::Project => Some(&issue.project),
        StrField::Status => Some(&issue.status),
        StrField::Priority => issue.priority.as_deref(),
        StrField::IssueType => Some(&issue.issue_type),
        StrField::Resolution => issue.resolution.as_deref(),
        StrField::Assignee => issue.assignee.as_deref(),
        StrField::Reporter => issue.reporter.as_deref(),
        StrField::Creator => Some(&issue.creator),
        StrField::CustomUser(_) => None,
    }
}

/// Milliseconds since the epoch; due dates (and date-only custom values) count as midnight UTC.
fn time_value(field: &TimeField, issue: &Issue) -> Option<i64> {
    match field {
        TimeField::Created => Some(issue.created.timestamp_millis()),
        TimeField::Updated => Some(issue.updated.timestamp_millis()),
        TimeField::Resolved => issue.resolution_date.map(|t| t.timestamp_millis()),
        TimeField::Due => issue.due_date.map(midnight),
        TimeField::Custom(id) => issue
            .custom
            .get(id)
            .and_then(Value::as_str)
            .and_then(parse_json_time),
    }
}

fn midnight(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// `2024-01-15`, `2024-01-15T10:30:00.000+0000` (Jira's format) or RFC 3339.
pub(crate) fn parse_json_time(text: &str) -> Option<i64> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(midnight(date));
    }
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.timestamp_millis())
}

fn number_value(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A custom value counts as set unless it is null, an empty string or an empty array.
fn json_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(json_present),
        _ => true,
    }
}

/// Tests each element of an array value, or the value itself.
fn json_any(value: &Value, mut test: impl FnMut(&Value) -> bool) -> bool {
    match value {
        Value::Array(items) => items.iter().any(test),
        other => test(other),
    }
}

/// Options are stored in Jira's `{"id", "value"}` shape; a bare string is tolerated.
fn option_is(value: &Value, id: &str, name: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.get("id").and_then(Value::as_str) == Some(id)
                || map
                    .get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| eq_ci(v, name))
        }
        Value::String(s) => s == id || eq_ci(s, name),
        _ => false,
    }
}

/// User custom values are `{"accountId": ...}` objects or bare account ids.
fn user_id(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => map.get("accountId").and_then(Value::as_str),
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn text_leaf(
    field: TextField,
    needles: &[Needle],
    sem: super::compile::Sem,
    issue: &Issue,
) -> bool {
    let description = issue
        .description
        .as_ref()
        .map(|d| d.text.as_ref())
        .filter(|t| !t.is_empty());
    let present = match field {
        TextField::Summary => !issue.summary.is_empty(),
        TextField::Description => description.is_some(),
        TextField::Comment => !issue.comments.is_empty(),
        TextField::All => true,
    };
    sem.accept(present, || {
        !needles.is_empty()
            && needles.iter().all(|needle| match field {
                TextField::Summary => needle.found_in(&issue.summary),
                TextField::Description => description.is_some_and(|d| needle.found_in(d)),
                TextField::Comment => issue.comments.iter().any(|c| needle.found_in(&c.body.text)),
                TextField::All => {
                    needle.found_in(&issue.summary)
                        || description.is_some_and(|d| needle.found_in(d))
                        || issue.comments.iter().any(|c| needle.found_in(&c.body.text))
                }
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_times_accept_dates_and_jira_timestamps() {
        assert_eq!(parse_json_time("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_json_time("1970-01-01T00:00:01.000+0000"), Some(1000));
        assert_eq!(parse_json_time("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_json_time("soon"), None);
    }

    #[test]
    fn custom_values_are_read_from_jiras_shapes() {
        assert!(option_is(&json!({"id": "1", "value": "High"}), "1", "x"));
        assert!(option_is(&json!({"value": "high"}), "9", "High"));
        assert!(option_is(&json!("High"), "9", "high"));
        assert_eq!(user_id(&json!({"accountId": "a1"})), Some("a1"));
        assert_eq!(number_value(&json!("3.5")), Some(3.5));
        assert!(!json_present(&json!([])));
        assert!(!json_present(&json!("")));
        assert!(json_present(&json!([{"id": "1"}])));
    }
}
