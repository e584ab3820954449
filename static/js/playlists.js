// Music page: the play control of each card, import progress polling, thumbs up/down votes and the
// "help sort these" card.
(function () {
  "use strict";
  const MM = window.MoodMusic;

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

  // One line, announced, that says why a vote did not count (it was dropped silently before).
  function voteStatus(near) {
    let status = document.getElementById("vote-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "vote-status";
      status.className = "error";
      status.setAttribute("role", "status");
      near.parentNode.insertBefore(status, near);
    }
    return status;
  }

  async function vote(url, track, emotion, fits, near) {
    try {
      await MM.postJson(url, { track: track, emotion: emotion, fits: fits });
    } catch (error) {
      voteStatus(near).textContent = "Your vote was not saved: " + error.message;
      return false;
    }
    const status = document.getElementById("vote-status");
    if (status) status.textContent = "";
    return true;
  }

  // "Help sort these": the person places a track no source knows; it leaves the card once saved.
  const helpSort = document.getElementById("help-sort");
  if (helpSort) {
    helpSort.addEventListener("click", async function (event) {
      const button = event.target.closest("button.sort-fits");
      if (!button) return;
      const row = button.closest("li");
      const emotion = row.querySelector("select").value;
      if (await vote(helpSort.dataset.voteUrl, row.dataset.track, emotion, true, helpSort)) row.remove();
    });
  }

  const cards = document.getElementById("music-cards");
  if (!cards) return;

  // Play: one tap opens the Spotify player for the card's playlist and starts it (through Spotify's iFrame API;
  // where that API cannot load, the plain player opens and its own play button plays). The player's space is
  // held and labelled while it loads. One player at a time: opening another closes the first. Once open, the
  // button pauses and plays again (or closes the plain player).
  const players = new Map();

  function setButton(button, text, active) {
    button.querySelector(".play-text").textContent = text;
    button.classList.toggle("playing", active);
    button.setAttribute("aria-expanded", String(active));
  }

  function closePlayer(button) {
    players.get(button).destroy();
    players.delete(button);
    const player = button.closest(".music-card").querySelector(".player");
    player.replaceChildren();
    player.classList.add("hidden");
    player.classList.remove("loaded");
    setButton(button, "Play", false);
  }

  function openPlayer(button) {
    players.forEach(function (_handle, other) { closePlayer(other); });
    const player = button.closest(".music-card").querySelector(".player");
    const loading = document.createElement("p");
    loading.className = "player-loading muted small";
    loading.textContent = "Loading the Spotify player for " + button.dataset.name + "…";
    const frameBox = document.createElement("div");
    frameBox.className = "player-frame";
    player.classList.remove("loaded", "hidden");
    player.replaceChildren(loading, frameBox);
    const handle = window.MoodMusicEmbed.open(frameBox, {
      embedUrl: button.dataset.embed, title: button.dataset.name + " on Spotify", height: 152, play: true,
      onReady: function () { player.classList.add("loaded"); },
      onPlaying: function (playing) {
        if (players.get(button) === handle) setButton(button, playing ? "Pause" : "Play", true);
      },
    });
    players.set(button, handle);
    setButton(button, "Loading…", true);
    handle.ready.then(function () {  // "Pause" once Spotify says it plays
      if (players.get(button) === handle) setButton(button, handle.controlled ? "Play" : "Close player", true);
    });
  }

  cards.addEventListener("click", async function (event) {
    const play = event.target.closest("button.play");
    if (play) {
      const handle = players.get(play);
      if (handle && handle.controlled) handle.toggle();
      else if (handle) closePlayer(play);
      else openPlayer(play);
      return;
    }
    const button = event.target.closest("button.vote");
    if (!button) return;
    const row = button.closest("li");
    const fits = button.classList.contains("active") ? null : button.dataset.fits === "true";
    if (!(await vote(cards.dataset.voteUrl, row.dataset.track, row.dataset.emotion, fits, row.closest("details")))) {
      return;
    }
    row.querySelectorAll("button.vote").forEach(function (b) {
      b.classList.remove("active");
      b.setAttribute("aria-pressed", "false");
    });
    if (fits !== null) {
      button.classList.add("active");
      button.setAttribute("aria-pressed", "true");
    }
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
    try {
      await window.MoodMusic.postJson(section.dataset.playUrl,
        { emotion: button.dataset.emotion, device_id: section.dataset.deviceId });
      status.textContent = "Playing " + button.textContent + ".";
    } catch (error) {
      status.textContent = error.message;
    }
  });

  const script = document.createElement("script");
  script.src = "https://sdk.scdn.co/spotify-player.js";
  script.onerror = giveUp;
  document.head.appendChild(script);
})();
