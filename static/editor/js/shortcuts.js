// The canvas's keyboard and wheel: tool keys, brush size and softness, zoom, undo/redo, Space to
// pan, arrow keys to pan when the canvas has focus. Keys typed into fields are left alone.

import { isTyping } from "./typing.js";

export const TOOL_KEYS = { b: "brush", e: "eraser", r: "rect", l: "lasso" };

export function attachShortcuts({ canvas, stage, view, settings, actions, setSetting, setTool, cancelStroke, userView, onSpace }) {
  let spaceHeld = false;
  const space = (held) => {
    spaceHeld = held;
    stage.classList.toggle("grab", held);
    onSpace(held);
  };

  document.addEventListener("keydown", (event) => {
    // A key pressed in a dialog (this help, the preview of what is sent) is the dialog's.
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && key.toLowerCase() === "z") {
      event.preventDefault();
      (event.shiftKey ? actions.redo : actions.undo)();
    } else if (mod && key.toLowerCase() === "y") {
      event.preventDefault();
      actions.redo();
    } else if (mod || event.altKey) {
      return;
    } else if (key === " " && !event.target.closest("button, a, summary, input")) {
      // Space still presses a focused button or link and ticks a checkbox or radio.
      event.preventDefault();
      if (!spaceHeld) space(true);
    } else if (key === "[" || key === "{") {
      if (event.shiftKey) setSetting("softness", settings.softness - 10);
      else setSetting("size", settings.size * 0.85 - 1);
    } else if (key === "]" || key === "}") {
      if (event.shiftKey) setSetting("softness", settings.softness + 10);
      else setSetting("size", settings.size * 1.15 + 1);
    } else if (key === "+" || key === "=") actions["zoom-in"]();
    else if (key === "-" || key === "_") actions["zoom-out"]();
    else if (key === "0") actions.fit();
    else if (key === "1") actions.actual();
    else if (key === "?") actions.help();
    else if (key === "Escape") cancelStroke();
    else if (/^[berlhi]$/i.test(key)) {
      const k = key.toLowerCase();
      if (k === "h") actions["toggle-mask"]();
      else if (k === "i") actions.invert();
      else setTool(TOOL_KEYS[k]);
    } else if (key.startsWith("Arrow") && event.target === canvas) {
      event.preventDefault();
      const step = event.shiftKey ? 200 : 50;
      const d = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[key];
      userView();
      view.panBy(d[0], d[1]);
    }
  });

  document.addEventListener("keyup", (event) => {
    if (event.key === " ") space(false);
  });
  window.addEventListener("blur", () => space(false));

  stage.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
      const speed = event.ctrlKey ? 0.01 : 0.0015;
      const s = view.clientToStage(event.clientX, event.clientY);
      userView();
      view.zoomAt(Math.exp(-event.deltaY * unit * speed), s.x, s.y);
    },
    { passive: false },
  );

  return {
    get spaceHeld() {
      return spaceHeld;
    },
  };
}
