"""Jupyter: the launcher tile and ``show()`` (``jupyter``), and a run written out as a notebook (``writer``)."""
