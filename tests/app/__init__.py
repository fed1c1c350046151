"""App tests: handlers, gradio_client end to end, headless Chromium."""
