//! Changes to an existing appointment, booking, membership or contract: moving it or
//! calling it off.

use crate::domain::Intent::{self, Cancel, Reschedule};

#[rustfmt::skip]
pub(super) const PATTERNS: &[(Intent, f32, &str)] = &[
    // reschedule
    // From one held slot to another: "move the truck from the 3rd to the 10th", "lessons move from Tuesdays to Wednesdays".
    (Reschedule, 5.0, r"\b(move|moved|push|pushed|change|changed|switch|shift|bump)\b[^.?!\n]{0,40}\bfrom (the )?([a-z]+days?|\d{1,2}(st|nd|rd|th)?|\d{1,2}(:\d\d)? ?(am|pm)|morning|afternoon|evening|tomorrow|today|this week|next week) to (the )?([a-z]+days?|\d{1,2}(st|nd|rd|th)?|\d{1,2}(:\d\d)? ?(am|pm)|morning|afternoon|evening|tomorrow|today|this week|next week|later|earlier)\b"),
    (Reschedule, 5.0, r"\bre-?(schedul|schedual|shedul|scedul|sked)"),
    (Reschedule, 5.0, r"\b(move|push|change|shift|switch|bump|swap)( up| back| forward| out)?\s+(my|our|the|his|her|their|it|this|that|[a-z]+'s|[a-z]+day)\b[^.?!\n]{0,30}?\b(appointment|appt|booking|meeting|call|consult[a-z]*|session|reservation|visit|cleaning|lesson|class|demo|date|time|slot|delivery|pickup|install[a-z]*|grooming|massage|facial|haircut|cut|exam|checkup|tour|showing|inspection|shoot|photoshoot|tutoring|training|surgery|procedure|service|job|move|it|walkthrough|walk-through|viewing|fitting|tasting|appraisal|interview|kickoff|kick-off|orientation|onboarding|estimate|measurement|walk through|pick-up|drop-off|dropoff|reading|treatment|adjustment|checkup|check-up|physical|test drive|rehearsal|session)\b"),
    (Reschedule, 4.0, r"\b(move|push|bump|shift|switch|change) (my|our|the|his|her|their) ([a-z-]+ ){1,2}(to|until|till) (next|this|the following|the [0-9]+|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{1,2}(:\d\d)? ?(am|pm)|later|earlier)\b"),
    (Reschedule, 3.0, r"\b(move|push|bump) (it|this|that|things|us|me)\b"),
    (Reschedule, 3.0, r"\b(a different|another|a new|a later|an earlier) (day|date|time|slot)\b"),
    (Reschedule, 4.0, r"\bpostpone"),
    (Reschedule, 2.0, r"\bfrom [a-z]+day to [a-z]+day\b"),
    (Reschedule, 1.0, r"\binstead\b"),
    (Reschedule, 3.0, r"\binstead of (this|that|the|my|our) (one|time|date|day|appointment|slot)\b|\binstead of ([a-z]+day|tomorrow|tmrw|today|tonight|the \d{1,2}(st|nd|rd|th)|\d{1,2}(:\d\d)? ?(am|pm))\b"),
    (Reschedule, 1.5, r"\b(can't|cannot|won't|will not|not going to|unable to) make (it|my|our|the)\b"),
    (Cancel, 1.5, r"\b(can't|cannot|won't|will not|not going to|unable to) make (it|my|our|the)\b"),
    (Reschedule, 4.0, r"\b(push|move|bump) (it|this|that|things|us|me|my [a-z']+|our [a-z]+|the [a-z]+) (back|out|forward|up|later|earlier|ahead)\b"),
    (Reschedule, 5.0, r"\bcancel\b[^.?!\n]{0,40}\b(and|then|to) (re-?book|re-?schedule|book (another|a new|for|it for)|move it|pick another|find another)\b"),
    (Reschedule, 4.0, r"\brebook"),
    (Reschedule, 3.0, r"\b(change|move|switch|update) (the )?(date|time|day) (of|for|on) (my|our|the|his|her)\b"),
    (Reschedule, 2.5, r"\b(have|got|there's) a (conflict|clash)\b"),
    (Reschedule, 2.5, r"\b(i'm|i am|we're|we are) (booked|scheduled|down|signed up) (for|at|on)\b|\b(a )?(later|earlier) (slot|time|appointment|one|day)\b"),
    (Reschedule, 2.5, r"\b(won't|will not|can't|cannot|unable to|not going to|wouldn't|won't) be able to (come|make|attend|do|get)\b"),
    (Cancel, 1.5, r"\b(won't|will not|can't|cannot|unable to|not going to|wouldn't|won't) be able to (come|make|attend|do|get)\b"),
    (Reschedule, 3.5, r"\b(my|our|the) \d{1,2}(:\d\d)? ?(am|pm|o'clock)?\b[^.?!\n]{0,40}\binstead\b|\bcan (it|that|this|we) be\b[^.?!\n]{0,20}\binstead\b"),
    (Reschedule, 3.0, r"\b(day|date|time|slot|[a-z]+day|the \d{1,2}(st|nd|rd|th)|\d{1,2}(:\d\d)? ?(am|pm)|morning|afternoon|evening) (won't|doesn't|does not|will not|no longer|isn't going to|is not going to) work\b"),
    (Reschedule, 1.5, r"\bsomething came up\b"),
    // A booking the customer already has, and a reason they cannot keep it.
    (Reschedule, 3.5, r"\b(i|we) have (a|an|my|our) ([a-z-]+ ){0,2}(appointment|appt|booking|reservation|session|lesson|class|consult|consultation|cleaning|grooming|groom|visit|install|inspection|tour)\b[^.?!\n]{0,60}\b(but|and) [^.?!\n]{0,40}\b(can't|cannot|won't|wont|unable|out of town|away|sick|a conflict|not going to)\b"),
    (Reschedule, 3.5, r"\b((could|can) (we|i)|(we|i) (could|can)) (do|make it|try|come|go with|switch to|change (it )?to) [^.?!\n]{0,25}\binstead\b"),
    (Reschedule, 1.5, r"\b(can't|cannot|won't|will not|wont|not) (be )?(coming|come) (in|to|on|tomorrow|today|this|after all)\b"),
    (Reschedule, 5.0, r"\b(move|push|bump|switch|change|shift) (my|our|the|his|her) \d{1,2}(:\d\d)? ?(am|pm|o'clock)?\b"),
    (Reschedule, 3.5, r"\b(can't|cannot|won't|unable to) make (it|my|our|the)\b[^?]{0,40}\b(can|could) (i|we) (come|do|make it|switch|move|try|go)\b"),
    (Reschedule, 2.0, r"\b(overslept|missed my (appointment|appt|session|class|lesson))\b"),
    (Reschedule, 3.0, r"\b(can't|cannot|won't|unable to) make (it|my|our|the)\b[^?]{0,60}\b(anything|another|other|different|instead|later|earlier)\b"),
    (Reschedule, 5.0, r"\b(appointment|appt|booking|session|reservation|meeting|call|lesson|class|visit|delivery|install[a-z]*|inspection|cleaning) (be |get )?(changed|moved|switched|pushed|bumped|rescheduled|shifted) (to|until|back)\b"),
    (Reschedule, 4.0, r"\b(switch|change|move|bump) (me|us|him|her|it) (over )?to (a |the )?(later|earlier|other|next|different|evening|morning|afternoon|weekend|[a-z]+day)\b|\b(switch|change|move) to (a |the )?(later|earlier|other|different) (one|session|class|time|slot|appointment|day|date|lesson)\b"),
    // cancel
    (Cancel, 2.5, r"\bcancel"),
    (Cancel, 4.0, r"\bcancel (an|a|my|our|the|this|that|it|tomorrow's|today's|[a-z]+day's|all my)\b|\b(please|like to|want to|need to|have to|going to) cancel\b"),
    (Cancel, 3.5, r"\b(not|won't|will not|don't want to|do not want to|not going to) (be )?renew(ing)?\b"),
    (Cancel, 3.5, r"\b(won't|will not|not|no longer|aren't|are not) (be )?(continuing|continue|needing|using) (with )?(the|our|your|this|my)\b"),
    (Cancel, 4.0, r"\b(terminate|discontinue|end|close|stop|quit|freeze|pause|delete|deactivate) (my|our|the) ([a-z-]+ ){0,2}(contract|subscription|membership|service|account|plan|lessons?|policy|lease|agreement|coverage|package|retainer|enrollment|deliveries)\b"),
    (Cancel, 2.0, r"\b(no longer need|don't need [a-z ]{0,20}anymore|call off|don't renew|do not renew)\b"),
    (Cancel, 3.0, r"\b(won't|will not|wont) (be )?need(ing)?\b"),
    (Cancel, 4.0, r"\b(cancle|cancl|canel|cansel|cancell)\b"),
    (Cancel, 6.0, r"\b(take|cross) (me|us|him|her) off (the|your) (schedule|calendar|books|roster)\b"),
    (Cancel, 3.0, r"\b(not|won't|will not|wont|don't|do not) (be )?(going ahead|go ahead|moving forward|proceed(ing)?)\b|\bdecided (not to|against)\b"),
    (Cancel, 2.0, r"\b(can't|cannot|won't|will not|wont|not) (be )?(coming|come) (in|to|on|tomorrow|today|this|after all)\b"),
    (Cancel, 3.0, r"\b(unenroll|withdraw) (me|my|him|her|us|our)\b|\b(pull|withdraw) (him|her|my [a-z]+|them) (out|from)\b"),
    (Cancel, 3.0, r"\b(not going to|won't|will not|wont|don't|do not) need (the|my|our|your|a) [a-z]+\b|\bskip (us|me|our|my|this week|this month)\b"),
    (Cancel, 3.0, r"\b(don't|do not|no need to) (come|show up|bother coming|send (anyone|someone))\b"),
    (Cancel, 2.5, r"\b(found|hired|went with|going with) (someone|somebody|another|a different) ([a-z]+ )?(else|company|provider|contractor|vendor|dentist|groomer|salon|firm)?\b"),
    (Cancel, 4.0, r"\b(count|take|leave) (me|us|him|her|them) out\b|\b(want|need|get|getting|like|let me|let us) out of (my|our|the|this) ([a-z]+ )?(contract|lease|membership|agreement|plan|subscription|package|program|commitment)\b"),
    (Cancel, 3.5, r"\b(pause|freeze|hold|suspend|skip|stop) (my |our |the |all |any )?(deliveries|delivery|membership|subscription|service|plan|lessons|classes|orders|box|boxes|shipments|cleanings|visits|sessions)\b[^.?!\n]{0,30}\b(for|until|while|till|through)\b|\b(accidentally|mistakenly|by mistake|double) booked\b|\b(delete|remove|drop) (the|one of|that|this|one|my) ([a-z0-9:]+ ){0,2}(one|ones|bookings?|appointments?|slots?|reservations?)\b"),
];
