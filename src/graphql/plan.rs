//! Look-ahead: which Jira `fields` and `expand` options a GraphQL selection of `Issue` needs,
//! so every Jira call asks for exactly that and boards get comments and transitions inside
//! the search answer.

use std::collections::BTreeSet;

use async_graphql::SelectionField;

/// Most comments and changelog entries Jira embeds in search and bulkfetch answers.
pub const EMBEDDED_LIMIT: i64 = 20;

/// What to ask Jira for. Ordered sets, so equal plans hash equally (loader keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FetchPlan {
    pub fields: BTreeSet<String>,
    pub expand: BTreeSet<String>,
}

impl FetchPlan {
    /// The plan for a selection set of `Issue` fields.
    pub fn for_issue<'a>(selection: impl Iterator<Item = SelectionField<'a>>) -> Self {
        let mut plan = FetchPlan::default();
        plan.add_issue_selection(selection);
        plan
    }

    /// The plan for a selection set of an issue connection: what its `edges { node }` and
    /// `nodes` select.
    pub fn for_connection<'a>(selection: impl Iterator<Item = SelectionField<'a>>) -> Self {
        let mut plan = FetchPlan::default();
        for issue in issue_selections(selection) {
            plan.add_issue_selection(issue.selection_set());
        }
        plan
    }

    /// How many of the comments Jira embeds per issue a connection's selection shows, when
    /// every `comments` field under its `edges { node }` and `nodes` asks for a first page
    /// of at most [`EMBEDDED_LIMIT`] (the most of those `first`s); `None` when one asks for
    /// more or for a later page, which the full embedded page may still answer, or when no
    /// field shows comments. The search answer can then skip the rest (a board shows 3 of
    /// up to 20).
    pub fn comments_shown<'a>(
        selection: impl Iterator<Item = SelectionField<'a>>,
    ) -> Option<usize> {
        let mut most: Option<usize> = None;
        for issue in issue_selections(selection) {
            for field in issue.selection_set().filter(|f| f.name() == "comments") {
                let first = first_page(&field)
                    .filter(|&n| n <= EMBEDDED_LIMIT)
                    .and_then(|n| usize::try_from(n).ok())?;
                most = Some(most.map_or(first, |m| m.max(first)));
            }
        }
        most
    }

    fn field(&mut self, name: &str) {
        self.fields.insert(name.to_string());
    }

    fn add_issue_selection<'a>(&mut self, selection: impl Iterator<Item = SelectionField<'a>>) {
        for field in selection {
            match field.name() {
                "summary" => self.field("summary"),
                "status" => self.field("status"),
                "priority" => self.field("priority"),
                "issueType" => self.field("issuetype"),
                "assignee" => self.field("assignee"),
                "reporter" => self.field("reporter"),
                "creator" => self.field("creator"),
                "labels" => self.field("labels"),
                "created" => self.field("created"),
                "updated" | "version" => self.field("updated"),
                "dueDate" => self.field("duedate"),
                "resolution" => {
                    self.field("resolution");
                    self.field("resolutiondate");
                }
                "project" => self.field("project"),
                "parent" => self.field("parent"),
                "subtasks" => self.field("subtasks"),
                "description" => self.field("description"),
                "attachments" => self.field("attachment"),
                "transitions" => {
                    self.expand.insert("transitions".into());
                }
                "comments"
                    // Jira embeds the first 20 comments (oldest first) in the issue answer.
                    if first_page_within(&field, EMBEDDED_LIMIT) => {
                        self.field("comment");
                    }
                "changelog"
                    if first_page_within(&field, EMBEDDED_LIMIT) => {
                        self.expand.insert("changelog".into());
                    }
                "customFields" => match string_list_argument(&field, "ids") {
                    Some(ids) => ids
                        .into_iter()
                        .filter(|id| is_field_id(id))
                        .for_each(|id| self.field(&id)),
                    None => self.field("*navigable"),
                },
                "customField" => {
                    if let Some(id) = string_argument(&field, "id").filter(|id| is_field_id(id)) {
                        self.field(&id);
                    }
                }
                _ => {}
            }
        }
    }

    pub fn fields_vec(&self) -> Vec<String> {
        self.fields.iter().cloned().collect()
    }

    pub fn expand_vec(&self) -> Vec<String> {
        self.expand.iter().cloned().collect()
    }

    /// The union of two plans (one bulkfetch can serve both).
    pub fn merge(&mut self, other: &FetchPlan) {
        self.fields.extend(other.fields.iter().cloned());
        self.expand.extend(other.expand.iter().cloned());
    }

    /// Whether an issue fetched with `self` can answer a selection that needs `other`.
    pub fn covers(&self, other: &FetchPlan) -> bool {
        let all = self.fields.contains("*all") || self.fields.contains("*navigable");
        (all || other.fields.is_subset(&self.fields)) && other.expand.is_subset(&self.expand)
    }
}

/// Jira field ids are `summary`, `customfield_10030`...: letters, digits, `_`, `-`, `.`.
fn is_field_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn argument<'a>(field: &SelectionField<'a>, name: &str) -> Option<async_graphql::Value> {
    field
        .arguments()
        .ok()?
        .into_iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, v)| v)
}

fn string_argument(field: &SelectionField<'_>, name: &str) -> Option<String> {
    match argument(field, name)? {
        async_graphql::Value::String(s) => Some(s),
        _ => None,
    }
}

fn string_list_argument(field: &SelectionField<'_>, name: &str) -> Option<Vec<String>> {
    match argument(field, name)? {
        async_graphql::Value::List(values) => Some(
            values
                .into_iter()
                .filter_map(|v| match v {
                    async_graphql::Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The selections of `Issue` in a connection's selection set: its `edges { node }` and
/// `nodes`.
fn issue_selections<'a>(
    selection: impl Iterator<Item = SelectionField<'a>>,
) -> impl Iterator<Item = SelectionField<'a>> {
    selection.flat_map(|field| -> Vec<SelectionField<'a>> {
        match field.name() {
            "edges" => field
                .selection_set()
                .filter(|f| f.name() == "node")
                .collect(),
            "nodes" => vec![field],
            _ => Vec::new(),
        }
    })
}

/// The `first` of a `(first, after)` connection field that asks for a first page (no
/// `after`); `None` for a later page. A `first` too large for `i64` reads as `i64::MAX`.
fn first_page(field: &SelectionField<'_>) -> Option<i64> {
    if !matches!(
        argument(field, "after"),
        None | Some(async_graphql::Value::Null)
    ) {
        return None;
    }
    Some(match argument(field, "first") {
        Some(async_graphql::Value::Number(n)) => n.as_i64().unwrap_or(i64::MAX),
        _ => super::types::DEFAULT_NESTED_PAGE as i64,
    })
}

/// True when a `(first, after)` connection field asks for the first page of at most `limit`.
fn first_page_within(field: &SelectionField<'_>, limit: i64) -> bool {
    first_page(field).is_some_and(|first| first <= limit)
}
