//! The deployment's secrets: one JSON object in AWS Secrets Manager whose keys are the
//! names of the variables in README's Configuration table (`DATABASE_URL`,
//! `TWILIO_AUTH_TOKEN`, ...). Read once per execution environment, before the
//! configuration; a key in the secret wins over the environment variable of that name.
//! Values are held as `SecretString` and never printed: errors name the key, never the
//! value (serde's own messages quote fragments of the input, so they are not passed on).

use std::collections::HashMap;

use aws_sdk_secretsmanager::error::DisplayErrorContext;
use secrecy::{ExposeSecret, SecretString};

use super::ConfigError;

/// The environment variable holding the secret's ARN (set by template.yaml).
pub const SECRET_ARN_VAR: &str = "LEADFLOW_SECRET_ARN";

/// The secret's values by variable name.
#[derive(Default)]
pub struct SecretValues(HashMap<String, SecretString>);

impl std::fmt::Debug for SecretValues {
    /// Only the names: enough to see what a deployment sets, nothing of the values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_tuple("SecretValues").field(&names).finish()
    }
}

fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { name: SECRET_ARN_VAR, reason: reason.into() }
}

impl SecretValues {
    /// Parses the secret string: a JSON object whose values are strings (a number or
    /// boolean is taken as written, so `{"DATABASE_POOL_SIZE": 2}` works too).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| invalid("the secret is not JSON (a JSON object is expected)"))?;
        let serde_json::Value::Object(map) = value else {
            return Err(invalid("the secret is not a JSON object of variable names to values"));
        };
        let mut values = HashMap::with_capacity(map.len());
        for (key, value) in map {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    return Err(invalid(format!("the secret's {key} must be a string")));
                }
            };
            values.insert(key, SecretString::from(text));
        }
        Ok(Self(values))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A lookup for [`super::Config::from_lookup`]: the secret first, then `fallback`
    /// (the environment). An empty value in the secret counts as unset.
    pub fn over<'a>(&'a self, fallback: impl Fn(&str) -> Option<String> + 'a) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            self.0
                .get(name)
                .map(|v| v.expose_secret().to_owned())
                .filter(|v| !v.trim().is_empty())
                .or_else(|| fallback(name))
        }
    }

    /// Reads the secret `arn` with `GetSecretValue` (its current version).
    pub async fn fetch(client: &aws_sdk_secretsmanager::Client, arn: &str) -> Result<Self, ConfigError> {
        let out = client
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(|e| invalid(format!("cannot read the secret: {}", DisplayErrorContext(e))))?;
        let text = out
            .secret_string()
            .ok_or_else(|| invalid("the secret has no SecretString (binary secrets are not read)"))?;
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_win_over_the_environment_and_are_never_printed() {
        let secret = SecretValues::parse(
            r#"{"DATABASE_URL": "postgres://u:hunter2@db/x", "DATABASE_POOL_SIZE": 3, "EMPTY": " ", "GONE": null}"#,
        )
        .unwrap();
        let env = |k: &str| match k {
            "DATABASE_URL" => Some("postgres://env/x".to_owned()),
            "EMPTY" => Some("from-env".to_owned()),
            "MONGODB_URI" => Some("mongodb://env".to_owned()),
            _ => None,
        };
        let get = secret.over(env);
        assert_eq!(get("DATABASE_URL").as_deref(), Some("postgres://u:hunter2@db/x"));
        assert_eq!(get("DATABASE_POOL_SIZE").as_deref(), Some("3"));
        assert_eq!(get("EMPTY").as_deref(), Some("from-env"));
        assert_eq!(get("MONGODB_URI").as_deref(), Some("mongodb://env"));
        assert_eq!(get("GONE"), None);
        let printed = format!("{secret:?}");
        assert!(!printed.contains("hunter2") && printed.contains("DATABASE_URL"), "{printed}");
    }

    #[test]
    fn malformed_secrets_are_refused_without_quoting_them() {
        for text in ["not json hunter2", "[\"hunter2\"]", r#"{"A": ["hunter2"]}"#] {
            let err = SecretValues::parse(text).unwrap_err();
            assert!(matches!(err, ConfigError::Invalid { name: SECRET_ARN_VAR, .. }), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }
}
