// Mask operations kept as data in image pixels, with undo and redo.
// An op is one of:
//   {op: "brush" | "erase", size, softness, points: [[x, y, pressure], ...]}
//   {op: "rect", erase, x, y, w, h}        {op: "lasso", erase, points: [[x, y], ...]}
//   {op: "invert"}                          {op: "clear"}
//   {op: "mask", url, mode?}                a stored mask (an earlier edit's, or a selection's),
//                                           painted in as is; mode "replace" clears first,
//                                           "subtract" erases it, "add" (the default) adds it
// Replaying the ops at any resolution gives the same mask, so the export always matches the image.

export class StrokeStore extends EventTarget {
  constructor(ops = []) {
    super();
    this.ops = ops;
    this.undone = [];
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }

  push(op) {
    this.ops.push(op);
    this.undone = [];
    this.changed();
  }

  undo() {
    if (!this.ops.length) return false;
    this.undone.push(this.ops.pop());
    this.changed();
    return true;
  }

  redo() {
    if (!this.undone.length) return false;
    this.ops.push(this.undone.pop());
    this.changed();
    return true;
  }

  get canUndo() {
    return this.ops.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  // The ops that still matter: everything after the last "clear".
  live() {
    let start = 0;
    this.ops.forEach((op, i) => {
      if (op.op === "clear") start = i + 1;
    });
    return this.ops.slice(start);
  }

  get isEmpty() {
    return !this.live().some((op) => op.op !== "erase");
  }
}

const ERASING = new Set(["erase"]);

// Stored masks (white = edit on black) as white-with-alpha canvases, by URL, so replaying a
// "mask" op is a synchronous drawImage. loadRaster() must finish before such an op is replayed.
const rasters = new Map();

export async function loadRaster(url) {
  if (rasters.has(url)) return rasters.get(url);
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`The mask could not be loaded (${response.status}).`);
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const data = pixels.data;
  for (let i = 0; i < data.length; i += 4) {
    data[i + 3] = data[i]; // luminance (grey) becomes edit strength
    data[i] = data[i + 1] = data[i + 2] = 255;
  }
  ctx.putImageData(pixels, 0, 0);
  rasters.set(url, canvas);
  return canvas;
}

// Blur radius in image pixels for a brush of this size and softness (0..100).
export function softRadius(size, softness) {
  return (size / 2) * (softness / 100);
}

function lineWidth(op, a, b) {
  const p = ((a[2] ?? 1) + (b[2] ?? 1)) / 2;
  const soft = softRadius(op.size, op.softness || 0);
  // A soft brush keeps its outer size: the hard core shrinks as the blur grows.
  return Math.max(0.5, (op.size - soft) * p);
}

function prepare(ctx, op, color, deviceScale) {
  ctx.globalCompositeOperation = ERASING.has(op.op) || op.erase ? "destination-out" : "source-over";
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  const soft = op.softness ? softRadius(op.size, op.softness) * deviceScale : 0;
  ctx.filter = soft >= 0.5 ? `blur(${(soft / 2).toFixed(2)}px)` : "none";
}

// Draw points[from..] of a brush/erase op (from >= 1 draws the segments ending at those points).
export function drawSegments(ctx, op, from, color, deviceScale) {
  prepare(ctx, op, color, deviceScale);
  const pts = op.points;
  if (pts.length === 1 && from === 0) {
    const [x, y] = pts[0];
    const r = lineWidth(op, pts[0], pts[0]) / 2;
    ctx.beginPath();
    ctx.arc(x, y, Math.max(0.5, r), 0, Math.PI * 2);
    ctx.fill();
  }
  for (let i = Math.max(1, from); i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    ctx.lineWidth = lineWidth(op, a, b);
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }
  ctx.filter = "none";
  ctx.globalCompositeOperation = "source-over";
}

function samePressure(pts) {
  const first = pts[0][2] ?? 1;
  return pts.every((p) => (p[2] ?? 1) === first);
}

// Draw one whole op onto ctx, whose transform maps image pixels to its pixels.
export function drawOp(ctx, op, color, deviceScale, width, height) {
  if (op.op === "brush" || op.op === "erase") {
    const pts = op.points;
    if (pts.length > 1 && samePressure(pts)) {
      // One path for the whole stroke: no darker joins and much faster than per segment.
      prepare(ctx, op, color, deviceScale);
      ctx.lineWidth = lineWidth(op, pts[0], pts[1]);
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (let i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0], pts[i][1]);
      ctx.stroke();
      ctx.filter = "none";
      ctx.globalCompositeOperation = "source-over";
    } else {
      drawSegments(ctx, op, 0, color, deviceScale);
    }
  } else if (op.op === "rect") {
    prepare(ctx, op, color, deviceScale);
    ctx.fillRect(op.x, op.y, op.w, op.h);
  } else if (op.op === "lasso") {
    if (op.points.length < 3) return;
    prepare(ctx, op, color, deviceScale);
    ctx.beginPath();
    ctx.moveTo(op.points[0][0], op.points[0][1]);
    for (const [x, y] of op.points.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
    ctx.fill();
  } else if (op.op === "invert") {
    // xor with an opaque rectangle turns alpha a into 1 - a.
    ctx.globalCompositeOperation = "xor";
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, width, height);
    ctx.globalCompositeOperation = "source-over";
  } else if (op.op === "clear") {
    ctx.clearRect(0, 0, width, height);
  } else if (op.op === "mask") {
    const raster = rasters.get(op.url);
    if (raster) {
      ctx.filter = "none";
      if (op.mode === "replace") ctx.clearRect(0, 0, width, height);
      ctx.globalCompositeOperation = op.mode === "subtract" ? "destination-out" : "source-over";
      ctx.drawImage(raster, 0, 0, width, height);
    }
  }
  ctx.globalCompositeOperation = "source-over";
}

// Replay every op that still matters onto ctx (already cleared, transform set).
export function replay(ctx, ops, color, deviceScale, width, height) {
  for (const op of ops) drawOp(ctx, op, color, deviceScale, width, height);
}
