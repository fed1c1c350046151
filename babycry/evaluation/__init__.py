"""Evaluation a researcher can trust: it takes arrays and never imports training.

- :mod:`~babycry.evaluation.metrics`: point metrics, the family (group) bootstrap behind every 95% interval, the
  majority baseline, the detector's "unsure" band shares, group leakage of a split.
- :mod:`~babycry.evaluation.report`: :func:`~babycry.evaluation.report.cv_report` (out-of-fold logits ->
  ``metrics.json``) and its one text and one Markdown rendering, with the one value-and-interval formatter.
- :mod:`~babycry.evaluation.scoring`: :func:`~babycry.evaluation.scoring.evaluate_checkpoint`, a saved checkpoint
  on any manifest folder (``babycry evaluate``).
- :mod:`~babycry.evaluation.card`: the model card written beside each checkpoint.

Import the submodule you need; this package imports nothing itself (scoring loads models, the rest does not).
"""
