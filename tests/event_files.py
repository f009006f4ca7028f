"""Reads event files back, record by record, for tests of what was written."""

import collections
import glob
import os

from tensorboard.backend.event_processing import event_file_loader
from tensorboard.util import tensor_util


def read_summaries(run_dir):
    """Returns `{tag: [(step, numpy value, SummaryMetadata or None)]}` of every event file in `run_dir`.

    Only the first value of a tag carries its metadata, as TensorBoard writes it.
    """
    values = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))):
        for event in event_file_loader.EventFileLoader(path).Load():
            for value in event.summary.value:
                metadata = value.metadata if value.HasField("metadata") else None
                values[value.tag].append((event.step, tensor_util.make_ndarray(value.tensor), metadata))
    return dict(values)
