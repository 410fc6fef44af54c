//! A typed view of an ADF document that the three renderers walk (built by [`super::parse`]).
//!
//! Only what rendering needs survives: known structure, sanitised attributes, non-empty text
//! without newlines (those are [`Inline::Break`]s).

/// A block-level node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Paragraph(Vec<Inline>),
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Tasks(Vec<Task>),
    Decisions(Vec<Vec<Inline>>),
    Code {
        language: String,
        text: String,
    },
    Quote(Vec<Block>),
    Panel {
        kind: PanelKind,
        content: Vec<Block>,
    },
    Table(Vec<Vec<Cell>>),
    Media(Vec<Media>),
    Card(String),
    Rule,
    Expand {
        title: String,
        content: Vec<Block>,
    },
    /// An unknown container (layouts, bodied extensions, a nested doc): rendered transparently.
    Group(Vec<Block>),
}

/// An entry of a task list: an item, or a nested task list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Task {
    Item { done: bool, content: Vec<Inline> },
    Nested(Vec<Task>),
}

/// A table cell (`tableHeader` or `tableCell`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub header: bool,
    pub colspan: u32,
    pub rowspan: u32,
    pub content: Vec<Block>,
}

/// A `media` or `mediaInline` reference.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Media {
    pub id: String,
    pub alt: String,
    /// Only `external` media carry a URL.
    pub url: Option<String>,
}

/// The panel flavours Jira knows; anything else renders as `Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PanelKind {
    Info,
    Note,
    Warning,
    Success,
    Error,
}

impl PanelKind {
    pub(crate) fn parse(value: &str) -> Self {
        match value {
            "note" => Self::Note,
            "warning" => Self::Warning,
            "success" => Self::Success,
            "error" => Self::Error,
            _ => Self::Info,
        }
    }

    /// The `panelType` spelling, also used as a CSS class suffix.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Success => "success",
            Self::Error => "error",
        }
    }

    /// The human label shown in Markdown.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Info => "Info",
            Self::Note => "Note",
            Self::Warning => "Warning",
            Self::Success => "Success",
            Self::Error => "Error",
        }
    }
}

/// An inline node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    /// Never empty and never contains a newline (those become [`Inline::Break`]).
    Text {
        text: String,
        marks: Marks,
    },
    Break,
    Mention {
        id: String,
        name: String,
    },
    Emoji {
        short_name: String,
        text: String,
    },
    Status {
        text: String,
        color: String,
    },
    /// An ISO date (`YYYY-MM-DD`), or the raw attribute when it was not a timestamp.
    Date(String),
    Card(String),
    Media(Media),
}

impl Inline {
    /// The mention's display form: always exactly one leading `@`.
    pub(crate) fn mention_label(id: &str, name: &str) -> String {
        let name = name.trim();
        let name = name.strip_prefix('@').unwrap_or(name);
        match (name.is_empty(), id.is_empty()) {
            (false, _) => format!("@{name}"),
            (true, false) => format!("@{id}"),
            (true, true) => "@user".to_owned(),
        }
    }
}

/// Marks on a text node; unknown marks are dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Marks {
    pub strong: bool,
    pub em: bool,
    pub strike: bool,
    pub underline: bool,
    pub code: bool,
    pub link: Option<Link>,
    pub color: Option<String>,
    pub background: Option<String>,
    pub script: Option<Script>,
}

/// A `link` mark.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Link {
    pub href: String,
    pub title: String,
}

/// The `subsup` mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Sub,
    Sup,
}
