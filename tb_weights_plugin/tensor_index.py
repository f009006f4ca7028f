"""An offset index of the full-tensor records in a log directory's event files.

TensorBoard holds every sample it retains in memory, so full tensors are
written where its loaders do not keep them (FORMAT.md) and read from the event
files here, one record at a time. The index holds, per run, tag and step, only
where the record lies (`event_records.TensorRecord`): tens of bytes per
tensor. It is brought up to date as files grow, scanning only bytes it has not
seen, at most once per `refresh_seconds` per run.
"""

import logging
import os
import threading
import time

from tb_weights_plugin import event_records

logger = logging.getLogger(__name__)


def _is_indexed_file(name):
    return "tfevents" in name or name.startswith(event_records.TENSOR_FILE_PREFIX)


class RunTensorIndex:
    """The full-tensor records of the event files directly in one run directory.

    Args:
      run_directory: the run's folder.
    """

    def __init__(self, run_directory):
        self._directory = run_directory
        self._offsets = {}  # file path -> bytes scanned
        self._broken = set()
        self._records = {}  # tag -> {step: TensorRecord}

    def refresh(self):
        """Scans what was appended to the run's event files since the last refresh."""
        try:
            names = sorted(os.listdir(self._directory))
        except OSError:
            return
        for name in names:
            path = os.path.join(self._directory, name)
            if not _is_indexed_file(name) or path in self._broken or not os.path.isfile(path):
                continue
            offset = self._offsets.get(path, 0)
            if os.path.getsize(path) <= offset:
                continue
            try:
                records, offset, error = event_records.scan_tensor_records(path, offset)
            except OSError as error:
                logger.warning("Cannot read %s: %s", path, error)
                continue
            if error is not None:
                logger.warning("Not reading further in %s: %s", path, error)
                self._broken.add(path)
            self._offsets[path] = offset
            for record in records:
                steps = self._records.setdefault(record.tag, {})
                previous = steps.get(record.step)
                # A step logged twice (a restarted run) shows the newer tensor.
                if previous is None or record.wall_time >= previous.wall_time:
                    steps[record.step] = record

    def steps(self, tag):
        """`{step: TensorRecord}` of one tensor tag (empty if none)."""
        return self._records.get(tag, {})


class TensorStore:
    """Offset indexes of every run under a log directory, built on first use.

    Args:
      logdir: TensorBoard's `--logdir`, a local folder.
      refresh_seconds: the least time between two scans of one run's files.
    """

    def __init__(self, logdir, refresh_seconds=2.0):
        self._logdir = os.path.realpath(logdir)
        self._refresh_seconds = refresh_seconds
        self._runs = {}  # run -> (RunTensorIndex, last refresh time)
        self._lock = threading.Lock()

    def _directory(self, run):
        directory = os.path.realpath(os.path.join(self._logdir, run))
        if directory != self._logdir and not directory.startswith(self._logdir + os.sep):
            return None
        return directory

    def records(self, run, tag):
        """`{step: TensorRecord}` of one run's tensor tag, the index brought up to date.

        Args:
          run: a run name as TensorBoard reports it (its folder relative to
            the log directory, `.` for the log directory itself).
          tag: a tensor tag (`<variable path>/tensor`).
        """
        directory = self._directory(run)
        if directory is None:
            return {}
        with self._lock:
            index, refreshed = self._runs.get(run, (None, 0.0))
            if index is None:
                index = RunTensorIndex(directory)
            now = time.monotonic()
            if now - refreshed >= self._refresh_seconds:
                index.refresh()
                refreshed = now
            self._runs[run] = (index, refreshed)
            return dict(index.steps(tag))
