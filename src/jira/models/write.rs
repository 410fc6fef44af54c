//! Write DTOs: issue edits and transitions, comments, bulk transitions and their progress.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::issue::Visibility;
use super::{JsonMap, User, de};

/// Body of `PUT /issue/{key}` and `POST /issue/{key}/transitions` (`IssueUpdateDetails`).
///
/// A field goes either in `fields` (replace the value) or in `update` (operations), not both.
/// `description` and textarea custom fields take ADF; single-line text fields take strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueUpdate {
    /// Field id → new value.
    #[serde(skip_serializing_if = "JsonMap::is_empty")]
    pub fields: JsonMap,
    /// Field id → operations (`set`, `add`, `remove`, `edit`, `copy`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub update: BTreeMap<String, Vec<FieldOperation>>,
    /// The transition to perform (transitions only; ignored by edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition: Option<TransitionRef>,
    /// Extra history metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_metadata: Option<Value>,
}

impl IssueUpdate {
    /// An update that performs transition `id`.
    pub fn transition(id: impl Into<String>) -> Self {
        Self {
            transition: Some(TransitionRef { id: id.into() }),
            ..Self::default()
        }
    }

    /// Sets field `id` to `value` (in `fields`).
    pub fn with_field(mut self, id: impl Into<String>, value: Value) -> Self {
        self.fields.insert(id.into(), value);
        self
    }

    /// Adds an operation on field `id` (in `update`).
    pub fn with_operation(mut self, id: impl Into<String>, operation: FieldOperation) -> Self {
        self.update.entry(id.into()).or_default().push(operation);
        self
    }

    /// Adds a comment (ADF body) as part of the update, e.g. with a transition.
    pub fn with_comment(self, body_adf: Value) -> Self {
        self.with_operation(
            "comment",
            FieldOperation {
                add: Some(json!({ "body": body_adf })),
                ..FieldOperation::default()
            },
        )
    }
}

/// Reference to a transition by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRef {
    /// Transition id.
    pub id: String,
}

/// One operation on a field (`FieldUpdateOperation`); set exactly one member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldOperation {
    /// Replace the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<Value>,
    /// Add to a multi-value field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<Value>,
    /// Remove from a multi-value field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove: Option<Value>,
    /// Edit a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<Value>,
    /// Copy from another issue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<Value>,
}

/// Body of `POST /issue/{key}/comment` and `PUT /issue/{key}/comment/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentRequest {
    /// The body as ADF.
    pub body: Value,
    /// Optional visibility restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// Body of `POST /bulk/issues/transition` (`IssueBulkTransitionPayload`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTransitionRequest {
    /// Groups of issues and the transition to apply to each group (≤ 1000 issues in all).
    pub bulk_transition_inputs: Vec<BulkTransitionInput>,
    /// Whether Jira sends one bulk notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_bulk_notification: Option<bool>,
}

/// One group of a bulk transition (`BulkTransitionSubmitInput`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTransitionInput {
    /// Issue ids or keys.
    pub selected_issue_ids_or_keys: Vec<String>,
    /// Transition id.
    pub transition_id: String,
}

/// Answer of an asynchronous bulk operation (`SubmittedBulkOperation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskId {
    /// The task id to poll with `bulk_progress`.
    #[serde(deserialize_with = "de::string")]
    pub task_id: String,
}

/// State of a bulk task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BulkTaskStatus {
    /// Queued.
    Enqueued,
    /// Running.
    Running,
    /// Finished (issues may still have failed individually).
    Complete,
    /// Failed as a whole.
    Failed,
    /// Cancellation requested.
    CancelRequested,
    /// Cancelled.
    Cancelled,
    /// Abandoned by Jira.
    Dead,
    /// A value this client does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

impl BulkTaskStatus {
    /// Whether the task will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Self::Complete | Self::Failed | Self::Cancelled | Self::Dead
        )
    }
}

/// Progress of a bulk task (`BulkOperationProgress`, `GET /bulk/queue/{taskId}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkOperationProgress {
    /// Task id.
    #[serde(deserialize_with = "de::string")]
    pub task_id: String,
    /// Current state.
    #[serde(deserialize_with = "de::nullable")]
    pub status: BulkTaskStatus,
    /// 0–100.
    #[serde(deserialize_with = "de::nullable")]
    pub progress_percent: i64,
    /// Ids of the issues processed successfully.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub processed_accessible_issues: Vec<i64>,
    /// Issue id → failure reasons.
    #[serde(deserialize_with = "de::nullable")]
    pub failed_accessible_issues: BTreeMap<String, Vec<String>>,
    /// Issues that were invalid or not accessible.
    #[serde(deserialize_with = "de::nullable")]
    pub invalid_or_inaccessible_issue_count: i64,
    /// Total issues in the task.
    #[serde(deserialize_with = "de::nullable")]
    pub total_issue_count: i64,
    /// When the task was created. Jira sends epoch milliseconds or a timestamp; kept as a string.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<String>,
    /// When it started. Jira sends epoch milliseconds or a timestamp; kept as a string.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub started: Option<String>,
    /// Last update. Jira sends epoch milliseconds or a timestamp; kept as a string.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
    /// Who submitted it.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub submitted_by: Option<User>,
}

/// Answer of `GET /bulk/issues/transition` (`BulkTransitionGetAvailableTransitions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkTransitionsAvailable {
    /// Transitions per workflow.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub available_transitions: Vec<WorkflowBulkTransitions>,
    /// Cursor for the next page of workflows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
    /// Cursor for the previous page of workflows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending_before: Option<String>,
}

/// The transitions common to the given issues of one workflow (`IssueBulkTransitionForWorkflow`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowBulkTransitions {
    /// Issue keys in this workflow.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub issues: Vec<String>,
    /// Whether transitions needing extra fields were filtered out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_transitions_filtered: Option<bool>,
    /// The transitions.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub transitions: Vec<SimplifiedTransition>,
}

/// A transition offered for bulk use (`SimplifiedIssueTransition`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimplifiedTransition {
    /// Transition id (a number in Jira's schema; kept as a string like elsewhere).
    #[serde(deserialize_with = "de::string")]
    pub transition_id: String,
    /// Transition name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition_name: Option<String>,
    /// Target status.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<TransitionTarget>,
}

/// Target status of a [`SimplifiedTransition`] (`IssueTransitionStatus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransitionTarget {
    /// Status id.
    #[serde(deserialize_with = "de::string")]
    pub status_id: String,
    /// Status name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_name: Option<String>,
}
