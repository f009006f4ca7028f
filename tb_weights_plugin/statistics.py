"""Per-step statistics, histograms and the `.npy` blob encoding of tensors.

Pure numpy, shared by the writer (which computes at write time) and the
reader. The layout of a statistics vector is described in FORMAT.md.
"""

import io

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
      the values of `metadata.STATISTICS_FIELDS` (mean, std with ddof=0, min,
      max and L2 norm over the finite elements, NaN where there are none; the
      fraction of exact zeros over all elements; the NaN and ±Inf counts), then
      `bucket_count + 1` ascending bucket edges, then `bucket_count` counts of
      finite elements, as `numpy.histogram` buckets them. Non-finite elements
      are counted in the statistics and left out of the histogram; nothing
      raises on them.
    """
    flat = storable_array(np.asarray(array)).reshape(-1)
    size = flat.size
    if flat.dtype.kind == "f":
        finite_mask = np.isfinite(flat)
        finite_count = int(np.count_nonzero(finite_mask))
        nan_count = int(np.count_nonzero(np.isnan(flat))) if finite_count < size else 0
        inf_count = size - finite_count - nan_count
        finite = flat if finite_count == size else flat[finite_mask]
    else:
        finite, nan_count, inf_count = flat, 0, 0
    zero_fraction = (size - np.count_nonzero(flat)) / size if size else float("nan")

    edges = np.full(bucket_count + 1, np.nan)
    counts = np.zeros(bucket_count)
    if finite.size:
        values = finite.astype(np.float64, copy=False)
        mean = float(values.mean())
        std = float(values.std())
        low, high = float(values.min()), float(values.max())
        l2_norm = float(np.sqrt(np.dot(values, values)))
        if low == high:
            width = max(abs(low), 1.0) / bucket_count
            edges = low + (np.arange(bucket_count + 1) - bucket_count / 2 - 0.5) * width
        else:
            edges = np.linspace(low, high, bucket_count + 1)
        counts = np.histogram(values, bins=edges)[0].astype(np.float64)
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
