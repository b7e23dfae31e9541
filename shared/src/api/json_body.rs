//! Reading a JSON body the way the API documents it, not the way serde is lenient.
//!
//! serde's derive also accepts a struct written as an array of its fields in order
//! (`["Dana","dana@example.com",null]`) and leaves duplicate keys to each type. A client
//! that sends either has made a mistake we should name. So the body is first read into a
//! `serde_json::Value`, refusing duplicate keys at any depth, and then deserialised from
//! that value by a deserializer that only offers objects where a struct is expected.
//! Errors are then reworded from Rust's vocabulary ("expected struct Contact", "u8") into
//! the API's ("expected a JSON object", "a whole number from 0 to 255").

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

/// A JSON value with no key repeated within an object.
pub(super) struct UniqueKeys(pub(super) Value);

impl<'de> de::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        de::Deserialize::deserialize(d).map(|UniqueKeys(v)| v)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let UniqueKeys(v) = map.next_value()?;
            object.insert(key, v);
        }
        Ok(Value::Object(object))
    }
}

/// Deserialises from a `Value`, accepting only an object where a struct is expected.
pub(super) struct ObjectsOnly<'a>(pub(super) &'a Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => n.as_f64().map_or(Unexpected::Other("number"), Unexpected::Float),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> Deserializer<'de> for ObjectsOnly<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => v.visit_u64(u),
                (None, Some(i)) => v.visit_i64(i),
                // JSON Schema counts `73.0` as the integer 73, and so does the API.
                (None, None) => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => v.visit_i64(f as i64),
                    f => v.visit_f64(f.unwrap_or(f64::NAN)),
                },
            },
            Value::String(s) => v.visit_borrowed_str(s),
            Value::Array(items) => v.visit_seq(Items(items.iter())),
            Value::Object(map) => v.visit_map(Entries { iter: map.iter(), value: None }),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(_) => self.deserialize_any(v),
            other => Err(de::Error::invalid_type(unexpected(other), &"a JSON object")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Result<V::Value, Self::Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(s) => v.visit_enum(BorrowedStrDeserializer::new(s)),
            // An externally tagged variant with data; serde_json's own reading is right.
            other => other.deserialize_enum(name, variants, v),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        self.0.next().map(|v| seed.deserialize(ObjectsOnly(v))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.iter.next() else { return Ok(None) };
        self.value = Some(value);
        seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value was read before its key"))?;
        seed.deserialize(ObjectsOnly(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

static RUST_WORDS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"expected (?:struct|tuple struct|newtype struct) \w+(?: with \d+ elements?)?", "expected a JSON object"),
        (r"expected a map\b", "expected a JSON object"),
        (r"expected a sequence\b", "expected a JSON array"),
        (r"expected a borrowed string", "expected a string"),
        (r"expected (?:variant identifier|enum \w+)", "expected one of the documented values (a string)"),
        (r"expected field identifier", "expected a field name"),
        (r"data did not match any variant of untagged enum \w+", "is not in any of the documented forms"),
        (r"expected u8\b", "expected a whole number from 0 to 255"),
        (r"expected u16\b", "expected a whole number from 0 to 65535"),
        (r"expected (?:u32|u64|u128|usize)\b", "expected a whole number of 0 or more"),
        (r"expected (?:i8|i16|i32|i64|i128|isize)\b", "expected a whole number"),
        (r"expected (?:f32|f64)\b", "expected a number"),
        (r"expected unit\b", "expected null"),
        (r"invalid type: sequence", "invalid type: array"),
        (r"invalid type: map", "invalid type: object"),
        (r"invalid type: unit value", "invalid type: null"),
        (r"invalid type: (?:integer|floating point) `([^`]*)`", "invalid type: number $1"),
        (r"invalid value: (?:integer|floating point) `([^`]*)`", "invalid value: $1"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("valid regex"), with))
    .collect()
});

/// An error message in the API's words: JSON's names for types, not Rust's.
pub(super) fn in_api_words(message: &str) -> String {
    RUST_WORDS.iter().fold(message.to_owned(), |m, (pattern, with)| pattern.replace_all(&m, *with).into_owned())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Contact {
        email: Option<String>,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
        age: Option<u8>,
        customer: Option<Contact>,
        #[serde(default)]
        fields: std::collections::HashMap<String, String>,
    }

    fn read(json: &str) -> Result<Body, String> {
        let value: UniqueKeys = serde_json::from_str(json).map_err(|e| e.to_string())?;
        Body::deserialize(ObjectsOnly(&value.0)).map_err(|e| in_api_words(&e.to_string()))
    }

    #[test]
    fn objects_read_as_before() {
        let body =
            read(r#"{"name":"Dana","age":30,"customer":{"email":"d@x.io","tags":["a"]},"fields":{"k":"v"}}"#).unwrap();
        assert_eq!(body.age, Some(30));
        assert_eq!(body.customer.unwrap().tags, Some(vec!["a".into()]));
        assert_eq!(body.fields["k"], "v");
    }

    #[test]
    fn arrays_are_not_structs_at_any_depth() {
        let e = read(r#"["Dana", 30, null]"#).unwrap_err();
        assert_eq!(e, "invalid type: array, expected a JSON object");
        let e = read(r#"{"name":"Dana","customer":["d@x.io"]}"#).unwrap_err();
        assert_eq!(e, "invalid type: array, expected a JSON object");
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let dup = |json: &str| serde_json::from_str::<UniqueKeys>(json).err().map(|e| e.to_string());
        assert!(dup(r#"{"name":"a","name":"b"}"#).unwrap().starts_with("duplicate key `name`"));
        assert!(dup(r#"{"fields":{"k":"1","k":"2"}}"#).unwrap().starts_with("duplicate key `k`"));
        assert!(dup(r#"{"a":[{"x":1},{"x":1}]}"#).is_none(), "equal keys in sibling objects are fine");
    }

    #[test]
    fn whole_floats_are_integers() {
        assert_eq!(read(r#"{"name":"D","age":30.0}"#).unwrap().age, Some(30));
        assert_eq!(
            read(r#"{"name":"D","age":30.5}"#).unwrap_err(),
            "invalid type: number 30.5, expected a whole number from 0 to 255"
        );
    }

    #[test]
    fn messages_use_json_words() {
        assert_eq!(
            read(r#"{"name":"D","age":300}"#).unwrap_err(),
            "invalid value: 300, expected a whole number from 0 to 255"
        );
        assert_eq!(
            read(r#"{"name":"D","age":"x"}"#).unwrap_err(),
            "invalid type: string \"x\", expected a whole number from 0 to 255"
        );
        assert_eq!(
            read(r#"{"name":"D","customer":"x"}"#).unwrap_err(),
            "invalid type: string \"x\", expected a JSON object"
        );
        assert_eq!(read(r#"{"name":["D"]}"#).unwrap_err(), "invalid type: array, expected a string");
        assert_eq!(read(r#"{"name":"D","fields":[1]}"#).unwrap_err(), "invalid type: array, expected a JSON object");
        assert_eq!(
            read(r#"{"name":"D","customer":{"tags":{}}}"#).unwrap_err(),
            "invalid type: object, expected a JSON array"
        );
        assert_eq!(read(r#"{"name":null}"#).unwrap_err(), "invalid type: null, expected a string");
    }
}
