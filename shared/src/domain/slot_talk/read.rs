//! Reads what a message says about when and which: days, clock times, parts of the day,
//! option choices, bare numbers, declines and plain agreement. `pick` and
//! `requested_time` both build on this one reading and decide what each piece means.

use chrono::Weekday;

use super::DayPart;
use super::lex::{Lex, Lexeme, Meridiem, lex};

mod scan;

/// A day as the customer named it, before it is resolved against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateRef {
    /// Days after today: "today" 0, "tomorrow" 1, "the day after tomorrow" 2.
    InDays(u8),
    /// "tuesday", "this tuesday" (`next_week` false) or "next tuesday" (true).
    Weekday { day: Weekday, next_week: bool },
    /// "Dec 3", "3rd of December", "12/3", "2027-03-14"; the year only when written.
    MonthDay { month: u32, day: u32, year: Option<i32> },
    /// "on the 3rd": a day of the month with no month.
    DayOfMonth(u32),
}

/// A clock time as written. `exact` is false for an hour 1..=12 without am/pm ("at 3",
/// "10:30", "tuesday 10"), which may mean either half of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) exact: bool,
}

/// An option picked by its place in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Choice {
    /// 1-based: "option 2", "#2", "the second one".
    Nth(u32),
    Last,
}

/// "3rd": an option ("the 3rd one") or a day of the month ("on the 3rd", "the 3rd at 10"),
/// depending on the words around it; both readings are kept for the caller to weigh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ordinal {
    pub(super) n: u32,
    pub(super) as_day: bool,
    pub(super) as_choice: bool,
    pub(super) after_the: bool,
    pub(super) negated: bool,
}

/// A mention, and whether it stands in a clause that says no ("can't do tuesday").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Said<T> {
    pub(super) value: T,
    pub(super) negated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Reading {
    pub(super) dates: Vec<Said<DateRef>>,
    pub(super) clocks: Vec<Said<Clock>>,
    pub(super) parts: Vec<Said<DayPart>>,
    pub(super) ordinals: Vec<Ordinal>,
    pub(super) choices: Vec<Choice>,
    /// Numbers that are none of the above ("2", "I have 2 dogs").
    pub(super) bare: Vec<u32>,
    /// Words and numbers in the message.
    pub(super) words: usize,
    /// Words that are neither part of a mention nor filler ("please", "works", "I'll take").
    pub(super) stray: usize,
    /// A no of any kind: "no", "none of those", "neither", "another time", "can't".
    pub(super) declines: bool,
    /// "yes", "ok", "sounds good", "that works".
    pub(super) affirms: bool,
}

/// Words that turn their clause into a no.
const NEGATORS: &str = "no not nope nah neither nor none never can't cant cannot won't wont don't dont doesn't \
    doesnt isn't isnt aren't arent couldn't couldnt wouldn't wouldnt unable busy unavailable except unless";
/// Words that only decline an offer ("another time tomorrow" still asks for tomorrow).
const DECLINES: &str = "another other others different else cancel";
/// After "no", these make it "no problem" rather than a no.
const NO_PROBLEM: &str = "problem problems worries worry rush prob probs biggie";
/// Words that start a new clause for negation ("can't do tuesday but wednesday works").
const CLAUSE_STARTS: &str = "but however instead how what though rather otherwise";
const AFFIRMS: &str = "yes yeah yep yup ya yea yess ok okay k kk sure good great perfect fine works work \
    book confirm confirmed absolutely definitely please lovely awesome excellent";
/// Words that carry no meaning of their own in a short reply.
const FILLER: &str = "the one that this it its it's for me us i i'll ill i'd id we we'll we'd take do go \
    with let's lets is be would will then thanks thank you thx ty cheers pls plz sounds looks best better \
    a an want like prefer choose pick i'm im and so oh hi hey hello just too also can could please \
    that's thats still available free open";
/// What may follow an hour written without am/pm for it to be an hour ("at 3 please",
/// "tuesday 10 works") rather than a count ("at 3 locations", "tuesday 2 bathrooms").
const HOUR_FOLLOWS: &str = "o'clock oclock sharp ish or and on this next tomorrow today tonight in morning \
    afternoon evening night please pls plz works work would will is if then for ok okay fine good great \
    perfect that maybe instead too also latest earliest at by i we you it sounds that's thats shall should \
    could can";
/// What may follow "second", "2nd" or "last" for it to pick an option ("the second one",
/// "2nd please") rather than be part of something else ("first thing", "last week").
const CHOICE_FOLLOWS: &str = "one option slot choice or please pls plz works work is sounds looks for then \
    thanks thank thx ty ok okay would will fine good great perfect i'll i'd we'll is's";
/// Words before a time that make it a bound, not the time asked for ("after 3pm").
const BOUNDS: &str = "after before until till til by between from past since";
const RANGE_JOINS: &str = "to till til until and";
const ORDINAL_WORDS: [&str; 5] = ["first", "second", "third", "fourth", "fifth"];
const NUMBER_WORDS: [&str; 5] = ["one", "two", "three", "four", "five"];

fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

pub(super) fn read(text: &str) -> Reading {
    let mut reader = Reader::new(lex(text));
    let mut i = 0;
    while i < reader.lx.len() {
        i = if reader.used[i] { i + 1 } else { reader.at(i) };
    }
    reader.finish()
}

struct Reader {
    lx: Vec<Lexeme>,
    used: Vec<bool>,
    /// Per lexeme: whether its clause says no.
    negated: Vec<bool>,
    /// The lexeme right after the last day named: a bare number there is an hour.
    date_end: Option<usize>,
    out: Reading,
}

impl Reader {
    fn new(lx: Vec<Lexeme>) -> Self {
        let mut clause_of = Vec::with_capacity(lx.len());
        let mut clause_negated = vec![false];
        for (i, l) in lx.iter().enumerate() {
            if l.word().is_some_and(|w| listed(CLAUSE_STARTS, w)) {
                clause_negated.push(false);
            }
            clause_of.push(clause_negated.len() - 1);
            if let Some(w) = l.word()
                && listed(NEGATORS, w)
                && !(w == "no" && lx.get(i + 1).and_then(Lexeme::word).is_some_and(|n| listed(NO_PROBLEM, n)))
                && let Some(last) = clause_negated.last_mut()
            {
                *last = true;
            }
            if matches!(l.lex, Lex::Sym(',' | '.' | ';' | '!' | '?' | '\n')) {
                clause_negated.push(false);
            }
        }
        let negated = clause_of.iter().map(|c| clause_negated[*c]).collect();
        let used = vec![false; lx.len()];
        Self { lx, used, negated, date_end: None, out: Reading::default() }
    }

    fn word(&self, i: usize) -> Option<&str> {
        self.lx.get(i).and_then(Lexeme::word)
    }

    fn word_in(&self, i: usize, list: &str) -> bool {
        self.word(i).is_some_and(|w| listed(list, w))
    }

    fn prev_word_in(&self, i: usize, list: &str) -> bool {
        i.checked_sub(1).is_some_and(|p| self.word_in(p, list))
    }

    fn meridiem(&self, i: usize) -> Option<Meridiem> {
        match self.lx.get(i)?.lex {
            Lex::Meridiem(m) => Some(m),
            _ => None,
        }
    }

    fn is_numeric(&self, i: usize) -> bool {
        self.lx.get(i).is_some_and(|l| {
            matches!(l.lex, Lex::Num { .. } | Lex::Clock { .. } | Lex::Dotted { .. } | Lex::Meridiem(_))
        })
    }

    fn mark(&mut self, from: usize, to: usize) {
        for u in &mut self.used[from..to.min(self.lx.len())] {
            *u = true;
        }
    }

    fn weekday(&self, i: usize) -> Option<Weekday> {
        let (day, clear) = match self.word(i)? {
            "monday" => (Weekday::Mon, true),
            "tuesday" | "tue" | "tues" => (Weekday::Tue, true),
            "wednesday" | "weds" => (Weekday::Wed, true),
            "thursday" | "thu" | "thur" | "thurs" => (Weekday::Thu, true),
            "friday" | "fri" => (Weekday::Fri, true),
            "saturday" => (Weekday::Sat, true),
            "sunday" => (Weekday::Sun, true),
            "mon" => (Weekday::Mon, false),
            "wed" => (Weekday::Wed, false),
            "sat" => (Weekday::Sat, false),
            "sun" => (Weekday::Sun, false),
            _ => return None,
        };
        // "sat", "sun", "wed" and "mon" are also words; they name a day only next to a
        // date or time, after "on"/"this"/"next", or as the whole reply.
        let context = || {
            self.prev_word_in(i, "on this next coming by until till from")
                || self.lx.get(i + 1).is_some_and(|l| {
                    matches!(l.lex, Lex::Num { .. } | Lex::Ordinal(_) | Lex::Clock { .. } | Lex::Slash { .. })
                })
                || self.word_in(i + 1, "at the morning afternoon evening night")
                || self.month(i + 1).is_some()
                || self.lx.iter().filter(|l| l.word().is_some()).count() <= 2
        };
        (clear || context()).then_some(day)
    }

    fn month(&self, i: usize) -> Option<u32> {
        let m = match self.word(i)? {
            "january" | "jan" => 1,
            "february" | "feb" => 2,
            "march" | "mar" => 3,
            "april" | "apr" => 4,
            "may" => 5,
            "june" | "jun" => 6,
            "july" | "jul" => 7,
            "august" | "aug" => 8,
            "september" | "sep" | "sept" => 9,
            "october" | "oct" => 10,
            "november" | "nov" => 11,
            "december" | "dec" => 12,
            _ => return None,
        };
        Some(m)
    }

    fn part_word(&self, i: usize) -> Option<DayPart> {
        match self.word(i)? {
            "morning" => Some(DayPart::Morning),
            "afternoon" => Some(DayPart::Afternoon),
            "evening" => Some(DayPart::Evening),
            _ => None,
        }
    }

    /// Whether what stands at `j` lets a preceding bare number be an hour.
    fn hour_follows(&self, j: usize) -> bool {
        match self.lx.get(j).map(|l| &l.lex) {
            None | Some(Lex::Sym(',' | '.' | '!' | '?' | ';' | ')')) => true,
            Some(Lex::Word { text, .. }) => {
                listed(HOUR_FOLLOWS, text) || self.weekday(j).is_some() || self.month(j).is_some()
            }
            Some(_) => false,
        }
    }

    /// Whether what stands at `j` lets a preceding ordinal pick an option.
    fn choice_follows(&self, j: usize) -> bool {
        match self.lx.get(j).map(|l| &l.lex) {
            None | Some(Lex::Sym('.' | '!' | '?' | ')')) => true,
            Some(Lex::Sym(',')) => self.lx.get(j + 1).is_none() || self.word_in(j + 1, CHOICE_FOLLOWS),
            Some(Lex::Word { text, .. }) => listed(CHOICE_FOLLOWS, text),
            Some(_) => false,
        }
    }

    /// The clock time written at `j` and the index after it. `loose`: right after "at" or a
    /// day, where a bare hour ("at 3", "tuesday 10") and "2.30" are times too.
    fn time_at(&self, j: usize, loose: bool) -> Option<(Clock, usize)> {
        let with_meridiem = |hour: u32, minute: u32, m: Meridiem| {
            ((1..=12).contains(&hour) && minute <= 59).then(|| Clock {
                hour: hour % 12 + if m == Meridiem::Pm { 12 } else { 0 },
                minute,
                exact: true,
            })
        };
        let plain = |hour: u32, minute: u32, leading_zero: bool| {
            (hour <= 23 && minute <= 59).then_some(Clock {
                hour,
                minute,
                exact: leading_zero || hour == 0 || hour > 12,
            })
        };
        match self.lx.get(j)?.lex {
            Lex::Num { value, leading_zero } => {
                if let Some(m) = self.meridiem(j + 1) {
                    with_meridiem(value, 0, m).map(|c| (c, j + 2))
                } else if self.word_in(j + 1, "o'clock oclock") {
                    plain(value, 0, leading_zero).filter(|_| value >= 1).map(|c| (c, j + 2))
                } else if loose && (1..=23).contains(&value) && self.month(j + 1).is_none() && self.hour_follows(j + 1)
                {
                    plain(value, 0, leading_zero).map(|c| (c, j + 1))
                } else {
                    None
                }
            }
            Lex::Clock { hour, minute, leading_zero } => match self.meridiem(j + 1) {
                Some(m) => with_meridiem(hour, minute, m).map(|c| (c, j + 2)),
                None => plain(hour, minute, leading_zero).map(|c| (c, j + 1)),
            },
            Lex::Dotted { hour, minute } => match self.meridiem(j + 1) {
                Some(m) => with_meridiem(hour, minute, m).map(|c| (c, j + 2)),
                None if loose => plain(hour, minute, false).map(|c| (c, j + 1)),
                None => None,
            },
            _ => None,
        }
    }

    /// Whether a time at `from..to` is one end of a range or a bound ("10-11am", "after 3",
    /// "between 2 and 4"), which names no single time.
    fn bounded(&self, from: usize, to: usize) -> bool {
        let before = from.checked_sub(1);
        let joined_before = before.is_some_and(|b| {
            (matches!(self.lx[b].lex, Lex::Sym('-')) || self.word_in(b, RANGE_JOINS))
                && b.checked_sub(1).is_some_and(|n| self.is_numeric(n))
        });
        let joined_after = (matches!(self.lx.get(to).map(|l| &l.lex), Some(Lex::Sym('-')))
            || self.word_in(to, RANGE_JOINS))
            && self.is_numeric(to + 1);
        before.is_some_and(|b| self.word_in(b, BOUNDS)) || joined_before || joined_after
    }

    fn finish(mut self) -> Reading {
        for (l, used) in self.lx.iter().zip(&self.used) {
            match &l.lex {
                Lex::Sym(_) | Lex::Meridiem(_) => continue,
                Lex::Num { value, .. } if !used => self.out.bare.push(*value),
                Lex::Word { text, .. } if !used && !listed(FILLER, text) && !listed(AFFIRMS, text) => {
                    self.out.stray += 1;
                }
                _ => {}
            }
            self.out.words += 1;
        }
        self.out
    }
}
