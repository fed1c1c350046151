"""Hugging Face Space entry point: build, queue and launch the babycry app (``python app.py``)."""

import os
import tempfile

# Uploads go to a folder of their own, swept by the app (Blocks(delete_cache=...)) and emptied on restart.
# Set before gradio is imported: it reads the variable at import time.
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(tempfile.gettempdir(), "babycry-uploads"))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from demo import LIMITS, build_demo, launch_options  # noqa: E402

demo = build_demo()
demo.queue(default_concurrency_limit=LIMITS.concurrency_limit, max_size=LIMITS.queue_size)

if __name__ == "__main__":
    demo.launch(server_name="0.0.0.0", server_port=7860, max_file_size=LIMITS.max_file_size, **launch_options())
