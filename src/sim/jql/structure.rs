//! The `structure` of `POST /rest/api/3/jql/parse`: a parsed query in the spec's `JqlQuery`
//! shape (`where` / `orderBy`, compound clauses, field-value clauses and their operands).

use serde_json::{Map, Value, json};

use super::ast::{Clause, Field, Operand, OrderBy, Query};

/// The query as `components.schemas.JqlQuery`: `{"where": JqlQueryClause, "orderBy":
/// {"fields": [...]}}`, each key present only when the query has that part. Chains such as
/// `a AND b AND c` become one compound clause; `NOT x` is a compound clause with operator
/// `not` and one clause. Nested lists are flattened, since the spec's list items cannot be
/// lists.
pub fn structure(query: &Query) -> Value {
    let mut out = Map::new();
    if let Some(clause) = &query.clause {
        out.insert("where".to_owned(), clause_json(clause));
    }
    if !query.order_by.is_empty() {
        let fields: Vec<Value> = query.order_by.iter().map(order_json).collect();
        out.insert("orderBy".to_owned(), json!({ "fields": fields }));
    }
    Value::Object(out)
}

fn clause_json(clause: &Clause) -> Value {
    let compound =
        |operator: &str, clauses: Vec<Value>| json!({ "clauses": clauses, "operator": operator });
    match clause {
        Clause::And(items) => compound("and", items.iter().map(clause_json).collect()),
        Clause::Or(items) => compound("or", items.iter().map(clause_json).collect()),
        Clause::Not(inner) => compound("not", vec![clause_json(inner)]),
        Clause::Terminal(t) => json!({
            "field": field_json(&t.field),
            "operator": t.operator.as_str(),
            "operand": operand_json(&t.operand),
        }),
    }
}

fn field_json(field: &Field) -> Value {
    json!({ "name": field.name, "encodedName": field.encoded() })
}

fn operand_json(operand: &Operand) -> Value {
    match operand {
        Operand::List(_) => {
            let mut items = Vec::new();
            flatten(operand, &mut items);
            let values: Vec<Value> = items.into_iter().map(operand_json).collect();
            json!({ "values": values, "encodedOperand": operand.encoded() })
        }
        Operand::Empty => json!({ "keyword": "empty" }),
        Operand::Value { text, .. } => json!({ "value": text, "encodedValue": operand.encoded() }),
        Operand::Function { name, args } => json!({
            "function": name,
            "arguments": args,
            "encodedOperand": operand.encoded(),
        }),
    }
}

fn flatten<'o>(operand: &'o Operand, out: &mut Vec<&'o Operand>) {
    match operand {
        Operand::List(items) => items.iter().for_each(|item| flatten(item, out)),
        other => out.push(other),
    }
}

fn order_json(entry: &OrderBy) -> Value {
    let mut out = Map::new();
    out.insert("field".to_owned(), field_json(&entry.field));
    if let Some(direction) = entry.direction {
        out.insert("direction".to_owned(), Value::from(direction.as_str()));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::jql::parse;

    fn structure_of(jql: &str) -> Value {
        structure(&parse(jql).expect("valid JQL"))
    }

    #[test]
    fn the_spec_example_has_the_spec_shape() {
        let s = structure_of(
            "summary ~ test AND (labels in (urgent, blocker) OR assignee = currentUser()) ORDER BY updated DESC",
        );
        assert_eq!(
            s,
            json!({
                "where": {
                    "operator": "and",
                    "clauses": [
                        {
                            "field": {"name": "summary", "encodedName": "summary"},
                            "operator": "~",
                            "operand": {"value": "test", "encodedValue": "test"}
                        },
                        {
                            "operator": "or",
                            "clauses": [
                                {
                                    "field": {"name": "labels", "encodedName": "labels"},
                                    "operator": "in",
                                    "operand": {
                                        "encodedOperand": "(urgent, blocker)",
                                        "values": [
                                            {"value": "urgent", "encodedValue": "urgent"},
                                            {"value": "blocker", "encodedValue": "blocker"}
                                        ]
                                    }
                                },
                                {
                                    "field": {"name": "assignee", "encodedName": "assignee"},
                                    "operator": "=",
                                    "operand": {"function": "currentUser", "arguments": [], "encodedOperand": "currentUser()"}
                                }
                            ]
                        }
                    ]
                },
                "orderBy": {"fields": [{"field": {"name": "updated", "encodedName": "updated"}, "direction": "desc"}]}
            })
        );
    }

    #[test]
    fn quoted_values_and_fields_are_re_encoded() {
        let s = structure_of(r#""Story Points" in ("Service requests", Incidents, EMPTY)"#);
        assert_eq!(
            s["where"]["field"],
            json!({"name": "Story Points", "encodedName": "\"Story Points\""})
        );
        assert_eq!(
            s["where"]["operand"]["encodedOperand"],
            json!("(\"Service requests\", Incidents, EMPTY)")
        );
        assert_eq!(
            s["where"]["operand"]["values"][0]["encodedValue"],
            json!("\"Service requests\"")
        );
        assert_eq!(
            s["where"]["operand"]["values"][2],
            json!({"keyword": "empty"})
        );
    }

    #[test]
    fn not_is_a_compound_clause_and_unbounded_queries_have_no_where() {
        let s = structure_of("NOT status = Done");
        assert_eq!(s["where"]["operator"], json!("not"));
        assert_eq!(s["where"]["clauses"].as_array().map(Vec::len), Some(1));
        let s = structure_of("order by key");
        assert_eq!(
            s,
            json!({"orderBy": {"fields": [{"field": {"name": "key", "encodedName": "key"}}]}})
        );
        assert_eq!(structure_of(""), json!({}));
    }

    #[test]
    fn custom_field_references_keep_their_bracket_form() {
        let s = structure_of("cf[10030] >= 3 and due <= startOfDay(-1d)");
        assert_eq!(
            s["where"]["clauses"][0]["field"],
            json!({"name": "cf[10030]", "encodedName": "cf[10030]"})
        );
        assert_eq!(
            s["where"]["clauses"][1]["operand"],
            json!({"function": "startOfDay", "arguments": ["-1d"], "encodedOperand": "startOfDay(-1d)"})
        );
    }
}
