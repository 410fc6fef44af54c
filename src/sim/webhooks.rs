//! Webhooks of the simulated site: dynamic registrations (`POST /rest/api/3/webhook`, 30-day
//! expiry, JQL filter), admin webhooks with a secret, and the sender.
//!
//! Deliveries use Jira's v2 payload shape (plain-string bodies), carry
//! `X-Atlassian-Webhook-Identifier` (stable across retries), `X-Atlassian-Webhook-Retry` and,
//! for admin webhooks with a secret, `X-Hub-Signature: sha256=<hex HMAC of the raw body>`.
//! Dynamic-webhook deliveries carry `Authorization: Bearer <JWT>` signed with the app's client
//! secret. Failed deliveries are retried with growing delays, as Jira does.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

use super::SimState;
use super::json::Render;
use super::model::{ChangeItem, Issue, SiteData, Ts};

/// Events Jira can deliver.
pub const EVENTS: &[&str] = &[
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "issue_property_set",
    "issue_property_deleted",
];

/// A webhook registered by an OAuth app through the REST API.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: u64,
    /// OAuth client id of the app that registered it.
    pub app: String,
    /// The user whose token registered it; deliveries only carry issues this user can browse.
    pub owner: String,
    pub url: String,
    pub events: Vec<String>,
    pub jql_filter: String,
    pub field_ids_filter: Option<Vec<String>>,
    pub expiration: Ts,
}

/// An admin webhook (System → WebHooks), optionally with a secret for `X-Hub-Signature`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminWebhook {
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
    /// Events to send; empty means all.
    #[serde(default)]
    pub events: Vec<String>,
}

/// A delivery attempt, as `GET /_sim/webhooks/deliveries` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub identifier: String,
    pub url: String,
    pub event: String,
    pub attempt: u32,
    /// HTTP status of the attempt, or 0 for a transport failure.
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct Webhooks {
    pub next_id: u64,
    pub registrations: Vec<Registration>,
    pub admin: Vec<AdminWebhook>,
}

/// A delivery to make: URL, extra headers, body.
type Target = (String, Vec<(String, String)>, String);

/// Something that happened to an issue.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: &'static str,
    pub issue_id: u64,
    pub comment_id: Option<u64>,
    pub user: String,
    pub items: Vec<ChangeItem>,
    /// The issue as it was before a deletion (of the issue, or of one of its comments), since
    /// the payload describes what is no longer in the site's data.
    pub before: Option<Box<Issue>>,
}

impl Event {
    pub fn issue(kind: &'static str, issue_id: u64, user: &str, items: Vec<ChangeItem>) -> Self {
        Event {
            kind,
            issue_id,
            comment_id: None,
            user: user.to_string(),
            items,
            before: None,
        }
    }
    pub fn comment(kind: &'static str, issue_id: u64, comment_id: u64, user: &str) -> Self {
        Event {
            kind,
            issue_id,
            comment_id: Some(comment_id),
            user: user.to_string(),
            items: Vec::new(),
            before: None,
        }
    }
    /// Describes the payload's issue from `issue` rather than from the current data.
    pub fn with_before(mut self, issue: Issue) -> Self {
        self.before = Some(Box::new(issue));
        self
    }
}

/// How many times a failed delivery is retried, and the first delay (doubling each time).
const RETRIES: u32 = 3;
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(500);

impl SimState {
    /// An issue was edited or transitioned: one `jira:issue_updated`, plus `comment_created`
    /// for comments added through `update`.
    pub fn emit_update(
        &self,
        issue_id: u64,
        user: &str,
        items: Vec<ChangeItem>,
        comments: Vec<u64>,
    ) {
        if !items.is_empty() {
            self.emit(Event::issue("jira:issue_updated", issue_id, user, items));
        }
        for comment in comments {
            self.emit(Event::comment("comment_created", issue_id, comment, user));
        }
    }

    /// Builds the payload now (while the issue exists) and delivers it in the background to
    /// every admin webhook and every matching dynamic registration.
    pub fn emit(&self, event: Event) {
        let targets = {
            let hooks = self.webhooks.lock();
            if hooks.admin.is_empty() && hooks.registrations.is_empty() {
                return;
            }
            let now = Utc::now();
            let data = self.data.read();
            let Some(issue) = event
                .before
                .as_deref()
                .or_else(|| data.issues.get(&event.issue_id))
            else {
                return;
            };
            let payload = payload(&data, &self.base_url, issue, &event);
            let mut targets: Vec<Target> = Vec::new();
            for hook in &hooks.admin {
                if !hook.events.is_empty() && !hook.events.iter().any(|e| e == event.kind) {
                    continue;
                }
                let body = payload.to_string();
                let mut headers = Vec::new();
                if let Some(secret) = &hook.secret {
                    headers.push((
                        "x-hub-signature".to_string(),
                        format!("sha256={}", sign(secret, body.as_bytes())),
                    ));
                }
                targets.push((hook.url.clone(), headers, body));
            }
            for registration in hooks
                .registrations
                .iter()
                .filter(|r| r.expiration > now && r.events.iter().any(|e| e == event.kind))
            {
                // `fieldIdsFilter`: an update is sent only when its changelog touches one of the fields.
                if let Some(fields) = registration
                    .field_ids_filter
                    .as_ref()
                    .filter(|_| event.kind == "jira:issue_updated")
                    && !event.items.iter().any(|i| fields.contains(&i.field_id))
                {
                    continue;
                }
                let Some(owner) = data.user(&registration.owner) else {
                    continue;
                };
                if !data.can_browse(owner, &issue.project)
                    || !filter_matches(&data, owner, issue, &registration.jql_filter)
                {
                    continue;
                }
                let mut body = payload.clone();
                body["matchedWebhookIds"] = json!([registration.id]);
                let token = app_jwt(
                    &self.config.oauth_client_secret,
                    &self.base_url,
                    &registration.app,
                );
                targets.push((
                    registration.url.clone(),
                    vec![("authorization".into(), format!("Bearer {token}"))],
                    body.to_string(),
                ));
            }
            targets
        };
        for (url, headers, body) in targets {
            let identifier = uuid::Uuid::new_v4().to_string();
            let state = self.webhooks_sender();
            let event_name = event.kind.to_string();
            tokio::spawn(async move {
                state
                    .deliver(identifier, url, headers, body, event_name)
                    .await
            });
        }
    }

    fn webhooks_sender(&self) -> Sender {
        Sender {
            client: self.http.clone(),
            log: self.delivery_log.clone(),
        }
    }
}

/// Sends deliveries and records their outcome.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    log: Arc<parking_lot::Mutex<Vec<Delivery>>>,
}

impl Sender {
    async fn deliver(
        self,
        identifier: String,
        url: String,
        headers: Vec<(String, String)>,
        body: String,
        event: String,
    ) {
        let mut delay = FIRST_RETRY_DELAY;
        for attempt in 0..=RETRIES {
            let mut request = self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .header("x-atlassian-webhook-identifier", &identifier)
                .header("x-atlassian-webhook-flow", "Primary")
                .body(body.clone());
            if attempt > 0 {
                request = request.header("x-atlassian-webhook-retry", attempt.to_string());
            }
            for (name, value) in &headers {
                request = request.header(name, value);
            }
            let status = match request.send().await {
                Ok(response) => response.status().as_u16(),
                Err(_) => 0,
            };
            self.log.lock().push(Delivery {
                identifier: identifier.clone(),
                url: url.clone(),
                event: event.clone(),
                attempt,
                status,
            });
            if (200..300).contains(&status) || (400..500).contains(&status) && status != 429 {
                return;
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
}

/// HMAC-SHA256 of `body` under `secret`, lower-case hex (the `X-Hub-Signature` value after `sha256=`).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn app_jwt(secret: &str, issuer: &str, app: &str) -> String {
    let now = Utc::now().timestamp();
    let claims =
        json!({ "iss": issuer, "aud": app, "iat": now, "exp": now + 300, "context": "webhook" });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap_or_default()
}

fn filter_matches(
    data: &SiteData,
    owner: &super::model::User,
    issue: &Issue,
    jql_filter: &str,
) -> bool {
    let Ok(query) = super::jql::parse(jql_filter) else {
        return false;
    };
    match super::jql::compile(&query, data, owner, Utc::now()) {
        Ok(compiled) => compiled.matches(issue, data),
        Err(_) => false,
    }
}

/// The v2-shaped payload Jira sends: `description` and comment bodies as plain strings.
fn payload(data: &SiteData, base: &str, issue: &Issue, event: &Event) -> Value {
    let render = Render { data, base };
    let v2 = |s: String| s.replace("/rest/api/3/", "/rest/api/2/");
    let mut fields = serde_json::Map::new();
    for field in [
        "summary",
        "status",
        "priority",
        "issuetype",
        "assignee",
        "reporter",
        "project",
        "labels",
        "created",
        "updated",
        "duedate",
        "parent",
    ] {
        if let Some(value) = render.field(issue, field, 0) {
            fields.insert(field.to_string(), value);
        }
    }
    fields.insert(
        "description".into(),
        issue
            .description
            .as_ref()
            .map_or(Value::Null, |d| json!(d.text.to_string())),
    );
    let issue_json = json!({ "id": issue.id.to_string(), "self": v2(format!("{base}/rest/api/3/issue/{}", issue.id)), "key": issue.key, "fields": fields });
    let timestamp = Utc::now().timestamp_millis();
    match (event.kind, event.comment_id) {
        (kind, Some(comment_id)) if kind.starts_with("comment_") => {
            let comment = issue.comments.iter().find(|c| c.id == comment_id);
            let comment_json = comment.map_or_else(
                || json!({ "id": comment_id.to_string() }),
                |c| {
                    json!({
                        "self": v2(format!("{base}/rest/api/3/issue/{}/comment/{}", issue.id, c.id)),
                        "id": c.id.to_string(),
                        "author": render.user(&c.author),
                        "body": c.body.text.to_string(),
                        "updateAuthor": render.user(&c.update_author),
                        "created": super::json::ts(&c.created),
                        "updated": super::json::ts(&c.updated),
                        "jsdPublic": true,
                    })
                },
            );
            json!({ "timestamp": timestamp, "webhookEvent": kind, "comment": comment_json, "issue": issue_json })
        }
        (kind, _) => {
            let mut body = json!({
                "timestamp": timestamp,
                "webhookEvent": kind,
                "user": render.user(&event.user),
                "issue": issue_json,
            });
            if kind != "jira:issue_deleted" {
                body["issue_event_type_name"] = json!(match kind {
                    "jira:issue_created" => "issue_created",
                    _ if event.items.iter().any(|i| i.field == "assignee") => "issue_assigned",
                    _ => "issue_generic",
                });
                body["changelog"] = json!({
                    "id": issue.changelog.last().map(|h| h.id.to_string()).unwrap_or_default(),
                    "items": event.items.iter().map(|i| json!({
                        "field": i.field, "fieldtype": i.field_type, "fieldId": i.field_id,
                        "from": i.from, "fromString": i.from_string, "to": i.to, "toString": i.to_string,
                    })).collect::<Vec<_>>(),
                });
            }
            body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_hex_hmac_sha256_of_the_raw_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
