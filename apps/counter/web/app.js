// Counter page: GET shows the stored row count and latest value, POST queues the current
// unix time. The API address comes from config.json next to this file, so one build of the
// page serves every environment. Counts refresh every few seconds.
"use strict";

const REFRESH_MS = 3000;
const els = {};
let apiUrl = "";

function setStatus(text, kind) {
  els.status.textContent = text;
  els.status.className = "status" + (kind ? " " + kind : "");
}

async function request(path, options) {
  const response = await fetch(apiUrl + path, options);
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    // Non-JSON answer (e.g. a proxy error page): reported by status below.
  }
  if (!response.ok) {
    const detail = body && body.message ? body.message : response.statusText;
    throw new Error(`${options && options.method || "GET"} ${path} failed (${response.status}): ${detail}`);
  }
  return body;
}

function show(summary) {
  els.rowCount.textContent = String(summary.count);
  els.lastValue.textContent = summary.last === null ? "none yet" : String(summary.last);
  els.apiHost.textContent = summary.hostname;
}

async function refresh(announce) {
  try {
    const summary = await request("/count");
    show(summary);
    if (announce) setStatus(`Read ${summary.count} rows.`, "ok");
    else if (els.status.classList.contains("error") || els.status.textContent === "Connecting…") {
      setStatus("Connected.", "ok");
    }
    return summary;
  } catch (err) {
    setStatus(err.message === "Failed to fetch" ? `Cannot reach the API at ${apiUrl}.` : err.message, "error");
    return null;
  }
}

async function post() {
  const value = Math.floor(Date.now() / 1000);
  els.post.disabled = true;
  try {
    await request("/count", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ count: value }),
    });
    setStatus(`Queued ${value}; waiting for the worker…`, "ok");
    // Poll briefly so the new row shows as soon as the worker stored it.
    for (let i = 0; i < 10; i++) {
      const summary = await refresh(false);
      if (summary && summary.last === value) {
        setStatus(`Stored ${value}.`, "ok");
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } catch (err) {
    setStatus(err.message === "Failed to fetch" ? `Cannot reach the API at ${apiUrl}.` : err.message, "error");
  } finally {
    els.post.disabled = false;
  }
}

async function start() {
  els.rowCount = document.getElementById("row-count");
  els.lastValue = document.getElementById("last-value");
  els.status = document.getElementById("status");
  els.post = document.getElementById("post-button");
  els.get = document.getElementById("get-button");
  els.apiUrl = document.getElementById("api-url");
  els.apiHost = document.getElementById("api-host");
  try {
    const config = await (await fetch("config.json", { cache: "no-store" })).json();
    apiUrl = String(config.apiUrl || "").replace(/\/+$/, "");
  } catch (_) {
    apiUrl = "";
  }
  els.apiUrl.textContent = apiUrl || window.location.origin;
  els.get.addEventListener("click", () => refresh(true));
  els.post.addEventListener("click", post);
  await refresh(false);
  setInterval(() => refresh(false), REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", start);
