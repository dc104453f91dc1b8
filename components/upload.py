"""Upload page pieces: files, pasted text or a URL -> analysed drafts shown at once -> saved on request."""

from __future__ import annotations

import html
import logging
from datetime import date

import pandas as pd
import streamlit as st

from components.highlight import STYLE, highlight, legend, md_escape, text_block, theme_chips
from components.palette import KIND_NAMES
from geolens import settings
from geolens.aggregations import article_countries
from geolens.drafts import (
    Draft,
    draft_from_text,
    drafts_from_bytes,
    drafts_from_url,
    mark_stored,
    save_drafts,
)
from geolens.ingest import (
    SUPPORTED,
    IngestError,
    check_size,
    clean_filename,
    max_bytes_default,
)
from geolens.names import theme_name
from geolens.store import Store, StoreBusy, StoreError
from geolens.tables import ArticleTables

_log = logging.getLogger(__name__)
NS = "upload"
ACCEPTED = ", ".join(sorted(s for s in SUPPORTED if s not in (".text", ".markdown", ".ndjson", ".xhtml")))
SHOWN_CHARS = 200_000  # the highlighted text is cut here so a huge article cannot flood the browser
KINDS = ("country", "person", "org", "place")


def _k(*parts: str) -> str:
    """A widget or session-state key in this page's namespace."""
    return ":".join((NS, *parts))


# -- limits the page states -----------------------------------------------------------------------


def upload_limit_bytes() -> int:
    """Per-file size limit: the smaller of server.maxUploadSize and geolens' own limit ($GEOLENS_MAX_MB)."""
    try:
        server_mb = int(st.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - the option always exists in a running app; be safe in tests
        server_mb = 200
    return min(server_mb * 1024 * 1024, max_bytes_default())


def upload_total_limit_bytes() -> int:
    """The limit on all files of one upload together ($GEOLENS_MAX_UPLOAD_TOTAL_MB, default 100 MB)."""
    return settings.max_upload_total_bytes()


def limits_text(max_bytes: int, total_bytes: int) -> str:
    """The upload limits as the page states them."""
    return f"Up to {_mb(max_bytes)} per file and {_mb(total_bytes)} for all the files of one upload together."


def _mb(n: int) -> str:
    return f"{n / 1048576:.3g} MB"


# -- safe HTML and Markdown -----------------------------------------------------------------------




def countries_frame(tables: ArticleTables) -> pd.DataFrame:
    """One row per country the article mentions: ISO3, name, mention count and the words used."""
    return article_countries(tables.frames())


def entities_frame(tables: ArticleTables) -> pd.DataFrame:
    """People, organisations and places other than countries, with their mention counts."""
    m = tables.mentions[tables.mentions["kind"] != "country"]
    if m.empty:
        return pd.DataFrame(columns=["entity", "kind", "country", "mentions"])
    df = m.groupby(["entity", "kind"], dropna=False).agg(country=("country", "first"), mentions=("start", "size"))
    return df.reset_index().sort_values(["mentions", "entity"], ascending=[False, True], ignore_index=True)


def evidence_html(tables: ArticleTables, theme: str, *, limit: int = 6) -> str:
    """The sentences behind a theme, cue words highlighted, escaped, as one HTML block."""
    hits = tables.themes[tables.themes["theme"] == theme]
    sents = tables.sentences.set_index("sent_idx")
    cards = []
    for sent_idx, grp in list(hits.groupby("sent_idx", sort=True))[:limit]:
        s = sents.loc[sent_idx]
        spans = [(int(h.start), int(h.end), "theme", f"cue: {h.cue}") for h in grp.itertuples(index=False)]
        cards.append(f'<div class="gl-card">{highlight(str(s["text"]), spans, offset=int(s["start"]))}</div>')
    more = hits["sent_idx"].nunique() - len(cards)
    tail = f"<div class='gl-meta'>… and {more} more sentence(s)</div>" if more > 0 else ""
    return "".join(cards) + tail


def themes_html(tables: ArticleTables) -> str:
    """Every theme of the article as a collapsible block (assigned first) holding its evidence sentences.

    One HTML element instead of an expander per theme keeps the page quick to draw in the browser.
    """
    at = tables.article_themes.sort_values(["assigned", "confidence", "score"], ascending=[False, False, False])
    blocks = []
    for row in at.itertuples(index=False):
        weak = "" if row.assigned else " <i>(weak: not assigned)</i>"
        chip = theme_chips([(row.theme, theme_name(row.theme))])
        blocks.append(
            f'<details class="gl-theme-block" data-theme="{html.escape(row.theme, quote=True)}">'
            f"<summary>{chip} confidence {float(row.confidence):.2f}, {int(row.n_cues)} cue(s){weak}</summary>"
            f"{evidence_html(tables, row.theme)}</details>"
        )
    return STYLE + "".join(blocks)


def mention_spans(tables: ArticleTables, *, upto: int) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, label) of every mention ending before `upto`, for the highlighter."""
    out = []
    for m in tables.mentions.itertuples(index=False):
        if int(m.end) <= upto:
            iso3 = f" ({m.country})" if isinstance(m.country, str) and m.country else ""
            out.append((int(m.start), int(m.end), str(m.kind), f"{m.kind}: {m.entity}{iso3}"))
    return out


# -- rendering ------------------------------------------------------------------------------------


def _state() -> dict[str, Draft]:
    return st.session_state.setdefault(_k("drafts"), {})


def _add_drafts(drafts: list[Draft], store: Store) -> None:
    mark_stored(store, drafts)
    state = _state()
    for d in drafts:
        state[d.key] = d
    if drafts:
        # The review panel turns to the newest input (the first article of a batch file), not the one shown before.
        st.session_state[_k("pick")] = drafts[0].key


def article_link(article_id: str, label: str) -> None:
    """A link to the article's page (a plain relative link when the page is run on its own)."""
    try:
        st.page_link("pages/article.py", label=label, query_params={"article": article_id}, icon=":material/article:")
    except Exception:  # noqa: BLE001 - no st.navigation (the page run alone): fall back to the URL
        st.markdown(f"[{label}](./article?article={article_id})")


def render_inputs(*, store: Store, max_bytes: int, total_bytes: int | None = None) -> None:
    """The three ways in: files, pasted text, a URL. New inputs become analysed drafts in session state."""
    total_bytes = total_bytes or upload_total_limit_bytes()
    files_tab, text_tab, url_tab = st.tabs(["Files", "Paste text", "From a URL"])
    with files_tab:
        files = st.file_uploader(
            f"Articles ({ACCEPTED}); CSV and JSONL files hold many, with columns title, date, url, text",
            accept_multiple_files=True,
            key=_k("files", str(st.session_state.get(_k("generation"), 0))),
            max_upload_size=max(1, max_bytes // (1024 * 1024)),
            help=limits_text(max_bytes, total_bytes),
        )
        st.caption(limits_text(max_bytes, total_bytes))
        _take_files(files or [], store=store, max_bytes=max_bytes, total_bytes=total_bytes)
    with text_tab:
        with st.form(_k("paste_form"), border=False):
            text = st.text_area(
                "Article text (the first line becomes the title; you can edit it before saving)",
                height=220,
                key=_k("paste_text"),
                max_chars=max_bytes,
            )
            go = st.form_submit_button("Analyse text", type="primary", key=_k("paste_go"))
        if go:
            with st.spinner("Analysing…"):
                _warn_if_unwritable(store)
                _add_drafts([draft_from_text(text)], store)
    with url_tab:
        with st.form(_k("url_form"), border=False):
            url = st.text_input("Article URL (http or https)", key=_k("url"), placeholder="https://…")
            go = st.form_submit_button("Fetch and analyse", type="primary", key=_k("url_go"))
        if go:
            with st.spinner("Fetching and analysing…"):
                _warn_if_unwritable(store)
                _add_drafts(drafts_from_url(url, max_bytes=max_bytes), store)


def _warn_if_unwritable(store: Store) -> None:
    """Before analysing new inputs, say at once if saving them is bound to fail (the analysis is still shown)."""
    try:
        store.check_writable()
    except StoreError as exc:
        st.warning(
            f"Saving will not work until this is fixed: {md_escape(str(exc))}. The analysis is still shown.",
            icon=":material/warning:",
        )


def _take_files(files: list, *, store: Store, max_bytes: int, total_bytes: int | None = None) -> None:
    """Analyse newly uploaded files (with a progress bar) and forget drafts of files the user removed.

    When the files together are over the total limit, none of the new ones is read: each is refused saying so,
    and tried again once files are removed and the rest fits.
    """
    total_bytes = total_bytes or upload_total_limit_bytes()
    state = _state()
    present = {f.file_id for f in files}
    for key in [k for k, d in state.items() if d.file_id is not None and (d.file_id not in present or d.over_total)]:
        del state[key]
    known = {d.file_id for d in state.values()}
    new = [f for f in files if f.file_id not in known]
    if not new:
        return
    total = sum(f.size for f in files)
    if total > total_bytes:
        reason = (
            f"the {len(files)} files of this upload come to {_mb(total)}, over the {_mb(total_bytes)} limit for "
            f"one upload; remove some files, or upload them in several goes"
        )
        _add_drafts(
            [Draft(f.file_id, clean_filename(f.name), error=reason, status="refused", file_id=f.file_id, over_total=True)
             for f in new],
            store,
        )
        return
    _warn_if_unwritable(store)
    bar = st.progress(0.0, text="Reading and analysing…")
    fresh: list[Draft] = []
    for i, f in enumerate(new, start=1):
        shown = clean_filename(f.name)
        bar.progress((i - 1) / len(new), text=f"Reading and analysing {i} of {len(new)}: {md_escape(shown)}")
        try:
            check_size(f.size, max_bytes)  # enforced here too, not only by the browser, before reading the file
        except IngestError as exc:
            fresh.append(Draft(f.file_id, shown, error=str(exc), status="refused", file_id=f.file_id))
            continue
        fresh.extend(drafts_from_bytes(f.name, f.getvalue(), max_bytes=max_bytes, file_id=f.file_id))
    bar.progress(1.0, text=f"Read and analysed {len(new)} file(s)")
    _add_drafts(fresh, store)


STATUS_LABELS = {
    "ready": "analysed, not saved yet",
    "stored": "already stored",
    "saved": "saved",
    "refused": "refused",
}


def results_frame(drafts: list[Draft]) -> pd.DataFrame:
    """One row per draft: where it came from, what became of it, and a link once it is in the database."""
    rows = []
    for d in drafts:
        t = d.tables
        rows.append(
            {
                "input": d.origin,
                "status": STATUS_LABELS[d.status],
                "title": d.fields.get("title", "") if d.article else "",
                "words": int(t.articles["n_words"].iloc[0]) if t is not None else None,
                "countries": ", ".join(countries_frame(t)["country"].head(6)) if t is not None else "",
                "themes": ", ".join(theme_name(x) for x in t.article_themes.loc[t.article_themes["assigned"], "theme"])
                if t is not None else "",
                "reason": d.error,
                "article": f"./article?article={d.article_id}" if d.status in ("saved", "stored") else None,
            }
        )
    return pd.DataFrame(rows)


def render_results(drafts: list[Draft]) -> None:
    """The per-input results table of a multi-file upload."""
    counts = pd.Series([d.status for d in drafts]).value_counts()
    st.caption(" · ".join(f"{n} {STATUS_LABELS[s]}" for s, n in counts.items()))
    st.dataframe(
        results_frame(drafts),
        hide_index=True,
        width="stretch",
        column_config={
            "input": "Input",
            "status": "Status",
            "title": "Title",
            "words": st.column_config.NumberColumn("Words", format="%d"),
            "countries": "Countries",
            "themes": "Themes",
            "reason": "Why refused",
            "article": st.column_config.LinkColumn("Article", display_text="open"),
        },
        key=_k("results"),
    )


def stored_fields(store: Store, article_id: str) -> dict | None:
    """Title, date and source of a stored article as the database holds them (None when it is not there)."""
    try:
        df = store.read("SELECT title, source, published FROM articles WHERE article_id = ?", [article_id])
    except StoreError:
        return None
    if df.empty:
        return None
    r = df.iloc[0]
    published = r["published"]
    return {"title": str(r["title"] or ""), "source": str(r["source"] or ""),
            "published": None if pd.isna(published) else pd.Timestamp(published).date()}


def render_fields(draft: Draft, *, store: Store | None = None) -> None:
    """Title, date and source. Editable, prefilled from the input, while the draft is not saved yet; once the article
    is in the database they show what is stored there, read-only (the library has no update of an article's fields,
    so an edit here could not be saved)."""
    c1, c2, c3 = st.columns([3, 1, 2])
    if draft.status in ("saved", "stored"):
        shown = (stored_fields(store, draft.article_id) if store is not None else None) or draft.fields
        note = "As stored in the database; stored articles are not edited here."
        ro = _k("stored", draft.key)
        c1.text_input("Title", value=shown.get("title") or "", key=f"{ro}:title:{shown.get('title')}",
                      disabled=True, help=note)
        c2.date_input("Date", value=shown.get("published"), key=f"{ro}:published:{shown.get('published')}",
                      min_value=date(1900, 1, 1), max_value=date(2100, 12, 31), disabled=True, help=note)
        c3.text_input("Source", value=shown.get("source") or "", key=f"{ro}:source:{shown.get('source')}",
                      disabled=True, help=note)
        return
    f = draft.fields
    f["title"] = c1.text_input("Title", value=f.get("title") or "", key=_k("title", draft.key), max_chars=500)
    f["published"] = c2.date_input(
        "Date",
        value=f.get("published"),
        min_value=date(1900, 1, 1),
        max_value=date(2100, 12, 31),
        key=_k("published", draft.key),
    )
    f["source"] = c3.text_input("Source", value=f.get("source") or "", key=_k("source", draft.key), max_chars=300)


# Readable column headers; the frames keep their tidy names (country, surfaces...) for code and tests.
COUNTRY_COLUMNS = {
    "country": st.column_config.TextColumn("ISO3", width="small"),
    "name": "Country",
    "mentions": st.column_config.NumberColumn("Mentions", width="small"),
    "surfaces": st.column_config.TextColumn("Named as", width="large"),
}
ENTITY_COLUMNS = {
    "entity": "Name",
    "kind": "Kind",
    "country": st.column_config.TextColumn("Country (ISO3)"),
    "mentions": st.column_config.NumberColumn("Mentions", width="small"),
}


def render_analysis(tables: ArticleTables) -> None:
    """Countries, themes with their evidence sentences, and the text with every mention highlighted."""
    a = tables.articles.iloc[0]
    countries = countries_frame(tables)
    at = tables.article_themes.sort_values(["confidence", "score"], ascending=False)
    assigned = at[at["assigned"]]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Words", f"{int(a['n_words']):,}")
    m2.metric("Sentences", len(tables.sentences))
    m3.metric("Countries", len(countries))
    m4.metric("Themes", len(assigned))

    left, right = st.columns(2)
    with left:
        st.markdown("**Countries**")
        if countries.empty:
            st.caption("No country is mentioned.")
        else:
            st.dataframe(countries, hide_index=True, width="stretch", key=_k("countries", tables.article_id),
                         column_config=COUNTRY_COLUMNS, column_order=["name", "country", "mentions", "surfaces"])
        others = entities_frame(tables)
        if not others.empty:
            with st.expander(f"People, organisations and places ({len(others)})"):
                st.dataframe(others.assign(kind=others["kind"].map(lambda k: KIND_NAMES.get(k, k))), hide_index=True,
                             width="stretch", key=_k("entities", tables.article_id), column_config=ENTITY_COLUMNS)
    with right:
        st.markdown("**Themes** (open one for its evidence sentences)")
        if at.empty:
            st.caption("No theme cue was found.")
        else:
            st.html(themes_html(tables))

    st.markdown("**Text, with mentions highlighted**")
    text = str(a["text"])
    body = highlight(text[:SHOWN_CHARS], mention_spans(tables, upto=SHOWN_CHARS))
    st.html(legend(KINDS))
    st.html(
        text_block(body).replace('class="gl-text"', 'class="gl-text" style="max-height:36rem;overflow-y:auto"', 1)
    )
    if len(text) > SHOWN_CHARS:
        st.caption(f"Showing the first {SHOWN_CHARS:,} of {len(text):,} characters.")


def _busy_message(exc: Exception) -> str:
    if isinstance(exc, StoreBusy):
        return (
            "The database is busy: another process (an ingest?) is writing to it. "
            "Nothing was lost: your articles are still here, press Save again in a moment."
        )
    return f"Could not save: {md_escape(str(exc))}. Nothing was stored; your articles are still here."


def _announce(draft: Draft) -> None:
    if draft.status == "saved":
        st.success("Saved. It is now on every page and in every filter.", icon=":material/check_circle:")
        article_link(draft.article_id, "Open its Article page")
    elif draft.status == "stored":
        st.info("This article is already stored (same text); it was not stored twice. Its title, date and source "
                "below are the stored ones.", icon=":material/info:")
        article_link(draft.article_id, "Open the stored article")


def render_draft(draft: Draft, *, store: Store) -> None:
    """One draft in full: its refusal, or its editable fields, its analysis and a Save button."""
    if draft.status == "refused":
        st.error(f"{md_escape(draft.origin)} was refused: {md_escape(draft.error)}. Nothing was stored.", icon=":material/block:")
        return
    st.caption(f"From: {md_escape(draft.origin)}")
    _announce(draft)
    render_fields(draft, store=store)
    if draft.status == "ready":
        if st.button("Save to the database", type="primary", key=_k("save", draft.key)):
            try:
                with st.spinner("Saving…"):
                    save_drafts(store, [draft])
            except StoreError as exc:
                st.warning(_busy_message(exc), icon=":material/hourglass:")
            else:
                st.rerun()
    render_analysis(draft.tables)


def render_save_all(drafts: list[Draft], *, store: Store) -> None:
    """Save every ready draft at once, with a progress bar."""
    ready = [d for d in drafts if d.status == "ready"]
    if not ready:
        return
    if st.button(f"Save all {len(ready)} analysed article(s)", type="primary", key=_k("save_all")):
        bar = st.progress(0.0, text="Saving…")
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            bar.progress(done / len(ready), text=f"Saved {done} of {len(ready)}")

        try:
            save_drafts(store, ready, progress=step)
        except StoreError as exc:
            st.warning(_busy_message(exc), icon=":material/hourglass:")
        else:
            st.rerun()


def render_upload(*, store: Store, max_bytes: int | None = None) -> None:
    """The whole Upload page body."""
    max_bytes = max_bytes or upload_limit_bytes()
    render_inputs(store=store, max_bytes=max_bytes, total_bytes=upload_total_limit_bytes())
    drafts = list(_state().values())
    if not drafts:
        st.info("Upload files, paste a text or give a URL: the analysis shows here before anything is saved.")
        return
    if st.button("Clear", key=_k("clear"), help="Forget these drafts (nothing stored is touched)"):
        _state().clear()
        # A new uploader key empties the file list too, so the files are not read again.
        st.session_state[_k("generation")] = st.session_state.get(_k("generation"), 0) + 1
        st.rerun()
    st.divider()
    if len(drafts) == 1:
        render_draft(drafts[0], store=store)
        return
    render_results(drafts)
    render_save_all(drafts, store=store)
    by_key = {d.key: d for d in drafts}
    if st.session_state.get(_k("pick")) not in by_key:
        st.session_state[_k("pick")] = drafts[-1].key
    pick = st.selectbox(
        "Review one",
        list(by_key),
        format_func=lambda k: f"{by_key[k].origin} — {STATUS_LABELS[by_key[k].status]}",
        key=_k("pick"),
    )
    if pick in by_key:
        render_draft(by_key[pick], store=store)
