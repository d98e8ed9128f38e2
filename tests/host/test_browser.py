"""The pages in a real headless Chromium (Debian's chromium + chromium-driver, Selenium): upload, board, error.

Set ``CYBORG_HOST_SCREENSHOT=FILE.png`` to keep the leaderboard's screenshot
(the README's ``docs/host-leaderboard.png`` was made so).
"""

from __future__ import annotations

import os
import shutil

import pytest

from .serving import submission_text, truth_rows

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="Debian's chromium and chromium-driver are not installed (.ci/run installs "
                                       "them when it can)")


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1100,800", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_upload_board_and_error_in_chromium(server_factory, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    server = server_factory()
    host = server.host()
    rows = truth_rows(server.competition)
    for name, wrong in (("Kickflip Lab", 6), ("Half-pipe Decoders", 12)):
        token = host.add_team(name)
        host.submit(host.team_for(token), "s.csv", submission_text(rows, wrong={i for i, _ in rows[:wrong]}))
    token = host.add_team("Team <b>Ollie</b>")  # markup in a name is shown as text
    good, bad = tmp_path / "ollie.csv", tmp_path / "bad.csv"
    good.write_bytes(submission_text(rows, wrong={rows[1][0]}))
    bad.write_text("subject0_000,jump\n")
    wait = WebDriverWait(browser, 30)

    browser.get(server.url + "/")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#board tbody tr")) == 2)
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "file").send_keys(str(good))
    browser.find_element(By.ID, "send").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "message"), "accepted: ollie.csv"))
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#board tbody tr")) == 3)
    first = browser.find_element(By.CSS_SELECTOR, "#board tbody tr").text
    assert first.startswith("1 Team <b>Ollie</b> 1.0000 1 ")
    if os.environ.get("CYBORG_HOST_SCREENSHOT"):
        browser.save_screenshot(os.environ["CYBORG_HOST_SCREENSHOT"])

    browser.find_element(By.ID, "file").clear()
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "send").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "message"), "error: "))
    assert browser.find_element(By.ID, "message").text == (
        "error: bad.csv, line 1: field 'label': expected one of ['frontside_kickturn', 'backside_kickturn', "
        "'pumping'], found 'jump'")
    assert "error" in browser.find_element(By.ID, "message").get_attribute("class")

    browser.get(server.url + "/team")
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#history tbody tr")) == 2)
    statuses = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")]
    assert "invalid" in statuses[0] and "scored" in statuses[1]
