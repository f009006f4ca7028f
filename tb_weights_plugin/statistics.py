"""Per-step statistics, histograms and the `.npy` blob encoding of tensors.

Pure numpy, shared by the writer (which computes at write time) and the
reader. The layout of a statistics vector is described in FORMAT.md.
"""

import io
import math

import numpy as np

from tb_weights_plugin import metadata


def storable_array(array):
    """Returns `array` in a dtype that `.npy` stores natively.

    Args:
      array: a numpy array of any numeric dtype, including `ml_dtypes` types
        such as `bfloat16` (dtype kind `V`).

    Returns:
      `array` itself, or a `float32` copy for `ml_dtypes` floats, which hold
      every such value exactly (bfloat16 and float8 types have at most 8
      exponent bits and fewer mantissa bits than float32).
    """
    if array.dtype.kind == "V":
        return array.astype(np.float32)
    return array


def encode_npy(array):
    """Encodes an array as `.npy` bytes (the tensor blob of FORMAT.md).

    Args:
      array: a numpy array of any shape and numeric dtype.

    Returns:
      `bytes`: a `.npy` file (C order) that `numpy.load` reads back exactly.
    """
    buffer = io.BytesIO()
    # np.require keeps a 0-d array 0-d (np.ascontiguousarray would make it 1-d).
    contiguous = np.require(storable_array(np.asarray(array)), requirements="C")
    np.lib.format.write_array(buffer, contiguous, allow_pickle=False)
    return buffer.getvalue()


def decode_npy(blob):
    """Decodes `.npy` bytes written by `encode_npy`.

    Args:
      blob: `bytes` of a `.npy` file.

    Returns:
      The numpy array, with its logged shape and dtype.

    Raises:
      ValueError: `blob` is not a `.npy` file, or holds Python objects.
    """
    return np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)


def compute_statistics(array, bucket_count=metadata.BUCKET_COUNT):
    """Computes the statistics vector of one tensor.

    Args:
      array: a numpy array of any shape and real or boolean dtype; may hold
        NaN and ±Inf.
      bucket_count: the number of histogram buckets.

    Returns:
      A float64 vector of length `metadata.statistics_length(bucket_count)`:
      the values of `metadata.STATISTICS_FIELDS` (mean, std with ddof=0
      computed in two passes, min, max and L2 norm over the finite elements,
      NaN where there are none; the fraction of exact zeros over all
      elements; the NaN and ±Inf counts), then `bucket_count + 1` ascending
      bucket edges, then `bucket_count` counts of finite elements. Element `x`
      falls in bucket `floor((x - min) * bucket_count / (max - min))`,
      evaluated in float64 and clipped to the last bucket (so the last bucket
      is closed). Non-finite elements are counted in the statistics and left
      out of the histogram; nothing raises on them.
    """
    flat = storable_array(np.asarray(array)).reshape(-1)
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

    edges = np.full(bucket_count + 1, np.nan)
    counts = np.zeros(bucket_count)
    count = finite.size
    if count:
        values = finite.astype(np.float64)
        low, high = float(values.min()), float(values.max())
        mean = float(values.sum()) / count
        l2_norm = math.sqrt(float(np.dot(values, values)))
        if low == high:
            width = max(abs(low), 1.0) / bucket_count
            edges = low + (np.arange(bucket_count + 1) - bucket_count / 2 - 0.5) * width
            counts[bucket_count // 2] = count
        else:
            edges = np.linspace(low, high, bucket_count + 1)
            scaled = values - low
            scaled *= bucket_count / (high - low)
            indices = scaled.astype(np.intp)
            np.minimum(indices, bucket_count - 1, out=indices)
            counts = np.bincount(indices, minlength=bucket_count).astype(np.float64)
        values -= mean
        std = math.sqrt(float(np.dot(values, values)) / count)
    else:
        mean = std = low = high = l2_norm = float("nan")
    head = np.array(
        [mean, std, low, high, l2_norm, zero_fraction, nan_count, inf_count], dtype=np.float64
    )
    return np.concatenate([head, edges, counts])


def split_statistics(vector, fields=metadata.STATISTICS_FIELDS, bucket_count=metadata.BUCKET_COUNT):
    """Splits a statistics vector back into its parts.

    Args:
      vector: a float64 vector as written by `compute_statistics`.
      fields: the field names of its plugin content, in order.
      bucket_count: the bucket count of its plugin content.

    Returns:
      A tuple `(statistics, edges, counts)`: a dict of field name to float,
      a float64 vector of `bucket_count + 1` edges and one of `bucket_count`
      counts.

    Raises:
      ValueError: the vector's length does not match `fields` and `bucket_count`.
    """
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    expected = metadata.statistics_length(bucket_count, fields)
    if vector.size != expected:
        raise ValueError(
            "Statistics vector has %d values; its plugin content describes %d"
            % (vector.size, expected)
        )
    count = len(fields)
    statistics = {field: float(vector[i]) for i, field in enumerate(fields)}
    return statistics, vector[count : count + bucket_count + 1], vector[count + bucket_count + 1 :]
