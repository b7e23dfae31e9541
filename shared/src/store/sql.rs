//! Typed parameters for `query_typed`, and a builder for queries with optional filters.

use chrono::{DateTime, Utc};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;

/// A Rust value with the Postgres type it is sent as.
pub(super) trait PgType {
    const TYPE: Type;
}

macro_rules! pg_type {
    ($($t:ty => $pg:expr),+ $(,)?) => { $(impl PgType for $t { const TYPE: Type = $pg; })+ };
}

pg_type!(
    Uuid => Type::UUID,
    String => Type::TEXT,
    &str => Type::TEXT,
    bool => Type::BOOL,
    i16 => Type::INT2,
    i32 => Type::INT4,
    i64 => Type::INT8,
    DateTime<Utc> => Type::TIMESTAMPTZ,
    serde_json::Value => Type::JSONB,
    Vec<String> => Type::TEXT_ARRAY,
    Vec<&str> => Type::TEXT_ARRAY,
    Vec<Uuid> => Type::UUID_ARRAY,
    Vec<i64> => Type::INT8_ARRAY,
    Vec<u8> => Type::BYTEA,
    &[u8] => Type::BYTEA,
);

impl<T: PgType> PgType for Option<T> {
    const TYPE: Type = T::TYPE;
}

/// One parameter of a `query_typed` call.
pub(super) fn p<T: ToSql + Sync + PgType>(v: &T) -> (&(dyn ToSql + Sync), Type) {
    (v as &(dyn ToSql + Sync), T::TYPE)
}

/// SQL text with owned parameters, for queries whose shape depends on the filters given.
#[derive(Default)]
pub(super) struct Sql {
    text: String,
    params: Vec<(Box<dyn ToSql + Sync + Send>, Type)>,
}

impl Sql {
    pub(super) fn new(text: &str) -> Self {
        Self { text: text.to_owned(), params: Vec::new() }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the placeholder of a new parameter (`$n`).
    pub(super) fn bind<T: ToSql + Sync + Send + PgType + 'static>(&mut self, v: T) -> &mut Self {
        self.params.push((Box::new(v), T::TYPE));
        self.text.push_str(&format!("${}", self.params.len()));
        self
    }

    /// Appends `AND <left> <op> $n` for a filter value that is present.
    pub(super) fn and<T: ToSql + Sync + Send + PgType + 'static>(
        &mut self,
        left: &str,
        op: &str,
        v: Option<T>,
    ) -> &mut Self {
        if let Some(v) = v {
            self.push(" AND ").push(left).push(" ").push(op).push(" ").bind(v);
        }
        self
    }

    pub(super) async fn query(&self, c: &impl GenericClient) -> Result<Vec<Row>, StoreError> {
        let params: Vec<(&(dyn ToSql + Sync), Type)> =
            self.params.iter().map(|(v, t)| (v.as_ref() as &(dyn ToSql + Sync), t.clone())).collect();
        Ok(c.query_typed(&self.text, &params).await?)
    }
}

/// Reads a column, reporting an unreadable value as corrupt data rather than panicking.
pub(super) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, col: &str) -> Result<T, StoreError> {
    row.try_get(col).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

/// Reads an optional text column through a domain parser.
pub(super) fn parse_opt<T, E: std::fmt::Display>(
    row: &Row,
    col: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    get::<Option<String>>(row, col)?
        .map(|s| parse(&s).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}"))))
        .transpose()
}

/// Reads a required text column through a domain parser.
pub(super) fn parse_req<T, E: std::fmt::Display>(
    row: &Row,
    col: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let s: String = get(row, col)?;
    parse(&s).map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}
