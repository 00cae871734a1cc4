"""The admin console in a real browser (label `browser`): headless Chromium
driven by Selenium through `sorights serve` on a temporary store. Logs in
with the printed token, adds a user, changes a data-rights cell, Saves after
the confirmation, finds the change in the audit, Cancels a pending change,
runs a Check, and is refused as a level-3 actor (a second server `--as` that
user). Saves a screenshot of each screen into $SORIGHTS_SCREENSHOTS (the
build tree). The servers and the browser are stopped whatever happens."""
import os
import shutil
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from serve import MODEL, cli, start_server, stop_server

SHOTS = os.environ.get("SORIGHTS_SCREENSHOTS") or os.path.join(os.getcwd(), "console-screenshots")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def new_driver(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)


def left_document(element):
    """Whether `element` belongs to a page the browser has left. Chromium
    reports such a node either as stale or, while the next page loads, as a
    node that "does not belong to the document"; both mean the page changed."""
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        if "does not belong to the document" in str(e):
            return True
        raise


class Steps:
    def __init__(self, driver, base):
        self.d = driver
        self.base = base

    def go(self, path):
        self.d.get(self.base + path)

    def shot(self, name, whole=True):
        # Tall enough for the whole page (or the first 900 pixels).
        height = self.d.execute_script("return document.documentElement.scrollHeight") if whole else 880
        self.d.set_window_size(1280, min(max(900, height + 20), 4000))
        path = os.path.join(SHOTS, name + ".png")
        self.d.save_screenshot(path)
        self.d.set_window_size(1280, 900)
        print("screenshot", path)

    def click(self, by, value):
        """Clicks a button or link and waits for the next page to load."""
        old = self.d.find_element(By.TAG_NAME, "html")
        self.d.find_element(by, value).click()
        WebDriverWait(self.d, 10).until(lambda d: left_document(old))
        WebDriverWait(self.d, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def add_user(self, user_id, name=None):
        """Fills in the new-user form (a sales rep in Sales at acme-no) and adds."""
        self.d.find_element(By.ID, "new-id").send_keys(user_id)
        if name:
            self.d.find_element(By.ID, "new-name").send_keys(name)
        Select(self.d.find_element(By.ID, "new-company")).select_by_value("acme-no")
        Select(self.d.find_element(By.ID, "new-group")).select_by_value("sales")
        Select(self.d.find_element(By.ID, "new-role")).select_by_value("sales-rep")
        self.click(By.ID, "add-user-button")

    def pending(self):
        return int(self.d.find_element(By.ID, "pending-count").text)

    def body(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def expect(self, cond, what):
        if not cond:
            raise AssertionError("%s (at %s)\n%s" % (what, self.d.current_url, self.body()[:2000]))


def main():
    if CHROMIUM is None or DRIVER is None:
        print("chromium or chromedriver missing")
        return 1
    os.makedirs(SHOTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="sorights-console-browser-")
    servers = []
    driver = None
    started = time.time()
    try:
        db = os.path.join(tmp, "store.db")
        cli(db, "import", MODEL)
        cli(db, "user", "add", "lena", "--name", "Lena Level3", "--company", "acme-no", "--role", "level-3",
            "--group", "sales")
        proc, url = start_server(db)
        servers.append(proc)
        driver = new_driver(os.path.join(tmp, "profile"))
        s = Steps(driver, url.split("/?")[0])

        # Log in with the token: lands on the Users screen.
        driver.get(url)
        s.expect(driver.current_url.endswith("/users"), "the token leads to /users")
        s.expect(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "lang is set")
        s.expect(s.pending() == 0, "nothing pending at first")
        s.shot("users-associates")

        # Add a user.
        s.add_user("petra", "Petra Pedersen")
        s.expect(s.pending() == 1, "one pending change after adding a user")
        s.expect("petra" in s.body(), "the staged user is listed")

        # Change a data-rights cell.
        s.go("/roles")
        s.shot("roles")
        s.click(By.LINK_TEXT, "sales-rep")
        cell = Select(driver.find_element(By.NAME, "c:sale:other_groups"))
        cell.select_by_value("update")
        s.click(By.ID, "apply-grid")
        s.expect(s.pending() == 2, "two pending changes after the cell")
        s.expect(Select(driver.find_element(By.NAME, "c:sale:other_groups")).first_selected_option
                 .get_attribute("value") == "update", "the grid shows the staged cell")
        s.shot("role-grid", whole=False)

        # Save, with the confirmation listing the changes.
        s.click(By.ID, "review-save")
        text = s.body()
        s.expect("petra" in text and "sale \u00d7 other_groups" in text, "the confirmation lists both changes")
        s.shot("save-confirmation")
        s.click(By.ID, "confirm-save")
        s.expect(driver.current_url.endswith("/audit"), "Save leads to the audit")
        text = s.body()
        s.expect("added user petra" in text, "the audit shows the added user")
        s.expect("sale \u00d7 other_groups" in text, "the audit shows the changed cell")
        s.expect(s.pending() == 0, "nothing pending after Save")
        s.expect("petra" in cli(db, "user", "list"), "the store has the user")
        s.shot("audit")
        s.go("/users/edit?id=petra")
        s.expect(driver.find_element(By.ID, "name").get_attribute("value") == "Petra Pedersen", "the edit form")
        s.shot("user-edit")

        # Cancel a pending change.
        s.go("/users?tab=groups")
        driver.find_element(By.ID, "group-id").send_keys("temp-group")
        driver.find_element(By.ID, "group-name").send_keys("Temporary")
        s.click(By.CSS_SELECTOR, "form[action='/groups/add'] button")
        s.expect(s.pending() == 1 and "temp-group" in s.body(), "the group is pending")
        s.shot("users-groups-pending")
        s.click(By.ID, "cancel")
        s.expect(s.pending() == 0, "Cancel drops the pending change")
        s.go("/users?tab=groups")
        s.expect("temp-group" not in s.body(), "the cancelled group is gone")

        # The other tabs.
        for tab in ("other", "companies", "licences"):
            s.go("/users?tab=" + tab)
            s.shot("users-" + tab)

        # Check: a decision with its layers.
        s.go("/check")
        Select(driver.find_element(By.ID, "check-user")).select_by_value("alice")
        Select(driver.find_element(By.ID, "check-action")).select_by_value("update")
        Select(driver.find_element(By.ID, "check-object")).select_by_value("sale")
        Select(driver.find_element(By.ID, "check-owner")).select_by_value("bob")
        s.click(By.ID, "check-run")
        s.expect(driver.find_element(By.ID, "decision-value").text in ("allow", "deny"), "a decision is shown")
        s.expect("record-state" in s.body(), "the layers are shown")
        s.shot("check")

        # Refused: a second server acting as a level-3 user.
        proc2, url2 = start_server(db, "--as", "lena")
        servers.append(proc2)
        driver.get(url2)
        s = Steps(driver, url2.split("/?")[0])
        s.add_user("quinn")
        s.expect(s.pending() == 1, "the level-3 actor's edit is staged")
        s.click(By.ID, "review-save")
        s.click(By.ID, "confirm-save")
        text = s.body()
        s.expect("permission-denied" in text, "the refusal is shown")
        s.expect(s.pending() == 1, "the refused edit stays pending")
        s.expect("quinn" not in cli(db, "user", "list"), "the store is unchanged")
        s.shot("save-refused")
        print("browser test passed in %.1f s" % (time.time() - started))
        return 0
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - the servers must still be stopped
                pass
        for proc in servers:
            stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
