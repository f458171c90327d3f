// "Reuse mask": the mask of an earlier edit of this image joins the ops, so undo takes it away
// and the brush and eraser refine it.

import { loadRaster } from "./strokes.js";

export function attachReuseMask(select, { add, announce }) {
  select?.addEventListener("change", async () => {
    const url = select.value;
    if (!url) return;
    const label = select.selectedOptions[0].textContent.trim();
    select.disabled = true;
    try {
      await loadRaster(url);
      add({ op: "mask", url });
      announce(`Mask of “${label}” added. Undo removes it; the brush and eraser refine it.`);
    } catch (error) {
      announce(error.message);
    } finally {
      select.value = "";
      select.disabled = false;
    }
  });
}
