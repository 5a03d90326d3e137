"""Documents (văn bản) named in the sources: every mention, then one record per document.

``extract_documents`` reads cleaned lines and gives one ``DocumentMention`` per document
number (``docnumber.NUMBER``) with what the words around it say:

- kind and kind label from the word before the number ("Nghị quyết số 18-NQ/TU",
  "Kế hoạch 293/KH-UBND", "văn bản số 639/BTTTT-THH"); with no such word, from the type
  code inside the number (``docnumber.kind_of_number``);
- issue date from the "ngày d/m/yyyy" right after the number (also "cấp ngày …");
- issuer from the "của …" right after the number and date, cut before "về", "phê
  duyệt", "ban hành", "thực hiện", a comma, a semicolon, a bracket, a quote or the end
  of the sentence;
- title from the "về (việc) …", "phê duyệt …" or "ban hành …" that follows; a quoted
  title is taken whole; otherwise it is cut at a semicolon, a bracket, a colon, the end
  of the sentence, ", ngày", "của", or right after "định hướng đến năm YYYY";
- ``implements`` from "(về) triển khai (thực hiện) / thực hiện <kind> số <number>"; a
  bare "thực hiện Nghị quyết" refers back to the last document of that kind named
  earlier on the same line;
- level NATIONAL when the number's issuing code is central (``level_of_number``) or the
  issuer is (Thủ tướng, Chính phủ, Bộ …, Ban Chấp hành Trung ương, Quốc hội, Ủy ban
  Quốc gia …), else PROVINCIAL.

A numbered publishing licence ("Giấy phép xuất bản số: 13/GP-STTTT") is kept as a
document of kind OTHER labelled "Giấy phép xuất bản": it is numbered and issued, but it
is not policy.

``merge_mentions`` merges the mentions of one document across sources (see there).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from db.reference import PROVINCES
from dxtext.docnumber import NUMBER, kind_of_number, level_of_number, normalize, number_key
from dxtext.text import fold, squash_spaces
from loaders.clean import Passage
from loaders.dates import DATE, date_of_match
from loaders.records import DocumentMention, Line, Span, Warning

#: The word before a number → (DocumentKind, label as conventionally written).
KIND_WORDS: dict[str, tuple[str, str]] = {
    "nghi quyet": ("RESOLUTION", "Nghị quyết"),
    "ke hoach": ("PLAN", "Kế hoạch"),
    "quyet dinh": ("DECISION", "Quyết định"),
    "chi thi": ("DIRECTIVE", "Chỉ thị"),
    "de an": ("PROJECT", "Đề án"),
    "chuong trinh": ("PROGRAM", "Chương trình"),
    "nghi dinh": ("DECREE", "Nghị định"),
    "cong van": ("OFFICIAL_LETTER", "Công văn"),
    "van ban": ("OFFICIAL_LETTER", "Văn bản"),
    "giay phep xuat ban": ("OTHER", "Giấy phép xuất bản"),
    "giay phep": ("OTHER", "Giấy phép"),
}

#: The label of a kind known only from the number's type code.
KIND_LABELS: dict[str, str] = {
    "RESOLUTION": "Nghị quyết",
    "PLAN": "Kế hoạch",
    "DECISION": "Quyết định",
    "DIRECTIVE": "Chỉ thị",
    "PROJECT": "Đề án",
    "PROGRAM": "Chương trình",
    "DECREE": "Nghị định",
    "OFFICIAL_LETTER": "Công văn",
    "OTHER": "Văn bản",
}

#: Folded starts of a central issuer's name: its documents are NATIONAL.
CENTRAL_ISSUERS: tuple[str, ...] = (
    "thu tuong",
    "chinh phu",
    "bo chinh tri",
    "ban chap hanh trung uong",
    "ban bi thu",
    "trung uong",
    "quoc hoi",
    "uy ban thuong vu quoc hoi",
    "uy ban quoc gia",
    "bo ",
)

#: Issuers whose names hold a word that would otherwise end the issuer ("về").
KNOWN_ISSUERS: tuple[str, ...] = ("Ủy ban Quốc gia về Chuyển đổi số",)

# Kind words in the text as written: any case, any spacing. Longest first so that
# "Giấy phép xuất bản" wins over "Giấy phép".
_KIND_WORDS = sorted(KIND_WORDS, key=len, reverse=True)
_WORD_SPELLINGS: dict[str, str] = {
    "nghi quyet": r"ngh[iị]\s+quy[eếệ]t",
    "ke hoach": r"k[eế]\s+ho[aạ]ch",
    "quyet dinh": r"quy[eế]t\s+đ[iị]nh",
    "chi thi": r"ch[iỉ]\s+th[iị]",
    "de an": r"đ[eề]\s+[aá]n",
    "chuong trinh": r"ch[uư][oơ]ng\s+tr[iì]nh",
    "nghi dinh": r"ngh[iị]\s+đ[iị]nh",
    "cong van": r"c[oô]ng\s+v[aă]n",
    "van ban": r"v[aă]n\s+b[aả]n",
    "giay phep xuat ban": r"gi[aấ]y\s+ph[eé]p\s+xu[aấ]t\s+b[aả]n",
    "giay phep": r"gi[aấ]y\s+ph[eé]p",
}
_KIND = "|".join(_WORD_SPELLINGS[word] for word in _KIND_WORDS)
_SO = r"(?:\s+s[oố]\s*:?)?"
#: The kind word (and "số") right before a number.
_BEFORE = re.compile(rf"(?P<kind>{_KIND}){_SO}\s*$", re.IGNORECASE)
_ON = re.compile(r"(?:ban\s+hành\s+|cấp\s+)?ngày\s+(?=\d)", re.IGNORECASE)
_OF = re.compile(r"của\s+", re.IGNORECASE)
#: "…, Sở Thông tin và Truyền thông cấp ngày 11/5/2022" (a licence).
_GRANTED = re.compile(r"(?P<issuer>[^,;.()]{3,80}?)\s+cấp\s+ngày\s+(?=\d)", re.IGNORECASE)
_ISSUER_END = re.compile(
    r"\s+(?:về|phê\s+duyệt|ban\s+hành|thực\s+hiện|triển\s+khai|tại|hướng\s+dẫn|đưa\s+ra"
    r"|đề\s+ra|xác\s+định|để|theo|gồm|ngày)(?!\w)"
    rf"|\s+(?:và\s+)?(?=(?:{_KIND})(?!\w))"
    r"|\s*[,;:.()“”\"\t]|\s*$",
    re.IGNORECASE,
)
#: "<issuer> (đã) ban hành" right before the kind word: "UBND tỉnh ban hành Quyết định số …".
_ISSUED_BY = re.compile(
    r"(?:^|[.;,:(]\s*)(?P<issuer>[^\W\d_][^.;,:()\t]{1,80}?)\s+(?:đã\s+)?ban\s+hành\s+$"
)
#: "… của <issuer> tại" right before the kind word: "theo chỉ đạo của Thủ tướng Chính
#: phủ tại Quyết định số 422/QĐ-TTg …".
_ISSUER_BEFORE = re.compile(
    r"\bcủa\s+(?P<issuer>[^\W\d_][^.;,:()\t]{1,80}?)\s+(?:tại|theo)\s+$", re.IGNORECASE
)
#: A title that names another document runs on through that one's date and issuer:
#: "triển khai thực hiện Nghị quyết số 18-NQ/TU, ngày 29/10/2021 của Ban Chấp hành Đảng
#: bộ tỉnh về chuyển đổi số …".
_INNER_DOCUMENT = re.compile(
    r",?\s*ngày\s+\d{1,2}/\d{1,2}/\d{4}\s+của\s+[^.;:()\t]{3,80}?\s+về\s+", re.IGNORECASE
)
_TITLE_START = re.compile(
    r":?\s*[“\"]?\s*(?:về\s+việc|về|v/v|phê\s+duyệt|ban\s+hành)(?!\w)\s*:?\s*(?:phê\s+duyệt\s+)?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"](?P<title>[^”\"]{3,300})[”\"]")
_TITLE_END = re.compile(
    r"\s*(?:[;:()“”\"\t]|\.(?:\s|$)|,\s*ngày\b|\s+của\s|$)"
    r"|,\s+(?:với|để|theo\s+đó|trong\s+đó|gồm|nội\s+dung|gắn\s+với|đưa\s+ra|đề\s+ra)(?!\w)"
    r"|(?<=định hướng đến năm \d{4})|(?<=định hướng đến \d{4})",
    re.IGNORECASE,
)
_IMPLEMENTS = re.compile(
    rf"[“\"]?\s*(?:về\s+(?:việc\s+)?)?(?:triển\s+khai\s+(?:thực\s+hiện\s+)?|thực\s+hiện\s+)"
    rf"(?P<kind>{_KIND})(?!\w){_SO}\s*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"\.(?:\s|$)|[;\t]")


def _kind_word(text: str) -> str:
    """The ``KIND_WORDS`` key of a kind word as written ("Nghị  quyết" → "nghi quyet")."""
    return squash_spaces(fold(text))


@dataclass(slots=True)
class _Found:
    """A number's place on a line and its kind."""

    number: str
    start: int
    end: int
    kind: str
    label: str
    #: where the kind word before the number starts (the number itself if none)
    lead: int


def _find(line: Line, warnings: list[Warning]) -> list[_Found]:
    found: list[_Found] = []
    for match in NUMBER.finditer(line.text):
        number = normalize(match.group(0))
        from_code = kind_of_number(number)
        before = _BEFORE.search(line.text, 0, match.start())
        if before:
            kind, label = KIND_WORDS[_kind_word(before.group("kind"))]
            if from_code not in ("OTHER", kind):
                warnings.append(
                    Warning(
                        line.span.start,
                        f"{number}: called {label} but its type code says {from_code}",
                    )
                )
        else:
            kind, label = from_code, KIND_LABELS[from_code]
        lead = before.start() if before else match.start()
        found.append(_Found(number, match.start(), match.end(), kind, label, lead))
    return found


def _issuer_at(text: str, pos: int) -> tuple[str | None, int]:
    for known in KNOWN_ISSUERS:
        if fold(text[pos : pos + len(known)]) == fold(known):
            return text[pos : pos + len(known)], pos + len(known)
    end = _ISSUER_END.search(text, pos)
    stop = end.start() if end else len(text)
    issuer = text[pos:stop].strip()
    return (issuer or None), stop


def _title_at(text: str, pos: int) -> tuple[str | None, int]:
    """The title starting at ``pos`` and where it ends."""
    quoted = _QUOTED.match(text, pos)
    if quoted:
        inner = quoted.group("title")
        lead = re.match(r"(?:về\s+việc|về|v/v)\s+", inner, re.IGNORECASE)
        return squash_spaces(inner[lead.end() :] if lead else inner) or None, quoted.end()
    match = _TITLE_END.search(text, pos)
    end = match.start() if match else len(text)
    while (
        (tail := NUMBER.search(text, pos, end)) is not None
        and not text[tail.end() : end].strip()
        and (inner := _INNER_DOCUMENT.match(text, tail.end())) is not None
    ):
        match = _TITLE_END.search(text, inner.end())
        end = match.start() if match else len(text)
    return squash_spaces(text[pos:end].strip(" ,")) or None, end


def _is_central(issuer: str | None) -> bool:
    folded = fold(issuer or "")
    return any(folded.startswith(start) for start in CENTRAL_ISSUERS)


def _skip(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not a space or a comma."""
    while pos < len(text) and (text[pos].isspace() or text[pos] == ","):
        pos += 1
    return pos


def _date_at(text: str, pos: int) -> tuple[datetime.date | None, int]:
    on = _ON.match(text, pos)
    day = DATE.match(text, on.end()) if on else None
    if day is None:
        return None, pos
    return date_of_match(day), _skip(text, day.end())


def _title_after(text: str, pos: int) -> tuple[str | None, int]:
    if text[pos : pos + 1] in ("“", '"'):
        return _title_at(text, pos)
    start = _TITLE_START.match(text, pos)
    return _title_at(text, start.end()) if start else (None, pos)


def _implemented(text: str, pos: int, earlier: list[_Found]) -> list[str]:
    does = _IMPLEMENTS.match(text, pos)
    if does is None:
        return []
    target = NUMBER.match(text, does.end())
    if target:
        return [normalize(target.group(0))]
    # "thực hiện Nghị quyết về …": the one of that kind named just before.
    kind = KIND_WORDS[_kind_word(does.group("kind"))][0]
    named = [found.number for found in earlier if found.kind == kind]
    return named[-1:]


def _mention(line: Line, found: _Found, earlier: list[_Found]) -> DocumentMention:
    text = line.text
    end = _SENTENCE_END.search(text, found.end)
    clause = text[: end.start() if end else len(text)]
    issued, pos = _date_at(clause, _skip(clause, found.end))
    issuer: str | None = None
    begin = found.lead
    if of := _OF.match(clause, pos):
        issuer, pos = _issuer_at(clause, of.end())
        pos = _skip(clause, pos)
        if issued is None:
            issued, pos = _date_at(clause, pos)
    elif issued is None and (granted := _GRANTED.match(clause, pos)):
        issuer = squash_spaces(granted.group("issuer"))
        issued, pos = _date_at(clause, granted.end("issuer") + 1)
    elif (by := _ISSUED_BY.search(text, 0, found.lead)) and by.group("issuer")[0].isupper():
        issuer = squash_spaces(by.group("issuer"))
        begin = by.start("issuer")
    elif before := _ISSUER_BEFORE.search(text, 0, found.lead):
        issuer = squash_spaces(before.group("issuer"))
        begin = before.start("issuer")
    title, stop = _title_after(clause, pos)
    central = level_of_number(found.number) == "NATIONAL" or _is_central(issuer)
    return DocumentMention(
        number=found.number,
        kind=found.kind,
        # The raw lines from the kind word (or issuer) to the last fact read.
        span=Passage([line], separator="").span(begin, max(found.end, pos, stop)),
        kind_label=found.label,
        title=title,
        issued_on=issued,
        issuer=issuer,
        level="NATIONAL" if central else "PROVINCIAL",
        implements=_implemented(clause, pos, earlier),
    )


def extract_documents(
    lines: list[Line], province: str | None
) -> tuple[list[DocumentMention], list[Warning]]:
    """One ``DocumentMention`` per document number in ``lines``, in order, with warnings.

    ``province`` is the source's province slug; a PROVINCIAL mention in a source with no
    province is reported, since its document cannot be placed.
    """
    mentions: list[DocumentMention] = []
    warnings: list[Warning] = []
    for at, line in enumerate(lines):
        if not line.text:
            continue
        found = _find(line, warnings)
        for index, item in enumerate(found):
            mention = _mention(line, item, found[:index])
            if index == len(found) - 1:
                _continue_title(mention, line, lines[at + 1 :])
            if province is None and mention.level == "PROVINCIAL":
                warnings.append(
                    Warning(line.span.start, f"{mention.number}: provincial, but no province")
                )
            mentions.append(mention)
    return mentions, warnings


#: Lines a title may run on over ("Phê duyệt Chiến lược quốc gia phát triển kinh tế số"
#: / "và xã hội số đến năm 2025, …" on a slide), blank lines between them not counted.
MAX_TITLE_LINES = 3


def _continue_title(mention: DocumentMention, line: Line, following: Sequence[Line]) -> None:
    """A title on the lines after its number's: after a line ending in a colon ("Quyết
    định số 411/QĐ-TTg của Thủ tướng Chính phủ:" / "Phê duyệt …"), or where the title runs
    to its line's end and the next line goes on in lower case."""
    text = line.text.rstrip()
    if mention.title is None and not text.endswith(":"):
        return
    if mention.title is not None and not fold(text).endswith(fold(mention.title)):
        return
    title = mention.title or ""
    used = 0
    end = line.span.end
    for nxt in following:
        if not nxt.text:
            continue
        pos = len(nxt.text) - len(nxt.text.lstrip())
        if used == 0 and not title:
            start = _TITLE_START.match(nxt.text, pos)
            if start is None or not nxt.text[pos : pos + 1].isupper():
                return
            pos = start.end()
        elif not nxt.text[pos : pos + 1].islower():
            break
        more, stop = _title_at(nxt.text, pos)
        if not more:
            break
        title = f"{title} {more}".strip()
        end = Passage([nxt], separator="").span(pos, stop).end
        used += 1
        if nxt.text[stop:].strip() or used >= MAX_TITLE_LINES:
            break
    if used:
        mention.title = squash_spaces(title)
        mention.span = Span(mention.span.start, max(mention.span.end, end))


@dataclass(slots=True)
class MergedDocument:
    """One document with every mention of it, across sources.

    ``key`` identifies it: the folded number for a NATIONAL document, the province slug
    and the folded number for a PROVINCIAL one ("ha-giang:293/kh-ubnd"), since provinces
    reuse numbers. ``mentions`` are the objects passed in and ``indexes`` their positions
    in the input, so a caller can tell which source each came from.
    """

    key: str
    number: str
    kind: str
    kind_label: str
    level: str
    province: str | None
    title: str | None = None
    issued_on: datetime.date | None = None
    issuer: str | None = None
    implements: list[str] = field(default_factory=list)
    mentions: list[DocumentMention] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)


_T = TypeVar("_T")


def _most_frequent(values: Sequence[_T | None]) -> _T | None:
    """The most frequent non-None value; on a tie, the one mentioned first."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    counts = Counter(present)
    best = max(counts.values())
    return next(value for value in present if counts[value] == best)


def _conflict(
    doc: MergedDocument,
    what: str,
    get: Callable[[DocumentMention], object],
    chosen: object,
    warnings: list[Warning],
) -> None:
    values = {get(m) for m in doc.mentions if get(m) is not None}
    if len(values) > 1:
        at = next(m for m in doc.mentions if get(m) is not None and get(m) != chosen)
        shown = ", ".join(sorted(str(value) for value in values))
        warnings.append(
            Warning(
                at.span.start, f"{doc.number}: mentions disagree on {what} ({shown}); kept {chosen}"
            )
        )


#: Abbreviations in issuers' names, and the words they stand for.
ISSUER_ABBREVIATIONS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "TT&TT": "Thông tin và Truyền thông",
    "TTTT": "Thông tin và Truyền thông",
}
_ABBREVIATION = re.compile(
    r"(?<!\w)(" + "|".join(map(re.escape, ISSUER_ABBREVIATIONS)) + r")(?!\w)"
)
#: An issuer named by its province's level alone: "Ủy ban nhân dân tỉnh", "Tỉnh ủy".
_OF_THE_PROVINCE = re.compile(r"(?:\btỉnh|\bTỉnh\s+ủy)$")


def normalize_issuer(issuer: str | None, province: str | None) -> str | None:
    """One spelling per issuer, for a document (its mentions keep the text as written).

    Abbreviations are written out (``ISSUER_ABBREVIATIONS``: "UBND tỉnh" → "Ủy ban nhân
    dân tỉnh"), the first letter is a capital ("sở Thông tin …" → "Sở …"), and a
    provincial body named by its level alone takes its province's name ("Ủy ban nhân dân
    tỉnh" of a Hà Giang document → "Ủy ban nhân dân tỉnh Hà Giang"), so "UBND tỉnh",
    "Ủy ban nhân dân tỉnh" and "Ủy ban nhân dân tỉnh Hà Giang" are one issuer.
    """
    if not issuer:
        return issuer
    name = _ABBREVIATION.sub(lambda m: ISSUER_ABBREVIATIONS[m.group(1)], squash_spaces(issuer))
    name = name[:1].upper() + name[1:]
    names = {ref.slug: ref.name for ref in PROVINCES}
    if province in names and _OF_THE_PROVINCE.search(name):
        name = f"{name} {names[province]}"
    return name


def _key(level: str, province: str | None, number: str) -> str:
    folded = number_key(number)
    return folded if level == "NATIONAL" else f"{province or '-'}:{folded}"


def merge_mentions(
    mentions: list[tuple[str | None, DocumentMention]],
) -> tuple[list[MergedDocument], list[Warning]]:
    """Merge ``(province slug, mention)`` pairs into documents, reporting conflicts.

    Mentions with the same folded number are one NATIONAL document when any of them is
    NATIONAL (a central issuer named once is evidence enough), else one PROVINCIAL
    document per province. Number spelling, kind, label, date, issuer and title are the
    most frequent value among the mentions (ties: the first mentioned); different issue
    dates or kinds are reported as warnings. ``implements`` is the union, in order.
    Documents come in order of first mention.
    """
    national = {
        number_key(mention.number) for _, mention in mentions if mention.level == "NATIONAL"
    }
    docs: dict[str, MergedDocument] = {}
    for index, (province, mention) in enumerate(mentions):
        level = "NATIONAL" if number_key(mention.number) in national else "PROVINCIAL"
        key = _key(level, province, mention.number)
        doc = docs.get(key)
        if doc is None:
            doc = docs[key] = MergedDocument(
                key=key,
                number=mention.number,
                kind=mention.kind,
                kind_label=mention.kind_label or KIND_LABELS.get(mention.kind, "Văn bản"),
                level=level,
                province=None if level == "NATIONAL" else province,
            )
        doc.mentions.append(mention)
        doc.indexes.append(index)

    warnings: list[Warning] = []
    for doc in docs.values():
        group = doc.mentions
        doc.number = _most_frequent([m.number for m in group]) or doc.number
        doc.kind = _most_frequent([m.kind for m in group]) or doc.kind
        labels = [m.kind_label for m in group if m.kind == doc.kind]
        doc.kind_label = _most_frequent(labels) or KIND_LABELS.get(doc.kind, "Văn bản")
        doc.issued_on = _most_frequent([m.issued_on for m in group])
        doc.issuer = _most_frequent([normalize_issuer(m.issuer, doc.province) for m in group])
        doc.title = _most_frequent([m.title for m in group])
        doc.implements = list(dict.fromkeys(n for m in group for n in m.implements))
        _conflict(doc, "the kind", lambda m: m.kind, doc.kind, warnings)
        _conflict(doc, "the issue date", lambda m: m.issued_on, doc.issued_on, warnings)
        if len({m.level for m in group}) > 1:
            warnings.append(
                Warning(group[0].span.start, f"{doc.number}: named as national and provincial")
            )
    return list(docs.values()), warnings
