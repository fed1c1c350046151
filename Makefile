# Every target creates (once) and reuses .venv; torch is installed first, pinned to the CPU build.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
DATA   ?= $(if $(BABYCRY_DATA),$(BABYCRY_DATA),../shared/data)

.PHONY: setup system-deps test lint demo train train-detector train-reason eda bench bench-speed bench-precision bench-startup bench-load bench-cv bench-sources bench-buzz bench-zoom bench-probe bench-fit bench-fold bench-backgrounds bench-length bench-channel bench-unseen bench-mic screenshot pretrain ast-detector compare fuzz clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -e .
	# the sound-effects CNN's pretrained weights (MIT) ship in aisfx, which pins old librosa/numpy: installed
	# without its dependencies (only its checkpoint file is read, and only to train), so pip check skips it
	$(PIP) install --quiet --no-deps aisfx==0.1.2
	@broken="$$($(PIP) check 2>&1 | grep -v -e '^aisfx ' -e '^No broken requirements')"; \
	if [ -n "$$broken" ]; then echo "$$broken"; exit 1; fi
	touch $(STAMP)

setup: system-deps $(STAMP)

# ffmpeg decodes browser/phone recordings; chromium runs the browser tests. Installed only when missing.
system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

test: setup
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False BABYCRY_DATA=$(DATA) $(PY) -m pytest

# Serves the app on 0.0.0.0:7860 exactly as the Space runs it (app.py).
demo: setup
	GRADIO_ANALYTICS_ENABLED=False $(PY) app.py

# Full training of the bundled checkpoints (each <= 20 min on 2 cores); writes the checkpoint, metrics.json
# (grouped CV), calibration.json, training.json and the model card into assets/models/<name>/.
train: train-detector train-reason

train-detector: setup
	$(VENV)/bin/babycry train --task detector --data $(DATA) --out assets/models/cry-detector

# The reason AST is served from its ONNX graph (faster than torch, no transformers modeling stack to import); the
# detector's encoder is served as the int8 graph its head was trained on, which `babycry train` writes beside the
# weights (docs/performance.md).
train-reason: setup
	$(VENV)/bin/babycry train --task reason --data $(DATA) --out assets/models/cry-reason
	$(VENV)/bin/babycry export-onnx assets/models/cry-reason --data $(DATA)

# The Dataset tab's family-weighted summary (assets/eda/summary.json).
eda: setup
	$(VENV)/bin/babycry eda --data $(DATA) --json assets/eda/summary.json

# Benchmarks: speed/memory of inference, the app under load, and grouped (+ leaky) cross-validation of both models.
bench: bench-speed bench-precision bench-startup bench-load bench-cv bench-sources bench-buzz bench-zoom bench-probe bench-fit bench-backgrounds bench-length bench-channel bench-unseen

# analyse() on a 7 s clip vs an AST-base-sized model, a 60 s recording, 64 clips batched, RSS (~3-5 min);
# benchmarks/results/inference_speed.json, quoted in docs/performance.md.
bench-speed: setup
	$(PY) benchmarks/inference_speed.py

# The launched app on loopback: 10 gradio_client clients x 20 mixed valid/invalid requests, p50/p95, RSS growth
# (~2-4 min); benchmarks/results/load.json.
# The detector in the float formats (float32; bfloat16 on an AMX CPU) against the int8 graph it was trained on and
# serves: P(cry) differences, verdicts that move, ms per window (~3 min); benchmarks/results/detector_precision.json.
bench-precision: setup
	$(PY) benchmarks/detector_precision.py --data $(DATA)

# python app.py to the page and to the first answer of a 7 s clip, three fresh starts (~40 s);
# benchmarks/results/startup.json, quoted in docs/api.md.
bench-startup: setup
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 $(PY) benchmarks/startup.py --runs 3

bench-load: setup
	GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 $(PY) benchmarks/load.py

# Coverage-guided fuzzing of the decoder (atheris/libFuzzer, 2 minutes); crashes land in benchmarks/results/fuzz/.
fuzz: setup
	HF_HUB_OFFLINE=1 $(PY) benchmarks/fuzz_decode.py --seconds 120

bench-cv: setup
	$(PY) benchmarks/cv_models.py --data $(DATA)

# Where the bundled detector's out-of-fold errors fall, per source and per recording channel (seconds).
bench-sources: setup
	$(PY) benchmarks/detector_sources.py --data $(DATA)

# Cries and laughter from a source the detector never heard: each source of a category left out whole, scored by
# each grouped fold's model trained without it (~1.5 min with the window cache): detector_unseen_sources.json.
bench-unseen: setup
	$(PY) benchmarks/detector_unseen_sources.py --data $(DATA)

# A steady buzz, household background and an adult talking mixed under every cry and a sample of the not-cries, each clip scored by a
# head that never heard its family nor the background mixed in (~10 min with the window cache): detector_buzz.json.
bench-buzz: setup
	$(PY) benchmarks/detector_buzz.py --data $(DATA)

# The frozen encoder hearing each window 1, 1.5, 2 and 3 times higher in pitch (and whole clips in one pass, two scales
# side by side, and heard twice as fast): clip-level grouped CV of a linear
# read-out (~25 min on one core; embeddings kept in artifacts/zoom_probe); benchmarks/results/detector_zoom_probe.json.
bench-zoom: setup
	$(PY) benchmarks/detector_zoom_probe.py --data $(DATA) --one-pass 1,2,3 --faster 2 --combine 1+2,2+3

# Out of fold, recordings made longer (consecutive chunks of one recording, clips of one family) read whole and in
# runs of up to 11 s, and 10 s laughter cut to 7 s (~3 min with the window cache): detector_length.json.
bench-length: setup
	$(PY) benchmarks/detector_length.py --data $(DATA)

# Out of fold, held-out cries, laughs, background and noise in a reverberant room (RT60 0.4 and 0.8 s) and through an
# overloaded microphone, with and without the recipe's reverberant and clipped training windows (~8 min with the
# window cache): detector_channel.json.
bench-channel: setup
	$(PY) benchmarks/detector_channel.py --data $(DATA)

# The README's screenshot: the Listen tab after the first example, bundled models, laptop size (~30 s; chromium).
screenshot: setup
	$(PY) docs/images/screenshot.py

# Cries through the browser's microphone, with and without its voice processing (~2 min; needs chromium).
bench-mic: setup
	$(PY) benchmarks/microphone_path.py --data $(DATA)

# What the detector keys on: laughter scored by a model that never heard laughter, and held-out cries (lowered an octave:
# an adult's pitch and vocal tract), pitch-shifted, stretched, reversed (~20 min with the window cache):
# detector_probe_laugh.json, detector_probe_cry.json.
bench-probe: setup
	$(PY) benchmarks/detector_probe.py --data $(DATA) --category laugh
	$(PY) benchmarks/detector_probe.py --data $(DATA) --category cry

# Self-supervised pretraining of the reason AST's encoder on audio from families with no reason label (issue 16;
# ~25 min on 2 cores, resumable: rerun to continue; a GPU is used when present): artifacts/pretrain/reason-ast.
pretrain: setup
	$(VENV)/bin/babycry pretrain --data $(DATA) --out artifacts/pretrain/reason-ast

# A compact-AST cry detector (the detector recipe's AST family, one fit without CV, ~2 min once its window cache exists,
# ~15 min to build it): the encoder the AST-from-the-detector row of make compare starts from.
ast-detector: setup
	test -f artifacts/ast-detector/config.json || $(VENV)/bin/babycry train --task detector --family ast --no-cv \
	  --data $(DATA) --out artifacts/ast-detector

# The reason models side by side (issue 16): grouped 5-fold x 3 seeds + the leaky split, family-bootstrap intervals;
# docs/comparison.md and benchmarks/results/compare_reasons.json (~40 min on 2 cores, after make pretrain and
# make ast-detector).
compare: pretrain ast-detector
	$(PY) benchmarks/compare_reasons.py --data $(DATA)

# Training-set and held-out accuracy per category on one grouped fold (issue 19): the bundled detector (sound-effects
# CNN head) vs real laughter, adult laughter and coughs weighted up (seconds once the window cache exists; building it
# takes ~30 min). The compact-AST variant of docs/experiments.md: add --family ast (each fit 4-15 min).
bench-fold: setup
	$(PY) benchmarks/detector_fold.py --data $(DATA) --try 'real_x3={"fit.stratum_weights": {"synth_cry": 0.3, "noise": 3.0, "silence": 0.5, "speech": 0.5, "laugh_like": 0.5, "synth_laugh": 0.5, "laugh": 6.0, "adult_laugh": 3.0, "cough": 2.0, "background": 1.5}}'

# Whether the detector fits the clips it trains on: training-set accuracy per category, bundled vs harder-fitting (~2-3 min with a warm cache).
bench-fit: setup
	$(PY) benchmarks/detector_fit.py --data $(DATA)

# The detector on steady household background (noise, mains hum, fan, whine), alone and with the app's steady-sound
# rule, and the clips of the data the rule calls steady; --fit-set KEY=VALUE also fits the bundled recipe with and
# without an override (docs/experiments.md).
bench-backgrounds: setup
	$(PY) benchmarks/detector_backgrounds.py --data $(DATA)

lint: setup
	$(VENV)/bin/ruff check babycry demo tests benchmarks app.py docs/images/screenshot.py

clean:
	rm -rf $(VENV) artifacts test-artifacts .pytest_cache
