"""Gatelab's web layer, in three rooms: ``page`` (the form, the lessons and the views),
``server`` (settings, jobs, the shelf of runs, the request guard) and ``notebooks`` (Jupyter).
Arrows point down: the page reads the server; the server never imports the page."""
