//! OpenAPI schemas of the value types whose JSON is written by hand (custom serde), so
//! the published document states exactly what their parsers accept: a fuzzer that
//! follows the schema then sends only values the API takes, and a value outside it is
//! refused.

use std::borrow::Cow;

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::booking::DurationMinutes;
use super::booking_settings::{Bounded, MeetingLink};
use super::follow_up::FollowUpContent;
use super::send_window::SendWindow;
use super::sequence::{Step, Steps, Template};
use super::{BusinessHours, Email, Patch, Phone, Score, Text, TimeZone};

/// Characters free text may hold (no control characters but tab and line breaks), with
/// at least one that is neither space nor control: the parser trims, then refuses empty.
const TEXT_PATTERN: &str =
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// A template: free text whose braces only ever enclose a known placeholder.
const TEMPLATE_PATTERN: &str = r"^(?:[^{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\{(?:first_name|name|company|business_name)\})*(?:[^{}\s\x00-\x1f\x7f-\x9f]|\{(?:first_name|name|company|business_name)\})(?:[^{}\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\{(?:first_name|name|company|business_name)\})*$";

/// `HH:MM-HH:MM`, the close possibly `24:00`.
const SPAN_PATTERN: &str = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

/// `HH:MM` within the lawful sending hours, 08:00 to 21:00.
const LAWFUL_TIME_PATTERN: &str = r"^(?:0[89]|1[0-9]|20):[0-5][0-9]$|^21:00$";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn integer(min: u32, max: u32) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min)).maximum(Some(max)).into()
}

fn reference<T: ToSchema>() -> RefOr<Schema> {
    Ref::from_schema_name(T::name()).into()
}

fn null() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null)
}

/// Registers `T` and what it refers to.
fn collect<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

impl<const MAX: usize> PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        string()
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(TEXT_PATTERN))
            .description(Some(format!(
                "Text of 1 to {MAX} characters (trimmed), no control characters but tab and line breaks"
            )))
            .into()
    }
}

impl<const MAX: usize> ToSchema for Text<MAX> {
    fn name() -> Cow<'static, str> {
        match MAX {
            200 => "ShortText".into(),
            10_000 => "LongText".into(),
            n => format!("Text{n}").into(),
        }
    }
}

impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        string()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(254))
            .pattern(Some(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"))
            .description(Some("An e-mail address; stored lower-cased"))
            .into()
    }
}
impl ToSchema for Email {}

impl PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        string().pattern(Some(r"^\+[1-9][0-9]{3,16}$")).description(Some("A phone number in E.164 form")).into()
    }
}
impl ToSchema for Phone {}

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        string().enum_values(Some(names)).description(Some("An IANA time zone name")).into()
    }
}
impl ToSchema for TimeZone {}

impl PartialSchema for Score {
    fn schema() -> RefOr<Schema> {
        integer(0, u32::from(Score::MAX))
    }
}
impl ToSchema for Score {}

impl PartialSchema for DurationMinutes {
    fn schema() -> RefOr<Schema> {
        integer(5, 480)
    }
}
impl ToSchema for DurationMinutes {}

impl<const LO: u32, const HI: u32> PartialSchema for Bounded<LO, HI> {
    fn schema() -> RefOr<Schema> {
        integer(LO, HI)
    }
}
impl<const LO: u32, const HI: u32> ToSchema for Bounded<LO, HI> {
    fn name() -> Cow<'static, str> {
        format!("Integer{LO}To{HI}").into()
    }
}

/// A `Patch<T>` field: absent keeps the value, `null` clears it, a value sets it.
impl<T: ToSchema> utoipa::__dev::ComposeSchema for Patch<T> {
    fn compose(generics: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let value = generics.into_iter().next().unwrap_or_else(reference::<T>);
        OneOfBuilder::new().item(value).item(null()).into()
    }
}

impl<T: ToSchema> ToSchema for Patch<T> {
    fn name() -> Cow<'static, str> {
        "Nullable".into()
    }
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        collect::<T>(schemas);
    }
}

impl PartialSchema for BusinessHours {
    fn schema() -> RefOr<Schema> {
        let spans = || ArrayBuilder::new().items(string().pattern(Some(SPAN_PATTERN))).max_items(Some(8));
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(
                "Opening spans per weekday in local time, sorted and not overlapping; a missing day is closed",
            ));
        for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            object = object.property(day, spans());
        }
        object.into()
    }
}
impl ToSchema for BusinessHours {}

impl PartialSchema for MeetingLink {
    fn schema() -> RefOr<Schema> {
        let url = string().pattern(Some(r"^https?://[^\s]{2,}$")).max_length(Some(2000));
        OneOfBuilder::new()
            .item(string().enum_values(Some(["google_meet"])))
            .item(url)
            .item(null())
            .description(Some("A fixed http(s) link, \"google_meet\", or null for none"))
            .into()
    }
}
impl ToSchema for MeetingLink {}

impl PartialSchema for SendWindow {
    fn schema() -> RefOr<Schema> {
        let hours = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("start", string().pattern(Some(LAWFUL_TIME_PATTERN)))
            .property("end", string().pattern(Some(LAWFUL_TIME_PATTERN)))
            .required("start")
            .required("end")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some("A daily window in the recipient's local time, start before end"));
        OneOfBuilder::new().item(string().enum_values(Some(["business_hours"]))).item(hours).into()
    }
}
impl ToSchema for SendWindow {}

impl PartialSchema for Template {
    fn schema() -> RefOr<Schema> {
        string()
            .min_length(Some(1))
            .max_length(Some(1600))
            .pattern(Some(TEMPLATE_PATTERN))
            .description(Some("Text with the placeholders {first_name}, {name}, {company}, {business_name}"))
            .into()
    }
}
impl ToSchema for Template {}

/// The template, or `null` for a message the AI writes when it is sent.
impl PartialSchema for FollowUpContent {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new().item(reference::<Template>()).item(null()).into()
    }
}
impl ToSchema for FollowUpContent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        collect::<Template>(schemas);
    }
}

impl PartialSchema for Step {
    fn schema() -> RefOr<Schema> {
        let common = || {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("delay_minutes", reference::<super::sequence::StepDelay>())
                .required("delay_minutes")
                .property("after", reference::<super::sequence::StepAnchor>())
                .property("channel", string().enum_values(Some(["preferred", "sms", "email", "chat"])))
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        let template = common()
            .property("template", reference::<Template>())
            .required("template")
            .property("subject", reference::<super::text::ShortText>())
            .property("personalised", ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([false])))
            .description(Some("A step that sends a template"));
        let personalised = common()
            .property("personalised", ObjectBuilder::new().schema_type(Type::Boolean).enum_values(Some([true])))
            .required("personalised")
            .description(Some("A step whose message the AI writes when it is sent"));
        OneOfBuilder::new().item(template).item(personalised).into()
    }
}
impl ToSchema for Step {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        collect::<super::sequence::StepDelay>(schemas);
        collect::<super::sequence::StepAnchor>(schemas);
        collect::<Template>(schemas);
        collect::<super::text::ShortText>(schemas);
    }
}

impl PartialSchema for Steps {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(reference::<Step>()).min_items(Some(1)).max_items(Some(Steps::MAX)).into()
    }
}
impl ToSchema for Steps {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        collect::<Step>(schemas);
    }
}
