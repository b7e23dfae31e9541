//! What each channel is, in one place: the address it reaches a customer at, the length
//! a reply may have, whether carrier keywords (STOP/START/HELP) apply, and which channel
//! a reply goes out on. Adding a channel is a variant here (every `match` is exhaustive,
//! so the compiler lists what it must decide), a sender and a migration of the CHECK.

use super::keywords::{Keyword, sms_keyword};
use super::reply::{CHAT_MAX_CHARS, EMAIL_MAX_CHARS, SMS_MAX_CHARS};
use super::{Channel, Customer};

/// The kind of address a channel delivers to; an opt-out is recorded per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    /// An E.164 number.
    Phone,
    /// A normalised e-mail address.
    Email,
}

impl Channel {
    /// `None`: the channel has no address of its own (a chat reply is read by the widget
    /// of its session; a form is answered on another channel).
    pub fn address_kind(self) -> Option<AddressKind> {
        match self {
            Channel::Sms => Some(AddressKind::Phone),
            Channel::Email => Some(AddressKind::Email),
            Channel::Chat | Channel::Form => None,
        }
    }

    /// The customer's address on this channel.
    pub fn address_of(self, customer: &Customer) -> Option<String> {
        match self.address_kind()? {
            AddressKind::Phone => customer.phone.as_ref().map(|p| p.as_str().to_owned()),
            AddressKind::Email => customer.email.as_ref().map(|e| e.as_str().to_owned()),
        }
    }

    /// The longest reply the channel carries, in characters.
    pub fn max_reply_chars(self) -> usize {
        match self {
            Channel::Sms => SMS_MAX_CHARS,
            Channel::Email => EMAIL_MAX_CHARS,
            Channel::Chat | Channel::Form => CHAT_MAX_CHARS,
        }
    }

    /// The carrier keyword a message is, on channels where carriers define them (SMS).
    pub fn keyword(self, text: &str) -> Option<Keyword> {
        match self {
            Channel::Sms => sms_keyword(text),
            Channel::Email | Channel::Chat | Channel::Form => None,
        }
    }

    /// The channel a reply actually goes out on: a web form has no channel of its own, so
    /// its replies go by e-mail, else SMS, else stay stored like chat.
    pub fn reply_channel(self, customer: &Customer) -> Channel {
        match self {
            Channel::Form if customer.email.is_some() => Channel::Email,
            Channel::Form if customer.phone.is_some() => Channel::Sms,
            Channel::Form | Channel::Sms | Channel::Email | Channel::Chat => self,
        }
    }

    /// Whether staff can write to a customer on this channel.
    pub fn can_send(self) -> bool {
        match self {
            Channel::Sms | Channel::Email | Channel::Chat => true,
            Channel::Form => false,
        }
    }
}
