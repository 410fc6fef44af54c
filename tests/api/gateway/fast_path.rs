//! The immediate path (`GRAPHQL_FAST_PATH`, `src/graphql/immediate.rs`) answers exactly as
//! async-graphql's standard resolvers do: one simulated site, two gateways over it (fast path
//! on and off), the same queries to both, the whole answers compared (data and errors, with
//! their messages, paths, locations and extensions) and the Jira calls each made.
//!
//! Answers are compared as `serde_json::Value`s, whose object equality ignores key order: on
//! the fast path an object's keys follow the order of the selection, on the standard path the
//! order in which the field futures finished (a field that loads comes after one that did not).
//! Everything else, list order and the order of `errors` included, must be equal.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::header;
use jira_gateway::config::Config;
use jira_gateway::sim::model::Transition;
use jira_gateway::sim::{SimConfig, SimHandle};
use serde_json::{Value, json};

use super::queries::BOARD;
use crate::helpers::{TestApp, error_codes, gateway_config, spawn_gateway, spawn_site};

/// Two gateways over one site, acting as the same user: `fast` with the immediate path,
/// `standard` without.
struct Pair {
    site: SimHandle,
    fast: TestApp,
    standard: TestApp,
}

/// Both answers to one query and the Jira calls each cost.
struct Answers {
    fast: Value,
    standard: Value,
    fast_calls: Vec<String>,
    standard_calls: Vec<String>,
}

/// A site and two gateways talking to it directly.
async fn pair() -> Pair {
    let site = spawn_site(SimConfig::default()).await;
    let base = site.base_url().to_string();
    pair_via(site, &base).await
}

/// Two gateways over `site`, reaching it at `base` (the site itself or a proxy in front).
async fn pair_via(site: SimHandle, base: &str) -> Pair {
    let gateway = |fast: bool| Config {
        graphql_fast_path: fast,
        ..gateway_config(&site, base, "admin@demo.test")
    };
    let app = |url: String| TestApp {
        site: site.clone(),
        gateway: url,
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("client"),
    };
    let fast = app(spawn_gateway(gateway(true)).await);
    let standard = app(spawn_gateway(gateway(false)).await);
    Pair {
        site,
        fast,
        standard,
    }
}

impl Pair {
    /// Sends `query` to the fast gateway, then to the standard one (never both at once, so
    /// the site's request log tells their Jira calls apart).
    async fn both(&self, query: &str, variables: Value) -> Answers {
        self.fast.reset_log();
        let fast = self.fast.graphql_with(query, variables.clone()).await;
        let fast_calls = jira_calls(&self.site);
        self.standard.reset_log();
        let standard = self.standard.graphql_with(query, variables).await;
        let standard_calls = jira_calls(&self.site);
        Answers {
            fast,
            standard,
            fast_calls,
            standard_calls,
        }
    }

    /// Asserts both gateways answer `query` alike with the same Jira calls; the answer.
    async fn same(&self, what: &str, query: &str, variables: Value) -> Value {
        let answers = self.both(query, variables).await;
        assert_same(what, &answers.fast, &answers.standard);
        assert_eq!(
            answers.fast_calls, answers.standard_calls,
            "{what}: the fast path made other Jira calls than the standard path"
        );
        answers.fast
    }
}

/// The site's REST calls since the last reset, as `METHOD path?query` with the query
/// parameters sorted, in sorted order (concurrent loads may arrive in either order).
///
/// `GET /field` is left out: field definitions are kept per site and credentials for the
/// whole process, so whichever gateway asks first reads them for both.
fn jira_calls(site: &SimHandle) -> Vec<String> {
    let mut calls: Vec<String> = site
        .log()
        .entries()
        .into_iter()
        .filter(|e| e.path.contains("/rest/api/") && !e.path.ends_with("/rest/api/3/field"))
        .map(|e| {
            let mut params: Vec<&str> = e.query.as_deref().unwrap_or("").split('&').collect();
            params.sort_unstable();
            format!("{} {}?{}", e.method, e.path, params.join("&"))
        })
        .collect();
    calls.sort();
    calls
}

/// Panics with every place the two answers differ.
fn assert_same(what: &str, fast: &Value, standard: &Value) {
    if fast == standard {
        return;
    }
    let mut found = Vec::new();
    differences("", Some(fast), Some(standard), &mut found);
    panic!(
        "{what}: the fast path answers differently from the standard path at\n{}\n\nfast:     {}\nstandard: {}",
        found.join("\n"),
        clip(&fast.to_string()),
        clip(&standard.to_string()),
    );
}

fn differences(at: &str, fast: Option<&Value>, standard: Option<&Value>, out: &mut Vec<String>) {
    match (fast, standard) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                differences(&format!("{at}/{key}"), a.get(key), b.get(key), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                differences(&format!("{at}/{i}"), Some(a), Some(b), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => {
            let show =
                |v: Option<&Value>| v.map_or("(absent)".to_string(), |v| clip(&v.to_string()));
            out.push(format!("  {at}: fast {} / standard {}", show(a), show(b)));
        }
    }
}

fn clip(text: &str) -> String {
    if text.len() <= 3_000 {
        return text.to_string();
    }
    let mut end = 3_000;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// `value` serialised with every object's keys sorted (whatever map serde_json is built with).
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            let fields: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

fn no_errors(what: &str, answer: &Value) {
    assert!(
        answer["errors"].is_null(),
        "{what}: {}",
        clip(&answer.to_string())
    );
}

/// Simulated issues with the data each part of the battery needs (admin sees them all).
struct Keys {
    /// 21 to 45 comments: more than a search or bulkfetch answer embeds (20), at most 45.
    busy: String,
    /// 3 to 20 comments: all embedded.
    light: String,
    quiet: String,
    unassigned: String,
    no_priority: String,
    no_description: String,
    resolved: String,
    /// Has a parent.
    child: String,
    /// Has subtasks.
    parent: String,
    with_attachments: String,
}

impl Keys {
    fn of(site: &SimHandle) -> Keys {
        let data = site.state.data.read();
        let issues: Vec<_> = data
            .issues
            .values()
            .filter(|i| i.key.starts_with("DEMO-") || i.key.starts_with("OPS-"))
            .collect();
        let find = |what: &str, test: &dyn Fn(&jira_gateway::sim::model::Issue) -> bool| {
            issues
                .iter()
                .find(|i| test(i))
                .map(|i| i.key.clone())
                .unwrap_or_else(|| panic!("no simulated issue {what}"))
        };
        Keys {
            busy: find("with 21 to 45 comments", &|i| {
                (21..=45).contains(&i.comments.len())
            }),
            light: find("with 3 to 20 comments", &|i| {
                (3..=20).contains(&i.comments.len()) && i.description.is_some()
            }),
            quiet: find("without comments", &|i| i.comments.is_empty()),
            unassigned: find("unassigned", &|i| i.assignee.is_none()),
            no_priority: find("without priority", &|i| i.priority.is_none()),
            no_description: find("without description", &|i| i.description.is_none()),
            resolved: find("resolved", &|i| i.resolution.is_some()),
            child: find("with a parent", &|i| i.parent.is_some()),
            parent: find("with subtasks", &|i| !i.subtasks.is_empty()),
            with_attachments: find("with attachments", &|i| !i.attachments.is_empty()),
        }
    }

    /// Each key once (one issue may stand for several kinds).
    fn all(&self) -> Vec<&str> {
        let mut all: Vec<&str> = vec![
            &self.busy,
            &self.light,
            &self.quiet,
            &self.unassigned,
            &self.no_priority,
            &self.no_description,
            &self.resolved,
            &self.child,
            &self.parent,
            &self.with_attachments,
        ];
        let mut seen = std::collections::HashSet::new();
        all.retain(|key| seen.insert(*key));
        all
    }
}

/// Every field of `Issue` (schema.graphql), rich text in all four forms, `__typename` on
/// every object type the immediate path reads.
const EVERYTHING: &str = r#"
fragment U on User {
  __typename accountId displayName avatarUrl a16: avatarUrl(size: 16) a24: avatarUrl(size: 24)
  a32: avatarUrl(size: 32) email active timeZone
}
fragment S on StatusInfo {
  __typename id name iconUrl category { __typename key name colorName }
}
fragment Everything on Issue {
  __typename id key summary
  status { ...S }
  priority { __typename id name iconUrl }
  issueType { __typename id name subtask hierarchyLevel iconUrl }
  assignee { ...U } reporter { ...U } creator { ...U }
  labels created updated version dueDate
  resolution { __typename name resolvedAt }
  project { __typename id key name description projectType avatarUrl lead { ...U }
            issueTypes { id name subtask hierarchyLevel iconUrl } }
  parent { __typename key summary status { ...S } priority { name } issueType { name }
           assignee { ...U } }
  subtasks { key summary status { name } issueType { name } }
  description { __typename adf text markdown html }
  attachments { __typename id filename mimeType size author { ...U } created contentUrl
                thumbnailUrl }
  comments {
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node {
      __typename id author { ...U } updateAuthor { ...U } created updated
      body { __typename adf text markdown html }
    } }
  }
  transitions { __typename id name hasScreen to { ...S } }
  changelog(first: 5) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id author { displayName } created
                          items { field fieldId from fromString to toString } } }
  }
  customFields { id name type value text }
  team: customField(id: "customfield_10031") { id name type value text }
  missing: customField(id: "customfield_99999") { id }
}"#;

#[tokio::test]
async fn the_board_answers_the_same_both_ways_with_the_same_jira_calls() {
    let pair = pair().await;
    for jql in [
        "project = DEMO ORDER BY key ASC",
        "project = OPS ORDER BY updated DESC",
    ] {
        let answers = pair.both(BOARD, json!({ "jql": jql })).await;
        no_errors(jql, &answers.fast);
        let edges = answers.fast["data"]["issues"]["edges"]
            .as_array()
            .expect("edges");
        assert_eq!(edges.len(), 50, "{jql}");
        assert_same(jql, &answers.fast, &answers.standard);
        // Byte for byte once keys are sorted: nothing (a number's form, an escape) differs.
        assert_eq!(
            canonical(&answers.fast),
            canonical(&answers.standard),
            "{jql}"
        );
        assert_eq!(answers.fast_calls, answers.standard_calls, "{jql}");
        assert!(answers.fast_calls.len() <= 2, "{:?}", answers.fast_calls);
    }
}

#[tokio::test]
async fn every_issue_field_answers_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let one =
        format!("query One($key: String!) {{ issue(key: $key) {{ ...Everything }} }}{EVERYTHING}");
    for key in keys.all() {
        let answer = pair.same(key, &one, json!({ "key": key })).await;
        no_errors(key, &answer);
        assert_eq!(answer["data"]["issue"]["key"], key);
    }
    let answer = pair
        .same(
            &keys.busy,
            &one,
            json!({ "key": keys.busy.to_ascii_lowercase() }),
        )
        .await;
    assert_eq!(
        answer["data"]["issue"]["comments"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(20),
        "the default page of a busy issue"
    );

    // All of them in one query: one bulkfetch for the lot, and the loads batched alike.
    let aliased: String = keys
        .all()
        .iter()
        .enumerate()
        .map(|(i, key)| format!("i{i}: issue(key: \"{key}\") {{ ...Everything }}\n"))
        .collect();
    let answer = pair
        .same(
            "aliased",
            &format!("{{ {aliased} }}{EVERYTHING}"),
            Value::Null,
        )
        .await;
    no_errors("aliased", &answer);

    // The same fields read from search answers (transitions embedded, not loaded).
    let jql = format!("key in ({}) ORDER BY key ASC", keys.all().join(", "));
    let search = format!(
        "query S($jql: String!) {{ issues(jql: $jql, first: 10) {{ edges {{ cursor node {{ ...Everything }} }} nodes {{ key }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}{EVERYTHING}"
    );
    let answer = pair.same("search", &search, json!({ "jql": jql })).await;
    no_errors("search", &answer);
    assert_eq!(
        answer["data"]["issues"]["edges"].as_array().map(Vec::len),
        Some(keys.all().len())
    );

    // A missing issue is null both ways.
    let answer = pair
        .same("missing", &one, json!({ "key": "DEMO-99999" }))
        .await;
    assert_eq!(answer["data"]["issue"], Value::Null, "{answer}");
}

#[tokio::test]
async fn aliases_and_typenames_answer_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let query = r#"query Aliases($key: String!) {
      __typename
      top: __typename
      issue(key: $key) {
        __typename t: __typename
        k: key key id1: id id2: id
        s1: status { t: __typename n: name }
        s2: status { __typename category { __typename k: key n: name } }
        assignee { a: avatarUrl(size: 16) b: avatarUrl c: avatarUrl(size: 24) d: avatarUrl(size: 99) e: avatarUrl(size: -3) __typename }
        who: reporter { name: displayName id: accountId }
        c3: comments(first: 3) { t: __typename totalCount edges { cursor node { id t: __typename author { a: avatarUrl(size: 32) } } } pageInfo { hasNextPage endCursor } }
        c50: comments(first: 50) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
        c0: comments(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
        comments { totalCount }
        next: transitions { __typename id to { __typename name } }
        d1: description { text }
        d2: description { __typename md: markdown }
      }
    }"#;
    for key in [&keys.busy, &keys.light, &keys.quiet, &keys.unassigned] {
        let answer = pair.same(key, query, json!({ "key": key })).await;
        no_errors(key, &answer);
        assert_eq!(answer["data"]["issue"]["t"], "Issue");
    }
    // The same selection over a search answer: 20 issues, comments and transitions embedded.
    let board = r#"query Board($jql: String!) { issues(jql: $jql, first: 20) { edges { node {
        __typename t: __typename k: key
        s1: status { t: __typename n: name } s2: status { category { k: key } }
        assignee { a: avatarUrl(size: 16) b: avatarUrl __typename }
        c3: comments(first: 3) { totalCount edges { cursor node { id author { a: avatarUrl(size: 32) b: avatarUrl } } } }
        c50: comments(first: 50) { totalCount pageInfo { hasNextPage endCursor } }
        next: transitions { __typename id to { __typename name } }
    } } } }"#;
    let answer = pair
        .same(
            "search",
            board,
            json!({ "jql": "project = DEMO ORDER BY key DESC" }),
        )
        .await;
    no_errors("search", &answer);

    // Arguments of nested immediate fields from variables: given, null, left out.
    let sized = r#"query($key: String!, $s: Int!, $n: Int, $after: String) { issue(key: $key) {
        assignee { avatarUrl(size: $s) }
        comments(first: $n, after: $after) { edges { node { author { avatarUrl(size: $s) } } } }
    } }"#;
    for variables in [
        json!({ "key": keys.light, "s": 16 }),
        json!({ "key": keys.light, "s": 24, "n": 2, "after": null }),
        json!({ "key": keys.busy, "s": 32, "n": null }),
    ] {
        let answer = pair.same("sized", sized, variables.clone()).await;
        no_errors(&variables.to_string(), &answer);
    }
    // A nullable variable where the argument is `Int! = 48`: whatever async-graphql makes of
    // it, both ways alike.
    let nullable = r#"query($key: String!, $s: Int) { issue(key: $key) { assignee { avatarUrl(size: $s) } } }"#;
    for variables in [
        json!({ "key": keys.light }),
        json!({ "key": keys.light, "s": null }),
        json!({ "key": keys.light, "s": 16 }),
    ] {
        pair.same("nullable size", nullable, variables).await;
    }
}

#[tokio::test]
async fn fragments_and_fields_selected_twice_merge_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let query = r#"query Frag($key: String!) {
      issue(key: $key) {
        ...Card
        ... on Issue { status { iconUrl } key }
        ... { summary __typename }
        status { name } status { id category { key } }
        ...Nested
        ... on Issue { ... on Issue { ...Inner } }
        status { ... on StatusInfo { category { name } } ...S }
        transitions { id } transitions { name to { name } }
        assignee { displayName } assignee { accountId ... { active } }
      }
    }
    fragment Card on Issue { key status { name category { name } } assignee { displayName } ...Inner }
    fragment Inner on Issue { priority { name } comments(first: 2) { edges { node { id } } } }
    fragment Nested on Issue {
      comments(first: 2) { totalCount edges { cursor node { author { accountId } body { text } } } }
      labels
    }
    fragment S on StatusInfo { __typename name category { colorName } }"#;
    for key in [&keys.busy, &keys.light, &keys.quiet, &keys.unassigned] {
        let answer = pair.same(key, query, json!({ "key": key })).await;
        no_errors(key, &answer);
    }
    let board = r#"query Board($jql: String!) { issues(jql: $jql, first: 25) {
        nodes { ...Card ... on Issue { status { iconUrl } } status { id } ...Nested transitions { id } transitions { to { id } } }
        edges { node { key ... { key summary } } }
    } }
    fragment Card on Issue { key status { name category { name } } assignee { displayName } ...Inner }
    fragment Inner on Issue { priority { name } comments(first: 2) { edges { node { id } } } }
    fragment Nested on Issue { comments(first: 2) { totalCount edges { cursor node { author { accountId } } } } }"#;
    let answer = pair
        .same(
            "search",
            board,
            json!({ "jql": "project = OPS ORDER BY key ASC" }),
        )
        .await;
    no_errors("search", &answer);
}

/// The same response key selected once in the issue itself and once in a fragment on
/// `Issue`: async-graphql's overlapping-fields rule compares fields within one of those
/// scopes only, so the two may differ in arguments or even be different fields. Each answer is
/// merged into the first value that finished; both paths must pick the same one when one of
/// them loads from Jira.
#[tokio::test]
async fn a_response_key_selected_twice_with_one_field_loading_merges_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let comments = r#"query($key: String!) { issue(key: $key) {
        x: comments(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } }
        ... on Issue { x: comments(first: 2) { pageInfo { hasNextPage endCursor } edges { cursor } } }
    } }"#;
    let answer = pair
        .same(
            "comments(first: 30) then (first: 2)",
            comments,
            json!({ "key": keys.busy }),
        )
        .await;
    no_errors("comments", &answer);
    let parent = r#"query($key: String!) { issue(key: $key) {
        x: parent { key comments(first: 1) { totalCount } }
        ... on Issue { x: key }
        y: subtasks { key comments(first: 1) { totalCount } }
        ...Y
    } }
    fragment Y on Issue { y: labels }"#;
    for key in [&keys.child, &keys.parent] {
        let answer = pair
            .same(
                "a loaded object and a scalar",
                parent,
                json!({ "key": key }),
            )
            .await;
        no_errors(key, &answer);
    }
}

#[tokio::test]
async fn skip_and_include_answer_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let query = r#"query Dirs($key: String!, $yes: Boolean!, $no: Boolean!) {
      issue(key: $key) {
        key
        summary @skip(if: true)
        labels @include(if: false)
        created @include(if: true)
        status @include(if: $yes) { name iconUrl @skip(if: $yes) category { key @include(if: $no) name } }
        priority @skip(if: $no) { name }
        assignee @include(if: $no) { displayName }
        ... on Issue @include(if: $yes) { updated }
        ... @skip(if: $yes) { version }
        ...F @include(if: $yes)
        ...G @skip(if: $yes)
        comments(first: 2) {
          totalCount @skip(if: $yes)
          edges @include(if: $yes) { cursor node { id body @skip(if: $no) { text } author { displayName @include(if: $no) } } }
        }
        emptyStatus: status { name @skip(if: true) }
        emptyTransitions: transitions { id @include(if: false) }
        parent @include(if: $yes) { key summary @skip(if: $yes) }
      }
      nothing: issue(key: $key) { key @skip(if: $yes) summary @include(if: $no) }
    }
    fragment F on Issue { dueDate resolution { name } }
    fragment G on Issue { issueType { name } }"#;
    for (yes, no) in [(true, false), (false, true)] {
        for key in [&keys.child, &keys.light, &keys.unassigned] {
            let what = format!("{key} yes={yes} no={no}");
            let answer = pair
                .same(&what, query, json!({ "key": key, "yes": yes, "no": no }))
                .await;
            no_errors(&what, &answer);
        }
    }
    let board = r#"query($yes: Boolean!) { issues(jql: "project = DEMO ORDER BY key ASC", first: 20) { edges { node {
        key status { name @include(if: $yes) id @skip(if: $yes) } assignee @skip(if: $yes) { displayName }
        comments(first: 3) @include(if: $yes) { totalCount edges { node { body { text @skip(if: $yes) } } } }
        transitions @skip(if: $yes) { name }
    } } } }"#;
    for yes in [true, false] {
        let answer = pair.same("board", board, json!({ "yes": yes })).await;
        no_errors("board", &answer);
    }
}

#[tokio::test]
async fn comment_pages_by_variables_and_bad_arguments_answer_the_same_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let by_key = r#"query Page($key: String!, $n: Int, $cursor: String) {
      issue(key: $key) {
        key
        comments(first: $n, after: $cursor) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id author { displayName } body { text } } }
        }
      }
    }"#;
    // The same through a search answer (comments embedded the same way).
    let by_search = r#"query Page($key: String!, $n: Int, $cursor: String) {
      issues(jql: $key, first: 1) { edges { node {
        key
        comments(first: $n, after: $cursor) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id author { displayName } body { text } } }
        }
      } } }
    }"#;
    for key in [&keys.busy, &keys.light, &keys.quiet] {
        for (name, query, target) in [
            ("issue", by_key, json!(key)),
            ("search", by_search, json!(format!("key = {key}"))),
        ] {
            let ask = |n: Value, cursor: Value| json!({ "key": target, "n": n, "cursor": cursor });
            let first = pair
                .same(
                    &format!("{name} {key} first 3"),
                    query,
                    ask(json!(3), Value::Null),
                )
                .await;
            no_errors(key, &first);
            let connection = if name == "issue" {
                &first["data"]["issue"]["comments"]
            } else {
                &first["data"]["issues"]["edges"][0]["node"]["comments"]
            };
            let end = connection["pageInfo"]["endCursor"].clone();
            let edges = connection["edges"].as_array().cloned().unwrap_or_default();
            // Pages after a cursor from the first answer: within the embedded 20, across
            // their end (loads), far beyond them, and from an edge's own cursor.
            let mut cases = vec![
                ("after the first page", json!(3), end.clone()),
                ("after, 17 more", json!(17), end.clone()),
                (
                    "after, 18 more (past the embedded 20)",
                    json!(18),
                    end.clone(),
                ),
                ("after, 50 more", json!(50), end.clone()),
                ("no first, after", Value::Null, end.clone()),
                ("none after", json!(0), end.clone()),
                ("first 50", json!(50), Value::Null),
                ("first 100", json!(100), Value::Null),
                ("default page", Value::Null, Value::Null),
                ("first 0", json!(0), Value::Null),
                ("negative first", json!(-1), Value::Null),
                ("first above MAX_PAGE_SIZE", json!(101), Value::Null),
                ("malformed after", json!(3), json!("not a cursor")),
                ("after an issue cursor", json!(3), json!("czE6MDo")),
                (
                    "negative first and malformed after",
                    json!(-5),
                    json!("%%%"),
                ),
            ];
            if let Some(edge) = edges.first() {
                cases.push(("after the first edge", json!(2), edge["cursor"].clone()));
            }
            for (case, n, cursor) in cases {
                let what = format!("{name} {key}: {case}");
                let answer = pair
                    .same(&what, query, ask(n.clone(), cursor.clone()))
                    .await;
                let codes = error_codes(&answer);
                let bad = ["negative", "MAX_PAGE_SIZE", "malformed", "issue cursor"]
                    .iter()
                    .any(|b| case.contains(b));
                if bad {
                    assert_eq!(codes, vec!["BAD_USER_INPUT"], "{what}: {answer}");
                } else {
                    assert!(codes.is_empty(), "{what}: {answer}");
                }
            }
        }
    }
    // Bad arguments next to good fields in one issue, and in every card of a board.
    let mixed = r#"query($key: String!) { issue(key: $key) {
        key
        ok: comments(first: 2) { totalCount }
        negative: comments(first: -1) { totalCount edges { cursor } }
        big: comments(first: 101) { totalCount }
        cursor: comments(first: 2, after: "garbage") { totalCount }
        status { name }
        changelog(first: -2) { totalCount }
    } }"#;
    let answer = pair
        .same("bad arguments", mixed, json!({ "key": keys.light }))
        .await;
    assert_eq!(error_codes(&answer).len(), 4, "{answer}");
    let board = r#"{ issues(jql: "project = DEMO ORDER BY key ASC", first: 5) { edges { node {
        key ok: comments(first: 1) { totalCount } bad: comments(first: -1) { totalCount } status { name }
    } } } }"#;
    let answer = pair
        .same("bad argument on a board", board, Value::Null)
        .await;
    assert_eq!(error_codes(&answer).len(), 5, "{answer}");
}

#[tokio::test]
async fn fields_that_load_mixed_with_fields_in_memory_answer_the_same_with_the_same_jira_calls() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let mixed = r#"query Mixed($jql: String!) { issues(jql: $jql, first: 20) { edges { node {
        key status { name }
        parent { key summary status { name } assignee { displayName } comments(first: 1) { totalCount } }
        subtasks { key status { name } priority { name } description { text } }
        changelog(first: 2) { totalCount edges { node { items { field toString } } } }
        customFields(ids: ["customfield_10031"]) { id text }
        project { key name lead { displayName } }
        attachments { filename size }
        comments(first: 25) { totalCount edges { node { id } } }
        few: comments(first: 2) { edges { node { id } } }
        transitions { name }
        assignee { displayName }
    } } } }"#;
    let jql = format!(
        "key in ({}, {}, {}, {}) OR project = OPS ORDER BY key ASC",
        keys.busy, keys.child, keys.parent, keys.with_attachments
    );
    let answers = pair.both(mixed, json!({ "jql": jql })).await;
    no_errors("mixed", &answers.fast);
    assert_same("mixed", &answers.fast, &answers.standard);
    assert_eq!(answers.fast_calls, answers.standard_calls, "mixed");
    assert!(
        answers.fast_calls.len() > 1,
        "the mixed query loads: {:?}",
        answers.fast_calls
    );

    // Through `issue(key:)`: one bulkfetch (transitions expanded in it), a comment page.
    let by_key = r#"query($a: String!, $b: String!, $c: String!) {
      a: issue(key: $a) { ...M } b: issue(key: $b) { ...M } c: issue(key: $c) { ...M }
    }
    fragment M on Issue {
      key summary status { name category { key } }
      transitions { id name to { name } }
      parent { key assignee { displayName } }
      subtasks { key summary }
      comments(first: 30) { totalCount edges { cursor } }
      c2: comments(first: 2) { totalCount edges { node { body { markdown } } } }
      changelog { totalCount }
      project { key }
      customField(id: "customfield_10031") { text }
      attachments { id }
      priority { name }
    }"#;
    let answers = pair
        .both(
            by_key,
            json!({ "a": keys.busy, "b": keys.child, "c": keys.parent }),
        )
        .await;
    no_errors("by key", &answers.fast);
    assert_same("by key", &answers.fast, &answers.standard);
    assert_eq!(answers.fast_calls, answers.standard_calls, "by key");
    assert!(
        answers.fast_calls.iter().any(|c| c.contains("/comment?")),
        "{:?}",
        answers.fast_calls
    );
}

/// `errors` lists field errors in the order they happened: the standard path adds each when
/// its field finishes, so an error of a field that did not have to wait comes before one
/// inside a field that loaded first.
#[tokio::test]
async fn errors_come_in_the_same_order_both_ways() {
    let pair = pair().await;
    let keys = Keys::of(&pair.site);
    let query = r#"query($key: String!) { issue(key: $key) {
        parent { key comments(first: -1) { totalCount } }
        key
        bad: comments(first: -2) { totalCount }
        subtasks { key c: comments(first: 1000) { totalCount } }
        worse: comments(first: 2, after: "nope") { totalCount }
    } }"#;
    for key in [&keys.child, &keys.parent] {
        let answer = pair.same(key, query, json!({ "key": key })).await;
        assert!(error_codes(&answer).len() >= 3, "{answer}");
    }
    // An object whose only field fails is null, with the error.
    let only_bad = r#"query($key: String!) {
        issue(key: $key) { comments(first: -1) { totalCount } }
        status: issue(key: $key) { status { category { key } } parent { comments(first: 101) { totalCount } } }
    }"#;
    let answer = pair
        .same("only bad", only_bad, json!({ "key": keys.child }))
        .await;
    assert_eq!(answer["data"]["issue"], Value::Null, "{answer}");
    assert_eq!(error_codes(&answer).len(), 2, "{answer}");
}

/// Odd answers from Jira: statuses without a category (missing, not an object, an unknown
/// key), `hasScreen` as a string, users without small avatars or without anything but an id
/// (a deleted user), a transition to a status that no longer exists, an issue whose status,
/// dates and labels are junk and whose description and comment are plain v2 strings.
#[tokio::test]
async fn odd_data_from_jira_answers_the_same_both_ways() {
    let site = spawn_site(SimConfig::default()).await;
    let keys = Keys::of(&site);
    let odd = keys.light.clone();
    {
        let mut data = site.state.data.write();
        for project in &mut data.projects {
            project.workflow.transitions.push(Transition {
                id: "991".into(),
                name: "Into limbo".into(),
                from: Vec::new(),
                to: "99999".into(),
                required_fields: Vec::new(),
            });
        }
        let id = data.issue_id(&odd).expect("odd issue");
        let issue = data.issues.get_mut(&id).expect("odd issue");
        issue.comments[0].author = "557058:gone-for-good".into();
        issue.comments[1].update_author = "557058:gone-for-good".into();
        issue.assignee = Some("557058:gone-too".into());
    }
    let odd_key = odd.clone();
    let proxy = spawn_rewriting_proxy(
        site.base_url().to_string(),
        Arc::new(move |value: &mut Value| oddify(value, &odd_key)),
    )
    .await;
    let pair = pair_via(site, &proxy).await;
    let one =
        format!("query One($key: String!) {{ issue(key: $key) {{ ...Everything }} }}{EVERYTHING}");
    for key in [
        &odd,
        &keys.busy,
        &keys.unassigned,
        &keys.no_priority,
        &keys.quiet,
    ] {
        let answer = pair.same(key, &one, json!({ "key": key })).await;
        no_errors(key, &answer);
        assert_eq!(answer["data"]["issue"]["key"], key.as_str(), "{answer}");
    }
    let answer = pair.same("odd issue", &one, json!({ "key": odd })).await;
    let issue = &answer["data"]["issue"];
    assert_eq!(issue["status"], Value::Null, "{issue}");
    assert_eq!(issue["description"]["text"], "Plain v2 text", "{issue}");
    assert_eq!(issue["assignee"]["displayName"], "Former user", "{issue}");
    let answers = pair
        .both(BOARD, json!({ "jql": "project = DEMO ORDER BY key ASC" }))
        .await;
    no_errors("odd board", &answers.fast);
    assert_same("odd board", &answers.fast, &answers.standard);
    assert_eq!(answers.fast_calls, answers.standard_calls);
    // A board holding the odd issue: its transitions load, the other cards' are embedded.
    let jql = format!(
        "key in ({odd}, {}, {}) ORDER BY key ASC",
        keys.busy, keys.unassigned
    );
    let mixed = pair.both(BOARD, json!({ "jql": jql })).await;
    no_errors("odd issue on a board", &mixed.fast);
    assert_same("odd issue on a board", &mixed.fast, &mixed.standard);
    assert_eq!(mixed.fast_calls, mixed.standard_calls);
    assert!(
        mixed
            .fast_calls
            .iter()
            .any(|c| c.contains(&format!("/issue/{odd}/transitions"))),
        "{:?}",
        mixed.fast_calls
    );
    let categories: Vec<&Value> = answers.fast["data"]["issues"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| &e["node"]["status"]["category"]["key"])
        .collect();
    assert!(
        categories.contains(&&json!("UNDEFINED")),
        "statuses without a category: {categories:?}"
    );
    let search = format!(
        "query S($jql: String!) {{ issues(jql: $jql, first: 10) {{ edges {{ node {{ ...Everything }} }} }} }}{EVERYTHING}"
    );
    let jql = format!("key = {odd} OR project = OPS ORDER BY key ASC");
    let answer = pair
        .same("odd search", &search, json!({ "jql": jql }))
        .await;
    no_errors("odd search", &answer);
}

type Rewrite = Arc<dyn Fn(&mut Value) + Send + Sync>;

/// A proxy in front of the simulated site that rewrites every JSON answer with `rewrite`;
/// answers its base URL.
async fn spawn_rewriting_proxy(target: String, rewrite: Rewrite) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let addr = listener.local_addr().expect("proxy address");
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (client, target, rewrite) = (client.clone(), target.clone(), rewrite.clone());
        async move { forward(&client, &target, &*rewrite, request).await }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn forward(
    client: &reqwest::Client,
    target: &str,
    rewrite: &(dyn Fn(&mut Value) + Send + Sync),
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("request body");
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut upstream = client
        .request(parts.method.clone(), format!("{target}{path}"))
        .body(body);
    for (name, value) in &parts.headers {
        if ![
            header::HOST,
            header::CONTENT_LENGTH,
            header::ACCEPT_ENCODING,
        ]
        .contains(name)
        {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.expect("the site answers");
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.expect("the site's body");
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut value) => {
            rewrite(&mut value);
            serde_json::to_vec(&value).expect("JSON")
        }
        Err(_) => bytes.to_vec(),
    };
    let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if ![header::CONTENT_LENGTH, header::TRANSFER_ENCODING].contains(name) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

/// The odd answers of [`odd_data_from_jira_answers_the_same_both_ways`].
fn oddify(value: &mut Value, odd_key: &str) {
    match value {
        Value::Object(map) => {
            if map.contains_key("statusCategory") {
                match map.get("name").and_then(Value::as_str) {
                    Some("In Review") => {
                        map.remove("statusCategory");
                        map.remove("iconUrl");
                    }
                    Some("In Progress") => {
                        map.insert("statusCategory".into(), json!([]));
                    }
                    Some("Done") => {
                        map.insert(
                            "statusCategory".into(),
                            json!({ "id": "x", "key": "undefined" }),
                        );
                    }
                    _ => {}
                }
            }
            if map.contains_key("hasScreen") {
                map.insert("hasScreen".into(), json!("no"));
            }
            if let Some(Value::Object(avatars)) = map.get_mut("avatarUrls") {
                avatars.remove("16x16");
                avatars.remove("32x32");
            }
            if map.get("key").and_then(Value::as_str) == Some(odd_key) {
                // Not embedded: `transitions` loads them (`GET issue/{key}/transitions`).
                map.remove("transitions");
            }
            if map.get("key").and_then(Value::as_str) == Some(odd_key)
                && let Some(Value::Object(fields)) = map.get_mut("fields")
            {
                fields.insert("status".into(), json!("nowhere"));
                fields.insert("labels".into(), Value::Null);
                fields.insert("created".into(), json!("yesterday"));
                fields.insert("duedate".into(), json!("soon"));
                if fields.contains_key("description") {
                    fields.insert("description".into(), json!("Plain v2 text"));
                }
                if let Some(Value::Array(comments)) = fields
                    .get_mut("comment")
                    .and_then(|c| c.get_mut("comments"))
                    && let Some(Value::Object(first)) = comments.get_mut(0)
                {
                    first.insert("body".into(), json!("A plain\n\nv2 comment"));
                }
            }
            map.values_mut().for_each(|v| oddify(v, odd_key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| oddify(v, odd_key)),
        _ => {}
    }
}
