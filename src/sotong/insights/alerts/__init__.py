"""Alerts of the analysis: surges (급증) of categories, dongs and clusters, and urgent safety flags (안전 위험 민원).

surges.py   daily detection against the expected level of the previous weeks, notices to the coordinators
terms.py    the managed keyword list: defaults, matching
safety.py   the minute scan (keyword hits and the learned classifier), the classifier's refit
actions.py  staff changes: terms added, switched, removed; flags confirmed or dismissed
read.py     what the pages and the board show
"""
