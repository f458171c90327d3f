// Small behaviours shared by every page. Pages work without this file.
document.documentElement.classList.add("js"); // shows controls that only work with JavaScript
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select) select.form.requestSubmit();
});
