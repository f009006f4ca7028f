"""Per-step statistics and histograms of tensors, computed at write time with numpy.

The layout of the statistics vector is in FORMAT.md; `encoding.py` reads it
back. Five passes over the tensor, none making a float64 copy of it: min and
max, the zero count, a float64 sum, a float64 sum of squares (products of
float32 values are exact in float64), and the histogram (`fast_histogram`,
which bins in float64 in C, several times faster than `numpy.histogram`).
"""

import math

import numpy as np
from fast_histogram import histogram1d

from tb_weights_plugin import encoding
from tb_weights_plugin import metadata


def update_ratio(array, previous, norm_squared=None):
    """`||array - previous|| / ||array||`, L2 norms over all elements, in float64.

    The relative size of the change since the previous logged value: about
    the learning rate times the relative gradient size for SGD; near 0 for a
    layer that does not learn. Products of float32 values are exact in float64,
    so both norms are exact to float64 rounding.

    Args:
      array: the value now, a numpy array.
      previous: the value at the previous logged step, or None.
      norm_squared: `||array||²` in float64 when already known (saves a
        pass), else None.

    Returns:
      A float: NaN when `previous` is None, has another shape, or both norms
      are 0 (or the values hold NaN); +Inf when only `array`'s norm is 0.
    """
    if previous is None or previous.shape != array.shape or array.size == 0:
        return float("nan")
    current = encoding.storable_array(np.asarray(array)).reshape(-1)
    before = encoding.storable_array(np.asarray(previous)).reshape(-1)
    if current.dtype.kind != "f":
        current = current.astype(np.float64)
        before = before.astype(np.float64)
    # In float64: a float32 difference can overflow (3e38 - -3e38).
    difference = np.subtract(current, before, dtype=np.float64)
    change = float(np.einsum("i,i->", difference, difference, dtype=np.float64))
    norm = norm_squared if norm_squared is not None else float(np.einsum("i,i->", current, current, dtype=np.float64))
    if norm == 0.0:
        return float("nan") if change == 0.0 or change != change else float("inf")
    return math.sqrt(change) / math.sqrt(norm)


def compute_statistics(array, bucket_count=metadata.BUCKET_COUNT, previous=None):
    """Computes the statistics vector of one tensor.

    Args:
      array: a numpy array of any shape and real or boolean dtype; may hold
        NaN and ±Inf.
      bucket_count: the number of histogram buckets.
      previous: the same variable's value at its previous logged step (a
        numpy array), or None: gives the `update_ratio` field (`update_ratio`).

    Returns:
      A float64 vector of length `metadata.statistics_length(bucket_count)`:
      the values of `metadata.STATISTICS_FIELDS` (mean, std with ddof=0 from
      the float64 sums of values and squares, min, max and L2 norm over the
      finite elements, NaN where there are none; the
      fraction of exact zeros over all elements; the NaN and ±Inf counts;
      the update ratio against `previous`), then
      the `bucket_count + 1` edges of `encoding.bucket_edges`, then the
      `bucket_count` counts of finite elements. Element `x < max` falls in
      bucket `floor((x - min) * (1 / (max - min)) * bucket_count)`, evaluated
      in float64 (fast_histogram's rule); elements equal to the maximum fall
      in the last bucket. Non-finite elements are counted in the statistics,
      never bucketed, never raised on.
    """
    flat = encoding.storable_array(np.asarray(array)).reshape(-1)
    if flat.dtype.kind != "f":
        flat = flat.astype(np.float64)  # integers and booleans: small, exact in float64
    size = flat.size
    finite, nan_count, inf_count = flat, 0, 0
    low = high = float("nan")
    if size:
        low, high = float(flat.min()), float(flat.max())
        # min and max propagate NaN and show Inf, so finite extremes mean a
        # finite tensor: the common case needs no mask.
        if not (math.isfinite(low) and math.isfinite(high)):
            finite_mask = np.isfinite(flat)
            finite = flat[finite_mask]
            nan_count = int(np.count_nonzero(np.isnan(flat)))
            inf_count = size - finite.size - nan_count
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (float("nan"),) * 2
    zero_fraction = (size - np.count_nonzero(flat)) / size if size else float("nan")

    count = finite.size
    counts = np.zeros(bucket_count)
    if count:
        total = float(np.add.reduce(finite, dtype=np.float64))
        # Products of float32 (or float16) values are exact in float64, so
        # the sum of squares, and the L2 norm, are exact to float64 rounding.
        squares = float(np.einsum("i,i->", finite, finite, dtype=np.float64))
        mean = total / count
        # One-pass variance: its cancellation error, 1e-16 * (1 + mean² / var)
        # relative, stays below the float32 quantization of the data itself.
        std = math.sqrt(max(squares / count - mean * mean, 0.0))
        l2_norm = math.sqrt(squares)
        if high > low:
            counts = histogram1d(finite, bins=bucket_count, range=(low, high))
            counts[-1] += count - counts.sum()  # the range is half-open: add the maximum
        else:
            counts[bucket_count // 2] = count
    else:
        mean = std = l2_norm = squares = float("nan")
    head = np.array(
        [
            mean, std, low, high, l2_norm, zero_fraction, nan_count, inf_count,
            # The sum of squares is over finite elements: reuse it only when all are.
            update_ratio(array, previous, squares if count == size and count else None),
        ],
        dtype=np.float64,
    )
    return np.concatenate([head, encoding.bucket_edges(low, high, bucket_count), counts])
