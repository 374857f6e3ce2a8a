"""The text representation: TF-IDF over Kiwi morphemes and over character 2–3-grams of those morphemes,
reduced by truncated SVD to dense unit vectors for the nearest-neighbour index.

The sparse TF-IDF is kept as well: the index finds candidates with the dense vectors and they are
re-ranked by the sparse cosine, which recovers most of the precision SVD loses on short texts (the
measurements are in docs/insights.md). Everything is computed from the stored morphemes, so a refit
never runs Kiwi again.

A fitted model is one file `model-<version>.pkl` under `SOTONG_INSIGHTS_DIR`; `current.json` names the
version in use and is replaced atomically, so every process (web, worker) switches when it changes.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone
from scipy.sparse import csr_matrix, hstack
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

DIMENSIONS = 256
MIN_DF = 2


def insights_dir() -> Path:
    """`SOTONG_INSIGHTS_DIR`, one sub-folder per database: the index holds case ids of one database, so
    two databases (SQLite and PostgreSQL, or each test database) never share files. Created by writers."""
    configured = getattr(settings, "SOTONG_INSIGHTS_DIR", None)
    base = Path(configured) if configured else Path(settings.VAR_DIR) / "insights"
    return base / _database_key()


def _database_key() -> str:
    from django.db import connection

    try:
        name = str(connection.settings_dict.get("NAME") or "none")
    except Exception:  # no database configured (the benchmark)
        name = "none"
    return re.sub(r"[^\w.-]", "_", f"{connection.vendor}-{Path(name).name}")


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _split(text: str) -> list[str]:
    return text.split()


@lru_cache(maxsize=500_000)
def _morpheme_ngrams(morpheme: str) -> tuple[str, ...]:
    padded = f" {morpheme} "
    return tuple(padded[i : i + n] for n in (2, 3) for i in range(max(1, len(padded) - n + 1)))


def _char_ngrams(text: str) -> list[str]:
    """Character 2–3-grams inside each morpheme (scikit-learn's `char_wb`), cached per morpheme: the
    same few thousand morphemes recur, and n-gramming them again in Python was most of a query's time."""
    grams: list[str] = []
    for morpheme in text.split():
        grams.extend(_morpheme_ngrams(morpheme))
    return grams


@dataclass
class Representation:
    """Fitted vectorizers and SVD; `classifier` (department suggestion) is attached when there was data."""

    version: str
    words: TfidfVectorizer
    chars: TfidfVectorizer
    svd: TruncatedSVD | None
    fitted_on: int
    classifier: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dimensions(self) -> int:
        return int(self.svd.n_components) if self.svd is not None else 0

    def sparse(self, morphemes: Sequence[str]) -> csr_matrix:
        """L2-normalised TF-IDF of morphemes and their character n-grams, side by side.

        The same matrix as `hstack` of the fitted vectorizers' `transform`, normalised (a test compares
        them), but counted from the columns of each distinct morpheme, looked up once per process:
        scikit-learn looks every n-gram up in Python each time, which was most of a cold re-rank."""
        terms = self._terms()
        chunks: list[bytes] = []
        ends = [0]
        for text in morphemes:
            tokens = text.split()
            try:
                chunk = b"".join(map(terms.__getitem__, tokens))
            except KeyError:
                for token in tokens:
                    if token not in terms:
                        terms[token] = self._columns(token)
                chunk = b"".join(map(terms.__getitem__, tokens))
            chunks.append(chunk)
            ends.append(ends[-1] + len(chunk) // 4)
        columns = np.frombuffer(bytearray(b"".join(chunks)), dtype=np.int32)
        width = len(self.words.vocabulary_)
        idf = self._idf()
        counts = csr_matrix(
            (np.ones(len(columns), dtype=np.float32), columns, ends),
            shape=(len(ends) - 1, len(idf)),
        )
        counts.sum_duplicates()
        data = counts.data
        # sublinear tf × idf, then each part (morphemes, n-grams) to unit length, then the whole row.
        np.log(data, data)
        data += 1.0
        data *= idf[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        parts = rows * 2 + (counts.indices >= width)
        norms = np.sqrt(np.bincount(parts, weights=data * data, minlength=2 * counts.shape[0]))
        data /= norms[parts].astype(np.float32)
        return normalize(counts, copy=False)

    def warm(self) -> int:
        """Look up the columns of every morpheme of the vocabulary now (run in a background thread when
        a process loads the model): otherwise the first queries pay for them, about 100 ms for the 300
        candidates of a first re-rank. Returns the number of morphemes looked up."""
        terms = self._terms()
        self._idf()
        for morpheme in list(self.words.vocabulary_):
            if morpheme not in terms:
                terms[morpheme] = self._columns(morpheme)
        return len(terms)

    def _terms(self) -> dict[str, bytes]:
        terms = self.__dict__.get("_term_columns")
        if terms is None:
            terms = self.__dict__["_term_columns"] = {}
        return terms

    def _idf(self) -> np.ndarray:
        idf = self.__dict__.get("_idf_columns")
        if idf is None:
            idf = self.__dict__["_idf_columns"] = np.concatenate([self.words.idf_, self.chars.idf_]).astype(
                np.float32
            )
        return idf

    def _columns(self, morpheme: str) -> bytes:
        """The morpheme's column in the word part (if known) and its n-grams' columns after it, as int32."""
        width = len(self.words.vocabulary_)
        vocabulary = self.chars.vocabulary_
        columns = [width + vocabulary[g] for g in _morpheme_ngrams(morpheme) if g in vocabulary]
        word = self.words.vocabulary_.get(morpheme)
        if word is not None:
            columns.insert(0, word)
        return np.asarray(columns, dtype=np.int32).tobytes()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for cache in ("_term_columns", "_idf_columns"):  # per process, rebuilt as morphemes are met
            state.pop(cache, None)
        return state

    def dense(self, morphemes: Sequence[str], sparse: csr_matrix | None = None) -> np.ndarray:
        """Unit float32 vectors (zero vectors for texts with no known term)."""
        if self.svd is None:
            raise ValueError("no SVD fitted")
        reduced = self.svd.transform(self.sparse(morphemes) if sparse is None else sparse)
        return normalize(reduced).astype(np.float32)


def fit(morphemes: Sequence[str], *, dimensions: int = DIMENSIONS, seed: int = 0) -> Representation:
    """Fit the vectorizers and the SVD on a corpus of morpheme strings."""
    words = TfidfVectorizer(analyzer=_split, sublinear_tf=True, min_df=MIN_DF, dtype=np.float32)
    chars = TfidfVectorizer(analyzer=_char_ngrams, sublinear_tf=True, min_df=MIN_DF, dtype=np.float32)
    matrix = normalize(hstack([words.fit_transform(morphemes), chars.fit_transform(morphemes)]).tocsr())
    components = min(dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1)
    svd = (
        TruncatedSVD(components, random_state=seed, algorithm="randomized", n_iter=4)
        if components > 1
        else None
    )
    if svd is not None:
        svd.fit(matrix)
    version = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S%f")
    return Representation(version, words, chars, svd, fitted_on=len(morphemes))


def model_path(version: str) -> Path:
    return insights_dir() / f"model-{version}.pkl"


def current_path() -> Path:
    return insights_dir() / "current.json"


def save(representation: Representation) -> None:
    """Persist the model, then point `current.json` at it (the switch every process sees)."""
    write_atomically(model_path(representation.version), pickle.dumps(representation, protocol=5))
    current = {"model": representation.version, "saved_at": timezone.now().isoformat()}
    write_atomically(current_path(), json.dumps(current).encode())


def current_version() -> str:
    try:
        return str(json.loads(current_path().read_text())["model"])
    except (FileNotFoundError, KeyError, ValueError):
        return ""


def load(version: str) -> Representation:
    # The file is written by this application into its own data directory, never taken from users.
    with model_path(version).open("rb") as handle:
        return pickle.load(handle)  # noqa: S301
