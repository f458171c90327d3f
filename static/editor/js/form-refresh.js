// A form refresh (mode, provider, model or a parameter changed: htmx GET, outerHTML swap of
// #edit-form) must not undo newer work. It is dropped if an edit was sent since it was requested;
// otherwise every field typed in meanwhile keeps what was typed, the focus stays where it was, and
// if one of those fields itself refreshes the form (a parameter), the form is refreshed again
// for it, so the figures shown match what will be sent.

let submits = 0;

export function noteSubmit() {
  submits += 1;
}

const isEditForm = (element) => element?.id === "edit-form";
const FIELDS = "input[name]:not([type=hidden]):not([type=file]), select[name], textarea[name]";

function valueOf(field) {
  return field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
}

const keyOf = (field) =>
  field.type === "checkbox" || field.type === "radio" ? `${field.name}=${field.value}` : field.name;

function snapshot(form) {
  return new Map([...form.querySelectorAll(FIELDS)].map((field) => [keyOf(field), valueOf(field)]));
}

function counterpart(form, old) {
  const name = CSS.escape(old.name);
  const checkable = old.type === "checkbox" || old.type === "radio";
  return form.querySelector(checkable ? `[name="${name}"][value="${CSS.escape(old.value)}"]` : `[name="${name}"]`);
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const { elt, xhr } = event.detail;
  xhr.promptbrushSubmits = submits;
  const form = elt.closest?.("#edit-form");
  if (form) xhr.promptbrushSent = snapshot(form);
});

// Between beforeSwap and afterSwap the old form is still the one in the page: its fields are
// read only after the swap, so a key typed while the swap was pending is not lost.
let pending = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const { target, xhr } = event.detail;
  if (!isEditForm(target)) return;
  if (xhr.promptbrushSubmits !== submits) {
    event.detail.shouldSwap = false;
    return;
  }
  pending = { old: target, sent: xhr.promptbrushSent || new Map(), focused: document.activeElement };
});

function restoreFocus(form, focused) {
  if (!focused?.name || !pending.old.contains(focused)) return;
  const fresh = counterpart(form, focused);
  if (!fresh || fresh === document.activeElement) return;
  fresh.focus();
  if (typeof focused.selectionStart === "number" && typeof fresh.setSelectionRange === "function") {
    try {
      fresh.setSelectionRange(focused.selectionStart, focused.selectionEnd);
    } catch {
      // number inputs have no selection
    }
  }
}

// A parameter typed meanwhile that itself refreshes the form; sent once htmx has wired up the
// new form (after the settle: at afterSwap its fields do not listen yet).
let refreshAgain = null;

document.addEventListener("htmx:afterSwap", () => {
  if (!pending) return;
  const { old, sent, focused } = pending;
  const form = document.getElementById("edit-form");
  for (const field of old.querySelectorAll(FIELDS)) {
    const key = keyOf(field);
    // The prompt is always kept: the server's copy may predate a keystroke.
    if (field.tagName !== "TEXTAREA" && sent.has(key) && sent.get(key) === valueOf(field)) continue;
    const fresh = form && counterpart(form, field);
    if (!fresh || valueOf(fresh) === valueOf(field)) continue;
    if (field.type === "checkbox" || field.type === "radio") fresh.checked = field.checked;
    else fresh.value = field.value;
    if (fresh.hasAttribute("hx-get")) refreshAgain = fresh;
  }
  if (form) restoreFocus(form, focused);
  pending = null;
  form?.dispatchEvent(new CustomEvent("promptbrush:form-refreshed", { bubbles: true }));
});

document.addEventListener("htmx:afterSettle", () => {
  const field = refreshAgain;
  refreshAgain = null;
  // One refresh covers every field: the request includes the whole form.
  if (field?.isConnected) window.htmx?.trigger(field, "change");
});
