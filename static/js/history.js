// History page: period chooser, timeline and distribution charts (Chart.js), a month calendar of moods,
// insights once there is enough data, and the paginated list of entries, each with a note, correctable,
// and deletable with a few seconds to undo. Every date is written by the two formatters below, in the
// person's own locale.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("page-config").textContent);
  const $ = function (id) { return document.getElementById(id); };
  const form = $("period-form");
  const list = $("entries");
  const moreButton = $("entries-more");
  const charts = {};
  let nextUrl = null;
  let lastUrl = null;
  let period = null;

  const styles = getComputedStyle(document.documentElement);
  function cssVar(name, fallback) {
    return styles.getPropertyValue(name).trim() || fallback;
  }
  const colours = Object.fromEntries(config.emotions.map(function (e) { return [e, cssVar("--" + e, "#888")]; }));

  const MM = window.MoodMusic;
  const api = MM.api;
  const label = MM.label;

  // One way to write a day and one to write a moment, in the person's locale, everywhere on the page.
  const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  const MOMENT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const MONTH = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" });
  const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: "narrow" });
  const WEEKDAY_LONG = new Intl.DateTimeFormat(undefined, { weekday: "long" });
  function day(text) { return DAY.format(parseDate(text)); }

  function isoDate(date) {
    return date.getFullYear() + "-" + String(date.getMonth() + 1).padStart(2, "0") + "-" +
      String(date.getDate()).padStart(2, "0");
  }

  function parseDate(text) {
    const parts = text.split("-").map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2]);
  }

  // --- period ----------------------------------------------------------------------------

  function periodFromUrl() {
    const params = new URLSearchParams(window.location.search);
    if (params.get("from") || params.get("to")) {
      return { days: "custom", from: params.get("from") || "", to: params.get("to") || "" };
    }
    const days = ["7", "30", "90"].includes(params.get("days")) ? params.get("days") : "30";
    return rolling(days);
  }

  function rolling(days) {
    const to = new Date();
    const from = new Date(to.getFullYear(), to.getMonth(), to.getDate() - (parseInt(days, 10) - 1));
    return { days: days, from: isoDate(from), to: isoDate(to) };
  }

  function showPeriod(p) {
    form.querySelector('input[name="days"][value="' + p.days + '"]').checked = true;
    $("period-from").value = p.from;
    $("period-to").value = p.to;
    form.classList.toggle("custom", p.days === "custom");
  }

  function rememberPeriod(p) {
    const params = new URLSearchParams(p.days === "custom" ? { from: p.from, to: p.to } : { days: p.days });
    history.replaceState(null, "", "?" + params.toString());
  }

  function query(p) {
    const params = new URLSearchParams();
    if (p.from) params.set("from", p.from);
    if (p.to) params.set("to", p.to);
    return params.toString();
  }

  // --- summary and charts ----------------------------------------------------------------

  function daysBetween(from, to, timeline) {
    if (!from || !to) return timeline.map(function (d) { return d.date; });
    const days = [];
    for (let d = parseDate(from); d <= parseDate(to) && days.length < 1000; d.setDate(d.getDate() + 1)) {
      days.push(isoDate(d));
    }
    return days;
  }

  function chartDefaults() {
    Chart.defaults.font.family = cssVar("--font", "system-ui, sans-serif");
    Chart.defaults.color = cssVar("--muted", "#5d6478");
    Chart.defaults.borderColor = cssVar("--border", "#e2e5ee");
    Chart.defaults.plugins.legend.labels.usePointStyle = true;
    Chart.defaults.plugins.legend.labels.boxWidth = 8;
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  }

  function drawTimeline(summary) {
    const byDate = Object.fromEntries(summary.timeline.map(function (d) { return [d.date, d.counts]; }));
    const days = daysBetween(summary.from, summary.to, summary.timeline);
    const datasets = config.emotions.map(function (emotion) {
      return {
        label: label(emotion),
        data: days.map(function (d) { return (byDate[d] || {})[emotion] || 0; }),
        backgroundColor: colours[emotion],
        borderRadius: 3,
        maxBarThickness: 28,
      };
    });
    const labels = days.map(day);
    replaceChart("timeline-chart", {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "moods" } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { filter: function (item) { return item.raw > 0; } },
        },
      },
    });
    $("timeline-chart").setAttribute("aria-label", "Moods per day, " + describe(summary));
  }

  function drawDistribution(summary) {
    const emotions = config.emotions;
    replaceChart("distribution-chart", {
      type: "doughnut",
      data: {
        labels: emotions.map(label),
        datasets: [{
          data: emotions.map(function (e) { return summary.distribution[e] || 0; }),
          backgroundColor: emotions.map(function (e) { return colours[e]; }),
          borderColor: cssVar("--surface", "#fff"),
          borderWidth: 2,
        }],
      },
      options: { maintainAspectRatio: false, cutout: "62%", plugins: { legend: { position: "bottom" } } },
    });
    $("distribution-chart").setAttribute("aria-label", "Moods per emotion: " + describe(summary));
  }

  function describe(summary) {
    if (!summary.total) return "none in this period.";
    return config.emotions.filter(function (e) { return summary.distribution[e]; }).map(function (e) {
      return label(e) + " " + summary.distribution[e];
    }).join(", ") + ".";
  }

  function replaceChart(id, spec) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), spec);
  }

  function showStats(summary) {
    const top = summary.top || [];
    $("stat-total").textContent = summary.total;
    $("stat-top").textContent = top.length ? top.map(label).join(" & ") : "–";
    $("stat-top").className = "stat-value" + (top.length === 1 ? " emotion-text " + top[0] : "");
    $("stat-top-label").textContent = top.length > 1 ? "most frequent, tied" : "most frequent";
    $("stat-days").textContent = summary.timeline.length;
    $("empty-period").classList.toggle("hidden", summary.total > 0);
    showInsight(summary);
  }

  const PARTS = { morning: "in the mornings", afternoon: "in the afternoons", evening: "in the evenings",
    night: "at night" };

  function joinWords(words) {
    return words.length < 2 ? words.join("") : words.slice(0, -1).join(", ") + " and " + words[words.length - 1];
  }

  function changeText(row) {
    if (!row.change) return "same as the " + periodWord() + " before";
    return (row.change > 0 ? "▲ " : "▼ ") + Math.abs(row.change) + (row.change > 0 ? " more" : " fewer") +
      " than the " + periodWord() + " before (" + row.previous + ")";
  }

  function periodWord() {
    return period && period.days !== "custom" ? period.days + " days" : "same number of days";
  }

  function showInsight(summary) {
    const list = $("insight-list");
    list.replaceChildren();
    const basis = summary.insight;
    const wait = $("insight-wait");
    wait.classList.toggle("hidden", basis.ready);
    if (!basis.ready) {
      wait.textContent = "Patterns show once this period has at least " + basis.min_entries + " moods on at least " +
        basis.min_days + " different days. So far: " + plural(basis.entries, "mood") + " on " +
        plural(basis.days, "day") + ".";
      $("insight-note").textContent = "";
      return;
    }
    const byEmotion = {};
    (summary.change ? summary.change.emotions : []).forEach(function (row) { byEmotion[row.emotion] = row; });
    const times = {};
    (summary.time_of_day || []).forEach(function (row) { times[row.emotion] = row; });
    config.emotions.forEach(function (emotion) {
      const change = byEmotion[emotion];
      const time = times[emotion];
      if (!time && !(change && change.previous)) return;
      const item = document.createElement("li");
      item.dataset.emotion = emotion;
      const name = document.createElement("strong");
      name.className = "emotion-text " + emotion;
      name.textContent = label(emotion);
      item.appendChild(name);
      const parts = [];
      if (time) {
        parts.push((time.parts.length > 1 ? "as often " : "mostly ") +
          joinWords(time.parts.map(function (p) { return PARTS[p]; })));
      }
      if (change) parts.push(changeText(change));
      const text = document.createElement("span");
      text.className = "insight-text";
      text.textContent = parts.join("; ") + ".";
      item.appendChild(text);
      list.appendChild(item);
    });
    const zone = "Times of day are in your time zone (" + Intl.DateTimeFormat().resolvedOptions().timeZone + ").";
    $("insight-note").textContent = summary.change
      ? "Compared with " + day(summary.change.previous_from) + " – " + day(summary.change.previous_to) + ". " + zone
      : "No comparison with the period before: it has too few moods. " + zone;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  async function loadSummary() {
    const summary = await api(config.summary + "?" + query(period));
    showStats(summary);
    if (window.Chart) {
      drawTimeline(summary);
      drawDistribution(summary);
    }
  }

  // --- calendar: the month's moods, one cell per day in the colour of its most frequent mood ----------

  let calendarMonth = null;  // a Date on the first of the month shown

  function firstWeekday() {
    try {
      const locale = new Intl.Locale(navigator.language);
      const info = locale.getWeekInfo ? locale.getWeekInfo() : locale.weekInfo;
      if (info && info.firstDay) return info.firstDay % 7;  // 1 = Monday … 7 = Sunday → 0 = Sunday
    } catch (e) { /* older browsers: weeks start on Monday */ }
    return 1;
  }

  function dominant(counts) {
    const best = Math.max.apply(null, config.emotions.map(function (e) { return counts[e] || 0; }));
    return best ? config.emotions.filter(function (e) { return counts[e] === best; }) : [];
  }

  function drawWeekdays() {
    const start = firstWeekday();
    const row = $("calendar-weekdays");
    row.replaceChildren();
    for (let i = 0; i < 7; i++) {
      const date = new Date(2024, 0, 7 + ((start + i) % 7));  // 7 January 2024 was a Sunday
      const th = document.createElement("th");
      th.scope = "col";
      const short = document.createElement("span");
      short.setAttribute("aria-hidden", "true");
      short.textContent = WEEKDAY.format(date);
      const full = document.createElement("span");
      full.className = "visually-hidden";
      full.textContent = WEEKDAY_LONG.format(date);
      th.append(short, full);
      row.appendChild(th);
    }
  }

  function calendarCell(date, counts) {
    const td = document.createElement("td");
    const iso = isoDate(date);
    td.dataset.date = iso;
    const moods = counts ? dominant(counts) : [];
    const number = document.createElement("span");
    number.className = "day-number";
    number.setAttribute("aria-hidden", "true");
    number.textContent = date.getDate();
    const pixel = document.createElement("span");
    pixel.className = "day-pixel" + (moods.length ? " " + moods[0] : " none");
    const today = isoDate(new Date());
    if (iso === today) td.classList.add("today");
    if (iso > today) td.classList.add("future");
    pixel.setAttribute("aria-hidden", "true");
    if (moods.length > 1) {
      pixel.classList.add("tied");
      pixel.style.setProperty("--second", colours[moods[1]]);
    }
    const text = document.createElement("span");
    text.className = "visually-hidden";
    const total = counts ? config.emotions.reduce(function (n, e) { return n + (counts[e] || 0); }, 0) : 0;
    text.textContent = DAY.format(date) + ": " + (moods.length
      ? moods.map(label).join(" and ") + (moods.length > 1 ? ", tied" : "") + " (" + plural(total, "mood") + ")"
      : "no mood");
    td.dataset.mood = moods.join(" ");
    td.append(number, pixel, text);
    return td;
  }

  async function drawCalendar(month) {
    calendarMonth = month;
    const last = new Date(month.getFullYear(), month.getMonth() + 1, 0);
    $("calendar-heading").textContent = MONTH.format(month);
    const thisMonth = new Date();
    $("calendar-next").disabled = month.getFullYear() === thisMonth.getFullYear() &&
      month.getMonth() === thisMonth.getMonth();
    let summary;
    try {
      summary = await api(config.summary + "?" + query({ from: isoDate(month), to: isoDate(last) }));
    } catch (err) {
      $("calendar-help").textContent = err.message;
      return;
    }
    if (calendarMonth !== month) return;  // another month was asked for meanwhile
    const byDate = Object.fromEntries(summary.timeline.map(function (d) { return [d.date, d.counts]; }));
    const body = $("calendar-days");
    body.replaceChildren();
    let row = document.createElement("tr");
    const lead = (month.getDay() - firstWeekday() + 7) % 7;
    for (let i = 0; i < lead; i++) row.appendChild(document.createElement("td"));
    for (let d = 1; d <= last.getDate(); d++) {
      const date = new Date(month.getFullYear(), month.getMonth(), d);
      row.appendChild(calendarCell(date, byDate[isoDate(date)]));
      if (row.children.length === 7) {
        body.appendChild(row);
        row = document.createElement("tr");
      }
    }
    if (row.children.length) {
      while (row.children.length < 7) row.appendChild(document.createElement("td"));
      body.appendChild(row);
    }
  }

  function stepMonth(by) {
    drawCalendar(new Date(calendarMonth.getFullYear(), calendarMonth.getMonth() + by, 1));
  }

  // --- entries ---------------------------------------------------------------------------

  function entryRow(entry) {
    const row = $("entry-template").content.firstElementChild.cloneNode(true);
    const when = new Date(entry.created_at);
    row.dataset.id = entry.id;
    row.dataset.emotion = entry.emotion;
    row.querySelector(".entry-dot").classList.add(entry.emotion);
    row.querySelector(".entry-emotion").textContent = label(entry.emotion);
    row.querySelector(".entry-meta").textContent = entryMeta(entry);
    const time = row.querySelector(".entry-time");
    time.dateTime = entry.created_at;
    time.textContent = MOMENT.format(when);
    const button = row.querySelector(".entry-delete");
    button.setAttribute("aria-label", "Delete " + entry.emotion + " from " + time.textContent);
    button.addEventListener("click", function () { deleteEntry(row, entry, time.textContent); });
    const correct = row.querySelector(".entry-correct");
    const panel = row.querySelector(".correct-panel");
    panel.id = "correct-" + entry.id;
    correct.setAttribute("aria-controls", panel.id);
    correct.setAttribute("aria-label", "Not how I feel: correct " + entry.emotion + " from " + time.textContent);
    correct.addEventListener("click", function () {
      const open = correct.getAttribute("aria-expanded") !== "true";
      correct.setAttribute("aria-expanded", String(open));
      panel.classList.toggle("hidden", !open);
      if (open) panel.querySelector("button").focus();
    });
    panel.querySelectorAll("button[data-correct]").forEach(function (choice) {
      choice.addEventListener("click", function () { correctEntry(row, entry, choice.dataset.correct); });
    });
    wireNote(row, entry, time.textContent);
    return row;
  }

  // A note per entry: what was going on. Shown under the entry; edited in place; saved with PATCH.
  function wireNote(row, entry, when) {
    const shown = row.querySelector(".entry-note");
    const edit = row.querySelector(".entry-note-edit");
    const form = row.querySelector(".note-form");
    const input = form.querySelector(".note-input");
    const count = form.querySelector(".note-count");
    input.id = "note-" + entry.id;
    form.id = "note-form-" + entry.id;
    form.querySelector(".note-label").htmlFor = input.id;
    edit.setAttribute("aria-controls", form.id);
    function show(note) {
      shown.textContent = note;
      shown.classList.toggle("hidden", !note);
      edit.textContent = note ? "Edit note" : "Note";
      edit.setAttribute("aria-label", (note ? "Edit the note" : "Add a note") + " for " + entry.emotion + " from " + when);
    }
    function counter() {
      count.textContent = input.value.length + " / " + config.note_max_length;
    }
    function open(yes) {
      form.classList.toggle("hidden", !yes);
      edit.setAttribute("aria-expanded", String(yes));
      if (yes) {
        input.value = entry.note || "";
        counter();
        input.focus();
      }
    }
    show(entry.note || "");
    edit.addEventListener("click", function () { open(form.classList.contains("hidden")); });
    input.addEventListener("input", counter);
    form.querySelector(".note-cancel").addEventListener("click", function () { open(false); edit.focus(); });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const save = form.querySelector(".note-save");
      save.disabled = true;
      try {
        const updated = await MM.patchJson(config.moods + entry.id + "/", { note: input.value });
        entry.note = updated.note;
        show(updated.note);
        open(false);
        edit.focus();
        $("entries-status").textContent = updated.note ? "Note saved." : "Note removed.";
      } catch (err) {
        count.textContent = err.message;
      } finally {
        save.disabled = false;
      }
    });
  }

  function entryMeta(entry) {
    const base = entry.source === "manual"
      ? "Picked by hand"
      : "Camera · " + Math.round(entry.confidence * 100) + "% confident";
    if (!entry.corrected_at || !entry.model_emotion) return base;
    return base + " · corrected by you; " + (entry.source === "manual" ? "first picked " : "the model read ") +
      label(entry.model_emotion);
  }

  async function correctEntry(row, entry, emotion) {
    const buttons = row.querySelectorAll(".correct-panel button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      const updated = await MM.patchJson(config.moods + entry.id + "/", { emotion: emotion });
      const fresh = entryRow(updated);
      row.replaceWith(fresh);
      $("entries-status").textContent = "Saved: " + updated.emotion + ".";
      fresh.querySelector(".entry-correct").focus();
      loadSummary().catch(function () { /* the list is right; the charts catch up on next load */ });
    } catch (err) {
      buttons.forEach(function (b) { b.disabled = false; });
      $("entries-status").textContent = err.message;
    }
  }

  function entriesStatus(count) {
    const shown = list.querySelectorAll(".entry:not(.hidden)").length;
    $("entries-status").textContent = count === 0 ? "No entries in this period." :
      "Showing " + shown + " of " + count + (count === 1 ? " entry." : " entries.");
  }

  async function loadEntries(url, append) {
    moreButton.disabled = true;
    try {
      const page = await api(url);
      if (!append) list.replaceChildren();
      const shown = new Set(Array.from(list.children).map(function (row) { return row.dataset.id; }));
      page.results.forEach(function (entry) {
        if (!shown.has(String(entry.id))) list.appendChild(entryRow(entry));
      });
      lastUrl = url;
      nextUrl = page.next;
      moreButton.classList.toggle("hidden", !nextUrl);
      list.dataset.count = page.count;
      entriesStatus(page.count);
    } catch (err) {
      $("entries-status").textContent = err.message;
    } finally {
      moreButton.disabled = false;
    }
  }

  // Delete with undo: the entry leaves the list at once and a toast offers Undo for a few seconds; only when
  // the toast runs out (or the page is left, or another entry is deleted) is the delete sent. Undo puts the
  // row back untouched: nothing was deleted yet, so nothing can be lost.
  const UNDO_SECONDS = 6;
  let pending = null;

  function deleteEntry(row, entry, when) {
    if (pending) commitDelete();
    const focusNext = row.nextElementSibling || row.previousElementSibling;
    row.classList.add("hidden");
    pending = { row: row, entry: entry, timer: window.setTimeout(commitDelete, UNDO_SECONDS * 1000) };
    $("undo-text").textContent = "Deleted " + label(entry.emotion) + " from " + when + ".";
    $("undo-toast").classList.remove("hidden");
    $("undo-toast").dataset.entry = entry.id;
    // Focus stays in the list (on the Undo button it would hold the countdown, which waits while it has focus).
    if (focusNext && !focusNext.classList.contains("hidden")) focusNext.querySelector(".entry-delete").focus();
    else $("entries-heading").focus();
  }

  // A person reading the toast or reaching for Undo gets the time they need: the countdown waits meanwhile.
  function pauseDelete() {
    if (pending) window.clearTimeout(pending.timer);
  }

  function resumeDelete() {
    if (!pending || $("undo-toast").matches(":hover, :focus-within")) return;
    window.clearTimeout(pending.timer);
    pending.timer = window.setTimeout(commitDelete, UNDO_SECONDS * 1000);
  }

  function hideToast() {
    $("undo-toast").classList.add("hidden");
    delete $("undo-toast").dataset.entry;
  }

  function undoDelete() {
    if (!pending) return;
    const row = pending.row;
    window.clearTimeout(pending.timer);
    pending = null;
    hideToast();
    row.classList.remove("hidden");
    row.querySelector(".entry-delete").focus();
    $("entries-status").textContent = "Kept: " + row.dataset.emotion + ".";
  }

  async function commitDelete(leaving) {
    if (!pending) return;
    const done = pending;
    pending = null;
    window.clearTimeout(done.timer);
    hideToast();
    const url = config.moods + done.entry.id + "/";
    if (leaving) {  // the page is going away: keepalive lets the request outlive it
      fetch(url, { method: "DELETE", keepalive: true, credentials: "same-origin",
        headers: { "X-CSRFToken": MM.csrfToken(), Accept: "application/json" } });
      return;
    }
    try {
      await api(url, { method: "DELETE" });
    } catch (err) {
      done.row.classList.remove("hidden");
      $("entries-status").textContent = "Not deleted: " + err.message;
      return;
    }
    done.row.remove();
    list.dataset.count = Math.max(0, parseInt(list.dataset.count || "1", 10) - 1);
    entriesStatus(parseInt(list.dataset.count, 10));
    // Pages shift up by one after a delete: fetch the last page again so no entry is skipped.
    if (nextUrl) loadEntries(lastUrl, true);
    loadSummary().catch(function () { /* the list is already right; the charts catch up on next load */ });
    if (calendarMonth) drawCalendar(calendarMonth);
  }

  // --- wiring ----------------------------------------------------------------------------

  async function load(p) {
    period = p;
    showPeriod(p);
    rememberPeriod(p);
    $("period-error").classList.add("hidden");
    try {
      const end = p.to ? parseDate(p.to) : new Date();
      await Promise.all([loadSummary(), loadEntries(config.moods + "?" + query(p), false),
        drawCalendar(new Date(end.getFullYear(), end.getMonth(), 1))]);
    } catch (err) {
      $("period-error").textContent = err.message;
      $("period-error").classList.remove("hidden");
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name !== "days") return;
    if (event.target.value === "custom") {
      form.classList.add("custom");
      $("period-from").focus();
    } else {
      load(rolling(event.target.value));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const from = $("period-from").value;
    const to = $("period-to").value;
    if (from && to && from > to) {
      $("period-error").textContent = "The first day must not be after the last day.";
      $("period-error").classList.remove("hidden");
      return;
    }
    load({ days: "custom", from: from, to: to });
  });
  moreButton.addEventListener("click", function () { if (nextUrl) loadEntries(nextUrl, true); });
  $("undo-button").addEventListener("click", undoDelete);
  ["mouseenter", "focusin"].forEach(function (name) { $("undo-toast").addEventListener(name, pauseDelete); });
  ["mouseleave", "focusout"].forEach(function (name) {
    $("undo-toast").addEventListener(name, function () { window.setTimeout(resumeDelete, 0); });
  });
  $("calendar-prev").addEventListener("click", function () { stepMonth(-1); });
  $("calendar-next").addEventListener("click", function () { stepMonth(1); });
  window.addEventListener("pagehide", function () { commitDelete(true); });
  drawWeekdays();

  if (window.Chart) chartDefaults();
  load(periodFromUrl());
})();
