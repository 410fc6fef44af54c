//! Per-request dataloaders over the caller's own Jira client. Never shared between users.
//!
//! - [`IssueLoader`]: issues by key or id and fetch plan → `POST issue/bulkfetch`, 100 at a
//!   time, one call per distinct plan, re-keyed (Jira answers in id order and omits missing
//!   and forbidden issues, which load as `None`). A moved issue asked for by its old key
//!   loads under that key with its new one inside.
//! - [`CommentLoader`], [`ChangelogLoader`]: pages of one issue.
//! - [`TransitionLoader`]: available transitions of one issue.
//! - [`UserLoader`]: users by account id → `GET user/bulk`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use futures_util::future::try_join_all;

use super::plan::FetchPlan;
use crate::jira::models::{
    BulkFetchRequest, Changelog, IssueBean, IssueTransition, PageBean, PageOfComments, User,
};
use crate::jira::{JiraClient, JiraError};

/// Jira's bulkfetch limit.
const BULK_FETCH_MAX: usize = 100;
/// How many account ids one `user/bulk` call carries.
const USER_BULK_MAX: usize = 100;

/// An issue reference plus what to fetch for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IssueKey {
    /// Upper-case key (`DEMO-1`) or numeric id.
    pub key: String,
    pub plan: Arc<FetchPlan>,
}

impl IssueKey {
    pub fn new(key: &str, plan: Arc<FetchPlan>) -> Self {
        IssueKey {
            key: key.trim().to_ascii_uppercase(),
            plan,
        }
    }
}

pub struct IssueLoader {
    pub jira: JiraClient,
}

impl Loader<IssueKey> for IssueLoader {
    type Value = Arc<IssueBean>;
    type Error = Arc<JiraError>;

    async fn load(&self, keys: &[IssueKey]) -> Result<HashMap<IssueKey, Self::Value>, Self::Error> {
        // One bulkfetch per plan and chunk of 100.
        let mut by_plan: BTreeMap<Arc<FetchPlan>, Vec<&IssueKey>> = BTreeMap::new();
        for key in keys {
            by_plan.entry(key.plan.clone()).or_default().push(key);
        }
        let calls = by_plan.iter().flat_map(|(plan, keys)| {
            keys.chunks(BULK_FETCH_MAX).map(move |chunk| {
                let mut fields = plan.fields_vec();
                if fields.is_empty() {
                    // Jira's default would be every navigable field; ask for the least.
                    fields.push("key".into());
                }
                let request = BulkFetchRequest {
                    issue_ids_or_keys: chunk.iter().map(|k| k.key.clone()).collect(),
                    fields,
                    expand: plan.expand_vec(),
                    ..BulkFetchRequest::default()
                };
                async move { self.jira.bulk_fetch(&request).await.map(|r| (chunk, r)) }
            })
        });
        let answers = try_join_all(calls).await.map_err(Arc::new)?;
        let mut out = HashMap::new();
        let mut ambiguous = Vec::new();
        for (chunk, result) in answers {
            let issues: Vec<Arc<IssueBean>> = result.issues.into_iter().map(Arc::new).collect();
            let mut claimed = vec![false; issues.len()];
            let mut unmatched = Vec::new();
            for wanted in chunk {
                let found = issues
                    .iter()
                    .position(|i| i.key.eq_ignore_ascii_case(&wanted.key) || i.id == wanted.key);
                match found {
                    Some(index) => {
                        claimed[index] = true;
                        out.insert((*wanted).clone(), issues[index].clone());
                    }
                    None => unmatched.push(*wanted),
                }
            }
            // An issue nobody asked for by its key or id was asked for by an old key: it was
            // moved. Jira does not say which key found it, so pair it only when that is
            // certain; otherwise ask for each unmatched key on its own.
            let moved: Vec<&Arc<IssueBean>> = issues
                .iter()
                .zip(&claimed)
                .filter(|(_, claimed)| !**claimed)
                .map(|(issue, _)| issue)
                .collect();
            match (moved.as_slice(), unmatched.as_slice()) {
                ([], _) | (_, []) => {}
                ([issue], [wanted]) => {
                    out.insert((*wanted).clone(), (*issue).clone());
                }
                _ => ambiguous.extend(unmatched),
            }
        }
        let singles = ambiguous.into_iter().map(|wanted| async move {
            let fields = wanted.plan.fields_vec();
            let fields: Vec<&str> = if fields.is_empty() {
                vec!["key"]
            } else {
                fields.iter().map(String::as_str).collect()
            };
            let expand = wanted.plan.expand_vec();
            let expand: Vec<&str> = expand.iter().map(String::as_str).collect();
            match self.jira.get_issue(&wanted.key, &fields, &expand).await {
                Ok(issue) => Ok(Some((wanted.clone(), Arc::new(issue)))),
                // Missing or not visible: loads as `None`, as from bulkfetch.
                Err(JiraError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        out.extend(
            try_join_all(singles)
                .await
                .map_err(Arc::new)?
                .into_iter()
                .flatten(),
        );
        Ok(out)
    }
}

/// One Jira call per key, concurrently: Jira has no batch endpoint for these pages.
async fn each<'a, K, V, F, Fut>(
    keys: &'a [K],
    call: F,
) -> Result<HashMap<K, Arc<V>>, Arc<JiraError>>
where
    K: Clone + Eq + std::hash::Hash,
    F: Fn(&'a K) -> Fut,
    Fut: std::future::Future<Output = Result<V, JiraError>>,
{
    let calls = keys.iter().map(|k| {
        let call = call(k);
        async move { call.await.map(|value| (k.clone(), Arc::new(value))) }
    });
    Ok(try_join_all(calls)
        .await
        .map_err(Arc::new)?
        .into_iter()
        .collect())
}

/// A page of an issue's comments or changelog: (issue key, startAt, maxResults).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub issue: String,
    pub start_at: u64,
    pub max_results: u32,
}

pub struct CommentLoader {
    pub jira: JiraClient,
}

impl Loader<PageKey> for CommentLoader {
    type Value = Arc<PageOfComments>;
    type Error = Arc<JiraError>;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Self::Error> {
        each(keys, |k| {
            self.jira.get_comments(&k.issue, k.start_at, k.max_results)
        })
        .await
    }
}

pub struct ChangelogLoader {
    pub jira: JiraClient,
}

impl Loader<PageKey> for ChangelogLoader {
    type Value = Arc<PageBean<Changelog>>;
    type Error = Arc<JiraError>;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Self::Error> {
        each(keys, |k| {
            self.jira.get_changelog(&k.issue, k.start_at, k.max_results)
        })
        .await
    }
}

pub struct TransitionLoader {
    pub jira: JiraClient,
}

impl Loader<String> for TransitionLoader {
    type Value = Arc<Vec<IssueTransition>>;
    type Error = Arc<JiraError>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let calls = keys.iter().map(|k| async move {
            match self.jira.get_transitions(k).await {
                Ok(t) => Ok(Some((k.clone(), Arc::new(t.transitions)))),
                // An issue that vanished or is not visible has no transitions.
                Err(JiraError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        Ok(try_join_all(calls)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .flatten()
            .collect())
    }
}

pub struct UserLoader {
    pub jira: JiraClient,
}

impl Loader<String> for UserLoader {
    type Value = Arc<User>;
    type Error = Arc<JiraError>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let calls = keys
            .chunks(USER_BULK_MAX)
            .map(|chunk| async move { self.jira.users_bulk(chunk).await });
        let pages = try_join_all(calls).await.map_err(Arc::new)?;
        Ok(pages
            .into_iter()
            .flat_map(|p| p.values)
            .map(|u| (u.account_id.clone(), Arc::new(u)))
            .collect())
    }
}
