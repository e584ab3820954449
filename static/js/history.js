// History page: period chooser, timeline and distribution charts (Chart.js), and the
// paginated list of entries, each deletable.
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
        data: days.map(function (day) { return (byDate[day] || {})[emotion] || 0; }),
        backgroundColor: colours[emotion],
        borderRadius: 3,
        maxBarThickness: 28,
      };
    });
    const labels = days.map(function (day) {
      return parseDate(day).toLocaleDateString(undefined, { month: "short", day: "numeric" });
    });
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
    $("insight-note").textContent = summary.change
      ? "Compared with " + summary.change.previous_from + " to " + summary.change.previous_to +
        ". Times of day are in your time zone (" + Intl.DateTimeFormat().resolvedOptions().timeZone + ")."
      : "";
    $("insight").classList.toggle("hidden", !list.children.length);
  }

  async function loadSummary() {
    const summary = await api(config.summary + "?" + query(period));
    showStats(summary);
    if (window.Chart) {
      drawTimeline(summary);
      drawDistribution(summary);
    }
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
    time.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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
    return row;
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
    const shown = list.children.length;
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

  async function deleteEntry(row, entry, when) {
    if (!window.confirm("Delete the " + entry.emotion + " mood from " + when + "? This cannot be undone.")) return;
    const button = row.querySelector(".entry-delete");
    button.disabled = true;
    try {
      await api(config.moods + entry.id + "/", { method: "DELETE" });
    } catch (err) {
      button.disabled = false;
      $("entries-status").textContent = err.message;
      return;
    }
    const focusNext = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    list.dataset.count = Math.max(0, parseInt(list.dataset.count || "1", 10) - 1);
    entriesStatus(parseInt(list.dataset.count, 10));
    if (focusNext) focusNext.querySelector(".entry-delete").focus();
    // Pages shift up by one after a delete: fetch the last page again so no entry is skipped.
    if (nextUrl) loadEntries(lastUrl, true);
    loadSummary().catch(function () { /* the list is already right; the charts catch up on next load */ });
  }

  // --- wiring ----------------------------------------------------------------------------

  async function load(p) {
    period = p;
    showPeriod(p);
    rememberPeriod(p);
    $("period-error").classList.add("hidden");
    try {
      await Promise.all([loadSummary(), loadEntries(config.moods + "?" + query(p), false)]);
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

  if (window.Chart) chartDefaults();
  load(periodFromUrl());
})();
