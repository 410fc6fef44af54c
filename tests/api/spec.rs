//! The simulated site against Atlassian's contract: every endpoint it serves is called with
//! realistic parameters and bodies, and every answer is validated against the schema that
//! `shared/jira/jira-cloud-openapi.json` gives for that operation and status code. The
//! request bodies the gateway's client sends (`jira_gateway::jira::models`) are validated
//! against the spec's request-body schemas on the way out.
//!
//! All violations are collected and reported together (endpoint, JSON pointer, message), so one
//! run shows every mismatch. Where the spec is wrong or stricter than real Jira, the difference
//! is allowed explicitly, each with the reason: statuses in [`ALLOWED`], schema corrections in
//! [`NULLABLE_IN_REAL_JIRA`], Jira's `+0000` timestamps in [`jira_date_time`], and the spec
//! generator's union-type artefact in [`translate`]. Beyond the operation schemas, the system
//! fields of every returned issue (which the spec leaves open) are checked against the
//! component schemas Jira uses for them ([`field_schemas`]).
//!
//! Not covered: `/rest/api/2/search` (not in the v3 spec), the OAuth stand-in and `/_sim/`
//! (not Jira platform APIs), and error bodies for statuses the spec lists without a schema.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use jira_gateway::jira::models::{
    ApproximateCountRequest, BulkChangelogRequest, BulkFetchRequest, BulkTransitionInput,
    BulkTransitionRequest, CommentIds, CommentRequest, FieldOperation, IssueUpdate,
    JqlQueriesToParse, SearchRequest, WebhookDetails, WebhookIds, WebhookRegistration,
};
use jira_gateway::sim::{SimConfig, SimHandle};
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::helpers::{basic, spawn_site};

/// The spec, relative to `CARGO_MANIFEST_DIR`: CI clones the repository with `shared/` beside it.
const SPEC_PATH: &str = "../shared/jira/jira-cloud-openapi.json";
const API: &str = "/rest/api/3";
const ADMIN: &str = "admin@demo.test";
const ADMIN_TOKEN: &str = "admin-token";

/// Differences between the spec and real Jira that the simulated site keeps on purpose.
/// Each entry: (endpoint label prefix, instance path prefix, substring of the message, why).
/// Empty strings match anything.
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    // Jira Cloud removed the old search API (CHANGE-2046, 2025): it answers 410 Gone, which the
    // spec (still listing it as merely deprecated) does not document.
    (
        "GET /rest/api/3/search 410",
        "",
        "status 410 is not documented",
        "CHANGE-2046: real Jira answers 410 Gone",
    ),
    (
        "POST /rest/api/3/search 410",
        "",
        "status 410 is not documented",
        "CHANGE-2046: real Jira answers 410 Gone",
    ),
];

/// Corrections to the spec where it is stricter than what real Jira sends (and the gateway
/// reads). Each entry: (schema name, property, why). The property becomes `nullable`.
const NULLABLE_IN_REAL_JIRA: &[(&str, &str, &str)] = &[
    // Real Jira sends `"from": null, "fromString": null` in changelog items when the field was
    // empty before the change (a first assignee, a first label), and `"to": null,
    // "toString": null` when it was cleared; the gateway's `ChangeItem` reads them as `Option`.
    (
        "ChangeDetails",
        "from",
        "Jira sends null when the field was empty before",
    ),
    (
        "ChangeDetails",
        "fromString",
        "Jira sends null when the field was empty before",
    ),
    (
        "ChangeDetails",
        "to",
        "Jira sends null when the field was cleared",
    ),
    (
        "ChangeDetails",
        "toString",
        "Jira sends null when the field was cleared",
    ),
];

/// Applies [`NULLABLE_IN_REAL_JIRA`] to the spec's component schemas.
fn patch_spec(doc: &mut Value) {
    for (schema, property, _) in NULLABLE_IN_REAL_JIRA {
        let pointer = format!("/components/schemas/{schema}/properties/{property}");
        let target = doc
            .pointer_mut(&pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| {
                panic!("the spec no longer has {pointer}: revisit NULLABLE_IN_REAL_JIRA")
            });
        target.insert("nullable".into(), Value::Bool(true));
    }
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema objects → JSON Schema (draft 4)
// ---------------------------------------------------------------------------------------------

/// Which direction a schema is used in: `readOnly` properties are only required in responses,
/// `writeOnly` ones only in requests (OpenAPI 3.0.1, Schema Object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Direction {
    Request,
    Response,
}

/// Translates one OpenAPI 3.0 Schema Object into JSON Schema draft 4:
/// - `nullable: true` also allows `null` (in `type` and `enum`, or with an `anyOf` around a
///   `$ref`/`allOf` schema that has no `type`);
/// - OpenAPI-only annotations (`readOnly`, `writeOnly`, `example`, `discriminator`, `xml`,
///   `externalDocs`, `deprecated`, `x-*`) are dropped;
/// - numeric `format`s (`int32`, `int64`, `double`, ...) and `binary`/`byte` are dropped: they
///   are not JSON Schema formats and say nothing a JSON validator can check;
/// - `required` leaves out `readOnly` properties in requests and `writeOnly` ones in responses;
/// - `additionalProperties: false` next to `anyOf`/`oneOf` without `properties` is dropped: the
///   spec's generator emits it on union types (`JqlQueryClause`, `WorkflowCondition`, ...), where
///   in JSON Schema it would forbid every property of every variant. The variants still apply.
///
/// `$ref`s stay as they are (`#/components/schemas/X`): the validated document carries the
/// translated `components` next to the root schema.
fn translate(schema: &Value, direction: Direction) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let union_artefact = object.get("additionalProperties") == Some(&Value::Bool(false))
        && !object.contains_key("properties")
        && (object.contains_key("anyOf") || object.contains_key("oneOf"));
    let mut out = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "additionalProperties" if union_artefact => {}
            "nullable" | "readOnly" | "writeOnly" | "example" | "discriminator" | "xml"
            | "externalDocs" | "deprecated" => {}
            k if k.starts_with("x-") => {}
            "format"
                if !matches!(
                    value.as_str(),
                    Some("date-time" | "date" | "uri" | "url" | "uuid")
                ) => {}
            "properties" | "patternProperties" => {
                let map = value
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(name, s)| (name.clone(), translate(s, direction)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(map));
            }
            "items" | "additionalProperties" | "not" => {
                out.insert(key.clone(), translate(value, direction));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = value
                    .as_array()
                    .map(|l| l.iter().map(|s| translate(s, direction)).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(list));
            }
            "required" => {
                let skip = match direction {
                    Direction::Request => "readOnly",
                    Direction::Response => "writeOnly",
                };
                let required: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|name| {
                        let property = name
                            .as_str()
                            .and_then(|n| object.get("properties").and_then(|p| p.get(n)));
                        !property.is_some_and(|p| p.get(skip) == Some(&Value::Bool(true)))
                    })
                    .cloned()
                    .collect();
                if !required.is_empty() {
                    out.insert(key.clone(), Value::Array(required));
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if object.get("nullable") == Some(&Value::Bool(true)) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            _ => return json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] }),
        }
    }
    Value::Object(out)
}

/// Jira's timestamps (`2024-01-15T10:30:00.000+0000`) have no colon in the offset, so they are
/// not RFC 3339; real Jira sends them in every `format: date-time` property, and the gateway
/// parses both forms (`parse_jira_time`). Either form passes; anything else does not.
fn jira_date_time(value: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(value).is_ok()
        || chrono::DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z").is_ok()
}

fn date(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
}

fn absolute_url(value: &str) -> bool {
    url::Url::parse(value).is_ok()
}

fn uuid(value: &str) -> bool {
    uuid::Uuid::parse_str(value).is_ok()
}

/// The spec, with its component schemas translated once per direction and compiled validators
/// cached by schema.
struct Spec {
    doc: Value,
    components: HashMap<Direction, Value>,
    validators: HashMap<(Direction, String), jsonschema::Validator>,
}

impl Spec {
    fn load() -> Spec {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SPEC_PATH);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "cannot read Atlassian's OpenAPI document at {} ({error}). The spec test needs the `shared/` \
                 directory cloned beside this repository (shared/jira/jira-cloud-openapi.json); it is not copied into the repo.",
                path.display()
            )
        });
        let mut doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.0")),
            "{} is not an OpenAPI 3.0 document",
            path.display()
        );
        patch_spec(&mut doc);
        let mut components = HashMap::new();
        for direction in [Direction::Request, Direction::Response] {
            let schemas: Map<String, Value> = doc["components"]["schemas"]
                .as_object()
                .expect("components.schemas")
                .iter()
                .map(|(name, schema)| (name.clone(), translate(schema, direction)))
                .collect();
            components.insert(direction, json!({ "schemas": schemas }));
        }
        Spec {
            doc,
            components,
            validators: HashMap::new(),
        }
    }

    fn operation(&self, method: &Method, template: &str) -> Option<&Value> {
        self.doc["paths"]
            .get(format!("{API}{template}"))?
            .get(method.as_str().to_lowercase())
    }

    /// Validates `instance` against an (untranslated) spec schema; returns (pointer, message) pairs.
    fn validate(
        &mut self,
        schema: &Value,
        direction: Direction,
        instance: &Value,
    ) -> Vec<(String, String)> {
        let key = (direction, schema.to_string());
        if !self.validators.contains_key(&key) {
            let mut root = match translate(schema, direction) {
                Value::Object(map) => map,
                other => return vec![(String::new(), format!("unsupported schema {other}"))],
            };
            root.insert("components".into(), self.components[&direction].clone());
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .with_format("date-time", jira_date_time)
                .with_format("date", date)
                .with_format("uri", absolute_url)
                .with_format("url", absolute_url)
                .with_format("uuid", uuid)
                .build(&Value::Object(root))
                .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
            self.validators.insert(key.clone(), validator);
        }
        self.validators[&key]
            .iter_errors(instance)
            .map(|error| {
                let mut message = error.to_string();
                if message.len() > 300 {
                    let cut = (0..=300)
                        .rev()
                        .find(|i| message.is_char_boundary(*i))
                        .unwrap_or(0);
                    message.truncate(cut);
                    message.push_str("...");
                }
                (error.instance_path().to_string(), message)
            })
            .collect()
    }
}

/// The spec leaves `IssueBean.fields` open (`additionalProperties: {}`), yet the gateway reads
/// system fields in the shapes of the spec's own component schemas. Each entry: (field id,
/// OpenAPI schema of its value). Jira sends `null` for an empty field, so every one is nullable.
/// `project` is left out on purpose: Atlassian's own examples put `style` and `insight` in it,
/// which `ProjectDetails` (`additionalProperties: false`) forbids.
fn field_schemas() -> Vec<(&'static str, Value)> {
    let reference =
        |name: &str| json!({ "$ref": format!("#/components/schemas/{name}"), "nullable": true });
    let list_of = |name: &str| json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{name}") } });
    let timestamp = json!({ "type": "string", "format": "date-time", "nullable": true });
    vec![
        ("summary", json!({ "type": "string" })),
        ("status", reference("StatusDetails")),
        ("priority", reference("Priority")),
        ("issuetype", reference("IssueTypeDetails")),
        ("assignee", reference("UserDetails")),
        ("reporter", reference("UserDetails")),
        ("creator", reference("UserDetails")),
        (
            "labels",
            json!({ "type": "array", "items": { "type": "string" } }),
        ),
        ("created", timestamp.clone()),
        ("updated", timestamp.clone()),
        ("resolutiondate", timestamp),
        (
            "duedate",
            json!({ "type": "string", "format": "date", "nullable": true }),
        ),
        ("resolution", reference("Resolution")),
        // Parent and sub-tasks: `{id, key, self, fields: {summary, status, priority, issuetype}}`.
        ("parent", reference("LinkedIssue")),
        ("subtasks", list_of("LinkedIssue")),
        (
            "description",
            json!({ "type": "object", "nullable": true, "required": ["type", "version", "content"] }),
        ),
        ("comment", reference("PageOfComments")),
        ("attachment", list_of("Attachment")),
    ]
}

// ---------------------------------------------------------------------------------------------
// Calling the site and collecting violations
// ---------------------------------------------------------------------------------------------

/// One mismatch: where, and what.
#[derive(Debug)]
struct Violation {
    endpoint: String,
    pointer: String,
    message: String,
}

struct Checker {
    spec: Spec,
    site: SimHandle,
    http: reqwest::Client,
    basic: String,
    /// `Bearer ...` of an OAuth app acting as the admin (dynamic webhooks are app-only).
    bearer: Option<String>,
    violations: Vec<Violation>,
    /// Operations that answered as expected: "METHOD /rest/api/3/template status".
    covered: Vec<String>,
}

/// How to authenticate and where: Basic on the site URL, or an OAuth token under `/ex/jira/{cloudId}`.
#[derive(Clone, Copy)]
enum As {
    Basic,
    App,
    /// No credentials at all.
    Nobody,
}

impl Checker {
    fn violation(&mut self, endpoint: &str, pointer: &str, message: impl Into<String>) {
        self.violations.push(Violation {
            endpoint: endpoint.to_string(),
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Validates a request body against the operation's request-body schema.
    fn check_request(&mut self, method: &Method, template: &str, body: &Value) {
        let endpoint = format!("{method} {API}{template} request");
        let Some(schema) = self
            .spec
            .operation(method, template)
            .and_then(|op| op.pointer("/requestBody/content/application~1json/schema"))
            .cloned()
        else {
            self.violation(
                &endpoint,
                "",
                "the spec documents no JSON request body for this operation",
            );
            return;
        };
        for (pointer, message) in self.spec.validate(&schema, Direction::Request, body) {
            self.violation(&endpoint, &pointer, message);
        }
    }

    /// Calls `method path` (the concrete form of `template`), expects `expected`, and validates
    /// the answer against the spec's schema for that operation and status. Returns the body.
    async fn call(
        &mut self,
        who: As,
        method: Method,
        template: &str,
        path: &str,
        body: Option<&Value>,
        expected: u16,
    ) -> Value {
        // Bodies of calls meant to fail are invalid on purpose.
        if let Some(body) = body.filter(|_| (200..300).contains(&expected)) {
            self.check_request(&method, template, body);
        }
        let (url, authorization) = match who {
            As::Basic => (
                format!("{}{API}{path}", self.site.base_url()),
                Some(self.basic.clone()),
            ),
            As::App => (
                format!(
                    "{}/ex/jira/{}{API}{path}",
                    self.site.base_url(),
                    self.site.cloud_id()
                ),
                Some(self.bearer.clone().expect("an OAuth token for app calls")),
            ),
            As::Nobody => (format!("{}{API}{path}", self.site.base_url()), None),
        };
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header("accept", "application/json");
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the simulated site answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = response.bytes().await.expect("body");
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let endpoint = format!("{method} {API}{template} {status}");
        if status != expected {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(300).collect();
            self.violation(
                &endpoint,
                "",
                format!("expected status {expected}, got {status} for {path}: {text}"),
            );
            return value;
        }
        let Some(operation) = self.spec.operation(&method, template).cloned() else {
            self.violation(&endpoint, "", "the spec has no such operation");
            return value;
        };
        let Some(documented) = operation["responses"].get(status.to_string()) else {
            self.violation(
                &endpoint,
                "",
                format!("status {status} is not documented for this operation"),
            );
            return value;
        };
        self.covered.push(endpoint.clone());
        match documented.pointer("/content/application~1json/schema") {
            Some(schema) => {
                if !bytes.is_empty() && !content_type.starts_with("application/json") {
                    self.violation(
                        &endpoint,
                        "",
                        format!(
                            "Content-Type is {content_type:?}, the spec documents application/json"
                        ),
                    );
                }
                if bytes.is_empty() || (value.is_null() && bytes.as_ref() != b"null") {
                    // An empty answer where the spec has a schema: only `{}` (anything) allows it.
                    if schema.as_object().is_some_and(|s| !s.is_empty()) {
                        self.violation(
                            &endpoint,
                            "",
                            "the body is empty or not JSON, the spec documents a JSON schema",
                        );
                    }
                } else {
                    for (pointer, message) in
                        self.spec.validate(schema, Direction::Response, &value)
                    {
                        self.violation(&endpoint, &pointer, message);
                    }
                    self.check_fields(&endpoint, &value);
                }
            }
            None => {
                // No schema: nothing to validate (204s, binary content, undocumented error bodies).
            }
        }
        value
    }

    /// Validates the system fields of every IssueBean in an answer (a single issue, or `issues`
    /// of a search or bulk fetch) against [`field_schemas`].
    fn check_fields(&mut self, endpoint: &str, body: &Value) {
        let issues: Vec<(String, &Map<String, Value>)> =
            match body.get("issues").and_then(Value::as_array) {
                Some(issues) => issues
                    .iter()
                    .enumerate()
                    .filter_map(|(i, issue)| {
                        issue["fields"]
                            .as_object()
                            .map(|f| (format!("/issues/{i}/fields"), f))
                    })
                    .collect(),
                None => body
                    .get("fields")
                    .and_then(Value::as_object)
                    .map(|f| ("/fields".to_string(), f))
                    .into_iter()
                    .collect(),
            };
        for (prefix, fields) in issues {
            for (field, schema) in field_schemas() {
                let Some(value) = fields.get(field) else {
                    continue;
                };
                for (pointer, message) in self.spec.validate(&schema, Direction::Response, value) {
                    self.violation(endpoint, &format!("{prefix}/{field}{pointer}"), message);
                }
            }
        }
    }

    async fn get(&mut self, template: &str, path: &str) -> Value {
        self.call(As::Basic, Method::GET, template, path, None, 200)
            .await
    }

    /// Groups identical violations (same endpoint, same pointer with array indices folded, same
    /// message shape), drops the allowed ones, and fails listing the rest.
    fn finish(self) {
        let mut grouped: BTreeMap<(String, String, String), (usize, String)> = BTreeMap::new();
        let mut allowed: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &self.violations {
            if let Some((.., why)) = ALLOWED.iter().find(|(endpoint, pointer, message, _)| {
                v.endpoint.starts_with(endpoint)
                    && v.pointer.starts_with(pointer)
                    && v.message.contains(message)
            }) {
                *allowed.entry(why).or_default() += 1;
                continue;
            }
            let folded: String = v
                .pointer
                .split('/')
                .map(|segment| {
                    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let entry = grouped
                .entry((v.endpoint.clone(), folded, shape(&v.message)))
                .or_insert((0, v.message.clone()));
            entry.0 += 1;
        }
        eprintln!(
            "spec test: {} responses validated over {} operations",
            self.covered.len(),
            {
                let mut ops: Vec<String> = self
                    .covered
                    .iter()
                    .map(|e| {
                        e.rsplit_once(' ')
                            .map_or(e.clone(), |(op, _)| op.to_string())
                    })
                    .collect();
                ops.sort();
                ops.dedup();
                ops.len()
            }
        );
        for (why, count) in &allowed {
            eprintln!("  allowed ({count}x): {why}");
        }
        if grouped.is_empty() {
            return;
        }
        let mut report = format!("{} spec violation(s):\n", grouped.len());
        for ((endpoint, pointer, _), (count, message)) in &grouped {
            let pointer = if pointer.is_empty() {
                "(root)"
            } else {
                pointer
            };
            report.push_str(&format!(
                "- {endpoint} at {pointer}{}: {message}\n",
                if *count > 1 {
                    format!(" ({count}x)")
                } else {
                    String::new()
                }
            ));
        }
        panic!("{report}");
    }
}

/// A message with quoted values and numbers blanked, to group repeated violations.
fn shape(message: &str) -> String {
    let mut out = String::new();
    let mut in_quotes = false;
    for c in message.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                out.push(c);
            }
            _ if in_quotes => {}
            c if c.is_ascii_digit() => {}
            c => out.push(c),
        }
    }
    out
}

/// A minimal ADF document with one paragraph.
fn adf(text: &str) -> Value {
    json!({ "version": 1, "type": "doc", "content": [{ "type": "paragraph", "content": [{ "type": "text", "text": text }] }] })
}

/// Gets an OAuth access token for `user` through the authorization-code flow of the stand-in.
async fn oauth_token(site: &SimHandle, http: &reqwest::Client, user: &str) -> String {
    let redirect_uri = "http://127.0.0.1:1/cb";
    let url = reqwest::Url::parse_with_params(
        &format!("{}/authorize", site.base_url()),
        &[
            ("audience", "api.atlassian.com"),
            ("client_id", "demo-client"),
            (
                "scope",
                "read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access",
            ),
            ("redirect_uri", redirect_uri),
            ("state", "spec"),
            ("response_type", "code"),
            ("user", user),
        ],
    )
    .expect("authorize URL");
    let consent = http.get(url).send().await.expect("authorize answers");
    let location = consent
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("a redirect with the code")
        .to_string();
    let code = reqwest::Url::parse(&location)
        .expect("absolute Location")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code in the redirect");
    let tokens: Value = http
        .post(format!("{}/oauth/token", site.base_url()))
        .json(&json!({ "grant_type": "authorization_code", "client_id": "demo-client", "client_secret": "demo-secret", "code": code, "redirect_uri": redirect_uri }))
        .send()
        .await
        .expect("token answers")
        .json()
        .await
        .expect("token JSON");
    format!(
        "Bearer {}",
        tokens["access_token"].as_str().expect("access token")
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializable")
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// Every endpoint of the simulated site, with realistic parameters and bodies, answers as the
/// spec says; the gateway's request bodies match the spec's request schemas.
#[tokio::test]
async fn the_simulated_site_answers_as_the_openapi_spec_says() {
    let spec = Spec::load();
    let site = spawn_site(SimConfig::default()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let bearer = oauth_token(&site, &http, ADMIN).await;
    let mut c = Checker {
        spec,
        site: site.clone(),
        http,
        basic: basic(ADMIN, ADMIN_TOKEN),
        bearer: Some(bearer),
        violations: Vec::new(),
        covered: Vec::new(),
    };

    // What the seeded site holds, read in process to pick realistic parameters.
    let (users, rich, parent, subtask, image, document, custom_issue, project_ids) = {
        let data = site.state.data.read();
        let users: Vec<String> = data.users.iter().map(|u| u.account_id.clone()).collect();
        let issues: Vec<_> = data.issues.values().collect();
        let rich = issues
            .iter()
            .filter(|i| {
                !i.comments.is_empty() && !i.changelog.is_empty() && i.description.is_some()
            })
            .max_by_key(|i| {
                (
                    i.comments.len().min(3),
                    !i.attachments.is_empty(),
                    i.resolution.is_some(),
                    i.due_date.is_some(),
                )
            })
            .map(|i| i.key.clone())
            .expect("an issue with comments, changelog and description");
        let subtask = issues
            .iter()
            .find(|i| i.parent.is_some())
            .expect("a child issue");
        let parent = data.issues[&subtask.parent.expect("parent")].key.clone();
        let attachments: Vec<_> = issues.iter().flat_map(|i| i.attachments.iter()).collect();
        let image = attachments
            .iter()
            .find(|a| a.mime_type.starts_with("image/"))
            .map(|a| a.id);
        let document = attachments
            .iter()
            .find(|a| !a.mime_type.starts_with("image/"))
            .map(|a| a.id);
        let custom_issue = issues
            .iter()
            .max_by_key(|i| i.custom.len())
            .map(|i| i.key.clone())
            .expect("an issue");
        let project_ids: Vec<i64> = data
            .projects
            .iter()
            .filter_map(|p| p.id.parse().ok())
            .collect();
        (
            users,
            rich,
            parent,
            subtask.key.clone(),
            image,
            document,
            custom_issue,
            project_ids,
        )
    };

    // --- users -------------------------------------------------------------------------------
    c.get("/myself", "/myself").await;
    c.get("/myself", "/myself?expand=groups,applicationRoles")
        .await;
    c.call(As::Nobody, Method::GET, "/myself", "/myself", None, 401)
        .await;
    c.call(As::App, Method::GET, "/myself", "/myself", None, 200)
        .await;
    c.get("/user", &format!("/user?accountId={}", users[0]))
        .await;
    let bulk_users: String = users
        .iter()
        .take(3)
        .map(|u| format!("accountId={u}&"))
        .collect();
    c.get(
        "/user/bulk",
        &format!("/user/bulk?{bulk_users}maxResults=2"),
    )
    .await;
    c.get(
        "/user/bulk",
        &format!("/user/bulk?{bulk_users}accountId=no-such-account&startAt=1"),
    )
    .await;
    c.call(
        As::Basic,
        Method::GET,
        "/user",
        "/user?accountId=no-such-account",
        None,
        404,
    )
    .await;

    // --- projects and fields -----------------------------------------------------------------
    c.get("/project/search", "/project/search").await;
    c.get(
        "/project/search",
        "/project/search?maxResults=1&orderBy=name",
    )
    .await;
    c.get(
        "/project/search",
        "/project/search?expand=description,lead,issueTypes&query=demo",
    )
    .await;
    c.get("/project/{projectIdOrKey}", "/project/DEMO").await;
    c.get(
        "/project/{projectIdOrKey}",
        &format!("/project/{}", project_ids[0]),
    )
    .await;
    c.call(
        As::Basic,
        Method::GET,
        "/project/{projectIdOrKey}",
        "/project/NOPE",
        None,
        404,
    )
    .await;
    c.get("/field", "/field").await;

    // --- search ------------------------------------------------------------------------------
    let everything = "transitions,changelog,renderedFields,names";
    c.call(
        As::Basic,
        Method::GET,
        "/search",
        "/search?jql=project%3DDEMO",
        None,
        410,
    )
    .await;
    c.call(
        As::Basic,
        Method::POST,
        "/search",
        "/search",
        Some(&json!({ "jql": "project = DEMO" })),
        410,
    )
    .await;
    let ids_only = c
        .get(
            "/search/jql",
            "/search/jql?jql=project%20%3D%20DEMO%20ORDER%20BY%20key&maxResults=50",
        )
        .await;
    if let Some(token) = ids_only["nextPageToken"].as_str() {
        let url = format!(
            "/search/jql?jql=project%20%3D%20DEMO%20ORDER%20BY%20key&maxResults=50&nextPageToken={token}"
        );
        c.get("/search/jql", &url).await;
    }
    c.get("/search/jql", &format!("/search/jql?jql=project%20in%20(DEMO%2C%20OPS)%20ORDER%20BY%20created%20DESC&fields=*all&expand={everything}&maxResults=100")).await;
    c.get("/search/jql", "/search/jql?jql=assignee%20is%20EMPTY&fields=summary,status,assignee,-description&expand=names").await;
    c.get(
        "/search/jql",
        "/search/jql?jql=project%20%3D%20DEMO&fields=*navigable&maxResults=20",
    )
    .await;
    // The gateway's own request bodies.
    let request = SearchRequest {
        jql: "project = OPS ORDER BY updated DESC".into(),
        next_page_token: None,
        max_results: Some(100),
        fields: vec!["*all".into()],
        expand: everything.into(),
        properties: vec!["sim.prop".into()],
        fields_by_keys: Some(false),
        reconcile_issues: vec![10001],
        // Only how the answer is read: never part of the body checked against the spec.
        keep_comments: Some(3),
    };
    let page = c
        .call(
            As::Basic,
            Method::POST,
            "/search/jql",
            "/search/jql",
            Some(&to_json(&request)),
            200,
        )
        .await;
    if let Some(token) = page["nextPageToken"].as_str() {
        let next = SearchRequest {
            next_page_token: Some(token.to_string()),
            ..request.clone()
        };
        c.call(
            As::Basic,
            Method::POST,
            "/search/jql",
            "/search/jql",
            Some(&to_json(&next)),
            200,
        )
        .await;
    }
    let minimal = SearchRequest::new(
        "project = DEMO AND statusCategory != Done",
        &["summary", "status", "parent", "subtasks"],
    )
    .with_expand(&["names"]);
    c.call(
        As::Basic,
        Method::POST,
        "/search/jql",
        "/search/jql",
        Some(&to_json(&minimal)),
        200,
    )
    .await;
    let count = ApproximateCountRequest {
        jql: "project = DEMO".into(),
    };
    c.call(
        As::Basic,
        Method::POST,
        "/search/approximate-count",
        "/search/approximate-count",
        Some(&to_json(&count)),
        200,
    )
    .await;
    // A bad query: 400 (the spec documents no body for it).
    c.call(
        As::Basic,
        Method::GET,
        "/search/jql",
        "/search/jql?jql=project%20%3D%3D",
        None,
        400,
    )
    .await;

    // --- issues ------------------------------------------------------------------------------
    for key in [&rich, &parent, &subtask, &custom_issue] {
        c.get(
            "/issue/{issueIdOrKey}",
            &format!("/issue/{key}?fields=*all&expand={everything}"),
        )
        .await;
        c.get("/issue/{issueIdOrKey}", &format!("/issue/{key}"))
            .await;
    }
    c.get(
        "/issue/{issueIdOrKey}",
        &format!("/issue/{rich}?fields=summary,comment&expand=renderedFields"),
    )
    .await;
    // Every expansion the sim advertises in `expand`.
    let advertised = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations,transitions";
    c.get(
        "/issue/{issueIdOrKey}",
        &format!("/issue/{rich}?fields=*all,-comment&expand={advertised}"),
    )
    .await;
    c.call(
        As::Basic,
        Method::GET,
        "/issue/{issueIdOrKey}/changelog",
        "/issue/NOPE-1/changelog",
        None,
        404,
    )
    .await;
    c.call(
        As::Basic,
        Method::GET,
        "/issue/{issueIdOrKey}",
        "/issue/NOPE-1",
        None,
        404,
    )
    .await;
    let bulk = BulkFetchRequest {
        issue_ids_or_keys: vec![
            rich.clone(),
            parent.clone(),
            subtask.clone(),
            "NOPE-1".into(),
            "10001".into(),
        ],
        fields: vec!["*all".into()],
        expand: everything.split(',').map(str::to_string).collect(),
        properties: vec!["sim.prop".into()],
        fields_by_keys: Some(false),
    };
    c.call(
        As::Basic,
        Method::POST,
        "/issue/bulkfetch",
        "/issue/bulkfetch",
        Some(&to_json(&bulk)),
        200,
    )
    .await;
    let bulk_default = BulkFetchRequest {
        issue_ids_or_keys: vec![custom_issue.clone()],
        ..BulkFetchRequest::default()
    };
    c.call(
        As::Basic,
        Method::POST,
        "/issue/bulkfetch",
        "/issue/bulkfetch",
        Some(&to_json(&bulk_default)),
        200,
    )
    .await;
    c.get(
        "/issue/{issueIdOrKey}/changelog",
        &format!("/issue/{rich}/changelog"),
    )
    .await;
    c.get(
        "/issue/{issueIdOrKey}/changelog",
        &format!("/issue/{rich}/changelog?startAt=0&maxResults=1"),
    )
    .await;

    // Create, edit, transition, delete an issue of our own.
    let create = json!({
        "fields": {
            "project": { "key": "DEMO" },
            "issuetype": { "name": "Task" },
            "summary": "Spec check",
            "description": adf("Created by the spec test."),
            "labels": ["spec"],
        }
    });
    let created = c
        .call(
            As::Basic,
            Method::POST,
            "/issue",
            "/issue",
            Some(&create),
            201,
        )
        .await;
    let invalid = json!({ "fields": { "project": { "key": "NOPE" }, "summary": "" } });
    c.call(
        As::Basic,
        Method::POST,
        "/issue",
        "/issue",
        Some(&invalid),
        400,
    )
    .await;
    let new_key = created["key"].as_str().unwrap_or("DEMO-1").to_string();
    let edit = IssueUpdate::default()
        .with_field("summary", json!("Spec check, edited"))
        .with_operation(
            "labels",
            FieldOperation {
                add: Some(json!("checked")),
                ..FieldOperation::default()
            },
        )
        .with_comment(adf("Edited by the spec test."));
    c.call(
        As::Basic,
        Method::PUT,
        "/issue/{issueIdOrKey}",
        &format!("/issue/{new_key}"),
        Some(&to_json(&edit)),
        204,
    )
    .await;
    let edit_again = IssueUpdate::default().with_field("labels", json!(["spec", "again"]));
    c.call(
        As::Basic,
        Method::PUT,
        "/issue/{issueIdOrKey}",
        &format!("/issue/{new_key}?returnIssue=true&expand=renderedFields"),
        Some(&to_json(&edit_again)),
        200,
    )
    .await;
    let transitions = c
        .get(
            "/issue/{issueIdOrKey}/transitions",
            &format!("/issue/{new_key}/transitions?expand=transitions.fields"),
        )
        .await;
    c.get(
        "/issue/{issueIdOrKey}/transitions",
        &format!("/issue/{rich}/transitions"),
    )
    .await;
    let simple = transitions["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["fields"].as_object().is_none_or(Map::is_empty))
        .and_then(|t| t["id"].as_str())
        .map(str::to_string);
    if let Some(id) = &simple {
        let body = IssueUpdate::transition(id.clone()).with_comment(adf("Moved by the spec test."));
        c.call(
            As::Basic,
            Method::POST,
            "/issue/{issueIdOrKey}/transitions",
            &format!("/issue/{new_key}/transitions"),
            Some(&to_json(&body)),
            204,
        )
        .await;
    }
    c.call(
        As::Basic,
        Method::POST,
        "/issue/{issueIdOrKey}/transitions",
        &format!("/issue/{new_key}/transitions"),
        Some(&json!({ "transition": { "id": "999999" } })),
        400,
    )
    .await;

    // --- comments ----------------------------------------------------------------------------
    c.get(
        "/issue/{issueIdOrKey}/comment",
        &format!("/issue/{rich}/comment"),
    )
    .await;
    c.get(
        "/issue/{issueIdOrKey}/comment",
        &format!(
            "/issue/{rich}/comment?startAt=1&maxResults=2&orderBy=-created&expand=renderedBody"
        ),
    )
    .await;
    let add = CommentRequest {
        body: adf("A comment from the spec test."),
        visibility: None,
    };
    let comment = c
        .call(
            As::Basic,
            Method::POST,
            "/issue/{issueIdOrKey}/comment",
            &format!("/issue/{new_key}/comment"),
            Some(&to_json(&add)),
            201,
        )
        .await;
    let comment_id = comment["id"].as_str().unwrap_or("0").to_string();
    c.get(
        "/issue/{issueIdOrKey}/comment/{id}",
        &format!("/issue/{new_key}/comment/{comment_id}"),
    )
    .await;
    c.get(
        "/issue/{issueIdOrKey}/comment/{id}",
        &format!("/issue/{new_key}/comment/{comment_id}?expand=renderedBody"),
    )
    .await;
    let edited = CommentRequest {
        body: adf("An edited comment."),
        visibility: None,
    };
    c.call(
        As::Basic,
        Method::PUT,
        "/issue/{issueIdOrKey}/comment/{id}",
        &format!("/issue/{new_key}/comment/{comment_id}"),
        Some(&to_json(&edited)),
        200,
    )
    .await;
    let rich_comment_ids: Vec<i64> = {
        let data = site.state.data.read();
        data.issue(&rich)
            .map(|i| i.comments.iter().take(3).map(|c| c.id as i64).collect())
            .unwrap_or_default()
    };
    let mut ids = CommentIds {
        ids: rich_comment_ids.clone(),
    };
    ids.ids.push(comment_id.parse().unwrap_or_default());
    c.call(
        As::Basic,
        Method::POST,
        "/comment/list",
        "/comment/list",
        Some(&to_json(&ids)),
        200,
    )
    .await;
    let rendered = CommentIds {
        ids: rich_comment_ids,
    };
    c.call(
        As::Basic,
        Method::POST,
        "/comment/list",
        "/comment/list?expand=renderedBody",
        Some(&to_json(&rendered)),
        200,
    )
    .await;
    c.call(
        As::Basic,
        Method::DELETE,
        "/issue/{issueIdOrKey}/comment/{id}",
        &format!("/issue/{new_key}/comment/{comment_id}"),
        None,
        204,
    )
    .await;

    // --- bulk transitions --------------------------------------------------------------------
    let keys = format!("{rich},{parent},{subtask},{new_key}");
    let available = c
        .get(
            "/bulk/issues/transition",
            &format!("/bulk/issues/transition?issueIdsOrKeys={keys}"),
        )
        .await;
    c.call(
        As::Basic,
        Method::GET,
        "/bulk/issues/transition",
        "/bulk/issues/transition",
        None,
        400,
    )
    .await;
    let pick = available["availableTransitions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|group| {
            group["issues"]
                .as_array()
                .is_some_and(|i| i.iter().any(|k| k == new_key.as_str()))
        })
        .and_then(|group| group["transitions"][0]["transitionId"].as_i64());
    let submit = BulkTransitionRequest {
        bulk_transition_inputs: vec![BulkTransitionInput {
            selected_issue_ids_or_keys: vec![new_key.clone(), "NOPE-1".into()],
            transition_id: pick.unwrap_or(11).to_string(),
        }],
        send_bulk_notification: Some(false),
    };
    let task = c
        .call(
            As::Basic,
            Method::POST,
            "/bulk/issues/transition",
            "/bulk/issues/transition",
            Some(&to_json(&submit)),
            201,
        )
        .await;
    c.call(
        As::Basic,
        Method::POST,
        "/bulk/issues/transition",
        "/bulk/issues/transition",
        Some(&json!({ "bulkTransitionInputs": [] })),
        400,
    )
    .await;
    if let Some(task_id) = task["taskId"].as_str() {
        // Progress while the task runs and once it is done (no timing is asserted: the loop
        // only stops early when the task reports completion).
        for _ in 0..400 {
            let progress = c
                .get("/bulk/queue/{taskId}", &format!("/bulk/queue/{task_id}"))
                .await;
            if progress["status"] == "COMPLETE" || progress.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    // --- JQL helpers -------------------------------------------------------------------------
    c.get("/jql/autocompletedata", "/jql/autocompletedata")
        .await;
    let filter = json!({ "projectIds": project_ids, "includeCollapsedFields": true });
    c.call(
        As::Basic,
        Method::POST,
        "/jql/autocompletedata",
        "/jql/autocompletedata",
        Some(&filter),
        200,
    )
    .await;
    c.get(
        "/jql/autocompletedata/suggestions",
        "/jql/autocompletedata/suggestions?fieldName=project&fieldValue=DE",
    )
    .await;
    c.get(
        "/jql/autocompletedata/suggestions",
        "/jql/autocompletedata/suggestions?fieldName=status&fieldValue=",
    )
    .await;
    c.get(
        "/jql/autocompletedata/suggestions",
        &format!(
            "/jql/autocompletedata/suggestions?fieldName=assignee&fieldValue={}",
            "a"
        ),
    )
    .await;
    let queries = to_json(&JqlQueriesToParse {
        queries: [
            "project = DEMO AND status IN (\"To Do\", \"In Progress\") ORDER BY created DESC",
            "assignee = currentUser() OR (labels is EMPTY AND NOT priority = High)",
            "summary ~ \"login\" AND created >= -7d",
            "nosuchfield = 1",
            "project = ",
        ]
        .map(str::to_string)
        .to_vec(),
    });
    for validation in ["strict", "warn", "none"] {
        c.call(
            As::Basic,
            Method::POST,
            "/jql/parse",
            &format!("/jql/parse?validation={validation}"),
            Some(&queries),
            200,
        )
        .await;
    }
    c.call(
        As::Basic,
        Method::POST,
        "/jql/parse",
        "/jql/parse",
        Some(&json!({ "queries": null })),
        400,
    )
    .await;

    // --- attachments -------------------------------------------------------------------------
    for id in [image, document].into_iter().flatten() {
        c.get("/attachment/{id}", &format!("/attachment/{id}"))
            .await;
        c.call(
            As::Basic,
            Method::GET,
            "/attachment/content/{id}",
            &format!("/attachment/content/{id}"),
            None,
            303,
        )
        .await;
        c.call(
            As::Basic,
            Method::GET,
            "/attachment/content/{id}",
            &format!("/attachment/content/{id}?redirect=false"),
            None,
            200,
        )
        .await;
    }
    if let Some(id) = image {
        c.call(
            As::Basic,
            Method::GET,
            "/attachment/thumbnail/{id}",
            &format!("/attachment/thumbnail/{id}"),
            None,
            200,
        )
        .await;
    }
    c.call(
        As::Basic,
        Method::GET,
        "/attachment/{id}",
        "/attachment/999999999",
        None,
        404,
    )
    .await;

    // --- dynamic webhooks (OAuth apps only) --------------------------------------------------
    // The second webhook's filter uses a field dynamic webhooks do not support: it comes back
    // with `errors` instead of an id.
    let register = WebhookRegistration {
        url: "https://example.test/hook".into(),
        webhooks: vec![
            WebhookDetails {
                events: vec!["jira:issue_created".into(), "jira:issue_updated".into()],
                jql_filter: "project = DEMO".into(),
                field_ids_filter: vec!["summary".into()],
                issue_property_keys_filter: Vec::new(),
            },
            WebhookDetails {
                events: vec!["comment_created".into()],
                jql_filter: "summary ~ login".into(),
                ..WebhookDetails::default()
            },
        ],
    };
    let registered = c
        .call(
            As::App,
            Method::POST,
            "/webhook",
            "/webhook",
            Some(&to_json(&register)),
            200,
        )
        .await;
    let hook = registered["webhookRegistrationResult"][0]["createdWebhookId"]
        .as_i64()
        .unwrap_or_default();
    c.call(As::App, Method::GET, "/webhook", "/webhook", None, 200)
        .await;
    c.call(
        As::App,
        Method::GET,
        "/webhook",
        "/webhook?startAt=0&maxResults=1",
        None,
        200,
    )
    .await;
    let ids = WebhookIds {
        webhook_ids: vec![hook],
    };
    c.call(
        As::App,
        Method::PUT,
        "/webhook/refresh",
        "/webhook/refresh",
        Some(&to_json(&ids)),
        200,
    )
    .await;
    c.call(
        As::App,
        Method::DELETE,
        "/webhook",
        "/webhook",
        Some(&to_json(&ids)),
        202,
    )
    .await;
    c.call(As::Basic, Method::GET, "/webhook", "/webhook", None, 403)
        .await;

    // --- request bodies of endpoints the simulated site does not serve -----------------------
    // The gateway's client can call `POST /changelog/bulkfetch`; the sim has no such route yet, so
    // only the body is checked.
    let changelogs = BulkChangelogRequest {
        issue_ids_or_keys: vec![rich.clone(), "10001".into()],
        field_ids: vec!["status".into()],
        max_results: Some(1000),
        next_page_token: Some("token".into()),
    };
    c.check_request(&Method::POST, "/changelog/bulkfetch", &to_json(&changelogs));

    // --- finally, the issue we made ----------------------------------------------------------
    c.call(
        As::Basic,
        Method::DELETE,
        "/issue/{issueIdOrKey}",
        &format!("/issue/{new_key}"),
        None,
        204,
    )
    .await;

    c.finish();
}

/// The checker itself: what the spec forbids is flagged, what real Jira sends passes. Guards the
/// schema translation against silently accepting everything.
#[test]
fn the_checker_flags_what_the_spec_forbids_and_accepts_real_jira_shapes() {
    let mut spec = Spec::load();
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let mut errors = |name: &str, direction: Direction, instance: Value| {
        spec.validate(&schema(name), direction, &instance)
    };

    // Jira's own timestamp form passes `format: date-time`; other text does not.
    let comment = |created: &str| json!({ "id": "1", "body": adf("x"), "created": created });
    assert!(
        errors(
            "Comment",
            Direction::Response,
            comment("2024-01-15T10:30:00.000+0000")
        )
        .is_empty()
    );
    assert!(
        errors(
            "Comment",
            Direction::Response,
            comment("2024-01-15T10:30:00.000Z")
        )
        .is_empty()
    );
    assert_eq!(
        errors("Comment", Direction::Response, comment("yesterday")).len(),
        1
    );
    // `$ref`s resolve and `additionalProperties: false` holds (UserDetails has no `locale`).
    let found = errors(
        "Comment",
        Direction::Response,
        json!({ "author": { "accountId": "a", "locale": "en_US" } }),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "/author");
    // Enums, types and int64 formats.
    assert!(
        !errors(
            "BulkOperationProgress",
            Direction::Response,
            json!({ "status": "DONE" })
        )
        .is_empty()
    );
    assert!(
        !errors(
            "BulkOperationProgress",
            Direction::Response,
            json!({ "progressPercent": "50" })
        )
        .is_empty()
    );
    // Not nullable: an ENQUEUED task must leave `started` out rather than send null.
    assert!(
        !errors(
            "BulkOperationProgress",
            Direction::Response,
            json!({ "status": "ENQUEUED", "started": null })
        )
        .is_empty()
    );
    assert!(
        errors(
            "BulkOperationProgress",
            Direction::Response,
            json!({ "progressPercent": 50, "processedAccessibleIssues": [10001] })
        )
        .is_empty()
    );
    // `nullable: true` allows null; the ChangeDetails patch allows null, not other types.
    assert!(
        errors(
            "IssueBulkTransitionPayload",
            Direction::Request,
            json!({ "bulkTransitionInputs": [], "sendBulkNotification": null })
        )
        .is_empty()
    );
    assert!(
        errors(
            "ChangeDetails",
            Direction::Response,
            json!({ "from": null, "fromString": null, "to": "1", "toString": "x" })
        )
        .is_empty()
    );
    assert!(!errors("ChangeDetails", Direction::Response, json!({ "from": 5 })).is_empty());
    // Request bodies: `additionalProperties: false` and `required`.
    assert!(
        !errors(
            "SearchAndReconcileRequestBean",
            Direction::Request,
            json!({ "jql": "x", "startAt": 0 })
        )
        .is_empty()
    );
    assert!(
        !errors(
            "BulkFetchIssueRequestBean",
            Direction::Request,
            json!({ "fields": ["summary"] })
        )
        .is_empty()
    );
    // Union types keep their variants once the generator's `additionalProperties: false` is gone.
    let clause = |operator: &str| {
        json!({ "where": { "operator": operator, "clauses": [
            { "field": { "name": "project" }, "operator": "=", "operand": { "value": "DEMO" } },
            { "field": { "name": "labels" }, "operator": "is", "operand": { "keyword": "empty" } }
        ] } })
    };
    assert!(errors("JqlQuery", Direction::Response, clause("and")).is_empty());
    assert!(!errors("JqlQuery", Direction::Response, clause("xor")).is_empty());
}
