"""Finishing WeasyPrint's tagged PDF so that its PDF/UA-1 claim holds.

WeasyPrint 70 (`pdf_variant="pdf/ua-1"`) writes a structure tree, but four things in it fall
short of what a screen reader, or a PDF/UA validator, expects:

* Text in page margin boxes (our running footer) is marked `/Span <</MCID n>> BDC` and given
  structure elements that are never linked into the tree (`pdf/tags.py`, the MarginBox case),
  though the ParentTree still points at them. PDF/UA wants page furniture to be `/Artifact`
  (Matterhorn 01-003/01-005): tagged content a reader never reaches is worse than none.
  Upstream: https://github.com/Kozea/WeasyPrint/issues/1836 (open).
* Table header cells get an /ID (and data cells /Headers) but no /Scope.
  Upstream: https://github.com/Kozea/WeasyPrint/issues/2508 (open).
* WeasyPrint drops the space at the end of each wrapped line (`layout/inline.py:
  remove_last_whitespace`), so a reader that concatenates a paragraph's marked content reads
  "wordword" at every line break. Upstream: no issue found.
* An element's own `lang` attribute does not reach its structure element: only the document's
  language is written (/Lang in the catalog). A passage in another language (the clinician's
  note, printed as written) would be read aloud with the wrong voice. Upstream: no issue found.

`finish_tagged_pdf()` fixes all four on the finished bytes, with pikepdf, and `read_tagged_pdf()`
is the reading model it shares with the checks in `tests/handouts/pdf_checks.py`. The step is
deterministic (no timestamps; the /ID keeps WeasyPrint's first part, from `pdf_identifier`, and
the second is a hash of the content). It costs about 7 % of the WeasyPrint render it follows
(measured on the 3-page sample handout: about 18 ms against 255 ms), most of it in qpdf parsing
and writing the content streams; the Python side reads operands from qpdf's unparsed text
rather than object by object, which was several times slower.
"""

import functools
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import pikepdf
from pikepdf import Array, ContentStreamInstruction, Dictionary, Name, Operator, String

TEXT_SHOWING = frozenset({b"Tj", b"TJ", b"'", b'"'})
# Operators that put marks on the page: PDF/UA wants each inside tagged content or an artifact.
PAINTING = TEXT_SHOWING | {
    b"Do",
    b"sh",
    b"f",
    b"F",
    b"f*",
    b"B",
    b"B*",
    b"b",
    b"b*",
    b"S",
    b"s",
    b"EI",
}  # EI: the end of an inline image, as qpdf writes it
READ_OPERATORS = PAINTING | {
    b"BDC",
    b"BMC",
    b"EMC",
    b"q",
    b"Q",
    b"cm",
    b"BT",
    b"Tm",
    b"Td",
    b"TD",
    b"Tf",
}
# Structure types whose content flows inside the enclosing block: a line break between two of
# their pieces is a line wrap, not the end of a block. WeasyPrint tags <strong>, <em> and
# anonymous boxes as NonStruct. (Lbl is a block here: the bullet is read apart from the item.)
INLINE_TYPES = frozenset(
    {
        "Span",
        "NonStruct",
        "Private",
        "Link",
        "Annot",
        "Quote",
        "Code",
        "Reference",
        "BibEntry",
        "Note",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Em",
        "Strong",
        "Sub",
    }
)
# A line that ends in one of these broke after it, not at a space ("Follow-|up", "…/h/|abc"),
# unless the character stands alone as a word (" — ").
BREAK_AFTER = frozenset("-\u00ad\u2010\u2012\u2013\u2014\u2015/")
# Nothing after a space can start a line with these (UAX #14, LB13): seen at a line start, the
# line broke inside a word.
NO_LINE_START = frozenset(",.;:!?%")
IDENTITY: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def finish_tagged_pdf(pdf: bytes, quotes_in: Sequence[tuple[str, str]] = ()) -> bytes:
    """The PDF with page-margin text made /Artifact, /Scope on every table header cell, the
    spaces at line wraps restored and /Lang on quotations in another language; the same input
    always gives the same output.

    Languages: `quotes_in` pairs a passage's text with its language. Each /BlockQuote element
    (an HTML <blockquote>) whose text is that passage, or a part of it when a page break splits
    the quotation, gets /Lang. Texts are compared without white space and hyphens, which line
    wrapping changes.

    Margin boxes: any marked-content sequence whose MCID the structure tree does not reach
    becomes `/Artifact <</Type /Pagination /Subtype /Header|/Footer>>`. That is exactly what
    WeasyPrint leaves out of the tree, and nothing else; the remaining MCIDs are numbered from 0
    again and the ParentTree is rebuilt from the tree, so it has no stale entries.

    Scope: a header cell is a row header when a data cell in its own row names it in /Headers
    (WeasyPrint lists a `scope="row"` header for the cells of its row, any other for the cells
    of its column), a column header otherwise; a header no cell names falls back to where it
    stands (in THead or a row of headers only: Column; else Row).

    Line wraps: where text in one block continues on the next line, the marked content of the
    line's last piece gets a real space glyph from its own font, appended after its last glyph.
    Why a glyph, and not /ActualText: ISO 32000-1 (14.8.2.5) asks tagged PDF to make word breaks
    explicit space characters, and a real space is read by every extractor and assistive
    technology, including those that ignore /ActualText (pdftotext, pypdf, copy and paste in
    most viewers); it draws nothing and moves nothing, since it comes after the last glyph of
    the text object. /ActualText would duplicate each line's text, and would silently
    misrepresent it wherever a glyph's Unicode mapping was wrong. Only when the font has no
    space glyph (never drawn one anywhere) does that piece get `/ActualText` (its text plus a
    space) instead.

    Whether a wrap had a space is inferred, because WeasyPrint keeps no trace of it: no space is
    added after a hyphen, dash or slash attached to a word, before closing punctuation, inside
    a URL (a `://` or `www.` word), next to characters of scripts written without spaces (Han,
    kana, Hangul, which Pango breaks between syllables, Thai, Lao, Khmer, Myanmar, Tibetan), in
    right-to-left text (its glyphs are in visual order), or where the line already ends or
    starts with a space. A forced break (<br>) gets a space too, which is what a reader needs.
    Limits: a word broken by `word-break: break-all` that is not a URL would gain a space, and a
    paragraph that continues on the next page is two elements in WeasyPrint's tree, so no space
    is added between them (upstream: https://github.com/Kozea/WeasyPrint/issues/2903, open).
    """
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/StructTreeRoot" not in document.Root:
            return pdf
        tagged = read_tagged_pdf(document)
        edits = {index: PageEdits() for index in range(len(tagged.pages))}
        _make_orphans_artifacts(tagged, edits)
        _add_table_scopes(tagged)
        _keep_line_break_spaces(tagged, edits)
        _tag_quotation_languages(tagged, quotes_in)
        _renumber_and_rebuild_parent_tree(tagged, edits)
        for index, page_edits in edits.items():
            if page_edits:
                page = tagged.pages[index]
                page.page.Contents = document.make_stream(page_edits.apply(page.lines))
        out = io.BytesIO()
        # deterministic_id: the second half of /ID is a hash of the content, not of the time;
        # qpdf keeps the first half WeasyPrint derived from pdf_identifier.
        document.save(out, deterministic_id=True)
        return out.getvalue()


# --- Reading ------------------------------------------------------------------------------


class CodeMap(dict):
    """Character code -> text; a code the CMap does not map reads as U+FFFD."""

    def __missing__(self, code: int) -> str:
        return "\ufffd"


@dataclass
class Font:
    """A font's Unicode mapping, from its /ToUnicode CMap (empty without one)."""

    codes: CodeMap
    code_length: int  # bytes per character code
    space: bytes | None  # the code of a space glyph, if the font has one

    def decode(self, data: bytes) -> str:
        # str.translate maps every code in one call; each two-byte code is first read as one
        # UTF-16 unit (surrogatepass keeps lone surrogates; a pair would merge, so check).
        if self.code_length == 1:
            return data.decode("latin-1").translate(self.codes)
        if self.code_length == 2 and len(data) % 2 == 0:
            units = data.decode("utf-16-be", "surrogatepass")
            if len(units) * 2 == len(data):
                return units.translate(self.codes)
        n = self.code_length
        return "".join(self.codes[int.from_bytes(data[i : i + n])] for i in range(0, len(data), n))


@dataclass
class Marked:
    """One marked-content sequence on a page's content stream."""

    tag: str
    properties: Dictionary | None
    start: int  # index of its BDC/BMC instruction
    mcid: int | None
    shows: list[int] = field(default_factory=list)  # its own text-showing instructions
    pieces: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)  # font resource name for each show
    origin: tuple[float, float] | None = None  # first glyph origin, page space (points, y up)
    size: float = 0.0  # first text's font size in page space
    actual_text: str | None = None  # its /ActualText, which replaces its text when reading

    @property
    def text(self) -> str:
        return self.actual_text if self.actual_text is not None else "".join(self.pieces)


@dataclass
class PageContent:
    index: int
    page: pikepdf.Page
    instructions: list
    lines: list[bytes]  # each instruction as qpdf writes it
    fonts: dict[str, Font]
    marked: list[Marked]
    by_mcid: dict[int, Marked]
    # (instruction index, operator, "artifact" | "tagged" | "") for each PAINTING operator:
    # what it is inside (an /Artifact, a sequence with an MCID, or neither)
    painting: list[tuple[int, str, str]]
    height: tuple[float, float]  # MediaBox bottom and top


@dataclass
class ContentRef:
    """A marked-content sequence that the structure tree points at (an MCID in a /K)."""

    page: int
    mcid: int
    holder: pikepdf.Object  # the /K array holding the integer, or the /MCR dictionary
    position: int | None  # index in the /K array; None: holder is an MCR or an element's /K
    element: pikepdf.Object  # the structure element it belongs to
    node: "Node"  # the same, as read

    def set_mcid(self, mcid: int) -> None:
        """Point the reference at another MCID on its page."""
        if self.position is not None:
            self.holder[self.position] = mcid
        elif self.holder.get("/Type") == "/MCR":
            self.holder.MCID = mcid
        else:
            self.element.K = mcid
        self.mcid = mcid


@dataclass
class Node:
    element: pikepdf.Object
    role: str  # standard structure type, after the RoleMap, without the slash
    parent: "Node | None"
    kids: list = field(default_factory=list)  # Node | ContentRef

    def contents(self) -> Iterator[ContentRef]:
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.contents()
            else:
                yield kid

    def walk(self) -> Iterator["Node"]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.walk()

    def block(self) -> "Node":
        node = self
        while node.role in INLINE_TYPES and node.parent is not None:
            node = node.parent
        return node


@dataclass
class TaggedPdf:
    document: pikepdf.Pdf
    pages: list[PageContent]
    roots: list[Node]  # the structure tree root's kids
    reached: set  # object_key() of every structure element the tree reaches

    def nodes(self) -> list[Node]:
        """Every element the tree reaches, in the tree's (reading) order."""
        return self._nodes

    @functools.cached_property
    def _nodes(self) -> list[Node]:
        return [node for root in self.roots for node in root.walk()]

    def contents(self) -> list[ContentRef]:
        """Every marked-content reference in the tree, in the tree's (reading) order."""
        return self._contents

    @functools.cached_property
    def _contents(self) -> list[ContentRef]:
        return [ref for root in self.roots for ref in root.contents()]

    def text_of(self, ref: ContentRef) -> str:
        marked = self.pages[ref.page].by_mcid.get(ref.mcid)
        return marked.text if marked else ""


def read_tagged_pdf(document: pikepdf.Pdf) -> TaggedPdf:
    font_cache: dict = {}
    pages = [_read_page(index, page, font_cache) for index, page in enumerate(document.pages)]
    page_index = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    tree_root = document.Root.get("/StructTreeRoot")
    role_map = tree_root.get("/RoleMap", Dictionary()) if tree_root is not None else Dictionary()
    roots: list[Node] = []
    reached: set = set()
    if tree_root is not None:
        for kid in _kids(tree_root):
            if isinstance(kid, Dictionary) and object_key(kid) not in reached:
                roots.append(_read_node(kid, None, None, page_index, role_map, reached))
    return TaggedPdf(document, pages, roots, reached)


def object_key(obj: pikepdf.Object) -> tuple:
    """Identifies an indirect object (a direct one has no lasting identity: each access gives a
    new wrapper, but nor can it be reached twice)."""
    objgen = obj.objgen
    return objgen if objgen != (0, 0) else ("direct", id(obj))


def _kids(element: pikepdf.Object) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _read_node(
    element: pikepdf.Object,
    parent: Node | None,
    page: int | None,
    page_index: dict[tuple[int, int], int],
    role_map: pikepdf.Object,
    reached: set[tuple],
) -> Node:
    structure_type = element.get("/S")
    role = str(structure_type)[1:] if structure_type is not None else "NonStruct"
    if role_map:
        for _ in range(10):  # RoleMap chains are short; this also stops a cycle
            mapped = role_map.get("/" + role)
            if mapped is None:
                break
            role = str(mapped)[1:]
    node = Node(element, role, parent)
    reached.add(object_key(element))
    page_object = element.get("/Pg")
    if page_object is not None:
        page = page_index.get(page_object.objgen, page)
    raw = element.get("/K")
    if raw is None:
        return node
    in_array = isinstance(raw, Array)
    for position, kid in enumerate(raw if in_array else [raw]):
        if isinstance(kid, int):
            if page is not None:
                node.kids.append(
                    ContentRef(
                        page,
                        kid,
                        raw if in_array else element,
                        position if in_array else None,
                        element,
                        node,
                    )
                )
            continue
        kind = kid.get("/Type")
        if kind == "/MCR":
            if "/Stm" in kid:
                continue  # marked content in a form XObject: WeasyPrint writes none
            kid_page = page_index.get(kid.Pg.objgen, page) if "/Pg" in kid else page
            if kid_page is not None:
                node.kids.append(ContentRef(kid_page, int(kid.MCID), kid, None, element, node))
        elif kind != "/OBJR" and object_key(kid) not in reached:
            node.kids.append(_read_node(kid, node, page, page_index, role_map, reached))
    return node


def _read_page(index: int, page: pikepdf.Page, font_cache: dict) -> PageContent:
    resources = page.resources
    fonts = _page_fonts(resources, font_cache)
    instructions = pikepdf.parse_content_stream(page)
    marked: list[Marked] = []
    stack: list[Marked] = []
    # The sequences in `stack` that own the text shown inside them: those with an MCID, and
    # artifacts (an artifact inside tagged content is not part of it).
    owners: list[Marked] = []
    tagged = artifacts = 0  # how many of them `stack` holds
    painting: list[tuple[int, str, str]] = []
    ctm, ctm_stack = IDENTITY, []
    tm = IDENTITY
    font, size = "", 0.0
    lines = _unparsed(instructions)
    for i, line in enumerate(lines):
        op = line[line.rfind(b" ") + 1 :]
        if op not in READ_OPERATORS:
            continue
        instruction = instructions[i]
        if op in PAINTING:
            painting.append(
                (i, op.decode(), "artifact" if artifacts else "tagged" if tagged else "")
            )
            if op in TEXT_SHOWING and owners:
                innermost = owners[-1]
                innermost.shows.append(i)
                innermost.fonts.append(font)
                innermost.pieces.append(_shown_text(instruction, line, fonts.get(font)))
                if innermost.origin is None:
                    matrix = _multiply(tm, ctm)
                    innermost.origin = (matrix[4], matrix[5])
                    innermost.size = size * math.hypot(matrix[2], matrix[3])
        elif op in (b"BDC", b"BMC"):
            operands = instruction.operands
            properties = operands[1] if op == b"BDC" and len(operands) > 1 else None
            if properties is not None and not isinstance(properties, Dictionary):
                properties = _named_properties(resources, properties)
            mcid = properties.get("/MCID") if properties is not None else None
            item = Marked(
                str(operands[0])[1:], properties, i, int(mcid) if mcid is not None else None
            )
            if properties is not None and "/ActualText" in properties:
                item.actual_text = str(properties.ActualText)
            marked.append(item)
            stack.append(item)
            if item.mcid is not None or item.tag == "Artifact":
                owners.append(item)
                tagged += item.mcid is not None
                artifacts += item.tag == "Artifact"
        elif op == b"EMC":
            if stack:
                item = stack.pop()
                if item.mcid is not None or item.tag == "Artifact":
                    owners.pop()
                    tagged -= item.mcid is not None
                    artifacts -= item.tag == "Artifact"
        elif op == b"q":
            ctm_stack.append(ctm)
        elif op == b"Q":
            ctm = ctm_stack.pop() if ctm_stack else IDENTITY
        elif op == b"cm":
            ctm = _multiply(_numbers(line), ctm)
        elif op == b"BT":
            tm = IDENTITY
        elif op == b"Tm":
            tm = _numbers(line)
        elif op in (b"Td", b"TD"):
            x, y = _numbers(line)
            tm = _multiply((1, 0, 0, 1, x, y), tm)
        elif op == b"Tf":
            name, font_size = line.split()[:2]
            font, size = name.decode("latin-1"), float(font_size)
    box = [float(x) for x in page.mediabox]
    return PageContent(
        index,
        page,
        instructions,
        lines,
        fonts,
        marked,
        {m.mcid: m for m in marked if m.mcid is not None},
        painting,
        (min(box[1], box[3]), max(box[1], box[3])),
    )


def _unparsed(instructions: list) -> list[bytes]:
    """Each instruction as qpdf writes it, on one line. Reading operands through pikepdf costs
    a Python object per number or glyph string, which made this step several times slower;
    qpdf's canonical text of all of them is one call. An inline image's data may hold a line
    break: then each instruction is unparsed on its own."""
    lines = pikepdf.unparse_content_stream(instructions).split(b"\n")
    if len(lines) == len(instructions):
        return lines
    return [pikepdf.unparse_content_stream([instruction]) for instruction in instructions]


def _numbers(line: bytes) -> tuple[float, ...]:
    return tuple(float(token) for token in line.split()[:-1])


_HEX_STRING = re.compile(rb"<([0-9a-fA-F]*)>")


def _shown_text(
    instruction: ContentStreamInstruction | pikepdf.ContentStreamInlineImage,
    line: bytes,
    font: Font | None,
) -> str:
    if font is None:
        return ""
    if b"(" not in line:  # hex strings only, as WeasyPrint writes them
        return font.decode(bytes.fromhex(b"".join(_HEX_STRING.findall(line)).decode()))
    operands = instruction.operands
    if str(instruction.operator) != "TJ":
        return font.decode(bytes(operands[-1]))
    return "".join(font.decode(bytes(item)) for item in operands[0] if isinstance(item, String))


def _named_properties(resources: pikepdf.Object, name: pikepdf.Object) -> Dictionary | None:
    try:
        # A /Properties entry is a property list, which is a dictionary (ISO 32000-1, 14.6.2).
        return cast(Dictionary, resources.Properties[str(name)])
    except (AttributeError, KeyError, TypeError):
        return None


def _multiply(m1: tuple, m2: tuple) -> tuple:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _page_fonts(resources: pikepdf.Object | None, cache: dict) -> dict[str, Font]:
    fonts: dict[str, Font] = {}
    if resources is None or "/Font" not in resources:
        return fonts
    for name, font in resources.Font.items():
        key = object_key(font)
        if key not in cache:
            cache[key] = read_font(font)
        fonts[name] = cache[key]
    return fonts


_CODESPACE = re.compile(rb"begincodespacerange\s*<([0-9a-fA-F]+)>")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])")


def read_font(font: pikepdf.Object) -> Font:
    """The font's code-to-Unicode map from its /ToUnicode CMap (bfchar and bfrange)."""
    if "/ToUnicode" not in font or not isinstance(font.ToUnicode, pikepdf.Stream):
        return Font(CodeMap(), 2 if font.get("/Subtype") == "/Type0" else 1, None)
    cmap = font.ToUnicode.read_bytes()
    codespace = _CODESPACE.search(cmap)
    length = len(codespace.group(1)) // 2 if codespace else 2
    codes = CodeMap()
    for block in _BFCHAR.findall(cmap):
        for source, target in _HEX_PAIR.findall(block):
            codes[int(source, 16)] = _utf16(target)
    for block in _BFRANGE.findall(cmap):
        for low, high, target in _RANGE.findall(block):
            first, last = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                targets = [_utf16(t) for t in re.findall(rb"<([0-9a-fA-F]*)>", target)]
            else:
                base = _utf16(target[1:-1])
                targets = (
                    [base[:-1] + chr(ord(base[-1]) + n) for n in range(last - first + 1)]
                    if base
                    else []
                )
            for code, text in zip(range(first, last + 1), targets, strict=False):
                codes[code] = text
    space = min((code for code, text in codes.items() if text == " "), default=None)
    return Font(codes, length, None if space is None else space.to_bytes(length, "big"))


def _utf16(hex_digits: bytes) -> str:
    return bytes.fromhex(hex_digits.decode()).decode("utf-16-be", errors="replace")


# --- Finishing ----------------------------------------------------------------------------


@dataclass
class PageEdits:
    replace: dict[int, ContentStreamInstruction] = field(default_factory=dict)
    after: dict[int, list[ContentStreamInstruction]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.replace or self.after)

    def apply(self, lines: list[bytes]) -> bytes:
        """The content stream with the edits made: the page's own instructions as qpdf wrote
        them, the new ones unparsed by qpdf too."""
        result = list(lines)
        for i, instruction in self.replace.items():
            result[i] = pikepdf.unparse_content_stream([instruction])
        for i, added in sorted(self.after.items(), reverse=True):
            result[i + 1 : i + 1] = [pikepdf.unparse_content_stream(added)]
        return b"\n".join(result)


def _make_orphans_artifacts(tagged: TaggedPdf, edits: dict[int, PageEdits]) -> None:
    referenced = {(ref.page, ref.mcid) for ref in tagged.contents()}
    for page in tagged.pages:
        bottom, top = page.height
        for marked in page.marked:
            if marked.mcid is None or (page.index, marked.mcid) in referenced:
                continue
            properties = Dictionary(Type=Name.Pagination)
            if marked.origin is not None:
                below_middle = marked.origin[1] < (bottom + top) / 2
                properties.Subtype = Name.Footer if below_middle else Name.Header
            edits[page.index].replace[marked.start] = ContentStreamInstruction(
                [Name.Artifact, properties], Operator("BDC")
            )
            marked.mcid = None
        page.by_mcid = {m.mcid: m for m in page.marked if m.mcid is not None}


def _add_table_scopes(tagged: TaggedPdf) -> None:
    headers: dict[str, Node] = {}
    cells: list[Node] = []
    for node in tagged.nodes():
        if node.role == "TH" and "/ID" in node.element:
            headers[bytes(node.element.ID).decode("latin-1")] = node
        elif node.role == "TD":
            cells.append(node)
    named: dict[int, set[str]] = {}
    for cell in cells:
        for attributes in _table_attributes(cell.element, create=False):
            for header_id in attributes.get("/Headers", Array()):
                header = headers.get(bytes(header_id).decode("latin-1"))
                if header is not None:
                    same_row = header.parent is not None and header.parent is cell.parent
                    named.setdefault(id(header), set()).add("Row" if same_row else "Column")
    for node in tagged.nodes():
        if node.role != "TH":
            continue
        attributes = _table_attributes(node.element, create=True)[0]
        if "/Scope" in attributes:
            continue
        votes = named.get(id(node))
        if votes:
            scope = "Row" if "Row" in votes else "Column"
        else:
            row = node.parent
            in_head = row is not None and row.parent is not None and row.parent.role == "THead"
            headers_only = row is not None and all(
                kid.role == "TH" for kid in row.kids if isinstance(kid, Node)
            )
            scope = "Column" if in_head or headers_only else "Row"
        attributes.Scope = Name("/" + scope)


def _table_attributes(element: pikepdf.Object, *, create: bool) -> list[Dictionary]:
    """The element's /A dictionaries owned by /Table (made when `create` and there is none)."""
    attributes = element.get("/A")
    found: list[Dictionary] = []
    if isinstance(attributes, Dictionary):
        found = [attributes] if attributes.get("/O") == "/Table" else []
    elif isinstance(attributes, Array):
        found = [a for a in attributes if isinstance(a, Dictionary) and a.get("/O") == "/Table"]
    if found or not create:
        return found
    table = Dictionary(O=Name.Table)
    if attributes is None:
        element.A = table
    elif isinstance(attributes, Dictionary):
        element.A = Array([attributes, table])
    else:
        attributes.append(table)
    return [table]


def _keep_line_break_spaces(tagged: TaggedPdf, edits: dict[int, PageEdits]) -> None:
    word = ""  # the word the previous piece ended with, across pieces glued without a space
    previous: tuple[ContentRef, Marked, Node] | None = None
    for ref in tagged.contents():
        marked = tagged.pages[ref.page].by_mcid.get(ref.mcid)
        if marked is None or not marked.shows:
            previous, word = None, ""
            continue
        block = ref.node.block()
        text = marked.text
        glued = True
        if previous is None or previous[2] is not block:
            glued = False
        elif _starts_new_line(previous[0], previous[1], ref, marked) and needs_space(
            previous[1].text, text, word
        ):
            _append_space(tagged.pages[previous[0].page], previous[1], edits[previous[0].page])
            glued = False
        tail = re.split(r"\s", text)[-1]
        word = word + text if glued and not re.search(r"\s", text) else tail
        previous = (ref, marked, block)


def _starts_new_line(
    before_ref: ContentRef, before: Marked, ref: ContentRef, marked: Marked
) -> bool:
    if before_ref.page != ref.page:
        return True
    if before.origin is None or marked.origin is None:
        return False
    return abs(marked.origin[1] - before.origin[1]) > 0.7 * max(before.size, marked.size)


def needs_space(before: str, after: str, word: str = "") -> bool:
    """Whether a line ending with `before` and the next starting with `after` broke at a space
    that WeasyPrint dropped. `word` is the word `before` ends with, when it began in an earlier
    piece of text (a URL broken over three lines)."""
    if not before or not after:
        return False
    last, first = before[-1], after[0]
    if last.isspace() or first.isspace():
        return False
    if _written_without_spaces(last) or _written_without_spaces(first):
        return False
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in before + after):
        return False
    if last in BREAK_AFTER:
        return len(before) > 1 and before[-2].isspace()  # " —" stands alone; "Follow-" not
    if first in NO_LINE_START or unicodedata.category(first) == "Pe":
        return False
    token = word or re.split(r"\s", before)[-1]
    return "://" not in token and not token.lower().startswith("www.")


def _written_without_spaces(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.east_asian_width(char) in ("W", "F")
        or 0x0E00 <= code <= 0x0FFF  # Thai, Lao, Tibetan
        or 0x1000 <= code <= 0x109F  # Myanmar
        or 0x1780 <= code <= 0x17FF
    )  # Khmer


def _append_space(page: PageContent, marked: Marked, edits: PageEdits) -> None:
    font = page.fonts.get(marked.fonts[-1])
    last_show = marked.shows[-1]
    if font is not None and font.space is not None:
        space = ContentStreamInstruction([Array([String(font.space)])], Operator("TJ"))
        edits.after.setdefault(last_show, []).append(space)
        marked.pieces.append(" ")
    elif marked.properties is not None and marked.start not in edits.replace:
        properties = _copied(marked.properties)
        properties.ActualText = String(marked.text + " ")
        edits.replace[marked.start] = ContentStreamInstruction(
            [Name("/" + marked.tag), properties], Operator("BDC")
        )
        marked.pieces.append(" ")


def _copied(dictionary: pikepdf.Object | None) -> Dictionary:
    # pikepdf copies a Dictionary it is given; its type stubs only name a Mapping.
    return Dictionary(dictionary)  # type: ignore[arg-type]


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def _tag_quotation_languages(tagged: TaggedPdf, quotes_in: Sequence[tuple[str, str]]) -> None:
    passages = [(_squeezed(text), language) for text, language in quotes_in if text.strip()]
    if not passages:
        return
    for node in tagged.nodes():
        if node.role != "BlockQuote":
            continue
        text = _squeezed("".join(tagged.text_of(ref) for ref in node.contents()))
        language = next((lang for passage, lang in passages if text and text in passage), None)
        if language:
            node.element.Lang = String(language)


def _renumber_and_rebuild_parent_tree(tagged: TaggedPdf, edits: dict[int, PageEdits]) -> None:
    """MCIDs from 0 on each page again (the orphans left gaps), and a ParentTree built from the
    tree itself: each page's array maps every MCID to the element whose /K holds it."""
    root = tagged.document.Root.StructTreeRoot
    refs_by_page: dict[int, dict[int, ContentRef]] = {}
    for ref in tagged.contents():
        refs_by_page.setdefault(ref.page, {})[ref.mcid] = ref
    numbers: dict[int, pikepdf.Object] = {}
    old_tree = root.get("/ParentTree")
    for key, value in _number_tree_items(old_tree) if old_tree is not None else []:
        if not isinstance(value, Array):
            numbers[key] = value  # annotations' /StructParent entries: kept as they are
    next_key = max([*numbers, -1]) + 1
    for page in tagged.pages:
        page_refs = refs_by_page.get(page.index, {})
        present = sorted(mcid for mcid in page.by_mcid if mcid in page_refs)
        if not present and "/StructParents" not in page.page.obj:
            continue
        array = Array()
        for new, old in enumerate(present):
            ref = page_refs[old]
            array.append(ref.element)
            if new != old:
                ref.set_mcid(new)
                marked = page.by_mcid[old]
                properties = _copied(marked.properties)
                properties.MCID = new
                replaced = edits[page.index].replace.get(marked.start)
                if replaced is not None:  # an /ActualText was added: keep it
                    properties = _copied(replaced.operands[1])
                    properties.MCID = new
                edits[page.index].replace[marked.start] = ContentStreamInstruction(
                    [Name("/" + marked.tag), properties], Operator("BDC")
                )
        if "/StructParents" in page.page.obj:
            key = int(page.page.obj.StructParents)
        else:
            key = next_key
            next_key += 1
            page.page.obj.StructParents = key
        numbers[key] = array
    nums = Array()
    for key in sorted(numbers):
        nums.append(key)
        nums.append(numbers[key])
    root.ParentTree = tagged.document.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = next_key


def _number_tree_items(
    tree: pikepdf.Object, depth: int = 0
) -> Iterator[tuple[int, pikepdf.Object]]:
    if depth > 20:
        return
    nums = tree.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in tree.get("/Kids", Array()):
        yield from _number_tree_items(kid, depth + 1)
