"""A fake of Spotify's iFrame API script (https://open.spotify.com/embed/iframe-api/v1) on a local server.

It keeps the documented contract (developer.spotify.com/documentation/embeds/references/iframe-api): once
loaded it calls ``window.onSpotifyIframeApiReady(IFrameAPI)``; ``IFrameAPI.createController(element, options,
callback)`` replaces ``element`` with an iframe of the embed for ``options.uri`` and passes a controller with
``loadUri``, ``play``, ``togglePlay``, ``pause``, ``resume``, ``destroy`` and ``addListener`` for ``ready``
and ``playback_update`` (``{data: {isPaused, isBuffering, duration, position}}``). Nothing plays: every call
is recorded in ``window.__spotifyEmbedCalls`` for the test to read, the controllers are kept in
``window.__spotifyEmbedControllers`` (so a test can press play inside the player, as a person would), and a
URI that is not a Spotify URI is an error, as it is for Spotify's script. ``fake.autoplay_blocked = True``
makes ``play()`` do nothing, as a browser that refuses to start sound does.
"""

from tests.fakes.server import FakeServer

SCRIPT = r"""
(function () {
  "use strict";
  const calls = window.__spotifyEmbedCalls = window.__spotifyEmbedCalls || [];
  // The controllers made, so a test can press play inside the player as a person would (Spotify's own button).
  const controllers = window.__spotifyEmbedControllers = window.__spotifyEmbedControllers || [];
  const AUTOPLAY_BLOCKED = %(blocked)s;
  function createController(element, options, callback) {
    if (!/^spotify:(playlist|album|track|episode|show|artist):[A-Za-z0-9]+$/.test(options.uri || "")) {
      throw new Error("Invalid Spotify URI: " + options.uri);
    }
    const iframe = document.createElement("iframe");
    iframe.src = "about:blank";  // Spotify's: https://open.spotify.com/embed/<type>/<id>
    iframe.dataset.uri = options.uri;
    iframe.width = options.width || "100%%";
    iframe.height = options.height || 352;
    iframe.setAttribute("allow", "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture");
    element.replaceWith(iframe);
    calls.push(["createController", options.uri]);
    const listeners = {};
    let paused = true;
    function emit(name, data) {
      (listeners[name] || []).forEach(function (f) { f({ data: data }); });
    }
    function update() {
      emit("playback_update", { isPaused: paused, isBuffering: false, duration: 180000, position: 0 });
    }
    const controller = {
      iframeElement: iframe,
      addListener: function (name, f) { (listeners[name] = listeners[name] || []).push(f); },
      loadUri: function (uri) {
        calls.push(["loadUri", uri]);
        iframe.dataset.uri = uri;
        paused = true;
        setTimeout(update, 20);
      },
      play: function () {
        calls.push(["play", iframe.dataset.uri]);
        if (AUTOPLAY_BLOCKED) return;
        paused = false;
        setTimeout(update, 20);
      },
      resume: function () { controller.play(); },
      pause: function () { calls.push(["pause"]); paused = true; setTimeout(update, 20); },
      togglePlay: function () {
        calls.push(["togglePlay"]);
        if (!paused || !AUTOPLAY_BLOCKED) paused = !paused;
        setTimeout(update, 20);
      },
      destroy: function () { calls.push(["destroy", iframe.dataset.uri]); iframe.remove(); },
    };
    controllers.push(controller);
    callback(controller);
    setTimeout(function () { emit("ready", {}); }, 50);  // Spotify's player loads, then says it is ready
  }
  window.onSpotifyIframeApiReady({ createController: createController });
})();
"""


class FakeSpotifyEmbed(FakeServer):
    def reset(self) -> None:
        self.autoplay_blocked = False
        self.requests = 0

    @property
    def script_url(self) -> str:
        return f"{self.url}/embed/iframe-api/v1"

    def handle(self, method, path, query, body, headers):
        if method != "GET" or path != "/embed/iframe-api/v1":
            return 404, {}, {"error": "not found"}
        self.requests += 1
        script = SCRIPT % {"blocked": "true" if self.autoplay_blocked else "false"}
        return 200, {"Content-Type": "text/javascript; charset=utf-8"}, script.encode()
