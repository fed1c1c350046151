"""Training: recipes, the window cache, fits, grouped cross-validation and the checkpoint pipeline.

Data flow: :mod:`.recipes` (what to train) -> :mod:`.windows` (augmented windows from :mod:`babycry.augment`)
-> :mod:`.cache` (features of every window, once) -> :mod:`.fit` (one ``transformers.Trainer`` fit) ->
:mod:`.cv` (out-of-fold logits) -> :mod:`.pipeline` (calibrate, report with :mod:`babycry.evaluation`, save).
Import the submodules; this package imports nothing heavy itself.
"""
