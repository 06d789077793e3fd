"""Scoring every logged touch: the job, the stored scorecard, not-scored reasons, re-scoring."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from everytouch.interactions.actions import InteractionData, TurnData, log_interaction
from everytouch.interactions.models import Channel, Interaction
from everytouch.quality import actions, tasks
from everytouch.quality.models import Playbook, Promotion, RescoreRun, Scorecard, ScoreState
from everytouch.staff.directory.actions import ensure_staff
from everytouch.staff.models import Team

pytestmark = pytest.mark.django_db

PRICE_ONLY = (
    TurnData("agent", "Good morning, Acme Office Supply, this is Ron."),
    TurnData("customer", "Hi, how much is a toner cartridge for the LaserJet 400?"),
    TurnData("agent", "That one is $89.99."),
    TurnData("customer", "OK thanks, bye."),
)


def log(rep: User, turns: tuple[TurnData, ...] = PRICE_ONLY, **kw: Any) -> Interaction:
    data = InteractionData(channel=Channel.CALL, handled_by=rep, turns=turns, **kw)
    return log_interaction(None, data, rep)


@pytest.mark.django_db(transaction=True)
def test_it_scores_a_logged_touch_in_the_background(rep: User, worker: Any) -> None:
    interaction = log(rep)
    worker.run()
    card = Scorecard.objects.get(interaction=interaction, is_current=True)
    assert card.state == ScoreState.SCORED
    assert card.rep == rep
    assert card.playbook_version is not None
    assert card.playbook_version.playbook.is_default
    outcomes = {o.check_id: o.status for o in card.outcomes.all()}
    assert outcomes["asked_name"] == "fail"
    assert outcomes["greeting"] == "pass"
    assert card.result["checks"]["greeting"]["evidence"][0]["turn"] == 0
    assert card.buying_intent


def test_a_touch_without_a_transcript_is_left_alone_by_the_job_and_the_sweep(rep: User) -> None:
    interaction = log(rep, turns=(), summary="Walk-in, asked for directions")
    assert tasks.score_interaction_task.call(interaction.pk) is None
    assert tasks.sweep_unscored(timezone.now() + timedelta(minutes=11)) == 0
    assert not Scorecard.objects.exists()


def test_scoring_a_touch_without_turns_directly_says_why_it_is_not_scored(rep: User) -> None:
    interaction = log(rep, turns=(), summary="Walk-in, asked for directions")
    card = actions.score_interaction(interaction)
    assert card.state == ScoreState.NOT_SCORED
    assert card.reason == actions.NO_TURNS
    assert not card.outcomes.exists()


def test_a_second_job_for_the_same_touch_does_nothing(rep: User) -> None:
    interaction = log(rep)
    first = tasks.score_interaction_task.call(interaction.pk)
    again = tasks.score_interaction_task.call(interaction.pk)
    assert first is not None and again is None
    assert Scorecard.objects.filter(interaction=interaction).count() == 1


def test_the_sweep_scores_touches_whose_job_was_lost(rep: User) -> None:
    interaction = log(rep)
    Scorecard.objects.all().delete()
    later = timezone.now() + timedelta(minutes=11)
    assert tasks.sweep_unscored(later) == 1
    assert tasks.sweep_unscored(later) == 0
    assert actions.current_scorecard(interaction) is not None


def test_a_team_playbook_scores_its_reps_touches(rep: User, manager: User) -> None:
    team = Team.objects.create(name="Counter")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    playbook = Playbook.objects.create(name="Counter playbook", team=team)
    text = "name: Counter\nchecks:\n  - id: greeting\n    title: Greeted\n    rule: greeting\n"
    version = actions.save_version(playbook, text, manager)
    actions.activate(version)
    card = actions.score_interaction(log(rep))
    assert card.playbook_version == version
    assert card.team == team
    assert [o.check_id for o in card.outcomes.all()] == ["greeting"]


def test_a_valid_promotion_feeds_the_promotion_check(rep: User) -> None:
    today = timezone.localdate()
    Promotion.objects.create(
        name="Toner week", valid_from=today, valid_to=today, keywords=["two for one"]
    )
    turns = (*PRICE_ONLY[:3], TurnData("agent", "And this week toner is two for one."))
    card = actions.score_interaction(log(rep, turns=turns))
    assert card.outcomes.get(check_id="promotion_mentioned").status == "pass"


def test_rescoring_retires_the_old_cards_and_reports_progress(rep: User, manager: User) -> None:
    interactions = [log(rep) for _ in range(3)]
    for interaction in interactions:
        actions.score_interaction(interaction)
    default = Playbook.objects.get(is_default=True)
    text = (
        "name: Strict\nchecks:\n  - id: asked_name\n    title: Name\n"
        "    rule: {name: asked_detail, detail: name}\n"
    )
    default = actions.activate(actions.save_version(default, text, manager))
    run = actions.start_rescore(default, timezone.now() - timedelta(days=1), manager)
    assert (run.total, run.done) == (3, 0)
    batches = 0
    while tasks.rescore_task.call(run.pk):  # each batch queues the next, as a worker runs them
        batches += 1
    assert batches == 1
    run.refresh_from_db()
    assert run.finished_at is not None and run.done == 3 and run.percent == 100
    for interaction in interactions:
        cards = Scorecard.objects.filter(interaction=interaction)
        assert cards.count() == 2
        current = cards.get(is_current=True)
        assert current.playbook_version == default.active_version
        assert [o.check_id for o in current.outcomes.all()] == ["asked_name"]
    assert RescoreRun.objects.count() == 1


def test_a_new_team_playbook_rescores_what_the_default_scored_for_that_team(
    rep: User, rep2: User, manager: User
) -> None:
    team = Team.objects.create(name="Counter")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    mine, other = actions.score_interaction(log(rep)), actions.score_interaction(log(rep2))
    assert mine.playbook_version == other.playbook_version  # both the default
    playbook = Playbook.objects.create(name="Counter playbook", team=team)
    text = "name: Counter\nchecks:\n  - id: greeting\n    title: Greeted\n    rule: greeting\n"
    playbook = actions.activate(actions.save_version(playbook, text, manager))
    run = actions.start_rescore(playbook, timezone.now() - timedelta(days=1), manager)
    assert run.total == 1
    while tasks.rescore_task.call(run.pk):
        pass
    current = Scorecard.objects.get(interaction=mine.interaction, is_current=True)
    assert current.playbook_version == playbook.active_version
    default = Playbook.objects.get(is_default=True)
    assert actions.rescore_scope(default, timezone.now() - timedelta(days=1)).count() == 1


def _warm(rep: User) -> Interaction:
    """A touch to score after one has been scored: the default playbook exists and is parsed."""
    actions.score_interaction(log(rep))
    return log(rep)


def test_it_scores_a_touch_in_ten_queries(rep: User, django_assert_num_queries: Any) -> None:
    interaction = _warm(rep)
    # The touch (only if still unscored) with its rep, its turns; the rep's team with its
    # playbook; the default playbook; the day's promotions; then, under the touch's lock: the
    # lock, the current card, the new card, its outcomes and one upsert of the weekly rollup.
    # Two more inside the test's transaction: the savepoint and its release.
    with django_assert_num_queries(12):
        assert tasks.score_interaction_task.call(interaction.pk) is not None


def test_a_team_playbook_costs_no_extra_query(
    rep: User, manager: User, django_assert_num_queries: Any
) -> None:
    team = Team.objects.create(name="Counter")
    member = ensure_staff(rep)
    member.team = team
    member.save(update_fields=["team"])
    playbook = Playbook.objects.create(name="Counter playbook", team=team)
    version = actions.save_version(playbook, actions.shipped_playbook_text(), manager)
    actions.activate(version)
    interaction = _warm(rep)
    with django_assert_num_queries(11):  # the default playbook is not read at all
        tasks.score_interaction_task.call(interaction.pk)
    card = Scorecard.objects.get(interaction=interaction)
    assert card.playbook_version == version and card.team == team
