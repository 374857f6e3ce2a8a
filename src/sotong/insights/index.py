"""The similar-case index: a usearch HNSW graph over the dense case vectors of one model version, plus
a small delta of vectors added since the graph was built.

Files under `SOTONG_INSIGHTS_DIR`, per model version:

    index-<version>.usearch   the graph, rebuilt from the stored vectors by a task (sweep or refit)
    delta-<version>.npz       ids and vectors analysed since: appended by the batch task, searched exactly

Both are replaced atomically (write to a temporary file, rename), so any number of web processes read
them at the same time: each process memory-maps the graph (`view=True`, pages shared through the OS
cache) and re-opens a file when its modification time changes; a restart loads them again. Writers on
one host are serialised by an `fcntl` lock file; the delta stays small because once it passes
`DELTA_MAX` the batch task asks for the delta to be folded into the graph (added to it, which costs the
delta's size); the graph is built afresh from the stored vectors by the refit and the rebuild sweep.

Below `EXACT_BELOW` vectors the graph is searched exhaustively (usearch's exact mode), so a small
district gets exact answers and a large one the graph.
"""

from __future__ import annotations

import fcntl
import io
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from sotong.insights.representation import insights_dir, write_atomically

EXACT_BELOW = 20_000
DELTA_MAX = 20_000
# Measured in docs/insights.md ("Index build"): f16 halves the memory of f32 at no loss of recall; an
# insertion beam of 64 builds 1.6 times as fast as 128 for recall@10 0.98 instead of 0.99 (the sparse
# re-rank of 300 candidates sits behind it); i8 and 8 neighbours lose more recall than they save.
DTYPE = "f16"
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
# Nearest neighbours fetched per query and re-ranked by sparse cosine (docs/insights.md: 100 lost 0.01
# of precision on short titles, 300 recovers most of what SVD loses).
CANDIDATES = 300


def index_path(version: str) -> Path:
    return insights_dir() / f"index-{version}.usearch"


def delta_path(version: str) -> Path:
    return insights_dir() / f"delta-{version}.npz"


@contextmanager
def write_lock(version: str) -> Iterator[None]:
    folder = insights_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f".lock-{version}").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_graph(dimensions: int) -> Index:
    return Index(
        ndim=dimensions,
        metric="cos",
        dtype=DTYPE,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def read_delta(version: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(delta_path(version)) as data:
            return data["ids"], data["vectors"]
    except FileNotFoundError:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)


def _write_delta(version: str, ids: np.ndarray, vectors: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, ids=ids.astype(np.int64), vectors=vectors.astype(np.float32))
    write_atomically(delta_path(version), buffer.getvalue())


def add_to_delta(version: str, ids: Iterable[int], vectors: np.ndarray) -> int:
    """Add (or replace) vectors in the delta; returns the delta's size afterwards."""
    new_ids = np.asarray(list(ids), dtype=np.int64)
    if not len(new_ids):
        return len(read_delta(version)[0])
    with write_lock(version):
        old_ids, old_vectors = read_delta(version)
        keep = ~np.isin(old_ids, new_ids) if len(old_ids) else np.zeros(0, dtype=bool)
        if len(old_ids):
            all_ids = np.concatenate([old_ids[keep], new_ids])
            all_vectors = np.vstack([old_vectors[keep], vectors])
        else:
            all_ids, all_vectors = new_ids, vectors
        _write_delta(version, all_ids, all_vectors)
        return len(all_ids)


def save_graph(version: str, ids: np.ndarray, vectors: np.ndarray, dimensions: int) -> int:
    """Build the graph from all vectors of a version, save it, and drop from the delta what it holds."""
    graph = new_graph(dimensions)
    if len(ids):
        graph.add(ids.astype(np.uint64), vectors, threads=os.cpu_count() or 1)
    return _replace_graph(version, graph, ids)


def fold_delta(version: str) -> int | None:
    """Add the delta to the saved graph and save it: costs the delta's size, not the graph's, so a
    backlog analysed from scratch (millions of cases, a fold every `DELTA_MAX`) stays linear where
    rebuilding the whole graph each time was quadratic. None when there is no graph to add to yet."""
    path = index_path(version)
    graph = Index.restore(str(path)) if path.exists() else None  # in memory: a view cannot grow
    if graph is None:
        return None
    ids, vectors = read_delta(version)
    if len(ids):
        keys = ids.astype(np.uint64)
        again = keys[graph.contains(keys)]  # re-analysed cases: their old vectors go
        if len(again):
            graph.remove(again)
        graph.add(keys, vectors, threads=os.cpu_count() or 1)
    return _replace_graph(version, graph, ids)


def _replace_graph(version: str, graph: Index, ids: np.ndarray) -> int:
    path = index_path(version)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    graph.save(str(tmp))
    with write_lock(version):
        os.replace(tmp, path)
        delta_ids, delta_vectors = read_delta(version)
        if len(delta_ids):
            pending = ~np.isin(delta_ids, ids)
            _write_delta(version, delta_ids[pending], delta_vectors[pending])
    return len(graph)


@dataclass
class Hit:
    case_id: int
    similarity: float


def _mtime(path: Path) -> object:
    """What changes when a file is replaced: its inode (every atomic replace makes one) and its time."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return -1
    return (stat.st_ino, stat.st_mtime_ns)


class SharedIndex:
    """One process's view of the files of one model version; re-opened when a file changes."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._lock = threading.Lock()
        self._graph: Index | None = None
        self._graph_mtime: object = -2
        self._delta = (np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32))
        self._delta_mtime: object = -2

    def refresh(self) -> None:
        with self._lock:
            graph_mtime = _mtime(index_path(self.version))
            if graph_mtime != self._graph_mtime:
                self._graph = (
                    Index.restore(str(index_path(self.version)), view=True) if graph_mtime != -1 else None
                )
                self._graph_mtime = graph_mtime
            delta_mtime = _mtime(delta_path(self.version))
            if delta_mtime != self._delta_mtime:
                self._delta = read_delta(self.version)
                self._delta_mtime = delta_mtime

    def __len__(self) -> int:
        return (len(self._graph) if self._graph is not None else 0) + len(self._delta[0])

    def search(self, vector: np.ndarray, count: int, exact: bool | None = None) -> list[Hit]:
        """The `count` nearest cases by cosine similarity, best first."""
        self.refresh()
        found: dict[int, float] = {}
        graph = self._graph
        if graph is not None and len(graph):
            use_exact = len(graph) < EXACT_BELOW if exact is None else exact
            matches = graph.search(vector, min(count, len(graph)), exact=use_exact)
            for key, distance in zip(matches.keys, matches.distances, strict=True):
                found[int(key)] = 1.0 - float(distance)
        ids, vectors = self._delta
        if len(ids):
            scores = vectors @ vector
            for position in np.argsort(-scores)[:count]:
                key = int(ids[position])
                found[key] = max(found.get(key, -1.0), float(scores[position]))
        best = sorted(found.items(), key=lambda item: -item[1])[:count]
        return [Hit(key, score) for key, score in best]


_indexes: dict[str, SharedIndex] = {}
_indexes_lock = threading.Lock()


def shared_index(version: str) -> SharedIndex:
    with _indexes_lock:
        if version not in _indexes:
            _indexes.clear()
            _indexes[version] = SharedIndex(version)
        return _indexes[version]
