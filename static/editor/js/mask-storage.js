// What the canvas keeps in localStorage: the brush settings, and each image's mask ops (so a
// reload, or accepting a result painted over, keeps the mask).

import { loadRaster } from "./strokes.js";

const SETTINGS_KEY = "promptbrush:brush";
const maskKey = (asset) => `promptbrush:mask:${asset}`;

function readJSON(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export function loadBrushSettings() {
  return readJSON(SETTINGS_KEY) || {};
}

export function saveBrushSettings({ size, softness, color, opacity, visible }) {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify({ size, softness, color, opacity, visible }));
}

// The ops saved for `asset`. Earlier masks reused before the reload come back too; one that can
// no longer be read is dropped.
export async function loadMaskOps(asset) {
  const saved = readJSON(maskKey(asset));
  const ops = saved && Array.isArray(saved.ops) ? saved.ops : [];
  const reused = [...new Set(ops.filter((op) => op.op === "mask").map((op) => op.url))];
  const unreadable = new Set();
  await Promise.all(reused.map((url) => loadRaster(url).catch(() => unreadable.add(url))));
  return ops.filter((op) => op.op !== "mask" || !unreadable.has(op.url));
}

// False when the browser refuses (quota): the mask then lives only until the page is left.
// `carried`: saved by Accept for the result's page, which says so once (takeCarried).
export function saveMaskOps(asset, ops, width, height, { carried = false } = {}) {
  try {
    const entry = { v: 1, w: width, h: height, ops, ...(carried && { carried }) };
    if (ops.length) localStorage.setItem(maskKey(asset), JSON.stringify(entry));
    else localStorage.removeItem(maskKey(asset));
    return true;
  } catch {
    return false;
  }
}

export function forgetMaskOps(asset) {
  localStorage.removeItem(maskKey(asset));
}

// True once after Accept brought the mask of `asset` over from the page before.
export function takeCarried(asset) {
  const saved = readJSON(maskKey(asset));
  if (!saved?.carried) return false;
  delete saved.carried;
  try {
    localStorage.setItem(maskKey(asset), JSON.stringify(saved));
  } catch {
    // refused (storage off): the next visit says it once more
  }
  return true;
}
