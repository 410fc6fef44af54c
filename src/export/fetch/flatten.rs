//! Flattening a Jira issue into the renderer's [`ExportIssue`]: names instead of objects,
//! custom field values as text, one change per changed field.

use serde_json::Value;

use super::complete::Ctx;
use crate::export::model::{
    ExportAttachment, ExportChange, ExportComment, ExportField, ExportIssue, ExportParent,
};
use crate::jira::models::{Changelog, Comment, IssueBean, LazyJson, User};

impl Ctx<'_> {
    pub(super) fn flatten(
        &self,
        bean: IssueBean,
        comments: Vec<Comment>,
        changes: Vec<Changelog>,
        attachments: Vec<ExportAttachment>,
    ) -> ExportIssue {
        let mut f = bean.fields;
        let status = f.status.take().unwrap_or_default();
        let custom_fields = if self.sections.custom_fields {
            self.custom
                .iter()
                .filter_map(|field| {
                    let value = value_text(f.other.get(&field.id)?)?;
                    Some(ExportField {
                        name: field.name.clone(),
                        value,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        ExportIssue {
            key: bean.key,
            summary: f.summary.unwrap_or_default(),
            status_category: status.status_category.map(|c| c.key).unwrap_or_default(),
            status: status.name,
            priority: f.priority.map(|p| p.name).filter(|n| !n.is_empty()),
            issue_type: f.issue_type.map(|t| t.name).unwrap_or_default(),
            assignee: f.assignee.as_deref().map(user_name),
            reporter: f.reporter.as_deref().map(user_name),
            created: f.created.unwrap_or_default(),
            updated: f.updated.unwrap_or_default(),
            due_date: f.due_date,
            labels: f.labels.unwrap_or_default(),
            parent: f.parent.map(|p| ExportParent {
                summary: p.fields.and_then(|f| f.summary).unwrap_or_default(),
                key: p.key,
            }),
            custom_fields,
            description: f.description.filter(|d| !d.is_null()),
            comments: comments
                .into_iter()
                .map(|c| ExportComment {
                    author: c.author.as_deref().map_or_else(anonymous, user_name),
                    created: c.created.unwrap_or_default(),
                    body: c.body.map_or(Value::Null, LazyJson::into_value),
                })
                .collect(),
            changelog: changes
                .into_iter()
                .flat_map(|history| {
                    let author = history.author.as_ref().map_or_else(anonymous, user_name);
                    let created = history.created.unwrap_or_default();
                    history
                        .items
                        .into_iter()
                        .map(move |item| (author.clone(), created.clone(), item))
                })
                .map(|(author, created, item)| ExportChange {
                    field: item
                        .field_id
                        .as_ref()
                        .and_then(|id| self.names.get(id))
                        .cloned()
                        .unwrap_or(item.field),
                    from: item.from_string.or(item.from).filter(|s| !s.is_empty()),
                    to: item.to_string.or(item.to).filter(|s| !s.is_empty()),
                    author,
                    created,
                })
                .collect(),
            attachments,
        }
    }
}

fn user_name(user: &User) -> String {
    user.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user.account_id.clone())
}

fn anonymous() -> String {
    "Anonymous".to_owned()
}

/// A custom field value as readable text; `None` when empty.
///
/// Numbers lose a trailing `.0`, options read as their value (cascading ones as
/// `parent / child`), users as their display name, rich text as plain text, lists joined with
/// commas; dates stay as Jira sends them.
pub fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Bool(b) => (if *b { "Yes" } else { "No" }).to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .filter_map(value_text)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("doc") {
                crate::adf::to_text(value).trim().to_owned()
            } else {
                let own = ["value", "displayName", "name", "key", "id"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(value_text))?;
                match map.get("child").and_then(value_text) {
                    Some(child) => format!("{own} / {child}"),
                    None => own,
                }
            }
        }
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_values_read_as_text() {
        assert_eq!(value_text(&json!(5.0)).as_deref(), Some("5"));
        assert_eq!(value_text(&json!(2.5)).as_deref(), Some("2.5"));
        assert_eq!(value_text(&json!(13)).as_deref(), Some("13"));
        assert_eq!(
            value_text(&json!({"id": "10100", "value": "Platform"})).as_deref(),
            Some("Platform")
        );
        assert_eq!(
            value_text(&json!({"value": "EU", "child": {"value": "Berlin"}})).as_deref(),
            Some("EU / Berlin")
        );
        assert_eq!(
            value_text(&json!({"accountId": "1", "displayName": "Дмитрий Иванов"})).as_deref(),
            Some("Дмитрий Иванов")
        );
        assert_eq!(
            value_text(&json!([{"name": "Sprint 1"}, {"name": "Sprint 2"}])).as_deref(),
            Some("Sprint 1, Sprint 2")
        );
        assert_eq!(
            value_text(&json!("2024-01-15")).as_deref(),
            Some("2024-01-15")
        );
        assert_eq!(value_text(&json!([])), None);
        assert_eq!(value_text(&json!("  ")), None);
        assert_eq!(value_text(&Value::Null), None);
    }
}
