// Edit form and live job cards (canvas and text-to-image pages): prompt counter, submit with
// the mask Blob, error swap, new cards added at once, elapsed-seconds ticker, credits badge.

import { noteSubmit } from "./form-refresh.js";
import { revealForFocus } from "./sheet.js";

let maskProvider = null;

export function setMaskProvider(provider) {
  maskProvider = provider;
}

const csrf = () => document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";

function updateCounter(textarea) {
  const counter = document.querySelector(`[data-counter-for="${textarea.id}"]`);
  if (!counter) return;
  const n = textarea.value.length;
  const limit = Number(textarea.getAttribute("maxlength")) || 4000; // the chosen model's limit
  counter.querySelector("[data-count]").textContent = n;
  counter.classList.toggle("over", n > limit);
  counter.classList.toggle("near", n > limit * 0.9 && n <= limit);
}

document.addEventListener("input", (event) => {
  if (event.target.matches("textarea")) updateCounter(event.target);
});

// Prompt history: a click puts an earlier prompt back in the field, ready to adjust.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-use-prompt]");
  const textarea = button?.closest("form")?.querySelector("textarea");
  if (!textarea) return;
  textarea.value = button.dataset.usePrompt;
  updateCounter(textarea);
  textarea.focus();
});

function fromHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content;
}

function fireTriggers(response) {
  const header = response.headers.get("HX-Trigger");
  if (!header) return;
  let events;
  try {
    events = JSON.parse(header);
  } catch {
    events = Object.fromEntries(header.split(",").map((name) => [name.trim(), {}]));
  }
  for (const [name, detail] of Object.entries(events)) {
    document.body.dispatchEvent(new CustomEvent(name, { detail, bubbles: true }));
  }
}

function setStatus(form, text, isError = false) {
  const status = form.querySelector("[data-submit-status]");
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// After a form refresh (static/editor/js/form-refresh.js) the prompt counter is redrawn.
document.addEventListener("promptbrush:form-refreshed", (event) => {
  const textarea = event.target.querySelector("textarea");
  if (textarea) updateCounter(textarea);
});

// The form's data with the mask painted on the canvas, posted as htmx would.
async function post(form, url) {
  const data = new FormData(form);
  // The canvas may say which image the edit starts from (a result staged on it).
  for (const [name, value] of Object.entries(maskProvider?.fields?.() || {})) data.set(name, value);
  if (data.get("type") === "IMAGE_INPAINTER" && maskProvider) {
    setStatus(form, "Preparing the mask…");
    data.set("mask", await maskProvider.blob(), "mask.png");
  }
  setStatus(form, "Sending…");
  const response = await fetch(url, {
    method: "POST",
    body: data,
    headers: { "HX-Request": "true", "X-CSRFToken": csrf() },
    credentials: "same-origin",
  });
  return { response, html: await response.text() };
}

// The form again: a summary of every error at the top, each also beside its field. What was
// typed stays; the summary takes the focus so a screen reader reads it.
function showErrors(form, html) {
  const fresh = fromHTML(html).firstElementChild;
  form.replaceWith(fresh);
  window.htmx?.process(fresh);
  updateCounter(fresh.querySelector("textarea"));
  const bad = fresh.querySelector("[data-error-summary], .has-error input, .has-error select, .has-error textarea");
  bad?.focus?.();
}

// A link of the error summary takes the focus to its field, not just the page to it: the checked
// radio or first control of the field, the canvas for the mask. The address gets no #fragment.
// On a phone the bottom sheet opens for a field in it (closes for the canvas) first.
function controlOf(target) {
  if (target.matches("input, select, textarea")) return target;
  if (target.id === "field-mask") return document.querySelector("[data-mask-canvas]") || target;
  return target.querySelector("input:checked") || target.querySelector("input:not([type=hidden]), select, textarea") || target;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  event.preventDefault();
  const control = controlOf(target);
  if (control === target && target.tabIndex < 0) target.setAttribute("tabindex", "-1");
  revealForFocus(control);
  control.focus({ preventScroll: true });
  control.scrollIntoView({ block: "center" });
});

// Preview what is sent: the same submission, answered with what each provider would receive.
async function preview(form, button) {
  const dialog = document.querySelector("[data-preflight-dialog]");
  button.disabled = true;
  try {
    const { response, html } = await post(form, button.dataset.preflight);
    if (response.status === 422) return showErrors(form, html);
    if (!response.ok) return setStatus(form, `Could not preview (${response.status}).`, true);
    setStatus(form, "");
    dialog.querySelector("[data-preflight-body]").replaceChildren(fromHTML(html));
    // Enabled and focused first: closing the dialog gives the focus back to the button.
    button.disabled = false;
    if (document.activeElement === document.body) button.focus({ preventScroll: true });
    dialog.showModal();
  } catch (error) {
    setStatus(form, `Could not preview: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-preflight]");
  const form = button?.closest("[data-edit-form]");
  if (form) preview(form, button);
});

// A send that went through: what the refused one said no longer holds, so it goes.
function clearErrors(form) {
  form.querySelector("[data-error-summary]")?.remove();
  for (const el of form.querySelectorAll("[data-error-for], .has-error .error")) el.remove();
  for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
}

async function submit(form, submitter) {
  noteSubmit();
  const data = new FormData(form);
  const inpaint = data.get("type") === "IMAGE_INPAINTER";
  const button = form.querySelector("[data-submit]");
  // A disabled button drops the focus to the page; it comes back once the button is enabled.
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  // "Nothing sent yet" would be stale while the job is on its way; a refusal puts it back.
  const empty = document.querySelector("[data-jobs-empty]");
  const emptyText = empty?.textContent;
  if (empty) empty.textContent = "Sending… the job's card appears here in a moment.";
  try {
    const { response, html } = await post(form, form.action);
    if (response.status === 422) return showErrors(form, html);
    if (!response.ok) {
      setStatus(form, `Could not send (${response.status}). Try again in a moment.`, true);
      return;
    }
    const jobs = document.getElementById("jobs");
    const fragment = fromHTML(html);
    const added = [...fragment.children];
    // The live feed may have put a card of this very job first already.
    for (const card of fragment.querySelectorAll("[data-job]")) document.getElementById(card.id)?.remove();
    jobs.prepend(fragment);
    for (const el of added) window.htmx?.process(el);
    document.querySelector("[data-jobs-empty]")?.remove();
    fireTriggers(response);
    if (inpaint) maskProvider?.submitted();
    clearErrors(form);
    const several = added.length > 1 || added[0]?.querySelectorAll("[data-job]").length > 1;
    setStatus(form, several ? "Sent. The jobs are in the list of jobs." : "Sent. The job is in the list of jobs.");
    // The new card is first in its own scrolling list; the page (and the canvas) stay put.
    jobs.scrollTo?.({ left: 0, top: 0 });
  } catch (error) {
    setStatus(form, `Could not send: ${error.message}`, true);
  } finally {
    if (empty?.isConnected) empty.textContent = emptyText;
    button.disabled = false;
    form.removeAttribute("aria-busy");
    if (hadFocus && button.isConnected && document.activeElement === document.body) {
      button.focus({ preventScroll: true });
    }
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-edit-form]");
  if (!form || (event.submitter && event.submitter.getAttribute("formmethod") === "get")) return;
  event.preventDefault();
  submit(form, event.submitter);
});

// The credit badge and the form's figures: static/js/live.js (from the submit's HX-Trigger
// and from the live stream).

// Ctrl/Cmd+Enter sends the edit from anywhere on the page, even while typing the prompt.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.repeat) return;
  const form = document.querySelector("[data-edit-form]");
  const button = form?.querySelector("[data-submit]");
  if (!button || button.disabled || document.querySelector("dialog[open]")) return;
  event.preventDefault();
  form.requestSubmit(button);
});

// Running and queued cards count their seconds between polls.
setInterval(() => {
  for (const span of document.querySelectorAll("[data-elapsed]")) {
    const n = Number(span.dataset.elapsed) + 1;
    span.dataset.elapsed = n;
    span.textContent = n;
  }
}, 1000);

for (const textarea of document.querySelectorAll("[data-edit-form] textarea")) updateCounter(textarea);
