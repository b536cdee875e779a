"""Run work in threads released together (two volunteers pressing at the same moment)."""

import threading


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
