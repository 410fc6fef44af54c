//! Issue-shaped DTOs: `IssueBean`, its fields, comments, changelog, transitions, attachments.

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::site::Project;

use super::{JsonMap, LazyJson, PageBean, User, de};

/// An issue as Jira returns it (`IssueBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueBean {
    /// Numeric issue id, as a string.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Issue key, e.g. `ABC-1`.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// REST URL of the issue.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_url: Option<String>,
    /// The expand options Jira applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
    /// The requested fields; only those asked for are present.
    #[serde(deserialize_with = "de::nullable")]
    pub fields: IssueFields,
    /// HTML renderings of fields (`expand=renderedFields`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered_fields: Option<JsonMap>,
    /// Field id → display name (`expand=names`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<JsonMap>,
    /// Field id → JSON type (`expand=schema`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<JsonMap>,
    /// Available transitions (`expand=transitions`); an element that is not an object is
    /// skipped.
    #[serde(
        deserialize_with = "de::shared_transitions",
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub transitions: Option<Arc<Vec<IssueTransition>>>,
    /// Recent changelog (`expand=changelog`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changelog: Option<PageOfChangelogs>,
    /// Issue properties (`properties=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<JsonMap>,
}

/// The `fields` of an issue: typed system fields plus every other field in `other`.
///
/// A system field whose value does not have the expected shape reads as `None` rather than
/// failing the issue. Custom fields (`customfield_*`) and system fields not modelled here stay
/// as raw JSON in `other`. Read by a hand-written visitor (below) rather than a derive with
/// `flatten`, which would buffer every field, comment bodies included, before reading it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IssueFields {
    /// Summary (plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Workflow status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusDetails>,
    /// Priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Issue type.
    #[serde(rename = "issuetype", skip_serializing_if = "Option::is_none")]
    pub issue_type: Option<IssueType>,
    /// Assignee; `None` when unassigned.
    #[serde(
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub assignee: Option<Arc<User>>,
    /// Reporter.
    #[serde(
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub reporter: Option<Arc<User>>,
    /// Creator.
    #[serde(
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub creator: Option<Arc<User>>,
    /// Labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Creation time, Jira format (see [`super::parse_jira_time`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update time; doubles as the optimistic-concurrency version token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Due date, `yyyy-MM-dd` (see [`super::parse_jira_date`]).
    #[serde(rename = "duedate", skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Resolution; `None` while unresolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Resolution time.
    #[serde(rename = "resolutiondate", skip_serializing_if = "Option::is_none")]
    pub resolution_date: Option<String>,
    /// The project the issue belongs to (a subset of [`Project`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
    /// Parent issue (epic or parent of a sub-task).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<IssueRef>,
    /// Sub-tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtasks: Option<Vec<IssueRef>>,
    /// Description as ADF (`{"type":"doc",…}`); a plain string in v2-shaped payloads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Value>,
    /// Embedded first page of comments (at most 20 via search). A bare list of comments,
    /// as in some of Atlassian's examples, is read as a single page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<PageOfComments>,
    /// Attachment metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Vec<Attachment>>,
    /// Every other field, custom fields included, as raw JSON.
    #[serde(flatten)]
    pub other: JsonMap,
}

/// A status (`StatusDetails`), used for an issue's status and a transition's target. Every
/// field reads leniently, so any JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatusDetails {
    /// Status id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Status name, e.g. `In Progress`.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Description.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// Icon URL.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon_url: Option<String>,
    /// The category (to do / in progress / done).
    #[serde(
        deserialize_with = "de::lenient_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_category: Option<StatusCategory>,
}

/// A status category: `new`, `indeterminate` or `done` (plus `undefined`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatusCategory {
    /// Numeric id.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<i64>,
    /// Key: `new`, `indeterminate`, `done`, `undefined`.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// Display name.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Colour name, e.g. `blue-gray`.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub color_name: Option<String>,
}

/// An issue priority.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Priority {
    /// Priority id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Priority name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Icon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
}

/// An issue type (`IssueTypeDetails`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueType {
    /// Issue type id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Name, e.g. `Bug`.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Whether issues of this type are sub-tasks.
    #[serde(deserialize_with = "de::nullable")]
    pub subtask: bool,
    /// Hierarchy level (-1 sub-task, 0 standard, 1 epic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hierarchy_level: Option<i32>,
    /// Icon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A resolution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resolution {
    /// Resolution id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Name, e.g. `Done`.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A reference to another issue, as in `parent` and `subtasks`: id, key and a few fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueRef {
    /// Issue id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Issue key.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// Summary, status, priority and type of the referenced issue, when Jira includes them.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub fields: Option<IssueRefFields>,
}

/// The abbreviated fields Jira embeds in an [`IssueRef`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IssueRefFields {
    /// Summary.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// Status.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<StatusDetails>,
    /// Priority.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Priority>,
    /// Issue type.
    #[serde(
        rename = "issuetype",
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub issue_type: Option<IssueType>,
}

/// Attachment metadata (`Attachment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    /// Attachment id (Jira's examples send a number; kept as a string).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// File name.
    #[serde(deserialize_with = "de::string")]
    pub filename: String,
    /// Uploader.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<User>,
    /// Upload time.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<String>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Download URL (needs the caller's credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Thumbnail URL, for images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

/// Comment visibility restriction (role or group).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Visibility {
    /// `group` or `role`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Group or role name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Group id or role id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

/// A comment (`Comment`). Every field reads leniently (a value of the wrong type is `None`), so
/// a comment object never fails to decode; see [`LenientComments`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Comment {
    /// Comment id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Author.
    #[serde(
        deserialize_with = "de::shared_user",
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<Arc<User>>,
    /// Last editor.
    #[serde(
        deserialize_with = "de::shared_user",
        serialize_with = "de::ser_shared",
        skip_serializing_if = "Option::is_none"
    )]
    pub update_author: Option<Arc<User>>,
    /// Body as ADF (a string in v2-shaped webhook payloads), parsed when first read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<LazyJson>,
    /// HTML rendering (`expand=renderedBody`).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rendered_body: Option<String>,
    /// Creation time.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<String>,
    /// Last update time.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
    /// Visibility restriction, when the comment is restricted.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub visibility: Option<Visibility>,
    /// Jira Service Management: whether the comment is public.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub jsd_public: Option<bool>,
    /// REST URL of the comment.
    #[serde(
        rename = "self",
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub self_url: Option<String>,
}

/// Offset-paged comments of one issue (`PageOfComments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageOfComments {
    /// Index of the first comment.
    #[serde(deserialize_with = "de::nullable")]
    pub start_at: i64,
    /// Page size applied.
    #[serde(deserialize_with = "de::nullable")]
    pub max_results: i64,
    /// Total number of comments on the issue.
    #[serde(deserialize_with = "de::nullable")]
    pub total: i64,
    /// The comments.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub comments: Vec<Comment>,
}

impl PageOfComments {
    /// Whether this page reaches the last comment.
    pub fn is_last_page(&self) -> bool {
        let seen = self
            .start_at
            .saturating_add(i64::try_from(self.comments.len()).unwrap_or(i64::MAX));
        self.comments.is_empty() || seen >= self.total
    }
}

/// A `PageBean` of comments (`POST /comment/list`).
pub type PageBeanComment = PageBean<Comment>;

/// One changelog entry: who changed what, when (`Changelog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Changelog {
    /// Changelog id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Who made the change.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<User>,
    /// When.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<String>,
    /// The changed fields.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub items: Vec<ChangeItem>,
}

/// One field change within a [`Changelog`] (`ChangeDetails`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeItem {
    /// Field name, e.g. `status`.
    #[serde(deserialize_with = "de::string")]
    pub field: String,
    /// Field id, e.g. `customfield_10072`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_id: Option<String>,
    /// `jira` or `custom`.
    #[serde(rename = "fieldtype", skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// Old raw value (an id for most fields).
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<String>,
    /// Old display value.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_string: Option<String>,
    /// New raw value.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<String>,
    /// New display value.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub to_string: Option<String>,
}

/// Changelog embedded in an issue (`expand=changelog`, `PageOfChangelogs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageOfChangelogs {
    /// Index of the first entry.
    #[serde(deserialize_with = "de::nullable")]
    pub start_at: i64,
    /// Page size applied.
    #[serde(deserialize_with = "de::nullable")]
    pub max_results: i64,
    /// Total number of entries.
    #[serde(deserialize_with = "de::nullable")]
    pub total: i64,
    /// The entries, most recent first.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub histories: Vec<Changelog>,
}

/// Paged changelog of one issue (`GET /issue/{key}/changelog`), oldest first.
pub type PageBeanChangelog = PageBean<Changelog>;

/// The transitions available on an issue (`Transitions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Transitions {
    /// Expand options applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
    /// The transitions; empty when none is possible.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub transitions: Vec<IssueTransition>,
}

/// One workflow transition (`IssueTransition`). Every field reads leniently, so any JSON
/// object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueTransition {
    /// Transition id (what `do_transition` takes).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Transition name, e.g. `Start progress`.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Target status.
    #[serde(
        deserialize_with = "de::lenient_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<StatusDetails>,
    /// Whether a screen (extra fields) is shown.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub has_screen: Option<bool>,
    /// Whether it is a global transition.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_global: Option<bool>,
    /// Whether it is the initial transition.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_initial: Option<bool>,
    /// Whether it is available to the caller now.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_available: Option<bool>,
    /// Whether it has conditions.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_conditional: Option<bool>,
    /// Whether it loops to the same status.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub looped: Option<bool>,
    /// Screen fields (`expand=transitions.fields`).
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub fields: Option<JsonMap>,
}

impl<'de> Deserialize<'de> for IssueFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = IssueFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an issue's fields object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IssueFields, A::Error> {
        /// The next value, or `None` when it is null or does not fit `T`.
        fn lenient<'de, A: MapAccess<'de>, T: DeserializeOwned>(
            map: &mut A,
        ) -> Result<Option<T>, A::Error> {
            let raw: Box<RawValue> = map.next_value()?;
            Ok(de::lenient_raw(&raw))
        }
        fn user<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Arc<User>>, A::Error> {
            Ok(map.next_value::<de::SharedUser>()?.0)
        }
        fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
            Ok(map.next_value::<de::OptString>()?.0)
        }

        let mut f = IssueFields::default();
        while let Some(de::Key(key)) = map.next_key()? {
            match &*key {
                "summary" => f.summary = lenient(&mut map)?,
                "status" => f.status = map.next_value::<de::LenientObject<_>>()?.0,
                "priority" => f.priority = lenient(&mut map)?,
                "issuetype" => f.issue_type = lenient(&mut map)?,
                "assignee" => f.assignee = user(&mut map)?,
                "reporter" => f.reporter = user(&mut map)?,
                "creator" => f.creator = user(&mut map)?,
                "labels" => f.labels = lenient(&mut map)?,
                "created" => f.created = text(&mut map)?,
                "updated" => f.updated = text(&mut map)?,
                "duedate" => f.due_date = text(&mut map)?,
                "resolution" => f.resolution = lenient(&mut map)?,
                "resolutiondate" => f.resolution_date = text(&mut map)?,
                "project" => f.project = lenient(&mut map)?,
                "parent" => f.parent = lenient(&mut map)?,
                "subtasks" => f.subtasks = lenient(&mut map)?,
                "description" => f.description = map.next_value()?,
                "comment" => f.comment = map.next_value::<CommentField>()?.0,
                "attachment" => f.attachment = lenient(&mut map)?,
                _ => {
                    let value: Value = map.next_value()?;
                    f.other.insert(key.into_owned(), value);
                }
            }
        }
        Ok(f)
    }
}

/// `fields.comment`: a `PageOfComments`, or a bare list of comments as in some of Atlassian's
/// examples; anything else is `None`. Read in one pass: the page is the bulk of a search
/// answer (up to 20 comments per issue), so it is not buffered first.
struct CommentField(Option<PageOfComments>);

impl<'de> Deserialize<'de> for CommentField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CommentFieldVisitor)
    }
}

struct CommentFieldVisitor;

impl<'de> Visitor<'de> for CommentFieldVisitor {
    type Value = CommentField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page of comments")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CommentField, A::Error> {
        let mut page = PageOfComments::default();
        let mut seen = 0;
        while let Some(de::Key(key)) = map.next_key()? {
            match &*key {
                "startAt" => page.start_at = map.next_value::<LenientI64>()?.0,
                "maxResults" => page.max_results = map.next_value::<LenientI64>()?.0,
                "total" => page.total = map.next_value::<LenientI64>()?.0,
                "comments" => {
                    let list = map.next_value::<LenientComments>()?;
                    page.comments = list.comments;
                    seen = list.seen;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if seen > page.comments.len() {
            // Some were left out (`ReadOptions::keep_comments`): the page must still say how
            // many there are, so nobody takes the kept ones for all of them.
            let reach = page
                .start_at
                .saturating_add(i64::try_from(seen).unwrap_or(i64::MAX));
            page.total = page.total.max(reach);
        }
        Ok(CommentField(Some(page)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<CommentField, A::Error> {
        let list = LenientComments::from_seq(seq)?;
        Ok(CommentField(Some(PageOfComments {
            start_at: 0,
            max_results: i64::try_from(list.comments.len()).unwrap_or(i64::MAX),
            total: i64::try_from(list.seen).unwrap_or(i64::MAX),
            comments: list.comments,
        })))
    }

    forward_to_none!(CommentField(None));
}

/// A list of comments in which an element that is not an object is skipped; `null` or any
/// other non-list is empty. Only the first [`de::comments_kept`] are built; the others are
/// read past and counted in `seen`.
pub(crate) struct LenientComments {
    pub(crate) comments: Vec<Comment>,
    /// How many comment objects the list held, those left out included.
    pub(crate) seen: usize,
}

impl LenientComments {
    fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let keep = de::comments_kept();
        let mut comments = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(keep).min(64));
        while comments.len() < keep {
            // Every field of `Comment` is lenient, so any object decodes.
            match seq.next_element::<de::LenientObject<Comment>>()? {
                Some(de::LenientObject(comment)) => comments.extend(comment),
                None => {
                    let seen = comments.len();
                    return Ok(Self { comments, seen });
                }
            }
        }
        let mut seen = comments.len();
        while let Some(de::SkippedObject(object)) = seq.next_element()? {
            seen += usize::from(object);
        }
        Ok(Self { comments, seen })
    }
}

impl<'de> Deserialize<'de> for LenientComments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientCommentsVisitor)
    }
}

struct LenientCommentsVisitor;

impl<'de> Visitor<'de> for LenientCommentsVisitor {
    type Value = LenientComments;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of comments")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LenientComments, A::Error> {
        LenientComments::from_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientComments, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(LenientComments {
            comments: Vec::new(),
            seen: 0,
        })
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<LenientComments, D::Error> {
        d.deserialize_any(self)
    }
    forward_to_none!(LenientComments {
        comments: Vec::new(),
        seen: 0
    });
}

/// A number, or 0 for anything else (`null`, a string, …).
struct LenientI64(i64);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(LenientI64(de::lenient_raw(&raw).unwrap_or(0)))
    }
}
