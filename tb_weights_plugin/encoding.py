"""Encodings shared by the writer and the reader: `.npy` blobs and statistics vectors.

Pure numpy (no TensorFlow), so TensorBoard loading the plugin does not import
TensorFlow. The layouts are described in FORMAT.md.
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


def bucket_edges(low, high, bucket_count=metadata.BUCKET_COUNT):
    """The histogram bucket edges for finite elements spanning `[low, high]`.

    Args:
      low, high: the finite min and max (floats), NaN if there are none.
      bucket_count: the number of buckets.

    Returns:
      A float64 vector of `bucket_count + 1` ascending edges:
      `linspace(low, high, bucket_count + 1)`; for `low == high == v`, buckets
      of width `max(|v|, 1) / bucket_count` with `v` in the middle of the
      centre bucket; all NaN when there are no finite elements.
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return np.full(bucket_count + 1, np.nan)
    if low == high:
        width = max(abs(low), 1.0) / bucket_count
        return low + (np.arange(bucket_count + 1) - bucket_count / 2 - 0.5) * width
    return np.linspace(low, high, bucket_count + 1)


def split_statistics(vector, fields=metadata.STATISTICS_FIELDS, bucket_count=metadata.BUCKET_COUNT):
    """Splits a statistics vector back into its parts.

    Args:
      vector: a float64 vector as written by `summary.weights`.
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
