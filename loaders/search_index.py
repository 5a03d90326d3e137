"""The search index: one entry per searchable record, its title and body and their tokens,
and the vocabulary of those tokens.

Questions, tasks, targets, documents, passages (heading and text) and figures (label; the
value as written, unit word and date).

Built from the content rows (``loaders.rows``); the write step stores the entries and the
backend's full-text index over them (migration 0003), and the vocabulary (migration 0007)
that search expands prefixes and corrects typos against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from dxtext.text import spelled_tokens, tokens


def search_entries(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per searchable record: its title (weighs more) and body, and their tokens."""
    agency_names = {a["id"]: a["name"] for a in rows.get("agencies", [])}
    leads: dict[str, list[str]] = defaultdict(list)
    for link in rows.get("task_agencies", []):
        leads[link["task_id"]].append(agency_names.get(link["agency_id"], ""))
    entries: list[tuple[str, str, str | None, str, str]] = []
    entries += [
        ("QUESTION", q["id"], q["province_id"], q["text"], q["answer"])
        for q in rows.get("questions", [])
    ]
    entries += [
        (
            "TASK",
            k["id"],
            k["province_id"],
            k["title"],
            " ".join(x for x in (k["group"], k["deadline_text"], *leads[k["id"]]) if x),
        )
        for k in rows.get("tasks", [])
    ]
    entries += [
        ("TARGET", t["id"], t["province_id"], t["text"], "") for t in rows.get("targets", [])
    ]
    entries += [
        (
            "DOCUMENT",
            d["id"],
            d["province_id"],
            " ".join(x for x in (d["kind_label"], d["number"], d["title"]) if x),
            d["issuer"] or "",
        )
        for d in rows.get("documents", [])
    ]
    entries += [
        ("PASSAGE", x["id"], x["province_id"], x["heading"] or "", x["text"])
        for x in rows.get("passages", [])
    ]
    entries += [
        ("FIGURE", f["id"], f["province_id"], f["label"], figure_words(f))
        for f in rows.get("figures", [])
    ]
    return [
        {
            "id": record_id,
            "kind": kind,
            "province_id": province,
            "title": title,
            "body": body,
            "title_folded": " ".join(tokens(title)),
            "body_folded": " ".join(tokens(body)),
            "position": position,
        }
        for position, (kind, record_id, province, title, body) in enumerate(entries, start=1)
    ]


def search_terms(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The index's vocabulary: each folded word, its spellings, how many entries hold it.

    The most frequent spelling is what a suggestion shows ("nghiep" → "nghiệp"); ties go
    to the spelling that sorts first, so every load writes the same rows.
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    holding: Counter[str] = Counter()
    for entry in entries:
        words = spelled_tokens(f"{entry['title']} {entry['body']}")
        for folded, spelled in words:
            spellings[folded][spelled] += 1
        holding.update({folded for folded, _ in words})
    return [
        {
            "term": term,
            "spelling": min(counts, key=lambda spelled: (-counts[spelled], spelled)),
            "spellings": " ".join(sorted(counts)),
            "entries": holding[term],
        }
        for term, counts in sorted(spellings.items())
    ]


def written_number(value: float) -> str:
    """A value as Vietnamese writes it: 2752 → "2.752", 80.53 → "80,53"."""
    whole, _, fraction = f"{value:.6f}".rstrip("0").rstrip(".").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def figure_words(figure: dict[str, Any]) -> str:
    """What a figure says besides its label: "2.752 trạm", "80,53%", "Đến năm 2021"."""
    value = written_number(figure["value"])
    amount = f"{value}%" if figure["unit"] == "PERCENT" else f"{value} {figure['unit_text'] or ''}"
    return " ".join(x for x in (amount.strip(), figure["as_of_text"]) if x)
