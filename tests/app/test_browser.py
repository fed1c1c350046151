"""The real page in headless Debian Chromium (Playwright), on a 390x844 phone and a laptop: upload, examples,
microphone, errors, stale state, every tab.

Screenshots of every tab and the click-to-answer timing go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "laptop": LAPTOP}
REASON_NAMES = ("hungry", "belly pain", "discomfort", "tired")
# The verdict box holds one of these headlines once an answer is on the page.
ANSWERS = ("A baby crying", "Maybe a baby crying", "This doesn't sound like a baby crying", "Probably not a baby",
           "A steady sound")
ANSWER_JS = (
    "() => {\n  const v = document.querySelector('#verdict h2');\n"
    f"  const answers = /{'|'.join(ANSWERS)}/;\n"
    "  return v && answers.test(v.innerText);\n}"
)
#: The research vocabulary the Listen tab never shows (the Model tab explains it); whole words, case as written.
RESEARCH_TERMS = ("balanced accuracy", "calibrated", "calibration", "prior", "out-of-fold", "StratifiedGroupKFold",
                  "bootstrap", "logit", "softmax", "ECE", "dBFS", "cross-validation", "baseline", "mel",
                  "spectrogram", "band-pass", "CI", "P(cry)", "macro", "F1")
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("ffmpeg") is None:
        pytest.skip("needs Debian chromium at /usr/bin/chromium and ffmpeg")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=BASE_ARGS)
    yield b
    b.close()


def _open(browser, url: str, *, viewport: dict = LAPTOP, permissions: list[str] | None = None):
    context = browser.new_context(viewport=viewport, permissions=permissions or [])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#analyse")
    return context, page


def _upload(page, path: Path) -> None:
    """Give the recording box a file (switching it to upload if it shows the recorder)."""
    box = page.locator("#recording")
    upload = box.get_by_role("button", name="Upload file")
    if upload.count():
        upload.click()
    box.locator("input[type=file]").set_input_files(str(path))


def _wait_uploaded(page, seconds_label: str) -> None:
    page.locator("#recording").get_by_text(seconds_label).first.wait_for()


def _wait_answer(page) -> None:
    page.wait_for_function(ANSWER_JS, timeout=TIMEOUT_MS)


def _bars(page) -> dict[str, float]:
    """The reason bars as shown: {name: percent}."""
    text = page.inner_text("#reasons")
    found = dict(re.findall(r"(hungry|belly pain|discomfort|tired)\s*\n?\s*(\d+)%", text))
    return {name: float(p) for name, p in found.items()}


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= -1 and box["y"] + box["height"] <= height + 1


def _open_heard(page) -> None:
    """Open the "what the app heard" panel, once it is really open.

    The page scrolls the answer into view 150 ms after drawing it; a click in that moment can land beside the panel's
    header and leave it closed (seen once in CI-like runs), so wait for the scroll and click again if it stayed shut.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_timeout(400)
    header = page.get_by_text("What the app heard (for the curious)")
    header.click()
    try:
        page.locator("#mel-plot").wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:  # the click missed: the panel is still closed
        header.click()
        page.locator("#mel-plot").wait_for(state="visible")


def _assert_coherent_reason(page) -> None:
    """The reason the page names is the one its bars single out (the longest bar)."""
    bars = _bars(page)
    assert set(bars) == set(REASON_NAMES), bars
    note = page.inner_text("#reason-note")
    named = re.search(r"closest match is (hungry|belly pain|discomfort|tired)", note)
    if named:
        others = [v for k, v in bars.items() if k != named.group(1)]
        assert bars[named.group(1)] > max(others), (note, bars)  # longer than every other bar, as shown
    else:
        assert "No reason stands out" in note, note


def test_upload_shows_a_coherent_answer_and_times_it(browser, app_url, audio_files, artifacts):
    """Upload a 7 s cry -> headline, coherent reason and bars; time click-to-answer (3 page loads)."""
    verdict_s, spectrogram_s = [], []
    for run in range(3):
        context, page = _open(browser, app_url)
        _upload(page, audio_files["cry"])
        _wait_uploaded(page, "0:07")
        start = time.perf_counter()
        page.click("#analyse")
        _wait_answer(page)
        verdict_s.append(time.perf_counter() - start)
        verdict = page.inner_text("#verdict")
        assert "about 7 seconds" in verdict and "chance of a cry" in verdict, verdict
        if "crying" in page.inner_text("#verdict h2") and "doesn't" not in verdict:
            _assert_coherent_reason(page)
        if run == 0:
            _open_heard(page)
            page.wait_for_selector("#mel-plot .js-plotly-plot")
            spectrogram_s.append(time.perf_counter() - start)
            page.wait_for_selector("#wave-plot .js-plotly-plot")
            page.screenshot(path=str(artifacts / "laptop_upload_result.png"), full_page=True)
        context.close()
    timings = {
        "clip_seconds": 7.0,
        "what": "click on Analyse -> answer on the page (headline drawn; headless Chromium, app on localhost, CPU)",
        "click_to_answer_s_median": round(statistics.median(verdict_s), 3),
        "click_to_answer_s_runs": [round(t, 3) for t in verdict_s],
        "click_to_spectrogram_s_first_page": round(spectrogram_s[0], 3),
        "models": "bundled checkpoints" if _real_models() else "tiny test checkpoints",
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }
    name = "timings_real_models.json" if _real_models() else "timings.json"
    (artifacts / name).write_text(json.dumps(timings, indent=2) + "\n")
    print(f"\nclick-to-answer for a 7 s clip: {timings['click_to_answer_s_median']} s (median of 3)")
    assert timings["click_to_answer_s_median"] < 30


def _real_models() -> bool:
    return os.environ.get("BABYCRY_TEST_REAL_MODELS") == "1"


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_an_example_click_shows_its_answer_in_view(browser, app_url, artifacts, device):
    context, page = _open(browser, app_url, viewport=VIEWPORTS[device])
    # the examples sit above the recorder: in the first screen
    assert _in_view(page, "#examples")
    page.locator("#examples").get_by_text("synthesised cry 7s").click()
    _wait_answer(page)
    page.wait_for_timeout(600)  # the page scrolls the answer into view once it is drawn
    for part in ("#verdict h2", "#reasons", "#medical-note"):
        assert _in_view(page, part), (device, part, page.locator(part).first.bounding_box())
    _assert_coherent_reason(page)
    page.screenshot(path=str(artifacts / f"{device}_listen_example_answer.png"))
    context.close()


def test_the_coughs_example_shows_a_not_a_cry_answer(browser, bundled_app_url):
    # the examples show both answers: the bundled detector hears the synthesised coughs as not a cry
    context, page = _open(browser, bundled_app_url, viewport=PHONE)
    labels = page.inner_text("#examples")
    assert labels.index("synthesised cry 7s") < labels.index("synthesised coughs")  # the cries come first
    page.locator("#examples").get_by_text("synthesised coughs").click()
    _wait_answer(page)
    assert "doesn't sound like a baby crying" in page.inner_text("#verdict h2")
    context.close()


def test_no_stale_answer_after_clear_a_new_file_or_a_rejected_file(browser, app_url, audio_files):
    context, page = _open(browser, app_url)
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    _open_heard(page)
    page.wait_for_selector("#mel-plot .js-plotly-plot")
    page.locator("#band-info").get_by_text("2497.5").wait_for()

    def assert_cleared(expected: str) -> None:
        page.locator("#verdict").get_by_text(expected).first.wait_for()
        assert page.locator("#verdict h2").count() == 0 or "No answer" in page.inner_text("#verdict h2")
        assert not page.locator("#reasons").is_visible()
        note = page.inner_text("#reason-note")  # (may hold Gradio's progress timer, nothing of an answer)
        assert "Why" not in note and "closest match" not in note and "stands out" not in note
        assert page.locator("#mel-plot .js-plotly-plot").count() == 0
        assert "2497.5" not in page.inner_text("#band-info")

    # Clear: back to the start
    page.locator("#recording").get_by_role("button", name="Clear").click()
    assert_cleared("Record or upload")
    # a new file: the old answer is gone before Analyse
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    page.locator("#recording").get_by_role("button", name="Clear").click()
    _upload(page, audio_files["short"])
    assert_cleared("Press Analyse")
    # a rejected file: the message, and no answer or view of any earlier recording
    page.locator("#recording").get_by_role("button", name="Clear").click()
    page.locator("#recording input[type=file]").set_input_files(str(audio_files["fake_wav"]))
    page.locator("#recording").get_by_role("button", name="Clear").wait_for()
    page.click("#analyse")
    message = page.get_by_test_id("toast-body").filter(has_text="is not a recording babycry can read")
    message.first.wait_for()
    assert "Please upload a recording" in message.first.inner_text()
    assert_cleared("No answer")
    context.close()


def test_the_listen_tab_speaks_plainly(browser, app_url, audio_files):
    """After an answer, the Listen tab's visible text holds none of the research terms, and little about quality."""
    context, page = _open(browser, app_url, viewport=PHONE)
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    text = page.locator("[role=tabpanel]").first.inner_text()
    found = [t for t in RESEARCH_TERMS if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text)]
    assert found == [], (found, text)
    quality = page.inner_text("#quality-brief") + " " + page.inner_text("#reason-note")
    assert len(quality.split()) < 60, quality
    context.close()


def test_a_non_audio_file_is_refused_with_what_to_do(browser, app_url, audio_files):
    """The browser's own refusal of a text file, said the app's way (no list of MIME types); then a cry works."""
    context, page = _open(browser, app_url)
    _upload(page, audio_files["text"])
    notice = page.get_by_test_id("toast-body").filter(has_text="That file is not a recording")
    notice.first.wait_for()
    assert "Please upload a recording" in notice.first.inner_text()
    assert "audio/" not in notice.first.inner_text()
    notice.first.get_by_test_id("toast-close").click()
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    context.close()


@pytest.mark.parametrize("played", ["mic", "mic_real"])
def test_microphone_recording(playwright_instance, bundled_app_url, audio_files, artifacts, played):
    """Record through the real microphone component (Chromium's fake device playing a synthesised cry, and a
    Donate-a-Cry cry where the data folder exists): the bundled detector gives the recording the verdict it gives
    the same file uploaded (issue 19's microphone path: capture at 48 kHz, the browser's processing, Opus)."""
    if played not in audio_files:
        pytest.skip("no data folder: no real cry to play")
    app_url = bundled_app_url
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *BASE_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={audio_files[played]}",
        ],
    )
    try:
        context, page = _open(browser, app_url, permissions=["microphone"])
        box = page.locator("#recording")
        # the page asks for the microphone without the browser's voice-call processing (demo.ui.RAW_MICROPHONE_JS)
        settings = page.evaluate("""async () => {
            const stream = await navigator.mediaDevices.getUserMedia({audio: true});
            const settings = stream.getAudioTracks()[0].getSettings();
            stream.getTracks().forEach((t) => t.stop());
            return settings;
        }""")
        assert (settings["noiseSuppression"], settings["autoGainControl"], settings["echoCancellation"]) == (
            False, False, False), settings
        box.get_by_role("button", name="Record audio").click()
        box.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_timeout(4_000)
        box.get_by_role("button", name="Stop", exact=True).first.click()
        box.locator("audio, .waveform-container, [data-testid='waveform-Audio']").first.wait_for(state="attached")
        page.wait_for_timeout(500)  # the recording is uploaded when recording stops
        page.click("#analyse")
        _wait_answer(page)
        verdict = page.inner_text("#verdict")
        seconds = int(re.search(r"about (\d+) seconds?", verdict).group(1))
        assert 2 <= seconds <= 9, verdict  # ~4 s were recorded (more if the machine is busy)
        page.screenshot(path=str(artifacts / f"microphone_result_{played}.png"))
        from gradio_client import Client, handle_file

        from demo.answer import render_answer

        uploaded = Client(app_url, verbose=False).predict(handle_file(str(audio_files[played])), api_name="/classify")
        headline = render_answer(uploaded).verdict_md.split("\n")[0].strip("# *")
        assert headline in verdict, (verdict, uploaded["cry_probability"])
        context.close()
    finally:
        browser.close()


def test_band_controls_redraw_what_the_app_heard(browser, app_url, audio_files):
    context, page = _open(browser, app_url)
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    _open_heard(page)
    page.locator("#band-info").get_by_text("2497.5").wait_for()
    centre = page.locator("#band-centre input[type=number]")
    centre.fill("1000")
    centre.press("Enter")
    page.locator("#band-info").get_by_text("1665").wait_for()  # 1000 Hz ± 1000·1.33/2
    context.close()


def test_augment_tab_opens_with_a_preview_and_reports_clipping(browser, app_url, artifacts):
    context, page = _open(browser, app_url)
    page.get_by_role("tab", name="Augment").click()
    # the first example, already augmented: no blank plots
    for plot in ("#augment-before", "#augment-after", "#augment-wave"):
        page.wait_for_selector(f"{plot} .js-plotly-plot")
    assert "background_noise" in page.inner_text("#augment-used")
    page.locator("#augment-name input").click()
    page.get_by_role("option", name="gain", exact=True).click()
    gain = page.locator("#aug-gain-gain_db input[type=number]")
    gain.fill("12")
    gain.press("Enter")
    page.click("#augment-preview")
    used = page.locator("#augment-used")
    used.get_by_text("distorted").wait_for()
    shown = "".join(used.inner_text().split())
    assert '"gain_db":12' in shown and '"clipped_share":0' in shown.replace('"clipped_share":0.', '"clipped_share":0')
    # before and after each in their own row: both visible
    assert page.locator("#augment-wave .js-plotly-plot .subplot").count() >= 2 or \
        page.locator("#augment-wave .js-plotly-plot .xy").count() >= 2
    page.screenshot(path=str(artifacts / "laptop_augment_gain_clipping.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_every_tab_is_reachable_and_screenshot(browser, app_url, audio_files, artifacts, device):
    """All four tabs are in the tab bar (none behind the "more" menu on a phone); a screenshot of each."""
    context, page = _open(browser, app_url, viewport=VIEWPORTS[device])
    tabs = page.get_by_role("tab")
    assert [t.inner_text() for t in tabs.all()] == ["Listen", "Model", "Dataset", "Augment"]
    _upload(page, audio_files["cry"])
    _wait_uploaded(page, "0:07")
    page.click("#analyse")
    _wait_answer(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / f"{device}_tab_listen.png"), full_page=True)
    for name, ready in (("Model", "#model-tab .js-plotly-plot"), ("Dataset", "#eda-counts .js-plotly-plot"),
                        ("Augment", "#augment-wave .js-plotly-plot")):
        page.get_by_role("tab", name=name).click()
        page.wait_for_selector(ready)
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / f"{device}_tab_{name.lower()}.png"), full_page=True)
    if device == "phone":  # the Model tab's tables scroll sideways rather than breaking words mid-word
        page.get_by_role("tab", name="Model").click()
        widths = page.evaluate("() => [...document.querySelectorAll('.metrics-md table')].map("
                               "t => t.getBoundingClientRect().width)")
        assert widths and max(widths) <= PHONE["width"]
        # a row's label wraps at its spaces, so every table's first figure starts on screen (not off to the right)
        starts = page.evaluate("() => [...document.querySelectorAll('.metrics-md table tr:first-child')].map("
                               "r => r.children.length > 1 ? r.children[1].getBoundingClientRect().left : 0)")
        assert starts and max(starts) < PHONE["width"] - 40, starts
    context.close()
