"""Surges (급증) and urgent safety flags (안전 위험 민원). Filled in by the alerts work."""

from __future__ import annotations
