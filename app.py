"""Hugging Face Space entry point: build, queue and launch the babycry app (``python app.py``).

Address and port follow ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT`` (defaults 0.0.0.0:7860, as on a Space).
The analysis worker (``demo.models.Models``) is started first, before gradio is imported, so the models load on
one core while the page is built on the other.  Everything runs under ``if __name__ == "__main__"``: the worker
process imports this file again and must not start a second app.
"""

import os
import signal
import tempfile

# Uploads go to a folder of their own, swept by the app (Blocks(delete_cache=...)) and emptied on restart.
# Set before gradio is imported: it reads the variable at import time.
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(tempfile.gettempdir(), "babycry-uploads"))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio wraps every event in a switch to matplotlib's Agg backend; with no backend set, finding the current one
# imports pyplot (~0.25 s of the first answer). A server never draws on a screen: Agg from the start.
os.environ.setdefault("MPLBACKEND", "Agg")


def _stop(signum: int, frame: object) -> None:
    # A Space (and docker, systemd) stops the app with SIGTERM: shut down as on Ctrl-C, so the server closes, the
    # uploads are deleted and the analysis worker stops.
    raise KeyboardInterrupt


def main() -> None:
    """Start the models loading, build the app, queue it and serve it."""
    signal.signal(signal.SIGTERM, _stop)
    from demo.models import Models  # light: no gradio, no models yet

    models = Models.from_env()
    models.start()
    from demo.heard import warm_views
    from demo.ui import LIMITS, build_demo, example_paths, serve_options, sweep_leftovers

    sweep_leftovers(os.environ["GRADIO_TEMP_DIR"])

    demo = build_demo(models=models)
    demo.queue(default_concurrency_limit=LIMITS.concurrency_limit, max_size=LIMITS.queue_size)
    for example in example_paths()[:1]:  # the first "what the app heard" then comes without 3-4 s of imports
        warm_views(models, example)
    try:
        demo.launch(**serve_options())
    except KeyboardInterrupt:  # stopped (Ctrl-C or SIGTERM) before the launch returned: close quietly
        demo.close()
    finally:
        models.close()


if __name__ == "__main__":
    main()
