// Small behaviours shared by every page. Pages work without this file.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select) select.form.requestSubmit();
});
