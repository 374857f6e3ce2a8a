"""Topic clusters (군집) of cases and the staff's managed training data. Filled in by the clusters work."""

from __future__ import annotations
