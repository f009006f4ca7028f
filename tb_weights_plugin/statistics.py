"""Per-step statistics and histograms of tensors, computed at write time with numpy.

The layout of the statistics vector is in FORMAT.md; `encoding.py` reads it
back. One pass sums in float64; a second, over cache-sized blocks converted
to float64 one at a time, gives the centred sum of squares (a two-pass
variance, exact enough for constant tensors to have std 0) and the histogram,
so no float64 copy of the whole tensor is made. numpy releases the GIL in
these loops, so `summary.py` runs several tensors at once on worker threads.
"""

import math

import numpy as np

from tb_weights_plugin import encoding
from tb_weights_plugin import metadata

# Elements per block of the second pass: 512 KiB of float64, cache resident.
_BLOCK = 1 << 16


def compute_statistics(array, bucket_count=metadata.BUCKET_COUNT):
    """Computes the statistics vector of one tensor.

    Args:
      array: a numpy array of any shape and real or boolean dtype; may hold
        NaN and ±Inf.
      bucket_count: the number of histogram buckets.

    Returns:
      A float64 vector of length `metadata.statistics_length(bucket_count)`:
      the values of `metadata.STATISTICS_FIELDS` (mean, std with ddof=0, min,
      max and L2 norm over the finite elements, NaN where there are none; the
      fraction of exact zeros over all elements; the NaN and ±Inf counts), then
      the `bucket_count + 1` edges of `encoding.bucket_edges`, then the
      `bucket_count` counts of finite elements. Element `x` falls in bucket
      `floor((x - min) * (bucket_count / (max - min)))`, evaluated in float64
      and clipped to the last bucket (so the last bucket is closed). Non-finite
      elements are counted in the statistics, never bucketed, never raised on.
    """
    flat = encoding.storable_array(np.asarray(array)).reshape(-1)
    if flat.dtype.kind == "b":
        flat = flat.view(np.uint8)
    size = flat.size
    finite, nan_count, inf_count = flat, 0, 0
    if flat.dtype.kind == "f" and size:
        # min and max propagate NaN and show Inf, so finite extremes mean a
        # finite tensor: the common case needs no mask.
        if not (np.isfinite(flat.min()) and np.isfinite(flat.max())):
            finite_mask = np.isfinite(flat)
            finite = flat[finite_mask]
            nan_count = int(np.count_nonzero(np.isnan(flat)))
            inf_count = size - finite.size - nan_count
    zero_fraction = (size - np.count_nonzero(flat)) / size if size else float("nan")

    count = finite.size
    counts = np.zeros(bucket_count)
    if count:
        low, high = float(finite.min()), float(finite.max())
        mean = float(np.add.reduce(finite, dtype=np.float64)) / count
        centred_squares = centred_sum = 0.0
        scale = bucket_count / (high - low) if high > low else 0.0
        histogram = np.zeros(bucket_count, np.int64)
        for start in range(0, count, _BLOCK):
            block = finite[start : start + _BLOCK].astype(np.float64)
            block -= mean
            centred_sum += float(block.sum())
            centred_squares += float(np.dot(block, block))
            if scale:
                block += mean - low
                block *= scale
                indices = block.astype(np.intp)
                np.minimum(indices, bucket_count - 1, out=indices)
                histogram += np.bincount(indices, minlength=bucket_count)
        if scale:
            counts = histogram.astype(np.float64)
        else:
            counts[bucket_count // 2] = count
        std = math.sqrt(centred_squares / count)
        # sum(x^2) = sum((x - mean)^2) + 2 mean sum(x - mean) + n mean^2
        l2_norm = math.sqrt(max(centred_squares + 2 * mean * centred_sum + count * mean * mean, 0.0))
    else:
        mean = std = low = high = l2_norm = float("nan")
    head = np.array(
        [mean, std, low, high, l2_norm, zero_fraction, nan_count, inf_count], dtype=np.float64
    )
    return np.concatenate([head, encoding.bucket_edges(low, high, bucket_count), counts])
