// The view onto the image: scale and offset, mapping between client, stage and image pixels.
// The stage element is the visible box; the image is drawn at `scale` CSS px per image px with
// its top-left corner at (x, y) CSS px inside the stage.

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 32;

export class Viewport extends EventTarget {
  constructor(stage, width, height) {
    super();
    this.stage = stage;
    this.width = width;
    this.height = height;
    this.scale = 1;
    this.x = 0;
    this.y = 0;
  }

  get dpr() {
    return Math.max(1, window.devicePixelRatio || 1);
  }

  stageSize() {
    return { w: this.stage.clientWidth, h: this.stage.clientHeight };
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }

  fitScale() {
    const { w, h } = this.stageSize();
    return Math.min((w - 32) / this.width, (h - 32) / this.height, 4);
  }

  fit() {
    this.scale = Math.max(MIN_SCALE, this.fitScale());
    this.center();
  }

  center() {
    const { w, h } = this.stageSize();
    this.x = (w - this.width * this.scale) / 2;
    this.y = (h - this.height * this.scale) / 2;
    this.changed();
  }

  // Zoom by `factor` keeping the stage point (sx, sy) over the same image pixel.
  zoomAt(factor, sx, sy) {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    if (sx === undefined) {
      const { w, h } = this.stageSize();
      sx = w / 2;
      sy = h / 2;
    }
    const ratio = next / this.scale;
    this.x = sx - (sx - this.x) * ratio;
    this.y = sy - (sy - this.y) * ratio;
    this.scale = next;
    this.changed();
  }

  zoomTo(scale, sx, sy) {
    this.zoomAt(scale / this.scale, sx, sy);
  }

  panBy(dx, dy) {
    this.x += dx;
    this.y += dy;
    this.changed();
  }

  clientToStage(clientX, clientY) {
    const rect = this.stage.getBoundingClientRect();
    return { x: clientX - rect.left - this.stage.clientLeft, y: clientY - rect.top - this.stage.clientTop };
  }

  // Client (event) coordinates to image pixels, whatever the zoom, pan and devicePixelRatio.
  clientToImage(clientX, clientY) {
    const s = this.clientToStage(clientX, clientY);
    return { x: (s.x - this.x) / this.scale, y: (s.y - this.y) / this.scale };
  }

  imageToStage(ix, iy) {
    return { x: ix * this.scale + this.x, y: iy * this.scale + this.y };
  }

  // Size a stage-covering canvas for crisp drawing on high-DPI screens; true if it changed.
  sizeCanvas(canvas) {
    const { w, h } = this.stageSize();
    const dpr = this.dpr;
    const bw = Math.round(w * dpr);
    const bh = Math.round(h * dpr);
    if (canvas.width === bw && canvas.height === bh) return false;
    canvas.width = bw;
    canvas.height = bh;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    return true;
  }

  // Set ctx so that drawing in image pixels lands on the right device pixels.
  applyTo(ctx) {
    const k = this.dpr * this.scale;
    ctx.setTransform(k, 0, 0, k, this.dpr * this.x, this.dpr * this.y);
  }

  // Device pixels per image pixel on the display canvas.
  get deviceScale() {
    return this.dpr * this.scale;
  }
}
