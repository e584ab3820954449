// Capture page: webcam preview, still-frame capture, upload fallback, result with face boxes,
// a live session ("Keep reading my mood": a held mood, decided on the server), the manual
// "how I feel" picker, and the music for the mood. Keyboard: C (or Space outside a control) captures.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = function (id) { return document.getElementById(id); };

  const POLL_LIMIT_MS = 90000;
  const PLAYER_SLOW_MS = 12000;

  const video = $("camera-preview");
  const stage = $("camera-stage");
  const toggle = $("camera-toggle");
  const captureButton = $("capture-button");
  const liveToggle = $("live-toggle");
  const liveInterval = $("live-interval");
  const uploadInput = $("upload-input");
  const resultCard = $("result");

  let stream = null;
  let wantCamera = false;
  let resumeWhenVisible = false;
  let busy = false;
  let imageUrl = null;
  let musicEmotion = null;
  let embed = null;  // the Spotify player (static/js/spotify-embed.js), once a mood has music
  let currentEntry = null;
  // The live session: its server record, the timers between readings, and whether it is running.
  const live = { active: false, session: null, timer: null, ticker: null, due: 0, readings: 0, held: "" };

  // --- helpers ---------------------------------------------------------------------------

  const MM = window.MoodMusic;
  const api = MM.api;
  const postJson = MM.postJson;
  const label = MM.label;

  function percent(value) {
    return Math.round(value * 100) + "%";
  }

  function show(el, visible) {
    el.classList.toggle("hidden", !visible);
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // On a phone the result card sits below the camera: bring it into view when something happens there.
  function revealResult() {
    const box = resultCard.getBoundingClientRect();
    if (box.top >= 0 && box.top < window.innerHeight * 0.6) return;
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    resultCard.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
  }

  // --- camera ----------------------------------------------------------------------------

  function setCameraState(state, message) {
    stage.dataset.state = state;
    const on = state === "on";
    toggle.textContent = on || state === "starting" ? "Turn camera off" : "Turn camera on";
    toggle.setAttribute("aria-pressed", String(on || state === "starting"));
    captureButton.disabled = !on || busy;
    liveToggle.disabled = !on;
    const placeholder = {
      off: "The camera is off. Turn it on, face the light and sit about an arm's length away.",
      starting: "Starting the camera…",
    }[state];
    if (placeholder) $("camera-placeholder-text").textContent = placeholder;
    show($("camera-problem"), state === "unavailable");
    $("camera-status").textContent = message || "";
    const indicator = $("camera-state");
    indicator.dataset.state = on ? "on" : "off";
    // "Camera " is a separate span: a narrow header shows only "on"/"off" beside the dot, and it is still read.
    const word = document.createElement("span");
    word.className = "camera-word";
    word.textContent = "Camera ";
    indicator.replaceChildren(word, on ? "on" : (state === "starting" ? "starting…" : "off"));
  }

  // The real reason, said where the camera would be, with how to fix it; upload and pick are beside it.
  function cameraProblem(err) {
    const name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return ["Camera permission denied",
        "Your browser blocked the camera for this site. Click the camera (or padlock) icon in the address bar, " +
        "choose Allow, then press Try again. Or upload a photo, or pick how you feel."];
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return ["No camera found",
        "This device has no camera the browser can use. Plug one in and press Try again, or upload a photo, " +
        "or pick how you feel."];
    }
    if (name === "NotReadableError") {
      return ["The camera is busy",
        "Another app or tab is using the camera. Close it and press Try again, or upload a photo, or pick how you feel."];
    }
    return ["The camera could not start",
      (err && err.message ? err.message + " " : "") + "Press Try again, or upload a photo, or pick how you feel."];
  }

  function cameraUnavailable(problem) {
    $("camera-problem-title").textContent = problem[0];
    $("camera-problem-fix").textContent = problem[1];
    setCameraState("unavailable");
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraUnavailable(["This browser cannot use a camera here",
        "Open MoodMusic in a current browser over https, or upload a photo, or pick how you feel."]);
      return;
    }
    wantCamera = true;
    setCameraState("starting");
    let media;
    try {
      media = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" },
        audio: false,
      });
    } catch (err) {
      wantCamera = false;
      cameraUnavailable(cameraProblem(err));
      return;
    }
    if (!wantCamera) {  // turned off, or the page was hidden, while the permission prompt was open
      media.getTracks().forEach(function (t) { t.stop(); });
      return;
    }
    stream = media;
    video.srcObject = stream;
    try { await video.play(); } catch (e) { /* autoplay of a muted stream is allowed; ignore odd refusals */ }
    if (!video.videoWidth) {
      await new Promise(function (resolve) { video.addEventListener("loadedmetadata", resolve, { once: true }); });
    }
    if (stream === media) setCameraState("on");
  }

  function stopCamera(message) {
    wantCamera = false;
    stopLive("Stopped: the camera is off.");
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.srcObject = null;
    setCameraState("off", message || "");
  }

  function grabFrame() {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) {
        if (blob) resolve(blob); else reject(new Error("The camera picture could not be read. Try again."));
      }, "image/jpeg", 0.9);
    });
  }

  // --- live session ----------------------------------------------------------------------
  // A reading every few seconds, one at a time: the next countdown starts when a reading is shown. The
  // server holds the mood (it changes once a new reading has held) and decides the history entries.

  function readingsText(n) {
    return n + (n === 1 ? " reading" : " readings");
  }

  function showLiveStatus(countdown) {
    show($("live-status"), true);
    $("live-status").classList.toggle("stopped", !live.active);
    $("live-countdown").textContent = countdown;
    $("live-count").textContent = readingsText(live.readings);
    $("live-held").textContent = live.held ? label(live.held) : "none yet";
  }

  async function startLive() {
    if (live.active || !stream) return;
    Object.assign(live, { active: true, session: null, readings: 0, held: "" });
    liveToggle.dataset.live = "on";  // the label says what pressing it does: no aria-pressed beside it
    liveToggle.textContent = "Stop reading";
    liveInterval.disabled = true;
    showLiveStatus("Starting…");
    try {
      const session = await postJson(config.live_sessions, {});
      if (!live.active) return;  // stopped while it was starting
      live.session = session;
    } catch (err) {
      stopLive("Could not start: " + err.message);
      return;
    }
    liveReading();
  }

  async function liveReading() {
    const session = live.session;
    if (!live.active || !session) return;
    showLiveStatus("Reading now…");
    await captureFromCamera(session);
    if (live.active && live.session === session) nextLiveReading();
  }

  function nextLiveReading() {
    const seconds = parseInt(liveInterval.value, 10) || 5;
    live.due = Date.now() + seconds * 1000;
    const tick = function () {
      showLiveStatus("Next reading in " + Math.max(1, Math.ceil((live.due - Date.now()) / 1000)) + " s");
    };
    tick();
    live.ticker = setInterval(tick, 250);
    live.timer = setTimeout(function () {
      clearInterval(live.ticker);
      liveReading();
    }, seconds * 1000);
  }

  // Stops at once: no further picture is taken or sent, and the server refuses any for this session.
  function stopLive(reason) {
    if (!live.active) return;
    const session = live.session;
    Object.assign(live, { active: false, session: null });
    clearTimeout(live.timer);
    clearInterval(live.ticker);
    liveToggle.dataset.live = "off";
    liveToggle.textContent = "Keep reading my mood";
    liveInterval.disabled = false;
    showLiveStatus((reason || "Stopped.") + " " + readingsText(live.readings) + " in all.");
    if (session) postJson(session.url.replace(/\/?$/, "/") + "stop/", {}).catch(function () { /* it stops anyway */ });
  }

  // --- capture and analysis --------------------------------------------------------------

  // One short sentence for screen readers; the bars and boxes are there to look at.
  function announce(text) {
    $("result-announce").textContent = text;
  }

  function resetResult() {
    ["result-idle", "progress", "capture-error", "no-face", "result-frame", "reading", "correct"].forEach(function (id) {
      show($(id), false);
    });
  }

  function setProgress(text) {
    resetResult();
    show($("progress"), true);
    $("progress-text").textContent = text;
    revealResult();
    announce(text);
    resultCard.setAttribute("aria-busy", "true");
  }

  // After a single capture the result takes focus, so the next capture is one key (C) away; a live
  // session's readings never move focus (its Stop button keeps it).
  function focusResult(el) {
    revealResult();
    el.focus({ preventScroll: true });
  }

  function showError(message, takeFocus) {
    resetResult();
    resultCard.removeAttribute("aria-busy");
    announce("");
    $("capture-error").textContent = message;
    show($("capture-error"), true);
    if (takeFocus) focusResult($("capture-error")); else if (!live.active) revealResult();
  }

  function setBusy(value) {
    busy = value;
    captureButton.disabled = value || !stream;
    uploadInput.disabled = value;
    captureButton.textContent = value ? "Analysing…" : "Capture";
  }

  async function waitForResult(capture, withProgress) {
    const started = Date.now();
    // Most captures are analysed in well under 200 ms (benchmarks/load.py): ask early, then back off.
    let delay = 150;
    while (capture.status === "queued" || capture.status === "processing") {
      if (withProgress) {
        setProgress(capture.status === "queued" ? "Waiting for the analyser…" : "Finding faces and reading emotions…");
      }
      if (Date.now() - started > POLL_LIMIT_MS) {
        throw new Error("The analysis is taking longer than usual. Your mood will still appear in your history.");
      }
      await sleep(delay);
      delay = Math.min(delay * 1.5, 2000);
      capture = await api(capture.url);
    }
    return capture;
  }

  // ``session``: the live session this picture belongs to (null for a single capture or an upload).
  async function analyse(blob, source, filename, session) {
    if (busy) return;
    if (session && session !== live.session) return;  // stopped while the frame was grabbed: send nothing
    setBusy(true);
    // Private mode (static/js/private.js): the face is read on this device and only the result is sent.
    const reader = MM.privateReader && MM.privateReader.enabled() ? MM.privateReader : null;
    if (!session) setProgress(reader ? "Reading your face on this device…" : "Sending the picture…");
    const localUrl = URL.createObjectURL(blob);
    try {
      let capture;
      if (reader) {
        capture = await reader.record(blob, source, session ? session.id : null);
      } else {
        const form = new FormData();
        form.append("image", blob, filename);
        form.append("source", source);
        if (session) form.append("live_session", session.id);
        capture = await waitForResult(await api(config.captures, { method: "POST", body: form }), !session);
      }
      if (imageUrl) URL.revokeObjectURL(imageUrl);
      imageUrl = localUrl;
      showCapture(capture, !session);
    } catch (err) {
      URL.revokeObjectURL(localUrl);
      if (err.code !== "live_session_stopped") showError(err.message, !session);
    } finally {
      setBusy(false);
    }
  }

  async function captureFromCamera(session) {
    if (!stream || busy) return;
    let blob;
    try {
      blob = await grabFrame();
    } catch (err) {
      showError(err.message, !session);
      return;
    }
    await analyse(blob, "webcam", "capture.jpg", session || null);
  }

  function showCapture(capture, takeFocus) {
    resetResult();
    resultCard.removeAttribute("aria-busy");
    const liveReading = capture.live || null;
    // A live session's readings never scroll the page: the person may be reading something else on it.
    if (!takeFocus && !liveReading) revealResult();
    currentEntry = capture.mood || (liveReading && liveReading.entry) || null;
    if (liveReading) {
      live.readings = liveReading.readings;
      live.held = liveReading.held_emotion || live.held;
      if (live.active) showLiveStatus($("live-countdown").textContent);
    }
    if (capture.status === "failed") {
      showError(capture.message || "The picture could not be analysed. Please try again.", takeFocus);
      return;
    }
    show($("result-frame"), true);
    $("result-image").src = imageUrl;
    drawFaces(capture);
    if (!capture.faces.length) {
      // The heading already says it; keep the API's hint without repeating its first sentence.
      $("no-face-message").textContent = (capture.message ||
        "Face the camera in good, even light, about an arm's length away.").replace(/^No face found\.\s*/i, "");
      show($("no-face"), true);
      $("faces-hint").textContent = "";
      if (!liveReading || !live.held) {
        show($("music-panel"), false);  // no reading, so no music "for feeling" an older one
        musicEmotion = null;
      }
      announce("No face found. " + $("no-face-message").textContent);
      if (takeFocus) focusResult($("no-face"));
      return;
    }
    const primary = capture.faces.find(function (f) { return f.is_primary; }) || capture.faces[0];
    showReading(primary);
    showCorrection(primary, liveReading ? liveReading.held_emotion : "");
    $("faces-hint").textContent = capture.faces.length > 1
      ? capture.faces.length + " faces found. The one marked “you” sets your mood — if that is not you, pick your face."
      : "";
    if (liveReading) {
      // Said only when the held mood changes: a reading every few seconds would drown a screen reader.
      if (capture.mood) announce("Your mood is now " + $("result-emotion").textContent + ".");
    } else {
      announce("You look " + primary.emotion + ", " + percent(primary.confidence) + " confident." +
        (capture.faces.length > 1 ? " " + capture.faces.length + " faces found; you can pick yours." : ""));
    }
    loadMusic(currentEntry ? currentEntry.emotion : (liveReading && liveReading.held_emotion) || primary.emotion);
    if (takeFocus) focusResult($("reading-main"));
  }

  function drawFaces(capture) {
    const layer = $("face-boxes");
    layer.replaceChildren();
    const width = capture.width || $("result-image").naturalWidth || 1;
    const height = capture.height || $("result-image").naturalHeight || 1;
    const several = capture.faces.length > 1;
    $("result-body").classList.toggle("several", several);
    // A webcam frame is shown mirrored, as in the preview, so the boxes are mirrored with it.
    const mirrored = capture.source === "webcam";
    layer.parentElement.classList.toggle("mirrored", mirrored);
    capture.faces.forEach(function (face, i) {
      const box = document.createElement(several ? "button" : "div");
      box.className = "face-box " + face.emotion + (face.is_primary ? " primary" : "");
      box.dataset.face = face.id;
      const left = mirrored ? width - face.box.x - face.box.w : face.box.x;
      box.style.left = (100 * left / width) + "%";
      box.style.top = (100 * face.box.y / height) + "%";
      box.style.width = (100 * face.box.w / width) + "%";
      box.style.height = (100 * face.box.h / height) + "%";
      const who = face.is_primary ? "You" : "Face " + (i + 1);
      const tag = document.createElement("span");
      // Keep the tag inside the picture: right-aligned near the right edge, below the box near the top
      // (and for one face, shown in a small picture, below the box in the upper half).
      tag.className = "face-tag" + ((left + face.box.w) / width > 0.6 ? " end" : "") +
        (face.box.y / height < 0.08 || (!several && (face.box.y + face.box.h / 2) / height < 0.5) ? " below" : "");
      // One face: its reading is beside the picture, so the small picture's tag just says whose face it is.
      tag.textContent = several ? who + " · " + label(face.emotion) + " " + percent(face.confidence) : who;
      box.appendChild(tag);
      if (several) {
        box.type = "button";
        box.setAttribute("aria-pressed", String(face.is_primary));
        // The name starts with the visible tag, so speech input ("click Face 2") finds it.
        box.setAttribute("aria-label", tag.textContent + (face.is_primary ? ", your face" : ": pick as your face"));
        if (!face.is_primary) box.title = "Pick this face as yours";
        box.addEventListener("click", function () { if (!face.is_primary) pickFace(capture, face); });
      }
      layer.appendChild(box);
    });
  }

  function showReading(face) {
    show($("reading"), true);
    $("result-emotion").textContent = label(face.emotion);
    $("result-emotion").dataset.emotion = face.emotion;
    $("result-confidence").textContent = percent(face.confidence) + " confident";
    $("result-dot").className = "reading-dot dot " + face.emotion;
    document.querySelectorAll("#probabilities .probability").forEach(function (row) {
      const p = face.probabilities[row.dataset.emotion] || 0;
      row.querySelector(".probability-bar").style.width = (p * 100).toFixed(1) + "%";
      row.querySelector(".probability-value").textContent = percent(p);
      row.classList.toggle("top", row.dataset.emotion === face.emotion);
    });
  }

  async function pickFace(capture, face) {
    try {
      showCapture(await postJson(capture.url.replace(/\/?$/, "/") + "primary/", { face: face.id }));
    } catch (err) {
      $("faces-hint").textContent = err.message;
    }
  }

  // --- correcting a reading -------------------------------------------------------------

  // ``held``: a live session's held mood, shown as the mood, with this picture's reading beside it.
  function showCorrection(face, held) {
    setCorrectionOpen(false);
    $("correct-status").textContent = "";
    show($("correct"), Boolean(currentEntry));
    const model = $("result-model");
    if (currentEntry && currentEntry.corrected_at) {
      $("result-emotion").textContent = label(currentEntry.emotion);
      $("result-dot").className = "reading-dot dot " + currentEntry.emotion;
      $("result-confidence").textContent = "your correction";
      model.textContent = "The model read " + label(face.emotion) + ", " + percent(face.confidence) + " confident.";
      show(model, true);
    } else if (held) {
      $("result-emotion").textContent = label(held);
      $("result-dot").className = "reading-dot dot " + held;
      $("result-confidence").textContent = "held mood · this picture: " + label(face.emotion) + ", " +
        percent(face.confidence);
      show(model, false);
    } else {
      $("result-emotion").textContent = label(face.emotion);
      $("result-dot").className = "reading-dot dot " + face.emotion;
      $("result-confidence").textContent = percent(face.confidence) + " confident";
      show(model, false);
    }
  }

  function setCorrectionOpen(open) {
    $("correct-toggle").setAttribute("aria-expanded", String(open));
    show($("correct-panel"), open);
  }

  async function correctTo(button) {
    if (!currentEntry) return;
    const status = $("correct-status");
    const buttons = document.querySelectorAll("#correct-panel button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      currentEntry = await MM.patchJson(config.moods + currentEntry.id + "/", { emotion: button.dataset.correct });
      const face = { emotion: currentEntry.model_emotion || currentEntry.emotion, confidence: currentEntry.confidence };
      showCorrection(face);
      status.className = "correct-status ok";
      status.textContent = currentEntry.corrected_at
        ? "Thanks: saved as " + currentEntry.emotion + ". Your history and music follow you."
        : "Back to the model's reading: " + currentEntry.emotion + ".";
      $("correct-toggle").focus();
      loadMusic(currentEntry.emotion);
    } catch (err) {
      status.className = "correct-status error";
      status.textContent = err.message;
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  // --- manual picker ---------------------------------------------------------------------

  async function pickManually(button) {
    const emotion = button.dataset.emotion;
    const status = $("manual-status");
    button.disabled = true;
    try {
      await postJson(config.moods, { emotion: emotion });
      status.className = "manual-status ok";
      status.textContent = "Saved: you feel " + emotion + ". It is in your history.";
      loadMusic(emotion);
    } catch (err) {
      status.className = "manual-status error";
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  // --- music -----------------------------------------------------------------------------

  // The music for a mood: the person's own playlist, else the starter one, in Spotify's compact player
  // (its play button is one tap, no Spotify link needed). Its space is reserved and labelled while it loads.
  // The same mood again keeps the player as it is, so a live session's music is not restarted by each frame.
  async function loadMusic(emotion) {
    const panel = $("music-panel");
    if (emotion === musicEmotion && !panel.classList.contains("hidden")) return;
    let music;
    try {
      music = await api(config.music.replace("EMOTION", encodeURIComponent(emotion)));
    } catch (err) {
      show(panel, false);  // the music side may not exist, or may be down: the capture still counts
      return;
    }
    musicEmotion = emotion;
    $("music-emotion").textContent = label(emotion);
    $("music-emotion").className = "mood-chip " + emotion;
    $("music-status").textContent = "";
    const hasPlaylist = music.source !== "none" && Boolean(music.embed_url);
    show($("music-none"), !hasPlaylist);
    show($("music-open"), Boolean(music.spotify_url));
    $("music-open").href = music.spotify_url || "#";
    $("music-cover").className = "music-cover " + emotion;
    $("music-name").textContent = hasPlaylist ? music.name : "";
    $("music-meta").textContent = music.source === "personal" ? "Your playlist for feeling " + emotion
      : "Starter playlist for feeling " + emotion;
    show($("music-controls"), hasPlaylist && Boolean(music.can_control_playback));
    const player = $("music-player");
    const wrap = $("music-embed-wrap");
    const title = "Spotify player: " + music.name + ". Press play to listen.";
    if (!hasPlaylist) {
      if (embed) embed.destroy();
      embed = null;
      wrap.replaceChildren();
      player.dataset.state = "empty";
    } else if (embed) {
      embed.load(music.embed_url, title);  // the same player: music that was playing goes on with the new mood
    } else {
      player.dataset.state = "loading";
      $("music-loading").textContent = "Loading the Spotify player…";
      embed = window.MoodMusicEmbed.open(wrap, {
        embedUrl: music.embed_url, title: title, height: 152,
        onReady: function () { if (wrap.isConnected) player.dataset.state = "ready"; },
      });
      setTimeout(function () {
        if (player.dataset.state === "loading") {
          $("music-loading").textContent = "The Spotify player is slow to load: use Open in Spotify.";
        }
      }, PLAYER_SLOW_MS);
    }
    show(panel, true);
  }

  async function player(url, body, done) {
    const status = $("music-status");
    try {
      await postJson(url, body);
      status.textContent = done;
    } catch (err) {
      status.textContent = err.message;
    }
  }

  // --- wiring ----------------------------------------------------------------------------

  toggle.addEventListener("click", function () {
    if (stream || wantCamera) stopCamera("Camera off."); else startCamera();
  });
  captureButton.addEventListener("click", function () { captureFromCamera(null); });
  liveToggle.addEventListener("click", function () {
    if (live.active) stopLive("Stopped."); else startLive();
  });
  $("camera-retry").addEventListener("click", startCamera);
  $("camera-pick").addEventListener("click", function () {
    setTimeout(function () { $("manual-heading").focus(); }, 0);  // after the jump to the picker
  });

  // C (or Space when focus is on no control) captures: after a capture focus is on the result, so the
  // next one is one key away. Never while typing, and never with a modifier (browser shortcuts).
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target instanceof Element ? e.target : document.body;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const isC = e.key === "c" || e.key === "C";
    const isSpace = e.key === " " && !target.closest("button, a, summary, label, [role=button], iframe");
    if (!isC && !isSpace) return;
    if (live.active) return;  // a live session takes its own pictures
    if (!stream) {
      if (isC) $("camera-status").textContent = "Turn the camera on to capture, or upload a photo.";
      return;
    }
    e.preventDefault();
    captureFromCamera(null);
  });
  uploadInput.addEventListener("change", function () {
    const file = uploadInput.files[0];
    uploadInput.value = "";
    if (!file) return;
    if (file.type && !/^image\/(jpeg|png)$/.test(file.type)) {
      showError("Please choose a JPEG or PNG photo.");
      return;
    }
    analyse(file, "upload", file.name || "upload.jpg", null);
  });
  $("correct-toggle").addEventListener("click", function () {
    const open = $("correct-toggle").getAttribute("aria-expanded") !== "true";
    setCorrectionOpen(open);
    if (open) document.querySelector("#correct-panel button").focus();
  });
  document.querySelectorAll("#correct-panel button[data-correct]").forEach(function (button) {
    button.addEventListener("click", function () { correctTo(button); });
  });
  document.querySelectorAll("#manual-picker button[data-emotion]").forEach(function (button) {
    button.addEventListener("click", function () { pickManually(button); });
  });
  $("music-play").addEventListener("click", function () {
    player(config.play, { emotion: musicEmotion }, "Playing on your Spotify device.");
  });
  $("music-pause").addEventListener("click", function () { player(config.pause, {}, "Paused."); });

  // The camera never runs unseen: it stops when the page is hidden or left, and comes back
  // when the person returns to a page on which they had it on.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && (stream || wantCamera)) {
      resumeWhenVisible = true;
      stopCamera();
    } else if (document.visibilityState === "visible" && resumeWhenVisible) {
      resumeWhenVisible = false;
      startCamera();
    }
  });
  window.addEventListener("pagehide", function () {
    resumeWhenVisible = false;
    stopCamera();
  });

  setCameraState("off");
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "camera" }).then(function (result) {
      if (result.state === "granted" && !stream && !wantCamera) startCamera();
    }).catch(function () { /* this browser cannot tell; wait for the button */ });
  }
})();
