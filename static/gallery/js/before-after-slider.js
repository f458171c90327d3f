// Turns each [data-before-after] pair into a split view driven by its labelled range input.
// Without this module the two images simply sit side by side.
export function initBeforeAfter(root = document) {
  for (const box of root.querySelectorAll("[data-before-after]:not(.is-interactive)")) {
    const range = box.querySelector("[data-before-after-range]");
    if (!range) continue;
    const apply = () => box.style.setProperty("--split", `${range.value}%`);
    range.addEventListener("input", apply);
    range.closest("label").hidden = false;
    box.classList.add("is-interactive");
    apply();
  }
}
