"""What the demo business is made of: people, companies, products and script lines.

Plain constants with no Django import, so they read as a cast list and can be edited without
knowing the loader. Phone numbers are 555-01xx numbers, which are reserved for fiction and still
valid for ``phonenumbers``; e-mail domains end in ``.example`` (RFC 2606), so nobody real is
contacted.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 2024
# Public on purpose: `everytouch demo` prints it next to the demo logins.
DEMO_PASSWORD = "brightline-demo"  # noqa: S105
BUSINESS = "Brightline Office Systems"
CUSTOMERS_AT_FULL_SIZE = 300
INTERACTIONS_AT_FULL_SIZE = 2000
MAX_SIZE = 2.0
DAYS_OF_HISTORY = 182


# username, first name, last name, role (an accounts ``Role`` value), title, team ("sales",
# "service" or "office": who takes which kind of call). The planner turns these into ``STAFF``.
PEOPLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("olivia", "Olivia", "Brightman", "owner", "Owner", "office"),
    ("marcus", "Marcus", "Webb", "manager", "Sales manager", "sales"),
    ("dana", "Dana", "Okafor", "manager", "Service manager", "service"),
    ("priya", "Priya", "Raman", "rep", "Sales rep", "sales"),
    ("jake", "Jake", "Sullivan", "rep", "Sales rep", "sales"),
    ("luis", "Luis", "Ortega", "rep", "Service coordinator", "service"),
    ("kim", "Kim", "Nguyen", "rep", "Service coordinator", "service"),
    ("grace", "Grace", "Holloway", "trainer", "Trainer", "office"),
)
# The directory: team names and managers, routing skills (matched against a caller's topic),
# languages, and who covers for whom.
TEAMS = {
    "sales": ("Sales", "marcus"),
    "service": ("Service", "dana"),
    "office": ("Office", "olivia"),
}
SKILLS = {
    "sales": ("copiers", "printers", "leases", "quotes", "pricing", "contracts"),
    "service": ("repairs", "toner", "jams", "scanning", "network", "supplies"),
    "office": ("billing", "invoices"),
}
LANGUAGES = {"luis": ("english", "spanish"), "priya": ("english", "hindi")}
BACKUPS = {"priya": "jake", "jake": "priya", "luis": "kim", "kim": "luis", "marcus": "dana"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Andrew Emily Joshua Donna Kevin Michelle "
    "Brian Carol George Amanda Timothy Melissa Ronald Deborah Jason Stephanie Ryan Rebecca "
    "Jacob Laura Gary Sharon Nicholas Cynthia Eric Kathleen Tanisha Amy Raj Angela Wei Anna "
    "Miguel Rosa Tomasz Agnieszka Hiroshi Aisha Darnell Fatima Omar Yolanda Ivan Keisha"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Kowalski Nowak Patel Shah Kim Park Chen Wang O'Brien Murphy Sullivan Schmidt Novak "
    "Jablonski Okafor Mensah Washington Jefferson Brooks Reyes Morales Ortiz Gutierrez Kaur"
)
PLACES = (
    "Lakeview",
    "Oak Park",
    "Riverside",
    "Evanston",
    "Naperville",
    "Elmhurst",
    "Wheaton",
    "Park Ridge",
    "Skokie",
    "Glenview",
    "Hinsdale",
    "Downers Grove",
    "Lombard",
    "Berwyn",
    "Schaumburg",
    "Des Plaines",
    "Wicker Park",
    "Lincoln Square",
    "Hyde Park",
    "Logan Square",
    "North Shore",
    "West Loop",
    "Fox Valley",
    "Prairie",
)
# {s}/{s2}: surnames, {p}: a place. Offices that print a lot: the dealer's customers.
COMPANY_PATTERNS = (
    "{s} Family Dental",
    "{p} Dental Care",
    "{s} & {s2} LLP",
    "{s} Law Group",
    "{s} CPA Group",
    "{s} Tax & Accounting",
    "{p} Realty",
    "{p} Pediatrics",
    "{p} Physical Therapy",
    "{p} Montessori School",
    "{p} Tool & Die",
    "{s} Fabrication",
    "{s} Insurance Agency",
    "{p} Community Church",
    "{s} Auto Body",
    "{s} Architects",
    "{p} Veterinary Clinic",
    "{s} Property Management",
    "{p} Title Company",
    "{p} Animal Hospital",
    "{s} & Sons Plumbing",
    "{p} Public Library Friends",
    "{s} Engineering",
    "{p} Chiropractic",
)
TITLES = (
    "office manager",
    "owner",
    "practice manager",
    "operations manager",
    "IT coordinator",
    "controller",
    "administrative assistant",
    "managing partner",
)
HABITS = (
    "",
    "Prefers e-mail.",
    "Best reached before 10 am.",
    "Invoices go to the main office.",
    "Decides with the partners; allow time for quotes.",
    "Ask for them by name at the front desk.",
)
AREA_CODES = (312, 773, 872, 630, 331, 847, 224, 708, 815, 779)
MODELS = (
    "bizhub C300i",
    "bizhub C450i",
    "imageRUNNER ADVANCE DX C3930i",
    "Ricoh IM C3000",
    "Sharp BP-70C31",
    "LaserJet Enterprise M611",
    "Brother HL-L6210DW",
    "VersaLink C415",
    "TASKalfa 3554ci",
)
PROMOTION = "this month new bizhub leases come with a year of toner included"


@dataclass(frozen=True)
class Topic:
    team: str
    needs: tuple[str, ...]
    summaries: tuple[str, ...]
    opening: tuple[str, ...]  # what the customer says first in a transcript
    question: tuple[str, str]  # the rep's qualifying question and the customer's answer
    next_step: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "service",
        ("Toner reorder for the {model}", "Black and cyan toner for the {model}"),
        (
            "Ordered {n} black toner cartridges for the {model}; ships tomorrow.",
            "Toner shipped under the service contract, no charge.",
        ),
        ("Hi, we're almost out of toner for our {model}.", "I need to order toner again."),
        ("Which colours are low?", "Black for sure, and the cyan is at about ten percent."),
        ("I've put the order in; it ships tomorrow and you'll get tracking by e-mail.",),
    ),
    Topic(
        "service",
        ("Paper jams on the {model} in tray 2", "Streaks on copies from the {model}"),
        (
            "Booked a technician for {day}. Error code C{code}.",
            "Walked the customer through clearing the fuser area; jam fixed on the phone.",
        ),
        ("Our {model} keeps jamming and it's driving everyone crazy.", "The copier is down."),
        ("Is there an error code on the screen?", "It says C{code}, I think."),
        (
            "I've booked a technician for {day} morning.",
            "If it jams again today, call me back directly and I'll send someone out.",
        ),
    ),
    Topic(
        "sales",
        ("Quote for a new color copier, about {volume} pages a month", "Replace the old copier"),
        (
            "Sent a quote for the {model} with a 60-month lease.",
            "Discussed the {model} versus the {model2}; customer wants a demo first.",
        ),
        ("We're looking at replacing our copier.", "How much is a new color copier?"),
        ("Roughly how many pages do you print a month?", "Around {volume}, mostly black."),
        (
            "I'll send the quote over by end of day tomorrow.",
            "Can I book you in for a demo at our showroom on {day}?",
        ),
    ),
    Topic(
        "sales",
        ("Lease renewal for the {model}", "Lease buyout question on the {model}"),
        (
            "Lease ends in {months} months; offered an upgrade to the {model2}.",
            "Explained the buyout amount and the renewal options.",
        ),
        ("Our lease is coming up and I'm not sure what our options are.",),
        ("When does the current lease end?", "In about {months} months, I think."),
        ("I'll pull up your contract and e-mail you both options today.",),
    ),
    Topic(
        "sales",
        ("Desktop laser printers for {n} new hires", "Printers for the new front desk"),
        ("Quoted {n} Brother HL-L6210DW printers with setup.", "Customer will buy online."),
        ("We're hiring and need a few more printers.",),
        ("How many desks are we talking about?", "{n} to start with."),
        ("I'll put together a quote with delivery and setup included.",),
    ),
    Topic(
        "service",
        ("Scan-to-email stopped working", "New laptop can't find the {model}"),
        (
            "Updated the SMTP password on the {model}; scan-to-email works again.",
            "Installed the driver remotely and printed a test page.",
        ),
        ("Scanning to e-mail stopped working this morning.", "My laptop can't see the printer."),
        ("Did anyone change the e-mail password recently?", "Oh, yes, IT changed it Monday."),
        ("I'll have our network tech call you within the hour.",),
    ),
    Topic(
        "office",
        ("Question about the overage charge on the last invoice", "Update billing address"),
        (
            "Explained the meter-read overage; customer printed {volume} extra pages.",
            "Updated the billing contact and re-sent the invoice.",
        ),
        ("There's a charge on our invoice I don't understand.",),
        ("Do you have the invoice number handy?", "It's INV-{code}."),
        ("I'll e-mail you the meter readings so you can check them.",),
    ),
    Topic(
        "sales",
        ("Service contract renewal", "Add the new printer to the service contract"),
        (
            "Renewed the service contract for another year at the same rate.",
            "Added the {model} to the existing contract.",
        ),
        ("Our service contract is up for renewal.",),
        ("Are you happy with the response times this year?", "Mostly, yes."),
        ("I'll send the renewal for e-signature today.",),
    ),
)
TRANSFER_REASONS = {
    "sales": ("Wants pricing on a new lease", "Asked for their account manager"),
    "service": ("Service question", "Machine is down, needs a technician"),
    "office": ("Billing question",),
}


# The open work loaded after the history (see activity.py).
SALES_WORDS = ("quote", "lease", "new", "upgrade", "price", "copier", "printer")
PROMISES = (
    "Call back with the lease options",
    "E-mail the service contract renewal",
    "Send the toner order confirmation",
    "Book the technician visit",
    "Check stock of the colour model and call back",
)
MESSAGE_ABOUT = "Wants to talk about adding a second copier on the lease"
EXPO = "at the Chicago office-tech expo"
