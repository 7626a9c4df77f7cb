"""Matching: which target item is the counterpart of which source item.

:mod:`~auditor.match.keys` derives what identifies an item from the catalog's
match keys; :mod:`~auditor.match.matcher` tries the rules' strategies in
turn (id, id map, metadata, name) and reports ambiguities, never a silent pick;
:mod:`~auditor.match.pairs` holds what it gives.
"""

from __future__ import annotations

from auditor.match.matcher import Matcher
from auditor.match.pairs import Ambiguity, Matching, Pair

__all__ = ["Ambiguity", "Matcher", "Matching", "Pair"]
