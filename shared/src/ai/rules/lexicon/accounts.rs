//! Money and dissatisfaction: invoices, charges, refunds and payment methods (billing),
//! and unhappy customers who want something put right (complaint).

use crate::domain::Intent::{self, *};

#[rustfmt::skip]
pub const PATTERNS: &[(Intent, f32, &str)] = &[
    // billing
    (Billing, 2.5, r"\b(invoice|invoices|invoiced|billing|bill|billed|bills|receipt|receipts|statement|w-9|1099)\b"),
    (Billing, 3.0, r"\b(charged|overcharged|charges|charge on|double charge|duplicate charge)\b"),
    (Billing, 3.0, r"\b(refund|refunded|reimburse|chargeback)\b"),
    (Billing, 1.5, r"\b(pay|paid|payment|payments|owe|insurance)\b"),
    (Billing, 3.0, r"\b(pay (by|with|via|using|online|in installments|my bill)|payment (method|options?|due|failed)|due date|amount due)\b"),
    (Billing, 4.0, r"\b(accept|take|use) ([a-z]+ )?(apple pay|google pay|credit|checks?|cash|venmo|paypal|zelle|amex|cards?|debit|insurance|hsa|fsa)\b"),
    (Billing, 3.5, r"\b(resend|re-send|send|email|copy of|download|find) (me |us )?(a |the |my |our )?(copy of )?(the |my |our |an )?(invoice|receipt|statement|bill)s?\b"),
    (Billing, 2.0, r"\b(credit card|card on file|bank transfer|direct debit|ach|wire transfer|autopay|auto-pay|balance|deposit|late fee|overdue)\b"),
    (Billing, 2.5, r"\bcard (was |got |is |keeps getting )?declined\b|\bdeclined (card|payment)\b"),
    (Billing, 4.0, r"\bmake (the |a )?(check|cheque|payment)s? (out|payable)\b"),
    (Billing, 2.0, r"\b(got|received|sent) (a|the|my|an|this) (bill|invoice|charge|statement)\b"),
    (Billing, 4.0, r"\b(price|rate|bill|charge|fee|premium)s? (went|go|gone|has gone|increased|jumped|doubled)\b|\bprice (increase|hike)\b|\b(raised|increased) (my|our|the) (price|rate|fee)|\bmy [a-z]+ (price|rate|fee)\b"),
    // complaint
    (Complaint, 3.5, r"\b(disappointed|disappointing|unacceptable|not acceptable|terrible|horrible|awful|worst|ridiculous|outrageous|furious|angry|upset|unhappy|not happy|frustrat[a-z]*|fed up|rude|unprofessional|incompetent|useless|pathetic|disgusted|appalled|shocked|dissatisfied|not satisfied|complain[a-z]*|sloppy|lousy|never again|disrespectful|dismissive|a joke|rip ?off|scammed|waste of (time|money)|bad experience|poor (service|quality|job|work|communication))\b"),
    (Complaint, 1.0, r"\bagain\b"),
    (Complaint, 1.5, r"\b((third|second|3rd|2nd|fourth|fifth) time|in a row|i'm done|you people)\b|!!"),
    (Complaint, 3.0, r"\bexpected (much |a lot |way |far )?(better|more)\b|\breport(ing)? (this|you) to\b"),
    (Complaint, 2.5, r"\b(nobody|no one|no-one|never)( ever)? (call|calls|called|got back|gets back|respond|responds|responded|showed|shows|came|comes|told|answered|answers|returned|returns)\b|\bno[- ]shows?\b|\bcalled (\d+|two|three|four|several|multiple|many) times\b"),
    (Complaint, 3.5, r"\bwhat kind of (business|company|service|place|operation) is this\b|\b(got sick|food poisoning|this is serious)\b"),
    (Complaint, 2.5, r"\b(hear from|speak (to|with)|talk (to|with)) (a|the|your) (manager|owner|supervisor)\b"),
    (Complaint, 2.0, r"\b(waiting|waited) (for )?(over |more than |almost )?(an|a|\d+|two|three|four|several|a few|many) (hours|days|weeks|months)\b|\bon hold\b"),
    (Complaint, 2.5, r"\b(showed up|arrived|came) [a-z ]{0,20}late\b|\b(hours|an hour|days) late\b"),
    (Complaint, 2.0, r"\b(damaged|ruined|scratched|stained|tracked mud|didn't finish|did not finish|half done|not finished|left a mess|messed up|still dirty)\b"),
    (Complaint, 2.5, r"\byour [a-z]+(er|or|ist|ian|man|men)s? ([a-z]+ )?(cut|left|broke|damaged|ruined|forgot|never|didn't|scratched|lost|missed|skipped|yelled|ignored|dropped|hit)\b"),
    (Complaint, 3.0, r"\b(your|the) (technician|tech|crew|driver|cleaners?|staff|guy|guys|installer|plumber|contractor|workers?|team|employee|stylist|mechanic|movers?|trainer|painters?|receptionist|nurse|doctor|server|waiter)s? ([a-z]+ )?(left|broke|damaged|ruined|forgot|never|didn't|did not|was|were|showed|scratched|lost|missed|skipped|yelled|ignored|hung up|lied)\b"),
    (Complaint, 2.0, r"\b(want|demand|expect) (my money back|a full refund|someone to|a manager|to speak to (a|the) (manager|owner)|an explanation|compensation|this (to be )?(fixed|resolved|made right))\b|\bmade right\b"),
    (Complaint, 1.5, r"\b(promised|unless)\b"),
    (Complaint, 1.0, r"\bwrong\b"),
    (Complaint, 3.0, r"\b(leave|leaving|write|post) (a )?(bad |negative |1-star |one-star )?review\b"),
];
