// Every page: the person's time zone for the server, the compact menu at phone widths, and forms that
// ask before they do something that cannot be undone (<form data-confirm="...">), without inline
// handlers (the CSP forbids them).
(function () {
  "use strict";

  // The server shows days and times of day in the person's own time zone (accounts/timezones.py).
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const current = document.cookie.match(/(?:^|; )tz=([^;]+)/);
    if (zone && (!current || decodeURIComponent(current[1]) !== zone)) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl time zone: the server's is used */ }

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
