// The gallery's filters on a narrow screen, where they fold behind one button: "Apply" loads the
// page as a plain GET instead of swapping only the grid, so the filters fold again, the button
// says how many are on, and the results are on the first screen (not below the open form).
// Wide screens, and changes to a single field, keep the in-place swap.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target.closest(".gallery-filters");
    const summary = form?.closest(".filters-box")?.querySelector("summary");
    if (!summary || getComputedStyle(summary).display === "none") return;
    event.stopImmediatePropagation(); // htmx listens on the form: it never hears this submit
  },
  true,
);
