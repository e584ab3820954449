// Shared by every page (loaded from base.html before the page's own script): the CSRF token,
// fetch with the API's error shape ({"code", "detail"}), and the few words every page needs.
// Pages use it as window.MoodMusic.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // An Error a person can read, carrying the API's code and the HTTP status.
  class ApiError extends Error {
    constructor(message, code, status) {
      super(message);
      this.name = "ApiError";
      this.code = code || "error";
      this.status = status || 0;
    }
  }

  async function errorFrom(response) {
    let data = null;
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    let text = data && typeof data.detail === "string" ? data.detail : "";
    if (!text && data && typeof data === "object") {
      const first = Object.values(data)[0];
      text = Array.isArray(first) ? first.join(" ") : (typeof first === "string" ? first : "");
    }
    if (!text && response.status === 429) text = "Too many requests. Wait a moment and try again.";
    if (!text && response.status === 403) text = "You are signed out. Log in again and retry.";
    return new ApiError(text || "Something went wrong (HTTP " + response.status + "). Please try again.",
      data && data.code, response.status);
  }

  // fetch() for the JSON API: same-origin credentials, CSRF header, readable errors. 204 gives null.
  async function api(url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "X-CSRFToken": csrfToken(), Accept: "application/json" }, opts.headers || {});
    if (opts.json !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    let response;
    try {
      response = await fetch(url, opts);
    } catch (e) {
      throw new ApiError("Could not reach MoodMusic. Check your connection and try again.", "network", 0);
    }
    if (!response.ok) throw await errorFrom(response);
    return response.status === 204 ? null : response.json();
  }

  function send(method) {
    return function (url, body) { return api(url, { method: method, json: body }); };
  }

  function label(emotion) {
    return emotion ? emotion.charAt(0).toUpperCase() + emotion.slice(1) : "";
  }

  window.MoodMusic = {
    csrfToken: csrfToken,
    api: api,
    postJson: send("POST"),
    patchJson: send("PATCH"),
    ApiError: ApiError,
    label: label,
  };
})();
