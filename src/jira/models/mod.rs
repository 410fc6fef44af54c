//! Serde DTOs that mirror Jira Cloud REST v3 JSON. No GraphQL derives here.
//!
//! Every type is tolerant of what Jira omits or nulls: absent or `null` values become `None`
//! or the type's default, unknown fields are ignored, and numeric ids are accepted where the
//! spec says string (Jira's own examples mix them). Response types also implement
//! `Serialize` so a shared cache can store them as JSON and read them back unchanged.

/// Visitor methods that read any scalar (or `null`) as the given "nothing" value. Defined
/// before the modules so they can use it.
macro_rules! forward_to_none {
    ($none:expr) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

mod issue;
mod search;
mod site;
mod write;

pub use issue::*;
pub use search::*;
pub use site::*;
pub use write::*;

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

/// A JSON object, as used for Jira's open-ended maps (`renderedFields`, `names`, custom fields).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// Parses a Jira timestamp (`2024-01-15T10:30:00.000+0000`, or RFC 3339).
///
/// Returns `None` for anything else, including date-only values such as `duedate`
/// (use [`parse_jira_date`] for those).
pub fn parse_jira_time(value: &str) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(value))
        .ok()
}

/// Parses a Jira date (`2024-01-15`), as used by `duedate`.
pub fn parse_jira_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// A JSON value kept as the text Jira sent and parsed on first use.
///
/// For comment bodies: a search answer embeds up to 20 comments per issue, each with an ADF
/// tree, and most of them are never shown; building every tree was the largest single cost of
/// decoding a board. Text that is not valid JSON cannot occur (it was read as JSON).
pub struct LazyJson {
    raw: Box<RawValue>,
    parsed: OnceLock<Value>,
}

impl LazyJson {
    /// The parsed value (parsed now if it was not yet).
    pub fn value(&self) -> &Value {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).unwrap_or(Value::Null))
    }

    /// The parsed value, owned.
    pub fn into_value(self) -> Value {
        match self.parsed.into_inner() {
            Some(value) => value,
            None => serde_json::from_str(self.raw.get()).unwrap_or(Value::Null),
        }
    }

    /// The JSON text as Jira sent it.
    pub fn raw(&self) -> &str {
        self.raw.get()
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.raw.get().trim() == "null"
    }
}

impl From<Value> for LazyJson {
    fn from(value: Value) -> Self {
        let raw =
            serde_json::value::to_raw_value(&value).unwrap_or_else(|_| RawValue::NULL.to_owned());
        LazyJson {
            raw,
            parsed: OnceLock::from(value),
        }
    }
}

impl Clone for LazyJson {
    fn clone(&self) -> Self {
        LazyJson {
            raw: self.raw.clone(),
            parsed: self.parsed.clone(),
        }
    }
}

impl PartialEq for LazyJson {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get() || self.value() == other.value()
    }
}

impl std::fmt::Debug for LazyJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.raw.get())
    }
}

impl Serialize for LazyJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LazyJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(LazyJson {
            raw: Box::<RawValue>::deserialize(deserializer)?,
            parsed: OnceLock::new(),
        })
    }
}

/// Avatar URLs by size, as Jira sends them for users and projects. Any JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AvatarUrls {
    /// 16×16 avatar.
    #[serde(
        rename = "16x16",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub x16: Option<String>,
    /// 24×24 avatar.
    #[serde(
        rename = "24x24",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub x24: Option<String>,
    /// 32×32 avatar.
    #[serde(
        rename = "32x32",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub x32: Option<String>,
    /// 48×48 avatar.
    #[serde(
        rename = "48x48",
        default,
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub x48: Option<String>,
}

/// A Jira user (`User` / `UserDetails`). `email_address` is often hidden by privacy settings.
///
/// Every field reads leniently, so any JSON object decodes (see [`de::lenient_object`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    /// The account id, the only stable user identifier in Jira Cloud.
    #[serde(deserialize_with = "de::string")]
    pub account_id: String,
    /// `atlassian`, `app` or `customer`.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_type: Option<String>,
    /// Whether the account is active.
    #[serde(
        deserialize_with = "de::lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub active: Option<bool>,
    /// The display name.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// The email address, when the user's privacy settings allow it. Never log it.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub email_address: Option<String>,
    /// Avatar URLs.
    #[serde(
        deserialize_with = "de::lenient_object",
        skip_serializing_if = "Option::is_none"
    )]
    pub avatar_urls: Option<AvatarUrls>,
    /// IANA time zone, e.g. `Europe/Moscow`.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub time_zone: Option<String>,
    /// Locale, e.g. `th_TH`.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub locale: Option<String>,
    /// The REST URL of the user.
    #[serde(
        rename = "self",
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub self_url: Option<String>,
}

/// An offset-paged list (`PageBean*`): `{startAt, maxResults, total, isLast, nextPage, values}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>"))]
pub struct PageBean<T> {
    /// Index of the first item.
    #[serde(default, deserialize_with = "de::nullable")]
    pub start_at: i64,
    /// Page size Jira applied.
    #[serde(default, deserialize_with = "de::nullable")]
    pub max_results: i64,
    /// Total number of items, when Jira knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// Whether this is the last page, when Jira says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_last: Option<bool>,
    /// URL of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
    /// The items.
    #[serde(default = "Vec::new", deserialize_with = "de::nullable_vec")]
    pub values: Vec<T>,
}

impl<T> PageBean<T> {
    /// Whether no further page exists: `isLast`, else `total`, else an empty or short page.
    pub fn is_last_page(&self) -> bool {
        if let Some(last) = self.is_last {
            return last;
        }
        let seen = self
            .start_at
            .saturating_add(i64::try_from(self.values.len()).unwrap_or(i64::MAX));
        match self.total {
            Some(total) => seen >= total,
            None => self.values.is_empty() || seen < self.start_at.saturating_add(self.max_results),
        }
    }
}

/// Deserialisation helpers that turn Jira's omissions and type drift into defaults.
pub(crate) mod de {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::fmt;
    use std::sync::Arc;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer};
    use serde_json::value::RawValue;

    use super::{IssueTransition, User};

    /// `null` → `T::default()`.
    pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }

    /// `null` → empty list (a plain `default` only covers absence).
    pub(crate) fn nullable_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }

    /// A string, number or bool as a string; `null` → `""`. For ids Jira sends either way.
    pub(crate) fn string<'de, D>(d: D) -> Result<String, D::Error>
    where
        D: Deserializer<'de>,
    {
        Ok(opt_string(d)?.unwrap_or_default())
    }

    /// Like [`string`] but keeps absence as `None`; an object or a list also reads as `None`.
    pub(crate) fn opt_string<'de, D>(d: D) -> Result<Option<String>, D::Error>
    where
        D: Deserializer<'de>,
    {
        d.deserialize_any(Scalar)
    }

    /// Reads a scalar as text without building a `serde_json::Value` first (ids and times are
    /// on every issue, comment and user, so this is on the hot path of every answer).
    struct Scalar;

    impl<'de> Visitor<'de> for Scalar {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or a boolean")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Formatted as serde_json formats numbers, so `1.5` stays `1.5`.
            Ok(serde_json::Number::from_f64(v).map(|n| n.to_string()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }

    /// Any value that does not fit `T` becomes `None` instead of failing the whole document.
    ///
    /// Used for the typed system fields of an issue, which site configuration can reshape.
    /// The value is first taken as raw JSON text (a copy of its bytes, no tree), then parsed
    /// as `T`; only serde_json's deserializers (bytes, text, `Value`) can do that, and they are
    /// the only ones the models are read with.
    pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        let raw = Box::<RawValue>::deserialize(d)?;
        Ok(lenient_raw(&raw))
    }

    /// Like [`lenient`], for types whose every field reads leniently (so any JSON object
    /// decodes): an object is read in place, without buffering it first; anything else is
    /// `None`. Users (on every issue and comment) are read this way.
    pub(crate) fn lenient_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        d.deserialize_any(ObjectOrNone(std::marker::PhantomData))
    }

    struct ObjectOrNone<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrNone<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        forward_to_none!(None);
    }

    /// A value read with [`lenient_object`], for hand-written visitors.
    pub(crate) struct LenientObject<T>(pub(crate) Option<T>);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for LenientObject<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            lenient_object(d).map(LenientObject)
        }
    }

    /// A list of objects read with [`lenient_object`] in one pass: an element that is not an
    /// object is skipped; a value that is not a list is `None`.
    pub(crate) fn lenient_objects<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        d.deserialize_any(ObjectsOrNone(std::marker::PhantomData))
    }

    /// The objects of a list, as [`lenient_objects`] reads them.
    pub(crate) fn objects_from_seq<'de, A, T>(mut seq: A) -> Result<Vec<T>, A::Error>
    where
        A: SeqAccess<'de>,
        T: Deserialize<'de>,
    {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(LenientObject(item)) = seq.next_element()? {
            items.extend(item);
        }
        Ok(items)
    }

    struct ObjectsOrNone<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectsOrNone<T> {
        type Value = Option<Vec<T>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            objects_from_seq(seq).map(Some)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        forward_to_none!(None);
    }

    /// `T` from raw JSON text, or `None` when it is `null` or does not fit.
    pub(crate) fn lenient_raw<T: DeserializeOwned>(raw: &RawValue) -> Option<T> {
        let text = raw.get();
        if text == "null" {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// A user object read once per distinct JSON text within one answer (see [`sharing`]),
    /// or on its own outside one; anything but an object is `None`.
    pub(crate) fn shared_user<'de, D>(d: D) -> Result<Option<Arc<User>>, D::Error>
    where
        D: Deserializer<'de>,
    {
        let raw = Box::<RawValue>::deserialize(d)?;
        if !raw.get().starts_with('{') {
            return Ok(None);
        }
        Ok(shared(
            raw,
            |tables| &mut tables.users,
            |text| serde_json::from_str::<User>(text).ok(),
        ))
    }

    /// An issue's transitions (`expand=transitions`), read once per distinct JSON text within
    /// one answer like users: issues in the same status share their list. Read as
    /// [`lenient_objects`] reads it.
    pub(crate) fn shared_transitions<'de, D>(
        d: D,
    ) -> Result<Option<Arc<Vec<IssueTransition>>>, D::Error>
    where
        D: Deserializer<'de>,
    {
        let raw = Box::<RawValue>::deserialize(d)?;
        if !raw.get().starts_with('[') {
            return Ok(None);
        }
        Ok(shared(
            raw,
            |tables| &mut tables.transitions,
            |text| {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                lenient_objects(&mut deserializer).ok().flatten()
            },
        ))
    }

    /// Serialises a shared value as the value itself (the cache format does not change).
    pub(crate) fn ser_shared<T: serde::Serialize, S: serde::Serializer>(
        value: &Option<Arc<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&value.as_deref(), serializer)
    }

    /// A user read with [`shared_user`], for hand-written visitors.
    pub(crate) struct SharedUser(pub(crate) Option<Arc<User>>);

    impl<'de> Deserialize<'de> for SharedUser {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            shared_user(d).map(SharedUser)
        }
    }

    /// Values already read in the answer being decoded, by their JSON text. A board's search
    /// answer carries some 400 user objects (assignees, comment authors and editors) for a
    /// dozen people, and 50 transition lists for a handful of statuses; each distinct one is
    /// parsed once and shared.
    type Table<T> = HashMap<Box<str>, Arc<T>, foldhash::fast::RandomState>;

    #[derive(Default)]
    pub(crate) struct Tables {
        users: Table<User>,
        transitions: Table<Vec<IssueTransition>>,
        options: super::ReadOptions,
    }

    thread_local! {
        static SHARED: RefCell<Option<Tables>> = const { RefCell::new(None) };
    }

    /// Runs `decode` (synchronous: one answer) with fresh tables, dropped afterwards, so
    /// nothing is shared beyond the answer (and so beyond the caller who fetched it), and
    /// with `options` in force for that answer only.
    pub(crate) fn sharing<R>(options: super::ReadOptions, decode: impl FnOnce() -> R) -> R {
        struct Restore(Option<Tables>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                SHARED.with(|shared| *shared.borrow_mut() = previous);
            }
        }
        let tables = Tables {
            options,
            ..Tables::default()
        };
        let previous = SHARED.with(|shared| shared.borrow_mut().replace(tables));
        let _restore = Restore(previous);
        decode()
    }

    /// How many embedded comments per issue the answer being read keeps
    /// ([`super::ReadOptions::keep_comments`]); all outside [`sharing`].
    pub(crate) fn comments_kept() -> usize {
        SHARED.with(|shared| {
            shared
                .borrow()
                .as_ref()
                .and_then(|tables| tables.options.keep_comments)
                .unwrap_or(usize::MAX)
        })
    }

    /// Whether a skipped value was an object (read past without building anything).
    pub(crate) struct SkippedObject(pub(crate) bool);

    impl<'de> Deserialize<'de> for SkippedObject {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(SkipVisitor)
        }
    }

    struct SkipVisitor;

    impl<'de> Visitor<'de> for SkipVisitor {
        type Value = SkippedObject;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(SkippedObject(true))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(SkippedObject(false))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        forward_to_none!(SkippedObject(false));
    }

    /// The value of `raw` from its table when this answer already read the same text,
    /// otherwise parsed (and kept, inside [`sharing`]).
    fn shared<T>(
        raw: Box<RawValue>,
        table: fn(&mut Tables) -> &mut Table<T>,
        parse: fn(&str) -> Option<T>,
    ) -> Option<Arc<T>> {
        SHARED.with(|shared| {
            let mut shared = shared.borrow_mut();
            let Some(tables) = shared.as_mut() else {
                return parse(raw.get()).map(Arc::new);
            };
            let table = table(tables);
            if let Some(value) = table.get(raw.get()) {
                return Some(value.clone());
            }
            let value = Arc::new(parse(raw.get())?);
            table.insert(raw.into(), value.clone());
            Some(value)
        })
    }

    /// An object key for hand-written visitors: borrowed from the answer when it has no
    /// escapes, so reading the keys of 50 issues' fields allocates nothing.
    pub(crate) struct Key<'de>(pub(crate) std::borrow::Cow<'de, str>);

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(KeyVisitor)
        }
    }

    struct KeyVisitor;

    impl<'de> Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object key")
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Key(std::borrow::Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Key(std::borrow::Cow::Owned(v)))
        }
    }

    /// A field read with [`opt_string`], for hand-written visitors.
    pub(crate) struct OptString(pub(crate) Option<String>);

    impl<'de> Deserialize<'de> for OptString {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            opt_string(d).map(OptString)
        }
    }
}

/// What to leave out while reading an answer, because the caller will not show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReadOptions {
    /// Embedded comments to keep per issue (the first ones; see
    /// [`SearchRequest::keep_comments`]); `None` keeps all.
    pub(crate) keep_comments: Option<usize>,
}

/// Reads `T` from JSON bytes with the same leniency the DTOs use (an empty body reads as `null`).
#[cfg(test)]
pub(crate) fn from_json_bytes<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, serde_json::Error> {
    from_json_bytes_with(bytes, ReadOptions::default())
}

/// [`from_json_bytes`], leaving out what `options` say the caller will not show.
pub(crate) fn from_json_bytes_with<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    options: ReadOptions,
) -> Result<T, serde_json::Error> {
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"null".as_slice()
    } else {
        bytes
    };
    // Checking UTF-8 once for the whole body and reading it as text is much cheaper than
    // reading bytes, which checks every string on its own (about a tenth of decoding a board).
    // Invalid UTF-8 is read as bytes, so the error names where it is.
    de::sharing(options, || match simdutf8::basic::from_utf8(body) {
        Ok(text) => read_json(serde_json::Deserializer::from_str(text)),
        Err(_) => read_json(serde_json::Deserializer::from_slice(body)),
    })
}

fn read_json<'de, R, T>(
    mut deserializer: serde_json::Deserializer<R>,
) -> Result<T, serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = T::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests;
