// Before/after comparison on result cards: the range input moves the split line.
// Without JavaScript the card shows the split at 50 %.

export function initCompare(root = document) {
  root.addEventListener("input", (event) => {
    const range = event.target.closest("[data-compare-range]");
    if (!range) return;
    range.closest("[data-compare]").style.setProperty("--pos", `${range.value}%`);
  });
}
