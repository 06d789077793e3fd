"""The demo's quality loop: every transcript scored, a promotion running, reviews and a dispute,
and a finished call-in campaign, so every quality page has something true to show.

Made through the quality app's own actions after the history is loaded. The history's rows go
in bulk (see loader.py), so they fire no scoring job; they are scored here, once, instead of by
the sweep a minute after the demo starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from everytouch.business_time import business_tz
from everytouch.interactions.models import Interaction
from everytouch.quality import actions, campaigns, reviews
from everytouch.quality.models import CheckOutcome, Promotion, Scorecard

# The rep quotes a price and hangs up; only the last of the five asks who is calling.
PRICE_ONLY = (
    "Agent: Good afternoon, Brightline Office Systems, this is {rep}.\n"
    "Customer: Hi, how much is a black toner cartridge for the LaserJet 400?\n"
    "Agent: That one is $89.99, and we have it in stock.\n"
    "Customer: OK, thanks. I'd like to buy two, I'll think about it.\n"
    "Agent: Sure, bye now.\n"
)
CAPTURED = (
    "Agent: Good afternoon, Brightline Office Systems, this is {rep}.\n"
    "Customer: Hi, how much is a black toner cartridge for the LaserJet 400?\n"
    "Agent: That one is $89.99. May I have your name?\n"
    "Customer: Sam Lee.\n"
    "Agent: Thanks Sam. What's the best phone number to reach you?\n"
    "Customer: 312 555 0147.\n"
    "Agent: And an e-mail address so I can send you the quote?\n"
    "Customer: sam.lee@example.com\n"
    "Agent: I'll e-mail you the quote by 3pm tomorrow.\n"
)
SCENARIO = "Ask the price of a toner cartridge and nothing else."


@dataclass(frozen=True)
class QualityCounts:
    scored: int
    reviews: int
    tests: int


def _score_history() -> int:
    touches = Interaction.objects.filter(turns__index=0).select_related("handled_by")
    touches = touches.prefetch_related("turns")
    scored = 0
    for interaction in touches.order_by("pk"):
        actions.score(actions.subject_of(interaction))
        scored += 1
    return scored


def _promotion(now: datetime) -> None:
    today = now.astimezone(business_tz()).date()
    Promotion.objects.create(
        name="Toner two for one",
        valid_from=today - timedelta(days=3),
        valid_to=today + timedelta(days=11),
        keywords=["two for one", "second cartridge free"],
        what_to_say="Buy one toner cartridge, get the second free, until the end of next week.",
    )


def _reviews(users: dict[str, User]) -> int:
    """The service manager reviews a few calls; two overrides, and one rep disputes a check."""
    dana = users["dana"]
    outcomes = CheckOutcome.objects.filter(
        scorecard__is_current=True, check_id__in=("asked_name", "discovery_question")
    ).select_related("scorecard")
    done = 0
    for outcome in outcomes.order_by("scorecard_id", "check_id")[:12]:
        override = done in (3, 8)
        status = ("pass" if outcome.status == "fail" else "fail") if override else outcome.status
        comment = "Asked off the recording; the caller ID showed the name." if override else ""
        verdict = reviews.Verdict(outcome.check_id, status, comment)
        reviews.review_check(outcome.scorecard, verdict, dana)
        done += 1
    failed = Scorecard.objects.filter(
        is_current=True, rep=users["luis"], outcomes__check_id="next_step", outcomes__status="fail"
    ).first()
    if failed is not None:
        reason = "I booked the engineer's visit; the customer confirmed it by e-mail."
        reviews.dispute_check(failed, "next_step", reason, users["luis"])
    return done


def _campaign(users: dict[str, User], now: datetime) -> int:
    """Last week's call-in test of the sales line: five calls, one captured the caller."""
    start = (now - timedelta(days=9)).astimezone(business_tz()).date()
    data = campaigns.CampaignData(
        name="Sales line call-in test",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        scenarios=(SCENARIO,),
        reps=(users["priya"], users["jake"]),
        testers=(users["grace"],),
    )
    campaign = campaigns.create_campaign(data, users["marcus"])
    scenario = campaign.scenarios.get()
    plan = [("priya", PRICE_ONLY), ("jake", PRICE_ONLY), ("priya", PRICE_ONLY)]
    plan += [("jake", PRICE_ONLY), ("priya", CAPTURED)]
    for day, (rep, script) in enumerate(plan):
        who = users[rep]
        text = script.format(rep=who.first_name).encode()
        call = campaigns.CallData(
            scenario=scenario,
            answer="live",
            # Mid-morning in the business's zone, when a mystery shopper would call.
            called_at=datetime.combine(start + timedelta(days=day), time(10, 20), business_tz()),
            rep=who,
            seconds_to_answer=8 + 5 * day,
            transcript=campaigns.read_transcript(text),
        )
        campaigns.record_test(campaign, call, tester=users["grace"])
    return len(plan)


@transaction.atomic
def load_quality(users: dict[str, User], now: datetime) -> QualityCounts:
    _promotion(now)
    scored = _score_history()
    return QualityCounts(scored=scored, reviews=_reviews(users), tests=_campaign(users, now))
