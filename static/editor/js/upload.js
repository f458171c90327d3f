// Start page: choose, drop anywhere or paste an image; upload with progress; go to the canvas.
// Without JavaScript the form posts normally.

const form = document.querySelector("[data-upload]");
const input = form.querySelector("input[type=file]");
const progress = form.querySelector("[data-upload-progress]");
const status = form.querySelector("[data-upload-status]");
const error = form.querySelector("[data-upload-error]");
const overlay = document.querySelector("[data-drop-overlay]");
const MAX_BYTES = Number(form.dataset.maxMb) * 1024 * 1024;
const TYPES = new Set(["image/png", "image/jpeg", "image/webp"]);

function showError(text) {
  error.textContent = text;
  form.querySelector(".field").classList.toggle("has-error", Boolean(text));
  status.textContent = "";
  progress.hidden = true;
}

function check(file) {
  if (!TYPES.has(file.type)) {
    return `“${file.name || "This file"}” is not a PNG, JPEG or WebP image.`;
  }
  if (file.size > MAX_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(1);
    return `“${file.name}” is ${mb} MB; the limit is ${form.dataset.maxMb} MB.`;
  }
  return "";
}

function upload(file) {
  const problem = check(file);
  if (problem) {
    showError(problem);
    return;
  }
  showError("");
  const data = new FormData(form);
  data.set("image", file, file.name || "pasted.png");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.responseType = "json";
  progress.hidden = false;
  progress.value = 0;
  status.textContent = `Uploading ${file.name || "image"}…`;
  form.setAttribute("aria-busy", "true");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) {
      progress.value = Math.round((event.loaded / event.total) * 100);
      status.textContent = `Uploading… ${progress.value}%`;
    }
  });
  xhr.addEventListener("load", () => {
    form.removeAttribute("aria-busy");
    const body = xhr.response || {};
    if (xhr.status === 200 && body.url) {
      status.textContent = "Uploaded. Opening the editor…";
      window.location.assign(body.url);
    } else {
      showError(body.error || `The upload failed (${xhr.status}).`);
    }
  });
  xhr.addEventListener("error", () => {
    form.removeAttribute("aria-busy");
    showError("The upload failed: the connection was lost. Try again.");
  });
  xhr.send(data);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (input.files[0]) upload(input.files[0]);
  else showError("Choose an image first.");
});
input.addEventListener("change", () => input.files[0] && upload(input.files[0]));

let depth = 0;
const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
document.addEventListener("dragenter", (event) => {
  if (!hasFiles(event)) return;
  depth += 1;
  overlay.hidden = false;
});
document.addEventListener("dragleave", () => {
  depth = Math.max(0, depth - 1);
  if (!depth) overlay.hidden = true;
});
document.addEventListener("dragover", (event) => {
  if (hasFiles(event)) event.preventDefault();
});
document.addEventListener("drop", (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  depth = 0;
  overlay.hidden = true;
  const file = event.dataTransfer.files[0];
  if (file) upload(file);
});
document.addEventListener("paste", (event) => {
  const item = [...(event.clipboardData?.items || [])].find((i) => i.kind === "file");
  if (item) {
    event.preventDefault();
    upload(item.getAsFile());
  }
});
