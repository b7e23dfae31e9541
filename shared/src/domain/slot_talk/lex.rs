//! Splits a message into words, numbers and the number shapes that matter for times and
//! dates ("10:30", "2.30", "12/3", "2027-03-14", "3rd", "10am"). Any other run of digits
//! (a phone number, a price, a thousands figure, "2x") becomes `Junk`, so no later rule can
//! read a piece of it as an hour or an option number.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meridiem {
    Am,
    Pm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lex {
    /// Letters with inner apostrophes, lower-cased; `capital` keeps whether it was
    /// written with a capital (the month "May" against the verb "may").
    Word {
        text: String,
        capital: bool,
    },
    /// Plain digits; `leading_zero` tells "09" from "9".
    Num {
        value: u32,
        leading_zero: bool,
    },
    /// `H:MM`.
    Clock {
        hour: u32,
        minute: u32,
        leading_zero: bool,
    },
    /// `H.MM`: a time only with am/pm or after "at", otherwise a decimal.
    Dotted {
        hour: u32,
        minute: u32,
    },
    /// `A/B` or `A/B/Y`.
    Slash {
        first: u32,
        second: u32,
        year: Option<i32>,
    },
    /// `YYYY-MM-DD`, not yet checked for being a real date.
    Iso {
        year: i32,
        month: u32,
        day: u32,
    },
    /// `3rd`, `21st`.
    Ordinal(u32),
    /// am/pm right after a number ("10am", "10 a.m.").
    Meridiem(Meridiem),
    Sym(char),
    Junk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Lexeme {
    pub(super) lex: Lex,
    /// Written right after the previous lexeme, with no space between.
    pub(super) glued: bool,
}

impl Lexeme {
    pub(super) fn word(&self) -> Option<&str> {
        match &self.lex {
            Lex::Word { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// A number written right after one of these is money or a dialling code ("$200", "+1").
const MONEY_OR_DIALLING: [char; 5] = ['$', '£', '€', '+', '¥'];
const JOINERS: [char; 5] = [':', '.', '/', ',', '-'];

pub(super) fn lex(text: &str) -> Vec<Lexeme> {
    let cs: Vec<char> = text.chars().map(|c| if matches!(c, '\u{2019}' | '\u{2018}') { '\'' } else { c }).collect();
    let mut out: Vec<Lexeme> = Vec::new();
    let mut i = 0;
    let mut glued = false;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            glued = false;
            i += 1;
            continue;
        }
        let after_number =
            out.last().is_some_and(|l| matches!(l.lex, Lex::Num { .. } | Lex::Clock { .. } | Lex::Dotted { .. }));
        let (lex, end) = if c.is_ascii_digit() {
            let prefixed =
                glued && out.last().is_some_and(|l| matches!(l.lex, Lex::Sym(s) if MONEY_OR_DIALLING.contains(&s)));
            let (lex, end) = number(&cs, i);
            if prefixed { (Lex::Junk, end) } else { (lex, end) }
        } else if c.is_alphabetic() {
            match meridiem(&cs, i, glued).filter(|_| after_number) {
                Some((m, end)) => (Lex::Meridiem(m), end),
                None => word(&cs, i),
            }
        } else {
            (Lex::Sym(c), i + 1)
        };
        if let Some(lex) = glued_suffix(&mut out, lex, glued) {
            out.push(Lexeme { lex, glued });
        }
        glued = true;
        i = end;
    }
    out
}

/// Fixes up a lexeme written against the previous one: "3" + "rd" is an ordinal, "2" + "x"
/// or "10" + "mins" makes the number junk, "50" + "%" too. `None`: the suffix is absorbed.
fn glued_suffix(out: &mut [Lexeme], lex: Lex, glued: bool) -> Option<Lex> {
    let Some(prev) = out.last_mut().filter(|_| glued) else { return Some(lex) };
    match (&prev.lex, &lex) {
        (Lex::Num { value, .. }, Lex::Word { text, .. }) if matches!(text.as_str(), "st" | "nd" | "rd" | "th") => {
            prev.lex = Lex::Ordinal(*value);
            None
        }
        (Lex::Num { .. } | Lex::Clock { .. } | Lex::Dotted { .. } | Lex::Slash { .. }, Lex::Word { .. })
        | (Lex::Num { .. } | Lex::Dotted { .. }, Lex::Sym('%')) => {
            prev.lex = Lex::Junk;
            Some(lex)
        }
        (Lex::Word { .. } | Lex::Junk | Lex::Ordinal(_), Lex::Num { .. } | Lex::Clock { .. } | Lex::Dotted { .. }) => {
            // "abc123", "2x3": digits inside a code are not a number the customer means.
            Some(Lex::Junk)
        }
        _ => Some(lex),
    }
}

fn word(cs: &[char], start: usize) -> (Lex, usize) {
    let mut end = start;
    while end < cs.len()
        && (cs[end].is_alphabetic()
            || (cs[end] == '\'' && cs.get(end + 1).is_some_and(|c| c.is_alphabetic()) && end > start))
    {
        end += 1;
    }
    let text: String = cs[start..end].iter().collect::<String>().to_lowercase();
    (Lex::Word { text, capital: cs[start].is_uppercase() }, end)
}

/// "am", "pm", "a.m.", "p.m", and a lone "a"/"p" written against the number ("10a").
fn meridiem(cs: &[char], start: usize, glued: bool) -> Option<(Meridiem, usize)> {
    let m = match cs[start].to_ascii_lowercase() {
        'a' => Meridiem::Am,
        'p' => Meridiem::Pm,
        _ => return None,
    };
    let at = |i: usize| cs.get(start + i).map(char::to_ascii_lowercase);
    let ends = |i: usize| cs.get(start + i).is_none_or(|c| !c.is_alphanumeric());
    let len = if at(1) == Some('m') && ends(2) {
        2
    } else if at(1) == Some('.') && at(2) == Some('m') {
        if at(3) == Some('.') { 4 } else { 3 }
    } else if glued && ends(1) {
        1
    } else {
        return None;
    };
    (ends(len) || len == 4).then_some((m, start + len))
}

/// Reads the digits at `start`: (value, digit count, end). The value is `None` past nine
/// digits, which no time or option number has.
fn digits(cs: &[char], start: usize) -> (Option<u32>, usize, usize) {
    let mut end = start;
    while end < cs.len() && cs[end].is_ascii_digit() {
        end += 1;
    }
    let count = end - start;
    let value = if count <= 9 { cs[start..end].iter().collect::<String>().parse().ok() } else { None };
    (value, count, end)
}

fn joined_digit(cs: &[char], at: usize) -> bool {
    cs.get(at).is_some_and(|c| JOINERS.contains(c)) && cs.get(at + 1).is_some_and(char::is_ascii_digit)
}

fn number(cs: &[char], start: usize) -> (Lex, usize) {
    let (Some(a), count, mut end) = digits(cs, start) else {
        return (Lex::Junk, skip_cluster(cs, start));
    };
    let leading_zero = count > 1 && cs[start] == '0';
    let mut lex = Lex::Num { value: a, leading_zero };
    if joined_digit(cs, end) {
        let sep = cs[end];
        let (b, b_count, b_end) = digits(cs, end + 1);
        let b = b.unwrap_or(u32::MAX);
        match sep {
            ':' if b_count == 2 && count <= 2 => {
                lex = Lex::Clock { hour: a, minute: b, leading_zero };
                end = b_end;
            }
            '.' if b_count == 2 && count <= 2 => {
                lex = Lex::Dotted { hour: a, minute: b };
                end = b_end;
            }
            '/' if count <= 2 && b_count <= 2 => {
                end = b_end;
                let mut year = None;
                if cs.get(end) == Some(&'/') {
                    let (y, y_count, y_end) = digits(cs, end + 1);
                    year = match (y, y_count) {
                        (Some(y), 4) => Some(y as i32),
                        (Some(y), 2) => Some(2000 + y as i32),
                        _ => return (Lex::Junk, skip_cluster(cs, start)),
                    };
                    end = y_end;
                }
                lex = Lex::Slash { first: a, second: b, year };
            }
            '-' if count == 4 && b_count == 2 && cs.get(b_end) == Some(&'-') => {
                let (d, d_count, d_end) = digits(cs, b_end + 1);
                match d.filter(|_| d_count == 2) {
                    Some(day) => {
                        lex = Lex::Iso { year: a as i32, month: b, day };
                        end = d_end;
                    }
                    None => return (Lex::Junk, skip_cluster(cs, start)),
                }
            }
            '-' if short_time_follows(cs, end + 1) && count <= 2 => {
                // "10-11am", "9:00-10:30": a range; the dash stays a symbol between two times.
                return (lex, end);
            }
            _ => return (Lex::Junk, skip_cluster(cs, start)),
        }
    }
    if joined_digit(cs, end) {
        if cs[end] == '-' && matches!(lex, Lex::Clock { .. }) && short_time_follows(cs, end + 1) {
            return (lex, end);
        }
        return (Lex::Junk, skip_cluster(cs, start));
    }
    (lex, end)
}

/// Whether `at` starts a one- or two-digit hour (optionally `:MM`) that ends the cluster.
fn short_time_follows(cs: &[char], at: usize) -> bool {
    let (_, count, mut end) = digits(cs, at);
    if count == 0 || count > 2 {
        return false;
    }
    if cs.get(end) == Some(&':') {
        let (_, m_count, m_end) = digits(cs, end + 1);
        if m_count != 2 {
            return false;
        }
        end = m_end;
    }
    !joined_digit(cs, end)
}

/// The end of a run of digits and joiners ("555-123-4567", "1,200.50").
fn skip_cluster(cs: &[char], start: usize) -> usize {
    let mut end = start;
    loop {
        while end < cs.len() && cs[end].is_ascii_digit() {
            end += 1;
        }
        if joined_digit(cs, end) {
            end += 1;
        } else {
            return end;
        }
    }
}
