"""Korean text analysis with kiwipiepy: sentences, content morphemes, nouns and keywords.

One `Kiwi` per process (loading its model takes about a second); calls are serialised by a lock because
a Kiwi object is not documented as safe to share between threads. Batches go through `Kiwi.tokenize` on
an iterable, which is several times faster per text than one call per text.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Bumped whenever the output of `analyse` changes, so a sweep can redo stored analyses.
PIPELINE_VERSION = 1

# Content morphemes kept for the representation: nouns, verb and adjective stems, roots, foreign words,
# hanja and numbers with a unit noun next to them are enough to tell complaints apart.
NOUN_TAGS = frozenset({"NNG", "NNP"})
CONTENT_TAGS = NOUN_TAGS | {"VV", "VA", "XR", "SL", "SH", "NR"}
KEYWORDS = 8
# Personal data never enters the analysis: phone numbers and e-mail addresses are cut before Kiwi sees
# the text (names cannot be found reliably, which is why suggestions never show case text but titles
# and answers scrubbed by `sotong.insights.public`).
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\d{2,4}[-.\s]?\d{3,4}[-.\s]?\d{4}")
_lock = threading.Lock()


_kiwi: Any = None
_kiwi_lock = threading.Lock()


def kiwi() -> Any:
    """The process's one Kiwi (kiwipiepy-model ships the model: nothing is downloaded). Loaded once even
    when a request and the warm-up thread (`pipeline._warm`) ask at the same time."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi(num_workers=-1)
    return _kiwi


@dataclass
class Analysis:
    """What the pipeline keeps of one text."""

    morphemes: list[str]
    nouns: list[str]
    sentences: int
    length: int
    keywords: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return _CONTACT.sub(" ", text or "")


def _analysis(text: str, tokens: Iterable[Any], sentences: int) -> Analysis:
    morphemes: list[str] = []
    nouns: list[str] = []
    for token in tokens:
        tag = token.tag.split("-")[0]
        if tag not in CONTENT_TAGS:
            continue
        form = token.form.lower() if tag == "SL" else token.form
        if tag in ("VV", "VA"):
            form += "다"
        morphemes.append(form)
        if tag in NOUN_TAGS and len(form) > 1:
            nouns.append(form)
    counts = Counter(nouns)
    keywords = [word for word, _n in counts.most_common(KEYWORDS)]
    return Analysis(morphemes, nouns, sentences, len(text), keywords)


def analyse_many(texts: Iterable[str]) -> Iterator[Analysis]:
    """Analyse texts in one Kiwi batch; sentence counts come from the sentence-final tags (SF, EF)."""
    cleaned = [_clean(text) for text in texts]
    with _lock:
        results = list(kiwi().tokenize(cleaned))
    for text, tokens in zip(cleaned, results, strict=True):
        sentences = max(1, sum(1 for token in tokens if token.tag in ("SF",)))
        yield _analysis(text, tokens, sentences)


def analyse(text: str) -> Analysis:
    """Analyse one text (the portal's live query)."""
    return next(analyse_many([text]))


def split_sentences(text: str) -> list[str]:
    """Kiwi's sentence split (for suggested answers shown sentence by sentence)."""
    with _lock:
        return [sentence.text for sentence in kiwi().split_into_sents(_clean(text))]


def case_text(title: str, body: str) -> str:
    """The text analysed for a case: the title counts twice, as it is the citizen's own summary."""
    return f"{title}. {title}. {body}"
