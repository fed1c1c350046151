"""Two rows of ``make compare`` (issue 16) that train their own small models per fold.

- :func:`vgg_mfcc_oof`: a VGG-style CNN on MFCCs, the origin project's VGG16-on-MFCC idea sized for 449 clips
  (three blocks of two 3×3 convolutions, 16-32-64 maps, ~70 k parameters instead of VGG16's 138 M), trained
  from scratch per fold (12 epochs, AdamW) on random 3 s crops with class-weighted cross-entropy; a clip's logits
  are the mean over its 3 s windows (1.5 s hop), as the bundled models aggregate.
- :func:`embedding_dnn_oof`: a small DNN (one hidden layer of 128, ReLU, L2) on the frozen sound-effects CNN's
  clip embeddings (the mean of its clean windows' pooled embeddings from the reason window cache), class-balanced
  by sample weights: the stand-in for the origin's YAMNet-fed DNN (YAMNet's weights cannot be fetched here).
"""

from __future__ import annotations

import numpy as np

SR = 16_000
N_MFCC = 40
HOP = 320  # 20 ms frames
CROP = 150  # 3 s


def mfcc_of(path: str) -> np.ndarray:
    """40 MFCCs (20 ms hop) of one clip, band-limited and loudness-normalised like every model's input."""
    import librosa

    from babycry.audio import load
    from babycry.config import AudioConfig
    from babycry.preprocess import prepare

    config = AudioConfig(min_seconds=0.05)
    a = load(path, config=config, validate_audio=False)
    x = prepare(a.samples, sample_rate=a.sample_rate, config=config)
    m = librosa.feature.mfcc(y=x, sr=a.sample_rate, n_mfcc=N_MFCC, n_fft=512, hop_length=HOP,
                             fmax=config.band_limit_hz, n_mels=64)
    return m.astype(np.float32)


def _net():  # noqa: ANN202 - torch module built lazily
    from torch import nn

    def block(i: int, o: int) -> list:
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(),
                nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 16), *block(16, 32), *block(32, 64), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(0.3), nn.Linear(64, 4))


def _windows(m: np.ndarray) -> np.ndarray:
    if m.shape[1] < CROP:
        m = np.pad(m, ((0, 0), (0, CROP - m.shape[1])))
    starts = range(0, m.shape[1] - CROP + 1, CROP // 2)
    return np.stack([m[:, s : s + CROP] for s in starts])


def _fit_predict(args: tuple) -> tuple[int, int, np.ndarray]:
    import torch

    s, k, mfccs, y, train, test, seed, epochs = args
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    mean = np.mean([mfccs[i].mean(1) for i in train], axis=0)[:, None]
    std = np.mean([mfccs[i].std(1) for i in train], axis=0)[:, None] + 1e-6
    norm = [(m - mean) / std for m in mfccs]
    counts = np.bincount(y[train], minlength=4)
    weight = torch.tensor(len(train) / (4 * np.maximum(counts, 1)), dtype=torch.float32)
    net = _net()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    for _ in range(epochs):
        net.train()
        order = rng.permutation(train)
        for b in range(0, len(order), 32):
            batch = []
            for i in order[b : b + 32]:
                m = norm[i] if norm[i].shape[1] >= CROP else np.pad(norm[i], ((0, 0), (0, CROP - norm[i].shape[1])))
                start = rng.integers(0, m.shape[1] - CROP + 1)
                batch.append(m[:, start : start + CROP])
            x = torch.from_numpy(np.stack(batch))[:, None]
            loss = loss_fn(net(x), torch.as_tensor(y[order[b : b + 32]]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    net.eval()
    out = np.zeros((len(test), 4))
    with torch.no_grad():
        for j, i in enumerate(test):
            out[j] = net(torch.from_numpy(_windows(norm[i]))[:, None]).mean(0).numpy()
    return s, k, out


def vgg_mfcc_oof(mfccs: list[np.ndarray], y: np.ndarray, folds: list, *, epochs: int = 12,
                 workers: int = 2) -> np.ndarray:
    """Out-of-fold logits ``(seeds, clips, 4)`` of the VGG-style CNN, one fresh network per fold."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(s, k, mfccs, y, train, test, 1000 * s + k, epochs)
            for s, seed_folds in enumerate(folds) for k, (train, test) in enumerate(seed_folds)]
    out = np.zeros((len(folds), len(y), 4))
    with ProcessPoolExecutor(workers) as pool:
        for s, k, logits in pool.map(_fit_predict, jobs):
            out[s, folds[s][k][1]] = logits
    return out


def clip_embeddings(cache, n_clips: int, *, with_max: bool = False) -> np.ndarray:
    """Each clip's mean clean-window embedding from a sound-effects CNN window cache (``with_max``: then the
    element-wise max beside it, ``(n_clips, 2 * dim)``).  A clip without clean windows gets zeros."""
    from babycry.training.fit import pool_clips

    clean = (cache.index["kind"] == "clean").to_numpy()
    order, pooled = pool_clips(cache.features[clean], cache.index["clip"].to_numpy()[clean])
    emb = np.zeros((n_clips, pooled.shape[1]))
    emb[order] = pooled
    return emb if with_max else emb[:, : pooled.shape[1] // 2]


def embedding_dnn_oof(emb: np.ndarray, y: np.ndarray, folds: list) -> np.ndarray:
    """Out-of-fold log-probabilities of a one-hidden-layer DNN on standardised clip embeddings."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    out = np.zeros((len(folds), len(y), 4))
    for s, seed_folds in enumerate(folds):
        for k, (train, test) in enumerate(seed_folds):
            scaler = StandardScaler().fit(emb[train])
            counts = np.bincount(y[train], minlength=4)
            weights = (len(train) / (4 * np.maximum(counts, 1)))[y[train]]
            net = MLPClassifier(hidden_layer_sizes=(128,), alpha=1.0, max_iter=500, early_stopping=False,
                                random_state=1000 * s + k)
            net.fit(scaler.transform(emb[train]), y[train], sample_weight=weights)
            out[s, test] = np.log(np.clip(net.predict_proba(scaler.transform(emb[test])), 1e-6, 1.0))
    return out
