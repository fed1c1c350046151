"""Probe (issue 19, not kept): the detector head's logistic regression on the top-k weighted principal components
of its standardised inputs, folded back into one linear head, as a regulariser for sources never heard.

    python benchmarks/detector_pca_probe.py K OUTDIR

Runs ``babycry cv``'s grouped CV with leave-one-category-out, then ``benchmarks/detector_unseen_sources.py``, with
every head fit replaced (scikit-learn's ``LogisticRegression`` patched before the fold workers fork); writes
``OUTDIR/cv_k<K>.json`` and ``OUTDIR/unseen_k<K>.json``. ~5 min with the window cache built.
"""

import json
import runpy
import sys
import time
from pathlib import Path

import numpy as np
import sklearn.linear_model as lm

K = int(sys.argv[1])
OUT = Path(sys.argv[2])
OUT.mkdir(parents=True, exist_ok=True)
_LR = lm.LogisticRegression


class PCALogistic:
    """LogisticRegression on the top-K components of the weighted covariance, its coefficients mapped back."""

    def __init__(self, **kw):
        self.kw = kw

    def fit(self, x, y, sample_weight):
        w = sample_weight / sample_weight.sum()
        cov = (x * w[:, None].astype(np.float32)).T @ x  # the head's inputs are standardised: weighted mean 0
        _, vecs = np.linalg.eigh(cov.astype(np.float64))
        v = vecs[:, ::-1][:, :K].astype(np.float32)
        head = _LR(**self.kw).fit(x @ v, y, sample_weight=sample_weight)
        self.coef_ = (v.astype(np.float64) @ head.coef_.T).T
        self.intercept_ = head.intercept_
        return self


lm.LogisticRegression = PCALogistic
from babycry.training.pipeline import run_cv  # noqa: E402 - after the patch

t = time.time()
report = run_cv("../shared/data", task="detector")
m, loco = report["metrics"], report["leave_category_out"]["categories"]
out = {"k": K, "seconds": round(time.time() - t),
       "grouped": {k: v["value"] for k, v in m.items() if isinstance(v, dict) and "value" in v
                   and ("category_accuracy" in k or k in ("balanced_accuracy", "roc_auc"))},
       "loco": {c: (v["held_out"]["value"], v["cries"]["value"]) for c, v in loco.items()}}
(OUT / f"cv_k{K}.json").write_text(json.dumps(out, indent=1))
sys.argv = ["detector_unseen_sources.py", "--out", str(OUT / f"unseen_k{K}.json")]
runpy.run_path(str(Path(__file__).with_name("detector_unseen_sources.py")), run_name="__main__")
