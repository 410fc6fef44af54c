//! GraphiQL served by the gateway itself: the page that `GET /graphql` shows a browser, and its
//! scripts and styles under `/graphiql/{tag}/{file}`, compiled into the binary. The IDE needs no
//! CDN and no internet access, and the page's Content-Security-Policy allows scripts and styles
//! from the gateway only.
//!
//! The files in `assets/graphiql/` are GraphiQL's and React's prebuilt browser bundles from npm
//! (see the README there); `graphiql/init.js` starts GraphiQL and `graphiql/page.css` lays out
//! the page. `{tag}` is the GraphiQL version plus a hash of every served file, so browsers may
//! cache the files for a year and still get new ones after any change.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::HttpError;

/// The version of the npm package `graphiql` in `assets/graphiql/`.
pub const GRAPHIQL_VERSION: &str = "3.9.0";

/// The page's policy: scripts and styles from the gateway only (no inline code, no eval), the
/// GraphQL endpoint and its WebSocket, and the fonts that GraphiQL's stylesheet inlines.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self' data:; \
     img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "init.js",
        content_type: JS,
        bytes: include_bytes!("graphiql/init.js"),
    },
    Asset {
        name: "page.css",
        content_type: CSS,
        bytes: include_bytes!("graphiql/page.css"),
    },
    Asset {
        name: "LICENSE-graphiql",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/LICENSE-graphiql"),
    },
    Asset {
        name: "LICENSE-react",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/graphiql/LICENSE-react"),
    },
];

/// `3.9.0-<12 hex digits>`: changes whenever any served file does.
static TAG: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in ASSETS {
        hash.update(asset.name.as_bytes());
        hash.update((asset.bytes.len() as u64).to_le_bytes());
        hash.update(asset.bytes);
    }
    let digest = hex::encode(hash.finalize());
    format!("{GRAPHIQL_VERSION}-{}", &digest[..12])
});

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let base = format!("/graphiql/{}", *TAG);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>jira-gateway · GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{base}/graphiql.min.css">
    <link rel="stylesheet" href="{base}/page.css">
    <script src="{base}/react.production.min.js" defer></script>
    <script src="{base}/react-dom.production.min.js" defer></script>
    <script src="{base}/graphiql.min.js" defer></script>
    <script src="{base}/init.js" defer></script>
  </head>
  <body>
    <div id="graphiql" data-endpoint="/graphql" data-subscription-endpoint="/graphql/ws">Loading GraphiQL…</div>
    <noscript>GraphiQL needs JavaScript. Without it, POST GraphQL requests to /graphql.</noscript>
  </body>
</html>
"#
    )
});

/// The GraphiQL page (for `GET /graphql` from a browser).
pub fn page() -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-cache"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    (headers, PAGE.as_str()).into_response()
}

/// `GET /graphiql/{tag}/{file}`: one of the page's files. Under the current tag a file is
/// cacheable for a year; under another tag (a page from another gateway version during a
/// rolling deploy) it is still served, but not to be cached.
pub async fn asset(
    Path((tag, file)): Path<(String, String)>,
    request_headers: HeaderMap,
) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file) else {
        return HttpError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "No such GraphiQL file.")
            .into_response();
    };
    let current = tag == *TAG;
    let etag = format!("\"{}\"", *TAG);
    let cache_control = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if matches_etag(&request_headers, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (headers, asset.bytes).into_response()
}

/// Whether `If-None-Match` names `etag` (or is `*`), weak or strong.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_only_files_that_are_served() {
        let page = PAGE.as_str();
        let mut referenced = 0;
        for chunk in page.split(&format!("/graphiql/{}/", *TAG)).skip(1) {
            let name = chunk.split('"').next().unwrap_or_default();
            assert!(ASSETS.iter().any(|a| a.name == name), "{name}");
            referenced += 1;
        }
        assert_eq!(referenced, 6);
        assert!(
            !page.contains("http:") && !page.contains("https:"),
            "{page}"
        );
    }

    #[test]
    fn if_none_match_lists_are_understood() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(matches_etag(&headers, "\"b\""));
        assert!(!matches_etag(&headers, "\"c\""));
        assert!(!matches_etag(&HeaderMap::new(), "\"a\""));
    }
}
