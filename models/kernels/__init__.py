"""The fast NumPy kernels: each cell's forward pass and backpropagation through time by hand, laid
out for speed (gate-major, fused weights, a chunked backward). They are private to the NumPy
backend (``models.numpy_backend``) and compute what the lesson (``models.cells``) says: the tests
hold every output, gradient and dx to it, and to PyTorch. ``steps`` and ``workspace`` are their
time-loop bookkeeping and reusable arrays."""
