// The settings panel as a bottom sheet on phones: collapsed it shows provider, prompt and the
// submit bar; "More options" pulls it up for the rest. Wide screens never see the handle.

function setOpen(panel, open) {
  const toggle = panel.querySelector("[data-sheet-toggle]");
  panel.classList.toggle("expanded", open);
  toggle.setAttribute("aria-expanded", String(open));
  toggle.querySelector("[data-sheet-label]").textContent = open ? "Fewer options" : "More options";
}

export function attachSheet(panel) {
  const toggle = panel?.querySelector("[data-sheet-toggle]");
  if (!toggle) return;
  toggle.addEventListener("click", () => setOpen(panel, !panel.classList.contains("expanded")));
}

// Before the page sends the focus to a control (an error summary's link): a control in the
// sheet gets the sheet pulled up, so the field is seen whole and with its neighbours, not
// through the collapsed sheet's slot; a control outside it (the canvas, for the mask) gets an
// open sheet lowered, so that it does not cover it. On wide screens (no handle) nothing moves.
export function revealForFocus(control) {
  const panel = document.querySelector("[data-sheet]");
  const toggle = panel?.querySelector("[data-sheet-toggle]");
  if (!toggle?.getClientRects().length) return;
  setOpen(panel, panel.contains(control));
}
