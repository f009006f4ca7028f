"""Measuring helpers: side-by-side medians, resident memory, the machine."""

import os
import platform
import statistics
import time


def side_by_side(functions, repeats):
    """Times each function `repeats` times, interleaved round by round.

    Machines are noisy: absolute times drift, but ratios of functions timed
    in the same rounds hold. Each round runs every function once, in an
    order rotated by the round number.

    Args:
      functions: `{name: callable}`; each callable takes the round number.
      repeats: rounds, ≥ 1.

    Returns:
      `{name: median seconds}`.
    """
    names = list(functions)
    times = {name: [] for name in names}
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            functions[name](round_number)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def resident_bytes(pid):
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open("/proc/%d/status" % current) as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
        stack.extend(children.get(current, []))
    return total


def machine_description():
    """One line naming the CPU, core count, memory and software versions."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            memory = int(meminfo.readline().split()[1]) / 2**20
    except OSError:
        memory = float("nan")
    import tensorboard
    import tensorflow as tf

    return "%s, %d cores, %.0f GiB RAM; Python %s, TensorFlow %s, TensorBoard %s" % (
        cpu,
        os.cpu_count(),
        memory,
        platform.python_version(),
        tf.__version__,
        tensorboard.__version__,
    )
