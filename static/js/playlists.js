// Music page: import progress polling and thumbs up/down votes.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  const progress = document.getElementById("import-progress");
  if (progress && progress.dataset.status === "running") {
    const timer = setInterval(async function () {
      const response = await fetch(progress.dataset.url, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      for (const key of ["status", "done", "total", "tracks", "error"]) {
        progress.querySelector("." + key).textContent = data[key];
      }
      if (data.status !== "running") {
        clearInterval(timer);
        window.location.reload();
      }
    }, 2000);
  }

  const list = document.querySelector(".emotion-playlists");
  if (!list) return;
  list.addEventListener("click", async function (event) {
    const button = event.target.closest("button.vote");
    if (!button) return;
    const row = button.closest("li");
    const fits = button.classList.contains("active") ? null : button.dataset.fits === "true";
    const response = await fetch(list.dataset.voteUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ track: row.dataset.track, emotion: row.dataset.emotion, fits: fits }),
    });
    if (!response.ok) return;
    row.querySelectorAll("button.vote").forEach(function (b) { b.classList.remove("active"); });
    if (fits !== null) button.classList.add("active");
  });
})();
