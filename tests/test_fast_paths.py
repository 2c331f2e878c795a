"""The fast path of the number reader (the ControlNet wrapper's time budget relies on it) gives exactly the
slow path's results, and the slow path still names the bad entry."""

import numpy as np
import pytest

from lib_posefill.document import _number_list
from lib_posefill.errors import PoseFillError


@pytest.mark.parametrize("value", [[1, 2, 3], [0.5, 1e300, 7, -1, 0, 1.0], [2**53, 1, 1]])
def test_number_list_of_plain_numbers(value):
    assert np.array_equal(_number_list(value, "x"), np.asarray(value, dtype=np.float64).reshape(-1, 3))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2, True], "x[2]: expected a number, got true"),
        ([1, "2", 3], 'x[1]: expected a number, got "2"'),
        ([1, 2, float("inf")], "x[2]: expected a finite number, got inf"),
        ([1, 10**400, 3], "x[1]: expected a finite number"),
        ([1, None, 3], "x[1]: expected a number, got null"),
    ],
)
def test_number_list_errors_name_the_entry(value, message):
    with pytest.raises(PoseFillError) as err:
        _number_list(value, "x")
    assert str(err.value).startswith(message)
