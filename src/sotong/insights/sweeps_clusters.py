"""Topic clusters, their staff pages and the cluster sweeps (imported by `insights.sweeps`, where the scheduler finds them)."""

from __future__ import annotations
