"""What of a tensor is stored: full precision or reduced, whole or a subsample.

By default a full tensor is stored exactly. Two opt-in reductions shrink
large logs, while statistics and histograms are still computed from the full
tensor (summary.py):

- `storage_dtype="float16"` or `"bfloat16"` stores floating point variables in
  16 bits (half the bytes of float32). float16 overflows to ±Inf past 65504;
  bfloat16 keeps float32's range with 8 bits of precision. `.npy` has no
  bfloat16, so bfloat16 values are stored as their raw `uint16` bits.
- `max_tensor_bytes=N` stores, for a tensor whose stored bytes would exceed N,
  a deterministic strided subsample of its display view
  (`tensor_views.view_of`): every k-th element of a vector, every kr-th row
  and kc-th column of a matrix, with the strides chosen so the stored grid has
  at most N bytes and keeps the view's aspect (`tensor_views.reduced_shape`).
"""

import math

import numpy as np

from tb_weights_plugin import encoding
from tb_weights_plugin import tensor_views

STORAGE_DTYPES = ("float16", "bfloat16")


def check_options(storage_dtype, max_tensor_bytes):
    """Validates the storage options.

    Raises:
      ValueError: `storage_dtype` is not None, "float16" or "bfloat16", or
        `max_tensor_bytes` is not None or an int ≥ 1.
    """
    if storage_dtype is not None and storage_dtype not in STORAGE_DTYPES:
        raise ValueError(
            "storage_dtype must be None (store exact values), 'float16' or "
            "'bfloat16'; got %r." % (storage_dtype,)
        )
    if max_tensor_bytes is not None and (
        not isinstance(max_tensor_bytes, int) or isinstance(max_tensor_bytes, bool) or max_tensor_bytes < 1
    ):
        raise ValueError(
            "max_tensor_bytes must be None (no cap) or a positive number of bytes; "
            "got %r." % (max_tensor_bytes,)
        )


def stored_tensor(array, storage_dtype=None, max_tensor_bytes=None):
    """Returns what to store of one tensor, and how to describe it.

    Args:
      array: the variable's value, a numpy array of any shape and numeric dtype.
      storage_dtype: None, "float16" or "bfloat16"; applies to floating point
        tensors wider than 16 bits only.
      max_tensor_bytes: None, or the most bytes to store for this tensor.

    Returns:
      `(stored, fields)`: `stored` is a C-contiguous array in a dtype `.npy`
      stores natively (the tensor itself when nothing is reduced); `fields` is
      a dict for the record's plugin content: `dtype` and `shape` of the
      variable, `stored_dtype`, and `subsample_strides` (None, or one stride
      per axis of the view).
    """
    array = np.asarray(array)
    fields = dict(
        dtype=array.dtype.name,
        shape=list(array.shape),
        stored_dtype=array.dtype.name,
        subsample_strides=None,
    )
    stored = encoding.storable_array(array)
    fields["stored_dtype"] = stored.dtype.name
    if storage_dtype and stored.dtype.kind == "f" and stored.dtype.itemsize > 2:
        fields["stored_dtype"] = storage_dtype
    itemsize = 2 if fields["stored_dtype"] in STORAGE_DTYPES else stored.dtype.itemsize
    if max_tensor_bytes is not None and stored.size * itemsize > max_tensor_bytes:
        view = tensor_views.view_of(stored)
        cells = max(1, max_tensor_bytes // itemsize)
        if view.ndim == 1:
            strides = [math.ceil(view.shape[0] / cells)]
            stored = view[:: strides[0]]
        elif view.ndim == 2:
            rows, columns = tensor_views.reduced_shape(view.shape, cells)
            strides = [math.ceil(view.shape[0] / rows), math.ceil(view.shape[1] / columns)]
            stored = view[:: strides[0], :: strides[1]]
        else:
            strides = None
        fields["subsample_strides"] = strides
    if fields["stored_dtype"] == "float16":
        stored = stored.astype(np.float16)
    elif fields["stored_dtype"] == "bfloat16":
        stored = bfloat16_bits(stored)
    return np.require(stored, requirements="C"), fields


def bfloat16_bits(array):
    """The bfloat16 bit patterns of a float array, as uint16, rounded to nearest even."""
    bits = np.asarray(array, dtype=np.float32).view(np.uint32)
    # Round to nearest even on the 16 dropped bits; NaN stays NaN (quiet bit kept).
    rounding = ((bits >> 16) & 1) + 0x7FFF
    rounded = ((bits + rounding) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(array, dtype=np.float32))
    if nan.any():
        rounded[nan] = ((bits[nan] >> 16) | 0x0040).astype(np.uint16)
    return rounded


def restored_values(stored, stored_dtype):
    """The values of a stored array, in a dtype numpy can compute with.

    Args:
      stored: the array read from a record's `.npy` blob.
      stored_dtype: the record's `stored_dtype` field.

    Returns:
      `stored` itself, or for "bfloat16" the float32 array with exactly the
      stored bfloat16 values.
    """
    if stored_dtype == "bfloat16":
        return (stored.astype(np.uint32) << 16).view(np.float32)
    return stored
