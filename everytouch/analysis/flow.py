"""The shape of the call: greeting, transfers and redirects, next step offered, promotions."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from everytouch.analysis._fold import folded, lower_pattern
from everytouch.analysis._words import ascii_runs, keeping
from everytouch.analysis.conversation import Conversation
from everytouch.analysis.signals import AGENT_TURN_CACHE, clip, sentence_texts, sentences

TransferKind = Literal["transfer", "redirect"]
NextStepKind = Literal["appointment", "quote", "callback", "link", "email", "visit", "message"]

GREETING_TURNS = 2
_GREETING = lower_pattern(
    r"\b(?:hello|hi|hey|good (?:morning|afternoon|evening|day)|welcome|greetings|howdy|"
    r"thanks? (?:you )?for (?:calling|contacting|reaching out|getting in touch|"
    r"your (?:call|message|e-?mail|patience|tweet))|how (?:can|may|could) (?:i|we) (?:help|assist)|"
    r"what can i do for you|you(?:'ve| have) reached|speaking)\b",
)
_TRANSFER = re.compile(
    r"\b(?:(?:transfer|transferring|put|putting|patch|patching|pass|passing|connect|connecting|"
    r"forward|forwarding|route|routing)\s+(?:you|your call|the call)\b(?:\s+(?:through|over|back))?"
    r"(?:\s+(?:to|with)\b)?|hand (?:you|this) (?:over|off)\b)",
    re.IGNORECASE,
)
_TRANSFER_NOT = re.compile(
    r"\b(?:can'?t|cannot|won'?t|unable to|don'?t need to|no need to)\b", re.I
)
# A redirect sends the customer somewhere else to get the matter handled
# (docs/analysis-labels.md): another team, company or number, another channel, or a form.
_ELSEWHERE = (
    r"(?:team|teams|department|dept|support|store|stores|branch|bank|carrier|provider|seller|"
    r"retailer|merchant|manufacturer|dealer|developer|publisher|issuer|insurer|office|desk|"
    r"line|hotline|helpline|center|centre|specialists?|experts?|agents?|representatives?|reps?|"
    r"advis[oe]rs?|consultants?|staff|colleagues|service|services|care|chat|site|website|"
    r"portal|forums?|community|page|pharmacy|airline|company|partner|landlord|lender|vendor|"
    r"organi[sz]er|app|bot|pop-?up|assistant|channels?)"
)
_CONTACT_VERB = (
    r"(?:contact(?:ing)?|call(?:ing)?|ring(?:ing)?|phon(?:e|ing)|dial(?:ling)?|text(?:ing)?|"
    r"reach(?:ing)?(?:\s+out)?(?:\s+to)?|get(?:ting)?\s+(?:you\s+)?in\s+touch\s+with|"
    r"speak(?:ing)?\s+(?:to|with)|talk(?:ing)?\s+(?:to|with)|chat(?:ting)?\s+(?:to|with)|"
    r"connect(?:ing)?\s+with|e-?mail(?:ing)?|messag(?:e|ing)|writ(?:e|ing)\s+to|"
    r"check(?:ing)?\s+with|ask(?:ing)?|get\s+help\s+from|rais(?:e|ing)\s+it\s+with|"
    r"tak(?:e|ing)\s+it\s+up\s+with|visit(?:ing)?|go(?:ing)?\s+to|head(?:ing)?\s+(?:over\s+)?to|"
    r"(?:stop|drop)(?:ping)?\s+by|pop\s+into|(?:tak(?:e|ing)|bring(?:ing)?)\s+it\s+(?:in\s+)?to)"
)
# Going to a web page is following a link (a next step) unless the page is where help is asked
# for: "visit your nearest store" and "go to our support site" redirect, "visit the settings
# page" does not.
_GO_TO = r"(?:visit(?:ing)?|go(?:ing)?\s+to|head(?:ing)?\s+(?:over\s+)?to)"
_WEB_PAGE = (
    r"(?<!support\s)(?<!help\s)(?<!contact\s)(?<!service\s)(?<!care\s)"
    r"(?:site|website|page|app|portal|chat|channels?|bot|pop-?up)\b"
)
_PHONE_NUMBER = (
    r"(?:\+?1[\s.-]?)?(?:\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}|\d{3,4}[\s.-]\d{3,4}[\s.-]\d{3,4}|"
    r"8\d\d[\s.-][a-z0-9]{2,4}[\s.-]?[a-z0-9]{3,5}\b)"
)
# Runs on folded text (_fold.py): the same matches as IGNORECASE on the text, several times faster.
_REDIRECT_PHONE = lower_pattern(
    rf"\b(?:{_CONTACT_VERB}\s+(?:[\w']+\s+){{0,3}}?|{_ELSEWHERE}\s*)(?:at|on|:|-)?\s*"
    rf"{_PHONE_NUMBER}",
)
_DIGITS = re.compile(r"\d{3}")
_FORM_VERB = (
    r"(?:submit(?:ting)?|creat(?:e|ing)|open(?:ing)?|fil(?:e|ing)|rais(?:e|ing)|log(?:ging)?|"
    r"lodg(?:e|ing)|fill(?:ing)?\s+(?:out|in)|complet(?:e|ing)|send(?:ing)?|start(?:ing)?|"
    r"mak(?:e|ing))"
)
_FORM_OBJECT = (
    rf"\b{_FORM_VERB}\s+(?:a|an|the|your|our|this|that|it\s+as\s+an?)\s+(?:[\w/-]+\s+){{0,3}}?"
    r"(?:request|ticket|case|report|form|appeal|claim|complaint|dispute|feedback|suggestion|"
    r"idea)s?\b"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ELSEWHERE_WORDS = _words(
    "team teams department departments dept support store stores branch branches bank banks "
    "carrier provider providers seller retailer merchant manufacturer dealer developer developers "
    "publisher issuer insurer office desk line hotline helpline center centre specialist "
    "specialists expert experts agent agents representative representatives rep reps advisor "
    "advisors adviser advisers consultant consultants staff colleague colleagues service services "
    "care chat site website portal forum forums community page pharmacy airline company partner "
    "partners landlord lender vendor organizer organiser app bot pop-up popup assistant channel "
    "channels"
)
_CONTACT_WORDS = _words(
    "contact contacting call calling ring ringing phone phoning dial dialling text texting reach "
    "reaching touch speak speaking talk talking chat chatting connect connecting email e-mail "
    "emailing message messaging write writing visit visiting go going head heading check "
    "checking ask asking help raise raising take taking other another different separate assist "
    "stop stopping drop dropping pop bring bringing"
)
_TOKEN = re.compile(r"[\w'-]+")
# _TOKEN's characters in lower-cased ASCII text, where \w is [a-z0-9_] (see turn_tokens).
_ASCII_TOKEN_CHARS = keeping("abcdefghijklmnopqrstuvwxyz0123456789_'-")
# A pattern, the word sets it needs a word of (each), and substrings it needs one of (if any).
_Triggered = tuple[tuple[frozenset[str], ...], tuple[str, ...], re.Pattern[str]]


def _redirect(
    words: tuple[str | frozenset[str], ...],
    pattern: str,
    substrings: tuple[str, ...] = (),
    flags: int = re.IGNORECASE,
) -> _Triggered:
    sets = tuple(_words(w) if isinstance(w, str) else w for w in words)
    return sets, substrings, re.compile(pattern, flags)


# A plain set or `in` test on the turn is far cheaper than a regex with many alternatives run
# at every word: each pattern runs only on turns holding the words it cannot match without.
_REDIRECTS: tuple[_Triggered, ...] = (
    # another team, company or party: "please contact our phone support", "call the store",
    # "our billing team can help", "there is another assistant that can help you with that"
    _redirect(
        (_ELSEWHERE_WORDS, _CONTACT_WORDS),
        rf"\b(?!{_GO_TO}\s+(?:\w+\s+){{0,5}}?{_WEB_PAGE}){_CONTACT_VERB}\s+(?:(?:the|our|your|"
        rf"their|a|an|its|that|this|one\s+of\s+our)\s+(?:[\w'&/-]+\s+){{0,4}}?|"
        rf"(?:[\w'&-]+\s+){{0,2}}?){_ELSEWHERE}\b|"
        rf"\b{_GO_TO}\s+(?:[\w'&-]+\s+){{0,4}}?{_WEB_PAGE}\s+(?:to\s+(?:get\s+)?|for\s+(?:further\s+|"
        r"more\s+)?)(?:help|assistance|support)\b|"
        rf"\b(?:another|a\s+different|a\s+separate|other)\s+(?:\w+\s+)?{_ELSEWHERE}\s+"
        r"(?:that|who|which)\s+(?:can|could|will|would|may)\s+(?:help|assist|handle)|"
        rf"\b(?:our|the|their|your)\s+(?:[\w'&/-]+\s+){{0,3}}?{_ELSEWHERE}\s+(?:\w+\s+){{0,2}}?"
        r"(?:may|might|can|could|will|would|should)\s+(?:be\s+)?(?:able\s+to\s+|happy\s+to\s+|"
        r"glad\s+to\s+)?(?:help|assist)",
    ),
    _redirect(
        ("them seller sender merchant",),
        r"\b(?:contact|call|ring|reach\s+out\s+to|get\s+in\s+touch\s+with|speak\s+(?:to|with)|"
        r"talk\s+to)\s+(?:them|the\s+seller|the\s+sender|the\s+merchant)\b",
    ),
    # a named company: "You can contact AT&T directly here", "get in touch with YT Premium"
    _redirect(
        ("contact reach touch call",),
        r"\b(?i:contact|reach\s+out\s+to|get\s+in\s+touch\s+with|call)\s+[A-Z][\w&;.-]*",
        flags=0,
    ),
    _redirect(
        ("need have", "you you'll you'd"),
        rf"\byou(?:'ll|'d|\s+will|\s+would)?\s+(?:need|have)\s+to\s+{_CONTACT_VERB}\b",
    ),
    # another channel: "send us a DM", "email us", "contact us here", "via phone/chat support"
    _redirect(
        (
            "send drop shoot dm dms e-mail email message call ring text phone contact contacting "
            "reach reaching touch find via in to into over through give",
            "us me dm dms message",
        ),
        r"\b(?:send|drop|shoot)\s+(?:us|me)\s+(?:an?\s+)?(?:quick\s+|private\s+|direct\s+)?"
        r"(?:dm|pm|direct\s+message|private\s+message|message|e-?mail|note|line)\b|"
        r"\b(?:send|drop|shoot)\s+(?:an?\s+)?(?:dm|direct\s+message|private\s+message)\b|"
        r"\b(?:to|in|into|over|through|via)\s+(?:our\s+|the\s+)?dms\b|\bgive\s+us\s+a\s+"
        r"(?:call|ring|shout\s+(?:by|via|in)\s+(?:dm|direct|private))\b|"
        r"\b(?:dm|e-?mail|message|call|ring|text|phone)\s+us\b|\bvia\s+(?:dm|direct\s+message|"
        r"private\s+message)\b|\bin\s+(?:a\s+)?(?:dm|direct\s+message|private\s+message)\b|"
        r"\b(?:contact(?:ing)?|reach(?:ing)?(?:\s+out\s+to)?|get\s+in\s+touch\s+with|find|call)\s+"
        r"us\s+(?:here|at|via|through|by|on|using|directly|for|over|in)\b",
    ),
    _redirect(
        ("reply respond write", "ticket e-mail email case"),
        r"\b(?:reply|respond|write)\s+(?:back\s+)?to\s+(?:(?:the|your|our|that|this)\s+)?"
        r"(?:\w+\s+)?(?:ticket|e-?mail|case)\b",
    ),
    _redirect(
        ("chat support prompts",),
        r"\b(?:phone|live|web)\s*(?:/\s*\w+\s*)?(?:chat|support)\b|\bplease\s+chat\b|"
        r"\bchat\s+with\s+us\b|\bfollow(?:ing)?\s+the\s+prompts\b",
    ),
    _redirect(
        (),
        r"\b(?:forward|send|e-?mail|report)\s+(?:[\w,']+\s+){0,6}?to\s+[\w.+-]+@[\w-]+\.",
        ("@",),
    ),
    # a form or request page the customer is told to use: "submit a request here", "create a
    # ticket", "you can appeal" ("I can file a report for you" keeps the matter here)
    _redirect(
        (
            "request requests ticket tickets case report reports form forms appeal appeals claim "
            "complaint dispute feedback suggestion suggestions idea ideas",
            "submit submitting create creating open opening file filing raise raising log logging "
            "lodge fill filling complete completing send sending start starting make making",
        ),
        rf"(?:\b(?:please|pls|you\s+(?:can|could|may|might|should|will\s+need\s+to|"
        r"'ll\s+need\s+to|need\s+to|have\s+to)|(?:encourage|recommend|suggest|advise)"
        rf"(?:\s+you\s+to|\s+that\s+you)?|can\s+you|could\s+you|feel\s+free\s+to)\s+(?:\w+\s+)?|"
        rf"(?:^|(?<=[.!?\n]))\W*){_FORM_OBJECT}|{_FORM_OBJECT}\s+(?:\w+\s+){{0,3}}?(?:here|at|"
        rf"online|through|via|using|on\s+our)\b|{_FORM_OBJECT}\s*:",
    ),
    _redirect(
        ("submit appeal review feedback suggestions suggestion ideas idea feature",),
        r"\bsubmit\s+(?:your|this|it|them)\b|\b(?:you\s+can|please)\s+appeal\b|"
        r"\b(?:instructions|steps|learn|see|check|find\s+out|here'?s|article|page|link|guide)\b"
        r"[^.?!]{0,30}?\bhow\s+to\s+appeal\b|\b(?:you\s+can|please)\s+request\s+(?:for\s+)?an?\s+review\b|"
        r"\b(?:share|send)\s+(?:your|any)\s+(?:[\w/-]+\s+){0,2}?(?:feedback|suggestions?|ideas?)\b|"
        r"\bvot(?:e|ing)\s+(?:for|on)\s+(?:the|this|that|your)\s+idea|\bfeature\s+request\b",
    ),
    _redirect(
        ("report", "it this them that to"),
        r"\breport\s+(?:it|this|them|that)\s+(?:by|through|via|using|to|on|here|at)\b|"
        r"\bto\s+report\b[^.?!]{0,80}?\b(?:review|follow|visit|see|use|go\s+to|fill|submit|"
        r"contact)\b",
    ),
    _redirect(
        ("flag here form link",),
        r"\bflag\s+(?:it|this|the|that)\s+(?:[\w-]+\s+){0,2}?(?:for\s+review|here)|"
        r"\b(?:share|provide|send|submit|enter|leave|request)\s+(?:[\w/-]+\s+){0,4}?here\s*:?\s*"
        r"(?:https?://|www\.)|\b(?:through|via|using|on|in|with)\s+(?:this|the|our)\s+(?:\w+\s+)?"
        r"form\b|\b(?:here|this\s+link|the\s+link(?:\s+below)?|this\s+form|the\s+form)\b"
        r"[^.?!]{0,40}?\bso\s+(?:that\s+)?(?:we|someone|our\s+\w+|an?\s+\w+|they)\s+"
        r"(?:can|may|could|will)\b",
    ),
    # a link to a contact or request page
    _redirect(
        (),
        r"/requests?/new\b|contact[-_]?support|/contact(?:[-_]?us)?\b|getsupport",
        ("/request", "contact", "getsupport"),
    ),
    # a private channel: "so we may assist you one-on-one", "with you 1:1"
    _redirect(
        (),
        r"\byou\s+(?:\w+\s+)?(?:one-on-one|one\s+on\s+one|1:1|1-on-1)|"
        r"\b(?:one-on-one|1:1|1-on-1)\s+(?:support|help|chat|assistance)\b",
        ("one", "1:1", "1-on-1"),
    ),
    # not handled here: "we cannot assist with travel inquiries over social media"
    _redirect(
        (
            "can't cannot unable able",
            "assist help handle discuss address look access support",
        ),
        r"\b(?:can'?t|cannot|are\s+unable\s+to|aren'?t\s+able\s+to|am\s+unable\s+to|"
        r"not\s+able\s+to)\s+(?:assist|help|handle|discuss|address|look\s+into|access|support)\b"
        r"[^.?!]{0,60}?\b(?:over|via|on|through|in|here\s+on)\s+(?:social\s+media|twitter|"
        r"this\s+(?:channel|forum|platform|thread)|chat|social|a\s+public|public)",
    ),
    # "For customer service, please call ...", "For technical help, please visit our Help site"
    _redirect(
        (
            "for",
            "help support service assistance inquiries enquiries questions concerns issues matters",
        ),
        r"\bfor\s+(?:[\w-]+\s+){0,4}?(?:help|support|service|assistance|inquiries|enquiries|"
        rf"questions|concerns|issues|matters),?\s+(?:please\s+)?{_CONTACT_VERB}\b",
    ),
    _redirect(
        ("handled department question something",),
        r"(?:that|this)(?:'s| is) (?:handled by|a different department|not something we handle|"
        r"a question for)|wrong department|different department|another department",
    ),
)
# "Should you have other concerns, DM us", "send us a DM anytime": an open door, not a redirect;
# "I'll call the store", "I can help you file a report": the agent acts, the customer stays.
_REDIRECT_NOT = re.compile(
    r"\b(?:other|further|additional|more|any\s+other|new)\s+(?:questions?|concerns?|issues?|"
    r"queries|problems?)|\bany\s*time\b|\banything\s+else\b|\bin\s+the\s+future\b|"
    r"\b(?:don'?t|do\s+not|no\s+need\s+to|won'?t\s+need\s+to|needn'?t)\s+(?:\w+\s+){0,2}"
    r"(?:call|contact|reach|visit|go|e-?mail|send|submit|speak|talk|create|open|file)|"
    r"\b(?:i|we)(?:'ll|\s+will|\s+can|\s+could|\s+am\s+going\s+to|'m\s+going\s+to|'ve|"
    # ... someone else: "I'll call the store"; "DM us and we'll call you" still redirects
    r"\s+have)\s+(?:\w+\s+)?(?:(?:contact|call|reach|e-?mail|message|text|speak|talk|get\s+in|"
    r"connect|chat|escalate|ask|check)(?:\s+(?:with|to|out\s+to|in\s+touch\s+with))?\s+"
    r"(?:the|our|their|them|an?)\b(?<!check\sthe)(?<!check\sour)|"
    r"(?:submit|file|create|open|raise|log)\s+(?:an?|the)\b)|"
    r"\blet\s+me\s+(?:\w+\s+)?(?:contact|call|reach|submit|file|create|open|raise|log|"
    r"connect|check|ask|escalate)\b|\b(?:help\s+you|like\s+(?:me\s+)?to|want\s+(?:me\s+)?to)"
    r"\s+(?:\w+\s+)?(?:file|submit|create|open|raise|log|lodge|make)\b",
    re.IGNORECASE,
)
# Words without which _TRANSFER cannot match.
_TRANSFER_WORDS = _words(
    "transfer transferring put putting patch patching pass passing connect connecting forward "
    "forwarding route routing hand"
)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]{2,300}", re.IGNORECASE)
# The next-step patterns run on folded text (see _fold.py): IGNORECASE's matches, faster.
_NEXT_STEPS: tuple[tuple[NextStepKind, re.Pattern[str]], ...] = (
    ("appointment", lower_pattern(
        r"\b(?:(?:book|schedule|set up|arrange|make|reserve)\s+(?:you\s+)?(?:in\s+)?"
        r"(?:an?\s+|the\s+|your\s+)?(?:appointment|meeting|viewing|demo|consultation|visit|call|slot|time|"
        r"reservation|table|room|fitting|test drive|tour)|"
        r"(?:can|shall|should|may) i (?:book|reserve|schedule|confirm)|come in (?:for|on|at)|"
        r"(?:are|is) (?:available|free) (?:at|on)|would you like (?:me )?to (?:book|schedule)|"
        # done in the conversation: "I have booked it", "your reservation is confirmed"
        r"(?:i|we)(?:'ve|'ll| have| will)?\s+(?:now\s+|just\s+|successfully\s+|also\s+)?"
        r"(?:booked|scheduled|reserved|arranged|confirmed|set up|completed (?:this|the|your))\b|"
        r"(?:your|the) (?:[\w'-]+ ){0,3}?(?:appointment|booking|reservation|meeting|viewing|"
        r"flight|table|room|ride|party|rsvp|visit|tour|slot|consultation)s? [^.!?]{0,40}?"
        r"(?:is|are|has been|have been|was)\s+(?:now\s+|all\s+)?(?:done\s+and\s+)?"
        r"(?:successfully\s+)?(?:booked|scheduled|reserved|confirmed|arranged|set up|made)\b)")),
    ("quote", lower_pattern(
        r"\b(?:(?:send|email|get|give|put together|prepare|draw up|work up)\s+(?:you\s+)?"
        r"(?:an?\s+|the\s+)?(?:written\s+|formal\s+|free\s+)?(?:quote|estimate|proposal|quotation))")),
    ("callback", lower_pattern(
        r"\b(?:call (?:you )?back|ring you back|give you a call|call you (?:tomorrow|today|on|at|"
        r"later|this|next)|(?:get|reach|follow) (?:back )?(?:to|with|up with) you|follow(?:-| )up|"
        r"(?:i|we)(?:'ll| will| shall)\s+(?:\w+\s+)?(?:contact|reach out to|get in touch with) "
        r"you)")),
    ("email", lower_pattern(
        r"\b(?:(?:send|email|e-mail|text|mail)\s+(?:you|over)\s+(?:the |an? |some |more )?"
        r"(?:details|info|information|link|brochure|form|confirmation|instructions|summary|"
        r"paperwork|contract|invoice|catalog(?:ue)?))")),
    ("message", lower_pattern(
        r"\b(?:dm us|send us a (?:dm|direct message|private message|message)|direct message|"
        r"reach (?:out to )?us (?:via|by|through|in) (?:dm|direct message)|message us|"
        r"(?:contact|reach) us (?:at|via|on|through)|send us an? (?:e-?mail|note|request)|"
        r"submit (?:a|your|the) (?:ticket|request|case|form)|"
        # a ticket or case opened in the conversation: "your report has been submitted"
        r"(?:your|the) (?:[\w'-]+ ){0,2}?(?:report|ticket|case|request|claim|complaint)s? "
        r"(?:is|has been|have been|was)\s+(?:now\s+)?(?:successfully\s+)?(?:submitted|filed|"
        r"created|opened|logged|raised|received|processed)\b|(?:i|we)(?:'ve| have)\s+"
        r"(?:now\s+|just\s+)?(?:submitted|filed|opened|created|logged|raised) (?:a|an|the|your)\b|"
        # offered: "I can help you file a fraud report", "would you like me to open a case?"
        r"(?:(?:i|we)(?: can|'ll| will| could)(?: help you)?|(?:like|want)(?: me)? to) "
        r"(?:file|open|submit|raise|log|create|start) (?:a|an|the|your) (?:[\w'-]+ ){0,2}?"
        r"(?:report|ticket|case|claim|complaint)s?\b|"
        r"(?:contact|reach out to|call) "
        r"(?:our|the) (?:support|help|customer|care|service|account|billing)[a-z ]{0,20}"
        r"(?:team|line|desk|department|experts))")),
    ("visit", lower_pattern(
        r"\b(?:(?:stop|come|drop) (?:by|in)|visit (?:us|our|the)|pop in|see you (?:on|at|then|"
        r"tomorrow|there)|will (?:come (?:by|over|round|to)|visit you|knock|stop by))")),
    ("link", lower_pattern(
        r"\b(?:here(?:'s| is) (?:the |a )?(?:link|how)|(?:check out|see|visit|follow|go to|head "
        r"(?:over )?to|read|review|refer to|try|use|look at|work through|working through) "
        r"(?:the |this |our |these |that )?(?:following |linked )?(?:link|article|page|guide|"
        r"steps|website|site|help center|support page|faq|locator|troubleshooting|tips|blog|"
        r"instructions|recommendations|announcement|post)|(?:steps|info|details|more|article|guide|"
        r"page|tips|instructions|faq|options?|form) (?:listed |outlined |found )?here|"
        r"(?:this|the following|our) (?:article|guide|page|link|faq) (?:may|might|should|will|"
        r"can|explains|has|covers)|here(?:'s| is| are) (?:an?|the|more|why|what|how|some)|"
        r"(?:with|use|try) (?:these|the following) (?:tips|steps)|more info(?:rmation)?:|"
        r"(?:in|on) this (?:article|page|guide))")),
)  # fmt: skip
# Words (lower case) without which each kind's pattern cannot match (a word of each set).
_NEXT_STEP_WORDS: dict[NextStepKind, tuple[frozenset[str], ...]] = {
    "appointment": (
        _words(
            "book schedule set arrange make reserve confirm come available free booked "
            "scheduled reserved arranged confirmed completed made"
        ),
    ),
    "quote": (_words("quote estimate proposal quotation"),),
    "callback": (_words("call ring get reach follow follow-up contact"),),
    "email": (_words("send email e-mail text mail"), _words("you over")),
    "message": (
        _words(
            "dm direct message reach contact send submit submitted filed opened created logged "
            "raised received processed call file open raise log create start"
        ),
    ),
    "visit": (_words("stop come drop visit pop see knock"),),
    "link": (
        _words(
            "here here's check see visit follow go head read review refer try use look work "
            "working article guide page link faq tips steps info information"
        ),
    ),
}
# Words too common to identify a promotion: "the Spring Sale" is found by {spring, sale}.
_STOP_WORDS = frozenset(
    {"the", "a", "an", "our", "your", "this", "that", "of", "and", "for", "on", "in", "at", "to",
     "with", "new", "current", "big", "great", "special", "offer", "offers", "deal", "deals",
     "promo", "promotion", "promotions", "event"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mention:
    """A turn index and the sentence quoted as evidence."""

    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class Transfer:
    kind: TransferKind
    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class NextStep:
    kind: NextStepKind
    turn: int
    quote: str


@dataclass(frozen=True, slots=True)
class Promotion:
    """A current promotion: its name and optional extra phrases that also count as a mention."""

    name: str
    keywords: tuple[str, ...] = ()
    tokens: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", significant_tokens(self.name))


@dataclass(frozen=True, slots=True)
class PromotionMention:
    promotion: str
    turn: int
    quote: str


class PromotionsError(ValueError):
    """A promotions file that cannot be read; the message names the file and the reason."""


def greeting(conv: Conversation) -> Mention | None:
    """The agent's greeting in their first turns, if any."""
    seen = 0
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent":
            continue
        quote = _turn_greeting(turn.text)
        if quote is not None:
            return Mention(index, quote)
        seen += 1
        if seen >= GREETING_TURNS:
            break
    return None


# Agents open with the same few greetings: most first turns are answered from this cache.
@lru_cache(maxsize=AGENT_TURN_CACHE)
def _turn_greeting(text: str) -> str | None:
    """The quote of the greeting in one agent turn, if any. Cached (see AGENT_TURN_CACHE)."""
    match = _GREETING.search(folded(text))
    return None if match is None else clip(_sentence_at(text, match.start()))


def _sentence_at(text: str, offset: int) -> str:
    for start, sentence in sentences(text):
        if start <= offset < start + len(sentence) + 2:
            return sentence
    return text


# Which patterns each word can start a match for (the first word set of each pattern).
def _by_word() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, (word_sets, _, _) in enumerate(_REDIRECTS):
        for word in word_sets[0] if word_sets else ():
            index.setdefault(word, []).append(position)
    return index


_BY_WORD = _by_word()
_BY_SUBSTRING = tuple(i for i, (sets, _, _) in enumerate(_REDIRECTS) if not sets)
_TRIGGER_WORDS = _TRANSFER_WORDS.union(*(words for sets, _, _ in _REDIRECTS for words in sets))


def transfers(conv: Conversation) -> list[Transfer]:
    """Transfers ("let me transfer you") and redirects ("you'll need to call billing")."""
    out: list[Transfer] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "agent":
            found = _turn_transfers(turn.text)
            if found:  # most agent turns hold none: no generator for them
                out.extend(Transfer(kind, index, quote) for kind, quote in found)
    return out


@lru_cache(maxsize=AGENT_TURN_CACHE)
def _turn_transfers(text: str) -> tuple[tuple[TransferKind, str], ...]:
    """(kind, quote) for each transfer or redirect in one agent turn, at most one of each kind
    (a link splits a sentence). Cached: agents repeat their phrasings (see AGENT_TURN_CACHE)."""
    tokens = _TRIGGER_WORDS.intersection(turn_tokens(text))
    text = text.replace("\u2019", "'")  # a typographic apostrophe as a plain one
    lower = text.lower()
    candidates = _candidate_redirects(text, lower, tokens)
    transfer = not tokens.isdisjoint(_TRANSFER_WORDS) and bool(_TRANSFER.search(text))
    if not candidates and not transfer:
        return ()
    found: dict[TransferKind, str] = {}
    for sentence in sentence_texts(text):
        kind = _transfer_kind(sentence, transfer, candidates)
        if kind is not None and kind not in found:
            found[kind] = clip(sentence)
    return tuple(found.items())


def _candidate_redirects(
    text: str, lower: str, tokens: frozenset[str] | None = None
) -> list[re.Pattern[str]]:
    """The redirect patterns found anywhere in this text; sentences are then read one by one."""
    if tokens is None:
        tokens = _TRIGGER_WORDS.intersection(_TOKEN.findall(lower))
    indexes = {i for token in tokens for i in _BY_WORD.get(token, ())}
    found = []
    for index in sorted(indexes):
        word_sets, substrings, pattern = _REDIRECTS[index]
        if any(map(tokens.isdisjoint, word_sets[1:])):
            continue
        if (not substrings or _has_any(lower, substrings)) and pattern.search(text):
            found.append(pattern)
    for index in _BY_SUBSTRING:
        _, substrings, pattern = _REDIRECTS[index]
        if _has_any(lower, substrings) and pattern.search(text):
            found.append(pattern)
    if _DIGITS.search(text) and _REDIRECT_PHONE.search(folded(text)):
        found.append(_REDIRECT_PHONE)
    return found


def _has_any(text: str, substrings: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, substrings))


def _transfer_kind(
    sentence: str, transfer: bool = True, redirects: list[re.Pattern[str]] | None = None
) -> TransferKind | None:
    if transfer and _TRANSFER.search(sentence):
        return None if _TRANSFER_NOT.search(sentence) else "transfer"
    if redirects is None:
        redirects = _candidate_redirects(sentence, sentence.lower())
    if _REDIRECT_PHONE in redirects and _REDIRECT_PHONE.search(folded(sentence)):
        return "redirect"  # a number to call is a redirect even "anytime"
    if any(p.search(sentence) for p in redirects) and not _REDIRECT_NOT.search(sentence):
        return "redirect"
    return None


def next_steps(conv: Conversation) -> list[NextStep]:
    """Next steps the agent offered: appointment, quote, call back, e-mail, message, visit, link."""
    out: list[NextStep] = []
    for index, turn in enumerate(conv.turns):
        if turn.speaker == "agent":
            found = _turn_next_steps(turn.text)
            if found:  # most agent turns offer none: no generator for them
                out.extend(NextStep(kind, index, quote) for kind, quote in found)
    return out


@lru_cache(maxsize=AGENT_TURN_CACHE)
def _turn_next_steps(text: str) -> tuple[tuple[NextStepKind, str], ...]:
    """(kind, quote) for each next step in one agent turn, one per sentence, then a link when
    no sentence was one. Cached: agents repeat their phrasings (see AGENT_TURN_CACHE)."""
    found: list[tuple[NextStepKind, str]] = []
    patterns = _next_step_patterns(text)
    if patterns:
        for sentence in sentence_texts(text):
            low = folded(sentence)
            kind = next((k for k, p in patterns if p.search(low)), None)
            if kind is not None:
                found.append((kind, clip(sentence)))
    url = may_link(text) and _URL.search(text)
    if url and not any(kind == "link" for kind, _ in found):
        found.append(("link", clip(text)))
    return tuple(found)


@lru_cache(maxsize=256)
def turn_tokens(text: str) -> frozenset[str]:
    """The words of an agent turn, lower case, a typographic apostrophe as a plain one. Cached:
    transfers and next steps both read every agent turn's words."""
    lower = text.lower().replace("\u2019", "'")
    if lower.isascii():  # _TOKEN's runs, split without the regex engine (_words.py)
        return frozenset(ascii_runs(lower, _ASCII_TOKEN_CHARS))
    return frozenset(_TOKEN.findall(lower))


def _next_step_patterns(text: str) -> list[tuple[NextStepKind, re.Pattern[str]]]:
    """The kinds (in order) whose pattern matches somewhere in this text."""
    tokens = turn_tokens(text)
    low = folded(text)
    return [
        (kind, pattern)
        for kind, pattern in _NEXT_STEPS
        if not any(map(tokens.isdisjoint, _NEXT_STEP_WORDS[kind])) and pattern.search(low)
    ]


def may_link(text: str) -> bool:
    """False when _URL cannot match the text: it needs "://" or "www."."""
    return "://" in text or "www." in text.lower()


def next_step_kind(sentence: str) -> NextStepKind | None:
    low = folded(sentence)
    for kind, pattern in _NEXT_STEPS:
        if pattern.search(low):
            return kind
    return None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def significant_tokens(text: str) -> frozenset[str]:
    """The words that identify a promotion: no filler, no years or bare numbers, light stemming."""
    words = _fold(text).split()
    kept = {_stem(w) for w in words if w not in _STOP_WORDS and not w.isdigit()}
    return frozenset(kept) or frozenset(_stem(w) for w in words)


def _mentions(promotion: Promotion, folded: str, words: frozenset[str]) -> bool:
    if promotion.tokens and promotion.tokens <= words:
        return True
    return any(f" {_fold(k).strip()} " in f" {folded} " for k in promotion.keywords if k.strip())


def promotions_mentioned(
    conv: Conversation, promotions: Sequence[Promotion]
) -> list[PromotionMention]:
    """The first sentence in which the agent mentions each promotion ("the spring sale")."""
    found: dict[str, PromotionMention] = {}
    for index, turn in enumerate(conv.turns):
        if turn.speaker != "agent" or len(found) == len(promotions):
            continue
        for sentence in sentence_texts(turn.text):
            folded = " ".join(_fold(sentence).split())
            words = frozenset(_stem(w) for w in folded.split())
            for promo in promotions:
                if promo.name not in found and _mentions(promo, folded, words):
                    found[promo.name] = PromotionMention(promo.name, index, clip(sentence))
    return sorted(found.values(), key=lambda m: m.turn)


def promotions_from_data(data: Any) -> list[Promotion]:
    """Promotions from parsed JSON/YAML: a list of names or of {name, keywords} objects."""
    if isinstance(data, dict) and "promotions" in data:
        data = data["promotions"]
    if not isinstance(data, list):
        raise PromotionsError("expected a list of promotions")
    return [_promotion(item, i) for i, item in enumerate(data)]


def _promotion(item: Any, index: int) -> Promotion:
    if isinstance(item, str) and item.strip():
        return Promotion(item.strip())
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise PromotionsError(f"promotion {index + 1}: expected a name or {{name, keywords}}")
    keywords = item.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise PromotionsError(f"promotion {index + 1}: keywords must be a list of strings")
    return Promotion(item["name"].strip(), tuple(keywords))


def load_promotions(path: Path) -> list[Promotion]:
    """Read a promotions file: YAML or JSON (list of names or objects), or one name per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromotionsError(f"{path}: {exc}") from exc
    try:
        data = _parse_promotions(path, text)
        return promotions_from_data(data)
    except PromotionsError as exc:
        raise PromotionsError(f"{path}: {exc}") from exc


def _parse_promotions(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise PromotionsError(f"line {exc.lineno}: {exc.msg}") from exc
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number; nesting too deep
            raise PromotionsError(f"not readable JSON: {exc}") from exc
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PromotionsError(str(exc)) from exc
        except (ValueError, RecursionError) as exc:
            raise PromotionsError(f"not readable YAML: {exc}") from exc
    return _lines(text)


def _lines(text: Iterable[str] | str) -> list[str]:
    lines = text.splitlines() if isinstance(text, str) else list(text)
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
