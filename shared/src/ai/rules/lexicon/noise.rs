//! Messages that need no task: opt-outs, unsolicited offers and phishing, and
//! greetings, thanks, small talk or unclear text.

use crate::domain::Intent::{self, *};

#[rustfmt::skip]
pub const PATTERNS: &[(Intent, f32, &str)] = &[
    // opt-out
    (OptOut, 6.0, r"\A\W*(stop|stop all|stopall|unsubscribe|unsub|end|quit|optout|opt out|opt-out|remove me|cancel all|please stop)\W*\z"),
    (OptOut, 5.0, r"\bunsubscribe\b"),
    (OptOut, 5.0, r"\b(stop|quit|cease) (texting|messaging|emailing|calling|contacting|sending|spamming)\b"),
    (OptOut, 5.0, r"\b(remove|delete) (me|my (number|email|e-mail|name|details|info|address))\b"),
    (OptOut, 5.0, r"\b(take me off|opt (me )?out|unsubscribe me|leave me alone)\b"),
    (OptOut, 5.0, r"\b(don't|do not|dont|never) (contact|text|email|call|message) me\b"),
    (OptOut, 4.0, r"\bremove (this|my|the) (number|email|address|contact)\b|\bfrom your (texts|text list|list|messages|emails|mailing list)\b"),
    (OptOut, 4.0, r"\bno (more|further) (texts|messages|emails|calls|marketing)\b"),
    (OptOut, 5.0, r"\b(don't|do not|dont) want (any |to receive )?(more |further )?(marketing |promotional |sales )?(texts|messages|emails|calls|mail)\b"),
    (OptOut, 2.0, r"\b(mailing list|email list|your list|this list|newsletter|marketing (messages|emails|texts))\b"),
    // spam
    (Spam, 2.0, r"\bguarantee(d)?\b"),
    (Spam, 4.0, r"#1 on google|first page of google|page one of google|rank(ing)? #?1\b|top of google"),
    (Spam, 1.0, r"\b(seo|web design|backlinks|followers|traffic|leads|agency|top-rated|award-winning)\b"),
    (Spam, 3.0, r"\bwe (can|will) (get|help|grow|boost|increase|double|triple|generate|bring|drive|rank|build|design|create|develop|save)\b"),
    (Spam, 2.0, r"\bwe (help|offer|provide|specialize|have helped|work with businesses)\b|\breaching out (from|on behalf)\b"),
    (Spam, 4.0, r"\b(businesses like yours|companies like yours|business owners?|website owner|valued customer|account holder|grow your)\b"),
    (Spam, 2.0, r"\bdear (customer|user|sir|friend|member)\b"),
    (Spam, 3.0, r"\b(masterclass|webinar|seats are limited|register now|sign up now|free (ebook|training|e-book))\b"),
    (Spam, 4.0, r"\b(avoid arrest|arrest warrant|back taxes|irs notice|gift cards? as payment|wire (the )?(money|funds))\b"),
    (Spam, 4.0, r"\b(congratulations|you('ve| have) (won|been selected)|winner|claim (your|now|it|at|here)|prize|lottery|sweepstakes)\b"),
    (Spam, 4.0, r"\b(crypto|bitcoin|forex|investment opportunity|\d+% returns|returns guaranteed|make money|work from home|earn \$|pre-approved|cash advance|credit repair|guest post|link building)\b"),
    (Spam, 5.0, r"\b(enter|provide|confirm|update) your (email |account )?(password|credentials|login details|bank details|ssn)\b|\bopen the attachment\b"),
    (Spam, 4.0, r"\bwe are a (leading|top|trusted|full-service|award-winning|premier)\b|\b(contact|call|email) us (for|today|now)\b"),
    (Spam, 4.0, r"\b(verify|confirm|validate|restore) (your )?(account|identity|details|information|login|password|access)\b"),
    (Spam, 5.0, r"\byour [a-z ]{0,15}(account|id|card|package|parcel|payment|mailbox) (has been|is|was) (locked|suspended|disabled|compromised|on hold|limited|blocked|flagged)\b"),
    (Spam, 3.0, r"\b(suspend[a-z]*|unusual activity|mailbox|storage is full|within 24 hours|click (here|the link|below)|link below|avoid (suspension|deactivation|return|closure|penalty))\b"),
    (Spam, 3.0, r"\b(bit\.ly|tinyurl|goo\.gl|t\.co)/|\b(visit|go to|click|log ?in at) [a-z0-9-]+\.(co|com|info|net|biz|xyz|io|me|online|site|top)\b"),
    (Spam, 2.0, r"\b(reply (now|for|yes)|limited time|act now|free audit|no obligation|risk[- ]free|dm (me|for)|fraction of the cost|1/3 the cost)\b"),
    (Spam, 3.0, r"\b(email lists?|contact lists?|leads? (per|a|every) (month|week)|generate [0-9+ ]*leads|lead generation|virtual assistants?|offshore)\b"),
    (Spam, 3.0, r"\b(i|we) (noticed|came across|found|saw) (that )?your (website|site|business|listing|company|blog|instagram|page|reviews|social media|online presence)\b"),
    (Spam, 2.0, r"\b(i'd|i would|we'd|we would) love to (write|help you grow|design|build|create|manage|redesign|handle your)\b|\bfreelance\b"),
    (Spam, 2.5, r"\b(our|my) (team|agency|company|firm) (of [a-z]+ )?(can|will|offers?|provides?|specializes?|helps?)\b"),
    (Spam, 6.0, r"\b(reply|text) stop to (unsubscribe|opt out|end|stop)\b"),
    // other
    (Other, 4.0, r"\A\W*(hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening))( there| team| all| guys| folks)?\W*\z"),
    (Other, 4.0, r"\A\W*((ok|okay|k|kk|sounds good|great|perfect|cool|got it|will do|noted|awesome|yes|yep|no|nope|sure|thanks|thank you|thx|ty|much appreciated|appreciate it|see you( then| soon| tomorrow| there| [a-z]+day| next [a-z]+)?|thanks again|all good|no worries|lol|haha|never ?mind|test|testing)( so much| a lot| again| very much)?\W*)+\z"),
    (Other, 2.5, r"\bthank(s| you)( so much| very much)? (for|to)\b|\bjust wanted to (say|let you know)\b"),
    (Other, 2.0, r"\b((great|amazing|excellent|awesome|fantastic|wonderful) (job|work|service|experience)|loved it|love it|well done|definitely be back)\b"),
    (Other, 3.0, r"\b(running|be|am|i'm|we're|are) [a-z0-9 ]{0,15}\blate\b|\bon (my|our) way\b|\bbe there in\b"),
    (Other, 2.5, r"\b(real person|a bot|a robot|an ai|human or|who is this|who's this)\b"),
    (Other, 4.0, r"\bwrong (number|person)\b"),
    (Other, 3.5, r"\bare (you|u|y'all|yall|you guys|you all) hiring\b|\b(job (opening|application)s?|apply for (a|the) (job|position)|my resume|looking for (a )?(job|work))\b"),
    (Other, 3.0, r"\b(i'll|i will|we'll|we will) (review|think|discuss|talk it over|get back|let you know|check with|look over|be in touch|circle back)\b|\bget back to you\b"),
    (Other, 3.0, r"\b(bye|goodbye|happy holidays|merry christmas|happy new year|have a (great|good|nice) (day|weekend|one)|hope you('re| are) (doing )?well|just (browsing|looking)|anyone there|are you there|following up on our conversation)\b|\A\W*i'm (outside|here)\b"),
    (Other, 1.5, r"\b(attached|signed contract|looking forward|just checking in|fyi|heads up|got it)\b"),
];
