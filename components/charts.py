"""Pure plotly figure builders: a DataFrame from geolens.aggregations in, a Figure out (no Streamlit here)."""

from __future__ import annotations

import html
import math
import textwrap

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from components.palette import (
    CONTINENT_COLORS,
    CONTINENT_NAMES,
    MAP_SCALE,
    OTHER,
    SEQUENTIAL,
    country_color,
    theme_color,
    theme_short,
)
from geolens.names import country_continent

# plotly.js fetches a base-map topology from its CDN for every geo plot; the map brings its own shapes
# (GeoJSON), so point that fetch at an empty inline topology: no network, no failed request, no blank map.
NO_TOPOJSON_URL = 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, *, height: int, title: str | None = None, left: int = 10) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=left, r=10, t=40 if title else 10, b=10),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)) if title else None,
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel=dict(font_size=13),
    )
    return fig


def _count_ticks(max_value) -> dict:
    """Axis options for counts: whole numbers only, one tick per unit when the counts are small."""
    opts = dict(tickformat=",d")
    try:
        if float(max_value) <= 6:
            opts["dtick"] = 1
    except (TypeError, ValueError):
        pass
    return opts


def _wrap(text: str, width: int = 70, max_lines: int = 6) -> str:
    lines = textwrap.wrap(str(text), width=width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    return "<br>".join(lines)


def top_with_ties(df: pd.DataFrame, value: str, top: int, *, max_extra: int = 10,
                  noun: tuple[str, str] = ("country", "countries"), order: str = "name") -> tuple[pd.DataFrame, str]:
    """The `top` rows by `value`, plus every row tied with the last one when that adds at most `max_extra` rows.

    Returns the rows (largest first, ties alphabetical) and a note saying how a tie at the cut was handled ("" when
    the cut falls between two different values): a cut that silently drops equal rows misleads the reader.
    """
    d = df.sort_values([value, order], ascending=[False, True], kind="stable")
    if len(d) <= top or top <= 0:
        return d, ""
    cut = d[value].iloc[top - 1]
    if d[value].iloc[top] != cut:
        return d.head(top), ""
    tied = int((d[value] == cut).sum())
    above = int((d[value] > cut).sum())
    unit = value if value in ("articles", "mentions") else ""
    what = f"{int(cut):,} {unit}".strip() if float(cut).is_integer() else f"{cut:g} {unit}".strip()
    if above + tied <= top + max_extra:
        return d.head(above + tied), f"{tied} {noun[1]} tie at {what}: all shown."
    shown = top - above
    return d.head(top), f"{tied} {noun[1]} tie at {what}: {shown} shown (A–Z), {tied - shown} more not shown."


def _note(fig: go.Figure, note: str, width: int = 90) -> None:
    """Put a note under the title (as a subtitle, wrapped at `width` characters) and in layout.meta for the page."""
    if not note:
        return
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "note": note})
    lines = textwrap.wrap(note, width=width) or [note]
    text = "<br>".join(html.escape(line) for line in lines)
    if fig.layout.title.text:
        fig.update_layout(title_subtitle=dict(text=text, font=dict(size=12, color="#555555")))
        fig.update_layout(margin_t=(fig.layout.margin.t or 10) + 18 * len(lines) + 2)
    else:
        fig.add_annotation(text=text, x=0, xref="paper", y=1, yref="paper", yanchor="bottom", align="left",
                           xanchor="left", showarrow=False, font=dict(size=12, color="#555555"))
        fig.update_layout(margin_t=(fig.layout.margin.t or 10) + 18 * len(lines) + 4)


def country_bar(df: pd.DataFrame, *, top: int = 15, value: str = "articles", title: str | None = None,
                max_ties: int = 10) -> go.Figure:
    """Horizontal bars of the top countries by `value` (articles or mentions), coloured by continent.

    Countries tied with the last one are shown too (up to `max_ties` more bars), and a note under the title says
    so; the note is also in `fig.layout.meta["note"]`. df comes from the country_counts query.
    """
    d, note = top_with_ties(df, value, top, max_extra=max_ties)
    d = d.iloc[::-1]
    fig = go.Figure()
    for cont in dict.fromkeys(d["continent"].fillna("")):
        part = d[d["continent"].fillna("") == cont]
        fig.add_bar(
            x=part[value],
            # Long names ("Democratic Republic of the Congo") are cut: in a half column they pushed off the left.
            y=[_ellipsis(n, 22) for n in part["name"]],
            orientation="h",
            name=CONTINENT_NAMES.get(cont, cont),
            marker_color=CONTINENT_COLORS.get(cont, CONTINENT_COLORS[""]),
            text=[f"{int(v):,}" for v in part[value]],
            textposition="outside",
            cliponaxis=False,
            customdata=np.column_stack([part["country"].to_numpy(), part["articles"].to_numpy(),
                                        part["mentions"].to_numpy(),
                                        [html.escape(str(n)) for n in part["name"]]]),
            hovertemplate="<b>%{customdata[3]}</b> (%{customdata[0]})<br>%{customdata[1]} articles, "
            "%{customdata[2]} mentions<extra></extra>",
        )
    vmax = float(d[value].max()) if len(d) else 0.0
    fig.update_yaxes(categoryorder="array", categoryarray=[_ellipsis(n, 22) for n in d["name"]], automargin=True)
    # A short axis title: a long one, centred under a narrow plot, is cut at both ends in a half-width column.
    axis = "Articles" if value == "articles" else "Mentions"
    fig.update_xaxes(title=axis, gridcolor="#EEEEEE", range=[0, max(vmax, 1) * 1.12],
                     **_count_ticks(vmax))
    height = max(240, 26 * len(d) + 90)
    fig = _layout(fig, height=height, title=title)
    # The continent legend goes under the axis title (about 60 px below the plot), where it can wrap on a
    # narrow window without covering the title or the bars; plotly grows the bottom margin to fit it.
    plot_h = height - (40 if title else 10) - 70
    fig.update_layout(
        barmode="stack",
        margin=dict(r=36),
        legend=dict(orientation="h", x=0, xanchor="left", y=-60 / max(plot_h, 60), yanchor="top",
                    title=dict(text="Continent:"), font=dict(size=12)),
    )
    _note(fig, note)
    return fig


def theme_bar(df: pd.DataFrame, *, value: str = "articles", title: str | None = None) -> go.Figure:
    """Horizontal bars of themes in their own colours (df from the theme_counts query).

    `value` is "articles", "share" (drawn as percent), "cues" (cue words found) or "confidence" (0-1, for a
    single article: how sure the tagger is of each theme).
    """
    d = df.sort_values(value, ascending=False, kind="stable").iloc[::-1]
    is_share = value == "share"
    is_conf = value == "confidence"
    x = d[value] * 100 if is_share else d[value]
    # Long names break onto two lines so that a half-width column at 1000 px shows them whole.
    names = [_wrap(n, width=20, max_lines=2) for n in d["name"]]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=names,
            orientation="h",
            marker_color=[theme_color(t) for t in d["theme"]],
            marker_line=dict(color="#444444", width=0.5),
            customdata=d[["theme", "articles", "share"]].assign(share=d["share"] * 100).to_numpy(),
            text=[_share_label(v) if is_share else f"{v:.2f}" if is_conf else f"{int(v):,}" for v in x],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="<b>%{y}</b><br>%{customdata[1]} articles (%{customdata[2]:.1f}% of the selection)"
            "<extra></extra>",
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=names, automargin=True)
    fig.update_xaxes(
        # Short titles: a long one, centred under a narrow plot, is cut at both ends in a half-width column.
        title={"share": "Share of articles (%)", "cues": "Cue words found", "confidence": "Confidence (0–1)"}.get(
            value, "Articles"),
        gridcolor="#EEEEEE",
        rangemode="tozero",
        range=[0, 1.15 if is_conf else float(x.max()) * 1.15 if len(x) else 1],
        **({} if is_share or is_conf else _count_ticks(x.max() if len(x) else 0)),
    )
    # No minimum beyond the axis and title: one or two themes get slim bars, not slabs.
    rows = sum(2 if "<br>" in n else 1 for n in names)
    fig = _layout(fig, height=20 * rows + 8 * len(d) + (110 if title else 80), title=title)
    fig.update_layout(margin=dict(r=36))  # the value labels outside the longest bar stay inside the figure
    return fig


def _share_label(percent: float) -> str:
    """'41%', '4.2%', '0.3%': small shares keep a decimal so a single article never reads as 0%."""
    return f"{percent:.0f}%" if percent >= 10 or percent == 0 else f"{percent:.1f}%"


def theme_country_heatmap(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Countries x themes, cell = articles with both (df from the theme_country_matrix query).

    Columns carry the themes' short labels (data/theme_families.yaml) so they fit flat or slightly turned at
    1000 px; the hover gives the full theme name.
    """
    countries = list(dict.fromkeys(df["country_name"]))
    theme_order = df.groupby("theme_name")["articles"].sum().sort_values(ascending=False).index.tolist()
    ids = dict(zip(df["theme_name"], df["theme"], strict=False))
    z = df.pivot_table(index="country_name", columns="theme_name", values="articles", aggfunc="sum", fill_value=0)
    z = z.reindex(index=countries, columns=theme_order, fill_value=0)
    short = [theme_short(ids.get(n), n) for n in z.columns]
    full = np.array([[html.escape(str(n)) for n in z.columns]] * len(z.index), dtype=object).reshape(z.shape)
    isos = dict(zip(df["country_name"], df["country"], strict=False))
    # customdata per cell: [theme name, country name, theme id, ISO3]: the ids let a click open the cell's excerpts.
    theme_ids = np.array([[str(ids.get(n, "")) for n in z.columns]] * len(z.index), dtype=object).reshape(z.shape)
    country_ids = np.array([[str(isos.get(c, ""))] * z.shape[1] for c in z.index], dtype=object).reshape(z.shape)
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=short,
            y=[_ellipsis(c, 22) for c in z.index],
            customdata=np.dstack([full, np.array([[html.escape(str(c))] * z.shape[1] for c in z.index],
                                                 dtype=object).reshape(z.shape), theme_ids, country_ids])
            if z.size else None,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=max(1, int(z.to_numpy().max())) if z.size else 1,
            xgap=2,
            ygap=2,
            colorbar=dict(title="Articles", thickness=12, **_count_ticks(z.to_numpy().max() if z.size else 0)),
            # Empty cells stay blank: a grid of zeros hides the few pairs that matter.
            text=np.where(z.to_numpy() > 0, z.to_numpy().astype(str), ""),
            texttemplate="%{text}",
            hovertemplate="<b>%{customdata[1]}</b> × %{customdata[0]}<br>%{z} articles<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    # Labels stay flat when they fit and turn only as far as needed to stop overlapping (narrow windows).
    fig.update_xaxes(autotickangles=[0, -35, -60, -90], automargin=True, side="bottom")
    return _layout(fig, height=max(280, 28 * len(countries) + 150), title=title)


def _ellipsis(text, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis (the full text stays in the hover)."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _subset(world: dict, ids) -> dict:
    """The features of `world` with the given ids: each trace ships only the shapes it draws."""
    want = set(map(str, ids))
    return {"type": "FeatureCollection", "features": [f for f in world["features"] if f["id"] in want]}


def _plural(n, word: str) -> str:
    """'1 article', '2 articles', '1,234 mentions'."""
    n = int(n)
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _country_hover(d: pd.DataFrame) -> list[str]:
    """Hover text per country row: escaped name, articles and mentions with the right plural."""
    return [f"<b>{html.escape(str(n))}</b><br>{_plural(a, 'article')}, {_plural(m, 'mention')}"
            for n, a, m in zip(d["name"], d["articles"], d["mentions"], strict=True)]


# Views the map can jump to (centre lon, lat and zoom of the natural-earth projection).
MAP_VIEWS: dict[str, tuple[float, float, float]] = {
    "World": (10.0, 12.0, 1.0),
    "Europe": (15.0, 52.0, 4.0),
    "Mideast": (45.0, 28.0, 4.0),
    "E. Asia": (120.0, 32.0, 3.2),
    "S. Asia": (80.0, 20.0, 3.5),
    "Africa": (18.0, 2.0, 2.4),
    "Americas": (-80.0, 10.0, 1.7),
}


def choropleth(df: pd.DataFrame, *, world: dict, points: list[tuple[str, float, float]] | None = None,
               selected: tuple[str, ...] = (), value: str = "articles", height: int = 430) -> go.Figure:
    """World map of countries by articles mentioning them (df from the country_counts query).

    `world` is GeoJSON whose feature ids are ISO3 codes (components.geo.world_geojson): the shapes travel with
    the figure, so plotly needs no base map from the internet. Countries without a mention are drawn grey.
    `points` (iso3, lat, lon) places countries too small for a shape as dots in the same colours; they answer
    the pointer only when it is on them, so they never take a hover or a click meant for a neighbour. Buttons
    above the map zoom to a region; the pointer pans.
    """
    ids = [f["id"] for f in world["features"]]
    fig = go.Figure(
        go.Choropleth(
            geojson=world,
            locations=ids,
            z=[0] * len(ids),
            featureidkey="id",
            colorscale=[[0, "#E9E9E9"], [1, "#E9E9E9"]],
            showscale=False,
            marker_line_color="#FFFFFF",
            marker_line_width=0.5,
            hoverinfo="skip",
            name="world",
        )
    )
    counts = df[value].astype(float).clip(lower=1)
    vmax = max(1, int(df[value].max())) if len(df) else 1
    distinct = df[value].nunique() if len(df) else 0
    # Heavy-tailed counts (one superpower in most articles) are coloured on a log scale labelled with real values;
    # under 10 a linear scale with one tick per count reads better, and a single value needs no scale at all.
    log = vmax >= 10
    if log:
        z = np.log10(counts)
        zmax = float(np.log10(vmax))
        ticks = [v for v in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if v <= vmax]
        tickvals = np.log10(ticks).tolist()
    else:
        z = counts
        zmax = float(max(vmax, 2))
        ticks = list(range(1, vmax + 1))
        tickvals = ticks
    zmin = 0.0
    fig.add_trace(
        go.Choropleth(
            geojson=_subset(world, df["country"]),
            featureidkey="id",
            locations=df["country"],
            z=z,
            zmin=zmin,
            zmax=zmax,
            colorscale=MAP_SCALE,
            marker_line_color="#555555",
            marker_line_width=0.5,
            showscale=distinct > 1,
            # A horizontal colour bar under the map: the map is width-bound in a narrow column, and a bar at its
            # side would cover the Pacific and take width from the shapes.
            colorbar=dict(title=dict(text=value.capitalize(), side="right"), orientation="h", thickness=10, len=0.5,
                          x=0, xanchor="left", y=0, yanchor="top", tickangle=0, tickvals=tickvals,
                          ticktext=[f"{t:,}" for t in ticks]),
            customdata=df[["name", "articles", "mentions", "country"]].to_numpy(),
            hovertext=_country_hover(df),
            hovertemplate="%{hovertext}<extra></extra>",
            name="countries",
        )
    )
    dots = pd.DataFrame(points or [], columns=["country", "lat", "lon"]).merge(df, on="country")
    if len(dots):
        dz = dots[value].astype(float).clip(lower=1)
        fig.add_trace(
            go.Scattergeo(
                lat=dots["lat"],
                lon=dots["lon"],
                mode="markers",
                marker=dict(
                    size=8,
                    color=np.log10(dz) if log else dz,
                    cmin=zmin,
                    cmax=zmax,
                    colorscale=MAP_SCALE,
                    line=dict(color=["#D55E00" if c in selected else "#555555" for c in dots["country"]],
                              width=[2.5 if c in selected else 0.8 for c in dots["country"]]),
                ),
                customdata=dots[["name", "articles", "mentions", "country"]].to_numpy(),
                hovertext=_country_hover(dots),
                hovertemplate="%{hovertext}<extra></extra>",
                name="small countries",
                showlegend=False,
            )
        )
    sel = df[df["country"].isin(selected)]
    if len(sel):
        # Outline the filtered countries so the current filter is visible on the map itself.
        fig.add_trace(
            go.Choropleth(
                geojson=_subset(world, sel["country"]),
                featureidkey="id",
                locations=sel["country"],
                z=[1] * len(sel),
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                showscale=False,
                marker_line_color="#D55E00",
                marker_line_width=2.5,
                hoverinfo="skip",
                name="selected",
            )
        )
    fig.update_geos(
        visible=False,
        showframe=False,
        projection_type="natural earth",
        lataxis_range=[-58, 85],
        domain=dict(x=[0, 1], y=[0, 1]),
    )
    buttons = [dict(label=name, method="relayout",
                    args=[{"geo.center.lon": lon, "geo.center.lat": lat, "geo.projection.scale": scale}])
               for name, (lon, lat, scale) in MAP_VIEWS.items()]
    fig.update_layout(
        clickmode="event+select",
        dragmode="pan",
        # A dot answers the pointer only within 2 px of its edge: with the default 20 px, the Vatican's dot took
        # hovers and clicks meant for Germany (a country without articles has no hover of its own).
        hoverdistance=2,
        updatemenus=[dict(type="buttons", direction="right", buttons=buttons, x=0, xanchor="left", y=1.0,
                          yanchor="bottom", pad=dict(t=0, b=4), showactive=True, font=dict(size=11),
                          bgcolor="#F4F4F4", bordercolor="#CCCCCC")],
    )
    fig = _layout(fig, height=height)
    fig.update_layout(margin=dict(l=0, r=0, t=34, b=44))
    if distinct == 1:
        # One value everywhere: a colour scale would have a single stop, so say it in words instead.
        note = f"Every country on the map: {_plural(df[value].iloc[0], value[:-1])}."
        fig.update_layout(meta={"note": note})
        fig.add_annotation(text=note, x=0, xref="paper", y=0, yref="paper", xanchor="left", yanchor="bottom",
                           showarrow=False, font=dict(size=12, color="#555555"), bgcolor="rgba(255,255,255,0.8)")
    return fig


def isolated_periods(totals: pd.Series, *, freq: str = "month", min_gap: int | None = None,
                     max_share: float = 0.1, max_articles: int = 3) -> list[pd.Timestamp]:
    """Periods at either end of the timeline cut off from the rest by a long empty gap and holding few articles.

    Rule: an end run of periods is isolated when the gap between it and the next dated period is at least
    `min_gap` empty periods (12 months or 26 weeks by default) and it holds at most `max_articles` articles and at
    most `max_share` of all. Such stray dates (a typo, a future-dated page) would otherwise stretch the axis and
    squeeze the real data; the chart leaves them off and says so.
    """
    if len(totals) < 2:
        return []
    gap = min_gap if min_gap is not None else (26 if freq == "week" else 12)
    step = pd.Timedelta(days=7) if freq == "week" else pd.Timedelta(days=30.44)
    t = totals.sort_index()
    periods, counts = list(t.index), list(t.to_numpy())
    total = float(sum(counts))
    out: list[pd.Timestamp] = []
    lo, hi = 0, len(periods) - 1
    for _ in range(len(periods)):
        changed = False
        for end in ("left", "right"):
            if hi - lo < 1:
                break
            # The end run: consecutive periods from the end up to the first long gap.
            idx = range(lo, hi) if end == "left" else range(hi, lo, -1)
            run = []
            for i in idx:
                run.append(i)
                nxt = i + 1 if end == "left" else i - 1
                empty = abs((periods[nxt] - periods[i]) / step) - 1
                if empty >= gap:
                    n = sum(counts[j] for j in run)
                    if n <= max_articles and n <= max_share * total:
                        out.extend(periods[j] for j in run)
                        lo, hi = (i + 1, hi) if end == "left" else (lo, i - 1)
                        changed = True
                    break
        if not changed:
            break
    return sorted(out)


def _period_ticks(periods: list[pd.Timestamp], freq: str, max_ticks: int = 12) -> tuple[list, list[str]]:
    """Tick positions and labels: exactly the periods (thinned to at most `max_ticks`), never clock times."""
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    step = max(1, math.ceil(len(periods) / max_ticks))
    vals = periods[::step]
    return vals, [p.strftime(fmt) for p in vals]


def theme_volume_chart(df: pd.DataFrame, *, freq: str = "month", title: str | None = None,
                       drop_isolated: bool = True) -> go.Figure:
    """Stacked bars of articles per period and theme (df from the theme_volume query).

    Ticks name the periods themselves (one month reads "Sep 2020", not a clock time). Stray periods far from the
    rest (isolated_periods) are left off the axis, and a note under the title says how many articles that hides;
    the note is also in `fig.layout.meta["note"]`.
    """
    df = df.assign(period=pd.to_datetime(df["period"]))
    note = ""
    if drop_isolated and len(df):
        # An article with several themes is in several rows: the largest theme of a period is a lower bound on its
        # articles, the sum an upper bound; the note says "at least" when they differ.
        lower = df.groupby("period")["articles"].max()
        hidden = isolated_periods(lower, freq=freq)
        if hidden:
            fmt = "%d %b %Y" if freq == "week" else "%b %Y"
            part = df[df["period"].isin(hidden)]
            n = int(lower[hidden].sum())
            at_least = "at least " if int(part["articles"].sum()) > n else ""
            when = ", ".join(p.strftime(fmt) for p in hidden[:3]) + (" …" if len(hidden) > 3 else "")
            note = (f"Not shown: {at_least}{n} article{'s' if n != 1 else ''} dated {when}, "
                    "isolated from the rest of the timeline.")
            df = df[~df["period"].isin(hidden)]
    fig = go.Figure()
    totals = df.groupby("theme")["articles"].sum().sort_values(ascending=False)
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    # Bars get an explicit width and sit in the middle of their period: plotly derives a bar's width from the
    # spacing of the x values, and a single period would give a bar one millisecond wide.
    length = pd.Timedelta(days=7) if freq == "week" else pd.Timedelta(days=30.44)
    for theme in totals.index:
        part = df[df["theme"] == theme]
        fig.add_bar(
            x=part["period"] + length / 2,
            y=part["articles"],
            width=0.85 * length.total_seconds() * 1000,
            name=str(part["name"].iloc[0]),
            marker_color=theme_color(theme),
            customdata=[theme] * len(part),
            text=[p.strftime(fmt) for p in part["period"]],
            textposition="none",
            hovertemplate=f"<b>%{{fullData.name}}</b><br>{'Week of ' if freq == 'week' else ''}"
            "%{text}: %{y} articles<extra></extra>",
        )
    n_rows = math.ceil(len(totals) / 2)
    fig.update_layout(
        barmode="stack",
        # Legend in the order of the bars' totals (plotly reverses it for stacked bars by default), anchored to
        # the bottom of the figure with room reserved for it, so it never runs into the axis title.
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, title=None, font=dict(size=12),
                    traceorder="normal"),
    )
    periods = [pd.Timestamp(p) for p in sorted(df["period"].unique())]
    vals, labels = _period_ticks(periods, freq)
    vals = [v + length / 2 for v in vals]
    xrange = [periods[0] - length * 0.2, periods[-1] + length * 1.2] if periods else None
    fig.update_xaxes(title="Week starting" if freq == "week" else "Month", gridcolor="#EEEEEE", type="date",
                     tickmode="array", tickvals=vals, ticktext=labels, range=xrange)
    fig.update_yaxes(title="Articles (stacked by theme)", gridcolor="#EEEEEE", rangemode="tozero")
    fig = _layout(fig, height=360 + 21 * n_rows, title=title)
    fig.update_layout(margin_b=90 + 21 * n_rows)
    _note(fig, note)
    return fig


def cue_bar(df: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Top cue words per theme as horizontal bars in the theme's colour (df from the top_cues query).

    Each label is the cue and the theme's short label, cut to fit a half-width column at 1000 px; the hover gives
    the cue and the full theme name.
    """
    d = df.iloc[::-1]
    labels = [f"{html.escape(_ellipsis(cue, 16))}  <span style='color:#777'>"
              f"({html.escape(theme_short(tid, str(name)))})</span>"
              for cue, tid, name in zip(d["cue"], d["theme"], d["name"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=d["hits"],
            y=list(range(len(d))),
            orientation="h",
            marker_color=[theme_color(t) for t in d["theme"]],
            marker_line=dict(color="#444444", width=0.5),
            customdata=np.column_stack([[html.escape(str(v)) for v in d["name"]], d["articles"].to_numpy(),
                                        [html.escape(str(v)) for v in d["cue"]]]) if len(d) else None,
            hovertemplate="<b>%{customdata[2]}</b> — %{customdata[0]}<br>%{x} hits in %{customdata[1]} articles"
            "<extra></extra>",
        )
    )
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(d))), ticktext=labels, automargin=True)
    fig.update_xaxes(title="Cue hits", gridcolor="#EEEEEE", rangemode="tozero")
    return _layout(fig, height=max(240, 22 * len(d) + 70), title=title)


def network_layout(edges: pd.DataFrame, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Node positions for a co-mention network, deterministic.

    Each connected component gets its own spring layout (a single layout flings small components to the
    edges and squeezes the big one); the largest sits on the left, the others are stacked in a column
    to its right, each scaled by its size.
    """
    g = nx.Graph()
    for row in edges.itertuples(index=False):
        g.add_edge(row.source, row.target, weight=float(row.sentences))
    if g.number_of_nodes() == 0:
        return {}
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
    pos: dict[str, tuple[float, float]] = {}
    n_max = len(comps[0])
    y_next, col_x = 1.0, 1.45
    for i, nodes in enumerate(comps):
        sub = g.subgraph(nodes)
        if len(nodes) == 1:
            raw = {nodes[0]: (0.0, 0.0)}
        else:
            k = 1.8 / math.sqrt(len(nodes))
            raw = nx.spring_layout(sub, weight=None, seed=seed, k=k, iterations=150)
        xs = [p[0] for p in raw.values()]
        ys = [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        scale = 2.0 * math.sqrt(len(nodes) / n_max) / span if len(nodes) > 1 else 0.0
        scale = min(scale, 0.6 / span) if i > 0 else scale
        if i == 0:
            ox, oy = 0.0, 0.0
        else:
            h = max(0.25, (max(ys) - min(ys)) * scale)
            ox, oy = col_x, y_next - h / 2
            y_next -= h + 0.3
            if y_next < -1.2:  # next column
                y_next, col_x = 1.0, col_x + 0.9
        for n, (x, y) in raw.items():
            pos[n] = (ox + (x - cx) * scale, oy + (y - cy) * scale)
    return pos


QUAD_CLASSES = ("material_conflict", "verbal_conflict", "verbal_cooperation", "material_cooperation")
QUAD_LABELS = {"material_conflict": "Material conflict", "verbal_conflict": "Verbal conflict",
               "verbal_cooperation": "Verbal cooperation", "material_cooperation": "Material cooperation"}
# Diverging conflict -> cooperation scale (ColorBrewer RdBu ends, safe for red-green colour blindness), with a
# mid grey dark enough for a line on white.
BALANCE_SCALE = [[0.0, "#B2182B"], [0.25, "#E07A5F"], [0.5, "#A0A0A0"], [0.75, "#5A9BD4"], [1.0, "#2166AC"]]
_NET_PLOT_H = 520  # height of the drawing itself, in px; the legend gets its own room below


def prune_edges(edges: pd.DataFrame, max_drawn: int) -> tuple[pd.DataFrame, str]:
    """The `max_drawn` strongest edges (by sentences, then names) and a note saying what was left undrawn."""
    if len(edges) <= max_drawn:
        return edges, ""
    kept = edges.sort_values(["sentences", "source", "target"], ascending=[False, True, True]).head(max_drawn)
    least = int(kept["sentences"].min())
    return kept, (f"Drawn: the {max_drawn} strongest of {len(edges)} links ({least}+ sentences each); "
                  "every link is in the table below.")


def _balance(row) -> float | None:
    """(cooperation - conflict) / (cooperation + conflict) sentences of an edge, or None without either."""
    coop = float(row["verbal_cooperation"]) + float(row["material_cooperation"])
    conf = float(row["verbal_conflict"]) + float(row["material_conflict"])
    return (coop - conf) / (coop + conf) if coop + conf > 0 else None


def _balance_color(b: float | None) -> str:
    """The colour of a balance in [-1, 1] on BALANCE_SCALE (grey for None)."""
    if b is None:
        return OTHER
    return sample_colorscale(BALANCE_SCALE, [(b + 1) / 2], colortype="rgb")[0]


def network(edges: pd.DataFrame, *, names: dict[str, str] | None = None, seed: int = 7,
            label_top: int = 40, max_drawn: int = 60, color_by: str = "theme") -> go.Figure:
    """Co-mention network (df from the co_mentions query): edge width = sentences, node colour = continent.

    Edge colour is the dominant theme (`color_by="theme"`), or the balance of cooperation against conflict
    (`color_by="balance"`, needing the per-edge sentence counts in columns material_conflict, verbal_conflict,
    verbal_cooperation, material_cooperation) on a diverging scale. Only the `max_drawn` strongest edges are
    drawn (a note says so, also in `fig.layout.meta["note"]`). Hovering an edge's midpoint shows its counts and
    an example sentence; labels have a white halo and sit above the edges, the busiest countries always named.
    """
    if color_by not in ("theme", "balance"):
        raise ValueError("color_by must be 'theme' or 'balance'")
    if color_by == "balance" and not set(QUAD_CLASSES) <= set(edges.columns):
        raise ValueError(f"color_by='balance' needs the columns {', '.join(QUAD_CLASSES)}")
    names = names or {}
    edges, note = prune_edges(edges, max_drawn)
    pos = network_layout(edges, seed=seed)
    fig = go.Figure()
    wmax = float(edges["sentences"].max()) if len(edges) else 1.0
    has_quads = set(QUAD_CLASSES) <= set(edges.columns)

    def _line(row, color: str, label: str) -> None:
        (x0, y0), (x1, y1) = pos[row["source"]], pos[row["target"]]
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines",
                                 line=dict(width=1 + 7 * row["sentences"] / wmax, color=color), opacity=0.8,
                                 hoverinfo="skip", name=label, showlegend=False))

    if color_by == "theme":
        # One legend entry per theme (edge colour = dominant theme).
        for theme, part in edges.groupby(edges["theme"].fillna(""), sort=False):
            color = theme_color(theme or None)
            label = str(part["theme_name"].iloc[0]) if theme else "No theme cue"
            for _, row in part.iterrows():
                _line(row, color, label)
            # The legend swatch has one width for every theme (a drawn edge's width is its sentence count).
            fig.add_trace(go.Scatter(
                x=[None], y=[None], mode="lines", line=dict(width=4, color=color), name=label,
                legendgroup="edges", legendgrouptitle_text="Edge colour: dominant theme", showlegend=True))
    else:
        for _, row in edges.iterrows():
            _line(row, _balance_color(_balance(row)), "edge")
        # The scale as a colour bar (a hidden marker carries it): conflict at the bottom, cooperation at the top.
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip", name="balance scale",
            marker=dict(color=[0], cmin=-1, cmax=1, colorscale=BALANCE_SCALE, showscale=True,
                        colorbar=dict(title=dict(text="Edge colour: conflict ↔ cooperation sentences", side="top",
                                                 font=dict(size=13)),
                                      orientation="h", thickness=10, len=0.4, x=0.93, xanchor="right",
                                      yref="container", y=0.02, yanchor="bottom", tickvals=[-1, 0, 1],
                                      ticktext=["conflict", "balanced", "cooperation"]))))
    # Invisible markers at edge midpoints carry the edge hover (plotly lines cannot hover between points).
    if len(edges):
        mids = edges.assign(
            x=[(pos[s][0] + pos[t][0]) / 2 for s, t in zip(edges["source"], edges["target"], strict=True)],
            y=[(pos[s][1] + pos[t][1]) / 2 for s, t in zip(edges["source"], edges["target"], strict=True)],
        )
        hover = []
        for _, r in mids.iterrows():
            tn = r["theme_name"]
            lines = [f"<b>{_plain(names.get(r['source'], r['source']))} – "
                     f"{_plain(names.get(r['target'], r['target']))}</b>",
                     _plural(r["sentences"], "sentence"),
                     f"Dominant theme: {_plain(tn) if isinstance(tn, str) and tn else '—'}"]
            if has_quads:
                lines.append(" · ".join(f"{QUAD_LABELS[q]}: {int(r[q])}" for q in QUAD_CLASSES))
            lines.append(f"<i>{_wrap(_plain(r['example']))}</i>")
            hover.append("<br>".join(lines))
        fig.add_trace(
            go.Scatter(
                x=mids["x"],
                y=mids["y"],
                mode="markers",
                marker=dict(size=14, color="rgba(0,0,0,0)"),
                hovertext=hover,
                hoverinfo="text",
                # The pair's ISO3 codes, so that a click on an edge can list its sentences.
                customdata=mids[["source", "target"]].astype(str).to_numpy(),
                showlegend=False,
                name="edges",
            )
        )
    # Nodes: size = sentences with any partner, colour = continent.
    strength: dict[str, int] = {}
    for s_, t, n in zip(edges["source"], edges["target"], edges["sentences"], strict=True):
        strength[s_] = strength.get(s_, 0) + int(n)
        strength[t] = strength.get(t, 0) + int(n)
    nodes = list(pos)
    smax = max(strength.values()) if strength else 1
    # Name only the busiest countries on the chart; every node still names itself on hover.
    labelled = set(sorted(nodes, key=lambda n: -strength[n])[:label_top])
    sizes = [12 + 26 * math.sqrt(strength[n] / smax) for n in nodes]
    texts, text_pos = _place_labels(
        pos, nodes, [names.get(n, n) if n in labelled else "" for n in nodes], sizes,
        priority=[strength[n] for n in nodes],
    )
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers+text",
            text=texts,
            textposition=text_pos,
            # A white halo keeps a label readable where edges run under it (labels are drawn above the edges).
            textfont=dict(size=11, color="#111111", shadow=LABEL_HALO),
            marker=dict(
                size=sizes,
                color=[country_color(n) for n in nodes],
                line=dict(color="#333333", width=1),
            ),
            customdata=[[n, strength[n], names.get(n, n)] for n in nodes],
            hovertemplate="<b>%{customdata[2]}</b> (%{customdata[0]})<br>%{customdata[1]} co-mention sentences"
            "<extra></extra>",
            showlegend=False,
            name="countries",
        )
    )
    # Legend entries for the node colours (continents present), after the edge colours.
    continents = sorted({country_continent(n) for n in nodes}, key=lambda c: CONTINENT_NAMES.get(c, c))
    for cont in continents:
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers",
                marker=dict(size=11, color=CONTINENT_COLORS.get(cont, CONTINENT_COLORS[""]),
                            line=dict(color="#333333", width=1)),
                name=CONTINENT_NAMES.get(cont, cont), legendgroup="continents",
                legendgrouptitle_text="Node colour: continent", showlegend=True,
            )
        )
    # The drawing stretches to the figure (a spring layout has no true aspect ratio) and keeps a margin
    # around it so that the outermost labels, which point outwards, are not cut at the edge.
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    padx = 0.2 * max(max(xs) - min(xs), 0.5)
    pady = 0.08 * max(max(ys) - min(ys), 0.5)
    fig.update_xaxes(visible=False, range=[min(xs) - padx, max(xs) + padx], fixedrange=True)
    fig.update_yaxes(visible=False, range=[min(ys) - pady, max(ys) + pady], fixedrange=True)
    # The legend runs under the drawing with room of its own, so the drawing keeps the same height at any width
    # (the label placement assumes it): one row per entry of the longer group, as on a narrow window.
    n_themes = edges["theme"].fillna("").nunique() if color_by == "theme" and len(edges) else 0
    legend_h = 40 + 19 * max(n_themes, len(continents))
    fig.update_layout(legend=dict(font=dict(size=12), groupclick="toggleitem", tracegroupgap=6, orientation="h",
                                  x=0, xanchor="left", yref="container", y=0, yanchor="bottom"),
                      hovermode="closest")
    fig = _layout(fig, height=_NET_PLOT_H + legend_h + 10)
    fig.update_layout(margin=dict(b=legend_h))
    if note:
        top = fig.layout.margin.t
        _note(fig, note)
        # The note's line is added to the figure, not taken from the drawing (the label placement assumes its height).
        fig.update_layout(height=fig.layout.height + fig.layout.margin.t - top)
    return fig


LABEL_HALO = "1px 1px 2px #fff, -1px -1px 2px #fff, 1px -1px 2px #fff, -1px 1px 2px #fff"


def _outward_positions(pos: dict[str, tuple[float, float]], nodes: list[str]) -> list[str]:
    """Put each node's label on the side facing away from the centre of the drawing.

    Labels then point outwards, away from the crowded hub and the edges running into it.
    """
    if not nodes:
        return []
    cx = sum(pos[n][0] for n in nodes) / len(nodes)
    cy = sum(pos[n][1] for n in nodes) / len(nodes)
    out = []
    for n in nodes:
        dx, dy = pos[n][0] - cx, pos[n][1] - cy
        if abs(dy) >= abs(dx):
            out.append("top center" if dy >= 0 else "bottom center")
        else:
            out.append("middle right" if dx > 0 else "middle left")
    return out


# Where a label may sit around its node, in the order tried after the outward side.
_LABEL_SIDES = ("top center", "bottom center", "middle right", "middle left",
                "top right", "top left", "bottom right", "bottom left")
# The span of the nodes in pixels as plotted, on the narrowest layout it must serve: a 1000 px window leaves the
# main column about 520 px (measured on the screenshots), of which the nodes take 1/1.4 (the x range has 20 % padding each side); the drawing is
# _NET_PLOT_H px high (the legend has its own room) less 10 px of margin, of which the nodes take 1/1.16. Wider
# windows only move labels apart. With the label font's metrics this tells whether two labels would overlap.
_NET_W, _NET_H, _CHAR_W, _LINE_H = 360.0, 440.0, 6.5, 14.0


def _label_box(x: float, y: float, r: float, side: str, w: float) -> tuple[float, float, float, float]:
    """Pixel box (x0, y0, x1, y1) of a label of width `w` on `side` of a node at (x, y) with radius `r`."""
    vert, horiz = side.split()
    if vert == "top":
        y0, y1 = y - r - 2 - _LINE_H, y - r - 2
    elif vert == "bottom":
        y0, y1 = y + r + 2, y + r + 2 + _LINE_H
    else:
        y0, y1 = y - _LINE_H / 2, y + _LINE_H / 2
    if horiz == "center":
        x0, x1 = x - w / 2, x + w / 2
    elif horiz == "right":
        x0 = x + (r + 3 if vert == "middle" else r * 0.5)
        x1 = x0 + w
    else:
        x1 = x - (r + 3 if vert == "middle" else r * 0.5)
        x0 = x1 - w
    return x0, y0, x1, y1


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_labels(pos: dict[str, tuple[float, float]], nodes: list[str], texts: list[str], sizes: list[float], *,
                  priority: list[float], always: int = 3) -> tuple[list[str], list[str]]:
    """Label positions that do not overlap each other or other nodes; a label with no free side is left off.

    The busiest countries are placed first and keep their outward side when it is free. The `always` busiest are
    named even in a crowd: on the side clear of other labels that covers the fewest nodes (the halo keeps them
    readable). A country whose label cannot fit anywhere still names itself on hover.
    """
    outward = _outward_positions(pos, nodes)
    if not nodes:
        return [], []
    xs = [pos[n][0] for n in nodes]
    ys = [pos[n][1] for n in nodes]
    xmin, xspan = min(xs), max(max(xs) - min(xs), 1e-9)
    ymin, yspan = min(ys), max(max(ys) - min(ys), 1e-9)
    px = [(x - xmin) / xspan * _NET_W for x in xs]
    py = [(1 - (y - ymin) / yspan) * _NET_H for y in ys]  # screen y grows downwards
    radius = [s / 2 for s in sizes]
    discs = [(px[i] - radius[i], py[i] - radius[i], px[i] + radius[i], py[i] + radius[i]) for i in range(len(nodes))]
    placed: list[tuple[float, float, float, float]] = []
    out_text, out_pos = list(texts), list(outward)
    order = sorted(range(len(nodes)), key=lambda k: -priority[k])
    for rank, i in enumerate(order):
        if not texts[i]:
            continue
        w = _CHAR_W * len(texts[i])
        sides = (outward[i], *[s for s in _LABEL_SIDES if s != outward[i]])
        best, best_cover = None, None
        for side in sides:
            box = _label_box(px[i], py[i], radius[i], side, w)
            if any(_overlaps(box, b) for b in placed):
                continue
            cover = sum(_overlaps(box, d) for j, d in enumerate(discs) if j != i)
            if cover == 0:
                best, best_cover = side, 0
                break
            if best_cover is None or cover < best_cover:
                best, best_cover = side, cover
        if best is not None and (best_cover == 0 or rank < always):
            out_pos[i] = best
            placed.append(_label_box(px[i], py[i], radius[i], best, w))
        else:
            out_text[i] = ""
    return out_text, out_pos


def _plain(text) -> str:
    """Text for a plotly hover label: plotly renders a small HTML subset, so escape markup characters."""
    return html.escape(str(text)) if isinstance(text, str) else ""


# Sides of a comparison (Compare page): Okabe-Ito blue and orange, apart for every common colour-vision type.
SIDE_COLORS = {"A": "#0072B2", "B": "#E69F00"}
# Lines for up to eight countries at once (their continent colours would repeat): Okabe-Ito, then Tol's dark grey.
SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#999933"]


def attention_chart(att: pd.DataFrame, *, names: dict[str, str] | None = None, kind: str = "theme",
                    freq: str = "month", top: int = 6, value: str = "share", title: str | None = None,
                    rule: str | None = None) -> go.Figure:
    """Attention over time per key (df from geolens.attention.attention): share of the period's articles (or the
    raw count), one line per key, spikes marked with a star; the hover gives both measures and the test.

    `kind` is "theme" (theme colours) or "country" (distinct series colours); the `top` keys by total count are
    drawn. The spike rule is stated under the title (`rule`, default geolens.attention.rule_text()).
    """
    from geolens.attention import rule_text

    names = names or {}
    fig = go.Figure()
    if att.empty:
        return _layout(fig, height=320, title=title)
    keys = att.groupby("key")["count"].sum().sort_values(ascending=False).head(top).index.tolist()
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    is_share = value == "share"
    for i, key in enumerate(keys):
        part = att[att["key"] == key].sort_values("period")
        color = theme_color(key) if kind == "theme" else SERIES_COLORS[i % len(SERIES_COLORS)]
        label = html.escape(str(names.get(key, key)))
        y = part["share"] * 100 if is_share else part["count"]
        hover = [f"<b>{label}</b> · {'week of ' if freq == 'week' else ''}{p:{fmt}}<br>"
                 f"{_plural(c, 'article')} of {int(t):,} ({s * 100:.1f}%)"
                 + (f"<br>Trailing baseline {b:.1f}" if b == b else "")
                 + (f"<br><b>Spike</b>: p = {pv:.2g}, q = {qv:.2g}" if sp else "")
                 for p, c, t, s, b, pv, qv, sp in zip(part["period"], part["count"], part["total"], part["share"],
                                                       part["baseline"], part["p_value"], part["q_value"],
                                                       part["spike"], strict=True)]
        fig.add_scatter(x=part["period"], y=y, mode="lines+markers", name=label, line=dict(color=color, width=2),
                        marker=dict(size=5, color=color), hovertext=hover, hoverinfo="text", legendgroup=key)
        spikes = part["spike"].to_numpy()
        if spikes.any():
            fig.add_scatter(x=part["period"][spikes], y=y[spikes], mode="markers", name=f"{label}: spike",
                            marker=dict(symbol="star", size=15, color=color, line=dict(color="#111111", width=1)),
                            hovertext=[h for h, s in zip(hover, spikes, strict=True) if s], hoverinfo="text",
                            legendgroup=key, showlegend=False)
    periods = [pd.Timestamp(p) for p in sorted(att["period"].unique())]
    vals, labels = _period_ticks(periods, freq)
    fig.update_xaxes(tickmode="array", tickvals=vals, ticktext=labels, gridcolor="#EEEEEE", type="date")
    fig.update_yaxes(title="Share of articles (%)" if is_share else "Articles", gridcolor="#EEEEEE",
                     rangemode="tozero", **({} if is_share else _count_ticks(att["count"].max())))
    n_rows = math.ceil(len(keys) / 2)
    fig.update_layout(legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, font=dict(size=12)),
                      hovermode="closest")
    fig = _layout(fig, height=340 + 21 * n_rows, title=title)
    fig.update_layout(margin_b=60 + 21 * n_rows)
    _note(fig, rule if rule is not None else "★ " + rule_text(short=True))
    return fig


def distinctive_chart(d: pd.DataFrame, *, label_a: str = "A", label_b: str = "B",
                      title: str | None = None) -> go.Figure:
    """Diverging bars of the terms most distinctive of each side (df from geolens.distinctive.distinctive):
    z-score to the right for A, to the left for B, each side in its colour; the hover gives the counts."""
    d = d.sort_values("z")
    terms = [_ellipsis(t, 28) for t in d["term"]]
    hover = [f"<b>{html.escape(str(t))}</b><br>{html.escape(label_a)}: {int(a):,} · {html.escape(label_b)}: "
             f"{int(b):,}<br>z = {z:+.1f} (weighted log-odds, informative Dirichlet prior)"
             for t, a, b, z in zip(d["term"], d["count_a"], d["count_b"], d["z"], strict=True)]
    fig = go.Figure(go.Bar(
        x=d["z"], y=list(range(len(d))), orientation="h",
        marker_color=[SIDE_COLORS["A"] if z > 0 else SIDE_COLORS["B"] for z in d["z"]],
        hovertext=hover, hoverinfo="text", showlegend=False,
    ))
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(d))),
                     ticktext=[html.escape(t) for t in terms], automargin=True)
    fig.update_xaxes(title=f"← {label_b}   z-score   {label_a} →", zeroline=True, zerolinecolor="#555555",
                     gridcolor="#EEEEEE")
    return _layout(fig, height=max(240, 20 * len(d) + 90), title=title)


def theme_share_compare(a: pd.DataFrame, b: pd.DataFrame, *, label_a: str = "A", label_b: str = "B",
                        title: str | None = None) -> go.Figure:
    """Each theme's share of side A's and side B's articles as two dots joined by a line, sorted by the
    difference (frames from the theme_counts query: theme, name, share); the hover gives the difference."""
    m = (a[["theme", "name", "share"]].merge(b[["theme", "name", "share"]], on=["theme", "name"], how="outer",
                                             suffixes=("_a", "_b")).fillna({"share_a": 0.0, "share_b": 0.0}))
    m = m.assign(diff=m["share_a"] - m["share_b"]).sort_values(["diff", "name"], ascending=[True, True])
    ys = [_wrap(n, width=22, max_lines=2) for n in m["name"]]
    fig = go.Figure()
    for ya, sa, sb in zip(ys, m["share_a"], m["share_b"], strict=True):
        fig.add_scatter(x=[sa * 100, sb * 100], y=[ya, ya], mode="lines", line=dict(color="#BBBBBB", width=3),
                        hoverinfo="skip", showlegend=False)
    for side, col, label in (("A", "share_a", label_a), ("B", "share_b", label_b)):
        fig.add_scatter(
            x=m[col] * 100, y=ys, mode="markers", name=html.escape(label),
            marker=dict(size=11, color=SIDE_COLORS[side], line=dict(color="#333333", width=0.5)),
            hovertext=[f"<b>{html.escape(str(n))}</b><br>{html.escape(label_a)}: {x * 100:.1f}% · "
                       f"{html.escape(label_b)}: {y * 100:.1f}%<br>Difference: {(x - y) * 100:+.1f} points"
                       for n, x, y in zip(m["name"], m["share_a"], m["share_b"], strict=True)],
            hoverinfo="text")
    fig.update_yaxes(categoryorder="array", categoryarray=ys, automargin=True)
    fig.update_xaxes(title="Share of articles (%)", rangemode="tozero", gridcolor="#EEEEEE")
    fig.update_layout(legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"))
    rows = sum(2 if "<br>" in y else 1 for y in ys)
    return _layout(fig, height=20 * rows + 8 * len(ys) + 110, title=title)
