//! The fields JQL knows on the simulated site: names and aliases, operators, sortability and
//! the Java types Jira reports in `/jql/autocompletedata`.

use super::ast::{Field, Operator};
use super::error::JqlError;
use super::text::eq_ci;
use crate::sim::model::{CustomField, CustomKind, SiteData};

/// A built-in Jira field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum System {
    Project,
    Key,
    Status,
    StatusCategory,
    Assignee,
    Reporter,
    Creator,
    Priority,
    Labels,
    IssueType,
    Parent,
    Resolution,
    Summary,
    Description,
    Text,
    Comment,
    Created,
    Updated,
    DueDate,
    ResolutionDate,
}

/// A field a clause or sort refers to, after name resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldRef {
    System(System),
    /// Index into `SiteData::custom_fields`.
    Custom(usize),
}

use Operator::{Eq, Ge, Gt, In, Is, IsNot, Le, Like, Lt, NotEq, NotIn, NotLike};

const ID_OPS: &[Operator] = &[Eq, NotEq, In, NotIn, Is, IsNot];
const RANKED_OPS: &[Operator] = &[Eq, NotEq, In, NotIn, Is, IsNot, Lt, Le, Gt, Ge];
const KEY_OPS: &[Operator] = &[Eq, NotEq, In, NotIn, Lt, Le, Gt, Ge];
const TEXT_OPS: &[Operator] = &[Like, NotLike, Is, IsNot];
const COMMENT_OPS: &[Operator] = &[Like, NotLike];
const TEXT_ALL_OPS: &[Operator] = &[Like];
const ORDERED_OPS: &[Operator] = &[Eq, NotEq, Lt, Le, Gt, Ge, In, NotIn, Is, IsNot];

/// One system field as `/jql/autocompletedata` lists it; every alias gets its own entry.
pub(crate) struct SystemSpec {
    pub field: System,
    /// The names accepted in queries, the canonical one first.
    pub names: &'static [&'static str],
    pub operators: &'static [Operator],
    pub orderable: bool,
    /// Offers value suggestions (`auto`).
    pub auto: bool,
    pub types: &'static [&'static str],
}

const USER_TYPE: &[&str] = &["com.atlassian.jira.user.ApplicationUser"];
const ISSUE_TYPE: &[&str] = &["com.atlassian.jira.issue.Issue"];
const STRING_TYPE: &[&str] = &["java.lang.String"];
const DATE_TYPE: &[&str] = &["java.util.Date"];

/// Every system field, in the order autocomplete lists them.
pub(crate) const SYSTEM_FIELDS: &[SystemSpec] = &[
    spec(
        System::Project,
        &["project"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.project.Project"],
    ),
    spec(
        System::Key,
        &["issuekey", "key", "id"],
        KEY_OPS,
        true,
        false,
        ISSUE_TYPE,
    ),
    spec(
        System::Status,
        &["status"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.status.Status"],
    ),
    spec(
        System::StatusCategory,
        &["statusCategory"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.status.category.StatusCategory"],
    ),
    spec(
        System::Assignee,
        &["assignee"],
        ID_OPS,
        true,
        true,
        USER_TYPE,
    ),
    spec(
        System::Reporter,
        &["reporter"],
        ID_OPS,
        true,
        true,
        USER_TYPE,
    ),
    spec(System::Creator, &["creator"], ID_OPS, true, true, USER_TYPE),
    spec(
        System::Priority,
        &["priority"],
        RANKED_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.priority.Priority"],
    ),
    spec(
        System::Labels,
        &["labels"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.label.Label"],
    ),
    spec(
        System::IssueType,
        &["issuetype", "type"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.issuetype.IssueType"],
    ),
    spec(System::Parent, &["parent"], ID_OPS, true, false, ISSUE_TYPE),
    spec(
        System::Resolution,
        &["resolution"],
        ID_OPS,
        true,
        true,
        &["com.atlassian.jira.issue.resolution.Resolution"],
    ),
    spec(
        System::Summary,
        &["summary"],
        TEXT_OPS,
        true,
        false,
        STRING_TYPE,
    ),
    spec(
        System::Description,
        &["description"],
        TEXT_OPS,
        false,
        false,
        STRING_TYPE,
    ),
    spec(
        System::Text,
        &["text"],
        TEXT_ALL_OPS,
        false,
        false,
        STRING_TYPE,
    ),
    spec(
        System::Comment,
        &["comment"],
        COMMENT_OPS,
        false,
        false,
        STRING_TYPE,
    ),
    spec(
        System::Created,
        &["created", "createdDate"],
        ORDERED_OPS,
        true,
        false,
        DATE_TYPE,
    ),
    spec(
        System::Updated,
        &["updated", "updatedDate"],
        ORDERED_OPS,
        true,
        false,
        DATE_TYPE,
    ),
    spec(
        System::DueDate,
        &["duedate", "due"],
        ORDERED_OPS,
        true,
        false,
        DATE_TYPE,
    ),
    spec(
        System::ResolutionDate,
        &["resolutiondate", "resolved"],
        ORDERED_OPS,
        true,
        false,
        DATE_TYPE,
    ),
];

const fn spec(
    field: System,
    names: &'static [&'static str],
    operators: &'static [Operator],
    orderable: bool,
    auto: bool,
    types: &'static [&'static str],
) -> SystemSpec {
    SystemSpec {
        field,
        names,
        operators,
        orderable,
        auto,
        types,
    }
}

/// The catalogue entry of a system field.
pub(crate) fn system_spec(field: System) -> &'static SystemSpec {
    SYSTEM_FIELDS
        .iter()
        .find(|s| s.field == field)
        .unwrap_or(&SYSTEM_FIELDS[0])
}

/// Operators a custom field of this kind accepts.
pub(crate) fn custom_operators(kind: CustomKind) -> &'static [Operator] {
    match kind {
        CustomKind::Number | CustomKind::Date => ORDERED_OPS,
        CustomKind::Select | CustomKind::User => ID_OPS,
    }
}

/// The Java type Jira reports for a custom field of this kind.
pub(crate) fn custom_type(kind: CustomKind) -> &'static str {
    match kind {
        CustomKind::Number => "java.lang.Number",
        CustomKind::Select => "com.atlassian.jira.issue.customfields.option.Option",
        CustomKind::Date => "java.util.Date",
        CustomKind::User => "com.atlassian.jira.user.ApplicationUser",
    }
}

/// Resolves a field by `cf[N]`, `customfield_N`, system name or alias, or custom field name
/// (all case-insensitive). Unknown names get Jira's "does not exist" error.
pub(crate) fn resolve(field: &Field, data: &SiteData) -> Result<FieldRef, JqlError> {
    resolve_name(field, data).ok_or_else(|| JqlError::unknown_field(&field.name))
}

fn resolve_name(field: &Field, data: &SiteData) -> Option<FieldRef> {
    if let Some(number) = field.custom_id {
        let number = number.to_string();
        return position(data, |f| f.number() == number);
    }
    let name = field.name.as_str();
    if let Some(spec) = SYSTEM_FIELDS
        .iter()
        .find(|s| s.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
    {
        return Some(FieldRef::System(spec.field));
    }
    if let Some(prefix) = name.get(..12)
        && prefix.eq_ignore_ascii_case("customfield_")
        && let Some(number) = name.get(12..)
        && !number.is_empty()
        && let Some(found) = position(data, |f| f.number() == number)
    {
        return Some(found);
    }
    position(data, |f| eq_ci(&f.name, name))
}

fn position(data: &SiteData, pred: impl Fn(&CustomField) -> bool) -> Option<FieldRef> {
    data.custom_fields
        .iter()
        .position(pred)
        .map(FieldRef::Custom)
}

/// Operators the field accepts.
pub(crate) fn operators(field: FieldRef, data: &SiteData) -> &'static [Operator] {
    match field {
        FieldRef::System(s) => system_spec(s).operators,
        FieldRef::Custom(i) => data
            .custom_fields
            .get(i)
            .map_or(ID_OPS, |f| custom_operators(f.kind)),
    }
}

/// Whether ORDER BY accepts the field.
pub(crate) fn orderable(field: FieldRef) -> bool {
    match field {
        FieldRef::System(s) => system_spec(s).orderable,
        FieldRef::Custom(_) => true,
    }
}

/// Whether the field can hold no value, so EMPTY makes sense for it.
pub(crate) fn supports_empty(field: FieldRef) -> bool {
    !matches!(
        field,
        FieldRef::System(System::Key | System::Text | System::Comment)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Field {
        Field {
            name: name.to_owned(),
            quoted: false,
            custom_id: None,
        }
    }

    fn data() -> SiteData {
        SiteData {
            custom_fields: vec![CustomField {
                id: "customfield_10030".into(),
                name: "Story Points".into(),
                kind: CustomKind::Number,
                options: vec![],
            }],
            ..SiteData::default()
        }
    }

    #[test]
    fn system_names_and_aliases_resolve_case_insensitively() {
        let data = data();
        for (name, expected) in [
            ("Project", System::Project),
            ("issueKey", System::Key),
            ("KEY", System::Key),
            ("id", System::Key),
            ("type", System::IssueType),
            ("createdDate", System::Created),
            ("due", System::DueDate),
            ("statuscategory", System::StatusCategory),
            ("resolved", System::ResolutionDate),
        ] {
            assert_eq!(
                resolve(&field(name), &data).ok(),
                Some(FieldRef::System(expected)),
                "{name}"
            );
        }
    }

    #[test]
    fn custom_fields_resolve_by_bracket_id_and_name() {
        let data = data();
        let cf = Field {
            name: "cf[10030]".into(),
            quoted: false,
            custom_id: Some(10030),
        };
        assert_eq!(resolve(&cf, &data).ok(), Some(FieldRef::Custom(0)));
        assert_eq!(
            resolve(&field("customfield_10030"), &data).ok(),
            Some(FieldRef::Custom(0))
        );
        assert_eq!(
            resolve(&field("story points"), &data).ok(),
            Some(FieldRef::Custom(0))
        );
        let missing = Field {
            name: "cf[1]".into(),
            quoted: false,
            custom_id: Some(1),
        };
        assert!(resolve(&missing, &data).is_err());
    }

    #[test]
    fn unknown_fields_use_jiras_message() {
        let e = resolve(&field("universe"), &data())
            .err()
            .map(|e| e.message().to_owned());
        assert_eq!(
            e.as_deref(),
            Some("Field 'universe' does not exist or you do not have permission to view it.")
        );
        assert!(resolve(&field("customfield_"), &data()).is_err());
        assert!(resolve(&field("customfield_ü"), &data()).is_err());
    }
}
