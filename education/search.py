"""Text normalization shared by what is stored for search and what staff type."""

import unicodedata

# Ligatures that Unicode does not decompose but readers treat as two letters (œdème, Cæsar).
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def normalize_for_search(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "Édème  Osseux" -> "edeme osseux"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.casefold().split())
