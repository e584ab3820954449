// Every page: the compact menu at phone widths, and forms that ask before they do something
// that cannot be undone (<form data-confirm="...">), without inline handlers (the CSP forbids them).
(function () {
  "use strict";

  const toggle = document.getElementById("menu-toggle");
  const menu = document.getElementById("site-menu");
  if (toggle && menu) {
    const close = function () {
      toggle.setAttribute("aria-expanded", "false");
      menu.classList.remove("open");
    };
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
      if (open) {
        const first = menu.querySelector("a, button");
        if (first) first.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        close();
        toggle.focus();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
