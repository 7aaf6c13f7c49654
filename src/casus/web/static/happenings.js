// casus workbench: the events grouped by happening ("reported by 6 outlets", expand to the reports).
// Loaded before app.js, whose helpers (api, qs, esc, el, go, filtersOf, quadBadge, flags, docLink,
// markTrigger, pager, sortHeader, wireSort, legend, PAGE, $main) it uses when the page is drawn.
"use strict";

function happeningDays(h) {
  if (h.date_start) return h.date_start === h.date_end ? h.date_start : `${h.date_start} – ${h.date_end}`;
  return h.first_report ? `(${h.first_report})` : "–";
}

function reportedBy(h) {
  const outlets = `${h.n_outlets} outlet${h.n_outlets === 1 ? "" : "s"}`;
  const reports = h.n_reports === h.n_outlets ? "" : ` · ${h.n_reports} reports`;
  return `reported by ${outlets}${reports}`;
}

function reportsTable(h) {
  return `<table class="grid reports"><thead><tr><th>Published</th><th>Outlet</th><th>Evidence (trigger marked)</th>
    <th>Source → target as written</th><th class="num">Conf.</th><th>Document</th></tr></thead><tbody>` +
    h.reports.map(r => `<tr class="report">
      <td class="nowrap">${esc(r.published || "–")}</td><td>${esc(r.outlet || "–")}</td>
      <td class="evidence">${markTrigger(r.evidence, r.trigger)}</td>
      <td class="actor">${esc(r.source || "–")} → ${esc(r.target || "–")}</td>
      <td class="num">${r.confidence != null ? r.confidence.toFixed(2) : ""}</td>
      <td>${docLink(r.doc_hash, r.title || r.doc_id, {event: r.n})}</td></tr>`).join("") + "</tbody></table>";
}

async function toggleHappening(row) {
  const next = row.nextElementSibling;
  if (next && next.classList.contains("expansion")) {
    next.remove();
    row.classList.remove("open");
    row.querySelector("button.expand").setAttribute("aria-expanded", "false");
    return;
  }
  const h = await api("/api/happenings/" + encodeURIComponent(row.dataset.id));
  const tr = el("tr", {class: "expansion"}, `<td colspan="8">${reportsTable(h)}</td>`);
  row.after(tr);
  row.classList.add("open");
  row.querySelector("button.expand").setAttribute("aria-expanded", "true");
}

async function pageHappenings(params) {
  const f = filtersOf(params), offset = +params.offset || 0;
  const sort = params.sort || "outlets", order = params.order || "desc";
  const minOutlets = params.min_outlets || "";
  const data = await api("/api/happenings" + qs({...f, sort, order, min_outlets: minOutlets, limit: PAGE, offset}));
  $main.innerHTML = `<div class="bar"><h1>Happenings</h1><span class="muted">${data.total.toLocaleString()} matching
    · events fused across documents and outlets${data.unfused_events ? ` · ${data.unfused_events.toLocaleString()} events not fused yet (casus fuse)` : ""}</span>
    <span class="grow"></span>${legend()}
    <label class="inline">At least <select id="min-outlets">${[1, 2, 3, 5, 10].map(n =>
      `<option value="${n}"${+minOutlets === n ? " selected" : ""}>${n}</option>`).join("")}</select> outlets</label>
    <a class="button" id="ungroup" href="#/events${qs(f)}">One row per event</a></div>`;
  document.getElementById("min-outlets").onchange = ev =>
    go("happenings", {...params, min_outlets: ev.target.value === "1" ? "" : ev.target.value, offset: 0});
  if (!data.fused) {
    $main.append(el("div", {class: "empty"}, "This store has no happenings yet: run <code>casus fuse</code> on it."));
    return;
  }
  if (!data.total) { $main.append(el("div", {class: "empty"}, "No happening matches these filters.")); return; }
  const table = el("table", {class: "grid", id: "happenings-table"});
  const cols = [["expand", "", ""], ["date", "Date", "date"], ["type", "Type", "type"], ["actors", "Source → target", ""],
    ["place", "Place", ""], ["reports", "Reported by", "outlets"], ["outlets", "Outlets", ""],
    ["conf", "Conf.", "confidence", "num"]];
  table.innerHTML = `<thead><tr>${sortHeader(cols, {...params, sort, order})}</tr></thead><tbody>` +
    data.items.map(h => `<tr class="happening" data-id="${esc(h.id)}">
      <td><button type="button" class="expand" aria-expanded="false" title="Show the reports">▸</button></td>
      <td class="nowrap">${esc(happeningDays(h))}</td>
      <td class="nowrap">${quadBadge(h.type, h.quad)}${flags(h)}</td>
      <td class="actor">${esc(h.source_name || "–")} <span class="muted">→</span> ${esc(h.target_name || "–")}</td>
      <td>${esc(h.location || "")}</td>
      <td class="nowrap reported">${reportedBy(h)}</td>
      <td class="muted">${esc((h.outlets || []).slice(0, 4).join(", "))}${(h.outlets || []).length > 4 ? ", …" : ""}</td>
      <td class="num">${h.confidence != null ? h.confidence.toFixed(2) : ""}</td></tr>`).join("") + "</tbody>";
  wireSort(table, {...params, sort, order}, "happenings");
  table.querySelectorAll("tr.happening").forEach(row => {
    row.querySelector("button.expand").onclick = () => toggleHappening(row).catch(showError);
  });
  $main.append(table, pager(data.total, offset, PAGE, o => go("happenings", {...params, offset: o})));
}
