"""The words beside the views: why gates, what each one does, and the usual pitfalls."""

from __future__ import annotations

from dash import Dash, Output, dcc, html

from components.page import ids
from components.page.views import shown
from components.server.services import Services

LSTM_EQUATIONS = r"""
**LSTM** (PyTorch's form; gate rows i | f | g | o)

$$
\begin{aligned}
i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})\\
f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf})\\
g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg})\\
o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho})\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t\\
h_t &= o_t \odot \tanh(c_t)
\end{aligned}
$$

Input gate $i$: how much to write; forget gate $f$: how much to keep;
candidate $g$: what to write; output gate $o$: how much to show.
The cell state $c$ is a path along which the gradient is multiplied only by $f$:
where the forget gate stays near 1 (bright rows in $f$), memory and gradient
both survive many steps.
"""

GRU_EQUATIONS = r"""
**GRU** (PyTorch's form; gate rows r | z | n)

$$
\begin{aligned}
r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\\
z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\\
n_t &= \tanh\big(W_{in} x_t + b_{in}\\
    &\qquad + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big)\\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
\end{aligned}
$$

Reset gate $r$: how much of the old state the candidate $n$ may use;
update gate $z$: how much of the old state to keep.
Where $z$ is near 1 the unit keeps its old value; near 0 it takes the candidate.
The textbook GRU of Cho et al. (2014) applies $r$ before the product,
$W_{hn}(r_t \odot h_{t-1})$: choose the cell "GRU (Cho)" to train it (NumPy only).
"""

GRU_CHO_EQUATIONS = r"""
**GRU (Cho)**, the textbook form (Cho et al., 2014; NumPy only; gate rows r | z | n)

$$
\begin{aligned}
r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\\
z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\\
n_t &= \tanh\big(W_{in} x_t + b_{in}\\
    &\qquad + W_{hn} (r_t \odot h_{t-1}) + b_{hn}\big)\\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
\end{aligned}
$$

The reset gate acts *before* the product with $W_{hn}$. Why PyTorch and cuDNN
use the other form, $r_t \odot (W_{hn} h_{t-1} + b_{hn})$: there, all three
products with $h_{t-1}$ are one matrix product, computed before $r_t$ is known;
here $W_{hn}$ must wait for $r_t$, a second product per step that depends on the
first, which is slower on a GPU. The two forms have the same parameters and, in
practice, learn about equally well. No PyTorch layer computes this one, so the
PyTorch backend refuses it.
"""

RNN_EQUATIONS = r"""
**Plain RNN** (PyTorch's ``nn.RNN``, tanh)

$$
\begin{aligned}
a_t &= W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}\\
h_t &= \tanh(a_t)
\end{aligned}
$$

No gates: every step overwrites the whole state. Backpropagating through time
multiplies the gradient by $\mathrm{diag}(1 - h_t^2)\, W_{hh}$ once per step, so
over a long window it fades (or explodes), and the early steps of the window
hardly learn. Compare its heatmaps with an LSTM's forget gate.
"""

EQUATIONS = {"lstm": LSTM_EQUATIONS, "gru": GRU_EQUATIONS, "rnn": RNN_EQUATIONS, "gru_cho": GRU_CHO_EQUATIONS}

WHY_GATES = r"""
**Why gates.** A plain RNN overwrites its whole state at every step, so what it read long ago, and the
error that should teach it, fades (*vanishes*) or blows up (*explodes*) on the way. The LSTM's cell state
passes from step to step through its forget gate alone: its memory and its gradient can cross a long window.
"""

WHY_GATES_ALGEBRA = r"""
A plain RNN computes $h_t = \tanh(W x_t + U h_{t-1})$. Backpropagating through $T$ steps multiplies the
gradient by the Jacobian $\partial h_t / \partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\, U$ once per step,
so it shrinks or grows roughly like $\lVert U \rVert^T$. In the LSTM, the path through the cell state is
$\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)$: a forget gate near 1 passes the gradient on
almost whole, and nothing squashes it on the way.
"""

PITFALLS = r"""
- *No clipping* (lesson 1, More training settings): set "Clip gradient norm" to 0 and raise the learning
  rate; tick "gradient norm" above the loss chart and watch it spike.
- *A window shorter than the season*: with a period of 50 and a window length L of 20 (on this lesson),
  the model never sees a whole cycle.
- *Unscaled data*: Gatelab standardizes with the train part's mean and standard deviation only; the test
  part must not leak into training.
- *A shuffled split*: Gatelab splits by time; shuffling would put future points in training and flatter
  the test error.
- *Levels on a trending series* (lesson 5, Inputs): with "levels (plain)" the test part lies above
  anything seen in training, and the model, unable to extrapolate, loses to persistence.
- *Overfitting* (lesson 4, Dropout): a large model fits the train part's noise; a dropout of 0.2 to 0.5
  drops units of the last hidden state at random while training (the rest scaled up by $1/(1-p)$), so
  the head cannot lean on any one; at prediction time nothing is dropped.
- *Rollout drift*: fed its own forecasts, the model's errors compound; compare the rollout with the
  one-step forecasts.
"""


def layout() -> html.Div:
    """Why gates in words; its algebra and the pitfalls to try one click away (a lesson fits its screen)."""
    return html.Div([
        dcc.Markdown(WHY_GATES, id=ids.WHY_GATES, className="small"),
        html.Details([html.Summary("The algebra: the Jacobian of a step", className="small fw-semibold"),
                      dcc.Markdown(WHY_GATES_ALGEBRA, mathjax=True, className="small")]),
        html.Details([html.Summary("Pitfalls worth trying here", className="small fw-semibold"),
                      dcc.Markdown(PITFALLS, id=ids.PITFALLS, mathjax=True, className="small")]),
    ])


def equations_layout() -> dcc.Markdown:
    return dcc.Markdown(LSTM_EQUATIONS, id=ids.EQUATIONS, mathjax=True, className="small")


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(Output(ids.EQUATIONS, "children"), *shown.inputs(shown.CURRENT), *shown.TAB)
    def show_equations(current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        return EQUATIONS[run.config.cell] if run is not None else LSTM_EQUATIONS
