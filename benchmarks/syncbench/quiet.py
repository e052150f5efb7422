"""Is the machine quiet enough to time: CPU used by others, the settle wait after deletes."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import platform
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import Paths, log

# Another job using more than this many cores (of 2 on the reference machine) makes a phase noisy.
BUSY_CORES = 0.25
IDLE_PROBE_S = 2.0
IDLE_RETRY_S = 8.0
DEFAULT_IDLE_WAIT_S = 300.0


@dataclass(frozen=True)
class CpuSample:
    """The machine's busy CPU time and ours at one instant."""

    wall: float
    busy: float  # CPU seconds the whole machine spent busy (/proc/stat)
    own: float  # CPU seconds of this process and its reaped children


def cpu_sample() -> CpuSample | None:
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (*fields, 0, 0, 0, 0)[:8]
    hz = os.sysconf("SC_CLK_TCK")
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuSample(
        wall=time.monotonic(),
        busy=(user + nice + system + irq + softirq + steal) / hz,
        own=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    )


def foreign_cpu(a: CpuSample | None, b: CpuSample | None) -> float | None:
    """Cores' worth of CPU used between a and b by anything but us (other jobs, steal)."""
    if a is None or b is None or b.wall <= a.wall:
        return None
    return max(0.0, ((b.busy - a.busy) - (b.own - a.own)) / (b.wall - a.wall))


@dataclass
class IdleBudget:
    """How long the run may still wait for other jobs to leave the CPUs alone."""

    budget: float
    waited: float = 0.0

    def wait(self) -> None:
        """Before a phase, wait (within the budget) until other processes go quiet."""
        while True:
            a = cpu_sample()
            time.sleep(IDLE_PROBE_S)
            used = foreign_cpu(a, cpu_sample())
            if used is None or used <= BUSY_CORES:
                return
            if self.waited >= self.budget:
                log(f"  machine busy ({used:.2f} cores used by others); timing anyway")
                return
            log(f"  machine busy ({used:.2f} cores used by others); waiting")
            time.sleep(IDLE_RETRY_S)
            self.waited += IDLE_PROBE_S + IDLE_RETRY_S


def graft_fingerprint() -> str | None:
    """Short hash of the graft package's .py files, as this interpreter would import them."""
    spec = importlib.util.find_spec("graft")
    if spec is None or not spec.submodule_search_locations:
        return None
    digest = hashlib.sha256()
    for root in spec.submodule_search_locations:
        for path in sorted(Path(root).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def wait_settle(paths: Paths, settle: float) -> None:
    """Wait until `settle` seconds have passed since the script's own last delete."""
    marker = paths.settle_marker
    if settle <= 0 or not marker.exists():
        return
    age = time.time() - marker.stat().st_mtime
    if age < settle:
        log(f"waiting {settle - age:.0f} s for the filesystem to settle after deletes")
        time.sleep(settle - age)


def hold_work_dir(work: Path) -> None:
    """Hold *work* for this run: a second run on it waits, as it would delete this one's trees.

    A run removes the trees an interrupted run left in ``work/runs``, which would be another
    run's live venvs and stores if two ran at once (and two runs would time each other's
    load). The lock is the process's: it goes when the run ends, however it ends.
    """
    work.mkdir(parents=True, exist_ok=True)
    fd = os.open(work / "bench.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log(f"another benchmark run uses {work}; waiting for it to end")
        fcntl.flock(fd, fcntl.LOCK_EX)
    _HELD.append(fd)


_HELD: list[int] = []  # the work directories' lock files, open for the run's life


def delete_tree(path: Path, paths: Paths) -> None:
    """Remove a tree (never following links) and note the time for wait_settle()."""
    if not os.path.lexists(path):
        return
    try:
        shutil.rmtree(path)
    except OSError:
        # graft seals its store (read-only dirs, and as root the immutable attribute);
        # chattr -R skips symlinks, so nothing outside `path` is touched.
        if shutil.which("chattr"):
            subprocess.run(["chattr", "-R", "-f", "-i", str(path)], check=False)
        for top, dirs, _ in os.walk(path):
            os.chmod(top, 0o755)
            for d in dirs:
                if not os.path.islink(os.path.join(top, d)):
                    os.chmod(os.path.join(top, d), 0o755)
        shutil.rmtree(path)
    paths.settle_marker.touch()


def loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


def machine_info(paths: Paths) -> dict[str, Any]:
    """CPUs, memory, kernel and the work dir's filesystem."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    real = os.path.realpath(paths.work)
    best = ("", "", "")
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mnt, fstype, opts, *_ = line.split()
            if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best[0]):
                best = (mnt, fstype, opts)
    except (OSError, ValueError):
        pass
    info["filesystem"] = {"mount": best[0], "type": best[1], "options": best[2]}
    return info
