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

// A job this page does not show yet (sent from another tab or a script): the server says
// whether it belongs to this page's list (204 when not), and its card is put first.
const checked = new Set();
async function addCard(code) {
  const jobs = document.getElementById("jobs");
  const around = jobs?.dataset.jobsAround;
  if (!around || checked.has(code)) return;
  checked.add(code);
  const url = `${cardPattern.replace(PLACEHOLDER, code)}?via=live&around=${encodeURIComponent(around)}`;
  const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
  if (response.status !== 200 || document.getElementById(`job-${code}`)) return;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const fresh = template.content.firstElementChild;
  if (!fresh) return;
  jobs.prepend(fresh);
  document.querySelector("[data-jobs-empty]")?.remove();
  window.htmx?.process(fresh);
  const status = fresh.dataset.status;
  document.dispatchEvent(new CustomEvent("promptbrush:job", { detail: { code, status, card: fresh } }));
}

async function refreshCard(code) {
  const card = document.getElementById(`job-${code}`);
  const status = wanted.get(code);
  // Only jobs still under way: a finished one from elsewhere is in the gallery already.
  if (!card && (status === "PENDING" || status === "RUNNING")) return addCard(code);
  if (!card || !status || showsStatus(card, status) || inFlight.has(code)) return;
  inFlight.add(code);
  try {
    const url = `${cardPattern.replace(PLACEHOLDER, code)}?via=live`;
    const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (!response.ok) return;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const fresh = template.content.firstElementChild;
    const current = document.getElementById(`job-${code}`);
    if (!fresh || !current) return;
    current.replaceWith(fresh);
    window.htmx?.process(fresh);
    document.dispatchEvent(new CustomEvent("promptbrush:job", { detail: { code, status, card: fresh } }));
  } finally {
    inFlight.delete(code);
    const again = document.getElementById(`job-${code}`);
    if (again && !showsStatus(again, wanted.get(code))) setTimeout(() => refreshCard(code), 0);
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
