//! `GET /rest/api/3/jql/autocompletedata` (`JQLReferenceData`) and
//! `GET /rest/api/3/jql/autocompletedata/suggestions` (`AutoCompleteSuggestions`).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::ast::{Field, RESERVED_WORDS, encode_string};
use super::dates::DATE_FUNCTIONS;
use super::fields::{self, FieldRef, SYSTEM_FIELDS, System};
use super::text::{contains_ci, find_ci, fold, prefix_len_ci};
use crate::sim::model::{Category, CustomKind, SiteData, User};

/// Most suggestions returned for one request.
const MAX_SUGGESTIONS: usize = 100;

/// The reference data: every field name and alias with its operators, types and flags
/// (`"true"`/`"false"` strings, as Jira sends them), custom fields with their `cfid`, the
/// functions and the reserved words.
pub fn autocomplete_data(data: &SiteData) -> Value {
    let mut fields = Vec::new();
    for spec in SYSTEM_FIELDS {
        for name in spec.names {
            let mut entry = Map::new();
            entry.insert("value".into(), json!(name));
            entry.insert("displayName".into(), json!(name));
            entry.insert("orderable".into(), json!(flag(spec.orderable)));
            entry.insert("searchable".into(), json!("true"));
            if spec.auto {
                entry.insert("auto".into(), json!("true"));
            }
            entry.insert("operators".into(), operators(spec.operators));
            entry.insert("types".into(), json!(spec.types));
            fields.push(Value::Object(entry));
        }
    }
    for cf in &data.custom_fields {
        let cfid = format!("cf[{}]", cf.number());
        // A name shared by two custom fields only works through its cf[N] form.
        let shared = data
            .custom_fields
            .iter()
            .filter(|o| super::text::eq_ci(&o.name, &cf.name))
            .count()
            > 1;
        let mut entry = Map::new();
        entry.insert(
            "value".into(),
            json!(if shared {
                cfid.clone()
            } else {
                encode_string(&cf.name)
            }),
        );
        entry.insert("displayName".into(), json!(format!("{} - {cfid}", cf.name)));
        entry.insert("orderable".into(), json!("true"));
        entry.insert("searchable".into(), json!("true"));
        if matches!(cf.kind, CustomKind::Select | CustomKind::User) {
            entry.insert("auto".into(), json!("true"));
        }
        entry.insert("cfid".into(), json!(cfid));
        entry.insert(
            "operators".into(),
            operators(fields::custom_operators(cf.kind)),
        );
        entry.insert("types".into(), json!([fields::custom_type(cf.kind)]));
        fields.push(Value::Object(entry));
    }
    let mut functions = vec![json!({
        "value": "currentUser()",
        "displayName": "currentUser()",
        "types": ["com.atlassian.jira.user.ApplicationUser"],
    })];
    for name in DATE_FUNCTIONS {
        functions.push(json!({
            "value": format!("{name}()"),
            "displayName": format!("{name}()"),
            "types": ["java.util.Date"],
        }));
    }
    json!({
        "visibleFieldNames": fields,
        "visibleFunctionNames": functions,
        "jqlReservedWords": RESERVED_WORDS,
    })
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn operators(ops: &[super::ast::Operator]) -> Value {
    Value::from(ops.iter().map(|op| op.as_str()).collect::<Vec<_>>())
}

/// Values of `field_name` containing `field_value` (case-insensitive), as
/// `{"results": [{"value", "displayName"}]}`. The matched part of `displayName` is wrapped in
/// `<b>…</b>` (a word-start match is preferred) and the rest is HTML-escaped. Only values the
/// viewer may see are offered: projects they can browse, labels of issues they can browse.
/// Users match on display name, or on an email that starts with the typed text.
/// Unknown or unsupported fields give no results.
pub fn suggestions(data: &SiteData, viewer: &User, field_name: &str, field_value: &str) -> Value {
    let field = Field {
        name: field_name.trim().to_owned(),
        quoted: false,
        custom_id: custom_id(field_name),
    };
    let candidates = match fields::resolve(&field, data) {
        Ok(field) => candidates(field, data, viewer),
        Err(_) => Vec::new(),
    };
    let needle = fold(field_value.trim());
    let results: Vec<Value> = candidates
        .into_iter()
        .filter(|c| {
            needle.is_empty()
                || contains_ci(&c.label, &needle)
                || c.also.iter().any(|a| prefix_len_ci(a, &needle).is_some())
        })
        .take(MAX_SUGGESTIONS)
        .map(|c| json!({ "value": c.value, "displayName": highlight(&c.label, &needle) }))
        .collect();
    json!({ "results": results })
}

/// `cf[10030]` typed as a field name.
fn custom_id(name: &str) -> Option<u64> {
    let name = name.trim();
    name.get(..3).filter(|p| p.eq_ignore_ascii_case("cf["))?;
    name.get(3..)?.strip_suffix(']')?.parse().ok()
}

struct Candidate {
    value: String,
    /// What is shown (and highlighted).
    label: String,
    /// Other texts that make it match when they start with the typed text (a user's email).
    also: Vec<String>,
}

fn candidate(value: &str, label: String) -> Candidate {
    Candidate {
        value: value.to_owned(),
        label,
        also: Vec::new(),
    }
}

fn candidates(field: FieldRef, data: &SiteData, viewer: &User) -> Vec<Candidate> {
    let names = |names: Vec<&str>| -> Vec<Candidate> {
        let mut seen = BTreeSet::new();
        names
            .into_iter()
            .filter(|n| seen.insert(n.to_lowercase()))
            .map(|n| candidate(n, n.to_owned()))
            .collect()
    };
    match field {
        FieldRef::System(System::Project) => data
            .projects
            .iter()
            .filter(|p| viewer.admin || !p.admin_only)
            .map(|p| candidate(&p.name, format!("{} ({})", p.name, p.key)))
            .collect(),
        FieldRef::System(System::Status) => {
            names(data.statuses.iter().map(|s| s.name.as_str()).collect())
        }
        FieldRef::System(System::StatusCategory) => {
            names(Category::ALL.iter().map(|c| c.name()).collect())
        }
        FieldRef::System(System::Priority) => {
            names(data.priorities.iter().map(|p| p.name.as_str()).collect())
        }
        FieldRef::System(System::IssueType) => {
            names(data.issue_types.iter().map(|t| t.name.as_str()).collect())
        }
        FieldRef::System(System::Resolution) => {
            names(data.resolutions.iter().map(|r| r.name.as_str()).collect())
        }
        FieldRef::System(System::Assignee | System::Reporter | System::Creator) => users(data),
        FieldRef::System(System::Labels) => {
            let labels: BTreeSet<&str> = data
                .issues
                .values()
                .filter(|i| data.can_browse(viewer, &i.project))
                .flat_map(|i| i.labels.iter().map(String::as_str))
                .collect();
            labels
                .into_iter()
                .map(|l| candidate(l, l.to_owned()))
                .collect()
        }
        FieldRef::Custom(index) => match data.custom_fields.get(index) {
            Some(cf) if cf.kind == CustomKind::Select => {
                names(cf.options.iter().map(|(_, value)| value.as_str()).collect())
            }
            Some(cf) if cf.kind == CustomKind::User => users(data),
            _ => Vec::new(),
        },
        FieldRef::System(_) => Vec::new(),
    }
}

fn users(data: &SiteData) -> Vec<Candidate> {
    data.users
        .iter()
        .filter(|u| u.active)
        .map(|u| Candidate {
            value: u.account_id.clone(),
            label: u.display_name.clone(),
            also: vec![u.email.clone()],
        })
        .collect()
}

/// HTML-escapes `label`, wrapping the first word-start match of `needle` (else the first
/// match anywhere, for scripts without spaces) in `<b>…</b>`.
fn highlight(label: &str, needle: &str) -> String {
    let range = if needle.is_empty() {
        None
    } else {
        word_start_match(label, needle).or_else(|| find_ci(label, needle))
    };
    match range {
        Some((start, end)) => format!(
            "{}<b>{}</b>{}",
            escape(&label[..start]),
            escape(&label[start..end]),
            escape(&label[end..])
        ),
        None => escape(label),
    }
}

fn word_start_match(label: &str, needle: &str) -> Option<(usize, usize)> {
    let mut previous: Option<char> = None;
    for (i, c) in label.char_indices() {
        let at_word_start = previous.is_none_or(|p| !p.is_alphanumeric());
        if at_word_start && let Some(len) = prefix_len_ci(&label[i..], needle) {
            return Some((i, i + len));
        }
        previous = Some(c);
    }
    None
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighting_prefers_word_starts_and_escapes_html() {
        assert_eq!(
            highlight("ActiveObjects (AO)", "ac"),
            "<b>Ac</b>tiveObjects (AO)"
        );
        assert_eq!(
            highlight("Atlassian Connect (AC)", "ac"),
            "Atlassian Connect (<b>AC</b>)"
        );
        assert_eq!(highlight("a<b> & c", "c"), "a&lt;b&gt; &amp; <b>c</b>");
        assert_eq!(highlight("ระบบล็อกอิน", "ล็อก"), "ระบบ<b>ล็อก</b>อิน");
        assert_eq!(highlight("x<y", ""), "x&lt;y");
    }

    #[test]
    fn custom_ids_are_read_from_the_bracket_form() {
        assert_eq!(custom_id("cf[10030]"), Some(10030));
        assert_eq!(custom_id("CF[7]"), Some(7));
        assert_eq!(custom_id("cf[x]"), None);
        assert_eq!(custom_id("cfé"), None);
        assert_eq!(custom_id("status"), None);
    }
}
