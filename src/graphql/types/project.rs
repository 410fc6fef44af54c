//! The `Project` type.

use async_graphql::{ID, Object};

use super::{IssueTypeInfo, User};
use crate::jira::models;

#[derive(Debug, Clone)]
pub struct Project(pub models::Project);

impl Project {
    pub fn new(project: models::Project) -> Self {
        Project(project)
    }
}

#[Object]
impl Project {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref().filter(|d| !d.is_empty())
    }
    /// `software`, `business` or `service_desk`.
    async fn project_type(&self) -> Option<&str> {
        self.0.project_type_key.as_deref()
    }
    async fn avatar_url(&self) -> Option<&str> {
        self.0.avatar_urls.as_ref().and_then(|a| a.x48.as_deref())
    }
    async fn lead(&self) -> Option<User> {
        self.0.lead.clone().map(User::from)
    }
    async fn issue_types(&self) -> Vec<IssueTypeInfo> {
        self.0
            .issue_types
            .iter()
            .flatten()
            .map(IssueTypeInfo::from)
            .collect()
    }
}
