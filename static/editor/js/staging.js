// Results on the stage. A finished job (or a click on one of its results in the filmstrip) puts
// the result over the image, under the same zoom and pan as the mask: its preview first, the
// full-resolution file only once the zoom shows more pixels than the preview has. The
// strip is read from the job cards ([data-result] in #jobs), so a card swapped in by polling or
// server push updates it with no extra wiring. Keys: , and . previous/next, hold C for the
// original, D drift heatmap, A accept, Esc back to the image being edited.

import { isTyping } from "./typing.js";

export function attachStaging({ root, view, width, height, asset, onStage, onAccept }) {
  const stage = root.querySelector("[data-stage]");
  const layers = {
    original: stage.querySelector("[data-stage-original]"),
    result: stage.querySelector("[data-stage-result]"),
    drift: stage.querySelector("[data-stage-drift]"),
  };
  const bar = root.querySelector("[data-stage-bar]"); // under the stage, not over the image
  const label = bar.querySelector("[data-stage-label]");
  const compareButton = bar.querySelector("[data-stage-compare]");
  const driftButton = bar.querySelector("[data-stage-drift-toggle]");
  const accept = bar.querySelector("[data-stage-accept]");
  const jobs = document.getElementById("jobs");

  let current = null; // the staged [data-result] element's id
  let auto = false; // staged because a job finished, not by the user's choice
  let comparing = false;
  let showDrift = false;
  let token = 0;

  const results = () => [...jobs.querySelectorAll("[data-result]")];
  const tile = () => (current ? document.getElementById(current) : null);

  // Every layer covers the image's box; a result of another shape is fitted inside it.
  for (const img of Object.values(layers)) {
    img.style.width = `${width}px`;
    img.style.height = `${height}px`;
  }

  function applyView() {
    const transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    for (const img of Object.values(layers)) {
      img.style.transform = transform;
      img.classList.toggle("pixelated", view.scale >= 2);
    }
    sharpen();
  }

  // The preview is enough while each of its pixels covers at least one device pixel.
  let sharpening = null;
  function sharpen() {
    const el = tile();
    const img = layers.result;
    if (!el || !img.naturalWidth || img.dataset.resolution === "full" || sharpening === el.id) return;
    const previewDensity = img.naturalWidth / Number(el.dataset.width || img.naturalWidth);
    if (view.scale * (window.devicePixelRatio || 1) <= previewDensity * 1.05) return;
    sharpening = el.id;
    const full = new Image();
    full.src = el.dataset.full;
    full
      .decode()
      .then(() => {
        if (tile() !== el) return;
        img.src = full.src;
        img.dataset.resolution = "full";
      })
      .catch(() => {})
      .finally(() => {
        if (sharpening === el.id) sharpening = null;
      });
  }

  // The original a result is compared with: the job's own source. When that is the image on
  // the page, the result layer is simply hidden.
  function render() {
    const el = tile();
    const staged = current !== null;
    const otherOriginal = staged && el?.dataset.originalAsset && el.dataset.originalAsset !== asset;
    layers.result.hidden = !staged || comparing;
    layers.original.hidden = !(staged && comparing && otherOriginal);
    layers.drift.hidden = !(staged && showDrift && !comparing && layers.drift.getAttribute("src"));
    compareButton.setAttribute("aria-pressed", String(comparing));
    driftButton.setAttribute("aria-pressed", String(showDrift));
    stage.dataset.showing = !staged ? "image" : comparing ? "original" : "result";
  }

  function mark() {
    for (const item of jobs.querySelectorAll("[data-result][aria-current]")) item.removeAttribute("aria-current");
    tile()?.setAttribute("aria-current", "true");
  }

  async function show(el, { byJob = false } = {}) {
    if (!el) return;
    const mine = ++token;
    current = el.id;
    auto = byJob;
    comparing = false;
    const list = results();
    const index = list.indexOf(el) + 1;
    const position = Number(el.dataset.position);
    const count = Number(el.dataset.count || 1);
    const text = `${el.dataset.label}${count > 1 ? ` · variant ${position} of ${count}` : ""} · ${index} of ${list.length}`;
    label.textContent = `Loading ${text}…`;
    bar.hidden = false;
    accept.href = el.querySelector("[data-accept]")?.getAttribute("href") || "";
    driftButton.hidden = !el.dataset.drift;
    if (!el.dataset.drift) showDrift = false;
    if (el.dataset.drift) layers.drift.src = el.dataset.drift;
    else layers.drift.removeAttribute("src");
    if (el.dataset.original) layers.original.src = el.dataset.original;
    layers.result.alt = `Result on the canvas: ${text}`;
    layers.result.dataset.resolution = "preview";
    layers.result.src = el.dataset.preview || el.dataset.full;
    try {
      await layers.result.decode();
    } catch {
      if (mine === token) label.textContent = `Could not load ${text}`;
      return;
    }
    if (mine !== token) return; // another result was chosen meanwhile
    label.textContent = text;
    mark();
    applyView();
    render();
    onStage?.(el);
  }

  // The bar hides: a focus in it (or a click on its Close) moves on to the canvas, not to nowhere.
  function close({ fromBar = false } = {}) {
    const refocus = fromBar || bar.contains(document.activeElement);
    token += 1;
    current = null;
    auto = false;
    comparing = false;
    bar.hidden = true;
    layers.result.removeAttribute("src");
    mark();
    render();
    onStage?.(null);
    if (refocus) stage.querySelector("[data-mask-canvas]")?.focus({ preventScroll: true });
  }

  function step(delta) {
    const list = results();
    if (!list.length) return;
    const at = list.indexOf(tile());
    const next = at < 0 ? (delta > 0 ? 0 : list.length - 1) : (at + delta + list.length) % list.length;
    show(list[next]);
  }

  function setComparing(on) {
    if (current === null || comparing === on) return;
    comparing = on;
    render();
  }

  // A card that turns Done after the page loaded puts its first result on the stage, unless the
  // user is looking at a result they chose.
  const done = new Set([...jobs.querySelectorAll('[data-job][data-status="SUCCESS"]')].map((card) => card.id));
  new MutationObserver(() => {
    for (const card of jobs.querySelectorAll('[data-job][data-status="SUCCESS"]')) {
      if (done.has(card.id)) continue;
      done.add(card.id);
      const first = card.querySelector("[data-result]");
      if (first && (current === null || auto)) show(first, { byJob: true });
    }
    mark();
  }).observe(jobs, { childList: true, subtree: true });

  jobs.addEventListener("click", (event) => {
    const link = event.target.closest("[data-stage-open]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    show(link.closest("[data-result]"));
  });
  // Accepting (here or on a card) lets the editor carry the mask over to the result.
  accept.addEventListener("click", () => onAccept?.(tile()));
  jobs.addEventListener("click", (event) => {
    const link = event.target.closest("[data-accept]");
    if (link) onAccept?.(link.closest("[data-result]"));
  });
  bar.querySelector("[data-stage-prev]").addEventListener("click", () => step(-1));
  bar.querySelector("[data-stage-next]").addEventListener("click", () => step(1));
  bar.querySelector("[data-stage-close]").addEventListener("click", () => close({ fromBar: true }));
  compareButton.addEventListener("click", () => setComparing(!comparing));
  driftButton.addEventListener("click", () => {
    showDrift = !showDrift;
    render();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key.toLowerCase();
    if (key === "," || key === "<") step(-1);
    else if (key === "." || key === ">") step(1);
    else if (current === null) return;
    else if (key === "c" && !event.repeat) setComparing(true);
    else if (key === "d") driftButton.hidden || driftButton.click();
    else if (key === "a" && accept.getAttribute("href")) accept.click();
    else if (key === "escape") close();
  });
  document.addEventListener("keyup", (event) => {
    if (event.key.toLowerCase() === "c") setComparing(false);
  });
  window.addEventListener("blur", () => setComparing(false));

  const sameShape = (el) => Math.abs(Number(el.dataset.width) / Number(el.dataset.height) - width / height) < 0.01;

  render();
  return {
    applyView,
    sameShape,
    // What you see is what is edited: with a result on the stage, the next edit starts from it
    // (the mask fits any result of the same shape); otherwise from the image of the page.
    editFields() {
      const el = tile();
      if (!el || comparing || !sameShape(el)) return {};
      return { source: el.dataset.asset, parent: el.dataset.record };
    },
    show,
    close,
    get current() {
      return tile();
    },
    get comparing() {
      return comparing;
    },
  };
}
