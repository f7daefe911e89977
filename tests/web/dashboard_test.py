#!/usr/bin/env python3
"""Issue 15, point 8: the dashboard in a real browser (Debian's headless Chromium through
chromium-driver and python3-selenium) against a real `hashrig run` and `hashrig pool`.

usage: dashboard_test.py --hashrig BINARY --out DIR

1. Every page (overview, boards, pools, settings, log) loads with zero console errors,
   and shows what the miner's REST API says.
2. The hashrate chart advances: it has more points a few status intervals later.
3. A wrong password changes nothing: the page says so, the pools stay as they were.
4. With the right password, a pool added and switched to in the page takes effect in
   the miner: the cgminer API's pools (a second client) say it is the one mined.
5. A change without the session's CSRF token is refused (403) and changes nothing.
6. A clock and fan target set on the settings page run on the chain (the REST API says).
7. (Issue 16) Canaan MM modules (`hashrig sim --avalon 10 --modules 2` on a PTY, a second
   board) have a card each on the boards page, with their id and DNA as the REST API says.
Screenshots of each page go to DIR (overview.png ... log.png). Exit 0 when every check
passed; each failure is printed.
"""
import argparse
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    from selenium import webdriver
except ImportError:
    sys.exit("python3-selenium is missing (bash scripts/test.sh installs it with chromium and "
             "chromium-driver); run this with Debian's /usr/bin/python3")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

failures = []
PASSWORD = "correct horse battery staple"


def check(condition, what):
    print(("ok:   " if condition else "FAIL: ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def wait_for_line(process, pattern, seconds=60):
    """The first match of `pattern` in the process's stderr (or stdout), waited for."""
    deadline = time.time() + seconds
    seen = ""
    streams = [s for s in (process.stderr, process.stdout) if s]
    while time.time() < deadline:
        ready, _, _ = select.select(streams, [], [], 0.5)
        for stream in ready:
            line = stream.readline()
            seen += line
            match = re.search(pattern, line)
            if match:
                return match
        if process.poll() is not None:
            break
    raise RuntimeError(f"no '{pattern}' in:\n{seen}")


def http(port, method, path, body=None, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def cgminer(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(json.dumps({"command": command}).encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    return json.loads(reply.rstrip(b"\0"))


def eventually(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def click_when_there(find, seconds=20):
    """Finds an element with `find` and clicks it, again while the page rebuilds it between
    the two (a StaleElementReference on a busy machine: the refresh replaced the rows
    after they were found). True once a click went through."""
    def attempt():
        try:
            element = find()
            if element is None:
                return False
            element.click()
            return True
        except StaleElementReferenceException:
            return False
    return eventually("clicked", attempt, seconds)


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = ChromeService(executable_path="/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def texts(driver, selector):
    """The visible text of every element matching `selector`, read in one script: the page
    rebuilds its cards on each refresh, so elements found first and read later go stale."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText)",
        selector)


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashrig", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="hashrig-dashboard-")
    config = os.path.join(work, "rig.json")
    subprocess.run([args.hashrig, "passwd", "--config", config], input=PASSWORD + "\n",
                   text=True, check=True, capture_output=True)
    pool = subprocess.Popen([args.hashrig, "pool", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second_pool = wait_for_line(pool, r"listening on ([\d.]+:\d+)").group(1)
    avalon = subprocess.Popen([args.hashrig, "sim", "--avalon", "10", "--modules", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    avalon_pty = wait_for_line(avalon, r"pty (\S+)").group(1)
    miner = subprocess.Popen([args.hashrig, "run", "--config", config, "--board", "sim",
                              "--board", "avalon:" + avalon_pty, "--http-listen",
                              "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--api-allow",
                              "W:127.0.0.1", "--status-interval", "1"],
                             stderr=subprocess.PIPE, text=True)
    driver = None
    try:
        api = int(wait_for_line(miner, r"cgminer API on port (\d+)").group(1))
        web = int(wait_for_line(miner, r"dashboard \(HTTP\) on port (\d+)").group(1))
        base = f"http://127.0.0.1:{web}/"
        driver = browser()
        driver.get(base)
        state = lambda key: driver.execute_script(f"return window.hashrig.{key}")

        # 1 and 2: every page, its numbers, the chart.
        check(eventually("the overview's cards", lambda: len(
            driver.find_elements(By.CSS_SELECTOR, "#cards .card")) >= 10),
            "the overview shows its cards")
        first = state("chartPoints")
        check(eventually("more chart points", lambda: state("chartPoints") > first + 2, 30),
              f"the chart advances ({first} points, then {state('chartPoints')})")
        driver.save_screenshot(os.path.join(args.out, "overview.png"))
        check(eventually("both Avalon modules", lambda: sum(
            m["present"] for c in http(web, "GET", "/api/v1/chains")[1] for m in c["modules"])
            == 2), "the REST API lists both Avalon modules")
        _, chains = http(web, "GET", "/api/v1/chains")
        for page, selector, expected in (
                ("boards", "#chains .chip", sum(len(c["chips"]) for c in chains)),
                ("boards", "#chains .module", sum(len(c["modules"]) for c in chains)),
                ("pools", "#pools tbody tr", 1),
                ("settings", "#settings tbody tr", len(chains)),
                ("log", "#log-lines", 1)):
            driver.get(base + "#" + page)
            shown = eventually(page, lambda: len(texts(driver, selector)) >= expected and
                               texts(driver, selector)[0].strip() != "")
            check(shown, f"the {page} page shows {selector} (at least {expected})")
            driver.save_screenshot(os.path.join(args.out, page + ".png"))
        driver.get(base + "#boards")
        modules = [m for c in chains for m in c["modules"]]
        cards = ""

        def every_card():
            nonlocal cards
            cards = " ".join(texts(driver, "#chains .module"))
            return all(f"MM{m['id']}" in cards and m["dna"] in cards for m in modules)
        eventually("the module cards", every_card, 30)
        for module in modules:
            check(f"MM{module['id']}" in cards and module["dna"] in cards,
                  f"module MM{module['id']} ({module['dna']}) has its card: {cards!r}")
        driver.get(base + "#log")
        eventually("the log", lambda: "status:" in "".join(texts(driver, "#log-lines")))
        log_text = "".join(texts(driver, "#log-lines"))
        check("status:" in log_text, "the log page tails the miner's log")
        errors = console_errors(driver)  # read once: reading the log empties it
        check(errors == [], f"no console errors: {errors}")

        # 3: a wrong password changes nothing.
        driver.get(base + "#pools")
        driver.find_element(By.ID, "password").send_keys("not the password")
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        check(eventually("the refusal", lambda: "wrong password" in
                         driver.find_element(By.ID, "message").text, 10),
              "a wrong password is refused in the page")
        check(not state("loggedIn"), "a wrong password logs nobody in")
        check(len(cgminer(api, "pools")["POOLS"]) == 1, "a wrong password changes no pool")
        # The login's 401 is the page's answer (Chromium logs every 4xx fetch); nothing else.
        unexpected = [e for e in console_errors(driver)
                      if not ("/api/v1/login" in e["message"] and "401" in e["message"])]
        check(unexpected == [], f"no console errors but the login's 401: {unexpected}")

        # 5: no CSRF token, no change (a forged cross-site form would have none).
        status, body = http(web, "POST", "/api/v1/pools",
                            {"url": "stratum+tcp://" + second_pool, "user": "x"},
                            {"Content-Type": "application/json"})
        check(status in (401, 403), f"a change without a session or token is refused ({status})")

        # 4: log in, add the second pool, switch to it.
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        check(eventually("logged in", lambda: state("loggedIn"), 30), "the right password logs in")
        driver.find_element(By.ID, "pool-url").send_keys("stratum+tcp://" + second_pool)
        driver.find_element(By.ID, "pool-user").send_keys("dashboard.test")
        driver.find_element(By.CSS_SELECTOR, "#add-pool button").click()
        check(eventually("two pools", lambda: len(cgminer(api, "pools")["POOLS"]) == 2),
              "a pool added in the page is in the miner (cgminer API)")
        check(eventually("two rows", lambda: len(
            driver.find_elements(By.CSS_SELECTOR, "#pools tbody tr")) == 2, 20),
            "the page lists the added pool")
        def second_switch():
            rows = driver.find_elements(By.CSS_SELECTOR, "#pools tbody tr")
            return rows[1].find_element(By.XPATH, ".//button[text()='switch']") \
                if len(rows) == 2 else None
        check(click_when_there(second_switch), "the second pool's switch button can be clicked")

        def mining_second():
            pools = cgminer(api, "pools")["POOLS"]
            return len(pools) == 2 and pools[1]["Stratum Active"] and \
                pools[1]["URL"].endswith(second_pool)
        check(eventually("switched", mining_second), "a switch in the page moves the miner")
        driver.save_screenshot(os.path.join(args.out, "pools-switched.png"))

        # 6: a new clock and fan target from the settings page reach the running chain.
        driver.get(base + "#settings")
        check(eventually("editable", lambda: driver.find_elements(By.ID, "freq-0") and
                         driver.find_element(By.ID, "freq-0").is_enabled(), 20),
              "the settings page is editable once logged in")
        boxes = {}
        for field, value in (("freq-0", "400"), ("target-0", "50")):
            boxes[field] = driver.find_element(By.ID, field)
            boxes[field].clear()
            boxes[field].send_keys(value)
        # What the operator typed outlives the page's refreshes, with the focus elsewhere:
        # the same inputs (not rebuilt under the cursor) still hold the typed values.
        driver.find_element(By.TAG_NAME, "h1").click()
        seen = state("refreshes")
        eventually("two refreshes", lambda: state("refreshes") >= seen + 2, 20)
        typed = driver.execute_script(
            "return [arguments[0].value, arguments[1].value, arguments[0].isConnected, "
            "document.getElementById('freq-0').value, window.hashrig.refreshes]",
            boxes["freq-0"], boxes["target-0"])
        check(typed[:3] == ["400", "50", True],
              f"typed settings survive the page's refreshes (freq, target, attached, "
              f"page's freq, refreshes: {typed})")
        check(click_when_there(lambda: driver.find_element(By.ID, "apply-0")),
              "the chain's apply button can be clicked")

        def retuned():
            _, chains_now = http(web, "GET", "/api/v1/chains")
            _, settings = http(web, "GET", "/api/v1/settings")
            return chains_now[0]["frequency_mhz"] == 400 and chains_now[0]["mining"] and \
                settings["chains"][0]["target_c"] == 50
        check(eventually("retuned", retuned, 120),
              "a clock and fan target set in the page run on the chain (REST API)")
        driver.save_screenshot(os.path.join(args.out, "settings-applied.png"))
        errors = console_errors(driver)  # read once: reading the log empties it
        check(errors == [], f"no console errors: {errors}")
    finally:
        if driver:
            driver.quit()
        for process in (miner, pool, avalon):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"{len(failures)} failure(s)" if failures else "all checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
