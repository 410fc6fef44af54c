//! Gateway access tokens: HS256 JWTs with the algorithm pinned and iss, aud, exp and nbf
//! checked. `alg: none`, other algorithms, tampered and expired tokens are refused.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The gateway user id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_secs,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_default()
    }

    /// The claims of a valid token; `None` for anything else (never says why to the client).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token.trim(), &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"test-secret-test-secret-test-secret",
            "jira-gateway",
            "jira-gateway-clients",
            900,
        )
    }

    fn b64(value: &serde_json::Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let keys = keys();
        let claims = keys.verify(&keys.issue("user-1")).expect("valid");
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn alg_none_tampered_expired_and_foreign_tokens_are_refused() {
        let keys = keys();
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({ "sub": "user-1", "iss": "jira-gateway", "aud": "jira-gateway-clients", "iat": now, "nbf": now, "exp": now + 900 });
        let none = format!(
            "{}.{}.",
            b64(&serde_json::json!({ "alg": "none", "typ": "JWT" })),
            b64(&claims)
        );
        assert!(keys.verify(&none).is_none());
        let token = keys.issue("user-1");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64(
            &serde_json::json!({ "sub": "admin", "iss": "jira-gateway", "aud": "jira-gateway-clients", "iat": now, "nbf": now, "exp": now + 900 }),
        );
        parts[1] = &forged;
        assert!(keys.verify(&parts.join(".")).is_none());
        let expired = JwtKeys::new(
            b"test-secret-test-secret-test-secret",
            "jira-gateway",
            "jira-gateway-clients",
            -60,
        );
        assert!(keys.verify(&expired.issue("user-1")).is_none());
        let other_audience = JwtKeys::new(
            b"test-secret-test-secret-test-secret",
            "jira-gateway",
            "someone-else",
            900,
        );
        assert!(keys.verify(&other_audience.issue("user-1")).is_none());
        let other_key = JwtKeys::new(
            b"another-secret-another-secret-xx",
            "jira-gateway",
            "jira-gateway-clients",
            900,
        );
        assert!(keys.verify(&other_key.issue("user-1")).is_none());
        assert!(keys.verify("garbage").is_none());
    }

    #[test]
    fn tokens_not_yet_valid_are_refused() {
        let keys = keys();
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: "u".into(),
            iss: "jira-gateway".into(),
            aud: "jira-gateway-clients".into(),
            iat: now,
            nbf: now + 3600,
            exp: now + 7200,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"test-secret-test-secret-test-secret"),
        )
        .expect("encode");
        assert!(keys.verify(&token).is_none());
    }
}
