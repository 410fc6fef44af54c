//! The `Issue` type. Fields read what the fetch plan put into the Jira answer; what a plan
//! could not carry (more than 20 comments, a parent's assignee...) is loaded through the
//! request's loaders, batched.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Value};
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::connection::offset_page;
use super::{
    Attachment, Changelog, ChangelogConnection, ChangelogEdge, Comment, CommentConnection,
    CommentEdge, CustomFieldValue, DEFAULT_NESTED_PAGE, IssueTypeInfo, PriorityInfo, Project,
    Resolution, RichText, StatusInfo, Transition, User, decode_offset, time,
};
use crate::graphql::context::RequestContext;
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::immediate::{self, Immediate};
use crate::graphql::loaders::{IssueKey, PageKey};
use crate::graphql::plan::FetchPlan;
use crate::jira::models::{IssueBean, IssueFields, IssueRef, parse_jira_date};

/// An issue, with the request context of the site it came from: nested fields (comments,
/// transitions, parent...) load from that same site with the same credentials.
#[derive(Clone)]
pub struct Issue {
    pub bean: Arc<IssueBean>,
    pub context: Arc<RequestContext>,
}

impl Issue {
    pub fn new(bean: Arc<IssueBean>, context: Arc<RequestContext>) -> Self {
        Issue { bean, context }
    }

    fn fields(&self) -> &IssueFields {
        &self.bean.fields
    }

    /// An issue built from a parent/subtask reference (summary, status, priority, type only).
    fn from_ref(r: &IssueRef, context: &Arc<RequestContext>) -> Self {
        let fields = r.fields.clone().unwrap_or_default();
        Issue::new(
            Arc::new(IssueBean {
                id: r.id.clone(),
                key: r.key.clone(),
                fields: IssueFields {
                    summary: fields.summary,
                    status: fields.status,
                    priority: fields.priority,
                    issue_type: fields.issue_type,
                    ..IssueFields::default()
                },
                ..IssueBean::default()
            }),
            context.clone(),
        )
    }
}

/// Resolves issue references: from the reference itself when the selection needs only what a
/// reference carries, otherwise through the issue loader (one bulkfetch for all of them).
async fn resolve_refs(
    ctx: &Context<'_>,
    request: &Arc<RequestContext>,
    refs: &[IssueRef],
) -> GqlResult<Vec<Issue>> {
    let plan = FetchPlan::for_issue(ctx.field().selection_set());
    let reference_fields: std::collections::BTreeSet<String> =
        ["summary", "status", "priority", "issuetype"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    if plan.expand.is_empty() && plan.fields.is_subset(&reference_fields) {
        return Ok(refs.iter().map(|r| Issue::from_ref(r, request)).collect());
    }
    let plan = Arc::new(plan);
    let keys: Vec<IssueKey> = refs
        .iter()
        .map(|r| IssueKey::new(&r.key, plan.clone()))
        .collect();
    let loaded = request
        .issues
        .load_many(keys.clone())
        .await
        .map_err(GqlError::from)?;
    Ok(keys
        .iter()
        .filter_map(|k| {
            loaded
                .get(k)
                .cloned()
                .map(|bean| Issue::new(bean, request.clone()))
        })
        .collect())
}

/// `first` of a connection checked against `max` (`BAD_USER_INPUT`), `default` when absent.
pub fn page_size(first: Option<i32>, default: usize, max: usize) -> Result<usize, GqlError> {
    match first {
        None => Ok(default.min(max)),
        Some(n) if n < 0 => Err(GqlError::BadUserInput(
            "`first` must not be negative.".into(),
        )),
        Some(n) if n as usize > max => Err(GqlError::BadUserInput(format!(
            "`first` must be at most {max}."
        ))),
        Some(n) => Ok(n as usize),
    }
}

/// The `#[Object]` resolvers of [`Issue`]: the standard path, for the fields the immediate
/// path does not read (see [`crate::graphql::immediate`]).
struct IssueObject<'a>(&'a Issue);

immediate::immediate_object!(Issue => IssueObject);

impl Immediate for Issue {
    const TYPE: &'static str = "Issue";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        IssueObject(self).field(ctx)
    }
}

impl Immediate for IssueObject<'_> {
    const TYPE: &'static str = "Issue";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        use immediate::{object, opt_text, optional, scalar, text};
        let f = self.fields();
        Some(match ctx.item.node.name.node.as_str() {
            "id" => text(&self.bean.id),
            "key" => text(&self.bean.key),
            "summary" => opt_text(f.summary.as_deref()),
            "status" => return optional(ctx, f.status.as_ref()),
            "priority" => return optional(ctx, f.priority.as_ref()),
            "issueType" => return optional(ctx, f.issue_type.as_ref()),
            "assignee" => return optional(ctx, f.assignee.as_deref()),
            "reporter" => return optional(ctx, f.reporter.as_deref()),
            "creator" => return optional(ctx, f.creator.as_deref()),
            "labels" => Value::List(f.labels.iter().flatten().map(|l| text(l)).collect()),
            "created" => scalar(time(f.created.as_deref()).as_ref()),
            "updated" => scalar(time(f.updated.as_deref()).as_ref()),
            "version" => opt_text(f.updated.as_deref()),
            "dueDate" => scalar(f.due_date.as_deref().and_then(parse_jira_date).as_ref()),
            "resolution" => return optional(ctx, self.resolution_info().as_ref()),
            "description" => match self.description_text() {
                Some(text) => return object(ctx, &text),
                None => Value::Null,
            },
            "transitions" => return immediate::list(ctx, self.bean.transitions.as_deref()?),
            "comments" => {
                let first = ctx.param_value::<Option<i32>>("first", None).ok()?.1;
                let after = ctx.param_value::<Option<String>>("after", None).ok()?.1;
                let (first, offset) = self.comment_page(first, after.as_deref()).ok()?;
                return object(ctx, &self.embedded_comments(first, offset)?);
            }
            _ => return None,
        })
    }
}

impl Issue {
    fn resolution_info(&self) -> Option<Resolution> {
        self.fields().resolution.as_ref().map(|r| Resolution {
            name: r.name.clone(),
            resolved_at: time(self.fields().resolution_date.as_deref()),
        })
    }

    fn description_text(&self) -> Option<RichText> {
        self.fields()
            .description
            .as_ref()
            .filter(|d| !d.is_null())
            .map(|_| RichText::description(self.bean.clone()))
    }

    /// The page size and offset of a comments page (`first`, `after`), checked.
    fn comment_page(&self, first: Option<i32>, after: Option<&str>) -> GqlResult<(usize, usize)> {
        Ok((
            page_size(first, DEFAULT_NESTED_PAGE, self.context.max_page_size)?,
            decode_offset(after)?,
        ))
    }

    /// The comments page of `first` comments from `offset`, when the page embedded in the
    /// issue holds it (`None`: it has to be loaded).
    fn embedded_comments(&self, first: usize, offset: usize) -> Option<CommentConnection> {
        let page = self.fields().comment.as_ref().filter(|p| p.start_at == 0)?;
        let embedded = page.comments.len();
        let total = usize::try_from(page.total)
            .unwrap_or(embedded)
            .max(embedded);
        if offset + first > embedded && embedded < total {
            return None;
        }
        let items: Vec<Comment> = (offset..embedded.min(offset + first))
            .map(|i| Comment::embedded(&self.bean, i))
            .collect();
        let (edges, page_info) = offset_page(items, offset, total, |cursor, node| CommentEdge {
            cursor,
            node,
        });
        Some(CommentConnection {
            edges,
            page_info,
            total_count: total as i64,
        })
    }
}

#[Object(name = "Issue")]
impl IssueObject<'_> {
    async fn id(&self) -> ID {
        ID(self.bean.id.clone())
    }
    async fn key(&self) -> &str {
        &self.bean.key
    }
    async fn summary(&self) -> Option<&str> {
        self.fields().summary.as_deref()
    }
    async fn status(&self) -> Option<StatusInfo> {
        self.fields().status.as_ref().map(StatusInfo::from)
    }
    async fn priority(&self) -> Option<PriorityInfo> {
        self.fields().priority.as_ref().map(PriorityInfo::from)
    }
    async fn issue_type(&self) -> Option<IssueTypeInfo> {
        self.fields().issue_type.as_ref().map(IssueTypeInfo::from)
    }
    async fn assignee(&self) -> Option<User> {
        self.fields().assignee.clone().map(User)
    }
    async fn reporter(&self) -> Option<User> {
        self.fields().reporter.clone().map(User)
    }
    async fn creator(&self) -> Option<User> {
        self.fields().creator.clone().map(User)
    }
    async fn labels(&self) -> Vec<String> {
        self.fields().labels.clone().unwrap_or_default()
    }
    async fn created(&self) -> Option<DateTime<FixedOffset>> {
        time(self.fields().created.as_deref())
    }
    async fn updated(&self) -> Option<DateTime<FixedOffset>> {
        time(self.fields().updated.as_deref())
    }
    /// The optimistic-concurrency token of this issue: Jira's `updated`, unchanged.
    async fn version(&self) -> Option<&str> {
        self.fields().updated.as_deref()
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.fields().due_date.as_deref().and_then(parse_jira_date)
    }
    async fn resolution(&self) -> Option<Resolution> {
        self.resolution_info()
    }
    async fn project(&self) -> Option<Project> {
        self.fields().project.clone().map(Project::new)
    }
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<Issue>> {
        let Some(parent) = &self.fields().parent else {
            return Ok(None);
        };
        Ok(
            resolve_refs(ctx, &self.context, std::slice::from_ref(parent))
                .await?
                .into_iter()
                .next(),
        )
    }
    async fn subtasks(&self, ctx: &Context<'_>) -> GqlResult<Vec<Issue>> {
        match &self.fields().subtasks {
            Some(refs) if !refs.is_empty() => resolve_refs(ctx, &self.context, refs).await,
            _ => Ok(Vec::new()),
        }
    }
    async fn description(&self) -> Option<RichText> {
        self.description_text()
    }
    async fn attachments(&self) -> Vec<Attachment> {
        self.fields()
            .attachment
            .iter()
            .flatten()
            .map(Attachment::from)
            .collect()
    }

    /// Comments, oldest first. The first 20 come with the issue at no extra Jira call.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_NESTED_PAGE as i32).max(1) as usize * child_complexity"
    )]
    async fn comments(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<CommentConnection> {
        let (first, offset) = self.comment_page(first, after.as_deref())?;
        if let Some(page) = self.embedded_comments(first, offset) {
            return Ok(page);
        }
        let request = &self.context;
        let key = PageKey {
            issue: self.bean.key.clone(),
            start_at: offset as u64,
            max_results: first as u32,
        };
        let page = request
            .comments
            .load_one(key)
            .await
            .map_err(GqlError::from)?
            .unwrap_or_default();
        let total = usize::try_from(page.total).unwrap_or(0);
        let items: Vec<Comment> = (0..page.comments.len().min(first))
            .map(|i| Comment::in_page(&page, i))
            .collect();
        let (edges, page_info) = offset_page(items, offset, total, |cursor, node| CommentEdge {
            cursor,
            node,
        });
        Ok(CommentConnection {
            edges,
            page_info,
            total_count: total as i64,
        })
    }

    /// The transitions the caller may perform now (from the search answer when selected there).
    async fn transitions(&self) -> GqlResult<Vec<Transition>> {
        if let Some(transitions) = &self.bean.transitions {
            return Ok(transitions.iter().map(Transition::from).collect());
        }
        let request = &self.context;
        let loaded = request
            .transitions
            .load_one(self.bean.key.clone())
            .await
            .map_err(GqlError::from)?;
        Ok(loaded
            .map(|t| t.iter().map(Transition::from).collect())
            .unwrap_or_default())
    }

    /// Change history, oldest first.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_NESTED_PAGE as i32).max(1) as usize * child_complexity"
    )]
    async fn changelog(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<ChangelogConnection> {
        let request = &self.context;
        let first = page_size(first, DEFAULT_NESTED_PAGE, request.max_page_size)?;
        let offset = decode_offset(after.as_deref())?;
        // Jira embeds the most recent histories, newest first; usable when it embedded all.
        if let Some(page) = self.bean.changelog.as_ref() {
            let embedded = page.histories.len();
            if embedded as i64 >= page.total {
                let items: Vec<Changelog> = page
                    .histories
                    .iter()
                    .rev()
                    .skip(offset)
                    .take(first)
                    .map(Changelog::from)
                    .collect();
                let (edges, page_info) = offset_page(items, offset, embedded, |cursor, node| {
                    ChangelogEdge { cursor, node }
                });
                return Ok(ChangelogConnection {
                    edges,
                    page_info,
                    total_count: embedded as i64,
                });
            }
        }
        let key = PageKey {
            issue: self.bean.key.clone(),
            start_at: offset as u64,
            max_results: first as u32,
        };
        let page = request
            .changelogs
            .load_one(key)
            .await
            .map_err(GqlError::from)?;
        let (values, total) = page
            .map(|p| (p.values.clone(), p.total.unwrap_or(0)))
            .unwrap_or_default();
        let total = usize::try_from(total)
            .unwrap_or(0)
            .max(offset + values.len());
        let items: Vec<Changelog> = values.iter().take(first).map(Changelog::from).collect();
        let (edges, page_info) = offset_page(items, offset, total, |cursor, node| ChangelogEdge {
            cursor,
            node,
        });
        Ok(ChangelogConnection {
            edges,
            page_info,
            total_count: total as i64,
        })
    }

    /// Custom fields of the issue (all, or those listed in `ids`), with their types and names.
    async fn custom_fields(&self, ids: Option<Vec<String>>) -> GqlResult<Vec<CustomFieldValue>> {
        let request = &self.context;
        let definitions = request.field_definitions().await?;
        let mut out = Vec::new();
        for (id, value) in &self.fields().other {
            if !id.starts_with("customfield_") || value.is_null() {
                continue;
            }
            if ids.as_ref().is_some_and(|ids| !ids.contains(id)) {
                continue;
            }
            out.push(CustomFieldValue::new(
                id,
                definitions.iter().find(|f| &f.id == id),
                value,
            ));
        }
        Ok(out)
    }

    /// One custom field by id (`customfield_10030`); null when empty or not visible.
    async fn custom_field(&self, id: String) -> GqlResult<Option<CustomFieldValue>> {
        let Some(value) = self.fields().other.get(&id).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let definitions = self.context.field_definitions().await?;
        Ok(Some(CustomFieldValue::new(
            &id,
            definitions.iter().find(|f| f.id == id),
            value,
        )))
    }
}
