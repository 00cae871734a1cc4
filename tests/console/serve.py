"""What the console drivers (http_test.py, browser_test.py) share: the
`sorights` binary and the demo model CTest names, and `sorights serve` on a
free loopback port."""
import os
import subprocess

SORIGHTS = os.environ["SORIGHTS_CLI"]
MODEL = os.environ["SORIGHTS_DEMO_MODEL"]


def cli(db, *args):
    """Runs `sorights --db DB args...`, which must succeed; returns stdout."""
    return subprocess.run([SORIGHTS, "--db", db, *args], check=True, capture_output=True, text=True).stdout


def start_server(db, *extra):
    """Starts `sorights serve` on the store; returns the process and the URL it prints."""
    proc = subprocess.Popen([SORIGHTS, "--db", db, *extra, "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError("serve printed %r; stderr: %s" % (line, proc.stderr.read()))
    return proc, line


def stop_server(proc):
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
