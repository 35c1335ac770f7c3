"""Handout PDFs, a sub-domain of its own: `render` (the public functions: snapshot + choices +
clinic profile -> PDF bytes), `tagging` (finishing WeasyPrint's tagged PDF so that its PDF/UA
claim holds), `fonts` (what handouts print with, and which characters they can print) and
`pictograms` (the plan's icons)."""
