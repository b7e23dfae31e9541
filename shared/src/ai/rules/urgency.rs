//! Urgency: high for emergencies, outages, same-day needs, strong complaints and
//! imminent deadlines; low for no-pressure questions, thanks, greetings, spam and
//! opt-outs; medium otherwise. What counts as pressure depends on the intent.

use std::sync::LazyLock;

use regex::Regex;

use super::compile as regex;

use crate::domain::{Channel, Intent, Urgency};

static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(urgent|urgently|asap|as soon as possible|right away|immediately|right now)\b|\b(need|needs|needed)\b[^.?!\n]{0,40}\bnow\b",
    )
});
static EMERGENCY: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(emergency|critical)\b"));
static CALM: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(not urgent|no rush|no hurry|not in a rush|not a rush|whenever (you|is) (can|convenient)|whenever you (have|get) (time|a chance|a minute|a sec)|when(ever)? you get a chance|at your (earliest )?convenience|not an emergency|no emergency|nothing urgent|effective immediately)\b",
    )
});
static SAME_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(today|tonight|this (morning|afternoon|evening))\b|\bsame[- ]day\b|\b(starts|begins|due|in|within) (\d+|a few|five|ten|fifteen|thirty) (min|mins|minutes)\b",
    )
});
static HAZARD: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(leak|leaking|flood|flooding|flooded|overflow|overflowing|burst|gas smell|smell (gas|smoke)|smells? of (gas|smoke|burning)|smells? like gas|smoke (coming|from|in|everywhere)|smoking|sparks|sparking|on fire|caught fire|water everywhere|(shooting|spraying|gushing|spewing) (everywhere|out|up|all over)|(water|sewage|sewer|rain) (is )?(pouring|gushing|spraying|pooling)|pouring (in|out|through|from|into)|gushing|smells? (hot|like burning|burnt|like smoke|like something burning)|burning (odor|smell)|melting|melted|scorch(ed|ing)|storm damage|tree fell|fallen tree|killing me|severe pain|in pain|bleeding|swollen|swelling|injur[a-z]*|locked out|stuck outside|(house|office|home|building|apartment|place|room|shop|store) is (freezing|boiling|sweltering|an oven)|backing up|backed up|water on the floor|not (keeping|holding) (temp|temperature)|soaked|waterlogged|locked (my|the|our) keys in|(smoke|fire|co|carbon monoxide|burglar) (alarm|detector)s? (is |are |keeps |won't stop )?(going off|beeping|sounding)|carbon monoxide|sewage|at risk|(power|heat|electricity|water|gas|internet|wifi|wi-fi|phones|phone lines?|network|service)('s| is| are| has been| have been| went) (out|down|dead)|getting (cold|hot)|freezing in|going bad|spoil(ed|ing)?|no (heat|heating|power|electricity|hot water|water|ac|a/c|air conditioning)|heat (won't|doesn't|isn't|will not)|\d{2,3} degrees|(house|home|apartment|place|office|inside|room|building)('s| is) (at|down to|only) \d{2}\b|blowing cold)\b",
    )
});
static OUTAGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(outage|blocking|blocked|(is|are|has been|have been|went|gone|been) (completely |totally )?(down|offline)|all [a-z ]{0,25}(failing|down|broken)|(nobody|no one|none of us|(we|staff|employees|customers|clients|users|patients|the team|everyone)( still)? (can't|cannot|are unable to))[a-z ]{0,20}(log ?in|sign ?in|access|work|check ?out|place orders|get in)|none of (our|the) [a-z ]{1,25}(work|working|are)|(login|log in|sign ?in|sso)\b[^.\n]{0,30}\b(fail|fails|failing|broken|error)|(in|on) production|production (is|site|server|database|app)|customers can't|lost (internet|power|connection|service|access|connectivity)|(can't|cannot|unable to|not able to) (take|accept|process|run|make|receive|answer) [a-z ]{0,12}(payments|cards|orders|transactions|sales|calls|bookings|appointments)|(lunch|dinner|morning|holiday|weekend) rush|whole (office|team|site|system)|line (out|to) the door|(giving|showing) (customers|clients|users|visitors|patients) (an? )?(error|blank|404|500|502)|(customers|clients|users|visitors|patients) (are )?(getting|seeing|hitting) (an? )?(error|blank|404|500|502)|(customers|clients|patients|guests) (are )?(waiting|stuck|walking out|leaving)|(shipping|delivering|running|falling) (late|behind)|(orders|payments|bookings|appointments|emails|calls|sales|transactions) (aren't|are not|can't|cannot|won't|not|stopped) (syncing|going through|coming (in|through)|processing|being (processed|delivered|received|sent))|(none of us|nobody|no one|we)( [a-z]+){0,4} (can|can't|cannot|are unable to)[a-z ]{0,10} (send|receive|get|print|connect|use)\b[a-z ]{0,15}(email|emails|calls|anything|the system|the internet|internet)|(can|could) only take cash|busiest (day|time|night|weekend)|losing [a-z ]{0,12}(money|sales|customers?|business|orders|revenue|data|inquiries|leads))\b",
    )
});
static STRONG: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(extremely|furious|worst|outrageous|disgusted|appalled|lawyer|legal action|sue|never again|formal complaint|filing a complaint|attorney general|insurance department|unless|report(ing)? (this|you)|my bank|bbb|chargeback|call me|contact me|speak to a manager|a manager|(speak|talk) (to|with) (the|a|your) (owner|manager|supervisor)|(cut|hurt|injured|burned|burnt|bit|bitten|nicked|lost) (my|our) (dog|cat|pet|puppy|kitten|child|son|daughter|kid|mom|dad|mother|father)|escalate|dog got out|unsafe|dangerous)\b",
    )
});
static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(by|before|until)\s+(today|tonight|tomorrow|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(the )?end of (the )?(day|week)|this week|eod)",
    )
});
static PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(hasn't|haven't|has not|have not|never|nobody|no one|no-one|still|not here|missing|lost|wrong|can't|cannot|unable|won't|didn't|did not|not received|isn't|invalid|(came|arrived|was|is) empty|damaged|broken|crushed|(days|weeks|months) ago|disappeared|vanished|wiped|problem|issue|broken|damaged|locked out|error|been a (week|while|month|few days)|been (\d+|two|three|four|five|six|several|a few|many|over a|almost a|nearly a) (days|weeks|months)|waiting|cracked|cracking|peeling|defective|faulty|chipped|came loose|fell off|stopped|threw up|vomit[a-z]*|expired|is (that|this|it) normal|running out|ran out|almost out|(\d+|a few|two|three|one) (days?|doses?|pills?) left)\b",
    )
});
/// Words of the problem list that say nothing is wrong ("I can't remember which day").
static NOT_A_PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(can't|cannot|couldn't) (remember|recall|wait|believe how|thank you enough)\b|\b(no|not a) problem\b")
});
static DISPUTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(charged|charge|charges|refund|overcharg[a-z]*|twice|double|duplicate|dispute|too much|extra|more than|quote was|amount|wrong (amount|bill|charge|invoice total)|bill is wrong|correct it|mistake|error|declined|failed|went up|go up|gone up|increase[ds]?|without notice|(charged|added|billed|hit with|got|gave|slapped with|a|the|this|that) [a-z$0-9 -]{0,20}fee (for|on|when|even|but|after|although|though)|fees? (that|which|i|we) (didn't|did not|never|wasn't|weren't)|remove (it|the)|waive|already paid|paid on|adjust|only (have|had|used|ordered|got|came|come|did|showed|worked|was here|were here)|(shows?|showing|lists?|listing|charged (me |us )?for|billed (me |us )?for) (two|three|2|3) (service calls|visits|charges|fees)|shouldn't|should not|denied|rejected)\b|\$\d|\bpaid\b[^.?!\n]{0,30}\b(but|and) (still|then|now)\b|\b(says|said|shows|showed|lists|listed)\b[^.?!\n]{0,40}\bbut\b",
    )
});
static QUESTION_START: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(^|[.!?\n]\s*)(hi|hello|hey)?\W*(do|does|are|is|what|which|can|could|would|will|how|who|where|when|any|r|u|ya|yall|y'all|you guys|just wondering|till|until|til)\b",
    )
});
/// The sender describes a need or a business of their own: a lead worth following up.
static PROSPECT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(interested|looking to|hiring|we're|we are|i run|i own|our (company|team|business|firm|clinic|office)|evaluating)\b",
    )
});
/// The customer has decided against the whole plan: nothing left to catch in time.
static CHANGED_MIND: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(decided|chosen|chose|going with (a|another|someone|somebody)|go with (a|another|someone|somebody)|went with|found (someone|somebody|another)|hired (someone|somebody|another)|another direction|hold off|holding off|on hold|fell through|changed (my|our) minds?|sold (the|our|my) [a-z]+|not (to )?(move|moving|go|going|proceed|proceeding) (forward|ahead))\b",
    )
});
/// What is or is not included, extra or free, or how it is charged: a question about the
/// price list, not a job.
static PRICE_POLICY: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(included|including|include|includes|extra|free|fee|fees|a charge|any charge|surcharge|trip charge|by the (hour|job|project|room|day)|per (hour|room|job|project|visit|day|person)|hourly|flat (rate|fee))\b",
    )
});
/// An outage named as the cause of a fault ("stopped after the power outage last week") is
/// over; the fault is what is reported.
static PAST_OUTAGE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(after|since|during) (the|a|an|that|last [a-z]+'s|yesterday's) ([a-z]+ )?outage\b"));
/// A quote for a named job ("the quote for a new AC unit", "your furnace replacement
/// quote"): a lead with work in view, however short.
static JOB_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(quote|estimate|bid) (for|on)\b|\b(replacement|install|installation|repair|remodel) (quote|estimate|bid|price)\b",
    )
});
static NEXT_DAY: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(tomorrow|tmrw|tonight)\b"));
static FAR_OFF: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(trial|free ([a-z-]+ ){0,2}(class|lesson|session|workout|pass)|next month|next year|in a few (weeks|months)|sometime in|no rush)\b",
    )
});

/// `text` is the normalised (lower-case) message, `timeline` the extracted one.
pub(super) fn assess(
    intent: Intent,
    channel: Channel,
    text: &str,
    timeline: Option<&str>,
    wants_human: bool,
) -> Urgency {
    use Intent::{
        Billing, Booking, Cancel, Complaint, OptOut, Other, Pricing, Reschedule, SalesInquiry, Spam, Support, Technical,
    };
    // A form or an e-mail takes effort to send: even a short price question there is a lead.
    let casual_channel = matches!(channel, Channel::Sms | Channel::Chat);
    let problem = PROBLEM.is_match(&NOT_A_PROBLEM.replace_all(text, ""));
    let calm = CALM.is_match(text);
    let asked = EXPLICIT.is_match(text) && !calm;
    let explicit = asked || (EMERGENCY.is_match(text) && !calm);
    let same_day = SAME_DAY.is_match(text);
    let deadline = timeline.is_some_and(|t| DEADLINE.is_match(&t.to_lowercase()));
    let words = text.split_whitespace().count();
    let high = |yes: bool, otherwise: Urgency| if yes && !calm { Urgency::High } else { otherwise };
    match intent {
        Spam | OptOut | Other => Urgency::Low,
        Technical => {
            // A broken tool with tomorrow's work depending on it is already an emergency.
            let imminent = deadline || timeline.is_some_and(|t| NEXT_DAY.is_match(&t.to_lowercase()));
            let outage = OUTAGE.is_match(&PAST_OUTAGE.replace_all(text, ""));
            high(explicit || same_day || imminent || HAZARD.is_match(text) || outage, Urgency::Medium)
        }
        Booking => {
            let low = if FAR_OFF.is_match(text) { Urgency::Low } else { Urgency::Medium };
            high(explicit || same_day || HAZARD.is_match(text), low)
        }
        Complaint => {
            // "treated badly today" is when it happened; "call me today" is when it is wanted.
            let wanted_today = timeline.is_some_and(|t| SAME_DAY.is_match(&t.to_lowercase()));
            high(explicit || wanted_today || deadline || STRONG.is_match(text), Urgency::Medium)
        }
        Pricing => {
            let short = words <= 12 && !text.chars().any(|c| c.is_ascii_digit());
            let policy = words <= 20 && PRICE_POLICY.is_match(text);
            let casual = casual_channel && timeline.is_none() && (short || policy) && !JOB_QUOTE.is_match(text);
            high(asked || same_day || HAZARD.is_match(text), if casual { Urgency::Low } else { Urgency::Medium })
        }
        SalesInquiry => {
            let quick_question =
                channel != Channel::Form && words <= 15 && QUESTION_START.is_match(text) && !PROSPECT.is_match(text);
            high(asked, if quick_question { Urgency::Low } else { Urgency::Medium })
        }
        Support => high(explicit, if problem || wants_human || deadline { Urgency::Medium } else { Urgency::Low }),
        Billing => high(explicit, if DISPUTE.is_match(text) { Urgency::Medium } else { Urgency::Low }),
        // The customer's own emergency ("a family emergency") is why they cancel, not a rush.
        Cancel if CHANGED_MIND.is_match(text) => high(asked, Urgency::Low),
        Reschedule | Cancel => high(asked, Urgency::Medium),
    }
}
