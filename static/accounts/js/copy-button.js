// Copy buttons: <button data-copy="#element-id" hidden>. The button stays hidden without
// JavaScript (the text sits in a read-only field that can be selected by hand).
for (const button of document.querySelectorAll("[data-copy]")) {
  const target = document.querySelector(button.dataset.copy);
  if (!target || !navigator.clipboard) continue;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.value ?? target.textContent);
      button.textContent = "Copied";
    } catch {
      target.select?.();
      button.textContent = "Press Ctrl+C to copy";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
