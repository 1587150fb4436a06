"""A generated corpus of near-duplicate news-like reports for the distributed engine's tests and bench.

Stories are drawn from wordfreq's common English words (installed with ``reconcile``: nothing is
downloaded); a share of reports are copies edited word by word, a share are shortened or
extended copies, and each source prints its own sign-off line (chrome the scan must find).
The seed fixes everything.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

SOURCES = ("Daily Ledger", "Harbour Post", "Northern Wire", "City Courier", "The Examiner")


def _vocabulary() -> list[str]:
    import wordfreq

    return [w for w in wordfreq.top_n_list("en", 30_000) if w.isalpha()]


def reports(count: int, seed: int = 11, words: int = 160) -> Iterator[dict[str, str]]:
    """``count`` reports: about 70% originals, 20% copies with 1-8% of their words edited, 10%
    copies cut to their first two thirds with a new ending."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    originals: list[list[str]] = []
    for k in range(count):
        source = SOURCES[rng.randrange(len(SOURCES))]
        roll = rng.random()
        if originals and roll < 0.2:
            body = list(rng.choice(originals))
            for _ in range(max(1, int(len(body) * rng.uniform(0.01, 0.08)))):
                body[rng.randrange(len(body))] = rng.choice(vocabulary)
        elif originals and roll < 0.3:
            base = rng.choice(originals)
            body = base[: 2 * len(base) // 3] + [rng.choice(vocabulary) for _ in range(len(base) // 3)]
        else:
            body = [rng.choice(vocabulary) for _ in range(rng.randint(words // 2, words * 3 // 2))]
            originals.append(body)
        sentences = [" ".join(body[s : s + 12]).capitalize() + "." for s in range(0, len(body), 12)]
        day = 1 + rng.randrange(28)
        yield {
            "id": f"r{k:07d}",
            "title": " ".join(body[:6]).capitalize(),
            "source": source,
            "published": f"2024-03-{day:02d}",
            "text": " ".join(sentences) + f"\n\nFollow {source} for more news.",
        }


def write_reports(path: Path, count: int, seed: int = 11, words: int = 160) -> Path:
    """``reports`` as one JSON Lines file."""
    with path.open("w", encoding="utf-8") as f:
        for record in reports(count, seed, words):
            f.write(json.dumps(record) + "\n")
    return path
