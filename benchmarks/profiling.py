"""py-spy on a running process while a scenario runs, and the top of what it saw.

py-spy samples the process from outside (no change to the bot, no tracing overhead inside it):
``py-spy record --format raw`` writes one collapsed stack per line with its sample count.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

SAMPLES_PER_SECOND = 250


@asynccontextmanager
async def py_spy(pid: int, output: Path) -> AsyncIterator[None]:
    """Sample ``pid`` into ``output`` (collapsed stacks) for the duration of the block."""
    executable = shutil.which("py-spy")
    if executable is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    process = await asyncio.create_subprocess_exec(
        executable, "record", "--pid", str(pid), "--rate", str(SAMPLES_PER_SECOND),
        "--format", "raw", "--output", str(output), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # py-spy attaches before the first request
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()


def top(collapsed: Path, count: int = 15) -> str:
    """The functions that took the most samples: own (self) and with what they called (total)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, weight = line.rpartition(" ")
        if not stack:
            continue
        n = int(weight)
        frames = stack.split(";")
        samples += n
        own[_short(frames[-1])] += n
        for frame in {_short(f) for f in frames}:
            total[frame] += n
    lines = [
        f"{samples} samples of threads not idle ({SAMPLES_PER_SECOND}/s; on a shared machine "
        "a thread waiting for a core counts as not idle too)"
    ]
    lines.append("  own (self time):")
    lines += [f"    {n * 100 / samples:5.1f}%  {frame}" for frame, n in own.most_common(count)]
    lines.append("  total (with callees), our code and libraries:")
    interesting = [(f, n) for f, n in total.most_common() if not _plumbing(f)]
    lines += [f"    {n * 100 / samples:5.1f}%  {frame}" for frame, n in interesting[:count]]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """``handle (bot/claims/service.py:42)`` → ``handle (bot/claims/service.py)``: lines apart
    in one function count as one."""
    name, _, where = frame.partition(" (")
    path = where.split(":")[0]
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker)[-1]
    return f"{name} ({path.rsplit('/wt/', 1)[-1]})"


def _plumbing(frame: str) -> bool:
    """Frames every sample passes through (the loop, the runner), which rank first and say nothing."""
    return any(
        part in frame
        for part in (
            "asyncio/",
            "<module>",
            "run (bot/__main__",
            "run_until_complete",
            "run_forever",
        )
    )
