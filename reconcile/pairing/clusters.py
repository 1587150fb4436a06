"""Clusters: union-find over verified same-story-or-closer pairs, each with a canonical document.

Ids hash the sorted member ids, so a cluster keeps its id from run to run while its
membership holds, whatever order the documents came in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from reconcile.model import Cluster, Pair
from reconcile.pairing.relations import canonical_key, longest_key

CLUSTER_RELATIONS = ("duplicate", "near-duplicate", "same-story")

Id = TypeVar("Id", str, int)


@dataclass(frozen=True)
class Member:
    """What choosing a canonical document looks at."""

    id: str
    published: str | None
    length: int
    """Distinct shingles of the body (``pair.Features.length``)."""
    order: int = 0
    """Position in the input: between reports equal in date and length, the first read is canonical."""


def earliest_then_longest(member: Member) -> tuple[str, int, int, str]:
    """Unknown dates sort last; then the longest body; then the first read (``dedup`` keeps the same)."""
    return (*canonical_key(member.published, member.length), member.order, member.id)


def longest_then_earliest(member: Member) -> tuple[int, str, int, str]:
    return (*longest_key(member.published, member.length), member.order, member.id)


CANONICAL_RULES: dict[str, Callable[[Member], tuple[object, ...]]] = {
    "earliest": earliest_then_longest,
    "longest": longest_then_earliest,
}


class UnionFind(Generic[Id]):
    """Disjoint sets over ids (document ids, or row numbers at scale), with path halving; the
    smaller id roots a merge."""

    def __init__(self, ids: Iterable[Id]) -> None:
        self.parent: dict[Id, Id] = {i: i for i in ids}

    def root(self, x: Id) -> Id:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: Id, b: Id) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_id(ids: Sequence[str]) -> str:
    return "c-" + hashlib.sha1("\n".join(sorted(ids)).encode("utf-8")).hexdigest()[:12]


def clusters(
    members: Sequence[Member],
    pairs: Iterable[Pair],
    canonical: str = "earliest",
    relations: Sequence[str] = CLUSTER_RELATIONS,
) -> list[Cluster]:
    """Connected components of the pairs whose relation is in ``relations``; singletons are not clusters.

    A cluster's ``relation`` is the loosest relation that joined it.
    """
    sets = UnionFind(m.id for m in members)
    kept = [p for p in pairs if p.relation in relations]
    for pair in kept:
        sets.union(pair.a, pair.b)
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(sets.root(m.id), []).append(m.id)
    rank = {r: n for n, r in enumerate(relations)}
    loosest: dict[str, str] = {}
    for pair in kept:
        root = sets.root(pair.a)
        if root not in loosest or rank[pair.relation] > rank[loosest[root]]:
            loosest[root] = pair.relation
    by_id = {m.id: m for m in members}
    out = [
        component_cluster([by_id[i] for i in ids], [loosest[root]], canonical, relations)
        for root, ids in groups.items()
        if len(ids) >= 2
    ]
    return sorted(out, key=lambda c: c.documents)


def component_cluster(
    members: Sequence[Member],
    joined_by: Iterable[str],
    canonical: str = "earliest",
    relations: Sequence[str] = CLUSTER_RELATIONS,
) -> Cluster:
    """The cluster of one connected component: its ``members``, the relations of the pairs that
    joined it (``joined_by``: the loosest names the cluster), its canonical document by the
    ``canonical`` rule.  ``clusters`` builds each component with it, and so does an engine that
    finds the components elsewhere."""
    key = CANONICAL_RULES[canonical]
    rank = {r: n for n, r in enumerate(relations)}
    ids = sorted(m.id for m in members)
    best = min(members, key=key).id
    return Cluster(cluster_id(ids), tuple(ids), best, max(joined_by, key=rank.__getitem__))
