"""Dashboard components: the form, training, results, runs and their words, each with its own
layout, ids and callbacks; the job runner, the job board and the services behind them."""
