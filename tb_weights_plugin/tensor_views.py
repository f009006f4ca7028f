"""Display views of a logged tensor, computed server side with numpy.

A view is at most 2-D: a scalar stays a scalar, a vector a vector, and a
tensor of rank ≥ 3 is reshaped to `[prod(shape[:-1]), shape[-1]]` (for a
Conv2D kernel `[kh, kw, in, out]` that is one row per (kh, kw, in) and one
column per output channel). A view with more elements than asked for is
reduced by block means (see `block_mean`), and the true finite min and max of
the whole tensor are reported beside it.
"""

import math

import numpy as np

DEFAULT_MAX_CELLS = 65536
MAX_MAX_CELLS = 4194304


def view_shape_of(shape):
    """The display view's shape of a tensor of `shape` (see `view_of`), a list of ints."""
    shape = [int(d) for d in shape]
    if len(shape) <= 2:
        return shape
    return [int(np.prod(shape[:-1], dtype=np.int64)), shape[-1]]


def view_of(array):
    """Reshapes a tensor to its display view.

    Args:
      array: a numpy array of any rank.

    Returns:
      `array` reshaped: rank 0 and 1 unchanged, rank 2 unchanged, rank ≥ 3 as
      `[prod(shape[:-1]), shape[-1]]`.
    """
    if array.ndim <= 2:
        return array
    return array.reshape(-1, array.shape[-1])


def _block_starts(length, blocks):
    """Start index of each of `blocks` near-equal blocks over `length` elements."""
    return (np.arange(blocks, dtype=np.int64) * length) // blocks


# A reduced 2-D view keeps at least this many cells of its shorter axis (or
# all of them, if fewer, and never more than sqrt(max_cells), so the longer
# axis never ends shorter than the shorter one): a narrow matrix such as an
# embedding table is not squeezed into a column or two.
MIN_SHORT_AXIS = 64


def reduced_shape(shape, max_cells):
    """The shape of the block-mean view of a 1-D or 2-D view with at most `max_cells` cells.

    A 2-D view is reduced in its own aspect ratio, except that the shorter
    axis keeps at least `min(its length, MIN_SHORT_AXIS, isqrt(max_cells))`
    cells and the longer axis takes the reduction.

    Args:
      shape: `(n,)` or `(rows, columns)`.
      max_cells: the largest number of cells allowed, ≥ 1.

    Returns:
      A tuple of the same length: `shape` itself when it fits, else a shape
      with each axis between 1 and the view's and at most `max_cells` cells.
    """
    if int(np.prod(shape)) <= max_cells:
        return tuple(shape)
    if len(shape) == 1:
        return (max_cells,)
    short_axis = 0 if shape[0] < shape[1] else 1
    short, long = shape[short_axis], shape[1 - short_axis]
    factor = math.sqrt(short * long / max_cells)
    reduced_short = max(int(short / factor), min(short, MIN_SHORT_AXIS, math.isqrt(max_cells)), 1)
    reduced_long = max(1, min(long, max_cells // reduced_short))
    reduced_short = max(1, min(short, max_cells // reduced_long))
    return (reduced_short, reduced_long) if short_axis == 0 else (reduced_long, reduced_short)


def block_mean(view, shape):
    """Reduces a 1-D or 2-D view to `shape` by the mean of each block.

    Block `i` along an axis of length `n` reduced to `m` covers elements
    `[floor(i * n / m), floor((i + 1) * n / m))`. Sums are taken in float64.
    A block holding a NaN, or both +Inf and -Inf, is NaN; a block holding
    Inf of one sign only is that Inf.

    Args:
      view: a numpy array of rank 1 or 2.
      shape: the reduced shape, each axis between 1 and the view's.

    Returns:
      A float64 array of `shape`.
    """
    result = view.astype(np.float64, copy=False)
    for axis, blocks in enumerate(shape):
        length = view.shape[axis]
        if blocks == length:
            continue
        starts = _block_starts(length, blocks)
        sizes = np.diff(np.append(starts, length)).astype(np.float64)
        result = np.add.reduceat(result, starts, axis=axis)
        result = result / sizes.reshape([-1 if a == axis else 1 for a in range(view.ndim)])
    return result


def finite_range(array):
    """Returns `(min, max)` of the finite elements of `array` as floats, or `(None, None)`."""
    flat = array.reshape(-1)
    if flat.dtype.kind == "f":
        flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return None, None
    return float(flat.min()), float(flat.max())


def json_numbers(array):
    """Returns the elements of `array` as a flat list for JSON.

    Finite values become Python numbers; NaN, +Inf and -Inf become the strings
    `"NaN"`, `"Infinity"` and `"-Infinity"` (JSON has no such numbers).
    """
    values = array.reshape(-1).tolist()
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        values = [
            value if math.isfinite(value) else ("NaN" if value != value else ("Infinity" if value > 0 else "-Infinity"))
            for value in values
        ]
    return values


def json_view(array, max_cells=DEFAULT_MAX_CELLS, subsample_strides=None, full_shape=None):
    """Builds the JSON display view of one tensor (the `tensor` route's body).

    Args:
      array: the logged numpy array, any rank and numeric dtype; for a
        subsample, the stored grid of the view (rank 1 or 2).
      max_cells: the largest number of values to return, 1 to `MAX_MAX_CELLS`.
      subsample_strides: None, or the strides of a stored subsample, one per
        axis of the view (`tensor_storage`).
      full_shape: with `subsample_strides`, the shape of the whole tensor.

    Returns:
      A dict with `view_shape` (of the whole tensor), `stored_view_shape` (of
      the stored grid: the view itself unless subsampled), `subsample_strides`,
      `values_shape`, `values` (flat, row-major, non-finite values as
      strings), `downsampled`, `downsample_method`
      (`None` or `"block_mean"`), `block_shape` (elements per value along each
      view axis, the largest block), `min`, `max` (finite, of the whole
      tensor), `nan_count` and `inf_count`.
    """
    view = array if subsample_strides else view_of(array)
    full_view_shape = view_shape_of(full_shape) if subsample_strides else list(view.shape)
    if view.dtype.kind == "b":
        view = view.astype(np.uint8)
    shape = reduced_shape(view.shape, max_cells) if view.ndim else ()
    downsampled = tuple(shape) != tuple(view.shape)
    values = block_mean(view, shape) if downsampled else view
    low, high = finite_range(array)
    is_float = array.dtype.kind == "f"
    nan_count = int(np.count_nonzero(np.isnan(array))) if is_float else 0
    inf_count = int(np.count_nonzero(np.isinf(array))) if is_float else 0
    return dict(
        view_shape=full_view_shape,
        stored_view_shape=list(view.shape),
        subsample_strides=list(subsample_strides) if subsample_strides else None,
        values_shape=list(shape),
        values=json_numbers(np.asarray(values)),
        downsampled=downsampled,
        downsample_method="block_mean" if downsampled else None,
        block_shape=[-(-length // blocks) if blocks else 0 for length, blocks in zip(view.shape, shape)],
        min=low,
        max=high,
        nan_count=nan_count,
        inf_count=inf_count,
    )
