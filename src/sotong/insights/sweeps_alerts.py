"""Surges and urgent safety flags: their sweeps (imported by `insights.sweeps`, where the scheduler finds them)."""

from __future__ import annotations
