"""The words the page and the command use for the baselines and the k-step methods: their names and
one line on each. The computations live in ``models.baselines`` and ``models.horizon``."""

BASELINE_NAMES = {"persistence": "persistence", "seasonal_naive": "seasonal naive", "drift": "drift",
                  "linear_ar": "linear AR", "auto_ets": "AutoETS", "auto_arima": "AutoARIMA",
                  "auto_theta": "AutoTheta"}
BASELINE_HELP = {
    "persistence": "the next value is the last one seen",
    "seasonal_naive": "the next value is the one a season earlier",
    "drift": "the last value plus the train part's mean step",
    "linear_ar": "least squares on the last p values, its order p chosen by AIC on the train part",
    "auto_ets": "statsforecast's exponential smoothing (error, trend and season chosen by AICc), fit on the train part",
    "auto_arima": "statsforecast's ARIMA with its orders chosen automatically, fit on the train part",
    "auto_theta": "statsforecast's Theta method (the M3 competition's winner), fit on the train part",
}
MASE_HELP = ("mean absolute scaled error: the MAE divided by the MAE that 'the next value is the last one' had on "
             "the train part. Compare it with persistence's own MASE in this table: on the test part that need "
             "not be 1")

METHOD_NAMES = {"direct": "direct", "seq2seq": "seq2seq", "recursive": "recursive", "persistence": "persistence",
                "linear_ar": "linear AR (direct)"}
METHOD_HELP = {"direct": "a model with k outputs, trained on the next k values",
               "seq2seq": "an encoder reads the window, a decoder cell unrolls k steps feeding its own outputs",
               "recursive": "the one-step model fed its own forecasts",
               "persistence": "the last value, for every step ahead",
               "linear_ar": "least squares from the window to each of the next k values"}
