//! ORDER BY: validation of the sort fields and a stable sort of issue ids.
//!
//! Without ORDER BY the order is by issue id, newest (highest id) first. A field given without
//! ASC/DESC uses Jira's default for it: descending for `created`, `updated`, `resolutiondate`
//! and `priority` (highest first), ascending otherwise. Empty values sort as greater than any
//! value (last when ascending, first when descending). Ties keep the incoming order.
//!
//! Value order: keys by project key then number; statuses, issue types, resolutions and select
//! options in the site's configured order; priorities by rank; users by display name; text
//! case-insensitively.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value;

use super::ast::{Direction, OrderBy};
use super::compile::Compiled;
use super::error::JqlError;
use super::fields::{self, FieldRef, System};
use crate::sim::model::{CustomKind, Issue, SiteData};

/// At most this many ORDER BY fields (the search endpoints' documented limit).
pub(crate) const MAX_SORT_FIELDS: usize = 7;

/// One resolved ORDER BY entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sort {
    field: FieldRef,
    descending: bool,
}

/// Validates ORDER BY fields: known, sortable, not repeated (aliases included), at most 7.
pub(crate) fn compile(order_by: &[OrderBy], data: &SiteData) -> Result<Vec<Sort>, JqlError> {
    if order_by.len() > MAX_SORT_FIELDS {
        return Err(JqlError::too_many_sorts(MAX_SORT_FIELDS));
    }
    let mut sorts: Vec<(Sort, &str)> = Vec::with_capacity(order_by.len());
    for entry in order_by {
        let name = entry.field.name.as_str();
        let field =
            fields::resolve(&entry.field, data).map_err(|_| JqlError::sort_unknown(name))?;
        if !fields::orderable(field) {
            return Err(JqlError::sort_not_supported(name));
        }
        if let Some((_, first)) = sorts.iter().find(|(s, _)| s.field == field) {
            return Err(JqlError::sort_duplicate(name, first));
        }
        let descending = match entry.direction {
            Some(direction) => direction == Direction::Desc,
            None => matches!(
                field,
                FieldRef::System(
                    System::Created | System::Updated | System::ResolutionDate | System::Priority
                )
            ),
        };
        sorts.push((Sort { field, descending }, name));
    }
    Ok(sorts.into_iter().map(|(s, _)| s).collect())
}

impl Compiled {
    /// Orders issue ids by the ORDER BY fields (stable), or newest id first without ORDER BY.
    /// Ids of issues missing from `data` sort last.
    pub fn sort(&self, ids: &mut Vec<u64>, data: &SiteData) {
        if self.sorts.is_empty() {
            ids.sort_unstable_by_key(|&id| std::cmp::Reverse(id));
            return;
        }
        let ranks = Ranks::new(data);
        let mut keyed: Vec<(Vec<SortVal>, u64)> = ids
            .iter()
            .map(|&id| {
                let keys = match data.issues.get(&id) {
                    Some(issue) => self
                        .sorts
                        .iter()
                        .map(|s| key(s.field, issue, data, &ranks))
                        .collect(),
                    None => vec![SortVal::Null; self.sorts.len()],
                };
                (keys, id)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), sort) in a.iter().zip(b).zip(&self.sorts) {
                let order = x.cmp_nulls_last(y);
                let order = if sort.descending {
                    order.reverse()
                } else {
                    order
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
        ids.clear();
        ids.extend(keyed.into_iter().map(|(_, id)| id));
    }
}

/// A sort key for one field of one issue.
#[derive(Debug, Clone, PartialEq)]
enum SortVal {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Key(String, u64),
}

impl SortVal {
    /// Total order with empty values greatest.
    fn cmp_nulls_last(&self, other: &SortVal) -> Ordering {
        match (self, other) {
            (SortVal::Null, SortVal::Null) => Ordering::Equal,
            (SortVal::Null, _) => Ordering::Greater,
            (_, SortVal::Null) => Ordering::Less,
            (SortVal::Int(a), SortVal::Int(b)) => a.cmp(b),
            (SortVal::Float(a), SortVal::Float(b)) => a.total_cmp(b),
            (SortVal::Text(a), SortVal::Text(b)) => a.cmp(b),
            (SortVal::Key(pa, na), SortVal::Key(pb, nb)) => pa.cmp(pb).then(na.cmp(nb)),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortVal::Int(_) => 0,
            SortVal::Float(_) => 1,
            SortVal::Text(_) => 2,
            SortVal::Key(..) => 3,
            SortVal::Null => 4,
        }
    }
}

/// Positions of configured values, looked up once per sort.
struct Ranks<'a> {
    status: HashMap<&'a str, i64>,
    category: HashMap<&'a str, i64>,
    issue_type: HashMap<&'a str, i64>,
    resolution: HashMap<&'a str, i64>,
    priority: HashMap<&'a str, i64>,
    user: HashMap<&'a str, String>,
    project: HashMap<String, String>,
}

impl<'a> Ranks<'a> {
    fn new(data: &'a SiteData) -> Self {
        let index =
            |ids: Vec<&'a str>| -> HashMap<&'a str, i64> { ids.into_iter().zip(0i64..).collect() };
        Ranks {
            status: index(data.statuses.iter().map(|s| s.id.as_str()).collect()),
            category: data
                .statuses
                .iter()
                .map(|s| {
                    (
                        s.id.as_str(),
                        crate::sim::model::Category::ALL
                            .iter()
                            .position(|c| *c == s.category)
                            .map_or(0, |p| p as i64),
                    )
                })
                .collect(),
            issue_type: index(data.issue_types.iter().map(|t| t.id.as_str()).collect()),
            resolution: index(data.resolutions.iter().map(|r| r.id.as_str()).collect()),
            // Highest priority (rank 1) is the greatest value.
            priority: data
                .priorities
                .iter()
                .map(|p| (p.id.as_str(), -i64::from(p.rank)))
                .collect(),
            user: data
                .users
                .iter()
                .map(|u| (u.account_id.as_str(), u.display_name.to_lowercase()))
                .collect(),
            project: data
                .projects
                .iter()
                .map(|p| (p.key.to_ascii_uppercase(), p.name.to_lowercase()))
                .collect(),
        }
    }
}

fn key(field: FieldRef, issue: &Issue, data: &SiteData, ranks: &Ranks<'_>) -> SortVal {
    let rank = |map: &HashMap<&str, i64>, id: Option<&str>| {
        id.and_then(|id| map.get(id))
            .map_or(SortVal::Null, |&r| SortVal::Int(r))
    };
    let user = |id: Option<&str>| match id {
        Some(id) => SortVal::Text(
            ranks
                .user
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_lowercase()),
        ),
        None => SortVal::Null,
    };
    let millis = |t: Option<crate::sim::model::Ts>| {
        t.map_or(SortVal::Null, |t| SortVal::Int(t.timestamp_millis()))
    };
    let system = match field {
        FieldRef::System(s) => s,
        FieldRef::Custom(index) => return custom_key(index, issue, data, ranks),
    };
    match system {
        System::Project => {
            let upper = issue.project.to_ascii_uppercase();
            SortVal::Text(ranks.project.get(&upper).cloned().unwrap_or(upper))
        }
        System::Key => issue_key(issue),
        System::Parent => issue
            .parent
            .and_then(|id| data.issues.get(&id))
            .map_or(SortVal::Null, issue_key),
        System::Status => rank(&ranks.status, Some(&issue.status)),
        System::StatusCategory => rank(&ranks.category, Some(&issue.status)),
        System::IssueType => rank(&ranks.issue_type, Some(&issue.issue_type)),
        System::Resolution => rank(&ranks.resolution, issue.resolution.as_deref()),
        System::Priority => rank(&ranks.priority, issue.priority.as_deref()),
        System::Assignee => user(issue.assignee.as_deref()),
        System::Reporter => user(issue.reporter.as_deref()),
        System::Creator => user(Some(&issue.creator)),
        System::Labels => {
            if issue.labels.is_empty() {
                SortVal::Null
            } else {
                let mut labels: Vec<String> =
                    issue.labels.iter().map(|l| l.to_lowercase()).collect();
                labels.sort();
                SortVal::Text(labels.join(" "))
            }
        }
        System::Summary => SortVal::Text(issue.summary.to_lowercase()),
        System::Created => SortVal::Int(issue.created.timestamp_millis()),
        System::Updated => SortVal::Int(issue.updated.timestamp_millis()),
        System::ResolutionDate => millis(issue.resolution_date),
        System::DueDate => issue.due_date.map_or(SortVal::Null, |d| {
            SortVal::Int(
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis(),
            )
        }),
        // Not orderable; rejected when the sort is compiled.
        System::Description | System::Text | System::Comment => SortVal::Null,
    }
}

fn issue_key(issue: &Issue) -> SortVal {
    SortVal::Key(issue.project.to_ascii_uppercase(), issue.number)
}

fn custom_key(index: usize, issue: &Issue, data: &SiteData, ranks: &Ranks<'_>) -> SortVal {
    let Some(cf) = data.custom_fields.get(index) else {
        return SortVal::Null;
    };
    let value = issue.custom.get(&cf.id).unwrap_or(&Value::Null);
    let first = match value {
        Value::Array(items) => items.first().unwrap_or(&Value::Null),
        other => other,
    };
    match cf.kind {
        CustomKind::Number => match first {
            Value::Number(n) => n.as_f64().map_or(SortVal::Null, SortVal::Float),
            Value::String(s) => s.trim().parse().map_or(SortVal::Null, SortVal::Float),
            _ => SortVal::Null,
        },
        CustomKind::Select => {
            let id = first.get("id").and_then(Value::as_str);
            let name = first
                .get("value")
                .and_then(Value::as_str)
                .or(first.as_str());
            cf.options
                .iter()
                .position(|(oid, value)| {
                    Some(oid.as_str()) == id || name.is_some_and(|n| super::text::eq_ci(n, value))
                })
                .map_or(SortVal::Null, |p| SortVal::Int(p as i64))
        }
        CustomKind::Date => first
            .as_str()
            .and_then(super::eval::parse_json_time)
            .map_or(SortVal::Null, SortVal::Int),
        CustomKind::User => {
            let id = first
                .get("accountId")
                .and_then(Value::as_str)
                .or(first.as_str());
            match id {
                Some(id) => SortVal::Text(
                    ranks
                        .user
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| id.to_lowercase()),
                ),
                None => SortVal::Null,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_sort_after_everything() {
        assert_eq!(
            SortVal::Null.cmp_nulls_last(&SortVal::Int(1)),
            Ordering::Greater
        );
        assert_eq!(
            SortVal::Int(1).cmp_nulls_last(&SortVal::Null),
            Ordering::Less
        );
        assert_eq!(
            SortVal::Null.cmp_nulls_last(&SortVal::Null),
            Ordering::Equal
        );
        assert_eq!(
            SortVal::Key("A".into(), 10).cmp_nulls_last(&SortVal::Key("A".into(), 9)),
            Ordering::Greater
        );
        assert_eq!(
            SortVal::Float(f64::NAN).cmp_nulls_last(&SortVal::Float(1.0)),
            Ordering::Greater
        );
    }
}
