// Smart selection on the canvas: refine edges, magic wand and box select.
// Each asks the server (POST /edit/<image>/select/) for a mask of the image, stored as a file,
// and adds it to the stroke history as ONE "mask" op: Ctrl+Z takes it back, the brush and the
// eraser work on top of it, and a reload replays it like any other stroke.
//   refine          the current mask snapped to the object edges (replaces the mask)
//   wand / box      click / drag: a new selection; Shift adds to the mask, Alt subtracts (or
//                   the "Each selection" menu, for screens without keys)

import { loadRaster } from "./strokes.js";
import { isTyping } from "./typing.js";

const NOTES = {
  wand: "Click a colour to select it · Shift+click adds · Alt+click subtracts · Tolerance sets how alike colours must be.",
  box: "Drag a box around one object · Shift adds · Alt subtracts. Box select works best on objects that stand out from their background.",
};
const SHORTCUTS = { w: "wand", o: "box" };

// Shift and Alt win; without them (a phone has neither) the "Each selection" menu decides.
function combine(event, menu) {
  if (event.altKey) return "subtract";
  if (event.shiftKey) return "add";
  return menu.value;
}

function csrf() {
  return document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
}

// { root, stage, canvas, view, settings, store, commit(op), announce(text), exportMask() }
export function attachSelection(ctx) {
  const { root, stage, canvas, view, settings, store, commit, announce } = ctx;
  const group = root.querySelector("[data-selection]");
  if (!group) return null;
  const endpoint = group.dataset.url;
  const tolerance = group.querySelector("[data-wand-tolerance]");
  const toleranceOutput = group.querySelector("[data-wand-tolerance-value]");
  const refineButton = group.querySelector("[data-refine]");
  const note = root.querySelector("[data-selection-note]");
  const combineMenu = group.querySelector("[data-selection-combine]");
  let busy = false;

  async function run(fields, mode, label) {
    if (busy) return;
    busy = true;
    stage.classList.add("selecting");
    refineButton.disabled = true;
    announce(`${label}…`);
    try {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      const response = await fetch(endpoint, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({ error: `The selection failed (${response.status}).` }));
      if (!response.ok) throw new Error(answer.error || `The selection failed (${response.status}).`);
      await loadRaster(answer.url);
      commit({ op: "mask", url: answer.url, mode });
      const share = (answer.coverage * 100).toFixed(answer.coverage < 0.1 ? 1 : 0);
      announce(`${label}: ${share}% of the image is in the mask. Undo (Ctrl+Z) takes it back.`);
    } catch (error) {
      announce(error.message);
    } finally {
      busy = false;
      stage.classList.remove("selecting");
      refineButton.disabled = false;
    }
  }

  async function refine() {
    if (store.isEmpty) {
      announce("Paint roughly over the object first, then refine the edges.");
      return;
    }
    const mask = await ctx.exportMask();
    await run({ mode: "refine", mask: new File([mask], "mask.png", { type: "image/png" }), size: Math.round(settings.size) }, "replace", "Edges refined");
  }

  const inImage = (p) => p.x >= 0 && p.y >= 0 && p.x < view.width && p.y < view.height;

  function wand(event) {
    const p = view.clientToImage(event.clientX, event.clientY);
    if (!inImage(p)) return;
    const mode = combine(event, combineMenu);
    const label = { replace: "Selected", add: "Added", subtract: "Subtracted" }[mode];
    run({ mode: "wand", x: Math.floor(p.x), y: Math.floor(p.y), tolerance: tolerance.value }, mode, label);
  }

  // ---- box: a dashed rectangle while dragging, the selection on release ----
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.classList.add("stage-preview", "box-preview");
  svg.setAttribute("aria-hidden", "true");
  const outline = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  svg.append(outline);
  stage.append(svg);
  let drag = null;

  function showBox(a, b) {
    const s = view.imageToStage(Math.min(a.x, b.x), Math.min(a.y, b.y));
    const e = view.imageToStage(Math.max(a.x, b.x), Math.max(a.y, b.y));
    outline.setAttribute("x", s.x);
    outline.setAttribute("y", s.y);
    outline.setAttribute("width", Math.max(0, e.x - s.x));
    outline.setAttribute("height", Math.max(0, e.y - s.y));
    svg.classList.toggle("visible", Boolean(drag));
  }

  const selecting = (event) =>
    (settings.tool === "wand" || settings.tool === "box") && event.button === 0 && !stage.classList.contains("grab") && event.isPrimary;

  canvas.addEventListener("pointerdown", (event) => {
    if (!selecting(event)) return;
    if (settings.tool === "wand") {
      wand(event);
      return;
    }
    const p = view.clientToImage(event.clientX, event.clientY);
    drag = { id: event.pointerId, start: p, end: p };
    showBox(p, p);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag.end = view.clientToImage(event.clientX, event.clientY);
    showBox(drag.start, drag.end);
  });
  const finish = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const { start, end } = drag;
    drag = null;
    showBox(start, start);
    if (event.type === "pointercancel") return;
    const [x0, x1] = [start.x, end.x].map((v) => Math.round(Math.min(view.width, Math.max(0, v)))).sort((a, b) => a - b);
    const [y0, y1] = [start.y, end.y].map((v) => Math.round(Math.min(view.height, Math.max(0, v)))).sort((a, b) => a - b);
    if ((x1 - x0) * view.scale < 4 || (y1 - y0) * view.scale < 4) return; // a click, not a box
    const mode = combine(event, combineMenu);
    const label = { replace: "Box selected", add: "Box added", subtract: "Box subtracted" }[mode];
    run({ mode: "box", x0, y0, x1, y1 }, mode, label);
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  // ---- controls, the tool's note, shortcuts ----
  const showTolerance = () => {
    toleranceOutput.textContent = tolerance.value;
  };
  tolerance.addEventListener("input", showTolerance);
  showTolerance();
  refineButton.addEventListener("click", refine);

  const showNote = () => {
    const text = NOTES[stage.dataset.tool] || "";
    note.textContent = text;
    note.hidden = !text;
  };
  new MutationObserver(showNote).observe(stage, { attributes: true, attributeFilter: ["data-tool"] });
  showNote();

  document.addEventListener("keydown", (event) => {
    if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    const key = event.key.toLowerCase();
    if (key === "f" && !event.shiftKey) {
      event.preventDefault();
      refine();
    } else if (SHORTCUTS[key] && !event.shiftKey) {
      root.querySelector(`[data-tool="${SHORTCUTS[key]}"]`)?.click();
    } else if (key === "escape" && drag) {
      drag = null;
      showBox({ x: 0, y: 0 }, { x: 0, y: 0 });
    }
  });

  return {
    refine,
    get busy() {
      return busy;
    },
  };
}
