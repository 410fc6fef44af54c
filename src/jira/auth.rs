//! `JiraAuth`: the caller's own Jira credentials and how they go on a request.
//! Secrets never reach `Debug`, logs or error messages.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Credentials a request to Jira is made with (JIRA-FACTS §0).
#[derive(Clone)]
pub enum JiraAuth {
    /// Email + API token, sent as `Authorization: Basic` to `https://{site}.atlassian.net`.
    Basic {
        /// The Atlassian account email.
        email: String,
        /// The API token.
        api_token: SecretString,
    },
    /// OAuth 2.0 (3LO) access token, sent as `Authorization: Bearer` to
    /// `https://api.atlassian.com/ex/jira/{cloudId}`.
    Bearer {
        /// The access token (valid about an hour).
        access_token: SecretString,
    },
}

impl JiraAuth {
    /// Convenience constructor for [`JiraAuth::Basic`].
    pub fn basic(email: impl Into<String>, api_token: impl Into<String>) -> Self {
        Self::Basic {
            email: email.into(),
            api_token: SecretString::from(api_token.into()),
        }
    }

    /// Convenience constructor for [`JiraAuth::Bearer`].
    pub fn bearer(access_token: impl Into<String>) -> Self {
        Self::Bearer {
            access_token: SecretString::from(access_token.into()),
        }
    }

    /// Puts the credentials on a request. reqwest marks the header sensitive.
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::Basic { email, api_token } => {
                request.basic_auth(email, Some(api_token.expose_secret()))
            }
            Self::Bearer { access_token } => request.bearer_auth(access_token.expose_secret()),
        }
    }

    /// A stable, non-secret identifier of these credentials, for keying shared caches.
    ///
    /// `basic:<hex>` or `bearer:<hex>`, where `<hex>` is the first 128 bits of a SHA-256 over
    /// the credentials. Equal credentials give equal identities; the secret cannot be read back.
    /// A bearer identity changes whenever the access token is refreshed, so a cache keyed by it
    /// starts cold after a refresh; key by account id where that matters.
    pub fn identity(&self) -> String {
        let mut hasher = Sha256::new();
        let scheme = match self {
            Self::Basic { email, api_token } => {
                hasher.update(b"jira-gateway/basic\0");
                hasher.update(email.as_bytes());
                hasher.update(b"\0");
                hasher.update(api_token.expose_secret().as_bytes());
                "basic"
            }
            Self::Bearer { access_token } => {
                hasher.update(b"jira-gateway/bearer\0");
                hasher.update(access_token.expose_secret().as_bytes());
                "bearer"
            }
        };
        let digest = hasher.finalize();
        let short = hex::encode(&digest[..16]);
        format!("{scheme}:{short}")
    }
}

impl fmt::Debug for JiraAuth {
    /// Shows the scheme and the identity only: no token, no email.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self {
            Self::Basic { .. } => "Basic",
            Self::Bearer { .. } => "Bearer",
        };
        f.debug_struct("JiraAuth")
            .field("scheme", &scheme)
            .field("identity", &self.identity())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_token_and_email() {
        let auth = JiraAuth::basic("ana@example.com", "ATATT-super-secret");
        let text = format!("{auth:?}");
        assert!(!text.contains("super-secret"), "{text}");
        assert!(!text.contains("ana@example.com"), "{text}");
        assert!(text.contains("Basic"));
        let bearer = format!("{:?}", JiraAuth::bearer("eyJ-access-token"));
        assert!(!bearer.contains("eyJ-access-token"), "{bearer}");
    }

    #[test]
    fn identity_is_stable_and_distinguishes_credentials() {
        let a = JiraAuth::basic("ana@example.com", "token-1");
        let same = JiraAuth::basic("ana@example.com", "token-1");
        let other_token = JiraAuth::basic("ana@example.com", "token-2");
        let bearer = JiraAuth::bearer("token-1");
        assert_eq!(a.identity(), same.identity());
        assert_ne!(a.identity(), other_token.identity());
        assert_ne!(a.identity(), bearer.identity());
        assert!(a.identity().starts_with("basic:"));
        assert!(bearer.identity().starts_with("bearer:"));
        assert_eq!(a.identity().len(), "basic:".len() + 32);
        assert!(!a.identity().contains("token-1"));
    }

    #[test]
    fn identity_separates_email_from_token() {
        // "a" + "bc" must not collide with "ab" + "c".
        let left = JiraAuth::basic("a", "bc");
        let right = JiraAuth::basic("ab", "c");
        assert_ne!(left.identity(), right.identity());
    }

    #[test]
    fn apply_sets_the_authorization_header() {
        let client = reqwest::Client::new();
        let basic = JiraAuth::basic("ana@example.com", "tok")
            .apply(client.get("http://127.0.0.1/"))
            .build()
            .expect("request builds");
        let header = basic
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .expect("header set");
        assert!(header.is_sensitive());
        // base64("ana@example.com:tok")
        assert_eq!(
            header.to_str().ok(),
            Some("Basic YW5hQGV4YW1wbGUuY29tOnRvaw==")
        );

        let bearer = JiraAuth::bearer("abc")
            .apply(client.get("http://127.0.0.1/"))
            .build()
            .expect("request builds");
        assert_eq!(
            bearer
                .headers()
                .get(reqwest::header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok()),
            Some("Bearer abc")
        );
    }
}
