"""Figures (số liệu): measured facts read from prose, bullets, footnotes and table rows.

Pure: text in, ``FigureRecord``s out, each citing the raw lines it was read from.

* **Numbers** as Vietnamese writes them: ``9.370`` is 9370 (a dot groups thousands),
  ``80,53`` is 80.53 (a comma is the decimal mark), ``5,87 triệu`` is 5 870 000
  (``nghìn``/``ngàn``, ``triệu``, ``tỷ`` scale it). A dot before one or two digits and a
  ``%`` ("51.91%") is read as a decimal mark: no group of thousands has two digits.
* **Units**: ``%`` → PERCENT; ``điểm`` after a decimal or in a sentence about an index
  (chỉ số) → SCORE; ``thứ 5/63`` → RANK; a counted noun from ``COUNT_UNITS`` → COUNT
  with that noun as the unit word; money and lengths (``đồng``, ``km``) → OTHER. A number
  with none of these (years, list numbers, "mức độ 3", "4G") is no figure.
* **Dates** (``asOf``): "Tính đến ngày 30/5/2022", "đến ngày 18/5/2022" (a day),
  "tháng 8/2022" (the month's last day), "Đến năm 2021", "Năm 2020," (the year's last
  day) — through the one date parser (``loaders.dates``). A date applies to the figures
  after it in the same sentence; "so với tháng 4/2022" is a comparison, not a date.
* **Goals are Targets**: a sentence that plans (phấn đấu, mục tiêu, chỉ tiêu, kế hoạch,
  dự kiến, dự báo, hướng tới, sẽ…) or names a year after the source's own yields no
  figure. Changes ("tăng 1,1% so với …") are no figures either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dxtext.docnumber import NUMBER as DOCUMENT_NUMBER
from dxtext.text import fold, squash_spaces
from loaders.clean import Passage
from loaders.dates import DATE, PERIOD, date_of_match, period_end
from loaders.pillars import classify
from loaders.records import FigureRecord, Line, Span

#: Counted nouns that make a number a COUNT, longest first where one starts another.
COUNT_UNITS: tuple[str, ...] = (
    "dịch vụ công trực tuyến",
    "chứng thư số",
    "điểm cầu",
    "điểm kết nối",
    "máy tính",
    "tài khoản",
    "thuê bao",
    "trạm",
    "tổ",
    "xã",
    "điểm",
    "cột",
    "tuyến",
    "doanh nghiệp",
    "cán bộ",
    "công chức",
    "viên chức",
    "người",
    "hộ gia đình",
    "lượt",
    "ca",
    "hồ sơ",
    "học sinh",
    "câu hỏi",
    "tiết",
    "bài học",
    "văn bản",
    "phiên",
    "thư",
    "mũi tiêm",
    "xe",
    "trường hợp",
    "phòng nghỉ",
    "tin",
    "bài",
    "ảnh",
    "video clip",
    "đại biểu",
    "camera",
    "hãng tàu",
    "đơn vị vận tải",
    "đầu kéo",
    "cảng",
    "nền tảng",
    "xưởng",
    "bệnh viện",
    "cơ quan",
    "F0",
)
#: Units of amount that are not counts: the figure is OTHER with this unit word.
OTHER_UNITS: tuple[str, ...] = ("tỷ USD", "triệu đồng", "đồng", "USD", "km")
_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9}

_NUMBER = re.compile(
    r"(?<![\w.,/%-])"
    r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<frac>\d+))?"
    r"(?:\.(?P<dotfrac>\d{1,2})(?=\s*%))?"
    r"(?![\w]|[.,]\d|/\d)"
)
_SCALE = re.compile(r"\s*(nghìn|ngàn|triệu|tỷ)(?!\w)")
_RANK = re.compile(r"\bthứ\s+(?P<rank>\d{1,3})\s*/\s*(?P<of>\d{1,3})(?!\d)")
_RANK_NUMBER = re.compile(r"(?<=thứ\s)(?P<int>\d{1,3})(?P<frac>)(?P<dotfrac>)(?=\s*/\s*\d)")
_AS_OF = re.compile(
    r"(?:(?:[Tt]ính\s+)?[Đđ]ến\s+ngày\s+(?P<day>\d{1,2}/\d{1,2}/\d{4}))"
    r"|(?:(?:[Tt]ính\s+đến\s+|[Tt]rong\s+|[Đđ]ến\s+)?(?P<month>tháng\s+\d{1,2}\s*/\s*\d{4}))"
    r"|(?:[Đđ]ến\s+(?:hết\s+)?(?P<year>năm\s+\d{4}))"
    r"|(?:^(?P<lead>Năm\s+\d{4})(?=,))",
    re.MULTILINE,
)
_GOAL = re.compile(
    r"\b(phan dau|muc tieu|chi tieu|ke hoach|du kien|du bao|huong toi|dinh huong|"
    r"toi thieu|it nhat|bao dam dat|dam bao dat|"
    # an example or a rule is no measured fact either
    r"vi du|chang han|neu)\b"
)
_CHANGE = re.compile(r"(?:tăng|giảm)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|\n\n")
_LEAD_VERBS = re.compile(
    r"(?:\s*(?:đạt\s+tỷ\s+lệ|đạt|là|chiếm|ở\s+mức|xếp\s+hạng\s+thứ|xếp\s+thứ|tương\s+đương"
    r"|có|với|:))+\s*$",
    re.IGNORECASE,
)
_LEAD_JUNK = re.compile(
    r"^[\s\-+•–(¹²³⁴⁵⁶⁷⁸⁹⁰]*(?:trong\s+đó\s*:?\s*|và\s+|đảm\s+bảo\s+|bảo\s+đảm\s+)?",
    re.IGNORECASE,
)
_PHRASE_STOP = re.compile(
    r"\s*(?:[;().•>?<]|/(?=\d)|(?<!\d),\s+(?=[^,;]*\d)|,\s*(?=trong)|\s+và\s+(?=\d)"
    # the next figure starts ("… cho 662.518 thuê bao"), unless it is a level ("mức độ 3")
    r"|(?<!độ)(?<!,)\s+(?:[Gg]ần\s+|[Tt]rên\s+|[Kk]hoảng\s+|[Hh]ơn\s+)?(?=\d[\d.,]*\s+\w)"
    r"|\s(?:trên\s+địa\s+bàn|trong\s+đó|với|tại|được|đã|gồm|thuộc|của\s+tỉnh|đến\s+từ)\b)"
)
#: "… với tổng chiều dài gần 5.500 km", "… tổng số tiền phạt là 71,8 triệu đồng"
_NAMED_BY = re.compile(r"\s(?:với|là)\s+(?:\S+\s+){0,4}$")
_RATE = re.compile(r"[Tt]ỷ\s+lệ\s")
_RATE_END = re.compile(r"\s+(?:chỉ\s+)?(?:đạt|là)\b")
_INDEX = re.compile(r"[Cc]hỉ\s+số(?:(?!\s(?:đạt|xếp|là|của|tỉnh)\b)[^,;()])+")
_APPROX = re.compile(r"\s+(?:gần|trên|khoảng|hơn|tổng\s+số)$")
MAX_LABEL = 120


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read from text: its value and where it stands (offsets into the text)."""

    value: float
    start: int
    end: int


def parse_number(text: str) -> float | None:
    """A Vietnamese number: ``"9.370"`` → 9370, ``"80,53"`` → 80.53, ``"5,87 triệu"`` →
    5870000; None when ``text`` is not one number."""
    stripped = squash_spaces(text)
    match = _NUMBER.match(stripped)
    if match is None:
        return None
    reading = _reading(stripped, match)
    if stripped[reading.end :].strip() not in ("", "%"):
        return None
    return reading.value


def _reading(text: str, match: re.Match[str]) -> Reading:
    value = float(match.group("int").replace(".", ""))
    frac = match.group("frac") or match.group("dotfrac")
    if frac:
        value += float(f"0.{frac}")
    end = match.end()
    scale = _SCALE.match(text, end)
    if scale:
        value *= _SCALES[scale.group(1)]
        end = scale.end()
    return Reading(round(value, 6), match.start(), end)


def _as_of(sentence: str, year: int | None) -> tuple[int, date, str] | None:
    """The first date phrase of a sentence that dates its figures: (offset, day, words)."""
    for match in _AS_OF.finditer(sentence):
        if re.search(r"so\s+với\s*$", sentence[: match.start()], re.IGNORECASE):
            continue
        if match.group("day"):
            found = DATE.match(match.group("day"))
            day = date_of_match(found) if found else None
        else:
            words = match.group("month") or match.group("year") or match.group("lead") or ""
            period = PERIOD.search(words)
            day = period_end(period) if period else None
        if day is None or (year is not None and day.year > year):
            continue
        return match.start(), day, squash_spaces(match.group(0))
    return None


def _is_goal(sentence: str, year: int | None) -> bool:
    folded = fold(sentence)
    if _GOAL.search(folded):
        return True
    if year is None:
        return False
    return any(int(y) > year for y in _YEAR.findall(sentence))


def _unit(text: str, reading: Reading, sentence: str) -> tuple[str, str | None, int] | None:
    """(unit, unit word, end offset) of the number at ``reading``; None: no figure."""
    rest = text[reading.end :]
    if re.match(r"\s*%", rest):
        return "PERCENT", None, reading.end + rest.index("%") + 1
    spaced = rest.lstrip()
    gap = len(rest) - len(spaced)
    if gap > 1 or not spaced:
        return None
    for word in OTHER_UNITS:
        if re.match(rf"{re.escape(word)}(?!\w)", spaced):
            return "OTHER", word, reading.end + gap + len(word)
    for word in COUNT_UNITS:
        if re.match(rf"{re.escape(word)}(?!\w)", spaced):
            if word == "điểm" and (
                reading.value != int(reading.value) or "chi so" in fold(sentence)
            ):
                return "SCORE", word, reading.end + gap + len(word)
            return "COUNT", word, reading.end + gap + len(word)
    return None


def _subject(before: str) -> str:
    """What a figure measures: the words before it, less verbs and connectives."""
    subject = _LEAD_VERBS.sub("", before)
    for mark in (":", ";", ", ", " với "):
        if mark in subject:
            tail = subject.rsplit(mark, 1)[1]
            if len(tail.split()) >= 2:
                subject = tail
                break
    subject = _APPROX.sub("", _LEAD_JUNK.sub("", subject).strip(" ,:;-"))
    return subject


def _phrase(after: str) -> str:
    """The counted thing after a number: up to the next clause or aside."""
    stop = _PHRASE_STOP.search(after)
    phrase = after[: stop.start()] if stop else after
    return phrase.strip(" ,:;-*")


def _label(
    text: str, clause_start: int, reading: Reading, unit_end: int, unit: str, after_last: int
) -> str:
    """What the figure at ``reading`` counts or measures, as the text words it.

    ``after_last`` is where the previous figure of the clause ended: a count's own words
    start after it ("35 ảnh, 10 tin": the 10 counts "tin", not "35 ảnh").
    """
    before = text[clause_start : reading.start]
    opened = before.rfind("(") > before.rfind(")")
    if unit in ("SCORE", "RANK") and (index := list(_INDEX.finditer(before))):
        return index[-1].group(0).strip()  # "Chỉ số cải cách hành chính năm 2021"
    rates = [m for m in _RATE.finditer(before) if _RATE_END.search(before, m.end())]
    if unit == "PERCENT" and not opened and rates:
        # "Tỷ lệ văn bản đi được ký số hoàn toàn đạt 86%": the rate up to its verb
        return _RATE_END.split(before[rates[-1].start() :])[0].strip(" ,:;-")
    if unit in ("COUNT", "OTHER"):
        # the counted noun and what qualifies it: "trạm thu phát sóng … - BTS"
        phrase = _phrase(text[reading.end :].lstrip())
        word = text[reading.end : unit_end].strip()
        if phrase != word:
            return phrase
        # "(241 điểm)", "X-quang: 20.021 ca", "tổng chiều dài gần 5.500 km": a name
        # before the number says what is counted; a list of counts has none
        own = text[max(clause_start, after_last) : reading.start]
        named = own.rstrip().endswith((":", "(")) or _NAMED_BY.search(own)
        if not named or re.search(r"\d", own):
            return word
        subject = _subject(own.rstrip().rstrip("(").rstrip(":"))
        if not subject or len(subject) > 40 or fold(subject) == fold(word):
            return word
        return f"{subject} ({word})"
    outside = before[: before.rfind("(")] if opened else before
    if opened:
        # "(đạt 81,6%) dịch vụ công …": the aside qualifies what follows it
        after = text[unit_end:]
        if after.lstrip().startswith(")"):
            after = after.lstrip()[1:]
        if unit == "RANK":  # "… lên Cổng dịch vụ công quốc gia (xếp thứ 5/63 …)"
            return _LEAD_JUNK.sub("", outside.rsplit(")", 1)[-1]).strip(" ,:;-")
        return _phrase(after) or _subject(outside)
    subject = _subject(before)
    after = _phrase(text[unit_end:])
    if unit != "RANK" and after and not _LEAD_VERBS.search(before):
        return after  # "40% người bệnh đặt lịch trực tuyến": the figure leads its clause
    if not subject or len(subject) > MAX_LABEL:
        subject = after or subject
    return subject


def _clean_label(label: str) -> str:
    label = squash_spaces(label.replace("**", "").replace("*", ""))
    if len(label) > MAX_LABEL:
        cut = label.rfind(" ", 0, MAX_LABEL)
        label = label[: cut if cut > 0 else MAX_LABEL] + "…"
    return label


def extract_figures(
    passage: Passage,
    *,
    year: int | None,
    dated_only: bool = False,
    held: Sequence[str] = (),
) -> list[FigureRecord]:
    """The figures stated in ``passage`` (its text traced to raw lines).

    ``year`` is the source's year: a later year marks a goal. ``dated_only`` keeps only
    figures with a date (for answers, where undated numbers are mostly explanations).
    ``held`` are texts that other records hold (targets): no figure is read inside them.
    """
    text = passage.text
    squeezed_held = [re.sub(r"\s+", "", h) for h in held]
    taken = _excluded(text)
    figures: list[FigureRecord] = []
    starts = [0, *(m.end() for m in _SENTENCE_END.finditer(text))]
    ends = [*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]
    for s_start, s_end in zip(starts, ends, strict=True):
        sentence = text[s_start:s_end]
        squeezed = re.sub(r"\s+", "", sentence)
        if any(squeezed in h or (len(h) > 20 and h in squeezed) for h in squeezed_held):
            continue
        dated = _as_of(sentence, year)
        if dated_only and dated is None:
            continue
        matches = [*_NUMBER.finditer(sentence), *_RANK_NUMBER.finditer(sentence)]
        after_last = 0
        for match in sorted(matches, key=lambda m: m.start()):
            offset = s_start + match.start()
            if any(a <= offset < b for a, b in taken):
                continue
            reading = _reading(sentence, match)
            clause_start = max(sentence.rfind(m, 0, reading.start) for m in ";•") + 1
            ends_at = [i for i in (sentence.find(m, reading.start) for m in ";•") if i >= 0]
            if _is_goal(sentence[clause_start : min(ends_at, default=len(sentence))], year):
                continue
            rank = _rank_at(sentence, reading)
            if rank is not None:
                unit, word, unit_end = "RANK", None, rank
            else:
                found = _unit(sentence, reading, sentence)
                if found is None:
                    continue
                unit, word, unit_end = found
            if _CHANGE.search(sentence[clause_start : reading.start]):
                continue
            label = _clean_label(
                _label(sentence, clause_start, reading, unit_end, unit, after_last)
            )
            after_last = unit_end
            if not label:
                continue
            as_of, as_of_text = None, None
            if (dated is not None and dated[0] <= reading.start) or (
                dated is not None and clause_start <= dated[0]
            ):
                as_of, as_of_text = dated[1], dated[2]
            span = passage.span(s_start + clause_start, s_start + unit_end)
            figures.append(
                FigureRecord(
                    label=label,
                    value=reading.value,
                    unit=unit,
                    unit_text=word,
                    as_of=as_of,
                    as_of_text=as_of_text,
                    span=span,
                    pillars=classify(sentence),
                )
            )
    return figures


def _rank_at(sentence: str, reading: Reading) -> int | None:
    """The end offset of "thứ N/M" when the number at ``reading`` is its N."""
    for match in _RANK.finditer(sentence):
        if match.start("rank") == reading.start:
            return match.end()
    return None


def _excluded(text: str) -> list[tuple[int, int]]:
    """Offsets holding numbers that are no figures: dates and document numbers."""
    spans = [m.span() for m in DATE.finditer(text)]
    spans += [m.span() for m in DOCUMENT_NUMBER.finditer(text)]
    spans += [m.span() for m in PERIOD.finditer(text)]
    return spans


def table_figures(
    rows: Sequence[tuple[str, Line]], *, year: int | None
) -> list[tuple[Line, list[FigureRecord]]]:
    """Figures of table rows: ``rows`` are (row label, the row's data as a Line).

    Each figure's label is the row's label, with what the number counts where the row
    states several ("Hạ tầng thiết bị, mạng cục bộ: máy tính").
    """
    result: list[tuple[Line, list[FigureRecord]]] = []
    for row_label, data in rows:
        found = extract_figures(Passage([data]), year=year)
        for figure in found:
            own = figure.label
            if fold(own) in (fold(row_label), fold(figure.unit_text or "")):
                figure.label = row_label
            else:
                figure.label = _clean_label(f"{row_label}: {own}")
            figure.span = figure.span.union(data.span)
        result.append((data, found))
    return result


def answer_figures(
    lines: Sequence[Line], spans: Sequence[Span], *, year: int | None, held: Sequence[str]
) -> list[FigureRecord]:
    """Dated figures stated in answers (each of ``spans`` is one question and answer)."""
    figures: list[FigureRecord] = []
    for span in spans:
        inside = [line for line in lines if span.start <= line.span.start <= span.end]
        if inside:
            figures += extract_figures(Passage(inside), year=year, dated_only=True, held=held)
    return figures
