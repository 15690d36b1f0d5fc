"""The fast NumPy kernels: each cell's forward pass and backpropagation through time by hand, laid
out for speed (gate-major, fused weights, a chunked backward). They are private to the NumPy
backend (``models.numpy_backend``) and compute what the lesson (``models.cells``) says: the tests
hold every output, gradient and dx to it, and to PyTorch. ``steps`` and ``workspace`` are their
time-loop bookkeeping and reusable arrays.

Every kernel's backward pass keeps one contract::

    grads = <cell>_backward(dh_last, cache, ws=None, dh_norms=None, dx=None)

- ``dh_last`` (N, H): dLoss/dh_T, the gradient at the last hidden state (the head's);
- returns PyTorch's names and layout: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (the two
  biases get the same gradient, as in PyTorch);
- ``dh_norms`` (T,), when given, receives the gradient flow through time: ||dLoss/dh_t|| for the hidden
  state after each step t, through every path, averaged over the batch;
- ``dx`` (N, T, D), when given, receives dLoss/dx_t for every input of the window.
"""
