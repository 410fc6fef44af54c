//! Completing one issue: comments and changes beyond what Jira embeds, image bytes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use super::{
    Counters, FOLLOW_UP_PAGE, FetchError, HIDDEN_CUSTOM_TYPES, IMAGE_CONCURRENCY, MAX_IMAGE_BYTES,
    MAX_TOTAL_IMAGE_BYTES,
};
use crate::export::model::{ExportAttachment, ExportIssue, Sections};
use crate::jira::models::{
    Attachment, BulkFetchRequest, Changelog, Comment, FieldDetails, IssueBean, PageOfChangelogs,
    PageOfComments,
};
use crate::jira::{JiraClient, JiraError};

/// A custom field shown in the report.
pub(super) struct CustomField {
    pub(super) id: String,
    pub(super) name: String,
}

/// What completing one issue needs, shared by all issues of a fetch.
pub(super) struct Ctx<'a> {
    pub(super) client: &'a JiraClient,
    pub(super) sections: Sections,
    pub(super) custom: Vec<CustomField>,
    /// Field id → display name, for changelog entries.
    pub(super) names: HashMap<String, String>,
    downloads: Semaphore,
    image_bytes: AtomicUsize,
    pub(super) calls: &'a Counters,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        client: &'a JiraClient,
        definitions: &[FieldDetails],
        sections: Sections,
        calls: &'a Counters,
    ) -> Self {
        let custom = definitions
            .iter()
            .filter(|f| f.custom && f.navigable != Some(false))
            .filter(|f| {
                let kind = f.schema.as_ref().and_then(|s| s.custom.as_deref());
                !kind.is_some_and(|k| HIDDEN_CUSTOM_TYPES.contains(&k))
            })
            .map(|f| CustomField {
                id: f.id.clone(),
                name: f.name.clone(),
            })
            .collect();
        let names = definitions
            .iter()
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect();
        Self {
            client,
            sections,
            custom,
            names,
            downloads: Semaphore::new(IMAGE_CONCURRENCY),
            image_bytes: AtomicUsize::new(0),
            calls,
        }
    }

    /// Exactly the fields the templates show, given the sections.
    pub(super) fn requested_fields(&self) -> Vec<String> {
        let s = &self.sections;
        let mut fields: Vec<String> = [
            "summary",
            "status",
            "priority",
            "issuetype",
            "assignee",
            "reporter",
            "created",
            "updated",
            "duedate",
            "labels",
            "parent",
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
        if s.description {
            fields.push("description".into());
        }
        if s.comments {
            fields.push("comment".into());
        }
        // Images also appear inside descriptions and comments, matched against attachments.
        if s.attachments || s.description || s.comments {
            fields.push("attachment".into());
        }
        if s.custom_fields {
            fields.extend(self.custom.iter().map(|f| f.id.clone()));
        }
        fields
    }

    /// One bulk fetch; issues Jira reports as failed are asked for once more.
    pub(super) async fn bulk_fetch(
        &self,
        keys: &[String],
        fields: &[String],
        expand: &[String],
    ) -> Result<Vec<IssueBean>, FetchError> {
        let mut request = BulkFetchRequest {
            issue_ids_or_keys: keys.to_vec(),
            fields: fields.to_vec(),
            expand: expand.to_vec(),
            ..BulkFetchRequest::default()
        };
        self.calls.bulk_fetch.fetch_add(1, Ordering::Relaxed);
        let mut result = self.client.bulk_fetch(&request).await?;
        if result.issue_errors.is_empty() {
            return Ok(result.issues);
        }
        request.issue_ids_or_keys = result.issue_errors.iter().map(|e| e.id.clone()).collect();
        self.calls.bulk_fetch.fetch_add(1, Ordering::Relaxed);
        let retry = self.client.bulk_fetch(&request).await?;
        if !retry.issue_errors.is_empty() {
            return Err(FetchError::IssueErrors(
                retry
                    .issue_errors
                    .iter()
                    .map(|e| {
                        let message = e.error_message.as_deref().unwrap_or("unknown error");
                        format!("issue {}: {message}", e.id)
                    })
                    .collect(),
            ));
        }
        result.issues.extend(retry.issues);
        Ok(result.issues)
    }

    /// Completes one issue (comments and changes beyond the embedded 20, image bytes) and
    /// flattens it for the renderer.
    pub(super) async fn complete(&self, mut bean: IssueBean) -> Result<ExportIssue, FetchError> {
        let key = bean.key.clone();
        let embedded_comments = bean.fields.comment.take();
        let embedded_changes = bean.changelog.take();
        let attachments = bean.fields.attachment.take().unwrap_or_default();
        let (comments, changes, attachments) = tokio::try_join!(
            self.all_comments(&key, embedded_comments),
            self.all_changes(&key, embedded_changes),
            self.attachments(attachments),
        )?;
        Ok(self.flatten(bean, comments, changes, attachments))
    }

    async fn all_comments(
        &self,
        key: &str,
        embedded: Option<PageOfComments>,
    ) -> Result<Vec<Comment>, JiraError> {
        let Some(page) = embedded.filter(|_| self.sections.comments) else {
            return Ok(Vec::new());
        };
        let embedded_len = i64::try_from(page.comments.len()).unwrap_or(i64::MAX);
        if page.start_at == 0 && page.total <= embedded_len {
            return Ok(page.comments);
        }
        // Keep the embedded comments when they are the first ones, and read on after them.
        let mut comments = if page.start_at == 0 {
            page.comments
        } else {
            Vec::new()
        };
        loop {
            let start = u64::try_from(comments.len()).unwrap_or(u64::MAX);
            self.calls.comments.fetch_add(1, Ordering::Relaxed);
            let next = self.client.get_comments(key, start, FOLLOW_UP_PAGE).await?;
            let last = next.is_last_page();
            comments.extend(next.comments);
            if last {
                return Ok(comments);
            }
        }
    }

    /// The whole changelog, oldest first.
    async fn all_changes(
        &self,
        key: &str,
        embedded: Option<PageOfChangelogs>,
    ) -> Result<Vec<Changelog>, JiraError> {
        let Some(page) = embedded.filter(|_| self.sections.changelog) else {
            return Ok(Vec::new());
        };
        let embedded_len = i64::try_from(page.histories.len()).unwrap_or(i64::MAX);
        if page.start_at == 0 && page.total <= embedded_len {
            // Embedded entries are most recent first.
            let mut histories = page.histories;
            histories.reverse();
            return Ok(histories);
        }
        let mut histories = Vec::new();
        loop {
            let start = u64::try_from(histories.len()).unwrap_or(u64::MAX);
            self.calls.changelog.fetch_add(1, Ordering::Relaxed);
            let next = self
                .client
                .get_changelog(key, start, FOLLOW_UP_PAGE)
                .await?;
            let last = next.is_last_page() || next.values.is_empty();
            histories.extend(next.values);
            if last {
                return Ok(histories);
            }
        }
    }

    /// Attachment metadata, with the bytes of images small enough to embed. A download that
    /// fails leaves the image listed rather than failing the export.
    async fn attachments(
        &self,
        attachments: Vec<Attachment>,
    ) -> Result<Vec<ExportAttachment>, JiraError> {
        let s = &self.sections;
        let want_images = s.attachments || s.description || s.comments;
        let downloads = attachments.into_iter().map(|a| async move {
            let size = a.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
            let mime_type = a.mime_type.clone().unwrap_or_default();
            let is_image = mime_type.to_ascii_lowercase().starts_with("image/");
            let content = if want_images && is_image && size <= MAX_IMAGE_BYTES {
                self.download(&a.id, size).await
            } else {
                None
            };
            ExportAttachment {
                id: Some(a.id).filter(|id| !id.is_empty()),
                filename: a.filename,
                mime_type,
                size,
                content,
            }
        });
        Ok(futures_util::future::join_all(downloads).await)
    }

    async fn download(&self, id: &str, size: u64) -> Option<Vec<u8>> {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        // Reserve the announced size first so concurrent downloads cannot overshoot much.
        let before = self.image_bytes.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > MAX_TOTAL_IMAGE_BYTES {
            self.image_bytes.fetch_sub(size, Ordering::Relaxed);
            return None;
        }
        let _slot = self.downloads.acquire().await.ok()?;
        self.calls.attachments.fetch_add(1, Ordering::Relaxed);
        match self.client.attachment_content(id).await {
            Ok(bytes) if bytes.len() as u64 <= MAX_IMAGE_BYTES => Some(bytes.to_vec()),
            Ok(bytes) => {
                tracing::debug!(attachment.id = %id, attachment.bytes = bytes.len(), "image too large to embed");
                None
            }
            Err(error) => {
                tracing::warn!(attachment.id = %id, %error, "could not download an image attachment; it is listed only");
                None
            }
        }
    }
}
