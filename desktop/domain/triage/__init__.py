"""Triage rules, pure and offline: sentiment, needs-reply, business hours and response
targets, and an explainable priority score computed incrementally from a conversation's
facts. No store, no Qt: the store persists what these functions compute."""
