"""`sorights serve` over real HTTP (label `console`): starts the server on a
free port with a temporary store, reads the URL from its stdout, and checks
what a client without a browser sees: 401 without a session, the one-time
token, 403 without the CSRF token, 400 for malformed requests (also below
the console, in the HTTP parser), 404 for unknown ids, 413 for a huge body,
escaping of a hostile name, and that the server survives all of it. The
server is killed at the end whatever happens."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest
import urllib.parse

from serve import MODEL, SORIGHTS, cli, start_server, stop_server


class Client:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.cookie = None

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = "sorights_session=" + self.cookie
        if body is not None:
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, dict(r.getheaders()), data

    def login(self, url):
        parts = urllib.parse.urlsplit(url)
        status, headers, _ = self.request("GET", parts.path + "?" + parts.query)
        assert status == 303, status
        cookie = headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
        self.cookie = re.match(r"sorights_session=([0-9a-f]{32});", cookie).group(1)

    def csrf(self):
        _, _, body = self.request("GET", "/users")
        return re.search(r'name="csrf" value="([0-9a-f]{32})"', body).group(1)


class ServeOverHttp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sorights-console-http-")
        cls.db = os.path.join(cls.tmp, "store.db")
        cli(cls.db, "import", MODEL)
        cls.proc, cls.url = start_server(cls.db)

    @classmethod
    def tearDownClass(cls):
        stop_server(cls.proc)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertIsNone(self.proc.poll(), "the server died")

    def test_url_is_loopback_with_a_128_bit_token(self):
        self.assertRegex(self.url, r"^http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{32}$")

    def test_no_session_is_401_and_the_token_works_once(self):
        anonymous = Client(self.url)
        status, _, body = anonymous.request("GET", "/users")
        self.assertEqual(status, 401)
        self.assertIn("sorights serve", body)
        # The printed token is used by exactly one client.
        first, second = Client(self.url), Client(self.url)
        try:
            first.login(self.url)
        except AssertionError:
            self.skipTest("the token was spent by another test of this class")
        parts = urllib.parse.urlsplit(self.url)
        status, headers, _ = second.request("GET", parts.path + "?" + parts.query)
        self.assertEqual(status, 401)
        self.assertNotIn("Set-Cookie", headers)
        type(self).client = first

    def client_or_skip(self):
        client = getattr(type(self), "client", None)
        if client is None:
            self.skipTest("no session (the token test did not run first)")
        return client

    def test_port_in_use_is_an_error_not_a_shared_port(self):
        port = urllib.parse.urlsplit(self.url).port
        r = subprocess.run([SORIGHTS, "--db", self.db, "serve", "--port", str(port)], capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        self.assertIn("cannot listen", r.stderr)

    def test_sigterm_stops_the_server_with_exit_0(self):
        proc, url = start_server(self.db)
        try:
            self.assertEqual(Client(url).request("GET", "/users")[0], 401)
            proc.terminate()
            self.assertEqual(proc.wait(timeout=20), 0)
            self.assertEqual(proc.stdout.read(), "")  # nothing after the URL line
        finally:
            stop_server(proc)

    def test_x_change_without_csrf_is_403(self):
        c = self.client_or_skip()
        status, _, _ = c.request("POST", "/users/add", "id=mallory&type=associate")
        self.assertEqual(status, 403)
        status, _, _ = c.request("POST", "/users/add", "id=mallory&type=associate&csrf=" + "0" * 32)
        self.assertEqual(status, 403)
        _, _, body = c.request("GET", "/users")
        self.assertNotIn("mallory", body)

    def test_x_malformed_is_400_unknown_is_404_huge_is_413(self):
        c = self.client_or_skip()
        self.assertEqual(c.request("GET", "/users?q=%zz")[0], 400)
        self.assertEqual(c.request("POST", "/users/add", "csrf=" + c.csrf() + "&id=%G0")[0], 400)
        self.assertEqual(c.request("GET", "/users/edit?id=nobody")[0], 404)
        self.assertEqual(c.request("GET", "/roles/show?id=nope")[0], 404)
        self.assertEqual(c.request("POST", "/users/add", "csrf=" + c.csrf() + "&id=" + "x" * 300000)[0], 413)
        # Garbage below HTTP: the parser answers 400 (or closes); the server lives on.
        for raw in (b"GARBAGE\r\n\r\n", b"GET /users HTTP/1.1\r\nContent-Length: -5\r\n\r\n", b"\x00\xff\r\n\r\n"):
            with socket.create_connection((c.host, c.port), timeout=5) as s:
                s.sendall(raw)
                try:
                    answer = s.recv(200)
                except socket.timeout:
                    answer = b""
                if answer:  # refused (400, or 401: no session), never served
                    self.assertRegex(answer.split(b"\r\n")[0], rb"^HTTP/1\.1 40[01] ")
        self.assertEqual(c.request("GET", "/users")[0], 200)

    def test_x_hostile_name_is_escaped(self):
        c = self.client_or_skip()
        form = urllib.parse.urlencode({"csrf": c.csrf(), "id": "<b>&\"q'", "type": "associate", "company": "acme-no",
                                       "group": "sales", "role": "level-3", "name": "\"><script>alert(1)</script>"})
        self.assertEqual(c.request("POST", "/users/add", form)[0], 303)
        for path in ("/users", "/save"):
            _, _, body = c.request("GET", path)
            self.assertNotIn("<script>", body)
            self.assertNotIn("<b>&", body)
            self.assertIn("&lt;b&gt;&amp;&quot;q&#39;", body)
        c.request("POST", "/cancel", "csrf=" + c.csrf())


if __name__ == "__main__":
    unittest.main(verbosity=2)
