// Small behaviours shared by every page. Pages work without this file.
document.documentElement.classList.add("js"); // shows controls that only work with JavaScript
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select) select.form.requestSubmit();
});
// htmx 2 does not swap 4xx responses by default; forms that answer 400 with their errors next to
// the field (the rating forms of the record page and of the job cards) are marked
// [data-swap-errors] so the answer is shown.
document.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, target } = event.detail;
  if (xhr.status === 400 && target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A row that scrolls sideways ([data-scroll-cue], the phone editor's menu) says so: data-more
// names the edges with items hidden past them ("start", "end"), and the CSS fades those edges.
function markScrollCue(el) {
  const more = [];
  if (el.scrollLeft > 1) more.push("start");
  if (el.scrollLeft + el.clientWidth < el.scrollWidth - 1) more.push("end");
  if (more.length) el.dataset.more = more.join(" ");
  else delete el.dataset.more;
}
for (const el of document.querySelectorAll("[data-scroll-cue]")) {
  el.addEventListener("scroll", () => markScrollCue(el), { passive: true });
  new ResizeObserver(() => markScrollCue(el)).observe(el);
}
