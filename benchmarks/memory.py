"""The peak memory of this process image, as the benchmarks report it."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mib(status: Path = Path("/proc/self/status")) -> float:
    """Peak resident memory of this process since it started its program, MiB.

    Linux's ``ru_maxrss`` keeps the parent's peak across fork and exec: a
    benchmark child started by a process that had just built the L workload
    (2 GiB) reported 2 GiB before reading a byte. ``VmHWM`` is the peak of
    this program's own memory. Elsewhere ``ru_maxrss`` (KiB on Linux) it is.
    """
    try:
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
