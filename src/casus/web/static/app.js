// casus workbench: a hash-routed single page over the /api endpoints. No framework, no network beyond this server.
"use strict";

const QUADS = ["verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"];
const QUAD_LABEL = {verbal_cooperation: "verbal cooperation", material_cooperation: "material cooperation",
  verbal_conflict: "verbal conflict", material_conflict: "material conflict"};
const QUAD_COLOR = {verbal_cooperation: "#4dac26", material_cooperation: "#1b7837", verbal_conflict: "#f08a24",
  material_conflict: "#c0272d"};
const FILTER_KEYS = ["actor", "type", "quad", "since", "until", "place", "q", "min_confidence"];
const PAGE = 50;
const $main = document.getElementById("main");
const $filters = document.getElementById("filters");
let facets = null;

// ---- helpers ---------------------------------------------------------------------------------------

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function el(tag, attrs = {}, html = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.innerHTML = html;
  return e;
}
// Only http(s) URLs become links: a stored `javascript:` or `data:` URL would run in this page when clicked.
function safeUrl(u) {
  try {
    const url = new URL(String(u ?? ""));
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch { return null; }
}
function urlHtml(u) {
  const href = safeUrl(u);
  return href ? `<a href="${esc(href)}" rel="noreferrer">${esc(u)}</a>` : esc(u);
}
function versionsHtml(doc) {
  const vs = doc.versions || [];
  if (vs.length < 2) return "";
  const cur = vs.find(v => v.hash === doc.hash);
  const links = vs.map(v => v.hash === doc.hash ? `<b>v${v.version}</b>`
    : `<a href="#/doc/${encodeURIComponent(v.hash)}">v${v.version}</a>`).join(" ");
  return `version ${cur ? cur.version : "?"} of ${vs.length} of this id: ${links}`;
}
function svgEl(tag, attrs = {}) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
async function api(path, opts = {}) {
  const res = await fetch(path, opts);
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body?.error || `${res.status} ${res.statusText}`);
  return body;
}
function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
}
function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").map(decodeURIComponent);
  return {page: parts[0] || "events", arg: parts[1], params: Object.fromEntries(new URLSearchParams(query || ""))};
}
function go(page, params = {}, arg) {
  const hash = "#/" + page + (arg ? "/" + encodeURIComponent(arg) : "") + qs(params);
  // not ready from now until the new page has rendered: the hashchange event comes later, and a test that
  // waits for the flag right after a click would otherwise see the old page's
  if (location.hash !== new URL(hash, location.href).hash) document.body.dataset.ready = "";
  location.hash = hash;
}
function filtersOf(params) {
  const f = {};
  for (const k of FILTER_KEYS) if (params[k]) f[k] = params[k];
  return f;
}
function quadBadge(type, quad) {
  return `<span class="badge q-${esc(quad)}" title="${esc(QUAD_LABEL[quad] || quad)}">${esc(type)}</span>`;
}
function flags(e) {
  const m = e.modality || e;
  return ["negated", "hypothetical", "future", "historical", "reported"].filter(k => m[k])
    .map(k => `<span class="flag${k === "negated" ? " neg" : ""}">${k}</span>`).join("");
}
function docLink(hash, label, params = {}) {
  return `<a href="#/doc/${encodeURIComponent(hash)}${qs(params)}">${esc(label)}</a>`;
}
function markTrigger(evidence, trigger) {
  if (!evidence) return "";
  const text = evidence.length > 260 ? evidence.slice(0, 259) + "…" : evidence;
  if (!trigger) return esc(text);
  const i = text.indexOf(trigger);
  if (i < 0) return esc(text);
  return esc(text.slice(0, i)) + "<mark>" + esc(trigger) + "</mark>" + esc(text.slice(i + trigger.length));
}
function toast(msg) {
  const t = document.getElementById("toast");
  t.textContent = msg; t.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, 3500);
}
function showError(err) {
  $main.prepend(el("div", {class: "error", role: "alert"}, esc(err.message || err)));
}
function legend() {
  return `<div class="legend">${QUADS.map(q => `<span><i style="background:${QUAD_COLOR[q]}"></i>${QUAD_LABEL[q]}</span>`).join("")}</div>`;
}
function pager(total, offset, limit, onPage) {
  const div = el("div", {class: "pager"});
  const last = Math.min(offset + limit, total);
  div.innerHTML = `<span class="muted">${total ? offset + 1 : 0}–${last} of ${total.toLocaleString()}</span>`;
  const prev = el("button", {type: "button"}, "← Previous"), next = el("button", {type: "button"}, "Next →");
  prev.disabled = offset <= 0; next.disabled = last >= total;
  prev.onclick = () => onPage(Math.max(0, offset - limit));
  next.onclick = () => onPage(offset + limit);
  div.append(prev, next);
  return div;
}
function sortHeader(cols, params, page) {
  return cols.map(([key, label, sortKey, cls]) => {
    if (!sortKey) return `<th class="${cls || ""}">${label}</th>`;
    const on = (params.sort || "") === sortKey;
    const arrow = on ? (params.order === "desc" ? " ▼" : " ▲") : "";
    return `<th class="sortable ${cls || ""}" data-sort="${sortKey}">${label}<span class="arrow">${arrow}</span></th>`;
  }).join("");
}
function wireSort(table, params, page) {
  table.querySelectorAll("th.sortable").forEach(th => th.onclick = () => {
    const key = th.dataset.sort;
    const order = params.sort === key && params.order !== "desc" ? "desc" : "asc";
    go(page, {...params, sort: key, order, offset: 0});
  });
}

// ---- filter bar ----------------------------------------------------------------------------------------

async function loadFacets(params = {}) {
  // type counts are those at the confidence asked for; the threshold itself is the server's one constant
  const key = params.min_confidence ?? "";
  if (facets && facets.key === key) return facets;
  facets = {...await api("/api/facets" + qs({min_confidence: params.min_confidence})), key};
  const type = $filters.elements.type, quad = $filters.elements.quad;
  type.querySelectorAll("option[value]:not([value=''])").forEach(o => o.remove());
  quad.querySelectorAll("option[value]:not([value=''])").forEach(o => o.remove());
  for (const t of facets.types) type.append(el("option", {value: t.type}, `${esc(t.type)} (${t.n.toLocaleString()})`));
  for (const q of facets.quads) quad.append(el("option", {value: q}, esc(QUAD_LABEL[q])));
  return facets;
}
function fillFilters(params) {
  for (const k of FILTER_KEYS) $filters.elements[k].value = params[k] || "";
  // no min_confidence in the URL means the server's default: show it, so the filter in force is visible
  if (!params.min_confidence) $filters.elements.min_confidence.value = facets.display_min_confidence;
}
$filters.addEventListener("submit", ev => {
  ev.preventDefault();
  const r = route(), f = {};
  for (const k of FILTER_KEYS) f[k] = $filters.elements[k].value.trim();
  if (f.min_confidence !== "" && +f.min_confidence === facets.display_min_confidence) f.min_confidence = "";
  const keep = r.page === "events" || r.page === "happenings" ? {sort: r.params.sort, order: r.params.order}
    : {bucket: r.params.bucket};
  go(r.page, {...keep, ...f});
});
document.getElementById("clear").onclick = () => go(route().page, {});

// ---- pages -----------------------------------------------------------------------------------------------

async function pageEvents(params) {
  const f = filtersOf(params), offset = +params.offset || 0;
  const sort = params.sort || "date", order = params.order || "desc";
  const data = await api("/api/events" + qs({...f, sort, order, limit: PAGE, offset}));
  const floor = params.min_confidence ?? facets.display_min_confidence;
  $main.innerHTML = `<div class="bar"><h1>Events</h1><span class="muted" id="matching">${data.total.toLocaleString()} matching · confidence ≥ ${esc(floor)}</span>
    <span class="grow"></span>${legend()}
    <a class="button" id="group" href="#/happenings${qs(f)}" title="One row per real-world happening, with how many outlets reported it">Group by happening</a>
    <a class="button" id="csv" href="/api/events.csv${qs({...f, sort, order})}" download>Download CSV</a></div>`;
  if (!data.total) { $main.append(el("div", {class: "empty"}, "No event matches these filters.")); return; }
  const table = el("table", {class: "grid", id: "events-table"});
  const cols = [["date", "Date", "date"], ["type", "Type", "type"], ["source", "Source", "source"], ["", "", ""],
    ["target", "Target", "target"], ["evidence", "Evidence (trigger marked)", ""], ["place", "Place", "location"],
    ["conf", "Conf.", "confidence", "num"], ["doc", "Document", "doc"]];
  table.innerHTML = `<thead><tr>${sortHeader(cols, {...params, sort, order})}</tr></thead><tbody>` +
    data.items.map(e => `<tr data-doc="${esc(e.doc_hash)}" data-n="${e.n}">
      <td class="nowrap date" data-start="${esc(e.date_start || "")}" title="${e.date_start ? esc(e.date_start === e.date_end ? e.date_start : `${e.date_start} – ${e.date_end}`) : ""}${e.date_basis === "published" ? " (publication date)" : ""}">${esc(e.day || "–")}</td>
      <td class="nowrap">${quadBadge(e.type, e.quad)}${flags(e)}</td>
      <td class="actor">${e.source_actor ? `<a href="#/events${qs({actor: e.source_actor})}" title="${esc(e.source_actor)}">${esc(e.source_name)}</a>` : esc(e.source_name || "–")}</td>
      <td class="muted">→</td>
      <td class="actor">${e.target_actor ? `<a href="#/events${qs({actor: e.target_actor})}" title="${esc(e.target_actor)}">${esc(e.target_name)}</a>` : esc(e.target_name || "–")}</td>
      <td class="evidence">${markTrigger(e.evidence, e.trigger)}</td>
      <td>${esc(e.location || "")}</td>
      <td class="num">${e.confidence != null ? e.confidence.toFixed(2) : ""}</td>
      <td>${docLink(e.doc_hash, e.title || e.doc_id, {event: e.n})}</td></tr>`).join("") + "</tbody>";
  wireSort(table, {...params, sort, order}, "events");
  $main.append(table, pager(data.total, offset, PAGE, o => go("events", {...params, offset: o})));
}

async function pageDocuments(params) {
  const offset = +params.offset || 0, sort = params.sort || "published", order = params.order || "desc";
  const data = await api("/api/documents" + qs({q: params.q, sort, order, limit: PAGE, offset}));
  $main.innerHTML = `<div class="bar"><h1>Documents</h1><span class="muted">${data.total.toLocaleString()} stored</span>
    <span class="grow"></span><form id="docsearch"><input name="q" placeholder="search title or text" value="${esc(params.q || "")}">
    <button class="primary">Search</button></form></div>`;
  $main.querySelector("#docsearch").onsubmit = ev => { ev.preventDefault(); go("documents", {q: ev.target.q.value.trim()}); };
  if (!data.total) { $main.append(el("div", {class: "empty"}, "No document matches.")); return; }
  const table = el("table", {class: "grid"});
  const cols = [["t", "Document", "title"], ["p", "Published", "published"], ["o", "Outlet", "outlet"],
    ["e", "Events", "events", "num"], ["q", "Quotes", "quotes", "num"]];
  table.innerHTML = `<thead><tr>${sortHeader(cols, {...params, sort, order})}</tr></thead><tbody>` + data.items.map(d => `<tr>
    <td>${docLink(d.hash, d.title || d.id)}<div class="muted">${esc(d.snippet)}…</div></td>
    <td class="nowrap">${esc(d.published || "–")}</td><td>${esc(d.outlet || "")}</td>
    <td class="num">${d.n_events}</td><td class="num">${d.n_quotes}</td></tr>`).join("") + "</tbody>";
  wireSort(table, {...params, sort, order}, "documents");
  $main.append(table, pager(data.total, offset, PAGE, o => go("documents", {...params, offset: o})));
}

async function pageQuotes(params) {
  const offset = +params.offset || 0;
  const data = await api("/api/quotes" + qs({speaker: params.speaker, kind: params.kind, q: params.q,
    sort: params.sort, order: params.order, limit: PAGE, offset}));
  $main.innerHTML = `<div class="bar"><h1>Quotes</h1><span class="muted">${data.total.toLocaleString()} matching</span>
    <span class="grow"></span><form id="qsearch" class="bar" style="margin:0">
    <input name="speaker" placeholder="speaker" value="${esc(params.speaker || "")}">
    <select name="kind"><option value="">any kind</option>${["direct", "partial", "indirect", "mixed"].map(k =>
      `<option ${params.kind === k ? "selected" : ""}>${k}</option>`).join("")}</select>
    <input name="q" placeholder="words in the quote" value="${esc(params.q || "")}"><button class="primary">Filter</button></form></div>`;
  $main.querySelector("#qsearch").onsubmit = ev => {
    ev.preventDefault();
    const e = ev.target.elements;
    go("quotes", {speaker: e.speaker.value.trim(), kind: e.kind.value, q: e.q.value.trim()});
  };
  if (!data.total) { $main.append(el("div", {class: "empty"}, "No quote matches.")); return; }
  const table = el("table", {class: "grid"});
  const cols = [["s", "Speaker", "speaker"], ["k", "Kind", "kind"], ["c", "Quote", ""], ["cue", "Cue", ""],
    ["d", "Document", "doc"]];
  table.innerHTML = `<thead><tr>${sortHeader(cols, params)}</tr></thead><tbody>` + data.items.map(q => `<tr>
    <td>${q.speaker_actor ? `<a href="#/quotes${qs({speaker: q.speaker_actor})}">${esc(q.speaker_name)}</a>` : esc(q.speaker_name || "–")}</td>
    <td><span class="flag">${esc(q.kind)}</span></td><td class="evidence">“${esc(q.content)}”</td><td>${esc(q.cue || "")}</td>
    <td>${docLink(q.doc_hash, q.title || q.doc_id, {quote: q.n})}</td></tr>`).join("") + "</tbody>";
  wireSort(table, params, "quotes");
  $main.append(table, pager(data.total, offset, PAGE, o => go("quotes", {...params, offset: o})));
}

async function pageActors(params) {
  const offset = +params.offset || 0;
  const data = await api("/api/actors" + qs({q: params.q, country: params.country, sort: params.sort,
    order: params.order || (params.sort ? "asc" : undefined), limit: PAGE, offset}));
  $main.innerHTML = `<div class="bar"><h1>Actors</h1><span class="muted">${data.total.toLocaleString()} known</span>
    <span class="grow"></span><form id="asearch" class="bar" style="margin:0"><input name="q" placeholder="name or id" value="${esc(params.q || "")}">
    <input name="country" placeholder="ISO3, e.g. RUS" size="8" value="${esc(params.country || "")}"><button class="primary">Filter</button></form></div>`;
  $main.querySelector("#asearch").onsubmit = ev => {
    ev.preventDefault();
    go("actors", {q: ev.target.q.value.trim(), country: ev.target.country.value.trim()});
  };
  if (!data.total) { $main.append(el("div", {class: "empty"}, "No actor matches.")); return; }
  const table = el("table", {class: "grid"});
  const cols = [["n", "Actor", "name"], ["i", "Id", "id"], ["k", "Kind", ""], ["c", "Country / sector", "country"],
    ["m", "Mentions", "mentions", "num"], ["d", "Documents", "documents", "num"], ["e", "Events", "events", "num"]];
  table.innerHTML = `<thead><tr>${sortHeader(cols, params)}</tr></thead><tbody>` + data.items.map(a => `<tr>
    <td><a href="#/events${qs({actor: a.id})}">${esc(a.name)}</a></td><td class="muted">${esc(a.id)}</td>
    <td>${esc(a.kind || "")}</td><td>${esc([a.country, a.sector].filter(Boolean).join(" / "))}</td>
    <td class="num">${a.mentions}</td><td class="num">${a.documents}</td>
    <td class="num"><a href="#/network${qs({actor: a.id})}">${a.events}</a></td></tr>`).join("") + "</tbody>";
  wireSort(table, params, "actors");
  $main.append(table, pager(data.total, offset, PAGE, o => go("actors", {...params, offset: o})));
}

// ---- reader ----------------------------------------------------------------------------------------------

const KIND_ORDER = ["trigger", "cue", "speaker", "actor", "quote"];  // which highlight a click means, innermost first

function renderText(doc, extra) {
  // split the text at every highlight boundary; each piece carries all spans covering it
  const spans = doc.highlights.concat(extra ? [extra] : []);
  const cuts = new Set([0, doc.text.length]);
  for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const starts = {};
  spans.forEach((s, i) => (starts[s.start] ||= []).push(i));
  let open = [];
  const out = [];
  for (let p = 0; p < points.length - 1; p++) {
    const a = points[p], b = points[p + 1];
    open = open.filter(i => spans[i].end > a).concat(starts[a] || []);
    const piece = esc(doc.text.slice(a, b));
    if (!open.length) { out.push(piece); continue; }
    const kinds = new Set(), refs = [];
    for (const i of open) {
      const s = spans[i];
      kinds.add(s.kind === "evidence" ? "evidence-on" : s.kind);
      if (s.kind !== "evidence") refs.push(`${s.kind}:${s.ref}`);
    }
    const title = open.map(i => spans[i]).filter(s => s.label).map(s => `${s.kind}: ${s.label}`).join("\n");
    out.push(`<span class="hl ${[...kinds].join(" ")}" data-refs="${esc(refs.join("|"))}" title="${esc(title)}">${piece}</span>`);
  }
  return out.join("");
}

function eventItem(e, i) {
  const d = e.date?.value ? ` · ${esc(e.date.value)}` : "";
  const loc = e.location?.name ? ` · ${esc(e.location.name)}` : "";
  return `<div class="item" data-kind="trigger" data-ref="${i}">${quadBadge(e.type, e.quad)}${flags(e)}
    <div><span class="who">${esc(e.source_name || "?")}</span> → <span class="who">${esc(e.target_name || "?")}</span></div>
    <div class="sub">“${esc(e.trigger_text || "")}”${d}${loc} · conf. ${(e.confidence ?? 0).toFixed(2)}${e.mode ? " · " + esc(e.mode) : ""}</div></div>`;
}
function quoteItem(doc, q, i) {
  const names = Object.fromEntries(doc.actors.map(a => [a.id, a.name]));
  const spk = q.speaker ? (names[q.speaker.actor] || doc.text.slice(q.speaker.start, q.speaker.end)) : "?";
  const content = doc.text.slice(q.content.start, q.content.end).replace(/\s+/g, " ");
  return `<div class="item" data-kind="quote" data-ref="${i}"><span class="who">${esc(spk)}</span> <span class="flag">${esc(q.kind)}</span>
    <div class="sub">“${esc(content.length > 180 ? content.slice(0, 179) + "…" : content)}”</div></div>`;
}
function actorItem(a) {
  return `<div class="item" data-kind="actor" data-ref="${esc(a.id)}"><span class="who">${esc(a.name)}</span>
    <span class="muted">${esc(a.id)}</span><div class="sub">${esc(a.kind || "")} ${esc([a.country, a.sector].filter(Boolean).join("/"))}
    · ${a.mentions.length} mention${a.mentions.length === 1 ? "" : "s"} · <a href="#/events${qs({actor: a.id})}">events</a></div></div>`;
}

function mountReader(doc, params, container, stored = true) {
  const m = doc.meta || {};
  container.innerHTML = `<div class="reader"><div>
    <h1>${esc(m.title || doc.id)}</h1><div class="docmeta">${[m.published && `<b>${esc(m.published)}</b>`, m.outlet && esc(m.outlet),
      m.url && urlHtml(m.url), stored ? `id ${esc(doc.id)}` : "not stored", versionsHtml(doc)].filter(Boolean).join(" · ")}</div>
    <div class="keys"><span class="hl actor">actor</span><span class="hl quote">quote</span><span class="hl speaker">speaker</span>
      <span class="hl cue">cue</span><span class="hl trigger">event trigger</span><span class="hl evidence-on">evidence of the selected event</span></div>
    ${doc.errors.length ? `<div class="error">${doc.errors.map(e => esc(`[${e.stage}] ${e.message}`)).join("<br>")}</div>` : ""}
    <div class="doctext" id="doctext"></div></div>
    <aside class="side"><div class="tabs"><button type="button" data-tab="events">Events (${doc.events.length})</button>
      <button type="button" data-tab="quotes">Quotes (${doc.quotes.length})</button>
      <button type="button" data-tab="actors">Actors (${doc.actors.length})</button></div><div id="sidelist"></div></aside></div>`;
  const textBox = container.querySelector("#doctext"), side = container.querySelector("#sidelist");
  let tab = params.quote !== undefined ? "quotes" : "events";
  let selected = null;

  function drawText() {
    let extra = null;
    if (selected?.kind === "trigger") {
      const ev = doc.events[selected.ref]?.evidence;
      if (ev && ev.start != null) extra = {kind: "evidence", start: ev.start, end: ev.end};
    }
    textBox.innerHTML = renderText(doc, extra);
    if (selected) {
      const want = `${selected.kind === "quote" ? "quote" : selected.kind}:${selected.ref}`;
      const hits = [...textBox.querySelectorAll(".hl")].filter(s => s.dataset.refs.split("|").includes(want));
      hits.forEach(h => h.classList.add("focus"));
      if (hits[0] && selected.scroll) hits[0].scrollIntoView({block: "center"});
    }
  }
  function drawSide() {
    container.querySelectorAll(".tabs button").forEach(b => b.classList.toggle("on", b.dataset.tab === tab));
    side.innerHTML = tab === "events" ? (doc.events.map(eventItem).join("") || `<p class="muted">No events.</p>`)
      : tab === "quotes" ? (doc.quotes.map((q, i) => quoteItem(doc, q, i)).join("") || `<p class="muted">No quotes.</p>`)
      : ([...doc.actors].sort((a, b) => b.mentions.length - a.mentions.length).map(actorItem).join("") || `<p class="muted">No actors.</p>`);
    side.querySelectorAll(".item").forEach(it => {
      if (selected && it.dataset.kind === selected.kind && String(it.dataset.ref) === String(selected.ref)) {
        it.classList.add("sel");
        if (selected.scroll) it.scrollIntoView({block: "nearest"});
      }
      it.onclick = ev => { if (ev.target.tagName !== "A") select(it.dataset.kind, it.dataset.ref, true); };
    });
  }
  function select(kind, ref, scroll) {
    selected = {kind, ref: kind === "actor" ? ref : +ref, scroll};
    tab = kind === "trigger" ? "events" : kind === "actor" ? "actors" : "quotes";
    drawText(); drawSide();
  }
  container.querySelectorAll(".tabs button").forEach(b => b.onclick = () => { tab = b.dataset.tab; drawSide(); });
  textBox.addEventListener("click", ev => {
    const span = ev.target.closest(".hl");
    if (!span || !span.dataset.refs) return;
    const refs = span.dataset.refs.split("|").map(r => r.split(":"));
    refs.sort((a, b) => KIND_ORDER.indexOf(a[0]) - KIND_ORDER.indexOf(b[0]));
    let [kind, ref] = refs[0];
    if (kind === "speaker" || kind === "cue") kind = "quote";
    select(kind, ref, true);
  });
  if (params.event !== undefined) select("trigger", params.event, true);
  else if (params.quote !== undefined) select("quote", params.quote, true);
  else { drawText(); drawSide(); }
}

async function pageDoc(params, key) {
  const doc = await api("/api/documents/" + encodeURIComponent(key));
  mountReader(doc, params, $main);
}

async function pageExtract() {
  const info = await api("/api/stats");
  $main.innerHTML = `<div class="bar"><h1>Try text</h1><span class="muted">Run the pipeline on pasted text; the record is shown, and stored only when you ask.</span></div>
    <form id="xform" class="card"><textarea class="big" name="text" placeholder="Paste a news article…" required></textarea>
    <div class="bar" style="margin-top:10px"><label>Published <input name="published" placeholder="YYYY-MM-DD" size="11"></label>
    <label>Title <input name="title" size="40"></label>
    ${info.token_required ? `<label>Token <input name="token" type="password" size="16"></label>` : ""}
    <span class="grow"></span><button class="primary" name="extract">Extract</button>
    <button type="button" id="store" ${info.read_only ? "disabled title='read-only store'" : ""}>Extract and store</button></div></form>
    <div id="xout" style="margin-top:16px"></div>`;
  const form = $main.querySelector("#xform"), out = $main.querySelector("#xout");
  async function send(path) {
    const e = form.elements;
    if (!e.text.value.trim()) { toast("Paste some text first."); return null; }
    const headers = {"content-type": "application/json"};
    if (e.token?.value) headers.authorization = "Bearer " + e.token.value;
    const meta = {published: e.published.value.trim() || null, title: e.title.value.trim() || null};
    out.innerHTML = `<p class="muted">Extracting… (the first call loads the pipeline)</p>`;
    try {
      return await api(path, {method: "POST", headers, body: JSON.stringify({text: e.text.value, meta})});
    } catch (err) { out.innerHTML = `<div class="error">${esc(err.message)}</div>`; return null; }
  }
  form.onsubmit = async ev => {
    ev.preventDefault();
    const rec = await send("/api/extract");
    if (!rec) return;
    const names = Object.fromEntries(rec.actors.map(a => [a.id, a.name]));
    const said = s => s && s.start != null ? (names[s.actor] || rec.text.slice(s.start, s.end)) : null;
    rec.events = rec.events.map((e, n) => ({...e, n, source_name: said(e.source), target_name: said(e.target),
      trigger_text: said(e.trigger)}));
    mountReader(rec, {}, out, false);
  };
  $main.querySelector("#store").onclick = async () => {
    const res = await send("/api/documents");
    if (!res) return;
    toast(res.stored ? `Stored: ${res.events} events, ${res.quotes} quotes` : "Already in the store");
    facets = null;
    go("doc", {}, res.hash);
  };
}

// ---- timeline ----------------------------------------------------------------------------------------------

const DAY_MS = 86400000;
function dayMs(iso) { const [y, m, d] = iso.split("-").map(Number); return Date.UTC(y, m - 1, d); }
function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }
function timeTicks(t0, t1) {
  // ticks on calendar boundaries, as many as fit: years, months, weeks (Mondays) or days
  const days = (t1 - t0) / DAY_MS, out = [];
  const d0 = new Date(t0);
  if (days > 365 * 4) {
    const step = Math.max(1, Math.ceil(days / 365 / 12));
    for (let y = d0.getUTCFullYear(); Date.UTC(y, 0, 1) <= t1; y++)
      if (y % step === 0 && Date.UTC(y, 0, 1) >= t0) out.push([Date.UTC(y, 0, 1), String(y)]);
  } else if (days > 90) {
    const months = days / 30.4, step = [1, 2, 3, 6, 12].find(k => months / k <= 14) || 12;
    for (let y = d0.getUTCFullYear(), m = d0.getUTCMonth(); Date.UTC(y, m, 1) <= t1; m++) {
      const t = Date.UTC(y, m, 1), dd = new Date(t);
      if (t >= t0 && dd.getUTCMonth() % step === 0) out.push([t, isoDay(t).slice(0, 7)]);
    }
  } else if (days > 21) {
    const step = days / 7 > 14 ? 2 : 1;
    let t = t0 + ((8 - new Date(t0).getUTCDay()) % 7) * DAY_MS;  // the first Monday
    for (let i = 0; t <= t1; t += 7 * DAY_MS, i++) if (i % step === 0) out.push([t, isoDay(t)]);
  } else {
    const step = Math.ceil(days / 14);
    for (let t = t0, i = 0; t <= t1; t += DAY_MS, i++) if (i % step === 0) out.push([t, isoDay(t)]);
  }
  return out;
}
function packRows(items) {
  // interval packing: each range goes on the first row where it overlaps nothing
  const ends = [];
  for (const it of items) {
    let row = ends.findIndex(e => e < it.t0);
    if (row < 0) { row = ends.length; ends.push(0); }
    ends[row] = it.t1; it.row = row;
  }
  return ends.length;
}

async function pageTimeline(params) {
  const f = filtersOf(params), bucket = params.bucket || "month";
  const data = await api("/api/events/timeline" + qs({...f, bucket}));
  const notes = [data.undated ? `${data.undated.toLocaleString()} undated, not shown` : "",
    data.in_ranges ? `${data.in_ranges.toLocaleString()} dated by a span wider than a ${bucket}, drawn as ranges` : "",
    data.ranges_left_out ? `${data.ranges_left_out.toLocaleString()} of them in the smallest ranges not drawn` : ""]
    .filter(Boolean).join(" · ");
  $main.innerHTML = `<div class="bar"><h1>Timeline</h1><span class="muted">events per ${bucket} by quad class${notes ? " · " + notes : ""}</span>
    <span class="grow"></span>${legend()}<select id="bucket">${["year", "month", "week", "day"].map(b => `<option ${b === bucket ? "selected" : ""}>${b}</option>`).join("")}</select></div>`;
  $main.querySelector("#bucket").onchange = ev => go("timeline", {...params, bucket: ev.target.value});
  if (!data.series.length && !data.ranges.length) {
    $main.append(el("div", {class: "empty"}, "No dated event matches these filters.")); return;
  }
  // the axis is time itself: the filters' window when given, else the data's first to last day
  const [since, until] = data.window;
  const t0 = Math.min(...(since ? [dayMs(since)] : []), ...data.series.map(r => dayMs(r.start)),
    ...data.ranges.map(r => dayMs(r.start)));
  const t1 = Math.max(...(until ? [dayMs(until)] : []), ...data.series.map(r => dayMs(r.end)),
    ...data.ranges.map(r => dayMs(r.end))) + DAY_MS;
  const W = 1200, L = 56, R = 16, T = 16, barH = 300, laneRow = 14;
  const ranges = data.ranges.map(r => ({...r, t0: dayMs(r.start), t1: dayMs(r.end) + DAY_MS}));
  const rows = packRows([...ranges].sort((a, b) => a.t0 - b.t0 || b.t1 - a.t1));
  const laneTop = T + barH + 46, H = laneTop + rows * laneRow + (rows ? 24 : 0);
  const x = t => L + (W - L - R) * (t - t0) / (t1 - t0);
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, id: "timeline-svg", role: "img",
    "data-t0": isoDay(t0), "data-t1": isoDay(t1), "data-x0": L, "data-x1": W - R});
  const by = {};
  for (const r of data.series) (by[r.start] ||= {end: r.end, n: {}}).n[r.quad] = r.n;
  const max = Math.max(1, ...Object.values(by).map(p => QUADS.reduce((s, q) => s + (p.n[q] || 0), 0)));
  const ticks = niceTicks(max), top = ticks[ticks.length - 1];
  for (const t of ticks) {
    const y = T + barH * (1 - t / top);
    svg.append(svgEl("line", {x1: L, x2: W - R, y1: y, y2: y, stroke: "#eef1f5"}));
    const lab = svgEl("text", {x: L - 8, y: y + 4, "text-anchor": "end"}); lab.textContent = t.toLocaleString(); svg.append(lab);
  }
  for (const [tt, label] of timeTicks(t0, t1)) {
    svg.append(svgEl("line", {class: "time-grid", x1: x(tt), x2: x(tt), y1: T, y2: H - 8, stroke: "#eef1f5"}));
    if (x(tt) < L + 16 || x(tt) > W - R - 16) continue;  // no label on the corners, where the counts are
    const lab = svgEl("text", {class: "time-tick", x: x(tt), y: T + barH + 16, "text-anchor": "middle", "data-t": isoDay(tt)});
    lab.textContent = label; svg.append(lab);
  }
  for (const [start, p] of Object.entries(by)) {
    // a period's bar spans the period, from its first day to the day after its last
    const a = x(dayMs(start)), b = x(dayMs(p.end) + DAY_MS), pad = Math.min(2, (b - a) * 0.12);
    let y = T + barH;
    for (const q of QUADS) {
      const n = p.n[q] || 0;
      if (!n) continue;
      const h = barH * n / top;
      const r = svgEl("rect", {class: "bar-rect", x: a + pad, width: Math.max(1, b - a - 2 * pad), y: y - h, height: h,
        fill: QUAD_COLOR[q], "data-start": start, "data-end": p.end, "data-quad": q, "data-n": n});
      const tt = svgEl("title"); tt.textContent = `${start === p.end ? start : `${start} – ${p.end}`} · ${QUAD_LABEL[q]}: ${n}`; r.append(tt);
      r.onclick = () => go("events", {...f, since: start, until: p.end, quad: q});
      svg.append(r); y -= h;
    }
  }
  svg.append(svgEl("line", {x1: L, x2: W - R, y1: T + barH, y2: T + barH, stroke: "#98a2b3"}));
  if (rows) {
    const cap = svgEl("text", {x: L, y: laneTop - 8, class: "lane-caption"}); cap.textContent = `events dated by a span (a ${bucket === "day" ? "week, month" : "month"}, a year, "in recent months"): drawn from its first to its last day`;
    svg.append(cap);
    const maxN = Math.max(...ranges.map(r => r.n));
    for (const r of ranges) {
      const a = x(r.t0), b = x(r.t1), h = 4 + 7 * Math.sqrt(r.n / maxN);
      const rect = svgEl("rect", {class: "range-rect", x: a, width: Math.max(1, b - a), y: laneTop + r.row * laneRow + (laneRow - h) / 2,
        height: h, rx: 2, fill: QUAD_COLOR[r.quad], "data-start": r.start, "data-end": r.end, "data-quad": r.quad, "data-n": r.n});
      const tt = svgEl("title"); tt.textContent = `${r.label} (${r.start} – ${r.end}) · ${QUAD_LABEL[r.quad]}: ${r.n}`; rect.append(tt);
      rect.onclick = () => go("events", {...f, since: r.start, until: r.end, quad: r.quad});
      svg.append(rect);
    }
  }
  const box = el("div", {class: "chart"}); box.append(svg); $main.append(box);
  $main.append(el("p", {class: "muted"}, `The axis is time: a bar spans its ${bucket}, gaps are periods without events. Click a bar or a range to list its events. An event without its own date counts on its document's publication date.`));
}
function niceTicks(max) {
  const step0 = Math.max(1, max / 5), mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= step0);
  const out = [];
  for (let v = 0; v <= max + step - 1e-9; v += step) out.push(Math.round(v));
  if (out.length < 2) out.push(step);
  return out;
}

// ---- network ----------------------------------------------------------------------------------------------

async function pageNetwork(params) {
  const f = filtersOf(params), maxEdges = +params.max_edges || 60, all = params.all === "1";
  const data = await api("/api/events/network" + qs({...f, max_edges: maxEdges, resolved: all ? "false" : "true"}));
  $main.innerHTML = `<div class="bar"><h1>Actor network</h1><span class="muted">${data.nodes.length} actors, ${data.edges.length} source → target links (at most the ${maxEdges} heaviest), width by event count</span>
    <span class="grow"></span>${legend()}<label class="muted"><input type="checkbox" id="allmentions" ${all ? "checked" : ""}> include unresolved mentions</label></div>`;
  $main.querySelector("#allmentions").onchange = ev => go("network", {...params, all: ev.target.checked ? "1" : ""});
  if (!data.edges.length) { $main.append(el("div", {class: "empty"}, "No event with both a source and a target matches these filters.")); return; }
  const W = 1200, H = 600;
  const nodes = data.nodes.map((n, i) => {
    const a = 2 * Math.PI * i / data.nodes.length;  // deterministic start: same data, same picture
    return {...n, deg: n.in + n.out, x: W / 2 + Math.cos(a) * W * 0.35, y: H / 2 + Math.sin(a) * H * 0.35, vx: 0, vy: 0};
  });
  const idx = Object.fromEntries(nodes.map((n, i) => [n.id, i]));
  const links = data.edges.map(e => ({...e, s: idx[e.source], t: idx[e.target]}));
  layout(nodes, links, W, H);
  const maxN = Math.max(...links.map(l => l.n)), maxDeg = Math.max(...nodes.map(n => n.deg));
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, id: "network-svg", role: "img"});
  const defs = svgEl("defs");
  for (const q of QUADS) {
    const mk = svgEl("marker", {id: "arrow-" + q, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"});
    mk.append(svgEl("path", {d: "M0,0 L10,5 L0,10 z", fill: QUAD_COLOR[q]}));
    defs.append(mk);
  }
  svg.append(defs);
  const radius = n => 5 + 13 * Math.sqrt(n.deg / maxDeg);
  for (const l of links) {
    const a = nodes[l.s], b = nodes[l.t];
    const bend = 0.12 + 0.1 * QUADS.indexOf(l.quad);  // parallel edges of different quads don't overlap
    let d;
    if (l.s === l.t) {
      d = `M${a.x},${a.y - radius(a)} c 30,-50 60,0 ${radius(a)},${radius(a)}`;
    } else {
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
      const rb = radius(b) + 3, ex = b.x - dx / len * rb, ey = b.y - dy / len * rb;
      const mx = (a.x + ex) / 2 - dy * bend, my = (a.y + ey) / 2 + dx * bend;
      d = `M${a.x},${a.y} Q${mx},${my} ${ex},${ey}`;
    }
    const p = svgEl("path", {d, fill: "none", stroke: QUAD_COLOR[l.quad], "stroke-opacity": 0.7,
      "stroke-width": 1 + 6 * Math.sqrt(l.n / maxN), "marker-end": `url(#arrow-${l.quad})`, class: "edge"});
    const tt = svgEl("title"); tt.textContent = `${a.name} → ${b.name}: ${l.n} ${QUAD_LABEL[l.quad]}`; p.append(tt);
    p.style.cursor = "pointer";
    p.onclick = () => go("events", {...f, actor: l.source, quad: l.quad});
    svg.append(p);
  }
  for (const n of nodes) {
    const g = svgEl("g", {class: "node", transform: `translate(${n.x},${n.y})`, "data-id": n.id});
    const c = svgEl("circle", {r: radius(n), fill: "#23395d"});
    const tt = svgEl("title"); tt.textContent = `${n.name} (${n.id}): ${n.out} as source, ${n.in} as target`; c.append(tt);
    const t = svgEl("text", {x: radius(n) + 4, y: 4});
    t.textContent = n.name.length > 32 ? n.name.slice(0, 31) + "…" : n.name;
    g.append(c, t);
    g.onclick = () => go("events", {...f, actor: n.id});
    n.g = g; n.label = t;
    svg.append(g);
  }
  const box = el("div", {class: "chart"}); box.append(svg); $main.append(box);
  const hidden = placeLabels(nodes, W, H, radius);
  $main.append(el("p", {class: "muted"}, "Click an actor or a link to list its events. Hover for counts." +
    (hidden ? ` ${hidden} label${hidden === 1 ? "" : "s"} left out where ${hidden === 1 ? "it" : "they"} would overlap: hover a node for its name.` : "")));
}
function placeLabels(nodes, W, H, radius) {
  // Labels may not overlap each other or any node. The most connected actors choose first; each label
  // takes the first free spot around its node (right, left, above, below, then the diagonals); a label
  // with no free spot is left out (the node's tooltip still names it). Returns how many were left out.
  const circles = nodes.map(n => ({x0: n.x - radius(n) - 1, y0: n.y - radius(n) - 1, x1: n.x + radius(n) + 1,
    y1: n.y + radius(n) + 1}));
  const placed = [];
  const clash = b => b.x0 < 2 || b.x1 > W - 2 || b.y0 < 2 || b.y1 > H - 2 ||
    circles.some(c => b.x0 < c.x1 && c.x0 < b.x1 && b.y0 < c.y1 && c.y0 < b.y1) ||
    placed.some(c => b.x0 < c.x1 && c.x0 < b.x1 && b.y0 < c.y1 && c.y0 < b.y1);
  let hidden = 0;
  for (const n of [...nodes].sort((a, b) => b.deg - a.deg || a.name.localeCompare(b.name))) {
    const w = n.label.getComputedTextLength(), r = radius(n), asc = 10, desc = 3;
    const spots = [[r + 4, 4, "start"], [-r - 4, 4, "end"], [0, -r - 5, "middle"], [0, r + 14, "middle"],
      [r + 2, -r - 3, "start"], [r + 2, r + 12, "start"], [-r - 2, -r - 3, "end"], [-r - 2, r + 12, "end"]];
    const spot = spots.map(([dx, dy, anchor]) => {
      const left = anchor === "start" ? dx : anchor === "end" ? dx - w : dx - w / 2;
      return {dx, dy, anchor, box: {x0: n.x + left - 1, x1: n.x + left + w + 1, y0: n.y + dy - asc, y1: n.y + dy + desc}};
    }).find(sp => !clash(sp.box));
    if (!spot) { n.label.setAttribute("display", "none"); n.label.classList.add("left-out"); hidden++; continue; }
    n.label.setAttribute("x", spot.dx); n.label.setAttribute("y", spot.dy); n.label.setAttribute("text-anchor", spot.anchor);
    placed.push(spot.box);
  }
  return hidden;
}
function layout(nodes, links, W, H) {
  // a plain force layout (repulsion, springs, gravity) run to rest, then scaled to fit the box
  const k = 130;
  for (let it = 0; it < 400; it++) {
    const temp = 1 - it / 400;
    for (const n of nodes) { n.fx = 0; n.fy = 0; }
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i], b = nodes[j];
      const dx = a.x - b.x, dy = a.y - b.y, d2 = Math.max(dx * dx + dy * dy, 1);
      const f = k * k / d2;
      a.fx += dx * f; a.fy += dy * f; b.fx -= dx * f; b.fy -= dy * f;
    }
    for (const l of links) {
      if (l.s === l.t) continue;
      const a = nodes[l.s], b = nodes[l.t];
      const dx = b.x - a.x, dy = b.y - a.y, d = Math.hypot(dx, dy) || 0.01;
      const f = (d - k) / d * 0.3;
      a.fx += dx * f; a.fy += dy * f; b.fx -= dx * f; b.fy -= dy * f;
    }
    for (const n of nodes) {
      n.fx += (W / 2 - n.x) * 0.06; n.fy += (H / 2 - n.y) * 0.06 * (W / H);
      const m = Math.hypot(n.fx, n.fy) || 1, step = Math.min(m, 40 * temp + 0.5);
      n.x += n.fx / m * step; n.y += n.fy / m * step;
    }
  }
  // fit into the box with one scale for both axes (no stretching), and don't blow small graphs up
  const xs = nodes.map(n => n.x), ys = nodes.map(n => n.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const scale = Math.min(2, (W - 260) / Math.max(1, x1 - x0), (H - 80) / Math.max(1, y1 - y0));
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  for (const n of nodes) {
    n.x = W / 2 - 60 + (n.x - cx) * scale;
    n.y = H / 2 + (n.y - cy) * scale;
  }
}

// ---- map ----------------------------------------------------------------------------------------------

let world = null;
async function pageMap(params) {
  const f = filtersOf(params);
  const [data, topo] = await Promise.all([api("/api/events/map" + qs(f)),
    world || api("/static/vendor/world-atlas/countries-110m.json")]);
  world = topo;
  $main.innerHTML = `<div class="bar"><h1>Map</h1><span class="muted">${data.located.toLocaleString()} located events at ${data.points.length.toLocaleString()} places · ${data.unlocated.toLocaleString()} without coordinates</span>
    <span class="grow"></span>${legend()}</div>`;
  const W = 1200, H = 600;
  const px = lon => (lon + 180) / 360 * W, py = lat => (90 - lat) / 180 * H;  // equirectangular
  const svg = svgEl("svg", {viewBox: `0 0 ${W} ${H}`, id: "map-svg", role: "img"});
  svg.append(svgEl("rect", {class: "ocean", x: 0, y: 0, width: W, height: H}));
  for (let lon = -150; lon <= 150; lon += 30) svg.append(svgEl("line", {class: "graticule", x1: px(lon), x2: px(lon), y1: 0, y2: H}));
  for (let lat = -60; lat <= 60; lat += 30) svg.append(svgEl("line", {class: "graticule", x1: 0, x2: W, y1: py(lat), y2: py(lat)}));
  const countries = topojson.feature(topo, topo.objects.countries);
  for (const feat of countries.features) {
    const path = svgEl("path", {class: "country", d: geoPath(feat.geometry, px, py)});
    const tt = svgEl("title"); tt.textContent = feat.properties.name; path.append(tt);
    svg.append(path);
  }
  const maxN = Math.max(1, ...data.points.map(p => p.n));
  for (const p of [...data.points].sort((a, b) => b.n - a.n)) {
    const c = svgEl("circle", {class: "point", cx: px(p.lon), cy: py(p.lat), r: 3 + 17 * Math.sqrt(p.n / maxN),
      fill: QUAD_COLOR[p.quad] || "#23395d"});
    const tt = svgEl("title"); tt.textContent = `${p.name || `${p.lat}, ${p.lon}`}: ${p.n} event${p.n === 1 ? "" : "s"} (mostly ${QUAD_LABEL[p.quad] || p.quad})`;
    c.append(tt);
    c.onclick = () => go("events", {...f, place: p.name || ""});
    svg.append(c);
  }
  const box = el("div", {class: "chart"}); box.append(svg); $main.append(box);
  $main.append(el("p", {class: "muted"}, data.points.length
    ? "Circle area by event count, colour by the most common quad class there. Click a place to list its events."
    : "No event in this selection has coordinates yet (places are geocoded by the pipeline's place step)."));
}
function geoPath(geom, px, py) {
  const rings = geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
  let d = "";
  for (const poly of rings) for (const ring of poly) {
    let prev = null;
    ring.forEach(([lon, lat], i) => {
      // a jump across the antimeridian starts a new sub-path instead of a line across the map
      const move = i === 0 || (prev !== null && Math.abs(lon - prev) > 180);
      d += (move ? "M" : "L") + px(lon).toFixed(1) + "," + py(lat).toFixed(1);
      prev = lon;
    });
    d += "Z";
  }
  return d;
}

// ---- router -------------------------------------------------------------------------------------------------

const PAGES = {events: pageEvents, documents: pageDocuments, quotes: pageQuotes, actors: pageActors, doc: pageDoc,
  timeline: pageTimeline, network: pageNetwork, map: pageMap, extract: pageExtract, happenings: pageHappenings};
const FILTERED = new Set(["events", "happenings", "timeline", "network", "map"]);

async function render() {
  const r = route();
  const page = PAGES[r.page] ? r.page : "events";
  document.querySelectorAll("#nav a[data-page]").forEach(a =>
    a.classList.toggle("active", a.dataset.page === page || (page === "doc" && a.dataset.page === "documents")));
  $filters.hidden = !FILTERED.has(page);
  document.body.dataset.page = page;
  try {
    if (FILTERED.has(page)) { await loadFacets(r.params); fillFilters(r.params); }
    $main.innerHTML = `<p class="muted">Loading…</p>`;
    await PAGES[page](r.params, r.arg);
  } catch (err) {
    $main.innerHTML = "";
    showError(err);
  }
  document.body.dataset.ready = page;  // tests wait for this
}
window.addEventListener("hashchange", () => { document.body.dataset.ready = ""; render(); window.scrollTo(0, 0); });
api("/api/stats").then(s => {
  document.getElementById("storeinfo").textContent =
    `${s.db} · ${s.counts.documents.toLocaleString()} documents · ${s.counts.events.toLocaleString()} events`;
}).catch(() => {});
render();
