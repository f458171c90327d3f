// htmx 2 does not swap 4xx responses by default; the rating form answers 400 with its errors
// next to the field, so let regions marked [data-swap-errors] show them.
export function initRatingForm(body = document.body) {
  body.addEventListener("htmx:beforeSwap", (event) => {
    const { xhr, target } = event.detail;
    if (xhr.status === 400 && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}
