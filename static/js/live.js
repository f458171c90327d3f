// Live updates for every page of a signed-in member: the server pushes record status and
// credit changes (Server-Sent Events from /jobs/events/); a job card whose status changed is
// fetched again from its own endpoint and swapped in place, and the credit figures follow.
// Without JavaScript the pages show the state as loaded; if the stream is not available
// (204 under a WSGI server, a proxy that drops it) the cards keep polling every 2 s.

const body = document.body;
const eventsUrl = body.dataset.liveEvents;
const cardPattern = body.dataset.liveCard || "";
const PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
let source = null;
let live = false;

// While the stream is open the cards' own polls are skipped (htmx keeps scheduling them, so
// they resume by themselves the moment the stream drops).
document.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  if (live && elt?.matches?.("[data-job][hx-get]")) event.preventDefault();
});

const wanted = new Map(); // record code -> newest status heard
const inFlight = new Set();

function showsStatus(card, status) {
  return card.classList.contains(`status-${status.toLowerCase()}`);
}

// A job card as the server renders it now, or null (an error, or 204: nothing to show; a
// finished card comes as 286, htmx's "stop polling").
async function fetchCard(code, query = "") {
  const url = `${cardPattern.replace(PLACEHOLDER, code)}?via=live${query}`;
  const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
  if (!response.ok || response.status === 204) return null;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  return template.content.firstElementChild;
}

// A job this page does not show yet (sent from another tab or a script): the server says
// whether it belongs to this page's list (204 when not), and its card is put first.
const checked = new Set();
async function addCard(code) {
  const jobs = document.getElementById("jobs");
  const around = jobs?.dataset.jobsAround;
  if (!around || checked.has(code)) return;
  checked.add(code);
  const fresh = await fetchCard(code, `&around=${encodeURIComponent(around)}`).catch(() => null);
  if (!fresh || document.getElementById(`job-${code}`)) return;
  jobs.prepend(fresh);
  document.querySelector("[data-jobs-empty]")?.remove();
  window.htmx?.process(fresh);
}

async function refreshCard(code) {
  const card = document.getElementById(`job-${code}`);
  const status = wanted.get(code);
  // Only jobs still under way: a finished one from elsewhere is in the gallery already.
  if (!card && (status === "PENDING" || status === "RUNNING")) return addCard(code);
  if (!card || !status || showsStatus(card, status) || inFlight.has(code)) return;
  inFlight.add(code);
  const asked = status;
  try {
    const fresh = await fetchCard(code).catch(() => null);
    const current = document.getElementById(`job-${code}`);
    if (!fresh || !current) return;
    current.replaceWith(fresh);
    window.htmx?.process(fresh);
  } finally {
    inFlight.delete(code);
    // Again only for a newer event heard meanwhile: a failed fetch is not retried in a loop
    // (the card's own 2 s poll takes over when the stream drops).
    if (wanted.get(code) !== asked) refreshCard(code);
  }
}

const number = (value) => Number(value).toLocaleString("en-US");

export function showCredits({ used, limit } = {}) {
  if (used === undefined || limit === undefined) return;
  const badge = document.getElementById("credit-badge");
  if (badge) badge.textContent = `${number(used)} / ${number(limit)} credits`;
  for (const figure of document.querySelectorAll("[data-credit-usage]")) {
    figure.textContent = `· ${number(used)} of ${number(limit)} used`;
  }
}

// The submit answer carries the figures too (HX-Trigger), for pages without the stream.
body.addEventListener("creditsChanged", (event) => showCredits(event.detail || {}));

function connect() {
  if (!eventsUrl || !window.EventSource || source) return;
  source = new EventSource(eventsUrl);
  source.addEventListener("open", () => {
    live = true;
    document.documentElement.dataset.live = "on";
  });
  source.addEventListener("error", () => {
    // CONNECTING: the browser retries by itself; CLOSED: the server said no (204).
    live = false;
    delete document.documentElement.dataset.live;
    if (source?.readyState === EventSource.CLOSED) source = null;
  });
  source.addEventListener("record", (event) => {
    const { code, status } = JSON.parse(event.data);
    wanted.set(code, status);
    refreshCard(code);
  });
  source.addEventListener("credits", (event) => showCredits(JSON.parse(event.data)));
}

function disconnect() {
  source?.close();
  source = null;
  live = false;
  delete document.documentElement.dataset.live;
}

// A hidden tab gives its connection back (browsers allow six per host over HTTP/1.1) and
// catches up from the snapshot sent on reconnecting when it is shown again.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") disconnect();
  else connect();
});
if (document.visibilityState !== "hidden") connect();
