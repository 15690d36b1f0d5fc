"""The hand-written backward passes against central finite differences, in float64."""

import numpy as np
import pytest

from models import create_model
from tests.helpers import finite_difference_grads


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("shape", [(3, 5, 2, 4), (1, 1, 1, 3), (2, 7, 3, 2)])
def test_numpy_gradients_match_finite_differences(cell, shape):
    N, T, D, H = shape
    rng = np.random.default_rng(sum(shape))
    X, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    model = create_model("numpy", cell, D, H, seed=3, dtype="float64")
    # larger weights than the default init, so that gates saturate somewhere
    state = {k: v * 3.0 for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    _, grads = model.loss_and_grads(X, y)
    for name, num in finite_difference_grads(model, X, y).items():
        np.testing.assert_allclose(grads[name], num, rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_huge_preactivations_stay_finite_without_warnings(cell):
    model = create_model("numpy", cell, 1, 4, seed=0, dtype="float32")
    model.load_state_dict({k: v * 1e4 for k, v in model.state_dict().items()})
    X = np.full((2, 6, 1), 1e3, dtype=np.float32)
    with np.errstate(all="raise"):
        loss, grads = model.loss_and_grads(X, np.zeros((2, 1)))
        pred = model.predict(X)
    assert np.isfinite(loss) and np.all(np.isfinite(pred))
    assert all(np.all(np.isfinite(g)) for g in grads.values())
