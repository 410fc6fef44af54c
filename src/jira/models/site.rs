//! Site-level DTOs: projects, users, fields and dynamic webhooks.

use serde::{Deserialize, Serialize};

use super::issue::IssueType;
use super::{AvatarUrls, JsonMap, PageBean, User, de};

/// A project (`Project`). Issue fields embed a subset of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Project {
    /// Project id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Project key, e.g. `ABC`.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// Project name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Description (plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `software`, `service_desk` or `business`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_type_key: Option<String>,
    /// Whether the project is team-managed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simplified: Option<bool>,
    /// `classic` or `next-gen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Whether the project is private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    /// Whether the project is archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Avatar URLs.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub avatar_urls: Option<AvatarUrls>,
    /// Project lead (`expand=lead`).
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub lead: Option<User>,
    /// Project URL set by an admin (`expand=url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Issue types (`expand=issueTypes`).
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub issue_types: Option<Vec<IssueType>>,
    /// Category.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_category: Option<ProjectCategory>,
    /// REST URL of the project.
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    pub self_url: Option<String>,
}

/// A project category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectCategory {
    /// Category id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Category name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A page of projects (`GET /project/search`).
pub type PageBeanProject = PageBean<Project>;

/// A page of users (`GET /user/bulk`).
pub type PageBeanUser = PageBean<User>;

/// A field visible to the caller (`FieldDetails`, `GET /field`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldDetails {
    /// Field id, e.g. `summary` or `customfield_10010`.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Field key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Display name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Whether it is a custom field.
    #[serde(deserialize_with = "de::nullable")]
    pub custom: bool,
    /// Whether it can be used in ORDER BY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orderable: Option<bool>,
    /// Whether it can be shown in the issue navigator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigable: Option<bool>,
    /// Whether it can be searched with JQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searchable: Option<bool>,
    /// Names usable in JQL, e.g. `cf[10010]`.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub clause_names: Vec<String>,
    /// JSON type of the value.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub schema: Option<FieldSchema>,
}

/// The JSON type of a field's value (`JsonTypeBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldSchema {
    /// `string`, `number`, `array`, `option`, `user`, `date`, `datetime`, …
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    /// Element type when `kind` is `array`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// System field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Custom field type URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<String>,
    /// Custom field numeric id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<i64>,
    /// Custom field configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<JsonMap>,
}

/// One dynamic webhook as registered (`Webhook`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Webhook {
    /// Webhook id.
    #[serde(deserialize_with = "de::nullable")]
    pub id: i64,
    /// Subscribed events, e.g. `jira:issue_updated`.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub events: Vec<String>,
    /// JQL filter.
    #[serde(deserialize_with = "de::string")]
    pub jql_filter: String,
    /// Field ids filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_ids_filter: Option<Vec<String>>,
    /// Delivery URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Expiry: epoch milliseconds or a Jira timestamp, as a string.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_date: Option<String>,
}

/// A page of dynamic webhooks (`GET /webhook`).
pub type PageBeanWebhook = PageBean<Webhook>;

/// Body of `POST /webhook` (`WebhookRegistrationDetails`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRegistration {
    /// Delivery URL; one per app.
    pub url: String,
    /// The webhooks to register.
    pub webhooks: Vec<WebhookDetails>,
}

/// One webhook to register (`WebhookDetails`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDetails {
    /// Events, e.g. `jira:issue_created`, `comment_updated`.
    pub events: Vec<String>,
    /// JQL filter (required by Jira; a subset of JQL).
    pub jql_filter: String,
    /// Only send `jira:issue_updated` when one of these fields changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_ids_filter: Vec<String>,
    /// Issue property keys that trigger `issue_property_*` events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issue_property_keys_filter: Vec<String>,
}

/// Answer to `POST /webhook` (`ContainerForRegisteredWebhooks`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisteredWebhooks {
    /// One result per requested webhook, in order.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub webhook_registration_result: Vec<RegisteredWebhook>,
}

/// Result of registering one webhook: an id or errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisteredWebhook {
    /// The new webhook's id, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_webhook_id: Option<i64>,
    /// Why it was not created.
    #[serde(
        deserialize_with = "de::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<String>,
}

/// Body of `PUT /webhook/refresh` and `DELETE /webhook` (`ContainerForWebhookIDs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookIds {
    /// Webhook ids.
    pub webhook_ids: Vec<i64>,
}

/// Answer to `PUT /webhook/refresh` (`WebhooksExpirationDate`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebhookExpiration {
    /// New expiry: epoch milliseconds or a Jira timestamp, as a string.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_date: Option<String>,
}
