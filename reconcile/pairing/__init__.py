"""Pairing: which reports of a corpus overlap, by stage.

* ``tokens``: the one tokeniser, texts to word, shingle, content-word and rare-word sets;
* ``scale``: signatures, LSH, the signature screen and exact verification of a whole corpus
  over worker processes (``scan`` above ``pair.EXACT_LIMIT`` documents, and the benchmark);
* ``exact``: shared members of sorted sets, one pair or many at once;
* ``relations``: the thresholds every stage decides by, the copied-text rule and the
  canonical order that ``scan`` and ``dedup`` share.

``reconcile.pairing.features`` holds a pair's features, scores and relation on top of these.
"""
