"""Run work in threads released together (two volunteers pressing at the same moment)."""

import json
import threading
import urllib.error
import urllib.request


def at_once(n: int, work) -> list:
    """Run work(i) in n threads released together; return the results in order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def post_json(url: str, token: str, body: dict) -> tuple[int, dict]:
    """POST a JSON body with a bearer token (in English); return the status and the answer.

    Through an opener of its own, not urlopen: tests that stub the metadata providers
    replace urlopen, and this talks only to the test's own server on the loopback."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Accept-Language": "en"},
    )
    try:
        with urllib.request.build_opener().open(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
