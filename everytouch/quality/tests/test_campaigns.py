"""Call-in test campaigns: planning, tester links, recording and scoring tests, the report,
the pages per role and the read API."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from everytouch.interactions.models import Interaction
from everytouch.leads.models import Lead
from everytouch.quality import campaigns, models
from everytouch.quality.campaigns import CallData, CampaignData, CampaignError
from everytouch.quality.models import Answer, CallTest, Campaign, Scorecard, ScoreState
from everytouch.testing import ROLES, bearer, client_for, user_for

pytestmark = pytest.mark.django_db

ASKED = """Agent: Good morning, Acme Office Supply, this is Ron.
Customer: Hi, how much is a toner cartridge for the LaserJet 400? I'd like to order two.
Agent: That one is $89.99. May I have your name?
Customer: Jane Doe.
Agent: Thanks Jane. What's the best phone number to reach you on?
Customer: 312 555 0187.
Agent: And your e-mail address, so I can send you the quote?
Customer: jane@example.com
Agent: I'll e-mail the quote today by 3 pm.
"""
PRICE_ONLY = """Agent: Good morning, Acme Office Supply, this is Ron.
Customer: Hi, how much is a toner cartridge for the LaserJet 400?
Agent: That one is $89.99.
Customer: OK thanks, bye.
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Agent>Good morning, Acme Office Supply.

00:00:04.000 --> 00:00:06.000
<v Customer>How much is a toner cartridge? I want to buy one.
"""
BRIEF = "Ask the price of a toner cartridge and nothing else"


def make_campaign(
    manager: User, reps: tuple[User, ...], starts: date | None = None, **kw: Any
) -> Campaign:
    starts = starts or timezone.localdate()
    data = CampaignData(
        name=kw.pop("name", "Spring test"),
        starts_on=starts,
        ends_on=starts + timedelta(days=14),
        scenarios=(BRIEF,),
        reps=reps,
        **kw,
    )
    return campaigns.create_campaign(data, manager)


def record(campaign: Campaign, rep: User | None, text: str | None, **kw: Any) -> CallTest:
    transcript = campaigns.read_transcript(text.encode()) if text is not None else None
    data = CallData(
        scenario=campaign.scenarios.get(),
        answer=kw.pop("answer", Answer.LIVE),
        called_at=kw.pop("called_at", timezone.now()),
        rep=rep,
        transcript=transcript,
        **kw,
    )
    return campaigns.record_test(campaign, data, tester=campaign.created_by)


def five_calls(campaign: Campaign, rep: User) -> None:
    record(campaign, rep, ASKED, seconds_to_answer=4)
    for _ in range(4):
        record(campaign, rep, PRICE_ONLY, seconds_to_answer=10)


# --- the domain ----------------------------------------------------------------------------------


def test_it_creates_a_campaign_with_one_scenario_per_line(manager: User, rep: User) -> None:
    data = CampaignData(
        name="Toner",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 14),
        scenarios=campaigns.split_lines(f"{BRIEF}\n\n  Ask for opening hours \n{BRIEF}"),
        reps=(rep,),
        lines=("+1 312 555 0100 (front desk)",),
    )
    campaign = campaigns.create_campaign(data, manager)
    assert [s.brief for s in campaign.scenarios.all()] == [BRIEF, "Ask for opening hours"]
    assert list(campaign.reps.all()) == [rep]
    assert campaign.lines == ["+1 312 555 0100 (front desk)"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": date(2026, 2, 1)}, "ends_on"),
        ({"scenarios": ()}, "scenarios"),
        ({"reps": (), "lines": ()}, "reps"),
        ({"name": "  "}, "name"),
    ],
)
def test_it_refuses_a_campaign_that_cannot_run_with_the_field(
    manager: User, rep: User, change: dict[str, Any], field: str
) -> None:
    base: dict[str, Any] = {
        "name": "Toner",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 14),
        "scenarios": (BRIEF,),
        "reps": (rep,),
    }
    with pytest.raises(CampaignError) as refused:
        campaigns.create_campaign(CampaignData(**{**base, **change}), manager)
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_it_refuses_a_rep_as_tester(manager: User, rep: User, rep2: User) -> None:
    with pytest.raises(CampaignError, match="Testers"):
        make_campaign(manager, (rep,), testers=(rep2,))


def test_it_keeps_a_scenario_with_tests_when_editing(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    record(campaign, rep, PRICE_ONLY)
    data = CampaignData("Renamed", campaign.starts_on, campaign.ends_on, ("Other",), (rep,))
    with pytest.raises(CampaignError, match="already has recorded tests"):
        campaigns.update_campaign(campaign, data)
    kept = CampaignData("Renamed", campaign.starts_on, campaign.ends_on, (BRIEF, "Other"), (rep,))
    campaigns.update_campaign(campaign, kept)
    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert campaign.scenarios.count() == 2


def test_it_scores_a_test_call_with_the_playbook_and_makes_no_lead(
    manager: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    test = record(campaign, rep, ASKED)
    card = test.scorecard
    assert card is not None and card.state == ScoreState.SCORED
    assert card.is_test and card.interaction is None and card.rep == rep
    assert card.playbook_version is not None and card.playbook_version.playbook.is_default
    assert {o.check_id: o.status for o in card.outcomes.all()}["lead_captured"] == "pass"
    assert not Interaction.objects.exists()
    assert not Lead.objects.exists()


def test_it_reads_the_formats_analyze_reads(manager: User, rep: User) -> None:
    found = campaigns.read_transcript(VTT.encode(), "call.vtt")
    assert found.conversation is not None
    assert [t.speaker for t in found.conversation.turns] == ["agent", "customer"]


def test_it_keeps_an_unreadable_transcript_as_not_scored_with_the_reason(
    manager: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    transcript = campaigns.read_transcript(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n")
    data = CallData(
        campaign.scenarios.get(), Answer.LIVE, timezone.now(), rep, transcript=transcript
    )
    test = campaigns.record_test(campaign, data, tester=manager)
    assert test.transcript.startswith("WEBVTT")
    assert test.scorecard is not None and test.scorecard.state == ScoreState.NOT_SCORED
    assert test.scorecard.reason.startswith("the transcript could not be read:")


def test_it_records_a_short_form_without_scoring_it(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    test = record(campaign, rep, None, short_form=("name", "phone"))
    assert test.scorecard is not None
    assert test.scorecard.reason == campaigns.SHORT_FORM_REASON
    assert "asked for my name; asked for my phone number" in test.notes


def test_it_redacts_card_numbers_from_a_transcript(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    test = record(campaign, rep, PRICE_ONLY + "Customer: my card is 4111 1111 1111 1111\n")
    assert "4111 1111 1111 1111" not in test.transcript
    assert "[card ending 1111]" in test.transcript


def test_it_refuses_a_rep_the_campaign_does_not_test(manager: User, rep: User, rep2: User) -> None:
    campaign = make_campaign(manager, (rep,))
    with pytest.raises(CampaignError, match="not tested"):
        record(campaign, rep2, PRICE_ONLY)
    assert not CallTest.objects.exists()


def test_it_reports_n_of_m_per_check_and_rep_with_evidence(
    manager: User, rep: User, rep2: User
) -> None:
    campaign = make_campaign(manager, (rep, rep2))
    five_calls(campaign, rep)
    record(campaign, rep2, None, answer=Answer.NO_ANSWER)
    report = campaigns.campaign_report(campaign)
    rows = {row.check_id: row for row in report.checks}
    assert rows["lead_captured"].overall.label == "1 of 5"
    assert rows["asked_phone"].overall.label == "1 of 5"
    ron = campaigns.Who(rep.pk, "", "Ron Rep")
    assert rows["asked_phone"].tally_for(ron).label == "1 of 5"
    quotes = [q.quote for q in rows["asked_phone"].quotes]
    assert quotes == ["Thanks Jane. What's the best phone number to reach you on?"]
    assert report.answers.live == 5 and report.answers.no_answer == 1
    assert report.answers.average_seconds == pytest.approx(8.8)
    assert [t.rep for t in report.not_scored] == [rep2]


def test_it_compares_with_the_latest_campaign_that_ended_before(manager: User, rep: User) -> None:
    today = timezone.localdate()
    older = make_campaign(manager, (rep,), starts=today - timedelta(days=90), name="Older")
    record(older, rep, PRICE_ONLY)
    last = make_campaign(manager, (rep,), starts=today - timedelta(days=40), name="Last")
    record(last, rep, PRICE_ONLY)
    record(last, rep, PRICE_ONLY)
    now = make_campaign(manager, (rep,), name="Now")
    record(now, rep, ASKED)
    record(now, rep, PRICE_ONLY)
    report = campaigns.campaign_report(now)
    assert report.previous == last
    row = {r.check_id: r for r in report.checks}["asked_phone"]
    assert row.previous is not None and row.previous.label == "0 of 2"
    assert row.change_points == 50


# --- tester links --------------------------------------------------------------------------------


def link_post(campaign: Campaign, rep: User, text: str = PRICE_ONLY) -> dict[str, Any]:
    return {
        "scenario": campaign.scenarios.get().pk,
        "who": f"rep:{rep.pk}",
        "answer": "live",
        "seconds_to_answer": "6",
        "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "transcript_text": text,
    }


def test_it_shows_the_tester_the_scenarios_and_records_once(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,), name="Secret internal name")
    link, raw = campaigns.create_link(campaign, "Anna, agency", None, timezone.now())
    assert (
        link.token_hash != raw
        and models.TesterLink.objects.filter(token_hash__contains=raw).count() == 0
    )
    url = reverse("tester_link", args=[raw])
    page = Client().get(url)
    assert page.status_code == 200
    assert BRIEF in page.content.decode()
    assert "Secret internal name" not in page.content.decode()
    done = Client().post(url, link_post(campaign, rep))
    assert done.status_code == 200, done.content[:400]
    test = CallTest.objects.get()
    assert test.link == link and test.tester is None
    again = Client().post(url, link_post(campaign, rep))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert CallTest.objects.count() == 1
    assert Client().get(url).status_code == 410


def test_it_refuses_an_expired_link_and_records_nothing(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    link, raw = campaigns.create_link(campaign, "Anna", None, timezone.now())
    models.TesterLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    answer = Client().post(reverse("tester_link", args=[raw]), link_post(campaign, rep))
    assert answer.status_code == 410
    assert "expired" in answer.content.decode()
    assert not CallTest.objects.exists() and not Scorecard.objects.exists()


def test_it_answers_an_unknown_link_with_404_and_records_nothing(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    answer = Client().post(reverse("tester_link", args=["nope"]), link_post(campaign, rep))
    assert answer.status_code == 404
    assert "not valid" in answer.content.decode()
    assert not CallTest.objects.exists()


def test_it_keeps_the_link_open_after_an_invalid_form(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    _, raw = campaigns.create_link(campaign, "Anna", None, timezone.now())
    url = reverse("tester_link", args=[raw])
    assert Client().post(url, {"answer": "live"}).status_code == 400
    assert Client().get(url).status_code == 200


def test_it_expires_a_link_at_the_end_of_the_chosen_day(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    today = timezone.localdate()
    link, _ = campaigns.create_link(campaign, "Anna", today, timezone.now())
    assert timezone.localtime(link.expires_at).date() == today + timedelta(days=1)
    with pytest.raises(CampaignError, match="passed"):
        campaigns.create_link(campaign, "Anna", today - timedelta(days=1), timezone.now())


# --- the pages, per role -------------------------------------------------------------------------

STATUS_BY_ROLE = {None: 302, "outsider": 403, "trainer": 200, "rep": 403, "manager": 200}


def client_as(request: pytest.FixtureRequest, role: str | None) -> Client:
    user = user_for(request, role)
    return client_for(user) if user is not None else Client()


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_campaigns_for_managers_and_trainers_only(
    request: pytest.FixtureRequest, role: str | None, manager: User, rep: User
) -> None:
    make_campaign(manager, (rep,), name="Toner calls")
    answer = client_as(request, role).get(reverse("campaign_list"))
    expected = {None: 302, "outsider": 403, "trainer": 200, "rep": 403}.get(role, 200)
    assert answer.status_code == expected
    assert ("Toner calls" in answer.content.decode()) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_a_campaign_and_its_report_to_managers_and_trainers_only(
    request: pytest.FixtureRequest, role: str | None, manager: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    client = client_as(request, role)
    expected = {None: 302, "outsider": 404, "trainer": 200, "rep": 404}.get(role, 200)
    for name in ("campaign_detail", "campaign_report"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_managers_create_a_campaign(
    request: pytest.FixtureRequest, role: str | None, rep: User
) -> None:
    form = {
        "name": "Toner",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-14",
        "scenarios": BRIEF,
        "reps": [str(rep.pk)],
    }
    answer = client_as(request, role).post(reverse("campaign_new"), form)
    expected = {None: 302, "outsider": 403, "trainer": 403, "rep": 403}.get(role, 302)
    assert answer.status_code == expected
    assert Campaign.objects.filter(name="Toner").exists() == (role in {"manager", "owner"})


def test_it_shows_why_a_campaign_form_is_refused(manager: User, rep: User) -> None:
    form = {"name": "Toner", "starts_on": "2026-03-14", "ends_on": "2026-03-01", "scenarios": ""}
    answer = client_for(manager).post(reverse("campaign_new"), form)
    assert answer.status_code == 400
    assert "This field is required" in answer.content.decode()
    form["scenarios"] = BRIEF
    answer = client_for(manager).post(reverse("campaign_new"), form)
    assert "cannot end before it starts" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_it_edits_a_campaign_as_a_manager_not_a_trainer(
    manager: User, trainer: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    url = reverse("campaign_edit", args=[campaign.pk])
    assert client_for(trainer).get(url).status_code == 403
    form = {
        "name": "Renamed",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-14",
        "scenarios": f"{BRIEF}\nAsk for opening hours",
        "lines": "+1 312 555 0100",
    }
    assert client_for(manager).post(url, form).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed" and campaign.lines == ["+1 312 555 0100"]
    assert campaign.scenarios.count() == 2


def test_it_shows_a_new_link_once(manager: User, trainer: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    url = reverse("campaign_link_new", args=[campaign.pk])
    assert client_for(trainer).post(url, {"label": "Anna"}).status_code == 403
    answer = client_for(manager).post(url, {"label": "Anna"})
    assert answer.status_code == 200
    link = models.TesterLink.objects.get()
    shown = answer.context["link_url"]
    assert "/quality/test/" in shown and campaigns.link_for(shown.rsplit("/", 2)[-2]) == link
    again = client_for(manager).get(reverse("campaign_detail", args=[campaign.pk]))
    assert shown not in again.content.decode()
    assert client_for(manager).post(url, {"label": ""}).status_code == 400


def test_it_lets_testers_and_managers_record_a_test_upload(
    manager: User, trainer: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    url = reverse("campaign_test_new", args=[campaign.pk])
    assert client_for(trainer).get(url).status_code == 403
    campaign.testers.add(trainer)
    form = link_post(campaign, rep, text="")
    form["transcript_file"] = SimpleUploadedFile("call.vtt", VTT.encode())
    answer = client_for(trainer).post(url, form)
    assert answer.status_code == 302
    test = CallTest.objects.get()
    assert test.tester == trainer and test.scorecard is not None
    assert test.scorecard.state == ScoreState.SCORED
    assert client_for(manager).get(url).status_code == 200


def test_it_refuses_a_future_call_or_two_transcripts(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    url = reverse("campaign_test_new", args=[campaign.pk])
    form = link_post(campaign, rep)
    form["transcript_file"] = SimpleUploadedFile("call.vtt", VTT.encode())
    answer = client_for(manager).post(url, form)
    assert answer.status_code == 400 and "not both" in answer.content.decode()
    form = link_post(campaign, rep)
    form["called_at"] = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    answer = client_for(manager).post(url, form)
    assert answer.status_code == 400 and "future" in answer.content.decode()
    assert not CallTest.objects.exists()


def test_it_shows_one_of_five_and_not_scored_in_the_report(
    manager: User, rep: User, rep2: User
) -> None:
    campaign = make_campaign(manager, (rep, rep2))
    five_calls(campaign, rep)
    record(campaign, rep2, "garbage", answer=Answer.LIVE)
    page = client_for(manager).get(reverse("campaign_report", args=[campaign.pk]))
    body = page.content.decode()
    assert "1 of 5" in body
    assert "What&#x27;s the best phone number" in body
    assert 'id="not-scored"' in body and "the transcript could not be read" in body


def test_it_runs_the_same_queries_for_a_report_of_any_size(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,))
    client = client_for(manager)
    url = reverse("campaign_report", args=[campaign.pk])
    five_calls(campaign, rep)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    five_calls(campaign, rep)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_it_serves_campaigns_and_results_to_managers_and_trainers_only(
    request: pytest.FixtureRequest, role: str | None, manager: User, rep: User
) -> None:
    campaign = make_campaign(manager, (rep,))
    user = user_for(request, role)
    client = bearer(user) if user is not None else Client()
    expected = {None: 401, "outsider": 403, "rep": 403}.get(role, 200)
    listed = client.get("/api/v1/campaigns")
    results = client.get(f"/api/v1/campaigns/{campaign.pk}/results")
    assert (listed.status_code, results.status_code) == (expected, expected)


def test_it_gives_the_report_as_json(manager: User, rep: User) -> None:
    campaign = make_campaign(manager, (rep,), lines=("+1 312 555 0100",))
    five_calls(campaign, rep)
    client = bearer(manager)
    listed = json.loads(client.get("/api/v1/campaigns").content)
    assert listed["items"][0]["tests"] == 5
    assert listed["items"][0]["scenarios"] == [BRIEF]
    assert listed["items"][0]["reps"] == [{"id": rep.pk, "name": "Ron Rep"}]
    body = json.loads(client.get(f"/api/v1/campaigns/{campaign.pk}/results").content)
    check = {c["check_id"]: c for c in body["checks"]}["asked_phone"]
    assert check["label"] == "1 of 5"
    assert check["by_rep"][0]["who"]["rep"] == {"id": rep.pk, "name": "Ron Rep"}
    assert check["evidence"][0]["quote"].startswith("Thanks Jane.")
    assert body["answer_rate"]["live"] == 5
    assert body["previous_campaign"] is None


def test_it_answers_404_for_a_missing_campaign(manager: User) -> None:
    assert bearer(manager).get("/api/v1/campaigns/999/results").status_code == 404
