// The brush and the mask's look: the toolbar's [data-setting] controls kept in step with
// `settings`, and saved for the next visit. "Show mask" is the user's own choice: a result on the
// stage hides the mask for as long as it shows (hideForResult), a mask carried over by Accept
// shows on arrival even when the choice is off (showCarried), and neither changes that choice.

import { saveBrushSettings } from "./mask-storage.js";

export function attachLook({ root, canvas, cursor, settings, maxSize, onColor }) {
  const visible = root.querySelector('[data-setting="visible"]');
  let hiddenForResult = false;
  let shownAsCarried = false;
  const maskShown = () => (settings.visible || shownAsCarried) && !hiddenForResult;

  function apply() {
    canvas.style.opacity = String(settings.opacity / 100);
    canvas.classList.toggle("mask-hidden", !maskShown());
    visible.checked = maskShown(); // the box says what the canvas shows
    cursor.style.setProperty("--cursor-color", settings.color);
  }

  function set(name, value) {
    if (name === "size") value = Math.min(maxSize, Math.max(1, Math.round(value)));
    if (name === "softness") value = Math.min(100, Math.max(0, Math.round(value)));
    if (name === "visible") hiddenForResult = shownAsCarried = false; // the user decides
    settings[name] = value;
    const input = root.querySelector(`[data-setting="${name}"]`);
    if (input.type !== "checkbox" && String(input.value) !== String(value)) input.value = value;
    const output = root.querySelector(`[data-output="${name}"]`);
    if (output) output.textContent = value;
    apply();
    if (name === "color") onColor();
    saveBrushSettings(settings);
  }

  root.querySelector('[data-setting="size"]').max = String(maxSize);
  for (const input of root.querySelectorAll("[data-setting]")) {
    const name = input.dataset.setting;
    const read = () => (input.type === "checkbox" ? input.checked : input.type === "color" ? input.value : Number(input.value));
    input.addEventListener("input", () => set(name, read()));
    set(name, settings[name]);
  }

  return {
    set,
    get maskShown() {
      return maskShown();
    },
    // H and the checkbox: show the mask if it is hidden (for whatever reason), else hide it.
    toggleMask: () => set("visible", !maskShown()),
    hideForResult(hide) {
      hiddenForResult = hide;
      apply();
    },
    // Shown for this visit, not saved; true when that overrides "Show mask" off.
    showCarried() {
      shownAsCarried = true;
      apply();
      return !settings.visible;
    },
  };
}
