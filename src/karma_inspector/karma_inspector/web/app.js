// KARMA-ROS inspector page: polls /api/state (live) or /api/graph_at (time slider) and draws
// a top-down map of frame map (REP-103: x right, y up the page; SVG's y grows down, so it
// draws -y). All memory text is set with textContent: it is data from perception, never markup.
"use strict";
const SVG = "http://www.w3.org/2000/svg";
let live = true;
let span = [0, 0];

function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
  return tr;
}

function drawMap(view, diffs) {
  const svg = document.getElementById("map");
  svg.replaceChildren();
  const xs = [], zs = [];
  for (const r of view.regions.concat(view.things)) {
    xs.push(r.x - r.w / 2, r.x + r.w / 2); zs.push(-r.y - r.d / 2, -r.y + r.d / 2);
  }
  for (const d of diffs || []) for (const p of [d.truth, d.belief]) if (p) { xs.push(p[0]); zs.push(-p[1]); }
  if (!xs.length) { xs.push(0, 1); zs.push(0, 1); }
  const x0 = Math.min(...xs) - 0.5, z0 = Math.min(...zs) - 0.5;
  const w = Math.max(...xs) - x0 + 0.5, h = Math.max(...zs) - z0 + 0.5;
  svg.setAttribute("viewBox", `${x0} ${z0} ${w} ${h}`);
  for (const r of view.regions) {
    const g = el("g", {"class": "region-group", "data-id": r.id});
    g.appendChild(el("rect", {"class": "region", x: r.x - r.w / 2, y: -r.y - r.d / 2, width: r.w, height: r.d}));
    g.appendChild(el("text", {"class": "region-label", x: r.x - r.w / 2 + 0.05, y: -r.y - r.d / 2 + 0.3}, r.type));
    svg.appendChild(g);
  }
  for (const t of view.things.filter(t => t.layer === "receptacle")) {
    const r = el("rect", {"class": "receptacle", "data-id": t.id, x: t.x - t.w / 2, y: -t.y - t.d / 2,
                          width: Math.max(t.w, 0.05), height: Math.max(t.d, 0.05)});
    r.appendChild(el("title", {}, `${t.id} (${t.type})`));
    svg.appendChild(r);
  }
  for (const t of view.things.filter(t => t.layer === "object")) {
    const cls = "object" + (t.stale ? " stale" : "") + (t.source === "operator" ? " operator" : "");
    const c = el("circle", {"class": cls, "data-id": t.id, "data-confidence": t.confidence,
                            "data-stale": t.stale, cx: t.x, cy: -t.y, r: 0.08,
                            fill: `rgba(240, 130, 20, ${0.25 + 0.75 * t.confidence})`});
    c.appendChild(el("title", {}, `${t.id} (${t.type}) confidence ${t.confidence}` +
                                  `${t.stale ? " stale" : ""} in ${t.parent || "-"} from ${t.source}`));
    svg.appendChild(c);
  }
  for (const d of diffs || []) {
    if (d.truth) svg.appendChild(el("circle", {"class": "truth " + d.kind, "data-id": d.id, "data-kind": d.kind,
                                               cx: d.truth[0], cy: -d.truth[1], r: 0.12}));
    if (d.truth && d.belief) svg.appendChild(el("line", {"class": "diff-line", x1: d.belief[0], y1: -d.belief[1],
                                                         x2: d.truth[0], y2: -d.truth[1]}));
  }
  const tb = document.querySelector("#objects tbody");
  tb.replaceChildren(row(["id", "type", "conf.", "stale", "in"]));
  for (const t of view.things) tb.appendChild(row([t.id, t.type, t.confidence.toFixed(2), t.stale ? "yes" : "", t.parent]));
}

function drawSide(state) {
  const diffs = document.getElementById("diffs");
  if (!state.ground_truth) diffs.textContent = "no ground truth (not in simulation)";
  else if (!state.diffs.length) diffs.textContent = "belief matches the ground truth";
  else diffs.textContent = state.diffs.map(d => `${d.kind}: ${d.id}`).join("; ");
  const stm = document.querySelector("#stm tbody");
  stm.replaceChildren(row(["object", "states", "in", "source", "hits"]));
  for (const e of state.short_term || [])
    stm.appendChild(row([e.object_id, Object.entries(e.states).map(([k, v]) => `${k}=${v}`).join(" "),
                         e.receptacle, e.source, String(e.hits)]));
  const plan = document.getElementById("plan");
  plan.replaceChildren();
  if (state.plan) {
    const p = state.plan;
    const head = document.createElement("div");
    head.textContent = `${p.instruction} -> ${p.success ? "ok" : "failed"} (${p.backend}) ${p.message}`;
    const steps = document.createElement("ol");
    for (const s of p.steps) { const li = document.createElement("li"); li.textContent = s; steps.appendChild(li); }
    const ids = document.createElement("div");
    ids.textContent = "memory in prompt: " + p.memory_ids.join(", ");
    const prompt = document.createElement("pre");
    prompt.id = "prompt";
    prompt.textContent = p.prompt;
    plan.append(head, steps, ids, prompt);
  } else plan.textContent = "no plan yet";
}

function setSpan(s) {
  span = s;
  const slider = document.getElementById("time");
  slider.min = s[0]; slider.max = Math.max(s[1], s[0] + 1e-3);
  if (live) slider.value = slider.max;
}

function label(t) {
  document.getElementById("time-label").textContent = t ? new Date(t * 1000).toISOString().slice(11, 23) : "";
}

function bump() {
  document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
}

async function refresh() {
  if (!live) return;
  try {
    const state = await (await fetch("api/state", {cache: "no-store"})).json();
    if (!live) return;
    setSpan(state.history || [0, 0]);
    label(state.history ? state.history[1] : 0);
    drawMap(state.view, state.diffs);
    drawSide(state);
    document.getElementById("mode").textContent = "live";
    document.body.dataset.mode = "live";
    bump();
  } catch (e) { document.getElementById("mode").textContent = "disconnected"; }
}

async function travel() {
  live = false;
  const t = Number(document.getElementById("time").value);
  label(t);
  const r = await (await fetch(`api/graph_at?t=${t}`, {cache: "no-store"})).json();
  if (r.error) { document.getElementById("mode").textContent = r.error; return; }
  drawMap(r.view, []);
  document.getElementById("mode").textContent = "history at " + new Date(t * 1000).toISOString().slice(11, 23);
  document.body.dataset.mode = "history";
  document.body.dataset.time = String(t);
  bump();
}

document.getElementById("time").addEventListener("change", travel);
document.getElementById("live").addEventListener("click", () => { live = true; refresh(); });
refresh();
setInterval(refresh, 1000);
