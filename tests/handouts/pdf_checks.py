"""Automated PDF/UA-1 checks on our handout PDFs, and the text a screen reader gets from them.

These are our own checks of the rules our PDFs can break, read from the structure tree with
pikepdf; they are not a full PDF/UA validation (veraPDF checks far more). `pdf_ua_problems()`
returns one readable sentence per problem, so a failing test says what is wrong.
"""

import io
import re
import statistics
from collections import Counter
from collections.abc import Iterator

import pikepdf
from pypdf import PdfReader

from handouts.pdf.tagging import (
    INLINE_TYPES,
    Node,
    TaggedPdf,
    object_key,
    read_tagged_pdf,
)

# Blocks start on a line of their own in tagged_text(); a list item's label and body share one.
RUN_IN_TYPES = INLINE_TYPES | {"Lbl", "LBody"}
MAX_REPORTED = 5  # per rule, so a broken PDF gives a readable list, not thousands of lines


def pdf_ua_problems(pdf: bytes, *, not_in_list: str = "") -> list[str]:
    """What breaks the PDF/UA-1 rules we check, one sentence each; empty when nothing does.

    Checked: the catalog's /Lang, /MarkInfo /Marked true and /ViewerPreferences
    /DisplayDocTitle true; the title in the document information and the same dc:title in the
    XMP metadata, with pdfuaid:part 1; every marked-content sequence with an MCID reached from
    the structure tree (no orphans, so no page furniture left tagged), every structure element
    reached, and a ParentTree that maps each MCID to the element holding it and nothing else;
    every text-showing and painting operator inside tagged content or an /Artifact; /Alt on
    every Figure; /Scope on every TH; the same number of columns in each row of a table;
    embedded fonts with /ToUnicode; and, when `not_in_list` is given (the patient's name), no
    list (/L) that contains it.
    """
    with pikepdf.open(io.BytesIO(pdf)) as document:
        tagged = read_tagged_pdf(document)
        problems = [
            *_catalog_problems(document),
            *_metadata_problems(document),
        ]
        if "/StructTreeRoot" not in document.Root:
            return [*problems, "The PDF has no structure tree (it is not tagged)."]
        problems += _orphan_problems(tagged)
        problems += _untagged_content_problems(tagged)
        problems += _element_problems(tagged, not_in_list)
        problems += _font_problems(document)
        return problems


def tagged_text(pdf: bytes) -> str:
    """The text as a reader that follows the structure tree gets it: each block (paragraph,
    heading, list item, table cell) on a line of its own, the pieces of a block joined exactly
    as they are, so a space lost at a line wrap shows as two words run together. Text marked
    as an artifact (page headers and footers) is not in it."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        tagged = read_tagged_pdf(document)
        lines: list[list[str]] = [[]]
        for root in tagged.roots:
            _collect_lines(tagged, root, lines)
        # Runs of white space fold to one space; no space is ever added between pieces.
        text = (" ".join("".join(pieces).split()) for pieces in lines)
        return "\n".join(line for line in text if line)


def element_text(tagged: TaggedPdf, node: Node) -> str:
    """The text of a structure element: its /ActualText, or else its marked content in order,
    decoded through the fonts' /ToUnicode maps (or their own /ActualText)."""
    if "/ActualText" in node.element:
        return str(node.element.ActualText)
    return "".join(
        element_text(tagged, kid) if isinstance(kid, Node) else tagged.text_of(kid)
        for kid in node.kids
    )


def _collect_lines(tagged: TaggedPdf, node: Node, lines: list[list[str]]) -> None:
    block = node.role not in RUN_IN_TYPES
    if block:
        lines.append([])
    if "/ActualText" in node.element:
        lines[-1].append(str(node.element.ActualText))
        kids = []
    else:
        kids = node.kids
    for kid in kids:
        if isinstance(kid, Node):
            _collect_lines(tagged, kid, lines)
        else:
            lines[-1].append(tagged.text_of(kid))
    if block:
        lines.append([])


# --- The rules ----------------------------------------------------------------------------


def _catalog_problems(document: pikepdf.Pdf) -> list[str]:
    root = document.Root
    problems = []
    missing: dict[str, object] = {}  # a dictionary the catalog does not have
    if not str(root.get("/Lang", "")).strip():
        problems.append("The catalog has no /Lang (the document's language).")
    if not _is_true(root.get("/MarkInfo", missing).get("/Marked")):
        problems.append("The catalog's /MarkInfo does not say /Marked true.")
    if not _is_true(root.get("/ViewerPreferences", missing).get("/DisplayDocTitle")):
        problems.append("/ViewerPreferences does not say /DisplayDocTitle true.")
    return problems


def _is_true(value: object) -> bool:
    # WeasyPrint writes the name-like token `true` through pydyf; pikepdf reads it as a bool.
    return value is True or str(value) == "true"


def _metadata_problems(document: pikepdf.Pdf) -> list[str]:
    title = str(document.trailer.Info.get("/Title", "")) if "/Info" in document.trailer else ""
    if "/Metadata" not in document.Root:
        return ["The catalog has no XMP /Metadata stream."]
    xmp = document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    problems = []
    dc_title = str(xmp.get("dc:title") or "")
    if not title.strip():
        problems.append("The document information has no /Title.")
    if not dc_title.strip():
        problems.append("The XMP metadata has no dc:title.")
    elif title and dc_title != title:
        problems.append(f"The XMP dc:title {dc_title!r} differs from the /Title {title!r}.")
    if str(xmp.get("pdfuaid:part") or "").strip() != "1":
        problems.append("The XMP metadata does not identify the file as PDF/UA-1 (pdfuaid:part 1).")
    return problems


def _orphan_problems(tagged: TaggedPdf) -> list[str]:
    problems: list[str] = []
    referenced: dict[tuple[int, int], pikepdf.Object] = {}
    for ref in tagged.contents():
        referenced[(ref.page, ref.mcid)] = ref.element
    for page in tagged.pages:
        for marked in page.marked:
            if marked.mcid is not None and (page.index, marked.mcid) not in referenced:
                problems.append(
                    f"Page {page.index + 1}: marked content {marked.mcid} "
                    f"({marked.text.strip()[:60]!r}) is not in the structure tree; page "
                    "furniture such as a running footer must be an /Artifact."
                )
        for mcid in {m for (p, m) in referenced if p == page.index} - set(page.by_mcid):
            problems.append(
                f"Page {page.index + 1}: the structure tree points at marked "
                f"content {mcid}, which the page does not have."
            )
    unreached = [
        obj
        for obj in tagged.document.objects
        if isinstance(obj, pikepdf.Dictionary)
        and obj.get("/Type") == "/StructElem"
        and object_key(obj) not in tagged.reached
    ]
    if unreached:
        problems.append(
            f"{len(unreached)} structure elements are not reachable from the "
            f"structure tree root ({_roles(unreached)})."
        )
    problems += _parent_tree_problems(tagged, referenced)
    return _capped(problems)


def _parent_tree_problems(tagged: TaggedPdf, referenced: dict) -> list[str]:
    root = tagged.document.Root.StructTreeRoot
    if "/ParentTree" not in root:
        return ["The structure tree has no /ParentTree."]
    entries = dict(_number_tree(root.ParentTree))
    problems = []
    for page in tagged.pages:
        key = page.page.obj.get("/StructParents")
        if key is None:
            if page.by_mcid:
                problems.append(f"Page {page.index + 1} has marked content but no /StructParents.")
            continue
        array = entries.get(int(key))
        if not isinstance(array, pikepdf.Array):
            problems.append(f"The ParentTree has no entry for page {page.index + 1}.")
            continue
        for mcid, element in enumerate(array):
            if mcid not in page.by_mcid:
                problems.append(
                    f"Page {page.index + 1}: the ParentTree maps MCID {mcid}, "
                    "which the page does not use (a stale entry)."
                )
            elif not isinstance(element, pikepdf.Dictionary) or (
                object_key(element) != object_key(referenced.get((page.index, mcid), element))
                or object_key(element) not in tagged.reached
            ):
                problems.append(
                    f"Page {page.index + 1}: the ParentTree maps MCID {mcid} to "
                    "an element that does not hold it in the structure tree."
                )
        for mcid in page.by_mcid:
            if mcid >= len(array):
                problems.append(
                    f"Page {page.index + 1}: MCID {mcid} is missing from the ParentTree."
                )
    return problems


def _number_tree(tree: pikepdf.Object, depth: int = 0) -> Iterator[tuple[int, pikepdf.Object]]:
    if depth > 20:
        return
    nums = tree.get("/Nums", pikepdf.Array())
    for i in range(0, len(nums) - 1, 2):
        yield int(nums[i]), nums[i + 1]
    for kid in tree.get("/Kids", pikepdf.Array()):
        yield from _number_tree(kid, depth + 1)


def _untagged_content_problems(tagged: TaggedPdf) -> list[str]:
    problems = []
    for page in tagged.pages:
        loose = Counter(op for _i, op, inside in page.painting if not inside)
        if loose:
            operators = ", ".join(f"{count} {op}" for op, count in sorted(loose.items()))
            problems.append(
                f"Page {page.index + 1}: content outside both tagged content and "
                f"artifacts ({operators})."
            )
    return _capped(problems)


def _element_problems(tagged: TaggedPdf, not_in_list: str) -> list[str]:
    problems = []
    for node in tagged.nodes():
        if node.role == "Figure" and not ("/Alt" in node.element or "/ActualText" in node.element):
            problems.append("A Figure has no /Alt (alternative text).")
        elif node.role == "TH" and not _has_scope(node.element):
            problems.append(
                f"A table header cell ({element_text(tagged, node).strip()!r}) has no /Scope."
            )
        elif node.role == "Table":
            problems += _table_shape_problems(node, tagged)
        elif node.role == "L" and not_in_list and not_in_list in element_text(tagged, node):
            problems.append(
                "The patient's name is inside a list (/L): it reads as a list "
                "item, not as who the handout is for."
            )
    return _capped(problems)


def _has_scope(element: pikepdf.Object) -> bool:
    attributes = element.get("/A")
    candidates = (
        [attributes]
        if isinstance(attributes, pikepdf.Dictionary)
        else (list(attributes) if isinstance(attributes, pikepdf.Array) else [])
    )
    return any(
        isinstance(a, pikepdf.Dictionary)
        and a.get("/O") == "/Table"
        and str(a.get("/Scope", "")) in ("/Row", "/Column", "/Both")
        for a in candidates
    )


def _table_shape_problems(table: Node, tagged: TaggedPdf) -> list[str]:
    rows = [node for node in table.walk() if node.role == "TR"]
    widths = []
    spanning: dict[int, int] = {}  # row index -> columns taken by row spans from above
    for index, row in enumerate(rows):
        width = spanning.pop(index, 0)
        for cell in (kid for kid in row.kids if isinstance(kid, Node)):
            if cell.role not in ("TH", "TD"):
                continue
            colspan, rowspan = _spans(cell.element)
            width += colspan
            for below in range(index + 1, index + rowspan):
                spanning[below] = spanning.get(below, 0) + colspan
        widths.append(width)
    if len(set(widths)) > 1:
        usual = statistics.mode(widths)
        odd = [i + 1 for i, width in enumerate(widths) if width != usual]
        first_cell = element_text(tagged, rows[0]).strip()[:40] if rows else ""
        return [
            f"A table ({first_cell!r}...) has rows of different widths: rows {odd} do "
            f"not have {usual} columns."
        ]
    return []


def _spans(element: pikepdf.Object) -> tuple[int, int]:
    attributes = element.get("/A")
    candidates = (
        [attributes]
        if isinstance(attributes, pikepdf.Dictionary)
        else (list(attributes) if isinstance(attributes, pikepdf.Array) else [])
    )
    colspan = rowspan = 1
    for a in candidates:
        if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table":
            colspan = int(a.get("/ColSpan", colspan))
            rowspan = int(a.get("/RowSpan", rowspan))
    return colspan, rowspan


def _font_problems(document: pikepdf.Pdf) -> list[str]:
    problems = []
    seen: set = set()
    for page_number, page in enumerate(document.pages, start=1):
        for name, font in _fonts(page.obj.get("/Resources"), set()):
            if object_key(font) in seen:
                continue
            seen.add(object_key(font))
            label = f"{str(font.get('/BaseFont', name))[1:]} (page {page_number})"
            if font.get("/Subtype") != "/Type3" and not _embedded(font):
                problems.append(f"The font {label} is not embedded.")
            if "/ToUnicode" not in font:
                problems.append(
                    f"The font {label} has no /ToUnicode map, so its text cannot be read out."
                )
    return problems


def _fonts(
    resources: pikepdf.Object | None, visited: set[tuple]
) -> Iterator[tuple[str, pikepdf.Object]]:
    """(resource name, font) for the fonts in these resources and in their form XObjects."""
    if not isinstance(resources, pikepdf.Dictionary) or object_key(resources) in visited:
        return
    visited.add(object_key(resources))
    yield from resources.get("/Font", pikepdf.Dictionary()).items()
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"), visited)


def _embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor", pikepdf.Dictionary())
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _roles(elements: list) -> str:
    counts = Counter(str(element.get("/S", "/?"))[1:] for element in elements)
    return ", ".join(f"{count} {role}" for role, count in counts.most_common(4))


def _capped(problems: list[str]) -> list[str]:
    """At most MAX_REPORTED of each kind of problem (kinds told apart by their wording with the
    numbers and quotes taken out), with a count of the rest."""
    kept: list[str] = []
    counts: Counter = Counter()
    for problem in problems:
        kind = re.sub(r"\d+|'[^']*'|\"[^\"]*\"", "", problem)
        counts[kind] += 1
        if counts[kind] <= MAX_REPORTED:
            kept.append(problem)
    for kind, count in counts.items():
        if count > MAX_REPORTED:
            kept.append(f"... and {count - MAX_REPORTED} more like: {kind.strip()}")
    return kept


# --- Fonts ----------------------------------------------------------------------------------


def embedded_fonts(pdf: bytes) -> dict[str, dict]:
    """The PDF's fonts by family (the @font-face name), each with its font descriptor."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # "/ABCDEF+Noto-Sans-Greek-Handout-Bold": subset tag, family, then the style.
            name = str(font["/BaseFont"]).split("+")[-1]
            family = re.sub(r"(-(Bold|Italic|Oblique))+$", "", name).replace("-", " ")
            fonts[family] = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    return fonts


def notdef_warnings(caplog) -> list[str]:
    # WeasyPrint logs each character it draws as .notdef (the empty box, glyph 0).
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("weasyprint") and ".notdef" in r.getMessage()
    ]
