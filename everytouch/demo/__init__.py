"""Demo data: Brightline Office Systems, a copier and printer dealer in the Chicago area.

Three parts, each with one job: ``data`` (the cast, companies, products and script lines, plain
constants), ``planner`` (what to create, pure and seeded) and ``loader`` (writing a plan through
the apps' actions), plus ``activity`` (the open work: leads, promises, an absence, messages).
The names the CLI and tests use are importable from here.
"""

from everytouch.demo.activity import ActivityCounts, load_activity
from everytouch.demo.data import (
    BUSINESS,
    CUSTOMERS_AT_FULL_SIZE,
    DAYS_OF_HISTORY,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    INTERACTIONS_AT_FULL_SIZE,
    MAX_SIZE,
)
from everytouch.demo.loader import DemoCounts, is_loaded, load_demo
from everytouch.demo.planner import (
    STAFF,
    DemoError,
    DemoPerson,
    DemoPlan,
    PlannedCustomer,
    PlannedInteraction,
    PlannedTurn,
    plan_demo,
)

__all__ = [
    "BUSINESS",
    "CUSTOMERS_AT_FULL_SIZE",
    "DAYS_OF_HISTORY",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "INTERACTIONS_AT_FULL_SIZE",
    "MAX_SIZE",
    "STAFF",
    "ActivityCounts",
    "DemoCounts",
    "DemoError",
    "DemoPerson",
    "DemoPlan",
    "PlannedCustomer",
    "PlannedInteraction",
    "PlannedTurn",
    "is_loaded",
    "load_activity",
    "load_demo",
    "plan_demo",
]
