"""DTI results (Chỉ số chuyển đổi số, xếp hạng) read from a raw source text.

Two shapes occur, and ``extract_rankings`` looks for both in any text:

- A sentence (the Hà Giang article): "Hà Giang xếp hạng thứ 26/63 tỉnh thành trong đó
  xếp hạng Chính quyền số là 30/63; Kinh tế số là 23/63 và Xã hội số là 19/63". The
  overall rank follows "xếp hạng (thứ)"; pillar ranks follow a pillar name in the same
  sentence. The year is read from "năm YYYY" / "DTI YYYY" in that sentence, if any.
- A slide table (the Hà Tĩnh deck), extracted column by column under a heading
  "KẾT QUẢ DTI NĂM 2021": column names (Xếp hạng DTI, Chính quyền số, Kinh tế số, Xã
  hội số), then one block of figures per year, each figure a rank ("22 / 63" or "23")
  with its score on the next line ("(0,3272)"); a block begins at a rank written with
  its "/ 63". In a later block an unscored number right after a rank is that rank's
  change (the slide's arrows are lost in extraction, so the printed change has no
  sign). Then the year labels ("Năm 2020", "Năm 2021"), one per block, in the blocks'
  order: the slide prints the rows top to bottom and labels them in that order. The
  heading's year is the slide's headline, not the first row's: it only dates a table
  printed without labels. A printed change is "since the year before", so its block
  must be the later year and its magnitude the distance between the column's two
  ranks; a mismatch is a Warning. The change is signed from the ranks: a fall from
  22nd to 59th is -37.
- An index other than DTI named in a sentence (the Lào Cai handbook): "Chỉ số cải cách
  hành chính năm 2021, tỉnh Lào Cai đạt 88,44 điểm, xếp thứ 11/63 tỉnh, thành phố, tăng
  3 bậc so với năm 2020" is PAR INDEX 2021, rank 11/63, score 88.44, change +3.

Spans are the raw lines holding the rank (and its score). Everything else in the text,
such as a contact block, is never read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from dxtext.text import fold, nfc
from loaders.records import RankingRecord, Span, Warning

_PILLAR_WORDS = r"chính\s+quyền\s+số|chính\s+phủ\s+số|kinh\s+tế\s+số|xã\s+hội\s+số"
_OVERALL = re.compile(
    r"xếp\s+hạng\s+(?:thứ\s+)?(?P<rank>\d{1,3})\s*/\s*(?P<of>\d{1,3})(?!\d)", re.IGNORECASE
)
_PILLAR_RANK = re.compile(
    rf"(?P<pillar>{_PILLAR_WORDS})\s*:?\s+(?:là\s+|đứng\s+thứ\s+|xếp\s+thứ\s+|thứ\s+)?"
    r"(?P<rank>\d{1,3})\s*/\s*(?P<of>\d{1,3})(?!\d)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"\.(?=\s|$)")
_YEAR = re.compile(r"(?:năm|DTI)\s+(\d{4})(?!\d)", re.IGNORECASE)

_HEADING = re.compile(r"kết\s+quả\s+(?:chỉ\s+số\s+)?DTI\s+năm\s+(\d{4})", re.IGNORECASE)
_COLUMN = re.compile(rf"DTI|{_PILLAR_WORDS}", re.IGNORECASE)
_RANK_LINE = re.compile(r"(\d{1,3})(?:\s*/\s*(\d{1,3}))?")
_SCORE_LINE = re.compile(r"\(\s*(\d+[,.]\d+)\s*\)")
_YEAR_LINE = re.compile(r"năm\s+(\d{4})", re.IGNORECASE)
#: Lines of column names allowed between the heading and the first figure.
_MAX_HEADING_LINES = 12


def _pillar(name: str) -> str | None:
    """Pillar code of a pillar name; None (overall) for "DTI"."""
    folded = re.sub(r"\s+", " ", fold(name))
    if folded in ("chinh quyen so", "chinh phu so"):
        return "DIGITAL_GOVERNMENT"
    if folded == "kinh te so":
        return "DIGITAL_ECONOMY"
    if folded == "xa hoi so":
        return "DIGITAL_SOCIETY"
    return None


class _Lines:
    """Maps character offsets of a text to its 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def span(self, start: int, end: int) -> Span:
        return Span(self.line(start), self.line(max(start, end - 1)))


def _from_sentences(text: str, province: str) -> list[RankingRecord]:
    lines = _Lines(text)
    records: list[RankingRecord] = []
    for overall in _OVERALL.finditer(text):
        end_match = _SENTENCE_END.search(text, overall.end())
        end = end_match.start() if end_match else len(text)
        ends_before = [m.end() for m in _SENTENCE_END.finditer(text, 0, overall.start())]
        begin = ends_before[-1] if ends_before else 0
        year_match = _YEAR.search(text, begin, end)
        year = int(year_match.group(1)) if year_match else None
        records.append(
            RankingRecord(
                province=province,
                rank=int(overall.group("rank")),
                out_of=int(overall.group("of")),
                span=lines.span(overall.start(), overall.end()),
                year=year,
            )
        )
        for match in _PILLAR_RANK.finditer(text, overall.end(), end):
            records.append(
                RankingRecord(
                    province=province,
                    rank=int(match.group("rank")),
                    out_of=int(match.group("of")),
                    span=lines.span(match.start(), match.end()),
                    year=year,
                    pillar=_pillar(match.group("pillar")),
                )
            )
    return records


#: Indexes other than DTI, by the folded name a sentence gives them, and the name they
#: are served under (the name the ranking body publishes them as).
OTHER_INDEXES: dict[str, str] = {
    "chi so cai cach hanh chinh": "PAR INDEX",
}
_INDEX_NAME = re.compile(r"chỉ\s+số\s+cải\s+cách\s+hành\s+chính", re.IGNORECASE)
_INDEX_YEAR = re.compile(r"\s*(?:năm\s+)?(\d{4})(?!\d)", re.IGNORECASE)
_INDEX_SCORE = re.compile(r"đạt\s+(\d+(?:,\d+)?)\s+điểm", re.IGNORECASE)
_INDEX_RANK = re.compile(r"(?:xếp\s+)?thứ\s+(\d{1,3})\s*/\s*(\d{1,3})(?!\d)", re.IGNORECASE)
_INDEX_CHANGE = re.compile(r"(tăng|giảm)\s+(\d{1,3})\s+bậc", re.IGNORECASE)


def _from_index_sentences(text: str, province: str) -> list[RankingRecord]:
    """Ranks on a named index other than DTI: name and year, then, in the same sentence,
    the score ("đạt 88,44 điểm"), the rank ("xếp thứ 11/63") and the change ("tăng 3
    bậc": +3; "giảm": negative)."""
    lines = _Lines(text)
    records: list[RankingRecord] = []
    for name in _INDEX_NAME.finditer(text):
        index = OTHER_INDEXES[re.sub(r"\s+", " ", fold(name.group(0)))]
        end_match = _SENTENCE_END.search(text, name.end())
        end = end_match.start() if end_match else len(text)
        year = _INDEX_YEAR.match(text, name.end())
        rank = _INDEX_RANK.search(text, name.end(), end)
        if rank is None:
            continue
        score = _INDEX_SCORE.search(text, name.end(), rank.start())
        change = _INDEX_CHANGE.search(text, rank.end(), end)
        signed = None
        if change is not None:
            signed = int(change.group(2)) * (1 if fold(change.group(1)) == "tang" else -1)
        records.append(
            RankingRecord(
                province=province,
                rank=int(rank.group(1)),
                out_of=int(rank.group(2)),
                span=lines.span(name.start(), (change or rank).end()),
                year=int(year.group(1)) if year else None,
                score=float(score.group(1).replace(",", ".")) if score else None,
                index=index,
                change=signed,
            )
        )
    return records


@dataclass(slots=True)
class _Figure:
    rank: int
    out_of: int | None
    line: int
    score: float | None = None
    score_line: int | None = None


def _read_figures(
    lines: list[str], first: int
) -> tuple[list[list[_Figure]], list[tuple[int, int]], int]:
    """Blocks of figures from ``lines[first:]``, the year labels after them, and the
    index where the table ends."""
    blocks: list[list[_Figure]] = []
    labels: list[tuple[int, int]] = []
    index = first
    while index < len(lines):
        text = lines[index].strip()
        if not text:
            index += 1
            continue
        rank = _RANK_LINE.fullmatch(text)
        score = _SCORE_LINE.fullmatch(text)
        label = _YEAR_LINE.fullmatch(text)
        if rank and not labels:
            out_of = int(rank.group(2)) if rank.group(2) else None
            figure = _Figure(int(rank.group(1)), out_of, index + 1)
            if out_of is not None or not blocks:
                blocks.append([])
            blocks[-1].append(figure)
        elif score and blocks and blocks[-1][-1].score is None and not labels:
            blocks[-1][-1].score = float(score.group(1).replace(",", "."))
            blocks[-1][-1].score_line = index + 1
        elif label and blocks:
            labels.append((int(label.group(1)), index + 1))
        else:
            break
        index += 1
    return blocks, labels, index


def _split_block(block: list[_Figure]) -> tuple[list[_Figure], dict[int, _Figure]]:
    """The ranks of a block, and each rank's change keyed by column."""
    if all(f.score is not None for f in block):
        return block, {}
    ranks: list[_Figure] = []
    changes: dict[int, _Figure] = {}
    for figure in block:
        if figure.score is None and ranks and len(ranks) - 1 not in changes:
            changes[len(ranks) - 1] = figure
        else:
            ranks.append(figure)
    return ranks, changes


def _from_table(text: str, province: str) -> tuple[list[RankingRecord], list[Warning]]:
    lines = text.split("\n")
    records: list[RankingRecord] = []
    warnings: list[Warning] = []
    index = 0
    while index < len(lines):
        heading = _HEADING.search(lines[index])
        if heading is None:
            index += 1
            continue
        columns: list[str | None] = []
        cursor = index + 1
        while cursor < min(len(lines), index + 1 + _MAX_HEADING_LINES):
            text_line = lines[cursor].strip()
            if _RANK_LINE.fullmatch(text_line):
                break
            columns.extend(_pillar(m.group(0)) for m in _COLUMN.finditer(text_line))
            cursor += 1
        blocks, labels, end = _read_figures(lines, cursor)
        found, problems = _table_records(
            province, int(heading.group(1)), index + 1, columns, blocks, labels
        )
        records.extend(found)
        warnings.extend(problems)
        index = max(end, index + 1)
    return records, warnings


def _block_years(
    headline_year: int, blocks: list[list[_Figure]], labels: list[tuple[int, int]]
) -> tuple[list[int | None], list[Warning]]:
    """The year of each block: the labels in order, one per block; the headline year for
    a lone unlabelled block."""
    years: list[int | None] = []
    years.extend(year for year, _ in labels[: len(blocks)])
    if len(labels) == len(blocks):
        return years, []
    if not labels and len(blocks) == 1:
        return [headline_year], []
    years += [None] * (len(blocks) - len(years))
    line = labels[0][1] if labels else blocks[0][0].line
    return years, [Warning(line, f"{len(labels)} year labels for {len(blocks)} DTI rows")]


def _table_records(
    province: str,
    headline_year: int,
    heading_line: int,
    columns: list[str | None],
    blocks: list[list[_Figure]],
    labels: list[tuple[int, int]],
) -> tuple[list[RankingRecord], list[Warning]]:
    if not blocks:
        return [], [Warning(heading_line, "DTI heading with no figures under it")]
    years, warnings = _block_years(headline_year, blocks, labels)
    ranks_by_year: list[list[_Figure]] = []
    changes_by_year: list[dict[int, _Figure]] = []
    for block, year in zip(blocks, years, strict=True):
        ranks, changes = _split_block(block)
        if year is None:
            warnings.append(Warning(block[0].line, "DTI figures with no year"))
        if len(ranks) != len(columns):
            warnings.append(
                Warning(block[0].line, f"{len(ranks)} DTI ranks for {len(columns)} columns")
            )
        ranks_by_year.append(ranks)
        changes_by_year.append(changes)
    signed, problems = _signed_changes(ranks_by_year, changes_by_year, years)
    warnings.extend(problems)
    records: list[RankingRecord] = []
    for row, (ranks, year) in enumerate(zip(ranks_by_year, years, strict=True)):
        out_of = next((f.out_of for f in ranks if f.out_of is not None), None)
        if out_of is None:
            warnings.append(Warning(ranks[0].line, "DTI ranks with no 'out of'"))
            out_of = 63
        for column, (pillar, figure) in enumerate(zip(columns, ranks, strict=False)):
            records.append(
                RankingRecord(
                    province=province,
                    rank=figure.rank,
                    out_of=figure.out_of or out_of,
                    span=Span(figure.line, figure.score_line or figure.line),
                    year=year,
                    pillar=pillar,
                    score=figure.score,
                    change=signed.get((row, column)),
                )
            )
    return records, warnings


def _signed_changes(
    ranks_by_year: list[list[_Figure]],
    changes_by_year: list[dict[int, _Figure]],
    years: list[int | None],
) -> tuple[dict[tuple[int, int], int], list[Warning]]:
    """Each printed change, keyed by (block, column), signed from the two years' ranks
    (positive: places gained), with what disagrees with the ranks or the years."""
    signed: dict[tuple[int, int], int] = {}
    warnings: list[Warning] = []
    for block, changes in enumerate(changes_by_year):
        for column, change in changes.items():
            other = [
                (b, r[column])
                for b, r in enumerate(ranks_by_year)
                if b != block and column < len(r)
            ]
            if len(other) != 1:
                warnings.append(Warning(change.line, "a DTI rank change with no other year"))
                continue
            other_block, before = other[0]
            rank = ranks_by_year[block][column].rank
            if abs(rank - before.rank) != change.rank:
                warnings.append(
                    Warning(
                        change.line,
                        f"DTI rank change {change.rank} does not match ranks {rank} "
                        f"({years[block]}) and {before.rank}",
                    )
                )
                continue
            year, other_year = years[block], years[other_block]
            if year is not None and other_year is not None and year <= other_year:
                warnings.append(
                    Warning(
                        change.line,
                        f"a DTI rank change printed under {year}, not after {other_year}",
                    )
                )
                continue
            signed[(block, column)] = before.rank - rank
    return signed, warnings


def extract_rankings(text: str, province: str) -> tuple[list[RankingRecord], list[Warning]]:
    """Every DTI (and other index) result in a raw text, for ``province``, and what looked wrong.

    ``text`` is the whole raw file; spans are its 1-based line numbers.
    """
    text = nfc(text).replace("\r\n", "\n")
    records = _from_sentences(text, province)
    table, warnings = _from_table(text, province)
    return records + table + _from_index_sentences(text, province), warnings
