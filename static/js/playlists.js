// Music page: import progress polling, thumbs up/down votes and the "help sort these" card.
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

  async function vote(url, track, emotion, fits) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ track: track, emotion: emotion, fits: fits }),
    });
    return response.ok;
  }

  // "Help sort these": the person places a track no source knows; it leaves the card once saved.
  const helpSort = document.getElementById("help-sort");
  if (helpSort) {
    helpSort.addEventListener("click", async function (event) {
      const button = event.target.closest("button.sort-fits");
      if (!button) return;
      const row = button.closest("li");
      const emotion = row.querySelector("select").value;
      if (await vote(helpSort.dataset.voteUrl, row.dataset.track, emotion, true)) row.remove();
    });
  }

  const list = document.querySelector(".emotion-playlists");
  if (!list) return;
  list.addEventListener("click", async function (event) {
    const button = event.target.closest("button.vote");
    if (!button) return;
    const row = button.closest("li");
    const fits = button.classList.contains("active") ? null : button.dataset.fits === "true";
    if (!(await vote(list.dataset.voteUrl, row.dataset.track, row.dataset.emotion, fits))) return;
    row.querySelectorAll("button.vote").forEach(function (b) { b.classList.remove("active"); });
    if (fits !== null) button.classList.add("active");
  });
})();

// "Play here": for Premium listeners the page becomes a Spotify device through the Web Playback SDK.
// The token comes from our own endpoint (refreshed on the server; the refresh token never reaches the page).
// Anything that goes wrong leaves the section hidden, and the embed players below keep working.
(function () {
  "use strict";
  const section = document.getElementById("web-player");
  if (!section) return;
  const status = section.querySelector(".status");

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function giveUp() {
    section.classList.add("hidden");
  }

  window.onSpotifyWebPlaybackSDKReady = function () {
    const player = new window.Spotify.Player({
      name: "MoodMusic",
      getOAuthToken: function (callback) {
        fetch(section.dataset.tokenUrl, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
          .then(function (data) { callback(data.access_token); })
          .catch(giveUp);
      },
    });
    ["initialization_error", "authentication_error", "account_error"].forEach(function (name) {
      player.addListener(name, giveUp);
    });
    player.addListener("ready", function (event) {
      section.dataset.deviceId = event.device_id;
      section.classList.remove("hidden");
    });
    player.connect().then(function (connected) { if (!connected) giveUp(); });
  };

  section.addEventListener("click", async function (event) {
    const button = event.target.closest("button.play-here");
    if (!button || !section.dataset.deviceId) return;
    const response = await fetch(section.dataset.playUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ emotion: button.dataset.emotion, device_id: section.dataset.deviceId }),
    });
    const data = response.ok ? null : await response.json().catch(function () { return {}; });
    status.textContent = response.ok ? "Playing " + button.textContent + "." : (data.detail || "Could not play.");
  });

  const script = document.createElement("script");
  script.src = "https://sdk.scdn.co/spotify-player.js";
  script.onerror = giveUp;
  document.head.appendChild(script);
})();
