// Spotify's player on our pages. Where Spotify's iFrame API loads (its address is the page's
// <meta name="spotify-embed-api">), our own Play button starts the music in one tap and shows whether it
// plays, and a new mood is loaded into the same player, which keeps playing. Where it does not load (blocked,
// offline, switched off), the plain embed is shown instead and its own play button plays.
// https://developer.spotify.com/documentation/embeds/references/iframe-api
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="spotify-embed-api"]');
  const apiUrl = meta ? meta.content : "";
  const API_WAIT_MS = 4000;
  const ALLOW = "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture";
  let apiPromise = null;

  // The API once per page, started as the page loads, so a tap does not wait for it.
  function loadApi() {
    if (apiPromise) return apiPromise;
    apiPromise = new Promise(function (resolve) {
      if (!apiUrl) { resolve(null); return; }
      const timer = setTimeout(function () { resolve(null); }, API_WAIT_MS);
      window.onSpotifyIframeApiReady = function (IFrameAPI) {
        clearTimeout(timer);
        resolve(IFrameAPI);
      };
      const script = document.createElement("script");
      script.src = apiUrl;
      script.async = true;
      script.addEventListener("error", function () {
        clearTimeout(timer);
        resolve(null);
      });
      document.body.appendChild(script);
    });
    return apiPromise;
  }

  function uriOf(embedUrl) {
    const match = /\/embed\/(playlist|album|track|episode|show)\/([A-Za-z0-9]+)/.exec(embedUrl);
    return match ? "spotify:" + match[1] + ":" + match[2] : "";
  }

  function label(frame, title) {
    if (!frame) return;
    frame.title = title;
    frame.setAttribute("allow", ALLOW);
  }

  // The player itself, once the API has loaded or failed to: {controlled, load, toggle, destroy}.
  async function build(container, options) {
    const api = await loadApi();
    const uri = uriOf(options.embedUrl);
    const onReady = options.onReady || function () {};
    const onPlaying = options.onPlaying || function () {};
    if (!api || !uri) {
      const frame = document.createElement("iframe");
      frame.src = options.embedUrl;
      frame.height = String(options.height);
      label(frame, options.title);
      frame.addEventListener("load", onReady);
      container.replaceChildren(frame);
      return {
        controlled: false,
        load: function (embedUrl, title) {
          if (frame.getAttribute("src") === embedUrl) return;
          frame.src = embedUrl;
          label(frame, title);
        },
        toggle: function () {},
        destroy: function () { frame.remove(); },
      };
    }
    const target = document.createElement("div");
    container.replaceChildren(target);
    return new Promise(function (resolve) {
      api.createController(target, { uri: uri, width: "100%", height: options.height }, function (controller) {
        let playing = false;
        let started = false;
        let current = uri;
        label(container.querySelector("iframe"), options.title);
        controller.addListener("ready", function () {
          onReady();
          if (options.play && !started) controller.play();
          started = true;
        });
        controller.addListener("playback_update", function (event) {
          const now = Boolean(event && event.data && !event.data.isPaused);
          if (now !== playing) {
            playing = now;
            onPlaying(playing);
          }
        });
        resolve({
          controlled: true,
          // Another playlist in the same player: the music goes on if it was playing.
          load: function (embedUrl, title) {
            const next = uriOf(embedUrl);
            if (!next || next === current) return;
            current = next;
            const wasPlaying = playing;
            controller.loadUri(next);
            label(container.querySelector("iframe"), title);
            if (wasPlaying) controller.play();
          },
          toggle: function () { controller.togglePlay(); },
          destroy: function () { controller.destroy(); },
        });
      });
    });
  }

  // A player for `options.embedUrl` in `container` (what is there is replaced), returned at once:
  // {load(embedUrl, title), toggle(), destroy(), ready}. Until the player is built, the last load() waits for it
  // and destroy() removes it as soon as it exists; `ready` resolves to the handle, with `controlled` set (true:
  // toggle() plays and pauses; false: the plain embed). options: embedUrl, title, height, play (start at once:
  // the tap that opened it is the person's), onReady(), onPlaying(playing).
  function open(container, options) {
    let player = null;
    let wanted = null;
    let destroyed = false;
    const handle = {
      controlled: false,
      load: function (embedUrl, title) {
        if (player) player.load(embedUrl, title); else wanted = [embedUrl, title];
      },
      toggle: function () { if (player) player.toggle(); },
      destroy: function () {
        destroyed = true;
        if (player) player.destroy();
      },
    };
    handle.ready = build(container, options).then(function (built) {
      player = built;
      handle.controlled = built.controlled;
      if (destroyed) built.destroy();
      else if (wanted) built.load(wanted[0], wanted[1]);
      return handle;
    });
    return handle;
  }

  window.MoodMusicEmbed = { open: open };
  loadApi();  // the script is only on pages with a player
})();
