// A group of role="radio" buttons that behaves like native radios: one tab stop (the checked
// button), arrow keys move and choose, Home/End jump. Buttons added later (new tools) join in.

export function attachRadioGroup(group, choose) {
  const radios = () => [...group.querySelectorAll('[role="radio"]:not([disabled])')];

  function sync() {
    const all = radios();
    const checked = all.find((r) => r.getAttribute("aria-checked") === "true") || all[0];
    for (const radio of all) radio.tabIndex = radio === checked ? 0 : -1;
  }

  group.addEventListener("keydown", (event) => {
    const all = radios();
    const at = all.indexOf(event.target.closest('[role="radio"]'));
    if (at < 0) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let next;
    if (event.key in moves) next = (at + moves[event.key] + all.length) % all.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = all.length - 1;
    else return;
    event.preventDefault();
    event.stopPropagation();
    choose(all[next]);
    all[next].focus();
  });

  new MutationObserver(sync).observe(group, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-checked"] });
  sync();
}
