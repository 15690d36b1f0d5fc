"""The server: settings, services, the request guard, tab signing, the job board, the training job,
the shelf of runs and the web process's library of them. It never imports the page."""
