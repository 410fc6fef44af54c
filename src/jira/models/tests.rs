//! Decoding Atlassian's own response examples (copied from the OpenAPI document into
//! `fixtures/`) and the tolerance rules.

use serde_json::json;

use super::*;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> T {
    from_json_bytes(json.as_bytes()).expect("fixture decodes")
}

#[test]
fn get_issue_example_from_the_spec_decodes_with_typed_and_custom_fields() {
    let issue: IssueBean = decode(include_str!("fixtures/get_issue.json"));
    assert_eq!(issue.key, "ED-1");
    assert_eq!(issue.id, "10002");
    let fields = &issue.fields;
    // Jira's example sends the attachment id as a number.
    let attachments = fields.attachment.as_ref().expect("attachments");
    assert_eq!(attachments[0].id, "10000");
    assert_eq!(attachments[0].mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(fields.project.as_ref().map(|p| p.key.as_str()), Some("EX"));
    assert!(fields.description.is_some());
    let comments = fields.comment.as_ref().expect("comments");
    assert!(!comments.comments.is_empty());
    // Fields not modelled stay available as raw JSON.
    assert!(fields.other.contains_key("watcher"));
    assert!(fields.other.contains_key("sub-tasks"));
    assert!(!fields.other.contains_key("attachment"));
}

#[test]
fn search_and_bulkfetch_examples_decode() {
    let page: SearchResults = decode(include_str!("fixtures/search_jql.json"));
    assert!(!page.issues.is_empty());
    assert!(page.is_last_page());
    let bulk: BulkIssueResults = decode(include_str!("fixtures/bulkfetch.json"));
    assert!(!bulk.issues.is_empty());
    assert!(bulk.issue_errors.is_empty());
}

#[test]
fn comment_changelog_and_transition_examples_decode() {
    let comments: PageOfComments = decode(include_str!("fixtures/comments.json"));
    assert_eq!(comments.comments[0].id, "10000");
    assert!(comments.is_last_page());

    let changelog: PageBeanChangelog = decode(include_str!("fixtures/changelog.json"));
    assert_eq!(changelog.total, Some(5));
    assert!(!changelog.is_last_page());
    let item = &changelog.values[0].items[0];
    assert!(!item.field.is_empty());

    let transitions: Transitions = decode(include_str!("fixtures/transitions.json"));
    let first = &transitions.transitions[0];
    assert_eq!(first.id, "2");
    assert_eq!(
        first.to.as_ref().map(|s| s.name.as_str()),
        Some("In Progress")
    );

    let bulk: BulkChangelogResponse = decode(include_str!("fixtures/changelog_bulkfetch.json"));
    assert!(!bulk.issue_change_logs.is_empty());
    let listed: PageBeanComment = decode(include_str!("fixtures/comment_list.json"));
    assert!(!listed.values.is_empty());
}

#[test]
fn site_examples_decode() {
    let projects: PageBeanProject = decode(include_str!("fixtures/project_search.json"));
    assert_eq!(projects.total, Some(7));
    assert!(!projects.is_last_page());
    let project: Project = decode(include_str!("fixtures/project.json"));
    assert!(!project.key.is_empty());
    let me: User = decode(include_str!("fixtures/myself.json"));
    assert!(!me.account_id.is_empty());
    let users: PageBeanUser = decode(include_str!("fixtures/users_bulk.json"));
    assert_eq!(users.values.len(), 1);
    let fields: Vec<FieldDetails> = decode(include_str!("fixtures/fields.json"));
    assert_eq!(fields[1].id, "summary");
    assert_eq!(
        fields[1].schema.as_ref().map(|s| s.kind.as_str()),
        Some("string")
    );
}

#[test]
fn jql_helper_examples_decode() {
    let data: JqlReferenceData = decode(include_str!("fixtures/jql_autocomplete.json"));
    assert!(data.visible_field_names.iter().any(|f| f.value == "Sprint"));
    let parsed: ParsedJqlQueries = decode(include_str!("fixtures/jql_parse.json"));
    assert!(parsed.queries[0].is_valid());
    assert!(parsed.queries.iter().any(|q| !q.is_valid()));
    let suggestions: JqlSuggestions = decode(include_str!("fixtures/jql_suggestions.json"));
    assert!(!suggestions.results.is_empty());
}

#[test]
fn bulk_and_webhook_examples_decode() {
    let progress: BulkOperationProgress = decode(include_str!("fixtures/bulk_queue.json"));
    assert_eq!(progress.status, BulkTaskStatus::Complete);
    assert!(progress.status.is_finished());
    assert_eq!(progress.processed_accessible_issues, vec![10001, 10002]);
    // Epoch milliseconds are kept as text.
    assert_eq!(progress.created.as_deref(), Some("1704110400000"));

    let available: BulkTransitionsAvailable =
        decode(include_str!("fixtures/bulk_transitions_available.json"));
    let transition = &available.available_transitions[0].transitions[0];
    assert_eq!(transition.transition_id, "11");
    assert_eq!(
        transition.to.as_ref().map(|t| t.status_id.as_str()),
        Some("10001")
    );

    let hooks: PageBeanWebhook = decode(include_str!("fixtures/webhooks.json"));
    assert_eq!(hooks.values[0].id, 10000);
    let registered: RegisteredWebhooks = decode(include_str!("fixtures/register_webhooks.json"));
    assert_eq!(registered.webhook_registration_result.len(), 3);
    assert!(!registered.webhook_registration_result[1].errors.is_empty());
}

#[test]
fn nulls_and_missing_parts_read_as_defaults() {
    let issue: IssueBean = decode(
        r#"{"id":null,"key":"A-1","fields":{"summary":null,"labels":null,"assignee":null,
            "status":{"name":"Open","statusCategory":null},"customfield_1":null}}"#,
    );
    assert_eq!(issue.id, "");
    assert_eq!(issue.fields.summary, None);
    assert_eq!(issue.fields.assignee, None);
    assert_eq!(
        issue.fields.status.as_ref().map(|s| s.name.as_str()),
        Some("Open")
    );
    assert_eq!(
        issue.fields.other.get("customfield_1"),
        Some(&serde_json::Value::Null)
    );

    let empty: IssueBean = decode(r#"{"fields":null}"#);
    assert_eq!(empty, IssueBean::default());
    let page: SearchResults = decode(r#"{"issues":null}"#);
    assert!(page.issues.is_empty());
    assert!(page.is_last_page());
}

#[test]
fn system_field_of_unexpected_shape_reads_as_none_instead_of_failing() {
    let issue: IssueBean = decode(
        r#"{"id":"1","key":"A-1","fields":{"status":"weird","priority":42,"labels":"x",
            "summary":"still here","comment":"nope"}}"#,
    );
    assert_eq!(issue.fields.status, None);
    assert_eq!(issue.fields.priority, None);
    assert_eq!(issue.fields.labels, None);
    assert_eq!(issue.fields.comment, None);
    assert_eq!(issue.fields.summary.as_deref(), Some("still here"));
}

#[test]
fn custom_fields_of_any_type_are_kept_and_survive_a_cache_round_trip() {
    let source = json!({
        "id": "10001",
        "key": "ABC-1",
        "fields": {
            "summary": "Привет, мир — สวัสดี",
            "customfield_10010": 5.5,
            "customfield_10020": [{"id": 1, "name": "Sprint 1"}],
            "customfield_10030": {"value": "Red"},
            "labels": ["ui"]
        }
    });
    let issue: IssueBean = serde_json::from_value(source).expect("decodes");
    assert_eq!(issue.fields.other.len(), 3);
    let cached = serde_json::to_vec(&issue).expect("encodes");
    let back: IssueBean = from_json_bytes(&cached).expect("decodes again");
    assert_eq!(back, issue);
}

#[test]
fn search_request_leaves_unset_properties_out_of_the_body() {
    let request = SearchRequest::new("project = ABC", &[]);
    assert_eq!(
        serde_json::to_value(&request).expect("encodes"),
        json!({"jql": "project = ABC"})
    );

    let full = SearchRequest {
        next_page_token: Some("tok".into()),
        max_results: Some(50),
        reconcile_issues: vec![10001],
        ..SearchRequest::new("project = ABC", &["summary", "status"])
    }
    .with_expand(&["names", "renderedFields"]);
    assert_eq!(
        serde_json::to_value(&full).expect("encodes"),
        json!({
            "jql": "project = ABC",
            "nextPageToken": "tok",
            "maxResults": 50,
            "fields": ["summary", "status"],
            "expand": "names,renderedFields",
            "reconcileIssues": [10001]
        })
    );
}

#[test]
fn bulk_fetch_request_sends_expand_as_a_list() {
    let request = BulkFetchRequest {
        issue_ids_or_keys: vec!["A-1".into(), "10002".into()],
        fields: vec!["summary".into()],
        expand: vec!["names".into()],
        ..BulkFetchRequest::default()
    };
    assert_eq!(
        serde_json::to_value(&request).expect("encodes"),
        json!({"issueIdsOrKeys": ["A-1", "10002"], "fields": ["summary"], "expand": ["names"]})
    );
}

#[test]
fn issue_update_builds_transition_with_comment() {
    let adf = json!({"type": "doc", "version": 1, "content": []});
    let update = IssueUpdate::transition("31")
        .with_field("resolution", json!({"name": "Done"}))
        .with_comment(adf.clone());
    assert_eq!(
        serde_json::to_value(&update).expect("encodes"),
        json!({
            "fields": {"resolution": {"name": "Done"}},
            "update": {"comment": [{"add": {"body": adf}}]},
            "transition": {"id": "31"}
        })
    );
    assert_eq!(
        serde_json::to_value(IssueUpdate::default()).expect("encodes"),
        json!({})
    );
}

#[test]
fn unknown_bulk_status_reads_as_unknown() {
    let progress: BulkOperationProgress = decode(r#"{"taskId":7,"status":"SOMETHING_NEW"}"#);
    assert_eq!(progress.task_id, "7");
    assert_eq!(progress.status, BulkTaskStatus::Unknown);
    assert!(!progress.status.is_finished());
}

#[test]
fn jira_timestamps_parse_in_both_offset_styles() {
    let jira = parse_jira_time("2024-01-15T10:30:00.000+0000").expect("jira style");
    let rfc = parse_jira_time("2024-01-15T13:30:00+03:00").expect("rfc 3339");
    assert_eq!(jira, rfc);
    assert_eq!(jira.offset().local_minus_utc(), 0);
    assert!(parse_jira_time("2024-01-15T10:30:00.123-0530").is_some());
    assert!(parse_jira_time("2024-01-15").is_none());
    assert!(parse_jira_time("").is_none());
    assert!(parse_jira_time("yesterday").is_none());
    assert_eq!(
        parse_jira_date("2024-02-29").map(|d| d.to_string()),
        Some("2024-02-29".to_owned())
    );
    assert!(parse_jira_date("2023-02-29").is_none());
}

#[test]
fn empty_body_reads_as_null_for_unit_and_option() {
    from_json_bytes::<()>(b"").expect("unit from empty");
    assert_eq!(
        from_json_bytes::<Option<IssueBean>>(b"  ").expect("none"),
        None
    );
    assert!(from_json_bytes::<IssueBean>(b"{} trailing").is_err());
}

#[test]
fn bodies_are_read_as_text_and_invalid_utf8_is_a_decode_error_with_its_place() {
    let thai = r#"{"id":"1","key":"A-1","fields":{"summary":"สวัสดี Привет \u00e9"}}"#;
    let issue: IssueBean = from_json_bytes(thai.as_bytes()).expect("decodes");
    assert_eq!(issue.fields.summary.as_deref(), Some("สวัสดี Привет é"));

    let mut bytes = br#"{"id":"1","key":"A-1","fields":{"summary":"ab"}}"#.to_vec();
    let at = bytes.iter().position(|&b| b == b'b').expect("b");
    bytes[at] = 0xff;
    let err = from_json_bytes::<IssueBean>(&bytes).expect_err("invalid UTF-8");
    assert_eq!((err.line(), err.column()), (1, at + 1), "{err}");
}

#[test]
fn comments_as_a_bare_list_skip_the_ones_that_do_not_fit_and_ids_of_any_scalar_read_as_text() {
    let text = r#"{"id":10001,"key":"A-1","fields":{"comment":[
            {"id":7,"body":"plain v2 body","author":{"accountId":true}},
            {"id":"8","author":"not a user","created":1.5},
            "not a comment"
        ]}}"#;
    // From bytes and from a `Value` (a cache round trip), with the same result.
    let from_text: IssueBean = decode(text);
    let from_value: IssueBean =
        serde_json::from_value(serde_json::from_str(text).expect("json")).expect("decodes");
    assert_eq!(from_text, from_value);
    assert_eq!(from_text.id, "10001");
    let page = from_text.fields.comment.expect("a page");
    assert_eq!((page.total, page.comments.len()), (2, 2));
    assert_eq!(page.comments[0].id, "7");
    assert_eq!(
        page.comments[0]
            .author
            .as_ref()
            .map(|a| a.account_id.as_str()),
        Some("true")
    );
    assert_eq!(page.comments[1].author, None);
    assert_eq!(page.comments[1].created.as_deref(), Some("1.5"));

    let odd: IssueBean = decode(r#"{"id":{"nested":[1]},"key":["A-2"],"fields":{}}"#);
    assert_eq!((odd.id.as_str(), odd.key.as_str()), ("", ""));
}

#[test]
fn users_with_odd_fields_are_kept_and_a_user_that_is_not_an_object_is_none() {
    let issue: IssueBean = decode(
        r#"{"key":"A-1","fields":{
            "assignee":{"accountId":"u1","displayName":5,"active":"yes","avatarUrls":"none",
                        "timeZone":null,"self":["x"]},
            "reporter":"someone",
            "comment":{"total":"two","comments":[
                {"id":"9","author":{"accountId":"u2","avatarUrls":{"48x48":7,"16x16":"s.png"}},
                 "updateAuthor":[1,2]}]}}}"#,
    );
    let assignee = issue.fields.assignee.expect("kept");
    assert_eq!(assignee.account_id, "u1");
    assert_eq!(assignee.display_name.as_deref(), Some("5"));
    assert_eq!((assignee.active, &assignee.avatar_urls), (None, &None));
    assert_eq!((&assignee.time_zone, &assignee.self_url), (&None, &None));
    assert_eq!(issue.fields.reporter, None);
    let page = issue.fields.comment.expect("a page");
    assert_eq!((page.total, page.comments.len()), (0, 1));
    let author = page.comments[0].author.as_ref().expect("author");
    let avatars = author.avatar_urls.as_ref().expect("avatars");
    assert_eq!(avatars.x48.as_deref(), Some("7"));
    assert_eq!(avatars.x16.as_deref(), Some("s.png"));
    assert_eq!(page.comments[0].update_author, None);
}

#[test]
fn odd_transitions_and_statuses_are_read_leniently_without_failing_the_issue() {
    let issue: IssueBean = decode(
        r#"{"key":"A-1",
            "transitions":[
                {"id":11,"name":"Start","hasScreen":"no","isGlobal":true,
                 "to":{"id":"3","name":"In Progress","iconUrl":7,
                       "statusCategory":{"id":"four","key":"indeterminate","colorName":null}}},
                "junk",
                {"id":"21","name":"Done","to":"nowhere","fields":[1]}],
            "fields":{"status":{"name":"Open","description":{"x":1},"statusCategory":[]}}}"#,
    );
    let transitions = issue.transitions.expect("transitions");
    assert_eq!(transitions.len(), 2);
    assert_eq!(transitions[0].id, "11");
    assert_eq!(
        (transitions[0].has_screen, transitions[0].is_global),
        (None, Some(true))
    );
    let to = transitions[0].to.as_ref().expect("target");
    assert_eq!(
        (to.name.as_str(), to.icon_url.as_deref()),
        ("In Progress", Some("7"))
    );
    let category = to.status_category.as_ref().expect("category");
    assert_eq!(
        (category.id, category.key.as_str()),
        (None, "indeterminate")
    );
    assert_eq!(
        (transitions[1].to.as_ref(), transitions[1].fields.as_ref()),
        (None, None)
    );
    let status = issue.fields.status.expect("status");
    assert_eq!(status.name, "Open");
    assert_eq!((status.description, status.status_category), (None, None));

    let odd: IssueBean = decode(r#"{"key":"A-2","transitions":{"not":"a list"}}"#);
    assert_eq!(odd.transitions, None);
}

#[test]
fn one_answer_reads_each_distinct_user_once_and_shares_it_only_within_that_answer() {
    let text = r#"{"issues":[{"id":"1","key":"A-1","fields":{
            "assignee":{"accountId":"u1","displayName":"Анна"},
            "comment":{"total":3,"comments":[
                {"id":"1","author":{"accountId":"u1","displayName":"Анна"},"updateAuthor":{"accountId":"u2","displayName":"สมชาย"}},
                {"id":"2","author":{"accountId":"u1","displayName":"Анна"},"updateAuthor":["not","a","user"]},
                {"id":"3","author":{"accountId":"u1","displayName":"Anna (renamed)"}}
            ]}}}]}"#;
    let read = || -> SearchResults { from_json_bytes(text.as_bytes()).expect("decodes") };
    let first = read();
    let issue = &first.issues[0];
    let comments = &issue.fields.comment.as_ref().expect("comments").comments;
    let assignee = issue.fields.assignee.as_ref().expect("assignee");
    let author = |i: usize| comments[i].author.as_ref().expect("author");
    // The same JSON text is one shared user; different text is a user of its own.
    assert!(std::sync::Arc::ptr_eq(assignee, author(0)));
    assert!(std::sync::Arc::ptr_eq(author(0), author(1)));
    assert!(!std::sync::Arc::ptr_eq(author(1), author(2)));
    assert_eq!(author(2).display_name.as_deref(), Some("Anna (renamed)"));
    assert_eq!(
        comments[0]
            .update_author
            .as_ref()
            .map(|u| u.account_id.as_str()),
        Some("u2")
    );
    assert_eq!(comments[1].update_author, None);
    // Another answer gets users of its own.
    let second = read();
    assert!(!std::sync::Arc::ptr_eq(
        assignee,
        second.issues[0].fields.assignee.as_ref().expect("assignee")
    ));
    // The cache format is unchanged: a round trip gives equal values.
    let cached = serde_json::to_vec(&first).expect("serialises");
    assert_eq!(
        from_json_bytes::<SearchResults>(&cached).expect("again"),
        first
    );
}

#[test]
fn issues_with_the_same_transitions_share_one_list_and_odd_lists_stay_lenient() {
    let list = r#"[{"id":"11","name":"Start","to":{"id":"3","name":"In Progress"}},"junk",{"id":"21","name":"Done"}]"#;
    let text = format!(
        r#"{{"issues":[
            {{"id":"1","key":"A-1","transitions":{list}}},
            {{"id":"2","key":"A-2","transitions":{list}}},
            {{"id":"3","key":"A-3","transitions":[]}},
            {{"id":"4","key":"A-4","transitions":{{"not":"a list"}}}},
            {{"id":"5","key":"A-5","transitions":null}}
        ]}}"#
    );
    let page: SearchResults = from_json_bytes(text.as_bytes()).expect("decodes");
    let of = |i: usize| page.issues[i].transitions.as_ref();
    let first = of(0).expect("transitions");
    assert!(std::sync::Arc::ptr_eq(first, of(1).expect("transitions")));
    let names: Vec<&str> = first.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Start", "Done"]);
    assert_eq!(of(2).map(|t| t.len()), Some(0));
    assert_eq!((of(3), of(4)), (None, None));
    let cached = serde_json::to_vec(&page).expect("serialises");
    assert_eq!(
        from_json_bytes::<SearchResults>(&cached).expect("again"),
        page
    );
}

#[test]
fn comments_past_those_kept_are_read_past_and_still_counted() {
    let text = r#"{"issues":[
        {"key":"A-1","fields":{"summary":"one","comment":{"startAt":0,"maxResults":20,"total":27,
            "comments":[{"id":"1","body":{"type":"doc"}},{"id":"2"},{"id":"3"},{"id":"4"}]}}},
        {"key":"A-2","fields":{"comment":{"comments":[7,{"id":"5"},null,{"id":"6"},{"id":"7"},"x",{"id":"8"}]},
            "summary":"two"}},
        {"key":"A-3","fields":{"comment":[{"id":"9"},{"id":"10"},{"id":"11"}]}},
        {"key":"A-4","fields":{"comment":{"total":1,"comments":[{"id":"12"}]}}}
    ]}"#;
    let read = |keep| -> SearchResults {
        from_json_bytes_with(
            text.as_bytes(),
            ReadOptions {
                keep_comments: keep,
            },
        )
        .expect("decodes")
    };
    let kept = read(Some(2));
    let pages: Vec<(Vec<&str>, i64)> = kept
        .issues
        .iter()
        .map(|issue| {
            let page = issue.fields.comment.as_ref().expect("a page");
            let ids = page.comments.iter().map(|c| c.id.as_str()).collect();
            (ids, page.total)
        })
        .collect();
    assert_eq!(
        pages,
        [
            // Jira's total stands; a missing one counts every comment object, kept or not.
            (vec!["1", "2"], 27),
            (vec!["5", "6"], 4),
            (vec!["9", "10"], 3),
            (vec!["12"], 1),
        ]
    );
    // The rest of each issue is read as before.
    assert_eq!(kept.issues[1].fields.summary.as_deref(), Some("two"));
    assert!(
        !kept.issues[0]
            .fields
            .comment
            .as_ref()
            .expect("page")
            .is_last_page()
    );

    // Without the option every comment is built, and nothing else changes.
    let all = read(None);
    assert_eq!(
        all.issues[1]
            .fields
            .comment
            .as_ref()
            .expect("page")
            .comments
            .len(),
        4
    );
    assert_eq!(
        from_json_bytes::<SearchResults>(text.as_bytes()).expect("decodes"),
        all
    );
    // Keeping none still counts them.
    let none = read(Some(0));
    let page = none.issues[0].fields.comment.as_ref().expect("page");
    assert_eq!((page.comments.len(), page.total), (0, 27));
}
