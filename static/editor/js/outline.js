// The dashed outline of a rectangle or lasso while it is being drawn, in stage pixels over the
// image (an SVG on top of the canvas, so the mask underneath is not redrawn for it).

export function createOutline(stage, view) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.classList.add("stage-preview");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  svg.append(path);
  stage.append(svg);

  // `points` in image pixels; null clears the outline.
  return function show(points, close) {
    if (!points) {
      path.setAttribute("d", "");
      return;
    }
    const d = points
      .map(([x, y], i) => {
        const s = view.imageToStage(x, y);
        return `${i ? "L" : "M"}${s.x.toFixed(1)},${s.y.toFixed(1)}`;
      })
      .join("");
    path.setAttribute("d", close ? `${d}Z` : d);
  };
}
