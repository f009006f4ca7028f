"""Server-side views of tensors: reshaping, block means, bounds, non-finite values."""

import math

import numpy as np
import pytest

from tb_weights_plugin import tensor_views


def loop_block_mean(view, shape):
    """Block means by explicit loops over the documented block bounds."""
    view = np.atleast_2d(view.astype(np.float64))
    rows, columns = view.shape
    reduced_rows, reduced_columns = (1, shape[0]) if len(shape) == 1 else shape
    result = np.empty((reduced_rows, reduced_columns))
    for i in range(reduced_rows):
        for j in range(reduced_columns):
            block = view[
                i * rows // reduced_rows : (i + 1) * rows // reduced_rows,
                j * columns // reduced_columns : (j + 1) * columns // reduced_columns,
            ]
            result[i, j] = block.sum() / block.size
    return result.reshape(shape)


@pytest.mark.parametrize(
    "shape", [(), (7,), (5000,), (6, 9), (300, 41), (3, 3, 4, 8), (2, 3, 4, 5, 6), (2, 2, 1, 3)]
)
def test_views_of_every_rank_match_numpy(shape):
    rng = np.random.default_rng(len(shape))
    array = rng.normal(size=shape).astype(np.float32)
    if array.size > 4:
        array.reshape(-1)[[1, 3]] = [np.nan, np.inf]
    for max_cells in (1, 10, 64, 100000):
        view = tensor_views.json_view(array, max_cells)
        expected_view = array.reshape(-1, shape[-1]) if len(shape) >= 3 else array
        assert view["view_shape"] == list(expected_view.shape)
        values = np.array(
            [{"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(v, v) for v in view["values"]],
            dtype=np.float64,
        )
        cells = int(np.prod(view["values_shape"]))
        assert values.size == cells and cells <= max(max_cells, 1)
        if view["downsampled"]:
            expected = loop_block_mean(expected_view, tuple(view["values_shape"]))
            np.testing.assert_allclose(values.reshape(expected.shape), expected, rtol=1e-12, equal_nan=True)
        else:
            np.testing.assert_array_equal(values.reshape(expected_view.shape), expected_view)
        finite = array[np.isfinite(array)]
        if finite.size:
            assert view["min"] == float(finite.min()) and view["max"] == float(finite.max())
        assert view["nan_count"] == int(np.isnan(array).sum())
        assert view["inf_count"] == int(np.isinf(array).sum())


def test_reduced_shape_keeps_the_aspect_and_the_bound():
    assert tensor_views.reduced_shape((2048, 1000), 65536) == (368, 178)
    # A narrow matrix keeps its short axis; the long one takes the reduction.
    assert tensor_views.reduced_shape((50000, 16), 5760) == (360, 16)
    assert tensor_views.reduced_shape((16, 50000), 5760) == (16, 360)
    assert tensor_views.reduced_shape((100000, 300), 65536) == (1024, 64)
    assert tensor_views.reduced_shape((8, 12), 10) == (3, 3)
    assert tensor_views.reduced_shape((64, 64), 65536) == (64, 64)
    assert tensor_views.reduced_shape((1, 100000), 1000) == (1, 1000)
    assert tensor_views.reduced_shape((100000, 1), 1000) == (1000, 1)
    assert tensor_views.reduced_shape((100000,), 1000) == (1000,)
    for shape in [(7, 3), (1000, 2), (5, 5000), (12345, 678), (50000, 16)]:
        for max_cells in (1, 2, 17, 4096):
            reduced = tensor_views.reduced_shape(shape, max_cells)
            assert reduced[0] * reduced[1] <= max_cells
            assert max(reduced) >= min(reduced[0], reduced[1], math.isqrt(max_cells))
            assert 1 <= reduced[0] <= shape[0] and 1 <= reduced[1] <= shape[1]


def test_a_block_with_nan_or_both_infinities_is_nan():
    view = np.array([[1.0, np.nan, 2.0, 3.0], [np.inf, -np.inf, np.inf, 5.0]])
    reduced = tensor_views.block_mean(view, (2, 2))
    assert math.isnan(reduced[0, 0]) and reduced[0, 1] == 2.5
    assert math.isnan(reduced[1, 0]) and reduced[1, 1] == np.inf


def test_integer_and_boolean_tensors():
    view = tensor_views.json_view(np.arange(12, dtype=np.int64).reshape(3, 4))
    assert view["values"] == list(range(12)) and (view["min"], view["max"]) == (0.0, 11.0)
    view = tensor_views.json_view(np.array([True, False, True]))
    assert view["values"] == [1, 0, 1]
    view = tensor_views.json_view(np.float32(2.5))
    assert view["view_shape"] == [] and view["values"] == [2.5]
