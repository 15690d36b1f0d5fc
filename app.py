def serve(host="127.0.0.1", port=8050, debug=False):
    raise SystemExit("the dashboard is not built yet")
