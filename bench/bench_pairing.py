"""Pairing at corpus scale: ``reconcile scan`` as a user runs it, beside datasketch and rensa.

Builds a corpus of ~400-word reports from real sentences in ../shared/data (STS
Benchmark, UCI headlines, Clough-Stevenson), shuffled and perturbed, with a known
share of exact copies, edited copies and rewrites (STS paraphrase pairs swapped in),
writes it as one JSON Lines file, and measures on it, in one run:

* ``reconcile scan FILE --format json -o DIR`` in a subprocess, default options: wall
  time, docs/s, the peak RSS of its largest process, and the relations and clusters in
  its ``report.json``;
* datasketch's ``MinHash.bulk`` and rensa's ``RMinHash``, each with word 5-gram shingling,
  on the same texts (a sample: datasketch takes minutes for the whole corpus);
* labelled as such, the pairing stage alone in this process (``reconcile.pairing.scale``,
  the code ``scan`` runs: tokenise, signatures, LSH, screen, verification), per stage, with
  precision and recall of the copies it finds; and signatures alone beside rensa's.

No pairing logic lives here: the bench imports it (``tests/test_bench.py`` checks).

    python bench/bench_pairing.py [--docs 100000] [--workers 2] [--keep corpus.jsonl] [--no-scan]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconcile.pairing import minhash  # noqa: E402
from reconcile.pairing.relations import Thresholds  # noqa: E402
from reconcile.pairing.scale import JsonLinesSource, chunk_texts, clusters_of, pair_corpus  # noqa: E402
from reconcile.pairing.tokens import SHINGLE_SIZE, batch_sets  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


# ---------------------------------------------------------------- corpus


def sentence_pool(data: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Real sentences, and STS paraphrase pairs (score >= 3.6) for rewrites."""
    sentences: list[str] = []
    paraphrases: list[tuple[str, str]] = []
    for name in ("sts-train", "sts-dev", "sts-test"):
        with open(data / "stsbenchmark" / f"{name}.csv", encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 7:
                    continue
                sentences += [row[5], row[6]]
                if float(row[4]) >= 3.6:
                    paraphrases.append((row[5], row[6]))
    with open(data / "uci_news_aggregator_sample" / "uci-news-aggregator.first6366rows.csv", encoding="utf-8") as f:
        sentences += [row["TITLE"] + "." for row in csv.DictReader(f)]
    for path in sorted((data / "clough_stevenson_plagiarised_short_answers").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 4]
    return sentences, paraphrases


def perturb(sentence: str, vocab: list[str], rng: random.Random) -> str:
    """Swap one word for a random pool word: reused sentences stop being exact repeats."""
    words = sentence.split()
    if len(words) > 3:
        words[rng.randrange(len(words))] = rng.choice(vocab)
    return " ".join(words)


def build_corpus(n_docs: int, data: Path, seed: int = 7) -> tuple[list[dict], dict[int, tuple[int, str]]]:
    """Documents and the truth: ``truth[copy] = (original, kind)``, kind copy / edited / rewrite."""
    rng = random.Random(seed)
    sentences, paraphrases = sentence_pool(data)
    vocab = [w for s in rng.sample(sentences, 5000) for w in s.split()]
    docs: list[dict] = []
    truth: dict[int, tuple[int, str]] = {}
    story_sentences: dict[int, list[int]] = {}
    n_copies, n_edited, n_rewrites = int(n_docs * 0.1), int(n_docs * 0.1), int(n_docs * 0.02)
    n_orig = n_docs - n_copies - n_edited - n_rewrites
    for i in range(n_orig):
        body: list[str] = []
        if i < n_rewrites:  # a story told in paraphrasable sentences
            picks = rng.sample(range(len(paraphrases)), 40)
            story_sentences[i] = picks
            body = [paraphrases[p][0] for p in picks]
        else:
            words = 0
            while words < 400:
                s = sentences[rng.randrange(len(sentences))]
                s = perturb(s, vocab, rng) if rng.random() < 0.7 else s
                body.append(s)
                words += len(s.split())
        docs.append({"id": f"d{i:06d}", "text": " ".join(body)})
    for kind, count in (("copy", n_copies), ("edited", n_edited), ("rewrite", n_rewrites)):
        for _ in range(count):
            if kind == "rewrite":
                original = len([t for t in truth.values() if t[1] == "rewrite"])
                picks = story_sentences[original][:]
                rng.shuffle(picks)
                text = " ".join(paraphrases[p][1] for p in picks[:36])
            else:
                original = rng.randrange(n_rewrites, n_orig)
                body = re.split(r"(?<=[.!?]) ", docs[original]["text"])
                if kind == "edited":
                    del body[rng.randrange(len(body))]
                    k = rng.randrange(len(body) - 1)
                    body[k], body[k + 1] = body[k + 1], body[k]
                    body = [perturb(s, vocab, rng) if rng.random() < 0.15 else s for s in body]
                text = " ".join(body)
            truth[len(docs)] = (original, kind)
            docs.append({"id": f"d{len(docs):06d}", "text": text})
    order = list(range(len(docs)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    shuffled = [docs[old] for old in order]
    return shuffled, {position[c]: (position[o], k) for c, (o, k) in truth.items()}


# ---------------------------------------------------------------- the CLI


_PEAK_OF_CHILD = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "sys.stderr.write(f'\\npeak-rss-kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)
"""Runs a command and writes the peak RSS of its largest process (it and the processes it waited
for) on stderr."""


def run_scan(path: Path, workers: int | None, max_bytes: int, code: Path | None = None) -> dict:
    """``reconcile scan PATH --format json -o DIR`` in a subprocess, as a user runs it: wall
    seconds, CPU seconds and the peak RSS of its largest process (``wait4``: that child and the
    processes it waited for), the relations and clusters of its ``report.json``, and a digest of
    every JSON file it wrote.  ``code``: run the ``reconcile`` package of that source tree instead
    (a checkout of older code, for figures of old and new in one run)."""
    out = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "reconcile.cli",
        "scan",
        str(path.resolve()),
        "--format",
        "json",
        "-o",
        str(out),
        "--max-bytes",
        str(max_bytes),
    ]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    # ``-m`` puts the working folder first on the path: the older tree's, for its code to be the one run.
    cwd = code if code is not None else None
    # Started from a small process of its own: Linux counts the memory a forked child had before
    # its ``exec`` in its peak RSS, so a scan forked from this bench (the corpus built, 0.9 GB)
    # would report at least the bench's own peak.
    process = subprocess.Popen(
        [sys.executable, "-c", _PEAK_OF_CHILD, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"reconcile scan failed ({process.returncode}): {stderr.decode(errors='replace')[-2000:]}")
    peak_kib = int(stderr.decode(errors="replace").rstrip().rsplit("peak-rss-kib=", 1)[1])
    with open(out / "report.json", encoding="utf-8") as f:
        report = json.load(f)
    relations = Counter(p["relation"] for p in report["pairs"])
    digest = hashlib.sha256()
    for json_file in sorted(out.rglob("*.json")):
        digest.update(str(json_file.relative_to(out)).encode() + b"\0" + json_file.read_bytes())
    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "json_digest": digest.hexdigest(),
        "files": sum(1 for f in out.rglob("*") if f.is_file()),
        "peak_rss_mib": peak_kib / 1024,
        "relations": relations,
        "clusters": len(report["clusters"]),
        "aligned": sum(1 for p in report["pairs"] if p["scores"].get("aligned")),
        "documents": len(report["documents"]),
    }
    del report
    shutil.rmtree(out)
    return result


# ---------------------------------------------------------------- peers


def _best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of several runs, in seconds: the figure least disturbed by other jobs on the machine."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def read_texts(path: Path, count: int) -> list[str]:
    texts: list[str] = []
    with open(path, "rb") as f:
        while len(texts) < count:
            lines = f.readlines(4 << 20)
            if not lines:
                break
            texts += chunk_texts(b"".join(lines))
    return texts[:count]


def shingle_strings(text: str) -> list[str]:
    """Word 5-grams of a text, lower-cased: the shingling a datasketch or rensa user writes."""
    words = re.findall(r"[a-z0-9'\-]+", text.lower())
    return [" ".join(words[k : k + SHINGLE_SIZE]) for k in range(max(1, len(words) - SHINGLE_SIZE + 1))]


def peers(texts: list[str], datasketch_sample: int) -> dict[str, float]:
    """docs/s of datasketch's ``MinHash.bulk`` and rensa's ``RMinHash``, shingling included, 128
    permutations, one core, on the same texts (datasketch on the first ``datasketch_sample``)."""
    from datasketch import MinHash

    sample = texts[:datasketch_sample]
    start = time.perf_counter()
    MinHash.bulk([[s.encode("utf-8") for s in shingle_strings(t)] for t in sample], num_perm=128, seed=1)
    rates = {"datasketch MinHash.bulk": len(sample) / (time.perf_counter() - start)}
    try:
        from rensa import RMinHash
    except ImportError:
        return rates

    def rensa_all() -> None:
        for text in texts:
            r = RMinHash(num_perm=128, seed=1)
            r.update(shingle_strings(text))
            r.digest()

    rates["rensa RMinHash"] = len(texts) / _best_of(1, rensa_all)
    return rates


def signatures_alone(texts: list[str]) -> dict[str, float]:
    """Signatures alone from prepared shingles, one core (fastest of 5): ours from the shingle hashes
    ``batch_sets`` gives, rensa's from shingle strings."""
    sets = batch_sets(texts)
    rates = {
        "reconcile (numpy, from shingle hashes)": len(texts)
        / _best_of(5, lambda: minhash.flat_signatures(sets.shingle_doc, sets.shingles, sets.count))
    }
    try:
        from rensa import RMinHash
    except ImportError:
        return rates
    strings = [shingle_strings(t) for t in texts]

    def rensa_signatures() -> None:
        for shingle_list in strings:
            r = RMinHash(num_perm=128, seed=1)
            r.update(shingle_list)
            r.digest()

    rates["rensa RMinHash (from shingle strings)"] = len(texts) / _best_of(5, rensa_signatures)
    return rates


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA, help="The shared data folder (default ../shared/data).")
    parser.add_argument("--keep", type=Path, default=None, help="Write the corpus here (JSON Lines) and keep it.")
    parser.add_argument("--peer-sample", type=int, default=5000, help="Texts for rensa and signatures alone.")
    parser.add_argument("--datasketch-sample", type=int, default=2000, help="Texts for datasketch's MinHash.bulk.")
    parser.add_argument("--no-scan", action="store_true", help="Skip the reconcile scan subprocess.")
    parser.add_argument(
        "--max-bytes", type=int, default=1 << 31, help="--max-bytes for reconcile scan (its reader refuses larger)."
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="A source tree of older code (e.g. `git archive REV | tar -x -C DIR`): its scan and this one run in "
        "turns on the same corpus, with their JSON outputs compared.",
    )
    parser.add_argument("--rounds", type=int, default=1, help="Turns of old and new scans with --baseline.")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data} is absent")
    t = time.perf_counter()
    docs, truth = build_corpus(args.docs, args.data)
    words = np.mean([len(d["text"].split()) for d in docs[:2000]])
    path = args.keep or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    kinds = {k: sum(1 for _, kk in truth.values() if kk == k) for k in ("copy", "edited", "rewrite")}
    built = time.perf_counter() - t
    print(f"corpus: {len(docs):,} docs, {words:.0f} words on average, {kinds} (built in {built:.1f} s), {path}")
    del docs
    n = args.docs
    texts = read_texts(path, args.peer_sample)
    rates = peers(texts, min(args.datasketch_sample, args.peer_sample))
    print(
        f"\nsignatures with shingling, 128 permutations, one core ({args.peer_sample:,} texts; datasketch on "
        f"{min(args.datasketch_sample, args.peer_sample):,}):"
    )
    for name, rate in rates.items():
        print(f"  {name:<40} {rate:>10,.0f} docs/s")

    scan = None
    if not args.no_scan and args.baseline is not None:
        print(f"\nreconcile scan FILE --format json -o DIR, the code in {args.baseline} (old) and this (new) in turns:")
        digests = set()
        for turn in range(args.rounds):
            for label, code in (("old", args.baseline), ("new", None)):
                done = run_scan(path, None, args.max_bytes, code)
                if code is None:
                    scan = done  # the figures below are the last run of this code
                digests.add(done["json_digest"])
                print(
                    f"  {turn + 1} {label}: {done['wall']:.1f} s wall, {n / done['wall']:,.0f} docs/s, "
                    f"{done['cpu']:.1f} CPU s, peak RSS {done['peak_rss_mib']:,.0f} MiB, {done['files']:,} files"
                )
        print(f"  JSON files of every run identical: {'yes' if len(digests) == 1 else 'NO'}")
    if not args.no_scan:
        scan = scan or run_scan(path, None, args.max_bytes)
        rate = n / scan["wall"]
        print("\nreconcile scan FILE --format json -o DIR (a subprocess, default options but --max-bytes):")
        peak = scan["peak_rss_mib"]
        print(
            f"  {scan['wall']:.1f} s wall, {rate:,.0f} docs/s, {scan['cpu']:.1f} CPU s, "
            f"peak RSS (largest process) {peak:,.0f} MiB"
        )
        relations = scan["relations"]
        print(
            "  pairs: duplicate / near-duplicate / same-story / related: "
            + " / ".join(f"{relations.get(r, 0):,}" for r in ("duplicate", "near-duplicate", "same-story", "related"))
            + f"; clusters {scan['clusters']:,}; aligned pairs {scan['aligned']:,}"
        )
        for name, peer_rate in rates.items():
            print(f"  scan end to end / {name}: {rate / peer_rate:.2f}x")

    thresholds = Thresholds()
    result = pair_corpus(JsonLinesSource(path), args.workers, thresholds)
    copy_params, rare_params = result.params or (None, None)
    print(
        "\npairing stage alone, in this process (reconcile.pairing.scale, what scan runs: tokenise, signatures,"
        " LSH, screen, verification; not reading records, chrome, dates, alignment or reports):"
    )
    print(f"  LSH copied text: {copy_params}")
    print(f"  LSH rare content words: {rare_params}")
    for stage, seconds in result.timings.items():
        print(f"  {stage:<36} {seconds:7.2f} s  {n / seconds:>10,.0f} docs/s")
    print("  per stage, CPU seconds summed over workers, docs/s on one core:")
    for stage, seconds in result.stage_cpu.items():
        print(f"    {stage:<42} {seconds:7.2f} s  {n / max(seconds, 1e-9):>10,.0f} docs/s")
    print(
        f"  candidates: {sum(result.lsh_candidates):,} from LSH (summed over the band groups: "
        f"{' / '.join(f'{c:,}' for c in result.lsh_candidates)}), {len(result.pairs):,} after the signature screen"
    )
    copy_relations = result.copy_relations(thresholds)
    content = np.round(result.content_jaccard(), 4)
    pairs = result.pairs.tolist()
    copied = [tuple(p) for p, r in zip(pairs, copy_relations, strict=True) if r]
    story = [
        tuple(p)
        for p, r, c in zip(pairs, copy_relations, content.tolist(), strict=True)
        if not r and c >= thresholds.same_story_content
    ]
    print(
        f"  copied-text pairs {len(copied):,}; content-word Jaccard >= {thresholds.same_story_content} (same story,"
        f" before alignment) {len(story):,}; clusters of those pairs {clusters_of(copied + story, n):,}"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this bench process {own:,.0f} MiB")

    def truth_pair(i: int, j: int) -> str | None:
        for a, b in ((i, j), (j, i)):
            if a in truth and truth[a][0] == b:
                return truth[a][1]
        if i in truth and j in truth and truth[i][0] == truth[j][0] and truth[i][1] != "rewrite":
            return "copy"  # two copies of one original
        return None

    true_copied = sum(1 for i, j in copied if truth_pair(i, j) in {"copy", "edited"})
    found_by_kind = {k: 0 for k in kinds}
    for i, j in copied + story:
        kind = truth_pair(i, j)
        if kind and ((i in truth and truth[i][0] == j) or (j in truth and truth[j][0] == i)):
            found_by_kind[kind] += 1
    print("  copies found (pair with its original):")
    for kind, total in kinds.items():
        print(f"    {kind:<8} recall {found_by_kind[kind] / total:.4f} ({found_by_kind[kind]:,} of {total:,})")
    print(f"    copied-text pairs: {len(copied):,}, precision {true_copied / max(1, len(copied)):.4f}")

    alone = signatures_alone(texts)
    print(f"\nsignatures alone, 128 permutations, one core ({len(texts):,} texts, fastest of 5 runs):")
    for name, rate in alone.items():
        print(f"  {name:<40} {rate:>10,.0f} docs/s")
    if args.keep is None:
        path.unlink()


if __name__ == "__main__":
    main()
