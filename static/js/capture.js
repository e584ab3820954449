// Capture page: webcam preview, still-frame capture, upload fallback, result with face boxes,
// the manual "how I feel" picker and the music panel for the resulting emotion.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = function (id) { return document.getElementById(id); };

  const POLL_LIMIT_MS = 90000;
  const NO_CAMERA_HINT = " You can upload a photo instead, or pick how you feel below.";

  const video = $("camera-preview");
  const stage = $("camera-stage");
  const toggle = $("camera-toggle");
  const captureButton = $("capture-button");
  const autoCheck = $("auto-capture");
  const autoInterval = $("auto-interval");
  const uploadInput = $("upload-input");
  const resultCard = $("result");

  let stream = null;
  let wantCamera = false;
  let resumeWhenVisible = false;
  let autoTimer = null;
  let busy = false;
  let imageUrl = null;
  let musicEmotion = null;
  let currentEntry = null;

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
    autoCheck.disabled = !on;
    autoInterval.disabled = !on;
    const placeholder = {
      off: "The camera is off.",
      starting: "Starting the camera…",
      unavailable: "No camera available.",
    }[state];
    if (placeholder) $("camera-placeholder-text").textContent = placeholder;
    $("camera-status").textContent = message || "";
    $("camera-status").classList.toggle("warning", state === "unavailable");
    const indicator = $("camera-state");
    indicator.dataset.state = on ? "on" : "off";
    indicator.textContent = on ? "Camera on" : (state === "starting" ? "Camera starting…" : "Camera off");
  }

  function cameraProblem(err) {
    const name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Camera permission was denied. Allow the camera in your browser's address bar and turn it on again." +
        NO_CAMERA_HINT;
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") return "No camera was found." + NO_CAMERA_HINT;
    if (name === "NotReadableError") return "The camera is busy in another app or tab." + NO_CAMERA_HINT;
    return "The camera could not be started." + NO_CAMERA_HINT;
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setCameraState("unavailable", "This browser cannot use a camera on this page." + NO_CAMERA_HINT);
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
      setCameraState("unavailable", cameraProblem(err));
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
    if (stream === media) setCameraState("on", "Camera on. Look into it and press Capture.");
  }

  function stopCamera(message) {
    wantCamera = false;
    stopAuto();
    autoCheck.checked = false;
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

  function stopAuto() {
    if (autoTimer) clearInterval(autoTimer);
    autoTimer = null;
  }

  function startAuto() {
    stopAuto();
    const seconds = parseInt(autoInterval.value, 10) || 10;
    autoTimer = setInterval(function () { if (stream && !busy) captureFromCamera(); }, seconds * 1000);
    $("camera-status").textContent = "Taking a picture every " + seconds + " seconds.";
  }

  // --- capture and analysis --------------------------------------------------------------

  // One short sentence for screen readers; the bars and boxes are there to look at.
  function announce(text) {
    $("result-announce").textContent = text;
  }

  function resetResult() {
    ["result-idle", "progress", "capture-error", "no-face", "result-frame", "reading"].forEach(function (id) {
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

  function showError(message) {
    resetResult();
    resultCard.removeAttribute("aria-busy");
    announce("");
    $("capture-error").textContent = message;
    show($("capture-error"), true);
    revealResult();
  }

  function setBusy(value) {
    busy = value;
    captureButton.disabled = value || !stream;
    uploadInput.disabled = value;
    captureButton.textContent = value ? "Analysing…" : "Capture";
  }

  async function waitForResult(capture) {
    const started = Date.now();
    // Most captures are analysed in well under 200 ms (benchmarks/load.py): ask early, then back off.
    let delay = 150;
    while (capture.status === "queued" || capture.status === "processing") {
      setProgress(capture.status === "queued" ? "Waiting for the analyser…" : "Finding faces and reading emotions…");
      if (Date.now() - started > POLL_LIMIT_MS) {
        throw new Error("The analysis is taking longer than usual. Your mood will still appear in your history.");
      }
      await sleep(delay);
      delay = Math.min(delay * 1.5, 2000);
      capture = await api(capture.url);
    }
    return capture;
  }

  async function analyse(blob, source, filename) {
    if (busy) return;
    setBusy(true);
    // Private mode (static/js/private.js): the face is read on this device and only the result is sent.
    const reader = MM.privateReader && MM.privateReader.enabled() ? MM.privateReader : null;
    setProgress(reader ? "Reading your face on this device…" : "Sending the picture…");
    const localUrl = URL.createObjectURL(blob);
    try {
      let capture;
      if (reader) {
        capture = await reader.record(blob, source);
      } else {
        const form = new FormData();
        form.append("image", blob, filename);
        form.append("source", source);
        capture = await waitForResult(await api(config.captures, { method: "POST", body: form }));
      }
      if (imageUrl) URL.revokeObjectURL(imageUrl);
      imageUrl = localUrl;
      showCapture(capture);
    } catch (err) {
      URL.revokeObjectURL(localUrl);
      showError(err.message);
    } finally {
      setBusy(false);
    }
  }

  async function captureFromCamera() {
    if (!stream || busy) return;
    let blob;
    try {
      blob = await grabFrame();
    } catch (err) {
      showError(err.message);
      return;
    }
    await analyse(blob, "webcam", "capture.jpg");
  }

  function showCapture(capture) {
    resetResult();
    resultCard.removeAttribute("aria-busy");
    revealResult();
    currentEntry = capture.mood || null;
    if (capture.status === "failed") {
      showError(capture.message || "The picture could not be analysed. Please try again.");
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
      show($("music-panel"), false);  // no reading, so no music "for feeling" an older one
      musicEmotion = null;
      announce("No face found. " + $("no-face-message").textContent);
      return;
    }
    const primary = capture.faces.find(function (f) { return f.is_primary; }) || capture.faces[0];
    showReading(primary);
    showCorrection(primary);
    $("faces-hint").textContent = capture.faces.length > 1
      ? capture.faces.length + " faces found. The one marked “you” sets your mood — if that is not you, pick your face."
      : "";
    announce("You look " + primary.emotion + ", " + percent(primary.confidence) + " confident." +
      (capture.faces.length > 1 ? " " + capture.faces.length + " faces found; you can pick yours." : ""));
    loadMusic(currentEntry ? currentEntry.emotion : primary.emotion);
  }

  function drawFaces(capture) {
    const layer = $("face-boxes");
    layer.replaceChildren();
    const width = capture.width || $("result-image").naturalWidth || 1;
    const height = capture.height || $("result-image").naturalHeight || 1;
    const several = capture.faces.length > 1;
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
      // Keep the tag inside the picture: right-aligned near the right edge, below the box near the top.
      tag.className = "face-tag" + ((left + face.box.w) / width > 0.6 ? " end" : "") +
        (face.box.y / height < 0.08 ? " below" : "");
      tag.textContent = who + " · " + label(face.emotion) + " " + percent(face.confidence);
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

  function showCorrection(face) {
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

  async function loadMusic(emotion) {
    const panel = $("music-panel");
    let music;
    try {
      music = await api(config.music.replace("EMOTION", encodeURIComponent(emotion)));
    } catch (err) {
      show(panel, false);  // the music side may not exist, or may be down: the capture still counts
      return;
    }
    musicEmotion = emotion;
    $("music-emotion").textContent = "feeling " + emotion;
    $("music-status").textContent = "";
    const hasPlaylist = music.source !== "none" && Boolean(music.embed_url);
    show($("music-none"), !hasPlaylist);
    show($("music-open"), Boolean(music.spotify_url));
    $("music-open").href = music.spotify_url || "#";
    $("music-name").textContent = hasPlaylist
      ? (music.source === "personal" ? "Your playlist: " : "Suggested playlist: ") + music.name
      : "";
    show($("music-controls"), hasPlaylist && Boolean(music.can_control_playback));
    const wrap = $("music-embed-wrap");
    const current = wrap.querySelector("iframe");
    if (!hasPlaylist) {
      wrap.replaceChildren();
    } else if (!current || current.getAttribute("src") !== music.embed_url) {
      const frame = document.createElement("iframe");
      frame.src = music.embed_url;
      frame.title = "Spotify playlist: " + music.name;
      frame.loading = "lazy";
      frame.allow = "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture";
      wrap.replaceChildren(frame);
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
  captureButton.addEventListener("click", captureFromCamera);
  autoCheck.addEventListener("change", function () { if (autoCheck.checked) startAuto(); else stopAuto(); });
  autoInterval.addEventListener("change", function () { if (autoCheck.checked) startAuto(); });
  uploadInput.addEventListener("change", function () {
    const file = uploadInput.files[0];
    uploadInput.value = "";
    if (!file) return;
    if (file.type && !/^image\/(jpeg|png)$/.test(file.type)) {
      showError("Please choose a JPEG or PNG photo.");
      return;
    }
    analyse(file, "upload", file.name || "upload.jpg");
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
