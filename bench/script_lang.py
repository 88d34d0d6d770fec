"""Speed and memory of the script loader on ordinary and hostile files.

Run from the checkout: `python bench/script_lang.py`. Prints, per file, the
seconds `check_file` takes (best of 3), the peak Python memory it allocates
(tracemalloc, MiB) and the first problem it reports.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voice_coach.script.load import check_file

HEAD = "id: bench\ntitle: Bench\nlanguage: nl\n"


def _files() -> dict[str, bytes]:
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    steps = "".join(
        f'  - turn: {{speaker: A, prompt: "{{A}}, vertel {i}.", seconds: 60, warn_before: 10}}\n'
        for i in range(60)
    )
    largest = "".join(f'  - say: "Zin nummer {i} van een heel lang script."\n' for i in range(2400))
    return {
        "ordinary script (60 turns)": (HEAD + "steps:\n" + steps).encode(),
        "near the size cap (2400 says)": (HEAD + "steps:\n" + largest).encode(),
        "empty": b"",
        "binary (16 KB)": bytes(range(256)) * 64,
        "10 MB": b"a: " + b"x" * (10 * 1024 * 1024),
        "10,000 nested lists": b"steps: " + b"[" * 10_000 + b"]" * 10_000,
        "billion laughs": ("\n".join(bomb) + "\n").encode(),
        "invalid UTF-8": b"id: caf\xe9\n",
    }


def main() -> None:
    """Print one line of figures per file."""
    with tempfile.TemporaryDirectory() as folder:
        for name, data in _files().items():
            path = Path(folder) / "bench.yaml"
            path.write_bytes(data)
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                checked = check_file(path)
                best = min(best, time.perf_counter() - start)
            tracemalloc.start()
            check_file(path)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            first = checked.problems[0].message[:60] if checked.problems else "valid"
            size = len(data) / 1024
            print(f"{name:30s} {size:9.1f} KB {best:7.3f} s {peak:7.1f} MiB  {first}")


if __name__ == "__main__":
    main()
