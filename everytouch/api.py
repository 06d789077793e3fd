"""The JSON API, /api/v1/. Each domain app contributes a thin router that calls its actions."""

from ninja import NinjaAPI

api = NinjaAPI(title="Everytouch API", version="1", urls_namespace="api-v1")
