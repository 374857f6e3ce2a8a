"""Topic clusters (군집): clustering runs, staff decisions on topics, assignment of new cases, counts."""
