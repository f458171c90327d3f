// The settings panel as a bottom sheet on phones: collapsed it shows provider, prompt and the
// submit bar; "More options" pulls it up for the rest. Wide screens never see the handle.

export function attachSheet(panel) {
  const toggle = panel?.querySelector("[data-sheet-toggle]");
  if (!toggle) return;
  const label = toggle.querySelector("[data-sheet-label]");
  toggle.addEventListener("click", () => {
    const open = !panel.classList.contains("expanded");
    panel.classList.toggle("expanded", open);
    toggle.setAttribute("aria-expanded", String(open));
    label.textContent = open ? "Fewer options" : "More options";
  });
}
