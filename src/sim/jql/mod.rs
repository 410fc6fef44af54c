//! JQL parsed and evaluated over the simulated site's data.
//!
//! The pipeline is [`parse`] (syntax, Jira's syntax error messages with positions) →
//! [`compile`] (field names and values resolved for one viewer, Jira's validation messages) →
//! [`Compiled::matches`] / [`Compiled::sort`]. [`search`] runs all of it over the site.
//! [`structure`], [`autocomplete_data`] and [`suggestions`] serve the `/jql/parse` and
//! `/jql/autocompletedata` endpoints. HTTP shapes other than those bodies live in the routes.
//!
//! Semantics follow Jira Cloud: `!=`, `not in`, `!~` and `is not` never match an empty field;
//! `NOT` is pushed down to the field clauses (so `NOT assignee = x` equals `assignee != x`);
//! `labels = x` means "has label x"; text search (`~`) is case-insensitive and needs every
//! term to occur; dates are UTC. Without ORDER BY, results are newest issue id first.
//! History operators (`WAS`, `CHANGED`) are refused.

mod ast;
mod autocomplete;
mod compile;
mod dates;
mod error;
mod eval;
mod fields;
mod lexer;
mod parser;
mod sort;
mod structure;
mod text;

#[cfg(test)]
mod fixture;

pub use ast::{Clause, Direction, Field, Operand, Operator, OrderBy, Query, Terminal};
pub use autocomplete::{autocomplete_data, suggestions};
pub use compile::{Compiled, compile};
pub use error::JqlError;
pub use parser::parse;
pub use structure::structure;

use crate::sim::model::{SiteData, Ts, User};

/// Runs a search the way `/rest/api/3/search/jql` does: parse, refuse unbounded queries,
/// resolve for the viewer, keep the matching issues the viewer may browse, and order them
/// (ORDER BY, else newest id first). Returns issue ids.
pub fn search(data: &SiteData, viewer: &User, now: Ts, jql: &str) -> Result<Vec<u64>, JqlError> {
    let query = parse(jql)?;
    if !query.is_bounded() {
        return Err(JqlError::unbounded());
    }
    let compiled = compile(&query, data, viewer, now)?;
    let browsable: Vec<&str> = data
        .projects
        .iter()
        .filter(|p| viewer.admin || !p.admin_only)
        .map(|p| p.key.as_str())
        .collect();
    let mut ids: Vec<u64> = data
        .issues
        .values()
        .filter(|issue| {
            browsable
                .iter()
                .any(|key| key.eq_ignore_ascii_case(&issue.project))
        })
        .filter(|issue| compiled.matches(issue, data))
        .map(|issue| issue.id)
        .collect();
    compiled.sort(&mut ids, data);
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::fixture::{self, error, keys, set_of, site};
    use super::*;

    fn strs(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn queries_without_a_where_clause_are_unbounded() {
        let data = site();
        let unbounded = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";
        assert_eq!(error(&data, "alice", "order by key desc"), unbounded);
        assert_eq!(error(&data, "alice", ""), unbounded);
        assert_eq!(error(&data, "alice", "  "), unbounded);
    }

    #[test]
    fn syntax_errors_come_before_the_bounded_check() {
        let data = site();
        assert!(
            error(&data, "alice", "order by")
                .starts_with("Error in the JQL Query: Expecting a field name")
        );
    }

    #[test]
    fn project_matches_by_key_name_or_id_ignoring_case() {
        let data = site();
        let demo = strs(&["DEMO-1", "DEMO-2", "DEMO-3"]);
        assert_eq!(set_of(&data, "alice", "project = DEMO"), demo);
        assert_eq!(set_of(&data, "alice", "project = demo"), demo);
        assert_eq!(set_of(&data, "alice", "project = \"demo project\""), demo);
        assert_eq!(set_of(&data, "alice", "project = 10000"), demo);
        assert_eq!(
            set_of(&data, "alice", "project in (DEMO, Operations)").len(),
            5
        );
        assert_eq!(
            set_of(&data, "alice", "project != DEMO"),
            strs(&["OPS-1", "OPS-2"])
        );
    }

    #[test]
    fn a_hidden_project_is_reported_like_a_missing_one() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "project = SEC"),
            "The value 'SEC' does not exist for the field 'project'."
        );
        assert_eq!(
            error(&data, "alice", "project = NOPE"),
            "The value 'NOPE' does not exist for the field 'project'."
        );
        assert_eq!(
            error(&data, "alice", "project = 10002").replace("10002", "N"),
            error(&data, "alice", "project = 99999").replace("99999", "N")
        );
        assert_eq!(set_of(&data, "ada", "project = SEC"), strs(&["SEC-1"]));
    }

    #[test]
    fn issues_of_hidden_projects_never_appear() {
        let data = site();
        assert!(set_of(&data, "alice", "labels = security").is_empty());
        assert!(!set_of(&data, "alice", "created > -365d").contains(&"SEC-1".to_owned()));
        assert_eq!(set_of(&data, "ada", "labels = security"), strs(&["SEC-1"]));
        assert_eq!(
            error(&data, "alice", "key = SEC-1"),
            "An issue with key 'SEC-1' does not exist for field 'key'."
        );
    }

    #[test]
    fn status_and_category_match_by_name_key_or_id() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "status = \"in progress\""),
            strs(&["DEMO-2", "OPS-2"])
        );
        assert_eq!(set_of(&data, "alice", "status = 10002"), strs(&["DEMO-3"]));
        assert_eq!(
            set_of(&data, "ada", "statusCategory = \"In Progress\""),
            strs(&["DEMO-2", "OPS-2", "SEC-1"])
        );
        assert_eq!(
            set_of(&data, "alice", "statusCategory = done"),
            strs(&["DEMO-3"])
        );
        assert_eq!(
            set_of(&data, "alice", "statusCategory = new"),
            strs(&["DEMO-1", "OPS-1"])
        );
        assert_eq!(
            set_of(&data, "alice", "statusCategory in (2, 3)"),
            strs(&["DEMO-1", "DEMO-3", "OPS-1"])
        );
        assert_eq!(
            error(&data, "alice", "status = Blocked"),
            "The value 'Blocked' does not exist for the field 'status'."
        );
        assert_eq!(
            error(&data, "alice", "status = 999"),
            "A value with ID '999' does not exist for the field 'status'."
        );
    }

    #[test]
    fn negative_operators_never_match_an_empty_field() {
        let data = site();
        // DEMO-3 is unassigned.
        assert_eq!(
            set_of(&data, "alice", "assignee != bob"),
            strs(&["DEMO-1", "OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "assignee not in (bob, sergey)"),
            strs(&["DEMO-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "NOT assignee = bob"),
            set_of(&data, "alice", "assignee != bob")
        );
        assert_eq!(
            set_of(&data, "alice", "assignee is EMPTY"),
            strs(&["DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "assignee = NULL"), strs(&["DEMO-3"]));
        assert_eq!(set_of(&data, "alice", "assignee is not EMPTY").len(), 4);
        assert_eq!(
            set_of(&data, "alice", "assignee in (bob, EMPTY)"),
            strs(&["DEMO-2", "DEMO-3"])
        );
    }

    #[test]
    fn labels_are_a_set_and_compare_without_case() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "labels = frontend"),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "labels = BACKEND"),
            strs(&["OPS-1", "OPS-2"])
        );
        // Has labels, and none of them is "frontend": DEMO-3 has none.
        assert_eq!(
            set_of(&data, "alice", "labels != frontend"),
            strs(&["OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "labels not in (frontend, ops)"),
            strs(&["OPS-1"])
        );
        assert_eq!(set_of(&data, "alice", "labels is EMPTY"), strs(&["DEMO-3"]));
    }

    #[test]
    fn users_match_by_account_id_email_name_or_current_user() {
        let data = site();
        let alice = strs(&["DEMO-1", "OPS-2"]);
        assert_eq!(set_of(&data, "bob", "assignee = alice"), alice);
        assert_eq!(
            set_of(&data, "bob", "assignee = \"ALICE@example.com\""),
            alice
        );
        assert_eq!(set_of(&data, "bob", "assignee = \"alice smith\""), alice);
        assert_eq!(set_of(&data, "alice", "assignee = currentUser()"), alice);
        assert_eq!(
            set_of(
                &data,
                "alice",
                "assignee in (currentUser(), \"Сергей Иванов\")"
            ),
            strs(&["DEMO-1", "OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "reporter = somchai"),
            strs(&["DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "creator = bob"), strs(&["DEMO-1"]));
        assert_eq!(
            error(&data, "alice", "assignee = nobody"),
            "The value 'nobody' does not exist for the field 'assignee'."
        );
        assert_eq!(
            error(&data, "alice", "assignee = currentUser(x)"),
            "Function 'currentUser' expected '0' arguments but received '1'."
        );
    }

    #[test]
    fn priority_compares_by_rank() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "priority > Medium"),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "priority >= medium"),
            strs(&["DEMO-1", "DEMO-2", "DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "priority < Low"), strs(&["OPS-2"]));
        assert_eq!(
            set_of(&data, "alice", "priority <= Low"),
            strs(&["OPS-1", "OPS-2"])
        );
        assert_eq!(set_of(&data, "ada", "priority is EMPTY"), strs(&["SEC-1"]));
        assert_eq!(
            set_of(&data, "alice", "NOT priority > Medium"),
            strs(&["DEMO-3", "OPS-1", "OPS-2"])
        );
    }

    #[test]
    fn keys_match_by_key_id_old_key_and_order_within_a_project() {
        let data = site();
        assert_eq!(set_of(&data, "alice", "key = demo-2"), strs(&["DEMO-2"]));
        assert_eq!(
            set_of(&data, "alice", "issuekey in (DEMO-1, OPS-1)"),
            strs(&["DEMO-1", "OPS-1"])
        );
        assert_eq!(set_of(&data, "alice", "id = 10002"), strs(&["DEMO-2"]));
        assert_eq!(set_of(&data, "alice", "key = OLD-7"), strs(&["OPS-1"]));
        assert_eq!(
            set_of(&data, "alice", "key > DEMO-1"),
            strs(&["DEMO-2", "DEMO-3"])
        );
        assert_eq!(
            set_of(&data, "alice", "key <= DEMO-2"),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "id >= 10004"),
            strs(&["OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "key != DEMO-1 and project = DEMO"),
            strs(&["DEMO-2", "DEMO-3"])
        );
        assert_eq!(
            error(&data, "alice", "key = DEMO-99"),
            "An issue with key 'DEMO-99' does not exist for field 'key'."
        );
        assert_eq!(
            error(&data, "alice", "key = banana"),
            "The issue key 'banana' for field 'key' is invalid."
        );
        assert_eq!(
            error(&data, "alice", "key is EMPTY"),
            "The operator 'is' is not supported by the 'key' field."
        );
        assert_eq!(
            error(&data, "alice", "key = EMPTY"),
            "The field 'key' does not support searching for EMPTY values."
        );
    }

    #[test]
    fn parent_matches_by_key_or_id() {
        let data = site();
        assert_eq!(set_of(&data, "alice", "parent = DEMO-1"), strs(&["DEMO-2"]));
        assert_eq!(set_of(&data, "alice", "parent = 10001"), strs(&["DEMO-2"]));
        assert_eq!(
            set_of(&data, "alice", "parent is EMPTY and project = DEMO"),
            strs(&["DEMO-1", "DEMO-3"])
        );
    }

    #[test]
    fn issue_type_and_resolution_match_by_name_or_id() {
        let data = site();
        assert_eq!(set_of(&data, "alice", "type = bug"), strs(&["DEMO-3"]));
        assert_eq!(
            set_of(&data, "alice", "issuetype in (Epic, 10002)"),
            strs(&["DEMO-1", "DEMO-3"])
        );
        assert_eq!(
            set_of(&data, "alice", "resolution = Done"),
            strs(&["DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "resolution = Unresolved").len(), 4);
        assert_eq!(set_of(&data, "alice", "resolution is EMPTY").len(), 4);
        assert_eq!(
            set_of(&data, "alice", "resolution != \"Won't Do\""),
            strs(&["DEMO-3"])
        );
    }

    #[test]
    fn text_search_is_case_insensitive_and_needs_every_term() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "summary ~ login"),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "summary ~ \"LOGIN page\""),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "summary ~ \"page login\""),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "summary ~ \"log*\""),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "summary !~ login"),
            strs(&["DEMO-3", "OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "description ~ broken"),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "comment ~ safari"),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "text ~ \"safari login\""),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "description is EMPTY"),
            strs(&["OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "description !~ broken"),
            strs(&["DEMO-1", "DEMO-3"])
        );
    }

    #[test]
    fn quoted_phrases_must_match_whole() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", r#"summary ~ "\"exact phrase\"""#),
            strs(&["OPS-2"])
        );
        assert!(set_of(&data, "alice", r#"summary ~ "\"phrase exact\"""#).is_empty());
        assert_eq!(
            set_of(&data, "alice", r#"summary ~ "\"deploy the\" service""#),
            strs(&["OPS-2"])
        );
    }

    #[test]
    fn text_search_works_in_scripts_without_spaces() {
        let data = site();
        assert_eq!(set_of(&data, "alice", "summary ~ ล็อกอิน"), strs(&["DEMO-3"]));
        assert_eq!(
            set_of(&data, "alice", "description ~ 画面"),
            strs(&["DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "text ~ ログイン"), strs(&["DEMO-3"]));
        assert_eq!(set_of(&data, "alice", "summary ~ ВХОДА"), strs(&["OPS-1"]));
    }

    #[test]
    fn text_search_rejects_empty_and_leading_wildcards() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "summary ~ \"\""),
            "The field 'summary' does not support searching for an empty string."
        );
        assert!(
            error(&data, "alice", "summary ~ \"*in\"")
                .contains("are not allowed as first character")
        );
        assert_eq!(
            error(&data, "alice", "summary = x"),
            "The operator '=' is not supported by the 'summary' field."
        );
        assert_eq!(
            error(&data, "alice", "text !~ x"),
            "The operator '!~' is not supported by the 'text' field."
        );
    }

    #[test]
    fn dates_compare_as_instants_from_absolute_or_relative_values() {
        let data = site();
        // DEMO-3 was created at midnight on 2024-01-15.
        assert_eq!(
            set_of(&data, "alice", "created = \"2024-01-15\""),
            strs(&["DEMO-3"])
        );
        assert_eq!(
            set_of(&data, "alice", "created >= \"2024/01/15\""),
            strs(&["DEMO-3", "OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "created < \"2024-01-10 09:00\""),
            strs(&["DEMO-1"])
        );
        assert_eq!(
            set_of(&data, "alice", "created <= \"2024-01-10 09:00\""),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "createdDate > -2d"),
            strs(&["OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "updated >= startOfDay()"),
            strs(&["OPS-2"])
        );
        // Alice's locale is en_US: weeks start on Sunday (2024-01-28).
        assert_eq!(
            set_of(
                &data,
                "alice",
                "updated >= startOfWeek(-1w) and updated < startOfWeek()"
            ),
            strs(&["DEMO-3", "OPS-1"])
        );
        assert_eq!(
            set_of(&data, "alice", "resolutiondate >= \"-7d\""),
            strs(&["DEMO-3"])
        );
        assert_eq!(set_of(&data, "alice", "resolved is EMPTY").len(), 4);
    }

    #[test]
    fn due_dates_are_dates_at_midnight() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "duedate = \"2024-01-31\""),
            strs(&["OPS-2"])
        );
        assert_eq!(set_of(&data, "alice", "due < now()"), strs(&["OPS-2"]));
        // `+` is reserved in JQL, so a positive increment is quoted or unsigned.
        assert_eq!(
            set_of(&data, "alice", "due <= endOfMonth(\"+1M\")"),
            strs(&["DEMO-1", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "due <= endOfMonth(1M)"),
            strs(&["DEMO-1", "OPS-2"])
        );
        assert!(
            error(&data, "alice", "due <= endOfMonth(+1M)")
                .contains("The character '+' is a reserved JQL character")
        );
        assert_eq!(
            set_of(&data, "alice", "duedate is EMPTY"),
            strs(&["DEMO-2", "DEMO-3", "OPS-1"])
        );
    }

    #[test]
    fn bad_dates_and_functions_get_jiras_messages() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "created > yesterday"),
            "Date value 'yesterday' for field 'created' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
        );
        assert_eq!(
            error(&data, "alice", "created > nextTuesday()"),
            "Unable to find JQL function 'nextTuesday()'."
        );
        assert_eq!(
            error(&data, "alice", "status = currentUser()"),
            "A value provided by the function 'currentUser' is invalid for the field 'status'."
        );
        assert_eq!(
            error(&data, "alice", "assignee = now()"),
            "A value provided by the function 'now' is invalid for the field 'assignee'."
        );
        assert_eq!(
            error(&data, "alice", "created > EMPTY"),
            "The operator '>' does not support searching for EMPTY values on the field 'created'."
        );
    }

    #[test]
    fn operand_shapes_are_checked_against_operators() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "status in Done"),
            "Operator 'in' does not support the non-list value '\"Done\"' for field 'status'."
        );
        assert_eq!(
            error(&data, "alice", "status = (Done, \"To Do\")"),
            "Operator '=' does not support the list value '(\"Done\", \"To Do\")' for field 'status'."
        );
        assert!(
            error(&data, "alice", "status is Done")
                .contains("only supports searching for EMPTY values")
        );
        assert_eq!(
            error(&data, "alice", "status > Done"),
            "The operator '>' is not supported by the 'status' field."
        );
    }

    #[test]
    fn the_spec_examples_of_parse_errors_are_reproduced() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "invalid query"),
            "Error in the JQL Query: Expecting operator but got 'query'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"
        );
        assert_eq!(
            error(&data, "alice", "summary = test"),
            "The operator '=' is not supported by the 'summary' field."
        );
        assert_eq!(
            error(&data, "alice", "summary in test"),
            "Operator 'in' does not support the non-list value '\"test\"' for field 'summary'."
        );
        assert_eq!(
            error(&data, "alice", "project = INVALID"),
            "The value 'INVALID' does not exist for the field 'project'."
        );
        assert_eq!(
            error(&data, "alice", "universe = 42"),
            "Field 'universe' does not exist or you do not have permission to view it."
        );
    }

    #[test]
    fn unknown_fields_use_jiras_message() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "universe = 42"),
            "Field 'universe' does not exist or you do not have permission to view it."
        );
        assert_eq!(
            error(&data, "alice", "cf[99999] = 1"),
            "Field 'cf[99999]' does not exist or you do not have permission to view it."
        );
    }

    #[test]
    fn custom_fields_are_reachable_by_id_bracket_or_name() {
        let data = site();
        assert_eq!(
            set_of(&data, "alice", "\"Story Points\" > 4"),
            strs(&["DEMO-1", "OPS-2"])
        );
        assert_eq!(set_of(&data, "alice", "cf[10030] = 3"), strs(&["DEMO-2"]));
        assert_eq!(
            set_of(&data, "alice", "customfield_10030 in (3, 5)"),
            strs(&["DEMO-2", "OPS-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "cf[10030] is EMPTY"),
            strs(&["DEMO-3", "OPS-1"])
        );
        assert_eq!(set_of(&data, "alice", "Team = beta"), strs(&["DEMO-2"]));
        assert_eq!(
            set_of(&data, "alice", "Team in (10100, Beta)"),
            strs(&["DEMO-1", "DEMO-2"])
        );
        assert_eq!(set_of(&data, "alice", "Team != Alpha"), strs(&["DEMO-2"]));
        assert_eq!(
            set_of(&data, "alice", "\"Target Date\" < \"2024-04-01\""),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            set_of(&data, "alice", "Reviewer = currentUser()"),
            strs(&["DEMO-2"])
        );
        assert_eq!(
            error(&data, "alice", "Team = Gamma"),
            "The option 'Gamma' for field 'Team' does not exist."
        );
        assert_eq!(
            error(&data, "alice", "cf[10030] > lots"),
            "Value 'lots' for the 'cf[10030]' field is not a valid number."
        );
    }

    #[test]
    fn not_and_or_follow_precedence_and_parentheses() {
        let data = site();
        assert_eq!(
            set_of(
                &data,
                "alice",
                "project = DEMO AND NOT (status = Done OR priority = Highest)"
            ),
            strs(&["DEMO-1"])
        );
        assert_eq!(
            set_of(
                &data,
                "alice",
                "project = OPS OR project = DEMO AND status = Done"
            ),
            strs(&["DEMO-3", "OPS-1", "OPS-2"])
        );
        assert_eq!(
            set_of(
                &data,
                "alice",
                "(project = OPS OR project = DEMO) AND status = Done"
            ),
            strs(&["DEMO-3"])
        );
        assert_eq!(
            set_of(
                &data,
                "alice",
                "project = DEMO && !(status = Done) || key = OPS-1"
            ),
            strs(&["DEMO-1", "DEMO-2", "OPS-1"])
        );
    }

    #[test]
    fn results_default_to_newest_id_first() {
        let data = site();
        assert_eq!(
            keys(&data, "alice", "project in (DEMO, OPS)"),
            Ok(strs(&["OPS-2", "OPS-1", "DEMO-3", "DEMO-2", "DEMO-1"]))
        );
    }

    #[test]
    fn order_by_sorts_stably_with_field_defaults() {
        let data = site();
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY key DESC"),
            Ok(strs(&["DEMO-3", "DEMO-2", "DEMO-1"]))
        );
        assert_eq!(
            keys(&data, "alice", "project in (DEMO, OPS) ORDER BY key"),
            Ok(strs(&["DEMO-1", "DEMO-2", "DEMO-3", "OPS-1", "OPS-2"]))
        );
        // Priority defaults to highest first.
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY priority"),
            Ok(strs(&["DEMO-2", "DEMO-1", "DEMO-3"]))
        );
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY priority ASC"),
            Ok(strs(&["DEMO-3", "DEMO-1", "DEMO-2"]))
        );
        // Empty due dates sort last ascending, first descending.
        assert_eq!(
            keys(
                &data,
                "alice",
                "project in (DEMO, OPS) ORDER BY duedate ASC, key ASC"
            ),
            Ok(strs(&["OPS-2", "DEMO-1", "DEMO-2", "DEMO-3", "OPS-1"]))
        );
        assert_eq!(
            keys(
                &data,
                "alice",
                "project in (DEMO, OPS) ORDER BY duedate DESC, key ASC"
            ),
            Ok(strs(&["DEMO-2", "DEMO-3", "OPS-1", "DEMO-1", "OPS-2"]))
        );
        assert_eq!(
            keys(
                &data,
                "alice",
                "project = DEMO ORDER BY assignee ASC, created DESC"
            ),
            Ok(strs(&["DEMO-1", "DEMO-2", "DEMO-3"]))
        );
        assert_eq!(
            keys(&data, "alice", "project in (DEMO, OPS) ORDER BY created"),
            Ok(strs(&["OPS-2", "OPS-1", "DEMO-3", "DEMO-2", "DEMO-1"]))
        );
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY status, summary"),
            Ok(strs(&["DEMO-1", "DEMO-2", "DEMO-3"]))
        );
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY \"Story Points\""),
            Ok(strs(&["DEMO-2", "DEMO-1", "DEMO-3"]))
        );
        assert_eq!(
            keys(&data, "alice", "project = DEMO ORDER BY Team DESC"),
            Ok(strs(&["DEMO-3", "DEMO-2", "DEMO-1"]))
        );
    }

    #[test]
    fn bad_order_by_fields_get_jiras_messages() {
        let data = site();
        assert_eq!(
            error(&data, "alice", "project = DEMO ORDER BY description"),
            "Field 'description' does not support sorting."
        );
        assert_eq!(
            error(&data, "alice", "project = DEMO ORDER BY bogus"),
            "Not able to sort using field 'bogus'."
        );
        assert_eq!(
            error(&data, "alice", "project = DEMO ORDER BY key, key"),
            "The sort field 'key' is referenced multiple times in the JQL sort."
        );
        assert_eq!(
            error(&data, "alice", "project = DEMO ORDER BY key, issuekey"),
            "The sort field 'issuekey' is referenced multiple times in the JQL sort. Field 'issuekey' is an alias for field 'key'."
        );
        assert_eq!(
            error(
                &data,
                "alice",
                "project = DEMO ORDER BY key, created, updated, priority, status, assignee, summary, issuetype"
            ),
            "The ORDER BY clause can contain a maximum of 7 fields."
        );
    }

    #[test]
    fn compiled_queries_match_single_issues_for_webhook_filters() {
        let data = site();
        let alice = fixture::viewer(&data, "alice");
        let query = parse("project = DEMO AND status != Done").expect("valid");
        let compiled = compile(&query, &data, &alice, fixture::now()).expect("compiles");
        let matching: Vec<u64> = data
            .issues
            .values()
            .filter(|i| compiled.matches(i, &data))
            .map(|i| i.id)
            .collect();
        assert_eq!(matching, vec![10001, 10002]);
        let everything = compile(
            &parse("order by key").expect("valid"),
            &data,
            &alice,
            fixture::now(),
        )
        .expect("compiles");
        assert!(data.issues.values().all(|i| everything.matches(i, &data)));
        let mut ids = vec![10001, 10005, 10003];
        everything.sort(&mut ids, &data);
        assert_eq!(ids, vec![10001, 10003, 10005]);
    }

    #[test]
    fn twenty_thousand_issues_are_searched_and_sorted() {
        let mut data = site();
        let template = data.issues.get(&10002).cloned().expect("fixture issue");
        for n in 0..20_000u64 {
            let mut issue = template.clone();
            issue.id = 20_000 + n;
            issue.project = if n % 2 == 0 {
                "DEMO".into()
            } else {
                "OPS".into()
            };
            issue.number = 100 + n;
            issue.key = format!("{}-{}", issue.project, issue.number);
            issue.summary = format!("Generated issue {n} about login number {}", n % 97);
            issue.assignee = if n % 3 == 0 {
                None
            } else {
                Some("alice".into())
            };
            issue.priority = Some(((n % 5) + 1).to_string());
            issue.created = fixture::at(2023, 1, 1, 0)
                + chrono::Duration::minutes(i64::try_from(n).unwrap_or(0));
            data.keys.insert(issue.key.clone(), issue.id);
            data.issues.insert(issue.id, issue);
        }
        let alice = fixture::viewer(&data, "alice");
        let found = search(
            &data,
            &alice,
            fixture::now(),
            "project = DEMO AND assignee != bob AND priority > Medium AND text ~ \"login 42\" ORDER BY created DESC, key",
        )
        .expect("search succeeds");
        assert!(!found.is_empty());
        assert!(found.windows(2).all(|w| {
            let (a, b) = (&data.issues[&w[0]], &data.issues[&w[1]]);
            a.created >= b.created
        }));
        let all = search(
            &data,
            &alice,
            fixture::now(),
            "created > \"2000-01-01\" order by summary",
        )
        .expect("search succeeds");
        assert_eq!(all.len(), 20_005);
    }

    #[test]
    fn random_inputs_never_panic() {
        let data = site();
        let alice = fixture::viewer(&data, "alice");
        let pieces: Vec<&str> = concat!(
            "project¦status¦key¦labels¦summary¦text¦created¦due¦cf[10030]¦\"Team\"¦priority¦",
            "assignee¦=¦!=¦~¦!~¦<¦>=¦in¦not¦is¦empty¦null¦and¦or¦(¦)¦,¦\"¦'¦\\¦DEMO¦DEMO-1¦",
            "-1d¦2024-01-01¦\"2024/01/31 10:00\"¦currentUser()¦startOfDay(-1d)¦now(¦order¦by¦",
            "asc¦desc¦ล็อกอิน¦日本¦😀¦99999999999999999999¦*¦@¦[¦]¦&&¦||¦!¦\u{0}¦\n¦\"a\\u00e9\"",
        )
        .split('¦')
        .collect();
        let chars: Vec<char> = "abc =!<>~()[],\"'\\*@&|-019 \n\tกあЖ😀\u{0}\u{FFFF}"
            .chars()
            .collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for round in 0..4_000 {
            let jql = if round % 2 == 0 {
                let len = rng.usize(0..12);
                let words: Vec<&str> = (0..len)
                    .map(|_| pieces[rng.usize(0..pieces.len())])
                    .collect();
                words.join(if rng.bool() { " " } else { "" })
            } else {
                (0..rng.usize(0..24))
                    .map(|_| chars[rng.usize(0..chars.len())])
                    .collect()
            };
            if let Ok(query) = parse(&jql) {
                let _ = structure(&query);
            }
            let _ = search(&data, &alice, fixture::now(), &jql);
            let _ = suggestions(&data, &alice, &jql, &jql);
        }
    }

    #[test]
    fn autocomplete_data_lists_fields_functions_and_reserved_words() {
        let data = site();
        let body = autocomplete_data(&data);
        let fields = body["visibleFieldNames"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let find = |value: &str| fields.iter().find(|f| f["value"] == value).cloned();
        let status = find("status").expect("status listed");
        assert_eq!(status["orderable"], "true");
        assert_eq!(status["searchable"], "true");
        assert_eq!(status["auto"], "true");
        assert_eq!(
            status["types"],
            serde_json::json!(["com.atlassian.jira.issue.status.Status"])
        );
        assert!(
            status["operators"]
                .as_array()
                .is_some_and(|o| o.contains(&serde_json::json!("not in")))
        );
        assert_eq!(find("description").expect("listed")["orderable"], "false");
        assert!(find("issuekey").is_some() && find("type").is_some());
        let points = find("\"Story Points\"").expect("custom field listed");
        assert_eq!(points["cfid"], "cf[10030]");
        assert_eq!(points["displayName"], "Story Points - cf[10030]");
        let functions = body["visibleFunctionNames"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(functions.iter().any(|f| f["value"] == "currentUser()"));
        assert!(functions.iter().any(|f| f["value"] == "startOfDay()"));
        let words = body["jqlReservedWords"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            words.contains(&serde_json::json!("empty"))
                && words.contains(&serde_json::json!("distinct"))
        );
    }

    #[test]
    fn suggestions_highlight_matches_and_hide_what_the_viewer_cannot_see() {
        let data = site();
        let alice = fixture::viewer(&data, "alice");
        let ada = fixture::viewer(&data, "ada");
        let projects = suggestions(&data, &alice, "project", "");
        assert_eq!(projects["results"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            suggestions(&data, &alice, "project", "sec")["results"],
            serde_json::json!([])
        );
        assert_eq!(
            suggestions(&data, &ada, "project", "sec")["results"],
            serde_json::json!([{"value": "Security", "displayName": "<b>Sec</b>urity (SEC)"}])
        );
        assert_eq!(
            suggestions(&data, &alice, "status", "prog")["results"],
            serde_json::json!([{"value": "In Progress", "displayName": "In <b>Prog</b>ress"}])
        );
        assert_eq!(
            suggestions(&data, &alice, "statusCategory", "do")["results"],
            serde_json::json!([
                {"value": "To Do", "displayName": "To <b>Do</b>"},
                {"value": "Done", "displayName": "<b>Do</b>ne"}
            ])
        );
        let labels = suggestions(&data, &alice, "labels", "end");
        assert_eq!(
            labels["results"],
            serde_json::json!([
                {"value": "Backend", "displayName": "Back<b>end</b>"},
                {"value": "backend", "displayName": "back<b>end</b>"},
                {"value": "frontend", "displayName": "front<b>end</b>"}
            ])
        );
        assert_eq!(
            suggestions(&data, &alice, "labels", "secur")["results"],
            serde_json::json!([])
        );
        assert_eq!(
            suggestions(&data, &alice, "assignee", "ИВАН")["results"],
            serde_json::json!([{"value": "sergey", "displayName": "Сергей <b>Иван</b>ов"}])
        );
        assert_eq!(
            suggestions(&data, &alice, "reporter", "bob@")["results"],
            serde_json::json!([{"value": "bob", "displayName": "Bob Jones"}])
        );
        assert_eq!(
            suggestions(&data, &alice, "cf[10040]", "a")["results"],
            serde_json::json!([{"value": "Alpha", "displayName": "<b>A</b>lpha"}, {"value": "Beta", "displayName": "Bet<b>a</b>"}])
        );
        assert_eq!(
            suggestions(&data, &alice, "Team", "")["results"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert_eq!(
            suggestions(&data, &alice, "priority", "high")["results"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert_eq!(
            suggestions(&data, &alice, "resolution", "won")["results"][0]["displayName"],
            "<b>Won</b>&#39;t Do"
        );
        assert_eq!(
            suggestions(&data, &alice, "nonsense", "x"),
            serde_json::json!({"results": []})
        );
        assert_eq!(
            suggestions(&data, &alice, "summary", "x"),
            serde_json::json!({"results": []})
        );
    }
}
