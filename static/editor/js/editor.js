// The canvas page: wires the viewport, pointer input, stroke data and mask layer to the
// toolbar, the keyboard and the edit form.

import { setMaskProvider } from "./jobs.js";
import { MaskLayer, exportMask } from "./mask.js";
import { attachLook } from "./look.js";
import { forgetMaskOps, loadBrushSettings, loadMaskOps, saveMaskOps, takeCarried } from "./mask-storage.js";
import { createOutline } from "./outline.js";
import { attachPointer } from "./pointer.js";
import { attachRadioGroup } from "./radiogroup.js";
import { attachReuseMask } from "./reuse-mask.js";
import { attachSelection } from "./selection.js";
import { attachSheet } from "./sheet.js";
import { attachShortcuts } from "./shortcuts.js";
import { attachStaging } from "./staging.js";
import { StrokeStore, drawSegments } from "./strokes.js";
import { Viewport } from "./viewport.js";

const root = document.querySelector("[data-editor]");
const W = Number(root.dataset.width);
const H = Number(root.dataset.height);
const ASSET = root.dataset.asset;

const stage = root.querySelector("[data-stage]");
const canvas = root.querySelector("[data-mask-canvas]");
const image = root.querySelector("[data-stage-image]");
const cursor = root.querySelector("[data-brush-cursor]");
const hint = root.querySelector("[data-stage-hint]");
const zoomLevel = root.querySelector("[data-zoom-level]");
const help = document.querySelector("[data-shortcuts]");
const ctx = canvas.getContext("2d");

const settings = { tool: "brush", size: 40, softness: 0, color: "#ff3b6b", opacity: 55, visible: true };
const maxSize = Math.max(200, Math.round(Math.max(W, H) / 6));

Object.assign(settings, loadBrushSettings(), { tool: "brush" });
settings.size = Math.min(maxSize, Math.max(1, settings.size));

const store = new StrokeStore(await loadMaskOps(ASSET));
const layer = new MaskLayer(W, H);
layer.rebuild(store.live());
const view = new Viewport(stage, W, H);
let staging = null; // set once the page is wired (below); redraw() runs only after that

// ---- drawing the screen -------------------------------------------------------------------

let frame = 0;
function requestRedraw() {
  if (!frame) frame = requestAnimationFrame(redraw);
}

function redraw() {
  frame = 0;
  view.sizeCanvas(canvas);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  view.applyTo(ctx);
  ctx.imageSmoothingEnabled = view.scale < 2;
  ctx.drawImage(layer.canvas, 0, 0, W, H);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = "source-in";
  ctx.fillStyle = settings.color;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.globalCompositeOperation = "source-over";
  if (current && (current.op === "brush" || current.op === "erase")) {
    view.applyTo(ctx);
    drawSegments(ctx, current, 0, settings.color, view.deviceScale);
  }
  image.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  image.classList.toggle("pixelated", view.scale >= 2);
  staging?.applyView();
  zoomLevel.value = `${Math.round(view.scale * 100)}%`;
  zoomLevel.textContent = zoomLevel.value;
}

view.addEventListener("change", requestRedraw);
// Until the user zooms or pans, the image follows the stage size (window resize, rotation).
let autoFit = true;
const userView = () => {
  autoFit = false;
};
new ResizeObserver(() => {
  if (autoFit && stage.clientWidth > 0) view.fit();
  view.sizeCanvas(canvas);
  redraw();
}).observe(stage);

// ---- strokes -------------------------------------------------------------------------------

let current = null;
let rectStart = null;
const showPreview = createOutline(stage, view);

const round = (v) => Math.round(v * 100) / 100;

function imagePoint(s) {
  const p = view.clientToImage(s.clientX, s.clientY);
  return [round(p.x), round(p.y), round(s.pressure)];
}

function rectPoints(a, b) {
  return [a, [b[0], a[1]], b, [a[0], b[1]]];
}

function commit(op) {
  store.push(op);
  layer.add(op);
  save();
  requestRedraw();
}

const pointer = attachPointer(canvas, {
  panMode: () => keys.spaceHeld || settings.tool === "pan",
  begin(s) {
    const p = imagePoint(s);
    hint.hidden = true;
    // Painting over a staged result shows the mask again (staging hid it to show the result).
    if (!look.maskShown) look.set("visible", true);
    if (settings.tool === "brush" || settings.tool === "eraser") {
      current = {
        op: settings.tool === "eraser" ? "erase" : "brush",
        size: settings.size,
        softness: settings.softness,
        points: [p],
      };
      view.applyTo(ctx);
      drawSegments(ctx, current, 0, settings.color, view.deviceScale);
    } else if (settings.tool === "rect") {
      current = { op: "rect" };
      rectStart = p;
    } else if (settings.tool === "lasso") {
      current = { op: "lasso", points: [[p[0], p[1]]] };
    }
  },
  move(samples) {
    if (!current) return;
    if (current.op === "brush" || current.op === "erase") {
      const from = current.points.length;
      for (const s of samples) {
        const p = imagePoint(s);
        const prev = current.points[current.points.length - 1];
        if (Math.hypot(p[0] - prev[0], p[1] - prev[1]) * view.scale >= 0.75) current.points.push(p);
      }
      if (current.points.length > from) {
        // Only the new segments: painting stays smooth on very large images.
        view.applyTo(ctx);
        drawSegments(ctx, current, from, settings.color, view.deviceScale);
      }
    } else if (current.op === "rect") {
      const p = imagePoint(samples[samples.length - 1]);
      current.end = p;
      showPreview(rectPoints(rectStart, p), true);
    } else if (current.op === "lasso") {
      for (const s of samples) {
        const [x, y] = imagePoint(s);
        current.points.push([x, y]);
      }
      showPreview(current.points, true);
    }
  },
  end() {
    const op = current;
    current = null;
    showPreview(null);
    if (!op) return;
    if (op.op === "rect") {
      if (!op.end) return;
      const [x0, y0] = rectStart;
      const [x1, y1] = op.end;
      const rect = { op: "rect", erase: false, x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
      if (rect.w >= 1 && rect.h >= 1) commit(rect);
    } else if (op.op === "lasso") {
      if (op.points.length >= 3) commit({ op: "lasso", erase: false, points: op.points });
    } else {
      commit(op);
    }
  },
  cancel() {
    current = null;
    showPreview(null);
    requestRedraw();
  },
  pan: (dx, dy) => {
    userView();
    view.panBy(dx, dy);
  },
  panStart: () => stage.classList.add("grabbing"),
  panEnd: () => stage.classList.remove("grabbing"),
  pinch(factor, cx, cy, dx, dy) {
    userView();
    const s = view.clientToStage(cx, cy);
    view.panBy(dx, dy);
    view.zoomAt(factor, s.x, s.y);
  },
  hover: (event) => moveCursor(event),
  leave: () => {
    cursor.hidden = true;
  },
});

function moveCursor(event) {
  const painting = settings.tool === "brush" || settings.tool === "eraser";
  if (!painting || keys.spaceHeld || event.pointerType === "touch") {
    cursor.hidden = true;
    return;
  }
  const s = view.clientToStage(event.clientX, event.clientY);
  const d = Math.max(4, settings.size * view.scale);
  cursor.hidden = false;
  cursor.style.width = `${d}px`;
  cursor.style.height = `${d}px`;
  cursor.style.transform = `translate(${s.x - d / 2}px, ${s.y - d / 2}px)`;
}

// ---- persistence ---------------------------------------------------------------------------

function save() {
  if (!saveMaskOps(ASSET, store.live(), W, H)) {
    announce("The mask is too large to keep across reloads; it is still here until you leave.");
  }
}

const status = root.querySelector("[data-stage-status]");
const baseStatus = status.innerHTML;
function announce(text) {
  status.textContent = text;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => {
    status.innerHTML = baseStatus;
  }, 4000);
}

// ---- actions -------------------------------------------------------------------------------

function rebuild() {
  layer.rebuild(store.live());
  save();
  requestRedraw();
}

const actions = {
  undo: () => store.undo() && rebuild(),
  redo: () => store.redo() && rebuild(),
  invert: () => commit({ op: "invert" }),
  "toggle-mask": () => look.toggleMask(),
  clear: () => {
    if (!store.live().length) return;
    store.push({ op: "clear" });
    rebuild();
    announce("Mask cleared. Undo brings it back.");
  },
  "zoom-in": () => (userView(), view.zoomAt(1.25)),
  "zoom-out": () => (userView(), view.zoomAt(0.8)),
  fit: () => {
    autoFit = true;
    view.fit();
  },
  actual: () => (userView(), view.zoomTo(1)),
  help: () => help.showModal(),
};

function syncButtons() {
  root.querySelector('[data-action="undo"]').disabled = !store.canUndo;
  root.querySelector('[data-action="redo"]').disabled = !store.canRedo;
  hint.hidden = store.live().length > 0 || hint.hidden;
}
store.addEventListener("change", syncButtons);

attachReuseMask(root.querySelector("[data-reuse-mask]"), { add: commit, announce });

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button && actions[button.dataset.action]) actions[button.dataset.action]();
  const tool = event.target.closest('[role="radio"][data-tool]');
  if (tool) setTool(tool.dataset.tool);
});

function setTool(tool) {
  settings.tool = tool;
  for (const button of root.querySelectorAll('[role="radio"][data-tool]')) {
    button.setAttribute("aria-checked", String(button.dataset.tool === tool));
  }
  stage.dataset.tool = tool;
  if (tool !== "brush" && tool !== "eraser") cursor.hidden = true;
}

const look = attachLook({ root, canvas, cursor, settings, maxSize, onColor: requestRedraw });

// ---- keyboard, wheel ----------------------------------------------------------------------

const keys = attachShortcuts({
  canvas,
  stage,
  view,
  settings,
  actions,
  setSetting: look.set,
  setTool,
  userView,
  cancelStroke() {
    if (!current) return;
    current = null;
    showPreview(null);
    requestRedraw();
  },
  onSpace: (held) => held && (cursor.hidden = true),
});

// ---- the form ------------------------------------------------------------------------------

async function exportCurrent() {
  return exportMask(store.live(), W, H);
}

setMaskProvider({
  isEmpty: () => store.isEmpty,
  blob: exportCurrent,
  submitted: () => forgetMaskOps(ASSET),
  fields: () => staging.editFields(),
});

attachSelection({ root, stage, canvas, view, settings, store, commit, announce, exportMask: exportCurrent });

// ---- results on the stage ------------------------------------------------------------------

staging = attachStaging({
  root,
  view,
  width: W,
  height: H,
  asset: root.dataset.asset,
  onStage(el) {
    // The result shows through: the mask hides until the user paints or presses H.
    look.hideForResult(el !== null);
    if (el === null) status.innerHTML = baseStatus;
    else if (staging.sameShape(el)) status.textContent = `The next edit starts from this result (${el.dataset.label}). Esc goes back to the image.`;
    else status.textContent = "This result has another shape: Accept it to edit from it.";
  },
  onAccept(el) {
    // The mask comes along to the result's own page (same size): the next edit starts from the
    // result with the mask as it is here, painted before the edit or over its result.
    if (el && store.live().length && Number(el.dataset.width) === W && Number(el.dataset.height) === H) {
      saveMaskOps(el.dataset.asset, store.live(), W, H, { carried: !store.isEmpty });
    }
  },
});
for (const group of root.querySelectorAll('[role="radiogroup"]')) attachRadioGroup(group, (button) => setTool(button.dataset.tool));
attachSheet(document.querySelector("[data-sheet]"));

// A mask Accept brought over is what the next edit changes: it shows on arrival, even with
// "Show mask" off (for this visit; H hides it and the setting stays the user's), and says so.
if (takeCarried(ASSET) && !store.isEmpty) {
  const overridden = look.showCarried();
  status.append(` · Mask carried over from the previous image${overridden ? ", shown (H hides it)" : ""}`);
}

// Arriving to continue from a result (Accept, or a result opened to edit): the canvas has the
// focus, so the brush keys and Ctrl+Enter work without a click first.
if (new URLSearchParams(location.search).has("from")) root.querySelector("[data-mask-canvas]")?.focus({ preventScroll: true });

syncButtons();
setTool("brush");

// For tests and the benchmark: the same export the form sends.
window.promptbrush = {
  view,
  store,
  staging,
  exportMask: exportCurrent,
  async exportMaskDataURL() {
    const blob = await exportCurrent();
    return new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsDataURL(blob);
    });
  },
  get busy() {
    return pointer.busy;
  },
};
document.documentElement.dataset.editorReady = "true";
