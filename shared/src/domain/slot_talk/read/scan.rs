//! The scan over the lexemes: each rule recognises one kind of mention where it starts and
//! marks the lexemes it used, so a number inside "Dec 3" or "at 10" is not also a bare one.

use super::{
    AFFIRMS, Choice, Clock, DECLINES, DateRef, NEGATORS, NO_PROBLEM, NUMBER_WORDS, ORDINAL_WORDS, Ordinal, RANGE_JOINS,
    Reader, Said, listed,
};
use crate::domain::slot_talk::DayPart;
use crate::domain::slot_talk::lex::Lex;

impl Reader {
    fn clock(&mut self, clock: Clock, from: usize, to: usize) -> usize {
        if !self.bounded(from, to) {
            self.out.clocks.push(Said { value: clock, negated: self.negated[from] });
        }
        self.mark(from, to);
        to
    }

    fn date(&mut self, value: DateRef, from: usize, to: usize) -> usize {
        self.out.dates.push(Said { value, negated: self.negated[from] });
        self.mark(from, to);
        self.date_end = Some(to);
        to
    }

    fn part(&mut self, value: DayPart, at: usize) {
        self.out.parts.push(Said { value, negated: self.negated[at] });
    }

    /// A day number (1..=31) at `j`, and whether it was written as an ordinal.
    fn day_number(&self, j: usize) -> Option<(u32, bool)> {
        match self.lx.get(j)?.lex {
            Lex::Num { value, .. } if (1..=31).contains(&value) => Some((value, false)),
            Lex::Ordinal(n) if (1..=31).contains(&n) => Some((n, true)),
            _ => None,
        }
    }

    /// A four-digit year at `j` (after an optional comma), and the index after it.
    fn year(&self, j: usize) -> (Option<i32>, usize) {
        let k = if matches!(self.lx.get(j).map(|l| &l.lex), Some(Lex::Sym(','))) { j + 1 } else { j };
        match self.lx.get(k).map(|l| &l.lex) {
            Some(Lex::Num { value, .. }) if (1900..=2200).contains(value) => (Some(*value as i32), k + 1),
            _ => (None, j),
        }
    }

    /// "3 Dec", "3rd of December", "the 3rd of May 2027" with the day at `i`.
    fn day_then_month(&mut self, i: usize) -> Option<usize> {
        let (day, ordinal) = self.day_number(i)?;
        let of = self.word(i + 1) == Some("of");
        let m_at = if of { i + 2 } else { i + 1 };
        let month = self.month(m_at)?;
        if month == 5 && !(ordinal || of || self.capital(m_at)) {
            return None;
        }
        let (year, end) = self.year(m_at + 1);
        Some(self.date(DateRef::MonthDay { month, day, year }, i, end))
    }

    /// "Dec 3", "December 3rd, 2027", "Dec. the 3rd" with the month at `i`.
    fn month_then_day(&mut self, i: usize) -> Option<usize> {
        let month = self.month(i)?;
        let mut j = i + 1;
        if matches!(self.lx.get(j).map(|l| &l.lex), Some(Lex::Sym('.'))) {
            j += 1;
        }
        if self.word(j) == Some("the") {
            j += 1;
        }
        let (day, ordinal) = self.day_number(j)?;
        if month == 5 && !(ordinal || self.capital(i)) {
            return None;
        }
        let (year, end) = self.year(j + 1);
        Some(self.date(DateRef::MonthDay { month, day, year }, i, end))
    }

    fn capital(&self, i: usize) -> bool {
        matches!(self.lx.get(i).map(|l| &l.lex), Some(Lex::Word { capital: true, .. }))
    }

    pub(super) fn at(&mut self, i: usize) -> usize {
        match self.lx[i].lex.clone() {
            Lex::Word { text, .. } => self.at_word(i, &text),
            Lex::Num { value, .. } => self.at_num(i, value),
            Lex::Clock { .. } | Lex::Dotted { .. } => match self.time_at(i, self.date_end == Some(i)) {
                Some((c, end)) => self.clock(c, i, end),
                None => {
                    self.mark(i, i + 1);
                    i + 1
                }
            },
            Lex::Slash { first, second, year } => {
                if (1..=12).contains(&first) && (1..=31).contains(&second) {
                    self.date(DateRef::MonthDay { month: first, day: second, year }, i, i + 1)
                } else {
                    self.mark(i, i + 1);
                    i + 1
                }
            }
            Lex::Iso { year, month, day } => self.date(DateRef::MonthDay { month, day, year: Some(year) }, i, i + 1),
            Lex::Ordinal(n) => self.at_ordinal(i, n),
            Lex::Sym('#') => match self.lx.get(i + 1).map(|l| &l.lex) {
                Some(Lex::Num { value, .. }) => {
                    self.out.choices.push(Choice::Nth(*value));
                    self.mark(i, i + 2);
                    i + 2
                }
                _ => i + 1,
            },
            Lex::Sym('@') => self.after_at(i),
            Lex::Sym(_) | Lex::Meridiem(_) | Lex::Junk => {
                self.mark(i, i + 1);
                i + 1
            }
        }
    }

    fn after_at(&mut self, i: usize) -> usize {
        match self.time_at(i + 1, true) {
            Some((c, end)) => self.clock(c, i, end),
            None => i + 1,
        }
    }

    fn at_num(&mut self, i: usize, value: u32) -> usize {
        if let Some((c, end)) = self.time_at(i, self.date_end == Some(i)) {
            return self.clock(c, i, end);
        }
        if let Some(end) = self.day_then_month(i) {
            return end;
        }
        let day_follows = self.weekday(i + 1).is_some()
            || self.word_in(i + 1, "today tomorrow tonight tmrw tmr")
            || (self.word(i + 1) == Some("on") && self.weekday(i + 2).is_some());
        // "10 or 2:30": each item of a list of times is a time, like the one beside it.
        let listed_with_time = (self.word(i + 1) == Some("or") && self.is_numeric(i + 2))
            || (i >= 2 && self.word(i - 1) == Some("or") && self.is_numeric(i - 2));
        if (day_follows || listed_with_time)
            && let Some((c, end)) = self.time_at(i, true)
        {
            return self.clock(c, i, end);
        }
        let joins =
            |j: usize| matches!(self.lx.get(j).map(|l| &l.lex), Some(Lex::Sym('-'))) || self.word_in(j, RANGE_JOINS);
        let starts_span = joins(i + 1) && self.is_numeric(i + 2);
        let ends_span = i >= 2 && joins(i - 1) && self.is_numeric(i - 2);
        if value <= 24 && (starts_span || ends_span) {
            // An end of "10-11", "2 to 4": a span, not a time or an option number.
            self.mark(i, i + 1);
        }
        i + 1
    }

    fn at_ordinal(&mut self, i: usize, n: u32) -> usize {
        if let Some(end) = self.day_then_month(i) {
            return end;
        }
        let after_the = self.prev_word_in(i, "the");
        let before = if after_the { i.checked_sub(1) } else { Some(i) };
        // "on the 3rd", "tuesday the 3rd", "the 3rd at 10", but not "on the 2nd floor".
        let day_follows = self.hour_follows(i + 1) || self.time_at(i + 1, false).is_some();
        let as_day = day_follows
            && (before.is_some_and(|b| self.prev_word_in(b, "on") || self.date_end == Some(b))
                || self.date_end == Some(i)
                || self.word_in(i + 1, "at around in morning afternoon evening night")
                || self.time_at(i + 1, false).is_some());
        let as_choice = self.choice_follows(i + 1);
        self.out.ordinals.push(Ordinal { n, as_day, as_choice, after_the, negated: self.negated[i] });
        self.mark(i, i + 1);
        if as_day {
            self.date_end = Some(i + 1);
        }
        i + 1
    }

    fn at_word(&mut self, i: usize, w: &str) -> usize {
        let next = self.word(i + 1).map(str::to_owned);
        let next = next.as_deref();
        if w == "good" && self.part_word(i + 1).is_some() {
            // "Good morning" greets; it does not ask for the morning.
            self.mark(i, i + 2);
            return i + 2;
        }
        if w == "no" && next.is_some_and(|n| listed(NO_PROBLEM, n)) {
            self.mark(i, i + 2);
            return i + 2;
        }
        if listed(NEGATORS, w) || listed(DECLINES, w) {
            self.out.declines = true;
            self.mark(i, i + 1);
            return i + 1;
        }
        if listed(AFFIRMS, w) {
            self.out.affirms = true;
        }
        match w {
            "today" => return self.date(DateRef::InDays(0), i, i + 1),
            "tomorrow" | "tmrw" | "tmr" | "tomorow" | "tommorow" | "tommorrow" => {
                return self.date(DateRef::InDays(1), i, i + 1);
            }
            "tonight" => {
                self.part(DayPart::Evening, i);
                return self.date(DateRef::InDays(0), i, i + 1);
            }
            "day" if next == Some("after") && self.word_in(i + 2, "tomorrow tmrw tomorow") => {
                return self.date(DateRef::InDays(2), i, i + 3);
            }
            "this" | "next" | "coming" | "on" => {
                if let Some(p) = self.part_word(i + 1).filter(|_| w == "this") {
                    self.part(p, i);
                    return self.date(DateRef::InDays(0), i, i + 2);
                }
                if let Some(day) = self.weekday(i + 1) {
                    return self.date(DateRef::Weekday { day, next_week: w == "next" }, i, i + 2);
                }
            }
            "noon" | "midday" => return self.clock(Clock { hour: 12, minute: 0, exact: true }, i, i + 1),
            "midnight" => return self.clock(Clock { hour: 0, minute: 0, exact: true }, i, i + 1),
            "at" | "around" => return self.after_at(i),
            "night" if self.date_end == Some(i) || self.prev_word_in(i, "at") => {
                self.part(DayPart::Evening, i);
                self.mark(i, i + 1);
                return i + 1;
            }
            "option" | "number" | "choice" | "slot" | "opt" => {
                let j = if matches!(self.lx.get(i + 1).map(|l| &l.lex), Some(Lex::Sym('#'))) { i + 2 } else { i + 1 };
                let n = match self.lx.get(j).map(|l| &l.lex) {
                    Some(Lex::Num { value, .. }) => Some(*value),
                    Some(Lex::Word { text, .. }) => NUMBER_WORDS.iter().position(|n| n == text).map(|p| p as u32 + 1),
                    _ => None,
                };
                if let Some(n) = n {
                    self.out.choices.push(Choice::Nth(n));
                    self.mark(i, j + 1);
                    return j + 1;
                }
            }
            _ => {}
        }
        if let Some(day) = self.weekday(i) {
            return self.date(DateRef::Weekday { day, next_week: false }, i, i + 1);
        }
        if let Some(end) = self.month_then_day(i) {
            return end;
        }
        if let Some(p) = self.part_word(i) {
            self.part(p, i);
            self.mark(i, i + 1);
            return i + 1;
        }
        let ordinal = ORDINAL_WORDS.iter().position(|o| *o == w).map(|p| Choice::Nth(p as u32 + 1));
        let ordinal = ordinal.or((w == "last" && !self.prev_word_in(i, "at")).then_some(Choice::Last));
        // "the earlier one", "the later one"; without "the", "later" is about the reply.
        let ordinal = ordinal.or_else(|| match w {
            "earlier" | "earliest" if self.prev_word_in(i, "the") => Some(Choice::Nth(1)),
            "later" | "latest" if self.prev_word_in(i, "the") => Some(Choice::Last),
            _ => None,
        });
        if let Some(choice) = ordinal {
            if let (Choice::Nth(day), Some("of")) = (choice, next)
                && let Some(month) = self.month(i + 2)
            {
                let (year, end) = self.year(i + 3);
                return self.date(DateRef::MonthDay { month, day, year }, i, end);
            }
            if self.choice_follows(i + 1) {
                self.out.choices.push(choice);
                self.mark(i, i + 1);
            }
        }
        i + 1
    }
}
