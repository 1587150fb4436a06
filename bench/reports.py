"""Time each report form on a corpus: python bench/reports.py [PATH ...] (default samples/articles).

Prints seconds for the pipeline and for JSON, Markdown, HTML and tables, and the HTML bytes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from reconcile.pipeline import load_documents, scan
from reconcile.report.files import to_json, to_markdown
from reconcile.report.html import html_pages
from reconcile.report.tables import write_tables


def main(paths: list[str]) -> None:
    t0 = time.perf_counter()
    docs, _ = load_documents(paths)
    result = scan(docs)
    timings = {"pipeline": time.perf_counter() - t0}
    t = time.perf_counter()
    to_json(result)
    timings["json"] = time.perf_counter() - t
    t = time.perf_counter()
    to_markdown(result)
    timings["markdown"] = time.perf_counter() - t
    t = time.perf_counter()
    pages = html_pages(result)
    timings["html"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_tables(result, Path(tmp))
        timings["tables"] = time.perf_counter() - t
    print(f"{len(result.documents)} documents, {len(result.pairs)} pairs, {len(result.clusters)} clusters")
    for name, seconds in timings.items():
        print(f"{name:>9}: {seconds * 1000:8.1f} ms")
    print(f"html: {len(pages)} pages, {sum(len(p.encode()) for p in pages.values()) / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1:] or ["samples/articles"])
