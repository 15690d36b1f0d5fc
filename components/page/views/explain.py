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
**Why gates.** A plain RNN computes $h_t = \tanh(W x_t + U h_{t-1})$. Backpropagating
through $T$ steps multiplies the gradient by the Jacobian
$\partial h_t / \partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\, U$ once per step, so
it shrinks or grows roughly like $\lVert U \rVert^T$: over a 60-step window it
*vanishes* (the model cannot learn long patterns) or *explodes* (training jumps
about). Gates let the model choose, step by step, what to keep, what to
overwrite and what to expose, and the additive cell update gives the gradient a
path that is not squashed at every step.

**Pitfalls worth trying here.**
- *Unscaled data*: Gatelab standardizes with the train part's mean and standard
  deviation only; the test part must not leak into training.
- *No clipping*: set "Clip gradient norm" to 0 and raise the learning rate; watch
  the gradient norm (tick it above the loss curve) spike.
- *A window shorter than the season*: with a period of 50 and L = 20, the model
  never sees a whole cycle.
- *A shuffled split*: Gatelab splits by time; shuffling would put future points
  in training and flatter the test error.
- *Levels on a trending series*: with inputs "levels (plain)" the test part lies
  above anything seen in training, and the model, unable to extrapolate, loses
  to persistence. "Detrended" (the default) takes away a line fit to the train
  part; "differences" predicts the change from the last value.
- *Overfitting*: raise the hidden size and the epochs, then set a **dropout** of
  0.2 to 0.5: while training, each unit of the last hidden state is dropped at
  random (the rest scaled up by $1/(1-p)$), so the head cannot lean on any one
  unit; at prediction time nothing is dropped. Compare the test MSE and the
  rollout MSE of the two runs in the runs table. A **validation fraction**
  stops training when the held-out end of the train part stops improving.
- *Rollout drift*: fed its own forecasts, the model's errors compound; compare
  the rollout with the one-step forecasts. With "differences" the rollout adds up
  the small biases of its own smooth forecasts and wanders off: try it.
"""


def layout() -> html.Div:
    """Why gates, and the pitfalls to try one click away (a lesson fits its screen)."""
    why, pitfalls = WHY_GATES.split("**Pitfalls worth trying here.**")
    return html.Div([
        dcc.Markdown(why, id=ids.WHY_GATES, mathjax=True, className="small"),
        html.Details([html.Summary("Pitfalls worth trying here", className="small fw-semibold"),
                      dcc.Markdown(pitfalls, id=ids.PITFALLS, mathjax=True, className="small")]),
    ])


def equations_layout() -> dcc.Markdown:
    return dcc.Markdown(LSTM_EQUATIONS, id=ids.EQUATIONS, mathjax=True, className="small")


def register(app: Dash, services: Services) -> None:
    library = services.library

    @app.callback(Output(ids.EQUATIONS, "children"), *shown.inputs(shown.CURRENT), *shown.TAB)
    def show_equations(current_id, store, tab):
        _, run = shown.current(library, tab, store, current_id)
        return EQUATIONS[run.config.cell] if run is not None else LSTM_EQUATIONS
