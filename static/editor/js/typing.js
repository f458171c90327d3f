// Whether a key press is typing, so that a single-key shortcut must leave it alone: its target is
// in a textarea, a select, an editable element, or an input that takes text. Sliders, checkboxes,
// radios, colour pickers, buttons and file pickers take no text: their shortcuts still work.

const TEXTLESS = new Set(["range", "checkbox", "radio", "color", "button", "submit", "reset", "image", "file"]);

export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.closest("textarea, select") || target.isContentEditable) return true;
  const input = target.closest("input");
  return Boolean(input) && !TEXTLESS.has(input.type);
}
