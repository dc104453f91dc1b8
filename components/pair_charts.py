"""Figure builders for one pair of countries: cooperation against conflict over time (pure plotly, no Streamlit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

COOPERATION = "#1b7837"
CONFLICT = "#b2182b"


def balance_chart(df: pd.DataFrame, *, title: str | None = None, freq: str = "month") -> go.Figure:
    """Bars of cooperation (up) and conflict (down) sentences per period with the balance as a line
    (df from the relation_balance query: period, cooperation, conflict, balance)."""
    fmt = "%b %Y" if freq == "month" else "%d %b %Y"
    labels = [p.strftime(fmt) for p in pd.to_datetime(df["period"])]
    fig = go.Figure()
    fig.add_bar(x=labels, y=df["cooperation"], name="Cooperation", marker_color=COOPERATION,
                hovertemplate="%{x}: %{y} cooperation<extra></extra>")
    fig.add_bar(x=labels, y=-df["conflict"], name="Conflict", marker_color=CONFLICT,
                customdata=df["conflict"], hovertemplate="%{x}: %{customdata} conflict<extra></extra>")
    fig.add_scatter(x=labels, y=df["balance"], name="Balance (cooperation − conflict)", mode="lines+markers",
                    line=dict(color="#333333", width=2), hovertemplate="%{x}: balance %{y}<extra></extra>")
    fig.update_layout(barmode="relative", height=320, margin=dict(l=10, r=10, t=50 if title else 20, b=10),
                      title=dict(text=title) if title else None, legend=dict(orientation="h", y=-0.2),
                      yaxis=dict(title="Sentences", zeroline=True, zerolinecolor="#888", automargin=True),
                      xaxis=dict(type="category", automargin=True), plot_bgcolor="white")
    return fig
