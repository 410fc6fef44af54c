//! Immediate resolution: fields whose value is already in memory are read in one synchronous
//! walk over the selection set, instead of through async-graphql's per-field machinery (a
//! boxed future, a `FuturesUnordered` task and a registry lookup per field).
//!
//! A board of 50 cards selects about 2,500 fields, nearly all of them plain reads of the
//! search answer (key, status name, assignee, the embedded transitions and comments). Resolved
//! the standard way they cost about a third of the gateway's CPU per board.
//!
//! The rules, so the answer is the one the standard path would give:
//! - A type takes part by implementing [`Immediate`]; a field it does not answer (`None`) is
//!   resolved by the type's `#[Object]` resolver, the standard way. Everything that loads from
//!   Jira, checks an argument that may be wrong or may fail answers `None`.
//! - Nested objects are all or nothing: when one field inside cannot be read at once, the
//!   whole enclosing field takes the standard path.
//! - Fragments apply when their type condition names the type; a fragment on any other type,
//!   or a directive other than `@skip`/`@include` (which async-graphql removes before
//!   execution), sends the whole object to the standard path.
//! - Fields with the same response key merge as async-graphql merges them; keys keep the
//!   order of the selection. async-graphql merges into whichever value finished first, so
//!   when a response key names more than one field and one of them takes the standard path
//!   (and may wait on a load), the whole object takes the standard path.
//! - Errors of standard-path fields are recorded as each field finishes, as async-graphql
//!   records them, so `errors` comes in the same order (an error inside a field that loaded
//!   after one that did not).
//! - The schema installs no extensions, so there are no per-field hooks to skip (see
//!   [`super::build_schema_with`]).
//!
//! `GRAPHQL_FAST_PATH=false` turns this off; the tests compare both ways answer for answer.

use std::future::Future;
use std::pin::Pin;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{Context, ContextSelectionSet, Name, Positioned, ServerResult, Value};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

/// A GraphQL object type some of whose fields can be read at once.
pub(crate) trait Immediate: Sync {
    /// The GraphQL type name, for `__typename` and fragment conditions.
    const TYPE: &'static str;

    /// The value of the field `ctx` is on, when it is already in memory and reading it cannot
    /// fail; `None` sends the field to the standard path.
    fn field(&self, ctx: &Context<'_>) -> Option<Value>;
}

/// Makes `$outer` a GraphQL object resolved on the immediate path, with `$object` (a
/// `#[Object(name = …)]` over `&$outer` that derefs to it) as its standard resolvers and
/// schema entry. `$object` implements [`Immediate`].
macro_rules! immediate_object {
    ($outer:ty => $object:ident) => {
        impl std::ops::Deref for $object<'_> {
            type Target = $outer;

            fn deref(&self) -> &$outer {
                self.0
            }
        }

        impl async_graphql::OutputType for $outer {
            fn type_name() -> std::borrow::Cow<'static, str> {
                <$object<'static> as async_graphql::OutputType>::type_name()
            }

            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <$object<'static> as async_graphql::OutputType>::create_type_info(registry)
            }

            async fn resolve(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
                _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> async_graphql::ServerResult<async_graphql::Value> {
                $crate::graphql::immediate::resolve(ctx, &$object(self)).await
            }
        }
    };
}
pub(crate) use immediate_object;

/// Whether the immediate path is on for this request (`GRAPHQL_FAST_PATH`, default on).
#[derive(Debug, Clone, Copy)]
pub struct FastPath(pub bool);

fn enabled(ctx: &ContextSelectionSet<'_>) -> bool {
    ctx.data_opt::<FastPath>().is_none_or(|fast| fast.0)
}

type Pending<'a> = Pin<Box<dyn Future<Output = (usize, ServerResult<Value>)> + Send + 'a>>;

/// Resolves `root` over the selection set of `ctx`: fields it reads at once immediately, the
/// rest through its `#[Object]` resolvers, concurrently (so their loads still batch).
pub(crate) async fn resolve<T>(ctx: &ContextSelectionSet<'_>, root: &T) -> ServerResult<Value>
where
    T: Immediate + ContainerType,
{
    let mut fields = Vec::new();
    if !enabled(ctx) || !collect(ctx, &ctx.item.node, T::TYPE, &mut fields) {
        return resolve_container(ctx, root).await;
    }
    let mut slots: Vec<(Name, Option<Value>)> = Vec::with_capacity(fields.len());
    let mut pending = Vec::new();
    for &field in &fields {
        let key = field.node.response_key().node.clone();
        let value = if field.node.name.node == "__typename" {
            Some(Value::String(T::TYPE.to_string()))
        } else {
            root.field(&ctx.with_field(field))
        };
        if value.is_none() {
            let slot = slots.len();
            // Boxed (type-erased) as async-graphql boxes field futures: a resolver may return
            // the type being resolved (an issue's parent), and an unboxed future would contain
            // itself.
            let future: Pending<'_> = Box::pin(async move {
                let ctx_field = ctx.with_field(field);
                let value = root.resolve_field(&ctx_field).await;
                (slot, value.map(Option::unwrap_or_default))
            });
            pending.push(future);
        }
        slots.push((key, value));
    }
    if !pending.is_empty() {
        if merges_pending(&slots) {
            // Nothing has run yet: the unpolled futures are dropped unstarted.
            drop(pending);
            return resolve_container(ctx, root).await;
        }
        // As async-graphql's `FuturesUnordered`: an error is recorded when its field finishes.
        let mut running: FuturesUnordered<Pending<'_>> = pending.into_iter().collect();
        while let Some((slot, value)) = running.next().await {
            match value {
                Ok(value) => slots[slot].1 = Some(value),
                Err(err) => ctx.add_error(err),
            }
        }
    }
    let mut map = IndexMap::with_capacity(slots.len());
    for (key, value) in slots {
        if let Some(value) = value {
            insert_value(&mut map, key, value);
        }
    }
    Ok(object_or_null(map))
}

/// Whether a field left to the standard path shares its response key with another field.
/// async-graphql merges such fields in the order they finish, which only its own resolution
/// reproduces (`x: comments(first: 30)` that loads and `... on Issue { x: comments(first: 2) }`
/// merge into the two-comment page).
fn merges_pending(slots: &[(Name, Option<Value>)]) -> bool {
    slots.iter().enumerate().any(|(i, (key, value))| {
        value.is_none()
            && slots
                .iter()
                .enumerate()
                .any(|(j, (other, _))| i != j && other == key)
    })
}

/// The object `value` over the sub-selection of the field `ctx` is on, when every field it
/// selects can be read at once.
pub(crate) fn object<T: Immediate>(ctx: &Context<'_>, value: &T) -> Option<Value> {
    let set = &ctx.item.node.selection_set;
    let ctx = ctx.with_selection_set(set);
    let mut fields = Vec::new();
    if !collect(&ctx, &set.node, T::TYPE, &mut fields) {
        return None;
    }
    let mut map = IndexMap::with_capacity(fields.len());
    for field in fields {
        let key = field.node.response_key().node.clone();
        let value = if field.node.name.node == "__typename" {
            Value::String(T::TYPE.to_string())
        } else {
            value.field(&ctx.with_field(field))?
        };
        insert_value(&mut map, key, value);
    }
    Some(object_or_null(map))
}

/// [`object`] for an optional value: `null` when absent.
pub(crate) fn optional<T: Immediate>(ctx: &Context<'_>, value: Option<&T>) -> Option<Value> {
    match value {
        Some(value) => object(ctx, value),
        None => Some(Value::Null),
    }
}

/// A list of objects, when every one can be read at once.
pub(crate) fn list<'v, T: Immediate + 'v>(
    ctx: &Context<'_>,
    items: impl IntoIterator<Item = &'v T>,
) -> Option<Value> {
    items
        .into_iter()
        .map(|item| object(ctx, item))
        .collect::<Option<Vec<_>>>()
        .map(Value::List)
}

/// A string field.
pub(crate) fn text(value: &str) -> Value {
    Value::String(value.to_owned())
}

/// A nullable string field.
pub(crate) fn opt_text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, text)
}

/// A scalar field of any async-graphql scalar type (dates, ids, JSON).
pub(crate) fn scalar<S: async_graphql::ScalarType>(value: Option<&S>) -> Value {
    value.map_or(Value::Null, S::to_value)
}

/// The fields of `set` that apply to `type_name`, fragments expanded, in order; `false` when
/// the set uses something only the standard path handles.
fn collect<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    type_name: &str,
    out: &mut Vec<&'a Positioned<Field>>,
) -> bool {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                if !field.node.directives.is_empty() {
                    return false;
                }
                out.push(field);
            }
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                if !spread.node.directives.is_empty()
                    || !fragment.node.directives.is_empty()
                    || fragment.node.type_condition.node.on.node != type_name
                    || !collect(ctx, &fragment.node.selection_set.node, type_name, out)
                {
                    return false;
                }
            }
            Selection::InlineFragment(inline) => {
                let applies = inline
                    .node
                    .type_condition
                    .as_ref()
                    .is_none_or(|c| c.node.on.node == type_name);
                if !inline.node.directives.is_empty()
                    || !applies
                    || !collect(ctx, &inline.node.selection_set.node, type_name, out)
                {
                    return false;
                }
            }
        }
    }
    true
}

/// As async-graphql answers an object none of whose fields produced a value.
fn object_or_null(map: IndexMap<Name, Value>) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// Adds a field to an object, merging it into an earlier field with the same response key as
/// async-graphql does (objects field by field, lists of objects item by item).
fn insert_value(target: &mut IndexMap<Name, Value>, name: Name, value: Value) {
    // One hash of the key (a board inserts some 2,500).
    let previous = match target.entry(name) {
        Entry::Vacant(vacant) => {
            vacant.insert(value);
            return;
        }
        Entry::Occupied(occupied) => occupied.into_mut(),
    };
    match (previous, value) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                insert_value(into, key, value);
            }
        }
        (Value::List(into), Value::List(from)) => {
            for (item, value) in into.iter_mut().zip(from) {
                if let (Value::Object(into), Value::Object(from)) = (item, value) {
                    for (key, value) in from {
                        insert_value(into, key, value);
                    }
                }
            }
        }
        _ => {}
    }
}
