"""Departures: someone leaves, and everything they own is handed over to a successor."""
