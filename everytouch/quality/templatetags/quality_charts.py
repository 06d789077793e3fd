"""Pass-rate charts drawn as inline SVG on the server: no chart library, no JavaScript.

Every label goes through ``format_html``, so a team or rep named ``<script>`` is shown, not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import quote, urlencode

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from everytouch.quality.dashboards import Rate, Series

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


def _line(series: Series, weeks: Sequence[date], index: int, check_id: str) -> SafeString:
    base = f"{reverse('quality_conversations')}?{series.query}&check={quote(check_id)}"
    points: list[tuple[float, float] | None] = []
    dots = []
    for i, week in enumerate(weeks):
        rate = series.points.get(week, Rate())
        if rate.percent is None:
            points.append(None)
            continue
        x, y = _x(i, len(weeks)), _y(rate.percent)
        points.append((x, y))
        link = f"{base}&status=pass&week={week.isoformat()}"
        tip = f"{series.label}, week of {week:%b %-d}: {rate.passed} of {rate.applicable}"
        dots.append((link, f"{x:.1f}", f"{y:.1f}", colour(index), tip))
    lines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
        (
            (colour(index), " ".join(f"{x:.1f},{y:.1f}" for x, y in run))
            for run in _segments(points)
        ),
    )
    circles = format_html_join(
        "",
        '<a href="{}"><circle cx="{}" cy="{}" r="4" fill="{}"><title>{}</title></circle></a>',
        dots,
    )
    return format_html("{}{}", lines, circles)


def _axes(weeks: Sequence[date]) -> SafeString:
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
        '<text x="2" y="{}" font-size="10" fill="#666">{}%</text>',
        (
            (PAD, WIDTH - PAD, f"{_y(p):.1f}", f"{_y(p):.1f}", f"{_y(p) + 3:.1f}", p)
            for p in (0, 50, 100)
        ),
    )
    step = max(1, len(weeks) // 6)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" fill="#666" text-anchor="middle">{}</text>',
        (
            (_x(i, len(weeks)), HEIGHT - 2, f"{w:%b %-d}")
            for i, w in enumerate(weeks)
            if i % step == 0
        ),
    )
    return format_html("{}{}", grid, ticks)


@register.simple_tag
def pass_rate_chart(
    series: Sequence[Series], weeks: Sequence[date], check_id: str, title: str
) -> SafeString:
    """One check's weekly pass rate, a line per team or rep; each dot links to its touches."""
    lines = format_html_join(
        "", "{}", ((_line(s, weeks, i, check_id),) for i, s in enumerate(series))
    )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" aria-label="{}">'
        "<title>{}</title>{}{}</svg>",
        WIDTH,
        HEIGHT,
        f"Weekly pass rate: {title}",
        f"Weekly pass rate: {title}",
        _axes(weeks),
        lines,
    )


@register.filter
def series_colour(index: int) -> str:
    return colour(index)


@register.filter
def rate_of(cells: dict[object, Rate], key: object) -> Rate | None:
    """A table cell: the rate of one team or rep, None where there were no results."""
    return cells.get(key)


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
