// Pointer Events only: mouse, pen (with pressure) and touch. One pointer paints; the middle
// button, Space or the pan tool drag the view; two touching fingers pan and pinch-zoom.

function sample(event) {
  const pressure = event.pointerType === "pen" ? event.pressure || 0.5 : 1;
  return { clientX: event.clientX, clientY: event.clientY, pressure };
}

export function attachPointer(el, handlers) {
  const touches = new Map();
  let drawing = null;
  let panning = null;
  let last = null;
  let pinch = null;

  el.style.touchAction = "none";
  el.style.userSelect = "none";

  function pinchState() {
    const [a, b] = [...touches.values()];
    return {
      dist: Math.hypot(a.x - b.x, a.y - b.y) || 1,
      cx: (a.x + b.x) / 2,
      cy: (a.y + b.y) / 2,
    };
  }

  function onDown(event) {
    if (event.pointerType === "touch") {
      touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (touches.size === 2) {
        // A second finger turns a stroke that just began into a pinch.
        if (drawing !== null) handlers.cancel();
        drawing = null;
        pinch = pinchState();
        return;
      }
      if (touches.size > 2) return;
    }
    if (drawing !== null || panning !== null) return;
    const wantsPan = event.button === 1 || handlers.panMode(event);
    if (wantsPan) {
      event.preventDefault();
      panning = event.pointerId;
      last = { x: event.clientX, y: event.clientY };
      el.setPointerCapture(event.pointerId);
      handlers.panStart?.();
      return;
    }
    if (event.button !== 0) return;
    event.preventDefault();
    drawing = event.pointerId;
    el.setPointerCapture(event.pointerId);
    el.focus({ preventScroll: true });
    handlers.begin(sample(event));
  }

  function onMove(event) {
    handlers.hover?.(event);
    if (touches.has(event.pointerId)) touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && touches.size >= 2) {
      const now = pinchState();
      handlers.pinch(now.dist / pinch.dist, now.cx, now.cy, now.cx - pinch.cx, now.cy - pinch.cy);
      pinch = now;
      return;
    }
    if (event.pointerId === panning) {
      handlers.pan(event.clientX - last.x, event.clientY - last.y);
      last = { x: event.clientX, y: event.clientY };
      return;
    }
    if (event.pointerId === drawing) {
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      handlers.move((events.length ? events : [event]).map(sample));
    }
  }

  function onUp(event) {
    touches.delete(event.pointerId);
    if (pinch && touches.size < 2) pinch = null;
    if (event.pointerId === drawing) {
      drawing = null;
      if (event.type === "pointercancel") handlers.cancel();
      else handlers.end();
    }
    if (event.pointerId === panning) {
      panning = null;
      handlers.panEnd?.();
    }
  }

  el.addEventListener("pointerdown", onDown);
  el.addEventListener("pointermove", onMove);
  el.addEventListener("pointerup", onUp);
  el.addEventListener("pointercancel", onUp);
  el.addEventListener("pointerleave", (event) => handlers.leave?.(event));
  el.addEventListener("auxclick", (event) => event.button === 1 && event.preventDefault());
  el.addEventListener("contextmenu", (event) => drawing !== null && event.preventDefault());
  return {
    get busy() {
      return drawing !== null;
    },
  };
}
