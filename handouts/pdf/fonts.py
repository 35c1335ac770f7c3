"""The fonts handout PDFs print with, and which characters they can print.

HANDOUT_FONTS is the one list: the print stylesheet declares an @font-face for each file and
puts the families in its font stack in this order, and `unprintable_characters` reads the
same files. A font added here is printed with and checked at once.

Only these files count, never a font installed on the machine (DejaVu, ...): what the check
accepts is then what prints on any server, with no system fallback.

The files come from Fontsource packages on the npm registry (package.json), installed into
node_modules. Only the PDF renderer reads them (through handouts.pdf.render's URL fetcher, which
serves exactly these files); web pages do not use them, so they are not static files.
"""

import functools
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FontFace:
    family: str
    path: str  # "<package>/<file>": the PDF stylesheet's URL after the font scheme
    weight: int
    style: str

    @property
    def file(self) -> Path:
        package, name = self.path.split("/")
        return Path(settings.FONTSOURCE_DIR) / package / "files" / name

    @property
    def format(self) -> str:
        return self.path.rsplit(".", 1)[-1]  # "woff" or "woff2", as CSS names them


def _faces(
    family: str,
    package: str,
    subset: str,
    faces: tuple[tuple[int, str], ...] = ((400, "normal"), (700, "normal")),
    extension: str = "woff",
) -> list[FontFace]:
    return [
        FontFace(
            family, f"{package}/{package}-{subset}-{weight}-{style}.{extension}", weight, style
        )
        for weight, style in faces
    ]


ATKINSON_FACES = ((400, "normal"), (700, "normal"), (400, "italic"))

# Order is the font stack's: Pango takes each character from the first family that has it.
# Every file is its own family (see handout.css). The Noto names end in "Handout" because
# Debian's fonts-noto-core installs families called "Noto Sans Arabic" and so on: with the
# same name, fontconfig could pick the machine's font instead of ours.
#
# The CJK families use Fontsource's single file per script (about 1 MB, 6,600 to 11,500
# characters) rather than its ~100 numbered unicode-range chunks. Han characters shared by
# several of them print from the first: simplified Chinese.
#
# The Noto files are WOFF 1, not woff2: WeasyPrint decodes woff2 in pure Python, measured at
# about 5 s per CJK file (over 40 s to parse the stylesheet in each new process), against
# 0.1 s for the same font as WOFF 1. Atkinson Hyperlegible's small files stay woff2, so that a
# Latin-only handout is byte for byte what it was before the Noto fonts came.
HANDOUT_FONTS: list[FontFace] = [
    # Latin: Atkinson Hyperlegible (designed for low-vision readers) first.
    *_faces("Atkinson Hyperlegible", "atkinson-hyperlegible", "latin", ATKINSON_FACES, "woff2"),
    *_faces(
        "Atkinson Hyperlegible Ext", "atkinson-hyperlegible", "latin-ext", ATKINSON_FACES, "woff2"
    ),
    # What Atkinson lacks (Vietnamese, more Latin, symbols), then Greek and Cyrillic.
    *_faces("Noto Sans Latin Handout", "noto-sans", "latin"),
    *_faces("Noto Sans Latin Ext Handout", "noto-sans", "latin-ext"),
    *_faces("Noto Sans Vietnamese Handout", "noto-sans", "vietnamese"),
    *_faces("Noto Sans Greek Handout", "noto-sans", "greek"),
    *_faces("Noto Sans Greek Ext Handout", "noto-sans", "greek-ext"),
    *_faces("Noto Sans Cyrillic Handout", "noto-sans", "cyrillic"),
    *_faces("Noto Sans Cyrillic Ext Handout", "noto-sans", "cyrillic-ext"),
    *_faces("Noto Sans Arabic Handout", "noto-sans-arabic", "arabic"),
    *_faces("Noto Sans Hebrew Handout", "noto-sans-hebrew", "hebrew"),
    *_faces("Noto Sans Devanagari Handout", "noto-sans-devanagari", "devanagari"),
    *_faces("Noto Sans Thai Handout", "noto-sans-thai", "thai"),
    *_faces("Noto Sans Tamil Handout", "noto-sans-tamil", "tamil"),
    *_faces("Noto Sans Ethiopic Handout", "noto-sans-ethiopic", "ethiopic"),
    *_faces("Noto Sans Bengali Handout", "noto-sans-bengali", "bengali"),
    *_faces("Noto Sans Gujarati Handout", "noto-sans-gujarati", "gujarati"),
    *_faces("Noto Sans Gurmukhi Handout", "noto-sans-gurmukhi", "gurmukhi"),
    *_faces("Noto Sans Khmer Handout", "noto-sans-khmer", "khmer"),
    *_faces("Noto Sans Myanmar Handout", "noto-sans-myanmar", "myanmar"),
    *_faces("Noto Sans Sinhala Handout", "noto-sans-sinhala", "sinhala"),
    *_faces("Noto Sans Georgian Handout", "noto-sans-georgian", "georgian"),
    *_faces("Noto Sans Armenian Handout", "noto-sans-armenian", "armenian"),
    *_faces("Noto Sans SC Handout", "noto-sans-sc", "chinese-simplified"),
    *_faces("Noto Sans TC Handout", "noto-sans-tc", "chinese-traditional"),
    *_faces("Noto Sans JP Handout", "noto-sans-jp", "japanese"),
    *_faces("Noto Sans KR Handout", "noto-sans-kr", "korean"),
]

# HTML folds these into one space; every other character needs a glyph, spaces included.
HTML_WHITE_SPACE = frozenset(" \t\n\r\f")
# Other white space (no-break, em, ideographic spaces, line separators): HarfBuzz draws a
# space the font lacks as a plain space of the right width.
WHITE_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
VISIBLE_SPACES = frozenset("\N{OGHAM SPACE MARK}")


def font_families() -> list[str]:
    """The print stylesheet's font stack, before the generic `sans-serif`."""
    return list(dict.fromkeys(face.family for face in HANDOUT_FONTS))


def font_file(path: str) -> Path | None:
    """The installed file of a handout font, by its stylesheet path; None for anything else."""
    face = _faces_by_path().get(path)
    return face.file if face is not None and face.file.is_file() else None


@functools.cache
def _faces_by_path() -> dict[str, FontFace]:
    return {face.path: face for face in HANDOUT_FONTS}


def unprintable_characters(text: str) -> list[str]:
    """The distinct characters of `text`, in order of first appearance, that no handout font
    has. White space is ignored."""
    printable = _printable_code_points()
    return [
        char
        for char in dict.fromkeys(text)
        if ord(char) not in printable and not _is_white_space(char)
    ]


def validate_printable(value: str) -> None:
    """Django validator: refuses text with characters no handout font can print, naming
    each one, so that the clinician can fix it before the handout is issued."""
    missing = unprintable_characters(value)
    if not missing:
        return
    named = get_text_list([_describe(char) for char in missing], _("and"))
    message = ngettext(
        "%(characters)s cannot be printed: no handout font has it. Leave it out or spell it "
        "another way.",
        "%(characters)s cannot be printed: no handout font has them. Leave them out or spell "
        "them another way.",
        len(missing),
    ) % {"characters": named}
    raise ValidationError(message, code="unprintable")


def _is_white_space(char: str) -> bool:
    return char in HTML_WHITE_SPACE or (
        unicodedata.category(char) in WHITE_SPACE_CATEGORIES and char not in VISIBLE_SPACES
    )


def _describe(char: str) -> str:
    # A combining mark is shown on a dotted circle, as Unicode charts do, so it is visible.
    shown = f"\N{DOTTED CIRCLE}{char}" if unicodedata.combining(char) else char
    name = unicodedata.name(char, "") or f"U+{ord(char):04X}"
    # Translators: a character the handout fonts lack, and its Unicode name (in English).
    return _("“%(character)s” (%(name)s)") % {"character": shown, "name": name}


@functools.cache
def _printable_code_points() -> frozenset[int]:
    """Every code point some handout font maps to a glyph. Read once per process (about 0.3 s
    for all the files)."""
    from fontTools.ttLib import TTFont

    code_points: set[int] = set()
    for face in HANDOUT_FONTS:
        path = font_file(face.path)
        if path is None:
            # The renderer cannot load it either (portal.W001 warns when fonts are missing).
            logger.warning("Handout font %s is not installed", face.path)
            continue
        font = TTFont(io.BytesIO(path.read_bytes()), lazy=True)
        code_points.update(font.getBestCmap() or {})
    return frozenset(code_points)
