"use strict";
// tiltscreen app page: no build step, no external resources.
const TAB = sessionStorage.getItem("tab") || (Date.now().toString(36) + Math.random().toString(36).slice(2));
sessionStorage.setItem("tab", TAB);
const $ = (id) => document.getElementById(id);
let state = null, view = "screen", meta = null, ws = null, review = null, lastObjectUrl = null;

async function api(path, body) {
  const r = await fetch(path, {method: "POST", headers: {"content-type": "application/json", "x-tab": TAB},
                               body: JSON.stringify(body || {})});
  const data = await r.json();
  if (!r.ok) { showMessage(data.error || ("Error " + r.status)); throw new Error(data.error); }
  return data;
}
function showMessage(text) { const m = $("message"); m.textContent = text || ""; m.hidden = !text; }
function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }

function connect() {
  ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live?tab=" + TAB);
  ws.binaryType = "blob";
  ws.onmessage = (ev) => {
    if (typeof ev.data === "string") {
      const m = JSON.parse(ev.data);
      if (m.type === "hello") { if (!m.controller) showReadOnly(m.message); return; }
      if (m.type === "idle") { ws.send(JSON.stringify({seq: 0})); return; }
      meta = m; return;
    }
    const img = $("live-img"), url = URL.createObjectURL(ev.data), seq = meta ? meta.seq : 0;
    img.onload = () => {
      if (lastObjectUrl) URL.revokeObjectURL(lastObjectUrl);
      lastObjectUrl = url;
      requestAnimationFrame(() => ws.send(JSON.stringify({seq: seq, shown_ms: Date.now()})));
      renderLive();
    };
    img.src = url;
  };
  ws.onclose = () => setTimeout(connect, 1000);
}
function showReadOnly(text) { const b = $("readonly"); b.textContent = text || ""; b.hidden = !text; }

function renderLive() {
  if (!meta) return;
  const ph = meta.phase, rem = meta.remaining_s;
  const phaseText = {setup: "Setting up: follow the instructions", countdown: "Hold still: recording in " + Math.ceil(rem || 0),
                     recording: meta.step === "sit_and_reach" ? "Recording: reach and hold (" + meta.holds + " hold(s))" :
                     "Recording… " + Math.ceil(rem || 0) + " s", done: "Recorded"}[ph] || ph;
  $("phase").textContent = phaseText + (meta.override ? " (manual override)" : "");
  $("phase").dataset.phase = ph;
  $("checks").innerHTML = meta.checks.map(c =>
    `<li class="${c.ok ? "ok" : (c.blocking ? "fail" : "advice")}" data-key="${c.key}">${c.ok ? "✔" : "✘"} ${esc(c.label)}` +
    (c.ok ? "" : `<br><small>${esc(c.instruction)}</small>`) + "</li>").join("");
  const lat = meta.published_ms - meta.capture_ms;
  $("stats").textContent = `${meta.fps} fps · server ${lat.toFixed(0)} ms · ${meta.size[0]}×${meta.size[1]}`;
  $("btn-finish").hidden = !(meta.step === "sit_and_reach" && ph === "recording");
}

function show(id) { for (const s of ["patient-form", "live", "review", "finished", "patients"]) $(s).hidden = (s !== id); }

async function poll() {
  try {
    const r = await fetch("/api/state?tab=" + TAB); state = await r.json();
    showReadOnly(state.read_only ? state.read_only_message : null);
    document.querySelectorAll("button").forEach(b => { if (b.id !== "nav") b.disabled = !!state.read_only; });
    if (view === "screen") renderState();
  } catch (e) { showMessage("The tiltscreen server cannot be reached: is it still running?"); }
  setTimeout(poll, 600);
}

function renderState() {
  const s = state;
  if (!s.session || s.phase === "idle") { show("patient-form"); return; }
  if (s.phase === "camera_error" || s.phase === "failed") {
    show("live"); showMessage(s.message); $("btn-reconnect").hidden = false;
    $("btn-reconnect").textContent = s.phase === "failed" ? "Redo" : "Reconnect"; return;
  }
  $("btn-reconnect").hidden = true;
  if (s.phase === "live") { showMessage(null); show("live"); $("step-title").textContent = s.step_title; return; }
  if (s.phase === "analysing") { show("live"); $("phase").textContent = "Analysing the recording…"; $("phase").dataset.phase = "analysing"; return; }
  if (s.phase === "review") { show("review"); renderReview(); return; }
  if (s.phase === "finished") { show("finished"); renderFinished(); }
}

function renderReview() {
  const st = (state.done_steps || []).find(d => d.step === state.step);
  if (!st) return;
  $("review-title").textContent = state.step_title;
  $("review-status").innerHTML = `<p id="review-state" data-status="${esc(st.status)}">Status: <b>${esc(st.status)}</b>` +
    (st.override ? " (manual override)" : "") + "</p><ul>" + (st.reasons || []).map(r => `<li>${esc(r)}</li>`).join("") + "</ul>";
  $("review-metrics").innerHTML = "<tr><th>metric</th><th>value</th><th>95% interval</th></tr>" +
    Object.entries(st.metrics || {}).map(([k, m]) => `<tr><td>${esc(k)}</td><td>${m && m.value != null ? m.value + " " + esc(m.unit) : "n/a"}</td>` +
    `<td>${m && m.ci95 ? m.ci95[0] + " to " + m.ci95[1] : ""}</td></tr>`).join("");
  $("review-flags").innerHTML = (st.flags || []).map(f => `<p class="flag">[${esc(f.level)}] ${esc(f.message)}</p>`).join("");
  if (!review || review.id !== st.id) loadReview(st);
}

function loadReview(st) {
  review = {id: st.id, points: JSON.parse(JSON.stringify((st.points || {}).points || {})), img: new Image(), drag: null};
  if (!st.has_key_frame) return;
  review.img.onload = drawReview;
  review.img.src = `/api/steps/${st.id}/key_frame?t=${Date.now()}`;
}
function drawReview() {
  const c = $("review-canvas"), ctx = c.getContext("2d"), img = review.img;
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  ctx.drawImage(img, 0, 0);
  for (const [name, p] of Object.entries(review.points)) {
    ctx.beginPath(); ctx.arc(p[0], p[1], 9, 0, 2 * Math.PI); ctx.lineWidth = 3;
    ctx.strokeStyle = {asis: "#f00", psis: "#00f"}[name] || "#fc0"; ctx.stroke();
  }
}
function canvasPoint(ev) {
  const c = $("review-canvas"), r = c.getBoundingClientRect();
  return [(ev.clientX - r.left) * c.width / r.width, (ev.clientY - r.top) * c.height / r.height];
}
function setupReviewDrag() {
  const c = $("review-canvas");
  c.addEventListener("mousedown", ev => {
    if (!review) return; const p = canvasPoint(ev);
    for (const [name, q] of Object.entries(review.points))
      if ((name === "asis" || name === "psis") && Math.hypot(p[0] - q[0], p[1] - q[1]) < 20) review.drag = name;
  });
  c.addEventListener("mousemove", ev => { if (review && review.drag) { review.points[review.drag] = canvasPoint(ev); drawReview(); } });
  c.addEventListener("mouseup", async () => {
    if (!review || !review.drag) return; review.drag = null;
    const r = await api(`/api/steps/${review.id}/correction`, {points: {asis: review.points.asis, psis: review.points.psis}});
    $("corrected").innerHTML = `<p id="correction-result">Pelvic tilt: original <b>${r.original_deg}</b>°, corrected <b>${r.corrected_deg}</b>° ` +
      `(key frame ${r.key_frame_before_deg}° → ${r.key_frame_after_deg}°). Correction stored beside the original.</p>`;
  });
}

async function renderFinished() {
  const sid = state.session.id;
  $("report-link").href = `/sessions/${sid}/report`;
  if ($("reading").dataset.sid === String(sid)) return;
  const r = await fetch(`/api/patients/${state.session.patient_id}`); const d = await r.json();
  const html = await (await fetch(`/sessions/${sid}/report`)).text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  $("reading").textContent = doc.getElementById("reading") ? doc.getElementById("reading").textContent : "";
  $("reading").dataset.sid = String(sid);
}

async function showPatients() {
  view = "patients"; show("patients");
  const list = await (await fetch("/api/patients")).json();
  $("patient-list").innerHTML = list.map(p => `<li><a href="#" data-pid="${p.id}">${esc(p.pseudonym)}</a> (${p.sessions} session(s))</li>`).join("");
  $("patient-list").querySelectorAll("a").forEach(a => a.onclick = (e) => { e.preventDefault(); showPatient(a.dataset.pid); });
}
function trendSvg(series) {
  const pts = series.points.filter(p => p.value != null);
  if (!pts.length) return "<p class='note'>No value yet.</p>";
  const vals = pts.map(p => p.value), lo = Math.min(...vals) - 2, hi = Math.max(...vals) + 2, W = 320, H = 90;
  const xy = pts.map((p, i) => [20 + i * (W - 40) / Math.max(pts.length - 1, 1), H - 10 - (p.value - lo) * (H - 20) / (hi - lo)]);
  return `<svg width="${W}" height="${H}" class="trend"><polyline fill="none" stroke="#3465a4" stroke-width="2" points="${xy.map(q => q.join(",")).join(" ")}"/>` +
    xy.map((q, i) => `<circle cx="${q[0]}" cy="${q[1]}" r="4" fill="${pts[i].marked ? "#a40000" : "#3465a4"}"/>`).join("") + "</svg>";
}
async function showPatient(pid) {
  const d = await (await fetch(`/api/patients/${pid}`)).json();
  const trends = d.trends.map(t => `<h4>${esc(t.label)}</h4>${trendSvg(t)}<table><tr><th>session</th><th>value</th><th>change</th></tr>` +
    t.points.map(p => `<tr><td>${esc(p.date)}</td><td>${p.value == null ? "n/a" : p.value}${p.corrected ? " (corrected)" : ""}</td>` +
      `<td class="${p.marked ? "changed" : ""}">${p.delta == null ? "" : (p.delta > 0 ? "+" : "") + p.delta + (p.marked ? " (exceeds MDC " + p.mdc + ")" : "")}</td></tr>`).join("") +
    `</table><p class="note">${esc(t.mdc_source)}</p>`).join("");
  const sessions = d.sessions.map(s => `<li>Session ${s.id}, ${esc(s.started_at)} ` +
    (s.has_report ? `<a target="_blank" href="/sessions/${s.id}/report">report</a>` : `<button data-resume="${s.id}">Resume</button>`) + "</li>").join("");
  $("patient-detail").innerHTML = `<h3>${esc(d.patient.pseudonym)}</h3><ul>${sessions}</ul>` +
    `<p><a href="/api/export.csv?patient_id=${pid}">Export this patient (CSV)</a> <button id="btn-delete">Delete this patient and all their data</button></p>${trends}`;
  $("btn-delete").onclick = async () => { if (confirm("Delete every record and file of this patient?")) { await api(`/api/patients/${pid}/delete`); $("patient-detail").innerHTML = ""; showPatients(); } };
  $("patient-detail").querySelectorAll("[data-resume]").forEach(b => b.onclick = async () => { await api(`/api/session/${b.dataset.resume}/resume`); view = "screen"; });
}

function init() {
  $("form").onsubmit = async (e) => {
    e.preventDefault(); showMessage(null); view = "screen";
    await api("/api/session", {pseudonym: $("pseudonym").value, age: $("age").value, sex: $("sex").value,
                                stature_cm: $("stature").value, store_video: $("store-video").checked});
  };
  for (const [id, cmd] of [["btn-override", "override"], ["btn-finish", "finish"], ["btn-reconnect", "reconnect"],
                           ["btn-redo", "redo"], ["btn-accept", "accept"]])
    $(id).onclick = () => api("/api/command/" + cmd).then(() => { review = null; showMessage(null); });
  $("btn-new").onclick = () => { state.session = null; show("patient-form"); fetch("/api/state"); view = "new"; };
  $("nav-screen").onclick = (e) => { e.preventDefault(); view = "screen"; };
  $("nav-patients").onclick = (e) => { e.preventDefault(); showPatients(); };
  setupReviewDrag(); connect(); poll();
}
init();
