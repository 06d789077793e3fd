"""Pass-rate charts drawn as inline SVG on the server: no chart library, no JavaScript.

Every label goes through ``format_html``, so a team or rep named ``<script>`` is shown, not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple
from urllib.parse import quote, urlencode

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from everytouch.business_time import written_day
from everytouch.quality.dashboards import Board, Rate, Series

register = template.Library()

WIDTH, HEIGHT, PAD = 560, 170, 30
# Distinguishable on white and for the common colour blindnesses (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _x(i: int, count: int) -> float:
    span = WIDTH - 2 * PAD
    return PAD + (span * i / (count - 1) if count > 1 else span / 2)


def _y(percent: float) -> float:
    return PAD / 2 + (HEIGHT - PAD) * (1 - percent / 100)


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive weeks with results: a week with none breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


class Week(NamedTuple):
    """What every dot of one week shares: its x, its date in links, its label in tips."""

    day: date
    x: float
    iso: str
    label: str


def _weeks(weeks: Sequence[date]) -> list[Week]:
    count = len(weeks)
    return [Week(w, _x(i, count), w.isoformat(), written_day(w)) for i, w in enumerate(weeks)]


# Charts are built as plain strings: a year of ten teams' lines is thousands of dots, and
# escaping every dot's link and tip cost more than the queries behind the page. So what comes
# from outside (a series' name and its filters) is escaped once per line; a dot adds only dates
# and numbers of our own.
def _line(series: Series, weeks: Sequence[Week], index: int, check_id: str) -> str:
    link = escape(f"{reverse('quality_conversations')}?{series.query}&check={quote(check_id)}")
    label, fill = escape(series.label), colour(index)
    points: list[tuple[float, float] | None] = []
    dots = []
    for week in weeks:
        rate = series.points.get(week.day)
        if rate is None or not rate.applicable:
            points.append(None)
            continue
        y = _y(100 * rate.passed / rate.applicable)
        points.append((week.x, y))
        dots.append(
            f'<a href="{link}&amp;status=pass&amp;week={week.iso}"><circle cx="{week.x:.1f}"'
            f' cy="{y:.1f}" r="4" fill="{fill}"><title>{label}, week of {week.label}:'
            f" {rate.passed} of {rate.applicable}</title></circle></a>"
        )
    lines = "".join(
        f'<polyline fill="none" stroke="{fill}" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        + '"/>'
        for run in _segments(points)
    )
    return lines + "".join(dots)


def _axes(weeks: Sequence[date]) -> str:
    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{_y(p):.1f}" y2="{_y(p):.1f}" stroke="#ddd"/>'
        f'<text x="2" y="{_y(p) + 3:.1f}" font-size="10" fill="#666">{p}%</text>'
        for p in (0, 50, 100)
    )
    step = max(1, len(weeks) // 6)
    ticks = "".join(
        f'<text x="{_x(i, len(weeks)):.1f}" y="{HEIGHT - 2}" font-size="10" fill="#666"'
        # Short for the axis, in the house order (day before month): "30 Nov".
        f' text-anchor="middle">{w.day} {w:%b}</text>'
        for i, w in enumerate(weeks)
        if i % step == 0
    )
    return grid + ticks


@register.simple_tag
def pass_rate_chart(
    series: Sequence[Series], weeks: Sequence[date], check_id: str, title: str
) -> SafeString:
    """One check's weekly pass rate, a line per team or rep; each dot links to its touches."""
    dated = _weeks(weeks)
    lines = "".join(_line(s, dated, i, check_id) for i, s in enumerate(series))
    label = escape(f"Weekly pass rate: {title}")
    # A labelled group, not role="img": an image hides its parts, and each dot is a link.
    return mark_safe(  # noqa: S308 - every label and link above went through escape()
        f'<svg class="chart" role="group" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' aria-label="{label}"><title>{label}</title>{_axes(weeks)}{lines}</svg>'
    )


@register.filter
def series_colour(index: int) -> str:
    return colour(index)


def _cell(rate: Rate | None, link: str) -> str:
    if rate is None or not rate.applicable:
        return '<td><span class="muted">—</span></td>'
    if not link:
        return f"<td>{rate.passed} of {rate.applicable} ({round(rate.percent or 0)}%)</td>"
    href = escape(link)
    return (
        f'<td><a href="{href}&amp;status=pass" class="passed">{rate.passed}</a> of'
        f' <a href="{href}" class="applicable">{rate.applicable}</a>'
        f' <span class="muted">({round(rate.percent or 0)}%)</span></td>'
    )


@register.simple_tag
def rate_table(board: Board, by: str, query: str) -> SafeString:
    """The body of the by-team (``by="team"``) or by-rep table: one row per name, a cell per
    check. Built in one go for the same reason as the charts: a hundred reps, a dozen checks."""
    names = board.teams if by == "team" else board.reps
    base = reverse("quality_conversations") + "?" + query
    rows = []
    for key, name in names.items():
        cells = []
        for row in board.checks:
            cellmap = row.by_team if by == "team" else row.by_rep
            # No team or no rep: the list cannot be narrowed to "nobody", so no links.
            link = f"{base}&{by}={key}&check={quote(row.check_id)}" if key is not None else ""
            cells.append(_cell(cellmap.get(key), link))
        rows.append(f"<tr><th>{escape(name)}</th>{''.join(cells)}</tr>")
    return mark_safe("".join(rows))  # noqa: S308 - names escaped, numbers and links ours


def _list_url(context: Context) -> str:
    # Reversed once per page: a table of a hundred reps has a thousand cells.
    cache = context.render_context
    if "quality_list_url" not in cache:
        cache["quality_list_url"] = reverse("quality_conversations")
    return str(cache["quality_list_url"])


@register.simple_tag(takes_context=True)
def rate_cell(
    context: Context, rate: Rate | None, query: str, check_id: str, **extra: object
) -> SafeString:
    """ "N of M (P%)": N links to the touches that passed, M to all it applied to.

    ``query`` is the filters, already encoded; ``extra`` narrows to one team or rep.
    """
    if rate is None or not rate.applicable:
        return format_html('<span class="muted">{}</span>', "—")
    if any(value is None for value in extra.values()):
        # No team or no rep: the list cannot be narrowed to "nobody", so no links.
        return format_html("{} of {} ({}%)", rate.passed, rate.applicable, round(rate.percent or 0))
    narrow = "".join(f"&{k}={quote(str(v))}" for k, v in extra.items())
    link = f"{_list_url(context)}?{query}{narrow}&check={quote(check_id)}"
    return format_html(
        '<a href="{}" class="passed">{}</a> of <a href="{}" class="applicable">{}</a>'
        ' <span class="muted">({}%)</span>',
        f"{link}&status=pass",
        rate.passed,
        link,
        rate.applicable,
        round(rate.percent or 0),
    )


@register.filter
def urlencode_dict(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})
