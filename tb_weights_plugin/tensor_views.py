"""Display views of a logged tensor, computed server side with numpy.

A view is at most 2-D: a scalar stays a scalar, a vector a vector, and a
tensor of rank ≥ 3 is reshaped to `[prod(shape[:-1]), shape[-1]]` (for a
Conv2D kernel `[kh, kw, in, out]` that is one row per (kh, kw, in) and one
column per output channel). A view with more elements than asked for is
reduced by block means (see `block_mean`), and the true finite min and max of
the whole tensor are reported beside it.
"""

import dataclasses
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


# ---------------------------------------------------------------------------
# Slice mode (http_api.md, "Slices, reductions, windows, filter grids and
# diffs"): a view of a tensor in its own N-D shape.

REDUCTIONS = ("mean", "max_abs", "l2")
DOWNSAMPLE_METHODS = {"mean": "block_mean", "max_abs": "block_max_abs"}
LAYOUTS = ("heatmap", "filters")


class SliceError(ValueError):
    """A slice request that does not fit the tensor; the message says why and what fits."""


@dataclasses.dataclass
class SliceRequest:
    """What part of a tensor to show, as parsed from the `tensor` route.

    Attributes:
      axes: the shown tensor axes as a tuple (rows, columns), (axis,) or ();
        None for the default (the last two axes, or every axis of a tensor of
        rank < 2).
      other: None (index 0 on every other axis), or a tuple with one entry per
        axis not shown, in increasing axis order: an int index or one of
        `REDUCTIONS`.
      rows, columns: None or a `(start, stop)` window of the selection.
      downsample: `"mean"` or `"max_abs"`.
      layout: `"heatmap"` or `"filters"`.
      tile_axes: for `"filters"`, a tuple of 1 or 2 tile axes.
    """

    axes: tuple = None
    other: tuple = None
    rows: tuple = None
    columns: tuple = None
    downsample: str = "mean"
    layout: str = "heatmap"
    tile_axes: tuple = ()


def _check_axes(axes, rank, what):
    for axis in axes:
        if not 0 <= axis < rank:
            raise SliceError(
                "%s must be axes of the tensor, 0 to %d (its rank is %d); got %d."
                % (what, rank - 1, rank, axis)
            )
    if len(set(axes)) != len(axes):
        raise SliceError("%s name an axis twice: %s." % (what, ",".join(map(str, axes))))


def _reduce_axis(array, axis, method):
    """Reduces one axis by `method` (`REDUCTIONS`) in float64; NaN propagates."""
    values = array.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        return _reduce_float64(values, axis, method)


def _reduce_float64(values, axis, method):
    if method == "mean":
        return values.mean(axis=axis)
    if method == "l2":
        return np.sqrt(np.einsum("...i,...i->...", np.moveaxis(values, axis, -1), np.moveaxis(values, axis, -1)))
    # max_abs: the element of largest magnitude with its sign; a NaN wins; a
    # tie of +a and -a keeps +a, as block_max_abs does. (`select` refuses
    # to reduce an axis of size 0.)
    magnitude = np.abs(values)
    best = np.max(magnitude, axis=axis, keepdims=True)
    signed = np.max(np.where(magnitude == best, values, -np.inf), axis=axis, keepdims=True)
    has_nan = np.isnan(values).any(axis=axis, keepdims=True)
    return np.where(has_nan, np.nan, signed).squeeze(axis)


def select(array, request):
    """Applies a request's axes and `other` entries: indices, then reductions.

    Args:
      array: a numpy array of rank n.
      request: a `SliceRequest`.

    Returns:
      `(selection, shown, other_entries, reduced)`: the selection, a numpy
      array whose axes are the shown axes in order, then (for filters) the
      tile axes; the tuple of shown tensor axes; the entries as dicts
      (`{"axis", "index"}` or `{"axis", "reduce"}`); and whether any
      reduction ran (then the selection is float64).

    Raises:
      SliceError: an axis out of range or repeated, a wrong number of `other`
        entries, an index out of range, an unknown reduction.
    """
    rank = array.ndim
    if request.axes is None:
        shown = tuple(range(max(0, rank - 2), rank))
    else:
        shown = tuple(request.axes)
    if len(shown) > 2:
        raise SliceError("axes names at most 2 axes (rows, columns); got %d." % len(shown))
    _check_axes(shown, rank, "axes")
    tile_axes = tuple(request.tile_axes) if request.layout == "filters" else ()
    if request.layout == "filters":
        if len(shown) != 2:
            raise SliceError("A filter grid needs axes=ROW_AXIS,COLUMN_AXIS (input and output channels).")
        if len(tile_axes) not in (1, 2):
            raise SliceError("A filter grid needs tile_axes=H,W (or tile_axes=K for a 1-D kernel).")
        _check_axes(shown + tile_axes, rank, "axes and tile_axes")
    kept = shown + tile_axes
    others = [axis for axis in range(rank) if axis not in kept]
    entries = request.other if request.other is not None else (0,) * len(others)
    if len(entries) != len(others):
        raise SliceError(
            "other needs one entry per axis not shown (%s), in increasing axis order; got %d entries."
            % (", ".join("axis %d of size %d" % (a, array.shape[a]) for a in others) or "none", len(entries))
        )
    index = [slice(None)] * rank
    other_entries, reduce_axes = [], []
    for axis, entry in zip(others, entries):
        if isinstance(entry, str):
            if array.shape[axis] == 0:
                raise SliceError("Axis %d has size 0: there is nothing to reduce; show it instead." % axis)
            if entry not in REDUCTIONS:
                raise SliceError(
                    "Unknown reduction %r for axis %d; use an index or one of %s." % (entry, axis, ", ".join(REDUCTIONS))
                )
            other_entries.append(dict(axis=axis, reduce=entry))
            reduce_axes.append((axis, entry))
        else:
            if not 0 <= entry < array.shape[axis]:
                raise SliceError(
                    "Index %d is out of range for axis %d of size %d." % (entry, axis, array.shape[axis])
                )
            other_entries.append(dict(axis=axis, index=int(entry)))
            index[axis] = int(entry)
    selection = array[tuple(index)]
    remaining = [axis for axis in range(rank) if not isinstance(index[axis], int)]
    for axis, method in reduce_axes:  # increasing axis order
        position = remaining.index(axis)
        selection = _reduce_axis(selection, position, method)
        remaining.pop(position)
    selection = np.transpose(selection, [remaining.index(axis) for axis in kept]) if kept else selection
    if len(tile_axes) == 1:
        selection = selection[..., np.newaxis]
    return selection, shown, other_entries, bool(reduce_axes)


def _window_bounds(window, length, name):
    if window is None:
        return 0, length
    start, stop = max(0, window[0]), min(length, window[1])
    if start >= stop:
        raise SliceError(
            "The %s window %d:%d holds nothing of the selection's %d %s; ask for START:STOP with "
            "0 <= START < STOP <= %d." % (name, window[0], window[1], length, name, length)
        )
    return start, stop


def block_max_abs(view, shape):
    """Reduces a 1-D or 2-D view to `shape`, keeping per block the element of largest magnitude.

    Blocks are those of `block_mean`. Per block and axis the maximum and the
    minimum are taken (`numpy.maximum.reduceat`, which propagates NaN) and
    the one of larger magnitude kept (the maximum on a tie), so a block's
    value is its element of largest |x| with its sign; a block holding a NaN
    is NaN.

    Args:
      view: a numpy array of rank 1 or 2.
      shape: the reduced shape, each axis between 1 and the view's.

    Returns:
      A float64 array of `shape`.
    """
    high = low = view.astype(np.float64, copy=False)
    for axis, blocks in enumerate(shape):
        length = view.shape[axis]
        if blocks == length:
            continue
        starts = _block_starts(length, blocks)
        high = np.maximum.reduceat(high, starts, axis=axis)
        low = np.minimum.reduceat(low, starts, axis=axis)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(low) > np.abs(high), low, high)


def _nonfinite_counts(array):
    if array.dtype.kind != "f":
        return 0, 0, 0
    return (
        int(np.count_nonzero(np.isnan(array))),
        int(np.count_nonzero(np.isposinf(array))),
        int(np.count_nonzero(np.isneginf(array))),
    )


def slice_view(array, request, max_cells=DEFAULT_MAX_CELLS, values_dtype=None):
    """Builds the JSON slice-mode view of a tensor (http_api.md).

    Args:
      array: the tensor (or a diff of two), a numpy array of any rank.
      request: a `SliceRequest`.
      max_cells: the most values to return, 1 to `MAX_MAX_CELLS`.
      values_dtype: the dtype name the array's values are exact in (the
        stored dtype); defaults to `array.dtype`.

    Returns:
      A dict with `sliced`, `layout`, `axes`, `other`, `selection_shape`,
      `window`, `values_shape`, `values` (flat, row-major, non-finite as
      strings), `values_dtype`, `downsampled`, `downsample_method`,
      `block_shape`, `selection_min`, `selection_max`, `window_min`,
      `window_max`, `window_nan_count`, `window_posinf_count`,
      `window_neginf_count`, and for filters `tile_axes` and `grid_shape`.

    Raises:
      SliceError: the request does not fit the tensor, or a filter window
        holds more than `max_cells` values.
    """
    if array.dtype.kind == "b":
        array = array.astype(np.uint8)
    selection, shown, other_entries, reduced = select(array, request)
    window_dtype = "float64" if reduced else (values_dtype or array.dtype.name)
    selection_min, selection_max = finite_range(selection)
    window = {}
    slices = []
    for position, name in enumerate(("rows", "columns")[: min(selection.ndim, 2)]):
        bounds = _window_bounds(getattr(request, name), selection.shape[position], name)
        window[name] = list(bounds)
        slices.append(slice(*bounds))
    windowed = selection[tuple(slices)]
    result = dict(
        sliced=True,
        layout=request.layout,
        axes=list(shown),
        other=other_entries,
        selection_shape=list(selection.shape),
        window=window,
    )
    if request.layout == "filters":
        if windowed.size > max_cells:
            tile = windowed.shape[2] * windowed.shape[3]
            raise SliceError(
                "The filter window of %d × %d tiles of %d values each holds %d values, more than "
                "max_cells=%d; ask for at most %d tiles (rows × columns)."
                % (windowed.shape[0], windowed.shape[1], tile, windowed.size, max_cells, max(1, max_cells // tile))
            )
        values, shape, method, block_shape = windowed, windowed.shape, None, [1] * windowed.ndim
        result.update(tile_axes=list(request.tile_axes), grid_shape=list(selection.shape[:2]))
    else:
        shape = reduced_shape(windowed.shape, max_cells) if windowed.ndim else ()
        if tuple(shape) != tuple(windowed.shape):
            reduce = block_mean if request.downsample == "mean" else block_max_abs
            values, method = reduce(windowed, shape), DOWNSAMPLE_METHODS[request.downsample]
            window_dtype = "float64" if request.downsample == "mean" else window_dtype
        else:
            values, method = windowed, None
        block_shape = [-(-length // blocks) if blocks else 0 for length, blocks in zip(windowed.shape, shape)]
    window_min, window_max = finite_range(windowed)
    nan_count, posinf_count, neginf_count = _nonfinite_counts(windowed)
    result.update(
        values_shape=list(shape),
        values=json_numbers(np.asarray(values)),
        values_dtype=window_dtype,
        downsampled=method is not None,
        downsample_method=method,
        block_shape=block_shape,
        selection_min=selection_min,
        selection_max=selection_max,
        window_min=window_min,
        window_max=window_max,
        window_nan_count=nan_count,
        window_posinf_count=posinf_count,
        window_neginf_count=neginf_count,
    )
    return result


def slice_window(array, request):
    """The window a slice request selects, at full resolution (for downloads).

    Returns:
      `(window, reduced, offsets)`: a numpy array (`[rows, columns]`, `[n]`,
      `[]`, or for filters `[grid rows, grid columns, tile height, tile
      width]`), whether a reduction made it float64, and the window's start
      along each windowed axis (a list of ints).

    Raises:
      SliceError: as `slice_view`.
    """
    selection, _, _, reduced = select(array, request)
    slices = [
        slice(*_window_bounds(getattr(request, name), selection.shape[position], name))
        for position, name in enumerate(("rows", "columns")[: min(selection.ndim, 2)])
    ]
    offsets = [s.start for s in slices]
    return selection[tuple(slices)], reduced, offsets


# Elements formatted at a time by the CSV writers: numpy's string arrays take
# 128 bytes per element, so a whole 2.4M-element kernel would take 300 MB.
_CSV_CHUNK = 65536


def csv_numbers(array):
    """The elements of `array` as strings: the shortest decimals that round-trip in its dtype.

    NumPy formats floats with the Dragon4 shortest representation of their
    own dtype (`0.1` for float32 0.1, not `0.10000000149011612`); non-finite
    values are `nan`, `inf` and `-inf`. (Values stored as bfloat16 arrive as
    float32 and print as float32's shortest form, which round-trips too.)

    Returns:
      A numpy array of strings, the shape of `array`.
    """
    if array.dtype.kind == "b":
        array = array.astype(np.uint8)
    return array.astype(str)


def _csv_lines(values, columns):
    """Yields CSV lines of a flat array, `columns` values per line, formatting in chunks."""
    rows_per_chunk = max(1, _CSV_CHUNK // max(columns, 1))
    rows = values.size // columns if columns else 0
    for start in range(0, rows, rows_per_chunk):
        block = csv_numbers(values[start * columns : (start + rows_per_chunk) * columns].reshape(-1, columns))
        yield "\n".join(",".join(row) for row in block.tolist())


def csv_matrix(array):
    """CSV text of a rank 0, 1 or 2 array: one line per row (per value for rank ≤ 1)."""
    columns = array.shape[1] if array.ndim == 2 else 1
    flat = np.ascontiguousarray(array).reshape(-1)
    return "\n".join(_csv_lines(flat, columns)) + "\n"


def csv_long(array, header, offsets=None):
    """CSV text with one line per element: its indices, then its value.

    Args:
      array: a numpy array of rank ≥ 1.
      header: the column names of the indices, one per axis.
      offsets: added to each axis's index (the window's start), or None.

    Returns:
      The text, starting with the header line `<header...>,value`.
    """
    offsets = list(offsets or []) + [0] * (array.ndim - len(offsets or []))
    flat = np.ascontiguousarray(array).reshape(-1)
    parts = [",".join(list(header) + ["value"])]
    for start in range(0, flat.size, _CSV_CHUNK):
        stop = min(flat.size, start + _CSV_CHUNK)
        indices = np.unravel_index(np.arange(start, stop), array.shape)
        columns = [(index + offset).astype(str) for index, offset in zip(indices, offsets)]
        columns.append(csv_numbers(flat[start:stop]))
        parts.append("\n".join(",".join(row) for row in zip(*(column.tolist() for column in columns))))
    return "\n".join(parts) + "\n"
