// The mask as pixels: a working layer for display (capped resolution) and the export, which
// replays the strokes at the image's natural size as an opaque white-on-black PNG.

import { replay } from "./strokes.js";

const WORKING_MAX_SIDE = 4096;

function makeCanvas(width, height) {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

// The strokes rendered in white at up to WORKING_MAX_SIDE px, redrawn onto the screen when the
// view changes; alpha = edit strength.
export class MaskLayer {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.k = Math.min(1, WORKING_MAX_SIDE / Math.max(width, height));
    this.canvas = makeCanvas(Math.max(1, Math.round(width * this.k)), Math.max(1, Math.round(height * this.k)));
    this.ctx = this.canvas.getContext("2d");
    this.ctx.setTransform(this.k, 0, 0, this.k, 0, 0);
  }

  rebuild(ops) {
    this.ctx.save();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.restore();
    replay(this.ctx, ops, "#fff", this.k, this.width, this.height);
  }

  add(op) {
    replay(this.ctx, [op], "#fff", this.k, this.width, this.height);
  }
}

// Draw the image-natural mask canvas for `ops`: white where painted, black elsewhere, opaque.
export function renderMask(ops, width, height) {
  const canvas = makeCanvas(width, height);
  const ctx = canvas.getContext("2d");
  replay(ctx, ops, "#fff", 1, width, height);
  ctx.globalCompositeOperation = "destination-over";
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, height);
  ctx.globalCompositeOperation = "source-over";
  return canvas;
}

export async function exportMask(ops, width, height) {
  const canvas = renderMask(ops, width, height);
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: "image/png" });
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}
