//! Small output types: users, statuses, priorities, transitions, comments, changelog entries,
//! attachments and custom field values.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject, Value as GqlValue};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::{RichText, time};
use crate::graphql::immediate::{self, Immediate, opt_text, optional, scalar, text};
use crate::jira::models;

/// A Jira user as the caller may see them (e-mail only when Jira reveals it).
#[derive(Debug, Clone)]
pub struct User(pub Arc<models::User>);

impl From<models::User> for User {
    fn from(user: models::User) -> Self {
        User(Arc::new(user))
    }
}

#[Object]
impl User {
    async fn account_id(&self) -> ID {
        ID(self.0.account_id.clone())
    }
    async fn display_name(&self) -> &str {
        self.0.display_name.as_deref().unwrap_or("")
    }
    /// Avatar URL at the largest size Jira offers (48×48), or the asked size when available.
    async fn avatar_url(&self, #[graphql(default = 48)] size: i32) -> Option<&str> {
        avatar_url(&self.0, size)
    }
    async fn email(&self) -> Option<&str> {
        self.0.email_address.as_deref()
    }
    async fn active(&self) -> bool {
        self.0.active.unwrap_or(true)
    }
    async fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }
}

fn avatar_url(user: &models::User, size: i32) -> Option<&str> {
    let urls = user.avatar_urls.as_ref()?;
    let pick = match size {
        ..=16 => urls.x16.as_deref(),
        17..=24 => urls.x24.as_deref(),
        25..=32 => urls.x32.as_deref(),
        _ => urls.x48.as_deref(),
    };
    pick.or(urls.x48.as_deref())
}

impl Immediate for models::User {
    const TYPE: &'static str = "User";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "accountId" => text(&self.account_id),
            "displayName" => text(self.display_name.as_deref().unwrap_or("")),
            "avatarUrl" => {
                let size = ctx.param_value::<i32>("size", Some(|| 48)).ok()?.1;
                opt_text(avatar_url(self, size))
            }
            "email" => opt_text(self.email_address.as_deref()),
            "active" => GqlValue::Boolean(self.active.unwrap_or(true)),
            "timeZone" => opt_text(self.time_zone.as_deref()),
            _ => return None,
        })
    }
}

/// Jira's three status categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum StatusCategoryKey {
    /// `new`
    ToDo,
    /// `indeterminate`
    InProgress,
    /// `done`
    Done,
    /// Anything else Jira may send.
    Undefined,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct StatusCategoryInfo {
    pub key: StatusCategoryKey,
    pub name: String,
    pub color_name: Option<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct StatusInfo {
    pub id: ID,
    pub name: String,
    pub category: StatusCategoryInfo,
    pub icon_url: Option<String>,
}

fn category_key(category: Option<&models::StatusCategory>) -> StatusCategoryKey {
    match category.map(|c| c.key.as_str()) {
        Some("new") => StatusCategoryKey::ToDo,
        Some("indeterminate") => StatusCategoryKey::InProgress,
        Some("done") => StatusCategoryKey::Done,
        _ => StatusCategoryKey::Undefined,
    }
}

impl From<&models::StatusDetails> for StatusInfo {
    fn from(s: &models::StatusDetails) -> Self {
        let category = s.status_category.as_ref();
        StatusInfo {
            id: ID(s.id.clone()),
            name: s.name.clone(),
            category: StatusCategoryInfo {
                key: category_key(category),
                name: category.and_then(|c| c.name.clone()).unwrap_or_default(),
                color_name: category.and_then(|c| c.color_name.clone()),
            },
            icon_url: s.icon_url.clone(),
        }
    }
}

impl Immediate for models::StatusDetails {
    const TYPE: &'static str = "StatusInfo";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&self.id),
            "name" => text(&self.name),
            "category" => return immediate::object(ctx, &Category(self.status_category.as_ref())),
            "iconUrl" => opt_text(self.icon_url.as_deref()),
            _ => return None,
        })
    }
}

/// A status's category as `StatusCategoryInfo` reads it (a missing one is `UNDEFINED`).
struct Category<'a>(Option<&'a models::StatusCategory>);

impl Immediate for Category<'_> {
    const TYPE: &'static str = "StatusCategoryInfo";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "key" => async_graphql::resolver_utils::enum_value(category_key(self.0)),
            "name" => text(self.0.and_then(|c| c.name.as_deref()).unwrap_or("")),
            "colorName" => opt_text(self.0.and_then(|c| c.color_name.as_deref())),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct PriorityInfo {
    pub id: ID,
    pub name: String,
    pub icon_url: Option<String>,
}

impl From<&models::Priority> for PriorityInfo {
    fn from(p: &models::Priority) -> Self {
        PriorityInfo {
            id: ID(p.id.clone()),
            name: p.name.clone(),
            icon_url: p.icon_url.clone(),
        }
    }
}

impl Immediate for models::Priority {
    const TYPE: &'static str = "PriorityInfo";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&self.id),
            "name" => text(&self.name),
            "iconUrl" => opt_text(self.icon_url.as_deref()),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct IssueTypeInfo {
    pub id: ID,
    pub name: String,
    pub subtask: bool,
    pub hierarchy_level: Option<i32>,
    pub icon_url: Option<String>,
}

impl From<&models::IssueType> for IssueTypeInfo {
    fn from(t: &models::IssueType) -> Self {
        IssueTypeInfo {
            id: ID(t.id.clone()),
            name: t.name.clone(),
            subtask: t.subtask,
            hierarchy_level: t.hierarchy_level,
            icon_url: t.icon_url.clone(),
        }
    }
}

impl Immediate for models::IssueType {
    const TYPE: &'static str = "IssueTypeInfo";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&self.id),
            "name" => text(&self.name),
            "subtask" => GqlValue::Boolean(self.subtask),
            "hierarchyLevel" => self.hierarchy_level.map_or(GqlValue::Null, GqlValue::from),
            "iconUrl" => opt_text(self.icon_url.as_deref()),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Resolution {
    pub name: String,
    pub resolved_at: Option<DateTime<FixedOffset>>,
}

impl Immediate for Resolution {
    const TYPE: &'static str = "Resolution";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "name" => text(&self.name),
            "resolvedAt" => scalar(self.resolved_at.as_ref()),
            _ => return None,
        })
    }
}

/// A transition the caller may perform now.
#[derive(Debug, Clone, SimpleObject)]
pub struct Transition {
    pub id: ID,
    pub name: String,
    pub to: Option<StatusInfo>,
    /// True when Jira shows a screen (fields may be required).
    pub has_screen: bool,
}

impl From<&models::IssueTransition> for Transition {
    fn from(t: &models::IssueTransition) -> Self {
        Transition {
            id: ID(t.id.clone()),
            name: t.name.clone(),
            to: t.to.as_ref().map(StatusInfo::from),
            has_screen: t.has_screen.unwrap_or(false),
        }
    }
}

impl Immediate for models::IssueTransition {
    const TYPE: &'static str = "Transition";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&self.id),
            "name" => text(&self.name),
            "to" => return optional(ctx, self.to.as_ref()),
            "hasScreen" => GqlValue::Boolean(self.has_screen.unwrap_or(false)),
            _ => return None,
        })
    }
}

/// A comment, read in place from the issue or the page Jira sent it in: building one copies
/// nothing (a board of 50 cards carries up to 1,000 comment bodies).
#[derive(Clone)]
pub struct Comment {
    source: CommentSource,
    index: usize,
}

#[derive(Clone)]
enum CommentSource {
    /// The first page embedded in the issue's `comment` field.
    Issue(Arc<models::IssueBean>),
    /// A page loaded on its own.
    Page(Arc<models::PageOfComments>),
    /// A single comment (a mutation's answer).
    One(Arc<models::Comment>),
}

/// What a comment index outside its page reads as (never constructed that way, but a lookup
/// must answer something without panicking).
static NO_COMMENT: models::Comment = models::Comment {
    id: String::new(),
    author: None,
    update_author: None,
    body: None,
    rendered_body: None,
    created: None,
    updated: None,
    visibility: None,
    jsd_public: None,
    self_url: None,
};

impl Comment {
    /// The `index`th comment of the page embedded in `issue`.
    pub fn embedded(issue: &Arc<models::IssueBean>, index: usize) -> Self {
        Comment {
            source: CommentSource::Issue(issue.clone()),
            index,
        }
    }

    /// The `index`th comment of `page`.
    pub fn in_page(page: &Arc<models::PageOfComments>, index: usize) -> Self {
        Comment {
            source: CommentSource::Page(page.clone()),
            index,
        }
    }

    /// A comment of its own.
    pub fn one(comment: models::Comment) -> Self {
        Comment {
            source: CommentSource::One(Arc::new(comment)),
            index: 0,
        }
    }

    /// The Jira comment.
    pub fn get(&self) -> &models::Comment {
        let found = match &self.source {
            CommentSource::Issue(bean) => bean
                .fields
                .comment
                .as_ref()
                .and_then(|page| page.comments.get(self.index)),
            CommentSource::Page(page) => page.comments.get(self.index),
            CommentSource::One(comment) => Some(comment.as_ref()),
        };
        found.unwrap_or(&NO_COMMENT)
    }
}

#[Object]
impl Comment {
    async fn id(&self) -> ID {
        ID(self.get().id.clone())
    }
    async fn author(&self) -> Option<User> {
        self.get().author.clone().map(User)
    }
    async fn update_author(&self) -> Option<User> {
        self.get().update_author.clone().map(User)
    }
    async fn created(&self) -> Option<DateTime<FixedOffset>> {
        time(self.get().created.as_deref())
    }
    async fn updated(&self) -> Option<DateTime<FixedOffset>> {
        time(self.get().updated.as_deref())
    }
    async fn body(&self) -> Option<RichText> {
        self.body_text()
    }
}

impl Comment {
    fn body_text(&self) -> Option<RichText> {
        self.get()
            .body
            .as_ref()
            .filter(|b| !b.is_null())
            .map(|_| RichText::comment_body(self.clone()))
    }
}

impl Immediate for Comment {
    const TYPE: &'static str = "Comment";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        let comment = self.get();
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&comment.id),
            "author" => return optional(ctx, comment.author.as_deref()),
            "updateAuthor" => return optional(ctx, comment.update_author.as_deref()),
            "created" => scalar(time(comment.created.as_deref()).as_ref()),
            "updated" => scalar(time(comment.updated.as_deref()).as_ref()),
            "body" => return optional(ctx, self.body_text().as_ref()),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ChangeItem {
    pub field: String,
    pub field_id: Option<String>,
    pub from: Option<String>,
    pub from_string: Option<String>,
    pub to: Option<String>,
    pub to_string: Option<String>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Changelog {
    pub id: ID,
    pub author: Option<User>,
    pub created: Option<DateTime<FixedOffset>>,
    pub items: Vec<ChangeItem>,
}

impl From<&models::Changelog> for Changelog {
    fn from(h: &models::Changelog) -> Self {
        Changelog {
            id: ID(h.id.clone()),
            author: h.author.clone().map(User::from),
            created: time(h.created.as_deref()),
            items: h
                .items
                .iter()
                .map(|i| ChangeItem {
                    field: i.field.clone(),
                    field_id: i.field_id.clone(),
                    from: i.from.clone(),
                    from_string: i.from_string.clone(),
                    to: i.to.clone(),
                    to_string: i.to_string.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct Attachment {
    pub id: ID,
    pub filename: String,
    pub mime_type: Option<String>,
    pub size: Option<i64>,
    pub author: Option<User>,
    pub created: Option<DateTime<FixedOffset>>,
    /// Jira's content URL (needs the caller's Jira credentials).
    pub content_url: Option<String>,
    pub thumbnail_url: Option<String>,
}

impl From<&models::Attachment> for Attachment {
    fn from(a: &models::Attachment) -> Self {
        Attachment {
            id: ID(a.id.clone()),
            filename: a.filename.clone(),
            mime_type: a.mime_type.clone(),
            size: a.size,
            author: a.author.clone().map(User::from),
            created: time(a.created.as_deref()),
            content_url: a.content.clone(),
            thumbnail_url: a.thumbnail.clone(),
        }
    }
}

/// The kind of a custom field's value, from Jira's field schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CustomFieldType {
    Number,
    String,
    Date,
    DateTime,
    User,
    Option,
    Array,
    Other,
}

/// A custom field of an issue: its value as Jira's JSON and as readable text.
#[derive(Debug, Clone, SimpleObject)]
pub struct CustomFieldValue {
    /// `customfield_10030`
    pub id: String,
    pub name: String,
    pub r#type: CustomFieldType,
    /// The value exactly as Jira sent it.
    pub value: Json<Value>,
    /// A human-readable rendering (number, option value, user name, date...).
    pub text: Option<String>,
}

impl CustomFieldValue {
    pub fn new(id: &str, field: Option<&models::FieldDetails>, value: &Value) -> Self {
        let kind = field
            .and_then(|f| f.schema.as_ref())
            .map(|s| s.kind.as_str())
            .unwrap_or("");
        let r#type = match kind {
            "number" => CustomFieldType::Number,
            "string" => CustomFieldType::String,
            "date" => CustomFieldType::Date,
            "datetime" => CustomFieldType::DateTime,
            "user" => CustomFieldType::User,
            "option" => CustomFieldType::Option,
            "array" => CustomFieldType::Array,
            _ => CustomFieldType::Other,
        };
        CustomFieldValue {
            id: id.to_string(),
            name: field.map_or_else(|| id.to_string(), |f| f.name.clone()),
            r#type,
            value: Json(value.clone()),
            text: text_of(value),
        }
    }
}

/// Readable text of a custom field value of any shape.
pub fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("doc") {
                return Some(crate::adf::to_text(value));
            }
            ["value", "displayName", "name", "key", "id"]
                .iter()
                .find_map(|k| map.get(*k).and_then(text_of))
        }
    }
}
